#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SPC/SBC behaviour seen through sg3_utils on the loopback fabric: INQUIRY
# and VPD pages, READ CAPACITY, MODE SENSE/SELECT, REPORT LUNS, VERIFY and
# WRITE AND VERIFY with data compare, the sense data of rejected commands
# (opcode, field pointer, LBA range, write protection), unit attentions.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

W=/tmp/scsi
mkdir -p $W

# expect_out NAME REGEX CMD...: CMD succeeds and prints REGEX.
expect_out() {
	local name=$1 re=$2 out

	shift 2
	if ! out=$("$@" 2>&1); then
		fail "$name" "failed: $(echo "$out" | tail -n2 | tr '\n' ' ')"
	elif ! echo "$out" | grep -Eq "$re"; then
		fail "$name" "no '$re' in: $(echo "$out" | tr '\n' ' ' | cut -c1-200)"
	else
		pass "$name"
	fi
}

kt_check load kt_load ktarget_rd ktarget_loop || guest_summary
dev=$(kt_mk_rd rd0 64) || kt_abort rd-create "cannot make rd_mcp device"
kt_check export kt_loop_export "$dev" 0 || guest_summary
disk=$(kt_wait_disk 0) || kt_abort disk "no disk for LUN 0"
sg=$(kt_sg_of "$disk") || kt_abort sg "no sg node"
serial=$(sed 's/.*: //' "$dev/wwn/vpd_unit_serial")

# INQUIRY and VPD
expect_out inquiry-vendor 'Vendor identification: LIO-ORG' sg_inq "$sg"
expect_out inquiry-product 'Product identification: RAMDISK-MCP' sg_inq "$sg"
expect_out inquiry-spc4 'version=0x06' sg_inq "$sg"
for p in 0x00 0x80 0x83 0x86 0xb0 0xb1 0xb2; do
	kt_check "vpd-$p" sg_vpd -p "$p" "$sg"
done
expect_out vpd-80-serial "$serial" sg_vpd -p sn "$sg"
expect_out vpd-83-naa 'designator type: NAA' sg_vpd -p di "$sg"
expect_out vpd-83-name 'SCSI name string' sg_vpd -p di "$sg"
expect_out vpd-b0-max-transfer 'Maximum transfer length: [1-9]' sg_vpd -p bl "$sg"
kt_expect_sense vpd-unknown-page 5 'Invalid field in cdb' sg_raw -r 255 "$sg" 12 01 c7 00 ff 00
kt_expect_sense inquiry-page-without-evpd 5 'byte 2' sg_raw -r 64 "$sg" 12 00 01 00 40 00

# capacity, TUR, LUNs
expect_out readcap10 'Last LBA=131071' sg_readcap "$sg"
expect_out readcap16 'Logical block length=512' sg_readcap -l "$sg"
kt_check tur sg_turs "$sg"
expect_out report-luns '0000000000000000' sg_luns "$sg"
expect_out report-luns-wlun 'c101000000000000' sg_luns -s 1 "$sg"
expect_out report-luns-all 'c101000000000000' sg_luns -s 2 "$sg"
kt_check sync-cache sg_sync "$sg"
kt_check sync-cache16 sg_sync --16 --lba=8 --count=8 "$sg"
kt_check start-unit sg_start --start "$sg"
kt_check prevent-allow sg_prevent --allow "$sg"

# rejected commands and their sense data
kt_expect_sense invalid-opcode 9 'Invalid command operation code' sg_raw "$sg" ff 00 00 00 00 00
kt_expect_sense read10-beyond-capacity 22 'Logical block address out of range' \
	sg_raw -r 512 "$sg" 28 00 00 02 00 00 00 00 01 00
kt_expect_sense read16-huge-lba 22 'Logical block address out of range' \
	sg_raw -r 512 "$sg" 88 00 ff ff ff ff ff ff ff ff 00 00 00 01 00 00
kt_expect_sense write10-wrprotect 5 'Invalid field in cdb' \
	sg_raw -s 512 -i /dev/zero "$sg" 2a 20 00 00 00 00 00 00 01 00
kt_expect_sense mode-sense-saved 5 'Saving parameters not supported' \
	sg_raw -r 255 "$sg" 1a 00 c8 00 ff 00
kt_expect_sense mode-select-no-pf 5 'Invalid field in cdb' \
	sg_raw -s 4 -i /dev/zero "$sg" 15 00 00 00 04 00
kt_expect_sense read-capacity16-lba-without-pmi 5 'Invalid field in cdb' \
	sg_raw -r 32 "$sg" 9e 10 00 00 00 00 00 00 00 01 00 00 00 20 00 00
# NACA 1 is supported (NormACA 1): a command that ends GOOD makes no ACA
# condition (tests/iscsi/tmf.py aca-* exercise one: Linux never sends NACA)
kt_check naca-good sg_raw "$sg" 00 00 00 00 00 04
kt_check after-naca-good sg_raw "$sg" 00 00 00 00 00 00

