#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The iSCSI fabric's configfs tree (ktarget_iscsi) against LIO's ABI:
# nothing but discovery_auth, lio_version and cpus_allowed_list directly
# under iscsi/; target names checked; attrib/ and param/ defaults and
# ranges; auth strings with and without a trailing newline, "NULL" clears,
# root only; ACL files; portals on 127.0.0.1:3260 and [::1]:3260 (listeners
# shared between targets, duplicates within a target and bad names refused,
# iSER/cxgbit refused); every refusal leaves a kernel message and changes
# nothing; then full teardown and rmmod with the listeners gone.
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export LC_ALL=C		# glob order below
I=$KT_CFS/iscsi
IQN=iqn.2003-01.org.example.ktarget:cfs
INIT=iqn.1994-05.com.redhat:client1

# same NAME FILE VALUE: FILE reads VALUE (without its trailing newline)
same() {
	local got

	got=$(cat "$2" 2>&1)
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2 reads '$got', expected '$3'"
	fi
}

# entries NAME DIR LIST: DIR holds exactly LIST (names, C order, one space
# after each)
entries() {
	local f got=

	for f in "$2"/*; do
		got+="${f##*/} "
	done
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2 holds '$got', expected '$3'"
	fi
}

# raw NAME FILE VALUE: FILE's bytes are exactly VALUE (newline included)
raw() {
	local got

	got=$(od -An -c "$2" | tr -s ' \n' ' ')
	if [ "$got" = "$(printf '%s' "$3" | od -An -c | tr -s ' \n' ' ')" ]; then
		pass "$1"
	else
		fail "$1" "$2 holds [$got]"
	fi
}

# eperm NAME CMD...: CMD, run without CAP_SYS_ADMIN, fails with EPERM
eperm() {
	local name=$1 out

	shift
	if out=$(setpriv --bounding-set -sys_admin "$@" 2>&1); then
		fail "$name" "accepted without CAP_SYS_ADMIN: $*"
	elif [[ $out == *"not permitted"* ]]; then
		pass "$name"
	else
		fail "$name" "wrong error: $out"
	fi
}

# listening HEXPORT: a TCP or TCP6 socket listens on that port
listening() {
	grep -qiE "^ *[0-9]+: [0-9A-F]+:$1 [0-9A-F]+:0000 0A " /proc/net/tcp /proc/net/tcp6
}

# attr_range TAG DIR NAME DEFAULT MIN MAX: default, both ends accepted,
# one past each end refused, value unchanged after a refusal
attr_range() {
	local n=$1-$3 def=$4 min=$5 max=$6 f=$2/$3

	same "$n-default" "$f" "$def"
	kt_check "$n-min" kt_write "$min" "$f"
	kt_check "$n-max" kt_write "$max" "$f"
	kt_refused "$n-above" kt_write $((max + 1)) "$f"
	kt_refused "$n-below" kt_write $((min - 1)) "$f"
	kt_refused "$n-text" kt_write abc "$f"
	same "$n-unchanged" "$f" "$max"
	kt_write "$def" "$f"
}

ip link set lo up
kt_check load kt_load ktarget_iscsi || guest_summary
kt_check mkdir-iscsi mkdir "$I" || kt_abort mkdir-iscsi "no iscsi/"

# ---------------------------------------------------------------- iscsi/
entries top-level-entries "$I" \
	"cpus_allowed_list discovery_auth lio_version "
same lio-version "$I/lio_version" "ktarget iSCSI Target v1.0"
same cpus-default "$I/cpus_allowed_list" "$(cat /sys/devices/system/cpu/online)"
kt_check cpus-set kt_write 0 "$I/cpus_allowed_list"
same cpus-read "$I/cpus_allowed_list" 0
kt_refused cpus-garbage kt_write abc "$I/cpus_allowed_list"
kt_refused cpus-offline kt_write 4000 "$I/cpus_allowed_list"
same cpus-unchanged "$I/cpus_allowed_list" 0
kt_write "$(cat /sys/devices/system/cpu/online)" "$I/cpus_allowed_list"

D=$I/discovery_auth
for f in userid password userid_mutual password_mutual; do
	same "disc-$f-empty" "$D/$f" ""
