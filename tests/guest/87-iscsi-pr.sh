#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 300
#
# Persistent reservations through the iSCSI fabric: tests/iscsi/pr.py
# logs in under several initiator names and checks registrations, the
# reservation types' conflicts (refused before any Data-Out), the unit
# attentions of RELEASE, CLEAR and PREEMPT, PREEMPT AND ABORT of a
# pending write (never lands) and REPORT CAPABILITIES.  One demo-mode
# target exports a ramdisk as LUN 0.  Then no session may be left, rmmod
# must succeed and dmesg stay clean.  Each dialogue is in /tmp/pr/<case>.log
# (out/pr/ of the run).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:pr
T=$KT_CFS/iscsi/$IQN/tpgt_1
PRPY=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/pr.py")
LOGS=/tmp/pr
mkdir -p $LOGS

kt_check setup kt_iscsi_rd "$T" p0 16 >/dev/null ||
	kt_abort setup "cannot configure the target"
for c in $(/usr/bin/python3 -E -s "$PRPY" --list | cut -d' ' -f1); do
	kt_check "pr-$c" kt_py_case "$LOGS/$c.log" "$PRPY" "$c"
done
kt_check sessions-gone kt_no_sessions 15 "$T"
kt_check teardown kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
