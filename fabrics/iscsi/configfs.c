// SPDX-License-Identifier: GPL-2.0
/*
 * The iSCSI fabric's configfs files, with LIO's names, defaults and text
 * formats (rtslib reads and writes them):
 *   iscsi/{lio_version, cpus_allowed_list, discovery_auth/}
 *   iscsi/<iqn>/tpgt_N/{enable, dynamic_sessions, np/<ip:port>/,
 *	attrib/, param/, auth/, acls/<initiator>/{info, cmdsn_depth, tag,
 *	attrib/, param/, auth/}}
 * The core makes the directories and calls the hooks below.
 *
 * Locking: every value login reads (attrib/, param/, auth/, ACL tag and
 * cmdsn_depth) is written under kti_mutex.  The core calls ->tpg_enable
 * and ->init_acl with its own kt_cfg_mutex held, and login takes kti_mutex
 * before kt_cfg_mutex, so those two never take kti_mutex.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "iscsi.h"

#define KTI_VERSION		"ktarget iSCSI Target v1.0"
#define KTI_CMDSN_DEPTH_MAX	512

/* targets, TPG portals, listeners and every value login reads */
DEFINE_MUTEX(kti_mutex);
LIST_HEAD(kti_tiqns);

/* discovery_auth/, under kti_mutex */
struct kti_auth kti_discovery_auth;
u32 kti_enforce_discovery_auth;

/* cpus_allowed_list; all online CPUs until written; under kti_mutex */
static struct cpumask kti_cpus;
static bool kti_cpus_set;

static u32 kti_tiqn_next;	/* instance index of the next target */

/* ---------------- helpers ---------------- */

/* Length of a configfs write without one trailing newline. */
static size_t kti_strip_len(const char *page, size_t count)
{
	size_t len = strnlen(page, count);

	if (len && page[len - 1] == '\n')
		len--;
	return len;
}

/*
 * A numeric attribute: its field (a u32, or the s32 ACL authentication)
 * at @off in an attrib struct, its range and an optional refusal beyond
 * the range.  configfs passes no attribute to show/store, so each file
 * gets a two-line thunk that names its row (as core/dev.c does).
 */
struct kti_num {
	const char *name;
	size_t off;
	int min;
	int max;
	int (*check)(const struct kti_num *d, int val);
};

static const struct kti_num *kti_num_find(const struct kti_num *table,
					  size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

static u32 *kti_num_field(void *attrib, const struct kti_num *d)
{
	return (u32 *)((u8 *)attrib + d->off);
}

static ssize_t kti_num_show(void *attrib, const struct kti_num *d,
			    char *page)
{
	int val;

	mutex_lock(&kti_mutex);
	val = (int)*kti_num_field(attrib, d);
	mutex_unlock(&kti_mutex);
	return sprintf(page, "%d\n", val);
}

/* -ERANGE: not a number in the range (the caller says where) */
static int kti_num_parse(const struct kti_num *d, const char *page, int *val)
{
	if (kstrtoint(page, 0, val) || *val < d->min || *val > d->max)
		return -ERANGE;
	return d->check ? d->check(d, *val) : 0;
}

static int kti_check_unsupported(const struct kti_num *d, int val)
{
	if (!val)
		return 0;
	pr_err("%s: T10-PI is not supported\n", d->name);
	return -EOPNOTSUPP;
}

/* ---------------- iscsi/ ---------------- */

static ssize_t kti_lio_version_show(struct config_item *item, char *page)
{
	return sprintf(page, "%s\n", KTI_VERSION);
}

/**
 * kti_cpus_allowed - the CPUs iSCSI connection threads may run on
 * @mask: filled with the configured CPUs that are online (all online CPUs
 *	when nothing usable was configured)
 *
 * Context: process context; takes kti_mutex.
 */
void kti_cpus_allowed(struct cpumask *mask)
{
	mutex_lock(&kti_mutex);
	if (!kti_cpus_set || !cpumask_and(mask, &kti_cpus, cpu_online_mask))
		cpumask_copy(mask, cpu_online_mask);
	mutex_unlock(&kti_mutex);
}

static ssize_t kti_cpus_allowed_list_show(struct config_item *item,
					  char *page)
{
	cpumask_var_t mask;
	ssize_t ret;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	mutex_lock(&kti_mutex);
	cpumask_copy(mask, kti_cpus_set ? &kti_cpus : cpu_online_mask);
	mutex_unlock(&kti_mutex);
	ret = sprintf(page, "%*pbl\n", cpumask_pr_args(mask));
	free_cpumask_var(mask);
	return ret;
}

static ssize_t kti_cpus_allowed_list_store(struct config_item *item,
					   const char *page, size_t count)
{
	cpumask_var_t mask;
	int ret;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = cpulist_parse(page, mask);
	if (ret || !cpumask_intersects(mask, cpu_online_mask)) {
		pr_err("cpus_allowed_list takes a CPU list with an online CPU, e.g. 0-3,6\n");
		ret = -EINVAL;
	} else {
		mutex_lock(&kti_mutex);
		cpumask_copy(&kti_cpus, mask);
		kti_cpus_set = true;
		mutex_unlock(&kti_mutex);
	}
	free_cpumask_var(mask);
	return ret ? ret : count;
}

CONFIGFS_ATTR_RO(kti_, lio_version);
CONFIGFS_ATTR(kti_, cpus_allowed_list);

/* rtslib takes any other entry directly under iscsi/ for a target */
static struct configfs_attribute *kti_fabric_attrs[] = {
	&kti_attr_lio_version,
	&kti_attr_cpus_allowed_list,
	NULL,
};

/* ---------------- auth strings ---------------- */

/*
 * userid, password, userid_mutual, password_mutual of discovery_auth/,
 * tpgt_N/auth/ and acls/<name>/auth/.  Root only; one trailing newline is
 * dropped; a value starting with "NULL" clears the field.
 */
static char *kti_auth_field(struct kti_auth *auth, const char *name)
{
	if (!strcmp(name, "userid"))
		return auth->userid;
	if (!strcmp(name, "password"))
		return auth->password;
	if (!strcmp(name, "userid_mutual"))
		return auth->userid_mutual;
	return auth->password_mutual;
}

static ssize_t kti_auth_show(struct kti_auth *auth, const char *name,
			     char *page)
{
	ssize_t ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&kti_mutex);
	ret = sprintf(page, "%s\n", kti_auth_field(auth, name));
	mutex_unlock(&kti_mutex);
	return ret;
}

