#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 420
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
# must succeed and dmesg stay clean.  APTPL: registrations made with
# APTPL=1 are in <dbroot>/pr/aptpl_<serial>, survive a teardown and module
# reload (read back from the file, then from rtslib's res_aptpl_metadata
# lines), and a REGISTER whose file cannot be written fails whole.  Each dialogue is in /tmp/pr/<case>.log
# (out/pr/ of the run).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/guest/aptpl.sh
. "$(dirname "${BASH_SOURCE[0]}")/aptpl.sh"

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
for c in $(/usr/bin/python3 -E -s "$PRPY" --list | cut -d' ' -f1 | grep -v '^aptpl-'); do
	kt_check "pr-$c" kt_py_case "$LOGS/$c.log" "$PRPY" "$c"
done
# every case leaves nothing registered, after several generations
kt_check pr-configfs-generation pr_shows res_pr_generation '^0x0000[0-9a-f]\{4\}$'
kt_check pr-configfs-generation-moved pr_shows res_pr_generation '[1-9a-f]'
kt_check pr-configfs-none pr_shows res_pr_registered_i_pts '^None$'
kt_check pr-configfs-no-holder pr_shows res_holder 'No SPC-3 Reservation holder'
kt_check sessions-gone kt_no_sessions 15 "$T"
kt_check teardown kt_teardown

# ---- APTPL ----
# rtslib's res_aptpl_metadata lines: each block's lines joined by commas
aptpl_metadata() {
	local line

	awk '/^PR_REG_START:/ { l = $2; next }
	     /^PR_REG_END:/ { print l "," items "," $2; items = ""; next }
	     { items = items ? items "," $0 : $0 }' "$1" >/tmp/aptpl.lines
	[ -s /tmp/aptpl.lines ] || { echo "no blocks in $1"; return 1; }
	while read -r line; do
		printf '%s' "$line" >"$DEV/pr/res_aptpl_metadata" || return 1
	done </tmp/aptpl.lines
}

aptpl_setup() {
	aptpl_target || return 1
	mkdir -p "$PRDIR" && rm -f "$APTPL"
}

aptpl_saved_by_metadata() {
	mv "$APTPL" /tmp/aptpl.saved || return 1
	aptpl_target no-link && aptpl_metadata /tmp/aptpl.saved || return 1
	kt_iscsi_tpg "$T" 127.0.0.1:3260 "$DEV" demo enable=1 && aptpl check
}

# a pr/ folder that is missing is made; one that cannot be (a file of
# that name is in the way) makes REGISTER with APTPL=1 fail whole
aptpl_unsaved() {
	local rc

	aptpl_target || return 1
	rm -rf "$PRDIR" && aptpl clear-made || return 1
	[ -d "$PRDIR" ] || { echo "$PRDIR was not made"; return 1; }
	rm -rf "$PRDIR" && touch "$PRDIR" || return 1
	aptpl unsaved
	rc=$?
	rm -f "$PRDIR"
	return $rc
}

kt_check aptpl-setup aptpl_setup || kt_abort aptpl-setup "cannot configure the APTPL target"
kt_check aptpl-set aptpl set
kt_check aptpl-active pr_shows res_aptpl_active '^1$'
kt_check aptpl-file aptpl_file_full
kt_check aptpl-teardown kt_teardown
kt_check aptpl-file-kept aptpl_file_full
kt_check aptpl-restored-from-file aptpl_saved_by_file
kt_check aptpl-teardown-2 kt_teardown
kt_check aptpl-restored-from-metadata aptpl_saved_by_metadata
kt_check aptpl-file-rewritten aptpl_file_full
kt_check aptpl-clear aptpl clear
kt_check aptpl-file-empty test ! -s "$APTPL"
kt_check aptpl-teardown-3 kt_teardown
kt_check aptpl-unsaved aptpl_unsaved
kt_check aptpl-teardown-4 kt_teardown
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
