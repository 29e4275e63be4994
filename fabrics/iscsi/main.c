// SPDX-License-Identifier: GPL-2.0
/*
 * ktarget_iscsi: the iSCSI fabric (RFC 7143) of ktarget.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/module.h>
#include "conn.h"

/* our own caches, so a leaked task, session or connection shows at unload */
struct kmem_cache *kti_cmd_cache;
struct kmem_cache *kti_tx_cache;
struct kmem_cache *kti_sess_cache;
struct kmem_cache *kti_conn_cache;
/*
 * Work contexts, apart so that one kind cannot hold up another: logins
 * (each may wait for a slow initiator up to its login_timeout; at most
 * KTI_MAX_LOGINS at once, so none waits for a worker), connection release
 * and ERL 2 retain work, and NOP-In pings.
 */
struct workqueue_struct *kti_wq;
struct workqueue_struct *kti_login_wq;
struct workqueue_struct *kti_ping_wq;

unsigned int kti_kcov_id;
module_param_named(kcov_id, kti_kcov_id, uint, 0644);
MODULE_PARM_DESC(kcov_id,
		 "KCOV common handle instance for the fuzzer's coverage (0: off; CONFIG_KCOV kernels only)");

static void kti_destroy_caches(void)
{
	kmem_cache_destroy(kti_conn_cache);
	kmem_cache_destroy(kti_sess_cache);
	kmem_cache_destroy(kti_tx_cache);
	kmem_cache_destroy(kti_cmd_cache);
}

static int __init kti_init(void)
{
	int ret = -ENOMEM;

	kti_cmd_cache = KMEM_CACHE(kti_cmd, 0);
	kti_tx_cache = KMEM_CACHE(kti_tx, 0);
	kti_sess_cache = KMEM_CACHE(kti_sess, 0);
	kti_conn_cache = KMEM_CACHE(kti_conn, 0);
	if (!kti_cmd_cache || !kti_tx_cache || !kti_sess_cache ||
	    !kti_conn_cache)
		goto out_caches;
	kti_wq = alloc_workqueue("ktarget_iscsi", WQ_UNBOUND | WQ_MEM_RECLAIM,
				 0);
	if (!kti_wq)
		goto out_caches;
	kti_login_wq = alloc_workqueue("ktarget_iscsi_login", WQ_UNBOUND,
				       KTI_MAX_LOGINS);
	if (!kti_login_wq)
		goto out_wq;
	kti_ping_wq = alloc_workqueue("ktarget_iscsi_ping", WQ_UNBOUND, 0);
	if (!kti_ping_wq)
		goto out_login_wq;
	ret = kti_chap_crypto_init();
	if (ret)
		goto out_ping_wq;
	ret = kt_register_fabric(&kti_fabric_ops);
	if (ret)
		goto out_chap;
	return 0;

out_chap:
	kti_chap_crypto_exit();
out_ping_wq:
	destroy_workqueue(kti_ping_wq);
out_login_wq:
	destroy_workqueue(kti_login_wq);
out_wq:
	destroy_workqueue(kti_wq);
out_caches:
	kti_destroy_caches();
	return ret;
}

static void __exit kti_exit(void)
{
	kt_unregister_fabric(&kti_fabric_ops);
	destroy_workqueue(kti_login_wq);
	kti_conns_end();
	destroy_workqueue(kti_ping_wq);
	destroy_workqueue(kti_wq);
	kti_chap_crypto_exit();
	kti_destroy_caches();
}

module_init(kti_init);
module_exit(kti_exit);
MODULE_DESCRIPTION("ktarget iSCSI fabric");
MODULE_AUTHOR("ktarget developers");
MODULE_LICENSE("GPL");
MODULE_ALIAS("ktarget-fabric-iscsi");
