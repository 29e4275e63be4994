// SPDX-License-Identifier: GPL-2.0
/*
 * Login (RFC 7143 section 6): one work item per new connection reads the
 * login requests, runs the security stage (AuthMethod, CHAP) and the
 * operational stage (wire/keys.c), creates or joins the session and
 * starts the connection's threads.
 *
 * Bounds: a login has a deadline (the TPG's attrib/login_timeout from the
 * connection's arrival; KTI_LOGIN_TIMEOUT until the TPG is known), over
 * all its PDUs; at most KTI_MAX_LOGINS connections are in login at once
 * (so none waits for a worker of kti_login_wq), KTI_NP_MAX_LOGINS through
 * one portal and KTI_SRC_MAX_LOGINS of them from one address.  Beyond
 * that a new connection is closed at once.
 *
 * Lifetimes: a login that found its TPG holds a reference on it and is
 * on tpg->logins (rmdir shuts its socket); its session is listed only if
 * the TPG is still open (kti_login_publish()).
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/random.h>
#include <linux/wait.h>
#include <net/sock.h>
#include <net/ipv6.h>
#include "conn.h"

#define KTI_LOGIN_KEYS		256	/* most keys in one login request */
#define KTI_LOGIN_PDU_MAX	8192	/* login PDUs stay under the default */
#define KTI_LOGIN_TIMEOUT	15	/* s, until the TPG's is known */

/* connections in login, in all (at most KTI_MAX_LOGINS) */
static atomic_t kti_nr_logins = ATOMIC_INIT(0);

struct kti_login {
	struct kti_conn *conn;
	u8 isid[KTI_ISID_LEN];
	u16 tsih;
	u16 cid;
	u32 itt;
	u32 cmdsn;
	u32 stat_sn;
	bool first;
	bool discovery;
	bool tpgt_sent;
	bool auth_required;
	bool auth_done;
	bool chap_on;
	char initiator[KTI_IQN_LEN];
	struct kti_tpg *tpg;		/* normal sessions, with a reference */
	unsigned long start;		/* jiffies at arrival */
	struct kti_sess *sess;		/* session joined (TSIH != 0), held */
	struct kt_node_acl *acl;	/* with a reference, or NULL */
	struct kti_auth creds;		/* credentials that apply */
	struct kti_chap chap;
	struct kti_neg neg;
	char cfg[KTI_KEY__COUNT][KTI_VAL_LEN];
	struct kti_kv kvs[KTI_LOGIN_KEYS];
	u32 req_len;
	char *req;			/* conn->rx_buf */
	u32 rsp_len;
	char rsp[KTI_LOGIN_PDU_MAX];
};

static int kti_login_send(struct kti_login *lg, const struct kti_bhs *h,
			  bool transit, u8 nsg, u16 status)
{
	struct kti_sess *sess = lg->sess ?: lg->conn->sess;
	struct kti_login_rsp r = {
		.transit = transit,
		.csg = h->login.csg,
		.nsg = transit ? nsg : 0,
		.ver_max = 0,
		.ver_active = 0,
		.tsih = lg->tsih,
		.itt = lg->itt,
		.statsn = lg->stat_sn++,
		.exp_cmdsn = sess ? READ_ONCE(sess->exp_cmdsn) : lg->cmdsn,
		.max_cmdsn = sess ? kti_sess_max_cmdsn(sess) : lg->cmdsn,
		.status = status,
		.dlength = status ? 0 : lg->rsp_len,
	};
	u8 bhs[KTI_BHS_LEN];
	long left = (long)(lg->conn->login_deadline - jiffies);

	if (left <= 0)
		return -ETIMEDOUT;
	WRITE_ONCE(lg->conn->sock->sk->sk_sndtimeo, left);
	memcpy(r.isid, lg->isid, sizeof(r.isid));
	kti_encode_login_rsp(bhs, &r);
	return kti_send_pdu(lg->conn, bhs, lg->rsp, r.dlength);
}

