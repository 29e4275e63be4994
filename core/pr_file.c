// SPDX-License-Identifier: GPL-2.0
/*
 * APTPL: persistent reservations that survive a power loss, kept where
 * and as LIO keeps them, in <dbroot>/pr/aptpl_<unit serial> (the text of
 * core/wire/aptpl.c).  The file is replaced atomically (core/dbfile.c)
 * whenever a change of the state must persist, before the change is
 * committed.
 *
 * Registrations come back two ways, as records waiting for their target
 * port: the lines rtslib writes into pr/res_aptpl_metadata, and the file
 * itself, read when the device is first exported.  A record becomes a
 * registration once a LUN of the device is the port it names (fabric,
 * target name, TPG tag and LUN); until then it is also written back into
 * every new version of the file, so nothing waiting is lost.
 *
 * Locks: everything here runs under kt_cfg_mutex, which protects
 * dev->pr_next, dev->pr_pending, dev->pr_npending and dev->pr_loaded;
 * dev->pr itself is changed under dev->pr_lock as well.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

#define KT_PR_DIR	"pr"
#define KT_PR_FILE	"aptpl_"

/* ---------------- files ---------------- */

/* A serial that names a file in <dbroot>/pr, not a path elsewhere */
static int kt_pr_serial_ok(const struct kt_dev *dev)
{
	if (!strchr(dev->unit_serial, '/'))
		return 0;
	pr_err_ratelimited("%s: unit serial %s has a '/': no APTPL file\n",
			   dev->name, dev->unit_serial);
	return -EINVAL;
}

/*
 * Replace <dbroot>/pr/aptpl_<serial> with @len bytes of @text, atomically
 * (kt_dbfile_replace()).
 */
static int kt_pr_file_replace(struct kt_dev *dev, const char *text, u32 len)
{
	char *name;
	int ret = kt_pr_serial_ok(dev);

	if (ret)
		return ret;
	name = kasprintf(GFP_KERNEL, KT_PR_FILE "%s", dev->unit_serial);
	if (!name)
		return -ENOMEM;
	ret = kt_dbfile_replace(KT_PR_DIR, name, text, len);
	if (ret)
		pr_err_ratelimited("%s: cannot write %s/%s/%s (%d): APTPL state not saved\n",
				   dev->name, kt_dbroot, KT_PR_DIR, name, ret);
	kfree(name);
	return ret;
}

/* The whole file into a new buffer of at most KT_APTPL_MAX bytes. */
static int kt_pr_file_read(struct kt_dev *dev, char **text, u32 *len)
{
	char *name;
	int ret;

	if (kt_pr_serial_ok(dev))
		return -EINVAL;
	name = kasprintf(GFP_KERNEL, KT_PR_FILE "%s", dev->unit_serial);
	if (!name)
		return -ENOMEM;
	ret = kt_dbfile_read(KT_PR_DIR, name, KT_APTPL_MAX, text, len);
	kfree(name);
	return ret;
}

/* ---------------- ports ---------------- */

/* The SCSI transport protocol of the initiators of @tpg (KT_PR_PROTO_*) */
static u8 kt_pr_tpg_proto(const struct kt_tpg *tpg)
{
	const struct kt_fabric_ops *ops = tpg->wwn->fabric->ops;

	return ops->proto_id ? ops->proto_id(tpg) : KT_PR_PROTO_ISCSI;
}

/* The device's LUN whose relative target port id is @rtpi, or NULL */
static struct kt_lun *kt_pr_lun_of(struct kt_dev *dev, u16 rtpi)
{
	struct kt_lun *lun;

	list_for_each_entry(lun, &dev->luns, dev_entry)
		if (lun->rtpi == rtpi)
			return lun;
	return NULL;
}

/*
 * Is @name (an ACL's) the initiator port @t?  @scratch receives the name
 * as a record so that kt_aptpl_tid() reads it as it reads the file.
 */
static bool kt_pr_acl_is(const char *name, const struct kt_pr_tid *t,
			 struct kt_aptpl_reg *scratch)
{
	struct kt_pr_tid a;

	memset(scratch, 0, sizeof(*scratch));
	strscpy(scratch->init_node, name, sizeof(scratch->init_node));
	if (kt_aptpl_tid(scratch, t->proto, &a))
		return false;
	if (t->proto == KT_PR_PROTO_ISCSI)
		return a.len == t->len &&
		       !strncasecmp((const char *)a.id, (const char *)t->id,
				    a.len);
	return a.len == t->len && !memcmp(a.id, t->id, a.len);
}

/* The LUN number the initiator @t sees @lun under (its ACL's mapping) */
static u64 kt_pr_mapped_lun(struct kt_lun *lun, const struct kt_pr_tid *t,
			    struct kt_aptpl_reg *scratch)
{
	struct kt_mapped_lun *mlun;
	struct kt_node_acl *acl;
	unsigned long idx;

