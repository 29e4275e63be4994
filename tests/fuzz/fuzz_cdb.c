// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kt_cdb_decode(): the input is the CDB buffer as a
 * fabric would hand it over (any length).  Besides the sanitizers, it
 * checks what wire.h promises about a decoded CDB and feeds the outcome
 * through kt_status_sense()/kt_sense_build() as the core would.
 */
#include <ktarget/wire.h>
#include "fuzz.h"

static bool is_media_op(enum kt_op op)
{
	return op == KT_OP_READ || op == KT_OP_WRITE || op == KT_OP_VERIFY ||
	       op == KT_OP_WRITE_VERIFY || op == KT_OP_WRITE_SAME;
}

static void check_ok(const struct kt_cdb *d, const u8 *cdb, size_t size)
{
	struct kt_cdb again;

	INVARIANT(d->op > KT_OP_UNKNOWN && d->op < KT_OP__COUNT);
	INVARIANT(d->opcode == cdb[0]);
	INVARIANT(d->len && d->len == kt_cdb_len(cdb[0]));
	INVARIANT(d->len <= size && d->len <= KT_MAX_CDB);
	INVARIANT(d->dir <= KT_DIR_TO_DEV && d->xfer <= KT_XFER_BYTES);
	INVARIANT((d->dir == KT_DIR_NONE) == (d->xfer == KT_XFER_NONE));
	INVARIANT(d->xfer != KT_XFER_BLOCKS || is_media_op(d->op));
	INVARIANT(d->op != KT_OP_READ || d->dir == KT_DIR_FROM_DEV);
	INVARIANT(d->op != KT_OP_WRITE || d->dir == KT_DIR_TO_DEV);
	INVARIANT(d->op != KT_OP_WRITE_VERIFY || d->dir == KT_DIR_TO_DEV);
	INVARIANT(d->xfer == KT_XFER_BLOCKS || !d->fua);
	INVARIANT(d->bytchk <= 3 && d->bytchk != 2);
	INVARIANT(!d->ndob || (d->op == KT_OP_WRITE_SAME && d->len == 16 &&
			       d->dir == KT_DIR_NONE));
	INVARIANT(!d->unmap || d->op == KT_OP_WRITE_SAME);
	INVARIANT(d->pc <= 3 && d->protect <= 7);
	INVARIANT(d->power_cond <= 15 && d->prevent <= 3 && d->sa <= 0x1f);
	INVARIANT(d->err_field == 0 && d->err_bit == 0 && !d->err_bit_valid);

	/* Bytes past the CDB length must not matter */
	INVARIANT(kt_cdb_decode(cdb, d->len, &again) == KT_OK);
	INVARIANT(!memcmp(d, &again, sizeof(again)));
}

static void check_sense(kt_status_t st, const struct kt_cdb *d)
{
	struct kt_sense_info si;
	u8 buf[KT_SENSE_MAX];
	unsigned int n;

	memset(&si, 0, sizeof(si));
	INVARIANT(kt_status_sense(st, &si) == KT_SAM_CHECK_CONDITION);
	INVARIANT(si.key == KT_SK_ILLEGAL_REQUEST);
	if (st == KT_S_INVALID_FIELD_CDB) {
		si.sks_valid = true;
		si.sks_cd = true;
		si.sks_bpv = d->err_bit_valid;
		si.sks_bit = d->err_bit;
		si.sks_field = d->err_field;
	}
	n = kt_sense_build(buf, sizeof(buf), d->len & 1, &si);
	INVARIANT(n >= 8 && n <= sizeof(buf));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct kt_cdb d;
	kt_status_t st;

	if (size > 4 * KT_MAX_CDB)
		return -1;	/* longer adds nothing; keep the corpus small */
	st = kt_cdb_decode(data, size, &d);
	INVARIANT((unsigned int)st < KT_S__COUNT);
	if (st == KT_OK) {
		check_ok(&d, data, size);
		return 0;
	}
	INVARIANT(st == KT_S_INVALID_OPCODE || st == KT_S_INVALID_FIELD_CDB ||
		  st == KT_S_INVALID_CDB_LENGTH);
	if (st == KT_S_INVALID_FIELD_CDB) {
		INVARIANT(d.len && d.err_field < d.len && d.err_bit <= 7);
		INVARIANT(d.err_bit_valid || !d.err_bit);
	}
	if (st == KT_S_INVALID_CDB_LENGTH)
		INVARIANT(size && (size < kt_cdb_len(data[0]) ||
				   !kt_cdb_len(data[0])));
	check_sense(st, &d);
	return 0;
}
