// SPDX-License-Identifier: GPL-2.0
/*
 * What the transmit thread sends for each queued item: R2Ts, Data-In and
 * SCSI Responses, the answers of other tasks, target pings.  Responses
 * are numbered (StatSN) when first sent; a resend asked for by a SNACK
 * (erl.c) is an exact copy but for ExpCmdSN/MaxCmdSN.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include "conn.h"

static u32 kti_statsn(struct kti_conn *conn)
{
	return conn->stat_sn++;
}

static void kti_fill_sn(struct kti_conn *conn, u32 *exp, u32 *max)
{
	*exp = READ_ONCE(conn->sess->exp_cmdsn);
	*max = kti_sess_max_cmdsn(conn->sess);
}

static int kti_tx_r2t(struct kti_conn *conn, struct kti_tx *tx)
{
	struct kti_r2t r = {
		.itt = tx->itt,
		.ttt = tx->ttt,
		.statsn = conn->stat_sn,
		.r2tsn = tx->r2tsn,
		.offset = tx->offset,
		.length = tx->length,
	};
	u8 bhs[KTI_BHS_LEN];

	memcpy(r.lun, tx->lun, sizeof(r.lun));
	kti_fill_sn(conn, &r.exp_cmdsn, &r.max_cmdsn);
	kti_encode_r2t(bhs, &r);
	return kti_send_pdu(conn, bhs, NULL, 0);
}

/* May the status go in the last Data-In PDU of @cmd? */
static bool kti_collapse(const struct kti_cmd *cmd)
{
	const struct kt_cmd *kc = &cmd->kc;

	return kc->scsi_status == KT_SAM_GOOD && !kc->sense_len &&
	       !cmd->snack_tag;
}

/* Does @cmd answer with Data-In? */
static bool kti_has_data_in(const struct kti_cmd *cmd)
{
	const struct kt_cmd *kc = &cmd->kc;

	return kc->d.dir == KT_DIR_FROM_DEV && kc->xfer_len &&
	       kc->scsi_status == KT_SAM_GOOD;
}

/*
 * kti_tx_data_in - the Data-In PDUs of a read numbered @first..@last
 * (DataSN; U32_MAX: to the end), cut at MaxRecvDataSegmentLength and
 * MaxBurstLength; the last one carries the status (cmd->statsn) when
 * it can.  Sets cmd->datasn to the number of PDUs of the whole read.
 */
int kti_tx_data_in(struct kti_conn *conn, struct kti_cmd *cmd, u32 first,
		   u32 last)
{
	struct kt_cmd *kc = &cmd->kc;
	struct scatterlist *sgl = kc->fabric_sgl ?: kc->sgl;
	unsigned int nents = kc->fabric_sgl ? kc->fabric_nents : kc->nents;
	u32 burst = conn->sess->params.max_burst, off = 0, in_burst = 0;
	struct kti_data_in d = { .itt = cmd->itt, .ttt = KTI_RSVD_TAG };
	bool collapse = kti_collapse(cmd);
	u8 bhs[KTI_BHS_LEN];
	int ret;

	while (off < kc->xfer_len) {
		u32 len = min3(kc->xfer_len - off, conn->max_xmit_dsl,
			       burst - in_burst);
		bool end = off + len == kc->xfer_len;

		d.offset = off;
		d.dlength = len;
		d.final = end || in_burst + len == burst;
		d.status_valid = end && collapse;
		if (d.status_valid) {
			d.status = kc->scsi_status;
			d.statsn = cmd->statsn;
			d.overflow = kc->resid_over;
			d.underflow = kc->resid_under;
			d.residual = kc->resid;
		}
		if (d.datasn >= first && d.datasn <= last) {
			kti_fill_sn(conn, &d.exp_cmdsn, &d.max_cmdsn);
			kti_encode_data_in(bhs, &d);
			ret = kti_send_sgl_pdu(conn, bhs, sgl, nents, off, len);
			if (ret)
				return ret;
		}
		d.datasn++;
		off += len;
		in_burst = d.final ? 0 : in_burst + len;
	}
	cmd->datasn = d.datasn;
	return 0;
}

/* The SCSI Response PDU of @cmd (not sent when Data-In carried it). */
static int kti_tx_status(struct kti_conn *conn, struct kti_cmd *cmd)
{
	struct kt_cmd *kc = &cmd->kc;
	struct kti_scsi_rsp r = { .itt = cmd->itt };
	u8 bhs[KTI_BHS_LEN], seg[2 + KT_SENSE_MAX];

	r.status = kc->scsi_status;
	r.overflow = kc->resid_over;
	r.underflow = kc->resid_under;
	r.residual = kc->resid;
	r.exp_datasn = cmd->datasn;
	r.snack_tag = cmd->snack_tag;
	r.statsn = cmd->statsn;
	kti_fill_sn(conn, &r.exp_cmdsn, &r.max_cmdsn);
	if (kc->sense_len)
		r.dlength = kti_put_sense(seg, sizeof(seg), kc->sense,
					  kc->sense_len);
	kti_encode_scsi_rsp(bhs, &r);
	return kti_send_pdu(conn, bhs, seg, r.dlength);
}

