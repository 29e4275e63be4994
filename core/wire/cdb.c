// SPDX-License-Identifier: GPL-2.0
/*
 * Decode a SCSI CDB into struct kt_cdb (pure code, see wire.h).
 *
 * One small function per CDB layout; kt_cdb_decode() picks it from a
 * table indexed by opcode.  Field positions follow SPC-4 and SBC-3
 * (SBC-4 for WRITE SAME and UNMAP).
 */
#include <ktarget/wire.h>

/* Opcodes (SPC-4, SBC-3) */
#define OP_TEST_UNIT_READY	0x00
#define OP_REQUEST_SENSE	0x03
#define OP_READ_6		0x08
#define OP_WRITE_6		0x0a
#define OP_INQUIRY		0x12
#define OP_MODE_SELECT_6	0x15
#define OP_RESERVE_6		0x16
#define OP_RELEASE_6		0x17
#define OP_MODE_SENSE_6		0x1a
#define OP_START_STOP		0x1b
#define OP_PREVENT_ALLOW	0x1e
#define OP_READ_CAPACITY_10	0x25
#define OP_READ_10		0x28
#define OP_WRITE_10		0x2a
#define OP_WRITE_VERIFY_10	0x2e
#define OP_VERIFY_10		0x2f
#define OP_SYNC_CACHE_10	0x35
#define OP_WRITE_SAME_10	0x41
#define OP_UNMAP		0x42
#define OP_MODE_SELECT_10	0x55
#define OP_RESERVE_10		0x56
#define OP_RELEASE_10		0x57
#define OP_MODE_SENSE_10	0x5a
#define OP_PR_IN		0x5e
#define OP_PR_OUT		0x5f
#define OP_READ_16		0x88
#define OP_WRITE_16		0x8a
#define OP_WRITE_VERIFY_16	0x8e
#define OP_VERIFY_16		0x8f
#define OP_SYNC_CACHE_16	0x91
#define OP_WRITE_SAME_16	0x93
#define OP_SERVICE_ACTION_IN_16	0x9e
#define OP_REPORT_LUNS		0xa0
#define OP_MAINTENANCE_IN	0xa3
#define OP_MAINTENANCE_OUT	0xa4
#define OP_READ_12		0xa8
#define OP_WRITE_12		0xaa
#define OP_WRITE_VERIFY_12	0xae
#define OP_VERIFY_12		0xaf

#define SAI_READ_CAPACITY_16	0x10
#define MI_REPORT_TPGS		0x0a	/* MAINTENANCE IN service actions */
#define MI_REPORT_TMFS		0x0d
#define MO_SET_TPGS		0x0a	/* MAINTENANCE OUT service action */

/* Mark byte @field (bit @bit, or -1 for the whole byte) as invalid. */
static kt_status_t bad_field(struct kt_cdb *d, unsigned int field, int bit)
{
	d->err_field = field;
	d->err_bit_valid = bit >= 0;
	d->err_bit = bit >= 0 ? bit : 0;
	return KT_S_INVALID_FIELD_CDB;
}

unsigned int kt_cdb_len(u8 opcode)
{
	switch (opcode >> 5) {
	case 0:
		return 6;
	case 1:
	case 2:
		return 10;
	case 4:
		return 16;
	case 5:
		return 12;
	default:
		return 0;	/* reserved or vendor specific */
	}
}

static void set_data(struct kt_cdb *d, enum kt_dir dir, enum kt_xfer xfer)
{
	d->dir = dir;
	d->xfer = xfer;
}

/* READ/WRITE/VERIFY(6): 21-bit LBA, 8-bit length where 0 means 256. */
static kt_status_t dec_rw6(const u8 *c, struct kt_cdb *d)
{
	d->lba = get_unaligned_be24(c + 1) & 0x1fffff;
	d->nblocks = c[4] ? c[4] : 256;
	return KT_OK;
}

/* Flags byte 1 shared by READ/WRITE 10/12/16. */
static kt_status_t dec_rw_flags(const u8 *c, struct kt_cdb *d)
{
	d->protect = c[1] >> 5;
	d->dpo = c[1] & 0x10;
	d->fua = c[1] & 0x08;	/* FUA_NV (bit 1) is obsolete: ignored */
	return KT_OK;
}

static void dec_lba_len(const u8 *c, struct kt_cdb *d)
{
	switch (d->len) {
	case 10:
		d->lba = get_unaligned_be32(c + 2);
		d->nblocks = get_unaligned_be16(c + 7);
		break;
	case 12:
		d->lba = get_unaligned_be32(c + 2);
		d->nblocks = get_unaligned_be32(c + 6);
		break;
	default:
		d->lba = get_unaligned_be64(c + 2);
		d->nblocks = get_unaligned_be32(c + 10);
		break;
	}
}

