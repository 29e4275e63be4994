// SPDX-License-Identifier: GPL-2.0
/*
 * iSCSI Basic Header Segment decoding and encoding (RFC 7143 section 11).
 * Pure code, see pdu.h.  Byte offsets in the comments are those of the
 * RFC's PDU diagrams.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "pdu.h"

/* byte 1 bits */
#define KTI_F_FINAL		0x80
#define KTI_F_CMD_READ		0x40
#define KTI_F_CMD_WRITE		0x20
#define KTI_F_CMD_ATTR		0x07
#define KTI_F_LOGIN_TRANSIT	0x80
#define KTI_F_CONTINUE		0x40	/* Login and Text C bit */
#define KTI_F_RSP_BIDI_OVER	0x10	/* SCSI Response o */
#define KTI_F_RSP_BIDI_UNDER	0x08	/* SCSI Response u */
#define KTI_F_OVERFLOW		0x04	/* O */
#define KTI_F_UNDERFLOW		0x02	/* U */
#define KTI_F_DATA_ACK		0x40	/* Data-In A */
#define KTI_F_DATA_STATUS	0x01	/* Data-In S */

/* byte 0 bits */
#define KTI_B0_IMMEDIATE	0x40
#define KTI_B0_OPCODE		0x3f

/* AHS types */
#define KTI_AHS_EXT_CDB		1
#define KTI_AHS_BIDI_RLEN	2

static u32 kti_get24(const u8 *p)
{
	return (u32)p[0] << 16 | (u32)p[1] << 8 | p[2];
}

static void kti_put24(u32 v, u8 *p)
{
	p[0] = (v >> 16) & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = v & 0xff;
}

static int kti_decode_cmd(const u8 *b, struct kti_bhs *out)
{
	out->cmd.read = b[1] & KTI_F_CMD_READ;
	out->cmd.write = b[1] & KTI_F_CMD_WRITE;
	out->cmd.attr = b[1] & KTI_F_CMD_ATTR;
	out->cmd.edtl = get_unaligned_be32(b + 20);
	memcpy(out->cmd.cdb, b + 32, KTI_CDB_LEN);
	/* ATTR 5-7 are reserved code values: a protocol error */
	return out->cmd.attr > KTI_ATTR_ACA ? -EINVAL : 0;
}

static int kti_decode_tmf(const u8 *b, struct kti_bhs *out)
{
	out->tmf.function = b[1] & 0x7f;
	out->tmf.ref_itt = get_unaligned_be32(b + 20);
	out->tmf.ref_cmdsn = get_unaligned_be32(b + 32);
	out->tmf.exp_datasn = get_unaligned_be32(b + 36);
	if (out->tmf.function < KTI_TMF_ABORT_TASK ||
	    out->tmf.function > KTI_TMF_QUERY_ASYNC_EVENT)
		return -EINVAL;
	return 0;
}

static int kti_decode_login(const u8 *b, struct kti_bhs *o)
{
	o->login.transit = b[1] & KTI_F_LOGIN_TRANSIT;
	o->login.cont = b[1] & KTI_F_CONTINUE;
	o->login.csg = (b[1] >> 2) & 3;
	o->login.nsg = o->login.transit ? b[1] & 3 : 0;
	o->login.ver_max = b[2];
	o->login.ver_min = b[3];
	memcpy(o->login.isid, b + 8, KTI_ISID_LEN);
	o->login.tsih = get_unaligned_be16(b + 14);
	o->login.cid = get_unaligned_be16(b + 20);
	/* a login request is in the security or the operational stage */
	if (o->login.csg > KTI_STAGE_OPERATIONAL)
		return -EINVAL;
	if (o->login.transit) {
		if (o->login.cont || o->login.nsg == 2 ||
		    o->login.nsg <= o->login.csg)
			return -EINVAL;
	}
	return 0;
}