done
same disc-authenticate-target "$D/authenticate_target" 0
same disc-enforce-default "$D/enforce_discovery_auth" 0
kt_check disc-enforce-set kt_write 1 "$D/enforce_discovery_auth"
kt_refused disc-enforce-range kt_write 2 "$D/enforce_discovery_auth"
same disc-enforce-read "$D/enforce_discovery_auth" 1
kt_write 0 "$D/enforce_discovery_auth"
kt_check disc-mutual kt_write mu "$D/userid_mutual"
kt_check disc-mutual-pw kt_write mupw "$D/password_mutual"
same disc-authenticate-target-on "$D/authenticate_target" 1
kt_write NULL "$D/password_mutual"
same disc-authenticate-target-off "$D/authenticate_target" 0
kt_write NULL "$D/userid_mutual"

# ---------------------------------------------------------------- names
for n in foo iqn. iqn.x%20y eui.0123 eui.0123456789abcdeg naa.123 \
	 naa.0123456789abcdef0 "iqn.$(printf 'a%.0s' $(seq 220))"; do
	kt_refused "name-bad-${n:0:12}" mkdir "$I/${n//%20/ }"
done
for n in eui.0123456789abcdef naa.6001405abcdef012 \
	 naa.6001405abcdef0123456789abcdef012 "iqn.$(printf 'a%.0s' $(seq 219))"; do
	kt_check "name-ok-${n:0:12}" mkdir "$I/$n"
	rmdir "$I/$n"
done

# ---------------------------------------------------------------- tpgt_1
T=$I/$IQN/tpgt_1
kt_check mkdir-tpg mkdir -p "$T" || kt_abort mkdir-tpg "no TPG"
entries tpg-entries "$T" \
	"acls attrib auth dynamic_sessions enable lun np param "
same tpg-enable-default "$T/enable" 0
kt_refused tpg-duplicate-tag mkdir "$I/$IQN/tpgt_01"

A=$T/attrib
attr_range tpg "$A" authentication 1 0 1
attr_range tpg "$A" login_timeout 15 5 30
attr_range tpg "$A" netif_timeout 2 2 15
attr_range tpg "$A" generate_node_acls 0 0 1
attr_range tpg "$A" default_cmdsn_depth 64 1 512
attr_range tpg "$A" cache_dynamic_acls 0 0 1
attr_range tpg "$A" demo_mode_write_protect 1 0 1
attr_range tpg "$A" prod_mode_write_protect 0 0 1
attr_range tpg "$A" demo_mode_discovery 1 0 1
attr_range tpg "$A" default_erl 0 0 2
attr_range tpg "$A" tpg_enabled_sendtargets 1 0 1
attr_range tpg "$A" login_keys_workaround 1 0 1
same t10-pi-default "$A/t10_pi" 0
kt_refused t10-pi-unsupported kt_write 1 "$A/t10_pi"
same fabric-prot-type-default "$A/fabric_prot_type" 0
kt_refused fabric-prot-type-unsupported kt_write 1 "$A/fabric_prot_type"
kt_check attrib-newline bash -c "echo 20 > $A/login_timeout"
same attrib-newline-read "$A/login_timeout" 20

# param/: LIO's files and defaults; values validated
P=$T/param
entries param-entries "$P" \
	"AuthMethod DataDigest DataPDUInOrder DataSequenceInOrder DefaultTime2Retain DefaultTime2Wait ErrorRecoveryLevel FirstBurstLength HeaderDigest IFMarkInt IFMarker ImmediateData InitialR2T MaxBurstLength MaxConnections MaxOutstandingR2T MaxRecvDataSegmentLength MaxXmitDataSegmentLength OFMarkInt OFMarker TargetAlias "
while read -r k v; do
	same "param-$k-default" "$P/$k" "$v"
