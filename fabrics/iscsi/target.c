// SPDX-License-Identifier: GPL-2.0
/*
 * Target-wide actions.
 *
 * Sessions the target ends on its own (TPG disabled or removed, target
 * removed, TARGET COLD RESET): each connection in full feature phase is
 * first sent an Asynchronous Message, AsyncEvent 3 "the target will drop
 * all connections of this session" with the session's DefaultTime2Wait
 * and DefaultTime2Retain (RFC 7143 11.9.1); its transmit thread shuts the
 * connection down once the message is out.  Whoever ends the sessions
 * waits for those connections to go down (kti_conn_dead_wait, woken by
 * each connection going KTI_CONN_DEAD; the session and connection lists
 * are read under tpg->sess_mutex and sess->conn_lock), at most
 * KTI_DROP_GRACE_MS: the initiator may be too slow to read the message,
 * so this bounds the wait only.  Then it shuts down what is left; the
 * sessions and connections are released by their references as usual.
 *
 * TARGET WARM RESET and TARGET COLD RESET (RFC 7143 11.5.1) reset every
 * initiator's LUNs, so only an initiator with a static ACL whose
 * attrib/tmr_warm_reset or tmr_cold_reset is 1 may ask for them (the
 * names of LIO's per-node fields).  A warm reset is a LUN reset of every
 * LUN of every TPG of the target; a cold reset then also ends every
 * session of the target, the asker's included, once its answer is sent.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/wait.h>
#include "conn.h"

#define KTI_DROP_GRACE_MS	1000

/*
 * kti_conn_announce_drop - queue, once, the Async Message of @conn's
 * drop (conn->drop_tx); nothing for a connection not in full feature
 * phase.  Any context but hard irq.
 */
static void kti_conn_announce_drop(struct kti_conn *conn)
{
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&conn->tx_lock, flags);
	if (READ_ONCE(conn->state) == KTI_CONN_FFP && !conn->drop_announced) {
		conn->drop_announced = true;
		list_add_tail(&conn->drop_tx->entry, &conn->tx_queue);
		kti_tx_account(conn, conn->drop_tx);
		queued = true;
	}
	spin_unlock_irqrestore(&conn->tx_lock, flags);
	if (queued)
		wake_up(&conn->tx_wait);
}

enum kti_drop_step {
	KTI_DROP_ANNOUNCE,
	KTI_DROP_PENDING,
	KTI_DROP_SHUTDOWN,
};

/*
 * One step of ending the sessions of @tpg (only those kti_tpg_stop()
 * marked, when @doomed), on every connection of each: announce the drop,
 * tell whether an announced connection is still up (KTI_DROP_PENDING),
 * or shut the announced ones down (not those of sessions that logged in
 * since: the target takes new logins).
 */
static bool kti_tpg_drop_step(struct kti_tpg *tpg, enum kti_drop_step step,
			      bool doomed)
{
	struct kti_sess *sess;
	struct kti_conn *conn;
	bool up = false;

	mutex_lock(&tpg->sess_mutex);
	list_for_each_entry(sess, &tpg->sessions, tpg_entry) {
		if (doomed && !sess->doomed)
			continue;
		spin_lock(&sess->conn_lock);
		list_for_each_entry(conn, &sess->conns, sess_entry) {
			if (step == KTI_DROP_ANNOUNCE)
				kti_conn_announce_drop(conn);
			else if (!READ_ONCE(conn->drop_announced))
				continue;
			else if (step == KTI_DROP_PENDING)
				up |= READ_ONCE(conn->state) != KTI_CONN_DEAD;
			else
				kti_conn_shutdown_async(conn);
		}
		spin_unlock(&sess->conn_lock);
	}
	mutex_unlock(&tpg->sess_mutex);
	return up;
}

/*
 * Wait until @pending(@arg) is false, at most KTI_DROP_GRACE_MS, woken by
 * every connection going down.  @pending takes mutexes, so it is checked
 * running (wait_woken()): a connection dying between the check and the
 * sleep has set the entry's WQ_FLAG_WOKEN and the sleep returns at once.
 */
static void kti_drop_wait(bool (*pending)(void *arg), void *arg)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long left = msecs_to_jiffies(KTI_DROP_GRACE_MS);

	add_wait_queue(&kti_conn_dead_wait, &wait);
	while (left > 0 && pending(arg))
		left = wait_woken(&wait, TASK_UNINTERRUPTIBLE, left);
	remove_wait_queue(&kti_conn_dead_wait, &wait);
}

static bool kti_tpg_drop_pending(void *arg)
{
	return kti_tpg_drop_step(arg, KTI_DROP_PENDING, true);
}

