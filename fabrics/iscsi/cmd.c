// SPDX-License-Identifier: GPL-2.0
/*
 * Full feature phase: what the receive thread does with each PDU and what
 * the transmit thread sends for each task.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/crc32c.h>
#include <linux/delay.h>
#include <linux/scatterlist.h>
#include "conn.h"

/* ---------------- tasks ---------------- */

static struct kti_cmd *kti_cmd_alloc(struct kti_conn *conn,
				     const u8 *bhs, const struct kti_bhs *h)
{
	struct kti_cmd *cmd = kmem_cache_zalloc(kti_cmd_cache, GFP_KERNEL);

	if (!cmd)
		return NULL;
	cmd->conn = conn;
	cmd->opcode = h->opcode;
	cmd->immediate = h->immediate;
	cmd->itt = h->itt;
	cmd->cmdsn = h->cmdsn;
	memcpy(cmd->lun, h->lun, sizeof(cmd->lun));
	memcpy(cmd->bhs, bhs, KTI_BHS_LEN);
	cmd->tx.cmd = cmd;
	INIT_LIST_HEAD(&cmd->tx.entry);
	INIT_LIST_HEAD(&cmd->sn_entry);
	atomic_inc(&conn->nr_cmds);
	return cmd;
}

/* Take the R2Ts still queued for @cmd off the transmit queue. */
static void kti_cmd_purge_r2ts(struct kti_cmd *cmd)
{
	struct kti_conn *conn = cmd->conn;
	struct kti_tx *tx, *next;
	unsigned long flags;
	LIST_HEAD(gone);

	spin_lock_irqsave(&conn->tx_lock, flags);
	list_for_each_entry_safe(tx, next, &conn->tx_queue, entry)
		if (tx->type == KTI_TX_R2T && tx->cmd == cmd)
			list_move(&tx->entry, &gone);
	spin_unlock_irqrestore(&conn->tx_lock, flags);
	list_for_each_entry_safe(tx, next, &gone, entry)
		kmem_cache_free(kti_tx_cache, tx);
}

void kti_cmd_free(struct kti_cmd *cmd)
{
	struct kti_conn *conn = cmd->conn;

	if (cmd->r2t_sn)
		kti_cmd_purge_r2ts(cmd);

	if (cmd->sgl)
		sgl_free(cmd->sgl);
	kfree(cmd->rsp_data);
	kmem_cache_free(kti_cmd_cache, cmd);
	/* logout waits for 1 (itself), teardown for 0: wake on every drop */
	atomic_dec(&conn->nr_cmds);
	wake_up(&conn->cmds_wait);
}

/* Queue the response of a non-SCSI task. */
static void kti_cmd_respond(struct kti_cmd *cmd, enum kti_tx_type type)
{
	cmd->tx.type = type;
	kti_tx_queue(cmd->conn, &cmd->tx);
}

/* ---------------- receiving data segments ---------------- */

/* Read the data segment (+ padding, + digest) of a PDU into @buf. */
static int kti_rx_data(struct kti_conn *conn, const struct kti_bhs *h,
		       void *buf, u32 size)
{
	u32 len = kti_pad4(h->dlength);
	__le32 crc;
	int ret;

	if (h->dlength > size)
		return -EMSGSIZE;
	ret = kti_recv_full(conn, buf, len);
	if (ret)
		return ret;
	if (!conn->data_digest)
		return 0;
	ret = kti_recv_full(conn, &crc, 4);
	if (ret)
		return ret;
	if (le32_to_cpu(crc) != ~crc32c(~0, buf, len)) {
		pr_warn("data digest error from %pISc: closing connection\n",
			&conn->peer);
		return -EILSEQ;
	}
	return 0;
}

/* Read and drop a data segment we do not want. */
static int kti_rx_skip(struct kti_conn *conn, const struct kti_bhs *h)
{
	u32 left = kti_pad4(h->dlength) + (conn->data_digest && h->dlength ?
					   4 : 0);
	int ret;

	while (left) {
		u32 n = min_t(u32, left, KTI_LOGIN_MAX_DATA);

		ret = kti_recv_full(conn, conn->rx_buf, n);
		if (ret)
			return ret;
		left -= n;
	}
	return 0;
}

