// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kt_cdb_decode() and kt_cdb_len() (core/wire/cdb.c).
 * CDB layouts are those of SPC-4 (r37) and SBC-3 (r36).
 */
#include "test.h"

/* Decode @c, which must be exactly as long as its opcode says */
#define DECODE(c, d)	kt_cdb_decode((c), sizeof(c), (d))

/* On KT_S_INVALID_FIELD_CDB: check the field pointer the decoder set */
#define CHECK_BAD_FIELD(st, d, field, bit) do {				\
	CHECK_ST(st, KT_S_INVALID_FIELD_CDB);				\
	CHECK_EQ((d).err_field, field);					\
	if ((bit) < 0) {						\
		CHECK(!(d).err_bit_valid);				\
	} else {							\
		CHECK((d).err_bit_valid);				\
		CHECK_EQ((d).err_bit, bit);				\
	}								\
} while (0)

static void check_data(const struct kt_cdb *d, enum kt_dir dir,
		       enum kt_xfer xfer)
{
	if (d->dir != dir || d->xfer != xfer)
		FAIL("opcode 0x%02x: dir/xfer %d/%d, want %d/%d",
		     d->opcode, d->dir, d->xfer, dir, xfer);
}

#define CHECK_DATA(d, dir, xfer) do {					\
	check_data(&(d), dir, xfer);					\
	CHECK_OK();							\
} while (0)

static void len_by_group(void)
{
	static const struct { u8 op; unsigned int len; } t[] = {
		{ 0x00, 6 }, { 0x1f, 6 }, { 0x20, 10 }, { 0x3f, 10 },
		{ 0x40, 10 }, { 0x5f, 10 }, { 0x60, 0 }, { 0x7f, 0 },
		{ 0x80, 16 }, { 0x9f, 16 }, { 0xa0, 12 }, { 0xbf, 12 },
		{ 0xc0, 0 }, { 0xdf, 0 }, { 0xe0, 0 }, { 0xff, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (kt_cdb_len(t[i].op) != t[i].len) {
			FAIL("kt_cdb_len(0x%02x) = %u, want %u", t[i].op,
			     kt_cdb_len(t[i].op), t[i].len);
			return;
		}
	}
}

static void test_unit_ready(void)
{
	static const u8 c[6] = { 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_TEST_UNIT_READY);
	CHECK_EQ(d.opcode, 0x00);
	CHECK_EQ(d.len, 6);
	CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);
}

/* SBC-3: 21-bit LBA, TRANSFER LENGTH 0 means 256 blocks */
static void read6(void)
{
	static const u8 c[6] = { 0x08, 0x01, 0x02, 0x03, 0x05, 0x00 };
	static const u8 c_max[6] = { 0x08, 0xff, 0xff, 0xff, 0x00, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_READ);
	CHECK_EQ(d.len, 6);
	CHECK_EQ(d.lba, 0x010203);
	CHECK_EQ(d.nblocks, 5);
	CHECK(!d.fua && !d.dpo);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BLOCKS);

	CHECK_ST(DECODE(c_max, &d), KT_OK);
	CHECK_EQ(d.lba, 0x1fffff);	/* bits 7:5 of byte 1 are reserved */
	CHECK_EQ(d.nblocks, 256);
}

/* SBC-3: same layout, TRANSFER LENGTH 0 means 256 too */
static void write6(void)
{
	static const u8 c[6] = { 0x0a, 0x00, 0x12, 0x34, 0x00, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE);
	CHECK_EQ(d.lba, 0x1234);
	CHECK_EQ(d.nblocks, 256);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
}

/* Byte 1 of READ/WRITE 10/12/16: xPROTECT 7:5, DPO 4, FUA 3 */
static void read10(void)
{
	static const u8 c[10] = { 0x28, 0x18, 0x12, 0x34, 0x56, 0x78,
				  0x00, 0xab, 0xcd, 0x00 };
	static const u8 c_prot[10] = { 0x28, 0x60, 0, 0, 0, 1, 0, 0, 1, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_READ);
	CHECK_EQ(d.len, 10);
	CHECK_EQ(d.lba, 0x12345678);
	CHECK_EQ(d.nblocks, 0xabcd);
	CHECK(d.fua && d.dpo);
	CHECK_EQ(d.protect, 0);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BLOCKS);

	CHECK_ST(DECODE(c_prot, &d), KT_OK);
	CHECK_EQ(d.protect, 3);
	CHECK(!d.fua && !d.dpo);
	CHECK_EQ(d.lba, 1);
	CHECK_EQ(d.nblocks, 1);
}

