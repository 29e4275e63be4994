#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh [-i] <guest-script> [args...]
#
# Boot Debian's kernel (the one matching the build headers) in QEMU/TCG with
# the host root as a read-only 9p root under a tmpfs overlay, make our
# freshly built ktarget_*.ko loadable with modprobe, run <guest-script> as
# root inside the guest and bring back its stdout, stderr, exit status and
# the guest kernel log.
#
# Exit status: the script's own when it failed; 124 on timeout; 125 when
# the script passed but the kernel log shows a WARNING/BUG/Oops/..., kmemleak
# lists an object of our modules (debug kernel), or the guest died before
# the script finished.
# The last line on stderr is machine-readable:
#   run-guest: result <name>: rc=<n|none> dmesg=<ok|bad> kmemleak=<ok|bad|-> timeout=<yes|no> boot=<s> (guest <s>) time=<s>
#
# -i: interactive: the script gets the serial console (stdin must be a
#     terminal); no timeout. Ctrl-A X kills QEMU.
# Environment:
#   KT_TIMEOUT=600      seconds before QEMU is killed
#   KT_KO_DIR=<repo>    folder whose *.ko are staged (where make leaves them)
#   KT_EXTRA_KO="a.ko"  more modules to stage
#   KT_MEM=2048 KT_SMP=2, KT_QEMU_ARGS="..." extra QEMU arguments
#   KT_NIC=none       the -nic option (make run forwards the iSCSI port)
#   KT_KEEP=1           keep the run folder (default: kept for failures)
#   KT_SLUB_DEBUG=FZPU  the guest's slub_debug= (empty: none; make bench)
#   KT_KERNEL_ARGS="..."  more kernel parameters
#                  (the env file of a kernel may set some)
#   KT_TIMEOUT_SCALE=1  multiplies the timeout (the debug kernel is slower);
#                  guest scripts see it too
# A guest script may list kernel-log lines to tolerate, one ERE per line:
#   # kt-dmesg-allow: <regex>
# and ask for a longer timeout than 600 s:
#   # kt-timeout: <seconds>
# or to be booted several times in a row (a reboot; the timeout is per boot):
#   # kt-boots: <n>
# Each boot sees KT_BOOT=1..n; /ktout/persist (run-guest.sh's out/persist)
# is kept from one boot to the next, all else in the guest is new.  A
# boot's output goes to out/boot<k>/; a failed boot ends the run.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Kernel-log lines that fail a run (KT_DMESG_BAD), on both kernels.
. "$KT_VM_DIR/dmesg-bad.sh"
DMESG_BAD=$KT_DMESG_BAD

# kmemleak (debug kernel): guest-init.sh leaves the report of the scans
# after the script in out/kmemleak; a record fails the run when its
# backtrace passes through our modules: ktarget_*/kti_/kt_ symbols, a
# [ktarget_*] module tag, or a raw module-area address (a module that was
# unloaded before the scan: on the debug kernel all else is built in but
# brd).  tests/debug/kmemleak-allow lists EREs of records to ignore.
KMEMLEAK_OURS='\[ktarget_|[ >](ktarget_|kti_|kt_)[a-z0-9_.]*\+0x|\] 0xffffffff[a-f][0-9a-f]+$'

INTERACTIVE=0
if [ "${1:-}" = -i ]; then
	INTERACTIVE=1
	shift