	list_for_each_entry(acl, &lun->tpg->acls, tpg_entry) {
		if (!kt_pr_acl_is(acl->name, t, scratch))
			continue;
		xa_for_each(&acl->mapped, idx, mlun)
			if (mlun->lun == lun)
				return mlun->mapped;
	}
	return lun->index;
}

/**
 * struct kt_pr_text - what goes into one version of the file
 * @ports: per slot, the port facts kt_aptpl_encode() asks for
 * @scratch: a record for name comparisons
 * @len: bytes of @text used
 * @text: the file, KT_APTPL_MAX bytes
 */
struct kt_pr_text {
	struct kt_aptpl_port ports[KT_PR_MAX_REGS];
	struct kt_aptpl_reg scratch;
	u32 len;
	char text[KT_APTPL_MAX];
};

/* Fill @x->ports for the registrations of @st; -ENOENT if a port is gone */
static int kt_pr_fill_ports(struct kt_dev *dev, const struct kt_pr_state *st,
			    struct kt_pr_text *x)
{
	const struct kt_pr_reg *r;
	struct kt_lun *lun;
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		r = &st->regs[i];
		if (!r->used)
			continue;
		lun = kt_pr_lun_of(dev, r->nexus.rtpi);
		if (!lun)
			return -ENOENT;
		x->ports[i] = (struct kt_aptpl_port) {
			.init_fabric = kt_fabric_lio_name(lun->tpg),
			.target_fabric = kt_fabric_lio_name(lun->tpg),
			.target_node = lun->tpg->wwn->name,
			.tpgt = lun->tpg->tpgt,
			.mapped_lun = kt_pr_mapped_lun(lun, &r->nexus.init,
						       &x->scratch),
			.target_lun = lun->index,
		};
	}
	return 0;
}

/* The file for @st plus the records still waiting for their port */
static int kt_pr_encode(struct kt_dev *dev, const struct kt_pr_state *st,
			struct kt_pr_text *x)
{
	unsigned int i;
	u32 n;

	x->len = 0;
	if (!st->aptpl)
		return 0;	/* LIO leaves an empty file when APTPL ends */
	if (st->nregs || !dev->pr_npending) {
		if (kt_pr_fill_ports(dev, st, x))
			return -ENOENT;
		x->len = kt_aptpl_encode(st, x->ports, x->text, KT_APTPL_MAX);
		if (!x->len || x->len > KT_APTPL_MAX)
			return -EINVAL;
	}
	for (i = 0; i < dev->pr_npending; i++) {
		n = kt_aptpl_encode_reg(&dev->pr_pending[i], st->nregs + i,
					x->text + x->len, KT_APTPL_MAX - x->len);
		if (!n || n > KT_APTPL_MAX - x->len)
			return -EINVAL;
		x->len += n;
	}
	return 0;
}

/**
 * kt_pr_persist - write @st (the state about to replace dev->pr) to the
 * device's APTPL file if it or the current state persists
 * @dev: the device (kt_cfg_mutex held)
 * @st: the new state
 *
 * Return: 0, or a negative errno: then @st must not be committed.
 */
int kt_pr_persist(struct kt_dev *dev, const struct kt_pr_state *st)
{
	struct kt_pr_text *x;
	int ret;

	lockdep_assert_held(&kt_cfg_mutex);
	if (!st->aptpl && !dev->pr->aptpl)
		return 0;
	x = kvzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	ret = kt_pr_encode(dev, st, x);
	if (ret)
		pr_err_ratelimited("%s: cannot encode the APTPL state (%d)\n",
				   dev->name, ret);
	else
		ret = kt_pr_file_replace(dev, x->text, x->len);
	kvfree(x);
	return ret;
}

/* ---------------- records waiting for their port ---------------- */

static bool kt_pr_same_port(const struct kt_aptpl_reg *a,
			    const struct kt_aptpl_reg *b)
{
	return !strcmp(a->init_node, b->init_node) &&
	       a->has_isid == b->has_isid && a->isid == b->isid &&
	       !strcmp(a->target_node, b->target_node) &&
	       a->tpgt == b->tpgt && a->target_lun == b->target_lun;
}

/*
 * Keep @r until its port exists (a record for the same I_T nexus is
 * replaced).  -ENOSPC when KT_PR_MAX_REGS records wait.
 */
