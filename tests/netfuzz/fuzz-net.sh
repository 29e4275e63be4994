#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz-net DURATION=<seconds> [SEED=<n>] [WORKERS=<n>] [FUZZ_AVOID=<list>]
#
# One long guest boot of tests/guest/95-netfuzz.sh: builds the modules in
# the tree (as make run does), then runs the network fuzzer for DURATION
# seconds (default 600) with SEED (default: a random one, printed first).
# A finding prints the seed, the replay command and the last PDUs; the run
# folder (tests/vm/.cache/runs/95-netfuzz.*) keeps out/netfuzz/.
# KDIR=/KABI= pick another kernel as for make check, e.g. the debug one of
# make check-debug: KABI=6.1.192-ktdebug (then our modules are built with
# KCOV_INSTRUMENT=y and the fuzzer is guided by their coverage).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../vm/common.sh"

DURATION=${DURATION:-600}
SEED=${SEED:-$((RANDOM * 32768 + RANDOM + 1))}
[[ $DURATION =~ ^[0-9]+$ ]] || kt_die "DURATION must be a number of seconds"
[[ $SEED =~ ^[0-9]+$ ]] || kt_die "SEED must be a number"

# A kernel whose env file exists is ready (setup.sh, or tests/debug/build.sh
# for the debug kernel, which apt cannot install).
if [ -z "${KABI:-}" ] || [ ! -r "$KT_CACHE/env-$KABI" ]; then
	"$KT_VM_DIR/setup.sh" >/dev/null
fi
kt_load_env
# On the debug kernel, our modules are built for KCOV (coverage guidance).
kcov=()
# Its timeouts (the guest's, the fuzzer's hang limit) are doubled.
if [ "${KT_DEBUG_KERNEL:-0}" = 1 ]; then
	kcov=(KCOV_INSTRUMENT=y)
	export KT_TIMEOUT_SCALE=${KT_TIMEOUT_SCALE:-2}
fi
echo "fuzz-net: make KDIR=$KDIR ${kcov[*]} modules"
make -C "$KT_ROOT" -j"$(nproc)" KDIR="$KDIR" "${kcov[@]}" modules >"$KT_CACHE/fuzz-net-build.log" 2>&1 || {
	tail -n 30 "$KT_CACHE/fuzz-net-build.log"
	kt_die "the build failed (log: $KT_CACHE/fuzz-net-build.log)"
}
echo "fuzz-net: seed $SEED, ${DURATION}s${WORKERS:+, $WORKERS workers}${FUZZ_AVOID:+, avoid $FUZZ_AVOID}"
args=("KT_FUZZ_DURATION=$DURATION" "KT_FUZZ_SEED=$SEED")
[ -n "${WORKERS:-}" ] && args+=("KT_FUZZ_WORKERS=$WORKERS")
[ -n "${FUZZ_AVOID:-}" ] && args+=("KT_FUZZ_AVOID=$FUZZ_AVOID")
rc=0
KT_TIMEOUT=$((DURATION + 600)) KT_KEEP=${KT_KEEP:-} \
	nice -n 5 "$KT_VM_DIR/run-guest.sh" "$KT_ROOT/tests/guest/95-netfuzz.sh" "${args[@]}" || rc=$?
[ $rc -eq 0 ] || echo "fuzz-net: FAILED (seed $SEED); replay: make fuzz-net SEED=$SEED DURATION=$DURATION${FUZZ_AVOID:+ FUZZ_AVOID=$FUZZ_AVOID}"
exit $rc