/* TRANSFER LENGTH 0 in READ(10) is zero blocks, not 65536 (SBC-3) */
static void read10_zero_length(void)
{
	static const u8 c[10] = { 0x28 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.nblocks, 0);
}

static void read12(void)
{
	static const u8 c[12] = { 0xa8, 0x08, 0xfe, 0xdc, 0xba, 0x98,
				  0x87, 0x65, 0x43, 0x21, 0x00, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_READ);
	CHECK_EQ(d.len, 12);
	CHECK_EQ(d.lba, 0xfedcba98);
	CHECK_EQ(d.nblocks, 0x87654321);
	CHECK(d.fua && !d.dpo);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BLOCKS);
}

static void read16(void)
{
	static const u8 c[16] = { 0x88, 0x10, 0x01, 0x23, 0x45, 0x67,
				  0x89, 0xab, 0xcd, 0xef, 0xff, 0xff,
				  0xff, 0xff, 0x00, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_READ);
	CHECK_EQ(d.len, 16);
	CHECK_EQ(d.lba, 0x0123456789abcdefull);
	CHECK_EQ(d.nblocks, 0xffffffff);
	CHECK(!d.fua && d.dpo);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BLOCKS);
}

static void write10_12_16(void)
{
	static const u8 c10[10] = { 0x2a, 0x08, 0, 0, 0x10, 0, 0, 0, 8, 0 };
	static const u8 c12[12] = { 0xaa, 0x10, 0, 0, 0x20, 0,
				    0, 0, 0, 0x10, 0, 0 };
	static const u8 c16[16] = { 0x8a, 0x18, 0, 0, 0, 1, 0, 0, 0, 0,
				    0, 0, 1, 0, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c10, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE);
	CHECK_EQ(d.lba, 0x1000);
	CHECK_EQ(d.nblocks, 8);
	CHECK(d.fua && !d.dpo);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);

	CHECK_ST(DECODE(c12, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE);
	CHECK_EQ(d.len, 12);
	CHECK_EQ(d.lba, 0x2000);
	CHECK_EQ(d.nblocks, 0x10);
	CHECK(!d.fua && d.dpo);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);

	CHECK_ST(DECODE(c16, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE);
	CHECK_EQ(d.len, 16);
	CHECK_EQ(d.lba, 0x100000000ull);
	CHECK_EQ(d.nblocks, 0x100);
	CHECK(d.fua && d.dpo);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
}

/*
 * VERIFY(10) (SBC-3): BYTCHK is byte 1 bits 2:1.  00b: no data,
 * 01b: nblocks of Data-Out compared, 10b: reserved, 11b: one block of
 * Data-Out compared with each block.
 */
static void verify10_bytchk(void)
{
	u8 c[10] = { 0x2f, 0x00, 0, 0, 0, 0x40, 0, 0, 0x10, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_VERIFY);
	CHECK_EQ(d.bytchk, 0);
	CHECK_EQ(d.lba, 0x40);
	CHECK_EQ(d.nblocks, 0x10);
	CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);

	c[1] = 0x12;		/* DPO, BYTCHK 01b */
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.bytchk, 1);
	CHECK(d.dpo);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);

	c[1] = 0x04;		/* BYTCHK 10b */
	CHECK_BAD_FIELD(DECODE(c, &d), d, 1, 2);

	c[1] = 0x06;		/* BYTCHK 11b */
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.bytchk, 3);
	CHECK_EQ(d.dir, KT_DIR_TO_DEV);
}

