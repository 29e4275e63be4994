// SPDX-License-Identifier: GPL-2.0
/*
 * Task management: LOGICAL UNIT RESET, and the same for every LUN of a
 * TPG (target resets).  Commands are never torn out of a backstore; a
 * reset waits for them to finish and then tells the other initiators with
 * a unit attention.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/wait.h>
#include "core.h"

#define KT_RESET_WAIT		(60 * HZ)

/* Task management waiting for commands; woken as they complete. */
static DECLARE_WAIT_QUEUE_HEAD(kt_tmr_wq);

/* kt_tmr_lun_done - a submitted command of @lun completed (any context) */
void kt_tmr_lun_done(struct kt_lun *lun)
{
	if (atomic_dec_and_test(&lun->running) && wq_has_sleeper(&kt_tmr_wq))
		wake_up(&kt_tmr_wq);
}

/* Wait until no submitted command of any session is left on @lun. */
static int kt_lun_wait_idle(struct kt_lun *lun)
{
	if (wait_event_timeout(kt_tmr_wq, !atomic_read(&lun->running),
			       KT_RESET_WAIT))
		return 0;
	pr_warn("LUN reset of %s lun_%llu: commands still running after %u s\n",
		lun->tpg->wwn->name, lun->index, KT_RESET_WAIT / HZ);
	return -ETIMEDOUT;
}

static bool kt_sess_has_task(struct kt_session *sess,
			     bool (*match)(const struct kt_cmd *cmd, u64 key),
			     u64 key)
{
	struct kt_cmd *cmd;
	bool found = false;

	spin_lock_irq(&sess->lock);
	list_for_each_entry(cmd, &sess->cmds, sess_entry) {
		if (cmd->submitted && match(cmd, key)) {
			found = true;
			break;
		}
	}
	spin_unlock_irq(&sess->lock);
	return found;
}

bool kt_tmr_wait_tasks(struct kt_session *sess,
		       bool (*match)(const struct kt_cmd *cmd, u64 key),
		       u64 key, unsigned long timeout)
{
	return wait_event_timeout(sess->idle,
				  !kt_sess_has_task(sess, match, key),
				  timeout) > 0;
}
EXPORT_SYMBOL_GPL(kt_tmr_wait_tasks);

int kt_tmr_lun_reset(struct kt_session *sess, u64 lun)
{
	struct kt_mapped_lun *mlun = kt_sess_lookup_lun(sess, lun);
	struct kt_lun *klun;
	int ret;

	if (!mlun)
		return -ENODEV;
	klun = READ_ONCE(mlun->lun);
	ret = kt_lun_wait_idle(klun);
	if (!ret) {
		mutex_lock(&kt_cfg_mutex);
		kt_ua_lun_others(klun, mlun, KT_UA_LUN_RESET);
		mutex_unlock(&kt_cfg_mutex);
	}
	percpu_ref_put(&klun->ref);
	kt_mlun_put(mlun);
	return ret;
}
EXPORT_SYMBOL_GPL(kt_tmr_lun_reset);

/*
 * The first LUN of @tpg from index *@idx on that has a device, with a
 * live reference (which keeps it linked, so it is not freed).
 */
static struct kt_lun *kt_tpg_next_lun(struct kt_tpg *tpg, unsigned long *idx)
{
	struct kt_lun *lun;

	mutex_lock(&kt_cfg_mutex);
	xa_for_each_start(&tpg->luns, *idx, lun, *idx)
		if (lun->linked && percpu_ref_tryget_live(&lun->ref))
			break;
	mutex_unlock(&kt_cfg_mutex);
	return lun;
}

/* @acl's mapping of @lun, or NULL (kt_cfg_mutex held) */
static struct kt_mapped_lun *kt_acl_mapping_of(struct kt_node_acl *acl,
					       struct kt_lun *lun)
{
	struct kt_mapped_lun *mlun;
	unsigned long idx;

	lockdep_assert_held(&kt_cfg_mutex);
	xa_for_each(&acl->mapped, idx, mlun)
		if (mlun->lun == lun)
			return mlun;
	return NULL;
}

int kt_tmr_tpg_reset(struct kt_tpg *tpg, struct kt_session *sess)
{
	unsigned long idx = 0;
	struct kt_lun *lun;
	int ret = 0;

	while ((lun = kt_tpg_next_lun(tpg, &idx)) != NULL) {
		if (kt_lun_wait_idle(lun)) {
			ret = -ETIMEDOUT;
		} else {
			mutex_lock(&kt_cfg_mutex);
			kt_ua_lun_others(lun, kt_acl_mapping_of(sess->acl, lun),
					 KT_UA_LUN_RESET);
			mutex_unlock(&kt_cfg_mutex);
		}
		percpu_ref_put(&lun->ref);
		idx++;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(kt_tmr_tpg_reset);
