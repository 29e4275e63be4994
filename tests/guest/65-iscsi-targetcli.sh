#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 1200
#
# Debian's targetcli-fb and rtslib-fb drive the iSCSI fabric unchanged, as
# an LIO user would: fileio and block backstores, a target (its default
# portal 0.0.0.0:3260 replaced by 127.0.0.1:3260; a second TPG gets no
# default portal, since a target's TPGs cannot share one), two LUNs, an
# ACL with CHAP, authentication=1, TPG parameters, ACL attributes and
# discovery CHAP, all made with targetcli; ls / get attribute / get
# parameter; logins with libiscsi (wrong or missing secrets refused) and
# open-iscsi (a pattern written and read back); "sessions detail" while
# logged in (rtslib parses acls/<ini>/info); saveconfig, clearconfig
# (configfs left empty), restoreconfig without errors, and the same logins
# and data again; a registration made with APTPL=1 (sg_persist) is in the
# kernel's file under dbroot before the save and back after the restore
# (rtslib re-injects it through pr/res_aptpl_metadata). Only ktarget_core is loaded by hand, so rtslib's mkdir of
# target/ succeeds and it never modprobes LIO's target_core_mod; our core
# loads the backstores and ktarget_iscsi itself.
#
# targetcli costs 10-20 s per call under TCG (mostly Python imports over
# 9p), so the script keeps to about 20 calls.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:targetcli
INI=iqn.2004-10.org.ktarget:tcli-initiator
CHAP_USER=tcliuser
CHAP_PASS=tcli-secret-1234
DISC_USER=tclidisc
DISC_PASS=tcli-disc-secret-5
IMG=/root/ktc-f0.img
JSON=/root/kt.json
T=$KT_CFS/iscsi/$IQN/tpgt_1
T2=$KT_CFS/iscsi/$IQN/tpgt_2
TPG=/iscsi/$IQN/tpg1
URL=iscsi://$CHAP_USER%$CHAP_PASS@127.0.0.1/$IQN/0
LOG=/tmp/tcli.out
PAT=/root/ktc-pattern	# 4 MiB written at 1 MiB into the LUN
DBUS_PID=

# tcli ARGS...: one targetcli command line, as a user types it; its
# output is kept in $LOG (and printed, for kt_check's failure line)
tcli() {
	local rc

	HOME=/root timeout 60 targetcli "$@" >"$LOG" 2>&1
	rc=$?
	cat "$LOG"
	return $rc
}

# tcli_has ARGS... -- PATTERN...: targetcli ARGS succeeds and prints
# every PATTERN (grep regexes)
tcli_has() {
	local args=() p

	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	tcli "${args[@]}" >/dev/null || { cat "$LOG"; return 1; }
	for p in "$@"; do
		grep -q -- "$p" "$LOG" || { echo "no '$p' in: targetcli ${args[*]}"; return 1; }
	done
}

services_start() {
	ip link set lo up
	# targetcli looks for tcmu-runner on the system bus; without a bus it
	# does nothing at all
	mkdir -p /run/dbus
	DBUS_PID=$(dbus-daemon --system --fork --print-pid) || return 1
	modprobe -a iscsi_tcp sd_mod sg || return 1
	modprobe brd rd_nr=1 rd_size=16384 || return 1
	mkdir -p /etc/iscsi /run/lock/iscsi /var/lib/iscsi
	echo "InitiatorName=$INI" >/etc/iscsi/initiatorname.iscsi
	iscsid || return 1
	sleep 1
}

services_stop() {
	[ -s /run/iscsid.pid ] && kill "$(cat /run/iscsid.pid)"
	[ -n "$DBUS_PID" ] && kill "$DBUS_PID"
}

# listening HEXADDR: a TCP socket listens on HEXADDR:3260 (/proc/net/tcp)
listening() {
	grep -qiE "^ *[0-9]+: $1:0CBC [0-9A-F]+:0000 0A " /proc/net/tcp
}

# ---------------------------------------------------------------- 1. make
mk_backstores() {
	tcli /backstores/fileio create name=f0 file_or_dev=$IMG size=64M \
		write_back=false &&
		tcli /backstores/block create name=b0 dev=/dev/ram0
}

# a target: targetcli adds its default portal 0.0.0.0:3260, which listens
mk_target() {
	tcli /iscsi create $IQN || return 1
	[ -d "$T/np/0.0.0.0:3260" ] || { echo "no default portal"; return 1; }
	listening 00000000 || { echo "nothing listens on 0.0.0.0:3260"; return 1; }
}

