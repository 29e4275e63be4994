#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 1500
#
# The iSCSI fabric with real initiators over 127.0.0.1: libiscsi's
# iscsi-ls/iscsi-inq, open-iscsi discovery and login without auth, with
# CHAP (a wrong secret is refused), with mutual CHAP and with digests;
# mkfs/checksum/fsck and fio verify on a file LUN; the same bytes with
# zero-copy Data-In on and off; 100 login/logout cycles; discovery of a
# target with 60 portals by an open-iscsi that takes at most 512 bytes per
# PDU (the answer comes in several Text Responses).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:test
INI=iqn.2004-10.org.ktarget:initiator
T=$KT_CFS/iscsi/$IQN/tpgt_1
ACL=$T/acls/$INI
URL=iscsi://127.0.0.1/$IQN/0
MNT=/mnt/kti

iscsi_setup() {
	local dev

	kt_load ktarget_file ktarget_iscsi || return 1
	dev=$(kt_mk_file f0 /root/kti-f0.img 128) || return 1
	kt_iscsi_tpg "$T" 127.0.0.1:3260 "$dev" || return 1
	mkdir -p "$ACL/lun_0" || return 1
	ln -s "$T/lun/lun_0" "$ACL/lun_0/map" || return 1
	kt_write 0 "$T/attrib/authentication" &&
		kt_write 1 "$T/enable"
}

# node_set KEY VALUE: an iscsiadm node setting of our target
node_set() {
	iscsiadm -m node -T "$IQN" -p 127.0.0.1 -o update -n "$1" -v "$2" >/dev/null
}

login() {
	timeout 60 iscsiadm -m node -T "$IQN" -p 127.0.0.1 --login >/dev/null 2>&1
}

logout() {
	timeout 60 iscsiadm -m node -T "$IQN" -p 127.0.0.1 --logout >/dev/null 2>&1
}

fs_cycle() {
	local sd=$1

	mkfs.ext4 -q -F "$sd" && mkdir -p $MNT && mount "$sd" $MNT &&
		head -c 20000000 /dev/urandom >$MNT/a &&
		sha256sum $MNT/a >/tmp/a.sum && umount $MNT &&
		echo 3 >/proc/sys/vm/drop_caches && mount "$sd" $MNT &&
		sha256sum -c --quiet /tmp/a.sum && umount $MNT &&
		fsck.ext4 -fn "$sd" >/dev/null
}

fio_verify() {
	fio --name=kti --filename="$1" --direct=1 --ioengine=libaio \
	    --rw=randrw --bsrange=4k-256k --iodepth=16 --size=48m \
	    --verify=crc32c --do_verify=1 --verify_fatal=1 \
	    --output=/tmp/fio.out >/dev/null 2>&1 ||
		{ tail -n 20 /tmp/fio.out; return 1; }
}

kt_check setup iscsi_setup || kt_abort setup "cannot configure the target"

# libiscsi utilities
kt_check iscsi-ls bash -c "timeout 30 iscsi-ls -i $INI iscsi://127.0.0.1 | grep -q '$IQN'"
kt_check iscsi-inq bash -c "timeout 30 iscsi-inq -i $INI $URL | grep -q 'Vendor:LIO-ORG'"
kt_check unknown-initiator-refused bash -c \
	"! timeout 30 iscsi-inq -i iqn.2004-10.org.ktarget:stranger $URL"

# open-iscsi without authentication
kt_iscsid_start "$INI"
kt_check discovery bash -c \
	"timeout 60 iscsiadm -m discovery -t st -p 127.0.0.1 | grep -q '127.0.0.1:3260,1 $IQN'"
kt_check login-none login
sd=$(kt_iscsi_disk) || fail disk "no disk after login"
if [ -n "$sd" ]; then
	kt_check fs-checksum-fsck fs_cycle "$sd"
	kt_check fio-verify fio_verify "$sd"
fi
kt_check logout-none logout