static ssize_t kti_auth_store(struct kti_auth *auth, const char *name,
			      const char *page, size_t count)
{
	size_t len = kti_strip_len(page, count);
	char *field = kti_auth_field(auth, name);

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len >= KTI_AUTH_LEN) {
		pr_err("%s is longer than %d bytes\n", name, KTI_AUTH_LEN - 1);
		return -EINVAL;
	}
	if (!strncmp(page, "NULL", 4))
		len = 0;
	mutex_lock(&kti_mutex);
	memcpy(field, page, len);
	field[len] = '\0';
	mutex_unlock(&kti_mutex);
	return count;
}

/* authenticate_target: 1 when mutual CHAP is configured */
static ssize_t kti_auth_mutual_show(struct kti_auth *auth, char *page)
{
	int set;

	mutex_lock(&kti_mutex);
	set = auth->userid_mutual[0] && auth->password_mutual[0];
	mutex_unlock(&kti_mutex);
	return sprintf(page, "%d\n", set);
}

/* the prefix names the directory: <prefix>auth() finds its kti_auth */
#define KTI_AUTH_STR(_pfx, _f)						\
static ssize_t _pfx##_f##_show(struct config_item *item, char *page)	\
{									\
	return kti_auth_show(_pfx##auth(item), #_f, page);		\
}									\
static ssize_t _pfx##_f##_store(struct config_item *item,		\
				const char *page, size_t count)		\
{									\
	return kti_auth_store(_pfx##auth(item), #_f, page, count);	\
}									\
CONFIGFS_ATTR(_pfx, _f)

#define KTI_AUTH_MUTUAL(_pfx)						\
static ssize_t _pfx##authenticate_target_show(struct config_item *item,	\
					      char *page)		\
{									\
	return kti_auth_mutual_show(_pfx##auth(item), page);		\
}									\
CONFIGFS_ATTR_RO(_pfx, authenticate_target)

static struct kti_auth *kti_disc_auth(struct config_item *item)
{
	return &kti_discovery_auth;
}

static struct kti_auth *kti_tpg_auth(struct config_item *item)
{
	return &kti_tpg(container_of(to_config_group(item), struct kt_tpg,
				     auth_group))->auth;
}

static struct kti_auth *kti_acl_auth(struct config_item *item)
{
	return &kti_acl(container_of(to_config_group(item),
				     struct kt_node_acl, auth_group))->auth;
}

KTI_AUTH_STR(kti_disc_, userid);
KTI_AUTH_STR(kti_disc_, password);
KTI_AUTH_STR(kti_disc_, userid_mutual);
KTI_AUTH_STR(kti_disc_, password_mutual);
KTI_AUTH_MUTUAL(kti_disc_);

KTI_AUTH_STR(kti_tpg_, userid);
KTI_AUTH_STR(kti_tpg_, password);
KTI_AUTH_STR(kti_tpg_, userid_mutual);
KTI_AUTH_STR(kti_tpg_, password_mutual);
KTI_AUTH_MUTUAL(kti_tpg_);

static struct configfs_attribute *kti_tpg_auth_attrs[] = {
	&kti_tpg_attr_userid,
	&kti_tpg_attr_password,
	&kti_tpg_attr_userid_mutual,
	&kti_tpg_attr_password_mutual,
	&kti_tpg_attr_authenticate_target,
	NULL,
};

KTI_AUTH_STR(kti_acl_, userid);
KTI_AUTH_STR(kti_acl_, password);
KTI_AUTH_STR(kti_acl_, userid_mutual);
KTI_AUTH_STR(kti_acl_, password_mutual);
KTI_AUTH_MUTUAL(kti_acl_);

static struct configfs_attribute *kti_acl_auth_attrs[] = {
	&kti_acl_attr_userid,
	&kti_acl_attr_password,
	&kti_acl_attr_userid_mutual,
	&kti_acl_attr_password_mutual,
	&kti_acl_attr_authenticate_target,
	NULL,
};

/* ---------------- discovery_auth/ ---------------- */

static ssize_t kti_disc_enforce_discovery_auth_show(struct config_item *item,
						    char *page)
{
	return sprintf(page, "%u\n", READ_ONCE(kti_enforce_discovery_auth));
}

static ssize_t kti_disc_enforce_discovery_auth_store(struct config_item *item,
						     const char *page,
						     size_t count)
{
	u32 val;

	if (kstrtou32(page, 0, &val) || val > 1) {
		pr_err("enforce_discovery_auth takes 0 or 1\n");
		return -EINVAL;
	}
	mutex_lock(&kti_mutex);
	kti_enforce_discovery_auth = val;
	mutex_unlock(&kti_mutex);
	return count;
}

CONFIGFS_ATTR(kti_disc_, enforce_discovery_auth);

static struct configfs_attribute *kti_discovery_attrs[] = {
	&kti_disc_attr_userid,
	&kti_disc_attr_password,
	&kti_disc_attr_userid_mutual,
	&kti_disc_attr_password_mutual,
	&kti_disc_attr_authenticate_target,
	&kti_disc_attr_enforce_discovery_auth,
	NULL,
};

/* ---------------- <iqn>/ ---------------- */

static bool kti_hex_len(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isxdigit(s[i]))
			return false;
	return strlen(s) == len;
}

