// SPDX-License-Identifier: GPL-2.0
/*
 * SPC-2 RESERVE and RELEASE: the kernel side of core/wire/reserve.c.
 * The reservation belongs to an I_T nexus: the session (its sid, one per
 * login of an initiator port) and the relative target port id of the
 * LUN the RESERVE came through.  It goes with the holder's RELEASE, a
 * LOGICAL UNIT RESET (target resets are LUN resets of every LUN), an
 * I_T NEXUS RESET or the end of the holder's session, and the unlink of
 * the LUN (the target port) it was made through.
 *
 * Locks: dev->pr_lock (a spinlock, never taken in interrupts) protects
 * dev->res as it does *dev->pr, so that RESERVE and RELEASE see the
 * persistent reservation state they must respect and PERSISTENT RESERVE
 * IN/OUT never slip in between; dev->res_held mirrors dev->res.held for
 * the lockless first look of every command.  Order: kt_cfg_mutex,
 * dev->pr_lock.
 */
#include "core.h"

static void kt_res_id_of(const struct kt_cmd *cmd, struct kt_res_id *id)
{
	id->sess = cmd->sess->sid;
	id->rtpi = cmd->klun->rtpi;
}

/* dev->res changed (dev->pr_lock held): mirror it for the lockless look */
static void kt_res_publish(struct kt_dev *dev)
{
	lockdep_assert_held(&dev->pr_lock);
	WRITE_ONCE(dev->res_held, dev->res.held);
}

/*
 * kt_res_check_cmd - RESERVATION CONFLICT if another nexus's SPC-2
 * reservation forbids @cmd (its row's res class) on its device.
 */
kt_status_t kt_res_check_cmd(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	struct kt_res_id id;
	kt_status_t status;

	if (!dev || !READ_ONCE(dev->res_held))
		return KT_OK;
	kt_res_id_of(cmd, &id);
	spin_lock(&dev->pr_lock);
	status = kt_res_check(&dev->res, &id, kt_op_def(cmd)->res);
	spin_unlock(&dev->pr_lock);
	return status;
}

/* As LIO: RESERVE and RELEASE exist only with attrib/emulate_pr set. */
kt_status_t kt_spc_setup_res(struct kt_cmd *cmd)
{
	if (!READ_ONCE(cmd->dev->attrib.emulate_pr))
		return KT_S_INVALID_OPCODE;
	return KT_OK;
}

typedef kt_status_t (*kt_res_fn)(struct kt_res_state *r,
				 const struct kt_pr_state *pr,
				 const struct kt_pr_nexus *n,
				 const struct kt_res_id *id);

/* RESERVE or RELEASE (@fn) of @cmd's nexus, against the PR state too. */
static void kt_res_execute(struct kt_cmd *cmd, kt_res_fn fn)
{
	struct kt_dev *dev = cmd->dev;
	struct kt_pr_nexus n;
	struct kt_res_id id;
	kt_status_t status;

	kt_res_id_of(cmd, &id);
	n.init = cmd->sess->port;	/* the nexus as kt_pr_check_cmd() has it */
	n.rtpi = cmd->klun->rtpi;
	spin_lock(&dev->pr_lock);
	status = fn(&dev->res, dev->pr, &n, &id);
	kt_res_publish(dev);
	spin_unlock(&dev->pr_lock);
	kt_cmd_complete(cmd, status);
}

void kt_spc_reserve(struct kt_cmd *cmd)
{
	kt_res_execute(cmd, kt_res_reserve);
}

void kt_spc_release(struct kt_cmd *cmd)
{
	kt_res_execute(cmd, kt_res_release);
}

/* kt_res_lun_reset - LOGICAL UNIT RESET of @dev: its reservation goes */
void kt_res_lun_reset(struct kt_dev *dev)
{
	spin_lock(&dev->pr_lock);
	kt_res_reset(&dev->res);
	kt_res_publish(dev);
	spin_unlock(&dev->pr_lock);
}

/*
 * kt_res_sess_gone - the I_T nexuses of @sess are lost (its end, or an
 * I_T NEXUS RESET; kt_cfg_mutex held): a reservation one of them holds
 * on a device of its TPG goes.
 */
void kt_res_sess_gone(struct kt_session *sess)
{
	struct kt_dev *dev;
	struct kt_lun *lun;
	unsigned long idx;

	lockdep_assert_held(&kt_cfg_mutex);
	xa_for_each(&sess->tpg->luns, idx, lun) {
		dev = lun->dev;
		if (!dev || !READ_ONCE(dev->res_held))
			continue;
		spin_lock(&dev->pr_lock);
		if (kt_res_nexus_lost(&dev->res, sess->sid))
			kt_res_publish(dev);
		spin_unlock(&dev->pr_lock);
	}
}

/*
 * kt_res_lun_gone - @lun is being unlinked from its device (kt_cfg_mutex
 * held, its commands drained): a reservation made through it goes with
 * the nexuses through that target port.
 */
void kt_res_lun_gone(struct kt_lun *lun)
{
	struct kt_dev *dev = lun->dev;

	lockdep_assert_held(&kt_cfg_mutex);
	spin_lock(&dev->pr_lock);
	if (kt_res_port_lost(&dev->res, lun->rtpi))
		kt_res_publish(dev);
	spin_unlock(&dev->pr_lock);
}
