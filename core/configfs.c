// SPDX-License-Identifier: GPL-2.0
/*
 * The top of the configfs tree: target/{version,dbroot},
 * target/core/ with its HBAs and devices, and the fabric directories'
 * make/drop entry points (the fabric tree itself is in fabric.c).
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/namei.h>
#include <linux/utsname.h>
#include "core.h"

char kt_dbroot[KT_PATH_LEN] = KT_DBROOT_DEFAULT;
static int kt_hba_count;	/* HBAs in existence, under kt_cfg_mutex */
static u32 kt_hba_index_next;

/* ---------------- target/core/<hba>/<dev>/ ---------------- */

static ssize_t kt_dev_info_show(struct config_item *item, char *page)
{
	return kt_dev_info(kt_dev_from_item(item), page);
}

static ssize_t kt_dev_control_store(struct config_item *item,
				    const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_item(item);
	char *opts;
	int ret;

	if (count >= PAGE_SIZE)
		return -EINVAL;
	opts = kstrndup(page, count, GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	mutex_lock(&kt_cfg_mutex);
	ret = kt_dev_control(dev, opts);
	mutex_unlock(&kt_cfg_mutex);
	kfree(opts);
	return ret ? ret : count;
}

static ssize_t kt_dev_enable_show(struct config_item *item, char *page)
{
	return sprintf(page, "%d\n", kt_dev_from_item(item)->configured);
}

static ssize_t kt_dev_enable_store(struct config_item *item,
				   const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_item(item);
	int ret;
	u32 val;

	ret = kstrtou32(page, 0, &val);
	if (ret || val != 1) {
		pr_err_ratelimited("%s: enable takes only 1\n", dev->name);
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	ret = kt_dev_enable(dev);
	mutex_unlock(&kt_cfg_mutex);
	return ret ? ret : count;
}

/* Store a string attribute of the device, dropping one trailing newline. */
static ssize_t kt_dev_store_str(struct kt_dev *dev, char *dst, size_t size,
				const char *page, size_t count,
				const char *what)
{
	size_t len = count;

	if (len && page[len - 1] == '\n')
		len--;
	if (len >= size) {
		pr_err_ratelimited("%s: %s longer than %zu bytes\n", dev->name, what,
				   size - 1);
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	memcpy(dst, page, len);
	memset(dst + len, 0, size - len);
	mutex_unlock(&kt_cfg_mutex);
	return count;
}

/* Show a string attribute of the device (written under kt_cfg_mutex). */
static ssize_t kt_dev_show_str(const char *str, char *page)
{
	ssize_t len = 0;

	mutex_lock(&kt_cfg_mutex);
	if (str[0])
		len = sprintf(page, "%s\n", str);
	mutex_unlock(&kt_cfg_mutex);
	return len;
}

static ssize_t kt_dev_alias_show(struct config_item *item, char *page)
{
	return kt_dev_show_str(kt_dev_from_item(item)->alias, page);
}

static ssize_t kt_dev_alias_store(struct config_item *item,
				  const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_item(item);

	return kt_dev_store_str(dev, dev->alias, sizeof(dev->alias), page,
				count, "alias");
}

static ssize_t kt_dev_udev_path_show(struct config_item *item, char *page)
{
	return kt_dev_show_str(kt_dev_from_item(item)->udev_path, page);
}

static ssize_t kt_dev_udev_path_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_item(item);

	return kt_dev_store_str(dev, dev->udev_path, sizeof(dev->udev_path),
				page, count, "udev_path");
}

static ssize_t kt_dev_alua_lu_gp_show(struct config_item *item, char *page)
{
	return sprintf(page, "LU Group Alias: default_lu_gp\nLU Group ID: 0\n");
}

static ssize_t kt_dev_alua_lu_gp_store(struct config_item *item,
				       const char *page, size_t count)
{
	if (sysfs_streq(page, "default_lu_gp"))
		return count;
	pr_err_ratelimited("only the LU group default_lu_gp exists\n");
	return -EINVAL;
}

static ssize_t kt_dev_lba_map_show(struct config_item *item, char *page)
{
	return 0;
}

static ssize_t kt_dev_lba_map_store(struct config_item *item,
				    const char *page, size_t count)
{
	pr_err_ratelimited("LBA-dependent ALUA (lba_map) is not supported\n");
	return -EOPNOTSUPP;
}

CONFIGFS_ATTR_RO(kt_dev_, info);
CONFIGFS_ATTR_WO(kt_dev_, control);
CONFIGFS_ATTR(kt_dev_, enable);
CONFIGFS_ATTR(kt_dev_, alias);
CONFIGFS_ATTR(kt_dev_, udev_path);
CONFIGFS_ATTR(kt_dev_, alua_lu_gp);
CONFIGFS_ATTR(kt_dev_, lba_map);

static struct configfs_attribute *kt_dev_attrs[] = {
	&kt_dev_attr_info,
	&kt_dev_attr_control,
	&kt_dev_attr_enable,
	&kt_dev_attr_alias,
	&kt_dev_attr_udev_path,
	&kt_dev_attr_alua_lu_gp,
	&kt_dev_attr_lba_map,
	NULL,
};

static void kt_dev_release(struct config_item *item)
{
	kt_dev_free(kt_dev_from_item(item));
}

static struct configfs_item_operations kt_dev_item_ops = {
	.release = kt_dev_release,
};

static const struct config_item_type kt_dev_type = {
	.ct_item_ops = &kt_dev_item_ops,
	.ct_attrs = kt_dev_attrs,
	.ct_owner = THIS_MODULE,
};

bool kt_item_is_dev(struct config_item *item)
{
	return item->ci_type == &kt_dev_type;
}

static struct kt_hba *kt_hba_from_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_hba, group);
}

