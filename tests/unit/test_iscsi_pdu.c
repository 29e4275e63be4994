// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fabrics/iscsi/wire/pdu.c: BHS decoding of every
 * initiator opcode and encoding of every target PDU, checked against
 * hand-written bytes laid out as in RFC 7143 section 11, plus serial
 * number arithmetic, LUN fields and AHS parsing.
 */
#include "test.h"
#include "pdu.h"

/* a BHS with @op in byte 0, @f in byte 1, the rest as set by the test */
static void bhs_init(u8 *b, u8 op, u8 f)
{
	memset(b, 0, KTI_BHS_LEN);
	b[0] = op;
	b[1] = f;
}

static void put32(u8 *b, u32 v)
{
	put_unaligned_be32(v, b);
}

/* fields every decode test sets the same way */
static void bhs_common(u8 *b)
{
	b[4] = 0;			/* TotalAHSLength */
	b[5] = 0x01;			/* DataSegmentLength 0x010203 */
	b[6] = 0x02;
	b[7] = 0x03;
	put32(b + 16, 0x11223344);	/* ITT */
	put32(b + 24, 0xa0a1a2a3);	/* CmdSN */
	put32(b + 28, 0xb0b1b2b3);	/* ExpStatSN */
}

static void check_common(const struct kti_bhs *h, u8 op)
{
	CHECK_EQ(h->opcode, op);
	CHECK_EQ(h->dlength, 0x010203);
	CHECK_EQ(h->itt, 0x11223344);
	CHECK_EQ(h->exp_statsn, 0xb0b1b2b3);
}

static void decode_scsi_cmd(void)
{
	static const u8 lun[8] = { 0x00, 0x05 };
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];
	int i;

	bhs_init(b, 0x40 | KTI_OP_SCSI_CMD, 0x80 | 0x40 | KTI_ATTR_ORDERED);
	bhs_common(b);
	b[4] = 5;
	memcpy(b + 8, lun, 8);
	put32(b + 20, 0x00100000);		/* EDTL */
	for (i = 0; i < 16; i++)
		b[32 + i] = 0x28 + i;
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	check_common(&h, KTI_OP_SCSI_CMD);
	CHECK_OK();
	CHECK(h.immediate);
	CHECK(h.final);
	CHECK_EQ(h.flags, 0xc2);
	CHECK_EQ(h.ahs_len, 5);
	CHECK_MEM(h.lun, lun, 8);
	CHECK_EQ(h.cmdsn, 0xa0a1a2a3);
	CHECK(h.cmd.read);
	CHECK(!h.cmd.write);
	CHECK_EQ(h.cmd.attr, KTI_ATTR_ORDERED);
	CHECK_EQ(h.cmd.edtl, 0x00100000);
	CHECK_MEM(h.cmd.cdb, b + 32, 16);

	/* W, not F, not immediate */
	b[0] = KTI_OP_SCSI_CMD;
	b[1] = 0x20 | KTI_ATTR_SIMPLE;
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	CHECK(!h.immediate && !h.final && !h.cmd.read && h.cmd.write);
	CHECK_EQ(h.cmd.attr, KTI_ATTR_SIMPLE);
	/* the reserved byte 0 bit 7 is ignored */
	b[0] = 0x80 | KTI_OP_SCSI_CMD;
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	CHECK_EQ(h.opcode, KTI_OP_SCSI_CMD);
}

static void decode_scsi_cmd_bad_attr(void)
{
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];
	u8 attr;

	for (attr = 5; attr <= 7; attr++) {
		bhs_init(b, KTI_OP_SCSI_CMD, 0x80 | attr);
		bhs_common(b);
		CHECK_EQ(kti_bhs_decode(b, &h), -EINVAL);
		CHECK_EQ(h.reject_reason, KTI_REJECT_PROTOCOL_ERROR);
		/* the common fields are there for the answer */
		check_common(&h, KTI_OP_SCSI_CMD);
		CHECK_OK();
	}
	bhs_init(b, KTI_OP_SCSI_CMD, 0x80 | KTI_ATTR_ACA);
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
}

static void decode_data_out(void)
{
	static const u8 lun[8] = { 0x40, 0x12 };
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];

	bhs_init(b, KTI_OP_DATA_OUT, 0x80);
	bhs_common(b);
	memcpy(b + 8, lun, 8);
	put32(b + 20, 0x55667788);	/* TTT */
	put32(b + 36, 7);		/* DataSN */
	put32(b + 40, 0x2000);		/* Buffer Offset */
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	check_common(&h, KTI_OP_DATA_OUT);
	CHECK_OK();
	CHECK(h.final);
	CHECK_MEM(h.lun, lun, 8);
	CHECK_EQ(h.cmdsn, 0);		/* bytes 24-27 are reserved */
	CHECK_EQ(h.data.ttt, 0x55667788);
	CHECK_EQ(h.data.datasn, 7);
	CHECK_EQ(h.data.offset, 0x2000);
}

