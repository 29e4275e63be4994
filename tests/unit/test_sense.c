// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kt_status_sense() and kt_sense_build() (core/wire/sense.c)
 * against the sense data layouts of SPC-4 (4.5).
 */
#include <stdlib.h>
#include "test.h"

struct status_want {
	kt_status_t st;
	const char *name;
	u8 sam, key, asc, ascq;
};

#define CC(st, k, a, q) { st, #st, KT_SAM_CHECK_CONDITION, k, a, q }
#define NS(st, sam)	{ st, #st, sam, 0, 0, 0 }

static const struct status_want status_table[] = {
	NS(KT_OK, KT_SAM_GOOD),
	CC(KT_S_INVALID_OPCODE, 0x05, 0x20, 0x00),
	CC(KT_S_INVALID_FIELD_CDB, 0x05, 0x24, 0x00),
	CC(KT_S_INVALID_FIELD_PARAM, 0x05, 0x26, 0x00),
	CC(KT_S_PARAM_LIST_LENGTH, 0x05, 0x1a, 0x00),
	CC(KT_S_LBA_OUT_OF_RANGE, 0x05, 0x21, 0x00),
	CC(KT_S_LUN_NOT_SUPPORTED, 0x05, 0x25, 0x00),
	CC(KT_S_WRITE_PROTECTED, 0x07, 0x27, 0x00),
	CC(KT_S_READ_ERROR, 0x03, 0x11, 0x00),
	CC(KT_S_WRITE_ERROR, 0x03, 0x0c, 0x00),
	CC(KT_S_MISCOMPARE_VERIFY, 0x0e, 0x1d, 0x00),
	CC(KT_S_NO_RESOURCES, 0x0b, 0x55, 0x03),
	CC(KT_S_SAVING_NOT_SUPPORTED, 0x05, 0x39, 0x00),
	CC(KT_S_INTERNAL_ERROR, 0x04, 0x44, 0x00),
	NS(KT_S_RESERVATION_CONFLICT, 0x18),
	NS(KT_S_BUSY, 0x08),
	NS(KT_S_TASK_SET_FULL, 0x28),
	/* ASC/ASCQ are the caller's: zero going in, zero coming out */
	CC(KT_S_UNIT_ATTENTION, 0x06, 0x00, 0x00),
	CC(KT_S_INVALID_CDB_LENGTH, 0x05, 0x24, 0x00),
	CC(KT_S_WRITE_OVERFLOW, 0x05, 0x0e, 0x03),
	CC(KT_S_ABORTED, 0x0b, 0x00, 0x00),
	CC(KT_S_NOT_READY, 0x02, 0x04, 0x00),
	CC(KT_S_LUN_COMM_FAILURE, 0x0b, 0x08, 0x00),
	CC(KT_S_PR_NO_RESOURCES, 0x05, 0x55, 0x04),
	CC(KT_S_PR_INVALID_RELEASE, 0x05, 0x26, 0x04),
	CC(KT_S_ALUA_TRANSITION, 0x02, 0x04, 0x0a),
	CC(KT_S_ALUA_STANDBY, 0x02, 0x04, 0x0b),
	CC(KT_S_ALUA_UNAVAILABLE, 0x02, 0x04, 0x0c),
	CC(KT_S_ALUA_OFFLINE, 0x02, 0x04, 0x12),
	CC(KT_S_INVALID_MESSAGE, 0x05, 0x49, 0x00),
	NS(KT_S_ACA_ACTIVE, 0x30),
};

static void status_map_all(void)
{
	const struct status_want *w;
	struct kt_sense_info si;
	size_t i;
	u8 sam;

	CHECK_EQ(ARRAY_SIZE(status_table), KT_S__COUNT);
	for (i = 0; i < ARRAY_SIZE(status_table); i++) {
		w = &status_table[i];
		memset(&si, 0, sizeof(si));
		sam = kt_status_sense(w->st, &si);
		if (sam != w->sam || si.key != w->key || si.asc != w->asc ||
		    si.ascq != w->ascq) {
			FAIL("%s: got %02x %x/%02x/%02x, want %02x %x/%02x/%02x",
			     w->name, sam, si.key, si.asc, si.ascq,
			     w->sam, w->key, w->asc, w->ascq);
			return;
		}
	}
}