static void kt_dev_add_groups(struct kt_dev *dev)
{
	config_group_init_type_name(&dev->group, dev->name, &kt_dev_type);
	config_group_init_type_name(&dev->action_group, "action",
				    &kt_dev_action_type);
	configfs_add_default_group(&dev->action_group, &dev->group);
	config_group_init_type_name(&dev->attrib_group, "attrib",
				    &kt_dev_attrib_type);
	configfs_add_default_group(&dev->attrib_group, &dev->group);
	config_group_init_type_name(&dev->pr_group, "pr", &kt_dev_pr_type);
	configfs_add_default_group(&dev->pr_group, &dev->group);
	config_group_init_type_name(&dev->wwn_group, "wwn", &kt_dev_wwn_type);
	configfs_add_default_group(&dev->wwn_group, &dev->group);
	config_group_init_type_name(&dev->alua_group, "alua",
				    &kt_dev_alua_type);
	configfs_add_default_group(&dev->alua_group, &dev->group);
	config_group_init_type_name(&dev->tg_pt_gp.group,
				    "default_tg_pt_gp", &kt_dev_tg_pt_gp_type);
	configfs_add_default_group(&dev->tg_pt_gp.group, &dev->alua_group);
	config_group_init_type_name(&dev->stat_group, "statistics",
				    &kt_dev_stat_type);
	configfs_add_default_group(&dev->stat_group, &dev->group);
	kt_stat_dev_groups(dev);
}

static struct config_group *kt_dev_make(struct config_group *group,
					const char *name)
{
	struct kt_hba *hba = kt_hba_from_item(&group->cg_item);
	struct kt_dev *dev;

	if (strlen(name) >= sizeof(dev->name)) {
		pr_err_ratelimited("device name %s is too long\n", name);
		return ERR_PTR(-ENAMETOOLONG);
	}
	dev = hba->ops->alloc_dev(hba, name);
	if (IS_ERR_OR_NULL(dev))
		return dev ? ERR_CAST(dev) : ERR_PTR(-ENOMEM);
	if (kt_dev_alua_alloc(dev) || kt_dev_pr_alloc(dev)) {
		kt_dev_pr_free(dev);
		kt_dev_alua_free(dev);
		hba->ops->free_dev(dev);
		return ERR_PTR(-ENOMEM);
	}
	dev->ops = hba->ops;
	dev->hba = hba;
	strscpy(dev->name, name, sizeof(dev->name));
	INIT_LIST_HEAD(&dev->luns);
	kt_ts_init(dev);
	mutex_lock(&kt_cfg_mutex);
	dev->index = kt_next_dev_index();
	hba->dev_count++;
	mutex_unlock(&kt_cfg_mutex);
	kt_dev_set_defaults(dev);
	kt_dev_add_groups(dev);
	return &dev->group;
}

static void kt_dev_drop(struct config_group *group, struct config_item *item)
{
	struct kt_hba *hba = kt_hba_from_item(&group->cg_item);

	mutex_lock(&kt_cfg_mutex);
	hba->dev_count--;
	mutex_unlock(&kt_cfg_mutex);
	config_item_put(item);
}

/* ---------------- target/core/<hba>/ ---------------- */

static ssize_t kt_hba_hba_info_show(struct config_item *item, char *page)
{
	struct kt_hba *hba = kt_hba_from_item(item);

	return sprintf(page, "HBA Index: %u plugin: %s version: %s\n",
		       hba->index, hba->ops->name, KT_VERSION);
}