/* Read one login request; its data is appended to lg->req. */
static int kti_login_recv(struct kti_login *lg, struct kti_bhs *h)
{
	u8 bhs[KTI_BHS_LEN];
	u32 len;
	int ret;

	ret = kti_recv_until(lg->conn, bhs, sizeof(bhs),
			     lg->conn->login_deadline);
	if (ret)
		return ret;
	if (kti_bhs_decode(bhs, h) || h->opcode != KTI_OP_LOGIN_REQ ||
	    h->ahs_len || h->dlength > KTI_LOGIN_PDU_MAX ||
	    lg->req_len + kti_pad4(h->dlength) > KTI_LOGIN_MAX_DATA - 1) {
		pr_warn_ratelimited("bad login PDU from %pISc (opcode %#x, %u bytes)\n",
				    &lg->conn->peer, bhs[0] & 0x3f,
				    h->dlength);
		return -EPROTO;
	}
	len = kti_pad4(h->dlength);
	ret = kti_recv_until(lg->conn, lg->req + lg->req_len, len,
			     lg->conn->login_deadline);
	if (ret)
		return ret;
	lg->req_len += h->dlength;
	return 0;
}

/*
 * Hold @tpg for this login if it is open: referenced and on tpg->logins,
 * where rmdir finds it.  The login's deadline becomes the TPG's.
 * kti_mutex held.
 */
static bool kti_login_hold_tpg(struct kti_login *lg, struct kti_tpg *tpg)
{
	struct kti_conn *conn = lg->conn;
	bool open;

	lockdep_assert_held(&kti_mutex);
	mutex_lock(&tpg->sess_mutex);
	open = tpg->open;
	if (open) {
		kti_tpg_get(tpg);
		list_add_tail(&conn->tpg_login_entry, &tpg->logins);
	}
	mutex_unlock(&tpg->sess_mutex);
	if (!open)
		return false;
	lg->tpg = tpg;
	memcpy(lg->cfg, tpg->param, sizeof(lg->cfg));
	conn->login_deadline = lg->start + tpg->attrib.login_timeout * HZ;
	return true;
}

/* Let go of the TPG (end of login, whatever its outcome). */
static void kti_login_release_tpg(struct kti_login *lg)
{
	struct kti_tpg *tpg = lg->tpg;

	if (!tpg)
		return;
	mutex_lock(&tpg->sess_mutex);
	list_del_init(&lg->conn->tpg_login_entry);
	mutex_unlock(&tpg->sess_mutex);
	lg->tpg = NULL;
	kti_tpg_put(tpg);
}

/* Find the target and the TPG reached through this connection's portal. */
static u16 kti_login_find_tpg(struct kti_login *lg, const char *name)
{
	struct kti_tiqn *tiqn;
	struct kti_tpg_np *tnp;
	struct kti_tpg *tpg;

	mutex_lock(&kti_mutex);
	list_for_each_entry(tiqn, &kti_tiqns, entry) {
		if (strcmp(tiqn->wwn.name, name))
			continue;
		list_for_each_entry(tpg, &tiqn->tpgs, entry) {
			list_for_each_entry(tnp, &tpg->nps, entry) {
				if (tnp->np != lg->conn->np)
					continue;
				if (!kti_login_hold_tpg(lg, tpg))
					break;
				mutex_unlock(&kti_mutex);
				return KTI_LOGIN_SUCCESS;
			}
		}
	}
	mutex_unlock(&kti_mutex);
	pr_info("login from %pISc to unknown target %s\n", &lg->conn->peer,
		name);
	return KTI_LOGIN_NOT_FOUND;
}

/* Which credentials apply and whether CHAP is required. */
static u16 kti_login_authz(struct kti_login *lg)
{
	struct kti_tpg *tpg = lg->tpg;
	struct kti_acl *acl;
	s32 auth;

	lg->acl = kt_acl_get(&tpg->tpg, lg->initiator);
	if (!lg->acl && !tpg->attrib.generate_node_acls) {
		pr_info("initiator %s has no ACL on %s tpgt %u: login refused\n",
			lg->initiator, tpg->tiqn->wwn.name, tpg->tpg.tpgt);
		return KTI_LOGIN_AUTHZ_FAILED;
	}
	mutex_lock(&kti_mutex);
	if (lg->acl && !lg->acl->dynamic) {
		acl = kti_acl(lg->acl);
		auth = acl->attrib.authentication;
		if (auth < 0)
			auth = tpg->attrib.authentication;
		lg->creds = acl->auth;
	} else {
		auth = tpg->attrib.authentication;
		lg->creds = tpg->auth;
	}
	mutex_unlock(&kti_mutex);
	lg->auth_required = auth > 0;
	return KTI_LOGIN_SUCCESS;
}

/* The connection @cid of @sess, or NULL (conn_lock held). */
static struct kti_conn *kti_sess_conn(struct kti_sess *sess, u16 cid)
{
	struct kti_conn *conn;