# CHAP: the secret written with a newline, as echo does, must work
kt_write 1 "$T/attrib/authentication"
echo user1 >"$ACL/auth/userid"
echo secret-one-12 >"$ACL/auth/password"
node_set node.session.auth.authmethod CHAP
node_set node.session.auth.username user1
node_set node.session.auth.password wrong-secret-9
kt_check_fails chap-wrong-secret login
node_set node.session.auth.password secret-one-12
kt_check chap-login login
read_some() {
	local sd

	sd=$(kt_iscsi_disk) && dd if="$sd" of=/dev/null bs=1M count=4 iflag=direct status=none
}
kt_check chap-io read_some
kt_check chap-logout logout

# mutual CHAP and digests
echo target1 >"$ACL/auth/userid_mutual"
echo secret-two-345 >"$ACL/auth/password_mutual"
node_set node.session.auth.username_in target1
node_set node.session.auth.password_in secret-two-345
node_set node.conn[0].iscsi.HeaderDigest CRC32C
node_set node.conn[0].iscsi.DataDigest CRC32C
kt_check mutual-chap-digests-login login
sd=$(kt_iscsi_disk) || fail disk-digests "no disk after login"
[ -n "$sd" ] && kt_check digests-fio-verify fio_verify "$sd"
# Data-In goes to TCP by reference (ktarget_iscsi.zerocopy=1) or copied:
# both must deliver the same bytes.
zc_same_data() {
	local p=/sys/module/ktarget_iscsi/parameters/zerocopy a b

	[ "$(cat $p)" = Y ] || return 1
	a=$(dd if="$1" bs=1M count=32 iflag=direct status=none | sha256sum)
	echo 0 >$p
	b=$(dd if="$1" bs=1M count=32 iflag=direct status=none | sha256sum)
	echo 1 >$p
	[ -n "$a" ] && [ "$a" = "$b" ]
}
[ -n "$sd" ] && kt_check zerocopy-same-data zc_same_data "$sd"
kt_check mutual-chap-logout logout

# 100 logins and logouts (libiscsi), then no session may be left
kt_write 0 "$T/attrib/authentication"
cycles() {
	local i

	for i in $(seq 100); do
		timeout 30 iscsi-inq -i "$INI" "$URL" >/dev/null || return 1
	done
}
kt_check login-logout-100 cycles
kt_check no-session-left grep -q 'No active iSCSI Session' "$ACL/info"

# a SendTargets answer (about 2 KiB) over an initiator's
# MaxRecvDataSegmentLength of 512: several Text Responses (C bit)
MANY=iqn.2003-01.org.ktarget:many-portals
many_setup() {
	local t=$KT_CFS/iscsi/$MANY/tpgt_1 i

	for i in $(seq 10 69); do
		mkdir -p "$t/np/127.0.0.$i:3260" || return 1
	done
	kt_write 1 "$t/attrib/generate_node_acls" &&
		kt_write 0 "$t/attrib/authentication" &&
		kt_write 1 "$t/enable"
}

# discover_many CMD...: CMD lists every one of the 60 portals
discover_many() {
	local n

	n=$("$@" 2>&1 | grep -F "$MANY" | grep -c '127\.0\.0\.[1-6][0-9]:3260,1')
	[ "$n" -eq 60 ] || { echo "$n portals of $MANY, expected 60"; return 1; }
}

discoverydb() {
	iscsiadm -m discoverydb -t st -p 127.0.0.1 "$@"
}

kt_check many-portals-setup many_setup
kt_check iscsi-ls-60-portals discover_many timeout 30 iscsi-ls -i "$INI" iscsi://127.0.0.1
discoverydb -o new >/dev/null
discoverydb -o update -n discovery.sendtargets.iscsi.MaxRecvDataSegmentLength -v 512 >/dev/null
kt_check discovery-60-portals-512 discover_many timeout 60 iscsiadm -m discoverydb -t st -p 127.0.0.1 --discover
iscsiadm -m node -T "$MANY" -o delete >/dev/null 2>&1

pkill iscsid
kt_check teardown kt_teardown
guest_summary