static void verify12_16(void)
{
	static const u8 c12[12] = { 0xaf, 0x02, 0, 0, 0, 9, 0, 0, 0, 3, 0, 0 };
	static const u8 c16[16] = { 0x8f, 0x02, 0, 0, 0, 0, 0, 0, 0, 7,
				    0, 0, 0, 2, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c12, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_VERIFY);
	CHECK_EQ(d.len, 12);
	CHECK_EQ(d.lba, 9);
	CHECK_EQ(d.nblocks, 3);
	CHECK_EQ(d.bytchk, 1);

	CHECK_ST(DECODE(c16, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_VERIFY);
	CHECK_EQ(d.len, 16);
	CHECK_EQ(d.lba, 7);
	CHECK_EQ(d.nblocks, 2);
	CHECK_EQ(d.bytchk, 1);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
}

/* WRITE AND VERIFY (SBC-3): BYTCHK is bit 1, bit 2 reserved */
static void write_verify(void)
{
	u8 c10[10] = { 0x2e, 0x02, 0, 0, 0, 5, 0, 0, 4, 0 };
	static const u8 c16[16] = { 0x8e, 0x10, 0, 0, 0, 0, 0, 0, 1, 0,
				    0, 0, 0, 8, 0, 0 };
	static const u8 c12[12] = { 0xae, 0x00, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c10, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE_VERIFY);
	CHECK_EQ(d.bytchk, 1);
	CHECK_EQ(d.lba, 5);
	CHECK_EQ(d.nblocks, 4);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);

	c10[1] = 0x04;
	CHECK_BAD_FIELD(DECODE(c10, &d), d, 1, 2);

	CHECK_ST(DECODE(c12, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE_VERIFY);
	CHECK_EQ(d.len, 12);
	CHECK_EQ(d.bytchk, 0);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);

	CHECK_ST(DECODE(c16, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE_VERIFY);
	CHECK_EQ(d.lba, 0x100);
	CHECK_EQ(d.nblocks, 8);
	CHECK(d.dpo);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
}

/* INQUIRY (SPC-4): EVPD byte 1 bit 0, PAGE CODE byte 2, 16-bit length */
static void inquiry_standard(void)
{
	static const u8 c[6] = { 0x12, 0x00, 0x00, 0x00, 0x60, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_INQUIRY);
	CHECK(!d.evpd);
	CHECK_EQ(d.page, 0);
	CHECK_EQ(d.alloc_len, 0x60);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
}

static void inquiry_evpd(void)
{
	static const u8 c[6] = { 0x12, 0x01, 0x83, 0x01, 0x00, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK(d.evpd);
	CHECK_EQ(d.page, 0x83);
	CHECK_EQ(d.alloc_len, 0x100);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
}

/* SPC-4: EVPD 0 with a non-zero PAGE CODE is INVALID FIELD IN CDB */
static void inquiry_page_without_evpd(void)
{
	static const u8 c[6] = { 0x12, 0x00, 0x80, 0x00, 0xff, 0x00 };
	struct kt_cdb d;

	CHECK_BAD_FIELD(DECODE(c, &d), d, 2, -1);
}

/* Byte 1 bit 1 was CMDDT, obsolete since SPC-3: the decoder rejects it */
static void inquiry_cmddt(void)
{
	static const u8 c[6] = { 0x12, 0x02, 0x00, 0x00, 0xff, 0x00 };
	struct kt_cdb d;

	CHECK_BAD_FIELD(DECODE(c, &d), d, 1, 1);
}

/* MODE SENSE(6) (SPC-4): DBD, PC 7:6, PAGE CODE 5:0, SUBPAGE */
static void mode_sense6(void)
{
	static const u8 c[6] = { 0x1a, 0x08, 0xff, 0xff, 0xfc, 0x00 };
	static const u8 c2[6] = { 0x1a, 0x00, 0x48, 0x00, 0x04, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_MODE_SENSE);
	CHECK_EQ(d.len, 6);
	CHECK(d.dbd);
	CHECK_EQ(d.pc, 3);
	CHECK_EQ(d.page, 0x3f);
	CHECK_EQ(d.subpage, 0xff);
	CHECK_EQ(d.alloc_len, 0xfc);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);

	CHECK_ST(DECODE(c2, &d), KT_OK);
	CHECK(!d.dbd);
	CHECK_EQ(d.pc, 1);
	CHECK_EQ(d.page, 0x08);
	CHECK_EQ(d.subpage, 0);
	CHECK_EQ(d.alloc_len, 4);
}

/* MODE SENSE(10) (SPC-4): LLBAA byte 1 bit 4, length bytes 7-8 */
static void mode_sense10(void)
{
	static const u8 c[10] = { 0x5a, 0x18, 0x08, 0x00, 0, 0, 0,
				  0x01, 0x00, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_MODE_SENSE);
	CHECK_EQ(d.len, 10);
	CHECK(d.llbaa && d.dbd);
	CHECK_EQ(d.pc, 0);
	CHECK_EQ(d.page, 0x08);
	CHECK_EQ(d.alloc_len, 0x100);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
}

/* MODE SELECT 6/10 (SPC-4): PF bit 4, SP bit 0 */
static void mode_select(void)
{
	static const u8 c6[6] = { 0x15, 0x11, 0x00, 0x00, 0x18, 0x00 };
	static const u8 c10[10] = { 0x55, 0x10, 0, 0, 0, 0, 0, 0x01, 0x1c, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c6, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_MODE_SELECT);
	CHECK(d.pf && d.sp);
	CHECK_EQ(d.alloc_len, 0x18);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BYTES);

	CHECK_ST(DECODE(c10, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_MODE_SELECT);
	CHECK_EQ(d.len, 10);
	CHECK(d.pf && !d.sp);
	CHECK_EQ(d.alloc_len, 0x11c);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BYTES);
}