	list_for_each_entry(conn, &sess->conns, sess_entry)
		if (conn->cid == cid)
			return conn;
	return NULL;
}

/*
 * A login with a TSIH adds a connection to a session (MC/S) or replaces
 * one with the same CID: find the session, hold it and check the
 * connection count.
 */
static u16 kti_login_find_sess(struct kti_login *lg)
{
	struct kti_tpg *tpg = lg->tpg;
	struct kti_sess *sess;
	u16 st = KTI_LOGIN_NO_SESSION;

	mutex_lock(&tpg->sess_mutex);
	list_for_each_entry(sess, &tpg->sessions, tpg_entry) {
		if (sess->tsih != lg->tsih ||
		    strcmp(sess->initiator, lg->initiator) ||
		    memcmp(sess->isid, lg->isid, KTI_ISID_LEN))
			continue;
		spin_lock(&sess->conn_lock);
		if (READ_ONCE(sess->ending) ||
		    (!sess->nr_conns && !READ_ONCE(sess->retaining))) {
			st = KTI_LOGIN_NO_SESSION;	/* it is ending */
		} else if (!kti_sess_conn(sess, lg->cid) &&
			   sess->nr_conns >= sess->params.max_connections) {
			st = KTI_LOGIN_TOO_MANY_CONNS;
		} else {
			kref_get(&sess->kref);
			lg->sess = sess;
			st = KTI_LOGIN_SUCCESS;
		}
		spin_unlock(&sess->conn_lock);
		break;
	}
	mutex_unlock(&tpg->sess_mutex);
	if (st)
		pr_info("%s from %pISc: no connection added to session %u (status %#x)\n",
			lg->initiator, &lg->conn->peer, lg->tsih, st);
	return st;
}

/* Keys of the first request: who is logging in to what. */
static u16 kti_login_first(struct kti_login *lg, const struct kti_bhs *h,
			   unsigned int n)
{
	const char *ini = kti_kv_get(lg->kvs, n, "InitiatorName");
	const char *type = kti_kv_get(lg->kvs, n, "SessionType");
	const char *tgt = kti_kv_get(lg->kvs, n, "TargetName");
	u16 st;

	if (h->login.ver_min > 0)
		return KTI_LOGIN_UNSUPPORTED_VERSION;
	if (!ini || !*ini || strlen(ini) >= KTI_IQN_LEN)
		return KTI_LOGIN_MISSING_PARAM;
	strscpy(lg->initiator, ini, sizeof(lg->initiator));
	if (type && strcmp(type, "Normal") && strcmp(type, "Discovery"))
		return KTI_LOGIN_NO_SESSION_TYPE;
	lg->discovery = type && !strcmp(type, "Discovery");
	if (lg->tsih && lg->discovery)
		return KTI_LOGIN_NO_SESSION;
	if (lg->discovery) {
		mutex_lock(&kti_mutex);
		lg->creds = kti_discovery_auth;
		lg->auth_required = kti_enforce_discovery_auth;
		mutex_unlock(&kti_mutex);
		for (st = 0; st < KTI_KEY__COUNT; st++)
			strscpy(lg->cfg[st], kti_key_default(st), KTI_VAL_LEN);
	} else {
		if (!tgt || !*tgt)
			return KTI_LOGIN_MISSING_PARAM;
		st = kti_login_find_tpg(lg, tgt);
		if (st)
			return st;
		st = kti_login_authz(lg);
		if (st)
			return st;
		if (lg->tsih) {
			st = kti_login_find_sess(lg);
			if (st)
				return st;
		}
	}
	kti_neg_init(&lg->neg, lg->cfg, lg->discovery, !lg->tsih);
	return KTI_LOGIN_SUCCESS;
}

static bool kti_creds_set(const struct kti_auth *a)
{
	return a->userid[0] && a->password[0];
}