static ssize_t kt_hba_hba_mode_show(struct config_item *item, char *page)
{
	return sprintf(page, "0\n");
}

static ssize_t kt_hba_hba_mode_store(struct config_item *item,
				     const char *page, size_t count)
{
	u32 val;

	if (kstrtou32(page, 0, &val) || val) {
		pr_err_ratelimited("hba_mode: only 0 is supported by this backstore\n");
		return -EINVAL;
	}
	return count;
}

CONFIGFS_ATTR_RO(kt_hba_, hba_info);
CONFIGFS_ATTR(kt_hba_, hba_mode);

static struct configfs_attribute *kt_hba_attrs[] = {
	&kt_hba_attr_hba_info,
	&kt_hba_attr_hba_mode,
	NULL,
};

static void kt_hba_release(struct config_item *item)
{
	struct kt_hba *hba = kt_hba_from_item(item);

	kt_backend_put(hba->ops);
	kfree(hba);
}

static struct configfs_item_operations kt_hba_item_ops = {
	.release = kt_hba_release,
};

static struct configfs_group_operations kt_hba_group_ops = {
	.make_group = kt_dev_make,
	.drop_item = kt_dev_drop,
};

static const struct config_item_type kt_hba_type = {
	.ct_item_ops = &kt_hba_item_ops,
	.ct_group_ops = &kt_hba_group_ops,
	.ct_attrs = kt_hba_attrs,
	.ct_owner = THIS_MODULE,
};

/*
 * Split "<backend>_<id>": at the second '_' when there are two (rd_mcp_0),
 * else at the first (fileio_3), as LIO does.
 */
static int kt_hba_parse(const char *name, char *backend, size_t size, u32 *id)
{
	const char *us = strchr(name, '_');

	if (!us)
		return -EINVAL;
	if (strchr(us + 1, '_'))
		us = strchr(us + 1, '_');
	if (us - name >= size || kstrtou32(us + 1, 10, id))
		return -EINVAL;
	memcpy(backend, name, us - name);
	backend[us - name] = '\0';
	return 0;
}

static struct config_group *kt_hba_make(struct config_group *group,
					const char *name)
{
	struct kt_backend_ops *ops;
	struct kt_hba *hba;
	char backend[32];
	u32 id;

	if (!strcmp(name, "alua"))
		return ERR_PTR(-EEXIST);
	if (strlen(name) > 64 ||
	    kt_hba_parse(name, backend, sizeof(backend), &id)) {
		pr_err_ratelimited("HBA directory %s is not <backstore>_<number>\n", name);
		return ERR_PTR(-EINVAL);
	}
	hba = kzalloc(sizeof(*hba), GFP_KERNEL);
	if (!hba)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&kt_cfg_mutex);
	ops = kt_backend_get(backend);
	if (!ops) {
		mutex_unlock(&kt_cfg_mutex);
		kfree(hba);
		pr_err_ratelimited("no backstore called %s\n", backend);
		return ERR_PTR(-EINVAL);
	}
	hba->ops = ops;
	hba->id = id;
	hba->index = kt_hba_index_next++;
	kt_hba_count++;
	mutex_unlock(&kt_cfg_mutex);
	config_group_init_type_name(&hba->group, name, &kt_hba_type);
	return &hba->group;
}

static void kt_hba_drop(struct config_group *group, struct config_item *item)
{
	mutex_lock(&kt_cfg_mutex);
	kt_hba_count--;
	mutex_unlock(&kt_cfg_mutex);
	config_item_put(item);
}

/* ---------------- target/core/alua/lu_gps/default_lu_gp ------------- */

static ssize_t kt_lu_gp_lu_gp_id_show(struct config_item *item, char *page)
{
	return sprintf(page, "0\n");
}

static ssize_t kt_lu_gp_members_show(struct config_item *item, char *page)
{
	return 0;
}

CONFIGFS_ATTR_RO(kt_lu_gp_, lu_gp_id);
CONFIGFS_ATTR_RO(kt_lu_gp_, members);

static struct configfs_attribute *kt_lu_gp_attrs[] = {
	&kt_lu_gp_attr_lu_gp_id,
	&kt_lu_gp_attr_members,
	NULL,
};

