// SPDX-License-Identifier: GPL-2.0
/*
 * Asymmetric logical unit access, the kernel side: each device's target
 * port groups (the pure state of core/wire/alua.c in dev->alua, plus a
 * struct kt_tg_pt_gp per group for configfs and delayed transitions),
 * the ports of its LUNs in them, the access check at prepare, REPORT
 * and SET TARGET PORT GROUPS, and the configfs files: alua/<group>/ of
 * a device and alua_tg_pt_* of a LUN, in LIO's formats.
 *
 * Locks: kt_cfg_mutex serialises every change (and the unit attentions
 * it posts); dev->alua_lock guards the pure state for the I/O path.
 * A group that has member LUNs is pinned with a configfs dependency, so
 * its rmdir fails with -EBUSY.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

#define KT_ALUA_NONOP_DEFAULT	100	/* nonop_delay_msecs */
#define KT_ALUA_NONOP_MAX	10000
#define KT_ALUA_TRANS_MAX	30000	/* trans_delay_msecs */
#define KT_ALUA_ITS_MAX		255	/* implicit_trans_secs */

static const char * const kt_alua_type_names[] = {
	"None", "Implicit", "Explicit", "Implicit and Explicit",
};

static const char * const kt_alua_status_names[] = {
	"None", "Altered by Explicit STPG", "Altered by Implicit ALUA",
};

static const char *kt_alua_state_name(u8 state)
{
	switch (state) {
	case KT_ALUA_AO:
		return "Active/Optimized";
	case KT_ALUA_AN:
		return "Active/NonOptimized";
	case KT_ALUA_STANDBY:
		return "Standby";
	case KT_ALUA_UNAVAILABLE:
		return "Unavailable";
	case KT_ALUA_OFFLINE:
		return "Offline";
	case KT_ALUA_TRANSITIONING:
		return "Transitioning";
	default:
		return "Unknown";
	}
}

static const char *kt_alua_status_name(u8 status)
{
	return status < ARRAY_SIZE(kt_alua_status_names) ?
	       kt_alua_status_names[status] : "Unknown";
}

/* ---------------- a device's groups ---------------- */

static void kt_alua_trans_done(struct work_struct *work);

static void kt_gp_init(struct kt_tg_pt_gp *gp, struct kt_dev *dev)
{
	gp->dev = dev;
	gp->nonop_delay_msecs = KT_ALUA_NONOP_DEFAULT;
	INIT_LIST_HEAD(&gp->entry);
	INIT_DELAYED_WORK(&gp->trans_work, kt_alua_trans_done);
}

/* kt_dev_alua_alloc - the default group only (undone by kt_dev_alua_free) */
int kt_dev_alua_alloc(struct kt_dev *dev)
{
	spin_lock_init(&dev->alua_lock);
	INIT_LIST_HEAD(&dev->tg_pt_gps);
	kt_gp_init(&dev->tg_pt_gp, dev);
	dev->tg_pt_gp.id = KT_ALUA_DEFAULT_ID;
	dev->tg_pt_gp.id_set = true;
	list_add(&dev->tg_pt_gp.entry, &dev->tg_pt_gps);
	dev->alua = kvzalloc(sizeof(*dev->alua), GFP_KERNEL);
	dev->alua_next = kvzalloc(sizeof(*dev->alua_next), GFP_KERNEL);
	if (!dev->alua || !dev->alua_next) {
		kt_dev_alua_free(dev);
		return -ENOMEM;
	}
	kt_alua_init(dev->alua);
	return 0;
}

/*
 * The device goes: user groups went first (configfs removes children
 * before their parent); a transition of the default group may be due.
 */
void kt_dev_alua_free(struct kt_dev *dev)
{
	cancel_delayed_work_sync(&dev->tg_pt_gp.trans_work);
	kvfree(dev->alua);
	kvfree(dev->alua_next);
	dev->alua = NULL;
	dev->alua_next = NULL;
}

/* Slot of @gp in the pure state, -1 before its id is set (alua_lock) */
static int kt_gp_slot(struct kt_tg_pt_gp *gp)
{
	lockdep_assert_held(&gp->dev->alua_lock);
	return gp->id_set ? kt_alua_group_find(gp->dev->alua, gp->id) : -1;
}

/* The kernel group of pure slot @slot (kt_cfg_mutex and alua_lock held) */
static struct kt_tg_pt_gp *kt_gp_of_slot(struct kt_dev *dev, int slot)
{
	u16 id = dev->alua->groups[slot].id;
	struct kt_tg_pt_gp *gp;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(gp, &dev->tg_pt_gps, entry)
		if (gp->id_set && gp->id == id)
			return gp;
	return NULL;
}

/*
 * The group in @slot just took a new state: with trans_delay_msecs it
 * shows TRANSITIONING (if it supports it) until kt_alua_trans_done()
 * sets that state.  Both locks held.
 */
static void kt_alua_delay(struct kt_dev *dev, int slot)
{
	struct kt_alua_group *g = &dev->alua->groups[slot];
	struct kt_tg_pt_gp *gp = kt_gp_of_slot(dev, slot);
	u32 ms = gp ? gp->trans_delay_msecs : 0;

	lockdep_assert_held(&dev->alua_lock);
	if (!ms || g->state == KT_ALUA_TRANSITIONING ||
	    !(g->supported & KT_ALUA_SUP_T))
		return;
	gp->trans_to = g->state;
	g->state = KT_ALUA_TRANSITIONING;
	mod_delayed_work(kt_wq, &gp->trans_work, msecs_to_jiffies(ms));
}