/*
 * kti_tx_scsi_rsp - a SCSI task's Data-In and status; a new StatSN
 * unless @resend (the whole answer again, numbered as before).
 */
int kti_tx_scsi_rsp(struct kti_conn *conn, struct kti_cmd *cmd, bool resend)
{
	int ret;

	if (!resend)
		cmd->statsn = kti_statsn(conn);
	if (kti_has_data_in(cmd)) {
		ret = kti_tx_data_in(conn, cmd, cmd->resume_datasn, U32_MAX);
		if (ret || kti_collapse(cmd))
			return ret;
	} else {
		cmd->datasn = 0;
	}
	return kti_tx_status(conn, cmd);
}

/* Just the PDU that carries the status of @cmd, again. */
int kti_tx_resend_status(struct kti_conn *conn, struct kti_cmd *cmd)
{
	if (kti_has_data_in(cmd) && kti_collapse(cmd))
		return kti_tx_data_in(conn, cmd, cmd->datasn - 1,
				      cmd->datasn - 1);
	return kti_tx_status(conn, cmd);
}

/*
 * The target drops every connection of the session (AsyncEvent 3): when
 * to reconnect and how long tasks stay reassignable; StatSN advances.
 */
static int kti_tx_async_drop(struct kti_conn *conn)
{
	const struct kti_sess_params *p = &conn->sess->params;
	struct kti_async a = { .event = KTI_ASYNC_DROP_ALL_CONNECTIONS,
			       .param2 = p->t2w, .param3 = p->t2r };
	u8 bhs[KTI_BHS_LEN];

	a.statsn = kti_statsn(conn);
	kti_fill_sn(conn, &a.exp_cmdsn, &a.max_cmdsn);
	kti_encode_async(bhs, &a);
	return kti_send_pdu(conn, bhs, NULL, 0);
}

/* A target ping: NOP-In with our TTT; StatSN is not advanced. */
static int kti_tx_ping(struct kti_conn *conn, struct kti_tx *tx)
{
	struct kti_nop_in n = { .itt = KTI_RSVD_TAG, .ttt = tx->ttt };
	u8 bhs[KTI_BHS_LEN];

	n.statsn = conn->stat_sn;
	kti_fill_sn(conn, &n.exp_cmdsn, &n.max_cmdsn);
	kti_encode_nop_in(bhs, &n);
	return kti_send_pdu(conn, bhs, NULL, 0);
}

/* Header of the answer to a non-SCSI task, with cmd->statsn. */
static void kti_simple_hdr(struct kti_conn *conn, struct kti_cmd *cmd,
			   enum kti_tx_type type, u8 *bhs)
{
	u32 exp, max;

	kti_fill_sn(conn, &exp, &max);
	switch (type) {
	case KTI_TX_NOPIN: {
		struct kti_nop_in n = { .itt = cmd->itt, .ttt = KTI_RSVD_TAG,
					.dlength = cmd->rsp_len,
					.statsn = cmd->statsn,
					.exp_cmdsn = exp, .max_cmdsn = max };

		memcpy(n.lun, cmd->lun, sizeof(n.lun));
		kti_encode_nop_in(bhs, &n);
		break;
	}
	case KTI_TX_TEXT_RSP: {
		/* F exactly when the TTT is 0xffffffff; rsp_code: the C bit */
		struct kti_text_rsp t = { .final = cmd->ttt == KTI_RSVD_TAG,
					  .cont = cmd->rsp_code,
					  .itt = cmd->itt, .ttt = cmd->ttt,
					  .dlength = cmd->rsp_len,
					  .statsn = cmd->statsn,
					  .exp_cmdsn = exp, .max_cmdsn = max };

		if (!t.final)
			memcpy(t.lun, cmd->lun, sizeof(t.lun));
		kti_encode_text_rsp(bhs, &t);
		break;
	}
	case KTI_TX_TMF_RSP: {
		struct kti_tmf_rsp t = { .itt = cmd->itt,
					 .response = cmd->rsp_code,
					 .statsn = cmd->statsn,
					 .exp_cmdsn = exp, .max_cmdsn = max };

		memcpy(t.ari, cmd->rsp_ari, sizeof(t.ari));
		kti_encode_tmf_rsp(bhs, &t);
		break;
	}
	case KTI_TX_LOGOUT_RSP: {
		const struct kti_sess_params *p = &conn->sess->params;
		struct kti_logout_rsp l = { .itt = cmd->itt,
					    .response = cmd->rsp_code,
					    .statsn = cmd->statsn,
					    .exp_cmdsn = exp, .max_cmdsn = max };

		/* connection recovery: when to come back, how long we wait */
		if (p->erl == 2) {
			l.time2wait = p->t2w;
			l.time2retain = p->t2r;
		}
		kti_encode_logout_rsp(bhs, &l);
		break;
	}
	default: {	/* KTI_TX_REJECT: data is the rejected header */
		struct kti_reject r = { .reason = cmd->rsp_code,
					.statsn = cmd->statsn,
					.exp_cmdsn = exp, .max_cmdsn = max };

		kti_encode_reject(bhs, &r);
		break;
	}
	}
}