/* Receive a data segment straight into @cmd's buffer at @off. */
static int kti_rx_data_sgl(struct kti_conn *conn, struct kti_cmd *cmd,
			   u32 off, u32 len)
{
	u32 pad = kti_pad4(len) - len;
	u8 trailer[8];
	int ret;

	ret = kti_recv_sgl(conn, cmd->sgl, cmd->nents, off, len);
	if (ret)
		return ret;
	ret = kti_recv_full(conn, trailer, pad + (conn->data_digest ? 4 : 0));
	if (ret || !conn->data_digest)
		return ret;
	if (get_unaligned_le32(trailer + pad) !=
	    ~crc32c(kti_sgl_crc(cmd->sgl, cmd->nents, off, len, ~0),
		    trailer, pad)) {
		pr_warn("data digest error from %pISc: closing connection\n",
			&conn->peer);
		return -EILSEQ;
	}
	return 0;
}

/* ---------------- Reject ---------------- */

static int kti_reject(struct kti_conn *conn, const u8 *bhs,
		      const struct kti_bhs *h, u8 reason)
{
	struct kti_cmd *cmd = kti_cmd_alloc(conn, bhs, h);

	pr_warn_ratelimited("rejecting PDU (opcode %#x, reason %#x) from %pISc\n",
			    h->opcode, reason, &conn->peer);
	if (!cmd)
		return -ENOMEM;
	cmd->rsp_code = reason;
	kti_cmd_respond(cmd, KTI_TX_REJECT);
	return 0;
}

/* ---------------- CmdSN ---------------- */

/*
 * kti_cmdsn_accept - may a request with this CmdSN be carried out?
 * Immediate requests do not take a CmdSN.  A CmdSN outside the window
 * [ExpCmdSN, MaxCmdSN] is dropped silently (RFC 7143 4.2.2.1).  On one
 * connection TCP keeps order, so an in-window CmdSN is the next one.
 */
static bool kti_cmdsn_accept(struct kti_sess *sess, const struct kti_bhs *h)
{
	bool ok = true;

	if (h->immediate)
		return true;
	spin_lock(&sess->sn_lock);
	if (kti_sn_in(h->cmdsn, sess->exp_cmdsn, kti_sess_max_cmdsn(sess)))
		WRITE_ONCE(sess->exp_cmdsn, h->cmdsn + 1);
	else
		ok = false;
	spin_unlock(&sess->sn_lock);
	if (!ok)
		pr_warn_ratelimited("CmdSN %u outside the window at %u: dropped\n",
				    h->cmdsn, sess->exp_cmdsn);
	return ok;
}

/* ---------------- SCSI commands and Data-Out ---------------- */

static enum kt_task_attr kti_task_attr(u8 attr)
{
	switch (attr) {
	case KTI_ATTR_ORDERED:
		return KT_TASK_ORDERED;
	case KTI_ATTR_HEAD_OF_QUEUE:
		return KT_TASK_HEAD_OF_QUEUE;
	case KTI_ATTR_ACA:
		return KT_TASK_ACA;
	default:
		return KT_TASK_SIMPLE;
	}
}

/* All Data-Out is in: hand the command to the core. */
static void kti_cmd_submit(struct kti_cmd *cmd, const struct kti_bhs *h)
{
	struct kti_sess *sess = cmd->conn->sess;
	enum kt_dir dir = KT_DIR_NONE;

	if (h->cmd.write)
		dir = KT_DIR_TO_DEV;
	else if (h->cmd.read)
		dir = KT_DIR_FROM_DEV;
	kt_cmd_init(&cmd->kc, sess->ks, kti_lun_to_index(cmd->lun),
		    h->cmd.cdb, KTI_CDB_LEN, cmd->edtl, dir,
		    kti_task_attr(h->cmd.attr), cmd->itt);
	if (cmd->sgl) {
		cmd->kc.fabric_sgl = cmd->sgl;
		cmd->kc.fabric_nents = cmd->nents;
	}
	kt_cmd_submit(&cmd->kc);
}