/* The end of a delayed transition: an implicit change, told to all. */
static void kt_alua_trans_done(struct work_struct *work)
{
	struct kt_tg_pt_gp *gp = container_of(to_delayed_work(work),
					      struct kt_tg_pt_gp, trans_work);
	struct kt_dev *dev = gp->dev;
	bool changed = false;
	int slot;

	mutex_lock(&kt_cfg_mutex);
	spin_lock(&dev->alua_lock);
	slot = kt_gp_slot(gp);
	if (slot >= 0 &&
	    dev->alua->groups[slot].state == KT_ALUA_TRANSITIONING) {
		dev->alua->groups[slot].state = gp->trans_to;
		changed = true;
	}
	spin_unlock(&dev->alua_lock);
	if (changed)
		kt_ua_dev_others(dev, NULL, KT_UA_ALUA_CHANGED);
	mutex_unlock(&kt_cfg_mutex);
}

/* ---------------- changes, and their metadata files ---------------- */

/*
 * The start of a change: dev->alua_next := *dev->alua.  Only holders of
 * kt_cfg_mutex write dev->alua, so the copy needs no other lock.
 */
static struct kt_alua_state *kt_alua_begin(struct kt_dev *dev)
{
	lockdep_assert_held(&kt_cfg_mutex);
	memcpy(dev->alua_next, dev->alua, sizeof(*dev->alua_next));
	return dev->alua_next;
}

/* Does @next change the state or status of the group in @slot? */
static bool kt_alua_md_changed(struct kt_dev *dev,
			       const struct kt_alua_state *next, int slot)
{
	const struct kt_alua_group *g = &next->groups[slot];
	const struct kt_alua_group *old = &dev->alua->groups[slot];

	return g->used && (g->state != old->state || g->status != old->status);
}

/* Write the file of the group in @slot from @st if it keeps one */
static int kt_alua_md_write(struct kt_dev *dev, const struct kt_alua_state *st,
			    int slot)
{
	struct kt_tg_pt_gp *gp = kt_gp_of_slot(dev, slot);
	const struct kt_alua_group *g = &st->groups[slot];

	if (!gp || !READ_ONCE(gp->write_metadata))
		return 0;
	return kt_alua_file_write_tpg(gp, g->state, g->status);
}

/*
 * Write the files of the groups whose state or status @next changes and
 * that keep metadata (alua_write_metadata).  On a failure the files
 * already written get their old content back (as far as that goes) and
 * the error is returned: the change must not be committed.
 */
static int kt_alua_persist(struct kt_dev *dev,
			   const struct kt_alua_state *next)
{
	int i, j, ret = 0;

	for (i = 0; i < KT_ALUA_MAX_GROUPS && !ret; i++)
		if (kt_alua_md_changed(dev, next, i))
			ret = kt_alua_md_write(dev, next, i);
	if (!ret)
		return 0;
	for (j = 0; j < i - 1; j++)
		if (kt_alua_md_changed(dev, next, j))
			kt_alua_md_write(dev, dev->alua, j);
	return ret;
}

/*
 * The end of a change: its files written, dev->alua_next becomes the
 * state, and the groups in @changed (a bit per slot) whose state changed
 * start their delayed transitions.  On an error nothing changes.
 */
static int kt_alua_finish(struct kt_dev *dev, u32 changed)
{
	struct kt_alua_state *old;
	int i, ret;

	lockdep_assert_held(&kt_cfg_mutex);
	ret = kt_alua_persist(dev, dev->alua_next);
	if (ret)
		return ret;
	spin_lock(&dev->alua_lock);
	old = dev->alua;
	dev->alua = dev->alua_next;
	dev->alua_next = old;
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		if (changed & BIT(i))
			kt_alua_delay(dev, i);
	spin_unlock(&dev->alua_lock);
	return 0;
}

/*
 * A group's metadata file, if there is one for its id, gives it back
 * the state and status it had (a state it no longer supports is
 * skipped).  Called when the group gets its id, the default group when
 * its device is first exported; no port sees the group yet, so no unit
 * attention.
 */
static void kt_alua_restore_tpg(struct kt_tg_pt_gp *gp)
{
	struct kt_dev *dev = gp->dev;
	struct kt_alua_md_tpg m;
	struct kt_alua_group *g;
	bool ok = false;
	int slot;

	if (kt_alua_file_read_tpg(gp, &m))
		return;
	spin_lock(&dev->alua_lock);
	slot = kt_gp_slot(gp);
	g = slot >= 0 ? &dev->alua->groups[slot] : NULL;
	if (g && m.id == gp->id && (g->supported & kt_alua_state_bit(m.state))) {
		g->state = m.state;
		g->status = m.status;
		ok = true;
	}
	spin_unlock(&dev->alua_lock);
	if (!ok)
		pr_warn_ratelimited("%s: ALUA metadata of alua/%s (id %u, state 0x%02x) does not fit the group: ignored\n",
				    dev->name, config_item_name(&gp->group.cg_item),
				    m.id, m.state);
}

/* ---------------- ports: the LUNs linked to the device ---------------- */

/* Pin a user group while @lun is in it (kt_cfg_mutex held) */
static int kt_gp_hold(struct kt_tg_pt_gp *gp)
{
	if (gp == &gp->dev->tg_pt_gp)
		return 0;
	return configfs_depend_item_unlocked(&kt_subsys, &gp->group.cg_item);
}

static void kt_gp_unhold(struct kt_tg_pt_gp *gp)
{
	if (gp && gp != &gp->dev->tg_pt_gp)
		configfs_undepend_item_unlocked(&gp->group.cg_item);
}

/*
 * @lun's port starts with the secondary state and status of its metadata
 * file, if there is one, else online and no status.
 */
static void kt_alua_restore_lun(struct kt_lun *lun)
{
	struct kt_alua_md_lun m;

	if (kt_alua_file_read_lun(lun, &m))
		m = (struct kt_alua_md_lun){ .status = KT_ALUA_STATUS_NONE };
	lun->alua_status = m.status;
	WRITE_ONCE(lun->alua_offline, m.offline);
}

/*
 * kt_alua_lun_linked - @lun (its rtpi set) joins the default group; the
 * first LUN of the device reads the default group's metadata file
 */
