// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions the target ends on its own (TPG disabled or removed, target
 * removed, TARGET COLD RESET): each connection in full feature phase is
 * first sent an Asynchronous Message, AsyncEvent 3 "the target will drop
 * all connections of this session" with the session's DefaultTime2Wait
 * and DefaultTime2Retain (RFC 7143 11.9.1); its transmit thread shuts the
 * connection down once the message is out.  Whoever ends the sessions
 * gives that up to KTI_DROP_GRACE_MS, then shuts down what is left.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/delay.h>
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
		queued = true;
	}
	spin_unlock_irqrestore(&conn->tx_lock, flags);
	if (queued)
		wake_up(&conn->tx_wait);
}

/* Announce the drop on the connection of every session of @tpg. */
static void kti_tpg_announce_drop(struct kti_tpg *tpg)
{
	struct kti_sess *sess;

	spin_lock(&tpg->sess_lock);
	list_for_each_entry(sess, &tpg->sessions, tpg_entry)
		if (sess->conn)
			kti_conn_announce_drop(sess->conn);
	spin_unlock(&tpg->sess_lock);
}

/* Is a connection of @tpg that was told of its drop still up? */
static bool kti_tpg_drop_pending(struct kti_tpg *tpg)
{
	struct kti_sess *sess;
	bool up = false;

	spin_lock(&tpg->sess_lock);
	list_for_each_entry(sess, &tpg->sessions, tpg_entry)
		if (sess->conn && sess->conn->drop_announced &&
		    READ_ONCE(sess->conn->state) != KTI_CONN_DEAD)
			up = true;
	spin_unlock(&tpg->sess_lock);
	return up;
}

/*
 * kti_tpg_drop_sessions_notice - announce the drop to every session of
 * @tpg and wait until those connections are closed, at most
 * KTI_DROP_GRACE_MS.  The caller then shuts down what is left.
 */
void kti_tpg_drop_sessions_notice(struct kti_tpg *tpg)
{
	int tries = KTI_DROP_GRACE_MS / 20;

	kti_tpg_announce_drop(tpg);
	while (kti_tpg_drop_pending(tpg) && --tries)
		msleep(20);
}
