#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 2400
#
# libiscsi's iscsi-test-cu, every family, over iSCSI on 127.0.0.1 against
# a file LUN with ACLs for both of its initiator names.  Then the
# MultipathIO family alone, given two paths (the same URL twice: two
# sessions of the first initiator name, two ISIDs, two I_T nexuses); with
# one URL it skips them, and giving the full run two URLs would change
# which session its two-initiator tests use.  The tests that must pass
# are in tests/conformance/iscsi-ratchet.txt; the iSCSI family itself
# must have no failure but the ones refused on purpose
# (tests/conformance/iscsi-by-design.txt), which must keep failing.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
conf=$(cd "$(dirname "${BASH_SOURCE[0]}")/../conformance" && pwd)

IQN=iqn.2003-01.org.ktarget:conformance
INI1=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test
INI2=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2
T=$KT_CFS/iscsi/$IQN/tpgt_1
out=/tmp/cu-iscsi.txt
mpout=/tmp/cu-iscsi-mpath.txt

setup() {
	local dev ini

	kt_load ktarget_file ktarget_iscsi || return 1
	dev=$(kt_mk_file f0 /root/kti-cu.img 128) || return 1
	mkdir -p "$T/np/127.0.0.1:3260" "$T/lun/lun_0" &&
		ln -s "$dev" "$T/lun/lun_0/f0" || return 1
	# both may reset the target (Reserve6.TargetWarmReset, ColdReset)
	for ini in $INI1 $INI2; do
		mkdir -p "$T/acls/$ini/lun_0" &&
			ln -s "$T/lun/lun_0" "$T/acls/$ini/lun_0/map" &&
			kt_write 1 "$T/acls/$ini/attrib/tmr_warm_reset" &&
			kt_write 1 "$T/acls/$ini/attrib/tmr_cold_reset" ||
			return 1
	done
	kt_write 0 "$T/attrib/authentication" && kt_write 1 "$T/enable"
}

kt_check setup setup || kt_abort setup "cannot configure the target"
echo "running iscsi-test-cu -d -t ALL over iSCSI"
(cd /tmp && timeout 1800 iscsi-test-cu -d -t ALL -i "$INI1" -I "$INI2" \
	"iscsi://127.0.0.1/$IQN/0") >"$out" 2>&1
echo "iscsi-test-cu exit status $?"
cp "$out" /ktout/iscsi-test-cu-iscsi.txt 2>/dev/null
echo "running iscsi-test-cu -d -t ALL.MultipathIO over two paths"
url=iscsi://127.0.0.1/$IQN/0
(cd /tmp && timeout 300 iscsi-test-cu -d -t ALL.MultipathIO -i "$INI1" \
	-I "$INI2" "$url" "$url") >"$mpout" 2>&1
echo "iscsi-test-cu (MultipathIO) exit status $?"
cp "$mpout" /ktout/iscsi-test-cu-iscsi-mpath.txt 2>/dev/null
# a filter that matches nothing runs nothing and exits 0
if grep -q '^Suite: MultipathIO' "$mpout"; then
	pass libiscsi-multipath-ran
else
	fail libiscsi-multipath-ran "no MultipathIO suite in its output"
fi
bash "$conf/check-ratchet.sh" libiscsi-iscsi "$conf/iscsi-ratchet.txt" \
	"$out" "$mpout"
# the tests refused on purpose (iscsi-by-design.txt) must still fail
design=$(grep -v '^#' "$conf/iscsi-by-design.txt")
res=$(awk -f "$conf/cunit-results.awk" "$out")
passing=$(awk '$1 == "PASS" {print $2}' <<<"$res" | grep -xF "$design")
if [ -z "$passing" ]; then
	pass iscsi-refused-by-design
else
	fail iscsi-refused-by-design "now passing: $(echo "$passing" | tr '\n' ' ')"
fi
fails=$(awk '$1 == "FAIL" && $2 ~ /^iSCSI/ {print $2}' <<<"$res" | grep -vxF "$design")
if [ -z "$fails" ]; then
	pass iscsi-family-no-failures
else
	fail iscsi-family-no-failures "$(echo "$fails" | tr '\n' ' ')"
fi
# the persistent reservation, reservation and task management families
# run whole: nothing skipped, nothing failed
gaps=$(awk '$1 != "PASS" && $2 ~ /^(Prin|Prout|Reserve6|iSCSITMF)/ {print $1, $2}' <<<"$res")
if [ -z "$gaps" ]; then
	pass pr-tmf-families-whole
else
	fail pr-tmf-families-whole "$(echo "$gaps" | tr '\n' ' ')"
fi
kt_check teardown kt_teardown
guest_summary