/*
 * RFC 7143 4.2.7.1 names: "iqn." + anything, "eui." + 16 hex digits,
 * "naa." + 16 or 32 hex digits; printable ASCII without spaces, at most
 * 223 bytes.
 */
static int kti_check_name(const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < len; i++)
		if ((u8)name[i] <= ' ' || (u8)name[i] >= 0x7f)
			goto bad;
	if (len > KTI_IQN_LEN - 1)
		goto bad;
	if (!strncmp(name, "iqn.", 4) && len > 4)
		return 0;
	if (!strncmp(name, "eui.", 4) && kti_hex_len(name + 4, 16))
		return 0;
	if (!strncmp(name, "naa.", 4) &&
	    (kti_hex_len(name + 4, 16) || kti_hex_len(name + 4, 32)))
		return 0;
bad:
	pr_err("%.*s: not an iSCSI name (iqn.*, eui.<16 hex>, naa.<16 or 32 hex>; printable, no spaces, at most %d bytes)\n",
	       KTI_IQN_LEN, name, KTI_IQN_LEN - 1);
	return -EINVAL;
}

static struct kt_wwn *kti_make_wwn(struct kt_fabric *fabric, const char *name)
{
	struct kti_tiqn *tiqn;
	int ret;

	ret = kti_check_name(name);
	if (ret)
		return ERR_PTR(ret);
	tiqn = kzalloc(sizeof(*tiqn), GFP_KERNEL);
	if (!tiqn)
		return ERR_PTR(-ENOMEM);
	kt_wwn_init(&tiqn->wwn, fabric, name);
	INIT_LIST_HEAD(&tiqn->tpgs);
	INIT_WORK(&tiqn->drop_work, kti_target_drop_work);
	mutex_lock(&kti_mutex);
	tiqn->index = ++kti_tiqn_next;
	list_add_tail(&tiqn->entry, &kti_tiqns);
	mutex_unlock(&kti_mutex);
	return &tiqn->wwn;
}

static void kti_drop_wwn(struct kt_wwn *wwn)
{
	struct kti_tiqn *tiqn = kti_tiqn(wwn);

	cancel_work_sync(&tiqn->drop_work);
	mutex_lock(&kti_mutex);
	WARN_ON(!list_empty(&tiqn->tpgs));
	list_del(&tiqn->entry);
	mutex_unlock(&kti_mutex);
	kfree(tiqn);
}

/* ---------------- tpgt_N/ ---------------- */

void kti_tpg_set_defaults(struct kti_tpg *tpg)
{
	struct kti_tpg_attrib *a = &tpg->attrib;
	int k;

	a->authentication = 1;
	a->login_timeout = 15;
	a->netif_timeout = 2;
	a->generate_node_acls = 0;
	a->default_cmdsn_depth = 64;
	a->cache_dynamic_acls = 0;
	a->demo_mode_write_protect = 1;
	a->prod_mode_write_protect = 0;
	a->demo_mode_discovery = 1;
	a->default_erl = 0;
	a->t10_pi = 0;
	a->fabric_prot_type = 0;
	a->tpg_enabled_sendtargets = 1;
	a->login_keys_workaround = 1;
	tpg->tpg.generate_node_acls = a->generate_node_acls;
	tpg->tpg.demo_mode_write_protect = a->demo_mode_write_protect;
	tpg->tpg.prod_mode_write_protect = a->prod_mode_write_protect;
	tpg->tpg.default_cmdsn_depth = a->default_cmdsn_depth;
	for (k = 0; k < KTI_KEY__COUNT; k++)
		strscpy(tpg->param[k], kti_key_default(k), KTI_VAL_LEN);
}

static void kti_tpg_close_work(struct work_struct *work)
{
	kti_tpg_close_sessions(container_of(work, struct kti_tpg,
					    close_work));
}

static struct kti_tpg *kti_tpg_find(struct kti_tiqn *tiqn, u16 tpgt)
{
	struct kti_tpg *tpg;

	lockdep_assert_held(&kti_mutex);
	list_for_each_entry(tpg, &tiqn->tpgs, entry)
		if (tpg->tpg.tpgt == tpgt)
			return tpg;
	return NULL;
}

static struct kt_tpg *kti_make_tpg(struct kt_wwn *wwn, u16 tpgt)
{
	struct kti_tiqn *tiqn = kti_tiqn(wwn);
	struct kti_tpg *tpg;

	tpg = kzalloc(sizeof(*tpg), GFP_KERNEL);
	if (!tpg)
		return ERR_PTR(-ENOMEM);
	kt_tpg_init(&tpg->tpg, wwn, tpgt);
	tpg->tiqn = tiqn;
	INIT_LIST_HEAD(&tpg->nps);
	mutex_init(&tpg->sess_mutex);
	INIT_LIST_HEAD(&tpg->sessions);
	INIT_LIST_HEAD(&tpg->logins);
	INIT_WORK(&tpg->close_work, kti_tpg_close_work);
	kref_init(&tpg->ref);
	kti_tpg_set_defaults(tpg);
	mutex_lock(&kti_mutex);
	if (kti_tpg_find(tiqn, tpgt)) {
		mutex_unlock(&kti_mutex);
		pr_err("%s: tpgt %u exists already\n", wwn->name, tpgt);
		kfree(tpg);
		return ERR_PTR(-EEXIST);
	}
	list_add_tail(&tpg->entry, &tiqn->tpgs);
	mutex_unlock(&kti_mutex);
	return &tpg->tpg;
}

static void kti_tpg_release(struct kref *ref)
{
	struct kti_tpg *tpg = container_of(ref, struct kti_tpg, ref);
	struct completion *gone = tpg->gone;

	kfree(tpg);
	if (gone)
		complete(gone);
}

void kti_tpg_get(struct kti_tpg *tpg)
{
	kref_get(&tpg->ref);
}

void kti_tpg_put(struct kti_tpg *tpg)
{
	kref_put(&tpg->ref, kti_tpg_release);
}

