// SPDX-License-Identifier: GPL-2.0
/*
 * Error recovery within a connection (ErrorRecoveryLevel 1, RFC 7143
 * section 7): answered tasks are kept until the initiator acknowledges
 * them, SNACK asks for Data-In, R2Ts and responses again (R-Data SNACK
 * for all of a read's data, cut anew), and Data-Out lost to a data digest
 * error is asked for again with recovery R2Ts.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <net/inet_sock.h>
#include <net/tcp_states.h>
#include "conn.h"

/* more unacknowledged answers than this: the oldest are let go */
#define KTI_MAX_RETAINED	512

/*
 * Is @cmd a SCSI task with a core command (not the answer of another
 * request, nor the Reject of a SCSI Command PDU, which has its opcode)?
 */
static bool kti_is_scsi_task(const struct kti_cmd *cmd)
{
	return cmd->opcode == KTI_OP_SCSI_CMD && cmd->kc.sess;
}

/* Free a retained task. */
static void kti_unretain(struct kti_conn *conn, struct kti_cmd *cmd)
{
	list_del_init(&cmd->ack_entry);
	conn->nr_retained--;
	kti_cmd_free(cmd);
}

/*
 * kti_retain - keep an answered task for SNACK (transmit thread).  It
 * no longer counts as running; a write's data is not needed any more.
 */
void kti_retain(struct kti_conn *conn, struct kti_cmd *cmd)
{
	struct kti_cmd *old;

	if (cmd->kc.d.dir == KT_DIR_TO_DEV && cmd->sgl) {
		sgl_free(cmd->sgl);
		cmd->sgl = NULL;
		cmd->kc.fabric_sgl = NULL;
	}
	cmd->retained = true;
	list_add_tail(&cmd->ack_entry, &conn->retained);
	conn->nr_retained++;
	atomic_dec(&conn->nr_cmds);
	wake_up(&conn->cmds_wait);
	if (conn->nr_retained > KTI_MAX_RETAINED) {
		old = list_first_entry(&conn->retained, struct kti_cmd,
				       ack_entry);
		pr_warn_ratelimited("%pISc does not acknowledge StatSN %u: not kept for SNACK any more\n",
				    &conn->peer, old->statsn);
		kti_unretain(conn, old);
	}
}

/* Free the retained tasks the initiator acknowledged (ExpStatSN). */
void kti_release_acked(struct kti_conn *conn)
{
	u32 exp = READ_ONCE(conn->exp_statsn);
	struct kti_cmd *cmd, *next;

	list_for_each_entry_safe(cmd, next, &conn->retained, ack_entry) {
		if (!kti_sn_lt(cmd->statsn, exp))
			break;
		kti_unretain(conn, cmd);
	}
}

/* Every retained task goes (the connection ends; tx thread stopped). */
void kti_release_retained(struct kti_conn *conn)
{
	struct kti_cmd *cmd, *next;

	list_for_each_entry_safe(cmd, next, &conn->retained, ack_entry)
		kti_unretain(conn, cmd);
}

/*
 * The retained task a Data or R-Data SNACK for @itt means.  An ITT names
 * one task only while it exists (RFC 7143 11.2.1.8): once its answer is
 * in, the initiator may use the ITT again, and a SNACK (which carries no
 * CmdSN) then means the newest task.  Acknowledged answers went before
 * this item (kti_tx_item()), but an initiator that acknowledges late
 * (a stale ExpStatSN) leaves an older answer with the same ITT behind,
 * earlier in StatSN order: search from the newest.
 */
static struct kti_cmd *kti_find_retained(struct kti_conn *conn, u32 itt)
{
	struct kti_cmd *cmd;

	list_for_each_entry_reverse(cmd, &conn->retained, ack_entry)
		if (cmd->itt == itt)
			return cmd;
	return NULL;
}

/* Last number of a run of @runlength from @begrun (0: to the end). */
static u32 kti_run_end(u32 begrun, u32 runlength)
{
	return runlength ? begrun + runlength - 1 : U32_MAX;
}

