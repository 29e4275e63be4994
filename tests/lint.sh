#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh FILE...: checkpatch.pl --strict --no-tree -f on each file; prints
# the report of every file that has an error, warning or check, and exits
# non-zero when any has. CHECKPATCH=<path> picks the script.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

find_checkpatch() {
	local f

	for f in "${CHECKPATCH:-}" "$root/scripts/checkpatch.pl" \
		 /opt/linux-source-6.1/scripts/checkpatch.pl; do
		[ -n "$f" ] && [ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# The kernel include tree to seed checkpatch's CamelCase list from, as it
# does inside a kernel tree: kernel names like Scsi_Host are not ours to
# rename. From the headers setup.sh chose, else any installed ones.
find_kroot() {
	local d kdir=${KDIR:-}

	if [ -z "$kdir" ] && [ -r "$root/tests/vm/.cache/env" ]; then
		kdir=$(sed -n "s/^KDIR='\(.*\)'$/\1/p" "$root/tests/vm/.cache/env")
	fi
	for d in ${KT_LINT_ROOT:-} ${kdir:+"$kdir" "$kdir/source"} \
		 /usr/src/linux-headers-*-common; do
		[ -f "$d/include/linux/kernel.h" ] && { echo "$d"; return 0; }
	done
	return 1
}

cp=$(find_checkpatch) || {
	echo "lint: checkpatch.pl not found (run tests/vm/setup.sh)" >&2
	exit 2
}
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }

opts=(--no-tree --strict --quiet --show-types --color=never)
if kroot=$(find_kroot); then
	# No git mode (it seeds CamelCase from our own include/ only).
	export GIT_DIR=/nonexistent
	opts+=(--root="$kroot")
else
	echo "lint: no kernel include tree found; kernel CamelCase names will be flagged" >&2
fi
bad=0
for f in "$@"; do
	# --quiet: nothing at all for a clean file.
	out=$(perl "$cp" "${opts[@]}" -f "$f" 2>&1)
	if [ $? -ne 0 ] || [ -n "$out" ]; then
		printf '%s\n%s\n\n' "== $f" "$out"
		bad=$((bad + 1))
	fi
done
echo "lint: $# files checked, $bad with problems"
[ $bad -eq 0 ]