static int kt_pr_pending_add(struct kt_dev *dev, const struct kt_aptpl_reg *r)
{
	unsigned int i;

	if (!dev->pr_pending) {
		dev->pr_pending = kvcalloc(KT_PR_MAX_REGS,
					   sizeof(*dev->pr_pending), GFP_KERNEL);
		if (!dev->pr_pending)
			return -ENOMEM;
	}
	for (i = 0; i < dev->pr_npending; i++)
		if (kt_pr_same_port(&dev->pr_pending[i], r))
			break;
	if (i == KT_PR_MAX_REGS)
		return -ENOSPC;
	dev->pr_pending[i] = *r;
	if (i == dev->pr_npending)
		dev->pr_npending++;
	return 0;
}

static void kt_pr_pending_del(struct kt_dev *dev, unsigned int i)
{
	dev->pr_npending--;
	dev->pr_pending[i] = dev->pr_pending[dev->pr_npending];
}

/**
 * kt_pr_set_aside - keep the registration in @slot of dev->pr, made
 * through @lun, as a record waiting for its port (the LUN is going away;
 * with APTPL the registration must come back with it)
 * @dev: the device (kt_cfg_mutex held)
 * @lun: the LUN, still linked to @dev
 * @slot: a used slot of dev->pr
 *
 * Return: 0, or a negative errno (then the registration is not kept).
 */
int kt_pr_set_aside(struct kt_dev *dev, struct kt_lun *lun, int slot)
{
	const struct kt_pr_tid *t = &dev->pr->regs[slot].nexus.init;
	struct {
		struct kt_aptpl_port port;
		struct kt_aptpl_reg scratch;
		struct kt_aptpl_reg rec;
	} *x;
	int ret;

	lockdep_assert_held(&kt_cfg_mutex);
	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	x->port = (struct kt_aptpl_port) {
		.init_fabric = kt_fabric_lio_name(lun->tpg),
		.target_fabric = kt_fabric_lio_name(lun->tpg),
		.target_node = lun->tpg->wwn->name,
		.tpgt = lun->tpg->tpgt,
		.mapped_lun = kt_pr_mapped_lun(lun, t, &x->scratch),
		.target_lun = lun->index,
	};
	ret = kt_aptpl_reg_of(dev->pr, slot, &x->port, &x->rec);
	if (!ret)
		ret = kt_pr_pending_add(dev, &x->rec);
	kfree(x);
	return ret;
}

/* The LUN of the device that is the target port @r names, or NULL */
static struct kt_lun *kt_pr_port_of(struct kt_dev *dev,
				    const struct kt_aptpl_reg *r)
{
	struct kt_lun *lun;

	list_for_each_entry(lun, &dev->luns, dev_entry) {
		if (lun->index != r->target_lun || lun->tpg->tpgt != r->tpgt ||
		    strcmp(lun->tpg->wwn->name, r->target_node))
			continue;
		if (r->target_fabric[0] &&
		    strcasecmp(r->target_fabric, kt_fabric_lio_name(lun->tpg)))
			continue;
		return lun;
	}
	return NULL;
}

/*
 * Register each waiting record whose port exists now, into the state
 * @dev->pr_next (a copy of dev->pr); returns how many were applied.
 */
static unsigned int kt_pr_apply_pending(struct kt_dev *dev)
{
	struct kt_pr_state *st = dev->pr_next;
	const struct kt_aptpl_reg *r;
	unsigned int i = 0, done = 0;
	struct kt_lun *lun;
	int ret;

	while (i < dev->pr_npending) {
		r = &dev->pr_pending[i];
		lun = kt_pr_port_of(dev, r);
		if (!lun) {
			i++;
			continue;
		}
		ret = kt_aptpl_apply(st, r, kt_pr_tpg_proto(lun->tpg),
				     lun->rtpi);
		if (ret && ret != -EEXIST)
			pr_warn_ratelimited("%s: APTPL registration of %s on %s/tpgt_%u/lun_%llu not restored (%d)\n",
					    dev->name, r->init_node,
					    r->target_node, r->tpgt,
					    r->target_lun, ret);
		else if (!ret)
			done++;
		kt_pr_pending_del(dev, i);
	}
	return done;
}

/* Make dev->pr_next the current state (kt_cfg_mutex held) */
void kt_pr_commit(struct kt_dev *dev)
{
	struct kt_pr_state *old;

	spin_lock(&dev->pr_lock);
	old = dev->pr;
	dev->pr = dev->pr_next;
	dev->pr_next = old;
	WRITE_ONCE(dev->pr_reserved, dev->pr->reserved);
	spin_unlock(&dev->pr_lock);
}

/* dev->pr_next := dev->pr, the start of every change (kt_cfg_mutex held) */
void kt_pr_begin(struct kt_dev *dev)
{
	spin_lock(&dev->pr_lock);
	memcpy(dev->pr_next, dev->pr, sizeof(*dev->pr_next));
	spin_unlock(&dev->pr_lock);
	dev->pr_next->force_aptpl = READ_ONCE(dev->attrib.force_pr_aptpl);
	/* the ISID rule may change only while nothing is registered */
	if (!dev->pr_next->nregs)
		dev->pr_next->enforce_isids =
			READ_ONCE(dev->attrib.enforce_pr_isids);
}

