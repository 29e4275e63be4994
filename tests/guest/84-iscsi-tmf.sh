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
	kt_load ktarget_rd ktarget_iscsi || return 1
	DEV=$(kt_mk_rd t0 32) || return 1
	mkdir -p "$T/np/127.0.0.1:3260" "$T/lun/lun_0" &&
		ln -s "$DEV" "$T/lun/lun_0/t0" &&
		kt_write 1 "$T/attrib/generate_node_acls" &&
		kt_write 0 "$T/attrib/authentication" &&
		kt_write 0 "$T/attrib/demo_mode_write_protect" &&
		kt_write 1 "$T/enable"
}

# tmf CASE: one case; its dialogue goes to $LOGS/CASE.log
tmf() {
	local rc t=$SECONDS

	/usr/bin/python3 -E -s "$TMF" --dev "$DEV" "$1" >"$LOGS/$1.log" 2>&1
	rc=$?
	echo "    [$((SECONDS - t)) s] $(tail -n1 "$LOGS/$1.log")"
	return "$rc"
}

no_sessions() {
	local _

	for _ in $(seq 75); do
		[ -z "$(cat "$T/dynamic_sessions")" ] && return 0
		sleep 0.2
	done
	echo "still logged in:" "$(tr '\n' ' ' <"$T/dynamic_sessions")"
	return 1
}

kt_check setup setup || kt_abort setup "cannot configure the target"
for c in $(/usr/bin/python3 -E -s "$TMF" --list | cut -d' ' -f1); do
	kt_check "tmf-$c" tmf "$c"
done
kt_check sessions-gone no_sessions
kt_check teardown kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
