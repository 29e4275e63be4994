// SPDX-License-Identifier: GPL-2.0
/*
 * Task management (SAM-5 7) for every fabric.  The core finds the tasks
 * a function names: in the issuing session, or, for CLEAR TASK SET and
 * LOGICAL UNIT RESET, in every session that sees the logical unit (one
 * task set per logical unit, TST 000).  A task that has not started is
 * aborted at once and never runs (kt_cmd_tmr_abort()); one in the
 * backstore is never torn out: the function waits, woken by completions,
 * and its response is dropped (issuing nexus, or TAS 0) or replaced by
 * TASK ABORTED (another nexus, TAS 1).  Then the unit attentions.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/wait.h>
#include "core.h"

/* How long a function waits for aborted tasks before FUNCTION REJECTED. */
#define KT_TMR_WAIT		(60 * HZ)

/* Task management waiting for aborted tasks; woken as they complete. */
static DECLARE_WAIT_QUEUE_HEAD(kt_tmr_wq);

/**
 * struct kt_tmr - one function being carried out
 * @sess: the issuing nexus
 * @req: the request
 * @dev: CLEAR TASK SET, LUN RESET: the logical unit
 * @tas: tasks of other nexuses are answered TASK ABORTED
 */
struct kt_tmr {
	struct kt_session *sess;
	struct kt_tmf_req *req;
	struct kt_dev *dev;
	bool tas;
};

/*
 * kt_tmr_abort_done - a command aborted while executing has completed
 * (any context).  Its LUN reference keeps the device alive here.
 */
void kt_tmr_abort_done(struct kt_cmd *cmd)
{
	struct kt_dev *dev = READ_ONCE(cmd->dev);

	if (dev)
		atomic_dec(&dev->aborting);
	atomic_dec(&cmd->sess->aborting);
	wake_up(&kt_tmr_wq);
}

/* Wait until the tasks counted in @aborting have completed. */
static bool kt_tmr_wait(atomic_t *aborting)
{
	if (wait_event_timeout(kt_tmr_wq, !atomic_read(aborting),
			       KT_TMR_WAIT))
		return true;
	pr_warn_ratelimited("task management: aborted tasks still running after %u s: FUNCTION REJECTED\n",
			    KT_TMR_WAIT / HZ);
	return false;
}

static bool kt_tmr_is_query(enum kt_tmf fn)
{
	return fn == KT_TMF_QUERY_TASK || fn == KT_TMF_QUERY_TASK_SET;
}

/* Does @t name @cmd (sess->lock held)? */
static bool kt_tmr_match(const struct kt_tmr *t, const struct kt_cmd *cmd)
{
	switch (t->req->fn) {
	case KT_TMF_ABORT_TASK:
	case KT_TMF_QUERY_TASK:
		return cmd->tag == t->req->tag;
	case KT_TMF_ABORT_TASK_SET:
	case KT_TMF_QUERY_TASK_SET:
		return cmd->lun == t->req->lun;
	case KT_TMF_CLEAR_ACA:
		return cmd->lun == t->req->lun &&
		       cmd->task_attr == KT_TASK_ACA;
	case KT_TMF_IT_NEXUS_RESET:
		return true;
	default:
		return READ_ONCE(cmd->dev) == t->dev;
	}
}

/* Abort (for a query: count) the tasks of @s that @t names. */
static void kt_tmr_scan(struct kt_tmr *t, struct kt_session *s)
{
	bool other = s != t->sess, query = kt_tmr_is_query(t->req->fn);
	bool cleared = other && !t->tas && t->req->fn == KT_TMF_CLEAR_TASK_SET;
	struct kt_mapped_lun *mlun;
	struct kt_cmd *cmd;
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	list_for_each_entry(cmd, &s->cmds, sess_entry) {
		if (!kt_tmr_match(t, cmd))
			continue;
		if (query) {
			t->req->found += kt_cmd_tmr_live(cmd);
			continue;
		}
		if (!kt_cmd_tmr_abort(cmd, other && t->tas))
			continue;
		t->req->found++;
		/* held until the command is done or released: not yet */
		mlun = READ_ONCE(cmd->mlun);
		if (cleared && mlun)
			kt_ua_set(s, mlun->mapped, KT_UA_CMDS_CLEARED);
	}
	spin_unlock_irqrestore(&s->lock, flags);
}

/* Every session that sees @t->dev, through any TPG (kt_cfg_mutex held). */
static void kt_tmr_scan_dev(struct kt_tmr *t)
{
	struct kt_session *s;
	struct kt_lun *lun;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(lun, &t->dev->luns, dev_entry) {
		spin_lock(&lun->tpg->lock);
		list_for_each_entry(s, &lun->tpg->sessions, tpg_entry)
			kt_tmr_scan(t, s);
		spin_unlock(&lun->tpg->lock);
	}
}

/*
 * CLEAR TASK SET and LUN RESET of the device behind @lun (referenced):
 * every nexus's tasks.  After a reset every I_T nexus that sees the
 * device, the issuer's included, is told 29/03 (SAM-5 6.3.3).
 */