done <<'EOF'
AuthMethod CHAP,None
HeaderDigest CRC32C,None
DataDigest CRC32C,None
MaxConnections 1
InitialR2T Yes
ImmediateData Yes
MaxRecvDataSegmentLength 8192
MaxXmitDataSegmentLength 262144
MaxBurstLength 262144
FirstBurstLength 65536
DefaultTime2Wait 2
DefaultTime2Retain 20
MaxOutstandingR2T 1
DataPDUInOrder Yes
DataSequenceInOrder Yes
ErrorRecoveryLevel 0
IFMarker No
OFMarker No
EOF
kt_check param-newline bash -c "echo 131072 > $P/MaxBurstLength"
same param-newline-read "$P/MaxBurstLength" 131072
kt_check param-no-newline kt_write None "$P/HeaderDigest"
same param-no-newline-read "$P/HeaderDigest" None
kt_check param-erl kt_write 2 "$P/ErrorRecoveryLevel"
kt_refused param-erl-range kt_write 3 "$P/ErrorRecoveryLevel"
kt_refused param-burst-small kt_write 100 "$P/MaxBurstLength"
kt_refused param-burst-big kt_write 16777216 "$P/MaxBurstLength"
kt_refused param-burst-text kt_write lots "$P/MaxBurstLength"
kt_refused param-digest-bogus kt_write MD5 "$P/HeaderDigest"
kt_refused param-bool-bogus kt_write maybe "$P/InitialR2T"
kt_refused param-too-long kt_write "$(printf 'x%.0s' $(seq 300))" "$P/TargetAlias"
same param-unchanged "$P/MaxBurstLength" 131072
same param-erl-unchanged "$P/ErrorRecoveryLevel" 2
kt_check param-alias kt_write "my target" "$P/TargetAlias"
same param-alias-read "$P/TargetAlias" "my target"

# auth/: newline dropped, NULL clears, 255 bytes at most, root only
auth_checks() {
	local d=$1 p=$2 long

	kt_check "$p-userid-newline" bash -c "echo user1 > $d/userid"
	raw "$p-userid-stored" "$d/userid" "user1
"
	kt_check "$p-password-plain" kt_write secret123456 "$d/password"
	same "$p-password-read" "$d/password" secret123456
	same "$p-authenticate-target-0" "$d/authenticate_target" 0
	kt_write muser "$d/userid_mutual"
	kt_check "$p-mutual-pw-newline" bash -c "echo mutualsecret1 > $d/password_mutual"
	same "$p-authenticate-target-1" "$d/authenticate_target" 1
	kt_check "$p-null-clears" kt_write NULL "$d/password_mutual"
	same "$p-null-read" "$d/password_mutual" ""
	same "$p-authenticate-target-off" "$d/authenticate_target" 0
	long=$(printf 'p%.0s' $(seq 255))
	kt_check "$p-255" kt_write "$long" "$d/password"
	kt_check "$p-255-newline" bash -c "echo $long > $d/password"
	kt_refused "$p-256" kt_write "${long}q" "$d/password"
	same "$p-256-unchanged" "$d/password" "$long"
	if command -v setpriv >/dev/null; then
		eperm "$p-read-needs-cap" cat "$d/password"
		eperm "$p-write-needs-cap" bash -c "printf x > $d/password"
		same "$p-cap-unchanged" "$d/password" "$long"
	else
		skip "$p-needs-cap" "no setpriv"
	fi
}
auth_checks "$T/auth" tpg-auth
auth_checks "$D" disc-auth

# ---------------------------------------------------------------- ACL
kt_write 32 "$A/default_cmdsn_depth"
C=$T/acls/$INIT
kt_check mkdir-acl mkdir "$C"
entries acl-entries "$C" \
	"attrib auth cmdsn_depth fabric_statistics info param tag "
kt_check acl-info grep -q "^No active iSCSI Session" "$C/info"
same acl-cmdsn-from-tpg "$C/cmdsn_depth" 32
kt_write 64 "$A/default_cmdsn_depth"
attr_range acl "$C" cmdsn_depth 32 1 512
raw acl-tag-empty "$C/tag" ""
kt_check acl-tag-set bash -c "echo group1 > $C/tag"
raw acl-tag-read "$C/tag" group1
kt_refused acl-tag-long kt_write "$(printf 't%.0s' $(seq 64))" "$C/tag"
raw acl-tag-unchanged "$C/tag" group1
kt_check acl-tag-null kt_write NULL "$C/tag"
raw acl-tag-cleared "$C/tag" ""
CA=$C/attrib
attr_range acl "$CA" dataout_timeout 3 2 60
attr_range acl "$CA" dataout_timeout_retries 5 1 15
attr_range acl "$CA" default_erl 0 0 2
attr_range acl "$CA" nopin_timeout 15 3 60
attr_range acl "$CA" nopin_response_timeout 30 3 60
attr_range acl "$CA" random_datain_pdu_offsets 0 0 1
attr_range acl "$CA" random_datain_seq_offsets 0 0 1
attr_range acl "$CA" random_r2t_offsets 0 0 1
attr_range acl "$CA" authentication -1 -1 1
attr_range acl "$CA" tmr_warm_reset 0 0 1
attr_range acl "$CA" tmr_cold_reset 0 0 1
entries acl-param-entries "$C/param" \
	"DataPDUInOrder DataSequenceInOrder DefaultTime2Retain DefaultTime2Wait ErrorRecoveryLevel FirstBurstLength ImmediateData InitialR2T MaxBurstLength MaxConnections MaxOutstandingR2T "
