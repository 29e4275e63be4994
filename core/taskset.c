// SPDX-License-Identifier: GPL-2.0
/*
 * Task attributes (SAM-5 8.6): the order in which the tasks of one
 * logical unit's task set may start.  One task set per device for every
 * I_T nexus (TST 000).  A command enters it when its turn in its
 * fabric's order has come (kt_cmd_enter()) and leaves it when it is
 * done or aborted.  Oldest first:
 *
 *   SIMPLE          starts once no older ORDERED or HEAD OF QUEUE task
 *                   is left;
 *   ORDERED         starts once no older task at all is left;
 *   HEAD OF QUEUE   starts at once.
 *
 * SIMPLE tasks run side by side, in any order (QUEUE ALGORITHM
 * MODIFIER 1, unrestricted reordering).  A task that may not start yet
 * is blocked; once the fabric submitted it and its data is in it is
 * parked: nobody waits for it, and whoever makes it startable (a
 * completion, an abort) queues its start on kt_wq.  The task set holds
 * only commands a fabric already holds (bounded by its queue depth,
 * iSCSI's CmdSN window), in list entries of the commands themselves.
 *
 * ACA (SAM-5 5.9; NormACA 1, QErr 00): a command with NACA 1 in its
 * control byte that ends in CHECK CONDITION makes an ACA condition on its
 * logical unit for its I_T nexus, the faulted one.  While it lasts only
 * that nexus's commands with the ACA attribute get in, one at a time, and
 * start at once; every other new command is answered ACA ACTIVE, and the
 * tasks already in the set that have not started are blocked until it
 * ends: by CLEAR ACA from the faulted nexus (which aborts its ACA tasks),
 * a LUN reset, or the loss of the faulted nexus (session end, I_T NEXUS
 * RESET, its target port unlinked).
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

static bool kt_ts_barrier(const struct kt_cmd *cmd)
{
	return cmd->task_attr != KT_TASK_SIMPLE;
}

/* May a task of attribute @attr start, given what is older than it? */
static bool kt_ts_may_start(enum kt_task_attr attr, bool older, bool barrier)
{
	switch (attr) {
	case KT_TASK_HEAD_OF_QUEUE:
	case KT_TASK_ACA:
		return true;
	case KT_TASK_ORDERED:
		return !older;
	default:
		return !barrier;
	}
}

/* @cmd may start: start it if it was parked (dev->ts_lock held). */
static void kt_ts_unblock(struct kt_dev *dev, struct kt_cmd *cmd)
{
	lockdep_assert_held(&dev->ts_lock);
	cmd->ts_blocked = false;
	dev->ts_nblocked--;
	if (cmd->ts_parked) {
		cmd->ts_parked = false;
		queue_work(kt_wq, &cmd->ts_work);
	}
}

/*
 * Unblock the tasks that may start now, oldest first.  Every task after
 * a blocked ORDERED one waits for it, so the walk stops there.
 */
static void kt_ts_wake(struct kt_dev *dev)
{
	bool older = false, barrier = false;
	struct kt_cmd *cmd;

	lockdep_assert_held(&dev->ts_lock);
	if (dev->aca_sid)	/* only ACA tasks start, and they never wait */
		return;
	list_for_each_entry(cmd, &dev->ts_tasks, ts_entry) {
		if (!dev->ts_nblocked)
			return;
		if (cmd->ts_blocked &&
		    kt_ts_may_start(cmd->task_attr, older, barrier))
			kt_ts_unblock(dev, cmd);
		if (cmd->ts_blocked && cmd->task_attr == KT_TASK_ORDERED)
			return;
		older = true;
		barrier |= kt_ts_barrier(cmd);
	}
}

/*
 * Is the I_T nexus of session id @sid through @lun's target port the
 * faulted one of @dev's ACA (ts_lock held)?
 */
static bool kt_aca_faulted(const struct kt_dev *dev, u64 sid,
			   const struct kt_lun *lun)
{
	return dev->aca_sid == sid && lun && dev->aca_rtpi == lun->rtpi;
}

/* May @cmd join @dev's task set as things are (ts_lock held)? */
static kt_status_t kt_aca_admit(const struct kt_dev *dev,
				const struct kt_cmd *cmd)
{
	bool aca = cmd->task_attr == KT_TASK_ACA;

	if (!dev->aca_sid)	/* the ACA attribute needs a condition */
		return aca ? KT_S_INVALID_MESSAGE : KT_OK;
	if (!aca || dev->ts_aca ||
	    !kt_aca_faulted(dev, cmd->sess->sid, READ_ONCE(cmd->klun)))
		return KT_S_ACA_ACTIVE;
	return KT_OK;
}

