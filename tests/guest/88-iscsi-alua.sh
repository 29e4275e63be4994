#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 720
#
# ALUA end to end: one RAM disk is LUN 0 of two TPGs of one iSCSI target
# (portals 127.0.0.1:3260 and 127.0.0.2:3260), their ports in target port
# groups A (id 1) and B (id 2) made with mkdir alua/<name>.
# tests/iscsi/alua.py logs in through both paths and checks INQUIRY TPGS,
# the VPD 0x83 port designators, REPORT TARGET PORT GROUPS, the access
# check in standby, unavailable, transitioning and offline, SET TARGET
# PORT GROUPS and the 2Ah/06h unit attentions.  Here: the configfs text
# formats rtslib parses (alua_access_type, members, a LUN's
# alua_tg_pt_gp), the rules of tg_pt_gp_id and rmdir, and sg_rtpg and
# sg_inq through a loopback export of the same device (a third port, in
# default_tg_pt_gp).  Then targetcli-fb, unchanged, makes a group of a
# ramdisk (/backstores/ramdisk/<so>/alua create) and moves a LUN into it
# (set alua alua_tg_pt_gp_name=); saveconfig has both.  Each dialogue is
# in /tmp/alua/<case>.log.
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:alua
T1=$KT_CFS/iscsi/$IQN/tpgt_1
T2=$KT_CFS/iscsi/$IQN/tpgt_2
ALUAPY=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../iscsi/alua.py")
LOGS=/tmp/alua
mkdir -p $LOGS
DEV=$KT_CFS/core/rd_mcp_0/al0
SERIAL=ktalua0001
ALUA_MD=

setup() {
	kt_load ktarget_rd ktarget_iscsi ktarget_loop || return 1
	# dbroot must exist (LIO's rule too); the kernel makes alua/ below it
	ALUA_MD=$(cat "$KT_CFS/dbroot")/alua
	rm -rf "$ALUA_MD"
	mkdir -p "${ALUA_MD%/alua}" || return 1
	DEV=$(kt_mk_rd al0 16) || return 1
	echo $SERIAL >"$DEV/wwn/vpd_unit_serial" || return 1
	mkdir "$DEV/alua/A" "$DEV/alua/B" || return 1
	kt_write 1 "$DEV/alua/A/tg_pt_gp_id" &&
		kt_write 2 "$DEV/alua/B/tg_pt_gp_id" || return 1
	kt_iscsi_tpg "$T1" 127.0.0.1:3260 "$DEV" demo enable=1 &&
		kt_iscsi_tpg "$T2" 127.0.0.2:3260 "$DEV" demo enable=1 || return 1
	kt_write A "$T1/lun/lun_0/alua_tg_pt_gp" &&
		kt_write B "$T2/lun/lun_0/alua_tg_pt_gp"
}

# shows FILE TEXT: FILE reads exactly TEXT
shows() {
	local got

	got=$(cat "$1") || return 1
	[ "$got" = "$2" ] || { echo "$1: '$got', expected '$2'"; return 1; }
}

# refused VALUE FILE: writing VALUE to FILE fails
refused() {
	if echo "$1" 2>/dev/null >"$2"; then
		echo "$2 took '$1'"
		return 1
	fi
}

cfs_formats() {
	shows "$DEV/alua/B/alua_access_type" 'Implicit and Explicit' &&
		shows "$DEV/alua/B/alua_access_status" 'None' &&
		shows "$DEV/alua/B/alua_access_state" 0 &&
		shows "$DEV/alua/B/tg_pt_gp_id" 2 &&
		shows "$DEV/alua/default_tg_pt_gp/tg_pt_gp_id" 0 &&
		shows "$DEV/alua/B/nonop_delay_msecs" 100 &&
		shows "$DEV/alua/B/alua_support_lba_dependent" 0 &&
		shows "$DEV/alua/B/alua_support_offline" 1 &&
		shows "$DEV/alua/B/members" "iscsi/$IQN/tpgt_2/lun_0" &&
		shows "$DEV/alua/A/members" "iscsi/$IQN/tpgt_1/lun_0" &&
		shows "$DEV/alua/default_tg_pt_gp/members" '' &&
		shows <(head -n2 "$T2/lun/lun_0/alua_tg_pt_gp") \
		      "TG Port Alias: B
TG Port Group ID: 2" &&
		grep -qx 'TG Port Primary Access State: Active/Optimized' \
		     "$T2/lun/lun_0/alua_tg_pt_gp" &&
		shows "$T2/lun/lun_0/alua_tg_pt_offline" 0
}