# a second TPG: the default portal is tpgt_1's already, so targetcli (as
# with LIO) says it cannot add it
mk_tpg2() {
	tcli /iscsi/$IQN create 2 || return 1
	grep -q "Default portal not created" "$LOG" || return 1
	[ -d "$T2" ] || { echo "no tpgt_2"; return 1; }
	[ -z "$(ls "$T2/np")" ] || { echo "tpgt_2 has portals: $(ls "$T2/np")"; return 1; }
}

mk_luns() {
	tcli $TPG/luns create /backstores/fileio/f0 &&
		tcli $TPG/luns create /backstores/block/b0
}

# the core loaded what the tree needs; LIO's modules stay out
autoloaded() {
	local m

	for m in ktarget_file ktarget_iblock ktarget_iscsi; do
		[ -n "$(kt_loaded $m)" ] || { echo "$m not loaded"; return 1; }
	done
	no_lio_modules
}

# the default portal replaced by 127.0.0.1:3260
swap_portal() {
	tcli $TPG/portals delete 0.0.0.0 3260 &&
		tcli $TPG/portals create 127.0.0.1 3260 || return 1
	[ ! -e "$T/np/0.0.0.0:3260" ] || { echo "0.0.0.0:3260 left"; return 1; }
	! listening 00000000 || { echo "0.0.0.0:3260 still listens"; return 1; }
	listening 0100007F || { echo "nothing listens on 127.0.0.1:3260"; return 1; }
}

mk_acl() {
	tcli $TPG/acls create $INI &&
		tcli $TPG/acls/$INI set auth userid=$CHAP_USER password=$CHAP_PASS
}

set_attrs() {
	tcli $TPG set attribute authentication=1 &&
		tcli $TPG set parameter MaxRecvDataSegmentLength=65536 \
			DefaultTime2Wait=3 &&
		tcli $TPG/acls/$INI set attribute dataout_timeout=5
}

# file VALUE PATH: the configfs file PATH reads VALUE
file() {
	local got

	got=$(cat "$2") || return 1
	[ "$got" = "$1" ] || { echo "$2 reads '$got', not '$1'"; return 1; }
}

# links DIR: DIR holds exactly one symlink
links() {
	[ "$(find "$1" -maxdepth 1 -type l | wc -l)" = 1 ] ||
		{ echo "$1 does not hold one link"; return 1; }
}

# the configfs tree is the one asked for (after the commands or a restore)
check_configfs() {
	local so

	so=$(echo "$KT_CFS"/core/fileio_*/f0)
	[ -d "$so" ] || { echo "no core/fileio_N/f0"; return 1; }
	grep -q "File: $IMG " "$so/info" || { cat "$so/info"; return 1; }
	grep -q "O_DSYNC" "$so/info" || { echo "write_back=false is not O_DSYNC"; return 1; }
	[ "$(stat -c %s $IMG)" = $((64 << 20)) ] || { echo "$IMG size"; return 1; }
	so=$(echo "$KT_CFS"/core/iblock_*/b0)
	grep -q "UDEV PATH: /dev/ram0 " "$so/info" || { cat "$so/info"; return 1; }
	links "$T/lun/lun_0" && links "$T/acls/$INI/lun_0" &&
		links "$T/lun/lun_1" && links "$T/acls/$INI/lun_1" || return 1
	[ -d "$T2" ] && [ -z "$(ls "$T2/np")" ] || { echo "tpgt_2 not as made"; return 1; }
	[ -d "$T/np/127.0.0.1:3260" ] || { echo "no portal"; return 1; }
	file 1 "$T/enable" &&
		file 1 "$T/attrib/authentication" &&
		file 65536 "$T/param/MaxRecvDataSegmentLength" &&
		file 3 "$T/param/DefaultTime2Wait" &&
		file 5 "$T/acls/$INI/attrib/dataout_timeout" &&
		file $CHAP_USER "$T/acls/$INI/auth/userid" &&
		file $CHAP_PASS "$T/acls/$INI/auth/password" &&
		file 1 "$KT_CFS/iscsi/discovery_auth/enforce_discovery_auth" &&
		file $DISC_USER "$KT_CFS/iscsi/discovery_auth/userid"
}