static int kti_decode_rest(const u8 *b, struct kti_bhs *out)
{
	switch (out->opcode) {
	case KTI_OP_NOP_OUT:
		out->nop.ttt = get_unaligned_be32(b + 20);
		return 0;
	case KTI_OP_TEXT_REQ:
		out->text.cont = b[1] & KTI_F_CONTINUE;
		out->text.ttt = get_unaligned_be32(b + 20);
		return out->final && out->text.cont ? -EINVAL : 0;
	case KTI_OP_DATA_OUT:
		out->cmdsn = 0;
		out->data.ttt = get_unaligned_be32(b + 20);
		out->data.datasn = get_unaligned_be32(b + 36);
		out->data.offset = get_unaligned_be32(b + 40);
		return 0;
	case KTI_OP_LOGOUT_REQ:
		out->logout.reason = b[1] & 0x7f;
		out->logout.cid = get_unaligned_be16(b + 20);
		return out->logout.reason > KTI_LOGOUT_REMOVE_FOR_RECOVERY ?
		       -EINVAL : 0;
	case KTI_OP_SNACK:
		out->cmdsn = 0;
		out->snack.type = b[1] & 0x0f;
		out->snack.tag = get_unaligned_be32(b + 20);
		out->snack.begrun = get_unaligned_be32(b + 40);
		out->snack.runlength = get_unaligned_be32(b + 44);
		return out->snack.type > KTI_SNACK_RDATA ? -EINVAL : 0;
	}
	out->reject_reason = KTI_REJECT_CMD_NOT_SUPPORTED;
	return -EINVAL;
}

/**
 * kti_bhs_decode() - decode the 48-byte BHS of a PDU sent by an initiator
 * @bhs: the header as received
 * @out: decoded header
 *
 * The fields common to all PDUs (@opcode, @itt, @dlength...) are filled
 * even when decoding fails, so the caller can build its answer.
 *
 * Return: 0, or -EINVAL for an opcode a target does not accept
 * (reject_reason KTI_REJECT_CMD_NOT_SUPPORTED) or a header with reserved
 * code values or contradicting bits (KTI_REJECT_PROTOCOL_ERROR).
 */
int kti_bhs_decode(const u8 *bhs, struct kti_bhs *out)
{
	memset(out, 0, sizeof(*out));
	out->opcode = bhs[0] & KTI_B0_OPCODE;
	out->immediate = bhs[0] & KTI_B0_IMMEDIATE;
	out->final = bhs[1] & KTI_F_FINAL;
	out->flags = bhs[1];
	out->ahs_len = bhs[4];
	out->dlength = kti_get24(bhs + 5);
	memcpy(out->lun, bhs + 8, KTI_LUN_LEN);
	out->itt = get_unaligned_be32(bhs + 16);
	out->cmdsn = get_unaligned_be32(bhs + 24);
	out->exp_statsn = get_unaligned_be32(bhs + 28);
	out->reject_reason = KTI_REJECT_PROTOCOL_ERROR;

	switch (out->opcode) {
	case KTI_OP_SCSI_CMD:
		return kti_decode_cmd(bhs, out);
	case KTI_OP_TMF_REQ:
		return kti_decode_tmf(bhs, out);
	case KTI_OP_LOGIN_REQ:
		return kti_decode_login(bhs, out);
	}
	return kti_decode_rest(bhs, out);
}

/**
 * kti_ahs_decode() - check the Additional Header Segments of a SCSI Command
 * @ahs: TotalAHSLength * 4 bytes following the BHS
 * @len: their length
 * @out: what they hold
 *
 * Return: 0, or -EINVAL for a truncated AHS, a type other than Extended
 * CDB and Bidirectional Expected Read-Data Length, or either type twice.
 */
int kti_ahs_decode(const u8 *ahs, u32 len, struct kti_ahs *out)
{
	u32 off = 0, alen, total;

	memset(out, 0, sizeof(*out));
	if (len % 4)
		return -EINVAL;
	while (off < len) {
		alen = get_unaligned_be16(ahs + off);
		total = kti_pad4(3 + alen);
		if (total > len - off)
			return -EINVAL;
		switch (ahs[off + 2]) {
		case KTI_AHS_EXT_CDB:
			/* a reserved byte, then the CDB bytes past the 16th */
			if (alen < 2 || out->ext_cdb_len)
				return -EINVAL;
			out->ext_cdb_len = alen - 1;
			break;
		case KTI_AHS_BIDI_RLEN:
			if (alen != 5 || out->bidi)
				return -EINVAL;
			out->bidi = true;
			out->bidi_read_len = get_unaligned_be32(ahs + off + 4);
			break;
		default:
			return -EINVAL;
		}
		off += total;
	}
	return 0;
}