/* Status SNACK: the answers numbered BegRun.. again. */
static int kti_status_snack(struct kti_conn *conn, const struct kti_bhs *h)
{
	u32 end = kti_run_end(h->snack.begrun, h->snack.runlength);
	struct kti_cmd *cmd;
	bool found = false;
	int ret;

	if (kti_sn_gte(h->snack.begrun, conn->stat_sn))
		return -EINVAL;		/* not sent yet */
	list_for_each_entry(cmd, &conn->retained, ack_entry) {
		if (kti_sn_lt(cmd->statsn, h->snack.begrun) ||
		    (end != U32_MAX && kti_sn_gt(cmd->statsn, end)))
			continue;
		found = true;
		if (kti_is_scsi_task(cmd))
			ret = kti_tx_resend_status(conn, cmd);
		else
			ret = kti_tx_simple(conn, cmd, cmd->tx.type, true);
		if (ret)
			return ret;
	}
	return found ? 0 : -EINVAL;
}

/* Data SNACK of a read: its Data-In PDUs BegRun.. again, as they were. */
static int kti_data_snack(struct kti_conn *conn, const struct kti_bhs *h)
{
	struct kti_cmd *cmd = kti_find_retained(conn, h->itt);

	if (!cmd || !kti_is_scsi_task(cmd) ||
	    h->snack.begrun >= cmd->datasn)
		return -EINVAL;
	return kti_tx_data_in(conn, cmd, h->snack.begrun,
			      kti_run_end(h->snack.begrun,
					  h->snack.runlength));
}

/*
 * R-Data SNACK: all of the read's data again, cut at today's
 * MaxRecvDataSegmentLength, then a SCSI Response carrying the SNACK Tag
 * (a new answer with a new StatSN).
 */
static int kti_rdata_snack(struct kti_conn *conn, const struct kti_bhs *h)
{
	struct kti_cmd *cmd = kti_find_retained(conn, h->itt);

	if (!cmd || !kti_is_scsi_task(cmd) || h->snack.begrun ||
	    h->snack.runlength || !h->snack.tag)
		return -EINVAL;
	cmd->snack_tag = h->snack.tag;
	/* still acknowledged by the new StatSN: keep it last in order */
	list_move_tail(&cmd->ack_entry, &conn->retained);
	return kti_tx_scsi_rsp(conn, cmd, false);
}

/*
 * kti_tx_snack - carry out a SNACK for Data-In or answers (transmit
 * thread, where the retained tasks live).  One that asks for what was
 * never sent or was acknowledged already gets a Reject.
 */
int kti_tx_snack(struct kti_conn *conn, struct kti_cmd *snack)
{
	const struct kti_bhs *h = &snack->hdr;
	int ret;

	switch (h->snack.type) {
	case KTI_SNACK_STATUS:
		ret = kti_status_snack(conn, h);
		break;
	case KTI_SNACK_DATA_R2T:
		ret = kti_data_snack(conn, h);
		break;
	case KTI_SNACK_RDATA:
		ret = kti_rdata_snack(conn, h);
		break;
	default:
		/* DataACK: we never ask for one (no A bit); nothing to free */
		return 0;
	}
	if (ret != -EINVAL)
		return ret;
	pr_warn_ratelimited("SNACK type %u for ITT %#x, run %u+%u from %pISc: nothing to resend\n",
			    h->snack.type, h->itt, h->snack.begrun,
			    h->snack.runlength, &conn->peer);
	snack->rsp_code = KTI_REJECT_PROTOCOL_ERROR;
	return kti_tx_simple(conn, snack, KTI_TX_REJECT, false);
}

/*
 * R2T SNACK of a write still waiting for data (receive thread, rx_mutex
 * held): the R2Ts BegRun.. of the current run again, as they were.
 */
static int kti_r2t_snack(struct kti_conn *conn, struct kti_cmd *cmd,
			 const struct kti_bhs *h)
{
	u32 burst = conn->sess->params.max_burst;
	u32 end = kti_run_end(h->snack.begrun, h->snack.runlength);
	u32 sn;
	int ret;

	if (kti_sn_lt(h->snack.begrun, cmd->r2t_base_sn) ||
	    kti_sn_gte(h->snack.begrun, cmd->r2t_sn))
		return -EINVAL;
	for (sn = h->snack.begrun; sn != cmd->r2t_sn; sn++) {
		u32 off = cmd->r2t_base_off + (sn - cmd->r2t_base_sn) * burst;
		u32 len = min(burst, cmd->xfer - off);

		/* an R2T whose data is all in is not asked for again */
		ret = off + len > cmd->data_done ?
		      kti_queue_r2t(cmd, off, len, sn) : 0;
		if (ret || sn == end)
			return ret;
	}
	return 0;
}

