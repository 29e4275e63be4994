#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test suite (make check). Steps:
#   build   make W=1 of every module, in a fresh copy of the sources
#           (tests/vm/.cache/build, so that every file is compiled and
#           every warning seen); any warning fails it
#   build-<release>   the same W=1 build against each other kernel header
#           tree in KT_EXTRA_KDIRS (space-separated; default: every
#           /usr/src/linux-headers-*-amd64 but KDIR's; set it empty for
#           none), one step per tree, in tests/vm/.cache/build-<release>
#   sparse  make sparse (C=2) there; any sparse warning fails it
#   lint    make lint (checkpatch --strict)
#   unit    make -C tests/unit check   (when tests/unit/Makefile exists)
#   fuzz    make -C tests/fuzz check   (when tests/fuzz/Makefile exists)
#   guest/NN-name   every tests/guest/[0-9]*.sh, one VM boot each
# A host step counts as one test; a guest script counts its PASS:/FAIL:
# lines, plus one failure when the run failed as a whole (kernel log
# WARNING/BUG/..., timeout, or a non-zero exit without a FAIL: line).
# The last line is "N passed, N failed"; the exit status is 1 if any failed.
#
# TESTS=<regex> runs the steps whose name matches (the build runs whenever
# a guest step does), e.g. TESTS=lint, TESTS='guest/(00|20)-', TESTS=build-
# (the other kernels' builds only).
# KDIR=<headers> builds against other headers (and boots their kernel).
# Logs: tests/vm/.cache/logs/<step>.log
#
# KT_DEBUG=1 (make check-debug): first builds (or finds in its cache) the
# debug kernel of tests/debug/build.sh, then runs the build step against
# its tree (W=1, KCOV_INSTRUMENT=y, in tests/vm/.cache/build-debug) and
# the guest steps on it, with timeouts times KT_TIMEOUT_SCALE (default 4)
# and 3 GiB of guest memory (KT_MEM);
# TESTS defaults to 'guest/' there; logs in tests/vm/.cache/logs-debug/.
# Its own last line is "N passed, N failed" too.
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/vm/common.sh"

DEBUG=${KT_DEBUG:-0}
if [ "$DEBUG" = 1 ]; then
	LOGS=$KT_CACHE/logs-debug
	BUILD=$KT_CACHE/build-debug
	TESTS=${TESTS:-guest/}
	KT_MAKE_ARGS=(KCOV_INSTRUMENT=y)
	export KT_TIMEOUT_SCALE=${KT_TIMEOUT_SCALE:-4}
	# KASAN's shadow, kmemleak's and SLUB_DEBUG_ON's metadata need room
	export KT_MEM=${KT_MEM:-3072}
else
	LOGS=$KT_CACHE/logs
	BUILD=$KT_CACHE/build
	TESTS=${TESTS:-}
	KT_MAKE_ARGS=()
fi
PASSED=0
FAILED=0
STEP=0
NSTEPS=0
GUESTS=()
STEPS=()

selected() {
	[ -z "$TESTS" ] || [[ $1 =~ $TESTS ]]
}

