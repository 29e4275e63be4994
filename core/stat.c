// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics/ of each device, in the shape of the SCSI MIB
 * (RFC 4455) tables LIO exposes: scsi_dev, scsi_tgt_dev, scsi_lu.
 */
#include "core.h"

static struct kt_dev *kt_stat_dev(struct config_item *item, size_t off)
{
	return (struct kt_dev *)((u8 *)to_config_group(item) - off);
}

#define DEV_OF(item, grp) kt_stat_dev(item, offsetof(struct kt_dev, grp))

/* scsi_dev/ */
static ssize_t kt_sdev_inst_show(struct config_item *item, char *page)
{
	return sprintf(page, "%u\n", DEV_OF(item, stat_dev_group)->hba->index);
}

static ssize_t kt_sdev_indx_show(struct config_item *item, char *page)
{
	return sprintf(page, "%u\n", DEV_OF(item, stat_dev_group)->index);
}

static ssize_t kt_sdev_role_show(struct config_item *item, char *page)
{
	return sprintf(page, "Target\n");
}

static ssize_t kt_sdev_ports_show(struct config_item *item, char *page)
{
	return sprintf(page, "%d\n",
		       DEV_OF(item, stat_dev_group)->export_count);
}

CONFIGFS_ATTR_RO(kt_sdev_, inst);
CONFIGFS_ATTR_RO(kt_sdev_, indx);
CONFIGFS_ATTR_RO(kt_sdev_, role);
CONFIGFS_ATTR_RO(kt_sdev_, ports);

static struct configfs_attribute *kt_sdev_attrs[] = {
	&kt_sdev_attr_inst,
	&kt_sdev_attr_indx,
	&kt_sdev_attr_role,
	&kt_sdev_attr_ports,
	NULL,
};

static const struct config_item_type kt_sdev_type = {
	.ct_attrs = kt_sdev_attrs,
	.ct_owner = THIS_MODULE,
};

/* scsi_tgt_dev/ */
static ssize_t kt_stdev_num_lus_show(struct config_item *item, char *page)
{
	return sprintf(page, "1\n");
}

static ssize_t kt_stdev_status_show(struct config_item *item, char *page)
{
	struct kt_dev *dev = DEV_OF(item, stat_tgt_dev_group);

	return sprintf(page, "%s\n", dev->export_count ? "activated" :
		       "deactivated");
}

static ssize_t kt_stdev_non_access_lus_show(struct config_item *item,
					    char *page)
{
	struct kt_dev *dev = DEV_OF(item, stat_tgt_dev_group);

	return sprintf(page, "%d\n", dev->export_count ? 0 : 1);
}

/* file names from the SCSI MIB, mixed case as LIO has them */
static struct configfs_attribute kt_stdev_attr_num_lus = {
	.ca_name = "num_LUs",
	.ca_mode = 0444,
	.ca_owner = THIS_MODULE,
	.show = kt_stdev_num_lus_show,
};

CONFIGFS_ATTR_RO(kt_stdev_, status);

static struct configfs_attribute kt_stdev_attr_non_access_lus = {
	.ca_name = "non_access_LUs",
	.ca_mode = 0444,
	.ca_owner = THIS_MODULE,
	.show = kt_stdev_non_access_lus_show,
};

static struct configfs_attribute *kt_stdev_attrs[] = {
	&kt_stdev_attr_num_lus,
	&kt_stdev_attr_status,
	&kt_stdev_attr_non_access_lus,
	NULL,
};

static const struct config_item_type kt_stdev_type = {
	.ct_attrs = kt_stdev_attrs,
	.ct_owner = THIS_MODULE,
};

/* scsi_lu/ */

/* One INQUIRY string of @item's device, copied whole (see ident_lock). */
static ssize_t kt_slu_show_str(struct config_item *item, char *page,
			       size_t off)
{
	struct kt_dev *dev = DEV_OF(item, stat_lu_group);
	ssize_t len;

	spin_lock_bh(&dev->ident_lock);
	len = sprintf(page, "%s\n", (char *)dev + off);
	spin_unlock_bh(&dev->ident_lock);
	return len;
}

static ssize_t kt_slu_lu_name_show(struct config_item *item, char *page)
{
	return kt_slu_show_str(item, page, offsetof(struct kt_dev, unit_serial));
}

static ssize_t kt_slu_vend_show(struct config_item *item, char *page)
{
	return kt_slu_show_str(item, page, offsetof(struct kt_dev, vendor));
}

static ssize_t kt_slu_prod_show(struct config_item *item, char *page)
{
	return kt_slu_show_str(item, page, offsetof(struct kt_dev, product));
}

static ssize_t kt_slu_rev_show(struct config_item *item, char *page)
{
	return kt_slu_show_str(item, page, offsetof(struct kt_dev, revision));
}

static ssize_t kt_slu_dev_type_show(struct config_item *item, char *page)
{
	return sprintf(page, "0\n");
}

static ssize_t kt_slu_num_cmds_show(struct config_item *item, char *page)
{
	struct kt_dev *dev = DEV_OF(item, stat_lu_group);

	return sprintf(page, "%lld\n", atomic64_read(&dev->num_cmds));
}

static ssize_t kt_slu_read_mbytes_show(struct config_item *item, char *page)
{
	struct kt_dev *dev = DEV_OF(item, stat_lu_group);

	return sprintf(page, "%lld\n", atomic64_read(&dev->read_bytes) >> 20);
}

static ssize_t kt_slu_write_mbytes_show(struct config_item *item, char *page)
{
	struct kt_dev *dev = DEV_OF(item, stat_lu_group);

	return sprintf(page, "%lld\n", atomic64_read(&dev->write_bytes) >> 20);
}

CONFIGFS_ATTR_RO(kt_slu_, lu_name);
CONFIGFS_ATTR_RO(kt_slu_, vend);
CONFIGFS_ATTR_RO(kt_slu_, prod);
CONFIGFS_ATTR_RO(kt_slu_, rev);
CONFIGFS_ATTR_RO(kt_slu_, dev_type);
CONFIGFS_ATTR_RO(kt_slu_, num_cmds);
CONFIGFS_ATTR_RO(kt_slu_, read_mbytes);
CONFIGFS_ATTR_RO(kt_slu_, write_mbytes);

static struct configfs_attribute *kt_slu_attrs[] = {
	&kt_slu_attr_lu_name,
	&kt_slu_attr_vend,
	&kt_slu_attr_prod,
	&kt_slu_attr_rev,
	&kt_slu_attr_dev_type,
	&kt_slu_attr_num_cmds,
	&kt_slu_attr_read_mbytes,
	&kt_slu_attr_write_mbytes,
	NULL,
};

static const struct config_item_type kt_slu_type = {
	.ct_attrs = kt_slu_attrs,
	.ct_owner = THIS_MODULE,
};

const struct config_item_type kt_dev_stat_type = {
	.ct_owner = THIS_MODULE,
};

void kt_stat_dev_groups(struct kt_dev *dev)
{
	config_group_init_type_name(&dev->stat_dev_group, "scsi_dev",
				    &kt_sdev_type);
	configfs_add_default_group(&dev->stat_dev_group, &dev->stat_group);
	config_group_init_type_name(&dev->stat_tgt_dev_group, "scsi_tgt_dev",
				    &kt_stdev_type);
	configfs_add_default_group(&dev->stat_tgt_dev_group,
				   &dev->stat_group);
	config_group_init_type_name(&dev->stat_lu_group, "scsi_lu",
				    &kt_slu_type);
	configfs_add_default_group(&dev->stat_lu_group, &dev->stat_group);
}