/*
 * kti_rx_snack - a SNACK (receive thread).  R2T SNACKs are answered
 * here, where writes waiting for data live; the rest goes to the
 * transmit thread.
 */
int kti_rx_snack(struct kti_conn *conn, const u8 *bhs,
		 const struct kti_bhs *h)
{
	struct kti_cmd *cmd;
	int ret;

	if (!conn->sess->params.erl || conn->sess->discovery)
		return kti_reject(conn, bhs, h, KTI_REJECT_PROTOCOL_ERROR);
	if (h->snack.type == KTI_SNACK_DATA_R2T) {
		mutex_lock(&conn->rx_mutex);
		cmd = xa_load(&conn->cmds, h->itt);
		ret = cmd ? kti_r2t_snack(conn, cmd, h) : 0;
		mutex_unlock(&conn->rx_mutex);
		if (cmd)
			return ret != -EINVAL ? ret :
			       kti_reject(conn, bhs, h,
					  KTI_REJECT_PROTOCOL_ERROR);
	}
	cmd = kti_cmd_alloc(conn, bhs, h);
	if (!cmd)
		return -ENOMEM;
	cmd->tx.type = KTI_TX_SNACK;
	kti_tx_queue(conn, &cmd->tx);
	return 0;
}

/*
 * kti_cmd_recover - a Data-Out of @cmd was lost (data digest error): ask
 * again for everything from the first byte missing, with recovery R2Ts
 * under a new Target Transfer Tag; what is still in flight under the old
 * one is dropped when it comes (receive thread, rx_mutex held).
 */
int kti_cmd_recover(struct kti_conn *conn, struct kti_cmd *cmd)
{
	kti_cmd_purge_r2ts(cmd);
	cmd->r2t_next = cmd->data_done;
	cmd->r2t_open = 0;
	cmd->exp_datasn = 0;
	cmd->ttt = kti_new_ttt(conn);
	cmd->r2t_base_sn = cmd->r2t_sn;
	cmd->r2t_base_off = cmd->data_done;
	cmd->recovering = true;
	pr_info_ratelimited("recovery R2T to %pISc for ITT %#x from offset %u\n",
			    &conn->peer, cmd->itt, cmd->data_done);
	return kti_cmd_r2ts(cmd);
}

/* ---------------- ERL 2: connection recovery ---------------- */

/*
 * kti_orphan - @cmd's connection failed at ERL 2: the task waits in its
 * session for a TASK REASSIGN (connection teardown, no thread of the
 * connection runs).  SCSI tasks only: the session's orphans are what
 * TASK REASSIGN takes over and answers with a SCSI Response.
 */
void kti_orphan(struct kti_conn *conn, struct kti_cmd *cmd)
{
	struct kti_sess *sess = conn->sess;

	WARN_ON_ONCE(!kti_is_scsi_task(cmd));
	if (!cmd->retained)
		atomic_dec(&conn->nr_cmds);
	cmd->retained = false;
	cmd->conn = NULL;
	cmd->old_cid = conn->cid;
	cmd->orphaned_at = jiffies;
	spin_lock(&sess->orphan_lock);
	list_add_tail(&cmd->ack_entry, &sess->orphans);
	if (!sess->retaining) {
		/* the work holds a reference while queued */
		sess->retaining = true;
		kref_get(&sess->kref);
		queue_delayed_work(kti_wq, &sess->retain_work,
				   sess->params.t2r * HZ);
	}
	spin_unlock(&sess->orphan_lock);
	wake_up(&sess->wait);		/* TASK REASSIGN may be waiting */
}

/*
 * kti_conn_orphan_retained - the end of a connection at ERL 2: its
 * answered SCSI tasks (sent or not) wait for reassignment too.  The
 * answers of other requests (NOP-Out, Text, TMF, Rejects, even of a SCSI
 * Command PDU) are kept only for a Status SNACK on their own connection:
 * they go now.  Only a SCSI task
 * has a core command for TASK REASSIGN to answer again and release.
 */
void kti_conn_orphan_retained(struct kti_conn *conn)
{
	struct kti_cmd *cmd, *next;

	list_for_each_entry_safe(cmd, next, &conn->retained, ack_entry) {
		if (!kti_is_scsi_task(cmd)) {
			kti_unretain(conn, cmd);
			continue;
		}
		list_del_init(&cmd->ack_entry);
		conn->nr_retained--;
		kti_orphan(conn, cmd);
	}
}