/*
 * Registrations waiting for a port that now exists become real; the file
 * is rewritten first (it then has them as registrations).
 */
static void kt_pr_restore(struct kt_dev *dev)
{
	if (!dev->pr_npending)
		return;
	kt_pr_begin(dev);
	/* the old file still has what could not be rewritten: commit anyway */
	if (kt_pr_apply_pending(dev))
		kt_pr_persist(dev, dev->pr_next);
	kt_pr_commit(dev);
}

/* The records of @text (@len bytes) wait for their ports; 0 or -errno */
static int kt_pr_load_text(struct kt_dev *dev, const char *text, u32 len,
			   u32 *off)
{
	struct kt_aptpl_reg *regs;
	unsigned int n, i;
	int ret;

	if (!len)
		return 0;	/* APTPL was turned off */
	regs = kvcalloc(KT_PR_MAX_REGS, sizeof(*regs), GFP_KERNEL);
	if (!regs)
		return -ENOMEM;
	ret = kt_aptpl_parse_file(text, len, regs, KT_PR_MAX_REGS, &n, off);
	for (i = 0; !ret && i < n; i++)
		ret = kt_pr_pending_add(dev, &regs[i]);
	kvfree(regs);
	return ret;
}

/*
 * Read the file once, when the device is first exported (its serial is
 * fixed from then on).  A file that cannot be read back leaves the state
 * marked lost, as SPC-4 has it (REPLACE LOST RESERVATION ends that).
 */
static void kt_pr_load(struct kt_dev *dev)
{
	char *text = NULL;
	u32 len = 0, off = 0;
	int ret;

	dev->pr_loaded = true;
	ret = kt_pr_file_read(dev, &text, &len);
	if (ret == -ENOENT)
		return;
	if (!ret)
		ret = kt_pr_load_text(dev, text, len, &off);
	kvfree(text);
	if (!ret)
		return;
	pr_err("%s: APTPL file of serial %s unreadable (%d at byte %u): reservations lost\n",
	       dev->name, dev->unit_serial, ret, off);
	kt_pr_begin(dev);
	dev->pr_next->lost = true;
	kt_pr_commit(dev);
}

/**
 * kt_pr_lun_linked - @lun now exports its device: read the APTPL file on
 * the first export and restore what waited for this port
 * @lun: the LUN (kt_cfg_mutex held, on dev->luns)
 */
void kt_pr_lun_linked(struct kt_lun *lun)
{
	struct kt_dev *dev = lun->dev;

	lockdep_assert_held(&kt_cfg_mutex);
	if (!dev->pr_loaded)
		kt_pr_load(dev);
	kt_pr_restore(dev);
}

/**
 * kt_pr_metadata_add - pr/res_aptpl_metadata: one registration in
 * rtslib's format, kept until its port exists
 * @dev: the device
 * @page: the line
 * @count: its length
 *
 * Return: 0 or -EINVAL (bad line, or the device is already exported:
 * LIO takes them only before), -ENOSPC, -ENOMEM.
 */
int kt_pr_metadata_add(struct kt_dev *dev, const char *page, size_t count)
{
	struct kt_aptpl_reg *r;
	u32 off = 0;
	int ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = kt_aptpl_parse_line(page, count, r, &off);
	if (ret) {
		pr_err_ratelimited("%s: res_aptpl_metadata: bad item at byte %u (%d)\n",
				   dev->name, off, ret);
		kfree(r);
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	if (dev->export_count) {
		pr_err_ratelimited("%s: res_aptpl_metadata: the device is exported\n",
				   dev->name);
		ret = -EINVAL;
	} else {
		ret = kt_pr_pending_add(dev, r);
	}
	mutex_unlock(&kt_cfg_mutex);
	kfree(r);
	return ret;
}

/* ---------------- the device's PR memory ---------------- */

int kt_dev_pr_alloc(struct kt_dev *dev)
{
	spin_lock_init(&dev->pr_lock);
	dev->pr = kvzalloc(sizeof(*dev->pr), GFP_KERNEL);
	dev->pr_next = kvzalloc(sizeof(*dev->pr_next), GFP_KERNEL);
	if (!dev->pr || !dev->pr_next) {
		kt_dev_pr_free(dev);
		return -ENOMEM;
	}
	kt_pr_init(dev->pr);
	return 0;
}

void kt_dev_pr_free(struct kt_dev *dev)
{
	kvfree(dev->pr);
	kvfree(dev->pr_next);
	kvfree(dev->pr_pending);
	dev->pr = NULL;
	dev->pr_next = NULL;
	dev->pr_pending = NULL;
}
