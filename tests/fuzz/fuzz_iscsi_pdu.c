// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for fabrics/iscsi/wire/pdu.c.
 *
 * Input layout: bytes 0-47 are a BHS as received (missing bytes are 0);
 * the bytes after it are, at the same time, the AHS given to
 * kti_ahs_decode() (rounded down to a multiple of 4) and the source of
 * the fields of one target PDU encoded at the end.  Besides the
 * sanitizers, it checks what pdu.h promises about decoded headers, LUN
 * indexes, serial numbers and encoded headers.
 */
#include <ktarget/port.h>
#include "../../fabrics/iscsi/wire/pdu.h"
#include "fuzz.h"

static bool initiator_op(u8 op)
{
	return op <= KTI_OP_LOGOUT_REQ || op == KTI_OP_SNACK;
}

static void check_ok(const struct kti_bhs *h)
{
	INVARIANT(initiator_op(h->opcode));
	switch (h->opcode) {
	case KTI_OP_SCSI_CMD:
		INVARIANT(h->cmd.attr <= KTI_ATTR_ACA);
		break;
	case KTI_OP_TMF_REQ:
		INVARIANT(h->tmf.function >= 1 && h->tmf.function <= 12);
		break;
	case KTI_OP_LOGIN_REQ:
		INVARIANT(h->login.csg <= KTI_STAGE_OPERATIONAL);
		INVARIANT(!(h->login.transit && h->login.cont));
		if (h->login.transit)
			INVARIANT(h->login.nsg > h->login.csg &&
				  h->login.nsg != 2);
		else
			INVARIANT(h->login.nsg == 0);
		break;
	case KTI_OP_TEXT_REQ:
		INVARIANT(!(h->final && h->text.cont));
		break;
	case KTI_OP_LOGOUT_REQ:
		INVARIANT(h->logout.reason <= KTI_LOGOUT_REMOVE_FOR_RECOVERY);
		break;
	case KTI_OP_SNACK:
		INVARIANT(h->snack.type <= KTI_SNACK_RDATA);
		INVARIANT(h->cmdsn == 0);
		break;
	case KTI_OP_DATA_OUT:
		INVARIANT(h->cmdsn == 0);
		break;
	}
}

static void check_decode(const u8 *b)
{
	struct kti_bhs h, again;
	int ret = kti_bhs_decode(b, &h);

	INVARIANT(ret == 0 || ret == -EINVAL);
	INVARIANT(h.opcode == (b[0] & 0x3f));
	INVARIANT(h.immediate == !!(b[0] & 0x40));
	INVARIANT(h.flags == b[1] && h.final == !!(b[1] & 0x80));
	INVARIANT(h.ahs_len == b[4]);
	INVARIANT(h.dlength <= KTI_DSL_MAX);
	INVARIANT(h.itt == get_unaligned_be32(b + 16));
	INVARIANT(h.exp_statsn == get_unaligned_be32(b + 28));
	INVARIANT(!memcmp(h.lun, b + 8, 8));
	if (ret) {
		INVARIANT(h.reject_reason == KTI_REJECT_PROTOCOL_ERROR ||
			  h.reject_reason == KTI_REJECT_CMD_NOT_SUPPORTED);
		INVARIANT((h.reject_reason == KTI_REJECT_CMD_NOT_SUPPORTED) ==
			  !initiator_op(h.opcode));
	} else {
		check_ok(&h);
	}
	/* deterministic, including the bytes of the union it did not use */
	INVARIANT(kti_bhs_decode(b, &again) == ret);
	INVARIANT(!memcmp(&h, &again, sizeof(h)));
}

static void check_lun(const u8 *lun)
{
	u64 idx = kti_lun_to_index(lun);
	u8 back[8];

	if (idx == KTI_LUN_INVALID)
		return;
	INVARIANT(idx < 0x4000 || (idx & ~0xffULL) == 0xc100);
	kti_lun_from_index(idx, back);
	INVARIANT(kti_lun_to_index(back) == idx);
	INVARIANT(back[1] == lun[1]);
}

static void check_sn(u32 a, u32 b)
{
	INVARIANT(kti_sn_lt(a, b) == kti_sn_gt(b, a));
	INVARIANT(!(kti_sn_lt(a, b) && kti_sn_lt(b, a)));
	INVARIANT(kti_sn_lte(a, b) == (a == b || kti_sn_lt(a, b)));
	if (a == b || b - a == 0x80000000U)
		INVARIANT(!kti_sn_lt(a, b) && !kti_sn_gt(a, b));
	else
		INVARIANT(kti_sn_lt(a, b) != kti_sn_gt(a, b));
	INVARIANT(kti_sn_in(a, a, a));
}