/* REPORT LUNS (SPC-4): SELECT REPORT byte 2, length bytes 6-9 */
static void report_luns(void)
{
	u8 c[12] = { 0xa0, 0, 0x00, 0, 0, 0, 0x00, 0x00, 0x10, 0x00, 0, 0 };
	static const u8 ok_sel[] = { 0x00, 0x01, 0x02, 0x10, 0x11, 0x12 };
	static const u8 bad_sel[] = { 0x03, 0x0f, 0x13, 0xff };
	struct kt_cdb d;
	size_t i;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_REPORT_LUNS);
	CHECK_EQ(d.len, 12);
	CHECK_EQ(d.alloc_len, 0x1000);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);

	for (i = 0; i < ARRAY_SIZE(ok_sel); i++) {
		c[2] = ok_sel[i];
		CHECK_ST(DECODE(c, &d), KT_OK);
		CHECK_EQ(d.select_report, ok_sel[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad_sel); i++) {
		c[2] = bad_sel[i];
		CHECK_BAD_FIELD(DECODE(c, &d), d, 2, -1);
	}
}

/*
 * The decoder's documented behaviour: ALLOCATION LENGTH < 16 is INVALID
 * FIELD IN CDB (SPC-3).  SPC-4 only says it "should be at
 * least 16" and notes that SPC-3 devices reject it.
 */
static void report_luns_short_alloc(void)
{
	u8 c[12] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0f, 0, 0 };
	struct kt_cdb d;

	CHECK_BAD_FIELD(DECODE(c, &d), d, 6, -1);
	c[9] = 0x10;
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.alloc_len, 16);
}

/* MAINTENANCE IN A3h, service action 0Ah: REPORT TARGET PORT GROUPS */
static void report_tpgs(void)
{
	u8 c[12] = { 0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_RTPG);
	CHECK_EQ(d.len, 12);
	CHECK_EQ(d.rtpg_fmt, 0);
	CHECK_EQ(d.alloc_len, 0x1234);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	c[1] = 0x2a;			/* extended format */
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.rtpg_fmt, 1);
	c[1] = 0x4a;			/* format 2: reserved */
	CHECK_BAD_FIELD(DECODE(c, &d), d, 1, 7);
	c[1] = 0x0b;			/* another MAINTENANCE IN action */
	CHECK_BAD_FIELD(DECODE(c, &d), d, 1, 4);
}

/*
 * MAINTENANCE IN A3h, service action 0Dh: REPORT SUPPORTED TASK
 * MANAGEMENT FUNCTIONS, REPD for the extended format
 */
static void report_tmfs(void)
{
	u8 c[12] = { 0xa3, 0x0d, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_RSTMF);
	CHECK_EQ(d.repd, false);
	CHECK_EQ(d.alloc_len, 16);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	c[2] = 0x80;
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.repd, true);
	c[2] = 0x81;			/* reserved bits of byte 2 */
	CHECK_BAD_FIELD(DECODE(c, &d), d, 2, -1);
	c[2] = 0;
	c[1] = 0x2d;			/* reserved bits of byte 1 */
	CHECK_BAD_FIELD(DECODE(c, &d), d, 1, 7);
	c[1] = 0x0d;
	c[9] = 3;			/* allocation length under 4 */
	CHECK_BAD_FIELD(DECODE(c, &d), d, 6, -1);
}

/* MAINTENANCE OUT A4h, service action 0Ah: SET TARGET PORT GROUPS */
static void set_tpgs(void)
{
	u8 c[12] = { 0xa4, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0x0c, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_STPG);
	CHECK_EQ(d.alloc_len, 12);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BYTES);
	c[1] = 0x06;
	CHECK_BAD_FIELD(DECODE(c, &d), d, 1, 4);
}

