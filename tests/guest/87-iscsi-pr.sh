#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 300
#
# Persistent reservations through the iSCSI fabric: tests/iscsi/pr.py
# logs in under several initiator names and checks registrations, the
# reservation types' conflicts (refused before any Data-Out), the unit
# attentions of RELEASE, CLEAR and PREEMPT, PREEMPT AND ABORT of a
# pending write (never lands) and REPORT CAPABILITIES; and SPC-2 RESERVE
# and RELEASE (the spc2-* cases): what another nexus may still run, the
# reservation's loss at LUN reset, Logout and connection loss, and how it
# meets persistent reservations (CRH=1).  One demo-mode
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

setup() {
	DEV=$(kt_iscsi_rd "$T" p0 16)
}

# pr_shows FILE REGEX: the device's pr/FILE has a line matching REGEX
pr_shows() {
	grep -q "$2" "$DEV/pr/$1" || { cat "$DEV/pr/$1"; return 1; }
}

kt_check setup setup || kt_abort setup "cannot configure the target"
kt_check pr-configfs-start pr_shows res_pr_registered_i_pts '^None$'
for c in $(/usr/bin/python3 -E -s "$PRPY" --list | cut -d' ' -f1); do
	kt_check "pr-$c" kt_py_case "$LOGS/$c.log" "$PRPY" "$c"
done
# every case leaves nothing registered, after several generations
kt_check pr-configfs-generation pr_shows res_pr_generation '^0x0000[0-9a-f]\{4\}$'
kt_check pr-configfs-generation-moved pr_shows res_pr_generation '[1-9a-f]'
kt_check pr-configfs-none pr_shows res_pr_registered_i_pts '^None$'
kt_check pr-configfs-no-holder pr_shows res_holder 'No SPC-3 Reservation holder'
kt_check sessions-gone kt_no_sessions 15 "$T"
kt_check teardown kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
