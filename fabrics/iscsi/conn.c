// SPDX-License-Identifier: GPL-2.0
/*
 * Connections: socket I/O with digests, the receive and transmit threads,
 * and tearing a connection (and, at ERL 0, its session) down.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/crc32c.h>
#include <linux/highmem.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>
#include "compat.h"
#include "conn.h"

static void kti_nopin_work(struct work_struct *work);
static void kti_conn_shutdown_work(struct work_struct *work);

/* every connection, so that module exit can end them (discovery too) */
static DEFINE_MUTEX(kti_conns_lock);	/* protects kti_conns */
static LIST_HEAD(kti_conns);
static DECLARE_WAIT_QUEUE_HEAD(kti_conns_wait);

/* see conn.h */
DECLARE_WAIT_QUEUE_HEAD(kti_sess_gone_wait);
DECLARE_WAIT_QUEUE_HEAD(kti_conn_dead_wait);

struct kti_conn *kti_conn_alloc(struct kti_np *np, struct socket *sock)
{
	struct kti_conn *conn;

	conn = kmem_cache_zalloc(kti_conn_cache, GFP_KERNEL);
	if (!conn)
		return NULL;
	conn->rx_buf = kvmalloc(KTI_LOGIN_MAX_DATA, GFP_KERNEL);
	if (!conn->rx_buf)
		goto out_free_conn;
	conn->drop_tx = kmem_cache_zalloc(kti_tx_cache, GFP_KERNEL);
	if (!conn->drop_tx)
		goto out_free_buf;
	conn->drop_tx->type = KTI_TX_ASYNC;
	conn->sock = sock;
	conn->np = np;
	conn->state = KTI_CONN_LOGIN;
	conn->max_recv_dsl = 8192;
	conn->max_xmit_dsl = 8192;
	spin_lock_init(&conn->tx_lock);
	INIT_LIST_HEAD(&conn->tx_queue);
	init_waitqueue_head(&conn->tx_wait);
	init_waitqueue_head(&conn->tx_room);
	init_waitqueue_head(&conn->cmds_wait);
	INIT_LIST_HEAD(&conn->sess_entry);
	INIT_LIST_HEAD(&conn->np_login_entry);
	INIT_LIST_HEAD(&conn->tpg_login_entry);
	INIT_LIST_HEAD(&conn->retained);
	mutex_init(&conn->rx_mutex);
	INIT_DELAYED_WORK(&conn->nopin_work, kti_nopin_work);
	INIT_WORK(&conn->shutdown_work, kti_conn_shutdown_work);
	INIT_DELAYED_WORK(&conn->dataout_work, kti_dataout_work);
	conn->nopin_interval = 15;
	conn->nopin_response = 30;
	atomic_set(&conn->next_ttt, 0);
	xa_init(&conn->cmds);
	kernel_getsockname(sock, (struct sockaddr *)&conn->local);
	kernel_getpeername(sock, (struct sockaddr *)&conn->peer);
	tcp_sock_set_nodelay(sock->sk);
	kref_get(&np->ref);
	mutex_lock(&kti_conns_lock);
	list_add_tail(&conn->all_entry, &kti_conns);
	mutex_unlock(&kti_conns_lock);
	return conn;

out_free_buf:
	kvfree(conn->rx_buf);
out_free_conn:
	kmem_cache_free(kti_conn_cache, conn);
	return NULL;
}

void kti_conn_free(struct kti_conn *conn)
{
	mutex_lock(&kti_conns_lock);
	list_del(&conn->all_entry);
	mutex_unlock(&kti_conns_lock);
	cancel_work_sync(&conn->shutdown_work);
	if (conn->sock)
		sock_release(conn->sock);
	xa_destroy(&conn->cmds);
	kti_text_end(conn);
	kti_np_unref(conn->np);
	kmem_cache_free(kti_tx_cache, conn->drop_tx);
	kvfree(conn->rx_buf);
	kmem_cache_free(kti_conn_cache, conn);
	wake_up(&kti_conns_wait);
}

static bool kti_conns_gone(void)
{
	bool gone;

	mutex_lock(&kti_conns_lock);
	gone = list_empty(&kti_conns);
	mutex_unlock(&kti_conns_lock);
	return gone;
}

/*
 * kti_conns_end - module exit: every TPG and portal is gone, so only
 * discovery sessions can be left; shut them down and wait until their
 * release work has freed them.
 */
void kti_conns_end(void)
{
	struct kti_conn *conn;

	mutex_lock(&kti_conns_lock);
	list_for_each_entry(conn, &kti_conns, all_entry)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&kti_conns_lock);
	wait_event(kti_conns_wait, kti_conns_gone());
}

/* kti_recv_full - read exactly @len bytes; 0 or -errno */
int kti_recv_full(struct kti_conn *conn, void *buf, u32 len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_WAITALL };
	int ret;

	while (iov.iov_len) {
		ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, iov.iov_len,
				     MSG_WAITALL);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
		iov.iov_base += ret;
		iov.iov_len -= ret;
	}
	return 0;
}

