#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device attributes that must change what commands do (issue 7), through
# sg3_utils on the loopback fabric:
#  - attrib/emulate_fua_read is LIO's read-only 0: 1 is refused.
#  - attrib/emulate_fua_write shows in MODE SENSE: DPOFUA (0x10 of the
#    device-specific parameter) is 1 while it is 1 and 0 while it is 0,
#    and other nexuses get MODE PARAMETERS CHANGED when it changes.
#  - fileio with write-back (fd_buffered_io=1, emulate_write_cache=1) on a
#    loop device over a file: the loop device's file holds what reached
#    the "disk", and the loop device counts the cache flushes it was sent
#    (field 16 of its stat; page-cache writeback sends none).  A WRITE
#    without FUA sends no flush; a WRITE with FUA is in the file with a
#    flush sent when GOOD comes back while emulate_fua_write=1, and is
#    written back like any other write (no flush) while it is 0 (FUA
#    ignored); SYNCHRONIZE CACHE then flushes, everything is on the disk.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

W=/tmp/attrs
mkdir -p $W

# clear_ua SG: take the unit attentions pending for SG
clear_ua() {
	local i

	for i in 1 2 3; do
		sg_turs "$1" >/dev/null 2>&1 && return 0
	done
	return 1
}

# dpofua SG: the DPOFUA bit (0 or 1) of MODE SENSE(6) from SG
dpofua() {
	local b

	sg_raw -r 64 -o $W/ms "$1" 1a 08 08 00 40 00 >/dev/null 2>&1 || return 1
	b=$(od -An -tu1 -j2 -N1 $W/ms) || return 1
	echo $(((b >> 4) & 1))
}

# dpofua_is SG WANT
dpofua_is() {
	local got

	got=$(dpofua "$1") || { echo "MODE SENSE failed"; return 1; }
	[ "$got" = "$2" ] || { echo "DPOFUA=$got, expected $2"; return 1; }
}

# write10 SG LBA FILE FUA: WRITE(10) of the 8 blocks of FILE at LBA
write10() {
	local b1=00 hi lo

	[ "$4" = 1 ] && b1=08
	hi=$(printf %02x $(($2 >> 8)))
	lo=$(printf %02x $(($2 & 255)))
	sg_raw -s 4096 -i "$3" "$1" 2a $b1 00 00 "$hi" "$lo" 00 00 08 00
}

# on_disk LBA FILE: the loop device's backing file holds FILE at LBA
on_disk() {
	cmp -s -n 4096 -i "$(($1 * 512)):0" $W/disk.img "$2"
}

# flushes: cache flushes the loop device completed so far
flushes() {
	local s

	read -ra s <"/sys/block/${loopdev##*/}/stat" || return 1
	echo "${s[15]}"
}

# flushed_since N: more flushes than N now
flushed_since() {
	local now

	now=$(flushes) || return 1
	[ "$now" -gt "$1" ] || { echo "flushes: $1 before, $now now"; return 1; }
}

kt_check load kt_load ktarget_file ktarget_loop || guest_summary

# ---- the disk: a loop device over a file, used write-back by fileio ----
modprobe loop 2>/dev/null
truncate -s 16M $W/disk.img
loopdev=$(losetup -f --show $W/disk.img) || kt_abort losetup "no loop device"
flushes >/dev/null || kt_abort loop-stat "no flush count for $loopdev"

dev=$(kt_mk_dev fileio fua0 "fd_dev_name=$loopdev,fd_buffered_io=1") ||
	kt_abort fileio-create "cannot make the fileio device on $loopdev"
kt_check wce-on kt_write 1 "$dev/attrib/emulate_write_cache"

# ---- emulate_fua_read: LIO's read-only 0 ----
kt_check fua-read-is-0 grep -qx 0 "$dev/attrib/emulate_fua_read"
kt_check_fails fua-read-1-refused kt_write 1 "$dev/attrib/emulate_fua_read"
kt_check fua-read-0-accepted kt_write 0 "$dev/attrib/emulate_fua_read"
kt_check fua-write-is-1 grep -qx 1 "$dev/attrib/emulate_fua_write"

