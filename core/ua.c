// SPDX-License-Identifier: GPL-2.0
/*
 * Unit attention conditions, kept per mapped LUN (I_T_L nexus) as
 * a bitmap of enum kt_ua and reported highest priority first.
 */
#include "core.h"

static const u8 kt_ua_codes[KT_UA__COUNT][2] = {
	[KT_UA_POWER_ON]	 = { 0x29, 0x00 },
	[KT_UA_LUN_RESET]	 = { 0x29, 0x03 },
	[KT_UA_NEXUS_LOSS]	 = { 0x29, 0x07 },
	[KT_UA_CMDS_CLEARED]	 = { 0x2f, 0x00 },
	[KT_UA_RES_PREEMPTED]	 = { 0x2a, 0x03 },
	[KT_UA_RES_RELEASED]	 = { 0x2a, 0x04 },
	[KT_UA_REG_PREEMPTED]	 = { 0x2a, 0x05 },
	[KT_UA_MODE_CHANGED]	 = { 0x2a, 0x01 },
	[KT_UA_CAPACITY_CHANGED] = { 0x2a, 0x09 },
	[KT_UA_LUNS_CHANGED]	 = { 0x3f, 0x0e },
	[KT_UA_INQUIRY_CHANGED]	 = { 0x3f, 0x03 },
	[KT_UA_ALUA_CHANGED]	 = { 0x2a, 0x06 },
};

void kt_ua_set(struct kt_mapped_lun *mlun, enum kt_ua ua)
{
	set_bit(ua, &mlun->ua);
}

/* Establish @ua on every mapped LUN of @acl (kt_cfg_mutex held). */
void kt_ua_acl_all(struct kt_node_acl *acl, enum kt_ua ua)
{
	struct kt_mapped_lun *mlun;
	unsigned long idx;

	xa_for_each(&acl->mapped, idx, mlun)
		kt_ua_set(mlun, ua);
}

/* Establish @ua for every mapping of @lun but @except (kt_cfg_mutex). */
void kt_ua_lun_others(struct kt_lun *lun, struct kt_mapped_lun *except,
		      enum kt_ua ua)
{
	struct kt_mapped_lun *mlun;
	struct kt_node_acl *acl;
	unsigned long idx;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(acl, &lun->tpg->acls, tpg_entry)
		xa_for_each(&acl->mapped, idx, mlun)
			if (mlun != except && mlun->lun == lun)
				kt_ua_set(mlun, ua);
}

/*
 * kt_ua_dev_others - establish @ua for every I_T nexus that sees @dev,
 * except the one behind @except (NULL: all of them), e.g. after MODE
 * SELECT changed a shared page.  kt_cfg_mutex held, so that the change
 * and its unit attentions are one step for every other nexus.
 */
void kt_ua_dev_others(struct kt_dev *dev, struct kt_mapped_lun *except,
		      enum kt_ua ua)
{
	struct kt_lun *lun;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(lun, &dev->luns, dev_entry)
		kt_ua_lun_others(lun, except, ua);
}

/*
 * kt_ua_dev_reset - establish @ua for every I_T nexus that sees @dev,
 * through any LUN of any TPG, but @issuer's (a LUN or target reset
 * reports nothing to the nexus that asked for it).  kt_cfg_mutex held.
 */
void kt_ua_dev_reset(struct kt_dev *dev, struct kt_node_acl *issuer,
		     enum kt_ua ua)
{
	struct kt_mapped_lun *mlun;
	struct kt_node_acl *acl;
	struct kt_lun *lun;
	unsigned long idx;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(lun, &dev->luns, dev_entry)
		list_for_each_entry(acl, &lun->tpg->acls, tpg_entry)
			xa_for_each(&acl->mapped, idx, mlun)
				if (acl != issuer && mlun->lun == lun)
					kt_ua_set(mlun, ua);
}

/* kt_ua_pop - report and clear the highest priority pending UA. */
bool kt_ua_pop(struct kt_mapped_lun *mlun, u8 *asc, u8 *ascq)
{
	int ua;

	for (;;) {
		ua = find_first_bit(&mlun->ua, KT_UA__COUNT);
		if (ua >= KT_UA__COUNT)
			return false;
		if (test_and_clear_bit(ua, &mlun->ua))
			break;
	}
	*asc = kt_ua_codes[ua][0];
	*ascq = kt_ua_codes[ua][1];
	return true;
}

/*
 * kt_ua_check - if a UA is pending for the command's I_T_L nexus and the
 * command is not exempt, take it into cmd->si: true when the caller must
 * fail the command with KT_S_UNIT_ATTENTION.
 * With UA_INTLCK_CTRL 0 the condition is cleared as it is reported.
 */
bool kt_ua_check(struct kt_cmd *cmd)
{
	struct kt_mapped_lun *mlun = cmd->mlun;
	u8 asc, ascq;

	if (!mlun || !READ_ONCE(mlun->ua))
		return false;
	if (cmd->d.op == KT_OP_REPORT_LUNS)
		clear_bit(KT_UA_LUNS_CHANGED, &mlun->ua);
	/* INQUIRY, REPORT LUNS, REQUEST SENSE (SAM-5 5.14) */
	if (kt_op_def(cmd)->flags & KT_OPF_UA_EXEMPT)
		return false;
	if (!kt_ua_pop(mlun, &asc, &ascq))
		return false;
	cmd->si.asc = asc;
	cmd->si.ascq = ascq;
	return true;
}
