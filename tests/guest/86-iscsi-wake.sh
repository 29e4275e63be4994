#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 600
#
# tests/iscsi/wake.py on the iSCSI fabric: SNACKs for an ITT used again
# find the newer task (ERL 1), and TASK REASSIGN of a task that is nowhere
# is answered at once instead of after a polling loop (ERL 2).  Then no
# session may be left, rmmod must succeed and dmesg stay clean.  Each
# dialogue is in /tmp/wake/<case>.log (out/wake/ of the run).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:wake
T=$KT_CFS/iscsi/$IQN/tpgt_1
WAKE=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/wake.py")
LOGS=/tmp/wake
mkdir -p $LOGS

setup() {
	local dev

	kt_load ktarget_rd ktarget_iscsi || return 1
	dev=$(kt_mk_rd r0 256) || return 1
	mkdir -p "$T/np/127.0.0.1:3260" "$T/lun/lun_0" || return 1
	ln -s "$dev" "$T/lun/lun_0/r0" || return 1
	kt_write 4 "$T/param/MaxConnections" &&
		kt_write 2 "$T/param/ErrorRecoveryLevel" &&
		kt_write 1 "$T/attrib/generate_node_acls" &&
		kt_write 0 "$T/attrib/authentication" &&
		kt_write 0 "$T/attrib/demo_mode_write_protect" &&
		kt_write 1 "$T/enable"
}

# wake CASE: one case; its dialogue goes to $LOGS/CASE.log
wake() {
	local rc t=$SECONDS

	/usr/bin/python3 -E -s "$WAKE" "$1" >"$LOGS/$1.log" 2>&1
	rc=$?
	echo "    [$((SECONDS - t)) s] $(tail -n1 "$LOGS/$1.log")"
	tail -n1 "$LOGS/$1.log"
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
for c in $(/usr/bin/python3 -E -s "$WAKE" --list | cut -d' ' -f1); do
	kt_check "wake-$c" wake "$c"
done
kt_check sessions-gone no_sessions
kt_check teardown kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
