// SPDX-License-Identifier: GPL-2.0
/*
 * Text Request/Response exchanges in full feature phase (RFC 7143 11.10,
 * 11.11): SendTargets, over several PDUs in either direction.
 *
 * A request split by the initiator (C bit) is gathered up to
 * KTI_TEXT_MAX bytes, each piece acknowledged with an empty response
 * (F=0, C=0, our Target Transfer Tag).  The answer is built whole (at
 * most KTI_TEXT_MAX bytes) and sent in pieces of at most the initiator's
 * MaxRecvDataSegmentLength: every piece but the last has C=1, F=0 and our
 * TTT; the initiator asks for the next with an empty request carrying
 * that TTT and the same ITT.  The last piece has F=1 and TTT 0xffffffff
 * (or F=0 and our TTT while the initiator's own F bit is 0: a target
 * must not end a sequence the initiator keeps open).
 *
 * A request with TTT 0xffffffff starts a new exchange, dropping one in
 * progress with the same ITT (RFC 7143 11.10.4: a reset).  A new request
 * with another ITT while an exchange is in progress (an initiator has one
 * outstanding Text Request per connection) is rejected as a protocol
 * error; a TTT that is not that of the exchange in progress as an
 * invalid PDU field.  Either way the exchange in progress stays.
 *
 * SendTargets=All is for discovery sessions (RFC 7143 appendix C); in a
 * normal session it answers, as an empty value does, with the session's
 * own target only.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/slab.h>
#include "conn.h"

#define KTI_TEXT_MAX	65536	/* a request or an answer, over all PDUs */

/* the Text exchange of a connection that spans PDUs; rx thread only */
struct kti_text {
	u32 itt;
	u32 ttt;
	char *req;		/* the request gathered so far (C bit) */
	u32 req_len;
	bool built;		/* the request is in, @rsp is the answer */
	char *rsp;		/* NULL for an empty answer */
	u32 rsp_len;
	u32 rsp_off;		/* sent so far */
};

/* kti_text_end - forget the exchange in progress, if any. */
void kti_text_end(struct kti_conn *conn)
{
	struct kti_text *t = conn->text;

	if (!t)
		return;
	kvfree(t->req);
	kvfree(t->rsp);
	kfree(t);
	conn->text = NULL;
}

/*
 * kti_text_check - may this Text Request be carried out?  Returns 0, or
 * the reason of the Reject it gets (the exchange in progress stays).
 */
u8 kti_text_check(struct kti_conn *conn, const struct kti_bhs *h)
{
	struct kti_text *t = conn->text;

	if (h->text.ttt == KTI_RSVD_TAG)
		return t && t->itt != h->itt ? KTI_REJECT_PROTOCOL_ERROR : 0;
	if (!t || t->ttt != h->text.ttt || t->itt != h->itt)
		return KTI_REJECT_INVALID_PDU_FIELD;
	if (!t->built && h->dlength > KTI_TEXT_MAX - t->req_len)
		return KTI_REJECT_PROTOCOL_ERROR;	/* request too long */
	return 0;
}

static struct kti_text *kti_text_begin(struct kti_conn *conn,
				       const struct kti_bhs *h)
{
	struct kti_text *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->itt = h->itt;
	t->ttt = kti_new_ttt(conn);
	conn->text = t;
	return t;
}

/* Build the answer to the request text @req (@len bytes, parsed in place). */
static int kti_text_build(struct kti_conn *conn, char *req, u32 len,
			  struct kti_text *t)
{
	struct kti_sess *sess = conn->sess;
	struct kti_kv kvs[16];
	const char *st = NULL;
	unsigned int n;

	t->built = true;
	if (!kti_text_parse(req, len, kvs, ARRAY_SIZE(kvs), &n))
		st = kti_kv_get(kvs, n, "SendTargets");
	if (!st)
		return 0;	/* nothing else is answered */
	if (!sess->discovery && (!*st || !strcmp(st, "All")))
		st = sess->tpg->tiqn->wwn.name;
	t->rsp = kvmalloc(KTI_TEXT_MAX, GFP_KERNEL);
	if (!t->rsp)
		return -ENOMEM;
	t->rsp_len = kti_sendtargets(conn, st, t->rsp, KTI_TEXT_MAX);
	return 0;
}

/*
 * The next piece of the answer into @cmd; the exchange ends with the
 * last piece when the initiator's request had F set.
 */
static int kti_text_piece(struct kti_conn *conn, const struct kti_bhs *h,
			  struct kti_cmd *cmd)
{
	struct kti_text *t = conn->text;
	u32 n = min(t->rsp_len - t->rsp_off, conn->max_xmit_dsl);
	bool more = t->rsp_off + n < t->rsp_len;

	if (n) {
		cmd->rsp_data = kmemdup(t->rsp + t->rsp_off, n, GFP_KERNEL);
		if (!cmd->rsp_data)
			return -ENOMEM;
		cmd->rsp_len = n;
		t->rsp_off += n;
	}
	cmd->rsp_code = more;			/* the C bit */
	cmd->ttt = t->ttt;
	if (!more && h->final) {
		cmd->ttt = KTI_RSVD_TAG;	/* F=1 */
		kti_text_end(conn);
	}
	return 0;
}

/* Add this PDU's text to the request being gathered. */
static int kti_text_gather(struct kti_text *t, const char *data, u32 len)
{
	if (!t->req) {
		t->req = kvmalloc(KTI_TEXT_MAX, GFP_KERNEL);
		if (!t->req)
			return -ENOMEM;
	}
	memcpy(t->req + t->req_len, data, len);	/* kti_text_check()ed */
	t->req_len += len;
	return 0;
}

/*
 * kti_text_answer - the Text Response to a request kti_text_check()
 * accepted, into @cmd: rsp_data/rsp_len, ttt (0xffffffff: final) and
 * rsp_code (the C bit).  @data is the request's data segment (parsed in
 * place).  Returns 0 or -ENOMEM.
 */
int kti_text_answer(struct kti_conn *conn, const struct kti_bhs *h,
		    char *data, struct kti_cmd *cmd)
{
	struct kti_text *t;
	int ret;

	if (h->text.ttt == KTI_RSVD_TAG)
		kti_text_end(conn);		/* a new exchange, or a reset */
	t = conn->text;
	if (t && t->built)
		return kti_text_piece(conn, h, cmd);	/* continuation */
	if (!t)
		t = kti_text_begin(conn, h);
	if (!t)
		return -ENOMEM;
	if (h->text.cont || t->req) {
		ret = kti_text_gather(t, data, h->dlength);
		if (ret || h->text.cont) {
			/* acknowledged empty: F=0, C=0, our TTT */
			cmd->ttt = t->ttt;
			return ret;
		}
		ret = kti_text_build(conn, t->req, t->req_len, t);
		kvfree(t->req);
		t->req = NULL;
	} else {
		ret = kti_text_build(conn, data, h->dlength, t);
	}
	if (ret)
		return ret;
	return kti_text_piece(conn, h, cmd);
}
