#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 600
#
# Task management through the iSCSI fabric: tests/iscsi/tmf.py checks the
# core's task management as an initiator sees it: QUERY TASK and QUERY
# TASK SET, I_T NEXUS RESET (a unit attention for that nexus only),
# ABORT TASK SET leaving other sessions' tasks alone, CLEAR TASK SET with
# the control page's TAS on and off, a LUN RESET during another session's
# slow write (never lands, the victim's data intact).  One demo-mode
# target exports a ramdisk as LUN 0.  Then no session may be left, rmmod
# must succeed and dmesg stay clean.  Each dialogue is in /tmp/tmf/<case>.log
# (out/tmf/ of the run).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:tmf
T=$KT_CFS/iscsi/$IQN/tpgt_1
TMF=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/tmf.py")
LOGS=/tmp/tmf
DEV=
mkdir -p $LOGS

setup() {
	DEV=$(kt_iscsi_rd "$T" t0 32)
}

kt_check setup setup || kt_abort setup "cannot configure the target"
# each case's dialogue goes to $LOGS/<case>.log
for c in $(/usr/bin/python3 -E -s "$TMF" --list | cut -d' ' -f1); do
	kt_check "tmf-$c" kt_py_case "$LOGS/$c.log" "$TMF" --dev "$DEV" "$c"
done
kt_check sessions-gone kt_no_sessions 15 "$T"
kt_check teardown kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