# ---------------------------------------------------------------- 3. use
inq_chap() {
	timeout 30 iscsi-inq -i $INI "$URL" >"$LOG" 2>&1 || { cat "$LOG"; return 1; }
	grep -q 'Vendor:LIO-ORG' "$LOG" || { cat "$LOG"; return 1; }
}

inq_refused() {
	! timeout 30 iscsi-inq -i $INI "$1" >/dev/null 2>&1
}

# SendTargets with discovery CHAP (libiscsi)
disc_chap() {
	timeout 30 iscsi-ls -i $INI "iscsi://$DISC_USER%$DISC_PASS@127.0.0.1" >"$LOG" 2>&1 &&
		grep -q "Target:$IQN" "$LOG" || { cat "$LOG"; return 1; }
}

disc_refused() {
	! timeout 30 iscsi-ls -i $INI "$1" >/dev/null 2>&1
}

# open-iscsi: discovery with CHAP, then the node's session CHAP
discover() {
	local db=(iscsiadm -m discoverydb -t st -p 127.0.0.1)

	"${db[@]}" -o new >/dev/null &&
		"${db[@]}" -o update -n discovery.sendtargets.auth.authmethod -v CHAP &&
		"${db[@]}" -o update -n discovery.sendtargets.auth.username -v $DISC_USER &&
		"${db[@]}" -o update -n discovery.sendtargets.auth.password -v $DISC_PASS &&
		timeout 60 "${db[@]}" --discover >"$LOG" 2>&1 &&
		grep -q "127.0.0.1:3260,1 $IQN" "$LOG" || { cat "$LOG"; return 1; }
	node_set node.session.auth.authmethod CHAP &&
		node_set node.session.auth.username $CHAP_USER &&
		node_set node.session.auth.password $CHAP_PASS
}

node_set() {
	iscsiadm -m node -T $IQN -p 127.0.0.1 -o update -n "$1" -v "$2" >/dev/null
}

login() {
	timeout 60 iscsiadm -m node -T $IQN -p 127.0.0.1 --login
}

logout() {
	timeout 60 iscsiadm -m node -T $IQN -p 127.0.0.1 --logout
}

write_pattern() {
	local sd

	sd=$(kt_iscsi_disk) || return 1
	head -c $((4 << 20)) /dev/urandom >$PAT &&
		dd if=$PAT of="$sd" bs=1M seek=1 oflag=direct conv=fsync status=none
}

# read_back [FILE]: the pattern is at 1 MiB of the LUN's disk (or of FILE)
read_back() {
	local src=$1 flag=

	if [ -z "$src" ]; then
		src=$(kt_iscsi_disk) || return 1
		flag=iflag=direct
	fi
	# shellcheck disable=SC2086
	dd if="$src" bs=1M skip=1 count=4 $flag status=none | cmp - $PAT
}

# ---------------------------------------------------------------- APTPL
APTPL_KEY=0xa5a5

# a registration with APTPL=1 through the open-iscsi disk: in the file
aptpl_register() {
	local sd wwn file

	sd=$(kt_iscsi_disk) || return 1
	sg_persist --out --register --param-sark=$APTPL_KEY --param-aptpl \
		"$sd" >/dev/null || return 1
	wwn=$(sed 's/.*: //' "$KT_CFS"/core/fileio_*/f0/wwn/vpd_unit_serial)
	file=$(cat "$KT_CFS/dbroot")/pr/aptpl_$wwn
	grep -q "^sa_res_key=$((APTPL_KEY))$" "$file" || { echo "not in $file"; return 1; }
}

aptpl_restored() {
	local sd

	sd=$(kt_iscsi_disk) || return 1
	sg_persist --in --read-keys "$sd" >/tmp/keys.out 2>&1
	grep -q "$APTPL_KEY" /tmp/keys.out || { cat /tmp/keys.out; return 1; }
	grep -q '^1$' "$KT_CFS"/core/fileio_*/f0/pr/res_aptpl_active
}

# open-iscsi's new session has another ISID, so it is another I_T nexus
# than the restored registration (enforce_pr_isids=1): it registers with
# REGISTER AND IGNORE EXISTING KEY, then CLEARs, as cluster agents do
aptpl_clear() {
	local sd

	sd=$(kt_iscsi_disk) || return 1
	sg_persist --out --register-ignore --param-sark=$APTPL_KEY \
		"$sd" >/dev/null &&
		sg_persist --out --clear --param-rk=$APTPL_KEY "$sd" >/dev/null &&
		sg_persist --in --read-keys "$sd" | grep -q 'NO registered'
}

