// SPDX-License-Identifier: GPL-2.0
/*
 * tpg.c - LUNs, ACLs with their mapped LUNs, and sessions of a TPG.
 *
 * Lifetimes: a kt_lun lives as long as its configfs item; while linked to
 * a device its percpu ref is live and every command holds one count.  A
 * kt_mapped_lun is refcounted (the ACL's entry plus one per command) and
 * freed after an RCU grace period, so the I/O path looks it up under RCU.
 * A kt_node_acl is refcounted by configfs (static ACLs) and its sessions.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

/* ---------------- LUNs ---------------- */

static void kt_lun_ref_release(struct percpu_ref *ref)
{
	struct kt_lun *lun = container_of(ref, struct kt_lun, ref);

	complete(&lun->drained);
}

struct kt_lun *kt_lun_alloc(struct kt_tpg *tpg, u64 index)
{
	struct kt_lun *lun;
	int ret;

	lun = kmem_cache_zalloc(kt_lun_cache, GFP_KERNEL);
	if (!lun)
		return ERR_PTR(-ENOMEM);
	ret = percpu_ref_init(&lun->ref, kt_lun_ref_release,
			      PERCPU_REF_INIT_DEAD, GFP_KERNEL);
	if (ret) {
		kmem_cache_free(kt_lun_cache, lun);
		return ERR_PTR(ret);
	}
	lun->tpg = tpg;
	lun->index = index;
	init_completion(&lun->drained);
	INIT_LIST_HEAD(&lun->dev_entry);
	ret = xa_insert(&tpg->luns, index, lun, GFP_KERNEL);
	if (ret) {
		percpu_ref_exit(&lun->ref);
		kmem_cache_free(kt_lun_cache, lun);
		return ERR_PTR(ret == -EBUSY ? -EEXIST : ret);
	}
	return lun;
}

void kt_lun_free(struct kt_lun *lun)
{
	xa_erase(&lun->tpg->luns, lun->index);
	percpu_ref_exit(&lun->ref);
	kmem_cache_free(kt_lun_cache, lun);
}

static struct kt_mapped_lun *kt_mlun_new(struct kt_node_acl *acl, u64 mapped)
{
	struct kt_mapped_lun *mlun;
	int ret;

	mlun = kmem_cache_zalloc(kt_mlun_cache, GFP_KERNEL);
	if (!mlun)
		return ERR_PTR(-ENOMEM);
	mlun->acl = acl;
	mlun->mapped = mapped;
	kref_init(&mlun->kref);
	ret = xa_insert(&acl->mapped, mapped, mlun, GFP_KERNEL);
	if (ret) {
		kmem_cache_free(kt_mlun_cache, mlun);
		return ERR_PTR(ret == -EBUSY ? -EEXIST : ret);
	}
	ret = kt_ua_map(acl, mapped);
	if (ret) {
		kt_ua_unmap(acl, mapped);
		xa_erase(&acl->mapped, mapped);
		kmem_cache_free(kt_mlun_cache, mlun);
		return ERR_PTR(ret);
	}
	return mlun;
}

static void kt_mlun_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(kt_mlun_cache,
			container_of(rcu, struct kt_mapped_lun, rcu));
}

static void kt_mlun_release(struct kref *kref)
{
	struct kt_mapped_lun *mlun = container_of(kref, struct kt_mapped_lun,
						  kref);

	call_rcu(&mlun->rcu, kt_mlun_free_rcu);
}

void kt_mlun_put(struct kt_mapped_lun *mlun)
{
	kref_put(&mlun->kref, kt_mlun_release);
}

/*
 * Remove @mlun from its ACL's table and its sessions' unit attentions and
 * drop the table's reference (kt_cfg_mutex held, or no session left).
 */
static void kt_mlun_remove(struct kt_mapped_lun *mlun)
{
	kt_ua_unmap(mlun->acl, mlun->mapped);
	xa_erase(&mlun->acl->mapped, mlun->mapped);
	kt_mlun_put(mlun);
}

/* Tell every session of @tpg, on each LUN, that the inventory changed. */
static void kt_tpg_luns_changed(struct kt_tpg *tpg)
{
	struct kt_node_acl *acl;

	list_for_each_entry(acl, &tpg->acls, tpg_entry)
		kt_ua_acl_all(acl, KT_UA_LUNS_CHANGED);
}