static const struct config_item_type kt_lu_gp_type = {
	.ct_attrs = kt_lu_gp_attrs,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type kt_plain_type = {
	.ct_owner = THIS_MODULE,
};

static struct config_group kt_alua_group;
static struct config_group kt_lu_gps_group;
static struct config_group kt_default_lu_gp_group;

static struct configfs_group_operations kt_core_group_ops = {
	.make_group = kt_hba_make,
	.drop_item = kt_hba_drop,
};

static const struct config_item_type kt_core_type = {
	.ct_group_ops = &kt_core_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct config_group kt_core_group;

/* ---------------- target/ ---------------- */

static ssize_t kt_root_version_show(struct config_item *item, char *page)
{
	return sprintf(page,
		       "Target Engine Core ConfigFS Infrastructure %s on %s/%s on %s\n",
		       KT_VERSION, utsname()->sysname, utsname()->machine,
		       utsname()->release);
}

static ssize_t kt_root_dbroot_show(struct config_item *item, char *page)
{
	return sprintf(page, "%s\n", kt_dbroot);
}

static ssize_t kt_root_dbroot_store(struct config_item *item,
				    const char *page, size_t count)
{
	char path[KT_PATH_LEN];
	struct path p;
	size_t len = count;
	int ret;

	if (len && page[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(path)) {
		pr_err_ratelimited("dbroot: path empty or too long\n");
		return -EINVAL;
	}
	memcpy(path, page, len);
	path[len] = '\0';
	mutex_lock(&kt_cfg_mutex);
	if (kt_hba_count) {
		mutex_unlock(&kt_cfg_mutex);
		pr_err_ratelimited("dbroot cannot change while backstores exist\n");
		return -EINVAL;
	}
	ret = kern_path(path, LOOKUP_FOLLOW, &p);
	if (!ret) {
		if (d_is_dir(p.dentry))
			strscpy(kt_dbroot, path, sizeof(kt_dbroot));
		else
			ret = -ENOTDIR;
		path_put(&p);
	}
	mutex_unlock(&kt_cfg_mutex);
	if (ret) {
		pr_err_ratelimited("dbroot %s is not an existing directory\n", path);
		return -EINVAL;
	}
	return count;
}

CONFIGFS_ATTR_RO(kt_root_, version);
CONFIGFS_ATTR(kt_root_, dbroot);

static struct configfs_attribute *kt_root_attrs[] = {
	&kt_root_attr_version,
	&kt_root_attr_dbroot,
	NULL,
};

static struct configfs_group_operations kt_root_group_ops = {
	.make_group = kt_fabric_make,
	.drop_item = kt_fabric_drop,
};

static const struct config_item_type kt_root_type = {
	.ct_group_ops = &kt_root_group_ops,
	.ct_attrs = kt_root_attrs,
	.ct_owner = THIS_MODULE,
};

struct configfs_subsystem kt_subsys = {
	.su_group = {
		.cg_item = {
			.ci_type = &kt_root_type,
		},
	},
};

static void kt_dbroot_init(void)
{
	struct path p;

	if (!kern_path(KT_DBROOT_PREFERRED, LOOKUP_FOLLOW, &p)) {
		if (d_is_dir(p.dentry))
			strscpy(kt_dbroot, KT_DBROOT_PREFERRED,
				sizeof(kt_dbroot));
		path_put(&p);
	}
}

int kt_configfs_init(const char *subsys_name)
{
	struct config_group *root = &kt_subsys.su_group;
	int ret;

	if (!*subsys_name || strchr(subsys_name, '/')) {
		pr_err("invalid configfs subsystem name \"%s\"\n", subsys_name);
		return -EINVAL;
	}
	config_item_set_name(&root->cg_item, "%s", subsys_name);
	config_group_init(root);
	mutex_init(&kt_subsys.su_mutex);

	config_group_init_type_name(&kt_core_group, "core", &kt_core_type);
	configfs_add_default_group(&kt_core_group, root);
	config_group_init_type_name(&kt_alua_group, "alua", &kt_plain_type);
	configfs_add_default_group(&kt_alua_group, &kt_core_group);
	config_group_init_type_name(&kt_lu_gps_group, "lu_gps", &kt_plain_type);
	configfs_add_default_group(&kt_lu_gps_group, &kt_alua_group);
	config_group_init_type_name(&kt_default_lu_gp_group, "default_lu_gp",
				    &kt_lu_gp_type);
	configfs_add_default_group(&kt_default_lu_gp_group, &kt_lu_gps_group);

	kt_dbroot_init();
	ret = configfs_register_subsystem(&kt_subsys);
	if (ret)
		pr_err("cannot register configfs subsystem %s: %d\n",
		       subsys_name, ret);
	return ret;
}

void kt_configfs_exit(void)
{
	configfs_unregister_subsystem(&kt_subsys);
}