# ---------------------------------------------------------------- 5. show
sessions_detail() {
	tcli sessions detail >/dev/null || { cat "$LOG"; return 1; }
	grep -q "type: Normal session-state: LOGGED_IN" "$LOG" &&
		grep -q "name: $INI" "$LOG" &&
		grep -q "mapped-lun: 0 backstore: fileio/f0 mode: rw" "$LOG" &&
		grep -q "mapped-lun: 1 backstore: block/b0 mode: rw" "$LOG" &&
		grep -q "address: 127.0.0.1 (TCP)  cid: 0 connection-state: LOGGED_IN" "$LOG" ||
		{ cat "$LOG"; echo "sessions detail: not the session"; return 1; }
}

# ---------------------------------------------------------------- 4. save
check_json() {
	local wwn

	wwn=$(sed 's/.*: *//' "$(echo "$KT_CFS"/core/fileio_*/f0)/wwn/vpd_unit_serial")
	python3 - "$JSON" <<-EOF
	import json, sys
	c = json.load(open(sys.argv[1]))
	so = [s for s in c["storage_objects"] if s["name"] == "f0"]
	assert so and so[0]["plugin"] == "fileio" and so[0]["dev"] == "$IMG", so
	assert so[0]["write_back"] is False and so[0]["size"] == 64 << 20, so
	assert so[0]["wwn"] == "$wwn", so
	so = [s for s in c["storage_objects"] if s["name"] == "b0"]
	assert so and so[0]["plugin"] == "block" and so[0]["dev"] == "/dev/ram0", so
	assert so[0]["attributes"]["emulate_write_cache"] == 0, so
	fm = [f for f in c["fabric_modules"] if f["name"] == "iscsi"]
	assert fm and fm[0]["discovery_enable_auth"], fm
	assert fm[0]["discovery_userid"] == "$DISC_USER", fm
	t = [t for t in c["targets"] if t["wwn"] == "$IQN"]
	assert t and t[0]["fabric"] == "iscsi", t
	tpgs = dict((g["tag"], g) for g in t[0]["tpgs"])
	assert sorted(tpgs) == [1, 2] and tpgs[2]["portals"] == [], tpgs
	tpg = tpgs[1]
	assert tpg["enable"], tpg
	assert tpg["attributes"]["authentication"] == 1, tpg
	assert tpg["parameters"]["MaxRecvDataSegmentLength"] == "65536", tpg
	assert sorted((l["index"], l["storage_object"]) for l in tpg["luns"]) == \
	       [(0, "/backstores/fileio/f0"), (1, "/backstores/block/b0")], \
	       tpg["luns"]
	assert [(p["ip_address"], p["port"]) for p in tpg["portals"]] == \
	       [("127.0.0.1", 3260)], tpg["portals"]
	acl = [a for a in tpg["node_acls"] if a["node_wwn"] == "$INI"]
	assert acl and acl[0]["chap_userid"] == "$CHAP_USER", acl
	assert acl[0]["chap_password"] == "$CHAP_PASS", acl
	assert acl[0]["attributes"]["dataout_timeout"] == 5, acl
	assert sorted((m["index"], m["tpg_lun"]) for m in acl[0]["mapped_luns"]) == \
	       [(0, 0), (1, 1)], acl
	EOF
}

# nothing of ours left in configfs but the iscsi/ fabric folder
configfs_empty() {
	local left

	left=$(find "$KT_CFS/core" -mindepth 1 -maxdepth 1 -name '*_*')
	[ -z "$left" ] || { echo "left in core/: $left"; return 1; }
	left=$(find "$KT_CFS/iscsi" -mindepth 1 -maxdepth 1 -type d ! -name discovery_auth)
	[ -z "$left" ] || { echo "left in iscsi/: $left"; return 1; }
	file 0 "$KT_CFS/iscsi/discovery_auth/enforce_discovery_auth" || return 1
	! listening 0100007F || { echo "127.0.0.1:3260 still listens"; return 1; }
	[ -s $IMG ] || { echo "clearconfig removed $IMG"; return 1; }
}

# restoreconfig returns 0 for a missing file: check that it said so
restore() {
	tcli restoreconfig $JSON >/dev/null || { cat "$LOG"; return 1; }
	grep -q "Configuration restored from $JSON" "$LOG" || { cat "$LOG"; return 1; }
}