static void decode_nop_out(void)
{
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];

	bhs_init(b, 0x40 | KTI_OP_NOP_OUT, 0x80);
	bhs_common(b);
	put32(b + 20, KTI_RSVD_TAG);
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	check_common(&h, KTI_OP_NOP_OUT);
	CHECK_OK();
	CHECK(h.immediate);
	CHECK_EQ(h.nop.ttt, KTI_RSVD_TAG);
	CHECK_EQ(h.cmdsn, 0xa0a1a2a3);
}

static void decode_tmf(void)
{
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];
	unsigned int f;

	bhs_init(b, 0x40 | KTI_OP_TMF_REQ, 0x80 | KTI_TMF_ABORT_TASK);
	bhs_common(b);
	b[9] = 3;			/* LUN 3 */
	put32(b + 20, 0xcafe0001);	/* Referenced Task Tag */
	put32(b + 32, 0x1000);		/* RefCmdSN */
	put32(b + 36, 4);		/* ExpDataSN */
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	check_common(&h, KTI_OP_TMF_REQ);
	CHECK_OK();
	CHECK_EQ(h.tmf.function, KTI_TMF_ABORT_TASK);
	CHECK_EQ(h.tmf.ref_itt, 0xcafe0001);
	CHECK_EQ(h.cmdsn, 0xa0a1a2a3);
	CHECK_EQ(h.tmf.ref_cmdsn, 0x1000);
	CHECK_EQ(h.tmf.exp_datasn, 4);
	CHECK_EQ(kti_lun_to_index(h.lun), 3);

	for (f = 0; f < 128; f++) {
		b[1] = 0x80 | f;
		if (f >= 1 && f <= 12) {
			CHECK_EQ(kti_bhs_decode(b, &h), 0);
			CHECK_EQ(h.tmf.function, f);
		} else {
			CHECK_EQ(kti_bhs_decode(b, &h), -EINVAL);
			CHECK_EQ(h.reject_reason, KTI_REJECT_PROTOCOL_ERROR);
		}
	}
}

static void decode_login(void)
{
	static const u8 isid[6] = { 0x00, 0x02, 0x3d, 0x00, 0x00, 0x01 };
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];

	/* T=1, CSG=1, NSG=3 */
	bhs_init(b, 0x40 | KTI_OP_LOGIN_REQ, 0x80 | 0x04 | 0x03);
	bhs_common(b);
	b[2] = 0x00;			/* Version-max */
	b[3] = 0x00;			/* Version-min */
	memcpy(b + 8, isid, 6);
	put_unaligned_be16(0x1234, b + 14);	/* TSIH */
	put_unaligned_be16(0x0007, b + 20);	/* CID */
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	check_common(&h, KTI_OP_LOGIN_REQ);
	CHECK_OK();
	CHECK(h.immediate);
	CHECK(h.login.transit);
	CHECK(!h.login.cont);
	CHECK_EQ(h.login.csg, KTI_STAGE_OPERATIONAL);
	CHECK_EQ(h.login.nsg, KTI_STAGE_FFP);
	CHECK_EQ(h.login.ver_max, 0);
	CHECK_EQ(h.login.ver_min, 0);
	CHECK_MEM(h.login.isid, isid, 6);
	CHECK_EQ(h.login.tsih, 0x1234);
	CHECK_EQ(h.login.cid, 7);
	CHECK_EQ(h.cmdsn, 0xa0a1a2a3);

	/* C=1, CSG=0; NSG bits are not looked at without T */
	b[1] = 0x40 | 0x00 | 0x01;
	b[2] = 0x02;
	b[3] = 0x01;
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	CHECK(!h.login.transit && h.login.cont);
	CHECK_EQ(h.login.csg, KTI_STAGE_SECURITY);
	CHECK_EQ(h.login.nsg, 0);
	CHECK_EQ(h.login.ver_max, 2);
	CHECK_EQ(h.login.ver_min, 1);
	/* T=1, CSG=0, NSG=1 and NSG=3 */
	b[1] = 0x80 | 0x01;
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	CHECK_EQ(h.login.nsg, KTI_STAGE_OPERATIONAL);
	b[1] = 0x80 | 0x03;
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	CHECK_EQ(h.login.nsg, KTI_STAGE_FFP);
}

