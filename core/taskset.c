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

/**
 * kt_ts_enter() - @cmd joins the task set of its device
 * @cmd: prepared, not refused or aborted, with a device
 *
 * Context: cmd->sess->lock held (irqs off).
 */
void kt_ts_enter(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	bool older, barrier;

	lockdep_assert_held(&cmd->sess->lock);
	spin_lock(&dev->ts_lock);
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
