// SPDX-License-Identifier: GPL-2.0
/*
 * Persistent reservations of a device: the kernel side of the pure state
 * machine in core/wire/pr.c.  An I_T nexus is the session's initiator
 * port (kt_session.port) and the relative target port id of the LUN the
 * command came through.
 *
 * Locks: dev->pr_lock (a spinlock, never taken in interrupts) protects
 * *dev->pr.  PERSISTENT RESERVE OUT also holds kt_cfg_mutex, so that the
 * LUNs, sessions and mapped LUNs it posts unit attentions to and whose
 * tasks it aborts stay put; the order is kt_cfg_mutex, dev->pr_lock,
 * tpg->lock, sess->lock.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/slab.h>
#include "core.h"

int kt_port_iscsi(struct kt_pr_tid *port, const char *name, const u8 *isid)
{
	return kt_pr_tid_iscsi(port, name, !!isid,
			       isid ? get_unaligned_be48(isid) : 0);
}
EXPORT_SYMBOL_GPL(kt_port_iscsi);

int kt_port_binary(struct kt_pr_tid *port, u8 proto, const u8 *id,
		   unsigned int len)
{
	return kt_pr_tid_binary(port, proto, id, len);
}
EXPORT_SYMBOL_GPL(kt_port_binary);

static void kt_pr_nexus_of(const struct kt_session *sess,
			   const struct kt_lun *lun, struct kt_pr_nexus *n)
{
	n->init = sess->port;
	n->rtpi = lun->rtpi;
}

/*
 * kt_pr_check_cmd - RESERVATION CONFLICT if a persistent reservation of
 * another nexus forbids @cmd (of class cmd->pr_class) on its device.
 */
kt_status_t kt_pr_check_cmd(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	struct kt_pr_nexus n;
	kt_status_t status;

	if (!dev || cmd->pr_class == KT_PR_CLS_ALLOWED ||
	    !READ_ONCE(dev->pr_reserved))
		return KT_OK;
	kt_pr_nexus_of(cmd->sess, cmd->klun, &n);
	spin_lock(&dev->pr_lock);
	status = kt_pr_check(dev->pr, &n, cmd->pr_class);
	spin_unlock(&dev->pr_lock);
	return status;
}

/* ---------------- PERSISTENT RESERVE IN ---------------- */

kt_status_t kt_spc_setup_pr(struct kt_cmd *cmd)
{
	if (!READ_ONCE(cmd->dev->attrib.emulate_pr))
		return KT_S_INVALID_OPCODE;
	/* a longer list names more ports than there are registrations */
	if (cmd->d.op == KT_OP_PR_OUT && cmd->d.alloc_len > KT_PR_OUT_MAX)
		return KT_S_PR_NO_RESOURCES;
	return KT_OK;
}

void kt_spc_pr_in(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	u32 len = cmd->data_len, full;
	kt_status_t status;
	u8 *buf = NULL;

	if (len) {
		buf = kvmalloc(len, GFP_KERNEL);
		if (!buf) {
			kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
			return;
		}
	}
	spin_lock(&dev->pr_lock);
	status = kt_pr_in(dev->pr, cmd->d.sa, buf, len, &full);
	spin_unlock(&dev->pr_lock);
	if (status == KT_OK)
		kt_cmd_copy_to_sgl(cmd, buf, len);
	else
		kt_cmd_bad_cdb(cmd, 1, 4);	/* SERVICE ACTION */
	kvfree(buf);
	kt_cmd_complete(cmd, status);
}

/* ---------------- PERSISTENT RESERVE OUT ---------------- */

/**
 * struct kt_pr_out_ctx - one PR OUT being carried out
 * @cmd: the command
 * @req: what kt_pr_out() is asked
 * @fx: what it answers
 * @nexus: the nexus @cmd came through
 * @tmp: scratch: the nexus of a session being looked at
 * @ports: relative target port ids of every LUN exporting the device
 * @param: the parameter list (@req.len bytes)
 */
struct kt_pr_out_ctx {
	struct kt_cmd *cmd;
	struct kt_pr_out_req req;
	struct kt_pr_effects fx;
	struct kt_pr_nexus nexus;
	struct kt_pr_nexus tmp;
	u16 *ports;
	u8 param[];
};

static const enum kt_ua kt_pr_ua_kind[] = {
	[KT_PR_UA_RES_PREEMPTED]	= KT_UA_RES_PREEMPTED,
	[KT_PR_UA_RES_RELEASED]		= KT_UA_RES_RELEASED,
	[KT_PR_UA_REG_PREEMPTED]	= KT_UA_REG_PREEMPTED,
};

