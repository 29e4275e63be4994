#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 900
#
# The command path of the iSCSI fabric: tests/iscsi/cmdpath.py checks
# that the core decides about a SCSI command as it arrives (a write that
# is refused moves no data: no R2T, immediate and unsolicited data read
# and dropped, the right sense), that Data-Out lands where it belongs,
# that the direction bits and EDTL must agree with the CDB, the session's
# resource bounds, ABORT TASK's RefCmdSN and LUN references of answers
# nobody reads.  Two targets export one ramdisk: ...:cmdpath read-write,
# ...:cmdpath-ro write-protected (demo_mode_write_protect).  Then no
# session may be left, rmmod must succeed and dmesg stay clean.  Each
# dialogue is in /tmp/cmdpath/<case>.log (out/cmdpath/ of the run).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:cmdpath
T=$KT_CFS/iscsi/$IQN/tpgt_1
RO_IQN=iqn.2003-01.org.ktarget:cmdpath-ro
RO=$KT_CFS/iscsi/$RO_IQN/tpgt_1
CMDPATH=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/cmdpath.py")
LOGS=/tmp/cmdpath
mkdir -p $LOGS

# tpg TPG DEV WP: a demo-mode TPG on 127.0.0.1:3260 exporting DEV as LUN 0
# (InitialR2T is an OR: No here lets an initiator choose unsolicited data)
tpg() {
	kt_iscsi_tpg "$1" 127.0.0.1:3260 "$2" param/InitialR2T=No \
		param/MaxConnections=4 demo attrib/demo_mode_write_protect="$3" \
		enable=1
}

setup() {
	local dev

	kt_load ktarget_rd ktarget_iscsi || return 1
	dev=$(kt_mk_rd r0 128) || return 1
	tpg "$T" "$dev" 0 && tpg "$RO" "$dev" 1 || return 1
	# LUN 1 of the read-write target: the one unread answers pin
	dev=$(kt_mk_rd r1 16) || return 1
	mkdir -p "$T/lun/lun_1" && ln -s "$dev" "$T/lun/lun_1/r1"
}

# cmdpath CASE: one case; its dialogue goes to $LOGS/CASE.log
cmdpath() {
	local rc t=$SECONDS

	/usr/bin/python3 -E -s "$CMDPATH" --tpg "$T" "$1" >"$LOGS/$1.log" 2>&1
	rc=$?
	echo "    [$((SECONDS - t)) s] $(tail -n1 "$LOGS/$1.log")"
	tail -n1 "$LOGS/$1.log"
	return "$rc"
}

kt_check setup setup || kt_abort setup "cannot configure the target"
for c in $(/usr/bin/python3 -E -s "$CMDPATH" --list | cut -d' ' -f1); do
	kt_check "cmdpath-$c" cmdpath "$c"
done
kt_check sessions-gone kt_no_sessions 15 "$T" "$RO"
kt_check teardown kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