/* READ CAPACITY(16) = SERVICE ACTION IN(16) 9Eh, service action 10h */
static void read_capacity16(void)
{
	static const u8 c[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0,
				  0x00, 0x00, 0x00, 0x20, 0x00, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_READ_CAPACITY16);
	CHECK_EQ(d.opcode, 0x9e);
	CHECK_EQ(d.sa, 0x10);
	CHECK_EQ(d.len, 16);
	CHECK_EQ(d.alloc_len, 32);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
}

/* Service action bits 7:5 of byte 1 are reserved and not part of it */
static void read_capacity16_sa_bits(void)
{
	static const u8 c[16] = { 0x9e, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0,
				  0, 0, 0, 0x20, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.sa, 0x10);
}

static void service_action_in_unknown(void)
{
	static const u8 c[16] = { 0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0, 0,
				  0, 0, 0, 0x20, 0, 0 };
	struct kt_cdb d;

	CHECK_BAD_FIELD(DECODE(c, &d), d, 1, 4);
	CHECK_EQ(d.op, KT_OP_UNKNOWN);
}

/*
 * SBC-3, READ CAPACITY(16) as for READ CAPACITY(10):
 * with PMI zero a non-zero LOGICAL BLOCK ADDRESS is INVALID FIELD IN CDB.
 * (SBC-4 made both fields obsolete.)
 */
static void read_capacity16_lba_without_pmi(void)
{
	static const u8 c[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x01,
				  0, 0, 0, 0x20, 0x00, 0x00 };
	struct kt_cdb d;

	CHECK_BAD_FIELD(DECODE(c, &d), d, 2, -1);
}

/* READ CAPACITY(10) (SBC-3): PMI byte 8 bit 0 */
static void read_capacity10(void)
{
	u8 c[10] = { 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_READ_CAPACITY10);
	CHECK_EQ(d.alloc_len, 8);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);

	c[5] = 1;
	CHECK_BAD_FIELD(DECODE(c, &d), d, 2, -1);
	c[8] = 1;
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.lba, 1);
}

/* SYNCHRONIZE CACHE 10/16 (SBC-3): IMMED byte 1 bit 1 */
static void sync_cache(void)
{
	static const u8 c10[10] = { 0x35, 0x02, 0, 0, 0x10, 0, 0, 0, 0x20, 0 };
	static const u8 c16[16] = { 0x91, 0x00, 0, 0, 0, 0x01, 0, 0, 0, 0,
				    0, 0, 0x01, 0x00, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c10, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_SYNC_CACHE);
	CHECK_EQ(d.len, 10);
	CHECK(d.immed);
	CHECK_EQ(d.lba, 0x1000);
	CHECK_EQ(d.nblocks, 0x20);
	CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);

	CHECK_ST(DECODE(c16, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_SYNC_CACHE);
	CHECK_EQ(d.len, 16);
	CHECK(!d.immed);
	CHECK_EQ(d.lba, 0x100000000ull);
	CHECK_EQ(d.nblocks, 0x100);
	CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);
}

/*
 * WRITE SAME (10) and (16) (SBC-4): WRPROTECT, ANCHOR (bit 4), UNMAP
 * (bit 3), obsolete PBDATA/LBDATA (bits 2, 1) refused, NDOB (bit 0) of
 * the (16) only; one block of Data-Out unless NDOB
 */
static void write_same(void)
{
	u8 c10[10] = { 0x41, 0x08, 0x01, 0x02, 0x03, 0x04, 0, 0x12, 0x34, 0 };
	u8 c16[16] = { 0x93, 0x19, 0, 0, 0, 0x01, 0, 0, 0, 0x02,
		       0x00, 0x01, 0x00, 0x00, 0, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c10, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE_SAME);
	CHECK_EQ(d.len, 10);
	CHECK(d.unmap && !d.anchor && !d.ndob);
	CHECK_EQ(d.lba, 0x01020304);
	CHECK_EQ(d.nblocks, 0x1234);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
	c10[1] = 0x10;
	CHECK_ST(DECODE(c10, &d), KT_OK);
	CHECK(d.anchor && !d.unmap);
	c10[1] = 0x04;
	CHECK_BAD_FIELD(DECODE(c10, &d), d, 1, 2);
	c10[1] = 0x02;
	CHECK_BAD_FIELD(DECODE(c10, &d), d, 1, 1);
	c10[1] = 0x01;		/* no NDOB in the (10) */
	CHECK_BAD_FIELD(DECODE(c10, &d), d, 1, 0);
	c10[1] = 0x60;
	CHECK_ST(DECODE(c10, &d), KT_OK);
	CHECK_EQ(d.protect, 3);

	/* (16): ANCHOR, UNMAP and NDOB: no Data-Out at all */
	CHECK_ST(DECODE(c16, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_WRITE_SAME);
	CHECK_EQ(d.len, 16);
	CHECK(d.unmap && d.anchor && d.ndob);
	CHECK_EQ(d.lba, 0x100000002ULL);
	CHECK_EQ(d.nblocks, 0x10000);
	CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);
	c16[1] = 0x00;
	CHECK_ST(DECODE(c16, &d), KT_OK);
	CHECK(!d.unmap && !d.anchor && !d.ndob);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
	c16[1] = 0x06;
	CHECK_BAD_FIELD(DECODE(c16, &d), d, 1, 2);
}