/* AuthMethod and CHAP keys of a security stage request. */
static u16 kti_login_security(struct kti_login *lg, unsigned int n)
{
	const char *am = kti_kv_get(lg->kvs, n, "AuthMethod");
	struct kti_chap_creds creds = {
		.userid = lg->creds.userid,
		.password = lg->creds.password,
		.userid_mutual = lg->creds.userid_mutual,
		.password_mutual = lg->creds.password_mutual,
	};
	u8 rnd[KTI_CHAP_RAND_LEN];
	const char *choice;
	u32 len;
	int ret;

	if (am && !lg->chap_on && !lg->auth_done) {
		choice = kti_neg_authmethod(am, kti_creds_set(&lg->creds),
					    !lg->auth_required);
		if (kti_text_append(lg->rsp, sizeof(lg->rsp), &lg->rsp_len,
				    "AuthMethod", choice))
			return KTI_LOGIN_TARGET_ERR;
		if (!strcmp(choice, "None"))
			lg->auth_done = true;
		else if (!strcmp(choice, "CHAP"))
			lg->chap_on = true;
		else
			return KTI_LOGIN_AUTH_FAILED;
		kti_chap_init(&lg->chap);
		return KTI_LOGIN_SUCCESS;
	}
	if (!lg->chap_on || lg->auth_done)
		return KTI_LOGIN_SUCCESS;
	if (kti_kv_get(lg->kvs, n, "CHAP_A")) {
		kti_chap_random(rnd, sizeof(rnd));
		len = sizeof(lg->rsp) - lg->rsp_len;
		ret = kti_chap_start(&lg->chap, lg->kvs, n,
				     kti_chap_crypto_algs(), rnd,
				     lg->rsp + lg->rsp_len, len, &len);
	} else if (kti_kv_get(lg->kvs, n, "CHAP_R")) {
		len = sizeof(lg->rsp) - lg->rsp_len;
		ret = kti_chap_verify(&lg->chap, lg->kvs, n, &creds,
				      &kti_chap_crypto_hash,
				      lg->rsp + lg->rsp_len, len, &len);
		if (!ret)
			lg->auth_done = true;
	} else {
		return KTI_LOGIN_SUCCESS;
	}
	if (ret) {
		pr_warn("CHAP login of %s from %pISc failed: %s\n",
			lg->initiator, &lg->conn->peer,
			kti_chap_strerror(ret));
		return kti_chap_login_status(ret);
	}
	lg->rsp_len += len;
	return KTI_LOGIN_SUCCESS;
}

/* Keys the target adds to the first operational answer. */
static u16 kti_login_declare(struct kti_login *lg)
{
	char tag[8];

	if (lg->discovery || lg->tpgt_sent)
		return KTI_LOGIN_SUCCESS;
	lg->tpgt_sent = true;
	snprintf(tag, sizeof(tag), "%u", lg->tpg->tpg.tpgt);
	if (kti_text_append(lg->rsp, sizeof(lg->rsp), &lg->rsp_len,
			    "TargetPortalGroupTag", tag))
		return KTI_LOGIN_TARGET_ERR;
	if (lg->cfg[KTI_KEY_TARGET_ALIAS][0] &&
	    kti_text_append(lg->rsp, sizeof(lg->rsp), &lg->rsp_len,
			    "TargetAlias", lg->cfg[KTI_KEY_TARGET_ALIAS]))
		return KTI_LOGIN_TARGET_ERR;
	return KTI_LOGIN_SUCCESS;
}

/*
 * One request's keys; decides whether to move on (*transit, *nsg).
 * Returns a login status.
 */
