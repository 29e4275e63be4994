#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# configfs misuse: every bad write or link is refused with an error and a
# kernel message, and nothing already configured changes (the exported
# LUN keeps its data).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# refused_errno NAME REGEX CMD...: refused by configfs itself (before our
# code runs, so no kernel message): the error text must match REGEX.
refused_errno() {
	local name=$1 re=$2 out

	shift 2
	if out=$("$@" 2>&1); then
		fail "$name" "accepted: $*"
	elif echo "$out" | grep -Eq "$re"; then
		pass "$name"
	else
		fail "$name" "wrong error: $out"
	fi
}

# same NAME FILE VALUE: FILE still reads VALUE
same() {
	local got

	got=$(cat "$2" 2>/dev/null)
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2 reads '$got', expected '$3'"
	fi
}

kt_check load kt_load ktarget_rd ktarget_file ktarget_loop || guest_summary
C=$KT_CFS/core

# HBA and device names
kt_refused hba-without-index mkdir "$C/rd_mcp"
kt_refused hba-unknown-backstore mkdir "$C/bogus_0"
kt_refused hba-bad-index mkdir "$C/fileio_x"

# control and enable
kt_check rd-mkdir mkdir -p "$C/rd_mcp_0/rd0"
kt_refused rd-bad-pages kt_write "rd_pages=abc" "$C/rd_mcp_0/rd0/control"
kt_check rd-unknown-key-ignored kt_write "rd_pages=16384,no_such_key=1" "$C/rd_mcp_0/rd0/control"
kt_check rd-enable kt_write 1 "$C/rd_mcp_0/rd0/enable"
kt_refused rd-enable-twice kt_write 1 "$C/rd_mcp_0/rd0/enable"
kt_refused rd-control-after-enable kt_write "rd_pages=8" "$C/rd_mcp_0/rd0/control"
kt_refused enable-zero kt_write 0 "$C/rd_mcp_0/rd0/enable"
kt_check file-mkdir mkdir -p "$C/fileio_1/f0"
kt_refused file-enable-unconfigured kt_write 1 "$C/fileio_1/f0/enable"
kt_refused file-bad-size kt_write "fd_dev_name=/tmp/f0.img,fd_dev_size=-5" "$C/fileio_1/f0/control"
same file-still-disabled "$C/fileio_1/f0/enable" 0

# attributes: ranges and frozen-while-exported
kt_refused attr-tas-range kt_write 2 "$C/rd_mcp_0/rd0/attrib/emulate_tas"
kt_refused attr-block-size-odd kt_write 513 "$C/rd_mcp_0/rd0/attrib/block_size"
kt_refused attr-not-a-number kt_write abc "$C/rd_mcp_0/rd0/attrib/queue_depth"
kt_refused attr-queue-depth-zero kt_write 0 "$C/rd_mcp_0/rd0/attrib/queue_depth"
same attr-tas-unchanged "$C/rd_mcp_0/rd0/attrib/emulate_tas" 1
same attr-block-size-unchanged "$C/rd_mcp_0/rd0/attrib/block_size" 512
kt_refused wwn-vendor-too-long kt_write "ABCDEFGHIJ" "$C/rd_mcp_0/rd0/wwn/vendor_id"
kt_refused wwn-vendor-control-char kt_write "$(printf 'a\tb')" "$C/rd_mcp_0/rd0/wwn/vendor_id"
same wwn-vendor-unchanged "$C/rd_mcp_0/rd0/wwn/vendor_id" LIO-ORG
kt_refused dbroot-missing-dir kt_write /nonexistent "$KT_CFS/dbroot"

# export it and write data that must survive everything below
dev=$C/rd_mcp_0/rd0
kt_check export kt_loop_export "$dev" 0 || guest_summary
disk=$(kt_wait_disk 0) || kt_abort disk "no disk for LUN 0"
head -c 1048576 /dev/urandom >/tmp/pat
kt_check write-data dd if=/tmp/pat of="$disk" bs=1M oflag=direct status=none
lun=$KT_LOOP_TPG/lun/lun_0

kt_refused attr-frozen-block-size kt_write 4096 "$dev/attrib/block_size"
kt_refused wwn-serial-while-exported kt_write "newserial" "$dev/wwn/vpd_unit_serial"
kt_refused dbroot-with-backstores kt_write /tmp "$KT_CFS/dbroot"

# links
refused_errno rmdir-exported-device "busy" rmdir "$dev"
kt_refused second-link-in-lun ln -s "$C/fileio_1/f0" "$lun/f0"
kt_check lun1-mkdir mkdir "$KT_LOOP_TPG/lun/lun_1"
kt_refused link-disabled-device ln -s "$C/fileio_1/f0" "$KT_LOOP_TPG/lun/lun_1/f0"
kt_refused link-hba-not-device ln -s "$C/rd_mcp_0" "$KT_LOOP_TPG/lun/lun_1/hba"
refused_errno link-outside-configfs "not permitted|Invalid cross-device" ln -s /tmp "$KT_LOOP_TPG/lun/lun_1/tmp"
kt_refused lun-bad-name mkdir "$KT_LOOP_TPG/lun/lunx"
kt_refused lun-out-of-range mkdir "$KT_LOOP_TPG/lun/lun_70000"
kt_refused tpg-bad-name mkdir "$KT_CFS/loopback/$KT_LOOP_WWN/tpgt_x"
kt_check acl-mkdir mkdir -p "$KT_LOOP_TPG/acls/naa.5001405aaaaaaaaa/lun_0"
kt_refused map-to-device-not-lun ln -s "$dev" "$KT_LOOP_TPG/acls/naa.5001405aaaaaaaaa/lun_0/x"
kt_refused map-write-protect-range kt_write 2 "$KT_LOOP_TPG/acls/naa.5001405aaaaaaaaa/lun_0/write_protect"
refused_errno rmdir-lun-with-link "not empty" rmdir "$lun"

# unloading refused while in use
kt_check_fails rmmod-core-in-use rmmod ktarget_core
kt_check_fails rmmod-rd-in-use rmmod ktarget_rd
kt_check_fails rmmod-loop-in-use rmmod ktarget_loop

# the exported data is untouched by all of the above
echo 3 >/proc/sys/vm/drop_caches
kt_check data-intact bash -c "dd if=$disk bs=1M count=1 iflag=direct status=none | cmp - /tmp/pat"
same still-exported-info-status "$(grep -o 'Status: [A-Z]*' "$dev/info" >/tmp/st; echo /tmp/st)" "Status: ACTIVATED"

kt_check teardown kt_teardown
guest_summary
