#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rd_mcp backstore (ktarget_rd) through the loopback fabric: control
# errors, the info format rtslib parses, a fresh RAM disk reads zeros,
# ext4 with checksums and fsck, fio with crc32c verify, and rd_nullio
# (reads give zeros, writes are dropped).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/backstore-lib.sh"

PAGE=$(getconf PAGESIZE)

rd_control_errors() {
	local d=$KT_CFS/core/rd_mcp_9/bad

	mkdir -p "$d" || return 1
	kt_check_fails rd-pages-not-a-number kt_write rd_pages=abc "$d/control"
	kt_check_fails rd-pages-zero kt_write rd_pages=0 "$d/control"
	kt_check_fails rd-nullio-bad-value kt_write rd_nullio=7 "$d/control"
	kt_check_fails enable-without-rd-pages kt_write 1 "$d/enable"
	kt_check unknown-key-ignored kt_write rd_pages=16,no_such_key=1 "$d/control"
	kt_check rd-dummy-accepted kt_write rd_dummy=1 "$d/control"
	kt_check info-before-enable bs_info_has "$d" \
		"PAGES/PAGE_SIZE: 16\*$PAGE SG_table_count: 0 nullio: 0 dummy: 1"
	kt_check rd-pages-beyond-ram kt_write rd_pages=4000000000 "$d/control"
	kt_check_fails enable-beyond-ram-refused kt_write 1 "$d/enable"
	kt_check rd-pages-small kt_write rd_pages=16 "$d/control"
	kt_check enable-after-failure kt_write 1 "$d/enable"
	kt_check_fails control-after-enable-refused kt_write rd_pages=32 "$d/control"
	rmdir "$d" "${d%/*}"
}

rd_main() {
	local dev

	dev=$(kt_mk_rd rd0 64) || { fail rd-make "cannot make rd0"; return 1; }
	kt_check info-format bs_info_has "$dev" \
		"TCM RamDisk ID: [0-9]+ RamDisk Makeup: rd_mcp PAGES/PAGE_SIZE: $((64 * 1048576 / PAGE))\*$PAGE SG_table_count: [1-9][0-9]* nullio: 0 dummy: 0"
	kt_check info-status-line bs_info_has "$dev" \
		"Status: DEACTIVATED Max Queue Depth: 128 SectorSize: 512 HwMaxSectors: 1024"
	kt_check export bs_export "$dev" 0 || return 1
	kt_check info-activated bs_info_has "$dev" "Status: ACTIVATED"
	kt_check fresh-disk-reads-zeros bs_zeros "$BS_SD" 64
	kt_check pattern-direct-io bs_pattern "$BS_SD" 4
	kt_check sync-cache bs_sync_cache "$BS_SD"
	bs_sg3 rd "$BS_SD"
	bs_fio rd "$BS_SD" 16m
	bs_fs rd "$BS_SD"
	kt_check unexport bs_unexport 0
}

rd_nullio() {
	local dev

	dev=$(kt_mk_dev rd_mcp nul "rd_pages=4096,rd_nullio=1") ||
		{ fail nullio-make "cannot make a nullio device"; return 1; }
	kt_check nullio-info bs_info_has "$dev" "SG_table_count: 0 nullio: 1 dummy: 0"
	kt_check nullio-export bs_export "$dev" 1 || return 1
	kt_check nullio-reads-zeros bs_zeros "$BS_SD" 16
	kt_check nullio-write dd if=/dev/urandom of="$BS_SD" bs=64k count=256 \
		oflag=direct status=none
	kt_check nullio-reads-zeros-after-write bs_zeros "$BS_SD" 16
	kt_check nullio-unexport bs_unexport 1
}

kt_check load kt_load ktarget_rd ktarget_loop || kt_abort load "cannot load modules"
rd_control_errors
rd_main
rd_nullio
kt_check teardown kt_teardown
guest_summary
