/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every libFuzzer harness here shares: the entry point libFuzzer
 * calls, INVARIANT(), which aborts (a crash libFuzzer records, with its
 * input) when a promise of the code under test does not hold, and a
 * byte reader for harnesses that draw a sequence of actions.
 */
#ifndef KT_FUZZ_H
#define KT_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <ktarget/port.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define INVARIANT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "invariant failed: %s (line %d)\n",	\
			#cond, __LINE__);				\
		abort();						\
	}								\
} while (0)

/* A harness's input read one byte at a time; 0 once it runs out. */
struct fuzz_bytes {
	const u8 *p;
	size_t n;
};

static inline u8 fuzz_byte(struct fuzz_bytes *in)
{
	u8 b = 0;

	if (in->n) {
		b = *in->p++;
		in->n--;
	}
	return b;
}

#endif /* KT_FUZZ_H */
