/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sessions, connections and tasks of ktarget_iscsi.
 *
 * Each connection in full feature phase has one receive thread (reads
 * PDUs, receives Data-Out straight into the command's buffer, submits to
 * the core) and one transmit thread (the only writer of the socket after
 * login: R2T, Data-In, responses, NOP-In).  Nothing on the I/O path takes
 * a global lock.
 */
#ifndef KTARGET_ISCSI_CONN_H
#define KTARGET_ISCSI_CONN_H

#include <linux/xarray.h>
#include <linux/wait.h>
#include <linux/kcov.h>
#include "iscsi.h"

#define KTI_MAX_EDTL		(16U << 20)	/* largest buffer we allocate */
#define KTI_LOGIN_MAX_DATA	65536		/* login text over all PDUs */

struct kti_conn;
struct kti_text;

/*
 * Coverage of the target's own threads for the network fuzzer
 * (tests/netfuzz) on a CONFIG_KCOV kernel: while ktarget_iscsi.kcov_id is
 * not 0, each received PDU, each round of the transmit thread and each
 * login is recorded for the KCOV common handle with that instance id,
 * which the fuzzer registers with KCOV_REMOTE_ENABLE
 * (Documentation/dev-tools/kcov.rst).  Sections never nest.  Without
 * CONFIG_KCOV both calls are empty.
 */
extern unsigned int kti_kcov_id;

static inline unsigned int kti_kcov_start(void)
{
	unsigned int id = READ_ONCE(kti_kcov_id);

	if (id)
		kcov_remote_start_common(id);
	return id;
}

static inline void kti_kcov_stop(unsigned int id)
{
	if (id)
		kcov_remote_stop();
}

/* an iSCSI session */
struct kti_sess {
	struct kti_tpg *tpg;		/* NULL for discovery sessions */
	struct kt_session *ks;		/* NULL for discovery sessions */
	bool discovery;
	u8 isid[6];
	u16 tsih;
	char initiator[KTI_IQN_LEN];
	struct kti_sess_params params;
	u32 cmdsn_depth;

	spinlock_t sn_lock;		/* protects exp_cmdsn, @pending, max */
	u32 exp_cmdsn;
	struct list_head pending;	/* kti_cmd.sn_entry, CmdSN ahead */
	u32 max_cmdsn;			/* the highest MaxCmdSN offered */
	bool max_offered;		/* @max_cmdsn is set */
	atomic_t nr_active;		/* SCSI tasks taken on, not answered */
	/*
	 * seq_mutex: tasks are carried out one at a time in CmdSN order,
	 * whichever connection they came on; it also keeps task aborts
	 * (TMF, logout, connection teardown) away from that delivery.
	 * Taken before any connection's rx_mutex.
	 */
	struct mutex seq_mutex;

	spinlock_t conn_lock;		/* protects @conns and @nr_conns */
	struct list_head conns;		/* kti_conn.sess_entry */
	unsigned int nr_conns;
	atomic_t nr_dying;		/* connections being torn down */
	/*
	 * @wait: woken when a connection of the session goes down (its
	 * receive thread ends: kti_conn_kill()), leaves @conns
	 * (kti_sess_del_conn()), when its teardown is over (@nr_dying
	 * drops) and when a task is orphaned (kti_orphan()).  Waiters:
	 * connection reinstatement (a CID leaving @conns, checked under
	 * conn_lock) and TASK REASSIGN (an orphan under orphan_lock, or no
	 * teardown left that could make one).
	 */
	wait_queue_head_t wait;

	/*
	 * ERL 2: tasks of failed connections waiting for TASK REASSIGN, at
	 * most DefaultTime2Retain seconds (retain_work lets them go and
	 * holds a session reference while it is queued).
	 */
	spinlock_t orphan_lock;		/* protects @orphans, @retaining */
	struct list_head orphans;	/* kti_cmd.ack_entry */
	bool retaining;			/* retain_work queued */
	bool ending;			/* no more recovery: let orphans go */
	struct delayed_work retain_work;
	struct list_head tpg_entry;	/* tpg->sessions, under sess_mutex */
	bool doomed;			/* TPG disabled/removed: to be ended */
	struct kref kref;		/* one per connection, one per login */
};

enum kti_conn_state {
	KTI_CONN_LOGIN,
	KTI_CONN_FFP,
	KTI_CONN_LOGOUT,	/* logout received: no new commands */
	KTI_CONN_DEAD,		/* socket error or closed */
};

/* one TCP connection */
struct kti_conn {
	struct socket *sock;
	struct kti_sess *sess;
	struct list_head sess_entry;	/* sess->conns, under conn_lock */
	struct kti_np *np;
	struct sockaddr_storage local;
	struct sockaddr_storage peer;
	u16 cid;
	enum kti_conn_state state;
	bool hdr_digest;
	bool data_digest;
	u32 max_recv_dsl;		/* what we accept in one PDU */
	u32 max_xmit_dsl;		/* what the initiator accepts */

