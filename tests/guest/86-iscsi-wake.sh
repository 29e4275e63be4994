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
	kt_iscsi_rd "$T" r0 256 param/MaxConnections=4 param/ErrorRecoveryLevel=2
}

kt_check setup setup || kt_abort setup "cannot configure the target"
# each case's dialogue goes to $LOGS/<case>.log
for c in $(/usr/bin/python3 -E -s "$WAKE" --list | cut -d' ' -f1); do
	kt_check "wake-$c" kt_py_case "$LOGS/$c.log" "$WAKE" "$c"
done
kt_check sessions-gone kt_no_sessions 15 "$T"
kt_check teardown kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
