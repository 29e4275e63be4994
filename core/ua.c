// SPDX-License-Identifier: GPL-2.0
/*
 * Unit attention conditions (SAM-5 5.14), kept per I_T_L nexus: each
 * session (I_T nexus) holds, for every mapped LUN of its ACL, a bitmap of
 * enum kt_ua in its @ua xarray (the bits stored in the slot as an xarray
 * value, so no allocation per condition).  Several conditions may be
 * pending on one nexus; they are reported highest priority (lowest bit)
 * first, one per command, each cleared as it is reported (UA_INTLCK_CTRL
 * is 0).  A condition established again before it was reported is
 * reported once.  Memory: one slot per mapped LUN per session.
 *
 * Locks: the slots are made and erased, and the conditions established,
 * under kt_cfg_mutex, which also keeps acl->sessions; the bitmaps
 * themselves are read and changed under the xarray's lock, taken with
 * interrupts off (task management establishes COMMANDS CLEARED under the
 * irq-safe sess->lock).  A command reads its bitmap without a lock first.
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
	[KT_UA_PREV_BUSY]	 = { 0x2c, 0x09 },
	[KT_UA_PREV_TSF]	 = { 0x2c, 0x0a },
	[KT_UA_PREV_RC]		 = { 0x2c, 0x0b },
};

/*
 * kt_ua_intlck - the control page's UA_INTLCK_CTRL of @dev: the
 * attribute emulate_ua_intlck_ctrl (LIO's values) 0, 1, 2 is 00b, 10b,
 * 11b (01b is reserved)
 */
u8 kt_ua_intlck(const struct kt_dev *dev)
{
	u32 v = READ_ONCE(dev->attrib.emulate_ua_intlck_ctrl);

	return v ? (u8)min_t(u32, v + 1, 3) : 0;
}

/*
 * Set @set and clear @clear in @sess's bitmap of mapped LUN @mapped, if
 * it has a slot (storing into a slot never allocates).  Any context.
 */
static void kt_ua_update(struct kt_session *sess, u64 mapped,
			 unsigned long set, unsigned long clear)
{
	XA_STATE(xas, &sess->ua, mapped);
	unsigned long flags, bits;
	void *entry;

	xas_lock_irqsave(&xas, flags);
	entry = xas_load(&xas);
	if (xa_is_value(entry)) {
		bits = (xa_to_value(entry) | set) & ~clear;
		xas_store(&xas, xa_mk_value(bits));
	}
	xas_unlock_irqrestore(&xas, flags);
}

void kt_ua_set(struct kt_session *sess, u64 mapped, enum kt_ua ua)
{
	BUILD_BUG_ON(KT_UA__COUNT >= BITS_PER_LONG);
	kt_ua_update(sess, mapped, BIT(ua), 0);
}

/*
 * kt_ua_sess_init - the slots of a new session of @acl, one per mapped
 * LUN, each with POWER ON OCCURRED (29/00): a new I_T nexus is told the
 * logical unit's state is new to it.  kt_cfg_mutex held.
 */
int kt_ua_sess_init(struct kt_session *sess, struct kt_node_acl *acl)
{
	struct kt_mapped_lun *mlun;
	unsigned long idx;
	int ret;

	lockdep_assert_held(&kt_cfg_mutex);
	xa_init_flags(&sess->ua, XA_FLAGS_LOCK_IRQ);
	xa_for_each(&acl->mapped, idx, mlun) {
		ret = xa_err(xa_store_irq(&sess->ua, idx,
					  xa_mk_value(BIT(KT_UA_POWER_ON)),
					  GFP_KERNEL));
		if (ret) {
			xa_destroy(&sess->ua);
			return ret;
		}
	}
	return 0;
}

void kt_ua_sess_exit(struct kt_session *sess)
{
	xa_destroy(&sess->ua);
}

/*
 * kt_ua_map - @acl got mapped LUN @mapped: a slot for it in each of its
 * sessions.  kt_cfg_mutex held; on an error kt_ua_unmap() undoes it.
 */
int kt_ua_map(struct kt_node_acl *acl, u64 mapped)
{
	struct kt_session *s;
	int ret;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(s, &acl->sessions, acl_entry) {
		ret = xa_err(xa_store_irq(&s->ua, mapped, xa_mk_value(0),
					  GFP_KERNEL));
		if (ret)
			return ret;
	}
	return 0;
}

/* @acl lost mapped LUN @mapped (kt_cfg_mutex held, or no session left). */
void kt_ua_unmap(struct kt_node_acl *acl, u64 mapped)
{
	struct kt_session *s;

	list_for_each_entry(s, &acl->sessions, acl_entry)
		xa_erase_irq(&s->ua, mapped);
}

/* Establish @ua on every LUN of @sess (kt_cfg_mutex held). */
void kt_ua_sess_all(struct kt_session *sess, enum kt_ua ua)
{
	struct kt_mapped_lun *mlun;
	unsigned long idx;

	lockdep_assert_held(&kt_cfg_mutex);
	xa_for_each(&sess->acl->mapped, idx, mlun)
		kt_ua_set(sess, idx, ua);
}

/* Establish @ua on every LUN of every session of @acl (kt_cfg_mutex). */
void kt_ua_acl_all(struct kt_node_acl *acl, enum kt_ua ua)
{
	struct kt_session *s;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(s, &acl->sessions, acl_entry)
		kt_ua_sess_all(s, ua);
}

/* Establish @ua for each session of @acl that sees @lun, but @except. */
static void kt_ua_acl_lun(struct kt_node_acl *acl, struct kt_lun *lun,
			  struct kt_session *except, enum kt_ua ua)
{
	struct kt_mapped_lun *mlun;
	struct kt_session *s;
	unsigned long idx;