	struct task_struct *rx_thread;
	struct task_struct *tx_thread;

	spinlock_t tx_lock;		/* protects @tx_queue, @tx_items/bytes */
	struct list_head tx_queue;	/* struct kti_tx */
	wait_queue_head_t tx_wait;
	/*
	 * Queued responses (Resource bounds): items and non-SCSI response
	 * bytes; an over-estimate at times (kti_cmd_purge_r2ts), recounted
	 * when over the limit.  The receive thread waits on @tx_room.
	 */
	unsigned int tx_items;
	u32 tx_bytes;
	wait_queue_head_t tx_room;
	u32 stat_sn;			/* next StatSN; tx thread only */
	u32 exp_statsn;			/* initiator's ExpStatSN; rx writes */
	/*
	 * ERL > 0: tasks answered but not yet acknowledged (ExpStatSN), kept
	 * for SNACK, in StatSN order.  Transmit thread only.
	 */
	struct list_head retained;	/* kti_cmd.ack_entry */
	unsigned int nr_retained;

	/*
	 * rx_mutex: held by the receive thread while it fills a task of
	 * @cmds with Data-Out; whoever frees a task of @cmds from another
	 * thread takes it (after sess->seq_mutex).
	 */
	struct mutex rx_mutex;
	struct xarray cmds;		/* ITT -> kti_cmd receiving Data-Out */
	atomic_t nr_cmds;		/* tasks not yet released */
	wait_queue_head_t cmds_wait;
	atomic_t next_ttt;		/* Target Transfer Tags */
	bool logged_out;		/* ended by a Logout: nothing to recover */
	bool recover;			/* ERL 2 teardown: keep its tasks */
	bool replaced;			/* by a login with its CID */

	void *rx_buf;			/* non-SCSI data segments */
	struct kti_text *text;		/* Text exchange; rx thread only */
	struct work_struct login_work;
	/* login: its deadline, on np->logins and on tpg->logins */
	unsigned long login_deadline;	/* jiffies */
	struct list_head np_login_entry;
	struct list_head tpg_login_entry;
	struct list_head all_entry;	/* every connection (module exit) */
	struct work_struct shutdown_work;	/* kti_conn_shutdown_async() */
	struct work_struct release_work;

	/* tasks of @cmds whose Data-Out is late end the connection */
	struct delayed_work dataout_work;

	/* target pings (NOP-In) while the connection is up */
	struct delayed_work nopin_work;
	u32 nopin_interval;		/* s; 0 = no pings */
	u32 nopin_response;		/* s to answer a ping */
	u32 ping_ttt;			/* tag of the ping in flight, or 0 */
	unsigned long ping_sent;	/* jiffies */

	/* the target ends the session: Async Message, then close */
	bool drop_announced;		/* under tx_lock; never reset */
	struct kti_tx *drop_tx;		/* queued once, freed with conn */
};

/* What the transmit thread sends next for a task. */
enum kti_tx_type {
	KTI_TX_R2T,
	KTI_TX_SCSI_RSP,	/* Data-In (if any) then SCSI Response */
	KTI_TX_NOPIN,
	KTI_TX_TEXT_RSP,
	KTI_TX_TMF_RSP,
	KTI_TX_LOGOUT_RSP,
	KTI_TX_REJECT,
	KTI_TX_ASYNC,		/* conn->drop_tx: drop announced, then close */
	KTI_TX_PING,		/* target NOP-In asking for a NOP-Out */
	KTI_TX_SNACK,		/* resend what a SNACK asks for */
};

/* one queued transmission */
struct kti_tx {
	struct list_head entry;		/* conn->tx_queue */
	enum kti_tx_type type;
	struct kti_cmd *cmd;		/* owning task, or NULL */
	u32 offset;			/* R2T: buffer offset */
	u32 length;			/* R2T: desired length */
	u32 r2tsn;			/* R2T: its R2TSN */
	u32 ttt;			/* R2T, PING: target transfer tag */
	u32 itt;			/* R2T: copied, the task may go */
	u8 lun[8];			/* R2T: copied too */
};

/* one task: a SCSI command or any other request needing a response */
struct kti_cmd {
	struct kt_cmd kc;		/* must be first */
	struct kti_conn *conn;
	u8 opcode;
	bool immediate;
	u32 itt;
	u32 ttt;
	u32 cmdsn;
	u32 edtl;
	u8 lun[8];
	/*
	 * A SCSI command goes to the core when both its turn in CmdSN order
	 * has come and its data is in: one gate each, whoever opens the
	 * last one submits it.
	 */
	atomic_t gates;
	bool sequenced;			/* delivered or queued in CmdSN order */
	bool aborted;			/* drop it when its turn comes */

