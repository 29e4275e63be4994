#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libiscsi's iscsi-test-cu, LINUX family, over SG_IO on the loopback
# fabric, against a RAM disk and a file LUN.  The tests that must pass are
# listed in tests/conformance/linux-ratchet.txt; a regression fails.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
conf=$(cd "$(dirname "${BASH_SOURCE[0]}")/../conformance" && pwd)

run_family() {
	local label=$1 dev=$2 disk sg out=/tmp/cu-$1.txt

	kt_check "$label-export" kt_loop_export "$dev" 0 || return
	disk=$(kt_wait_disk 0) || { fail "$label-disk" "no disk"; return; }
	sg=$(kt_sg_of "$disk") || { fail "$label-sg" "no sg node"; return; }
	echo "running iscsi-test-cu -d -t LINUX on $sg ($label)"
	(cd /tmp && timeout 900 iscsi-test-cu -d -t LINUX "$sg") >"$out" 2>&1
	echo "iscsi-test-cu exit status $?"
	cp "$out" "/ktout/iscsi-test-cu-$label.txt" 2>/dev/null
	bash "$conf/check-ratchet.sh" "libiscsi-linux-$label" \
		"$conf/linux-ratchet.txt" "$out"
	kt_check "$label-unexport" kt_teardown
}

kt_check load kt_load ktarget_rd ktarget_file ktarget_loop || guest_summary
dev=$(kt_mk_rd rd0 64) || kt_abort rd-create "cannot make rd_mcp device"
run_family rd "$dev"

kt_check load-again kt_load ktarget_file ktarget_loop || guest_summary
dev=$(kt_mk_file file0 /tmp/file0.img 64) ||
	kt_abort file-create "cannot make fileio device"
run_family file "$dev"
guest_summary
