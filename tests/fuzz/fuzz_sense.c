// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for kt_status_sense() and kt_sense_build().
 *
 * Input layout (missing bytes read as zero):
 *   0      status (any value; >= KT_S__COUNT exercises the unknown path)
 *   1      flags: 0x01 descriptor format, 0x02 info_valid, 0x04 sks_valid,
 *          0x08 sks_cd, 0x10 sks_bpv, 0x20 take key/asc/ascq from
 *          kt_status_sense() instead of bytes 2-4
 *   2-4    key, asc, ascq
 *   5      sks_bit
 *   6-7    sks_field (big endian)
 *   8-15   info (big endian)
 *   16     buffer length handed to kt_sense_build()
 */
#include <ktarget/wire.h>
#include "fuzz.h"

#define IN_LEN	17

static bool is_zero(const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* kt_status_sense() over @in; true if the sense data should be built */
static bool fill_status(const u8 *in, struct kt_sense_info *si)
{
	kt_status_t st = (kt_status_t)in[0];
	u8 asc = si->asc, ascq = si->ascq;
	u8 sam;

	sam = kt_status_sense(st, si);
	if (sam != KT_SAM_CHECK_CONDITION) {
		INVARIANT(sam == KT_SAM_GOOD || sam == KT_SAM_BUSY ||
			  sam == KT_SAM_RESERVATION_CONFLICT ||
			  sam == KT_SAM_TASK_SET_FULL || sam == KT_SAM_ACA_ACTIVE);
		INVARIANT(is_zero(si, sizeof(*si)));
		return false;
	}
	INVARIANT(si->key != KT_SK_NO_SENSE && si->key <= 0xf);
	INVARIANT(!si->info_valid && !si->info && !si->sks_valid);
	if (st == KT_S_UNIT_ATTENTION)
		INVARIANT(si->asc == asc && si->ascq == ascq);
	return true;
}

static void fill(const u8 *in, struct kt_sense_info *si)
{
	memset(si, 0, sizeof(*si));
	si->key = in[2];
	si->asc = in[3];
	si->ascq = in[4];
	if ((in[1] & 0x20) && !fill_status(in, si))
		return;
	si->info_valid = in[1] & 0x02;
	si->sks_valid = in[1] & 0x04;
	si->sks_cd = in[1] & 0x08;
	si->sks_bpv = in[1] & 0x10;
	si->sks_bit = in[5];
	si->sks_field = get_unaligned_be16(in + 6);
	si->info = get_unaligned_be64(in + 8);
}

static void check_fixed(const u8 *s, unsigned int n,
			const struct kt_sense_info *si)
{
	bool valid = si->info_valid && !(si->info >> 32);

	INVARIANT(n == 18);
	INVARIANT(s[0] == (valid ? 0xf0 : 0x70));
	INVARIANT(s[2] == (si->key & 0xf) && s[7] == 10);
	INVARIANT(s[12] == si->asc && s[13] == si->ascq);
	INVARIANT(valid || is_zero(s + 3, 4));
	INVARIANT(valid ? get_unaligned_be32(s + 3) == si->info : true);
	INVARIANT(!!(s[15] & 0x80) == si->sks_valid);
	INVARIANT(si->sks_valid || is_zero(s + 15, 3));
}

static void check_desc(const u8 *s, unsigned int n,
		       const struct kt_sense_info *si)
{
	unsigned int off = 8;

	INVARIANT(n == 8u + (si->info_valid ? 12 : 0) +
		  (si->sks_valid ? 8 : 0));
	INVARIANT(s[0] == 0x72 && s[1] == (si->key & 0xf));
	INVARIANT(s[2] == si->asc && s[3] == si->ascq && s[7] == n - 8);
	while (off < n) {
		INVARIANT(off + 2 <= n && off + 2 + s[off + 1] <= n);
		if (s[off] == 0x00) {
			INVARIANT(s[off + 1] == 10 && s[off + 2] == 0x80);
			INVARIANT(get_unaligned_be64(s + off + 4) == si->info);
		} else {
			INVARIANT(s[off] == 0x02 && s[off + 1] == 6);
			INVARIANT(s[off + 4] & 0x80);
		}
		off += 2 + s[off + 1];
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 in[IN_LEN] = { 0 }, full[KT_SENSE_MAX];
	struct kt_sense_info si;
	unsigned int len, n, ref;
	bool desc;
	u8 *buf;

	if (size > IN_LEN)
		return -1;
	memcpy(in, data, size);
	fill(in, &si);
	desc = in[1] & 0x01;
	len = in[16];

	ref = kt_sense_build(full, sizeof(full), desc, &si);
	if (desc)
		check_desc(full, ref, &si);
	else
		check_fixed(full, ref, &si);

	/* Exactly @len bytes on the heap: ASan catches any overflow */
	buf = malloc(len ? len : 1);
	INVARIANT(buf);
	n = kt_sense_build(buf, len, desc, &si);
	INVARIANT(len < 8 ? n == 0 : n == (len < ref ? len : ref));
	INVARIANT(!memcmp(buf, full, n));
	free(buf);
	return 0;
}
