// SPDX-License-Identifier: GPL-2.0
/*
 * The configfs tree under target/<fabric>/:
 *   <wwn>/tpgt_N/{lun/lun_M, acls/<initiator>/lun_K, np/, attrib/, auth/,
 *   param/}.  The fabric supplies the objects and its own attribute files;
 *   the core supplies the directories, LUN links and ACL mappings.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

/*
 * Item types whose attribute lists come from the fabric, made once per
 * fabric directory (mkdir target/<fabric>).
 */
struct kt_fabric_types {
	struct kt_fabric fabric;
	struct config_item_type fabric_type;
	struct config_item_type disc_type;
	struct config_item_type wwn_type;
	struct config_item_type tpg_type;
	struct config_item_type tpg_attrib_type;
	struct config_item_type tpg_auth_type;
	struct config_item_type tpg_param_type;
	struct config_item_type np_dir_type;
	struct config_item_type acl_dir_type;
	struct config_item_type acl_type;
	struct config_item_type acl_attrib_type;
	struct config_item_type acl_auth_type;
	struct config_item_type acl_param_type;
	struct configfs_attribute *tpg_attrs[32];
};

static struct kt_fabric_types *kt_types(struct kt_fabric *fabric)
{
	return container_of(fabric, struct kt_fabric_types, fabric);
}

static const struct config_item_type kt_plain_type = {
	.ct_owner = THIS_MODULE,
};

/* ---------------- lun/lun_M ---------------- */

static struct kt_lun *kt_lun_from_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_lun, group);
}

static struct configfs_attribute *kt_lun_attrs[] = {
	&kt_lun_attr_alua_tg_pt_gp,
	&kt_lun_attr_alua_tg_pt_offline,
	&kt_lun_attr_alua_tg_pt_status,
	&kt_lun_attr_alua_tg_pt_write_md,
	NULL,
};

static int kt_lun_allow_link(struct config_item *item,
			     struct config_item *target)
{
	struct kt_lun *lun = kt_lun_from_item(item);
	const struct kt_fabric_ops *ops = lun->tpg->wwn->fabric->ops;
	int ret;

	if (!kt_item_is_dev(target)) {
		pr_err("lun_%llu: link target is not a storage object under core/\n",
		       lun->index);
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	ret = kt_lun_link(lun, kt_dev_from_item(target));
	mutex_unlock(&kt_cfg_mutex);
	if (ret || !ops->lun_link)
		return ret;
	ret = ops->lun_link(lun->tpg, lun);
	if (ret) {
		pr_err("lun_%llu: the %s fabric refused the LUN: %d\n",
		       lun->index, ops->name, ret);
		mutex_lock(&kt_cfg_mutex);
		kt_lun_unlink(lun);
		mutex_unlock(&kt_cfg_mutex);
	}
	return ret;
}

static void kt_lun_drop_link(struct config_item *item,
			     struct config_item *target)
{
	struct kt_lun *lun = kt_lun_from_item(item);

	if (lun->tpg->wwn->fabric->ops->lun_unlink)
		lun->tpg->wwn->fabric->ops->lun_unlink(lun->tpg, lun);
	mutex_lock(&kt_cfg_mutex);
	kt_lun_unlink(lun);
	mutex_unlock(&kt_cfg_mutex);
}

static void kt_lun_release(struct config_item *item)
{
	kt_lun_free(kt_lun_from_item(item));
}

static struct configfs_item_operations kt_lun_item_ops = {
	.release = kt_lun_release,
	.allow_link = kt_lun_allow_link,
	.drop_link = kt_lun_drop_link,
};

static const struct config_item_type kt_lun_type = {
	.ct_item_ops = &kt_lun_item_ops,
	.ct_attrs = kt_lun_attrs,
	.ct_owner = THIS_MODULE,
};

/* Parse "lun_<N>"; N fits SAM-5 flat space addressing (14 bits). */
static int kt_parse_lun_name(const char *name, u64 *index)
{
	if (strncmp(name, "lun_", 4) || kstrtou64(name + 4, 10, index) ||
	    *index > KT_MAX_LUN) {
		pr_err("%s: LUN directories are lun_<0-%u>\n", name,
		       KT_MAX_LUN);
		return -EINVAL;
	}
	return 0;
}

static struct kt_tpg *kt_tpg_from_lun_dir(struct config_group *group)
{
	return container_of(group, struct kt_tpg, lun_group);
}

static struct config_group *kt_lun_make(struct config_group *group,
					const char *name)
{
	struct kt_tpg *tpg = kt_tpg_from_lun_dir(group);
	struct kt_lun *lun;
	u64 index;
	int ret;

	ret = kt_parse_lun_name(name, &index);
	if (ret)
		return ERR_PTR(ret);
	lun = kt_lun_alloc(tpg, index);
	if (IS_ERR(lun))
		return ERR_CAST(lun);
	config_group_init_type_name(&lun->group, name, &kt_lun_type);
	config_group_init_type_name(&lun->stat_group, "statistics",
				    &kt_plain_type);
	configfs_add_default_group(&lun->stat_group, &lun->group);
	return &lun->group;
}

static void kt_lun_drop(struct config_group *group, struct config_item *item)
{
	config_item_put(item);
}

static struct configfs_group_operations kt_lun_dir_ops = {
	.make_group = kt_lun_make,
	.drop_item = kt_lun_drop,
};

static const struct config_item_type kt_lun_dir_type = {
	.ct_group_ops = &kt_lun_dir_ops,
	.ct_owner = THIS_MODULE,
};

/* ---------------- acls/<initiator>/lun_K ---------------- */

static struct kt_mapped_lun *kt_mlun_from_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_mapped_lun,
			    group);
}