/*
 * kti_recv_until - read exactly @len bytes before @deadline (jiffies): a
 * login's receive timeout covers the whole login, not each receive.
 */
int kti_recv_until(struct kti_conn *conn, void *buf, u32 len,
		   unsigned long deadline)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { };
	long left;
	int ret;

	while (iov.iov_len) {
		left = (long)(deadline - jiffies);
		if (left <= 0)
			return -ETIMEDOUT;
		WRITE_ONCE(conn->sock->sk->sk_rcvtimeo, left);
		ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, iov.iov_len,
				     MSG_WAITALL);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
		iov.iov_base += ret;
		iov.iov_len -= ret;
	}
	return 0;
}

static int kti_send_iter(struct kti_conn *conn, struct msghdr *msg)
{
	int ret;

	while (msg_data_left(msg)) {
		ret = sock_sendmsg(conn->sock, msg);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
	}
	return 0;
}

static void kti_iov_add(struct kvec *iov, int *n, size_t *len,
			const void *buf, size_t size)
{
	iov[*n].iov_base = (void *)buf;
	iov[*n].iov_len = size;
	(*n)++;
	*len += size;
}

/*
 * kti_send_pdu - send a 48-byte BHS (header digest added when on) and a
 * linear data segment (padded, data digest when on).
 */
int kti_send_pdu(struct kti_conn *conn, const u8 *bhs, const void *data,
		 u32 dlen)
{
	static const u8 zero[4];
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	u32 pad = kti_pad4(dlen) - dlen;
	__le32 hcrc, dcrc;
	struct kvec iov[5];
	size_t len = 0;
	int n = 0;

	kti_iov_add(iov, &n, &len, bhs, 48);
	if (conn->hdr_digest) {
		hcrc = cpu_to_le32(~crc32c(~0, bhs, 48));
		kti_iov_add(iov, &n, &len, &hcrc, 4);
	}
	if (dlen) {
		kti_iov_add(iov, &n, &len, data, dlen);
		if (pad)
			kti_iov_add(iov, &n, &len, zero, pad);
		if (conn->data_digest) {
			dcrc = cpu_to_le32(~crc32c(crc32c(~0, data, dlen),
						   zero, pad));
			kti_iov_add(iov, &n, &len, &dcrc, 4);
		}
	}
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, iov, n, len);
	return kti_send_iter(conn, &msg);
}

/* The BHS (and header digest) of a PDU whose data follows separately. */
static int kti_send_pdu_hdr(struct kti_conn *conn, const u8 *bhs)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | MSG_MORE };
	__le32 hcrc;
	struct kvec iov[2];
	size_t len = 0;
	int n = 0;

	kti_iov_add(iov, &n, &len, bhs, 48);
	if (conn->hdr_digest) {
		hcrc = cpu_to_le32(~crc32c(~0, bhs, 48));
		kti_iov_add(iov, &n, &len, &hcrc, 4);
	}
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, iov, n, len);
	return kti_send_iter(conn, &msg);
}

/* Padding and data digest after a data segment sent separately. */
static int kti_send_trailer(struct kti_conn *conn, u32 pad, u32 crc)
{
	static const u8 zero[4];
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	__le32 dcrc;
	struct kvec iov[2];
	size_t len = 0;
	int n = 0;

	if (pad)
		kti_iov_add(iov, &n, &len, zero, pad);
	if (conn->data_digest) {
		dcrc = cpu_to_le32(~crc32c(crc, zero, pad));
		kti_iov_add(iov, &n, &len, &dcrc, 4);
	}
	if (!n)
		return 0;
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, iov, n, len);
	return kti_send_iter(conn, &msg);
}

/* Response bytes a queued item holds besides its task (NOP-In echo...) */
static u32 kti_tx_weight(const struct kti_tx *tx)
{
	if (!tx->cmd || tx->type == KTI_TX_R2T)
		return 0;
	return tx->cmd->rsp_len;
}

/* Count @tx as queued (tx_lock held). */
void kti_tx_account(struct kti_conn *conn, struct kti_tx *tx)
{
	lockdep_assert_held(&conn->tx_lock);
	conn->tx_items++;
	conn->tx_bytes += kti_tx_weight(tx);
}

void kti_tx_queue(struct kti_conn *conn, struct kti_tx *tx)
{
	unsigned long flags;

	spin_lock_irqsave(&conn->tx_lock, flags);
	list_add_tail(&tx->entry, &conn->tx_queue);
	kti_tx_account(conn, tx);
	spin_unlock_irqrestore(&conn->tx_lock, flags);
	wake_up(&conn->tx_wait);
	/* the release work drains the queue itself: kti_conn_drain() */
	if (wq_has_sleeper(&conn->cmds_wait))
		wake_up(&conn->cmds_wait);
}