/* The mapping through which @acl sees @lun, or NULL (kt_cfg_mutex held). */
static struct kt_mapped_lun *kt_pr_mlun(struct kt_node_acl *acl,
					struct kt_lun *lun)
{
	struct kt_mapped_lun *mlun;
	unsigned long idx;

	xa_for_each(&acl->mapped, idx, mlun)
		if (mlun->lun == lun)
			return mlun;
	return NULL;
}

/*
 * Does @s, through @lun, form the nexus @n (with ISIDs if @isids)?  @tmp
 * is scratch for the session's nexus.
 */
static bool kt_pr_sess_is(struct kt_session *s, struct kt_lun *lun,
			  const struct kt_pr_nexus *n, bool isids,
			  struct kt_pr_nexus *tmp)
{
	if (lun->rtpi != n->rtpi)
		return false;
	kt_pr_nexus_of(s, lun, tmp);
	return kt_pr_nexus_match(tmp, n, isids);
}

/*
 * Establish each unit attention of @fx for the sessions that form its
 * nexus, on their mapping of the LUN (kt_cfg_mutex and dev->pr_lock held;
 * @tmp is scratch).  A registered nexus without a session now gets none: when it
 * logs in again it is told of the power on / nexus loss instead.
 */
static void kt_pr_post_uas(struct kt_dev *dev, const struct kt_pr_effects *fx,
			   struct kt_pr_nexus *tmp)
{
	struct kt_pr_state *st = dev->pr;
	struct kt_mapped_lun *mlun;
	struct kt_session *s;
	struct kt_lun *lun;
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		u8 ua = fx->ua[i];

		if (!ua || ua >= ARRAY_SIZE(kt_pr_ua_kind))
			continue;
		list_for_each_entry(lun, &dev->luns, dev_entry) {
			spin_lock(&lun->tpg->lock);
			list_for_each_entry(s, &lun->tpg->sessions, tpg_entry) {
				if (!kt_pr_sess_is(s, lun, &st->regs[i].nexus,
						   st->enforce_isids, tmp))
					continue;
				mlun = kt_pr_mlun(s->acl, lun);
				if (mlun)
					kt_ua_set(s, mlun->mapped,
						  kt_pr_ua_kind[ua]);
			}
			spin_unlock(&lun->tpg->lock);
		}
	}
}

/*
 * Commit dev->pr_next, built from dev->pr by a change that gave @fx:
 * persist it first if it must (APTPL), then establish its unit
 * attentions (kt_cfg_mutex held).  On an error nothing changes.
 */
static int kt_pr_finish(struct kt_dev *dev, const struct kt_pr_effects *fx,
			struct kt_pr_nexus *tmp)
{
	int ret = fx->save ? kt_pr_persist(dev, dev->pr_next) : 0;

	if (ret)
		return ret;
	kt_pr_commit(dev);
	spin_lock(&dev->pr_lock);
	kt_pr_post_uas(dev, fx, tmp);
	spin_unlock(&dev->pr_lock);
	return 0;
}

/*
 * PREEMPT AND ABORT: abort, on the device, the tasks of the preempted
 * nexuses (and with @fx.abort_self the other tasks of the issuer's), then
 * wait for those in the backstore (kt_cfg_mutex dropped meanwhile).
 */
static bool kt_pr_abort(struct kt_pr_out_ctx *c)
{
	struct kt_cmd *cmd = c->cmd;
	struct kt_dev *dev = cmd->dev;
	struct kt_pr_state *st = dev->pr;
	struct kt_session *s;
	struct kt_lun *lun;
	bool any = false;
	int i;

	spin_lock(&dev->pr_lock);
	list_for_each_entry(lun, &dev->luns, dev_entry) {
		spin_lock(&lun->tpg->lock);
		list_for_each_entry(s, &lun->tpg->sessions, tpg_entry) {
			bool hit = s == cmd->sess && lun == cmd->klun &&
				   c->fx.abort_self;

			for (i = 0; i < KT_PR_MAX_REGS && !hit; i++)
				hit = c->fx.abort[i] &&
				      kt_pr_sess_is(s, lun, &st->regs[i].nexus,
						    st->enforce_isids,
						    &c->tmp);
			if (hit) {
				kt_tmr_abort_lun_tasks(s, lun, cmd);
				any = true;
			}
		}
		spin_unlock(&lun->tpg->lock);
	}
	spin_unlock(&dev->pr_lock);
	return any;
}