/* Give dynamic ACL @acl a mapping for @lun. */
static void kt_acl_map_dynamic(struct kt_node_acl *acl, struct kt_lun *lun)
{
	struct kt_mapped_lun *mlun;

	mlun = kt_mlun_new(acl, lun->index);
	if (IS_ERR(mlun)) {
		pr_warn("%s: cannot map LUN %llu: %ld\n", acl->name, lun->index,
			PTR_ERR(mlun));
		return;
	}
	mlun->write_protect = acl->tpg->demo_mode_write_protect;
	WRITE_ONCE(mlun->lun, lun);
}

/* Give every dynamic ACL of @tpg a mapping for @lun. */
static void kt_tpg_map_dynamic(struct kt_tpg *tpg, struct kt_lun *lun)
{
	struct kt_node_acl *acl;

	list_for_each_entry(acl, &tpg->acls, tpg_entry)
		if (acl->dynamic)
			kt_acl_map_dynamic(acl, lun);
}

static void kt_tpg_unmap_dynamic(struct kt_tpg *tpg, struct kt_lun *lun)
{
	struct kt_mapped_lun *mlun;
	struct kt_node_acl *acl;

	list_for_each_entry(acl, &tpg->acls, tpg_entry) {
		if (!acl->dynamic)
			continue;
		mlun = xa_load(&acl->mapped, lun->index);
		if (mlun && mlun->lun == lun) {
			WRITE_ONCE(mlun->lun, NULL);
			kt_mlun_remove(mlun);
		}
	}
}

int kt_lun_link(struct kt_lun *lun, struct kt_dev *dev)
{
	lockdep_assert_held(&kt_cfg_mutex);
	if (lun->linked) {
		pr_err("lun_%llu already has a storage object\n", lun->index);
		return -EEXIST;
	}
	if (!dev->configured) {
		pr_err("%s is not enabled: cannot export it\n", dev->name);
		return -ENODEV;
	}
	lun->dev = dev;
	if (!++dev->rtpi_next)
		dev->rtpi_next = 1;
	lun->rtpi = dev->rtpi_next;
	if (kt_alua_lun_linked(lun)) {
		lun->dev = NULL;
		return -ENOSPC;
	}
	dev->export_count++;
	list_add_tail(&lun->dev_entry, &dev->luns);
	reinit_completion(&lun->drained);
	percpu_ref_resurrect(&lun->ref);
	lun->linked = true;
	kt_tpg_luns_changed(lun->tpg);
	kt_tpg_map_dynamic(lun->tpg, lun);
	kt_pr_lun_linked(lun);
	return 0;
}

/*
 * The commands on @lun that have not run let it go (kt_cmd_lun_gone()):
 * those waiting for an initiator's Data-Out or CmdSN (kt_cfg_mutex held).
 */
static void kt_lun_abort_waiting(struct kt_lun *lun)
{
	struct kt_session *s;
	struct kt_cmd *cmd;
	unsigned long flags;

	spin_lock(&lun->tpg->lock);
	list_for_each_entry(s, &lun->tpg->sessions, tpg_entry) {
		spin_lock_irqsave(&s->lock, flags);
		list_for_each_entry(cmd, &s->cmds, sess_entry)
			if (READ_ONCE(cmd->klun) == lun)
				kt_cmd_lun_gone(cmd);
		spin_unlock_irqrestore(&s->lock, flags);
	}
	spin_unlock(&lun->tpg->lock);
}

/*
 * kt_lun_unlink - take the device away from @lun and wait for the LUN's
 * commands in the backstore to finish (those waiting for the initiator
 * are aborted).  kt_cfg_mutex is dropped while waiting so that commands
 * which need it can complete.
 */
void kt_lun_unlink(struct kt_lun *lun)
{
	lockdep_assert_held(&kt_cfg_mutex);
	if (!lun->linked)
		return;
	lun->linked = false;
	kt_tpg_unmap_dynamic(lun->tpg, lun);
	kt_tpg_luns_changed(lun->tpg);
	percpu_ref_kill(&lun->ref);
	kt_lun_abort_waiting(lun);
	mutex_unlock(&kt_cfg_mutex);
	wait_for_completion(&lun->drained);
	mutex_lock(&kt_cfg_mutex);
	kt_pr_lun_unlinked(lun->dev, lun);
	kt_res_lun_gone(lun);
	kt_ts_aca_end(lun->dev, 0, lun->rtpi);	/* its nexuses are lost */
	kt_alua_lun_unlinked(lun);
	list_del_init(&lun->dev_entry);
	lun->dev->export_count--;
	lun->dev = NULL;
}

