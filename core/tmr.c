// SPDX-License-Identifier: GPL-2.0
/*
 * Task management: LOGICAL UNIT RESET.  Commands are never torn out of a
 * backstore; a reset waits for them to finish and then tells the other
 * initiators with a unit attention.
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
	list_for_each_entry(cmd, &sess->cmds, sess_entry) {
		if (cmd->klun == lun) {
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

int kt_tmr_lun_reset(struct kt_session *sess, u64 lun)
{
	struct kt_mapped_lun *mlun = kt_sess_lookup_lun(sess, lun);
	unsigned int waited = 0;
	struct kt_lun *klun;
	int ret = 0;

	if (!mlun)
		return -ENODEV;
	klun = READ_ONCE(mlun->lun);
	while (kt_lun_busy(klun)) {
		if (waited >= KT_RESET_WAIT_MS) {
			pr_warn("LUN reset of %s lun_%llu: commands still running after %u ms\n",
				klun->tpg->wwn->name, klun->index, waited);
			ret = -ETIMEDOUT;
			break;
		}
		msleep(20);
		waited += 20;
	}
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
