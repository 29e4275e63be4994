/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every libFuzzer harness here shares: the entry point libFuzzer
 * calls, and INVARIANT(), which aborts (a crash libFuzzer records, with
 * its input) when a promise of the code under test does not hold.
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

#endif /* KT_FUZZ_H */
