#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 600
#
# Persistent reservations as real initiators use them.  Loopback fabric:
# sg_persist registers, reserves, reads keys, reservation and
# capabilities, releases and unregisters on the LUN's /dev/sdX.  iSCSI:
# two cluster nodes (open-iscsi ifaces with their own initiator names,
# one ACL each) fence each other the way cluster software does: both
# register, node 1 reserves Write Exclusive Registrants Only, both write;
# node 2 preempts and aborts node 1, whose writes then get RESERVATION
# CONFLICT (sg_raw and the block layer) while node 2's land; the data of
# both is intact when read back.  Then dmesg must be clean and rmmod work.
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IQN=iqn.2003-01.org.ktarget:fence
N1=iqn.2004-10.org.ktarget:node1
N2=iqn.2004-10.org.ktarget:node2
T=$KT_CFS/iscsi/$IQN/tpgt_1
K1=0x1111
K2=0x2222
WE_RO=5

# ---- loopback: sg_persist on one nexus ----

SD=

loop_setup() {
	local dev

	kt_load ktarget_rd ktarget_loop || return 1
	dev=$(kt_mk_rd lp 16) && kt_loop_export "$dev" 0 &&
		SD=$(kt_wait_disk 0)
}

# persist ARGS...: sg_persist on $SD with output in /tmp/persist.out
persist() {
	sg_persist "$@" "$SD" >/tmp/persist.out 2>&1 ||
		{ cat /tmp/persist.out; return 1; }
}

# shows REGEX: the last sg_persist output matches
shows() {
	grep -Eqi "$1" /tmp/persist.out || { cat /tmp/persist.out; return 1; }
}

loop_register() {
	persist --out --register --param-sark=$K1 &&
		persist --in --read-keys && shows "$K1"
}

loop_reserve() {
	persist --out --reserve --param-rk=$K1 --prout-type=1 &&
		persist --in --read-reservation && shows 'Key *= *'"$K1" &&
		shows 'type: Write Exclusive'
}

loop_capabilities() {
	persist --in --report-capabilities &&
		shows 'Power Loss Capable ?\(PTPL_C\): *1'
}

loop_release() {
	persist --out --release --param-rk=$K1 --prout-type=1 &&
		persist --in --read-reservation && shows 'no reservation' &&
		persist --out --register --param-rk=$K1 --param-sark=0 &&
		persist --in --read-keys && shows 'no registered reservation keys'
}

kt_check loop-setup loop_setup || kt_abort loop-setup "cannot export a loopback LUN"
kt_check loop-register loop_register
kt_check loop-reserve loop_reserve
kt_check loop-holder-shown grep -q 'SPC-3 Reservation:' \
	"$KT_CFS"/core/rd_mcp_*/lp/pr/res_holder
kt_check loop-capabilities loop_capabilities
kt_check loop-release loop_release
kt_check loop-teardown kt_teardown

# ---- iSCSI: two nodes fence each other ----

declare -A DISK

fence_setup() {
	local dev ini

	kt_load ktarget_file ktarget_iscsi || return 1
	dev=$(kt_mk_file f0 /root/kt-fence.img 64) || return 1
	kt_iscsi_tpg "$T" 127.0.0.1:3260 "$dev" || return 1
	for ini in $N1 $N2; do
		mkdir -p "$T/acls/$ini/lun_0" &&
			ln -s "$T/lun/lun_0" "$T/acls/$ini/lun_0/map" || return 1
	done
	kt_write 0 "$T/attrib/authentication" && kt_write 1 "$T/enable"
}

# node_login N INITIATOR: log in through the open-iscsi iface nN
node_login() {
	iscsiadm -m iface -I "n$1" -o new >/dev/null &&
		iscsiadm -m iface -I "n$1" -o update -n iface.initiatorname \
			-v "$2" >/dev/null &&
		timeout 60 iscsiadm -m discovery -t st -p 127.0.0.1 -I "n$1" \
			>/dev/null &&
		timeout 60 iscsiadm -m node -T $IQN -p 127.0.0.1 -I "n$1" \
			--login >/dev/null
}

nodes_up() {
	kt_iscsid_start $N1
	node_login 1 $N1 && node_login 2 $N2 || return 1
	DISK[1]=$(kt_iscsi_disk initiatorname $N1) && DISK[2]=$(kt_iscsi_disk initiatorname $N2) || return 1
	[ "${DISK[1]}" != "${DISK[2]}" ] || { echo "one disk for both"; return 1; }
}