/*
 * Unlisted first, so that login no longer finds the TPG; the logins in
 * progress and the sessions end.  Its portals, LUNs and ACLs are gone
 * already.  Logins, sessions and target resets hold references: the TPG
 * is freed with the last one, which rmdir waits for (no time limit: each
 * holder has been told to end and does so without the initiator's help).
 */
static void kti_drop_tpg(struct kt_tpg *ktpg)
{
	struct kti_tpg *tpg = kti_tpg(ktpg);
	DECLARE_COMPLETION_ONSTACK(gone);

	mutex_lock(&kti_mutex);
	WARN_ON(!list_empty(&tpg->nps));
	list_del(&tpg->entry);
	mutex_unlock(&kti_mutex);
	cancel_work_sync(&tpg->close_work);
	kti_tpg_stop(tpg);
	kti_tpg_close_sessions(tpg);
	tpg->gone = &gone;
	kti_tpg_put(tpg);
	wait_for_completion(&gone);
}

/*
 * Called under kt_cfg_mutex, which ending a session takes: disabling
 * refuses logins and marks the sessions here (kti_tpg_stop()) and ends
 * them from a work item, which leaves sessions made after a new enable=1
 * alone.  A TPG without portals may be enabled.
 */
static int kti_tpg_enable(struct kt_tpg *ktpg, bool enable)
{
	struct kti_tpg *tpg = kti_tpg(ktpg);

	if (enable) {
		mutex_lock(&tpg->sess_mutex);
		tpg->open = true;
		mutex_unlock(&tpg->sess_mutex);
		return 0;
	}
	WRITE_ONCE(ktpg->enabled, false);
	kti_tpg_stop(tpg);
	schedule_work(&tpg->close_work);
	return 0;
}

static ssize_t kti_tpg_dynamic_sessions_show(struct config_item *item,
					     char *page)
{
	return kti_tpg_dynamic_sessions(kti_tpg(kt_tpg_from_item(item)), page);
}

CONFIGFS_ATTR_RO(kti_tpg_, dynamic_sessions);

static struct configfs_attribute *kti_tpg_attrs[] = {
	&kti_tpg_attr_dynamic_sessions,
	NULL,
};

/* ---------------- tpgt_N/attrib/ ---------------- */