static kt_status_t dec_read(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_READ;
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BLOCKS);
	if (d->len == 6)
		return dec_rw6(c, d);
	dec_lba_len(c, d);
	return dec_rw_flags(c, d);
}

static kt_status_t dec_write(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_WRITE;
	set_data(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
	if (d->len == 6)
		return dec_rw6(c, d);
	dec_lba_len(c, d);
	return dec_rw_flags(c, d);
}

/*
 * VERIFY 10/12/16: BYTCHK 0 = medium check only (no data), 1 = compare
 * nblocks of Data-Out, 3 = compare one block of Data-Out against each
 * block; 2 is reserved.
 */
static kt_status_t dec_verify(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_VERIFY;
	dec_lba_len(c, d);
	d->protect = c[1] >> 5;
	d->dpo = c[1] & 0x10;
	d->bytchk = (c[1] >> 1) & 0x3;
	if (d->bytchk == 2)
		return bad_field(d, 1, 2);
	if (d->bytchk)
		set_data(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
	return KT_OK;
}

/* WRITE AND VERIFY 10/12/16: BYTCHK is a single bit in SBC-3. */
static kt_status_t dec_write_verify(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_WRITE_VERIFY;
	set_data(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
	dec_lba_len(c, d);
	d->protect = c[1] >> 5;
	d->dpo = c[1] & 0x10;
	d->bytchk = (c[1] >> 1) & 0x1;
	if (c[1] & 0x04)
		return bad_field(d, 1, 2);
	return KT_OK;
}

static kt_status_t dec_sync_cache(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_SYNC_CACHE;
	d->immed = c[1] & 0x02;
	if (d->len == 10) {
		if (c[1] & 0x01)	/* reserved in (10) */
			return bad_field(d, 1, 0);
		d->lba = get_unaligned_be32(c + 2);
		d->nblocks = get_unaligned_be16(c + 7);
	} else {
		d->lba = get_unaligned_be64(c + 2);
		d->nblocks = get_unaligned_be32(c + 10);
	}
	return KT_OK;
}

/*
 * WRITE SAME (10) and (16) (SBC-4 5.48, 5.49): one block of Data-Out
 * written to NUMBER OF LOGICAL BLOCKS blocks, or those unmapped (UNMAP
 * bit).  PBDATA and LBDATA (byte 1 bits 2 and 1) are obsolete and
 * refused; (16) has NDOB in bit 0: no Data-Out, the block is zeroes.
 * ANCHOR and the limits are the core's to judge.
 */
static kt_status_t dec_write_same(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_WRITE_SAME;
	d->protect = c[1] >> 5;
	d->anchor = c[1] & 0x10;
	d->unmap = c[1] & 0x08;
	if (c[1] & 0x04)
		return bad_field(d, 1, 2);
	if (c[1] & 0x02)
		return bad_field(d, 1, 1);
	if (d->len == 10) {
		if (c[1] & 0x01)	/* reserved in (10) */
			return bad_field(d, 1, 0);
		d->lba = get_unaligned_be32(c + 2);
		d->nblocks = get_unaligned_be16(c + 7);
	} else {
		d->lba = get_unaligned_be64(c + 2);
		d->nblocks = get_unaligned_be32(c + 10);
		d->ndob = c[1] & 0x01;
	}
	if (!d->ndob)
		set_data(d, KT_DIR_TO_DEV, KT_XFER_BLOCKS);
	return KT_OK;
}

/* UNMAP (SBC-4 5.32): a parameter list of block descriptors */
static kt_status_t dec_unmap(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_UNMAP;
	d->anchor = c[1] & 0x01;
	d->alloc_len = get_unaligned_be16(c + 7);
	set_data(d, KT_DIR_TO_DEV, KT_XFER_BYTES);
	return KT_OK;
}

static kt_status_t dec_tur(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_TEST_UNIT_READY;
	return KT_OK;
}

static kt_status_t dec_request_sense(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_REQUEST_SENSE;
	d->desc = c[1] & 0x01;
	d->alloc_len = c[4];
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	return KT_OK;
}

static kt_status_t dec_inquiry(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_INQUIRY;
	d->evpd = c[1] & 0x01;
	d->page = c[2];
	d->alloc_len = get_unaligned_be16(c + 3);
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	if (c[1] & 0x02)	/* CMDDT is obsolete */
		return bad_field(d, 1, 1);
	if (!d->evpd && d->page)
		return bad_field(d, 2, -1);
	return KT_OK;
}

static kt_status_t dec_mode_sense(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_MODE_SENSE;
	d->dbd = c[1] & 0x08;
	d->pc = c[2] >> 6;
	d->page = c[2] & 0x3f;
	d->subpage = c[3];
	if (d->len == 6) {
		d->alloc_len = c[4];
	} else {
		d->llbaa = c[1] & 0x10;
		d->alloc_len = get_unaligned_be16(c + 7);
	}
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	return KT_OK;
}

static kt_status_t dec_mode_select(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_MODE_SELECT;
	d->pf = c[1] & 0x10;
	d->sp = c[1] & 0x01;
	d->alloc_len = d->len == 6 ? c[4] : get_unaligned_be16(c + 7);
	set_data(d, KT_DIR_TO_DEV, KT_XFER_BYTES);
	return KT_OK;
}

static kt_status_t dec_start_stop(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_START_STOP;
	d->immed = c[1] & 0x01;
	d->power_cond = c[4] >> 4;
	d->loej = c[4] & 0x02;
	d->start = c[4] & 0x01;
	return KT_OK;
}

static kt_status_t dec_prevent_allow(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_PREVENT_ALLOW;
	d->prevent = c[4] & 0x03;
	return KT_OK;
}

static kt_status_t dec_read_capacity10(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_READ_CAPACITY10;
	d->lba = get_unaligned_be32(c + 2);
	d->alloc_len = 8;
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	/* PMI is obsolete in SBC-3; with PMI clear the LBA must be zero */
	if (!(c[8] & 0x01) && d->lba)
		return bad_field(d, 2, -1);
	return KT_OK;
}

static kt_status_t dec_service_action_in16(const u8 *c, struct kt_cdb *d)
{
	d->sa = c[1] & 0x1f;
	if (d->sa != SAI_READ_CAPACITY_16)
		return bad_field(d, 1, 4);
	d->op = KT_OP_READ_CAPACITY16;
	d->lba = get_unaligned_be64(c + 2);
	d->alloc_len = get_unaligned_be32(c + 10);
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	if (!(c[14] & 0x01) && d->lba)	/* PMI clear: LBA must be zero */
		return bad_field(d, 2, -1);
	return KT_OK;
}

static kt_status_t dec_report_luns(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_REPORT_LUNS;
	d->select_report = c[2];
	d->alloc_len = get_unaligned_be32(c + 6);
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	if (d->select_report > 0x02 &&
	    (d->select_report < 0x10 || d->select_report > 0x12))
		return bad_field(d, 2, -1);
	/* SPC-4: an allocation length below 16 is an invalid field */
	if (d->alloc_len < 16)
		return bad_field(d, 6, -1);
	return KT_OK;
}

/*
 * PERSISTENT RESERVE IN/OUT: the service action, scope and type are
 * checked by kt_pr_in()/kt_pr_out(), which know which values apply.
 */
static kt_status_t dec_pr_in(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_PR_IN;
	d->sa = c[1] & 0x1f;
	d->alloc_len = get_unaligned_be16(c + 7);
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	return KT_OK;
}

static kt_status_t dec_pr_out(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_PR_OUT;
	d->sa = c[1] & 0x1f;
	d->pr_scope = c[2] >> 4;
	d->pr_type = c[2] & 0x0f;
	d->alloc_len = get_unaligned_be32(c + 5);
	set_data(d, KT_DIR_TO_DEV, KT_XFER_BYTES);
	return KT_OK;
}

/*
 * RESERVE and RELEASE (6) and (10) of SPC-2: logical unit reservations
 * of the I_T nexus the command came through, nothing else.  A
 * third-party reservation (3RDPTY, byte 1 bit 4) and an extent
 * reservation (SCSI-2's EXTENT, byte 1 bit 0, obsolete in SPC-2) are
 * refused.  With 3RDPTY zero SPC-2 has LONGID and the (10)'s PARAMETER
 * LIST LENGTH ignored: no data moves.
 */
static kt_status_t dec_reserve_release(const u8 *c, struct kt_cdb *d)
{
	if (c[0] == OP_RESERVE_6 || c[0] == OP_RESERVE_10)
		d->op = KT_OP_RESERVE;
	else
		d->op = KT_OP_RELEASE;
	if (c[1] & 0x10)
		return bad_field(d, 1, 4);
	if (c[1] & 0x01)
		return bad_field(d, 1, 0);
	return KT_OK;
}

/*
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-4 6.36): REPD asks for
 * the extended format; an allocation length under 4 is invalid
 */
static kt_status_t dec_report_tmfs(const u8 *c, struct kt_cdb *d)
{
	d->op = KT_OP_RSTMF;
	d->repd = c[2] & 0x80;
	if (c[1] & 0xe0)
		return bad_field(d, 1, 7);
	if (c[2] & 0x7f)
		return bad_field(d, 2, -1);
	if (d->alloc_len < 4)
		return bad_field(d, 6, -1);
	return KT_OK;
}

/*
 * MAINTENANCE IN: REPORT TARGET PORT GROUPS (SPC-4 6.37), in the
 * length-only (0) or extended (1) PARAMETER DATA FORMAT, and REPORT
 * SUPPORTED TASK MANAGEMENT FUNCTIONS
 */
static kt_status_t dec_maint_in(const u8 *c, struct kt_cdb *d)
{
	d->sa = c[1] & 0x1f;
	if (d->sa != MI_REPORT_TPGS && d->sa != MI_REPORT_TMFS)
		return bad_field(d, 1, 4);
	d->alloc_len = get_unaligned_be32(c + 6);
	set_data(d, KT_DIR_FROM_DEV, KT_XFER_BYTES);
	if (d->sa == MI_REPORT_TMFS)
		return dec_report_tmfs(c, d);
	d->op = KT_OP_RTPG;
	d->rtpg_fmt = c[1] >> 5;
	if (d->rtpg_fmt > 1)
		return bad_field(d, 1, 7);
	return KT_OK;
}

/* MAINTENANCE OUT: only SET TARGET PORT GROUPS (SPC-4 6.45) */
static kt_status_t dec_maint_out(const u8 *c, struct kt_cdb *d)
{
	d->sa = c[1] & 0x1f;
	if (d->sa != MO_SET_TPGS)
		return bad_field(d, 1, 4);
	d->op = KT_OP_STPG;
	d->alloc_len = get_unaligned_be32(c + 6);
	set_data(d, KT_DIR_TO_DEV, KT_XFER_BYTES);
	return KT_OK;
}

typedef kt_status_t (*kt_cdb_decoder)(const u8 *c, struct kt_cdb *d);

static const kt_cdb_decoder decoders[256] = {
	[OP_TEST_UNIT_READY]	= dec_tur,
	[OP_REQUEST_SENSE]	= dec_request_sense,
	[OP_READ_6]		= dec_read,
	[OP_WRITE_6]		= dec_write,
	[OP_INQUIRY]		= dec_inquiry,
	[OP_MODE_SELECT_6]	= dec_mode_select,
	[OP_RESERVE_6]		= dec_reserve_release,
	[OP_RELEASE_6]		= dec_reserve_release,
	[OP_MODE_SENSE_6]	= dec_mode_sense,
	[OP_START_STOP]		= dec_start_stop,
	[OP_PREVENT_ALLOW]	= dec_prevent_allow,
	[OP_READ_CAPACITY_10]	= dec_read_capacity10,
	[OP_READ_10]		= dec_read,
	[OP_WRITE_10]		= dec_write,
	[OP_WRITE_VERIFY_10]	= dec_write_verify,
	[OP_VERIFY_10]		= dec_verify,
	[OP_SYNC_CACHE_10]	= dec_sync_cache,
	[OP_WRITE_SAME_10]	= dec_write_same,
	[OP_UNMAP]		= dec_unmap,
	[OP_MODE_SELECT_10]	= dec_mode_select,
	[OP_RESERVE_10]		= dec_reserve_release,
	[OP_RELEASE_10]		= dec_reserve_release,
	[OP_MODE_SENSE_10]	= dec_mode_sense,
	[OP_PR_IN]		= dec_pr_in,
	[OP_PR_OUT]		= dec_pr_out,
	[OP_READ_16]		= dec_read,
	[OP_WRITE_16]		= dec_write,
	[OP_WRITE_VERIFY_16]	= dec_write_verify,
	[OP_VERIFY_16]		= dec_verify,
	[OP_SYNC_CACHE_16]	= dec_sync_cache,
	[OP_WRITE_SAME_16]	= dec_write_same,
	[OP_SERVICE_ACTION_IN_16] = dec_service_action_in16,
	[OP_REPORT_LUNS]	= dec_report_luns,
	[OP_MAINTENANCE_IN]	= dec_maint_in,
	[OP_MAINTENANCE_OUT]	= dec_maint_out,
	[OP_READ_12]		= dec_read,
	[OP_WRITE_12]		= dec_write,
	[OP_WRITE_VERIFY_12]	= dec_write_verify,
	[OP_VERIFY_12]		= dec_verify,
};

kt_status_t kt_cdb_decode(const u8 *cdb, unsigned int len, struct kt_cdb *out)
{
	kt_cdb_decoder dec;
	unsigned int need;

	memset(out, 0, sizeof(*out));
	if (!len)
		return KT_S_INVALID_OPCODE;
	out->opcode = cdb[0];
	need = kt_cdb_len(cdb[0]);
	/* NACA (control byte bit 2), even of a command we do not know */
	out->naca = need && len >= need && (cdb[need - 1] & 0x04);
	dec = decoders[cdb[0]];
	if (!dec)
		return KT_S_INVALID_OPCODE;
	if (!need || len < need)
		return KT_S_INVALID_CDB_LENGTH;
	out->len = need;
	return dec(cdb, out);
}