/* Items and bytes of the queue counted again (tx_lock held). */
static void kti_tx_recount(struct kti_conn *conn)
{
	struct kti_tx *tx;

	conn->tx_items = 0;
	conn->tx_bytes = 0;
	list_for_each_entry(tx, &conn->tx_queue, entry)
		kti_tx_account(conn, tx);
}

/* Is the queue over its limits (@div 1) or under half of them (@div 2)? */
static bool kti_tx_over(struct kti_conn *conn, unsigned int div)
{
	unsigned long flags;
	bool over;

	spin_lock_irqsave(&conn->tx_lock, flags);
	if (conn->tx_items > KTI_TXQ_MAX_ITEMS / div ||
	    conn->tx_bytes > KTI_TXQ_MAX_BYTES / div)
		kti_tx_recount(conn);	/* purged R2Ts were not subtracted */
	over = conn->tx_items > KTI_TXQ_MAX_ITEMS / div ||
	       conn->tx_bytes > KTI_TXQ_MAX_BYTES / div;
	spin_unlock_irqrestore(&conn->tx_lock, flags);
	return over;
}

static struct kti_tx *kti_tx_next(struct kti_conn *conn)
{
	struct kti_tx *tx = NULL;
	unsigned long flags;
	bool room = false;

	spin_lock_irqsave(&conn->tx_lock, flags);
	if (!list_empty(&conn->tx_queue)) {
		tx = list_first_entry(&conn->tx_queue, struct kti_tx, entry);
		list_del_init(&tx->entry);
		if (conn->tx_items)
			conn->tx_items--;
		conn->tx_bytes -= min(conn->tx_bytes, kti_tx_weight(tx));
		room = conn->tx_items <= KTI_TXQ_MAX_ITEMS / 2 &&
		       conn->tx_bytes <= KTI_TXQ_MAX_BYTES / 2;
	}
	spin_unlock_irqrestore(&conn->tx_lock, flags);
	if (room && wq_has_sleeper(&conn->tx_room))
		wake_up(&conn->tx_room);
	return tx;
}

/*
 * Resource bounds: while more than KTI_TXQ_MAX_ITEMS responses (or
 * KTI_TXQ_MAX_BYTES of response data) wait to be sent, the receive
 * thread reads no new PDU, until the queue is down to half; an initiator
 * that does not read them for KTI_TXQ_STALL_SECS is dropped.
 */
static int kti_rx_throttle(struct kti_conn *conn)
{
	long ret;

	if (!kti_tx_over(conn, 1))
		return 0;
	ret = wait_event_interruptible_timeout(conn->tx_room,
					       !kti_tx_over(conn, 2),
					       KTI_TXQ_STALL_SECS * HZ);
	if (ret > 0)
		return 0;
	pr_warn_ratelimited("%pISc reads none of its %u queued responses for %u s: closing connection\n",
			    &conn->peer, READ_ONCE(conn->tx_items),
			    KTI_TXQ_STALL_SECS);
	return -ETIMEDOUT;
}

static bool kti_tx_pending(struct kti_conn *conn)
{
	bool ret;

	spin_lock_irq(&conn->tx_lock);
	ret = !list_empty(&conn->tx_queue);
	spin_unlock_irq(&conn->tx_lock);
	return ret;
}

static int kti_tx_thread(void *arg)
{
	struct kti_conn *conn = arg;
	struct kti_tx *tx;
	unsigned int kcov;

	while (!kthread_should_stop()) {
		wait_event_interruptible(conn->tx_wait,
					 kti_tx_pending(conn) ||
					 kthread_should_stop());
		kcov = kti_kcov_start();
		while ((tx = kti_tx_next(conn)) != NULL)
			kti_tx_item(conn, tx);
		kti_kcov_stop(kcov);
	}
	return 0;
}

/* Check and handle one PDU whose header (and header digest) is in @bhs. */
static int kti_rx_one(struct kti_conn *conn, const u8 *bhs)
{
	struct kti_bhs h;
	unsigned int kcov;
	int ret;

	if (conn->hdr_digest &&
	    get_unaligned_le32(bhs + 48) != ~crc32c(~0, bhs, 48)) {
		pr_warn("header digest error from %pISc: closing connection\n",
			&conn->peer);
		return -EIO;
	}
	kcov = kti_kcov_start();
	if (kti_bhs_decode(bhs, &h))
		ret = kti_rx_bad_pdu(conn, bhs, &h);
	else
		ret = kti_rx_pdu(conn, bhs, &h);
	kti_kcov_stop(kcov);
	return ret;
}