# on N ARGS...: sg_persist through node N's disk
on() {
	local n=$1

	shift
	SD=${DISK[$n]} persist "$@"
}

# block_file BYTE: one 512-byte block of BYTE in /tmp/blk.BYTE
block_file() {
	head -c 512 /dev/zero | tr '\0' "\\$(printf '%03o' "$1")" >"/tmp/blk.$1"
}

# raw_write N LBA BYTE: WRITE(10) of one block through node N (LBA < 65536);
# prints sg_raw's report
raw_write() {
	block_file "$3"
	sg_raw -s 512 -i "/tmp/blk.$3" "${DISK[$1]}" 2a 00 00 00 \
		"$(printf %02x $(($2 >> 8)))" "$(printf %02x $(($2 & 255)))" \
		00 00 01 00 2>&1
}

# dd_write N LBA BYTE: one block through node N's block layer, O_DIRECT
dd_write() {
	block_file "$3"
	dd if="/tmp/blk.$3" of="${DISK[$1]}" bs=512 seek="$2" count=1 \
		oflag=direct conv=notrunc status=none 2>&1
}

# reads_back N LBA BYTE: node N reads the block and finds BYTE in it
reads_back() {
	block_file "$3"
	dd if="${DISK[$1]}" bs=512 skip="$2" count=1 iflag=direct status=none |
		cmp -s - "/tmp/blk.$3" || { echo "LBA $2 read by node $1 is not $3"; return 1; }
}

both_register() {
	on 1 --out --register --param-sark=$K1 &&
		on 2 --out --register --param-sark=$K2 &&
		on 2 --in --read-keys && shows "$K1" && shows "$K2"
}

node1_reserves() {
	on 1 --out --reserve --param-rk=$K1 --prout-type=$WE_RO &&
		on 2 --in --read-reservation && shows "Key *= *$K1"
}

both_write() {
	dd_write 1 128 17 && dd_write 2 256 34 &&
		reads_back 2 128 17 && reads_back 1 256 34
}

node2_preempts() {
	on 2 --out --preempt-abort --param-rk=$K2 --param-sark=$K1 \
		--prout-type=$WE_RO &&
		on 2 --in --read-keys && ! shows "$K1" && shows "$K2" &&
		on 2 --in --read-reservation && shows "Key *= *$K2"
}

node1_fenced_raw() {
	local out

	# the first command of node 1 reports REGISTRATIONS PREEMPTED
	sg_turs "${DISK[1]}" >/dev/null 2>&1
	sg_turs "${DISK[1]}" >/dev/null 2>&1
	out=$(raw_write 1 384 51)
	echo "$out" | grep -qi 'reservation conflict' || { echo "$out"; return 1; }
}

node1_fenced_block() {
	! dd_write 1 400 68 >/dev/null
}

node2_writes() {
	dd_write 2 384 85 && reads_back 2 384 85 && reads_back 1 384 85
}

data_intact() {
	reads_back 2 128 17 && reads_back 2 256 34 && reads_back 1 384 85 &&
		block_file 0 && dd if="${DISK[2]}" bs=512 skip=400 count=1 \
			iflag=direct status=none | cmp -s - /tmp/blk.0
}

nodes_down() {
	on 2 --out --clear --param-rk=$K2 || return 1
	timeout 60 iscsiadm -m node -T $IQN -p 127.0.0.1 --logout >/dev/null
	kt_no_sessions 15 "$T"
}

kt_check fence-setup fence_setup || kt_abort fence-setup "cannot configure the target"
kt_check fence-nodes-up nodes_up || kt_abort fence-nodes-up "the nodes cannot log in"
kt_check fence-both-register both_register
kt_check fence-node1-reserves node1_reserves
kt_check fence-both-write both_write
kt_check fence-node2-preempts-and-aborts node2_preempts
kt_check fence-node1-refused-sg-raw node1_fenced_raw
kt_check fence-node1-refused-block-layer node1_fenced_block
kt_check fence-node2-writes node2_writes
kt_check fence-data-intact data_intact
kt_check fence-nodes-down nodes_down
kt_check teardown kt_teardown
guest_summary
