#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: ktarget against the kernel's LIO and tgt, in one boot of the
# test VM (tests/bench/bench-guest.sh); not part of make check.  Prints a
# progress line per run and a table of the figures with the ratios
# ktarget/LIO and ktarget/tgt, also kept in tests/vm/.cache/logs/bench.log.
# Under QEMU/TCG only the ratios mean anything.
# Environment:
#   KT_BENCH_SECS=15     seconds per run (each workload on each target)
#   KT_BENCH_MB=512      size of each LUN file (three of them on tmpfs)
#   KT_BENCH_ROUNDS=1    runs per workload and target (interleaved); the
#                        table shows the median: use 3 on a busy host
#   KT_BENCH_COPY=1      add a column: ktarget with zero-copy Data-In off
#   KT_MEM=4096          guest memory in MiB
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../vm/common.sh"

echo "bench: tests/vm/setup.sh (packages, kernel image, initramfs)"
"$KT_VM_DIR/setup.sh"
kt_load_env
if ! command -v tgtd >/dev/null || ! command -v tgtadm >/dev/null; then
	echo "bench: tgt is not installed: its column stays empty (apt-get install tgt)"
fi
echo "bench: make KDIR=$KDIR modules"
mkdir -p "$KT_CACHE/logs"
make -C "$KT_ROOT" -j2 KDIR="$KDIR" modules >"$KT_CACHE/logs/bench-build.log" 2>&1 || {
	tail -n 30 "$KT_CACHE/logs/bench-build.log"
	kt_die "the build failed (log: $KT_CACHE/logs/bench-build.log)"
}
export KT_MEM=${KT_MEM:-4096}
export KT_SLUB_DEBUG=	# no slub_debug= (make check has it): full speed
args=("secs=${KT_BENCH_SECS:-15}" "mb=${KT_BENCH_MB:-512}"
      "rounds=${KT_BENCH_ROUNDS:-1}" "copy=${KT_BENCH_COPY:-0}")
# each run takes its time plus ~10 s (fio's ramp and start-up under TCG)
runs=$((${KT_BENCH_ROUNDS:-1} * 6 * (${KT_BENCH_COPY:-0} == 1 ? 4 : 3)))
export KT_TIMEOUT=${KT_TIMEOUT:-$((runs * (${KT_BENCH_SECS:-15} + 20) + 300))}
echo "bench: booting $KABI under QEMU/TCG ($runs runs, at most ${KT_TIMEOUT}s)"
"$KT_VM_DIR/run-guest.sh" "$KT_ROOT/tests/bench/bench-guest.sh" "${args[@]}" 2>&1 |
	tee "$KT_CACHE/logs/bench.log"
