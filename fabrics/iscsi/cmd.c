// SPDX-License-Identifier: GPL-2.0
/*
 * Full feature phase: what the receive thread does with each PDU and what
 * the transmit thread sends for each task.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/crc32c.h>
#include <linux/moduleparam.h>
#include <linux/scatterlist.h>
#include "conn.h"

/*
 * A write whose solicited or unsolicited Data-Out does not come for this
 * long ends its connection (RFC 7143 allows dropping it); its buffer is
 * freed with it (at ERL 2 after DefaultTime2Retain).  0: no limit.
 */
static unsigned int kti_dataout_timeout = 15;
module_param_named(dataout_timeout, kti_dataout_timeout, uint, 0644);
MODULE_PARM_DESC(dataout_timeout,
		 "seconds a write may wait for its Data-Out (default 15)");

/* ---------------- tasks ---------------- */

struct kti_cmd *kti_cmd_alloc(struct kti_conn *conn, const u8 *bhs,
			      const struct kti_bhs *h)
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
	cmd->hdr = *h;
	atomic_set(&cmd->gates, 1);
	cmd->tx.cmd = cmd;
	INIT_LIST_HEAD(&cmd->tx.entry);
	INIT_LIST_HEAD(&cmd->sn_entry);
	INIT_LIST_HEAD(&cmd->ack_entry);
	atomic_inc(&conn->nr_cmds);
	return cmd;
}

/* Take the R2Ts still queued for @cmd off the transmit queue. */
void kti_cmd_purge_r2ts(struct kti_cmd *cmd)
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

	/* prepared by the core and never run: back through kti_release_cmd */
	if (cmd->kc.sess && !cmd->kc_released) {
		kt_cmd_drop(&cmd->kc);
		return;
	}
	if (!conn) {		/* an orphan (ERL 2) */
		if (cmd->sgl)
			sgl_free(cmd->sgl);
		kfree(cmd->rsp_data);
		kmem_cache_free(kti_cmd_cache, cmd);
		return;
	}
	/* only seq_mutex holders free a task still waiting for its turn */
	if (!list_empty(&cmd->sn_entry)) {
		spin_lock(&conn->sess->sn_lock);
		list_del_init(&cmd->sn_entry);
		spin_unlock(&conn->sess->sn_lock);
	}
	if (cmd->r2t_sn)
		kti_cmd_purge_r2ts(cmd);

	if (cmd->sgl)
		sgl_free(cmd->sgl);
	kfree(cmd->rsp_data);
	if (!cmd->retained) {
		/* logout waits for 1 (itself), teardown for 0 */
		atomic_dec(&conn->nr_cmds);
		wake_up(&conn->cmds_wait);
	}
	kmem_cache_free(kti_cmd_cache, cmd);
}

/* Queue the response of a non-SCSI task. */
static void kti_cmd_respond(struct kti_cmd *cmd, enum kti_tx_type type)
{
	cmd->tx.type = type;
	kti_tx_queue(cmd->conn, &cmd->tx);
}

/*
 * Free a task that may still wait for Data-Out, from any thread: its
 * receive thread is not filling it once we hold its rx_mutex.
 */
static void kti_cmd_drop(struct kti_cmd *cmd)
{
	struct kti_conn *conn = cmd->conn;

	mutex_lock(&conn->rx_mutex);
	xa_cmpxchg(&conn->cmds, cmd->itt, cmd, NULL, 0);
	mutex_unlock(&conn->rx_mutex);
	kti_cmd_free(cmd);
}

/* ---------------- receiving data segments ---------------- */

/*
 * A data segment arrived with a wrong data digest: -EBADMSG when the
 * session recovers from it (ERL > 0: the PDU is dropped, the caller
 * answers), -EILSEQ when the connection must close.
 */
static int kti_digest_error(struct kti_conn *conn)
{
	bool erl = conn->sess && conn->sess->params.erl;

	pr_warn_ratelimited("data digest error from %pISc: %s\n", &conn->peer,
			    erl ? "PDU dropped" : "closing connection");
	return erl ? -EBADMSG : -EILSEQ;
}