/* The answer of a non-SCSI task; a new StatSN unless @resend. */
int kti_tx_simple(struct kti_conn *conn, struct kti_cmd *cmd,
		  enum kti_tx_type type, bool resend)
{
	u8 bhs[KTI_BHS_LEN];

	if (!resend)
		cmd->statsn = kti_statsn(conn);
	kti_simple_hdr(conn, cmd, type, bhs);
	switch (type) {
	case KTI_TX_TMF_RSP:
	case KTI_TX_LOGOUT_RSP:
		return kti_send_pdu(conn, bhs, NULL, 0);
	case KTI_TX_NOPIN:
	case KTI_TX_TEXT_RSP:
		return kti_send_pdu(conn, bhs, cmd->rsp_data, cmd->rsp_len);
	default:
		return kti_send_pdu(conn, bhs, cmd->bhs, KTI_BHS_LEN);
	}
}

/*
 * kti_tx_item - send one queued item (transmit thread), or, once the
 * connection is dead, just release what it holds.  At ERL > 0 an
 * answered task is kept until the initiator acknowledges its StatSN.
 */
void kti_tx_item(struct kti_conn *conn, struct kti_tx *tx)
{
	struct kti_cmd *cmd = tx->cmd;
	bool live = conn->state != KTI_CONN_DEAD;
	int ret = 0;

	kti_release_acked(conn);
	switch (tx->type) {
	case KTI_TX_R2T:
		if (live)
			ret = kti_tx_r2t(conn, tx);
		kmem_cache_free(kti_tx_cache, tx);
		break;
	case KTI_TX_PING:
		if (live)
			ret = kti_tx_ping(conn, tx);
		kmem_cache_free(kti_tx_cache, tx);
		break;
	case KTI_TX_SNACK:
		if (live)
			ret = kti_tx_snack(conn, cmd);
		kti_cmd_free(cmd);
		break;
	case KTI_TX_ASYNC:	/* conn->drop_tx, freed with the connection */
		if (live)
			ret = kti_tx_async_drop(conn);
		if (live && !ret)
			kernel_sock_shutdown(conn->sock, SHUT_RDWR);
		break;
	case KTI_TX_SCSI_RSP:
		if (live)
			ret = kti_tx_scsi_rsp(conn, cmd, false);
		cmd->resume_datasn = 0;
		/* kept for SNACK, or for TASK REASSIGN when not sent (ERL 2) */
		cmd->unsent = !live || ret;
		cmd->retained = conn->sess->params.erl == 2 ||
				(conn->sess->params.erl && !cmd->unsent);
		if (!cmd->kc_released)	/* kti_release_cmd() retains it */
			kt_cmd_release(&cmd->kc);
		else if (cmd->retained)	/* reassigned: answered again */
			kti_retain(conn, cmd);
		else
			kti_cmd_free(cmd);
		break;
	default:
		if (live)
			ret = kti_tx_simple(conn, cmd, tx->type, false);
		if (!ret && live && tx->type == KTI_TX_LOGOUT_RSP &&
		    cmd->rsp_code == KTI_LOGOUT_RSP_OK &&
		    kti_logout_closes(cmd)) {
			conn->logged_out = cmd->hdr.logout.reason !=
					   KTI_LOGOUT_REMOVE_FOR_RECOVERY;
			kernel_sock_shutdown(conn->sock, SHUT_RDWR);
		}
		if (live && !ret && conn->sess->params.erl &&
		    tx->type != KTI_TX_LOGOUT_RSP)
			kti_retain(conn, cmd);
		else
			kti_cmd_free(cmd);
		break;
	}
	if (ret && live) {
		pr_warn_ratelimited("send to %pISc failed: %d\n", &conn->peer,
				    ret);
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	}
}