int kt_alua_lun_linked(struct kt_lun *lun)
{
	struct kt_dev *dev = lun->dev;
	int ret;

	lockdep_assert_held(&kt_cfg_mutex);
	spin_lock(&dev->alua_lock);
	ret = kt_alua_port_set(dev->alua, lun->rtpi, KT_ALUA_DEFAULT_ID);
	if (!ret)
		lun->alua_gp = &dev->tg_pt_gp;
	spin_unlock(&dev->alua_lock);
	if (ret) {
		pr_err_ratelimited("%s: no room for another port in default_tg_pt_gp\n",
				   dev->name);
		return ret;
	}
	if (!dev->alua_loaded) {
		dev->alua_loaded = true;
		kt_alua_restore_tpg(&dev->tg_pt_gp);
	}
	kt_alua_restore_lun(lun);
	return 0;
}

/* kt_alua_lun_unlinked - @lun leaves its group (kt_cfg_mutex held) */
void kt_alua_lun_unlinked(struct kt_lun *lun)
{
	struct kt_dev *dev = lun->dev;
	struct kt_tg_pt_gp *gp = lun->alua_gp;

	lockdep_assert_held(&kt_cfg_mutex);
	spin_lock(&dev->alua_lock);
	kt_alua_port_del(dev->alua, lun->rtpi);
	lun->alua_gp = NULL;
	spin_unlock(&dev->alua_lock);
	kt_gp_unhold(gp);
}

/* Move @lun into @gp; 1 if its access state changed, or -errno */
static int kt_alua_lun_move(struct kt_lun *lun, struct kt_tg_pt_gp *gp)
{
	struct kt_alua_state *s = lun->dev->alua;
	struct kt_tg_pt_gp *old;
	int ret, from;
	u8 before;

	ret = kt_gp_hold(gp);
	if (ret)
		return ret;
	spin_lock(&lun->dev->alua_lock);
	from = kt_alua_port_group(s, lun->rtpi);
	before = from >= 0 ? s->groups[from].state : KT_ALUA_AO;
	ret = kt_alua_port_set(s, lun->rtpi, gp->id);
	old = lun->alua_gp;
	if (!ret) {
		ret = s->groups[kt_gp_slot(gp)].state != before;
		lun->alua_gp = gp;
	}
	spin_unlock(&lun->dev->alua_lock);
	kt_gp_unhold(ret < 0 ? gp : old);
	return ret;
}

/* ---------------- commands ---------------- */

/* The state of the port @cmd came through; KT_ALUA_AO without ALUA */
static u8 kt_alua_cmd_state(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	u8 state = KT_ALUA_AO;
	int slot;

	if (READ_ONCE(cmd->klun->alua_offline))
		return KT_ALUA_OFFLINE;
	spin_lock(&dev->alua_lock);
	slot = kt_alua_port_group(dev->alua, cmd->klun->rtpi);
	if (slot >= 0)
		state = dev->alua->groups[slot].state;
	spin_unlock(&dev->alua_lock);
	return state;
}

/*
 * kt_alua_check_cmd - may @cmd run in the state of the target port group
 * it came through (and its port's secondary offline state)?  At prepare.
 */
kt_status_t kt_alua_check_cmd(struct kt_cmd *cmd)
{
	if (!cmd->dev || !cmd->klun ||
	    !READ_ONCE(cmd->dev->attrib.alua_support))
		return KT_OK;
	return kt_alua_check(kt_alua_cmd_state(cmd), kt_op_def(cmd)->alua);
}

/*
 * kt_alua_nonop_delay - the ms @cmd waits before it runs: its group's
 * nonop_delay_msecs if it came through an active/non-optimized group
 * and accesses the medium (class KT_ALUA_CLS_OTHER: INQUIRY, REPORT
 * LUNS, RTPG, STPG, MODE and LOG pages, PR... are not delayed), else 0.
 * A LUN's alua_gp changes under dev->alua_lock too, and a group with a
 * member cannot go, so the group read here stays.
 */
u32 kt_alua_nonop_delay(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	struct kt_lun *lun = cmd->klun;
	u32 ms = 0;
	int slot;

	if (!dev || !lun || !READ_ONCE(dev->attrib.alua_support) ||
	    kt_op_def(cmd)->alua != KT_ALUA_CLS_OTHER ||
	    READ_ONCE(lun->alua_offline))
		return 0;
	spin_lock(&dev->alua_lock);
	slot = kt_alua_port_group(dev->alua, lun->rtpi);
	if (slot >= 0 && dev->alua->groups[slot].state == KT_ALUA_AN &&
	    lun->alua_gp)
		ms = READ_ONCE(lun->alua_gp->nonop_delay_msecs);
	spin_unlock(&dev->alua_lock);
	return ms;
}

/* kt_alua_lu_info - INQUIRY's TPGS and VPD 0x83 group of @cmd's port */
void kt_alua_lu_info(struct kt_cmd *cmd, struct kt_lu_info *lu)
{
	struct kt_dev *dev = cmd->dev;
	int slot;

	if (!READ_ONCE(dev->attrib.alua_support))
		return;
	spin_lock(&dev->alua_lock);
	slot = kt_alua_port_group(dev->alua, cmd->klun->rtpi);
	if (slot >= 0) {
		lu->tpgs = dev->alua->groups[slot].access;
		lu->tpg_valid = true;
		lu->tpg_id = dev->alua->groups[slot].id;
	}
	spin_unlock(&dev->alua_lock);
}

/* Without ALUA (attrib/alua_support 0) RTPG and STPG are unknown */
static kt_status_t kt_alua_setup_common(struct kt_cmd *cmd)
{
	if (!READ_ONCE(cmd->dev->attrib.alua_support))
		return KT_S_INVALID_OPCODE;
	return KT_OK;
}

kt_status_t kt_alua_setup_rtpg(struct kt_cmd *cmd)
{
	return kt_alua_setup_common(cmd);
}