static void status_unknown_is_internal_error(void)
{
	static const unsigned int bad[] = { KT_S__COUNT, 100, 0x80000000u,
					    0xffffffffu };
	struct kt_sense_info si;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&si, 0x5a, sizeof(si));
		CHECK_EQ(kt_status_sense((kt_status_t)bad[i], &si),
			 KT_SAM_CHECK_CONDITION);
		CHECK_EQ(si.key, KT_SK_HARDWARE_ERROR);
		CHECK_EQ(si.asc, 0x44);
		CHECK_EQ(si.ascq, 0x00);
		CHECK(!si.info_valid && !si.sks_valid);
	}
}

/* Everything but key/asc/ascq is cleared: the caller sets it afterwards */
static void status_clears_caller_fields(void)
{
	struct kt_sense_info si, zero;

	memset(&si, 0xff, sizeof(si));
	si.info_valid = true;
	si.sks_valid = true;
	si.sks_cd = true;
	si.sks_bpv = true;
	kt_status_sense(KT_S_INVALID_FIELD_CDB, &si);
	memset(&zero, 0, sizeof(zero));
	zero.key = 0x05;
	zero.asc = 0x24;
	CHECK_MEM(&si, &zero, sizeof(si));
}

static void status_unit_attention_keeps_asc(void)
{
	struct kt_sense_info si;

	memset(&si, 0, sizeof(si));
	si.asc = 0x29;		/* POWER ON, RESET, OR BUS DEVICE RESET */
	si.ascq = 0x00;
	si.info_valid = true;
	si.info = 42;
	si.sks_valid = true;
	CHECK_EQ(kt_status_sense(KT_S_UNIT_ATTENTION, &si),
		 KT_SAM_CHECK_CONDITION);
	CHECK_EQ(si.key, KT_SK_UNIT_ATTENTION);
	CHECK_EQ(si.asc, 0x29);
	CHECK_EQ(si.ascq, 0x00);
	CHECK(!si.info_valid && !si.info && !si.sks_valid);

	si.asc = 0x3f;		/* REPORTED LUNS DATA HAS CHANGED */
	si.ascq = 0x0e;
	kt_status_sense(KT_S_UNIT_ATTENTION, &si);
	CHECK_EQ(si.asc, 0x3f);
	CHECK_EQ(si.ascq, 0x0e);
}

/* Statuses without sense data clear even a stale asc/ascq */
static void status_without_sense_is_all_zero(void)
{
	static const kt_status_t st[] = { KT_OK, KT_S_RESERVATION_CONFLICT,
					  KT_S_BUSY, KT_S_TASK_SET_FULL };
	struct kt_sense_info si, zero;
	size_t i;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < ARRAY_SIZE(st); i++) {
		memset(&si, 0, sizeof(si));
		si.key = 0x06;
		si.asc = 0x29;
		si.ascq = 0x01;
		si.info_valid = true;
		kt_status_sense(st[i], &si);
		CHECK_MEM(&si, &zero, sizeof(si));
	}
}

static void sense_for(kt_status_t st, struct kt_sense_info *si)
{
	memset(si, 0, sizeof(*si));
	kt_status_sense(st, si);
}

/* The byte layout of fixed format sense data (SPC-4) */
static void fixed_invalid_opcode(void)
{
	static const u8 want[18] = {
		0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a,
		0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct kt_sense_info si;
	u8 buf[KT_SENSE_MAX];

	sense_for(KT_S_INVALID_OPCODE, &si);
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), false, &si), 18);
	CHECK_MEM(buf, want, sizeof(want));
	CHECK_EQ(buf[18], 0xee);
}

