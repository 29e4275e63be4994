# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Workloads shared by the backstore scripts (20-rd.sh, 21-file.sh,
# 22-iblock.sh), run on the /dev/sdX a loopback LUN shows.  Each prints
# PASS:/FAIL: lines through lib.sh.  Source it after lib.sh.

BS_MNT=/mnt/ktbs

BS_SD=		# set by bs_export, read by the scripts

# bs_export DEVPATH LUN: export a core device as lun_<LUN> of the loopback
# target; sets BS_SD to the /dev/sdX it shows as.
# shellcheck disable=SC2034
bs_export() {
	BS_SD=
	kt_loop_export "$1" "$2" || return 1
	BS_SD=$(kt_wait_disk "$2" 60)
}

# bs_unexport LUN: remove lun_<LUN> of the loopback target.
bs_unexport() {
	kt_loop_find || return 1
	find "$KT_LOOP_TPG/lun/lun_$1" -maxdepth 1 -type l -delete &&
		rmdir "$KT_LOOP_TPG/lun/lun_$1"
}

# bs_info_has DEVPATH ERE: the device's info file matches ERE (after
# collapsing white space, as rtslib does).
bs_info_has() {
	local info

	info=$(tr -s ' \n' '  ' <"$1/info") || return 1
	[[ $info =~ $2 ]] || { kt_err "info '$info' does not match '$2'"; return 1; }
}

# bs_zeros SD MB: the first MB MiB of SD read as zeros (O_DIRECT).
bs_zeros() {
	cmp -n $(($2 * 1048576)) <(dd if="$1" bs=1M count="$2" iflag=direct status=none) /dev/zero
}

# bs_pattern SD MB: write MB MiB of random data with O_DIRECT and read it
# back the same way.
bs_pattern() {
	local n=$(($2 * 1048576))

	head -c "$n" /dev/urandom >/tmp/bs.pat &&
		dd if=/tmp/bs.pat of="$1" bs=256k oflag=direct status=none &&
		cmp -n "$n" /tmp/bs.pat <(dd if="$1" bs=256k count=$(($2 * 4)) iflag=direct status=none)
}

bs_mkfs() {
	mkfs.ext4 -q -F "$1" && mkdir -p "$BS_MNT" && mount "$1" "$BS_MNT"
}

# Write a few files of different sizes and record their checksums.
bs_write_files() {
	local i

	for i in 1 2 3 4 5 6; do
		head -c $((i * i * 97 * 1024 + i)) /dev/urandom >"$BS_MNT/f$i" || return 1
	done
	mkdir -p "$BS_MNT/d" && cp "$BS_MNT"/f* "$BS_MNT/d/" &&
		(cd "$BS_MNT" && sha256sum f* d/*) >/tmp/bs.sums && sync
}

# Checksums match once the page cache no longer holds the files.
bs_verify_files() {
	echo 3 >/proc/sys/vm/drop_caches &&
		(cd "$BS_MNT" && sha256sum --quiet -c /tmp/bs.sums)
}

# Unmount, mount again (nothing cached) and check again.
bs_remount_verify() {
	umount "$BS_MNT" && mount "$1" "$BS_MNT" && bs_verify_files
}

bs_fsck() {
	umount "$BS_MNT" && fsck.ext4 -fn "$1"
}

# bs_fs PREFIX SD: ext4 made, filled, checked and fsck'd.
bs_fs() {
	local p=$1 sd=$2

	kt_check "$p-mkfs-mount" bs_mkfs "$sd" || return 1
	kt_check "$p-write-files" bs_write_files
	kt_check "$p-sha256-after-drop-caches" bs_verify_files
	kt_check "$p-sha256-after-remount" bs_remount_verify "$sd"
	kt_check "$p-fsck-clean" bs_fsck "$sd"
	mountpoint -q "$BS_MNT" && umount "$BS_MNT"
	return 0
}

# bs_fio_run SD SIZE: random writes of mixed sizes at queue depth 16, then
# large sequential writes, each verified with crc32c.
bs_fio_run() {
	fio --output=/tmp/bs.fio --filename="$1" --direct=1 --ioengine=libaio \
	    --size="$2" --verify=crc32c --verify_fatal=1 --randrepeat=0 \
	    --name=rand --rw=randwrite --bsrange=4k-128k --iodepth=16 \
	    --name=seq --stonewall --rw=write --bs=1m --iodepth=4 ||
		{ tail -n 5 /tmp/bs.fio; return 1; }
	! grep -q 'verify:.*bad' /tmp/bs.fio
}

# bs_fio PREFIX SD [SIZE]
bs_fio() {
	kt_check "$1-fio-verify-crc32c" bs_fio_run "$2" "${3:-8m}"
}

# bs_sync_cache SD: SYNCHRONIZE CACHE succeeds.
bs_sync_cache() {
	sg_sync "$1"
}

# bs_sg3 LABEL SD: the sg3_utils view of the LUN: INQUIRY and VPD pages,
# capacity, mode pages, LUN list, TUR, VERIFY and SYNCHRONIZE CACHE.
bs_sg3() {
	local l=$1 sd=$2 p

	kt_check "$l-sg-inq" bash -c "sg_inq $sd | grep -q 'Vendor identification: LIO-ORG'"
	for p in 0x00 0x80 0x83 0x86 0xb0 0xb1 0xb2; do
		kt_check "$l-sg-vpd-$p" sg_vpd -p "$p" "$sd"
	done
	kt_check "$l-sg-readcap" sg_readcap -l "$sd"
	kt_check "$l-sg-modes" sg_modes -a "$sd"
	kt_check "$l-sg-luns" sg_luns "$sd"
	kt_check "$l-sg-turs" sg_turs "$sd"
	kt_check "$l-sg-verify" sg_verify --lba=0 --count=64 "$sd"
	kt_check "$l-sg-sync" sg_sync "$sd"
}