# MODE SENSE / MODE SELECT
kt_check mode-sense-all sg_modes -a "$sg"
expect_out mode-sense-changeable 'Caching' sg_modes -c 1 "$sg"
# control page with D_SENSE set, then an error must come back as
# descriptor format sense; then clear it again (QAM 1: byte 3 is 10h)
printf '\x00\x00\x00\x00\x0a\x0a\x06\x10\x00\x40\x00\x00\xff\xff\x00\x00' >$W/ctl-dsense
printf '\x00\x00\x00\x00\x0a\x0a\x02\x10\x00\x40\x00\x00\xff\xff\x00\x00' >$W/ctl-fixed
kt_check mode-select-dsense sg_raw -s 16 -i $W/ctl-dsense "$sg" 15 10 00 00 10 00
kt_expect_sense dsense-descriptor-format 9 'Descriptor format' sg_raw "$sg" ff 00 00 00 00 00
kt_check mode-select-fixed sg_raw -s 16 -i $W/ctl-fixed "$sg" 15 10 00 00 10 00
kt_expect_sense dsense-fixed-format 9 'Fixed format' sg_raw "$sg" ff 00 00 00 00 00
# a non-changeable field (GLTSD) must be refused with a parameter pointer
printf '\x00\x00\x00\x00\x0a\x0a\x00\x10\x00\x40\x00\x00\xff\xff\x00\x00' >$W/ctl-bad
kt_expect_sense mode-select-unchangeable 5 'Invalid field in parameter list' \
	sg_raw -s 16 -i $W/ctl-bad "$sg" 15 10 00 00 10 00
# caching page: turn WCE on through MODE SELECT
printf '\x00\x00\x00\x00\x08\x12\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20\x00\x00\x00\x00\x00\x00\x00' >$W/cache-wce
kt_check mode-select-wce sg_raw -s 24 -i $W/cache-wce "$sg" 15 10 00 00 18 00
kt_check wce-attrib grep -qx 1 "$dev/attrib/emulate_write_cache"
expect_out wce-mode-sense '08 12 04' sg_modes -p 8 "$sg"

# data, VERIFY and WRITE AND VERIFY with byte compare
head -c 4096 /dev/urandom >$W/pat
kt_check write-pattern dd if=$W/pat of="$disk" bs=4096 seek=10 oflag=direct status=none
kt_check verify-medium sg_verify --lba=80 --count=8 "$sg"
kt_check verify-bytchk-match sg_verify --lba=80 --count=8 --ndo=4096 --in=$W/pat "$sg"
head -c 4096 /dev/urandom >$W/other
kt_expect_sense verify-bytchk-miscompare 14 'Miscompare' \
	sg_verify --lba=80 --count=8 --ndo=4096 --in=$W/other "$sg"
kt_check write-verify sg_write_verify --lba=200 --num=8 --in=$W/other --bytchk=1 "$sg"
kt_check write-verify-readback bash -c \
	"dd if=$disk bs=4096 skip=25 count=1 iflag=direct status=none | cmp - $W/other"

# unit attentions: a new LUN changes the inventory seen on LUN 0
dev1=$(kt_mk_rd rd1 8) || kt_abort rd1-create "cannot make second device"
kt_check export-lun1 kt_loop_export "$dev1" 1
kt_wait_disk 1 >/dev/null
kt_expect_sense ua-luns-changed 6 'Reported luns data has changed' sg_turs "$sg"
kt_check ua-cleared sg_turs "$sg"
dev2=$(kt_mk_rd rd2 8) || kt_abort rd2-create "cannot make third device"
kt_check export-lun2 kt_loop_export "$dev2" 2
kt_wait_disk 2 >/dev/null
expect_out request-sense-ua 'Reported luns data has changed' sg_requests "$sg"
kt_check ua-cleared-by-request-sense sg_turs "$sg"
expect_out request-sense-desc 'Descriptor format' sg_requests --desc "$sg"

# write protection of a mapped LUN (static ACL on a second target)
wwn=$KT_CFS/loopback/naa.5001405ffff00001/tpgt_1
init=naa.5001405ffff00002
kt_check acl-create mkdir -p "$wwn/lun/lun_0" "$wwn/acls/$init/lun_0"
kt_check acl-lun-link ln -s "$dev2" "$wwn/lun/lun_0/rd2"
kt_check acl-map ln -s "$wwn/lun/lun_0" "$wwn/acls/$init/lun_0/map"
kt_check acl-write-protect kt_write 1 "$wwn/acls/$init/lun_0/write_protect"
kt_check acl-nexus kt_write "$init" "$wwn/nexus"
wp=
t=$(cat "$wwn/address" 2>/dev/null)
for i in $(seq 100); do
	for d in /sys/bus/scsi/devices/"${t%%:*}":*:*:0/scsi_generic/sg*; do
		[ -e "$d" ] && wp=/dev/${d##*/}
	done
	[ -n "$wp" ] && break
	sleep 0.1
done
if [ -n "$wp" ]; then
	sg_turs "$wp" >/dev/null 2>&1
	kt_expect_sense write-protected 7 'Write protected' \
		sg_raw -s 512 -i /dev/zero "$wp" 2a 00 00 00 00 00 00 00 01 00
	expect_out mode-sense-wp 'WP=1' sg_modes -p 8 "$wp"
	kt_check read-allowed sg_raw -r 512 "$wp" 28 00 00 00 00 00 00 00 01 00
else
	fail write-protected "no sg node for the write-protected LUN"
fi

kt_check teardown kt_teardown
guest_summary