fi
[ $# -ge 1 ] || kt_die "usage: $0 [-i] <guest-script> [args...]"
SCRIPT=$(realpath "$1") || kt_die "no such script: $1"
shift
[ -f "$SCRIPT" ] || kt_die "no such script: $SCRIPT"
NAME=$(basename "$SCRIPT" .sh)
# Timeout: KT_TIMEOUT, else the script's "# kt-timeout: <s>" line, else 600.
TIMEOUT=${KT_TIMEOUT:-$(sed -n 's/^# kt-timeout: *\([0-9][0-9]*\).*/\1/p' "$SCRIPT" | head -n1)}
TIMEOUT=${TIMEOUT:-600}
# KT_TIMEOUT_SCALE: a factor for a slower kernel (make check-debug).
TIMEOUT=$((TIMEOUT * ${KT_TIMEOUT_SCALE:-1}))
BOOTS=$(sed -n 's/^# kt-boots: *\([0-9][0-9]*\).*/\1/p' "$SCRIPT" | head -n1)
BOOTS=${BOOTS:-1}

# setup.sh once, unless the kernel asked for (KABI) is ready already
# (e.g. the debug kernel, which tests/debug/build.sh prepares).
if [ ! -r "$KT_ENV_FILE" ] && [ ! -r "$KT_CACHE/env-${KABI:-}" ]; then
	"$KT_VM_DIR/setup.sh" || exit 1
fi
kt_load_env

RUN=
QPID=
# the boot under way (1..BOOTS) and how it went, as one_boot() judges it
BOOT=1 RC=none DM=ok LEAK=- TO=no BOOT_T=-
TPIDS=()

cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	[ ${#TPIDS[@]} -gt 0 ] && kill "${TPIDS[@]}" 2>/dev/null
	[ -n "$RUN" ] && rm -rf "$RUN/stage"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Old run folders (from crashed or kept runs) go after two hours.
prune_runs() {
	mkdir -p "$KT_CACHE/runs"
	find "$KT_CACHE/runs" -mindepth 1 -maxdepth 1 -type d -mmin +120 \
		-exec rm -rf {} + 2>/dev/null
}

# modprobe in the guest without depmod there: a folder holding a link to
# the image's kernel/ tree, its modules.builtin*/order, our modules in
# extra/, and a modules.dep made on the host.
stage_modules() {
	local m=$RUN/stage/lib/modules/$KABI src=$KT_IMAGE/lib/modules/$KABI ko n=0

	mkdir -p "$m/extra"
	ln -s "$src/kernel" "$m/kernel"
	cp "$src"/modules.builtin* "$src/modules.order" "$m/"
	for ko in "${KT_KO_DIR:-$KT_ROOT}"/*.ko ${KT_EXTRA_KO:-}; do
		[ -f "$ko" ] || continue
		cp "$ko" "$m/extra/"
		n=$((n + 1))
	done
	depmod -b "$RUN/stage" "$KABI" || kt_die "depmod failed"
	[ $n -gt 0 ] || kt_log "run-guest: note: no *.ko staged (nothing built?)"
}

write_job() {
	local rows cols

	{
		printf 'KABI=%q\n' "$KABI"
		printf 'KT_STAGE=%q\n' "$RUN/stage"
		printf 'KT_SCRIPT=%q\n' "$SCRIPT"
		printf 'KT_CWD=%q\n' "$KT_ROOT"
		printf 'KT_INTERACTIVE=%q\n' "$INTERACTIVE"
		[ "$INTERACTIVE" = 1 ] || printf 'KT_TIMEOUT=%q\n' "$TIMEOUT"
		printf 'KT_TIMEOUT_SCALE=%q\n' "${KT_TIMEOUT_SCALE:-1}"
		printf 'KT_BOOT=%q\n' "$BOOT"
		printf 'KT_KMEMLEAK_WAIT=%q\n' "${KT_KMEMLEAK_WAIT:-6}"
		printf 'KT_ARGS=('
		[ $# -gt 0 ] && printf '%q ' "$@"
		printf ')\n'
		if [ "$INTERACTIVE" = 1 ]; then
			rows=$(tput lines 2>/dev/null || echo 24)
			cols=$(tput cols 2>/dev/null || echo 80)
			printf 'KT_ROWS=%q\nKT_COLS=%q\nKT_TERM=%q\n' "$rows" "$cols" "${TERM:-vt100}"
		fi
	} >"$RUN/job"
}

# The host folders the guest must see through its own tmpfs on /tmp and
# /run (stage 1's kt.keep=): the checkout, the run folder and the script's
# folder, when they are under /tmp or /run, minus those inside another.
keep_paths() {
	local p k out=()

	while read -r p; do
		case $p in /tmp/* | /run/*) ;; *) continue ;; esac
		for k in "${out[@]}"; do
			[[ $p == "$k"/* ]] && continue 2
		done
		out+=("$p")
	done < <(printf '%s\n' "$KT_ROOT" "$RUN" "$(dirname "$SCRIPT")" | LC_ALL=C sort -u)
	local IFS=,
	echo "${out[*]}"
}

qemu_cmd() {
	local keep slub=${KT_SLUB_DEBUG-FZPU}

	keep=$(keep_paths)
	# shellcheck disable=SC2054	# commas inside QEMU options
	QEMU=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max
	      -m "${KT_MEM:-2048}" -smp "${KT_SMP:-2}" -no-reboot -nic "${KT_NIC:-none}"
	      -kernel "$KT_KERNEL" -initrd "$KT_INITRD"
	      -append "console=ttyS0 quiet panic=-1 slab_nomerge${slub:+ slub_debug=$slub}${KT_KERNEL_ARGS:+ $KT_KERNEL_ARGS} kt.init=$KT_VM_DIR/guest-init.sh kt.run=$RUN${keep:+ kt.keep=$keep}"
	      -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	      -device virtio-9p-pci,fsdev=root,mount_tag=hostroot
	      -fsdev "local,id=out,path=$RUN/out,security_model=none,multidevs=remap"
	      -device virtio-9p-pci,fsdev=out,mount_tag=out)
	if [ "$INTERACTIVE" = 1 ]; then
		QEMU+=(-nographic)
	else
		QEMU+=(-display none -monitor none -serial "file:$RUN/console.log")
	fi
	# shellcheck disable=SC2206
	[ -n "${KT_QEMU_ARGS:-}" ] && QEMU+=($KT_QEMU_ARGS)
}

# Boot, stream the guest's stdout/stderr while it runs, enforce the timeout.
boot() {
	local rc

	if [ "$INTERACTIVE" = 1 ]; then
		"${QEMU[@]}"
		return $?
	fi
	timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null >>"$RUN/console.log" 2>&1 &
	QPID=$!
	tail -n +1 -s 0.2 -f --pid=$QPID "$RUN/out/stdout" &
	TPIDS+=($!)
	tail -n +1 -s 0.2 -f --pid=$QPID "$RUN/out/stderr" >&2 &
	TPIDS+=($!)
	wait $QPID
	rc=$?
	QPID=
	wait "${TPIDS[@]}" 2>/dev/null
	TPIDS=()
	return $rc
}

# Print the bad kernel-log lines (minus the script's allowed ones). The
# streamed log is complete; the final snapshot covers a dmesg -w that died.
dmesg_problems() {
	local allow

	allow=$(sed -n 's/^# kt-dmesg-allow: *//p' "$SCRIPT" | paste -sd'|')
	[ -n "$allow" ] || allow='^$'
	cat "$RUN/out/dmesg.live" "$RUN/out/dmesg" 2>/dev/null | awk '!seen[$0]++' |
		grep -E "$DMESG_BAD" | grep -Ev "$allow"
}

# Print the kmemleak records (one line each: the object, its size, its
# backtrace) that involve our modules and no allowed pattern.
kmemleak_problems() {
	local f=$RUN/out/kmemleak allow=$KT_ROOT/tests/debug/kmemleak-allow re

	[ -s "$f" ] || return 0
	re=$(grep -Ev '^[[:space:]]*(#|$)' "$allow" 2>/dev/null | paste -sd'|')
	[ -n "$re" ] || re='^$'
	OURS=$KMEMLEAK_OURS awk '
		function flush() { if (rec != "" && hit) print rec; rec = ""; hit = 0 }
		BEGIN { ours = ENVIRON["OURS"] }
		/^unreferenced object/ { flush(); rec = $0; next }
		rec == "" { next }
		/^ *\[</ { sub(/^ */, ""); rec = rec " | " $0; if ($0 ~ ours) hit = 1 }
		END { flush() }' "$f" | grep -Ev "$re"
}

# one_boot [args...]: boot the guest once and judge it: sets RC, DM, LEAK,
# TO and BOOT_T, returns the boot's status (see the top of this file).
one_boot() {
	local t0 qrc bad leaks

	RC=none DM=ok LEAK=- TO=no BOOT_T=-
	: >"$RUN/out/stdout"
	: >"$RUN/out/stderr"
	write_job "$@"
	t0=$(date +%s.%N)
	boot
	qrc=$?
	[ $qrc -eq 124 ] || [ $qrc -eq 137 ] && TO=yes
	[ -f "$RUN/out/rc" ] && RC=$(cat "$RUN/out/rc")
	[ -f "$RUN/out/started" ] &&
		BOOT_T=$(echo "$(date -r "$RUN/out/started" +%s.%N) $t0 $(cat "$RUN/out/started")" |
			 awk '{printf "%.1f (guest %.1f)", $1 - $2, $3}')
	bad=$(dmesg_problems)
	if [ -n "$bad" ]; then
		DM=bad
		kt_log "run-guest: $NAME: the guest kernel log shows problems:"
		printf '%s\n' "$bad" | head -n 20 | sed 's/^/  | /' >&2
		kt_log "run-guest: full log: $RUN/out/dmesg.live"
	fi
	if [ -f "$RUN/out/kmemleak" ]; then
		LEAK=ok
		leaks=$(kmemleak_problems)
		if [ -n "$leaks" ]; then
			LEAK=bad
			kt_log "run-guest: $NAME: kmemleak lists $(printf '%s\n' "$leaks" | wc -l) object(s) of our modules:"
			printf '%s\n' "$leaks" | head -n 10 | cut -c1-900 | sed 's/^/  | /' >&2
			kt_log "run-guest: full report: $RUN/out/kmemleak"
		fi
	fi
	if [ "$TO" = yes ]; then
		kt_log "run-guest: $NAME: TIMEOUT after ${TIMEOUT}s; kernel log: $RUN/out/dmesg.live"
		tail -n 30 "$RUN/out/dmesg.live" 2>/dev/null | sed 's/^/  | /' >&2
		return 124
	elif [ "$RC" = none ]; then
		kt_log "run-guest: $NAME: the guest stopped before the script finished; console:"
		tail -n 30 "$RUN/console.log" | sed 's/^/  | /' >&2
		return 125
	elif [ "$RC" != 0 ]; then
		return "$RC"
	elif [ "$DM" = bad ] || [ "$LEAK" = bad ]; then
		return 125
	fi
	return 0
}

# Before the next boot, boot $1's output moves to out/boot$1/.
keep_boot() {
	local f

	mkdir "$RUN/out/boot$1"
	for f in stdout stderr rc started dmesg dmesg.live kmemleak; do
		[ -e "$RUN/out/$f" ] && mv "$RUN/out/$f" "$RUN/out/boot$1/"
	done
}

main() {
	local t0 status

	[[ "$KT_ROOT$KT_CACHE" != *[[:space:]]* ]] || kt_die "the rig cannot live in a path with spaces"
	[ "$INTERACTIVE" = 0 ] || [ -t 0 ] || kt_die "-i needs a terminal on stdin"
	prune_runs
	RUN=$(mktemp -d "$KT_CACHE/runs/$NAME.XXXXXX")
	mkdir -m 777 "$RUN/out" "$RUN/out/persist"
	stage_modules
	qemu_cmd
	t0=$(date +%s.%N)
	for ((BOOT = 1; BOOT <= BOOTS; BOOT++)); do
		if [ $BOOT -gt 1 ]; then
			keep_boot $((BOOT - 1))
			kt_log "run-guest: $NAME: boot $BOOT of $BOOTS"
		fi
		one_boot "$@"
		status=$?
		[ $status -eq 0 ] || break
	done
	[ $status -eq 0 ] && [ -z "${KT_KEEP:-}" ] && rm -rf "$RUN" && RUN=
	printf 'run-guest: result %s: rc=%s dmesg=%s kmemleak=%s timeout=%s boot=%s time=%ss\n' \
		"$NAME" "$RC" "$DM" "$LEAK" "$TO" "$BOOT_T" \
		"$(echo "$(date +%s.%N) $t0" | awk '{printf "%.1f", $1 - $2}')" >&2
	return $status
}

main "$@"
