#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fileio backstore (ktarget_file) through the loopback fabric: control
# errors; a file made by `enable` (sparse, so reads past its end must give
# zeros) in O_DSYNC mode, in write-back mode as targetcli sets it up, with
# fd_async_io, and a block device used through fileio.  Each gets the info
# format rtslib parses and fio with crc32c verify; the first two also ext4
# with checksums and fsck.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/backstore-lib.sh"

DIR=/root/ktfile
MB=$((1024 * 1024))

file_control_errors() {
	local d=$KT_CFS/core/fileio_9/bad

	mkdir -p "$d" || return 1
	kt_check_fails fd-dev-size-not-a-number kt_write fd_dev_size=abc "$d/control"
	kt_check_fails fd-buffered-io-bad-value kt_write fd_buffered_io=5 "$d/control"
	kt_check_fails enable-without-name kt_write 1 "$d/enable"
	kt_check name-without-size kt_write "fd_dev_name=$DIR/nosize.img" "$d/control"
	kt_check_fails enable-missing-file-without-size kt_write 1 "$d/enable"
	kt_check name-dir kt_write "fd_dev_name=$DIR,fd_dev_size=$MB" "$d/control"
	kt_check_fails enable-on-directory kt_write 1 "$d/enable"
	rmdir "$d" "${d%/*}"
}

file_wce_shown() {
	grep -q 'write back' /sys/block/"${BS_SD##*/}"/device/scsi_disk/*/cache_type
}

# file_dsync: made by enable, sparse, O_DSYNC.
file_dsync() {
	local dev img=$DIR/dsync.img

	dev=$(kt_mk_dev fileio f0 "fd_dev_name=$img,fd_dev_size=$((64 * MB))") ||
		{ fail dsync-make "cannot make f0"; return 1; }
	kt_check dsync-file-created test -f "$img"
	kt_check dsync-info bs_info_has "$dev" \
		"TCM FILEIO ID: [0-9]+ File: $img Size: $((64 * MB)) Mode: O_DSYNC Async: 0"
	kt_check dsync-info-status bs_info_has "$dev" "SectorSize: 512 HwMaxSectors: 16384"
	kt_check dsync-export bs_export "$dev" 0 || return 1
	kt_check_fails dsync-no-write-cache file_wce_shown
	kt_check dsync-sparse-reads-zeros bs_zeros "$BS_SD" 64
	kt_check dsync-sync-cache bs_sync_cache "$BS_SD"
	bs_sg3 file "$BS_SD"
	bs_fio dsync "$BS_SD" 16m
	bs_fs dsync "$BS_SD"
	kt_check dsync-unexport bs_unexport 0
}

# file_writeback: as targetcli does for write_back=true.
file_writeback() {
	local dev=$KT_CFS/core/fileio_1/f1 img=$DIR/wb.img

	kt_check wb-make mkdir -p "$dev" || return 1
	kt_check wb-control kt_write "fd_dev_name=$img,fd_dev_size=$((64 * MB))" "$dev/control"
	kt_check wb-emulate-write-cache kt_write 1 "$dev/attrib/emulate_write_cache"
	kt_check wb-buffered kt_write fd_buffered_io=1 "$dev/control"
	kt_check wb-enable kt_write 1 "$dev/enable"
	kt_check wb-info bs_info_has "$dev" "Mode: Buffered-WCE Async: 0"
	kt_check wb-export bs_export "$dev" 1 || return 1
	kt_check wb-write-cache-shown file_wce_shown
	kt_check wb-sync-cache bs_sync_cache "$BS_SD"
	bs_fio wb "$BS_SD" 16m
	bs_fs wb "$BS_SD"
	kt_check wb-unexport bs_unexport 1
}

file_async() {
	local dev img=$DIR/aio.img

	dev=$(kt_mk_dev fileio f2 "fd_dev_name=$img,fd_dev_size=$((32 * MB)),fd_async_io=1") ||
		{ fail aio-make "cannot make f2"; return 1; }
	kt_check aio-info bs_info_has "$dev" "Mode: O_DSYNC Async: 1"
	kt_check aio-export bs_export "$dev" 2 || return 1
	kt_check aio-sync-cache bs_sync_cache "$BS_SD"
	bs_fio aio "$BS_SD" 16m
	kt_check aio-unexport bs_unexport 2
}

file_bdev() {
	local dev

	kt_check bdev-brd modprobe brd rd_nr=1 rd_size=32768 || return 1
	dev=$(kt_mk_dev fileio f3 "fd_dev_name=/dev/ram0") ||
		{ fail bdev-make "cannot make f3"; return 1; }
	kt_check bdev-info bs_info_has "$dev" "File: /dev/ram0 Size: $((32 * MB)) Mode: O_DSYNC"
	kt_check bdev-export bs_export "$dev" 3 || return 1
	bs_fio bdev "$BS_SD" 16m
	kt_check bdev-unexport bs_unexport 3
}

mkdir -p "$DIR"
kt_check load kt_load ktarget_file ktarget_loop || kt_abort load "cannot load modules"
file_control_errors
file_dsync
file_writeback
file_async
file_bdev
kt_check teardown kt_teardown
rmmod brd 2>/dev/null
guest_summary