/**
 * kt_ts_aca_check() - may @cmd get in, given its device's ACA condition?
 * @cmd: being prepared (with or without a device)
 *
 * Return: KT_OK; ACA ACTIVE; or INVALID MESSAGE for the ACA attribute
 * without a condition.  Checked again when the command enters.
 */
kt_status_t kt_ts_aca_check(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	unsigned long flags;
	kt_status_t status;

	if (!dev)
		return cmd->task_attr == KT_TASK_ACA ? KT_S_INVALID_MESSAGE :
		       KT_OK;
	if (!READ_ONCE(dev->aca_sid) && cmd->task_attr != KT_TASK_ACA)
		return KT_OK;
	spin_lock_irqsave(&dev->ts_lock, flags);
	status = kt_aca_admit(dev, cmd);
	spin_unlock_irqrestore(&dev->ts_lock, flags);
	return status;
}

/**
 * kt_ts_aca_fault() - @cmd ends in CHECK CONDITION with NACA 1
 * @cmd: completing, with a device and a LUN
 *
 * Its nexus becomes the faulted one, unless another nexus's ACA holds
 * the logical unit already.  Before @cmd leaves the task set, so that
 * nothing behind it starts first.  Any context.
 */
void kt_ts_aca_fault(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	struct kt_lun *lun = cmd->klun;
	unsigned long flags;

	if (!dev || !lun)
		return;
	spin_lock_irqsave(&dev->ts_lock, flags);
	if (!dev->aca_sid) {
		dev->aca_sid = cmd->sess->sid;
		dev->aca_rtpi = lun->rtpi;
	}
	spin_unlock_irqrestore(&dev->ts_lock, flags);
}

/**
 * kt_ts_aca_holder() - whose ACA condition holds @dev?
 * @dev: the logical unit
 * @sess: the I_T nexus asking...
 * @lun: ...through this LUN's target port
 */
enum kt_aca_holder kt_ts_aca_holder(struct kt_dev *dev,
				    const struct kt_session *sess,
				    const struct kt_lun *lun)
{
	enum kt_aca_holder who = KT_ACA_NONE;
	unsigned long flags;

	spin_lock_irqsave(&dev->ts_lock, flags);
	if (dev->aca_sid)
		who = kt_aca_faulted(dev, sess->sid, lun) ? KT_ACA_MINE :
		      KT_ACA_OTHER;
	spin_unlock_irqrestore(&dev->ts_lock, flags);
	return who;
}

/**
 * kt_ts_aca_end() - the ACA condition of @dev ends, if it is the one of
 * an I_T nexus that is lost
 * @dev: the logical unit
 * @sid: the nexus's session id (0: any)
 * @rtpi: the nexus's target port (negative: any)
 *
 * The tasks it blocked may start.  Any context.
 */
void kt_ts_aca_end(struct kt_dev *dev, u64 sid, int rtpi)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->ts_lock, flags);
	if (dev->aca_sid && (!sid || dev->aca_sid == sid) &&
	    (rtpi < 0 || dev->aca_rtpi == rtpi)) {
		dev->aca_sid = 0;
		if (dev->ts_nblocked)
			kt_ts_wake(dev);
	}
	spin_unlock_irqrestore(&dev->ts_lock, flags);
}

/*
 * kt_ts_aca_sess_gone - the I_T nexuses of @sess are lost (its end, or
 * an I_T NEXUS RESET; kt_cfg_mutex held): an ACA condition one of them
 * holds on a device of its TPG ends.
 */
void kt_ts_aca_sess_gone(struct kt_session *sess)
{
	struct kt_lun *lun;
	unsigned long idx;

	lockdep_assert_held(&kt_cfg_mutex);
	xa_for_each(&sess->tpg->luns, idx, lun)
		if (lun->dev && READ_ONCE(lun->dev->aca_sid) == sess->sid)
			kt_ts_aca_end(lun->dev, sess->sid, lun->rtpi);
}