cfs_rules() {
	refused 4 "$DEV/alua/B/alua_access_state" &&
		refused 16 "$DEV/alua/B/alua_access_state" &&
		refused 4 "$DEV/alua/B/alua_access_type" &&
		refused 1 "$DEV/alua/B/alua_support_lba_dependent" &&
		refused 1 "$DEV/alua/default_tg_pt_gp/tg_pt_gp_id" &&
		refused nosuchgroup "$T2/lun/lun_0/alua_tg_pt_gp" &&
		mkdir "$DEV/alua/C" &&
		shows "$DEV/alua/C/tg_pt_gp_id" '' &&
		refused 0 "$DEV/alua/C/tg_pt_gp_id" &&
		refused 2 "$DEV/alua/C/tg_pt_gp_id" &&
		refused 65536 "$DEV/alua/C/tg_pt_gp_id" &&
		refused C "$T2/lun/lun_0/alua_tg_pt_gp" &&
		refused 2 "$DEV/alua/C/alua_access_state" &&
		kt_write 65535 "$DEV/alua/C/tg_pt_gp_id" &&
		refused 3 "$DEV/alua/C/tg_pt_gp_id" &&
		rmdir "$DEV/alua/C" &&
		if rmdir "$DEV/alua/B" 2>/dev/null; then echo "rmdir of B with a member"; false; fi &&
		if rmdir "$DEV/alua/default_tg_pt_gp" 2>/dev/null; then echo "rmdir of the default group"; false; fi &&
		[ -d "$DEV/alua/B" ] && [ -d "$DEV/alua/default_tg_pt_gp" ]
}

# the LUN leaves B (back to default_tg_pt_gp): B can go, then comes back
cfs_move_rmdir() {
	kt_write default_tg_pt_gp "$T2/lun/lun_0/alua_tg_pt_gp" &&
		shows "$DEV/alua/B/members" '' &&
		shows "$DEV/alua/default_tg_pt_gp/members" "iscsi/$IQN/tpgt_2/lun_0" &&
		rmdir "$DEV/alua/B" && mkdir "$DEV/alua/B" &&
		kt_write 2 "$DEV/alua/B/tg_pt_gp_id" &&
		kt_write B "$T2/lun/lun_0/alua_tg_pt_gp" &&
		shows "$DEV/alua/B/members" "iscsi/$IQN/tpgt_2/lun_0"
}

# sg3_utils through a loopback export of the device (port 3, group 0)
sg_tools() {
	local sg

	kt_loop_export "$DEV" 0 || return 1
	sg=$(kt_sg_of_tpg "$KT_LOOP_TPG" 0) || return 1
	sg_inq "$sg" >"$LOGS"/sg_inq.txt 2>&1
	grep -q 'TPGS=3' "$LOGS"/sg_inq.txt || { cat "$LOGS"/sg_inq.txt; return 1; }
	sg_rtpg -d "$sg" >"$LOGS"/sg_rtpg.txt 2>&1 || { cat "$LOGS"/sg_rtpg.txt; return 1; }
	sg_rtpg -e -d "$sg" >>"$LOGS"/sg_rtpg.txt 2>&1 || { cat "$LOGS"/sg_rtpg.txt; return 1; }
	[ "$(grep -c 'target port group id' "$LOGS"/sg_rtpg.txt)" = 6 ] ||
		{ cat "$LOGS"/sg_rtpg.txt; return 1; }
	grep -qi 'standby' "$LOGS"/sg_rtpg.txt || { cat "$LOGS"/sg_rtpg.txt; return 1; }
}

# ---- ALUA metadata under <dbroot>/alua (LIO's files) ----
GP_MD=
LUN_MD=