static u16 kti_login_step(struct kti_login *lg, const struct kti_bhs *h,
			  unsigned int n, bool *transit, u8 *nsg)
{
	u32 len;
	u16 st;
	int ret;

	*transit = false;
	*nsg = h->login.nsg;
	if (h->login.csg == KTI_STAGE_SECURITY) {
		st = kti_login_security(lg, n);
		if (st)
			return st;
	} else if (h->login.csg == KTI_STAGE_OPERATIONAL) {
		if (lg->auth_required && !lg->auth_done)
			return KTI_LOGIN_AUTH_FAILED;
		if (kti_kv_get(lg->kvs, n, "AuthMethod") ||
		    kti_kv_get(lg->kvs, n, "CHAP_A"))
			return KTI_LOGIN_INITIATOR_ERR;
	} else {
		return KTI_LOGIN_INITIATOR_ERR;
	}
	st = kti_login_declare(lg);
	if (st)
		return st;
	lg->neg.stage = h->login.csg;
	len = 0;
	ret = kti_neg_keys(&lg->neg, lg->kvs, n, lg->rsp + lg->rsp_len,
			   sizeof(lg->rsp) - lg->rsp_len, &len);
	if (ret)
		goto neg_error;
	lg->rsp_len += len;
	if (!h->login.transit)
		return KTI_LOGIN_SUCCESS;
	if (h->login.csg == KTI_STAGE_SECURITY) {
		if (lg->auth_required && !lg->auth_done)
			return lg->chap_on ? KTI_LOGIN_SUCCESS :
			       KTI_LOGIN_AUTH_FAILED;
		if (lg->chap_on && !lg->auth_done)
			return KTI_LOGIN_SUCCESS;
	}
	if (h->login.nsg == KTI_STAGE_FFP) {
		len = 0;
		ret = kti_neg_finish(&lg->neg, lg->rsp + lg->rsp_len,
				     sizeof(lg->rsp) - lg->rsp_len, &len);
		if (ret < 0)
			goto neg_error;
		lg->rsp_len += len;
		if (ret == 1) {
			if (h->login.csg != KTI_STAGE_SECURITY)
				return KTI_LOGIN_SUCCESS;
			*nsg = KTI_STAGE_OPERATIONAL;
		}
	} else if (h->login.nsg != KTI_STAGE_OPERATIONAL ||
		   h->login.csg != KTI_STAGE_SECURITY) {
		return KTI_LOGIN_INITIATOR_ERR;
	}
	*transit = true;
	return KTI_LOGIN_SUCCESS;

neg_error:
	pr_warn("login of %s from %pISc: negotiation failed (%d%s%s)\n",
		lg->initiator, &lg->conn->peer, ret,
		lg->neg.bad_key ? ", key " : "",
		lg->neg.bad_key ? lg->neg.bad_key : "");
	return ret == -ENOSPC ? KTI_LOGIN_TARGET_ERR : KTI_LOGIN_INITIATOR_ERR;
}

static atomic_t kti_tsih_next = ATOMIC_INIT(0);

static u16 kti_new_tsih(void)
{
	u16 t;

	do {
		t = atomic_inc_return(&kti_tsih_next);
	} while (!t);
	return t;
}

/*
 * Close every listed session of the initiator and ISID of @lg; returns
 * whether one is still listed, or KTI_LOGIN_TARGET_REMOVED in *@st once
 * the TPG is closed (its logins give up).
 */
static bool kti_login_close_old(struct kti_login *lg, u16 *st)
{
	struct kti_tpg *tpg = lg->tpg;
	struct kti_sess *old;
	bool found = false;

	mutex_lock(&tpg->sess_mutex);
	if (!tpg->open)
		*st = KTI_LOGIN_TARGET_REMOVED;
	list_for_each_entry(old, &tpg->sessions, tpg_entry) {
		if (strcmp(old->initiator, lg->initiator) ||
		    memcmp(old->isid, lg->isid, KTI_ISID_LEN))
			continue;
		found = true;
		kti_sess_close(old);	/* again: no harm, nothing joins it */
	}
	mutex_unlock(&tpg->sess_mutex);
	return found && !*st;
}

/* Time left of the login, in jiffies (0: its deadline has passed). */
static long kti_login_left(struct kti_login *lg)
{
	return max(0L, (long)(lg->conn->login_deadline - jiffies));
}

/*
 * Session reinstatement: end the older session of the same initiator and
 * ISID and wait until it is gone, i.e. unlisted from the TPG when its last
 * reference goes (kti_sess_gone_wait, checked under tpg->sess_mutex).  The
 * login's deadline bounds the wait: past it the login fails, and the old
 * session still goes away by its references.
 */
static u16 kti_login_reinstate(struct kti_login *lg)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long left = kti_login_left(lg);
	u16 st = KTI_LOGIN_SUCCESS;
	bool old;

	add_wait_queue(&kti_sess_gone_wait, &wait);
	while ((old = kti_login_close_old(lg, &st)) && left > 0)
		left = wait_woken(&wait, TASK_UNINTERRUPTIBLE, left);
	remove_wait_queue(&kti_sess_gone_wait, &wait);
	if (!old)
		return st;
	pr_warn("reinstatement of %s: the old session is still closing at the end of the login\n",
		lg->initiator);
	return KTI_LOGIN_SERVICE_UNAVAILABLE;
}

/* The connection's own settings: CID, data segment sizes, pings. */
static void kti_login_conn_setup(struct kti_login *lg)
{
	struct kti_conn *conn = lg->conn;

	conn->cid = lg->cid;
	conn->max_recv_dsl = lg->neg.p.max_recv_dsl;
	conn->max_xmit_dsl = lg->neg.p.max_xmit_dsl;
	if (lg->acl && !lg->acl->dynamic) {
		mutex_lock(&kti_mutex);
		conn->nopin_interval = kti_acl(lg->acl)->attrib.nopin_timeout;
		conn->nopin_response =
			kti_acl(lg->acl)->attrib.nopin_response_timeout;
		mutex_unlock(&kti_mutex);
	}
	if (lg->discovery)
		conn->nopin_interval = 0;
}

