#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of the test guest, PID 1 after switch_root. Stage 1 (the
# initramfs built by setup.sh) has mounted the host root read-only over 9p
# with a tmpfs overlay, /tmp, /run, configfs, the modules staged by
# run-guest.sh and the writable "out" share on /ktout. This reads the job
# run-guest.sh wrote (kt.run=<dir>), runs the guest script as root, leaves
# its output, exit status and the kernel log in /ktout, and powers off.
# Only bash builtins here where possible: each program started costs ~0.1 s.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=linux
export KT_GUEST=1
OUT=/ktout

# Power off through ACPI; a kernel without ACPI (the debug kernel,
# tests/debug) resets instead, which QEMU's -no-reboot turns into its exit.
power_off() {
	sync
	if [ -d /sys/firmware/acpi ]; then
		echo o >/proc/sysrq-trigger
	else
		echo b >/proc/sysrq-trigger
	fi
	sleep 30
}

fatal() {
	echo "guest-init: $*" >/dev/console
	echo "guest-init: $*" >>$OUT/stderr
	power_off
}

run_batch() {
	bash "$KT_SCRIPT" "${KT_ARGS[@]}" </dev/null >$OUT/stdout 2>$OUT/stderr
}

run_interactive() {
	local tty=/dev/ttyS0

	stty -F $tty rows "${KT_ROWS:-24}" cols "${KT_COLS:-80}" 2>/dev/null
	export TERM=${KT_TERM:-vt100}
	setsid -c -w bash "$KT_SCRIPT" "${KT_ARGS[@]}" <$tty >$tty 2>&1
}

# On a kernel with kmemleak (the debug kernel of make check-debug): scan
# twice, the second time after the minimum object age (5 s) so that what
# the script leaked at its very end is counted, and leave the report in
# /ktout/kmemleak for run-guest.sh.
kmemleak_scan() {
	local f=/sys/kernel/debug/kmemleak

	[ -w $f ] || return 0
	echo scan >$f
	sleep "${KT_KMEMLEAK_WAIT:-6}"
	echo scan >$f
	cat $f >$OUT/kmemleak
}

main() {
	local run='' a cmdline up rc dpid

	read -r cmdline </proc/cmdline
	for a in $cmdline; do
		case $a in kt.run=*) run=${a#kt.run=} ;; esac
	done
	[ -n "$run" ] && [ -r "$run/job" ] || fatal "no job (kt.run=$run)"
	# shellcheck source=/dev/null
	. "$run/job"
	export KT_INTERACTIVE KT_TIMEOUT KT_TIMEOUT_SCALE KT_BOOT
	dmesg -w >$OUT/dmesg.live 2>/dev/null &
	dpid=$!
	# Shortly before run-guest.sh kills QEMU, dump the blocked tasks into
	# the kernel log so that a hang leaves its stacks behind.
	if [ "${KT_TIMEOUT:-0}" -gt 30 ]; then
		(sleep $((KT_TIMEOUT - 15)) && echo w >/proc/sysrq-trigger) &
	fi
	read -r up a </proc/uptime
	echo "$up" >$OUT/started
	cd "$KT_CWD" || cd /
	if [ "${KT_INTERACTIVE:-0}" = 1 ]; then
		run_interactive
	else
		run_batch
	fi
	rc=$?
	kmemleak_scan
	echo $rc >$OUT/rc
	sleep 0.2
	kill $dpid 2>/dev/null
	dmesg >$OUT/dmesg
	cd /
	power_off
}

main