/* zero the header, set byte 0, byte 1, the data segment length and ITT */
static void kti_put_head(u8 *b, u8 op, u8 flags, u32 dlength, u32 itt)
{
	memset(b, 0, KTI_BHS_LEN);
	b[0] = op;
	b[1] = flags;
	kti_put24(dlength & KTI_DSL_MAX, b + 5);
	put_unaligned_be32(itt, b + 16);
}

/* StatSN, ExpCmdSN, MaxCmdSN at bytes 24-35 of every target PDU */
static void kti_put_sn(u8 *b, u32 statsn, u32 exp_cmdsn, u32 max_cmdsn)
{
	put_unaligned_be32(statsn, b + 24);
	put_unaligned_be32(exp_cmdsn, b + 28);
	put_unaligned_be32(max_cmdsn, b + 32);
}

/**
 * kti_encode_scsi_rsp() - build a SCSI Response BHS
 * @bhs: 48 bytes
 * @r: values; the residual counts are sent only with their O/U (o/u) bit
 */
void kti_encode_scsi_rsp(u8 *bhs, const struct kti_scsi_rsp *r)
{
	u8 flags = KTI_F_FINAL;

	if (r->bidi_overflow)
		flags |= KTI_F_RSP_BIDI_OVER;
	if (r->bidi_underflow)
		flags |= KTI_F_RSP_BIDI_UNDER;
	if (r->overflow)
		flags |= KTI_F_OVERFLOW;
	if (r->underflow)
		flags |= KTI_F_UNDERFLOW;
	kti_put_head(bhs, KTI_OP_SCSI_RSP, flags, r->dlength, r->itt);
	bhs[2] = r->response;
	bhs[3] = r->status;
	put_unaligned_be32(r->snack_tag, bhs + 20);
	kti_put_sn(bhs, r->statsn, r->exp_cmdsn, r->max_cmdsn);
	put_unaligned_be32(r->exp_datasn, bhs + 36);
	if (r->bidi_overflow || r->bidi_underflow)
		put_unaligned_be32(r->bidi_residual, bhs + 40);
	if (r->overflow || r->underflow)
		put_unaligned_be32(r->residual, bhs + 44);
}

/**
 * kti_encode_data_in() - build a SCSI Data-In BHS
 * @bhs: 48 bytes
 * @d: values.  With @status_valid the F bit is set too and the status,
 *	StatSN, O/U bits and residual are sent; without it they are 0.
 *	LUN and TTT are sent only with @ack (the TTT is 0xffffffff
 *	otherwise).
 */
void kti_encode_data_in(u8 *bhs, const struct kti_data_in *d)
{
	u8 flags = 0;

	if (d->final || d->status_valid)
		flags |= KTI_F_FINAL;
	if (d->ack)
		flags |= KTI_F_DATA_ACK;
	if (d->status_valid) {
		flags |= KTI_F_DATA_STATUS;
		if (d->overflow)
			flags |= KTI_F_OVERFLOW;
		if (d->underflow)
			flags |= KTI_F_UNDERFLOW;
	}
	kti_put_head(bhs, KTI_OP_DATA_IN, flags, d->dlength, d->itt);
	if (d->ack)
		memcpy(bhs + 8, d->lun, KTI_LUN_LEN);
	put_unaligned_be32(d->ack ? d->ttt : KTI_RSVD_TAG, bhs + 20);
	kti_put_sn(bhs, 0, d->exp_cmdsn, d->max_cmdsn);
	if (d->status_valid) {
		bhs[3] = d->status;
		put_unaligned_be32(d->statsn, bhs + 24);
		if (d->overflow || d->underflow)
			put_unaligned_be32(d->residual, bhs + 44);
	}
	put_unaligned_be32(d->datasn, bhs + 36);
	put_unaligned_be32(d->offset, bhs + 40);
}