static u32 kt_rtpg_build(struct kt_cmd *cmd, const void *ctx, u8 *buf,
			 u32 cap)
{
	struct kt_dev *dev = cmd->dev;
	u32 full = 0;

	spin_lock(&dev->alua_lock);
	kt_alua_rtpg(dev->alua, cmd->d.rtpg_fmt, buf, cap, &full);
	spin_unlock(&dev->alua_lock);
	return full;
}

void kt_alua_exec_rtpg(struct kt_cmd *cmd)
{
	kt_spc_build_reply(cmd, kt_rtpg_build, NULL);
}

/* PARAMETER LIST LENGTH up to the row's max_data, before any Data-Out */
kt_status_t kt_alua_setup_stpg(struct kt_cmd *cmd)
{
	kt_status_t status = kt_alua_setup_common(cmd);

	if (status != KT_OK)
		return status;
	if (cmd->d.alloc_len > kt_op_def(cmd)->max_data) {
		kt_cmd_bad_cdb(cmd, 6, -1);
		return KT_S_INVALID_FIELD_CDB;
	}
	cmd->data_len = cmd->d.alloc_len;
	return KT_OK;
}

/*
 * Carry out the list as one change under kt_cfg_mutex (its metadata
 * files written first), start the delayed transitions, and tell every
 * other I_T nexus of the device.
 */
static kt_status_t kt_alua_stpg_apply(struct kt_cmd *cmd, const u8 *buf,
				      u32 len)
{
	struct kt_dev *dev = cmd->dev;
	struct kt_alua_effects fx;
	kt_status_t status;
	u32 changed = 0;
	int i;

	mutex_lock(&kt_cfg_mutex);
	status = kt_alua_stpg(kt_alua_begin(dev), cmd->klun->rtpi, buf, len,
			      &fx);
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		if (fx.changed[i])
			changed |= BIT(i);
	/* a metadata file that cannot be written refuses the change */
	if (status == KT_OK && kt_alua_finish(dev, changed))
		status = KT_S_INTERNAL_ERROR;
	if (status == KT_OK && changed)
		kt_ua_dev_others(dev, cmd->sess, KT_UA_ALUA_CHANGED);
	mutex_unlock(&kt_cfg_mutex);
	if (status == KT_S_INVALID_FIELD_PARAM && fx.err_valid)
		kt_cmd_bad_param(cmd, fx.err_field,
				 fx.err_bit_valid ? fx.err_bit : -1);
	return status;
}

void kt_alua_exec_stpg(struct kt_cmd *cmd)
{
	kt_cmd_exec_param_list(cmd, kt_alua_stpg_apply);
}

/* ---------------- alua/<group>/ ---------------- */

static struct kt_tg_pt_gp *kt_gp(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_tg_pt_gp, group);
}

static const char *kt_gp_name(struct kt_tg_pt_gp *gp)
{
	return config_item_name(&gp->group.cg_item);
}

/* A copy of @gp's pure group; a new one's settings before its id is set */
static void kt_gp_read(struct kt_tg_pt_gp *gp, struct kt_alua_group *g)
{
	int slot;

	memset(g, 0, sizeof(*g));
	g->supported = KT_ALUA_SUP_DEFAULT;
	g->access = KT_ALUA_ACCESS_BOTH;
	spin_lock(&gp->dev->alua_lock);
	slot = kt_gp_slot(gp);
	if (slot >= 0)
		memcpy(g, &gp->dev->alua->groups[slot],
		       offsetof(struct kt_alua_group, ports));
	spin_unlock(&gp->dev->alua_lock);
}

static int kt_gp_parse(struct kt_tg_pt_gp *gp, const char *page,
		       const char *what, u32 max, u32 *val)
{
	if (kstrtou32(page, 0, val) || *val > max) {
		pr_err_ratelimited("alua/%s: %s takes 0 to %u\n",
				   kt_gp_name(gp), what, max);
		return -EINVAL;
	}
	return 0;
}

/*
 * A setter of the pure group in @slot of @s, a copy of the device's
 * state (kt_cfg_mutex held): 0, 1 when the access state changed (unit
 * attention for every nexus, delayed transition), or -errno after its
 * one message.
 */
typedef int (*kt_gp_setter)(struct kt_tg_pt_gp *gp, struct kt_alua_state *s,
			    int slot, u32 val);

/*
 * Run @set on a copy of @gp's pure group with @val, then write its
 * metadata file and commit (kt_alua_finish()): one change, or none.
 */
static int kt_gp_apply(struct kt_tg_pt_gp *gp, u32 val, kt_gp_setter set)
{
	struct kt_dev *dev = gp->dev;
	int ret, slot;

	mutex_lock(&kt_cfg_mutex);
	spin_lock(&dev->alua_lock);
	slot = kt_gp_slot(gp);
	spin_unlock(&dev->alua_lock);
	if (slot < 0) {
		pr_err_ratelimited("alua/%s: write tg_pt_gp_id first\n",
				   kt_gp_name(gp));
		ret = -EINVAL;
	} else {
		ret = set(gp, kt_alua_begin(dev), slot, val);
	}
	if (ret >= 0) {
		int err = kt_alua_finish(dev, ret > 0 ? BIT(slot) : 0);

		ret = err ? err : ret;
	}
	if (ret > 0)
		kt_ua_dev_others(dev, NULL, KT_UA_ALUA_CHANGED);
	mutex_unlock(&kt_cfg_mutex);
	return ret < 0 ? ret : 0;
}

static ssize_t kt_gp_store(struct config_item *item, const char *page,
			   size_t count, const char *what, u32 max,
			   kt_gp_setter set)
{
	struct kt_tg_pt_gp *gp = kt_gp(item);
	u32 val;
	int ret;

	ret = kt_gp_parse(gp, page, what, max, &val);
	if (!ret)
		ret = kt_gp_apply(gp, val, set);
	return ret ? ret : count;
}