/* Relative target port ids of every LUN exporting the device. */
static int kt_pr_ports(struct kt_pr_out_ctx *c)
{
	struct kt_dev *dev = c->cmd->dev;
	struct kt_lun *lun;
	unsigned int n = 0;

	lockdep_assert_held(&kt_cfg_mutex);
	list_for_each_entry(lun, &dev->luns, dev_entry)
		n++;
	c->ports = kcalloc(max(n, 1U), sizeof(*c->ports), GFP_KERNEL);
	if (!c->ports)
		return -ENOMEM;
	n = 0;
	list_for_each_entry(lun, &dev->luns, dev_entry)
		c->ports[n++] = lun->rtpi;
	c->req.ports = c->ports;
	c->req.nports = n;
	return 0;
}

/* Under kt_cfg_mutex: the state change, its file and unit attentions. */
static kt_status_t kt_pr_out_locked(struct kt_pr_out_ctx *c)
{
	struct kt_dev *dev = c->cmd->dev;
	struct kt_pr_state *next = dev->pr_next;
	kt_status_t status;

	if (kt_pr_ports(c))
		return KT_S_NO_RESOURCES;
	kt_pr_begin(dev);
	status = kt_pr_out(next, &c->req, &c->fx);
	if (status == KT_OK && kt_pr_finish(dev, &c->fx, &c->tmp))
		status = KT_S_INTERNAL_ERROR;
	return status;
}

/*
 * kt_pr_lun_unlinked - @lun (kt_cfg_mutex held, still on dev->luns) is
 * about to stop exporting @dev: the registrations made through it go, as
 * if unregistered (a reservation they held is released, with its unit
 * attentions).  Under APTPL they wait, as the file keeps them, for the
 * port to come back (kt_pr_lun_linked()), so the file is not rewritten.
 */
void kt_pr_lun_unlinked(struct kt_dev *dev, struct kt_lun *lun)
{
	struct kt_pr_effects *fx;
	struct kt_pr_nexus *n;
	int i;

	lockdep_assert_held(&kt_cfg_mutex);
	fx = kmalloc(sizeof(*fx), GFP_KERNEL);
	n = kmalloc_array(2, sizeof(*n), GFP_KERNEL);
	if (!fx || !n)
		goto out;
	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		if (!dev->pr->regs[i].used ||
		    dev->pr->regs[i].nexus.rtpi != lun->rtpi)
			continue;
		kt_pr_begin(dev);
		n[0] = dev->pr->regs[i].nexus;
		kt_pr_drop(dev->pr_next, &n[0], fx);
		if (dev->pr->aptpl && !kt_pr_set_aside(dev, lun, i))
			fx->save = false;
		/* the port goes in any case: commit even if unsaved */
		if (fx->save)
			kt_pr_persist(dev, dev->pr_next);
		fx->save = false;
		kt_pr_finish(dev, fx, &n[1]);
	}
out:
	kfree(n);
	kfree(fx);
}

static void kt_pr_out_error(struct kt_pr_out_ctx *c)
{
	if (!c->fx.err_valid)
		return;
	if (c->fx.err_cdb)
		kt_cmd_bad_cdb(c->cmd, c->fx.err_field,
			       c->fx.err_bit_valid ? c->fx.err_bit : -1);
	else
		kt_cmd_bad_param(c->cmd, c->fx.err_field,
				 c->fx.err_bit_valid ? c->fx.err_bit : -1);
}

void kt_spc_pr_out(struct kt_cmd *cmd)
{
	u32 len = cmd->data_len;	/* at most KT_PR_OUT_MAX (setup) */
	struct kt_pr_out_ctx *c;
	kt_status_t status;
	bool aborted;

	c = kvzalloc(struct_size(c, param, len), GFP_KERNEL);
	if (!c) {
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
		return;
	}
	c->cmd = cmd;
	if (kt_cmd_copy_from_sgl(cmd, c->param, len) < len) {
		status = KT_S_PARAM_LIST_LENGTH;
		goto out;
	}
	kt_pr_nexus_of(cmd->sess, cmd->klun, &c->nexus);
	c->req.nexus = &c->nexus;
	c->req.sa = cmd->d.sa;
	c->req.scope = cmd->d.pr_scope;
	c->req.type = cmd->d.pr_type;
	c->req.param = c->param;
	c->req.len = len;

	mutex_lock(&kt_cfg_mutex);
	status = kt_pr_out_locked(c);
	aborted = status == KT_OK && kt_pr_abort(c);
	mutex_unlock(&kt_cfg_mutex);
	if (aborted && !kt_tmr_wait_dev(cmd->dev))
		pr_warn_ratelimited("%s: PREEMPT AND ABORT: aborted tasks still running\n",
				    cmd->dev->name);
	if (status != KT_OK)
		kt_pr_out_error(c);
	kfree(c->ports);
out:
	kvfree(c);
	kt_cmd_complete(cmd, status);
}