# group C (id 3) keeps metadata: each configfs change of its state or
# status is in its file; rmdir, mkdir and the id bring them back
md_group() {
	GP_MD=$ALUA_MD/tpgs_$SERIAL/C
	mkdir "$DEV/alua/C" && kt_write 3 "$DEV/alua/C/tg_pt_gp_id" &&
		kt_write 1 "$DEV/alua/C/alua_write_metadata" &&
		kt_write 2 "$DEV/alua/C/alua_access_state" &&
		shows "$GP_MD" "tg_pt_gp_id=3
alua_access_state=0x02
alua_access_status=0x02" &&
		kt_write 1 "$DEV/alua/C/alua_access_status" &&
		shows "$GP_MD" "tg_pt_gp_id=3
alua_access_state=0x02
alua_access_status=0x01" &&
		rmdir "$DEV/alua/C" && mkdir "$DEV/alua/C" &&
		shows "$DEV/alua/C/alua_access_state" 0 &&
		kt_write 3 "$DEV/alua/C/tg_pt_gp_id" &&
		shows "$DEV/alua/C/alua_access_state" 2 &&
		shows "$DEV/alua/C/alua_access_status" 'Altered by Explicit STPG' &&
		shows "$DEV/alua/C/alua_write_metadata" 0
}

# another id than the file's: the file is ignored
md_group_other_id() {
	rmdir "$DEV/alua/C" && mkdir "$DEV/alua/C" &&
		kt_write 4 "$DEV/alua/C/tg_pt_gp_id" &&
		shows "$DEV/alua/C/alua_access_state" 0 &&
		rmdir "$DEV/alua/C"
}

# <dbroot>/alua a regular file: a state write fails, nothing changes
md_group_fail() {
	mkdir "$DEV/alua/C" && kt_write 3 "$DEV/alua/C/tg_pt_gp_id" &&
		kt_write 1 "$DEV/alua/C/alua_write_metadata" &&
		mv "$ALUA_MD" "$ALUA_MD.saved" && echo x >"$ALUA_MD" || return 1
	refused 0 "$DEV/alua/C/alua_access_state"
	local rc=$?
	rm -f "$ALUA_MD" && mv "$ALUA_MD.saved" "$ALUA_MD" || return 1
	[ $rc = 0 ] && shows "$DEV/alua/C/alua_access_state" 2 &&
		shows "$GP_MD" "tg_pt_gp_id=3
alua_access_state=0x02
alua_access_status=0x01"
}

# B's LUN keeps metadata: offline and its status are in
# <dbroot>/alua/iSCSI/<iqn>+2/lun_0; an unwritable file refuses a change
md_lun() {
	local l=$T2/lun/lun_0

	LUN_MD=$ALUA_MD/iSCSI/$IQN+2/lun_0
	kt_write 1 "$l/alua_tg_pt_write_md" &&
		kt_write 1 "$l/alua_tg_pt_offline" &&
		shows "$LUN_MD" "alua_tg_pt_offline=1
alua_tg_pt_status=0x02" &&
		kt_write 0 "$l/alua_tg_pt_offline" &&
		kt_write 1 "$l/alua_tg_pt_status" &&
		shows "$LUN_MD" "alua_tg_pt_offline=0
alua_tg_pt_status=0x01" &&
		mv "$ALUA_MD" "$ALUA_MD.saved" && echo x >"$ALUA_MD" || return 1
	refused 1 "$l/alua_tg_pt_offline"
	local rc=$?
	rm -f "$ALUA_MD" && mv "$ALUA_MD.saved" "$ALUA_MD" || return 1
	[ $rc = 0 ] && shows "$l/alua_tg_pt_offline" 0 &&
		kt_write 1 "$l/alua_tg_pt_offline" &&
		shows "$LUN_MD" "alua_tg_pt_offline=1
alua_tg_pt_status=0x02"
}

# after the modules were unloaded: the same device (serial) gets C's
# state back when C gets its id, B's LUN its offline state when exported
md_reload() {
	kt_load ktarget_rd ktarget_iscsi || return 1
	DEV=$(kt_mk_rd al0 16) || return 1
	echo $SERIAL >"$DEV/wwn/vpd_unit_serial" || return 1
	mkdir "$DEV/alua/C" && kt_write 3 "$DEV/alua/C/tg_pt_gp_id" &&
		shows "$DEV/alua/C/alua_access_state" 2 &&
		shows "$DEV/alua/C/alua_access_status" 'Altered by Explicit STPG' &&
		kt_iscsi_tpg "$T2" 127.0.0.2:3260 "$DEV" demo enable=1 &&
		shows "$T2/lun/lun_0/alua_tg_pt_offline" 1 &&
		shows "$T2/lun/lun_0/alua_tg_pt_status" 2
}

py() {
	kt_py_case "$LOGS/$1.log" "$ALUAPY" --host2 127.0.0.2 --dev "$DEV" \
		--lun-b "$T2/lun/lun_0" -t "$IQN" "$1"
}