/* UNMAP (SBC-4): ANCHOR byte 1 bit 0, PARAMETER LIST LENGTH bytes 7-8 */
static void unmap(void)
{
	u8 c[10] = { 0x42, 0x00, 0, 0, 0, 0, 0, 0x00, 0x18, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_UNMAP);
	CHECK(!d.anchor);
	CHECK_EQ(d.alloc_len, 24);
	CHECK_DATA(d, KT_DIR_TO_DEV, KT_XFER_BYTES);
	c[1] = 0x01;
	c[7] = 0xff;
	c[8] = 0xff;
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK(d.anchor);
	CHECK_EQ(d.alloc_len, 0xffff);
}

/* START STOP UNIT (SBC-3): IMMED, POWER CONDITION 7:4, LOEJ, START */
static void start_stop(void)
{
	u8 c[6] = { 0x1b, 0x01, 0x00, 0x00, 0x03, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_START_STOP);
	CHECK(d.immed && d.loej && d.start);
	CHECK_EQ(d.power_cond, 0);
	CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);

	c[1] = 0;
	c[4] = 0x30;
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK(!d.immed && !d.loej && !d.start);
	CHECK_EQ(d.power_cond, 3);
}

/* REQUEST SENSE (SPC-4): DESC byte 1 bit 0, length byte 4 */
static void request_sense(void)
{
	static const u8 c[6] = { 0x03, 0x01, 0x00, 0x00, 0xfc, 0x00 };
	static const u8 c0[6] = { 0x03, 0x00, 0x00, 0x00, 0x12, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_REQUEST_SENSE);
	CHECK(d.desc);
	CHECK_EQ(d.alloc_len, 0xfc);
	CHECK_DATA(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);

	CHECK_ST(DECODE(c0, &d), KT_OK);
	CHECK(!d.desc);
	CHECK_EQ(d.alloc_len, 18);
}

/* PREVENT ALLOW MEDIUM REMOVAL (SPC-4): PREVENT byte 4 bits 1:0 */
static void prevent_allow(void)
{
	static const u8 c[6] = { 0x1e, 0x00, 0x00, 0x00, 0x01, 0x00 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_PREVENT_ALLOW);
	CHECK_EQ(d.prevent, 1);
	CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);
}

/* RESERVE/RELEASE (6) and (10): SPC-2 logical unit reservations only */
static void reserve_release(void)
{
	static const struct { u8 op; enum kt_op want; } t[] = {
		{ 0x16, KT_OP_RESERVE }, { 0x17, KT_OP_RELEASE },
		{ 0x56, KT_OP_RESERVE }, { 0x57, KT_OP_RELEASE },
	};
	u8 c[10] = { 0 };
	struct kt_cdb d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		memset(c, 0, sizeof(c));
		c[0] = t[i].op;
		CHECK_ST(kt_cdb_decode(c, sizeof(c), &d), KT_OK);
		CHECK_EQ(d.op, t[i].want);
		CHECK_EQ(d.len, t[i].op < 0x20 ? 6 : 10);
		CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);
		/* the LUN field (obsolete) and SCSI-2's id fields: ignored */
		c[1] = 0xe0 | 0x0e;
		c[2] = 0x12;
		c[3] = 0x34;
		CHECK_ST(kt_cdb_decode(c, sizeof(c), &d), KT_OK);
		/* 3RDPTY: third-party reservations are refused */
		c[1] = 0x10;
		CHECK_BAD_FIELD(kt_cdb_decode(c, sizeof(c), &d), d, 1, 4);
		/* EXTENT (SCSI-2): extent reservations are refused */
		c[1] = 0x01;
		CHECK_BAD_FIELD(kt_cdb_decode(c, sizeof(c), &d), d, 1, 0);
	}
}