/* Queue R2Ts for the rest of a write, MaxOutstandingR2T at a time. */
static int kti_cmd_r2ts(struct kti_cmd *cmd)
{
	struct kti_sess_params *p = &cmd->conn->sess->params;
	struct kti_tx *tx;

	while (cmd->r2t_next < cmd->edtl &&
	       cmd->r2t_open < p->max_outstanding_r2t) {
		tx = kmem_cache_zalloc(kti_tx_cache, GFP_KERNEL);
		if (!tx)
			return -ENOMEM;
		tx->type = KTI_TX_R2T;
		tx->cmd = cmd;		/* only to find it; not used to send */
		tx->itt = cmd->itt;
		tx->ttt = cmd->ttt;
		memcpy(tx->lun, cmd->lun, sizeof(tx->lun));
		tx->offset = cmd->r2t_next;
		tx->length = min(cmd->edtl - cmd->r2t_next, p->max_burst);
		tx->r2tsn = cmd->r2t_sn++;
		cmd->r2t_next += tx->length;
		cmd->r2t_open++;
		kti_tx_queue(cmd->conn, tx);
	}
	return 0;
}

/*
 * Received SCSI Command's buffer state: submit when complete, otherwise
 * wait for Data-Out (and ask for it).
 */
static int kti_cmd_data_state(struct kti_cmd *cmd)
{
	if (cmd->data_done == cmd->edtl) {
		xa_erase(&cmd->conn->cmds, cmd->itt);
		kti_cmd_submit(cmd, &cmd->hdr);
		return 0;
	}
	return kti_cmd_r2ts(cmd);
}

static int kti_rx_scsi_cmd(struct kti_conn *conn, const u8 *bhs,
			   const struct kti_bhs *h)
{
	struct kti_sess *sess = conn->sess;
	struct kti_sess_params *p = &sess->params;
	struct kti_cmd *cmd;
	u32 unsol;
	int ret;

	if (sess->discovery || conn->state != KTI_CONN_FFP) {
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_PROTOCOL_ERROR);
	}
	if (!kti_cmdsn_accept(sess, h))
		return kti_rx_skip(conn, h);
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	cmd->hdr = *h;
	cmd->edtl = h->cmd.edtl;
	if (!h->cmd.write) {
		if (h->dlength) {
			kti_cmd_free(cmd);
			ret = kti_rx_skip(conn, h);
			return ret ?: kti_reject(conn, bhs, h,
						 KTI_REJECT_PROTOCOL_ERROR);
		}
		kti_cmd_submit(cmd, h);
		return 0;
	}
	/* a write: immediate data, then unsolicited Data-Out, then R2Ts */
	if (h->dlength > cmd->edtl || h->dlength > p->first_burst ||
	    (h->dlength && !p->immediate_data) || cmd->edtl > KTI_MAX_EDTL) {
		kti_cmd_free(cmd);
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_PROTOCOL_ERROR);
	}
	if (cmd->edtl) {
		cmd->sgl = sgl_alloc(cmd->edtl, GFP_KERNEL, &cmd->nents);
		if (!cmd->sgl) {
			kti_cmd_free(cmd);
			return -ENOMEM;
		}
	}
	if (h->dlength) {
		ret = kti_rx_data_sgl(conn, cmd, 0, h->dlength);
		if (ret) {
			kti_cmd_free(cmd);
			return ret;
		}
	}
	cmd->data_done = h->dlength;
	unsol = p->initial_r2t ? 0 : min(p->first_burst, cmd->edtl);
	cmd->r2t_next = max(unsol, cmd->data_done);
	cmd->ttt = conn->next_ttt++;
	if (cmd->ttt == KTI_RSVD_TAG)
		cmd->ttt = conn->next_ttt++;
	if (cmd->data_done < cmd->edtl) {
		ret = xa_insert(&conn->cmds, cmd->itt, cmd, GFP_KERNEL);
		if (ret) {
			kti_cmd_free(cmd);
			return kti_reject(conn, bhs, h,
					  KTI_REJECT_TASK_IN_PROGRESS);
		}
		/* unsolicited data first, R2Ts once it is in */
		if (cmd->data_done < unsol)
			return 0;
	}
	return kti_cmd_data_state(cmd);
}