/* Read the data segment (+ padding, + digest) of a PDU into @buf. */
static int kti_rx_data(struct kti_conn *conn, const struct kti_bhs *h,
		       void *buf, u32 size)
{
	u32 len = kti_pad4(h->dlength);
	__le32 crc;
	int ret;

	if (h->dlength > size)
		return -EMSGSIZE;
	if (!h->dlength)	/* no data segment, no data digest */
		return 0;
	ret = kti_recv_full(conn, buf, len);
	if (ret)
		return ret;
	if (!conn->data_digest)
		return 0;
	ret = kti_recv_full(conn, &crc, 4);
	if (ret)
		return ret;
	if (le32_to_cpu(crc) != ~crc32c(~0, buf, len))
		return kti_digest_error(conn);
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

/* Read and drop @len bytes of a data segment; returns the running CRC. */
static int kti_rx_drop(struct kti_conn *conn, u32 len, u32 *crc)
{
	int ret;

	while (len) {
		u32 n = min_t(u32, len, KTI_LOGIN_MAX_DATA);

		ret = kti_recv_full(conn, conn->rx_buf, n);
		if (ret)
			return ret;
		if (conn->data_digest)
			*crc = crc32c(*crc, conn->rx_buf, n);
		len -= n;
	}
	return 0;
}

/*
 * Receive a data segment at @off of @cmd's write straight into the
 * core's buffer; what lies beyond the bytes the core wants (unsolicited
 * data of a refused write, say) is read and dropped.
 */
static int kti_rx_data_sgl(struct kti_conn *conn, struct kti_cmd *cmd,
			   u32 off, u32 len)
{
	struct kt_cmd *kc = &cmd->kc;
	u32 keep = off < cmd->want ? min(len, cmd->want - off) : 0;
	u32 pad = kti_pad4(len) - len, crc = ~0;
	u8 trailer[8];
	int ret;

	if (!len)		/* no data segment, no data digest */
		return 0;
	if (keep) {
		ret = kti_recv_sgl(conn, kc->sgl, kc->nents, off, keep);
		if (ret)
			return ret;
		if (conn->data_digest)
			crc = kti_sgl_crc(kc->sgl, kc->nents, off, keep, crc);
	}
	ret = kti_rx_drop(conn, len - keep, &crc);
	if (ret)
		return ret;
	ret = kti_recv_full(conn, trailer, pad + (conn->data_digest ? 4 : 0));
	if (ret || !conn->data_digest)
		return ret;
	if (get_unaligned_le32(trailer + pad) != ~crc32c(crc, trailer, pad))
		return kti_digest_error(conn);
	return 0;
}

/* ---------------- Reject ---------------- */

int kti_reject(struct kti_conn *conn, const u8 *bhs, const struct kti_bhs *h,
	       u8 reason)
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

/* ---------------- CmdSN order ---------------- */

/*
 * kti_sess_max_cmdsn - MaxCmdSN for a PDU the target sends now.  The
 * window closes as SCSI tasks are taken on (immediate ones too) and opens
 * as they are answered: at most cmdsn_depth at a time per session.  What
 * was once offered stays offered: an initiator ignores a lower MaxCmdSN
 * (RFC 7143 4.2.2.1).
 */
u32 kti_sess_max_cmdsn(struct kti_sess *sess)
{
	int active = atomic_read(&sess->nr_active);
	u32 room, max;

	room = active < sess->cmdsn_depth ? sess->cmdsn_depth - active : 0;
	spin_lock(&sess->sn_lock);
	max = sess->exp_cmdsn + room - 1;
	if (!sess->max_offered || kti_sn_gt(max, sess->max_cmdsn)) {
		sess->max_cmdsn = max;
		sess->max_offered = true;
	}
	max = sess->max_cmdsn;
	spin_unlock(&sess->sn_lock);
	return max;
}

/*
 * kti_cmdsn_ok - is a request's CmdSN in the window [ExpCmdSN, MaxCmdSN]
 * the target has offered?  Immediate requests do not take a CmdSN.
 * Others outside the window are dropped silently (RFC 7143 4.2.2.1).
 */
static bool kti_cmdsn_ok(struct kti_sess *sess, const struct kti_bhs *h)
{
	bool ok;
	u32 exp;

	if (h->immediate)
		return true;
	spin_lock(&sess->sn_lock);
	exp = sess->exp_cmdsn;
	ok = sess->max_offered ?
	     kti_sn_in(h->cmdsn, exp, sess->max_cmdsn) :
	     kti_sn_in(h->cmdsn, exp, exp + sess->cmdsn_depth - 1);
	spin_unlock(&sess->sn_lock);
	if (!ok)
		pr_warn_ratelimited("CmdSN %u outside the window at %u: dropped\n",
				    h->cmdsn, exp);
	return ok;
}

/* A SCSI task is taken on (its turn came, or it is immediate). */
static void kti_task_active(struct kti_cmd *cmd)
{
	cmd->active = true;
	atomic_inc(&cmd->conn->sess->nr_active);
}

/* ... and answered or dropped (maybe orphaned): the window may open. */
static void kti_task_done(struct kti_cmd *cmd)
{
	struct kti_sess *sess = cmd->kc.sess->fabric_priv;

	if (!cmd->active)
		return;
	cmd->active = false;
	atomic_dec(&sess->nr_active);
}

static void kti_cmd_exec(struct kti_cmd *cmd);

/*
 * Queue @cmd, whose CmdSN is ahead of ExpCmdSN, in CmdSN order; false
 * when a task with that CmdSN is already waiting (a duplicate).
 */
static bool kti_cmd_enqueue(struct kti_sess *sess, struct kti_cmd *cmd)
{
	struct kti_cmd *pos;

	list_for_each_entry(pos, &sess->pending, sn_entry) {
		if (pos->cmdsn == cmd->cmdsn)
			return false;
		if (kti_sn_gt(pos->cmdsn, cmd->cmdsn)) {
			list_add_tail(&cmd->sn_entry, &pos->sn_entry);
			return true;
		}
	}
	list_add_tail(&cmd->sn_entry, &sess->pending);
	return true;
}

/* The queued task whose turn has come, if any; ExpCmdSN moves past it. */
static struct kti_cmd *kti_cmd_dequeue(struct kti_sess *sess)
{
	struct kti_cmd *cmd;

	spin_lock(&sess->sn_lock);
	cmd = list_first_entry_or_null(&sess->pending, struct kti_cmd,
				       sn_entry);
	if (cmd && cmd->cmdsn == sess->exp_cmdsn) {
		list_del_init(&cmd->sn_entry);
		WRITE_ONCE(sess->exp_cmdsn, cmd->cmdsn + 1);
	} else {
		cmd = NULL;
	}
	spin_unlock(&sess->sn_lock);
	return cmd;
}

/*
 * kti_cmd_sequence - carry out @cmd in CmdSN order, whichever connection
 * of the session it came on: now when its CmdSN is ExpCmdSN (then every
 * queued task that follows it), later when it is ahead.  A task whose
 * CmdSN has been taken meanwhile is a duplicate and is dropped.  The
 * caller no longer owns @cmd.
 */
static void kti_cmd_sequence(struct kti_cmd *cmd)
{
	struct kti_sess *sess = cmd->conn->sess;
	bool now = true, dup = false;

	mutex_lock(&sess->seq_mutex);
	cmd->sequenced = true;
	if (!cmd->immediate) {
		spin_lock(&sess->sn_lock);
		now = cmd->cmdsn == sess->exp_cmdsn;
		if (now)
			WRITE_ONCE(sess->exp_cmdsn, cmd->cmdsn + 1);
		else if (kti_sn_gt(cmd->cmdsn, sess->exp_cmdsn))
			dup = !kti_cmd_enqueue(sess, cmd);
		else
			dup = true;
		spin_unlock(&sess->sn_lock);
	}
	if (dup) {
		pr_warn_ratelimited("CmdSN %u already received: dropped\n",
				    cmd->cmdsn);
		kti_cmd_drop(cmd);
	} else if (now) {
		kti_cmd_exec(cmd);
		while ((cmd = kti_cmd_dequeue(sess)) != NULL)
			kti_cmd_exec(cmd);
	}
	mutex_unlock(&sess->seq_mutex);
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

/*
 * A SCSI command has arrived: the core looks at it now, before any of its
 * data is read, and sizes its buffer (a refused one moves no data).
 */
static void kti_cmd_prepare(struct kti_cmd *cmd, const struct kti_bhs *h)
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
	/* immediate tasks skip the window but count against its depth */
	if (cmd->immediate &&
	    atomic_read(&sess->nr_active) >= sess->cmdsn_depth)
		kt_cmd_refuse(&cmd->kc, KT_S_TASK_SET_FULL);
	else
		kt_cmd_prepare(&cmd->kc);
	cmd->want = kt_cmd_data_out_len(&cmd->kc);
}

/*
 * One of the two conditions of a SCSI command (its turn in CmdSN order,
 * all its Data-Out in) is met; the core runs it on the last.
 */
static void kti_cmd_open_gate(struct kti_cmd *cmd)
{
	if (atomic_dec_and_test(&cmd->gates))
		kt_cmd_submit(&cmd->kc);
}

/* Queue one R2T of @cmd for [@off, @off + @len) numbered @sn. */
int kti_queue_r2t(struct kti_cmd *cmd, u32 off, u32 len, u32 sn)
{
	struct kti_tx *tx = kmem_cache_zalloc(kti_tx_cache, GFP_KERNEL);

	if (!tx)
		return -ENOMEM;
	tx->type = KTI_TX_R2T;
	tx->cmd = cmd;		/* only to find it; not used to send */
	tx->itt = cmd->itt;
	tx->ttt = cmd->ttt;
	memcpy(tx->lun, cmd->lun, sizeof(tx->lun));
	tx->offset = off;
	tx->length = len;
	tx->r2tsn = sn;
	kti_tx_queue(cmd->conn, tx);
	return 0;
}

/* Queue R2Ts for the rest of a write, MaxOutstandingR2T at a time. */
int kti_cmd_r2ts(struct kti_cmd *cmd)
{
	struct kti_sess_params *p = &cmd->conn->sess->params;
	u32 len;
	int ret;

	while (cmd->r2t_next < cmd->xfer &&
	       cmd->r2t_open < p->max_outstanding_r2t) {
		len = min(cmd->xfer - cmd->r2t_next, p->max_burst);
		ret = kti_queue_r2t(cmd, cmd->r2t_next, len, cmd->r2t_sn);
		if (ret)
			return ret;
		cmd->r2t_sn++;
		cmd->r2t_next += len;
		cmd->r2t_open++;
	}
	return 0;
}

/*
 * kti_dataout_work - every second while writes wait for Data-Out on the
 * connection: one whose data has not moved for dataout_timeout seconds
 * ends the connection (its tasks go with it).
 */
void kti_dataout_work(struct work_struct *work)
{
	struct kti_conn *conn = container_of(to_delayed_work(work),
					     struct kti_conn, dataout_work);
	unsigned long limit = READ_ONCE(kti_dataout_timeout) * HZ;
	struct kti_cmd *cmd, *late = NULL;
	unsigned long idx;
	bool any = false;
	u32 itt = 0;

	/* a task is freed only after it left @cmds: xa_lock keeps it */
	xa_lock(&conn->cmds);
	xa_for_each(&conn->cmds, idx, cmd) {
		any = true;
		if (limit && time_after(jiffies, READ_ONCE(cmd->data_at) +
					limit)) {
			late = cmd;
			itt = cmd->itt;
			break;
		}
	}
	xa_unlock(&conn->cmds);
	if (late) {
		pr_warn_ratelimited("%pISc sent no Data-Out for ITT %#x in %u s: closing connection\n",
				    &conn->peer, itt, kti_dataout_timeout);
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
		return;
	}
	if (any && READ_ONCE(conn->state) == KTI_CONN_FFP)
		queue_delayed_work(kti_wq, &conn->dataout_work, HZ);
}

/* A write waits for Data-Out: watch it (receive thread or seq_mutex). */
void kti_dataout_arm(struct kti_conn *conn)
{
	queue_delayed_work(kti_wq, &conn->dataout_work, HZ);
}

/* A Target Transfer Tag for a new transfer (receive thread). */
u32 kti_new_ttt(struct kti_conn *conn)
{
	u32 ttt = atomic_inc_return(&conn->next_ttt);

	return ttt == KTI_RSVD_TAG ? atomic_inc_return(&conn->next_ttt) : ttt;
}

/*
 * Received SCSI Command's buffer state: submit when complete, otherwise
 * wait for Data-Out (and ask for it).
 */
static int kti_cmd_data_state(struct kti_cmd *cmd)
{
	if (cmd->data_done == cmd->xfer) {
		xa_erase(&cmd->conn->cmds, cmd->itt);
		if (cmd->want)
			kt_cmd_data_ready(&cmd->kc);
		kti_cmd_open_gate(cmd);
		return 0;
	}
	return kti_cmd_r2ts(cmd);
}

/* Check a write's header against the session's data transfer rules. */
static bool kti_write_ok(struct kti_sess *sess, const struct kti_bhs *h)
{
	const struct kti_sess_params *p = &sess->params;

	return h->dlength <= h->cmd.edtl && h->dlength <= p->first_burst &&
	       (!h->dlength || p->immediate_data) &&
	       h->cmd.edtl <= KTI_MAX_EDTL;
}

/*
 * A write: immediate data straight into the core's buffer, then (unless
 * all is in) it waits for unsolicited Data-Out and R2T-solicited
 * Data-Out.  Only what the core wants is solicited: a refused write gets
 * no R2T, its immediate and unsolicited data is read and dropped.
 */
static int kti_rx_write(struct kti_conn *conn, struct kti_cmd *cmd)
{
	struct kti_sess_params *p = &conn->sess->params;
	const struct kti_bhs *h = &cmd->hdr;
	u32 unsol;
	int ret;

	unsol = p->initial_r2t ? 0 : min(p->first_burst, cmd->edtl);
	cmd->xfer = min(cmd->edtl, max3(cmd->want, unsol, h->dlength));
	ret = kti_rx_data_sgl(conn, cmd, 0, h->dlength);
	if (ret)
		return ret;
	cmd->data_done = h->dlength;
	cmd->r2t_next = max(unsol, cmd->data_done);
	cmd->r2t_base_off = cmd->r2t_next;
	cmd->ttt = kti_new_ttt(conn);
	if (cmd->data_done == cmd->xfer) {
		if (cmd->want)
			kt_cmd_data_ready(&cmd->kc);
		return 0;
	}
	cmd->data_at = jiffies;
	ret = xa_insert(&conn->cmds, cmd->itt, cmd, GFP_KERNEL);
	if (ret)
		return -EEXIST;
	kti_dataout_arm(conn);
	atomic_set(&cmd->gates, 2);
	/* unsolicited data first, R2Ts once it is in */
	if (cmd->data_done >= unsol) {
		ret = kti_cmd_r2ts(cmd);
		if (ret) {
			xa_erase(&conn->cmds, cmd->itt);
			return ret;
		}
	}
	return 0;
}

static int kti_rx_scsi_cmd(struct kti_conn *conn, const u8 *bhs,
			   const struct kti_bhs *h)
{
	struct kti_sess *sess = conn->sess;
	struct kti_cmd *cmd;
	int ret;

	if (sess->discovery || conn->state != KTI_CONN_FFP ||
	    (!h->cmd.write && h->dlength) ||
	    (h->cmd.write && !kti_write_ok(sess, h))) {
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_PROTOCOL_ERROR);
	}
	if (!kti_cmdsn_ok(sess, h))
		return kti_rx_skip(conn, h);
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	cmd->edtl = h->cmd.edtl;
	kti_cmd_prepare(cmd, h);
	if (h->cmd.write) {
		ret = kti_rx_write(conn, cmd);
		if (ret) {
			/* not received: its CmdSN is not taken */
			kti_cmd_free(cmd);
			if (ret == -EEXIST)
				return kti_reject(conn, bhs, h,
						  KTI_REJECT_TASK_IN_PROGRESS);
			if (ret == -EBADMSG)
				return kti_reject(conn, bhs, h,
						  KTI_REJECT_DATA_DIGEST);
			return ret;
		}
	}
	kti_cmd_sequence(cmd);
	return 0;
}