static void decode_login_bad(void)
{
	static const u8 bad[] = {
		0x80 | 0x40 | 0x04 | 0x03,	/* T and C */
		0x08,				/* CSG 2 (reserved) */
		0x0c,				/* CSG 3 */
		0x80 | 0x02,			/* NSG 2 (reserved) */
		0x80 | 0x04 | 0x01,		/* CSG 1 -> NSG 1 */
		0x80 | 0x04 | 0x00,		/* CSG 1 -> NSG 0 */
		0x80 | 0x00,			/* CSG 0 -> NSG 0 */
	};
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bhs_init(b, 0x40 | KTI_OP_LOGIN_REQ, bad[i]);
		bhs_common(b);
		if (kti_bhs_decode(b, &h) != -EINVAL) {
			FAIL("login byte 1 0x%02x accepted", bad[i]);
			return;
		}
		CHECK_EQ(h.reject_reason, KTI_REJECT_PROTOCOL_ERROR);
		check_common(&h, KTI_OP_LOGIN_REQ);
		CHECK_OK();
	}
}

static void decode_text(void)
{
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];

	bhs_init(b, 0x40 | KTI_OP_TEXT_REQ, 0x40);	/* C */
	bhs_common(b);
	put32(b + 20, 0x77);
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	check_common(&h, KTI_OP_TEXT_REQ);
	CHECK_OK();
	CHECK(!h.final && h.text.cont);
	CHECK_EQ(h.text.ttt, 0x77);
	CHECK_EQ(h.cmdsn, 0xa0a1a2a3);
	b[1] = 0x80;					/* F */
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	CHECK(h.final && !h.text.cont);
	b[1] = 0xc0;					/* F and C */
	CHECK_EQ(kti_bhs_decode(b, &h), -EINVAL);
	CHECK_EQ(h.reject_reason, KTI_REJECT_PROTOCOL_ERROR);
}

static void decode_logout(void)
{
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];
	unsigned int r;

	bhs_init(b, 0x40 | KTI_OP_LOGOUT_REQ,
		 0x80 | KTI_LOGOUT_REMOVE_FOR_RECOVERY);
	bhs_common(b);
	put_unaligned_be16(0x0102, b + 20);	/* CID */
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	check_common(&h, KTI_OP_LOGOUT_REQ);
	CHECK_OK();
	CHECK_EQ(h.logout.reason, KTI_LOGOUT_REMOVE_FOR_RECOVERY);
	CHECK_EQ(h.logout.cid, 0x0102);
	CHECK_EQ(h.cmdsn, 0xa0a1a2a3);
	for (r = 3; r < 128; r++) {
		b[1] = 0x80 | r;
		CHECK_EQ(kti_bhs_decode(b, &h), -EINVAL);
		CHECK_EQ(h.reject_reason, KTI_REJECT_PROTOCOL_ERROR);
	}
}

static void decode_snack(void)
{
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];
	unsigned int t;

	bhs_init(b, KTI_OP_SNACK, 0x80 | KTI_SNACK_RDATA);
	bhs_common(b);
	put32(b + 20, 0x99);		/* SNACK Tag */
	put32(b + 40, 3);		/* BegRun */
	put32(b + 44, 0);		/* RunLength */
	CHECK_EQ(kti_bhs_decode(b, &h), 0);
	check_common(&h, KTI_OP_SNACK);
	CHECK_OK();
	CHECK_EQ(h.snack.type, KTI_SNACK_RDATA);
	CHECK_EQ(h.snack.tag, 0x99);
	CHECK_EQ(h.snack.begrun, 3);
	CHECK_EQ(h.snack.runlength, 0);
	CHECK_EQ(h.cmdsn, 0);
	for (t = 4; t < 16; t++) {
		b[1] = 0x80 | t;
		CHECK_EQ(kti_bhs_decode(b, &h), -EINVAL);
		CHECK_EQ(h.reject_reason, KTI_REJECT_PROTOCOL_ERROR);
	}
}

/* every opcode a target does not take is "command not supported" */
static void decode_opcodes(void)
{
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];
	unsigned int op;
	bool initiator;
	int ret;

	for (op = 0; op < 64; op++) {
		bhs_init(b, op, 0x80 | 0x01);	/* valid TMF, logout, SNACK */
		bhs_common(b);
		ret = kti_bhs_decode(b, &h);
		initiator = op <= KTI_OP_LOGOUT_REQ || op == KTI_OP_SNACK;
		if (initiator ? ret != 0 : ret != -EINVAL ||
		    h.reject_reason != KTI_REJECT_CMD_NOT_SUPPORTED) {
			FAIL("opcode 0x%02x: %d, reason %u", op, ret,
			     h.reject_reason);
			return;
		}
		CHECK_EQ(h.opcode, op);
		CHECK_EQ(h.itt, 0x11223344);
	}
}