/* Shut down the connection of @sess with the CID of @lg: still there? */
static bool kti_login_close_old_conn(struct kti_login *lg,
				     struct kti_sess *sess)
{
	struct kti_conn *old;

	spin_lock(&sess->conn_lock);
	old = kti_sess_conn(sess, lg->cid);
	if (old) {
		WRITE_ONCE(old->replaced, true);
		kti_conn_shutdown_async(old);
	}
	spin_unlock(&sess->conn_lock);
	return old;
}

/*
 * Connection reinstatement: a connection with this CID is still in the
 * session; end it and wait until it has left sess->conns (sess->wait,
 * checked under conn_lock), at most until the login's deadline.
 */
static u16 kti_login_reinstate_conn(struct kti_login *lg)
{
	struct kti_sess *sess = lg->sess;
	long left = kti_login_left(lg);

	if (!kti_login_close_old_conn(lg, sess))
		return KTI_LOGIN_SUCCESS;
	if (wait_event_timeout(sess->wait, !kti_login_close_old_conn(lg, sess),
			       left))
		return KTI_LOGIN_SUCCESS;
	pr_warn("reinstatement of connection %u of %s: the old one is still closing at the end of the login\n",
		lg->cid, lg->initiator);
	return KTI_LOGIN_SERVICE_UNAVAILABLE;
}

/*
 * May the session of this login be listed, or the connection stay in the
 * session it joined?  Only while the TPG is open (enable=1, not being
 * removed) and the ACL the session got is still there (rmdir acls/<name>
 * unlists it first).  Checked under tpg->sess_mutex, where disable, rmdir
 * and ACL removal look for what to end: either they find this session or
 * connection, or the check fails here.  A session being ended
 * (kti_sess_close(): sess->ending, set before its connections are shut
 * down under conn_lock, which kti_sess_add_conn() took before this check)
 * takes no new connection either: reinstatement waits for it to go.
 */
static bool kti_login_allowed(struct kti_tpg *tpg, struct kti_sess *sess)
{
	lockdep_assert_held(&tpg->sess_mutex);
	return tpg->open && !list_empty(&sess->ks->acl->tpg_entry) &&
	       !READ_ONCE(sess->ending);
}

/* Add the connection to the session it named (TSIH != 0). */
static u16 kti_login_join(struct kti_login *lg)
{
	struct kti_conn *conn = lg->conn;
	struct kti_sess *sess = lg->sess;
	struct kti_tpg *tpg = lg->tpg;
	bool ok;
	u16 st;

	st = kti_login_reinstate_conn(lg);
	if (st)
		return st;
	kti_login_conn_setup(lg);
	lg->sess = NULL;	/* its reference goes to the connection */
	kti_sess_add_conn(sess, conn);
	mutex_lock(&tpg->sess_mutex);
	ok = kti_login_allowed(tpg, sess);
	mutex_unlock(&tpg->sess_mutex);
	/* refused: kti_login_work() takes the connection out again */
	if (ok)
		return KTI_LOGIN_SUCCESS;
	return READ_ONCE(sess->ending) ? KTI_LOGIN_NO_SESSION :
					 KTI_LOGIN_TARGET_REMOVED;
}

/*
 * List a new session on its TPG; the connection is in it already, so
 * whoever ends the TPG's or the ACL's sessions from now on ends it.
 */
static u16 kti_login_publish(struct kti_login *lg, struct kti_sess *sess)
{
	struct kti_tpg *tpg = lg->tpg;
	bool ok;

	mutex_lock(&tpg->sess_mutex);
	ok = kti_login_allowed(tpg, sess);
	if (ok)
		list_add_tail(&sess->tpg_entry, &tpg->sessions);
	mutex_unlock(&tpg->sess_mutex);
	if (ok)
		return KTI_LOGIN_SUCCESS;
	pr_info("login of %s to %s tpgt %u refused: TPG disabled or removed, or ACL removed\n",
		lg->initiator, tpg->tiqn->wwn.name, tpg->tpg.tpgt);
	return KTI_LOGIN_TARGET_REMOVED;
}