t1=$(kt_loop_target naa.5001405eeee10001 naa.5001405eeee00001) || kt_abort target1 "no target 1"
t2=$(kt_loop_target naa.5001405eeee10002 naa.5001405eeee00002) || kt_abort target2 "no target 2"
kt_check lun-t1 mkdir "$t1/lun/lun_0"
kt_check link-t1 ln -s "$dev" "$t1/lun/lun_0/fua0"
kt_check lun-t2 mkdir "$t2/lun/lun_0"
kt_check link-t2 ln -s "$dev" "$t2/lun/lun_0/fua0"
sg1=$(kt_sg_of_tpg "$t1" 0) || kt_abort sg1 "no sg node on target 1"
sg2=$(kt_sg_of_tpg "$t2" 0) || kt_abort sg2 "no sg node on target 2"
clear_ua "$sg1"
clear_ua "$sg2"

# ---- DPOFUA follows emulate_fua_write ----
kt_check dpofua-1 dpofua_is "$sg1" 1
kt_check fua-write-0 kt_write 0 "$dev/attrib/emulate_fua_write"
kt_expect_sense ua-after-fua-write-store 6 'Mode parameters changed' sg_turs "$sg2"
clear_ua "$sg1"
kt_check dpofua-0 dpofua_is "$sg1" 0
kt_check dpofua-0-mode-sense-10 bash -c \
	"sg_raw -r 64 -o $W/ms10 $sg2 5a 08 08 00 00 00 00 00 40 00 >/dev/null 2>&1 &&
	 [ \$(od -An -tu1 -j3 -N1 $W/ms10) -lt 16 ]"
kt_check fua-write-1 kt_write 1 "$dev/attrib/emulate_fua_write"
clear_ua "$sg1"
clear_ua "$sg2"
kt_check dpofua-1-again dpofua_is "$sg1" 1

# ---- FUA on fileio write-back ----
for i in 1 2 3 4; do
	head -c 4096 /dev/urandom >$W/p$i
done
f=$(flushes)
kt_check write-no-fua write10 "$sg1" 64 $W/p1 0
kt_check_fails write-no-fua-no-flush flushed_since "$f"
f=$(flushes)
kt_check write-fua write10 "$sg1" 128 $W/p2 1
kt_check write-fua-flushed flushed_since "$f"
kt_check write-fua-on-disk on_disk 128 $W/p2
kt_check fua-write-off kt_write 0 "$dev/attrib/emulate_fua_write"
clear_ua "$sg1"
f=$(flushes)
kt_check write-fua-ignored write10 "$sg1" 192 $W/p3 1
kt_check_fails write-fua-ignored-no-flush flushed_since "$f"
kt_check fua-write-on kt_write 1 "$dev/attrib/emulate_fua_write"
clear_ua "$sg1"
f=$(flushes)
kt_check write-fua-again write10 "$sg1" 256 $W/p4 1
kt_check write-fua-again-flushed flushed_since "$f"
kt_check write-fua-again-on-disk on_disk 256 $W/p4
f=$(flushes)
kt_check sync-cache sg_sync "$sg1"
kt_check sync-cache-flushed flushed_since "$f"
kt_check synced-no-fua on_disk 64 $W/p1
kt_check synced-fua-ignored on_disk 192 $W/p3
# what the initiator reads is what it wrote, wherever it is
kt_check read-back bash -c "sg_raw -r 4096 -o $W/r3 $sg1 28 00 00 00 00 c0 00 00 08 00 >/dev/null 2>&1 && cmp -s $W/r3 $W/p3"

kt_check teardown kt_teardown
losetup -d "$loopdev"
kt_check dmesg-at-end kt_dmesg_clean 'BUG|WARNING|Oops|general protection|corrupt|KASAN|UBSAN'
guest_summary