static int kti_rx_data_out(struct kti_conn *conn, const u8 *bhs,
			   const struct kti_bhs *h)
{
	struct kti_cmd *cmd = xa_load(&conn->cmds, h->itt);
	u32 off = h->data.offset, len = h->dlength;
	bool solicited = h->data.ttt != KTI_RSVD_TAG;
	int ret;

	if (!cmd || off != cmd->data_done || len > cmd->edtl - off ||
	    (solicited && h->data.ttt != cmd->ttt) ||
	    (!solicited && off + len > cmd->r2t_next) ||
	    len > conn->max_recv_dsl) {
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_INVALID_PDU_FIELD);
	}
	if (h->data.datasn != cmd->exp_datasn) {
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_PROTOCOL_ERROR);
	}
	ret = kti_rx_data_sgl(conn, cmd, off, len);
	if (ret)
		return ret;
	cmd->data_done += len;
	cmd->exp_datasn++;
	if (h->final) {
		cmd->exp_datasn = 0;
		if (solicited && cmd->r2t_open)
			cmd->r2t_open--;
	}
	if (cmd->data_done == cmd->edtl || h->final)
		return kti_cmd_data_state(cmd);
	return 0;
}

/* ---------------- NOP, Text, Logout, TMF ---------------- */

static int kti_rx_nop_out(struct kti_conn *conn, const u8 *bhs,
			  const struct kti_bhs *h)
{
	struct kti_cmd *cmd;
	int ret;

	/* within MaxRecvDataSegmentLength, but more than we echo */
	if (h->dlength > KTI_LOGIN_MAX_DATA) {
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_PROTOCOL_ERROR);
	}
	ret = kti_rx_data(conn, h, conn->rx_buf, KTI_LOGIN_MAX_DATA);
	if (ret)
		return ret;
	if (h->itt == KTI_RSVD_TAG) {	/* an answer to our ping */
		kti_conn_ping_answer(conn, h->nop.ttt);
		return 0;
	}
	if (!kti_cmdsn_accept(conn->sess, h))
		return 0;
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	if (h->dlength) {
		cmd->rsp_data = kmemdup(conn->rx_buf, h->dlength, GFP_KERNEL);
		if (!cmd->rsp_data) {
			kti_cmd_free(cmd);
			return -ENOMEM;
		}
		cmd->rsp_len = h->dlength;
	}
	kti_cmd_respond(cmd, KTI_TX_NOPIN);
	return 0;
}

/* Text Request: the exchange itself is in text.c */
static int kti_rx_text(struct kti_conn *conn, const u8 *bhs,
		       const struct kti_bhs *h)
{
	struct kti_cmd *cmd;
	u8 reason;
	int ret;

	if (h->dlength >= KTI_LOGIN_MAX_DATA) {
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_PROTOCOL_ERROR);
	}
	ret = kti_rx_data(conn, h, conn->rx_buf, KTI_LOGIN_MAX_DATA);
	if (ret)
		return ret;
	reason = kti_text_check(conn, h);
	if (reason)
		return kti_reject(conn, bhs, h, reason);
	if (!kti_cmdsn_accept(conn->sess, h))
		return 0;
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	ret = kti_text_answer(conn, h, conn->rx_buf, cmd);
	if (ret) {
		kti_cmd_free(cmd);
		return ret;
	}
	kti_cmd_respond(cmd, KTI_TX_TEXT_RSP);
	return 0;
}

/* Drop the writes still waiting for Data-Out (no response is owed). */
void kti_conn_abort_cmds(struct kti_conn *conn)
{
	struct kti_cmd *cmd;
	unsigned long idx;

	xa_for_each(&conn->cmds, idx, cmd) {
		xa_erase(&conn->cmds, idx);
		kti_cmd_free(cmd);
	}
}