/**
 * kti_encode_r2t() - build a Ready To Transfer BHS
 * @bhs: 48 bytes
 * @r: values
 */
void kti_encode_r2t(u8 *bhs, const struct kti_r2t *r)
{
	kti_put_head(bhs, KTI_OP_R2T, KTI_F_FINAL, 0, r->itt);
	memcpy(bhs + 8, r->lun, KTI_LUN_LEN);
	put_unaligned_be32(r->ttt, bhs + 20);
	kti_put_sn(bhs, r->statsn, r->exp_cmdsn, r->max_cmdsn);
	put_unaligned_be32(r->r2tsn, bhs + 36);
	put_unaligned_be32(r->offset, bhs + 40);
	put_unaligned_be32(r->length, bhs + 44);
}

/**
 * kti_encode_nop_in() - build a NOP-In BHS
 * @bhs: 48 bytes
 * @n: values
 */
void kti_encode_nop_in(u8 *bhs, const struct kti_nop_in *n)
{
	kti_put_head(bhs, KTI_OP_NOP_IN, KTI_F_FINAL, n->dlength, n->itt);
	memcpy(bhs + 8, n->lun, KTI_LUN_LEN);
	put_unaligned_be32(n->ttt, bhs + 20);
	kti_put_sn(bhs, n->statsn, n->exp_cmdsn, n->max_cmdsn);
}

/**
 * kti_encode_tmf_rsp() - build a Task Management Function Response BHS
 * @bhs: 48 bytes
 * @r: values
 */
void kti_encode_tmf_rsp(u8 *bhs, const struct kti_tmf_rsp *r)
{
	kti_put_head(bhs, KTI_OP_TMF_RSP, KTI_F_FINAL, 0, r->itt);
	bhs[2] = r->response;
	kti_put_sn(bhs, r->statsn, r->exp_cmdsn, r->max_cmdsn);
	/* QUERY ASYNC EVENT's additional response information (RFC 7144) */
	memcpy(bhs + KTI_TMF_RSP_ARI, r->ari, sizeof(r->ari));
}

/**
 * kti_encode_login_rsp() - build a Login Response BHS
 * @bhs: 48 bytes
 * @r: values; NSG is sent only with @transit
 */
void kti_encode_login_rsp(u8 *bhs, const struct kti_login_rsp *r)
{
	u8 flags = (r->csg & 3) << 2;

	if (r->transit)
		flags |= KTI_F_LOGIN_TRANSIT | (r->nsg & 3);
	if (r->cont)
		flags |= KTI_F_CONTINUE;
	kti_put_head(bhs, KTI_OP_LOGIN_RSP, flags, r->dlength, r->itt);
	bhs[2] = r->ver_max;
	bhs[3] = r->ver_active;
	memcpy(bhs + 8, r->isid, KTI_ISID_LEN);
	put_unaligned_be16(r->tsih, bhs + 14);
	kti_put_sn(bhs, r->statsn, r->exp_cmdsn, r->max_cmdsn);
	bhs[36] = r->status >> 8;
	bhs[37] = r->status & 0xff;
}

/**
 * kti_encode_text_rsp() - build a Text Response BHS
 * @bhs: 48 bytes
 * @r: values
 */
void kti_encode_text_rsp(u8 *bhs, const struct kti_text_rsp *r)
{
	u8 flags = 0;

	if (r->final)
		flags |= KTI_F_FINAL;
	if (r->cont)
		flags |= KTI_F_CONTINUE;
	kti_put_head(bhs, KTI_OP_TEXT_RSP, flags, r->dlength, r->itt);
	memcpy(bhs + 8, r->lun, KTI_LUN_LEN);
	put_unaligned_be32(r->ttt, bhs + 20);
	kti_put_sn(bhs, r->statsn, r->exp_cmdsn, r->max_cmdsn);
}

/**
 * kti_encode_logout_rsp() - build a Logout Response BHS
 * @bhs: 48 bytes
 * @r: values
 */
