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

cp=$(find_checkpatch) || {
	echo "lint: checkpatch.pl not found (run tests/vm/setup.sh)" >&2
	exit 2
}
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }

# CamelCase names the kernel itself defines (checkpatch --no-tree cannot
# see the kernel's headers to know them).
KERNEL_CAMELCASE='Scsi_Host'

# Drop checkpatch reports about KERNEL_CAMELCASE names and the summary line.
filter() {
	awk -v names="$KERNEL_CAMELCASE" '
		BEGIN { n = split(names, k, " "); for (i = 1; i <= n; i++) ok["<" k[i] ">"] = 1 }
		/^total: / { next }
		/^$/ { if (blk != "" && !skip) printf "%s\n", blk; blk = ""; skip = 0; next }
		{ if (blk == "" && $0 ~ /CAMELCASE/) { w = $NF; if (w in ok) skip = 1 }
		  blk = blk $0 "\n" }
		END { if (blk != "" && !skip) printf "%s", blk }'
}

bad=0
for f in "$@"; do
	# --quiet: nothing at all for a clean file.
	out=$(perl "$cp" --no-tree --strict --quiet --show-types --color=never -f "$f" 2>&1 | filter)
	if [ -n "$out" ]; then
		printf '%s\n%s\n\n' "== $f" "$out"
		bad=$((bad + 1))
	fi
done
echo "lint: $# files checked, $bad with problems"
[ $bad -eq 0 ]