static void ahs_ext_cdb_and_bidi(void)
{
	struct kti_ahs a;
	u8 ahs[28];

	memset(ahs, 0, sizeof(ahs));
	/* Extended CDB AHS for a 32-byte CDB: AHSLength 17, 20 bytes */
	put_unaligned_be16(17, ahs);
	ahs[2] = 1;
	/* Bidirectional Expected Read-Data Length AHS: 8 bytes */
	put_unaligned_be16(5, ahs + 20);
	ahs[22] = 2;
	put32(ahs + 24, 0x4000);
	CHECK_EQ(kti_ahs_decode(ahs, 28, &a), 0);
	CHECK_EQ(a.ext_cdb_len, 16);
	CHECK(a.bidi);
	CHECK_EQ(a.bidi_read_len, 0x4000);

	CHECK_EQ(kti_ahs_decode(ahs + 20, 8, &a), 0);
	CHECK_EQ(a.ext_cdb_len, 0);
	CHECK(a.bidi);
	CHECK_EQ(kti_ahs_decode(ahs, 0, &a), 0);
	CHECK(!a.bidi && !a.ext_cdb_len);
}

static void ahs_bad(void)
{
	struct kti_ahs a;
	u8 ahs[16];

	memset(ahs, 0, sizeof(ahs));
	put_unaligned_be16(5, ahs);
	ahs[2] = 2;
	CHECK_EQ(kti_ahs_decode(ahs, 8, &a), 0);
	CHECK_EQ(kti_ahs_decode(ahs, 6, &a), -EINVAL);	/* not 4-aligned */
	CHECK_EQ(kti_ahs_decode(ahs, 4, &a), -EINVAL);	/* truncated */
	memcpy(ahs + 8, ahs, 8);
	CHECK_EQ(kti_ahs_decode(ahs, 16, &a), -EINVAL);	/* twice */
	ahs[2] = 3;					/* reserved type */
	CHECK_EQ(kti_ahs_decode(ahs, 8, &a), -EINVAL);
	ahs[2] = 2;
	put_unaligned_be16(4, ahs);			/* wrong length */
	CHECK_EQ(kti_ahs_decode(ahs, 8, &a), -EINVAL);
	put_unaligned_be16(1, ahs);			/* ext CDB of 0 */
	ahs[2] = 1;
	CHECK_EQ(kti_ahs_decode(ahs, 4, &a), -EINVAL);
	put_unaligned_be16(0xffff, ahs);
	CHECK_EQ(kti_ahs_decode(ahs, 16, &a), -EINVAL);
}

/* the 48 bytes an encoder wrote, against the expected ones */
#define CHECK_BHS(got, want) CHECK_MEM(got, want, KTI_BHS_LEN)

static const u8 lun7[8] = { 0x00, 0x07, 0, 0, 0, 0, 0, 0 };

static void encode_scsi_rsp(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x21, 0x80 | 0x10 | 0x02, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x11, 0x22, 0x33, 0x44,		/* ITT */
		0x00, 0x00, 0x00, 0x00,		/* SNACK Tag */
		0x00, 0x00, 0x01, 0x00,		/* StatSN */
		0x00, 0x00, 0x02, 0x00,		/* ExpCmdSN */
		0x00, 0x00, 0x02, 0x40,		/* MaxCmdSN */
		0x00, 0x00, 0x00, 0x03,		/* ExpDataSN */
		0x00, 0x00, 0x00, 0x10,		/* bidi read residual */
		0x00, 0x00, 0x02, 0x00,		/* residual */
	};
	struct kti_scsi_rsp r = {
		.itt = 0x11223344, .response = KTI_RSP_COMPLETED,
		.status = 0x02, .underflow = true, .residual = 0x200,
		.bidi_overflow = true, .bidi_residual = 0x10,
		.exp_datasn = 3, .statsn = 0x100, .exp_cmdsn = 0x200,
		.max_cmdsn = 0x240, .dlength = 0x14,
	};
	u8 b[KTI_BHS_LEN];

	memset(b, 0xee, sizeof(b));
	kti_encode_scsi_rsp(b, &r);
	CHECK_BHS(b, want);

	/* residuals without their bits are not sent */
	r.underflow = false;
	r.bidi_overflow = false;
	kti_encode_scsi_rsp(b, &r);
	CHECK_EQ(b[1], 0x80);
	CHECK_EQ(get_unaligned_be32(b + 40), 0);
	CHECK_EQ(get_unaligned_be32(b + 44), 0);
	r.overflow = true;
	r.bidi_underflow = true;
	kti_encode_scsi_rsp(b, &r);
	CHECK_EQ(b[1], 0x80 | 0x08 | 0x04);
	CHECK_EQ(get_unaligned_be32(b + 40), 0x10);
	CHECK_EQ(get_unaligned_be32(b + 44), 0x200);
}

