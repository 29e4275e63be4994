#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The iblock backstore (ktarget_iblock) through the loopback fabric, on brd
# RAM disks and on a loop device with 4096-byte sectors: control errors,
# the info format rtslib parses, the exclusive claim, the device's own
# write cache setting, ext4 with checksums and fsck, fio with crc32c
# verify, and readonly=1.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/backstore-lib.sh"

IMG=/root/ktiblock.img
LOOPDEV=

ib_control_errors() {
	local d=$KT_CFS/core/iblock_9/bad

	mkdir -p "$d" || return 1
	kt_check_fails readonly-bad-value kt_write readonly=2 "$d/control"
	kt_check_fails enable-without-udev-path kt_write 1 "$d/enable"
	kt_check missing-path kt_write udev_path=/dev/no_such_disk "$d/control"
	kt_check_fails enable-missing-device kt_write 1 "$d/enable"
	kt_check info-before-enable bs_info_has "$d" \
		"UDEV PATH: /dev/no_such_disk readonly: 0 Major: 0 Minor: 0"
	rmdir "$d" "${d%/*}"
}

# The disk the initiator sees has (or lacks) a write cache like $1.
ib_cache_type() {
	grep -q "$1" /sys/block/"${BS_SD##*/}"/device/scsi_disk/*/cache_type
}

ib_brd() {
	local dev dev2

	dev=$(kt_mk_dev iblock ib0 "udev_path=/dev/ram0,readonly=0,force=1,exclusive=1") ||
		{ fail brd-make "cannot make ib0"; return 1; }
	kt_check brd-info bs_info_has "$dev" \
		"iBlock device: ram0 UDEV PATH: /dev/ram0 readonly: 0 Major: 1 Minor: 0 CLAIMED: IBLOCK"
	kt_check brd-info-status bs_info_has "$dev" "SectorSize: 512 HwMaxSectors: [0-9]+"
	kt_check_fails brd-claimed-exclusively mkfs.ext4 -q -F /dev/ram0
	dev2=$KT_CFS/core/iblock_8/ib0b
	mkdir -p "$dev2" && kt_write udev_path=/dev/ram0 "$dev2/control"
	kt_check_fails brd-second-claim-refused kt_write 1 "$dev2/enable"
	rmdir "$dev2" "${dev2%/*}"
	kt_check_fails brd-write-cache-attr-fixed kt_write 1 "$dev/attrib/emulate_write_cache"
	# rtslib's restore writes back the 0 it saved
	kt_check brd-write-cache-attr-zero kt_write 0 "$dev/attrib/emulate_write_cache"
	kt_check brd-export bs_export "$dev" 0 || return 1
	kt_check brd-no-write-cache ib_cache_type 'write through'
	kt_check brd-sync-cache bs_sync_cache "$BS_SD"
	bs_sg3 iblock "$BS_SD"
	kt_check brd-pattern-direct-io bs_pattern "$BS_SD" 4
	bs_fio brd "$BS_SD" 16m
	bs_fs brd "$BS_SD"
	kt_check brd-unexport bs_unexport 0
}

ib_readonly() {
	local dev

	dd if=/dev/urandom of=/tmp/ib.pat bs=1M count=1 status=none
	dd if=/tmp/ib.pat of=/dev/ram1 bs=1M oflag=direct status=none
	dev=$(kt_mk_dev iblock ro "udev_path=/dev/ram1,readonly=1") ||
		{ fail ro-make "cannot make ro"; return 1; }
	kt_check ro-info bs_info_has "$dev" "UDEV PATH: /dev/ram1 readonly: 1 Major: 1 Minor: 1"
	kt_check ro-export bs_export "$dev" 1 || return 1
	kt_check ro-read cmp /tmp/ib.pat <(dd if="$BS_SD" bs=1M count=1 iflag=direct status=none)
	kt_check_fails ro-write-refused dd if=/tmp/ib.pat of="$BS_SD" bs=1M oflag=direct status=none
	kt_check ro-data-unchanged cmp /tmp/ib.pat <(dd if=/dev/ram1 bs=1M count=1 iflag=direct status=none)
	kt_check ro-unexport bs_unexport 1
}

ib_loop4k() {
	local dev

	modprobe loop 2>/dev/null
	truncate -s 64M "$IMG" || return 1
	LOOPDEV=$(losetup -f --show -b 4096 "$IMG") ||
		{ fail loop4k-losetup "no loop device"; return 1; }
	dev=$(kt_mk_iblock lp "$LOOPDEV") || { fail loop4k-make "cannot make lp"; return 1; }
	kt_check loop4k-info-status bs_info_has "$dev" "SectorSize: 4096"
	kt_check loop4k-export bs_export "$dev" 2 || return 1
	kt_check loop4k-block-size grep -qx 4096 /sys/block/"${BS_SD##*/}"/queue/logical_block_size
	kt_check loop4k-write-cache-as-backing ib_cache_type \
		"$(cat /sys/block/"${LOOPDEV##*/}"/queue/write_cache)"
	kt_check loop4k-sync-cache bs_sync_cache "$BS_SD"
	bs_fio loop4k "$BS_SD" 16m
	bs_fs loop4k "$BS_SD"
	kt_check loop4k-unexport bs_unexport 2
}

kt_check brd modprobe brd rd_nr=2 rd_size=65536 || kt_abort brd "no brd"
kt_check load kt_load ktarget_iblock ktarget_loop || kt_abort load "cannot load modules"
ib_control_errors
ib_brd
ib_readonly
ib_loop4k
kt_check teardown kt_teardown
[ -n "$LOOPDEV" ] && losetup -d "$LOOPDEV"
rmmod brd 2>/dev/null
guest_summary