/* Make the session the connection leads. */
static u16 kti_login_session(struct kti_login *lg)
{
	struct kti_conn *conn = lg->conn;
	struct kti_sess *sess;

	if (lg->sess)
		return kti_login_join(lg);

	sess = kti_sess_alloc();
	if (!sess)
		return KTI_LOGIN_NO_RESOURCES;
	sess->discovery = lg->discovery;
	memcpy(sess->isid, lg->isid, KTI_ISID_LEN);
	strscpy(sess->initiator, lg->initiator, sizeof(sess->initiator));
	sess->params = lg->neg.p;
	sess->exp_cmdsn = lg->cmdsn;
	sess->cmdsn_depth = lg->acl ? lg->acl->cmdsn_depth : 64;
	if (!lg->discovery) {
		u16 st = kti_login_reinstate(lg);
		struct kt_pr_tid port;

		if (st) {
			kti_sess_put(sess);
			return st;
		}
		/* the initiator port of persistent reservations */
		if (kt_port_iscsi(&port, lg->initiator, lg->isid)) {
			kti_sess_put(sess);
			return KTI_LOGIN_AUTHZ_FAILED;
		}
		sess->ks = kt_session_create(&lg->tpg->tpg, lg->initiator,
					     &port, sess);
		if (IS_ERR(sess->ks)) {
			sess->ks = NULL;
			kti_sess_put(sess);
			return KTI_LOGIN_AUTHZ_FAILED;
		}
		if (!lg->acl)
			sess->cmdsn_depth = sess->ks->acl->cmdsn_depth;
		kti_tpg_get(lg->tpg);	/* dropped by kti_sess_release() */
		sess->tpg = lg->tpg;
	}
	sess->tsih = kti_new_tsih();
	lg->tsih = sess->tsih;
	kti_login_conn_setup(lg);
	/* refused below: kti_login_work() ends the connection and session */
	kti_sess_add_conn(sess, conn);
	if (!lg->discovery)
		return kti_login_publish(lg, sess);
	return KTI_LOGIN_SUCCESS;
}

/* Run the login to completion; returns 0 when the connection is in FFP. */
static int kti_login_run(struct kti_login *lg)
{
	struct kti_bhs h;
	unsigned int n;
	bool transit;
	u16 st = 0;
	u8 nsg;
	int ret;

	for (;;) {
		ret = kti_login_recv(lg, &h);
		if (ret)
			return ret;
		if (lg->first) {
			memcpy(lg->isid, h.login.isid, KTI_ISID_LEN);
			lg->tsih = h.login.tsih;
			lg->cid = h.login.cid;
			lg->itt = h.itt;
			lg->cmdsn = h.cmdsn;
		}
		lg->itt = h.itt;
		lg->rsp_len = 0;
		if (h.login.cont) {
			/* more text follows: acknowledge with an empty answer */
			ret = kti_login_send(lg, &h, false, 0, 0);
			if (ret)
				return ret;
			continue;
		}
		ret = kti_text_parse(lg->req, lg->req_len, lg->kvs,
				     ARRAY_SIZE(lg->kvs), &n);
		lg->req_len = 0;
		if (ret) {
			pr_warn("login from %pISc: %s\n", &lg->conn->peer,
				kti_text_strerror(ret));
			st = KTI_LOGIN_INITIATOR_ERR;
		} else if (lg->first) {
			st = kti_login_first(lg, &h, n);
			lg->first = false;
		}
		if (!st)
			st = kti_login_step(lg, &h, n, &transit, &nsg);
		if (!st && transit && nsg == KTI_STAGE_FFP)
			st = kti_login_session(lg);
		if (st) {
			kti_login_send(lg, &h, false, 0, st);
			return -EACCES;
		}
		ret = kti_login_send(lg, &h, transit, nsg, 0);
		if (ret)
			return ret;
		if (transit && nsg == KTI_STAGE_FFP) {
			/* digests start with the first full feature PDU */
			lg->conn->hdr_digest = lg->neg.p.header_digest;
			lg->conn->data_digest = lg->neg.p.data_digest;
			lg->conn->stat_sn = lg->stat_sn;
			lg->conn->exp_statsn = lg->stat_sn;
			return 0;
		}
	}
}

