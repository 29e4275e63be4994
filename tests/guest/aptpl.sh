# SPDX-License-Identifier: GPL-2.0
#
# APTPL helpers of the persistent reservation guest tests (87-iscsi-pr,
# 87-iscsi-pr-reboot), sourced after lib.sh.  The caller sets IQN, T (its
# TPG folder), PRPY (tests/iscsi/pr.py) and LOGS; these set DEV, PRDIR and
# APTPL.

SERIAL=ktaptpl0001
PRDIR=
APTPL=

# aptpl_target [no-link]: a ramdisk with a fixed serial exported by $T
aptpl_target() {
	kt_load ktarget_rd ktarget_iscsi || return 1
	PRDIR=$(cat "$KT_CFS/dbroot")/pr
	APTPL=$PRDIR/aptpl_$SERIAL
	DEV=$(kt_mk_rd p1 16) || return 1
	echo $SERIAL >"$DEV/wwn/vpd_unit_serial" || return 1
	[ "${1:-}" = no-link ] && return 0
	kt_iscsi_tpg "$T" 127.0.0.1:3260 "$DEV" demo enable=1
}

aptpl() {
	kt_py_case "$LOGS/aptpl-$1.log" "$PRPY" "aptpl-$1"
}

# the file has both registrations (keys 0xa7 = 167, 0xb7 = 183) and the
# reservation (Write Exclusive Registrants Only = 05)
aptpl_file_full() {
	local want

	for want in '^sa_res_key=167$' '^sa_res_key=183$' '^res_holder=1$' \
		    '^res_type=05$' '^initiator_sid=80' '^target_lun=0$' \
		    "^target_node=$IQN\$" '^PR_REG_END: 1$'; do
		grep -q "$want" "$APTPL" || { echo "no $want in:"; cat "$APTPL"; return 1; }
	done
}

aptpl_saved_by_file() {
	aptpl_target && aptpl check
}
