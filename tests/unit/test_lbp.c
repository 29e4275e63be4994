// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the UNMAP parameter list of core/wire/lbp.c (SBC-4
 * 5.32): every cut of a list, header lengths that disagree, the
 * descriptor and LBA count limits, LBA + count past the capacity and
 * past 2^64.  Each list is parsed from a buffer of exactly its length,
 * so ASan reports any read past it.
 */
#include <stdlib.h>
#include "test.h"

#define CAP	1000000ULL

static const struct kt_unmap_limits lim = {
	.capacity = CAP, .max_desc = 4, .max_lbas = 100000,
};

/* A list of @n descriptors with consistent header lengths into @buf */
static u32 mk_list(u8 *buf, const u64 *lba, const u32 *cnt, u32 n)
{
	u32 i, len = KT_UNMAP_HDR_LEN + n * KT_UNMAP_DESC_LEN;

	memset(buf, 0, len);
	put_unaligned_be16(len - 2, buf);
	put_unaligned_be16(len - 8, buf + 2);
	for (i = 0; i < n; i++) {
		put_unaligned_be64(lba[i], buf + 8 + 16 * i);
		put_unaligned_be32(cnt[i], buf + 8 + 16 * i + 8);
	}
	return len;
}

/* Parse @len bytes of @list from a heap copy of exactly that size */
static kt_status_t parse(const u8 *list, u32 len, const struct kt_unmap_limits *l,
			 struct kt_unmap_list *out, u16 *field)
{
	u8 *b = malloc(len ? len : 1);
	kt_status_t st;

	memcpy(b, list, len);
	st = kt_unmap_parse(b, len, l, out, field);
	/* the list points into the caller's buffer: not used after free */
	if (st == KT_OK && out->ndesc)
		out->desc = list + (out->desc - b);
	free(b);
	return st;
}

static void two_descriptors(void)
{
	static const u64 lba[] = { 0, CAP - 8 };
	static const u32 cnt[] = { 2048, 8 };
	struct kt_unmap_list l;
	u8 buf[64];
	u32 len = mk_list(buf, lba, cnt, 2), n;
	u16 field;
	u64 a;

	CHECK_EQ(len, 40);
	CHECK_ST(parse(buf, len, &lim, &l, &field), KT_OK);
	CHECK_EQ(l.ndesc, 2);
	CHECK_EQ(l.nblocks, 2056);
	kt_unmap_desc(&l, 1, &a, &n);
	CHECK_EQ(a, CAP - 8);
	CHECK_EQ(n, 8);
	kt_unmap_desc(&l, 0, &a, &n);
	CHECK_EQ(a, 0);
	CHECK_EQ(n, 2048);
}

/* No list at all, a header alone, and a descriptor of no blocks */
static void empty_lists(void)
{
	static const u64 lba[] = { CAP };
	static const u32 cnt[] = { 0 };
	struct kt_unmap_list l;
	u8 buf[32] = { };
	u16 field;

	CHECK_ST(parse(buf, 0, &lim, &l, &field), KT_OK);
	CHECK_EQ(l.ndesc, 0);
	CHECK_ST(parse(buf, mk_list(buf, lba, cnt, 0), &lim, &l, &field),
		 KT_OK);
	CHECK_EQ(l.ndesc, 0);
	/* LBA == capacity with 0 blocks: nothing past the end */
	CHECK_ST(parse(buf, mk_list(buf, lba, cnt, 1), &lim, &l, &field),
		 KT_OK);
	CHECK_EQ(l.ndesc, 1);
	CHECK_EQ(l.nblocks, 0);
}

/* Every length short of the whole list is refused, never half done */
static void every_truncation(void)
{
	static const u64 lba[] = { 10, 20, 30 };
	static const u32 cnt[] = { 1, 2, 3 };
	struct kt_unmap_list l;
	u8 buf[64];
	u32 len = mk_list(buf, lba, cnt, 3), cut;
	u16 field;

	for (cut = 1; cut < len; cut++) {
		if (parse(buf, cut, &lim, &l, &field) !=
		    KT_S_PARAM_LIST_LENGTH) {
			FAIL("a list cut to %u of %u bytes was not refused",
			     cut, len);
			return;
		}
		CHECK_EQ(l.ndesc, 0);
		CHECK_EQ(field, 0xffff);
	}
	CHECK_ST(parse(buf, len, &lim, &l, &field), KT_OK);
	CHECK_EQ(l.ndesc, 3);
}

/* A descriptor data length that is no multiple of 16: the rest ignored */
static void incomplete_last_descriptor(void)
{
	static const u64 lba[] = { 10, 20 };
	static const u32 cnt[] = { 1, 2 };
	struct kt_unmap_list l;
	u8 buf[64];
	u16 field;

	mk_list(buf, lba, cnt, 2);
	put_unaligned_be16(6 + 16 + 15, buf);
	put_unaligned_be16(16 + 15, buf + 2);
	CHECK_ST(parse(buf, 8 + 31, &lim, &l, &field), KT_OK);
	CHECK_EQ(l.ndesc, 1);
	CHECK_EQ(l.nblocks, 1);
	/* more bytes than the header gives (padding) are fine */
	put_unaligned_be16(6 + 16, buf);
	put_unaligned_be16(16, buf + 2);
	CHECK_ST(parse(buf, 40, &lim, &l, &field), KT_OK);
	CHECK_EQ(l.ndesc, 1);
}