/* RESERVE(10) without 3RDPTY: LONGID and the list length are ignored */
static void reserve10_longid_without_3rdpty(void)
{
	static const u8 c[10] = { 0x56, 0x02, 0, 0, 0, 0, 0, 0, 8, 0 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_RESERVE);
	CHECK_DATA(d, KT_DIR_NONE, KT_XFER_NONE);
	CHECK_EQ(d.alloc_len, 0);
}

/* Opcodes that are obsolete, reserved or vendor specific */
static void unknown_opcode(void)
{
	static const u8 ops[] = { 0x01, 0x0b, 0x2b, 0x60, 0x7e, 0xc0, 0xe7,
				  0xff };
	u8 c[KT_MAX_CDB] = { 0 };
	struct kt_cdb d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		c[0] = ops[i];
		if (kt_cdb_decode(c, sizeof(c), &d) != KT_S_INVALID_OPCODE) {
			FAIL("opcode 0x%02x: not INVALID_OPCODE", ops[i]);
			return;
		}
	}
}

static const u8 known_ops[] = {
	0x00, 0x03, 0x08, 0x0a, 0x12, 0x15, 0x16, 0x17, 0x1a, 0x1b, 0x1e,
	0x25, 0x28, 0x2a, 0x2e, 0x2f, 0x35, 0x55, 0x56, 0x57, 0x5a, 0x88,
	0x8a, 0x8e, 0x8f, 0x91, 0x9e, 0xa0, 0xa8, 0xaa, 0xae, 0xaf,
};

/* One byte short of the group length is an error, whatever the opcode */
static void short_cdb(void)
{
	u8 c[KT_MAX_CDB] = { 0 };
	struct kt_cdb d;
	unsigned int n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_ops); i++) {
		c[0] = known_ops[i];
		for (n = 1; n < kt_cdb_len(c[0]); n++) {
			if (kt_cdb_decode(c, n, &d) != KT_S_INVALID_CDB_LENGTH) {
				FAIL("opcode 0x%02x, %u bytes: not INVALID_CDB_LENGTH",
				     c[0], n);
				return;
			}
		}
	}
}

static void zero_length(void)
{
	static const u8 c[16] = { 0x28 };
	struct kt_cdb d;

	CHECK(kt_cdb_decode(c, 0, &d) != KT_OK);
}