/*
 * kti_tpg_drop_sessions_notice - announce the drop to every session of
 * @tpg and wait until those connections are closed, at most
 * KTI_DROP_GRACE_MS.  The caller then shuts down what is left.
 */
void kti_tpg_drop_sessions_notice(struct kti_tpg *tpg)
{
	kti_tpg_drop_step(tpg, KTI_DROP_ANNOUNCE, true);
	kti_drop_wait(kti_tpg_drop_pending, tpg);
}

/* ---------------- TARGET WARM RESET, TARGET COLD RESET ---------------- */

/*
 * One step of ending the sessions of every TPG of @tiqn.
 * KTI_DROP_PENDING returns whether an announced connection is still up.
 */
static bool kti_target_drop_step(struct kti_tiqn *tiqn,
				 enum kti_drop_step step)
{
	struct kti_tpg *tpg;
	bool pending = false;

	mutex_lock(&kti_mutex);
	list_for_each_entry(tpg, &tiqn->tpgs, entry)
		pending |= kti_tpg_drop_step(tpg, step, false);
	mutex_unlock(&kti_mutex);
	return pending;
}

static bool kti_target_drop_pending(void *arg)
{
	return kti_target_drop_step(arg, KTI_DROP_PENDING);
}

/* tiqn->drop_work: kti_target_drop() */
void kti_target_drop_work(struct work_struct *work)
{
	struct kti_tiqn *tiqn = container_of(work, struct kti_tiqn,
					     drop_work);

	kti_target_drop_step(tiqn, KTI_DROP_ANNOUNCE);
	kti_drop_wait(kti_target_drop_pending, tiqn);
	kti_target_drop_step(tiqn, KTI_DROP_SHUTDOWN);
}

/*
 * kti_target_drop - end every session of @tiqn in the background, each
 * told first with an Async Message.  A request queued on a connection
 * before this call is answered before that connection's message.
 */
void kti_target_drop(struct kti_tiqn *tiqn)
{
	queue_work(kti_wq, &tiqn->drop_work);
}

/*
 * The next TPG of @tiqn from tag *@next on, with a reference (its rmdir
 * waits for it).
 */
static struct kti_tpg *kti_tpg_hold_next(struct kti_tiqn *tiqn, u32 *next)
{
	struct kti_tpg *tpg, *found = NULL;

	mutex_lock(&kti_mutex);
	list_for_each_entry(tpg, &tiqn->tpgs, entry)
		if (tpg->tpg.tpgt >= *next &&
		    (!found || tpg->tpg.tpgt < found->tpg.tpgt))
			found = tpg;
	if (found) {
		kti_tpg_get(found);
		*next = found->tpg.tpgt + 1;
	}
	mutex_unlock(&kti_mutex);
	return found;
}

/* May this session's initiator ask for a target reset? */
static bool kti_target_reset_allowed(struct kti_sess *sess, bool cold)
{
	struct kt_node_acl *acl = sess->ks->acl;
	const struct kti_acl_attrib *a = &kti_acl(acl)->attrib;

	if (acl->dynamic)
		return false;
	return cold ? READ_ONCE(a->tmr_cold_reset) :
		      READ_ONCE(a->tmr_warm_reset);
}

/*
 * kti_tmf_target_reset - TARGET WARM RESET or TARGET COLD RESET from
 * @conn: the LUN reset of every LUN of every TPG of its target (other
 * initiators get the reset unit attention).  Returns the TMF response;
 * after sending a COMPLETE answer to a cold reset, the caller ends the
 * target's sessions with kti_target_drop().
 */
u8 kti_tmf_target_reset(struct kti_conn *conn, bool cold)
{
	struct kti_sess *sess = conn->sess;
	struct kti_tiqn *tiqn = sess->tpg->tiqn;
	const char *what = cold ? "COLD" : "WARM";
	struct kti_tpg *tpg;
	u32 next = 0;
	int ret = 0;

	if (!kti_target_reset_allowed(sess, cold)) {
		pr_warn_ratelimited("%s: TARGET %s RESET from %s refused: not authorised (acls/<initiator>/attrib/tmr_%s_reset)\n",
				    tiqn->wwn.name, what, sess->initiator,
				    cold ? "cold" : "warm");
		return KTI_TMF_RSP_AUTH_FAILED;
	}
	pr_info("%s: TARGET %s RESET from %s\n", tiqn->wwn.name, what,
		sess->initiator);
	kti_sess_drop_held(sess);	/* tasks the core has not seen */
	while ((tpg = kti_tpg_hold_next(tiqn, &next)) != NULL) {
		if (kt_tmr_tpg_reset(&tpg->tpg, sess->ks))
			ret = -ETIMEDOUT;
		kti_tpg_put(tpg);
	}
	return ret ? KTI_TMF_RSP_REJECTED : KTI_TMF_RSP_COMPLETE;
}