	/*
	 * Data-Out of a write lands in the core's buffer (kc.sgl, the first
	 * @want bytes); @xfer bytes come in all (unsolicited data the core
	 * does not want is read and dropped).  @sgl: a read's Data-In kept
	 * after the core let it go (SNACK at ERL > 0).
	 */
	struct scatterlist *sgl;
	unsigned int nents;
	u32 want;			/* bytes kept, kt_cmd_data_out_len() */
	u32 xfer;			/* bytes of Data-Out taken, <= edtl */
	u32 data_done;			/* bytes received */
	u32 r2t_next;			/* offset of the next R2T to send */
	u32 r2t_sn;			/* next R2TSN */
	u32 r2t_base_sn;		/* first R2T of the current run ... */
	u32 r2t_base_off;		/* ... and its offset (R2T SNACK) */
	bool recovering;		/* recovery R2Ts sent: old data is stale */
	u32 r2t_open;			/* R2Ts sent, data not all in */
	unsigned long data_at;		/* jiffies: last Data-Out (in @cmds) */
	bool active;			/* counted in sess->nr_active */
	u32 exp_datasn;			/* within the current sequence */
	u32 seq_end;			/* end offset of the current burst */

	/* response of a non-SCSI task */
	u8 rsp_code;
	u8 rsp_ari[3];			/* TMF: additional response info */
	u8 *rsp_data;
	u32 rsp_len;

	u32 datasn;			/* Data-In PDUs sent, tx thread */
	u32 statsn;			/* StatSN of its response */
	u32 snack_tag;			/* of the last R-Data SNACK */
	bool retained;			/* on conn->retained */
	struct list_head ack_entry;	/* conn->retained or sess->orphans */
	/* ERL 2 connection recovery */
	bool kc_released;		/* the core is done with it */
	bool unsent;			/* its answer never went out */
	bool wants_data;		/* orphaned while waiting for Data-Out */
	u16 old_cid;			/* connection it was orphaned from */
	u32 resume_datasn;		/* TASK REASSIGN: resend Data-In from */
	unsigned long orphaned_at;	/* jiffies */
	struct kti_tx tx;		/* the response, queued once */
	struct list_head sn_entry;	/* sess->pending */
	u8 bhs[48];			/* request header, for Reject */
	struct kti_bhs hdr;		/* SCSI Command, decoded */
};

static inline struct kti_cmd *kti_cmd(struct kt_cmd *kc)
{
	return container_of(kc, struct kti_cmd, kc);
}

extern struct kmem_cache *kti_cmd_cache;
extern struct kmem_cache *kti_tx_cache;
extern struct kmem_cache *kti_sess_cache;
extern struct kmem_cache *kti_conn_cache;
extern struct workqueue_struct *kti_wq;	/* release, ERL 2 retain */
extern struct workqueue_struct *kti_login_wq;	/* logins, one per conn */
extern struct workqueue_struct *kti_ping_wq;	/* NOP-In pings */
/*
 * kti_sess_gone_wait: woken when a session is unlisted from its TPG's
 * tpg->sessions (its last reference went) and when a TPG closes
 * (tpg->open cleared); session reinstatement waits on it, checking both
 * under tpg->sess_mutex.
 */
extern wait_queue_head_t kti_sess_gone_wait;
/*
 * kti_conn_dead_wait: woken whenever a connection goes KTI_CONN_DEAD
 * (kti_conn_kill()); ending sessions with an Async Message first waits
 * on it for the announced connections to close (target.c).
 */
extern wait_queue_head_t kti_conn_dead_wait;

/* Resource bounds (Documentation/iscsi.rst) */
#define KTI_MAX_LOGINS		256	/* connections in login, in all */
#define KTI_NP_MAX_LOGINS	64	/* ... through one portal */
#define KTI_SRC_MAX_LOGINS	16	/* ... from one address per portal */
#define KTI_TXQ_MAX_ITEMS	512	/* queued responses: stop reading */
#define KTI_TXQ_MAX_BYTES	(4U << 20)	/* ... or response bytes */
#define KTI_TXQ_STALL_SECS	30	/* not drained in time: drop */

/* login.c */
void kti_login_accept(struct kti_np *np, struct socket *sock);
void kti_np_close_logins(struct kti_np *np);

/* conn.c */
struct kti_conn *kti_conn_alloc(struct kti_np *np, struct socket *sock);
void kti_conn_free(struct kti_conn *conn);
int kti_conn_start(struct kti_conn *conn);
void kti_conn_kill(struct kti_conn *conn);
void kti_conn_shutdown_async(struct kti_conn *conn);
void kti_conn_ping_answer(struct kti_conn *conn, u32 ttt);
int kti_recv_full(struct kti_conn *conn, void *buf, u32 len);
int kti_recv_until(struct kti_conn *conn, void *buf, u32 len,
		   unsigned long deadline);