void kti_encode_logout_rsp(u8 *bhs, const struct kti_logout_rsp *r)
{
	kti_put_head(bhs, KTI_OP_LOGOUT_RSP, KTI_F_FINAL, 0, r->itt);
	bhs[2] = r->response;
	kti_put_sn(bhs, r->statsn, r->exp_cmdsn, r->max_cmdsn);
	put_unaligned_be16(r->time2wait, bhs + 40);
	put_unaligned_be16(r->time2retain, bhs + 42);
}

/**
 * kti_encode_async() - build an Asynchronous Message BHS
 * @bhs: 48 bytes
 * @a: values
 */
void kti_encode_async(u8 *bhs, const struct kti_async *a)
{
	kti_put_head(bhs, KTI_OP_ASYNC, KTI_F_FINAL, a->dlength,
		     KTI_RSVD_TAG);
	memcpy(bhs + 8, a->lun, KTI_LUN_LEN);
	kti_put_sn(bhs, a->statsn, a->exp_cmdsn, a->max_cmdsn);
	bhs[36] = a->event;
	bhs[37] = a->vcode;
	put_unaligned_be16(a->param1, bhs + 38);
	put_unaligned_be16(a->param2, bhs + 40);
	put_unaligned_be16(a->param3, bhs + 42);
}

/**
 * kti_encode_reject() - build a Reject BHS
 * @bhs: 48 bytes
 * @r: values
 *
 * The data segment length is set to 48: the caller sends the rejected
 * BHS as the data segment.
 */
void kti_encode_reject(u8 *bhs, const struct kti_reject *r)
{
	kti_put_head(bhs, KTI_OP_REJECT, KTI_F_FINAL, KTI_BHS_LEN,
		     KTI_RSVD_TAG);
	bhs[2] = r->reason;
	kti_put_sn(bhs, r->statsn, r->exp_cmdsn, r->max_cmdsn);
	put_unaligned_be32(r->datasn, bhs + 36);
}

/**
 * kti_put_sense() - build the data segment of a SCSI Response with sense
 * @seg: output, @size bytes
 * @size: room in @seg
 * @sense: sense data
 * @sense_len: its length
 *
 * Return: the data segment length (2-byte SenseLength + sense data), or
 * 0 if it does not fit in @size or in the 16-bit SenseLength.
 */
u32 kti_put_sense(u8 *seg, u32 size, const u8 *sense, u32 sense_len)
{
	if (sense_len > 0xffff || size < 2 || sense_len > size - 2)
		return 0;
	put_unaligned_be16(sense_len, seg);
	memcpy(seg + 2, sense, sense_len);
	return sense_len + 2;
}

/**
 * kti_lun_to_index() - the LUN index a LUN field addresses
 * @lun: 8 bytes (SAM-5 single level LUN structure)
 *
 * Peripheral device addressing (00b) and flat space addressing (01b)
 * both give ((byte 0 & 0x3f) << 8) | byte 1, as Linux initiators number
 * LUNs; a well-known LUN (byte 0 = 0xc1) gives 0xc100 | byte 1.
 *
 * Return: the index, or KTI_LUN_INVALID for a LUN with a second level
 * or another addressing method, which matches no LUN.
 */
u64 kti_lun_to_index(const u8 *lun)
{
	static const u8 zero[6];

	if (memcmp(lun + 2, zero, sizeof(zero)))
		return KTI_LUN_INVALID;
	switch (lun[0] >> 6) {
	case 0:
	case 1:
		return (u64)(lun[0] & 0x3f) << 8 | lun[1];
	case 3:
		if (lun[0] == 0xc1)
			return 0xc100 | lun[1];
		break;
	}
	return KTI_LUN_INVALID;
}

/**
 * kti_lun_from_index() - the LUN field for a LUN index
 * @index: LUN index (below 16384, or a well-known LUN 0xc1xx)
 * @lun: 8 bytes out: peripheral addressing below 256, else flat space
 */
void kti_lun_from_index(u64 index, u8 *lun)
{
	memset(lun, 0, KTI_LUN_LEN);
	if ((index & ~0xffULL) == 0xc100)
		lun[0] = 0xc1;
	else if (index >= 256)
		lun[0] = 0x40 | ((index >> 8) & 0x3f);
	lun[1] = index & 0xff;
}