/* Data-Out for a write of this connection (rx_mutex held). */
static int kti_rx_data_out_locked(struct kti_conn *conn, const u8 *bhs,
				  const struct kti_bhs *h)
{
	struct kti_cmd *cmd = xa_load(&conn->cmds, h->itt);
	u32 off = h->data.offset, len = h->dlength;
	bool solicited = h->data.ttt != KTI_RSVD_TAG;
	int ret;

	/* sent before our recovery R2Ts: not wanted any more */
	if (cmd && cmd->recovering && (!solicited || h->data.ttt != cmd->ttt))
		return kti_rx_skip(conn, h);
	if (!cmd || off != cmd->data_done || len > cmd->xfer - off ||
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
	if (ret == -EBADMSG)
		return kti_cmd_recover(conn, cmd);
	if (ret)
		return ret;
	WRITE_ONCE(cmd->data_at, jiffies);
	cmd->data_done += len;
	cmd->exp_datasn++;
	if (h->final) {
		cmd->exp_datasn = 0;
		if (solicited && cmd->r2t_open)
			cmd->r2t_open--;
	}
	if (cmd->data_done == cmd->xfer || h->final)
		return kti_cmd_data_state(cmd);
	return 0;
}

static int kti_rx_data_out(struct kti_conn *conn, const u8 *bhs,
			   const struct kti_bhs *h)
{
	int ret;

	mutex_lock(&conn->rx_mutex);
	ret = kti_rx_data_out_locked(conn, bhs, h);
	mutex_unlock(&conn->rx_mutex);
	return ret;
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
	if (ret == -EBADMSG)
		return kti_reject(conn, bhs, h, KTI_REJECT_DATA_DIGEST);
	if (ret)
		return ret;
	if (h->itt == KTI_RSVD_TAG) {	/* an answer to our ping */
		kti_conn_ping_answer(conn, h->nop.ttt);
		return 0;
	}
	if (!kti_cmdsn_ok(conn->sess, h))
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
	kti_cmd_sequence(cmd);
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
	if (ret == -EBADMSG)
		return kti_reject(conn, bhs, h, KTI_REJECT_DATA_DIGEST);
	if (ret)
		return ret;
	reason = kti_text_check(conn, h);
	if (reason)
		return kti_reject(conn, bhs, h, reason);
	if (!kti_cmdsn_ok(conn->sess, h))
		return 0;
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	ret = kti_text_answer(conn, h, conn->rx_buf, cmd);
	if (ret) {
		kti_cmd_free(cmd);
		return ret;
	}
	kti_cmd_sequence(cmd);
	return 0;
}

/*
 * kti_conn_abort_cmds - a connection goes: free its tasks that wait for
 * their turn (never delivered: the initiator retries them) and those
 * waiting for Data-Out, which at ERL 2 wait for TASK REASSIGN instead.
 * sess->seq_mutex held, the receive thread stopped.
 */
void kti_conn_abort_cmds(struct kti_conn *conn)
{
	struct kti_sess *sess = conn->sess;
	struct kti_cmd *cmd, *next;
	unsigned long idx;
	LIST_HEAD(gone);

	spin_lock(&sess->sn_lock);
	list_for_each_entry_safe(cmd, next, &sess->pending, sn_entry)
		if (cmd->conn == conn)
			list_move_tail(&cmd->sn_entry, &gone);
	spin_unlock(&sess->sn_lock);
	list_for_each_entry_safe(cmd, next, &gone, sn_entry) {
		list_del_init(&cmd->sn_entry);
		xa_cmpxchg(&conn->cmds, cmd->itt, cmd, NULL, 0);
		kti_cmd_free(cmd);
	}
	xa_for_each(&conn->cmds, idx, cmd) {
		xa_erase(&conn->cmds, idx);
		if (conn->recover) {
			cmd->wants_data = true;
			kti_cmd_purge_r2ts(cmd);
			kti_orphan(conn, cmd);
		} else {
			kti_cmd_free(cmd);
		}
	}
}

static bool kti_held_itt(const struct kti_cmd *cmd, u64 itt)
{
	return cmd->itt == itt;
}

static bool kti_held_lun(const struct kti_cmd *cmd, u64 lun)
{
	return kti_lun_to_index(cmd->lun) == lun;
}

static bool kti_held_conn(const struct kti_cmd *cmd, u64 conn)
{
	return (uintptr_t)cmd->conn == conn;
}

static bool kti_held_any(const struct kti_cmd *cmd, u64 unused)
{
	return true;
}

static bool kti_held_scsi(const struct kti_cmd *cmd, u64 unused)
{
	return cmd->opcode == KTI_OP_SCSI_CMD;
}

/*
 * kti_drop_held - drop the tasks of @sess that @match() @key and that
 * the core has not seen yet: writes still waiting for Data-Out are freed,
 * tasks waiting for their turn in CmdSN order are marked to be dropped
 * when it comes (their CmdSN still counts).  sess->seq_mutex held.
 * Returns how many there were.
 */
static int kti_drop_held(struct kti_sess *sess,
			 bool (*match)(const struct kti_cmd *cmd, u64 key),
			 u64 key)
{
	struct kti_cmd *cmd;
	struct kti_conn *c;
	unsigned long idx;
	int n = 0;

	list_for_each_entry(c, &sess->conns, sess_entry) {
		mutex_lock(&c->rx_mutex);
		xa_for_each(&c->cmds, idx, cmd) {
			if (!cmd->sequenced || !match(cmd, key))
				continue;
			xa_erase(&c->cmds, idx);
			n++;
			if (list_empty(&cmd->sn_entry))
				kti_cmd_free(cmd);
			else
				cmd->aborted = true;
		}
		mutex_unlock(&c->rx_mutex);
	}
	spin_lock(&sess->sn_lock);
	list_for_each_entry(cmd, &sess->pending, sn_entry) {
		if (!cmd->aborted && match(cmd, key)) {
			cmd->aborted = true;
			n++;
		}
	}
	spin_unlock(&sess->sn_lock);
	return n;
}

/* Drop every task of @sess the core has not seen (seq_mutex held). */
void kti_sess_drop_held(struct kti_sess *sess)
{
	kti_drop_held(sess, kti_held_any, 0);
}

/* Does a logout of @cmd end its own connection? */
bool kti_logout_closes(const struct kti_cmd *cmd)
{
	const struct kti_bhs *h = &cmd->hdr;

	return h->logout.reason == KTI_LOGOUT_CLOSE_SESSION ||
	       h->logout.cid == cmd->conn->cid;
}

/*
 * Shut down the connection @cid of @sess, or all others than @keep;
 * @clean: logged out (nothing to recover), not failed.
 */
static bool kti_sess_shutdown(struct kti_sess *sess, struct kti_conn *keep,
			      int cid, bool clean)
{
	struct kti_conn *c;
	bool found = false;

	spin_lock(&sess->conn_lock);
	list_for_each_entry(c, &sess->conns, sess_entry) {
		if (c == keep || (cid >= 0 && c->cid != cid))
			continue;
		found = true;
		if (clean)
			WRITE_ONCE(c->logged_out, true);
		/* conn_lock is a spinlock: the shutdown (which sleeps) is queued */
		kti_conn_shutdown_async(c);
	}
	spin_unlock(&sess->conn_lock);
	return found;
}

/*
 * A Logout for another connection of the session, or to remove one for
 * recovery (ERL 2): it is shut down; its tasks are aborted, or kept for
 * TASK REASSIGN.
 */
static u8 kti_logout_other(struct kti_cmd *cmd)
{
	struct kti_conn *conn = cmd->conn;
	const struct kti_bhs *h = &cmd->hdr;
	bool recovery = h->logout.reason == KTI_LOGOUT_REMOVE_FOR_RECOVERY;

	if (recovery && conn->sess->params.erl < 2)
		return KTI_LOGOUT_RSP_NO_RECOVERY;
	if (kti_logout_closes(cmd))	/* its own connection, for recovery */
		return KTI_LOGOUT_RSP_OK;
	if (kti_sess_shutdown(conn->sess, conn, h->logout.cid, !recovery) ||
	    (recovery && kti_sess_has_orphans(conn->sess, h->logout.cid)))
		return KTI_LOGOUT_RSP_OK;
	return KTI_LOGOUT_RSP_NO_CID;
}

/* Does this Logout end the session (no connection or recovery left)? */
static bool kti_logout_ends_session(struct kti_cmd *cmd)
{
	struct kti_sess *sess = cmd->conn->sess;

	if (cmd->hdr.logout.reason == KTI_LOGOUT_CLOSE_SESSION)
		return true;
	return READ_ONCE(sess->nr_conns) == 1 && sess->params.erl < 2;
}

/*
 * Logout (its turn has come, seq_mutex held).  Closing this connection
 * or the session: no new tasks; the answer goes once this connection's
 * tasks are done, then the connection is closed (other connections of
 * the session too).  Otherwise see kti_logout_other().
 */
static void kti_logout_exec(struct kti_cmd *cmd)
{
	struct kti_conn *conn = cmd->conn;
	const struct kti_bhs *h = &cmd->hdr;

	if (h->logout.reason == KTI_LOGOUT_REMOVE_FOR_RECOVERY ||
	    !kti_logout_closes(cmd)) {
		cmd->rsp_code = kti_logout_other(cmd);
		kti_cmd_respond(cmd, KTI_TX_LOGOUT_RSP);
		return;
	}
	cmd->rsp_code = KTI_LOGOUT_RSP_OK;
	if (h->logout.reason == KTI_LOGOUT_CLOSE_SESSION) {
		kti_sess_stop_recovery(conn->sess);
		kti_sess_shutdown(conn->sess, conn, -1, true);
	}
	conn->state = KTI_CONN_LOGOUT;
	kti_drop_held(conn->sess, kti_held_conn, (uintptr_t)conn);
	/* the session ends: its tasks waiting for their turn go too */
	if (conn->sess->ks && kti_logout_ends_session(cmd))
		kt_session_abort_blocked(conn->sess->ks);
	if (wait_event_interruptible_timeout(conn->cmds_wait,
					     atomic_read(&conn->nr_cmds) == 1,
					     30 * HZ) <= 0)
		pr_warn("logout of %pISc: tasks still running after 30 s\n",
			&conn->peer);
	kti_cmd_respond(cmd, KTI_TX_LOGOUT_RSP);
}

/*
 * A request whose data segment is of no use (Logout, TMF): its task is
 * carried out in CmdSN order.
 */
static int kti_rx_task(struct kti_conn *conn, const u8 *bhs,
		       const struct kti_bhs *h)
{
	struct kti_cmd *cmd;
	int ret;

	ret = kti_rx_skip(conn, h);
	if (ret)
		return ret;
	if (!kti_cmdsn_ok(conn->sess, h))
		return 0;
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	kti_cmd_sequence(cmd);
	return 0;
}

/*
 * ABORT TASK for a task that has not come yet (RFC 7143 11.5.1): with
 * several connections it may arrive after its abort.  When RefCmdSN lies
 * in the window, from ExpCmdSN on, and before the TMF's own CmdSN, that
 * CmdSN counts as received: a placeholder waits for its turn and is
 * dropped then, and the task, when it comes, is a duplicate and dropped
 * too.  sess->seq_mutex held.
 */
static bool kti_abort_unseen(struct kti_cmd *tmf)
{
	struct kti_sess *sess = tmf->conn->sess;
	const struct kti_bhs *h = &tmf->hdr;
	u32 ref = h->tmf.ref_cmdsn, exp;
	struct kti_cmd *ph;
	bool queued = false;

	if (!kti_sn_lt(ref, h->cmdsn))
		return false;
	ph = kti_cmd_alloc(tmf->conn, tmf->bhs, h);
	if (!ph)
		return false;
	ph->immediate = false;
	ph->cmdsn = ref;
	ph->itt = h->tmf.ref_itt;
	ph->sequenced = true;
	ph->aborted = true;
	spin_lock(&sess->sn_lock);
	exp = sess->exp_cmdsn;
	if (kti_sn_in(ref, exp, exp + sess->cmdsn_depth - 1))
		queued = kti_cmd_enqueue(sess, ph);
	spin_unlock(&sess->sn_lock);
	if (!queued)
		kti_cmd_free(ph);
	return queued;
}

/* The core's service response as an iSCSI TMF response (RFC 7144 4.1). */
static u8 kti_tmf_rsp(enum kt_tmf_rsp rsp)
{
	switch (rsp) {
	case KT_TMF_COMPLETE:
		return KTI_TMF_RSP_COMPLETE;
	case KT_TMF_SUCCEEDED:
		return KTI_TMF_RSP_SUCCEEDED;
	case KT_TMF_NO_LUN:
		return KTI_TMF_RSP_NO_LUN;
	default:
		return KTI_TMF_RSP_REJECTED;
	}
}

/*
 * Hand @fn to the core for this session; the additional response
 * information (QUERY ASYNC EVENT) goes into the response.
 */
static enum kt_tmf_rsp kti_tmf_core(struct kti_cmd *tmf, enum kt_tmf fn,
				    unsigned int *found)
{
	const struct kti_bhs *h = &tmf->hdr;
	struct kt_tmf_req req = {
		.fn = fn,
		.lun = kti_lun_to_index(h->lun),
		.tag = h->tmf.ref_itt,
	};
	enum kt_tmf_rsp rsp = kt_tmr_execute(tmf->conn->sess->ks, &req);

	if (found)
		*found = req.found;
	memcpy(tmf->rsp_ari, req.ari, sizeof(tmf->rsp_ari));
	return rsp;
}

/*
 * ABORT TASK: a task we still hold (waiting for Data-Out or its turn) is
 * dropped here, one in the core is aborted there (a running one is waited
 * for and never answered); one that has not come yet is handled with its
 * RefCmdSN.  Otherwise there is no such task (any more).
 */
static u8 kti_tmf_abort_task(struct kti_cmd *tmf)
{
	struct kti_sess *sess = tmf->conn->sess;
	const struct kti_bhs *h = &tmf->hdr;
	unsigned int found = 0;
	int held;

	held = kti_drop_held(sess, kti_held_itt, h->tmf.ref_itt);
	if (kti_tmf_core(tmf, KT_TMF_ABORT_TASK, &found) == KT_TMF_REJECTED)
		return KTI_TMF_RSP_REJECTED;
	if (held || found || kti_abort_unseen(tmf))
		return KTI_TMF_RSP_COMPLETE;
	return KTI_TMF_RSP_NO_TASK;
}

/*
 * The iSCSI functions the core carries out as they are (RFC 7143 11.5.1,
 * RFC 7144 4.1); 0: not one of them.
 */
static const enum kt_tmf kti_tmf_core_fn[] = {
	[KTI_TMF_ABORT_TASK_SET]	= KT_TMF_ABORT_TASK_SET,
	[KTI_TMF_CLEAR_TASK_SET]	= KT_TMF_CLEAR_TASK_SET,
	[KTI_TMF_LUN_RESET]		= KT_TMF_LUN_RESET,
	[KTI_TMF_IT_NEXUS_RESET]	= KT_TMF_IT_NEXUS_RESET,
	[KTI_TMF_QUERY_TASK]		= KT_TMF_QUERY_TASK,
	[KTI_TMF_QUERY_TASK_SET]	= KT_TMF_QUERY_TASK_SET,
	[KTI_TMF_QUERY_ASYNC_EVENT]	= KT_TMF_QUERY_ASYNC_EVENT,
	[KTI_TMF_CLEAR_ACA]		= KT_TMF_CLEAR_ACA,
};

/*
 * A function on a LUN or the whole nexus: the tasks we hold for this
 * session are dropped here (other sessions' are aborted in the core and
 * answered as the core says once they get there), the core does the rest.
 * The queries change nothing.
 */
static u8 kti_tmf_set(struct kti_cmd *tmf, enum kt_tmf fn)
{
	const struct kti_bhs *h = &tmf->hdr;

	if (fn == KT_TMF_IT_NEXUS_RESET)
		kti_drop_held(tmf->conn->sess, kti_held_scsi, 0);
	else if (fn != KT_TMF_QUERY_TASK && fn != KT_TMF_QUERY_TASK_SET &&
		 fn != KT_TMF_QUERY_ASYNC_EVENT && fn != KT_TMF_CLEAR_ACA)
		kti_drop_held(tmf->conn->sess, kti_held_lun,
			      kti_lun_to_index(h->lun));
	return kti_tmf_rsp(kti_tmf_core(tmf, fn, NULL));
}

/* A task management function (its turn has come, seq_mutex held). */
static void kti_tmf_exec(struct kti_cmd *cmd)
{
	struct kti_conn *conn = cmd->conn;
	const struct kti_bhs *h = &cmd->hdr;
	u8 fn = h->tmf.function;
	struct kti_cmd *task = NULL;
	bool cold;

	switch (fn) {
	case KTI_TMF_ABORT_TASK:
		cmd->rsp_code = kti_tmf_abort_task(cmd);
		break;
	case KTI_TMF_TARGET_WARM_RESET:
	case KTI_TMF_TARGET_COLD_RESET:
		cmd->rsp_code = kti_tmf_target_reset(conn, fn ==
						     KTI_TMF_TARGET_COLD_RESET);
		break;
	case KTI_TMF_TASK_REASSIGN:
		cmd->rsp_code = kti_tmf_reassign(cmd, &task);
		break;
	default:
		if (fn < ARRAY_SIZE(kti_tmf_core_fn) && kti_tmf_core_fn[fn])
			cmd->rsp_code = kti_tmf_set(cmd, kti_tmf_core_fn[fn]);
		else
			cmd->rsp_code = KTI_TMF_RSP_NOT_SUPPORTED;
		break;
	}
	/* @cmd may be gone once its answer is queued */
	cold = fn == KTI_TMF_TARGET_COLD_RESET &&
	       cmd->rsp_code == KTI_TMF_RSP_COMPLETE;
	kti_cmd_respond(cmd, KTI_TX_TMF_RSP);
	if (task)	/* after the TMF response */
		kti_reassign_start(conn, task);
	if (cold)	/* queued after the answer, so it goes out first */
		kti_target_drop(conn->sess->tpg->tiqn);
}

static int kti_rx_tmf(struct kti_conn *conn, const u8 *bhs,
		      const struct kti_bhs *h)
{
	int ret;

	if (!conn->sess->discovery)
		return kti_rx_task(conn, bhs, h);
	ret = kti_rx_skip(conn, h);
	return ret ?: kti_reject(conn, bhs, h, KTI_REJECT_PROTOCOL_ERROR);
}

/*
 * kti_cmd_exec - carry out a task whose turn in CmdSN order has come
 * (sess->seq_mutex held).
 */
static void kti_cmd_exec(struct kti_cmd *cmd)
{
	if (cmd->aborted) {
		kti_cmd_drop(cmd);
		return;
	}
	switch (cmd->opcode) {
	case KTI_OP_SCSI_CMD:
		kti_task_active(cmd);
		/* its place in the LU's task set is its CmdSN's */
		kt_cmd_enter(&cmd->kc);
		kti_cmd_open_gate(cmd);
		break;
	case KTI_OP_TMF_REQ:
		kti_tmf_exec(cmd);
		break;
	case KTI_OP_LOGOUT_REQ:
		kti_logout_exec(cmd);
		break;
	case KTI_OP_TEXT_REQ:
		kti_cmd_respond(cmd, KTI_TX_TEXT_RSP);
		break;
	default:
		kti_cmd_respond(cmd, KTI_TX_NOPIN);
		break;
	}
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

	/* answers up to ExpStatSN - 1 are acknowledged */
	if (kti_sn_gt(h->exp_statsn, conn->exp_statsn) &&
	    kti_sn_lte(h->exp_statsn, READ_ONCE(conn->stat_sn)))
		WRITE_ONCE(conn->exp_statsn, h->exp_statsn);
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
		return kti_rx_task(conn, bhs, h);
	case KTI_OP_TMF_REQ:
		return kti_rx_tmf(conn, bhs, h);
	case KTI_OP_SNACK:
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_rx_snack(conn, bhs, h);
	case KTI_OP_LOGIN_REQ:
		return -EPROTO;
	default:
		ret = kti_rx_skip(conn, h);
		return ret ?: kti_reject(conn, bhs, h,
					 KTI_REJECT_CMD_NOT_SUPPORTED);
	}
}