/* ---------------- ACLs ---------------- */

static struct kt_node_acl *kt_acl_find(struct kt_tpg *tpg, const char *name)
{
	struct kt_node_acl *acl;

	list_for_each_entry(acl, &tpg->acls, tpg_entry)
		if (!strcmp(acl->name, name))
			return acl;
	return NULL;
}

static struct kt_node_acl *kt_acl_new(struct kt_tpg *tpg, const char *name,
				      bool dynamic)
{
	const struct kt_fabric_ops *ops = tpg->wwn->fabric->ops;
	struct kt_node_acl *acl;
	struct kt_lun *lun;
	unsigned long idx;

	acl = kzalloc(ops->node_acl_size ?: sizeof(*acl), GFP_KERNEL);
	if (!acl)
		return ERR_PTR(-ENOMEM);
	acl->tpg = tpg;
	strscpy(acl->name, name, sizeof(acl->name));
	acl->dynamic = dynamic;
	acl->cmdsn_depth = tpg->default_cmdsn_depth;
	xa_init(&acl->mapped);
	INIT_LIST_HEAD(&acl->sessions);
	kref_init(&acl->kref);
	if (ops->init_acl)
		ops->init_acl(acl);
	list_add_tail(&acl->tpg_entry, &tpg->acls);
	if (dynamic) {
		xa_for_each(&tpg->luns, idx, lun)
			if (lun->linked)
				kt_acl_map_dynamic(acl, lun);
	}
	return acl;
}

struct kt_node_acl *kt_acl_alloc(struct kt_tpg *tpg, const char *name,
				 bool dynamic)
{
	struct kt_node_acl *acl;

	if (!*name || strlen(name) >= KT_NAME_LEN) {
		pr_err("initiator name empty or longer than %d bytes\n",
		       KT_NAME_LEN - 1);
		return ERR_PTR(-EINVAL);
	}
	mutex_lock(&kt_cfg_mutex);
	acl = kt_acl_find(tpg, name);
	if (acl) {
		mutex_unlock(&kt_cfg_mutex);
		pr_err("%s: an ACL (%s) exists already; end its demo-mode session first\n",
		       name, acl->dynamic ? "dynamic" : "static");
		return ERR_PTR(-EEXIST);
	}
	acl = kt_acl_new(tpg, name, dynamic);
	mutex_unlock(&kt_cfg_mutex);
	return acl;
}

static void kt_acl_unlist(struct kref *kref)
{
	struct kt_node_acl *acl = container_of(kref, struct kt_node_acl, kref);

	list_del_init(&acl->tpg_entry);	/* a removed ACL is unlisted already */
}

/* Drop a reference; the last one unlists the ACL and frees it. */
void kt_acl_put(struct kt_node_acl *acl)
{
	struct kt_mapped_lun *mlun;
	unsigned long idx;
	int last;

	mutex_lock(&kt_cfg_mutex);
	last = kref_put(&acl->kref, kt_acl_unlist);
	mutex_unlock(&kt_cfg_mutex);
	if (!last)
		return;
	xa_for_each(&acl->mapped, idx, mlun) {
		WRITE_ONCE(mlun->lun, NULL);
		kt_mlun_remove(mlun);
	}
	xa_destroy(&acl->mapped);
	kfree(acl);
}
EXPORT_SYMBOL_GPL(kt_acl_put);

struct kt_node_acl *kt_acl_get(struct kt_tpg *tpg, const char *initiator)
{
	struct kt_node_acl *acl;

	mutex_lock(&kt_cfg_mutex);
	acl = kt_acl_find(tpg, initiator);
	if (acl)
		kref_get(&acl->kref);
	mutex_unlock(&kt_cfg_mutex);
	return acl;
}
EXPORT_SYMBOL_GPL(kt_acl_get);

/*
 * The configfs directory of a static ACL is going away: unlisted at once,
 * so that no login gets it any more and mkdir may make it anew, and its
 * sessions are ended by the fabric.  The ACL is freed with its last
 * reference (configfs, sessions).
 */
void kt_acl_remove(struct kt_node_acl *acl)
{
	const struct kt_fabric_ops *ops = acl->tpg->wwn->fabric->ops;

	mutex_lock(&kt_cfg_mutex);
	list_del_init(&acl->tpg_entry);
	mutex_unlock(&kt_cfg_mutex);
	if (ops->close_acl_sessions)
		ops->close_acl_sessions(acl);
}