no_lio_modules() {
	local m

	for m in target_core_mod iscsi_target_mod target_core_file target_core_iblock; do
		[ -z "$(kt_loaded $m)" ] || { echo "LIO's $m is loaded"; return 1; }
	done
}

# ---------------------------------------------------------------- run
kt_check services services_start || kt_abort services "no dbus/iscsid"
kt_check load kt_load ktarget_core || kt_abort load "cannot load ktarget_core"

# 1. configure with targetcli
kt_check tcli-backstores mk_backstores || kt_abort tcli-backstores "$(tail -n1 $LOG)"
kt_check tcli-target-default-portal mk_target || kt_abort tcli-target "$(tail -n1 $LOG)"
kt_check tcli-tpg2-no-default-portal mk_tpg2
kt_check tcli-portal-swap swap_portal
kt_check tcli-luns mk_luns
kt_check tcli-acl-chap mk_acl
kt_check tcli-attributes-parameters set_attrs
kt_check tcli-discovery-auth tcli /iscsi set discovery_auth enable=1 \
	userid=$DISC_USER password=$DISC_PASS
kt_check configfs-tree check_configfs
kt_check modules-autoloaded autoloaded

# 2. what targetcli shows
kt_check tcli-ls tcli_has ls -- \
	"o- f0 .*\[$IMG (64.0MiB) write-thru activated\]" \
	"o- lun0 .*\[fileio/f0 ($IMG) (default_tg_pt_gp)\]" \
	"o- lun1 .*\[block/b0 (/dev/ram0) (default_tg_pt_gp)\]" \
	"o- $INI .*\[1-way auth, Mapped LUNs: 2\]" \
	"o- mapped_lun0 .*\[lun0 fileio/f0 (rw)\]" \
	"o- 127.0.0.1:3260 .*\[OK\]"
kt_check tcli-get-attribute tcli_has $TPG get attribute -- \
	"^authentication=1" "^default_cmdsn_depth=64" "^login_timeout=15"
kt_check tcli-get-parameter tcli_has $TPG get parameter -- \
	"^MaxRecvDataSegmentLength=65536" "^DefaultTime2Wait=3" \
	"^AuthMethod=CHAP,None" "^TargetAlias="

# 3. logins and data
kt_check disc-chap disc_chap
kt_check disc-no-chap-refused disc_refused "iscsi://127.0.0.1"
kt_check disc-wrong-secret-refused disc_refused \
	"iscsi://$DISC_USER%wrong-secret-99@127.0.0.1"
kt_check chap-inquiry inq_chap
kt_check chap-wrong-secret-refused inq_refused \
	"iscsi://$CHAP_USER%wrong-secret-99@127.0.0.1/$IQN/0"
kt_check no-chap-refused inq_refused "iscsi://127.0.0.1/$IQN/0"
kt_check open-iscsi-discovery discover
kt_check login login
kt_check write-pattern write_pattern
kt_check read-back read_back
kt_check aptpl-register aptpl_register
# 5. the session as targetcli sees it
kt_check sessions-detail sessions_detail
kt_check logout logout
kt_check pattern-in-file read_back $IMG

# 4. save, clear, restore
kt_check saveconfig tcli saveconfig $JSON
kt_check saveconfig-json check_json
kt_check clearconfig tcli clearconfig confirm=True
kt_check clearconfig-empty configfs_empty
kt_check inquiry-after-clear-refused inq_refused "$URL"
kt_check restoreconfig restore
kt_check restored-configfs-tree check_configfs
kt_check restored-disc-chap disc_chap
kt_check restored-chap-inquiry inq_chap
kt_check restored-wrong-secret-refused inq_refused \
	"iscsi://$CHAP_USER%wrong-secret-99@127.0.0.1/$IQN/0"
kt_check restored-login login
kt_check restored-read-back read_back
kt_check restored-aptpl-registration aptpl_restored
kt_check aptpl-clear aptpl_clear
kt_check restored-logout logout

# 6. teardown
kt_check final-clearconfig tcli clearconfig confirm=True
kt_check final-clearconfig-empty configfs_empty
services_stop
kt_check no-lio-modules no_lio_modules
kt_check teardown kt_teardown
kt_check no-lio-modules-after-rmmod no_lio_modules
rmmod brd
guest_summary