	xa_for_each(&acl->mapped, idx, mlun) {
		if (mlun->lun != lun)
			continue;
		list_for_each_entry(s, &acl->sessions, acl_entry)
			if (s != except)
				kt_ua_set(s, idx, ua);
	}
}

/* Establish @ua for each I_T nexus that sees @lun but @except (kt_cfg_mutex) */
void kt_ua_lun_others(struct kt_lun *lun, struct kt_session *except,
		      enum kt_ua ua)
{
	struct kt_node_acl *acl;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(acl, &lun->tpg->acls, tpg_entry)
		kt_ua_acl_lun(acl, lun, except, ua);
}

/*
 * kt_ua_dev_others - establish @ua for every I_T nexus that sees @dev,
 * through any LUN of any TPG, except @except (NULL: all of them): a LUN
 * reset or a mode page change tells every other nexus, not the one that
 * asked, even through another of its LUNs.  kt_cfg_mutex held, so that
 * the change and its unit attentions are one step for the others.
 */
void kt_ua_dev_others(struct kt_dev *dev, struct kt_session *except,
		      enum kt_ua ua)
{
	struct kt_lun *lun;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(lun, &dev->luns, dev_entry)
		kt_ua_lun_others(lun, except, ua);
}

/* kt_ua_pop - report and clear the highest priority UA of @cmd's nexus. */
bool kt_ua_pop(struct kt_cmd *cmd, u8 *asc, u8 *ascq)
{
	XA_STATE(xas, &cmd->sess->ua, cmd->mlun->mapped);
	unsigned long flags, bits = 0;
	unsigned int ua = KT_UA__COUNT;
	void *entry;

	xas_lock_irqsave(&xas, flags);
	entry = xas_load(&xas);
	if (xa_is_value(entry))
		bits = xa_to_value(entry);
	if (bits) {
		ua = __ffs(bits);
		xas_store(&xas, xa_mk_value(bits & ~BIT(ua)));
	}
	xas_unlock_irqrestore(&xas, flags);
	if (ua >= KT_UA__COUNT)
		return false;
	*asc = kt_ua_codes[ua][0];
	*ascq = kt_ua_codes[ua][1];
	return true;
}

/**
 * kt_ua_peek() - the highest priority unit attention of an I_T_L nexus,
 * left pending (QUERY ASYNCHRONOUS EVENT)
 * @sess: the I_T nexus
 * @mapped: its mapped LUN
 * @asc: its ADDITIONAL SENSE CODE
 * @ascq: and QUALIFIER
 *
 * Return: how many are pending (0: none, @asc and @ascq untouched).
 */
unsigned int kt_ua_peek(struct kt_session *sess, u64 mapped, u8 *asc,
			u8 *ascq)
{
	void *entry = xa_load(&sess->ua, mapped);
	unsigned long bits = xa_is_value(entry) ? xa_to_value(entry) : 0;
	unsigned int ua;

	if (!bits)
		return 0;
	ua = __ffs(bits);
	*asc = kt_ua_codes[ua][0];
	*ascq = kt_ua_codes[ua][1];
	return hweight_long(bits);
}

/* Anything pending for @cmd's I_T_L nexus?  A lockless look. */
static bool kt_ua_pending(const struct kt_cmd *cmd)
{
	void *entry = xa_load(&cmd->sess->ua, cmd->mlun->mapped);

	return xa_is_value(entry) && xa_to_value(entry);
}

/*
 * kt_ua_check - if a UA is pending for the command's I_T_L nexus and the
 * command is not exempt, take it into cmd->si: true when the caller must
 * fail the command with KT_S_UNIT_ATTENTION.
 * With UA_INTLCK_CTRL 0 the condition is cleared as it is reported.
 */
bool kt_ua_check(struct kt_cmd *cmd)
{
	if (!cmd->mlun || !kt_ua_pending(cmd))
		return false;
	if (cmd->d.op == KT_OP_REPORT_LUNS)
		kt_ua_update(cmd->sess, cmd->mlun->mapped, 0,
			     BIT(KT_UA_LUNS_CHANGED));
	/* INQUIRY, REPORT LUNS, REQUEST SENSE (SAM-5 5.14) */
	if (kt_op_def(cmd)->flags & KT_OPF_UA_EXEMPT)
		return false;
	/* UA_INTLCK_CTRL 10b, 11b: only REQUEST SENSE clears it */
	if (kt_ua_intlck(cmd->dev))
		return kt_ua_peek(cmd->sess, cmd->mlun->mapped, &cmd->si.asc,
				  &cmd->si.ascq) > 0;
	return kt_ua_pop(cmd, &cmd->si.asc, &cmd->si.ascq);
}

/*
 * kt_ua_status - @cmd ends with status @status (any context): under
 * UA_INTLCK_CTRL 11b, BUSY, TASK SET FULL and RESERVATION CONFLICT
 * establish PREVIOUS ... STATUS (2C/09, 2C/0A, 2C/0B) for its I_T_L
 * nexus, once until REQUEST SENSE takes it (SPC-4 7.5.8).  The command
 * holds its mapping, so the slot is there.
 */
void kt_ua_status(struct kt_cmd *cmd, kt_status_t status)
{
	enum kt_ua ua;

	if (!cmd->mlun || !cmd->dev || kt_ua_intlck(cmd->dev) != 3)
		return;
	if (status == KT_S_BUSY)
		ua = KT_UA_PREV_BUSY;
	else if (status == KT_S_TASK_SET_FULL)
		ua = KT_UA_PREV_TSF;
	else if (status == KT_S_RESERVATION_CONFLICT)
		ua = KT_UA_PREV_RC;
	else
		return;
	kt_ua_set(cmd->sess, cmd->mlun->mapped, ua);
}