static void fixed_write_protected(void)
{
	static const u8 want[18] = {
		0x70, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x0a,
		0x00, 0x00, 0x00, 0x00, 0x27, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct kt_sense_info si;
	u8 buf[18];

	sense_for(KT_S_WRITE_PROTECTED, &si);
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), false, &si), 18);
	CHECK_MEM(buf, want, sizeof(want));
}

/* Field pointer, SPC-4: SKSV|C/D|BPV|bit pointer, field pointer */
static void fixed_field_pointer_cdb(void)
{
	static const u8 want[18] = {
		0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a,
		0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0xcc, 0x00, 0x01,
	};
	struct kt_sense_info si;
	u8 buf[KT_SENSE_MAX];

	sense_for(KT_S_INVALID_FIELD_CDB, &si);
	si.sks_valid = true;
	si.sks_cd = true;
	si.sks_bpv = true;
	si.sks_bit = 4;
	si.sks_field = 1;
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), false, &si), 18);
	CHECK_MEM(buf, want, sizeof(want));
}

static void fixed_field_pointer_param(void)
{
	struct kt_sense_info si;
	u8 buf[18];

	sense_for(KT_S_INVALID_FIELD_PARAM, &si);
	si.sks_valid = true;
	si.sks_field = 0x1234;
	si.sks_bit = 7;		/* ignored: BPV clear */
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), false, &si), 18);
	CHECK_EQ(buf[12], 0x26);
	CHECK_EQ(buf[15], 0x80);
	CHECK_EQ(buf[16], 0x12);
	CHECK_EQ(buf[17], 0x34);
}

/* Bit pointer is three bits; higher bits of sks_bit must not leak */
static void fixed_field_pointer_masks_bit(void)
{
	struct kt_sense_info si;
	u8 buf[18];

	sense_for(KT_S_INVALID_FIELD_CDB, &si);
	si.sks_valid = true;
	si.sks_bpv = true;
	si.sks_bit = 0xff;
	si.sks_field = 0xffff;
	kt_sense_build(buf, sizeof(buf), false, &si);
	CHECK_EQ(buf[15], 0x8f);
	CHECK_EQ(buf[16], 0xff);
	CHECK_EQ(buf[17], 0xff);
}

static void fixed_information(void)
{
	static const u8 want[18] = {
		0xf0, 0x00, 0x0e, 0x12, 0x34, 0x56, 0x78, 0x0a,
		0x00, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct kt_sense_info si;
	u8 buf[18];

	sense_for(KT_S_MISCOMPARE_VERIFY, &si);
	si.info_valid = true;
	si.info = 0x12345678;
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), false, &si), 18);
	CHECK_MEM(buf, want, sizeof(want));
}

/* INFORMATION that needs more than 4 bytes: VALID clear, field zero */
static void fixed_information_too_big(void)
{
	struct kt_sense_info si;
	u8 buf[18];

	sense_for(KT_S_READ_ERROR, &si);
	si.info_valid = true;
	si.info = 0x100000000ull;
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), false, &si), 18);
	CHECK_EQ(buf[0], 0x70);
	CHECK_EQ(buf[3] | buf[4] | buf[5] | buf[6], 0);
	CHECK_EQ(buf[2], 0x03);
	CHECK_EQ(buf[12], 0x11);

	si.info = 0xffffffffull;
	kt_sense_build(buf, sizeof(buf), false, &si);
	CHECK_EQ(buf[0], 0xf0);
	CHECK_EQ(buf[3] & buf[4] & buf[5] & buf[6], 0xff);
}

static void fixed_unit_attention(void)
{
	struct kt_sense_info si;
	u8 buf[18];

	memset(&si, 0, sizeof(si));
	si.asc = 0x2a;		/* CAPACITY DATA HAS CHANGED */
	si.ascq = 0x09;
	CHECK_EQ(kt_status_sense(KT_S_UNIT_ATTENTION, &si), 0x02);
	kt_sense_build(buf, sizeof(buf), false, &si);
	CHECK_EQ(buf[2], 0x06);
	CHECK_EQ(buf[12], 0x2a);
	CHECK_EQ(buf[13], 0x09);
}