/* The two header lengths must agree, and fit in the list */
static void header_lengths(void)
{
	static const u64 lba[] = { 10 };
	static const u32 cnt[] = { 1 };
	struct kt_unmap_list l;
	u8 buf[32];
	u16 field;

	mk_list(buf, lba, cnt, 1);
	put_unaligned_be16(6 + 15, buf);	/* data length short of bdl */
	CHECK_ST(parse(buf, 24, &lim, &l, &field), KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 0);
	put_unaligned_be16(6 + 16 + 1, buf);	/* one byte past the list */
	CHECK_ST(parse(buf, 24, &lim, &l, &field), KT_S_PARAM_LIST_LENGTH);
	put_unaligned_be16(6 + 16, buf);
	put_unaligned_be16(32, buf + 2);	/* two descriptors, one sent */
	CHECK_ST(parse(buf, 24, &lim, &l, &field), KT_S_PARAM_LIST_LENGTH);
	put_unaligned_be16(0xffff, buf);
	put_unaligned_be16(0xffff, buf + 2);
	CHECK_ST(parse(buf, 24, &lim, &l, &field), KT_S_PARAM_LIST_LENGTH);
}

/* MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT and MAXIMUM UNMAP LBA COUNT */
static void count_limits(void)
{
	static const u64 lba[] = { 0, 100, 200, 300, 400 };
	static const u32 cnt[] = { 1, 1, 1, 1, 1 };
	static const u32 big[] = { 60000, 40000, 1 };
	struct kt_unmap_limits l1 = lim;
	struct kt_unmap_list l;
	u8 buf[128];
	u16 field;

	CHECK_ST(parse(buf, mk_list(buf, lba, cnt, 4), &lim, &l, &field),
		 KT_OK);
	CHECK_ST(parse(buf, mk_list(buf, lba, cnt, 5), &lim, &l, &field),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 2);
	CHECK_EQ(l.ndesc, 0);
	/* the LBA count is of all descriptors together */
	CHECK_ST(parse(buf, mk_list(buf, lba, big, 2), &lim, &l, &field),
		 KT_OK);
	CHECK_EQ(l.nblocks, 100000);
	CHECK_ST(parse(buf, mk_list(buf, lba, big, 3), &lim, &l, &field),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 8 + 2 * 16 + 8);
	/* no descriptors allowed at all: a header alone still is */
	l1.max_desc = 0;
	CHECK_ST(parse(buf, mk_list(buf, lba, cnt, 0), &l1, &l, &field),
		 KT_OK);
	CHECK_ST(parse(buf, mk_list(buf, lba, cnt, 1), &l1, &l, &field),
		 KT_S_INVALID_FIELD_PARAM);
}

/* LBA + count past the capacity, or past 2^64, anywhere in the list */
static void out_of_range(void)
{
	static const u64 in[] = { 5, CAP - 1 };
	static const u32 one[] = { 1, 1 };
	static const u32 two[] = { 1, 2 };
	static const u64 wrap[] = { 5, 0xfffffffffffffff0ULL };
	static const u32 wrapc[] = { 1, 0x20 };
	static const u64 past[] = { 5, CAP };
	struct kt_unmap_list l;
	u8 buf[64];
	u16 field;

	CHECK_ST(parse(buf, mk_list(buf, in, one, 2), &lim, &l, &field),
		 KT_OK);
	CHECK_ST(parse(buf, mk_list(buf, in, two, 2), &lim, &l, &field),
		 KT_S_LBA_OUT_OF_RANGE);
	CHECK_EQ(field, 24);
	CHECK_EQ(l.ndesc, 0);
	CHECK_ST(parse(buf, mk_list(buf, wrap, wrapc, 2), &lim, &l, &field),
		 KT_S_LBA_OUT_OF_RANGE);
	CHECK_ST(parse(buf, mk_list(buf, past, one, 2), &lim, &l, &field),
		 KT_S_LBA_OUT_OF_RANGE);
}

/* The largest list the CDB can carry, all of it descriptors */
static void longest_list(void)
{
	struct kt_unmap_limits l1 = { .capacity = ~0ULL, .max_desc = ~0U,
				      .max_lbas = ~0U };
	u8 *buf = calloc(1, KT_UNMAP_LIST_MAX);
	struct kt_unmap_list l;
	u16 field;
	kt_status_t st;

	put_unaligned_be16(KT_UNMAP_LIST_MAX - 2, buf);
	put_unaligned_be16(KT_UNMAP_LIST_MAX - 8, buf + 2);
	st = parse(buf, KT_UNMAP_LIST_MAX, &l1, &l, &field);
	free(buf);
	CHECK_ST(st, KT_OK);
	CHECK_EQ(l.ndesc, (KT_UNMAP_LIST_MAX - 8) / 16);
}

int main(void)
{
	static const struct kt_test t[] = {
		KT_TEST(two_descriptors),
		KT_TEST(empty_lists),
		KT_TEST(every_truncation),
		KT_TEST(incomplete_last_descriptor),
		KT_TEST(header_lengths),
		KT_TEST(count_limits),
		KT_TEST(out_of_range),
		KT_TEST(longest_list),
	};

	return kt_test_run("lbp", t, ARRAY_SIZE(t));
}