/* iSCSI hands over 16 bytes even for a 6 or 10-byte CDB */
static void longer_buffer(void)
{
	static const u8 c[16] = { 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0,
				  0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct kt_cdb d;

	CHECK_ST(kt_cdb_decode(c, sizeof(c), &d), KT_OK);
	CHECK_EQ(d.len, 10);
	CHECK_EQ(d.nblocks, 1);
}

/* SAM-5: NACA (control byte bit 2) is decoded, for any opcode */
static void naca(void)
{
	u8 c6[6] = { 0x00, 0, 0, 0, 0, 0x04 };
	u8 c16[16] = { 0x88 };
	u8 unknown[10] = { 0x58, 0, 0, 0, 0, 0, 0, 0, 0, 0x04 };
	struct kt_cdb d;

	CHECK_ST(DECODE(c6, &d), KT_OK);
	CHECK(d.naca);
	c16[15] = 0x04;
	CHECK_ST(DECODE(c16, &d), KT_OK);
	CHECK(d.naca);
	c16[15] = 0x03;		/* other control bits are not NACA */
	CHECK_ST(DECODE(c16, &d), KT_OK);
	CHECK(!d.naca);
	/* an ACA follows a CHECK CONDITION for an unknown opcode too */
	CHECK_ST(DECODE(unknown, &d), KT_S_INVALID_OPCODE);
	CHECK(d.naca);
	/* too short for its control byte: no NACA */
	CHECK_ST(kt_cdb_decode(c16, 6, &d), KT_S_INVALID_CDB_LENGTH);
	CHECK(!d.naca);
}

/* Stale fields from an earlier decode must not survive */
static void clears_output(void)
{
	static const u8 c[6] = { 0x00 };
	struct kt_cdb d;

	memset(&d, 0xff, sizeof(d));
	CHECK_ST(DECODE(c, &d), KT_OK);
	CHECK_EQ(d.lba, 0);
	CHECK_EQ(d.alloc_len, 0);
	CHECK_EQ(d.err_field, 0);
}

/*
 * For every opcode and a zero-filled 32-byte CDB (and one of 0xff bytes
 * but a clear control byte), the result is consistent: success means a
 * known op whose length is the group length, media transfer only for
 * media ops, field pointers inside the CDB.
 */
static void check_any(const u8 *c, unsigned int len)
{
	struct kt_cdb d;
	kt_status_t st;

	st = kt_cdb_decode(c, len, &d);
	if (st == KT_S_INVALID_FIELD_CDB) {
		if (d.err_field >= d.len || d.err_bit > 7)
			FAIL("opcode 0x%02x: field pointer %u/%u past %u",
			     c[0], d.err_field, d.err_bit, d.len);
		return;
	}
	if (st != KT_OK)
		return;
	if (d.op == KT_OP_UNKNOWN || d.op >= KT_OP__COUNT ||
	    d.len != kt_cdb_len(c[0]) || d.len > len || d.opcode != c[0])
		FAIL("opcode 0x%02x: op %d len %u", c[0], d.op, d.len);
	if (d.xfer == KT_XFER_BLOCKS && d.op != KT_OP_READ &&
	    d.op != KT_OP_WRITE && d.op != KT_OP_VERIFY &&
	    d.op != KT_OP_WRITE_VERIFY && d.op != KT_OP_WRITE_SAME)
		FAIL("opcode 0x%02x: block transfer for op %d", c[0], d.op);
	if ((d.dir == KT_DIR_NONE) != (d.xfer == KT_XFER_NONE))
		FAIL("opcode 0x%02x: dir %d with xfer %d", c[0], d.dir, d.xfer);
}

static void every_opcode_consistent(void)
{
	u8 c[KT_MAX_CDB];
	unsigned int op, len;

	for (op = 0; op < 256; op++) {
		memset(c, 0, sizeof(c));
		c[0] = op;
		check_any(c, sizeof(c));
		CHECK_OK();
		len = kt_cdb_len(op);
		memset(c, 0xff, sizeof(c));
		c[0] = op;
		if (len)
			c[len - 1] = 0;
		check_any(c, sizeof(c));
		CHECK_OK();
	}
}

/* Decoder errors must all come out as CHECK CONDITION */
static void errors_map_to_check_condition(void)
{
	static const u8 c[6] = { 0x12, 0x00, 0x80, 0x00, 0xff, 0x00 };
	struct kt_sense_info si;
	struct kt_cdb d;
	kt_status_t st;

	st = DECODE(c, &d);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(kt_status_sense(st, &si), KT_SAM_CHECK_CONDITION);
	CHECK_EQ(si.key, KT_SK_ILLEGAL_REQUEST);
	CHECK_EQ(si.asc, 0x24);
}

static const struct kt_test tests[] = {
	KT_TEST(len_by_group),
	KT_TEST(test_unit_ready),
	KT_TEST(read6),
	KT_TEST(write6),
	KT_TEST(read10),
	KT_TEST(read10_zero_length),
	KT_TEST(read12),
	KT_TEST(read16),
	KT_TEST(write10_12_16),
	KT_TEST(verify10_bytchk),
	KT_TEST(verify12_16),
	KT_TEST(write_verify),
	KT_TEST(inquiry_standard),
	KT_TEST(inquiry_evpd),
	KT_TEST(inquiry_page_without_evpd),
	KT_TEST(inquiry_cmddt),
	KT_TEST(mode_sense6),
	KT_TEST(mode_sense10),
	KT_TEST(mode_select),
	KT_TEST(report_luns),
	KT_TEST(report_luns_short_alloc),
	KT_TEST(report_tpgs),
	KT_TEST(report_tmfs),
	KT_TEST(set_tpgs),
	KT_TEST(read_capacity16),
	KT_TEST(read_capacity16_sa_bits),
	KT_TEST(service_action_in_unknown),
	KT_TEST(read_capacity16_lba_without_pmi),
	KT_TEST(read_capacity10),
	KT_TEST(sync_cache),
	KT_TEST(write_same),
	KT_TEST(unmap),
	KT_TEST(start_stop),
	KT_TEST(request_sense),
	KT_TEST(prevent_allow),
	KT_TEST(reserve_release),
	KT_TEST(reserve10_longid_without_3rdpty),
	KT_TEST(unknown_opcode),
	KT_TEST(short_cdb),
	KT_TEST(zero_length),
	KT_TEST(longer_buffer),
	KT_TEST(naca),
	KT_TEST(clears_output),
	KT_TEST(every_opcode_consistent),
	KT_TEST(errors_map_to_check_condition),
};

int main(void)
{
	return kt_test_run("cdb", tests, ARRAY_SIZE(tests));
}