static void encode_data_in(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x25, 0x80 | 0x02 | 0x01, 0x00, 0x00,
		0x00, 0x00, 0x20, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0,		/* LUN: only with A */
		0x11, 0x22, 0x33, 0x44,
		0xff, 0xff, 0xff, 0xff,		/* TTT */
		0x00, 0x00, 0x01, 0x00,		/* StatSN */
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0x00, 0x00, 0x00, 0x05,		/* DataSN */
		0x00, 0x01, 0x00, 0x00,		/* Buffer Offset */
		0x00, 0x00, 0x10, 0x00,		/* residual */
	};
	struct kti_data_in d = {
		.itt = 0x11223344, .ttt = 0x1234, .status_valid = true,
		.underflow = true, .status = 0, .statsn = 0x100,
		.exp_cmdsn = 0x200, .max_cmdsn = 0x240, .datasn = 5,
		.offset = 0x10000, .residual = 0x1000, .dlength = 0x2000,
	};
	u8 b[KTI_BHS_LEN];

	memcpy(d.lun, lun7, 8);
	kti_encode_data_in(b, &d);		/* S forces F */
	CHECK_BHS(b, want);

	/* no S: status, StatSN, O/U and residual are 0 */
	d.status_valid = false;
	d.status = 0x02;
	d.final = false;
	kti_encode_data_in(b, &d);
	CHECK_EQ(b[1], 0x00);
	CHECK_EQ(b[3], 0);
	CHECK_EQ(get_unaligned_be32(b + 24), 0);
	CHECK_EQ(get_unaligned_be32(b + 44), 0);
	CHECK_EQ(get_unaligned_be32(b + 36), 5);
	/* A: LUN and TTT go out */
	d.ack = true;
	d.final = true;
	kti_encode_data_in(b, &d);
	CHECK_EQ(b[1], 0x80 | 0x40);
	CHECK_MEM(b + 8, lun7, 8);
	CHECK_EQ(get_unaligned_be32(b + 20), 0x1234);
}

static void encode_r2t(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x31, 0x80, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x07, 0, 0, 0, 0, 0, 0,
		0x11, 0x22, 0x33, 0x44,
		0x00, 0x00, 0x00, 0x09,		/* TTT */
		0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0x00, 0x00, 0x00, 0x02,		/* R2TSN */
		0x00, 0x00, 0x80, 0x00,		/* Buffer Offset */
		0x00, 0x04, 0x00, 0x00,		/* Desired length */
	};
	struct kti_r2t r = {
		.itt = 0x11223344, .ttt = 9, .statsn = 0x100,
		.exp_cmdsn = 0x200, .max_cmdsn = 0x240, .r2tsn = 2,
		.offset = 0x8000, .length = 0x40000,
	};
	u8 b[KTI_BHS_LEN];

	memcpy(r.lun, lun7, 8);
	memset(b, 0xee, sizeof(b));
	kti_encode_r2t(b, &r);
	CHECK_BHS(b, want);
}

static void encode_nop_in(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x20, 0x80, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x10,
		0x00, 0x07, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff,		/* ITT: target ping */
		0x00, 0x00, 0x00, 0x42,		/* TTT */
		0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct kti_nop_in n = {
		.itt = KTI_RSVD_TAG, .ttt = 0x42, .statsn = 0x100,
		.exp_cmdsn = 0x200, .max_cmdsn = 0x240, .dlength = 0x10,
	};
	u8 b[KTI_BHS_LEN];

	memcpy(n.lun, lun7, 8);
	kti_encode_nop_in(b, &n);
	CHECK_BHS(b, want);
}

static void encode_tmf_rsp(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x22, 0x80, 0x05, 0x00,
		0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x11, 0x22, 0x33, 0x44,
		0, 0, 0, 0,
		0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct kti_tmf_rsp r = {
		.itt = 0x11223344, .response = KTI_TMF_RSP_NOT_SUPPORTED,
		.statsn = 0x100, .exp_cmdsn = 0x200, .max_cmdsn = 0x240,
	};
	u8 b[KTI_BHS_LEN];

	memset(b, 0xee, sizeof(b));
	kti_encode_tmf_rsp(b, &r);
	CHECK_BHS(b, want);
}

