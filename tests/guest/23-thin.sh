#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Thin provisioning through the loopback fabric: UNMAP and WRITE SAME
# (10)/(16) with and without UNMAP and NDOB on a RAM disk (freed blocks
# read as zeroes, a refused list unmaps nothing, every bad list, CDB and
# limit gets its sense), what Linux makes of VPD B0/B2 and READ
# CAPACITY(16), fstrim on ext4 over a fileio LUN freeing the backing
# file's blocks, and iblock on a loop device passing discards down (and
# refusing emulate_tpu on a queue without discard).
# kt-timeout: 900
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/backstore-lib.sh"

DIR=/root/ktthin
MB=$((1024 * 1024))
LOOPS=()
UL=		# the list ulist builds

# alloc_kb FILE: KiB of storage FILE has allocated
alloc_kb() {
	echo $(($(stat -c '%b * %B' "$1") / 1024))
}

# be N BYTES: append N, big endian, to UL as printf escapes (no fork:
# every program started costs ~0.1 s in the guest)
be() {
	local i b

	for ((i = $2 - 1; i >= 0; i--)); do
		printf -v b '\\x%02x' $((($1 >> (8 * i)) & 255))
		UL+=$b
	done
}

# ulist DATA_LEN DESC_LEN [LBA NUM]...: an UNMAP parameter list on stdout
ulist() {
	UL=
	be "$1" 2
	be "$2" 2
	be 0 4
	shift 2
	while [ $# -ge 2 ]; do
		be "$1" 8
		be "$2" 4
		be 0 4
		shift 2
	done
	# shellcheck disable=SC2059
	printf "$UL"
}

# ulist_ok [LBA NUM]...: a list whose header lengths are right
ulist_ok() {
	local n=$(($# / 2))

	ulist $((6 + 16 * n)) $((16 * n)) "$@"
}

# unmap_raw SG FILE [BYTE1]: UNMAP with FILE as its whole parameter list
unmap_raw() {
	local len

	len=$(stat -c %s "$2")
	sg_raw -s "$len" -i "$2" "$1" 42 "${3:-00}" 00 00 00 00 00 \
		"$(printf '%02x' $((len >> 8)))" "$(printf '%02x' $((len & 255)))" 00
}

# blocks SD LBA N: N 512-byte blocks from LBA, read past the page cache
blocks() {
	dd if="$1" bs=512 skip="$2" count="$3" iflag=direct status=none
}

# zeros SD LBA N: those blocks read as zeroes
zeros() {
	cmp -n $(($3 * 512)) <(blocks "$@") /dev/zero
}

# same SD LBA N FILE: those blocks are FILE's first N blocks
same() {
	cmp -n $(($3 * 512)) <(blocks "$1" "$2" "$3") "$4"
}

# put SD LBA FILE: write FILE at LBA (O_DIRECT)
put() {
	dd if="$3" of="$1" bs=512 seek="$2" oflag=direct conv=notrunc status=none
}

# ff N: N blocks of 0xff
ff() {
	head -c $(($1 * 512)) /dev/zero | tr '\0' '\377'
}

thin_attr_defaults() {
	local dev=$1

	kt_check rd-max-unmap-lba-default grep -qx 8192 "$dev/attrib/max_unmap_lba_count"
	kt_check rd-max-unmap-desc-default grep -qx 1 "$dev/attrib/max_unmap_block_desc_count"
	kt_check rd-max-write-same-default grep -qx 4096 "$dev/attrib/max_write_same_len"
	kt_check rd-unmap-zeroes-default grep -qx 1 "$dev/attrib/unmap_zeroes_data"
	kt_check_fails rd-alignment-31-bits kt_write $((1 << 31)) "$dev/attrib/unmap_granularity_alignment"
	kt_check rd-tpu kt_write 1 "$dev/attrib/emulate_tpu"
	kt_check rd-tpws kt_write 1 "$dev/attrib/emulate_tpws"
	kt_check rd-desc-2 kt_write 2 "$dev/attrib/max_unmap_block_desc_count"
}

# What Linux and sg3_utils see of the RAM disk's provisioning
thin_rd_pages() {
	local sg=$1 q=/sys/block/${BS_SD##*/}/queue

	kt_check rd-vpd-lbpu bash -c "sg_vpd -p lbpv $sg | grep -q 'LBPU): 1'"
	kt_check rd-vpd-lbpws bash -c "sg_vpd -p lbpv $sg | grep -q 'LBPWS): 1'"
	kt_check rd-vpd-lbpws10 bash -c "sg_vpd -p lbpv $sg | grep -q 'LBPWS10): 1'"
	kt_check rd-vpd-lbprz bash -c "sg_vpd -p lbpv $sg | grep -q 'LBPRZ): 1'"
	kt_check rd-vpd-thin bash -c "sg_vpd -p lbpv $sg | grep -q 'Provisioning type: 2'"
	kt_check rd-vpd-b0-lbas bash -c "sg_vpd -p bl $sg | grep -Eq 'Maximum unmap LBA count: (8192|0x2000)'"
	kt_check rd-vpd-b0-desc bash -c "sg_vpd -p bl $sg | grep -q 'Maximum unmap block descriptor count: 2'"
	kt_check rd-vpd-b0-ws bash -c "sg_vpd -p bl $sg | grep -Eq 'Maximum write same length: (0x1000|4096)'"
	kt_check rd-vpd-b0-wsnz bash -c "sg_vpd -p bl $sg | grep -q 'WSNZ): 1'"
	kt_check rd-vpd-00-b2 bash -c "sg_vpd -p sv $sg | grep -qi 'provisioning'"
	kt_check rd-readcap16-lbpme bash -c "sg_readcap -l $sg | grep -q 'lbpme=1, lbprz=1'"
	kt_check rd-linux-discard test "$(cat "$q/discard_max_bytes")" -gt 0
}

thin_rd_unmap() {
	local sg=$1 sd=$BS_SD

	head -c $((2 * MB)) /dev/urandom >/tmp/thin.pat
	kt_check rd-put put "$sd" 0 /tmp/thin.pat
	kt_check rd-sg-unmap sg_unmap --lba=0 --num=1024 "$sg"
	kt_check rd-unmapped-zeros zeros "$sd" 0 1024
	kt_check rd-after-unmap-kept same "$sd" 1024 1024 <(tail -c +$((512 * 1024 + 1)) /tmp/thin.pat)
	# two descriptors, one of them a single block inside a page
	kt_check rd-put2 put "$sd" 0 /tmp/thin.pat
	kt_check rd-sg-unmap-two sg_unmap --lba=1,100 --num=1,9 "$sg"
	kt_check rd-two-zeros-1 zeros "$sd" 1 1
	kt_check rd-two-zeros-2 zeros "$sd" 100 9
	kt_check rd-two-kept-0 same "$sd" 0 1 /tmp/thin.pat
	kt_check rd-two-kept-2 same "$sd" 2 98 <(tail -c +$((2 * 512 + 1)) /tmp/thin.pat)
	# a freed page is written again
	kt_check rd-rewrite put "$sd" 0 /tmp/thin.pat
	kt_check rd-rewrite-read same "$sd" 0 2048 /tmp/thin.pat
}

thin_rd_write_same() {
	local sg=$1 sd=$BS_SD

	ff 4096 >/tmp/thin.ff
	head -c 512 /dev/urandom >/tmp/thin.blk
	kt_check rd-ws10-ff sg_write_same --10 --ff --lba=2048 --num=100 "$sg"
	kt_check rd-ws10-ff-read same "$sd" 2048 100 /tmp/thin.ff
	kt_check rd-ws10-ff-edge same "$sd" 2148 1 <(tail -c +$((2148 * 512 + 1)) /tmp/thin.pat)
	cp /tmp/thin.blk /tmp/thin.rep
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do	# 4096 copies
		cat /tmp/thin.rep /tmp/thin.rep >/tmp/thin.rep2 &&
			mv /tmp/thin.rep2 /tmp/thin.rep
	done
	kt_check rd-ws16-block sg_write_same --16 --in=/tmp/thin.blk --lba=4096 --num=4096 "$sg"
	kt_check rd-ws16-block-read same "$sd" 4096 4096 /tmp/thin.rep
	kt_check rd-ws16-unmap sg_write_same --16 --unmap --lba=4096 --num=4000 "$sg"
	kt_check rd-ws16-unmap-zeros zeros "$sd" 4096 4000
	kt_check rd-ws16-unmap-edge same "$sd" 8096 96 /tmp/thin.rep
	kt_check rd-ws10-unmap sg_write_same --10 --unmap --lba=2048 --num=50 "$sg"
	kt_check rd-ws10-unmap-zeros zeros "$sd" 2048 50
	kt_check rd-ws10-unmap-edge same "$sd" 2098 50 /tmp/thin.ff
	# UNMAP with a block that is not zeroes: it must be written
	kt_check rd-ws-unmap-ff sg_write_same --16 --unmap --ff --lba=9000 --num=64 "$sg"
	kt_check rd-ws-unmap-ff-read same "$sd" 9000 64 /tmp/thin.ff
	kt_check rd-ws-ndob sg_write_same --16 --ndob --lba=9000 --num=32 "$sg"
	kt_check rd-ws-ndob-zeros zeros "$sd" 9000 32
	kt_check rd-ws-ndob-edge same "$sd" 9032 32 /tmp/thin.ff
}

thin_rd_refusals() {
	local sg=$1 sd=$BS_SD last

	last=$(($(cat "/sys/block/${sd##*/}/size") - 1))
	ulist_ok 0 8 >/tmp/u.ok
	kt_expect_sense rd-unmap-anchor 5 'Invalid field in cdb' unmap_raw "$sg" /tmp/u.ok 01
	head -c 4 /tmp/u.ok >/tmp/u.short
	kt_expect_sense rd-unmap-list-4 5 'Parameter list length error' unmap_raw "$sg" /tmp/u.short
	ulist 38 32 0 8 >/tmp/u.cut
	kt_expect_sense rd-unmap-list-cut 5 'Parameter list length error' unmap_raw "$sg" /tmp/u.cut
	ulist 4 16 0 8 >/tmp/u.dl
	kt_expect_sense rd-unmap-lengths-disagree 5 'Invalid field in parameter list' unmap_raw "$sg" /tmp/u.dl
	ulist_ok 0 1 10 1 20 1 >/tmp/u.three
	kt_expect_sense rd-unmap-too-many-desc 5 'Invalid field in parameter list' unmap_raw "$sg" /tmp/u.three
	ulist_ok 0 4096 8192 4097 >/tmp/u.lbas
	kt_expect_sense rd-unmap-too-many-lbas 5 'Invalid field in parameter list' unmap_raw "$sg" /tmp/u.lbas
	# a good first descriptor, a bad second: nothing is unmapped
	kt_check rd-refuse-put put "$sd" 0 /tmp/thin.pat
	ulist_ok 0 8 "$last" 2 >/tmp/u.range
	kt_expect_sense rd-unmap-past-end 22 'out of range' unmap_raw "$sg" /tmp/u.range
	kt_check rd-unmap-refused-unmapped-nothing same "$sd" 0 8 /tmp/thin.pat
	ulist_ok 0 8 -1 1 >/tmp/u.wrap		# LBA 2^64 - 1
	kt_expect_sense rd-unmap-lba-2-64 22 'out of range' unmap_raw "$sg" /tmp/u.wrap
	ulist_ok >/tmp/u.empty
	kt_check rd-unmap-empty-list unmap_raw "$sg" /tmp/u.empty
	ulist_ok "$last" 0 >/tmp/u.zero
	kt_check rd-unmap-zero-blocks unmap_raw "$sg" /tmp/u.zero
	kt_check rd-unmap-no-list sg_raw "$sg" 42 00 00 00 00 00 00 00 00 00

	# sg_raw prints the sense data (sg_write_same only its category)
	kt_expect_sense rd-ws-too-long 5 'Invalid field in cdb' \
		sg_raw -s 512 -i /tmp/thin.blk "$sg" 41 00 00 00 00 00 00 10 01 00
	kt_expect_sense rd-ws-zero-blocks 5 'Invalid field in cdb' \
		sg_raw -s 512 -i /tmp/thin.blk "$sg" 41 00 00 00 00 00 00 00 00 00
	kt_expect_sense rd-ws-past-end 22 'out of range' \
		sg_write_same --16 --ff --lba="$last" --num=2 "$sg"
	kt_expect_sense rd-ws-anchor 5 'Invalid field in cdb' \
		sg_raw -s 512 -i /tmp/thin.blk "$sg" 93 18 00 00 00 00 00 00 00 00 00 00 00 08 00 00
	kt_expect_sense rd-ws-pbdata 5 'Invalid field in cdb' \
		sg_raw -s 512 -i /tmp/thin.blk "$sg" 41 04 00 00 00 00 00 00 08 00
	kt_check rd-refusals-kept-data same "$sd" 0 8 /tmp/thin.pat
}

# Turning provisioning off while exported: a unit attention, then no UNMAP
thin_rd_off() {
	local dev=$1 sg=$2

	kt_check rd-tpu-off kt_write 0 "$dev/attrib/emulate_tpu"
	kt_check rd-tpws-off kt_write 0 "$dev/attrib/emulate_tpws"
	kt_expect_sense rd-tpu-off-ua 6 'nquiry data has changed' sg_turs "$sg"
	kt_expect_sense rd-unmap-off 9 'Invalid command operation code' \
		unmap_raw "$sg" /tmp/u.ok
	kt_expect_sense rd-ws-unmap-off 5 'Invalid field in cdb' \
		sg_raw -s 512 -i /tmp/thin.blk "$sg" 93 08 00 00 00 00 00 00 00 00 00 00 00 08 00 00
	kt_check rd-ws-plain-off sg_write_same --10 --ff --lba=0 --num=8 "$sg"
	kt_check rd-readcap16-no-lbpme bash -c "sg_readcap -l $sg | grep -q 'lbpme=0'"
	kt_check rd-vpd-not-thin bash -c "sg_vpd -p lbpv $sg | grep -q 'LBPU): 0'"
}

thin_rd() {
	local dev sg

	dev=$(kt_mk_rd thinrd 16) || { fail rd-make "cannot make the RAM disk"; return 1; }
	thin_attr_defaults "$dev"
	kt_check rd-export bs_export "$dev" 0 || return 1
	sg=$(kt_sg_of "$BS_SD") || { fail rd-sg "no sg node"; return 1; }
	thin_rd_pages "$sg"
	thin_rd_unmap "$sg"
	thin_rd_write_same "$sg"
	thin_rd_refusals "$sg"
	thin_rd_off "$dev" "$sg"
	kt_check rd-unexport bs_unexport 0
}

# fstrim on ext4 over a fileio LUN frees the backing file's blocks.
thin_file() {
	local dev img=$DIR/thin.img before after q

	dev=$(kt_mk_dev fileio thinf "fd_dev_name=$img,fd_dev_size=$((128 * MB))") ||
		{ fail file-make "cannot make the fileio device"; return 1; }
	kt_check file-tpu kt_write 1 "$dev/attrib/emulate_tpu"
	kt_check file-tpws kt_write 1 "$dev/attrib/emulate_tpws"
	kt_check file-export bs_export "$dev" 1 || return 1
	q=/sys/block/${BS_SD##*/}/queue
	kt_check file-linux-discard test "$(cat "$q/discard_max_bytes")" -gt 0
	kt_check file-lsblk-discard bash -c "lsblk -nbD -o DISC-MAX $BS_SD | grep -qv '^ *0$'"
	kt_check file-mkfs bs_mkfs "$BS_SD" || return 1
	kt_check file-big-file dd if=/dev/urandom of="$BS_MNT/big" bs=1M count=48 conv=fsync status=none
	sync
	before=$(alloc_kb "$img")
	kt_check file-allocated test "$before" -ge $((48 * 1024))
	kt_check file-rm rm "$BS_MNT/big"
	sync
	kt_check file-fstrim fstrim "$BS_MNT"
	after=$(alloc_kb "$img")
	echo "fileio backing file: ${before} KiB before, ${after} KiB after fstrim"
	kt_check file-fstrim-freed test $((before - after)) -ge $((40 * 1024))
	kt_check file-fsck bs_fsck "$BS_SD"
	kt_check file-unexport bs_unexport 1
}

# thin_iblock: discards reach a loop device's backing file; a queue
# without discard is refused.
thin_iblock() {
	local dev dev2 img=$DIR/loop.img img2=$DIR/loop2.img lo lo2 before after

	modprobe loop 2>/dev/null
	truncate -s $((64 * MB)) "$img" "$img2" || return 1
	lo=$(losetup -f --show "$img") || { fail ib-losetup "no loop device"; return 1; }
	LOOPS+=("$lo")
	dev=$(kt_mk_iblock thinib "$lo") || { fail ib-make "cannot make iblock"; return 1; }
	kt_check ib-max-unmap-from-queue test "$(cat "$dev/attrib/max_unmap_lba_count")" -gt 0
	kt_check ib-no-lbprz kt_write 0 "$dev/attrib/unmap_zeroes_data"
	kt_refused ib-lbprz-refused kt_write 1 "$dev/attrib/unmap_zeroes_data"
	kt_check ib-tpu kt_write 1 "$dev/attrib/emulate_tpu"
	kt_check ib-export bs_export "$dev" 2 || return 1
	kt_check ib-linux-discard test "$(cat "/sys/block/${BS_SD##*/}/queue/discard_max_bytes")" -gt 0
	kt_check ib-readcap16 bash -c "sg_readcap -l $BS_SD | grep -q 'lbpme=1, lbprz=0'"
	kt_check ib-put dd if=/dev/urandom of="$BS_SD" bs=1M count=16 oflag=direct status=none
	before=$(alloc_kb "$img")
	kt_check ib-blkdiscard blkdiscard -o 0 -l $((16 * MB)) "$BS_SD"
	after=$(alloc_kb "$img")
	echo "iblock loop backing file: ${before} KiB before, ${after} KiB after blkdiscard"
	kt_check ib-discard-freed test $((before - after)) -ge $((12 * 1024))
	kt_check ib-unexport bs_unexport 2

	lo2=$(losetup -f --show "$img2") || { fail ib-losetup2 "no loop device"; return 1; }
	LOOPS+=("$lo2")
	echo 0 >"/sys/block/${lo2##*/}/queue/discard_max_bytes"
	dev2=$(kt_mk_iblock nodisc "$lo2") || { fail ib-make2 "cannot make iblock"; return 1; }
	kt_check ib-nodisc-desc kt_write 1 "$dev2/attrib/max_unmap_block_desc_count"
	kt_refused ib-no-discard-tpu-refused kt_write 1 "$dev2/attrib/emulate_tpu"
	kt_refused ib-no-discard-tpws-refused kt_write 1 "$dev2/attrib/emulate_tpws"
}

mkdir -p "$DIR"
kt_check load kt_load ktarget_rd ktarget_file ktarget_iblock ktarget_loop ||
	kt_abort load "cannot load modules"
kt_refused tpu-before-enable bash -c "mkdir -p $KT_CFS/core/rd_mcp_9/x && printf 1 >$KT_CFS/core/rd_mcp_9/x/attrib/emulate_tpu"
rmdir "$KT_CFS/core/rd_mcp_9/x" "$KT_CFS/core/rd_mcp_9" 2>/dev/null
thin_rd
thin_file
thin_iblock
kt_check teardown kt_teardown
for l in "${LOOPS[@]}"; do losetup -d "$l"; done
rm -rf "$DIR"
guest_summary
