#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 600
#
# Multi-connection sessions and error recovery on the iSCSI fabric:
# tests/iscsi/recovery.py drives several connections of one session
# (MC/S: commands spread over connections are carried out in CmdSN order,
# connection reinstatement, logout of another connection, a connection
# that vanishes), and checks data read back and every answer.  A ramdisk
# LUN executes writes as they are submitted, so the order is visible.
# Then no session may be left, rmmod must succeed and dmesg stay clean.
# Each dialogue is in /tmp/recovery/<case>.log (out/recovery/ of the run).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:recovery
T=$KT_CFS/iscsi/$IQN/tpgt_1
RECOVERY=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/recovery.py")
LOGS=/tmp/recovery
mkdir -p $LOGS

setup() {
	local dev

	kt_load ktarget_rd ktarget_iscsi || return 1
	dev=$(kt_mk_rd r0 128) || return 1
	kt_iscsi_tpg "$T" 127.0.0.1:3260 "$dev" param/MaxConnections=4 \
		param/ErrorRecoveryLevel=2 demo enable=1
}

# recovery CASE: one case; its dialogue goes to $LOGS/CASE.log
recovery() {
	local rc t=$SECONDS

	/usr/bin/python3 -E -s "$RECOVERY" "$1" >"$LOGS/$1.log" 2>&1
	rc=$?
	echo "    [$((SECONDS - t)) s] $(tail -n1 "$LOGS/$1.log")"
	tail -n1 "$LOGS/$1.log"
	return "$rc"
}

for a in "$@"; do
	case $a in
	KT_RECOVERY_CASES=*) export "${a?}" ;;
	*) echo "85-iscsi-recovery: ignoring argument '$a'" ;;
	esac
done
kt_check setup setup || kt_abort setup "cannot configure the target"
# KT_RECOVERY_CASES=<regex> runs only the matching cases (a replay)
for c in $(/usr/bin/python3 -E -s "$RECOVERY" --list | cut -d' ' -f1); do
	[[ $c =~ ${KT_RECOVERY_CASES:-.} ]] || continue
	kt_check "recovery-$c" recovery "$c"
done
kt_check sessions-gone kt_no_sessions 15 "$T"
kt_check teardown kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