/* What an admin may write: 0-3, offline, transitioning (as LIO) */
static bool kt_gp_state_writable(u32 val)
{
	return val <= KT_ALUA_UNAVAILABLE || val == KT_ALUA_OFFLINE ||
	       val == KT_ALUA_TRANSITIONING;
}

static int kt_gp_set_state(struct kt_tg_pt_gp *gp, struct kt_alua_state *s,
			   int slot, u32 val)
{
	int ret = -EINVAL;

	if (kt_gp_state_writable(val))
		ret = kt_alua_set_state(s, slot, val);
	if (ret == -EPERM)
		pr_err_ratelimited("alua/%s: implicit ALUA is not enabled (alua_access_type)\n",
				   kt_gp_name(gp));
	else if (ret < 0)
		pr_err_ratelimited("alua/%s: access state %u is not supported\n",
				   kt_gp_name(gp), val);
	return ret < 0 ? -EINVAL : ret;
}

static int kt_gp_set_status(struct kt_tg_pt_gp *gp, struct kt_alua_state *s,
			    int slot, u32 val)
{
	s->groups[slot].status = val;
	return 0;
}

static int kt_gp_set_type(struct kt_tg_pt_gp *gp, struct kt_alua_state *s,
			  int slot, u32 val)
{
	return kt_alua_set_access(s, slot, val) ? -EINVAL : 0;
}

static int kt_gp_set_pref(struct kt_tg_pt_gp *gp, struct kt_alua_state *s,
			  int slot, u32 val)
{
	s->groups[slot].preferred = val;
	return 0;
}

static int kt_gp_set_its(struct kt_tg_pt_gp *gp, struct kt_alua_state *s,
			 int slot, u32 val)
{
	s->groups[slot].trans_secs = val;
	return 0;
}

static ssize_t kt_gp_alua_access_state_show(struct config_item *item,
					    char *page)
{
	struct kt_alua_group g;

	kt_gp_read(kt_gp(item), &g);
	return sprintf(page, "%u\n", g.state);
}

static ssize_t kt_gp_alua_access_state_store(struct config_item *item,
					     const char *page, size_t count)
{
	return kt_gp_store(item, page, count, "alua_access_state",
			   KT_ALUA_TRANSITIONING, kt_gp_set_state);
}

static ssize_t kt_gp_alua_access_status_show(struct config_item *item,
					     char *page)
{
	struct kt_alua_group g;

	kt_gp_read(kt_gp(item), &g);
	return sprintf(page, "%s\n", kt_alua_status_name(g.status));
}

static ssize_t kt_gp_alua_access_status_store(struct config_item *item,
					      const char *page, size_t count)
{
	return kt_gp_store(item, page, count, "alua_access_status",
			   KT_ALUA_STATUS_IMPLICIT, kt_gp_set_status);
}

static ssize_t kt_gp_alua_access_type_show(struct config_item *item,
					   char *page)
{
	struct kt_alua_group g;

	kt_gp_read(kt_gp(item), &g);
	return sprintf(page, "%s\n", kt_alua_type_names[g.access & 3]);
}

static ssize_t kt_gp_alua_access_type_store(struct config_item *item,
					    const char *page, size_t count)
{
	return kt_gp_store(item, page, count, "alua_access_type",
			   KT_ALUA_ACCESS_BOTH, kt_gp_set_type);
}

static ssize_t kt_gp_preferred_show(struct config_item *item, char *page)
{
	struct kt_alua_group g;

	kt_gp_read(kt_gp(item), &g);
	return sprintf(page, "%d\n", g.preferred);
}

static ssize_t kt_gp_preferred_store(struct config_item *item,
				     const char *page, size_t count)
{
	return kt_gp_store(item, page, count, "preferred", 1, kt_gp_set_pref);
}

static ssize_t kt_gp_implicit_trans_secs_show(struct config_item *item,
					      char *page)
{
	struct kt_alua_group g;

	kt_gp_read(kt_gp(item), &g);
	return sprintf(page, "%u\n", g.trans_secs);
}

static ssize_t kt_gp_implicit_trans_secs_store(struct config_item *item,
					       const char *page, size_t count)
{
	return kt_gp_store(item, page, count, "implicit_trans_secs",
			   KT_ALUA_ITS_MAX, kt_gp_set_its);
}

/* alua_support_<state>: one KT_ALUA_SUP_* bit each */
static ssize_t kt_gp_sup_show(struct config_item *item, char *page, u8 bit)
{
	struct kt_alua_group g;

	kt_gp_read(kt_gp(item), &g);
	return sprintf(page, "%d\n", !!(g.supported & bit));
}

static int kt_gp_set_sup(struct kt_tg_pt_gp *gp, struct kt_alua_state *s,
			 int slot, u32 val)
{
	u8 bit = val >> 1, sup = s->groups[slot].supported;

	sup = val & 1 ? sup | bit : sup & ~bit;
	if (kt_alua_set_supported(s, slot, sup)) {
		pr_err_ratelimited("alua/%s: the group is in that state\n",
				   kt_gp_name(gp));
		return -EINVAL;
	}
	return 0;
}

/* the setter gets the bit and the value in one u32: bit << 1 | value */
static ssize_t kt_gp_sup_store(struct config_item *item, const char *page,
			       size_t count, u8 bit)
{
	struct kt_tg_pt_gp *gp = kt_gp(item);
	u32 val;
	int ret;

	ret = kt_gp_parse(gp, page, "alua_support_*", 1, &val);
	if (!ret)
		ret = kt_gp_apply(gp, (u32)bit << 1 | val, kt_gp_set_sup);
	return ret ? ret : count;
}