/* Descriptor format header (SPC-4) */
static void desc_header_only(void)
{
	static const u8 want[8] = {
		0x72, 0x05, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct kt_sense_info si;
	u8 buf[KT_SENSE_MAX];

	sense_for(KT_S_INVALID_FIELD_CDB, &si);
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), true, &si), 8);
	CHECK_MEM(buf, want, sizeof(want));
	CHECK_EQ(buf[8], 0xee);
}

/* Information descriptor, SPC-4: type 0, length 0Ah, VALID */
static void desc_information(void)
{
	static const u8 want[20] = {
		0x72, 0x0e, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x0c,
		0x00, 0x0a, 0x80, 0x00,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	};
	struct kt_sense_info si;
	u8 buf[KT_SENSE_MAX];

	sense_for(KT_S_MISCOMPARE_VERIFY, &si);
	si.info_valid = true;
	si.info = 0x0123456789abcdefull;
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), true, &si), 20);
	CHECK_MEM(buf, want, sizeof(want));
}

/* Sense key specific descriptor, SPC-4: type 2, length 06h */
static void desc_field_pointer(void)
{
	static const u8 want[16] = {
		0x72, 0x05, 0x24, 0x00, 0x00, 0x00, 0x00, 0x08,
		0x02, 0x06, 0x00, 0x00, 0xca, 0x00, 0x02, 0x00,
	};
	struct kt_sense_info si;
	u8 buf[KT_SENSE_MAX];

	sense_for(KT_S_INVALID_FIELD_CDB, &si);
	si.sks_valid = true;
	si.sks_cd = true;
	si.sks_bpv = true;
	si.sks_bit = 2;
	si.sks_field = 2;
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), true, &si), 16);
	CHECK_MEM(buf, want, sizeof(want));
}

static void desc_both_descriptors(void)
{
	static const u8 want[28] = {
		0x72, 0x05, 0x26, 0x00, 0x00, 0x00, 0x00, 0x14,
		0x00, 0x0a, 0x80, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
		0x02, 0x06, 0x00, 0x00, 0x80, 0x00, 0x05, 0x00,
	};
	struct kt_sense_info si;
	u8 buf[KT_SENSE_MAX];

	sense_for(KT_S_INVALID_FIELD_PARAM, &si);
	si.info_valid = true;
	si.info = 0x1000;
	si.sks_valid = true;
	si.sks_field = 5;
	CHECK_EQ(kt_sense_build(buf, sizeof(buf), true, &si), 28);
	CHECK_MEM(buf, want, sizeof(want));
}

/* Fill @si with everything set, so each encoding is at its longest */
static void full_info(struct kt_sense_info *si)
{
	sense_for(KT_S_INVALID_FIELD_CDB, si);
	si->info_valid = true;
	si->info = 0x11223344;
	si->sks_valid = true;
	si->sks_cd = true;
	si->sks_bpv = true;
	si->sks_bit = 3;
	si->sks_field = 0x0102;
}

#define CANARY		0xa5
#define CANARY_LEN	32

/*
 * For every length 0..KT_SENSE_MAX: the return value is 0 below the
 * 8-byte header and min(full, len) above it, the bytes written are a
 * prefix of the full encoding, and nothing past the returned count (let
 * alone past @len) is touched.  The exact-size heap copy lets ASan catch
 * an overflow the canary would miss.
 */
