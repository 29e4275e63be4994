# SPDX-License-Identifier: GPL-2.0
#
# Turn iscsi-test-cu (CUnit) output into one line per test:
#   PASS <Suite>.<Test> | SKIP <Suite>.<Test> | FAIL <Suite>.<Test>
# CUnit counts a skipped test as passed; a test is SKIP here when its
# output says [SKIPPED] and nothing failed.

function flush() {
	if (name == "")
		return
	if (failed)
		print "FAIL " name
	else if (skipped)
		print "SKIP " name
	else
		print "PASS " name
	name = ""
}

/^Suite: / {
	flush()
	suite = $2
	next
}

/^  Test: / {
	flush()
	t = $0
	sub(/^  Test: /, "", t)
	sub(/ \.\.\..*$/, "", t)
	name = suite "." t
	skipped = failed = closed = 0
}

# [SKIPPED] counts only before the test's own result ("passed"); after it
# the message comes from the suite's clean-up, not from the test.
/\[SKIPPED\]/ && !closed {
	t = $0
	sub(/passed.*/, "", t)
	if (t ~ /\[SKIPPED\]/)
		skipped = 1
}
/passed/ { closed = 1 }
# CUnit marks a failed test with FAILED at the end of its line (or alone)
# and lists its assertions as "    N. file.c:line  - ..."; a test's own
# "[FAILED] ..." log lines are not failures.
/(^|\.\.\.)FAILED$/ { failed = 1 }
/^    [0-9]+\. [^ ]+:[0-9]+ +- / { failed = 1 }
/^Run Summary:/ { flush() }
END { flush() }