#define KTI_TPGA(_n, _min, _max, _check)				\
	{ #_n, offsetof(struct kti_tpg_attrib, _n), _min, _max, _check }

static const struct kti_num kti_tpga_table[] = {
	KTI_TPGA(authentication, 0, 1, NULL),
	KTI_TPGA(login_timeout, 5, 30, NULL),
	KTI_TPGA(netif_timeout, 2, 15, NULL),
	KTI_TPGA(generate_node_acls, 0, 1, NULL),
	KTI_TPGA(default_cmdsn_depth, 1, KTI_CMDSN_DEPTH_MAX, NULL),
	KTI_TPGA(cache_dynamic_acls, 0, 1, NULL),
	KTI_TPGA(demo_mode_write_protect, 0, 1, NULL),
	KTI_TPGA(prod_mode_write_protect, 0, 1, NULL),
	KTI_TPGA(demo_mode_discovery, 0, 1, NULL),
	KTI_TPGA(default_erl, 0, 2, NULL),
	KTI_TPGA(t10_pi, 0, 1, kti_check_unsupported),
	KTI_TPGA(fabric_prot_type, 0, 3, kti_check_unsupported),
	KTI_TPGA(tpg_enabled_sendtargets, 0, 1, NULL),
	KTI_TPGA(login_keys_workaround, 0, 1, NULL),
};

static ssize_t kti_tpga_show(struct config_item *item, char *page,
			     const char *name)
{
	return kti_num_show(&kti_tpg(kt_tpg_from_attrib_item(item))->attrib,
			    kti_num_find(kti_tpga_table,
					 ARRAY_SIZE(kti_tpga_table), name),
			    page);
}

static ssize_t kti_tpga_store(struct config_item *item, const char *page,
			      size_t count, const char *name)
{
	struct kti_tpg *tpg = kti_tpg(kt_tpg_from_attrib_item(item));
	struct kti_tpg_attrib *a = &tpg->attrib;
	const struct kti_num *d;
	int ret, val;

	d = kti_num_find(kti_tpga_table, ARRAY_SIZE(kti_tpga_table), name);
	ret = kti_num_parse(d, page, &val);
	if (ret == -ERANGE) {
		pr_err("%s tpgt %u: %s takes a value from %d to %d\n",
		       tpg->tpg.wwn->name, tpg->tpg.tpgt, name, d->min, d->max);
		return -EINVAL;
	}
	if (ret)
		return ret;
	mutex_lock(&kti_mutex);
	*kti_num_field(a, d) = val;
	/* the core's copies, for demo mode and new ACLs */
	WRITE_ONCE(tpg->tpg.generate_node_acls, a->generate_node_acls);
	WRITE_ONCE(tpg->tpg.demo_mode_write_protect,
		   a->demo_mode_write_protect);
	WRITE_ONCE(tpg->tpg.prod_mode_write_protect,
		   a->prod_mode_write_protect);
	WRITE_ONCE(tpg->tpg.default_cmdsn_depth, a->default_cmdsn_depth);
	mutex_unlock(&kti_mutex);
	return count;
}

#define KTI_TPG_ATTRIB(_n)						\
static ssize_t kti_tpga_##_n##_show(struct config_item *item, char *page) \
{									\
	return kti_tpga_show(item, page, #_n);				\
}									\
static ssize_t kti_tpga_##_n##_store(struct config_item *item,		\
				     const char *page, size_t count)	\
{									\
	return kti_tpga_store(item, page, count, #_n);			\
}									\
CONFIGFS_ATTR(kti_tpga_, _n)

KTI_TPG_ATTRIB(authentication);
KTI_TPG_ATTRIB(login_timeout);
KTI_TPG_ATTRIB(netif_timeout);
KTI_TPG_ATTRIB(generate_node_acls);
KTI_TPG_ATTRIB(default_cmdsn_depth);
KTI_TPG_ATTRIB(cache_dynamic_acls);
KTI_TPG_ATTRIB(demo_mode_write_protect);
KTI_TPG_ATTRIB(prod_mode_write_protect);
KTI_TPG_ATTRIB(demo_mode_discovery);
KTI_TPG_ATTRIB(default_erl);
KTI_TPG_ATTRIB(t10_pi);
KTI_TPG_ATTRIB(fabric_prot_type);
KTI_TPG_ATTRIB(tpg_enabled_sendtargets);
KTI_TPG_ATTRIB(login_keys_workaround);

static struct configfs_attribute *kti_tpg_attrib_attrs[] = {
	&kti_tpga_attr_authentication,
	&kti_tpga_attr_login_timeout,
	&kti_tpga_attr_netif_timeout,
	&kti_tpga_attr_generate_node_acls,
	&kti_tpga_attr_default_cmdsn_depth,
	&kti_tpga_attr_cache_dynamic_acls,
	&kti_tpga_attr_demo_mode_write_protect,
	&kti_tpga_attr_prod_mode_write_protect,
	&kti_tpga_attr_demo_mode_discovery,
	&kti_tpga_attr_default_erl,
	&kti_tpga_attr_t10_pi,
	&kti_tpga_attr_fabric_prot_type,
	&kti_tpga_attr_tpg_enabled_sendtargets,
	&kti_tpga_attr_login_keys_workaround,
	NULL,
};

/* ---------------- tpgt_N/param/ ---------------- */

static struct kti_tpg *kti_tpg_from_param_item(struct config_item *item)
{
	return kti_tpg(container_of(to_config_group(item), struct kt_tpg,
				    param_group));
}

/*
 * The files are named after LIO's (rtslib saves and restores them all);
 * each name is the key's kti_key_name().
 */
static int kti_key_lookup(const char *name)
{
	int k = kti_key_find(name);

	if (WARN_ONCE(k < 0, "no login key %s\n", name))
		return -ENOENT;
	return k;
}

static ssize_t kti_param_show(struct config_item *item, char *page,
			      const char *name)
{
	struct kti_tpg *tpg = kti_tpg_from_param_item(item);
	int k = kti_key_lookup(name);
	ssize_t ret;

	if (k < 0)
		return k;
	mutex_lock(&kti_mutex);
	ret = sprintf(page, "%s\n", tpg->param[k]);
	mutex_unlock(&kti_mutex);
	return ret;
}

static ssize_t kti_param_store(struct config_item *item, const char *page,
			       size_t count, const char *name)
{
	struct kti_tpg *tpg = kti_tpg_from_param_item(item);
	size_t len = kti_strip_len(page, count);
	int k = kti_key_lookup(name);
	char val[KTI_VAL_LEN];

	if (k < 0)
		return k;
	if (len >= KTI_VAL_LEN) {
		pr_err("%s tpgt %u: %s is longer than %d bytes\n",
		       tpg->tpg.wwn->name, tpg->tpg.tpgt, name, KTI_VAL_LEN - 1);
		return -EINVAL;
	}
	memcpy(val, page, len);
	val[len] = '\0';
	if (kti_key_validate(k, val)) {
		pr_err("%s tpgt %u: invalid %s \"%*pE\"\n", tpg->tpg.wwn->name,
		       tpg->tpg.tpgt, name, (int)len, val);
		return -EINVAL;
	}
	mutex_lock(&kti_mutex);
	strscpy(tpg->param[k], val, KTI_VAL_LEN);
	mutex_unlock(&kti_mutex);
	return count;
}

/*
 * CamelCase file names: the attribute is spelt out so that the C names
 * stay lower case; the thunks find their key by the file name.
 */
#define KTI_PARAM(_id, _name)						\
static struct configfs_attribute kti_param_attr_##_id;			\
static ssize_t kti_param_##_id##_show(struct config_item *item,	\
				      char *page)			\
{									\
	return kti_param_show(item, page, kti_param_attr_##_id.ca_name);	\
}									\
static ssize_t kti_param_##_id##_store(struct config_item *item,	\
				       const char *page, size_t count)	\
{									\
	return kti_param_store(item, page, count,			\
			       kti_param_attr_##_id.ca_name);		\
}									\
static struct configfs_attribute kti_param_attr_##_id = {		\
	.ca_owner	= THIS_MODULE,					\
	.ca_name	= _name,					\
	.ca_mode	= 0644,						\
	.show		= kti_param_##_id##_show,			\
	.store		= kti_param_##_id##_store,			\
}

KTI_PARAM(auth_method, "AuthMethod");
KTI_PARAM(header_digest, "HeaderDigest");
KTI_PARAM(data_digest, "DataDigest");
KTI_PARAM(max_connections, "MaxConnections");
KTI_PARAM(target_alias, "TargetAlias");
KTI_PARAM(initial_r2t, "InitialR2T");
KTI_PARAM(immediate_data, "ImmediateData");
KTI_PARAM(max_recv_data_segment_length, "MaxRecvDataSegmentLength");
KTI_PARAM(max_xmit_data_segment_length, "MaxXmitDataSegmentLength");
KTI_PARAM(max_burst_length, "MaxBurstLength");
KTI_PARAM(first_burst_length, "FirstBurstLength");
KTI_PARAM(default_time2_wait, "DefaultTime2Wait");
KTI_PARAM(default_time2_retain, "DefaultTime2Retain");
KTI_PARAM(max_outstanding_r2t, "MaxOutstandingR2T");
KTI_PARAM(data_pdu_in_order, "DataPDUInOrder");
KTI_PARAM(data_sequence_in_order, "DataSequenceInOrder");
KTI_PARAM(error_recovery_level, "ErrorRecoveryLevel");
KTI_PARAM(if_marker, "IFMarker");
KTI_PARAM(of_marker, "OFMarker");
KTI_PARAM(if_mark_int, "IFMarkInt");
KTI_PARAM(of_mark_int, "OFMarkInt");

static struct configfs_attribute *kti_tpg_param_attrs[] = {
	&kti_param_attr_auth_method,
	&kti_param_attr_header_digest,
	&kti_param_attr_data_digest,
	&kti_param_attr_max_connections,
	&kti_param_attr_target_alias,
	&kti_param_attr_initial_r2t,
	&kti_param_attr_immediate_data,
	&kti_param_attr_max_recv_data_segment_length,
	&kti_param_attr_max_xmit_data_segment_length,
	&kti_param_attr_max_burst_length,
	&kti_param_attr_first_burst_length,
	&kti_param_attr_default_time2_wait,
	&kti_param_attr_default_time2_retain,
	&kti_param_attr_max_outstanding_r2t,
	&kti_param_attr_data_pdu_in_order,
	&kti_param_attr_data_sequence_in_order,
	&kti_param_attr_error_recovery_level,
	&kti_param_attr_if_marker,
	&kti_param_attr_of_marker,
	&kti_param_attr_if_mark_int,
	&kti_param_attr_of_mark_int,
	NULL,
};

/* ---------------- np/<ip:port>/ ---------------- */

static struct kti_tpg_np *kti_tpg_np_from_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kti_tpg_np, group);
}