int kti_send_pdu(struct kti_conn *conn, const u8 *bhs, const void *data,
		 u32 dlen);
void kti_tx_queue(struct kti_conn *conn, struct kti_tx *tx);
void kti_tx_account(struct kti_conn *conn, struct kti_tx *tx);
u32 kti_sgl_crc(struct scatterlist *sgl, unsigned int nents, u32 off, u32 len,
		u32 crc);
int kti_recv_sgl(struct kti_conn *conn, struct scatterlist *sgl,
		 unsigned int nents, u32 off, u32 len);
int kti_send_sgl_pdu(struct kti_conn *conn, const u8 *bhs,
		     struct scatterlist *sgl, unsigned int nents, u32 off,
		     u32 len);
struct kti_sess *kti_sess_alloc(void);
void kti_sess_put(struct kti_sess *sess);
void kti_sess_add_conn(struct kti_sess *sess, struct kti_conn *conn);
void kti_sess_del_conn(struct kti_sess *sess, struct kti_conn *conn);
void kti_sess_close(struct kti_sess *sess);
void kti_conns_end(void);

/* cmd.c */
int kti_rx_pdu(struct kti_conn *conn, const u8 *bhs, const struct kti_bhs *h);
struct kti_cmd *kti_cmd_alloc(struct kti_conn *conn, const u8 *bhs,
			      const struct kti_bhs *h);
int kti_rx_bad_pdu(struct kti_conn *conn, const u8 *bhs,
		   const struct kti_bhs *h);
void kti_sess_drop_held(struct kti_sess *sess);
void kti_cmd_free(struct kti_cmd *cmd);
void kti_conn_abort_cmds(struct kti_conn *conn);
int kti_reject(struct kti_conn *conn, const u8 *bhs, const struct kti_bhs *h,
	       u8 reason);
int kti_queue_r2t(struct kti_cmd *cmd, u32 off, u32 len, u32 sn);
int kti_cmd_r2ts(struct kti_cmd *cmd);
void kti_cmd_purge_r2ts(struct kti_cmd *cmd);
u32 kti_new_ttt(struct kti_conn *conn);
void kti_dataout_work(struct work_struct *work);
void kti_dataout_arm(struct kti_conn *conn);
u32 kti_sess_max_cmdsn(struct kti_sess *sess);
bool kti_logout_closes(const struct kti_cmd *cmd);

/* tx.c */
void kti_tx_item(struct kti_conn *conn, struct kti_tx *tx);
int kti_tx_data_in(struct kti_conn *conn, struct kti_cmd *cmd, u32 first,
		   u32 last);
int kti_tx_scsi_rsp(struct kti_conn *conn, struct kti_cmd *cmd, bool resend);
int kti_tx_resend_status(struct kti_conn *conn, struct kti_cmd *cmd);
int kti_tx_simple(struct kti_conn *conn, struct kti_cmd *cmd,
		  enum kti_tx_type type, bool resend);

/* erl.c */
void kti_retain(struct kti_conn *conn, struct kti_cmd *cmd);
void kti_release_acked(struct kti_conn *conn);
void kti_release_retained(struct kti_conn *conn);
int kti_tx_snack(struct kti_conn *conn, struct kti_cmd *snack);
int kti_rx_snack(struct kti_conn *conn, const u8 *bhs,
		 const struct kti_bhs *h);
int kti_cmd_recover(struct kti_conn *conn, struct kti_cmd *cmd);
void kti_orphan(struct kti_conn *conn, struct kti_cmd *cmd);
void kti_conn_orphan_retained(struct kti_conn *conn);
void kti_retain_work(struct work_struct *work);
void kti_sess_stop_recovery(struct kti_sess *sess);
bool kti_sess_has_orphans(struct kti_sess *sess, int cid);
u8 kti_tmf_reassign(struct kti_cmd *tmf, struct kti_cmd **task);
void kti_reassign_start(struct kti_conn *conn, struct kti_cmd *cmd);

/* target.c */
void kti_tpg_drop_sessions_notice(struct kti_tpg *tpg);
void kti_target_drop(struct kti_tiqn *tiqn);
u8 kti_tmf_target_reset(struct kti_conn *conn, bool cold);

/* text.c */
u8 kti_text_check(struct kti_conn *conn, const struct kti_bhs *h);
int kti_text_answer(struct kti_conn *conn, const struct kti_bhs *h,
		    char *data, struct kti_cmd *cmd);
void kti_text_end(struct kti_conn *conn);

/* discovery.c */
int kti_sendtargets(struct kti_conn *conn, const char *what, char *buf,
		    u32 size);

#endif /* KTARGET_ISCSI_CONN_H */
