#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 600
#
# Task management through the iSCSI fabric: tests/iscsi/tmf.py checks the
# core's task management as an initiator sees it: QUERY TASK and QUERY
# TASK SET, I_T NEXUS RESET (a unit attention for that nexus only),
# ABORT TASK SET leaving other sessions' tasks alone, CLEAR TASK SET with
# the control page's TAS on and off, a LUN RESET during another session's
# slow write (never lands, the victim's data intact); unit attentions per
# I_T nexus (two sessions of one initiator name, two LUNs, several pending
# in priority order, REQUEST SENSE); ABORT TASK and LUN
# RESET of a READ that a slow device is carrying out (answered only once
# it ended); the admin's unlink of a LUN with commands waiting for the
# initiator (Data-Out, a CmdSN gap) returns at once and aborts them.  One
# demo-mode target exports a ramdisk as LUN 0, a small one as LUN 1 (to
# unlink) and, as LUN 2, iblock on a dm-delay device over brd that delays
# each I/O by 2 s (the two slow cases are skipped on a kernel without
# dm-delay).
# Then no session may be left, rmmod must succeed and dmesg stay clean.
# Each dialogue is in /tmp/tmf/<case>.log (out/tmf/ of the run).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:tmf
T=$KT_CFS/iscsi/$IQN/tpgt_1
TMF=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/tmf.py")
LOGS=/tmp/tmf
DEV=
SLOW=		# LUN 2 (iblock on dm-delay) when the kernel has dm-delay
export DM_DISABLE_UDEV=1	# no udev in the guest: dmsetup makes the nodes
mkdir -p $LOGS

# slow_dev: prints the configfs folder of an iblock device on dm-delay
slow_dev() {
	modprobe brd rd_nr=1 rd_size=16384 && modprobe dm_delay 2>/dev/null ||
		return 1
	echo "0 32768 delay /dev/ram0 0 2000" | dmsetup create kt_slow &&
		dmsetup mknodes && kt_load ktarget_iblock &&
		kt_mk_iblock kt_slow /dev/mapper/kt_slow
}

setup() {
	local slow spare

	kt_load ktarget_rd ktarget_iscsi && spare=$(kt_mk_rd t1 8) || return 1
	slow=$(slow_dev) && SLOW=2
	DEV=$(kt_iscsi_rd "$T" t0 32 "$spare" ${SLOW:+"$slow"})
}

kt_check setup setup || kt_abort setup "cannot configure the target"
# each case's dialogue goes to $LOGS/<case>.log
for c in $(/usr/bin/python3 -E -s "$TMF" --list | cut -d' ' -f1); do
	case $c in
	*-running-*)
		[ -n "$SLOW" ] || { skip "tmf-$c" "no dm-delay"; continue; } ;;
	esac
	kt_check "tmf-$c" kt_py_case "$LOGS/$c.log" "$TMF" --dev "$DEV" \
		--tpg "$T" --spare-lun 1 ${SLOW:+--slow-lun $SLOW} "$c"
done
kt_check sessions-gone kt_no_sessions 15 "$T"
kt_check teardown kt_teardown
[ -z "$SLOW" ] || kt_check dm-remove dmsetup remove kt_slow
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