static ssize_t kti_np_offload_store(u32 *field, const char *name,
				    const char *page, size_t count)
{
	u32 val;

	if (kstrtou32(page, 0, &val) || val > 1) {
		pr_err("%s takes 0 or 1\n", name);
		return -EINVAL;
	}
	if (val) {
		pr_err("%s: iSER/cxgbit offload is not supported\n", name);
		return -EOPNOTSUPP;
	}
	*field = 0;
	return count;
}

static ssize_t kti_np_iser_show(struct config_item *item, char *page)
{
	return sprintf(page, "%u\n", kti_tpg_np_from_item(item)->iser);
}

static ssize_t kti_np_iser_store(struct config_item *item, const char *page,
				 size_t count)
{
	return kti_np_offload_store(&kti_tpg_np_from_item(item)->iser, "iser",
				    page, count);
}

static ssize_t kti_np_cxgbit_show(struct config_item *item, char *page)
{
	return sprintf(page, "%u\n", kti_tpg_np_from_item(item)->cxgbit);
}

static ssize_t kti_np_cxgbit_store(struct config_item *item,
				   const char *page, size_t count)
{
	return kti_np_offload_store(&kti_tpg_np_from_item(item)->cxgbit,
				    "cxgbit", page, count);
}

CONFIGFS_ATTR(kti_np_, iser);
CONFIGFS_ATTR(kti_np_, cxgbit);

static struct configfs_attribute *kti_np_attrs[] = {
	&kti_np_attr_iser,
	&kti_np_attr_cxgbit,
	NULL,
};

static void kti_np_release(struct config_item *item)
{
	kfree(kti_tpg_np_from_item(item));
}

static struct configfs_item_operations kti_np_item_ops = {
	.release = kti_np_release,
};

static const struct config_item_type kti_np_type = {
	.ct_item_ops = &kti_np_item_ops,
	.ct_attrs = kti_np_attrs,
	.ct_owner = THIS_MODULE,
};

static bool kti_tpg_has_np(struct kti_tpg *tpg, struct kti_np *np)
{
	struct kti_tpg_np *tnp;

	lockdep_assert_held(&kti_mutex);
	list_for_each_entry(tnp, &tpg->nps, entry)
		if (tnp->np == np)
			return true;
	return false;
}

/*
 * The TPG of @tiqn that has portal @np, or NULL.  A portal belongs to one
 * TPG per target (as in LIO): a login names the target, and the portal it
 * came in on must tell which of the target's TPGs it reaches.
 */
static struct kti_tpg *kti_tiqn_np_tpg(struct kti_tiqn *tiqn,
				       struct kti_np *np)
{
	struct kti_tpg *tpg;

	lockdep_assert_held(&kti_mutex);
	list_for_each_entry(tpg, &tiqn->tpgs, entry)
		if (kti_tpg_has_np(tpg, np))
			return tpg;
	return NULL;
}

/* mkdir np/<ipv4>:<port> or np/[<ipv6>]:<port> */
struct config_group *kti_np_make(struct kt_tpg *ktpg, const char *name)
{
	struct kti_tpg *tpg = kti_tpg(ktpg), *owner;
	struct sockaddr_storage ss;
	struct kti_tpg_np *tnp;
	struct kti_np *np;

	if (kti_np_parse(name, &ss)) {
		pr_err("%s: portals are <ipv4>:<port> or [<ipv6>]:<port>\n",
		       name);
		return ERR_PTR(-EINVAL);
	}
	tnp = kzalloc(sizeof(*tnp), GFP_KERNEL);
	if (!tnp)
		return ERR_PTR(-ENOMEM);
	tnp->tpg = tpg;
	mutex_lock(&kti_mutex);
	/* the listener is shared: the same address gives the same np */
	np = kti_np_get(&ss);
	if (IS_ERR(np))
		goto out_unlock;
	owner = kti_tiqn_np_tpg(tpg->tiqn, np);
	if (owner) {
		kti_np_put(np);
		pr_err("%s: tpgt %u has portal %pISpc already\n",
		       ktpg->wwn->name, owner->tpg.tpgt, &ss);
		np = ERR_PTR(-EEXIST);
		goto out_unlock;
	}
	tnp->np = np;
	config_group_init_type_name(&tnp->group, name, &kti_np_type);
	list_add_tail(&tnp->entry, &tpg->nps);
	mutex_unlock(&kti_mutex);
	return &tnp->group;

out_unlock:
	mutex_unlock(&kti_mutex);
	kfree(tnp);
	return ERR_CAST(np);
}