#define KT_GP_SUP(_n, _bit)						\
static const u8 kt_gp_bit_##_n = _bit;					\
static ssize_t kt_gp_alua_support_##_n##_show(struct config_item *item, \
					      char *page)		\
{									\
	return kt_gp_sup_show(item, page, kt_gp_bit_##_n);		\
}									\
static ssize_t kt_gp_alua_support_##_n##_store(struct config_item *item, \
					       const char *page, size_t count) \
{									\
	return kt_gp_sup_store(item, page, count, kt_gp_bit_##_n);	\
}									\
CONFIGFS_ATTR(kt_gp_, alua_support_##_n)

KT_GP_SUP(transitioning, KT_ALUA_SUP_T);
KT_GP_SUP(offline, KT_ALUA_SUP_O);
KT_GP_SUP(unavailable, KT_ALUA_SUP_U);
KT_GP_SUP(standby, KT_ALUA_SUP_S);
KT_GP_SUP(active_nonoptimized, KT_ALUA_SUP_AN);
KT_GP_SUP(active_optimized, KT_ALUA_SUP_AO);

/* logical block dependent is never supported (RO, as rtslib expects) */
static ssize_t kt_gp_alua_support_lba_dependent_show(struct config_item *item,
						     char *page)
{
	return sprintf(page, "0\n");
}

/* Values only the kernel side keeps: under kt_cfg_mutex */
static ssize_t kt_gp_u32_store(struct config_item *item, const char *page,
			       size_t count, const char *what, u32 max,
			       u32 *field)
{
	u32 val;
	int ret = kt_gp_parse(kt_gp(item), page, what, max, &val);

	if (ret)
		return ret;
	mutex_lock(&kt_cfg_mutex);
	WRITE_ONCE(*field, val);
	mutex_unlock(&kt_cfg_mutex);
	return count;
}

static ssize_t kt_gp_nonop_delay_msecs_show(struct config_item *item,
					    char *page)
{
	return sprintf(page, "%u\n", READ_ONCE(kt_gp(item)->nonop_delay_msecs));
}

static ssize_t kt_gp_nonop_delay_msecs_store(struct config_item *item,
					     const char *page, size_t count)
{
	return kt_gp_u32_store(item, page, count, "nonop_delay_msecs",
			       KT_ALUA_NONOP_MAX,
			       &kt_gp(item)->nonop_delay_msecs);
}

static ssize_t kt_gp_trans_delay_msecs_show(struct config_item *item,
					    char *page)
{
	return sprintf(page, "%u\n", READ_ONCE(kt_gp(item)->trans_delay_msecs));
}

static ssize_t kt_gp_trans_delay_msecs_store(struct config_item *item,
					     const char *page, size_t count)
{
	return kt_gp_u32_store(item, page, count, "trans_delay_msecs",
			       KT_ALUA_TRANS_MAX,
			       &kt_gp(item)->trans_delay_msecs);
}

static ssize_t kt_gp_alua_write_metadata_show(struct config_item *item,
					      char *page)
{
	return sprintf(page, "%u\n", READ_ONCE(kt_gp(item)->write_metadata));
}

static ssize_t kt_gp_alua_write_metadata_store(struct config_item *item,
					       const char *page, size_t count)
{
	return kt_gp_u32_store(item, page, count, "alua_write_metadata", 1,
			       &kt_gp(item)->write_metadata);
}

/* Empty until an id is written (LIO's); the default group's is 0 */
static ssize_t kt_gp_tg_pt_gp_id_show(struct config_item *item, char *page)
{
	struct kt_tg_pt_gp *gp = kt_gp(item);
	ssize_t len = 0;

	mutex_lock(&kt_cfg_mutex);
	if (gp->id_set)
		len = sprintf(page, "%u\n", gp->id);
	mutex_unlock(&kt_cfg_mutex);
	return len;
}

/*
 * Set once, 1 to 65535, unique in the device: the group joins dev->alua.
 * 1 when it did, 0 if it had that id already, or -errno.
 */
static int kt_gp_set_id(struct kt_tg_pt_gp *gp, u16 id)
{
	int slot;

	if (gp->id_set)
		return gp->id == id ? 0 : -EINVAL;
	spin_lock(&gp->dev->alua_lock);
	slot = kt_alua_group_add(gp->dev->alua, id);
	if (slot >= 0) {
		gp->id = id;
		gp->id_set = true;
	}
	spin_unlock(&gp->dev->alua_lock);
	return slot < 0 ? slot : 1;
}

static ssize_t kt_gp_tg_pt_gp_id_store(struct config_item *item,
				       const char *page, size_t count)
{
	struct kt_tg_pt_gp *gp = kt_gp(item);
	u32 val;
	int ret;

	if (kstrtou32(page, 0, &val) || !val || val > U16_MAX) {
		pr_err_ratelimited("alua/%s: tg_pt_gp_id takes 1 to 65535\n",
				   kt_gp_name(gp));
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	ret = kt_gp_set_id(gp, val);
	if (ret > 0)
		kt_alua_restore_tpg(gp);
	mutex_unlock(&kt_cfg_mutex);
	if (ret == -EEXIST)
		pr_err_ratelimited("alua/%s: another group has id %u\n",
				   kt_gp_name(gp), val);
	else if (ret == -ENOSPC)
		pr_err_ratelimited("alua/%s: the device has %d groups already\n",
				   kt_gp_name(gp), KT_ALUA_MAX_GROUPS);
	else if (ret < 0)
		pr_err_ratelimited("alua/%s: the id is set already\n",
				   kt_gp_name(gp));
	return ret < 0 ? -EINVAL : count;
}

/* One line per member LUN: <fabric>/<wwn>/tpgt_<n>/lun_<n> */
static ssize_t kt_gp_members_show(struct config_item *item, char *page)
{
	struct kt_tg_pt_gp *gp = kt_gp(item);
	struct kt_lun *lun;
	ssize_t len = 0;

	mutex_lock(&kt_cfg_mutex);
	list_for_each_entry(lun, &gp->dev->luns, dev_entry) {
		struct kt_tpg *tpg = lun->tpg;

		if (lun->alua_gp != gp)
			continue;
		len += scnprintf(page + len, PAGE_SIZE - len,
				 "%s/%s/tpgt_%u/lun_%llu\n",
				 tpg->wwn->fabric->ops->name, tpg->wwn->name,
				 tpg->tpgt, lun->index);
	}
	mutex_unlock(&kt_cfg_mutex);
	return len;
}

CONFIGFS_ATTR(kt_gp_, alua_access_state);
CONFIGFS_ATTR(kt_gp_, alua_access_status);
CONFIGFS_ATTR(kt_gp_, alua_access_type);
CONFIGFS_ATTR_RO(kt_gp_, alua_support_lba_dependent);
CONFIGFS_ATTR(kt_gp_, alua_write_metadata);
CONFIGFS_ATTR(kt_gp_, nonop_delay_msecs);
CONFIGFS_ATTR(kt_gp_, trans_delay_msecs);
CONFIGFS_ATTR(kt_gp_, implicit_trans_secs);
CONFIGFS_ATTR(kt_gp_, preferred);
CONFIGFS_ATTR(kt_gp_, tg_pt_gp_id);
CONFIGFS_ATTR_RO(kt_gp_, members);

static struct configfs_attribute *kt_gp_attrs[] = {
	&kt_gp_attr_alua_access_state,
	&kt_gp_attr_alua_access_status,
	&kt_gp_attr_alua_access_type,
	&kt_gp_attr_alua_support_transitioning,
	&kt_gp_attr_alua_support_offline,
	&kt_gp_attr_alua_support_lba_dependent,
	&kt_gp_attr_alua_support_unavailable,
	&kt_gp_attr_alua_support_standby,
	&kt_gp_attr_alua_support_active_nonoptimized,
	&kt_gp_attr_alua_support_active_optimized,
	&kt_gp_attr_alua_write_metadata,
	&kt_gp_attr_nonop_delay_msecs,
	&kt_gp_attr_trans_delay_msecs,
	&kt_gp_attr_implicit_trans_secs,
	&kt_gp_attr_preferred,
	&kt_gp_attr_tg_pt_gp_id,
	&kt_gp_attr_members,
	NULL,
};

/* default_tg_pt_gp, embedded in the device */
const struct config_item_type kt_dev_tg_pt_gp_type = {
	.ct_attrs = kt_gp_attrs,
	.ct_owner = THIS_MODULE,
};

static void kt_gp_release(struct config_item *item)
{
	kfree(kt_gp(item));
}

static struct configfs_item_operations kt_gp_item_ops = {
	.release = kt_gp_release,
};

/* a group made with mkdir alua/<name> */
static const struct config_item_type kt_gp_user_type = {
	.ct_item_ops = &kt_gp_item_ops,
	.ct_attrs = kt_gp_attrs,
	.ct_owner = THIS_MODULE,
};

/* ---------------- alua/: mkdir and rmdir of groups ---------------- */

static struct config_group *kt_alua_make_group(struct config_group *group,
					       const char *name)
{
	struct kt_dev *dev = container_of(group, struct kt_dev, alua_group);
	struct kt_tg_pt_gp *gp = kzalloc(sizeof(*gp), GFP_KERNEL);

	if (!gp)
		return ERR_PTR(-ENOMEM);
	kt_gp_init(gp, dev);
	config_group_init_type_name(&gp->group, name, &kt_gp_user_type);
	mutex_lock(&kt_cfg_mutex);
	list_add_tail(&gp->entry, &dev->tg_pt_gps);
	mutex_unlock(&kt_cfg_mutex);
	return &gp->group;
}

/*
 * configfs refuses the rmdir of a group with members (their dependency,
 * -EBUSY) and of default_tg_pt_gp (a default group, -EPERM), so the
 * group is empty: it leaves the device, then its transition is stopped.
 */
static void kt_alua_drop_group(struct config_group *group,
			       struct config_item *item)
{
	struct kt_tg_pt_gp *gp = kt_gp(item);
	struct kt_dev *dev = gp->dev;

	mutex_lock(&kt_cfg_mutex);
	list_del_init(&gp->entry);
	spin_lock(&dev->alua_lock);
	if (gp->id_set)
		WARN_ON_ONCE(kt_alua_group_del(dev->alua, gp->id));
	gp->id_set = false;
	spin_unlock(&dev->alua_lock);
	mutex_unlock(&kt_cfg_mutex);
	cancel_delayed_work_sync(&gp->trans_work);
	config_item_put(item);
}

static struct configfs_group_operations kt_alua_group_ops = {
	.make_group = kt_alua_make_group,
	.drop_item = kt_alua_drop_group,
};

const struct config_item_type kt_dev_alua_type = {
	.ct_group_ops = &kt_alua_group_ops,
	.ct_owner = THIS_MODULE,
};

/* ---------------- a LUN's alua_tg_pt_* files ---------------- */

static struct kt_lun *kt_alua_lun(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_lun, group);
}

static ssize_t kt_lun_gp_text(struct kt_lun *lun, char *page)
{
	struct kt_tg_pt_gp *gp = lun->alua_gp;
	struct kt_alua_group g;

	kt_gp_read(gp, &g);
	return sprintf(page,
		       "TG Port Alias: %s\nTG Port Group ID: %u\nTG Port Primary Access State: %s\nTG Port Primary Access Status: %s\nTG Port Secondary Access State: %s\nTG Port Secondary Access Status: %s\n",
		       kt_gp_name(gp), gp->id, kt_alua_state_name(g.state),
		       kt_alua_status_name(g.status),
		       READ_ONCE(lun->alua_offline) ? "Offline" : "None",
		       kt_alua_status_name(lun->alua_status));
}

/* Empty while the LUN has no device (LIO's) */
static ssize_t kt_lun_alua_tg_pt_gp_show(struct config_item *item,
					 char *page)
{
	struct kt_lun *lun = kt_alua_lun(item);
	ssize_t len = 0;

	mutex_lock(&kt_cfg_mutex);
	if (lun->linked && lun->alua_gp)
		len = kt_lun_gp_text(lun, page);
	mutex_unlock(&kt_cfg_mutex);
	return len;
}

static struct kt_tg_pt_gp *kt_gp_by_name(struct kt_dev *dev, const char *name)
{
	struct kt_tg_pt_gp *gp;

	list_for_each_entry(gp, &dev->tg_pt_gps, entry)
		if (gp->id_set && sysfs_streq(name, kt_gp_name(gp)))
			return gp;
	return NULL;
}

/* Writing a group's name moves the LUN's port into it */
static ssize_t kt_lun_alua_tg_pt_gp_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct kt_lun *lun = kt_alua_lun(item);
	struct kt_tg_pt_gp *gp = NULL;
	int ret = -EINVAL;

	mutex_lock(&kt_cfg_mutex);
	if (lun->linked && lun->alua_gp)
		gp = kt_gp_by_name(lun->dev, page);
	if (gp && gp == lun->alua_gp) {
		ret = 0;
	} else if (gp) {
		/*
		 * the port's access state changed, or only its group (VPD
		 * 0x83's target port group designator): INQUIRY DATA HAS
		 * CHANGED
		 */
		ret = kt_alua_lun_move(lun, gp);
		if (ret >= 0)
			kt_ua_lun_others(lun, NULL, ret ? KT_UA_ALUA_CHANGED :
					 KT_UA_INQUIRY_CHANGED);
	}
	mutex_unlock(&kt_cfg_mutex);
	if (ret < 0)
		pr_err_ratelimited("lun_%llu: alua_tg_pt_gp: no group %.64s with an id in its device (%d)\n",
				   lun->index, page, ret);
	return ret < 0 ? -EINVAL : count;
}

static ssize_t kt_lun_alua_tg_pt_offline_show(struct config_item *item,
					      char *page)
{
	return sprintf(page, "%d\n", READ_ONCE(kt_alua_lun(item)->alua_offline));
}

/*
 * The secondary state of @lun's port becomes @offline with @status, its
 * metadata file written first if it keeps one (alua_tg_pt_write_md): 0,
 * or -errno and nothing changed.
 */
static int kt_lun_alua_set(struct kt_lun *lun, const char *what,
			   bool offline, u8 status)
{
	int ret = 0;

	mutex_lock(&kt_cfg_mutex);
	if (!lun->linked) {
		pr_err_ratelimited("lun_%llu: %s: no device\n", lun->index,
				   what);
		ret = -EINVAL;
	} else if (READ_ONCE(lun->alua_write_md)) {
		ret = kt_alua_file_write_lun(lun, offline, status);
	}
	if (!ret) {
		WRITE_ONCE(lun->alua_offline, offline);
		WRITE_ONCE(lun->alua_status, status);
	}
	mutex_unlock(&kt_cfg_mutex);
	return ret;
}

/* 1: the port's secondary state is offline, every command NOT READY */
static ssize_t kt_lun_alua_tg_pt_offline_store(struct config_item *item,
					       const char *page, size_t count)
{
	struct kt_lun *lun = kt_alua_lun(item);
	u32 val;
	int ret;

	if (kstrtou32(page, 0, &val) || val > 1) {
		pr_err_ratelimited("lun_%llu: alua_tg_pt_offline takes 0 or 1\n",
				   lun->index);
		return -EINVAL;
	}
	ret = kt_lun_alua_set(lun, "alua_tg_pt_offline", val,
			      KT_ALUA_STATUS_IMPLICIT);
	return ret ? ret : count;
}

static ssize_t kt_lun_alua_tg_pt_status_show(struct config_item *item,
					     char *page)
{
	return sprintf(page, "%d\n", READ_ONCE(kt_alua_lun(item)->alua_status));
}

static ssize_t kt_lun_alua_tg_pt_status_store(struct config_item *item,
					      const char *page, size_t count)
{
	struct kt_lun *lun = kt_alua_lun(item);
	u32 val;
	int ret;

	if (kstrtou32(page, 0, &val) || val > KT_ALUA_STATUS_IMPLICIT) {
		pr_err_ratelimited("lun_%llu: alua_tg_pt_status takes 0 to 2\n",
				   lun->index);
		return -EINVAL;
	}
	ret = kt_lun_alua_set(lun, "alua_tg_pt_status",
			      READ_ONCE(lun->alua_offline), val);
	return ret ? ret : count;
}

static ssize_t kt_lun_alua_tg_pt_write_md_show(struct config_item *item,
					       char *page)
{
	return sprintf(page, "%d\n", READ_ONCE(kt_alua_lun(item)->alua_write_md));
}

static ssize_t kt_lun_alua_tg_pt_write_md_store(struct config_item *item,
						const char *page, size_t count)
{
	struct kt_lun *lun = kt_alua_lun(item);
	u32 val;

	if (kstrtou32(page, 0, &val) || val > 1) {
		pr_err_ratelimited("lun_%llu: alua_tg_pt_write_md takes 0 or 1\n",
				   lun->index);
		return -EINVAL;
	}
	WRITE_ONCE(lun->alua_write_md, val);
	return count;
}

/* fabric.c lists them in every lun_<n>/ */
#define KT_LUN_ATTR(_name)						\
struct configfs_attribute kt_lun_attr_##_name = {			\
	.ca_name	= __stringify(_name),				\
	.ca_mode	= 0644,						\
	.ca_owner	= THIS_MODULE,					\
	.show		= kt_lun_##_name##_show,			\
	.store		= kt_lun_##_name##_store,			\
}

KT_LUN_ATTR(alua_tg_pt_gp);
KT_LUN_ATTR(alua_tg_pt_offline);
KT_LUN_ATTR(alua_tg_pt_status);
KT_LUN_ATTR(alua_tg_pt_write_md);