/* QUERY ASYNC EVENT: the additional response information in 36-38 */
static void encode_tmf_rsp_ari(void)
{
	struct kti_tmf_rsp r = {
		.itt = 1, .response = KTI_TMF_RSP_SUCCEEDED,
		.ari = { 0x26, 0x29, 0x03 },
	};
	u8 b[KTI_BHS_LEN];

	memset(b, 0xee, sizeof(b));
	kti_encode_tmf_rsp(b, &r);
	CHECK_EQ(b[2], KTI_TMF_RSP_SUCCEEDED);
	CHECK_EQ(b[35], 0);
	CHECK_EQ(b[36], 0x26);
	CHECK_EQ(b[37], 0x29);
	CHECK_EQ(b[38], 0x03);
	CHECK_EQ(b[39], 0);
}

static void encode_login_rsp(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x23, 0x80 | 0x04 | 0x03, 0x00, 0x00,
		0x00, 0x00, 0x01, 0x2c,
		0x00, 0x02, 0x3d, 0x00, 0x00, 0x01,	/* ISID */
		0x00, 0x05,				/* TSIH */
		0x11, 0x22, 0x33, 0x44,
		0, 0, 0, 0,
		0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0x00, 0x00,				/* status */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct kti_login_rsp r = {
		.transit = true, .csg = KTI_STAGE_OPERATIONAL,
		.nsg = KTI_STAGE_FFP, .isid = { 0x00, 0x02, 0x3d, 0, 0, 1 },
		.tsih = 5, .itt = 0x11223344, .statsn = 0x100,
		.exp_cmdsn = 0x200, .max_cmdsn = 0x240, .dlength = 300,
	};
	u8 b[KTI_BHS_LEN];

	kti_encode_login_rsp(b, &r);
	CHECK_BHS(b, want);

	/* a failed login: status class/detail, no T */
	r.transit = false;
	r.cont = true;
	r.csg = KTI_STAGE_SECURITY;
	r.status = KTI_LOGIN_AUTH_FAILED;
	r.ver_max = 0;
	r.ver_active = 0;
	kti_encode_login_rsp(b, &r);
	CHECK_EQ(b[1], 0x40);
	CHECK_EQ(b[36], 0x02);
	CHECK_EQ(b[37], 0x01);
}

static void encode_text_rsp(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x24, 0x40, 0x00, 0x00,
		0x00, 0x00, 0x20, 0x00,
		0x00, 0x07, 0, 0, 0, 0, 0, 0,
		0x11, 0x22, 0x33, 0x44,
		0x00, 0x00, 0x00, 0x01,		/* TTT: more to come */
		0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct kti_text_rsp r = {
		.cont = true, .itt = 0x11223344, .ttt = 1, .statsn = 0x100,
		.exp_cmdsn = 0x200, .max_cmdsn = 0x240, .dlength = 0x2000,
	};
	u8 b[KTI_BHS_LEN];

	memcpy(r.lun, lun7, 8);
	kti_encode_text_rsp(b, &r);
	CHECK_BHS(b, want);
	r.cont = false;
	r.final = true;
	kti_encode_text_rsp(b, &r);
	CHECK_EQ(b[1], 0x80);
}

static void encode_logout_rsp(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x26, 0x80, 0x01, 0x00,
		0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x11, 0x22, 0x33, 0x44,
		0, 0, 0, 0,
		0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0, 0, 0, 0,
		0x00, 0x02, 0x00, 0x14,		/* Time2Wait, Time2Retain */
		0, 0, 0, 0,
	};
	struct kti_logout_rsp r = {
		.itt = 0x11223344, .response = KTI_LOGOUT_RSP_NO_CID,
		.time2wait = 2, .time2retain = 20, .statsn = 0x100,
		.exp_cmdsn = 0x200, .max_cmdsn = 0x240,
	};
	u8 b[KTI_BHS_LEN];

	kti_encode_logout_rsp(b, &r);
	CHECK_BHS(b, want);
}

static void encode_async(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x32, 0x80, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x07, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff,
		0, 0, 0, 0,
		0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0x01, 0x00,			/* AsyncEvent, AsyncVCode */
		0x00, 0x03,			/* Parameter1: CID */
		0x00, 0x02,			/* Parameter2: Time2Wait */
		0x00, 0x14,			/* Parameter3: Time2Retain */
		0, 0, 0, 0,
	};
	struct kti_async a = {
		.event = KTI_ASYNC_LOGOUT_REQUEST, .param1 = 3, .param2 = 2,
		.param3 = 20, .statsn = 0x100, .exp_cmdsn = 0x200,
		.max_cmdsn = 0x240,
	};
	u8 b[KTI_BHS_LEN];

	memcpy(a.lun, lun7, 8);
	kti_encode_async(b, &a);
	CHECK_BHS(b, want);
}