/*
 * kt_ts_aca_sess_ending - @sess ends (any context but interrupts, no
 * kt_cfg_mutex needed): an ACA condition of its nexus on a LUN it maps
 * ends, each LUN pinned as a command pins it
 */
void kt_ts_aca_sess_ending(struct kt_session *sess)
{
	struct kt_mapped_lun *mlun;
	struct kt_lun *lun;
	unsigned long idx;

	xa_for_each(&sess->acl->mapped, idx, mlun) {
		mlun = kt_sess_lookup_lun(sess, idx);
		if (!mlun)
			continue;
		lun = READ_ONCE(mlun->lun);
		if (READ_ONCE(lun->dev->aca_sid) == sess->sid)
			kt_ts_aca_end(lun->dev, sess->sid, lun->rtpi);
		percpu_ref_put(&lun->ref);
		kt_mlun_put(mlun);
	}
}

/**
 * kt_ts_enter() - @cmd joins the task set of its device
 * @cmd: prepared, not refused or aborted, with a device
 *
 * One that its device's ACA condition keeps out stays out, with the
 * status to answer in cmd->ts_refused.
 *
 * Context: cmd->sess->lock held (irqs off).
 */
void kt_ts_enter(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	bool older, barrier;
	kt_status_t status;

	lockdep_assert_held(&cmd->sess->lock);
	spin_lock(&dev->ts_lock);
	status = kt_aca_admit(dev, cmd);
	if (status != KT_OK) {
		cmd->ts_refused = status;
		spin_unlock(&dev->ts_lock);
		return;
	}
	if (cmd->task_attr == KT_TASK_ACA)
		dev->ts_aca++;
	older = !list_empty(&dev->ts_tasks);
	barrier = dev->ts_barriers > 0;
	list_add_tail(&cmd->ts_entry, &dev->ts_tasks);
	if (kt_ts_barrier(cmd))
		dev->ts_barriers++;
	if (!kt_ts_may_start(cmd->task_attr, older, barrier)) {
		cmd->ts_blocked = true;
		dev->ts_nblocked++;
	}
	cmd->ts_dev = dev;
	spin_unlock(&dev->ts_lock);
}

/**
 * kt_ts_leave() - @cmd is done or aborted: it leaves its task set
 * @cmd: a command, in a task set or not
 *
 * Starts the tasks that waited for it.  Before the command lets its LUN
 * go (which keeps the device).  Any context.
 * Return: true when @cmd itself was parked: the caller answers it.
 */
bool kt_ts_leave(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->ts_dev;
	unsigned long flags;
	bool parked;

	if (!dev)
		return false;
	spin_lock_irqsave(&dev->ts_lock, flags);
	list_del_init(&cmd->ts_entry);
	if (kt_ts_barrier(cmd))
		dev->ts_barriers--;
	if (cmd->task_attr == KT_TASK_ACA)
		dev->ts_aca--;
	if (cmd->ts_blocked) {
		cmd->ts_blocked = false;
		dev->ts_nblocked--;
	}
	parked = cmd->ts_parked;
	cmd->ts_parked = false;
	cmd->ts_dev = NULL;
	if (dev->ts_nblocked)
		kt_ts_wake(dev);
	spin_unlock_irqrestore(&dev->ts_lock, flags);
	return parked;
}

/**
 * kt_ts_park() - park @cmd if its task attribute does not let it start
 * @cmd: submitted, its data in, not aborted
 *
 * Context: cmd->sess->lock held.
 * Return: true when it was parked: it is started from kt_wq later (or
 * answered, if aborted meanwhile); false when it may start now.
 */
bool kt_ts_park(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->ts_dev;
	bool parked = false;

	lockdep_assert_held(&cmd->sess->lock);
	if (!dev)
		return false;
	spin_lock(&dev->ts_lock);
	/* not started when an ACA condition came: it waits for its end */
	if (!cmd->ts_blocked && dev->aca_sid &&
	    cmd->task_attr != KT_TASK_ACA) {
		cmd->ts_blocked = true;
		dev->ts_nblocked++;
	}
	if (cmd->ts_blocked) {
		cmd->ts_parked = true;
		parked = true;
	}
	spin_unlock(&dev->ts_lock);
	return parked;
}

/* kt_ts_init - an empty task set for a new device */
void kt_ts_init(struct kt_dev *dev)
{
	spin_lock_init(&dev->ts_lock);
	INIT_LIST_HEAD(&dev->ts_tasks);
}