static void check_ahs(const u8 *p, u32 len)
{
	struct kti_ahs a;

	if (kti_ahs_decode(p, len & ~3U, &a))
		return;
	INVARIANT(a.ext_cdb_len < 0xffff);
	INVARIANT(a.bidi || !a.bidi_read_len);
	INVARIANT(len >= (a.ext_cdb_len ? 4 + a.ext_cdb_len : 0) +
			 (a.bidi ? 8 : 0));
}

/* a reader of fuzz bytes for the encoder fields; zeros past the end */
struct src {
	const u8 *p;
	size_t n;
};

static u32 take(struct src *s, unsigned int bytes)
{
	u32 v = 0;

	while (bytes--) {
		v = v << 8 | (s->n ? *s->p : 0);
		if (s->n) {
			s->p++;
			s->n--;
		}
	}
	return v;
}

static void check_head(const u8 *b, u8 op, u32 dlength)
{
	INVARIANT(b[0] == op);
	INVARIANT(((u32)b[5] << 16 | b[6] << 8 | b[7]) ==
		  (dlength & KTI_DSL_MAX));
}

static void encode_data_in(struct src *s)
{
	struct kti_data_in d = { 0 };
	u8 b[KTI_BHS_LEN], f = take(s, 1);

	d.final = f & 1;
	d.ack = f & 2;
	d.status_valid = f & 4;
	d.overflow = f & 8;
	d.underflow = f & 16;
	d.status = take(s, 1);
	d.itt = take(s, 4);
	d.ttt = take(s, 4);
	d.statsn = take(s, 4);
	d.residual = take(s, 4);
	d.dlength = take(s, 4);
	kti_encode_data_in(b, &d);
	check_head(b, KTI_OP_DATA_IN, d.dlength);
	INVARIANT(!(b[1] & 0x38));
	if (b[1] & 0x01) {
		INVARIANT(b[1] & 0x80);
	} else {
		INVARIANT(!(b[1] & 0x06) && !b[3]);
		INVARIANT(!get_unaligned_be32(b + 24));
	}
	if (!(b[1] & 0x06))
		INVARIANT(!get_unaligned_be32(b + 44));
	if (!(b[1] & 0x40))
		INVARIANT(get_unaligned_be32(b + 20) == KTI_RSVD_TAG);
}

static void encode_others(struct src *s)
{
	struct kti_scsi_rsp r = { 0 };
	struct kti_login_rsp l = { 0 };
	struct kti_reject j = { 0 };
	u8 b[KTI_BHS_LEN], f = take(s, 1);

	r.overflow = f & 1;
	r.underflow = f & 2;
	r.bidi_overflow = f & 4;
	r.bidi_underflow = f & 8;
	r.residual = take(s, 4);
	r.bidi_residual = take(s, 4);
	r.dlength = take(s, 4);
	kti_encode_scsi_rsp(b, &r);
	check_head(b, KTI_OP_SCSI_RSP, r.dlength);
	INVARIANT((b[1] & 0xe1) == 0x80);
	if (!(b[1] & 0x06))
		INVARIANT(!get_unaligned_be32(b + 44));

	l.transit = f & 16;
	l.cont = f & 32;
	l.csg = take(s, 1);
	l.nsg = take(s, 1);
	l.status = take(s, 2);
	kti_encode_login_rsp(b, &l);
	check_head(b, KTI_OP_LOGIN_RSP, 0);
	INVARIANT(!(b[1] & 0x30));
	INVARIANT(get_unaligned_be16(b + 36) == l.status);

	j.reason = take(s, 1);
	kti_encode_reject(b, &j);
	check_head(b, KTI_OP_REJECT, KTI_BHS_LEN);
	INVARIANT(get_unaligned_be32(b + 16) == KTI_RSVD_TAG);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	size_t head = size < KTI_BHS_LEN ? size : KTI_BHS_LEN;
	const u8 *rest = data + head;
	size_t nrest = size - head;
	struct src s = { rest, nrest };
	u8 bhs[KTI_BHS_LEN] = { 0 };

	memcpy(bhs, data, head);
	check_decode(bhs);
	check_lun(bhs + 8);
	check_sn(get_unaligned_be32(bhs + 24), get_unaligned_be32(bhs + 28));
	check_ahs(rest, nrest);
	encode_data_in(&s);
	encode_others(&s);
	return 0;
}
