#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 600
#
# Backstore faults: iblock over device-mapper devices that fail.
#  - dm-error: a 1 MiB hole of errors in the middle of a brd RAM disk,
#    exported on the loopback fabric (dd with O_DIRECT fails with ENODATA,
#    the block layer's errno for MEDIUM ERROR, and
#    does not hang; sg_raw sees MEDIUM ERROR) and on iSCSI (READ gets
#    MEDIUM ERROR 3/11/00, WRITE 3/0c/00, the session keeps working).
#  - the whole table swapped to "error" under random iSCSI I/O and back:
#    every answer is GOOD or MEDIUM ERROR, none is missing, data written
#    afterwards reads back.
#  - dm-flakey switching between up and down every second under random
#    I/O: the same expectations.
#  - with a debug kernel (/sys/kernel/debug/failslab): failslab on our
#    own slab caches (cache-filter), then on the target's kthreads
#    (task-filter) during I/O and logins: every command is answered (an
#    allocation failure may end a login or a connection, or answer
#    ABORTED COMMAND 55/03), nothing hangs; afterwards all works again.
#    Skipped without failslab.
# Then teardown, rmmod (no slab object left) and a clean kernel log.
# dmsetup comes from tests/vm/setup.sh's package list.
# kt-dmesg-allow: Buffer I/O error|critical medium error|I/O error, dev
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:faults
T=$KT_CFS/iscsi/$IQN/tpgt_1
FAULTS=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../netfuzz/faults.py")
PY=(/usr/bin/python3 -E -s)
MB=64
SECTS=$((MB * 2048))
HOLE=32768		# first sector of the error hole (1 MiB)
HOLE_N=2048
FS=/sys/kernel/debug/failslab
export DM_DISABLE_UDEV=1	# no udev in the guest: dmsetup makes the nodes
exec 3>&1

dm_table_linear_hole() {
	printf '0 %d linear /dev/ram0 0\n%d %d error\n%d %d linear /dev/ram0 %d\n' \
		$HOLE $HOLE $HOLE_N $((HOLE + HOLE_N)) $((SECTS - HOLE - HOLE_N)) \
		$((HOLE + HOLE_N))
}

# dm_swap NAME TABLE: load TABLE into the live device NAME
dm_swap() {
	dmsetup suspend "$1" && printf '%s\n' "$2" | dmsetup load "$1" &&
		dmsetup resume "$1"
}

setup() {
	modprobe brd rd_nr=2 rd_size=$((MB * 1024)) || return 1
	modprobe -a dm_mod dm_flakey || return 1
	command -v dmsetup >/dev/null || { echo "dmsetup missing (tests/vm/setup.sh installs it)"; return 1; }
	dm_table_linear_hole | dmsetup create kt_err || return 1
	echo "0 $SECTS flakey /dev/ram1 0 3600 1" | dmsetup create kt_flaky || return 1
	dmsetup mknodes
	[ -b /dev/mapper/kt_err ] && [ -b /dev/mapper/kt_flaky ] || return 1
	kt_load ktarget_iblock ktarget_loop ktarget_iscsi || return 1
	IE=$(kt_mk_iblock kt_err /dev/mapper/kt_err) || return 1
	IF=$(kt_mk_iblock kt_flaky /dev/mapper/kt_flaky) || return 1
	kt_iscsi_tpg "$T" 127.0.0.1:3260 "$IE" "$IF" demo enable=1 || return 1
	# the same dm-error device on the loopback fabric
	kt_loop_export "$IE" 0 || return 1
	LOOP_SD=$(kt_wait_disk 0 60)
}
IE=
IF=
LOOP_SD=

# faults CASE [ARGS...]: one faults.py run; its verdict on the console
faults() {
	local rc

	"${PY[@]}" "$FAULTS" "$@" >/tmp/faults.out 2>&1
	rc=$?
	echo "    $(tail -n1 /tmp/faults.out)" >&3
	tail -n1 /tmp/faults.out
	return $rc
}

# --- loopback: the block layer's view
loop_read_ok() {
	timeout 60 dd if="$LOOP_SD" of=/dev/null bs=64k count=16 iflag=direct status=none
}

loop_read_hole_fails() {
	local rc

	timeout 60 dd if="$LOOP_SD" of=/dev/null bs=4k count=1 skip=$((HOLE / 8 + 4)) \
		iflag=direct status=none 2>/tmp/dd.err
	rc=$?
	[ $rc -eq 124 ] && { echo "dd hung"; return 1; }
	# MEDIUM ERROR is BLK_STS_MEDIUM, ENODATA for the reader
	[ $rc -ne 0 ] && grep -qE 'Input/output error|No data available' /tmp/dd.err && return 0
	echo "dd rc=$rc: $(cat /tmp/dd.err)"
	return 1
}

# sg_raw READ(10)/WRITE(10) of 8 blocks in the hole: MEDIUM ERROR
loop_sg_sense() {
	local sg lba=$((HOLE + 16)) out

	sg=$(kt_sg_of "$LOOP_SD") || return 1
	out=$(timeout 60 sg_raw -r 4096 "$sg" 28 00 $(printf '%02x %02x %02x %02x' \
		$((lba >> 24)) $((lba >> 16 & 255)) $((lba >> 8 & 255)) $((lba & 255))) 00 00 08 00 2>&1)
	grep -q 'Medium Error' <<<"$out" && grep -qi 'unrecovered read error' <<<"$out" ||
		{ echo "READ: $out" | tr '\n' ' '; return 1; }
	head -c 4096 /dev/urandom >/tmp/blk
	out=$(timeout 60 sg_raw -s 4096 -i /tmp/blk "$sg" 2a 00 $(printf '%02x %02x %02x %02x' \
		$((lba >> 24)) $((lba >> 16 & 255)) $((lba >> 8 & 255)) $((lba & 255))) 00 00 08 00 2>&1)
	grep -q 'Medium Error' <<<"$out" && grep -qi 'write error' <<<"$out" ||
		{ echo "WRITE: $out" | tr '\n' ' '; return 1; }
}