static enum kt_tmf_rsp kt_tmr_lu(struct kt_tmr *t, struct kt_lun *lun)
{
	t->dev = lun->dev;
	t->tas = READ_ONCE(t->dev->attrib.emulate_tas);
	mutex_lock(&kt_cfg_mutex);
	kt_tmr_scan_dev(t);
	mutex_unlock(&kt_cfg_mutex);
	if (!kt_tmr_wait(&t->dev->aborting))
		return KT_TMF_REJECTED;
	if (t->req->fn != KT_TMF_LUN_RESET)
		return KT_TMF_COMPLETE;
	kt_ts_aca_end(t->dev, 0, -1);
	kt_res_lun_reset(t->dev);
	mutex_lock(&kt_cfg_mutex);
	kt_ua_dev_others(t->dev, NULL, KT_UA_LUN_RESET);
	mutex_unlock(&kt_cfg_mutex);
	return KT_TMF_COMPLETE;
}

/* The functions that act on the issuing nexus only. */
static enum kt_tmf_rsp kt_tmr_nexus(struct kt_tmr *t)
{
	kt_tmr_scan(t, t->sess);
	if (kt_tmr_is_query(t->req->fn))
		return t->req->found ? KT_TMF_SUCCEEDED : KT_TMF_COMPLETE;
	if (!kt_tmr_wait(&t->sess->aborting))
		return KT_TMF_REJECTED;
	if (t->req->fn == KT_TMF_IT_NEXUS_RESET) {
		mutex_lock(&kt_cfg_mutex);
		kt_res_sess_gone(t->sess);
		kt_ts_aca_sess_gone(t->sess);
		kt_ua_sess_all(t->sess, KT_UA_NEXUS_LOSS);
		mutex_unlock(&kt_cfg_mutex);
	}
	return KT_TMF_COMPLETE;
}

/*
 * kt_tmr_abort_lun_tasks - PREEMPT AND ABORT: abort the tasks @s sent
 * through @lun, but @except (the PR OUT itself); those of another session
 * than @except's are answered TASK ABORTED under TAS.  kt_tmr_wait_dev()
 * then waits for the ones in the backstore.
 */
void kt_tmr_abort_lun_tasks(struct kt_session *s, struct kt_lun *lun,
			    struct kt_cmd *except)
{
	bool tas = s != except->sess && READ_ONCE(lun->dev->attrib.emulate_tas);
	struct kt_cmd *cmd;
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	list_for_each_entry(cmd, &s->cmds, sess_entry)
		if (cmd != except && READ_ONCE(cmd->klun) == lun)
			kt_cmd_tmr_abort(cmd, tas);
	spin_unlock_irqrestore(&s->lock, flags);
}

/* Is @cmd waiting in its task set for its turn (sess->lock held)? */
static bool kt_tmr_blocked(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->ts_dev;
	bool blocked;

	if (!dev)
		return false;
	spin_lock(&dev->ts_lock);
	blocked = cmd->ts_blocked;
	spin_unlock(&dev->ts_lock);
	return blocked;
}

/**
 * kt_session_abort_blocked() - the I_T nexus ends: abort its tasks that
 * wait in a task set for their task attribute's turn
 * @sess: the ending session
 *
 * They have not started and never will; they go without an answer
 * (->release_cmd()), so that the end of the session does not wait for
 * other nexuses' tasks ahead of them.  Running tasks are left to finish.
 * An ACA condition of the nexus ends now, before the fabric answers the
 * Logout, not only when the session is destroyed.
 * Any context but interrupts.
 */
void kt_session_abort_blocked(struct kt_session *sess)
{
	struct kt_cmd *cmd;

	spin_lock_irq(&sess->lock);
	list_for_each_entry(cmd, &sess->cmds, sess_entry)
		if (kt_tmr_blocked(cmd))
			kt_cmd_tmr_abort(cmd, false);
	spin_unlock_irq(&sess->lock);
	kt_ts_aca_sess_ending(sess);
}
EXPORT_SYMBOL_GPL(kt_session_abort_blocked);

bool kt_tmr_wait_dev(struct kt_dev *dev)
{
	return kt_tmr_wait(&dev->aborting);
}

/*
 * QUERY ASYNCHRONOUS EVENT (SAM-5 7.9): FUNCTION SUCCEEDED with the
 * highest priority unit attention of the I_T_L nexus, which stays
 * pending, in the additional response information; else FUNCTION
 * COMPLETE.  There are no deferred errors.
 */
static enum kt_tmf_rsp kt_tmr_qae(struct kt_tmr *t, struct kt_mapped_lun *mlun)
{
	unsigned int n = kt_ua_peek(t->sess, mlun->mapped, &t->req->ari[1],
				    &t->req->ari[2]);