kt_check setup setup || kt_abort setup "cannot configure the target"
kt_check alua-configfs-formats cfs_formats
kt_check alua-configfs-rules cfs_rules
for c in $(/usr/bin/python3 -E -s "$ALUAPY" --list | cut -d' ' -f1); do
	kt_check "alua-$c" py "$c"
done
kt_check alua-status-explicit shows "$DEV/alua/B/alua_access_status" 'Altered by Explicit STPG'
kt_check alua-move-rmdir cfs_move_rmdir
kt_check alua-md-group md_group
kt_check alua-md-group-other-id md_group_other_id
kt_check alua-md-group-fail md_group_fail
kt_check alua-md-lun md_lun
# the file keeps offline 1 for alua-md-reload
kt_write 0 "$T2/lun/lun_0/alua_tg_pt_write_md"
kt_write 0 "$T2/lun/lun_0/alua_tg_pt_offline"
kt_write 2 "$DEV/alua/B/alua_access_state"
kt_check alua-sg3-utils sg_tools
kt_write 0 "$DEV/alua/B/alua_access_state"
kt_check sessions-gone kt_no_sessions 15 "$T1" "$T2"
kt_check teardown kt_teardown
kt_check alua-md-reload md_reload
kt_check alua-md-teardown kt_teardown
rm -rf "$ALUA_MD"

# ---- targetcli-fb (as 65-iscsi-targetcli.sh: only ktarget_core loaded) ----
TC_IQN=iqn.2003-01.org.ktarget:alua-tcli
TC_SO=/backstores/ramdisk/alr0
TC_JSON=/root/alua-saveconfig.json
TC_LOG=$LOGS/targetcli.out
TC_DBUS=

# tcli ARGS...: one targetcli command line (output in $TC_LOG, printed)
tcli() {
	local rc

	HOME=/root timeout 90 targetcli "$@" >"$TC_LOG" 2>&1
	rc=$?
	cat "$TC_LOG"
	return $rc
}

tcli_setup() {
	command -v targetcli >/dev/null || { echo "no targetcli"; return 1; }
	mkdir -p /run/dbus
	TC_DBUS=$(dbus-daemon --system --fork --print-pid) || return 1
	kt_load || return 1
	tcli /backstores/ramdisk create alr0 16M &&
		tcli /iscsi create $TC_IQN &&
		tcli /iscsi/$TC_IQN/tpg1/luns create $TC_SO
}

tcli_group() {
	local d

	tcli $TC_SO/alua create tcgrp 7 || return 1
	tcli /iscsi/$TC_IQN/tpg1/luns/lun0 set alua alua_tg_pt_gp_name=tcgrp || return 1
	for d in "$KT_CFS"/iscsi/$TC_IQN/tpgt_1/lun/lun_0/*; do
		[ -L "$d" ] && break
	done
	d=$(dirname "$(readlink -f "$d")")
	shows "$d/alr0/alua/tcgrp/tg_pt_gp_id" 7 &&
		shows "$d/alr0/alua/tcgrp/members" "iscsi/$TC_IQN/tpgt_1/lun_0"
}

tcli_saved() {
	tcli saveconfig $TC_JSON || return 1
	/usr/bin/python3 -E -s - "$TC_JSON" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
so = [s for s in cfg["storage_objects"] if s["name"] == "alr0"][0]
gps = {g["name"]: g for g in so["alua_tpgs"]}
assert gps["tcgrp"]["tg_pt_gp_id"] == 7, gps
assert gps["tcgrp"]["alua_access_type"] == 3, gps
assert gps["default_tg_pt_gp"]["tg_pt_gp_id"] == 0, gps
lun = cfg["targets"][0]["tpgs"][0]["luns"][0]
assert lun["alua_tg_pt_gp_name"] == "tcgrp", lun
PY
}

tcli_done() {
	tcli clearconfig confirm=True
	[ -n "$TC_DBUS" ] && kill "$TC_DBUS"
	kt_teardown
}

kt_check tcli-setup tcli_setup
kt_check tcli-alua-group tcli_group
kt_check tcli-saveconfig-alua tcli_saved
kt_check tcli-teardown tcli_done
kt_check dmesg-clean kt_dmesg_clean
[ -d /ktout ] && cp -r $LOGS /ktout/ 2>/dev/null
guest_summary
