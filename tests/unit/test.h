/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny test harness for the user-space unit tests: each test case is a
 * void function; the first failed CHECK records a message and returns from
 * the function it is in.  kt_test_run() prints one line per case:
 *	PASS: unit/<suite>_<name>
 *	FAIL: unit/<suite>_<name>: <file>:<line>: <what>
 * and returns the number of failed cases (main's exit status).
 */
#ifndef KT_UNIT_TEST_H
#define KT_UNIT_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <ktarget/wire.h>

struct kt_test {
	const char *name;
	void (*fn)(void);
};

#define KT_TEST(fn)	{ #fn, fn }

static char kt_test_msg[512];
static bool kt_test_failed;

__attribute__((format(printf, 3, 4)))
static void kt_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (kt_test_failed)
		return;		/* keep the first failure */
	kt_test_failed = true;
	n = snprintf(kt_test_msg, sizeof(kt_test_msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(kt_test_msg + n, sizeof(kt_test_msg) - n, fmt, ap);
	va_end(ap);
}

#define FAIL(...)	kt_test_fail(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		FAIL("%s", #cond);					\
		return;							\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (unsigned long long)(a);		\
	unsigned long long _b = (unsigned long long)(b);		\
	if (_a != _b) {							\
		FAIL("%s == %s: got 0x%llx, want 0x%llx",		\
		     #a, #b, _a, _b);					\
		return;							\
	}								\
} while (0)

/* kt_status_t is __bitwise in the kernel; compare it as a number here */
#define CHECK_ST(a, b) do {						\
	unsigned int _sa = (unsigned int)(a);				\
	unsigned int _sb = (unsigned int)(b);				\
	if (_sa != _sb) {						\
		FAIL("%s: got status %u, want %s (%u)",			\
		     #a, _sa, #b, _sb);					\
		return;							\
	}								\
} while (0)

#define CHECK_MEM(got, want, n) do {					\
	const u8 *_g = (const u8 *)(got), *_w = (const u8 *)(want);	\
	size_t _i, _n = (n);						\
	for (_i = 0; _i < _n; _i++) {					\
		if (_g[_i] != _w[_i]) {					\
			FAIL("%s: byte %zu is 0x%02x, want 0x%02x",	\
			     #got, _i, _g[_i], _w[_i]);			\
			return;						\
		}							\
	}								\
} while (0)

/* Stop the calling test too if a helper it called has failed */
#define CHECK_OK()	do { if (kt_test_failed) return; } while (0)

static int kt_test_run(const char *suite, const struct kt_test *t, size_t n)
{
	int failed = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		kt_test_failed = false;
		kt_test_msg[0] = 0;
		t[i].fn();
		if (kt_test_failed) {
			printf("FAIL: unit/%s_%s: %s\n", suite, t[i].name,
			       kt_test_msg);
			failed++;
		} else {
			printf("PASS: unit/%s_%s\n", suite, t[i].name);
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}

#endif /* KT_UNIT_TEST_H */