/* ---------------- pr/ (LIO's files and text) ---------------- */

static struct kt_dev *kt_dev_from_pr(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_dev, pr_group);
}

static const char *kt_pr_type_name(u8 type)
{
	switch (type) {
	case KT_PR_WR_EX:
		return "Write Exclusive Access";
	case KT_PR_EX_AC:
		return "Exclusive Access";
	case KT_PR_WR_EX_RO:
		return "Write Exclusive Access, Registrants Only";
	case KT_PR_EX_AC_RO:
		return "Exclusive Access, Registrants Only";
	case KT_PR_WR_EX_AR:
		return "Write Exclusive Access, All Registrants";
	case KT_PR_EX_AC_AR:
		return "Exclusive Access, All Registrants";
	default:
		return "Unknown SPC-3 Reservation Type";
	}
}

static const char *kt_pr_proto_name(u8 proto)
{
	switch (proto) {
	case KT_PR_PROTO_FC:
		return "FCP";
	case KT_PR_PROTO_SBP:
		return "SBP";
	case KT_PR_PROTO_SRP:
		return "SRP";
	case KT_PR_PROTO_ISCSI:
		return "iSCSI";
	default:
		return "SAS";
	}
}

/* "<protocol> Node: <name>[,i,0x<isid>]" of a registration, at most @cap. */
static int kt_pr_show_port(const struct kt_pr_tid *t, char *buf, size_t cap)
{
	const char *proto = kt_pr_proto_name(t->proto);

	if (t->proto != KT_PR_PROTO_ISCSI)
		return scnprintf(buf, cap, "%s Node: %*phN", proto, t->len,
				 t->id);
	if (!t->has_isid)
		return scnprintf(buf, cap, "%s Node: %.*s", proto, t->len,
				 t->id);
	return scnprintf(buf, cap, "%s Node: %.*s,i,0x%012llx", proto, t->len,
			 t->id, t->isid);
}

/*
 * Each file copies what it shows under dev->pr_lock into @page (one page;
 * the registration list stops where the page ends).
 */
static ssize_t kt_pr_res_holder_show(struct config_item *item, char *page)
{
	struct kt_dev *dev = kt_dev_from_pr(item);
	struct kt_pr_state *st;
	ssize_t len;

	spin_lock(&dev->pr_lock);
	st = dev->pr;
	if (!st->reserved) {
		len = sysfs_emit(page, "No SPC-3 Reservation holder\n");
	} else if (st->type == KT_PR_WR_EX_AR || st->type == KT_PR_EX_AC_AR) {
		len = sysfs_emit(page, "SPC-3 Reservation: All Initiators\n");
	} else {
		len = sysfs_emit(page, "SPC-3 Reservation: ");
		len += kt_pr_show_port(&st->regs[st->holder].nexus.init,
				       page + len, PAGE_SIZE - len - 1);
		len += sysfs_emit_at(page, len, "\n");
	}
	spin_unlock(&dev->pr_lock);
	return len;
}

static ssize_t kt_pr_res_pr_all_tgt_pts_show(struct config_item *item,
					     char *page)
{
	struct kt_dev *dev = kt_dev_from_pr(item);
	struct kt_pr_state *st;
	ssize_t len;

	spin_lock(&dev->pr_lock);
	st = dev->pr;
	if (!st->reserved)
		len = sysfs_emit(page, "No SPC-3 Reservation holder\n");
	else if (st->type == KT_PR_WR_EX_AR || st->type == KT_PR_EX_AC_AR ||
		 st->regs[st->holder].all_tg_pt)
		len = sysfs_emit(page, "SPC-3 Reservation: All Target Ports\n");
	else
		len = sysfs_emit(page, "SPC-3 Reservation: Single Target Port\n");
	spin_unlock(&dev->pr_lock);
	return len;
}

static ssize_t kt_pr_res_pr_generation_show(struct config_item *item,
					    char *page)
{
	struct kt_dev *dev = kt_dev_from_pr(item);
	u32 gen;

	spin_lock(&dev->pr_lock);
	gen = dev->pr->generation;
	spin_unlock(&dev->pr_lock);
	return sysfs_emit(page, "0x%08x\n", gen);
}