static int kti_rx_logout(struct kti_conn *conn, const u8 *bhs,
			 const struct kti_bhs *h)
{
	struct kti_cmd *cmd;
	int ret;

	ret = kti_rx_skip(conn, h);
	if (ret)
		return ret;
	kti_cmdsn_accept(conn->sess, h);
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	switch (h->logout.reason) {
	case KTI_LOGOUT_CLOSE_SESSION:
	case KTI_LOGOUT_CLOSE_CONNECTION:
		cmd->rsp_code = KTI_LOGOUT_RSP_OK;
		break;
	default:
		cmd->rsp_code = KTI_LOGOUT_RSP_NO_RECOVERY;
		kti_cmd_respond(cmd, KTI_TX_LOGOUT_RSP);
		return 0;
	}
	/* no new tasks; the answer goes once every task is done */
	conn->state = KTI_CONN_LOGOUT;
	kti_conn_abort_cmds(conn);
	if (wait_event_interruptible_timeout(conn->cmds_wait,
					     atomic_read(&conn->nr_cmds) == 1,
					     30 * HZ) <= 0)
		pr_warn("logout of %pISc: tasks still running after 30 s\n",
			&conn->peer);
	kti_cmd_respond(cmd, KTI_TX_LOGOUT_RSP);
	return 0;
}

static bool kti_task_has_itt(const struct kt_cmd *kc, u64 itt)
{
	return kc->tag == itt;
}

static bool kti_task_on_lun(const struct kt_cmd *kc, u64 lun)
{
	return kc->lun == lun;
}

/*
 * Wait (bounded, 60 s) until no task of this session that @match()es
 * @key is in the core any more.
 */
static bool kti_wait_tasks(struct kti_conn *conn,
			   bool (*match)(const struct kt_cmd *kc, u64 key),
			   u64 key)
{
	struct kt_session *ks = conn->sess->ks;
	struct kt_cmd *kc;
	int tries = 3000;
	bool busy;

	do {
		busy = false;
		spin_lock_irq(&ks->lock);
		list_for_each_entry(kc, &ks->cmds, sess_entry)
			if (match(kc, key))
				busy = true;
		spin_unlock_irq(&ks->lock);
		if (busy)
			msleep(20);
	} while (busy && --tries);
	return !busy;
}

/* Drop this connection's writes on @lun still waiting for Data-Out. */
static void kti_drop_waiting(struct kti_conn *conn, u64 lun)
{
	struct kti_cmd *cmd;
	unsigned long idx;

	xa_for_each(&conn->cmds, idx, cmd) {
		if (kti_lun_to_index(cmd->lun) != lun)
			continue;
		xa_erase(&conn->cmds, idx);
		kti_cmd_free(cmd);
	}
}

static u8 kti_tmf_abort_task(struct kti_conn *conn, const struct kti_bhs *h)
{
	struct kti_cmd *cmd = xa_load(&conn->cmds, h->tmf.ref_itt);

	if (cmd) {
		xa_erase(&conn->cmds, h->tmf.ref_itt);
		kti_cmd_free(cmd);
		return KTI_TMF_RSP_COMPLETE;
	}
	/*
	 * In the core it runs to completion and its response goes out
	 * first; then, as for a task we never saw, there is none to abort.
	 */
	return kti_wait_tasks(conn, kti_task_has_itt, h->tmf.ref_itt) ?
	       KTI_TMF_RSP_NO_TASK : KTI_TMF_RSP_REJECTED;
}

/*
 * ABORT TASK SET, CLEAR TASK SET: this session's tasks on the LUN only
 * (one task set per I_T nexus); other initiators see nothing.
 */
static u8 kti_tmf_task_set(struct kti_conn *conn, const struct kti_bhs *h)
{
	u64 lun = kti_lun_to_index(h->lun);

	kti_drop_waiting(conn, lun);
	return kti_wait_tasks(conn, kti_task_on_lun, lun) ?
	       KTI_TMF_RSP_COMPLETE : KTI_TMF_RSP_REJECTED;
}

/* LOGICAL UNIT RESET: every initiator's tasks; the others get a UA. */
static u8 kti_tmf_lun_reset(struct kti_conn *conn, const struct kti_bhs *h)
{
	u64 lun = kti_lun_to_index(h->lun);

	kti_drop_waiting(conn, lun);
	switch (kt_tmr_lun_reset(conn->sess->ks, lun)) {
	case 0:
		return KTI_TMF_RSP_COMPLETE;
	case -ENODEV:
		return KTI_TMF_RSP_NO_LUN;
	default:
		return KTI_TMF_RSP_REJECTED;
	}
}