plan() {
	local g name

	for g in "$KT_ROOT"/tests/guest/[0-9]*.sh; do
		[ -f "$g" ] || continue
		name=guest/$(basename "$g" .sh)
		selected "$name" && GUESTS+=("$g")
	done
	if [ ${#GUESTS[@]} -gt 0 ] || selected build; then
		STEPS+=(build)
	fi
	[ "$DEBUG" = 1 ] || extra_kdirs
	selected sparse && STEPS+=(sparse)
	selected lint && STEPS+=(lint)
	[ -f "$KT_ROOT/tests/unit/Makefile" ] && selected unit && STEPS+=(unit)
	[ -f "$KT_ROOT/tests/fuzz/Makefile" ] && selected fuzz && STEPS+=(fuzz)
	NSTEPS=$((${#STEPS[@]} + ${#GUESTS[@]}))
}

# The release of the kernel whose headers are in $1, or nothing.
kdir_release() {
	cat "$1/include/config/kernel.release" 2>/dev/null
}

# A step kdir:<headers> for each header tree of KT_EXTRA_KDIRS (default:
# the installed /usr/src/linux-headers-*-amd64 ones) other than KDIR, one
# per release, whose build-<release> is selected.
extra_kdirs() {
	local list d rel main seen=" "

	list=${KT_EXTRA_KDIRS-$(echo /usr/src/linux-headers-*-amd64)}
	main=$(kdir_release "$KDIR")
	for d in $list; do
		[ -f "$d/Makefile" ] || continue
		rel=$(kdir_release "$d")
		if [ -z "$rel" ] || [ "$rel" = "$main" ] ||
		   [[ $seen == *" $rel "* ]]; then
			continue
		fi
		seen+="$rel "
		selected "build-$rel" && STEPS+=("kdir:$d")
	done
}

# Progress: "[i/n] name ... " then the outcome on the same line.
begin() {
	STEP=$((STEP + 1))
	printf '[%d/%d] %s ... ' "$STEP" "$NSTEPS" "$1"
	T0=$(date +%s)
}

elapsed() {
	echo "$(($(date +%s) - T0))s"
}

# Show why a step failed: its FAIL: lines and the end of its log.
show_failure() {
	local log=$1

	grep -E '^FAIL: ' "$log" | head -n 20 | sed 's/^/    /'
	echo "    --- last lines of $log:"
	tail -n "${KT_TAIL:-40}" "$log" | sed 's/^/    | /'
}

# host_result OK LOG [WHY [REGEX [DIR]]]: count a host step; on failure
# show the log lines matching REGEX (the warnings, paths relative to DIR,
# default $BUILD), else the end of the log.
host_result() {
	local ok=$1 log=$2 why=${3:-} re=${4:-} dir=${5:-$BUILD}

	if [ "$ok" = 1 ]; then
		PASSED=$((PASSED + 1))
		echo "ok ($(elapsed))"
		return
	fi
	FAILED=$((FAILED + 1))
	echo "FAILED${why:+: $why} ($(elapsed))"
	if [ -n "$re" ] && grep -qE "$re" "$log"; then
		grep -E -A2 "$re" "$log" | head -n 60 | sed "s|$dir/||; s/^/    | /"
		echo "    (full log: $log)"
	else
		show_failure "$log"
	fi
}

WARN_RE='(^|[^[:alnum:]_])([Ww]arning|WARNING|[Ee]rror|ERROR):'

count_warnings() {
	grep -cE "$WARN_RE" "$1"
}

# Copy the sources to $1, without the build products and the tests.
copy_sources() {
	rm -rf "$1"
	mkdir -p "$1"
	rsync -a --exclude=.git --exclude=tests --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude=Module.symvers --exclude=modules.order \
		"$KT_ROOT/" "$1/"
}

# build_in NAME DIR HEADERS: make W=1 modules in a fresh copy at DIR
# against the kernel headers at HEADERS; any warning fails step NAME.
build_in() {
	local name=$1 dir=$2 hdrs=$3 log=$LOGS/$1.log n

	begin "$name"
	copy_sources "$dir"
	if ! make -C "$dir" -j"$(nproc)" KDIR="$hdrs" W=1 "${KT_MAKE_ARGS[@]}" modules \
		>"$log" 2>&1; then
		host_result 0 "$log" "make failed" "$WARN_RE" "$dir"
	elif n=$(count_warnings "$log") && [ "$n" -gt 0 ]; then
		host_result 0 "$log" "$n warning(s)" "$WARN_RE" "$dir"
	else
		host_result 1 "$log"
	fi
}

# Build from a fresh copy: a full compile every time, and nothing of the
# developer's own build tree is touched.
step_build() {
	build_in build "$BUILD" "$KDIR"
}

# The same build against another kernel's headers, in a tree of its own
# (the guests use $BUILD).
step_build_extra() {
	local rel

	rel=$(kdir_release "$1")
	build_in "build-$rel" "$KT_CACHE/build-$rel" "$1"
}

step_sparse() {
	local log=$LOGS/sparse.log n

	begin sparse
	if [ ! -f "$BUILD/Makefile" ]; then
		rm -rf "$BUILD"
		rsync -a --exclude=.git --exclude=tests "$KT_ROOT/" "$BUILD/"
	fi
	if ! make -C "$BUILD" -j"$(nproc)" KDIR="$KDIR" W=1 sparse >"$log" 2>&1; then
		host_result 0 "$log" "make sparse failed" "$WARN_RE"
	elif n=$(count_warnings "$log") && [ "$n" -gt 0 ]; then
		host_result 0 "$log" "$n sparse warning(s)" "$WARN_RE"
	else
		host_result 1 "$log"
	fi
}

step_make() {
	local name=$1 log=$LOGS/$1.log

	shift
	begin "$name"
	if make -C "$KT_ROOT" "$@" >"$log" 2>&1; then
		host_result 1 "$log"
	else
		host_result 0 "$log"
	fi
}

step_guest() {
	local g=$1 name log p f res rc dm leak to extra=0 why=

	name=$(basename "$g" .sh)
	log=$LOGS/guest-$name.log
	begin "guest $name"
	KT_KO_DIR=$BUILD "$KT_VM_DIR/run-guest.sh" "$g" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	res=$(grep '^run-guest: result ' "$log" | tail -n1)
	dm=$(sed -n 's/.* dmesg=\([a-z]*\).*/\1/p' <<<"$res")
	leak=$(sed -n 's/.* kmemleak=\([a-z]*\).*/\1/p' <<<"$res")
	to=$(sed -n 's/.* timeout=\([a-z]*\).*/\1/p' <<<"$res")
	if [ -z "$res" ]; then
		extra=1 why="the rig failed"
	elif [ "$to" = yes ]; then
		extra=1 why="timeout"
	elif [ "$dm" = bad ]; then
		extra=1 why="kernel log shows problems"
	elif [ "$leak" = bad ]; then
		extra=1 why="kmemleak lists objects of our modules"
	elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		extra=1 why="exit status $rc"
	fi
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f + extra))
	if [ $rc -eq 0 ] && [ $((f + extra)) -eq 0 ]; then
		echo "$p passed ($(elapsed))"
	else
		echo "$p passed, $((f + extra)) FAILED${why:+ ($why)} ($(elapsed))"
		show_failure "$log"
	fi
}

# make check-debug: build or find the debug kernel, then use its tree and
# its rig files (env-<release>) for everything after.
debug_kernel() {
	local log=$LOGS/debug-kernel.log t0 rel

	t0=$(date +%s)
	echo "debug kernel (tests/debug/build.sh; a fresh build takes long) ..."
	if ! rel=$("$KT_ROOT/tests/debug/build.sh" 2>"$log"); then
		tail -n 30 "$log"
		echo "0 passed, 1 failed"
		return 1
	fi
	echo "debug kernel $rel ready ($(($(date +%s) - t0))s)"
	export KABI=$rel
	unset KDIR
}

main() {
	local g s

	mkdir -p "$KT_CACHE"
	rm -rf "$LOGS"
	mkdir -p "$LOGS"
	echo "setup ..."
	if ! "$KT_VM_DIR/setup.sh" >"$LOGS/setup.log" 2>&1; then
		tail -n 30 "$LOGS/setup.log"
		echo "0 passed, 1 failed"
		exit 1
	fi
	if [ "$DEBUG" = 1 ]; then
		debug_kernel || exit 1
	fi
	kt_load_env
	plan
	for s in "${STEPS[@]}"; do
		case $s in
		build) step_build ;;
		kdir:*) step_build_extra "${s#kdir:}" ;;
		sparse) step_sparse ;;
		lint) step_make lint lint ;;
		unit) step_make unit -C tests/unit check ;;
		fuzz) step_make fuzz -C tests/fuzz check ;;
		esac
	done
	for g in "${GUESTS[@]}"; do
		step_guest "$g"
	done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

main "$@"