# --- the whole device failing under I/O
swap_under_io() {
	local pid rc

	"${PY[@]}" "$FAULTS" mixed --seconds 14 --seed 2 --blocks $SECTS >/tmp/mixed.out 2>&1 &
	pid=$!
	sleep 4
	dm_swap kt_err "0 $SECTS error" || { kill $pid; return 1; }
	sleep 5
	dm_swap kt_err "$(dm_table_linear_hole)" || { kill $pid; return 1; }
	wait $pid
	rc=$?
	echo "    $(tail -n1 /tmp/mixed.out)" >&3
	tail -n1 /tmp/mixed.out
	return $rc
}

flakey_under_io() {
	local rc

	dm_swap kt_flaky "0 $SECTS flakey /dev/ram1 0 1 1" || return 1
	faults mixed --seconds 12 --seed 3 --blocks $SECTS --need-errors \
		-i iqn.2004-10.org.ktarget:faults-flakey 2>&1
	rc=$?
	dm_swap kt_flaky "0 $SECTS flakey /dev/ram1 0 3600 1" || return 1
	return $rc
}

# use_lun DEVPATH: faults.py speaks to LUN 0 only: link DEVPATH there
use_lun() {
	local l

	for l in "$T"/lun/lun_0/*; do [ -L "$l" ] && rm "$l"; done
	ln -s "$1" "$T/lun/lun_0/${1##*/}"
}

# --- failslab (debug kernel)
CACHES="kti_cmd kti_tx kti_sess kti_conn kt_session kt_lun kt_mapped_lun ib_req"

failslab_set() {	# failslab_set PERCENT CACHE_FILTER TASK_FILTER
	echo 0 >$FS/verbose
	echo 1 >$FS/interval
	echo -1 >$FS/times
	echo 0 >$FS/space
	echo "$2" >$FS/cache-filter
	echo "$3" >$FS/task-filter
	[ -e $FS/ignore-gfp-wait ] && echo N >$FS/ignore-gfp-wait
	echo "$1" >$FS/probability
}

failslab_caches() {	# failslab_caches 0|1
	local c

	for c in $CACHES; do
		[ -w /sys/kernel/slab/$c/failslab ] && echo "$1" >/sys/kernel/slab/$c/failslab
	done
	return 0
}

# the target's own threads fail their allocations (task-filter)
failslab_threads() {	# failslab_threads 0|1
	local p n

	for p in /proc/[0-9]*; do
		read -r n <"$p/comm" 2>/dev/null || continue
		case $n in kti_*) echo "$1" >"$p/make-it-fail" 2>/dev/null ;; esac
	done
	return 0
}

failslab_run() {
	local what=$1 rc=0 lp

	faults logins --seconds 12 --allow-login-fail --timeout 40 \
		-i iqn.2004-10.org.ktarget:faults-fs-$what >/tmp/fs-logins.out 2>&1 &
	lp=$!
	faults mixed --seconds 15 --seed 4 --blocks $SECTS --allow-login-fail \
		--allow 0b/55/03 --allow 0b/00/00 --allow 4/44/00 --timeout 40 \
		-i iqn.2004-10.org.ktarget:faults-fsio-$what || rc=1
	wait $lp || { echo "logins: $(tail -n1 /tmp/fs-logins.out)"; rc=1; }
	return $rc
}

failslab_tests() {
	if [ ! -d $FS ]; then
		skip failslab "no /sys/kernel/debug/failslab (not a debug kernel)"
		return
	fi
	use_lun "$IE"
	failslab_set 10 Y N
	failslab_caches 1
	kt_check failslab-caches-io-logins failslab_run caches
	failslab_set 0 N N
	failslab_caches 0
	failslab_threads 1
	failslab_set 5 N Y
	kt_check failslab-threads-io-logins failslab_run threads
	failslab_set 0 N N
	failslab_threads 0
	kt_check failslab-after-good faults good --lba 1000 -i iqn.2004-10.org.ktarget:faults-after
}

teardown() {
	kt_teardown || return 1
	dmsetup remove kt_err && dmsetup remove kt_flaky && rmmod brd
}

[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 30 >/proc/sys/kernel/hung_task_timeout_secs
kt_check setup setup || kt_abort setup "cannot set up dm devices and targets"
kt_check loop-read-ok loop_read_ok
kt_check loop-read-hole-eio loop_read_hole_fails
kt_check loop-sg-medium-error loop_sg_sense
kt_check iscsi-dm-error-sense faults sense --lba $((HOLE + 8))
kt_check iscsi-good-outside-hole faults good --lba 1000
kt_check iscsi-dm-error-table-swap swap_under_io
kt_check iscsi-good-after-swap faults good --lba 2000
kt_check iscsi-lun0-to-flakey use_lun "$IF"
kt_check iscsi-dm-flakey flakey_under_io
kt_check iscsi-good-flakey-up faults good --lba 3000
failslab_tests
kt_check sessions-gone kt_no_sessions 30 "$T"
kt_check teardown teardown
kt_check dmesg-clean kt_dmesg_clean
guest_summary
