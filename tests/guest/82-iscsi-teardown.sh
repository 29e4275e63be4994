#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 900
#
# Logins and admin teardown on the iSCSI fabric, and connection bounds:
# tests/iscsi/teardown.py holds a login open while the TPG is removed
# (rmdir must not wait for it, the TPG goes with its last reference),
# sends Continue-bit login requests past attrib/login_timeout (a deadline
# for the whole login), disables the TPG in the middle of a login (no
# session may come of it), removes an initiator's ACL (its session ends,
# its name is refused, mkdir of the ACL works again), checks
# prod_mode_write_protect, floods the portal with connections that never
# log in (another initiator's login, logout and ping go on), fills a
# connection's transmit queue without reading it (the target stops
# reading, a victim does I/O, the connection is dropped; slab and page
# figures before and after; the same from a discovery session) and finally loops logins in 4 threads while
# the admin disables, removes and recreates the TPG and its ACLs.  Then
# every module must unload (no "Slab cache still has objects") and the
# kernel log must be clean.  Dialogues in /tmp/teardown/<case>.log.
# Arguments: only these cases (default: all).
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:teardown
T=$KT_CFS/iscsi/$IQN/tpgt_1
PYT=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/teardown.py")
PY=(/usr/bin/python3 -E -s)
LOGS=/tmp/teardown
DEV=
ONLY=" $* "

mkdir -p $LOGS
exec 3>&1

setup() {
	kt_load ktarget_file ktarget_iscsi || return 1
	DEV=$(kt_mk_file t0 /root/ktt-t0.img 256) || return 1
	kt_iscsi_tpg "$T" 127.0.0.1:3260 "$DEV" attrib/generate_node_acls=0 \
		attrib/authentication=0 enable=1
}

# td CASE [ARGS...]: one case; its dialogue to $LOGS/CASE.log, verdict
# (last line) to the console
td() {
	local rc t=$SECONDS

	[ "$ONLY" = "  " ] || case $ONLY in *" $1 "*) ;; *) echo "left out"; return 0 ;; esac
	"${PY[@]}" "$PYT" --tpg "$T" --dev "$DEV" "$@" >"$LOGS/$1.log" 2>&1
	rc=$?
	grep '^  ' "$LOGS/$1.log" | sed 's/^/  /' >&3
	echo "    [$((SECONDS - t)) s] $(tail -n1 "$LOGS/$1.log")" >&3
	tail -n1 "$LOGS/$1.log"
	return "$rc"
}

# memory figures: MemFree and our slab caches
mem_figures() {
	echo "    $1: $(grep -E '^MemFree' /proc/meminfo | tr -s ' ')"
	grep -E '^(kti_|kt_)' /proc/slabinfo | awk '{ printf "      %-16s active %6d  total %6d  objsize %5d\n", $1, $2, $3, $4 }'
}

T0=$SECONDS
kt_check setup setup || kt_abort setup "cannot configure the target"
[ -w /proc/sys/kernel/hung_task_timeout_secs ] &&
	echo 20 >/proc/sys/kernel/hung_task_timeout_secs

for c in prod-write-protect acl-rmdir disable-mid-login login-deadline \
	 tpg-rmdir-login login-flood login-drop-at-once; do
	kt_check "teardown-$c" td "$c"
done

mem_figures "before txq-bound" >&3
kt_check teardown-txq-bound td txq-bound
mem_figures "after txq-bound" >&3
kt_check teardown-txq-discovery td txq-discovery
mem_figures "after txq-discovery" >&3

kt_check teardown-race td race --seconds 40
mem_figures "after the race" >&3

kt_check rmmod kt_teardown
echo "    (total $((SECONDS - T0)) s)"
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