/* ---------------- the core's fabric callbacks ---------------- */

void kti_queue_response(struct kt_cmd *kc)
{
	struct kti_cmd *cmd = kti_cmd(kc);

	kti_task_done(cmd);
	/* ERL > 0: a read's Data-In stays with us for SNACK after release */
	if (cmd->conn->sess->params.erl && kc->d.dir == KT_DIR_FROM_DEV &&
	    kc->sgl_owned) {
		kt_cmd_keep_data(kc);
		cmd->sgl = kc->fabric_sgl;
		cmd->nents = kc->fabric_nents;
	}

	cmd->tx.type = KTI_TX_SCSI_RSP;
	kti_tx_queue(cmd->conn, &cmd->tx);
}

int kti_write_pending(struct kt_cmd *kc)
{
	/*
	 * Never called: the receive thread takes Data-Out into the core's
	 * buffer right after kt_cmd_prepare() and submits once it is in.
	 */
	WARN_ON_ONCE(1);
	return -EINVAL;
}

void kti_release_cmd(struct kt_cmd *kc)
{
	struct kti_cmd *cmd = kti_cmd(kc);

	cmd->kc_released = true;
	kti_task_done(cmd);	/* dropped without an answer */
	if (cmd->retained)	/* answered at ERL > 0: kept for SNACK */
		kti_retain(cmd->conn, cmd);
	else
		kti_cmd_free(cmd);
}