static void truncate_one(bool desc, const struct kt_sense_info *si)
{
	u8 full[KT_SENSE_MAX], buf[KT_SENSE_MAX + CANARY_LEN];
	unsigned int len, n, want, full_len, i;
	u8 *exact;

	full_len = kt_sense_build(full, sizeof(full), desc, si);
	CHECK(full_len >= 8 && full_len <= KT_SENSE_MAX);
	for (len = 0; len <= KT_SENSE_MAX; len++) {
		memset(buf, CANARY, sizeof(buf));
		n = kt_sense_build(buf, len, desc, si);
		want = len < 8 ? 0 : (len < full_len ? len : full_len);
		if (n != want) {
			FAIL("desc=%d len=%u: returned %u, want %u",
			     desc, len, n, want);
			return;
		}
		CHECK_MEM(buf, full, n);
		for (i = n; i < sizeof(buf); i++) {
			if (buf[i] != CANARY) {
				FAIL("desc=%d len=%u: byte %u written past %u",
				     desc, len, i, n);
				return;
			}
		}
		exact = malloc(len ? len : 1);
		CHECK(exact);
		n = kt_sense_build(exact, len, desc, si);
		free(exact);
		CHECK_EQ(n, want);
	}
}

static void truncation_never_overflows(void)
{
	struct kt_sense_info si;

	full_info(&si);
	truncate_one(false, &si);
	CHECK_OK();
	truncate_one(true, &si);
	CHECK_OK();
	sense_for(KT_S_BUSY, &si);
	truncate_one(false, &si);
	CHECK_OK();
	truncate_one(true, &si);
}

/* A truncated encoding still reports the untruncated ADDITIONAL LENGTH */
static void truncation_keeps_additional_length(void)
{
	struct kt_sense_info si;
	u8 buf[KT_SENSE_MAX];

	full_info(&si);
	CHECK_EQ(kt_sense_build(buf, 8, false, &si), 8);
	CHECK_EQ(buf[0], 0xf0);
	CHECK_EQ(buf[7], 10);
	CHECK_EQ(kt_sense_build(buf, 8, true, &si), 8);
	CHECK_EQ(buf[0], 0x72);
	CHECK_EQ(buf[7], 20);
	CHECK_EQ(kt_sense_build(buf, 7, true, &si), 0);
}

/* Every CHECK CONDITION status gives a well-formed encoding */
static void every_status_encodes(void)
{
	struct kt_sense_info si;
	unsigned int st, n;
	u8 buf[KT_SENSE_MAX];
	u8 sam;

	for (st = 0; st < KT_S__COUNT + 2; st++) {
		sense_for((kt_status_t)st, &si);
		sam = kt_status_sense((kt_status_t)st, &si);
		if (sam != KT_SAM_CHECK_CONDITION)
			continue;
		CHECK(si.key != KT_SK_NO_SENSE);
		n = kt_sense_build(buf, sizeof(buf), false, &si);
		CHECK_EQ(n, 18);
		CHECK_EQ(buf[2], si.key);
		n = kt_sense_build(buf, sizeof(buf), true, &si);
		CHECK_EQ(n, 8);
		CHECK_EQ(buf[1], si.key);
	}
}

static const struct kt_test tests[] = {
	KT_TEST(status_map_all),
	KT_TEST(status_unknown_is_internal_error),
	KT_TEST(status_clears_caller_fields),
	KT_TEST(status_unit_attention_keeps_asc),
	KT_TEST(status_without_sense_is_all_zero),
	KT_TEST(fixed_invalid_opcode),
	KT_TEST(fixed_write_protected),
	KT_TEST(fixed_field_pointer_cdb),
	KT_TEST(fixed_field_pointer_param),
	KT_TEST(fixed_field_pointer_masks_bit),
	KT_TEST(fixed_information),
	KT_TEST(fixed_information_too_big),
	KT_TEST(fixed_unit_attention),
	KT_TEST(desc_header_only),
	KT_TEST(desc_information),
	KT_TEST(desc_field_pointer),
	KT_TEST(desc_both_descriptors),
	KT_TEST(truncation_never_overflows),
	KT_TEST(truncation_keeps_additional_length),
	KT_TEST(every_status_encodes),
};

int main(void)
{
	return kt_test_run("sense", tests, ARRAY_SIZE(tests));
}