/* what the target sends before it ends a session on its own */
static void encode_async_drop_all(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x32, 0x80, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,		/* no data segment */
		0, 0, 0, 0, 0, 0, 0, 0,		/* LUN 0 */
		0xff, 0xff, 0xff, 0xff,
		0, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff,		/* StatSN wraps */
		0x00, 0x00, 0x00, 0x07,
		0x00, 0x00, 0x00, 0x46,
		0x03, 0x00,			/* drop all connections */
		0x00, 0x00,			/* Parameter1 reserved */
		0x0e, 0x10,			/* Time2Wait 3600 */
		0x00, 0x00,			/* Time2Retain 0 */
		0, 0, 0, 0,
	};
	struct kti_async a = {
		.event = KTI_ASYNC_DROP_ALL_CONNECTIONS, .param2 = 3600,
		.statsn = 0xffffffff, .exp_cmdsn = 7, .max_cmdsn = 70,
	};
	u8 b[KTI_BHS_LEN];

	memset(b, 0xee, sizeof(b));
	kti_encode_async(b, &a);
	CHECK_BHS(b, want);
}

static void encode_reject(void)
{
	static const u8 want[KTI_BHS_LEN] = {
		0x3f, 0x80, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x30,		/* the rejected BHS follows */
		0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff,
		0, 0, 0, 0,
		0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x02, 0x40,
		0x00, 0x00, 0x00, 0x00,		/* DataSN/R2TSN */
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct kti_reject r = {
		.reason = KTI_REJECT_PROTOCOL_ERROR, .statsn = 0x100,
		.exp_cmdsn = 0x200, .max_cmdsn = 0x240,
	};
	u8 b[KTI_BHS_LEN];

	memset(b, 0xee, sizeof(b));
	kti_encode_reject(b, &r);
	CHECK_BHS(b, want);
}

/* an encoded target PDU is not something an initiator may send us */
static void encoded_is_not_initiator_pdu(void)
{
	struct kti_reject r = { .reason = KTI_REJECT_PROTOCOL_ERROR };
	struct kti_bhs h;
	u8 b[KTI_BHS_LEN];

	kti_encode_reject(b, &r);
	CHECK_EQ(kti_bhs_decode(b, &h), -EINVAL);
	CHECK_EQ(h.reject_reason, KTI_REJECT_CMD_NOT_SUPPORTED);
	CHECK_EQ(h.dlength, KTI_BHS_LEN);
}

static void put_sense(void)
{
	static const u8 sense[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0a };
	u8 seg[32];

	memset(seg, 0xee, sizeof(seg));
	CHECK_EQ(kti_put_sense(seg, sizeof(seg), sense, 18), 20);
	CHECK_EQ(seg[0], 0);
	CHECK_EQ(seg[1], 18);
	CHECK_MEM(seg + 2, sense, 18);
	CHECK_EQ(kti_put_sense(seg, 20, sense, 18), 20);
	CHECK_EQ(kti_put_sense(seg, 19, sense, 18), 0);
	CHECK_EQ(kti_put_sense(seg, 1, sense, 0), 0);
	CHECK_EQ(kti_put_sense(seg, 2, sense, 0), 2);
	CHECK_EQ(kti_put_sense(seg, 0xffffffff, sense, 0x10000), 0);
}

static void pad4(void)
{
	CHECK_EQ(kti_pad4(0), 0);
	CHECK_EQ(kti_pad4(1), 4);
	CHECK_EQ(kti_pad4(3), 4);
	CHECK_EQ(kti_pad4(4), 4);
	CHECK_EQ(kti_pad4(5), 8);
	CHECK_EQ(kti_pad4(KTI_DSL_MAX), 0x1000000);
}

static void serial_arithmetic(void)
{
	CHECK(kti_sn_lt(1, 2));
	CHECK(!kti_sn_lt(2, 1));
	CHECK(!kti_sn_lt(5, 5));
	CHECK(kti_sn_lte(5, 5));
	CHECK(kti_sn_gte(5, 5));
	CHECK(!kti_sn_gt(5, 5));
	/* wraparound */
	CHECK(kti_sn_lt(0xffffffff, 0));
	CHECK(kti_sn_gt(0, 0xffffffff));
	CHECK(kti_sn_lt(0xfffffff0, 0x10));
	CHECK(!kti_sn_lt(0x10, 0xfffffff0));
	CHECK(kti_sn_lt(0, 0x7fffffff));
	CHECK(kti_sn_gt(0x7fffffff, 0));
	CHECK(kti_sn_lt(0x80000001, 0));
	/* exactly 2^31 apart: undefined, neither order holds */
	CHECK(!kti_sn_lt(0, 0x80000000));
	CHECK(!kti_sn_gt(0, 0x80000000));
	CHECK(!kti_sn_lt(0x80000000, 0));
	CHECK(!kti_sn_lte(0, 0x80000000));
	CHECK(!kti_sn_gte(0, 0x80000000));
	CHECK(!kti_sn_lt(0x12345678, 0x92345678));
	/* command windows */
	CHECK(kti_sn_in(10, 10, 20));
	CHECK(kti_sn_in(20, 10, 20));
	CHECK(!kti_sn_in(21, 10, 20));
	CHECK(!kti_sn_in(9, 10, 20));
	CHECK(kti_sn_in(0, 0xfffffff0, 0x10));
	CHECK(kti_sn_in(0xffffffff, 0xfffffff0, 0x10));
	CHECK(!kti_sn_in(0x11, 0xfffffff0, 0x10));
	CHECK(!kti_sn_in(0xffffffef, 0xfffffff0, 0x10));
	/* MaxCmdSN = ExpCmdSN - 1: the window is closed */
	CHECK(!kti_sn_in(100, 100, 99));
	CHECK(!kti_sn_in(0, 0, 0xffffffff));
}

static void lun_to_index(void)
{
	static const struct {
		u8 lun[8];
		u64 index;
	} t[] = {
		{ { 0x00, 0x00 }, 0 },
		{ { 0x00, 0x05 }, 5 },
		{ { 0x00, 0xff }, 255 },
		{ { 0x40, 0x05 }, 5 },			/* flat */
		{ { 0x41, 0x2c }, 300 },
		{ { 0x7f, 0xff }, 0x3fff },
		{ { 0x01, 0x2c }, 300 },		/* bus 1, as Linux */
		{ { 0xc1, 0x01 }, 0xc101 },		/* REPORT LUNS W-LUN */
		{ { 0x80, 0x01 }, KTI_LUN_INVALID },	/* logical unit */
		{ { 0xc2, 0x01 }, KTI_LUN_INVALID },	/* extended */
		{ { 0xe2, 0x00 }, KTI_LUN_INVALID },
		{ { 0x00, 0x05, 0x00, 0x01 }, KTI_LUN_INVALID },  /* 2 levels */
		{ { 0x40, 0x05, 0, 0, 0, 0, 0, 0x01 }, KTI_LUN_INVALID },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (kti_lun_to_index(t[i].lun) != t[i].index) {
			FAIL("LUN %02x %02x..: %llx, want %llx",
			     t[i].lun[0], t[i].lun[1],
			     (unsigned long long)kti_lun_to_index(t[i].lun),
			     (unsigned long long)t[i].index);
			return;
		}
	}
}

static void lun_from_index(void)
{
	static const u8 l5[8] = { 0x00, 0x05 };
	static const u8 l300[8] = { 0x41, 0x2c };
	static const u8 lw[8] = { 0xc1, 0x01 };
	u64 i;
	u8 lun[8];

	kti_lun_from_index(5, lun);
	CHECK_MEM(lun, l5, 8);
	kti_lun_from_index(300, lun);
	CHECK_MEM(lun, l300, 8);
	kti_lun_from_index(0xc101, lun);
	CHECK_MEM(lun, lw, 8);
	for (i = 0; i < 0x4000; i++) {
		kti_lun_from_index(i, lun);
		CHECK_EQ(kti_lun_to_index(lun), i);
	}
}

static const struct kt_test tests[] = {
	KT_TEST(decode_scsi_cmd),
	KT_TEST(decode_scsi_cmd_bad_attr),
	KT_TEST(decode_data_out),
	KT_TEST(decode_nop_out),
	KT_TEST(decode_tmf),
	KT_TEST(decode_login),
	KT_TEST(decode_login_bad),
	KT_TEST(decode_text),
	KT_TEST(decode_logout),
	KT_TEST(decode_snack),
	KT_TEST(decode_opcodes),
	KT_TEST(ahs_ext_cdb_and_bidi),
	KT_TEST(ahs_bad),
	KT_TEST(encode_scsi_rsp),
	KT_TEST(encode_data_in),
	KT_TEST(encode_r2t),
	KT_TEST(encode_nop_in),
	KT_TEST(encode_tmf_rsp),
	KT_TEST(encode_tmf_rsp_ari),
	KT_TEST(encode_login_rsp),
	KT_TEST(encode_text_rsp),
	KT_TEST(encode_logout_rsp),
	KT_TEST(encode_async),
	KT_TEST(encode_async_drop_all),
	KT_TEST(encode_reject),
	KT_TEST(encoded_is_not_initiator_pdu),
	KT_TEST(put_sense),
	KT_TEST(pad4),
	KT_TEST(serial_arithmetic),
	KT_TEST(lun_to_index),
	KT_TEST(lun_from_index),
};

int main(void)
{
	return kt_test_run("iscsi_pdu", tests, ARRAY_SIZE(tests));
}