static int kti_rx_thread(void *arg)
{
	struct kti_conn *conn = arg;
	u8 bhs[48 + 4];
	int ret;

	allow_signal(SIGINT);
	for (;;) {
		ret = kti_rx_throttle(conn);
		if (ret)
			break;
		ret = kti_recv_full(conn, bhs, 48 + (conn->hdr_digest ? 4 : 0));
		if (ret)
			break;
		ret = kti_rx_one(conn, bhs);
		if (ret)
			break;
	}
	kti_conn_kill(conn);
	/*
	 * wait to be reaped by the release work (kthread_stop() wakes us);
	 * not interruptible: a SIGINT left pending would make it a spin
	 */
	while (!kthread_should_stop()) {
		set_current_state(TASK_IDLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/*
 * Throw away what is left to send; its tasks are released.  The transmit
 * thread is stopped, so the release work sends (drops) what is queued
 * itself, until every task of the connection is released: it sleeps on
 * conn->cmds_wait, woken when a task is released (nr_cmds drops) and
 * when a response is queued (kti_tx_queue(); the queue is under tx_lock).
 * No time limit: each task is released when the core is done with it.
 */
static void kti_conn_drain(struct kti_conn *conn)
{
	struct kti_tx *tx;

	WRITE_ONCE(conn->state, KTI_CONN_DEAD);
	for (;;) {
		while ((tx = kti_tx_next(conn)) != NULL)
			kti_tx_item(conn, tx);
		if (!atomic_read(&conn->nr_cmds) && !kti_tx_pending(conn))
			break;
		/* idle: as long as the backstore takes, not a hang of ours */
		wait_event_idle(conn->cmds_wait,
				!atomic_read(&conn->nr_cmds) ||
				kti_tx_pending(conn));
	}
}

/*
 * Every nopin_interval seconds, ask the initiator for a NOP-Out; drop the
 * connection when it does not answer within nopin_response seconds.
 */
static void kti_nopin_work(struct work_struct *work)
{
	struct kti_conn *conn = container_of(to_delayed_work(work),
					     struct kti_conn, nopin_work);
	u32 ttt = READ_ONCE(conn->ping_ttt);
	struct kti_tx *tx;

	if (conn->state != KTI_CONN_FFP)
		return;
	if (ttt) {
		if (time_after(jiffies, conn->ping_sent +
			       conn->nopin_response * HZ)) {
			pr_warn("%pISc did not answer a NOP-In in %u s: closing connection\n",
				&conn->peer, conn->nopin_response);
			kernel_sock_shutdown(conn->sock, SHUT_RDWR);
			return;
		}
	} else {
		tx = kmem_cache_zalloc(kti_tx_cache, GFP_KERNEL);
		if (tx) {
			ttt = kti_new_ttt(conn) | 0x80000000U;
			tx->type = KTI_TX_PING;
			tx->ttt = ttt;
			conn->ping_sent = jiffies;
			WRITE_ONCE(conn->ping_ttt, ttt);
			kti_tx_queue(conn, tx);
		}
	}
	queue_delayed_work(kti_ping_wq, &conn->nopin_work,
			   min(conn->nopin_interval, conn->nopin_response) * HZ);
}

/* A NOP-Out answering our ping (ITT 0xffffffff, our TTT). */
void kti_conn_ping_answer(struct kti_conn *conn, u32 ttt)
{
	if (ttt == READ_ONCE(conn->ping_ttt))
		WRITE_ONCE(conn->ping_ttt, 0);
}

static void kti_conn_release_work(struct work_struct *work)
{
	struct kti_conn *conn = container_of(work, struct kti_conn,
					     release_work);
	struct kti_sess *sess = conn->sess;

	cancel_delayed_work_sync(&conn->nopin_work);
	kthread_stop(conn->rx_thread);
	put_task_struct(conn->rx_thread);
	kthread_stop(conn->tx_thread);
	put_task_struct(conn->tx_thread);
	/*
	 * A failed connection: at ERL 2 its tasks wait for TASK REASSIGN;
	 * below, the session ends with it (session recovery).
	 */
	conn->recover = sess->params.erl == 2 && !conn->logged_out &&
			!READ_ONCE(sess->ending);
	if (sess->params.erl < 2 && !conn->logged_out && !conn->replaced)
		kti_sess_close(sess);
	mutex_lock(&sess->seq_mutex);
	kti_sess_del_conn(sess, conn);
	kti_conn_abort_cmds(conn);
	mutex_unlock(&sess->seq_mutex);
	/* armed by the receive thread or under seq_mutex only */
	cancel_delayed_work_sync(&conn->dataout_work);
	kti_conn_drain(conn);
	if (conn->recover)
		kti_conn_orphan_retained(conn);
	else
		kti_release_retained(conn);
	atomic_dec(&sess->nr_dying);
	wake_up(&sess->wait);		/* TASK REASSIGN: teardown over */
	kti_conn_free(conn);
	kti_sess_put(sess);
}

/*
 * kti_conn_kill - the connection is finished (error or logout): stop the
 * socket and let the release work tear it down.  Called once, by the
 * receive thread.
 */
void kti_conn_kill(struct kti_conn *conn)
{
	atomic_inc(&conn->sess->nr_dying);
	WRITE_ONCE(conn->state, KTI_CONN_DEAD);
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	wake_up(&conn->tx_wait);
	wake_up(&kti_conn_dead_wait);
	wake_up(&conn->sess->wait);
	INIT_WORK(&conn->release_work, kti_conn_release_work);
	queue_work(kti_wq, &conn->release_work);
}

/* kti_conn_start - login is done: start the receive and transmit threads. */
int kti_conn_start(struct kti_conn *conn)
{
	struct task_struct *rx, *tx;

	conn->state = KTI_CONN_FFP;
	WRITE_ONCE(conn->sock->sk->sk_rcvtimeo, MAX_SCHEDULE_TIMEOUT);
	WRITE_ONCE(conn->sock->sk->sk_sndtimeo, MAX_SCHEDULE_TIMEOUT);
	tx = kthread_run(kti_tx_thread, conn, "kti_tx");
	if (IS_ERR(tx))
		return PTR_ERR(tx);
	get_task_struct(tx);
	conn->tx_thread = tx;
	rx = kthread_create(kti_rx_thread, conn, "kti_rx");
	if (IS_ERR(rx)) {
		kthread_stop(tx);
		put_task_struct(tx);
		return PTR_ERR(rx);
	}
	get_task_struct(rx);
	conn->rx_thread = rx;
	if (conn->nopin_interval)
		queue_delayed_work(kti_ping_wq, &conn->nopin_work,
				   conn->nopin_interval * HZ);
	/*
	 * Last: once the receiver runs, the connection may fail and be
	 * released (kti_conn_release_work() cancels the ping) at any time.
	 */
	wake_up_process(rx);
	return 0;
}

/* ---------------- sessions ---------------- */

struct kti_sess *kti_sess_alloc(void)
{
	struct kti_sess *sess = kmem_cache_zalloc(kti_sess_cache, GFP_KERNEL);

	if (!sess)
		return NULL;
	spin_lock_init(&sess->sn_lock);
	INIT_LIST_HEAD(&sess->pending);
	mutex_init(&sess->seq_mutex);
	spin_lock_init(&sess->conn_lock);
	INIT_LIST_HEAD(&sess->conns);
	init_waitqueue_head(&sess->wait);
	spin_lock_init(&sess->orphan_lock);
	INIT_LIST_HEAD(&sess->orphans);
	INIT_DELAYED_WORK(&sess->retain_work, kti_retain_work);
	INIT_LIST_HEAD(&sess->tpg_entry);
	kref_init(&sess->kref);
	return sess;
}

static void kti_sess_release(struct kref *kref)
{
	struct kti_sess *sess = container_of(kref, struct kti_sess, kref);
	struct kti_tpg *tpg = sess->tpg;

	if (tpg) {
		mutex_lock(&tpg->sess_mutex);
		list_del_init(&sess->tpg_entry);
		mutex_unlock(&tpg->sess_mutex);
		/* reinstatement waits for it; the waiter holds @tpg */
		wake_up(&kti_sess_gone_wait);
	}
	if (sess->ks)
		kt_session_destroy(sess->ks);
	kmem_cache_free(kti_sess_cache, sess);
	if (tpg)
		kti_tpg_put(tpg);
}

void kti_sess_put(struct kti_sess *sess)
{
	kref_put(&sess->kref, kti_sess_release);
}

/*
 * kti_sess_add_conn - @conn joins @sess (whose reference it takes over).
 * The list changes under both seq_mutex and conn_lock, so either keeps
 * it still for a reader.
 */
void kti_sess_add_conn(struct kti_sess *sess, struct kti_conn *conn)
{
	mutex_lock(&sess->seq_mutex);
	spin_lock(&sess->conn_lock);
	conn->sess = sess;
	list_add_tail(&conn->sess_entry, &sess->conns);
	sess->nr_conns++;
	spin_unlock(&sess->conn_lock);
	mutex_unlock(&sess->seq_mutex);
}

/* @conn leaves @sess (seq_mutex held). */
void kti_sess_del_conn(struct kti_sess *sess, struct kti_conn *conn)
{
	spin_lock(&sess->conn_lock);
	if (!list_empty(&conn->sess_entry)) {
		list_del_init(&conn->sess_entry);
		sess->nr_conns--;
	}
	spin_unlock(&sess->conn_lock);
	wake_up(&sess->wait);		/* connection reinstatement */
}

static void kti_conn_shutdown_work(struct work_struct *work)
{
	struct kti_conn *conn = container_of(work, struct kti_conn,
					     shutdown_work);

	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
}

/*
 * kti_conn_shutdown_async - shut @conn's socket down from a work item:
 * for callers holding a spinlock (shutting a TCP socket down may sleep).
 * kti_conn_free() waits for it.
 */
void kti_conn_shutdown_async(struct kti_conn *conn)
{
	queue_work(kti_wq, &conn->shutdown_work);
}

/* End @sess: every connection is shut down (the release work follows). */
void kti_sess_close(struct kti_sess *sess)
{
	struct kti_conn *conn;

	kti_sess_stop_recovery(sess);
	spin_lock(&sess->conn_lock);
	list_for_each_entry(conn, &sess->conns, sess_entry)
		kti_conn_shutdown_async(conn);
	spin_unlock(&sess->conn_lock);
}

/* ---------------- data straight into / out of command buffers -------- */

#define KTI_BVEC_MAX	64

/*
 * Fill @bv with the pages of [@off, @off + @len) of @sgl; returns the
 * number of entries (at most KTI_BVEC_MAX; @len is cut to what fits).
 */
static int kti_sgl_bvec(struct scatterlist *sgl, unsigned int nents, u32 off,
			u32 *len, struct bio_vec *bv)
{
	struct scatterlist *sg;
	u32 want = *len, got = 0;
	unsigned int i;
	int n = 0;

	for_each_sg(sgl, sg, nents, i) {
		u32 l;

		if (off >= sg->length) {
			off -= sg->length;
			continue;
		}
		l = min(sg->length - off, want - got);
		bv[n].bv_page = sg_page(sg);
		bv[n].bv_offset = sg->offset + off;
		bv[n].bv_len = l;
		n++;
		got += l;
		off = 0;
		if (got == want || n == KTI_BVEC_MAX)
			break;
	}
	*len = got;
	return n;
}

/* CRC32C over [@off, @off + @len) of @sgl, continuing @crc */
u32 kti_sgl_crc(struct scatterlist *sgl, unsigned int nents, u32 off, u32 len,
		u32 crc)
{
	struct bio_vec bv[KTI_BVEC_MAX];
	int n, i;

	while (len) {
		u32 l = len;

		n = kti_sgl_bvec(sgl, nents, off, &l, bv);
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			u8 *p = kmap_local_page(bv[i].bv_page);

			crc = crc32c(crc, p + bv[i].bv_offset, bv[i].bv_len);
			kunmap_local(p);
		}
		off += l;
		len -= l;
	}
	return crc;
}

/*
 * kti_recv_sgl - receive @len bytes from the socket straight into
 * [@off, @off + @len) of @sgl.
 */
int kti_recv_sgl(struct kti_conn *conn, struct scatterlist *sgl,
		 unsigned int nents, u32 off, u32 len)
{
	struct bio_vec bv[KTI_BVEC_MAX];
	struct msghdr msg = { };
	int n, ret;

	while (len) {
		u32 l = len;

		n = kti_sgl_bvec(sgl, nents, off, &l, bv);
		if (!n)
			return -EINVAL;
		iov_iter_bvec(&msg.msg_iter, ITER_DEST, bv, n, l);
		while (msg_data_left(&msg)) {
			ret = sock_recvmsg(conn->sock, &msg, MSG_WAITALL);
			if (ret <= 0)
				return ret ? ret : -ECONNRESET;
		}
		off += l;
		len -= l;
	}
	return 0;
}

/*
 * Zero-copy Data-In.  The data segment of a Data-In PDU goes to TCP by
 * reference (compat.h) instead of being copied into socket buffers.  TCP
 * then holds the pages until the peer acknowledges the bytes, and
 * retransmits from them, possibly long after the command is released.
 * That is safe only because nothing writes to those pages again:
 *  - Data-In always comes from the command's own buffer, allocated with
 *    sgl_alloc(): kc->sgl from the core (or a fabric_sgl of ours, were
 *    one given for a read).  Backstores fill it, they never substitute
 *    their own pages: rd_mcp copies out of its RAM pages rather than lending them,
 *    so a later WRITE to the same blocks cannot change bytes TCP still
 *    has to (re)send; fileio and iblock read into it.
 *  - Releasing the command (sgl_free()) only drops our reference: a page
 *    TCP still holds goes back to the allocator when TCP lets go of it,
 *    so it cannot become another command's buffer meanwhile.
 *  - The data digest is computed over the same pages.  As they no longer
 *    change once the command has its data, the digest matches the bytes
 *    of the first transmission and of every retransmission.
 *  - Pages TCP cannot hold by reference (slab memory, pages without a
 *    reference count: !sendpage_ok()) are copied.
 * ktarget_iscsi.zerocopy=0 copies everything (for comparison).
 */
static bool kti_zerocopy = true;
module_param_named(zerocopy, kti_zerocopy, bool, 0644);
MODULE_PARM_DESC(zerocopy, "send Data-In pages by reference (default 1)");

/* May TCP hold every page under @bv by reference? */
static bool kti_bvec_zc_ok(const struct bio_vec *bv)
{
	unsigned long i = bv->bv_offset >> PAGE_SHIFT;
	unsigned long last = (bv->bv_offset + bv->bv_len - 1) >> PAGE_SHIFT;

	if (!bv->bv_len)
		return true;
	for (; i <= last; i++)
		if (!sendpage_ok(nth_page(bv->bv_page, i)))
			return false;
	return true;
}

/* Send @len bytes of @bv[0..@n) by copying them. */
static int kti_send_bvec_copy(struct kti_conn *conn,
			      const struct bio_vec *bv, int n, u32 len,
			      int flags)
{
	struct msghdr msg = { .msg_flags = flags };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	return kti_send_iter(conn, &msg);
}

/*
 * Send @bv[0..@n): runs of pages TCP may hold go by reference, the others
 * are copied.  MSG_MORE up to the end, and there
 * too when @more (more of the PDU follows).
 */
static int kti_send_bvec(struct kti_conn *conn, const struct bio_vec *bv,
			 int n, bool more)
{
	bool zc_on = READ_ONCE(kti_zerocopy), zc;
	int i, j, flags, ret;
	u32 l;

	for (i = 0; i < n; i = j) {
		zc = zc_on && kti_bvec_zc_ok(&bv[i]);
		l = bv[i].bv_len;
		for (j = i + 1; j < n && zc == (zc_on && kti_bvec_zc_ok(&bv[j]));
		     j++)
			l += bv[j].bv_len;
		flags = MSG_NOSIGNAL | (j < n || more ? MSG_MORE : 0);
		if (zc)
			ret = kti_sock_send_pages(conn->sock, &bv[i], j - i, l,
						  flags);
		else
			ret = kti_send_bvec_copy(conn, &bv[i], j - i, l, flags);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * kti_send_sgl_pdu - send a BHS and a data segment taken from
 * [@off, @off + @len) of @sgl (Data-In), with padding and digests.  The
 * data pages are sent by reference where possible: see above.
 */
int kti_send_sgl_pdu(struct kti_conn *conn, const u8 *bhs,
		     struct scatterlist *sgl, unsigned int nents, u32 off,
		     u32 len)
{
	struct bio_vec bv[KTI_BVEC_MAX];
	u32 pad = kti_pad4(len) - len, pos = off, left = len;
	bool trailer = pad || conn->data_digest;
	int ret, n;

	ret = kti_send_pdu_hdr(conn, bhs);
	if (ret)
		return ret;
	while (left) {
		u32 l = left;

		n = kti_sgl_bvec(sgl, nents, pos, &l, bv);
		if (!n)
			return -EINVAL;
		/* hold back only while more of this PDU follows */
		ret = kti_send_bvec(conn, bv, n, l < left || trailer);
		if (ret)
			return ret;
		pos += l;
		left -= l;
	}
	return kti_send_trailer(conn, pad, conn->data_digest ?
				kti_sgl_crc(sgl, nents, off, len, ~0) : 0);
}

/* ---------------- configfs views of sessions ---------------- */

/*
 * kti_tpg_stop - enable=0 or rmdir: from now on no login completes on
 * @tpg (kti_login_publish() checks tpg->open under the same mutex), the
 * logins in progress are shut down and the sessions listed are marked
 * for kti_tpg_close_sessions().  Callable with kt_cfg_mutex held.
 */
void kti_tpg_stop(struct kti_tpg *tpg)
{
	struct kti_sess *sess;
	struct kti_conn *conn;

	mutex_lock(&tpg->sess_mutex);
	tpg->open = false;
	list_for_each_entry(sess, &tpg->sessions, tpg_entry)
		sess->doomed = true;
	list_for_each_entry(conn, &tpg->logins, tpg_login_entry)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&tpg->sess_mutex);
	wake_up(&kti_sess_gone_wait);	/* reinstating logins give up */
}

/*
 * kti_tpg_close_sessions - end the sessions kti_tpg_stop() marked (an
 * Async Message first, then their connections are shut down); release
 * happens in the background, each session holding the TPG.  Sessions
 * made after a new enable=1 are left alone.
 */
void kti_tpg_close_sessions(struct kti_tpg *tpg)
{
	struct kti_sess *sess;

	kti_tpg_drop_sessions_notice(tpg);
	mutex_lock(&tpg->sess_mutex);
	list_for_each_entry(sess, &tpg->sessions, tpg_entry)
		if (sess->doomed)
			kti_sess_close(sess);
	mutex_unlock(&tpg->sess_mutex);
}

/*
 * kti_acl_close_sessions - ->close_acl_sessions: static ACL @kacl was
 * removed (and unlisted, so no login gets it any more): end its sessions.
 */
void kti_acl_close_sessions(struct kt_node_acl *kacl)
{
	struct kti_tpg *tpg = kti_tpg(kacl->tpg);
	struct kti_sess *sess;

	mutex_lock(&tpg->sess_mutex);
	list_for_each_entry(sess, &tpg->sessions, tpg_entry) {
		if (!sess->ks || sess->ks->acl != kacl)
			continue;
		pr_info("%s: ACL removed: ending session %u\n",
			sess->initiator, sess->tsih);
		kti_sess_close(sess);
	}
	mutex_unlock(&tpg->sess_mutex);
}

/* The session of @acl, with the TPG's session lock held. */
static struct kti_sess *kti_acl_sess(struct kti_tpg *tpg, struct kti_acl *acl)
{
	struct kti_sess *sess;

	list_for_each_entry(sess, &tpg->sessions, tpg_entry)
		if (sess->ks && sess->ks->acl == &acl->acl)
			return sess;
	return NULL;
}

/* acls/<name>/info, in the format rtslib parses */
ssize_t kti_acl_info(struct kti_acl *acl, char *page)
{
	struct kti_tpg *tpg = kti_tpg(acl->acl.tpg);
	struct kti_sess *sess;
	struct kti_conn *conn;
	ssize_t n;

	mutex_lock(&tpg->sess_mutex);
	sess = kti_acl_sess(tpg, acl);
	if (!sess) {
		mutex_unlock(&tpg->sess_mutex);
		return sprintf(page,
			       "No active iSCSI Session for Initiator Endpoint: %s\n",
			       acl->acl.name);
	}
	n = sprintf(page,
		    "InitiatorName: %s\nInitiatorAlias: %s\nLIO Session ID: %llu   ISID: 0x%02x %02x %02x %02x %02x %02x  TSIH: %u  SessionType: Normal\nSession State: TARG_SESS_STATE_LOGGED_IN\n",
		    sess->initiator, "", sess->ks->sid, sess->isid[0],
		    sess->isid[1], sess->isid[2], sess->isid[3], sess->isid[4],
		    sess->isid[5], sess->tsih);
	spin_lock(&sess->conn_lock);
	list_for_each_entry(conn, &sess->conns, sess_entry)
		n += scnprintf(page + n, PAGE_SIZE - n,
			       "CID: %u  Connection State: TARG_CONN_STATE_LOGGED_IN\n   Address %pISc TCP  StatSN: 0x%08x\n",
			       conn->cid, &conn->peer, conn->stat_sn);
	spin_unlock(&sess->conn_lock);
	mutex_unlock(&tpg->sess_mutex);
	return n;
}

static ssize_t kti_param_show(const struct kti_sess_params *p,
			      enum kti_key key, char *page)
{
	static const char * const yn[] = { "No", "Yes" };

	switch (key) {
	case KTI_KEY_MAX_CONNECTIONS:
		return sprintf(page, "%u\n", p->max_connections);
	case KTI_KEY_INITIAL_R2T:
		return sprintf(page, "%s\n", yn[p->initial_r2t]);
	case KTI_KEY_IMMEDIATE_DATA:
		return sprintf(page, "%s\n", yn[p->immediate_data]);
	case KTI_KEY_MAX_BURST:
		return sprintf(page, "%u\n", p->max_burst);
	case KTI_KEY_FIRST_BURST:
		return sprintf(page, "%u\n", p->first_burst);
	case KTI_KEY_T2W:
		return sprintf(page, "%u\n", p->t2w);
	case KTI_KEY_T2R:
		return sprintf(page, "%u\n", p->t2r);
	case KTI_KEY_MAX_OUTSTANDING_R2T:
		return sprintf(page, "%u\n", p->max_outstanding_r2t);
	case KTI_KEY_DATA_PDU_IN_ORDER:
		return sprintf(page, "%s\n", yn[p->data_pdu_in_order]);
	case KTI_KEY_DATA_SEQ_IN_ORDER:
		return sprintf(page, "%s\n", yn[p->data_seq_in_order]);
	case KTI_KEY_ERL:
		return sprintf(page, "%u\n", p->erl);
	default:
		return 0;
	}
}

/* acls/<name>/param/<key>: the session's value, else the TPG's setting */
ssize_t kti_acl_param(struct kti_acl *acl, enum kti_key key, char *page)
{
	struct kti_tpg *tpg = kti_tpg(acl->acl.tpg);
	struct kti_sess *sess;
	ssize_t n;

	mutex_lock(&tpg->sess_mutex);
	sess = kti_acl_sess(tpg, acl);
	if (sess) {
		n = kti_param_show(&sess->params, key, page);
		mutex_unlock(&tpg->sess_mutex);
		return n;
	}
	mutex_unlock(&tpg->sess_mutex);
	mutex_lock(&kti_mutex);
	n = sprintf(page, "%s\n", tpg->param[key]);
	mutex_unlock(&kti_mutex);
	return n;
}

/* tpgt_N/dynamic_sessions: initiators logged in through demo mode */
int kti_tpg_dynamic_sessions(struct kti_tpg *tpg, char *page)
{
	struct kti_sess *sess;
	int n = 0;

	mutex_lock(&tpg->sess_mutex);
	list_for_each_entry(sess, &tpg->sessions, tpg_entry)
		if (sess->ks && sess->ks->acl->dynamic)
			n += scnprintf(page + n, PAGE_SIZE - n, "%s\n",
				       sess->initiator);
	mutex_unlock(&tpg->sess_mutex);
	return n;
}
