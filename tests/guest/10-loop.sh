#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The loopback fabric (ktarget_loop): two RAM disks exported through
# target/loopback/naa.X/tpgt_1 appear as local SCSI disks once the I_T
# nexus exists, answer sg3_utils, go away with their LUN links, and the
# whole stack unloads.  Then the same build-up and tear-down runs again and
# again (20 times by default, argument 1) to catch leaks and teardown races;
# the rig checks the kernel log.
# Most functions run through kt_check, which shellcheck cannot follow.
# shellcheck disable=SC2317
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CYCLES=${1:-20}
DEV0=
DEV1=
WWN=
TPG=

# ---------------------------------------------------------------- helpers

PAGE_SIZE=$(getconf PAGESIZE)

# A random naa.5001405<9 hex> name with bash builtins only: starting
# programs is slow under TCG and the cycles below make many names.
loop_naa() {
	printf 'naa.5001405%09x\n' $(((RANDOM << 15 | RANDOM) << 6 | RANDOM % 64))
}

# loop_mk_rd N NAME SIZE_MB: the RAM disk core/rd_mcp_N/NAME; prints it.
loop_mk_rd() {
	local dev=$KT_CFS/core/rd_mcp_$1/$2

	mkdir -p "$dev" &&
		kt_write "rd_pages=$(($3 * 1048576 / PAGE_SIZE))" "$dev/control" &&
		kt_write 1 "$dev/enable" && echo "$dev"
}

# loop_setup: modules, two RAM disks, the target and its TPG; no LUN yet.
loop_setup() {
	kt_load ktarget_rd ktarget_loop || return 1
	modprobe -a sd_mod sg || return 1
	DEV0=$(loop_mk_rd 0 loop0 16) || return 1
	DEV1=$(loop_mk_rd 1 loop1 8) || return 1
	WWN=$(loop_naa)
	TPG=$KT_CFS/loopback/$WWN/tpgt_1
	mkdir -p "$TPG" || return 1
	# lib.sh's kt_wait_disk finds the host through these
	# shellcheck disable=SC2034
	KT_LOOP_WWN=$WWN
	KT_LOOP_TPG=$TPG
}

# loop_link LUN DEVPATH
loop_link() {
	mkdir -p "$TPG/lun/lun_$1" &&
		ln -s "$2" "$TPG/lun/lun_$1/${2##*/}"
}

loop_unlink() {
	find "$TPG/lun/lun_$1" -maxdepth 1 -type l -delete
}

# The SCSI host number, from tpgt_1/address ("H:0:T").
loop_host() {
	local a

	a=$(cat "$TPG/address") || return 1
	echo "${a%%:*}"
}

# loop_has_sdev LUN: whether H:0:1:LUN exists
loop_has_sdev() {
	[ -e "/sys/bus/scsi/devices/$(loop_host):0:1:$1" ]
}

loop_no_sdev() {
	! loop_has_sdev "$1"
}

# loop_disk_ok LUN SIZE: the LUN's disk and sg node answer sg3_utils.
loop_disk_ok() {
	local lun=$1 size=$2 sd sg

	sd=$(kt_wait_disk "$lun" 30) || return 1
	sg=$(kt_sg_of "$sd") || return 1
	sg_inq "$sg" | grep -q 'Peripheral device type: disk' ||
		{ kt_err "sg_inq $sg: not a disk"; return 1; }
	sg_readcap "$sd" | grep -q "Device size: $size bytes" ||
		{ kt_err "sg_readcap $sd: size is not $size"; return 1; }
	loop_tur_ok "$sg"
}

# sg_turs exits 0 even on a transport error: it must also print nothing.
loop_tur_ok() {
	local out

	if ! out=$(sg_turs "$1" 2>&1) || [ -n "$out" ]; then
		kt_err "sg_turs $1: $out"
		return 1
	fi
}

# While offline, commands fail with a transport disruption.
loop_offline_fails() {
	local sd

	sd=$(kt_wait_disk 0 1) || return 1
	sg_turs "$sd" 2>&1 | grep -q DID_TRANSPORT_DISRUPTED ||
		{ kt_err "TEST UNIT READY did not fail"; return 1; }
	! dd if="$sd" of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null
}

# loop_data_ok LUN: 1 MiB written and read back with O_DIRECT.
loop_data_ok() {
	local sd

	sd=$(kt_wait_disk "$1" 30) || return 1
	head -c 1048576 /dev/urandom >/tmp/loop.pat || return 1
	dd if=/tmp/loop.pat of="$sd" bs=64k oflag=direct status=none || return 1
	dd if="$sd" of=/tmp/loop.back bs=64k count=16 iflag=direct status=none || return 1
	cmp /tmp/loop.pat /tmp/loop.back
}

# loop_rmdir_all: every folder this script made, deepest first.
loop_rmdir_all() {
	find "$TPG/lun" -maxdepth 2 -type l -delete
	rmdir "$TPG"/lun/lun_* "$TPG" "$KT_CFS/loopback/$WWN" \
	      "$KT_CFS/loopback" || return 1
	rmdir "$DEV0" "$DEV1" "${DEV0%/*}" "${DEV1%/*}" || return 1
}

