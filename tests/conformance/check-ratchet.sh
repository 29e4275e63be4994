#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-ratchet.sh NAME RATCHET CUNIT-OUTPUT [CUNIT-OUTPUT...]
#
# Compare an iscsi-test-cu run with the committed list of tests that must
# pass.  With several outputs (runs of other families, e.g. MultipathIO
# given two paths), a test's result in a later one replaces an earlier
# one's.  Prints a PASS:/FAIL: line for the ratchet (one per regressed test
# on failure), the counts, and NEW-PASS: lines for tests that pass but are
# not in the list yet (add them to RATCHET to raise the bar).
set -u
name=$1
ratchet=$2
shift 2
dir=$(dirname "${BASH_SOURCE[0]}")
res=$(mktemp)

# one line per test, the last output's result, in first-seen order
for out in "$@"; do
	awk -f "$dir/cunit-results.awk" "$out"
done | awk '!($2 in r) {order[++n] = $2} {r[$2] = $0}
	END {for (i = 1; i <= n; i++) print r[order[i]]}' >"$res"
read -r npass nskip nfail < <(awk '{c[$1]++} END {print c["PASS"]+0, c["SKIP"]+0, c["FAIL"]+0}' "$res")
echo "$name: $npass passed, $nskip skipped, $nfail failed (iscsi-test-cu)"
grep '^FAIL ' "$res" | sed 's/^FAIL /  failing: /'

rc=0
if [ "$(wc -l <"$res")" -eq 0 ]; then
	echo "FAIL: $name-ratchet: iscsi-test-cu reported no tests"
	rc=1
fi
while read -r t; do
	[ -n "$t" ] || continue
	if ! grep -qx "PASS $t" "$res"; then
		echo "FAIL: $name-ratchet: $t no longer passes ($(grep " $t\$" "$res" | cut -d' ' -f1 || echo missing))"
		rc=1
	fi
done <"$ratchet"
[ $rc -eq 0 ] && echo "PASS: $name-ratchet ($(grep -c . "$ratchet") tests kept passing)"
awk '$1 == "PASS" {print $2}' "$res" | sort | comm -13 <(sort "$ratchet") - | sed 's/^/NEW-PASS: /'
rm -f "$res"
exit $rc