static int kti_rx_tmf(struct kti_conn *conn, const u8 *bhs,
		      const struct kti_bhs *h)
{
	struct kti_cmd *cmd;
	u8 rsp;
	int ret;

	ret = kti_rx_skip(conn, h);
	if (ret)
		return ret;
	if (conn->sess->discovery)
		return kti_reject(conn, bhs, h, KTI_REJECT_PROTOCOL_ERROR);
	kti_cmdsn_accept(conn->sess, h);
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	switch (h->tmf.function) {
	case KTI_TMF_ABORT_TASK:
		cmd->rsp_code = kti_tmf_abort_task(conn, h);
		break;
	case KTI_TMF_ABORT_TASK_SET:
	case KTI_TMF_CLEAR_TASK_SET:
		cmd->rsp_code = kti_tmf_task_set(conn, h);
		break;
	case KTI_TMF_LUN_RESET:
		cmd->rsp_code = kti_tmf_lun_reset(conn, h);
		break;
	case KTI_TMF_TARGET_WARM_RESET:
	case KTI_TMF_TARGET_COLD_RESET:
		cmd->rsp_code = kti_tmf_target_reset(conn, h->tmf.function ==
						     KTI_TMF_TARGET_COLD_RESET);
		break;
	case KTI_TMF_TASK_REASSIGN:
		cmd->rsp_code = KTI_TMF_RSP_NO_REASSIGN;
		break;
	default:
		cmd->rsp_code = KTI_TMF_RSP_NOT_SUPPORTED;
		break;
	}
	rsp = cmd->rsp_code;
	kti_cmd_respond(cmd, KTI_TX_TMF_RSP);
	/* queued after the answer, so it goes out first */
	if (h->tmf.function == KTI_TMF_TARGET_COLD_RESET &&
	    rsp == KTI_TMF_RSP_COMPLETE)
		kti_target_drop(conn->sess->tpg->tiqn);
	return 0;
}

/* A data segment over MaxRecvDataSegmentLength ends the connection. */
static int kti_rx_check_dsl(struct kti_conn *conn, const struct kti_bhs *h)
{
	if (h->dlength <= conn->max_recv_dsl)
		return 0;
	pr_warn("PDU data segment of %u bytes over MaxRecvDataSegmentLength %u from %pISc: closing connection\n",
		h->dlength, conn->max_recv_dsl, &conn->peer);
	return -EPROTO;
}

/*
 * kti_rx_bad_pdu - a PDU whose header kti_bhs_decode() refused (an opcode
 * a target does not take, reserved values): its AHS and data segment are
 * read and dropped and it is rejected with the decoder's reason; the
 * connection stays.  A malformed Login request closes it, as any Login
 * request in full feature phase does.
 */
int kti_rx_bad_pdu(struct kti_conn *conn, const u8 *bhs,
		   const struct kti_bhs *h)
{
	int ret;

	if (h->opcode == KTI_OP_LOGIN_REQ) {
		pr_warn("malformed Login request from %pISc in full feature phase: closing connection\n",
			&conn->peer);
		return -EPROTO;
	}
	ret = kti_rx_check_dsl(conn, h);
	if (!ret)
		ret = kti_recv_full(conn, conn->rx_buf, h->ahs_len * 4);
	if (!ret)
		ret = kti_rx_skip(conn, h);
	return ret ?: kti_reject(conn, bhs, h, h->reject_reason);
}

/* kti_rx_pdu - one PDU whose header was read and decoded. */
int kti_rx_pdu(struct kti_conn *conn, const u8 *bhs, const struct kti_bhs *h)
{
	int ret;

	ret = kti_rx_check_dsl(conn, h);
	if (ret)
		return ret;
	if (h->ahs_len) {
		/* no AHS we use (extended CDBs, bidi): skip it */
		u32 ahs = h->ahs_len * 4;

		ret = kti_recv_full(conn, conn->rx_buf, ahs);
		if (ret)
			return ret;
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_CMD_NOT_SUPPORTED);
	}
	switch (h->opcode) {
	case KTI_OP_SCSI_CMD:
		return kti_rx_scsi_cmd(conn, bhs, h);
	case KTI_OP_DATA_OUT:
		return kti_rx_data_out(conn, bhs, h);
	case KTI_OP_NOP_OUT:
		return kti_rx_nop_out(conn, bhs, h);
	case KTI_OP_TEXT_REQ:
		return kti_rx_text(conn, bhs, h);
	case KTI_OP_LOGOUT_REQ:
		return kti_rx_logout(conn, bhs, h);
	case KTI_OP_TMF_REQ:
		return kti_rx_tmf(conn, bhs, h);
	case KTI_OP_LOGIN_REQ:
		return -EPROTO;
	default:
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_CMD_NOT_SUPPORTED);
	}
}