void kti_np_drop(struct kt_tpg *ktpg, struct config_group *group)
{
	struct kti_tpg_np *tnp = container_of(group, struct kti_tpg_np, group);

	mutex_lock(&kti_mutex);
	list_del(&tnp->entry);
	kti_np_put(tnp->np);
	tnp->np = NULL;
	mutex_unlock(&kti_mutex);
	config_item_put(&group->cg_item);
}

/* ---------------- acls/<initiator>/ ---------------- */

void kti_acl_set_defaults(struct kti_acl *acl)
{
	struct kti_acl_attrib *a = &acl->attrib;

	a->dataout_timeout = 3;
	a->dataout_timeout_retries = 5;
	a->default_erl = 0;
	a->nopin_timeout = 15;
	a->nopin_response_timeout = 30;
	a->random_datain_pdu_offsets = 0;
	a->random_datain_seq_offsets = 0;
	a->random_r2t_offsets = 0;
	a->authentication = -1;
	a->tmr_warm_reset = 0;
	a->tmr_cold_reset = 0;
}

/* ->init_acl: static and dynamic ACLs, under kt_cfg_mutex */
static void kti_init_acl(struct kt_node_acl *acl)
{
	kti_acl_set_defaults(kti_acl(acl));
}

static ssize_t kti_acl_info_show(struct config_item *item, char *page)
{
	return kti_acl_info(kti_acl(kt_acl_from_item(item)), page);
}

static ssize_t kti_acl_cmdsn_depth_show(struct config_item *item, char *page)
{
	return sprintf(page, "%u\n",
		       READ_ONCE(kt_acl_from_item(item)->cmdsn_depth));
}

static ssize_t kti_acl_cmdsn_depth_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct kt_node_acl *acl = kt_acl_from_item(item);
	u32 val;

	if (kstrtou32(page, 0, &val) || !val || val > KTI_CMDSN_DEPTH_MAX) {
		pr_err("%s: cmdsn_depth takes a value from 1 to %d\n",
		       acl->name, KTI_CMDSN_DEPTH_MAX);
		return -EINVAL;
	}
	mutex_lock(&kti_mutex);
	WRITE_ONCE(acl->cmdsn_depth, val);
	mutex_unlock(&kti_mutex);
	return count;
}

/* LIO shows the tag without a newline */
static ssize_t kti_acl_tag_show(struct config_item *item, char *page)
{
	struct kt_node_acl *acl = kt_acl_from_item(item);
	ssize_t ret;

	mutex_lock(&kti_mutex);
	ret = sprintf(page, "%s", acl->tag);
	mutex_unlock(&kti_mutex);
	return ret;
}

static ssize_t kti_acl_tag_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct kt_node_acl *acl = kt_acl_from_item(item);
	size_t len = kti_strip_len(page, count);

	if (len >= sizeof(acl->tag)) {
		pr_err("%s: tag longer than %zu bytes\n", acl->name,
		       sizeof(acl->tag) - 1);
		return -EINVAL;
	}
	if (!strncmp(page, "NULL", 4))
		len = 0;
	mutex_lock(&kti_mutex);
	memcpy(acl->tag, page, len);
	acl->tag[len] = '\0';
	mutex_unlock(&kti_mutex);
	return count;
}

CONFIGFS_ATTR_RO(kti_acl_, info);
CONFIGFS_ATTR(kti_acl_, cmdsn_depth);
CONFIGFS_ATTR(kti_acl_, tag);

static struct configfs_attribute *kti_acl_attrs[] = {
	&kti_acl_attr_info,
	&kti_acl_attr_cmdsn_depth,
	&kti_acl_attr_tag,
	NULL,
};

/* ---------------- acls/<initiator>/attrib/ ---------------- */

static struct kti_acl *kti_acl_from_attrib_item(struct config_item *item)
{
	return kti_acl(container_of(to_config_group(item), struct kt_node_acl,
				    attrib_group));
}

