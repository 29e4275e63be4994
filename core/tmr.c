// SPDX-License-Identifier: GPL-2.0
/*
 * Task management: LOGICAL UNIT RESET, and the same for every LUN of a
 * TPG (target resets).  Commands are never torn out of a backstore; a
 * reset waits for them to finish and then tells the other initiators with
 * a unit attention.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/delay.h>
#include "core.h"

#define KT_RESET_WAIT_MS	(60 * 1000)

static bool kt_sess_busy_on(struct kt_session *sess, struct kt_lun *lun)
{
	struct kt_cmd *cmd;
	bool busy = false;

	spin_lock_irq(&sess->lock);
	/* commands not submitted yet are their fabric's to drop */
	list_for_each_entry(cmd, &sess->cmds, sess_entry) {
		if (cmd->submitted && READ_ONCE(cmd->klun) == lun) {
			busy = true;
			break;
		}
	}
	spin_unlock_irq(&sess->lock);
	return busy;
}

static bool kt_lun_busy(struct kt_lun *lun)
{
	struct kt_tpg *tpg = lun->tpg;
	struct kt_session *sess;
	bool busy = false;

	spin_lock(&tpg->lock);
	list_for_each_entry(sess, &tpg->sessions, tpg_entry) {
		if (kt_sess_busy_on(sess, lun)) {
			busy = true;
			break;
		}
	}
	spin_unlock(&tpg->lock);
	return busy;
}

/* Wait until no command of any session is left on @lun (bounded). */
static int kt_lun_wait_idle(struct kt_lun *lun)
{
	unsigned int waited = 0;

	while (kt_lun_busy(lun)) {
		if (waited >= KT_RESET_WAIT_MS) {
			pr_warn("LUN reset of %s lun_%llu: commands still running after %u ms\n",
				lun->tpg->wwn->name, lun->index, waited);
			return -ETIMEDOUT;
		}
		msleep(20);
		waited += 20;
	}
	return 0;
}

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