static ssize_t kt_pr_res_pr_holder_tg_port_show(struct config_item *item,
						char *page)
{
	struct kt_dev *dev = kt_dev_from_pr(item);
	struct kt_pr_state *st;
	ssize_t len;

	spin_lock(&dev->pr_lock);
	st = dev->pr;
	if (!st->reserved || st->type == KT_PR_WR_EX_AR ||
	    st->type == KT_PR_EX_AC_AR)
		len = sysfs_emit(page, "No SPC-3 Reservation holder\n");
	else
		len = sysfs_emit(page,
				 "SPC-3 Reservation: Relative Port Identifier Tag: %u\n",
				 st->regs[st->holder].nexus.rtpi);
	spin_unlock(&dev->pr_lock);
	return len;
}

static ssize_t kt_pr_res_pr_registered_i_pts_show(struct config_item *item,
						  char *page)
{
	struct kt_dev *dev = kt_dev_from_pr(item);
	struct kt_pr_state *st;
	ssize_t len;
	int i;

	spin_lock(&dev->pr_lock);
	st = dev->pr;
	len = sysfs_emit(page, "SPC-3 PR Registrations:\n");
	if (!st->nregs)
		len += sysfs_emit_at(page, len, "None\n");
	for (i = 0; i < KT_PR_MAX_REGS && len < PAGE_SIZE - 64; i++) {
		if (!st->regs[i].used)
			continue;
		len += kt_pr_show_port(&st->regs[i].nexus.init, page + len,
				       PAGE_SIZE - 64 - len);
		len += sysfs_emit_at(page, len, " Key: 0x%016llx PRgen: 0x%08x\n",
				     st->regs[i].key, st->generation);
	}
	spin_unlock(&dev->pr_lock);
	return len;
}

static ssize_t kt_pr_res_pr_type_show(struct config_item *item, char *page)
{
	struct kt_dev *dev = kt_dev_from_pr(item);
	struct kt_pr_state *st;
	ssize_t len;

	spin_lock(&dev->pr_lock);
	st = dev->pr;
	if (st->reserved)
		len = sysfs_emit(page, "SPC-3 Reservation Type: %s\n",
				 kt_pr_type_name(st->type));
	else
		len = sysfs_emit(page, "No SPC-3 Reservation holder\n");
	spin_unlock(&dev->pr_lock);
	return len;
}

static ssize_t kt_pr_res_type_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "SPC3_PERSISTENT_RESERVATIONS\n");
}

static ssize_t kt_pr_res_aptpl_active_show(struct config_item *item,
					   char *page)
{
	struct kt_dev *dev = kt_dev_from_pr(item);
	bool on;

	spin_lock(&dev->pr_lock);
	on = dev->pr->aptpl;
	spin_unlock(&dev->pr_lock);
	return sysfs_emit(page, "%d\n", on);
}

/* As LIO: it reads empty (the file under dbroot holds the state) */
static ssize_t kt_pr_res_aptpl_metadata_show(struct config_item *item,
					     char *page)
{
	return 0;
}

static ssize_t kt_pr_res_aptpl_metadata_store(struct config_item *item,
					      const char *page, size_t count)
{
	return kt_pr_metadata_add(kt_dev_from_pr(item), page, count) ?: count;
}

CONFIGFS_ATTR_RO(kt_pr_, res_holder);
CONFIGFS_ATTR_RO(kt_pr_, res_pr_all_tgt_pts);
CONFIGFS_ATTR_RO(kt_pr_, res_pr_generation);
CONFIGFS_ATTR_RO(kt_pr_, res_pr_holder_tg_port);
CONFIGFS_ATTR_RO(kt_pr_, res_pr_registered_i_pts);
CONFIGFS_ATTR_RO(kt_pr_, res_pr_type);
CONFIGFS_ATTR_RO(kt_pr_, res_type);
CONFIGFS_ATTR_RO(kt_pr_, res_aptpl_active);
CONFIGFS_ATTR(kt_pr_, res_aptpl_metadata);

static struct configfs_attribute *kt_pr_attrs[] = {
	&kt_pr_attr_res_holder,
	&kt_pr_attr_res_pr_all_tgt_pts,
	&kt_pr_attr_res_pr_generation,
	&kt_pr_attr_res_pr_holder_tg_port,
	&kt_pr_attr_res_pr_registered_i_pts,
	&kt_pr_attr_res_pr_type,
	&kt_pr_attr_res_type,
	&kt_pr_attr_res_aptpl_active,
	&kt_pr_attr_res_aptpl_metadata,
	NULL,
};

const struct config_item_type kt_dev_pr_type = {
	.ct_attrs = kt_pr_attrs,
	.ct_owner = THIS_MODULE,
};