#define KTI_ACLA(_n, _min, _max)					\
	{ #_n, offsetof(struct kti_acl_attrib, _n), _min, _max, NULL }

static const struct kti_num kti_acla_table[] = {
	KTI_ACLA(dataout_timeout, 2, 60),
	KTI_ACLA(dataout_timeout_retries, 1, 15),
	KTI_ACLA(default_erl, 0, 2),
	KTI_ACLA(nopin_timeout, 3, 60),
	KTI_ACLA(nopin_response_timeout, 3, 60),
	KTI_ACLA(random_datain_pdu_offsets, 0, 1),
	KTI_ACLA(random_datain_seq_offsets, 0, 1),
	KTI_ACLA(random_r2t_offsets, 0, 1),
	KTI_ACLA(authentication, -1, 1),	/* -1: the TPG's */
	KTI_ACLA(tmr_warm_reset, 0, 1),
	KTI_ACLA(tmr_cold_reset, 0, 1),
};

static ssize_t kti_acla_show(struct config_item *item, char *page,
			     const char *name)
{
	return kti_num_show(&kti_acl_from_attrib_item(item)->attrib,
			    kti_num_find(kti_acla_table,
					 ARRAY_SIZE(kti_acla_table), name),
			    page);
}

static ssize_t kti_acla_store(struct config_item *item, const char *page,
			      size_t count, const char *name)
{
	struct kti_acl *acl = kti_acl_from_attrib_item(item);
	const struct kti_num *d;
	int ret, val;

	d = kti_num_find(kti_acla_table, ARRAY_SIZE(kti_acla_table), name);
	ret = kti_num_parse(d, page, &val);
	if (ret == -ERANGE) {
		pr_err("ACL %s: %s takes a value from %d to %d\n",
		       acl->acl.name, name, d->min, d->max);
		return -EINVAL;
	}
	if (ret)
		return ret;
	mutex_lock(&kti_mutex);
	*kti_num_field(&acl->attrib, d) = val;
	mutex_unlock(&kti_mutex);
	return count;
}

#define KTI_ACL_ATTRIB(_n)						\
static ssize_t kti_acla_##_n##_show(struct config_item *item, char *page) \
{									\
	return kti_acla_show(item, page, #_n);				\
}									\
static ssize_t kti_acla_##_n##_store(struct config_item *item,		\
				     const char *page, size_t count)	\
{									\
	return kti_acla_store(item, page, count, #_n);			\
}									\
CONFIGFS_ATTR(kti_acla_, _n)

KTI_ACL_ATTRIB(dataout_timeout);
KTI_ACL_ATTRIB(dataout_timeout_retries);
KTI_ACL_ATTRIB(default_erl);
KTI_ACL_ATTRIB(nopin_timeout);
KTI_ACL_ATTRIB(nopin_response_timeout);
KTI_ACL_ATTRIB(random_datain_pdu_offsets);
KTI_ACL_ATTRIB(random_datain_seq_offsets);
KTI_ACL_ATTRIB(random_r2t_offsets);
KTI_ACL_ATTRIB(authentication);
KTI_ACL_ATTRIB(tmr_warm_reset);
KTI_ACL_ATTRIB(tmr_cold_reset);

static struct configfs_attribute *kti_acl_attrib_attrs[] = {
	&kti_acla_attr_dataout_timeout,
	&kti_acla_attr_dataout_timeout_retries,
	&kti_acla_attr_default_erl,
	&kti_acla_attr_nopin_timeout,
	&kti_acla_attr_nopin_response_timeout,
	&kti_acla_attr_random_datain_pdu_offsets,
	&kti_acla_attr_random_datain_seq_offsets,
	&kti_acla_attr_random_r2t_offsets,
	&kti_acla_attr_authentication,
	&kti_acla_attr_tmr_warm_reset,
	&kti_acla_attr_tmr_cold_reset,
	NULL,
};

/* ---------------- acls/<initiator>/param/ (negotiated, RO) ---------------- */

static ssize_t kti_acl_param_show(struct config_item *item, char *page,
				  const char *name)
{
	struct kt_node_acl *acl = container_of(to_config_group(item),
					       struct kt_node_acl,
					       param_group);
	int k = kti_key_lookup(name);

	if (k < 0)
		return k;
	return kti_acl_param(kti_acl(acl), k, page);
}

#define KTI_ACL_PARAM(_id, _name)					\
static struct configfs_attribute kti_aclp_attr_##_id;			\
static ssize_t kti_aclp_##_id##_show(struct config_item *item, char *page) \
{									\
	return kti_acl_param_show(item, page, kti_aclp_attr_##_id.ca_name); \
}									\
static struct configfs_attribute kti_aclp_attr_##_id = {		\
	.ca_owner	= THIS_MODULE,					\
	.ca_name	= _name,					\
	.ca_mode	= 0444,						\
	.show		= kti_aclp_##_id##_show,			\
}

KTI_ACL_PARAM(max_connections, "MaxConnections");
KTI_ACL_PARAM(initial_r2t, "InitialR2T");
KTI_ACL_PARAM(immediate_data, "ImmediateData");
KTI_ACL_PARAM(max_burst_length, "MaxBurstLength");
KTI_ACL_PARAM(first_burst_length, "FirstBurstLength");
KTI_ACL_PARAM(default_time2_wait, "DefaultTime2Wait");
KTI_ACL_PARAM(default_time2_retain, "DefaultTime2Retain");
KTI_ACL_PARAM(max_outstanding_r2t, "MaxOutstandingR2T");
KTI_ACL_PARAM(data_pdu_in_order, "DataPDUInOrder");
KTI_ACL_PARAM(data_sequence_in_order, "DataSequenceInOrder");
KTI_ACL_PARAM(error_recovery_level, "ErrorRecoveryLevel");

static struct configfs_attribute *kti_acl_param_attrs[] = {
	&kti_aclp_attr_max_connections,
	&kti_aclp_attr_initial_r2t,
	&kti_aclp_attr_immediate_data,
	&kti_aclp_attr_max_burst_length,
	&kti_aclp_attr_first_burst_length,
	&kti_aclp_attr_default_time2_wait,
	&kti_aclp_attr_default_time2_retain,
	&kti_aclp_attr_max_outstanding_r2t,
	&kti_aclp_attr_data_pdu_in_order,
	&kti_aclp_attr_data_sequence_in_order,
	&kti_aclp_attr_error_recovery_level,
	NULL,
};

/* ---------------- the fabric ---------------- */

struct kt_fabric_ops kti_fabric_ops = {
	.owner			= THIS_MODULE,
	.name			= "iscsi",
	.api_version		= KT_API_VERSION,
	.node_acl_size		= sizeof(struct kti_acl),
	.queue_response		= kti_queue_response,
	.write_pending		= kti_write_pending,
	.release_cmd		= kti_release_cmd,
	.make_wwn		= kti_make_wwn,
	.drop_wwn		= kti_drop_wwn,
	.make_tpg		= kti_make_tpg,
	.drop_tpg		= kti_drop_tpg,
	.tpg_enable		= kti_tpg_enable,
	.init_acl		= kti_init_acl,
	.close_acl_sessions	= kti_acl_close_sessions,
	.make_np		= kti_np_make,
	.drop_np		= kti_np_drop,
	.fabric_attrs		= kti_fabric_attrs,
	.discovery_attrs	= kti_discovery_attrs,
	.tpg_attrs		= kti_tpg_attrs,
	.tpg_attrib_attrs	= kti_tpg_attrib_attrs,
	.tpg_param_attrs	= kti_tpg_param_attrs,
	.tpg_auth_attrs		= kti_tpg_auth_attrs,
	.acl_attrs		= kti_acl_attrs,
	.acl_attrib_attrs	= kti_acl_attrib_attrs,
	.acl_auth_attrs		= kti_acl_auth_attrs,
	.acl_param_attrs	= kti_acl_param_attrs,
};