/* Is there room for one more login through @np from this peer? */
static bool kti_np_login_room(struct kti_np *np, struct kti_conn *conn)
{
	const struct sockaddr_storage *a = &conn->peer;
	unsigned int same = 0;
	struct kti_conn *c;

	lockdep_assert_held(&np->login_mutex);
	if (np->closed || np->nr_logins >= KTI_NP_MAX_LOGINS)
		return false;
	list_for_each_entry(c, &np->logins, np_login_entry) {
		const struct sockaddr_storage *b = &c->peer;

		if (a->ss_family != b->ss_family)
			continue;
		if (a->ss_family == AF_INET ?
		    ((struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((struct sockaddr_in *)b)->sin_addr.s_addr :
		    ipv6_addr_equal(&((struct sockaddr_in6 *)a)->sin6_addr,
				    &((struct sockaddr_in6 *)b)->sin6_addr))
			same++;
	}
	return same < KTI_SRC_MAX_LOGINS;
}

/* Count a new connection in login, or refuse it (limits above). */
static bool kti_login_admit(struct kti_conn *conn)
{
	struct kti_np *np = conn->np;
	bool ok = false;

	if (atomic_inc_return(&kti_nr_logins) <= KTI_MAX_LOGINS) {
		mutex_lock(&np->login_mutex);
		ok = kti_np_login_room(np, conn);
		if (ok) {
			list_add_tail(&conn->np_login_entry, &np->logins);
			np->nr_logins++;
		}
		mutex_unlock(&np->login_mutex);
	}
	if (!ok)
		atomic_dec(&kti_nr_logins);
	return ok;
}

/* The connection is no longer in login (in full feature phase or gone). */
static void kti_login_leave(struct kti_conn *conn)
{
	struct kti_np *np = conn->np;

	mutex_lock(&np->login_mutex);
	list_del_init(&conn->np_login_entry);
	np->nr_logins--;
	mutex_unlock(&np->login_mutex);
	atomic_dec(&kti_nr_logins);
}

/*
 * kti_np_close_logins - @np stops listening: end the logins in progress
 * through it, and let no more in.
 */
void kti_np_close_logins(struct kti_np *np)
{
	struct kti_conn *conn;

	mutex_lock(&np->login_mutex);
	np->closed = true;
	list_for_each_entry(conn, &np->logins, np_login_entry)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&np->login_mutex);
}

/* Log @conn in, then start it or free it. */
static void kti_login_conn(struct kti_conn *conn)
{
	struct kti_login *lg;
	int ret = -ENOMEM;

	lg = kvzalloc(sizeof(*lg), GFP_KERNEL);
	if (lg) {
		lg->conn = conn;
		lg->req = conn->rx_buf;
		lg->first = true;
		lg->start = conn->login_deadline - KTI_LOGIN_TIMEOUT * HZ;
		get_random_bytes(&lg->stat_sn, sizeof(lg->stat_sn));
		ret = kti_login_run(lg);
		if (lg->acl)
			kt_acl_put(lg->acl);
		if (lg->sess)
			kti_sess_put(lg->sess);
		kti_login_release_tpg(lg);
		kvfree(lg);
	}
	kti_login_leave(conn);
	if (!ret)
		ret = kti_conn_start(conn);
	if (ret) {
		if (conn->sess) {
			struct kti_sess *sess = conn->sess;

			mutex_lock(&sess->seq_mutex);
			kti_sess_del_conn(sess, conn);
			mutex_unlock(&sess->seq_mutex);
			kti_conn_free(conn);
			kti_sess_put(sess);
		} else {
			kti_conn_free(conn);
		}
	}
}

static void kti_login_work(struct work_struct *work)
{
	struct kti_conn *conn = container_of(work, struct kti_conn,
					     login_work);
	unsigned int kcov = kti_kcov_start();

	kti_login_conn(conn);
	kti_kcov_stop(kcov);
}

/* kti_login_accept - a new TCP connection on @np: log it in. */
void kti_login_accept(struct kti_np *np, struct socket *sock)
{
	struct kti_conn *conn = kti_conn_alloc(np, sock);

	if (!conn) {
		sock_release(sock);
		return;
	}
	if (!kti_login_admit(conn)) {
		pr_warn_ratelimited("%pISc: too many connections in login on %pISpc: closed\n",
				    &conn->peer, &np->addr);
		kti_conn_free(conn);
		return;
	}
	conn->login_deadline = jiffies + KTI_LOGIN_TIMEOUT * HZ;
	INIT_WORK(&conn->login_work, kti_login_work);
	queue_work(kti_login_wq, &conn->login_work);
}