	if (!n)
		return KT_TMF_COMPLETE;
	t->req->found = n;
	t->req->ari[0] = (n > 1 ? 0x20 : 0x10) | KT_SK_UNIT_ATTENTION;
	return KT_TMF_SUCCEEDED;
}

/*
 * CLEAR ACA (SAM-5 7.3) from the faulted I_T nexus: its ACA tasks are
 * aborted (its own: no answer), then the condition ends and the tasks it
 * blocked may start.  Without a condition there is nothing to do; one
 * that another nexus holds is not this one's to clear: FUNCTION REJECTED.
 */
static enum kt_tmf_rsp kt_tmr_clear_aca(struct kt_tmr *t, struct kt_lun *lun)
{
	switch (kt_ts_aca_holder(lun->dev, t->sess, lun)) {
	case KT_ACA_NONE:
		return KT_TMF_COMPLETE;
	case KT_ACA_OTHER:
		return KT_TMF_REJECTED;
	case KT_ACA_MINE:
		break;
	}
	kt_tmr_scan(t, t->sess);
	if (!kt_tmr_wait(&t->sess->aborting))
		return KT_TMF_REJECTED;
	kt_ts_aca_end(lun->dev, t->sess->sid, lun->rtpi);
	return KT_TMF_COMPLETE;
}

/* The functions addressed to a logical unit: it must be accessible. */
static enum kt_tmf_rsp kt_tmr_lun_fn(struct kt_tmr *t)
{
	struct kt_mapped_lun *mlun = kt_sess_lookup_lun(t->sess, t->req->lun);
	struct kt_lun *lun;
	enum kt_tmf_rsp rsp;

	if (!mlun)
		return KT_TMF_NO_LUN;
	lun = READ_ONCE(mlun->lun);
	if (t->req->fn == KT_TMF_QUERY_ASYNC_EVENT)
		rsp = kt_tmr_qae(t, mlun);
	else if (t->req->fn == KT_TMF_CLEAR_ACA)
		rsp = kt_tmr_clear_aca(t, lun);
	else if (t->req->fn == KT_TMF_CLEAR_TASK_SET ||
		 t->req->fn == KT_TMF_LUN_RESET)
		rsp = kt_tmr_lu(t, lun);
	else
		rsp = kt_tmr_nexus(t);
	percpu_ref_put(&lun->ref);
	kt_mlun_put(mlun);
	return rsp;
}

enum kt_tmf_rsp kt_tmr_execute(struct kt_session *sess,
			       struct kt_tmf_req *req)
{
	struct kt_tmr t = { .sess = sess, .req = req };

	might_sleep();
	req->found = 0;
	memset(req->ari, 0, sizeof(req->ari));
	switch (req->fn) {
	case KT_TMF_ABORT_TASK:
	case KT_TMF_QUERY_TASK:
	case KT_TMF_IT_NEXUS_RESET:
		return kt_tmr_nexus(&t);
	case KT_TMF_ABORT_TASK_SET:
	case KT_TMF_CLEAR_TASK_SET:
	case KT_TMF_LUN_RESET:
	case KT_TMF_QUERY_TASK_SET:
	case KT_TMF_QUERY_ASYNC_EVENT:
	case KT_TMF_CLEAR_ACA:
		return kt_tmr_lun_fn(&t);
	default:
		return KT_TMF_REJECTED;
	}
}
EXPORT_SYMBOL_GPL(kt_tmr_execute);

/* The functions kt_tmr_execute() carries out, for RSTMF. */
#define KT_TMR_SUPPORTED	(KT_TMFS_ATS | KT_TMFS_ATSS | KT_TMFS_CACAS | \
				 KT_TMFS_CTSS | KT_TMFS_LURS | KT_TMFS_QTS | \
				 KT_TMFS_QAES | KT_TMFS_QTSS | KT_TMFS_ITNRS)

static u32 kt_tmr_rstmf_build(struct kt_cmd *cmd, const void *ctx, u8 *buf,
			      u32 cap)
{
	return kt_rstmf(KT_TMR_SUPPORTED, cmd->d.repd, buf, cap);
}

/*
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS: those of SAM-5 the core
 * carries out for every fabric (not the obsolete TARGET RESET, which only
 * the iSCSI fabric knows)
 */
void kt_tmr_exec_rstmf(struct kt_cmd *cmd)
{
	kt_spc_build_reply(cmd, kt_tmr_rstmf_build, NULL);
}

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

int kt_tmr_tpg_reset(struct kt_tpg *tpg, struct kt_session *sess)
{
	struct kt_tmf_req req = { .fn = KT_TMF_LUN_RESET };
	struct kt_tmr t = { .sess = sess, .req = &req };
	unsigned long idx = 0;
	struct kt_lun *lun;
	int ret = 0;

	while ((lun = kt_tpg_next_lun(tpg, &idx)) != NULL) {
		if (kt_tmr_lu(&t, lun) != KT_TMF_COMPLETE)
			ret = -ETIMEDOUT;
		percpu_ref_put(&lun->ref);
		idx++;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(kt_tmr_tpg_reset);