/* ---------------- mapped LUNs (configfs) ---------------- */

struct kt_mapped_lun *kt_mlun_alloc(struct kt_node_acl *acl, u64 mapped)
{
	struct kt_mapped_lun *mlun;

	mutex_lock(&kt_cfg_mutex);
	mlun = kt_mlun_new(acl, mapped);
	mutex_unlock(&kt_cfg_mutex);
	return mlun;
}

void kt_mlun_free(struct kt_mapped_lun *mlun)
{
	mutex_lock(&kt_cfg_mutex);
	WRITE_ONCE(mlun->lun, NULL);
	kt_mlun_remove(mlun);
	mutex_unlock(&kt_cfg_mutex);
}

int kt_mlun_link(struct kt_mapped_lun *mlun, struct kt_lun *lun)
{
	lockdep_assert_held(&kt_cfg_mutex);
	if (mlun->lun) {
		pr_err("mapped LUN %llu is already linked\n", mlun->mapped);
		return -EEXIST;
	}
	if (!lun->linked) {
		pr_err("lun_%llu has no storage object: link one first\n",
		       lun->index);
		return -ENODEV;
	}
	kt_ua_acl_all(mlun->acl, KT_UA_LUNS_CHANGED);
	if (READ_ONCE(lun->tpg->prod_mode_write_protect))
		WRITE_ONCE(mlun->write_protect, true);
	WRITE_ONCE(mlun->lun, lun);
	return 0;
}

/* prod_mode_write_protect: a static ACL's LUNs become read-only. */
static void kt_acl_prod_write_protect(struct kt_node_acl *acl)
{
	struct kt_mapped_lun *mlun;
	unsigned long idx;

	lockdep_assert_held(&kt_cfg_mutex);
	if (acl->dynamic || !READ_ONCE(acl->tpg->prod_mode_write_protect))
		return;
	xa_for_each(&acl->mapped, idx, mlun)
		WRITE_ONCE(mlun->write_protect, true);
}

void kt_mlun_unlink(struct kt_mapped_lun *mlun)
{
	lockdep_assert_held(&kt_cfg_mutex);
	WRITE_ONCE(mlun->lun, NULL);
	kt_ua_acl_all(mlun->acl, KT_UA_LUNS_CHANGED);
}

/* ---------------- sessions ---------------- */

/*
 * The ACL a new session of @initiator joins, with a reference: its static
 * or dynamic ACL, or a new dynamic one in demo mode (kt_cfg_mutex held).
 */
static struct kt_node_acl *kt_sess_acl(struct kt_tpg *tpg,
				       const char *initiator)
{
	struct kt_node_acl *acl = kt_acl_find(tpg, initiator);

	if (acl) {
		kref_get(&acl->kref);
		return acl;
	}
	if (tpg->generate_node_acls && strlen(initiator) < KT_NAME_LEN &&
	    *initiator)
		return kt_acl_new(tpg, initiator, true);
	pr_info("initiator %s has no ACL on %s tpgt %u: refused\n",
		initiator, tpg->wwn->name, tpg->tpgt);
	return ERR_PTR(-EACCES);
}

/*
 * List @sess in its ACL and TPG, with its unit attentions (POWER ON on
 * every LUN: a new I_T nexus).  kt_cfg_mutex held.
 */
static int kt_sess_join(struct kt_session *sess, struct kt_node_acl *acl)
{
	int ret = kt_ua_sess_init(sess, acl);

	if (ret)
		return ret;
	list_add_tail(&sess->acl_entry, &acl->sessions);
	kt_acl_prod_write_protect(acl);
	spin_lock(&sess->tpg->lock);
	list_add_tail(&sess->tpg_entry, &sess->tpg->sessions);
	spin_unlock(&sess->tpg->lock);
	return 0;
}