/* ---------------- transmit ---------------- */

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

/* Data-In PDUs of a read; the last one carries GOOD status when it can. */
static int kti_tx_data_in(struct kti_conn *conn, struct kti_cmd *cmd,
			  bool collapse)
{
	struct kt_cmd *kc = &cmd->kc;
	struct scatterlist *sgl = kc->fabric_sgl ?: kc->sgl;
	unsigned int nents = kc->fabric_sgl ? kc->fabric_nents : kc->nents;
	u32 burst = conn->sess->params.max_burst, off = 0, in_burst = 0;
	struct kti_data_in d = { .itt = cmd->itt, .ttt = KTI_RSVD_TAG };
	u8 bhs[KTI_BHS_LEN];
	int ret;

	while (off < kc->xfer_len) {
		u32 len = min3(kc->xfer_len - off, conn->max_xmit_dsl,
			       burst - in_burst);
		bool last = off + len == kc->xfer_len;

		d.offset = off;
		d.dlength = len;
		d.final = last || in_burst + len == burst;
		d.status_valid = last && collapse;
		if (d.status_valid) {
			d.status = kc->scsi_status;
			d.statsn = kti_statsn(conn);
			d.overflow = kc->resid_over;
			d.underflow = kc->resid_under;
			d.residual = kc->resid;
		}
		kti_fill_sn(conn, &d.exp_cmdsn, &d.max_cmdsn);
		kti_encode_data_in(bhs, &d);
		ret = kti_send_sgl_pdu(conn, bhs, sgl, nents, off, len);
		if (ret)
			return ret;
		d.datasn++;
		off += len;
		in_burst = d.final ? 0 : in_burst + len;
	}
	cmd->datasn = d.datasn;
	return 0;
}