static ssize_t kt_mlun_write_protect_show(struct config_item *item,
					  char *page)
{
	return sprintf(page, "%d\n",
		       READ_ONCE(kt_mlun_from_item(item)->write_protect));
}

static ssize_t kt_mlun_write_protect_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct kt_mapped_lun *mlun = kt_mlun_from_item(item);
	u32 val;

	if (kstrtou32(page, 0, &val) || val > 1) {
		pr_err("write_protect takes 0 or 1\n");
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	WRITE_ONCE(mlun->write_protect, val);
	mutex_unlock(&kt_cfg_mutex);
	return count;
}

CONFIGFS_ATTR(kt_mlun_, write_protect);

static struct configfs_attribute *kt_mlun_attrs[] = {
	&kt_mlun_attr_write_protect,
	NULL,
};

static int kt_mlun_allow_link(struct config_item *item,
			      struct config_item *target)
{
	struct kt_mapped_lun *mlun = kt_mlun_from_item(item);
	struct kt_lun *lun;
	int ret;

	if (target->ci_type != &kt_lun_type) {
		pr_err("mapped LUN %llu: link target is not a lun_N of this TPG\n",
		       mlun->mapped);
		return -EINVAL;
	}
	lun = kt_lun_from_item(target);
	if (lun->tpg != mlun->acl->tpg) {
		pr_err("mapped LUN %llu: the LUN belongs to another TPG\n",
		       mlun->mapped);
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	ret = kt_mlun_link(mlun, lun);
	mutex_unlock(&kt_cfg_mutex);
	return ret;
}

static void kt_mlun_drop_link(struct config_item *item,
			      struct config_item *target)
{
	mutex_lock(&kt_cfg_mutex);
	kt_mlun_unlink(kt_mlun_from_item(item));
	mutex_unlock(&kt_cfg_mutex);
}

static void kt_mlun_release(struct config_item *item)
{
	kt_mlun_free(kt_mlun_from_item(item));
}

static struct configfs_item_operations kt_mlun_item_ops = {
	.release = kt_mlun_release,
	.allow_link = kt_mlun_allow_link,
	.drop_link = kt_mlun_drop_link,
};

static const struct config_item_type kt_mlun_type = {
	.ct_item_ops = &kt_mlun_item_ops,
	.ct_attrs = kt_mlun_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *kt_mlun_make(struct config_group *group,
					 const char *name)
{
	struct kt_node_acl *acl = kt_acl_from_item(&group->cg_item);
	struct kt_mapped_lun *mlun;
	u64 mapped;
	int ret;

	ret = kt_parse_lun_name(name, &mapped);
	if (ret)
		return ERR_PTR(ret);
	mlun = kt_mlun_alloc(acl, mapped);
	if (IS_ERR(mlun))
		return ERR_CAST(mlun);
	config_group_init_type_name(&mlun->group, name, &kt_mlun_type);
	config_group_init_type_name(&mlun->stat_group, "statistics",
				    &kt_plain_type);
	configfs_add_default_group(&mlun->stat_group, &mlun->group);
	return &mlun->group;
}

static void kt_mlun_drop(struct config_group *group, struct config_item *item)
{
	config_item_put(item);
}

static void kt_acl_release(struct config_item *item)
{
	kt_acl_put(kt_acl_from_item(item));
}

static struct configfs_item_operations kt_acl_item_ops = {
	.release = kt_acl_release,
};

static struct configfs_group_operations kt_acl_group_ops = {
	.make_group = kt_mlun_make,
	.drop_item = kt_mlun_drop,
};

static struct kt_tpg *kt_tpg_from_acl_dir(struct config_group *group)
{
	return container_of(group, struct kt_tpg, acl_group);
}

static struct config_group *kt_acl_make(struct config_group *group,
					const char *name)
{
	struct kt_tpg *tpg = kt_tpg_from_acl_dir(group);
	struct kt_fabric_types *t = kt_types(tpg->wwn->fabric);
	struct kt_node_acl *acl;

	acl = kt_acl_alloc(tpg, name, false);
	if (IS_ERR(acl))
		return ERR_CAST(acl);
	config_group_init_type_name(&acl->group, name, &t->acl_type);
	config_group_init_type_name(&acl->attrib_group, "attrib",
				    &t->acl_attrib_type);
	configfs_add_default_group(&acl->attrib_group, &acl->group);
	config_group_init_type_name(&acl->auth_group, "auth",
				    &t->acl_auth_type);
	configfs_add_default_group(&acl->auth_group, &acl->group);
	config_group_init_type_name(&acl->param_group, "param",
				    &t->acl_param_type);
	configfs_add_default_group(&acl->param_group, &acl->group);
	config_group_init_type_name(&acl->stat_group, "fabric_statistics",
				    &kt_plain_type);
	configfs_add_default_group(&acl->stat_group, &acl->group);
	return &acl->group;
}

static void kt_acl_drop(struct config_group *group, struct config_item *item)
{
	kt_acl_remove(kt_acl_from_item(item));
	config_item_put(item);
}

static struct configfs_group_operations kt_acl_dir_ops = {
	.make_group = kt_acl_make,
	.drop_item = kt_acl_drop,
};

/* ---------------- np/ ---------------- */

static struct config_group *kt_np_make(struct config_group *group,
				       const char *name)
{
	struct kt_tpg *tpg = container_of(group, struct kt_tpg, np_group);
	const struct kt_fabric_ops *ops = tpg->wwn->fabric->ops;

	if (!ops->make_np) {
		pr_err("fabric %s has no network portals\n", ops->name);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return ops->make_np(tpg, name);
}

static void kt_np_drop(struct config_group *group, struct config_item *item)
{
	struct kt_tpg *tpg = container_of(group, struct kt_tpg, np_group);

	tpg->wwn->fabric->ops->drop_np(tpg, to_config_group(item));
}

static struct configfs_group_operations kt_np_dir_ops = {
	.make_group = kt_np_make,
	.drop_item = kt_np_drop,
};

/* ---------------- tpgt_N ---------------- */

static ssize_t kt_tpg_enable_show(struct config_item *item, char *page)
{
	return sprintf(page, "%d\n", kt_tpg_from_item(item)->enabled);
}

static ssize_t kt_tpg_enable_store(struct config_item *item,
				   const char *page, size_t count)
{
	struct kt_tpg *tpg = kt_tpg_from_item(item);
	bool val;
	int ret;

	if (kstrtobool(page, &val)) {
		pr_err("enable takes 0 or 1\n");
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	if (tpg->enabled == val) {
		ret = 0;
	} else {
		ret = tpg->wwn->fabric->ops->tpg_enable(tpg, val);
		if (!ret)
			tpg->enabled = val;
	}
	mutex_unlock(&kt_cfg_mutex);
	return ret ? ret : count;
}

CONFIGFS_ATTR(kt_tpg_, enable);

static void kt_tpg_release(struct config_item *item)
{
	struct kt_tpg *tpg = kt_tpg_from_item(item);

	tpg->wwn->fabric->ops->drop_tpg(tpg);
}

static struct configfs_item_operations kt_tpg_item_ops = {
	.release = kt_tpg_release,
};

static void kt_tpg_add_groups(struct kt_tpg *tpg, const char *name)
{
	struct kt_fabric_types *t = kt_types(tpg->wwn->fabric);

	config_group_init_type_name(&tpg->group, name, &t->tpg_type);
	config_group_init_type_name(&tpg->lun_group, "lun", &kt_lun_dir_type);
	configfs_add_default_group(&tpg->lun_group, &tpg->group);
	config_group_init_type_name(&tpg->acl_group, "acls", &t->acl_dir_type);
	configfs_add_default_group(&tpg->acl_group, &tpg->group);
	config_group_init_type_name(&tpg->np_group, "np", &t->np_dir_type);
	configfs_add_default_group(&tpg->np_group, &tpg->group);
	config_group_init_type_name(&tpg->attrib_group, "attrib",
				    &t->tpg_attrib_type);
	configfs_add_default_group(&tpg->attrib_group, &tpg->group);
	config_group_init_type_name(&tpg->auth_group, "auth",
				    &t->tpg_auth_type);
	configfs_add_default_group(&tpg->auth_group, &tpg->group);
	config_group_init_type_name(&tpg->param_group, "param",
				    &t->tpg_param_type);
	configfs_add_default_group(&tpg->param_group, &tpg->group);
}

static struct config_group *kt_tpg_make(struct config_group *group,
					const char *name)
{
	struct kt_wwn *wwn = kt_wwn_from_item(&group->cg_item);
	struct kt_tpg *tpg;
	u16 tpgt;

	if (strncmp(name, "tpgt_", 5) || kstrtou16(name + 5, 10, &tpgt)) {
		pr_err("%s: TPG directories are tpgt_<0-65535>\n", name);
		return ERR_PTR(-EINVAL);
	}
	tpg = wwn->fabric->ops->make_tpg(wwn, tpgt);
	if (IS_ERR_OR_NULL(tpg))
		return tpg ? ERR_CAST(tpg) : ERR_PTR(-ENOMEM);
	kt_tpg_add_groups(tpg, name);
	return &tpg->group;
}

static void kt_tpg_drop(struct config_group *group, struct config_item *item)
{
	struct kt_tpg *tpg = kt_tpg_from_item(item);
	const struct kt_fabric_ops *ops = tpg->wwn->fabric->ops;

	mutex_lock(&kt_cfg_mutex);
	if (ops->tpg_enable && tpg->enabled && !ops->tpg_enable(tpg, false))
		tpg->enabled = false;
	mutex_unlock(&kt_cfg_mutex);
	config_item_put(item);
}

static struct configfs_group_operations kt_wwn_group_ops = {
	.make_group = kt_tpg_make,
	.drop_item = kt_tpg_drop,
};

void kt_tpg_init(struct kt_tpg *tpg, struct kt_wwn *wwn, u16 tpgt)
{
	tpg->wwn = wwn;
	tpg->tpgt = tpgt;
	spin_lock_init(&tpg->lock);
	xa_init(&tpg->luns);
	INIT_LIST_HEAD(&tpg->acls);
	INIT_LIST_HEAD(&tpg->sessions);
	tpg->default_cmdsn_depth = 64;
	tpg->demo_mode_write_protect = true;
	tpg->enabled = !wwn->fabric->ops->tpg_enable;
}
EXPORT_SYMBOL_GPL(kt_tpg_init);

/* ---------------- <wwn> ---------------- */

static void kt_wwn_release(struct config_item *item)
{
	struct kt_wwn *wwn = kt_wwn_from_item(item);

	wwn->fabric->ops->drop_wwn(wwn);
}

static struct configfs_item_operations kt_wwn_item_ops = {
	.release = kt_wwn_release,
};

void kt_wwn_init(struct kt_wwn *wwn, struct kt_fabric *fabric,
		 const char *name)
{
	wwn->fabric = fabric;
	strscpy(wwn->name, name, sizeof(wwn->name));
}
EXPORT_SYMBOL_GPL(kt_wwn_init);

static struct config_group *kt_wwn_make(struct config_group *group,
					const char *name)
{
	struct kt_fabric *fabric = container_of(group, struct kt_fabric,
						group);
	struct kt_fabric_types *t = kt_types(fabric);
	struct kt_wwn *wwn;

	if (strlen(name) >= KT_NAME_LEN) {
		pr_err("target name longer than %d bytes\n", KT_NAME_LEN - 1);
		return ERR_PTR(-ENAMETOOLONG);
	}
	wwn = fabric->ops->make_wwn(fabric, name);
	if (IS_ERR_OR_NULL(wwn))
		return wwn ? ERR_CAST(wwn) : ERR_PTR(-ENOMEM);
	config_group_init_type_name(&wwn->group, name, &t->wwn_type);
	config_group_init_type_name(&wwn->stat_group, "fabric_statistics",
				    &kt_plain_type);
	configfs_add_default_group(&wwn->stat_group, &wwn->group);
	return &wwn->group;
}

static void kt_wwn_drop(struct config_group *group, struct config_item *item)
{
	config_item_put(item);
}

static struct configfs_group_operations kt_fabric_group_ops = {
	.make_group = kt_wwn_make,
	.drop_item = kt_wwn_drop,
};

/* ---------------- target/<fabric> ---------------- */

static void kt_fabric_release(struct config_item *item)
{
	struct kt_fabric *fabric = container_of(to_config_group(item),
						struct kt_fabric, group);

	kt_fabric_ops_put((struct kt_fabric_ops *)fabric->ops);
	kfree(kt_types(fabric));
}

static struct configfs_item_operations kt_fabric_item_ops = {
	.release = kt_fabric_release,
};

static void kt_set_type(struct config_item_type *type,
			struct configfs_group_operations *gops,
			struct configfs_item_operations *iops,
			struct configfs_attribute **attrs)
{
	type->ct_owner = THIS_MODULE;
	type->ct_group_ops = gops;
	type->ct_item_ops = iops;
	type->ct_attrs = attrs;
}

static int kt_fabric_tpg_attrs(struct kt_fabric_types *t)
{
	const struct kt_fabric_ops *ops = t->fabric.ops;
	int n = 0, i;

	if (ops->tpg_enable)
		t->tpg_attrs[n++] = &kt_tpg_attr_enable;
	for (i = 0; ops->tpg_attrs && ops->tpg_attrs[i]; i++) {
		if (n >= ARRAY_SIZE(t->tpg_attrs) - 1)
			return -E2BIG;
		t->tpg_attrs[n++] = ops->tpg_attrs[i];
	}
	t->tpg_attrs[n] = NULL;
	return 0;
}

static void kt_fabric_init_types(struct kt_fabric_types *t)
{
	const struct kt_fabric_ops *ops = t->fabric.ops;

	kt_set_type(&t->fabric_type, &kt_fabric_group_ops, &kt_fabric_item_ops,
		    ops->fabric_attrs);
	kt_set_type(&t->disc_type, NULL, NULL, ops->discovery_attrs);
	kt_set_type(&t->wwn_type, &kt_wwn_group_ops, &kt_wwn_item_ops,
		    ops->wwn_attrs);
	kt_set_type(&t->tpg_type, NULL, &kt_tpg_item_ops, t->tpg_attrs);
	kt_set_type(&t->tpg_attrib_type, NULL, NULL, ops->tpg_attrib_attrs);
	kt_set_type(&t->tpg_auth_type, NULL, NULL, ops->tpg_auth_attrs);
	kt_set_type(&t->tpg_param_type, NULL, NULL, ops->tpg_param_attrs);
	kt_set_type(&t->np_dir_type, &kt_np_dir_ops, NULL, NULL);
	kt_set_type(&t->acl_dir_type, &kt_acl_dir_ops, NULL, NULL);
	kt_set_type(&t->acl_type, &kt_acl_group_ops, &kt_acl_item_ops,
		    ops->acl_attrs);
	kt_set_type(&t->acl_attrib_type, NULL, NULL, ops->acl_attrib_attrs);
	kt_set_type(&t->acl_auth_type, NULL, NULL, ops->acl_auth_attrs);
	kt_set_type(&t->acl_param_type, NULL, NULL, ops->acl_param_attrs);
}

struct config_group *kt_fabric_make(struct config_group *parent,
				    const char *name)
{
	struct kt_fabric_types *t;
	struct kt_fabric_ops *ops;
	int ret;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&kt_cfg_mutex);
	ops = kt_fabric_ops_get(name);
	mutex_unlock(&kt_cfg_mutex);
	if (!ops) {
		kfree(t);
		pr_err("no fabric module provides %s\n", name);
		return ERR_PTR(-EINVAL);
	}
	t->fabric.ops = ops;
	ret = kt_fabric_tpg_attrs(t);
	if (ret) {
		kt_fabric_ops_put(ops);
		kfree(t);
		return ERR_PTR(ret);
	}
	kt_fabric_init_types(t);
	config_group_init_type_name(&t->fabric.group, name, &t->fabric_type);
	config_group_init_type_name(&t->fabric.discovery_group,
				    "discovery_auth", &t->disc_type);
	configfs_add_default_group(&t->fabric.discovery_group,
				   &t->fabric.group);
	return &t->fabric.group;
}

void kt_fabric_drop(struct config_group *parent, struct config_item *item)
{
	config_item_put(item);
}
