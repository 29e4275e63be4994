# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# Sourced by the host-side scripts of the test rig (setup.sh, run-guest.sh,
# run.sh, ../check.sh). Defines paths and loads what setup.sh found.

KT_VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KT_ROOT=$(cd "$KT_VM_DIR/../.." && pwd)
KT_CACHE=${KT_CACHE:-$KT_VM_DIR/.cache}
KT_ENV_FILE=$KT_CACHE/env

kt_log() { printf '%s\n' "$*" >&2; }
kt_die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Load the facts setup.sh wrote (KABI, KDIR, KT_IMAGE, KT_KERNEL, KT_INITRD).
# An explicit KDIR/KABI from the caller selects another kernel's cache.
kt_load_env() {
	local abi=${KABI:-}

	if [ -z "$abi" ] && [ -n "${KDIR:-}" ] && [ -r "$KDIR/include/config/kernel.release" ]; then
		abi=$(cat "$KDIR/include/config/kernel.release")
	fi
	if [ -n "$abi" ] && [ -r "$KT_CACHE/env-$abi" ]; then
		# shellcheck source=/dev/null
		. "$KT_CACHE/env-$abi"
	elif [ -z "$abi" ] && [ -r "$KT_ENV_FILE" ]; then
		# shellcheck source=/dev/null
		. "$KT_ENV_FILE"
	else
		kt_die "run tests/vm/setup.sh first${abi:+ (for $abi)}"
	fi
}
