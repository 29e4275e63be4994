// SPDX-License-Identifier: GPL-2.0
/*
 * Alua/default_tg_pt_gp/ of each device.  Every LUN is in the
 * default group; its state is reported by REPORT TARGET PORT GROUPS once
 * ALUA is implemented (a later issue).  Values are validated and kept.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

#define KT_ALUA_SUP_ALL	0x8f	/* T, U, S, AN, AO (O and LBD not yet) */

static const char * const kt_alua_type_names[] = {
	"None", "Implicit", "Explicit", "Implicit and Explicit",
};

static const char * const kt_alua_status_names[] = {
	"None", "Altered by Explicit STPG", "Altered by Implicit ALUA",
};

void kt_alua_dev_defaults(struct kt_dev *dev)
{
	struct kt_tg_pt_gp *gp = &dev->tg_pt_gp;

	gp->type = 3;
	gp->supported = KT_ALUA_SUP_ALL | 0x40;	/* offline too */
	gp->nonop_delay_msecs = 100;
}

static struct kt_tg_pt_gp *kt_gp(struct config_item *item)
{
	struct kt_dev *dev = container_of(to_config_group(item), struct kt_dev,
					  alua_tg_pt_gp_group);

	return &dev->tg_pt_gp;
}

static int kt_alua_u32(const char *page, u32 max, const char *what, u32 *val)
{
	if (kstrtou32(page, 0, val) || *val > max) {
		pr_err_ratelimited("alua: %s takes 0 to %u\n", what, max);
		return -EINVAL;
	}
	return 0;
}

static ssize_t kt_gp_store(struct config_item *item, const char *page,
			   size_t count, u32 *field, u32 max, const char *what)
{
	u32 val;
	int ret = kt_alua_u32(page, max, what, &val);

	if (ret)
		return ret;
	mutex_lock(&kt_cfg_mutex);
	WRITE_ONCE(*field, val);
	mutex_unlock(&kt_cfg_mutex);
	return count;
}

static ssize_t kt_gp_alua_access_state_show(struct config_item *item,
					    char *page)
{
	return sprintf(page, "%u\n", kt_gp(item)->state);
}

static ssize_t kt_gp_alua_access_state_store(struct config_item *item,
					     const char *page, size_t count)
{
	struct kt_tg_pt_gp *gp = kt_gp(item);
	u32 val;
	int ret = kt_alua_u32(page, 0xf, "alua_access_state", &val);

	if (ret)
		return ret;
	/* 0 AO, 1 AN, 2 S, 3 U, 0xe O; LBA dependent and T are not settable */
	if (val > 3 && val != 0xe) {
		pr_err_ratelimited("alua: access state %u cannot be set\n",
				   val);
		return -EINVAL;
	}
	/* the type check and the change are one step under the mutex */
	mutex_lock(&kt_cfg_mutex);
	if (!(gp->type & 1)) {
		mutex_unlock(&kt_cfg_mutex);
		pr_err_ratelimited("alua: implicit ALUA is disabled for this group\n");
		return -EINVAL;
	}
	WRITE_ONCE(gp->state, val);
	WRITE_ONCE(gp->status, 2);
	mutex_unlock(&kt_cfg_mutex);
	return count;
}

static ssize_t kt_gp_alua_access_status_show(struct config_item *item,
					     char *page)
{
	return sprintf(page, "%s\n", kt_alua_status_names[kt_gp(item)->status]);
}

static ssize_t kt_gp_alua_access_status_store(struct config_item *item,
					      const char *page, size_t count)
{
	return kt_gp_store(item, page, count, &kt_gp(item)->status, 2,
			   "alua_access_status");
}

static ssize_t kt_gp_alua_access_type_show(struct config_item *item,
					   char *page)
{
	return sprintf(page, "%s\n", kt_alua_type_names[kt_gp(item)->type]);
}

static ssize_t kt_gp_alua_access_type_store(struct config_item *item,
					    const char *page, size_t count)
{
	return kt_gp_store(item, page, count, &kt_gp(item)->type, 3,
			   "alua_access_type");
}

/* alua_support_<state>: one bit of ->supported each */
static ssize_t kt_gp_sup_show(struct config_item *item, char *page, u32 bit)
{
	return sprintf(page, "%d\n", !!(kt_gp(item)->supported & bit));
}

static ssize_t kt_gp_sup_store(struct config_item *item, const char *page,
			       size_t count, u32 bit)
{
	struct kt_tg_pt_gp *gp = kt_gp(item);
	u32 val;
	int ret = kt_alua_u32(page, 1, "alua_support_*", &val);

	if (ret)
		return ret;
	mutex_lock(&kt_cfg_mutex);
	WRITE_ONCE(gp->supported, val ? gp->supported | bit :
		   gp->supported & ~bit);
	mutex_unlock(&kt_cfg_mutex);
	return count;
}

#define KT_GP_SUP(_n, _bit)						\
static const u32 kt_gp_bit_##_n = _bit;					\
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

KT_GP_SUP(transitioning, 0x80);
KT_GP_SUP(offline, 0x40);
KT_GP_SUP(lba_dependent, 0x10);
KT_GP_SUP(unavailable, 0x08);
KT_GP_SUP(standby, 0x04);
KT_GP_SUP(active_nonoptimized, 0x02);
KT_GP_SUP(active_optimized, 0x01);

static u32 *kt_gp_field(struct config_item *item, size_t off)
{
	return (u32 *)((u8 *)kt_gp(item) + off);
}

#define KT_GP_U32(_n, _field, _max)					\
static const size_t kt_gp_off_##_n = offsetof(struct kt_tg_pt_gp, _field); \
static ssize_t kt_gp_##_n##_show(struct config_item *item, char *page)	\
{									\
	return sprintf(page, "%u\n", *kt_gp_field(item, kt_gp_off_##_n));	\
}									\
static ssize_t kt_gp_##_n##_store(struct config_item *item,		\
				  const char *page, size_t count)	\
{									\
	return kt_gp_store(item, page, count,				\
			   kt_gp_field(item, kt_gp_off_##_n), _max, #_n); \
}									\
CONFIGFS_ATTR(kt_gp_, _n)

KT_GP_U32(alua_write_metadata, write_metadata, 1);
KT_GP_U32(nonop_delay_msecs, nonop_delay_msecs, 10000);
KT_GP_U32(trans_delay_msecs, trans_delay_msecs, 30000);
KT_GP_U32(implicit_trans_secs, implicit_trans_secs, 255);
KT_GP_U32(preferred, preferred, 1);

static ssize_t kt_gp_tg_pt_gp_id_show(struct config_item *item, char *page)
{
	return sprintf(page, "%u\n", kt_gp(item)->id);
}

static ssize_t kt_gp_tg_pt_gp_id_store(struct config_item *item,
				       const char *page, size_t count)
{
	pr_err_ratelimited("alua: the id of default_tg_pt_gp is fixed at 0\n");
	return -EINVAL;
}

static ssize_t kt_gp_members_show(struct config_item *item, char *page)
{
	struct kt_dev *dev = container_of(to_config_group(item), struct kt_dev,
					  alua_tg_pt_gp_group);
	struct kt_lun *lun;
	ssize_t len = 0;

	mutex_lock(&kt_cfg_mutex);
	list_for_each_entry(lun, &dev->luns, dev_entry) {
		struct kt_tpg *tpg = lun->tpg;

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

const struct config_item_type kt_dev_tg_pt_gp_type = {
	.ct_attrs = kt_gp_attrs,
	.ct_owner = THIS_MODULE,
};
