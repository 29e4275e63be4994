// SPDX-License-Identifier: GPL-2.0
/*
 * Ktarget_core module: registries of backstores and fabrics.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/kmod.h>
#include "core.h"

static char *subsys = "target";
module_param(subsys, charp, 0444);
MODULE_PARM_DESC(subsys,
		 "configfs subsystem name (default \"target\"; use another to load beside LIO)");

/* kt_cfg_mutex: what it protects is listed in core.h */
DEFINE_MUTEX(kt_cfg_mutex);
struct workqueue_struct *kt_wq;
/* our own caches, so a leaked object is reported when they are destroyed */
struct kmem_cache *kt_sess_cache;
struct kmem_cache *kt_lun_cache;
struct kmem_cache *kt_mlun_cache;

/* registered backstores and fabrics, under kt_cfg_mutex */
static LIST_HEAD(kt_backends);
static LIST_HEAD(kt_fabrics);
static u32 kt_dev_index_next;

u32 kt_next_dev_index(void)
{
	lockdep_assert_held(&kt_cfg_mutex);
	return ++kt_dev_index_next;
}

static int kt_check_api(const char *what, const char *name, unsigned int v)
{
	if (v == KT_API_VERSION)
		return 0;
	pr_err("%s %s built for API %u, core has %u: refused\n",
	       what, name, v, KT_API_VERSION);
	return -EINVAL;
}

int kt_register_backend(struct kt_backend_ops *ops)
{
	struct kt_backend_ops *b;
	int ret;

	ret = kt_check_api("backstore", ops->name, ops->api_version);
	if (ret)
		return ret;
	mutex_lock(&kt_cfg_mutex);
	list_for_each_entry(b, &kt_backends, entry) {
		if (!strcmp(b->name, ops->name)) {
			mutex_unlock(&kt_cfg_mutex);
			pr_err("backstore %s registered twice\n", ops->name);
			return -EEXIST;
		}
	}
	list_add_tail(&ops->entry, &kt_backends);
	mutex_unlock(&kt_cfg_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(kt_register_backend);

void kt_unregister_backend(struct kt_backend_ops *ops)
{
	mutex_lock(&kt_cfg_mutex);
	list_del(&ops->entry);
	mutex_unlock(&kt_cfg_mutex);
}
EXPORT_SYMBOL_GPL(kt_unregister_backend);

static struct kt_backend_ops *kt_backend_find(const char *name)
{
	struct kt_backend_ops *b;

	list_for_each_entry(b, &kt_backends, entry)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

/*
 * kt_backend_get - find backstore @name, loading its module if needed, and
 * pin the module.  Caller holds kt_cfg_mutex.
 */
struct kt_backend_ops *kt_backend_get(const char *name)
{
	struct kt_backend_ops *b = kt_backend_find(name);

	if (!b) {
		mutex_unlock(&kt_cfg_mutex);
		request_module("ktarget-backend-%s", name);
		mutex_lock(&kt_cfg_mutex);
		b = kt_backend_find(name);
	}
	if (b && !try_module_get(b->owner))
		b = NULL;
	return b;
}

void kt_backend_put(struct kt_backend_ops *ops)
{
	module_put(ops->owner);
}

int kt_register_fabric(struct kt_fabric_ops *ops)
{
	int ret;

	ret = kt_check_api("fabric", ops->name, ops->api_version);
	if (ret)
		return ret;
	if (!ops->queue_response || !ops->release_cmd || !ops->make_wwn ||
	    !ops->drop_wwn || !ops->make_tpg || !ops->drop_tpg) {
		pr_err("fabric %s lacks a mandatory operation\n", ops->name);
		return -EINVAL;
	}
	if (ops->node_acl_size && ops->node_acl_size < sizeof(struct kt_node_acl))
		return -EINVAL;
	mutex_lock(&kt_cfg_mutex);
	list_add_tail(&ops->entry, &kt_fabrics);
	mutex_unlock(&kt_cfg_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(kt_register_fabric);

void kt_unregister_fabric(struct kt_fabric_ops *ops)
{
	mutex_lock(&kt_cfg_mutex);
	list_del(&ops->entry);
	mutex_unlock(&kt_cfg_mutex);
}
EXPORT_SYMBOL_GPL(kt_unregister_fabric);

static struct kt_fabric_ops *kt_fabric_find(const char *name)
{
	struct kt_fabric_ops *f;

	list_for_each_entry(f, &kt_fabrics, entry)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/*
 * kt_fabric_ops_get - find fabric @name, loading ktarget-fabric-<name> if
 * needed, and pin its module.  Caller holds kt_cfg_mutex.
 */
struct kt_fabric_ops *kt_fabric_ops_get(const char *name)
{
	struct kt_fabric_ops *f = kt_fabric_find(name);

	if (!f) {
		mutex_unlock(&kt_cfg_mutex);
		request_module("ktarget-fabric-%s", name);
		mutex_lock(&kt_cfg_mutex);
		f = kt_fabric_find(name);
	}
	if (f && !try_module_get(f->owner))
		f = NULL;
	return f;
}

void kt_fabric_ops_put(struct kt_fabric_ops *ops)
{
	module_put(ops->owner);
}

static int __init kt_init(void)
{
	int ret = -ENOMEM;

	kt_wq = alloc_workqueue("ktarget", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!kt_wq)
		return -ENOMEM;
	kt_sess_cache = KMEM_CACHE(kt_session, 0);
	kt_lun_cache = KMEM_CACHE(kt_lun, 0);
	kt_mlun_cache = KMEM_CACHE(kt_mapped_lun, 0);
	if (!kt_sess_cache || !kt_lun_cache || !kt_mlun_cache)
		goto out_caches;
	ret = kt_configfs_init(subsys);
	if (ret)
		goto out_caches;
	pr_info("core loaded, configfs subsystem \"%s\"\n", subsys);
	return 0;

out_caches:
	kmem_cache_destroy(kt_mlun_cache);
	kmem_cache_destroy(kt_lun_cache);
	kmem_cache_destroy(kt_sess_cache);
	destroy_workqueue(kt_wq);
	return ret;
}

static void __exit kt_exit(void)
{
	kt_configfs_exit();
	rcu_barrier();	/* mapped LUNs are freed after a grace period */
	kmem_cache_destroy(kt_mlun_cache);
	kmem_cache_destroy(kt_lun_cache);
	kmem_cache_destroy(kt_sess_cache);
	destroy_workqueue(kt_wq);
}

module_init(kt_init);
module_exit(kt_exit);
MODULE_DESCRIPTION("ktarget SCSI target core");
MODULE_AUTHOR("ktarget developers");
MODULE_LICENSE("GPL");