/*
 * Let orphans go once DefaultTime2Retain has passed (or recovery ends);
 * the work runs again when the oldest one left is due (orphans are in
 * the order they came).
 */
void kti_retain_work(struct work_struct *work)
{
	struct kti_sess *sess = container_of(to_delayed_work(work),
					     struct kti_sess, retain_work);
	unsigned long keep = sess->params.t2r * HZ;
	struct kti_cmd *cmd, *next;
	LIST_HEAD(gone);
	bool more;
	int n = 0;

	spin_lock(&sess->orphan_lock);
	list_for_each_entry_safe(cmd, next, &sess->orphans, ack_entry)
		if (sess->ending ||
		    time_after_eq(jiffies, cmd->orphaned_at + keep))
			list_move_tail(&cmd->ack_entry, &gone);
	more = !list_empty(&sess->orphans);
	sess->retaining = more;
	if (more) {
		cmd = list_first_entry(&sess->orphans, struct kti_cmd,
				       ack_entry);
		queue_delayed_work(kti_wq, &sess->retain_work,
				   max(1L, (long)(cmd->orphaned_at + keep -
						  jiffies)));
	}
	spin_unlock(&sess->orphan_lock);
	list_for_each_entry_safe(cmd, next, &gone, ack_entry) {
		list_del_init(&cmd->ack_entry);
		kti_cmd_free(cmd);
		n++;
	}
	if (n)
		pr_info("%s: %d task(s) of a failed connection not reassigned within %u s: aborted\n",
			sess->initiator, n, sess->params.t2r);
	if (!more)
		kti_sess_put(sess);
}

/* The session ends: orphans go now (no reassignment any more). */
void kti_sess_stop_recovery(struct kti_sess *sess)
{
	spin_lock(&sess->orphan_lock);
	WRITE_ONCE(sess->ending, true);
	if (sess->retaining)
		mod_delayed_work(kti_wq, &sess->retain_work, 0);
	spin_unlock(&sess->orphan_lock);
}

/* Has @sess tasks waiting for reassignment (from connection @cid; -1: any)? */
bool kti_sess_has_orphans(struct kti_sess *sess, int cid)
{
	struct kti_cmd *cmd;
	bool ret = false;

	spin_lock(&sess->orphan_lock);
	list_for_each_entry(cmd, &sess->orphans, ack_entry)
		if (cid < 0 || cmd->old_cid == cid)
			ret = true;
	spin_unlock(&sess->orphan_lock);
	return ret;
}

static struct kti_cmd *kti_take_orphan(struct kti_sess *sess, u32 itt)
{
	struct kti_cmd *cmd, *found = NULL;

	spin_lock(&sess->orphan_lock);
	list_for_each_entry(cmd, &sess->orphans, ack_entry) {
		if (cmd->itt == itt) {
			list_del_init(&cmd->ack_entry);
			found = cmd;
			break;
		}
	}
	spin_unlock(&sess->orphan_lock);
	return found;
}

/* Is task @itt still with a live connection of @sess (seq_mutex held)? */
static bool kti_task_allegiant(struct kti_sess *sess, u32 itt)
{
	struct kt_cmd *kc;
	struct kti_conn *c;
	bool found = false;

	lockdep_assert_held(&sess->seq_mutex);
	list_for_each_entry(c, &sess->conns, sess_entry)
		if (xa_load(&c->cmds, itt))
			return true;
	spin_lock_irq(&sess->ks->lock);
	list_for_each_entry(kc, &sess->ks->cmds, sess_entry)
		if (kc->tag == itt)
			found = true;
	spin_unlock_irq(&sess->ks->lock);
	return found;
}

/*
 * Is a connection of @sess other than @self failing (seq_mutex held)?
 * Torn down (@nr_dying: from kti_conn_kill() until its tasks are orphaned
 * or released), or its socket no longer connected while its receive
 * thread has not noticed yet (a reset just came in).
 */
static bool kti_sess_conn_failing(struct kti_sess *sess,
				  struct kti_conn *self)
{
	struct kti_conn *c;

	lockdep_assert_held(&sess->seq_mutex);
	if (atomic_read(&sess->nr_dying))
		return true;
	list_for_each_entry(c, &sess->conns, sess_entry)
		if (c != self &&
		    inet_sk_state_load(c->sock->sk) != TCP_ESTABLISHED)
			return true;
	return false;
}

