#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kt-timeout: 600
#
# The loopback fabric's SCSI error handler uses the core's task management.
# One RAM disk is LUN 0 of two loopback targets (tpgt_1 and tpgt_2, each
# its own I_T nexus), so it shows up as two disks.  sg_reset -d on the
# first (the midlayer's device reset handler) must be a LOGICAL UNIT RESET
# in the core: the other nexus then reports BUS DEVICE RESET FUNCTION
# OCCURRED (29/03).  sg_reset -t (target reset: I_T NEXUS RESET of the
# first nexus) leaves the second nexus without a unit attention, and
# sg_reset -H waits for every command.  Writes running through every reset
# complete and read back, and the kernel log has no warning.
# Most functions run through kt_check, which shellcheck cannot follow.
# shellcheck disable=SC2317
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEV=
W=
SD1=
SG1=
SG2=

# eh_disk TID: /dev/sdX of LUN 0 of target id TID of our host
eh_disk() {
	local h d _

	for _ in $(seq 300); do
		for h in /sys/class/scsi_host/host*; do
			grep -qs '^ktarget_loop$' "$h/proc_name" || continue
			for d in /sys/bus/scsi/devices/"${h##*/host}":0:"$1":0/block/*; do
				[ -b "/dev/${d##*/}" ] && { echo "/dev/${d##*/}"; return 0; }
			done
		done
		sleep 0.1
	done
	kt_err "no disk for target $1 of ${W##*/}"
	return 1
}

eh_setup() {
	local t sd2

	kt_load ktarget_rd ktarget_loop || return 1
	modprobe -a sd_mod sg || return 1
	DEV=$(kt_mk_rd eh0 16) || return 1
	W=$KT_CFS/loopback/$(kt_naa)
	for t in 1 2; do
		mkdir -p "$W/tpgt_$t/lun/lun_0" &&
			ln -s "$DEV" "$W/tpgt_$t/lun/lun_0/eh0" &&
			kt_write "$(kt_naa)" "$W/tpgt_$t/nexus" || return 1
	done
	SD1=$(eh_disk 1) && sd2=$(eh_disk 2) || return 1
	SG1=$(kt_sg_of "$SD1") && SG2=$(kt_sg_of "$sd2") || return 1
	# the unit attentions of a new nexus
	sg_turs "$SG1" >/dev/null 2>&1
	sg_turs "$SG2" >/dev/null 2>&1
	eh_no_ua "$SG2"
}

# eh_ua SG REGEX: TEST UNIT READY reports a unit attention matching REGEX
eh_ua() {
	local out

	out=$(sg_raw -v "$1" 00 00 00 00 00 00 2>&1)
	echo "$out" | grep -qi 'unit attention' &&
		echo "$out" | grep -Eqi "$2" && return 0
	kt_err "no unit attention /$2/ on $1: $(echo "$out" | tr '\n' ' ')"
	return 1
}

eh_no_ua() {
	local out

	out=$(sg_raw -v "$1" 00 00 00 00 00 00 2>&1)
	echo "$out" | grep -qi 'good' && return 0
	kt_err "TEST UNIT READY on $1: $(echo "$out" | tr '\n' ' ')"
	return 1
}

# eh_io_through OPTION: 8 MiB of O_DIRECT writes run while sg_reset OPTION
# hits the first disk; they complete and read back.
eh_io_through() {
	local pid rc

	head -c 8388608 /dev/urandom >/tmp/eh.pat || return 1
	dd if=/tmp/eh.pat of="$SD1" bs=64k oflag=direct status=none &
	pid=$!
	sleep 0.2
	sg_reset "$1" "$SG1" || { kt_err "sg_reset $1 $SG1 failed"; wait "$pid"; return 1; }
	wait "$pid"
	rc=$?
	[ "$rc" -eq 0 ] || { kt_err "dd through sg_reset $1: exit $rc"; return 1; }
	dd if="$SD1" of=/tmp/eh.back bs=64k count=128 iflag=direct status=none &&
		cmp /tmp/eh.pat /tmp/eh.back
}

# Our error handler's and the core's complaints, and any kernel warning.
eh_dmesg_clean() {
	! dmesg | grep -E 'WARNING|BUG:|still in the target|state [0-9]+ -> [0-9]+ refused|task management:'
}

eh_teardown() {
	rm -f /tmp/eh.pat /tmp/eh.back
	kt_teardown
}

kt_check setup eh_setup || kt_abort setup "cannot build the targets"
kt_check device-reset-io eh_io_through -d
kt_check device-reset-ua-other-nexus eh_ua "$SG2" 'bus device reset'
kt_check device-reset-own-nexus-works eh_no_ua "$SG1"
kt_check target-reset-io eh_io_through -t
kt_check target-reset-other-nexus-no-ua eh_no_ua "$SG2"
kt_check host-reset-io eh_io_through -H
kt_check dmesg-clean eh_dmesg_clean
kt_check teardown eh_teardown
guest_summary