static int kti_tx_scsi_rsp(struct kti_conn *conn, struct kti_cmd *cmd)
{
	struct kt_cmd *kc = &cmd->kc;
	bool collapse = kc->scsi_status == KT_SAM_GOOD && !kc->sense_len;
	struct kti_scsi_rsp r = { .itt = cmd->itt };
	u8 bhs[KTI_BHS_LEN], seg[2 + KT_SENSE_MAX];
	int ret;

	if (kc->d.dir == KT_DIR_FROM_DEV && kc->xfer_len &&
	    kc->scsi_status == KT_SAM_GOOD) {
		ret = kti_tx_data_in(conn, cmd, collapse);
		if (ret || collapse)
			return ret;
	}
	r.status = kc->scsi_status;
	r.overflow = kc->resid_over;
	r.underflow = kc->resid_under;
	r.residual = kc->resid;
	r.exp_datasn = cmd->datasn;
	r.statsn = kti_statsn(conn);
	kti_fill_sn(conn, &r.exp_cmdsn, &r.max_cmdsn);
	if (kc->sense_len)
		r.dlength = kti_put_sense(seg, sizeof(seg), kc->sense,
					  kc->sense_len);
	kti_encode_scsi_rsp(bhs, &r);
	return kti_send_pdu(conn, bhs, seg, r.dlength);
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

static int kti_tx_simple(struct kti_conn *conn, struct kti_cmd *cmd,
			 enum kti_tx_type type)
{
	u8 bhs[KTI_BHS_LEN];
	const void *data = cmd->rsp_data;
	u32 dlen = cmd->rsp_len;

	switch (type) {
	case KTI_TX_NOPIN: {
		struct kti_nop_in n = { .itt = cmd->itt, .ttt = KTI_RSVD_TAG,
					.dlength = dlen };

		memcpy(n.lun, cmd->lun, sizeof(n.lun));
		n.statsn = kti_statsn(conn);
		kti_fill_sn(conn, &n.exp_cmdsn, &n.max_cmdsn);
		kti_encode_nop_in(bhs, &n);
		break;
	}
	case KTI_TX_TEXT_RSP: {
		/* F exactly when the TTT is 0xffffffff; rsp_code: the C bit */
		struct kti_text_rsp t = { .final = cmd->ttt == KTI_RSVD_TAG,
					  .cont = cmd->rsp_code,
					  .itt = cmd->itt, .ttt = cmd->ttt,
					  .dlength = dlen };

		if (!t.final)
			memcpy(t.lun, cmd->lun, sizeof(t.lun));
		t.statsn = kti_statsn(conn);
		kti_fill_sn(conn, &t.exp_cmdsn, &t.max_cmdsn);
		kti_encode_text_rsp(bhs, &t);
		break;
	}
	case KTI_TX_TMF_RSP: {
		struct kti_tmf_rsp t = { .itt = cmd->itt,
					 .response = cmd->rsp_code };

		t.statsn = kti_statsn(conn);
		kti_fill_sn(conn, &t.exp_cmdsn, &t.max_cmdsn);
		kti_encode_tmf_rsp(bhs, &t);
		dlen = 0;
		break;
	}
	case KTI_TX_LOGOUT_RSP: {
		struct kti_logout_rsp l = { .itt = cmd->itt,
					    .response = cmd->rsp_code,
					    .time2wait = 0,
					    .time2retain = 0 };

		l.statsn = kti_statsn(conn);
		kti_fill_sn(conn, &l.exp_cmdsn, &l.max_cmdsn);
		kti_encode_logout_rsp(bhs, &l);
		dlen = 0;
		break;
	}
	default: {	/* KTI_TX_REJECT: data is the rejected header */
		struct kti_reject r = { .reason = cmd->rsp_code };

		r.statsn = kti_statsn(conn);
		kti_fill_sn(conn, &r.exp_cmdsn, &r.max_cmdsn);
		kti_encode_reject(bhs, &r);
		data = cmd->bhs;
		dlen = KTI_BHS_LEN;
		break;
	}
	}
	return kti_send_pdu(conn, bhs, data, dlen);
}

/*
 * kti_tx_item - send one queued item (transmit thread), or, once the
 * connection is dead, just release what it holds.
 */
void kti_tx_item(struct kti_conn *conn, struct kti_tx *tx)
{
	struct kti_cmd *cmd = tx->cmd;
	bool live = conn->state != KTI_CONN_DEAD;
	int ret = 0;

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
	case KTI_TX_ASYNC:	/* conn->drop_tx, freed with the connection */
		if (live)
			ret = kti_tx_async_drop(conn);
		if (live && !ret)
			kernel_sock_shutdown(conn->sock, SHUT_RDWR);
		break;
	case KTI_TX_SCSI_RSP:
		if (live)
			ret = kti_tx_scsi_rsp(conn, cmd);
		kt_cmd_release(&cmd->kc);
		break;
	default:
		if (live)
			ret = kti_tx_simple(conn, cmd, tx->type);
		if (!ret && live && tx->type == KTI_TX_LOGOUT_RSP &&
		    cmd->rsp_code == KTI_LOGOUT_RSP_OK)
			kernel_sock_shutdown(conn->sock, SHUT_RDWR);
		kti_cmd_free(cmd);
		break;
	}
	if (ret && live) {
		pr_warn_ratelimited("send to %pISc failed: %d\n", &conn->peer,
				    ret);
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	}
}

/* ---------------- the core's fabric callbacks ---------------- */

void kti_queue_response(struct kt_cmd *kc)
{
	struct kti_cmd *cmd = kti_cmd(kc);

	cmd->tx.type = KTI_TX_SCSI_RSP;
	kti_tx_queue(cmd->conn, &cmd->tx);
}

int kti_write_pending(struct kt_cmd *kc)
{
	/* Data-Out is always in fabric_sgl before submission */
	return -EINVAL;
}

void kti_release_cmd(struct kt_cmd *kc)
{
	kti_cmd_free(kti_cmd(kc));
}