kt_check acl-param-readable cat "$C"/param/*
if printf 1 >"$C/param/MaxConnections" 2>/dev/null; then
	fail acl-param-read-only "write accepted"
else
	pass acl-param-read-only
fi
auth_checks "$C/auth" acl-auth

# ---------------------------------------------------------------- portals
N=$T/np
kt_check np-v4 mkdir "$N/127.0.0.1:3260"
kt_check np-v4-listens listening 0CBC
same np-iser-default "$N/127.0.0.1:3260/iser" 0
same np-cxgbit-default "$N/127.0.0.1:3260/cxgbit" 0
kt_refused np-iser-unsupported kt_write 1 "$N/127.0.0.1:3260/iser"
kt_refused np-cxgbit-unsupported kt_write 1 "$N/127.0.0.1:3260/cxgbit"
kt_check np-iser-zero kt_write 0 "$N/127.0.0.1:3260/iser"
kt_check np-v6 mkdir "$N/[::1]:3260"
kt_refused np-v4-duplicate mkdir "$N/127.0.0.1:03260"
kt_refused np-v6-duplicate mkdir "$N/[0:0::1]:3260"
kt_check np-v4-other-port mkdir "$N/127.0.0.1:3261"
kt_check np-v6-long-name mkdir "$N/[0:0:0:0:0:0:0:1]:3263"
same np-v6-long-name-iser "$N/[0:0:0:0:0:0:0:1]:3263/iser" 0
kt_refused np-v6-long-duplicate mkdir "$N/[0000:0000:0000:0000:0000:0000:0000:0001]:3263"
python3 -c 'import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 3262))
s.listen()
time.sleep(120)' &
busy=$!
for _ in $(seq 50); do listening 0CBE && break; sleep 0.1; done
kt_refused np-port-in-use mkdir "$N/127.0.0.1:3262"
kill $busy
wait $busy 2>/dev/null
for n in foo 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 300.0.0.1:3260 \
	 "[::1:3260" "[::1]3260" "::1:3260" "127.0.0.1:32x"; do
	kt_refused "np-bad-$n" mkdir "$N/$n"
done
# one TPG per portal within a target (LIO's rule: targetcli relies on it
# when it adds its default portal); other targets share the listener
T2=$I/$IQN/tpgt_2
kt_check tpg2-mkdir mkdir "$T2"
kt_refused tpg2-same-portal-refused mkdir "$T2/np/127.0.0.1:3260"
T2=$I/$IQN-2/tpgt_1
kt_check other-target-same-portal mkdir -p "$T2/np/127.0.0.1:3260"
kt_check tpg3-mkdir mkdir -p "$I/$IQN/tpgt_3"
kt_check tpg3-enable-no-portal kt_write 1 "$I/$IQN/tpgt_3/enable"
same tpg3-enabled "$I/$IQN/tpgt_3/enable" 1
kt_check tpg1-enable kt_write 1 "$T/enable"
kt_check tpg1-disable kt_write 0 "$T/enable"
same dynamic-sessions-empty "$T/dynamic_sessions" ""
kt_check np-rmdir-shared rmdir "$N/127.0.0.1:3260"
kt_check np-still-listens-for-other-target listening 0CBC
kt_check np-rmdir-other-target rmdir "$T2/np/127.0.0.1:3260"
rmdir "$T2" "${T2%/*}"
entries top-level-with-target "$I" \
	"cpus_allowed_list discovery_auth $IQN lio_version "

kt_check teardown kt_teardown
kt_check_fails no-listener-after-teardown listening 0CBC
kt_check_fails no-listener-3261 listening 0CBD
kt_check_fails no-listener-3263 listening 0CBF
guest_summary