/*
 * TASK REASSIGN waits (RFC 7143 11.5.1: the old connection is logged
 * out or reinstated first, but its teardown takes a while):
 *  - while a connection of the session is failing (it may orphan the
 *    task), at most KTI_REASSIGN_WAIT;
 *  - while the task is with a live connection whose failure the target
 *    has not seen yet (the initiator saw it first), at most
 *    KTI_REASSIGN_GRACE;
 *  - not at all for a task that is nowhere.
 * These bound the wait of the TMF only; the task's lifetime is its
 * references (and DefaultTime2Retain once orphaned).
 */
#define KTI_REASSIGN_WAIT	(10 * HZ)
#define KTI_REASSIGN_GRACE	(2 * HZ)

/*
 * Wait for task @itt of @conn's session to be orphaned and take it
 * (seq_mutex held, let go while asleep: the teardown needs it).  Woken
 * through sess->wait by kti_orphan() (under orphan_lock), by a connection
 * going down and by the end of each teardown (@nr_dying); the conditions
 * need seq_mutex, so they are checked running, before wait_woken().
 */
static struct kti_cmd *kti_reassign_wait(struct kti_conn *conn, u32 itt)
{
	struct kti_sess *sess = conn->sess;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	unsigned long start = jiffies, end;
	struct kti_cmd *cmd;
	long left;

	add_wait_queue(&sess->wait, &wait);
	while (!(cmd = kti_take_orphan(sess, itt))) {
		if (kti_sess_conn_failing(sess, conn))
			end = start + KTI_REASSIGN_WAIT;
		else if (kti_task_allegiant(sess, itt))
			end = start + KTI_REASSIGN_GRACE;
		else
			break;
		left = (long)(end - jiffies);
		if (left <= 0)
			break;
		mutex_unlock(&sess->seq_mutex);
		wait_woken(&wait, TASK_UNINTERRUPTIBLE, left);
		mutex_lock(&sess->seq_mutex);
	}
	remove_wait_queue(&sess->wait, &wait);
	return cmd;
}

/*
 * kti_tmf_reassign - TASK REASSIGN (seq_mutex held): take the task of a
 * failed connection over for @tmf's connection, once it is orphaned
 * (kti_reassign_wait()).  On success *@task is what to resume once the
 * TMF response is queued.
 */
u8 kti_tmf_reassign(struct kti_cmd *tmf, struct kti_cmd **task)
{
	struct kti_conn *conn = tmf->conn;
	struct kti_sess *sess = conn->sess;
	u32 itt = tmf->hdr.tmf.ref_itt;
	struct kti_cmd *cmd;

	if (sess->params.erl < 2)
		return KTI_TMF_RSP_NO_REASSIGN;
	cmd = kti_reassign_wait(conn, itt);
	if (!cmd)
		return kti_task_allegiant(sess, itt) ?
		       KTI_TMF_RSP_TASK_ALLEGIANT : KTI_TMF_RSP_NO_TASK;
	cmd->conn = conn;
	atomic_inc(&conn->nr_cmds);
	cmd->resume_datasn = tmf->hdr.tmf.exp_datasn;
	*task = cmd;
	return KTI_TMF_RSP_COMPLETE;
}

/*
 * kti_reassign_start - a reassigned task goes on over @conn (its TMF
 * response is queued first): an answered one is answered again (Data-In
 * from the initiator's ExpDataSN, status with a StatSN of @conn), a
 * write still missing data asks for it with recovery R2Ts.
 */
void kti_reassign_start(struct kti_conn *conn, struct kti_cmd *cmd)
{
	int ret;

	if (!cmd->wants_data) {
		cmd->tx.type = KTI_TX_SCSI_RSP;
		kti_tx_queue(conn, &cmd->tx);
		return;
	}
	mutex_lock(&conn->rx_mutex);
	cmd->data_at = jiffies;
	ret = xa_insert(&conn->cmds, cmd->itt, cmd, GFP_KERNEL);
	if (!ret) {
		kti_dataout_arm(conn);
		cmd->wants_data = false;
		ret = kti_cmd_recover(conn, cmd);
		if (ret)
			xa_erase(&conn->cmds, cmd->itt);
	}
	mutex_unlock(&conn->rx_mutex);
	if (ret) {
		pr_warn("reassigned task %#x cannot go on over %pISc (%d): dropped\n",
			cmd->itt, &conn->peer, ret);
		kti_cmd_free(cmd);
	}
}