struct kt_session *kt_session_create(struct kt_tpg *tpg, const char *initiator,
				     const struct kt_pr_tid *port,
				     void *fabric_priv)
{
	static atomic64_t kt_sid;
	struct kt_node_acl *acl;
	struct kt_session *sess;
	int ret;

	sess = kmem_cache_zalloc(kt_sess_cache, GFP_KERNEL);
	if (!sess)
		return ERR_PTR(-ENOMEM);
	sess->tpg = tpg;
	sess->fabric_priv = fabric_priv;
	sess->port = *port;
	sess->sid = atomic64_inc_return(&kt_sid);
	spin_lock_init(&sess->lock);
	INIT_LIST_HEAD(&sess->cmds);
	init_waitqueue_head(&sess->idle);
	mutex_lock(&kt_cfg_mutex);
	acl = kt_sess_acl(tpg, initiator);
	if (IS_ERR(acl)) {
		mutex_unlock(&kt_cfg_mutex);
		kmem_cache_free(kt_sess_cache, sess);
		return ERR_CAST(acl);
	}
	sess->acl = acl;
	ret = kt_sess_join(sess, acl);
	mutex_unlock(&kt_cfg_mutex);
	if (ret) {
		kt_acl_put(acl);
		kmem_cache_free(kt_sess_cache, sess);
		return ERR_PTR(ret);
	}
	return sess;
}
EXPORT_SYMBOL_GPL(kt_session_create);

static bool kt_sess_idle(struct kt_session *sess)
{
	bool idle;

	spin_lock_irq(&sess->lock);
	idle = list_empty(&sess->cmds);
	spin_unlock_irq(&sess->lock);
	return idle;
}

void kt_session_destroy(struct kt_session *sess)
{
	struct kt_tpg *tpg = sess->tpg;

	kt_session_abort_blocked(sess);
	wait_event(sess->idle, kt_sess_idle(sess));
	spin_lock(&tpg->lock);
	list_del(&sess->tpg_entry);
	spin_unlock(&tpg->lock);
	mutex_lock(&kt_cfg_mutex);
	kt_res_sess_gone(sess);
	kt_ts_aca_sess_gone(sess);
	list_del(&sess->acl_entry);
	mutex_unlock(&kt_cfg_mutex);
	kt_ua_sess_exit(sess);
	kt_acl_put(sess->acl);
	kmem_cache_free(kt_sess_cache, sess);
}
EXPORT_SYMBOL_GPL(kt_session_destroy);

/*
 * kt_sess_lookup_lun - the session's mapping of @lun with a reference on
 * it and on its kt_lun, or NULL when the LUN is not accessible.
 */
struct kt_mapped_lun *kt_sess_lookup_lun(struct kt_session *sess, u64 lun)
{
	struct kt_mapped_lun *mlun;
	struct kt_lun *klun;

	rcu_read_lock();
	mlun = xa_load(&sess->acl->mapped, lun);
	if (!mlun || !kref_get_unless_zero(&mlun->kref)) {
		rcu_read_unlock();
		return NULL;
	}
	klun = READ_ONCE(mlun->lun);
	if (!klun || !percpu_ref_tryget_live(&klun->ref)) {
		rcu_read_unlock();
		kt_mlun_put(mlun);
		return NULL;
	}
	rcu_read_unlock();
	return mlun;
}

/* Encode LUN @index in SAM-5 single-level format into @out[8]. */
static void kt_lun_encode(u64 index, u8 *out)
{
	memset(out, 0, 8);
	if (index < 256) {
		out[1] = index;
	} else {
		out[0] = 0x40 | ((index >> 8) & 0x3f);
		out[1] = index & 0xff;
	}
}

/*
 * kt_sess_report_luns - REPORT LUNS parameter data into @buf (@len bytes,
 * at least 8).  @select is the CDB's SELECT REPORT.  Returns the full
 * length the data would have.
 */
int kt_sess_report_luns(struct kt_session *sess, u8 *buf, u32 len, u8 select)
{
	struct kt_mapped_lun *mlun;
	unsigned long idx;
	u32 off = 8;

	memset(buf, 0, min_t(u32, len, 8));
	if (select != 0x01) {
		rcu_read_lock();
		xa_for_each(&sess->acl->mapped, idx, mlun) {
			struct kt_lun *lun = READ_ONCE(mlun->lun);

			if (!lun || !READ_ONCE(lun->linked))
				continue;
			if (off + 8 <= len)
				kt_lun_encode(mlun->mapped, buf + off);
			off += 8;
		}
		rcu_read_unlock();
	}
	if (select == 0x01 || select == 0x02) {
		if (off + 8 <= len) {
			memset(buf + off, 0, 8);
			buf[off] = KT_WLUN_REPORT_LUNS >> 8;
			buf[off + 1] = KT_WLUN_REPORT_LUNS & 0xff;
		}
		off += 8;
	}
	if (len >= 4)
		put_unaligned_be32(off - 8, buf);
	return off;
}