loop_unload() {
	rmmod ktarget_loop ktarget_rd ktarget_core
}

# Nothing of ours is left in the kernel.
loop_all_gone() {
	! grep -q '^ktarget_' /proc/modules &&
		[ ! -e /sys/devices/ktarget_loop ] &&
		! grep -qs '^ktarget_loop$' /sys/class/scsi_host/host*/proc_name
}

# ------------------------------------------------------- one careful pass

first_pass() {
	kt_check setup loop_setup || kt_abort setup "cannot build the target"

	kt_check version grep -q '^ktarget loopback v' "$KT_CFS/loopback/version"
	kt_check address-format grep -Eq '^[0-9]+:0:1$' "$TPG/address"
	kt_check transport-status-online grep -qx online "$TPG/transport_status"
	kt_check prot-type-0 grep -qx 0 "$TPG/attrib/fabric_prot_type"
	kt_check_fails prot-type-1-refused kt_write 1 "$TPG/attrib/fabric_prot_type"
	kt_check prot-type-0-accepted kt_write 0 "$TPG/attrib/fabric_prot_type"
	kt_check_fails bad-wwn-refused mkdir "$KT_CFS/loopback/foo.1234"
	kt_check nexus-empty test -z "$(cat "$TPG/nexus")"
	kt_check_fails nexus-null-without-nexus kt_write NULL "$TPG/nexus"

	kt_check link-lun0 loop_link 0 "$DEV0"
	kt_check link-lun1 loop_link 1 "$DEV1"
	kt_check no-disk-without-nexus loop_no_sdev 0

	kt_check_fails nexus-wrong-prefix kt_write "iqn.2003-01.org.example:x" "$TPG/nexus"
	local ini
	ini=$(loop_naa)
	kt_check nexus-create kt_write "$ini" "$TPG/nexus"
	kt_check nexus-show grep -qx "$ini" "$TPG/nexus"
	kt_check_fails nexus-second-refused kt_write "$(loop_naa)" "$TPG/nexus"

	kt_check lun0-disk loop_disk_ok 0 16777216
	kt_check lun1-disk loop_disk_ok 1 8388608
	kt_check lun0-data loop_data_ok 0

	kt_check transport-offline kt_write offline "$TPG/transport_status"
	kt_check offline-io-fails loop_offline_fails
	kt_check transport-online kt_write online "$TPG/transport_status"
	kt_check online-tur loop_tur_ok "$(kt_wait_disk 0 1)"

	kt_check_fails rmmod-core-refused rmmod ktarget_core
	kt_check_fails rmmod-loop-refused rmmod ktarget_loop
	kt_check_fails rmmod-rd-refused rmmod ktarget_rd
	kt_check_fails nexus-drop-refused-with-luns kt_write NULL "$TPG/nexus"

	kt_check unlink-lun1 loop_unlink 1
	kt_check lun1-disk-gone loop_no_sdev 1
	kt_check lun0-still-there loop_has_sdev 0
	kt_check unlink-lun0 loop_unlink 0
	kt_check lun0-disk-gone loop_no_sdev 0

	kt_check nexus-drop kt_write NULL "$TPG/nexus"
	kt_check nexus-empty-again test -z "$(cat "$TPG/nexus")"

	# a LUN linked before the nexus is added when the nexus comes
	kt_check relink-lun0 loop_link 0 "$DEV0"
	kt_check nexus-again kt_write "$ini" "$TPG/nexus"
	kt_check lun0-disk-after-nexus loop_disk_ok 0 16777216
	kt_check unlink-lun0-again loop_unlink 0
	kt_check nexus-drop-again kt_write NULL "$TPG/nexus"

	kt_check rmdir-all loop_rmdir_all
	kt_check rmmod-all loop_unload
	kt_check all-gone loop_all_gone
}

# ------------------------------------------------------ repeated cycles

# One build-up and tear-down.  Odd cycles leave the nexus in place and let
# the TPG removal drop it.
one_cycle() {
	local n=$1

	loop_setup || return 1
	loop_link 0 "$DEV0" && loop_link 1 "$DEV1" || return 1
	kt_write "$(loop_naa)" "$TPG/nexus" || return 1
	kt_wait_disk 1 30 >/dev/null && loop_tur_ok "$(kt_wait_disk 0 30)" ||
		return 1
	loop_unlink 0 && loop_unlink 1 || return 1
	if loop_has_sdev 0 || loop_has_sdev 1; then
		kt_err "disks remain after unlink"
		return 1
	fi
	if [ $((n % 2)) -eq 0 ]; then
		kt_write NULL "$TPG/nexus" || return 1
	fi
	loop_rmdir_all || return 1
	loop_unload || return 1
	loop_all_gone || { kt_err "something of ktarget is left"; return 1; }
}

cycles() {
	local i

	for i in $(seq 1 "$CYCLES"); do
		one_cycle "$i" || { kt_err "cycle $i failed"; return 1; }
	done
}

first_pass
kt_check "load-unload-${CYCLES}x" cycles
loop_all_gone || kt_teardown >/dev/null 2>&1
guest_summary
