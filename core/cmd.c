// SPDX-License-Identifier: GPL-2.0
/*
 * The life of a command: prepare (LUN, decode, checks, buffer) -> Data-Out
 * -> submit -> execute -> complete -> fabric response -> release.  The
 * state enum (include/ktarget/ktarget.h) follows it; kt_cmd_set_state()
 * refuses any other move.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/moduleparam.h>
#include <linux/scatterlist.h>
#include "core.h"

/*
 * Bytes of write buffers one session may hold at once (prepared writes
 * waiting for their Data-Out or executing).  A write that would go over
 * is refused with TASK SET FULL; one write alone may always use up to
 * the bound.
 */
static unsigned int kt_max_write_buffer_mb = 64;
module_param_named(max_write_buffer_mb, kt_max_write_buffer_mb, uint, 0644);
MODULE_PARM_DESC(max_write_buffer_mb,
		 "MiB of write buffers per session (default 64)");

static void kt_cmd_ts_work(struct work_struct *work);

void kt_cmd_init(struct kt_cmd *cmd, struct kt_session *sess, u64 lun,
		 const u8 *cdb, unsigned int cdb_len, u32 exp_len,
		 enum kt_dir dir, enum kt_task_attr attr, u64 tag)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->sess = sess;
	cmd->lun = lun;
	/* a CDB longer than we store fails decoding with cdb_len 0 */
	if (cdb_len <= KT_MAX_CDB) {
		memcpy(cmd->cdb, cdb, cdb_len);
		cmd->cdb_len = cdb_len;
	}
	cmd->exp_len = exp_len;
	cmd->exp_dir = dir;
	cmd->task_attr = attr;
	cmd->tag = tag;
	cmd->state = KT_CMD_NEW;
	INIT_LIST_HEAD(&cmd->sess_entry);
	INIT_LIST_HEAD(&cmd->ts_entry);
	INIT_WORK(&cmd->ts_work, kt_cmd_ts_work);
}
EXPORT_SYMBOL_GPL(kt_cmd_init);

#define KT_ST(s)	BIT(KT_CMD_##s)

/* The states each state may move to (see enum kt_cmd_state). */
static const u8 kt_cmd_next[KT_CMD__COUNT] = {
	[KT_CMD_NEW] = KT_ST(PREPARED) | KT_ST(WAIT_DATA) | KT_ST(REFUSED) |
		       KT_ST(ABORTED),
	[KT_CMD_WAIT_DATA] = KT_ST(PREPARED) | KT_ST(ABORTED),
	[KT_CMD_PREPARED] = KT_ST(EXECUTING) | KT_ST(ABORTED),
	[KT_CMD_REFUSED] = KT_ST(DONE) | KT_ST(ABORTED),
	[KT_CMD_EXECUTING] = KT_ST(DONE),
	[KT_CMD_ABORTED] = KT_ST(DONE),
};

/*
 * Move @cmd to @to, checked (sess->lock held): see kt_cmd_set_state().
 * A command done or aborted leaves its task set; one aborted while it
 * was parked there (submitted, waiting for its task attribute's turn) is
 * answered from kt_wq, as nobody else will.
 */
static bool __kt_cmd_set_state(struct kt_cmd *cmd, enum kt_cmd_state to)
{
	enum kt_cmd_state from = cmd->state;

	lockdep_assert_held(&cmd->sess->lock);
	if (WARN_ONCE(!(kt_cmd_next[from] & BIT(to)),
		      "ktarget: command %#llx: state %d -> %d refused\n",
		      cmd->tag, from, to))
		return false;
	WRITE_ONCE(cmd->state, to);
	if ((to == KT_CMD_DONE || to == KT_CMD_ABORTED) && kt_ts_leave(cmd))
		queue_work(kt_wq, &cmd->ts_work);
	return true;
}

/*
 * Move @cmd to @to; false (and a warning, once) when its life does not
 * allow it.  One thread at a time acts on a command: the fabric until it
 * submits, then whoever runs or completes it; task management may only
 * abort it meanwhile, under sess->lock as every transition.
 */
static bool kt_cmd_set_state(struct kt_cmd *cmd, enum kt_cmd_state to)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&cmd->sess->lock, flags);
	ok = __kt_cmd_set_state(cmd, to);
	spin_unlock_irqrestore(&cmd->sess->lock, flags);
	return ok;
}

/*
 * The same for a step of the command's own life (prepare, data in, run):
 * false, without a warning, when task management aborted it first.
 */
static bool kt_cmd_advance(struct kt_cmd *cmd, enum kt_cmd_state to)
{
	unsigned long flags;
	bool ok = false;

	spin_lock_irqsave(&cmd->sess->lock, flags);
	if (cmd->state != KT_CMD_ABORTED)
		ok = __kt_cmd_set_state(cmd, to);
	spin_unlock_irqrestore(&cmd->sess->lock, flags);
	return ok;
}

static void kt_cmd_delay_aborted(struct work_struct *work);

/**
 * kt_cmd_tmr_abort() - task management aborts @cmd (sess->lock held)
 * @cmd: a command of the session
 * @tas: answer it TASK ABORTED instead of not at all
 *
 * One that has not started moves to ABORTED and never runs; one that is
 * executing is marked and counted in sess->aborting and dev->aborting
 * until it completes (kt_tmr_abort_done()); one waiting out an ALUA delay
 * completes at once, without running.
 * Return: false when it was finished or aborted already.
 */
bool kt_cmd_tmr_abort(struct kt_cmd *cmd, bool tas)
{
	struct kt_dev *dev;

	lockdep_assert_held(&cmd->sess->lock);
	switch (cmd->state) {
	case KT_CMD_REFUSED:
		if (cmd->submitted)	/* being answered: as good as done */
			return false;
		fallthrough;
	case KT_CMD_NEW:
	case KT_CMD_PREPARED:
	case KT_CMD_WAIT_DATA:
		cmd->abort_tas = tas;
		return __kt_cmd_set_state(cmd, KT_CMD_ABORTED);
	case KT_CMD_EXECUTING:
		if (cmd->tmr_aborted)
			return false;
		cmd->tmr_aborted = true;
		cmd->abort_tas = tas;
		cmd->abort_counted = true;
		atomic_inc(&cmd->sess->aborting);
		dev = READ_ONCE(cmd->dev);
		if (dev)
			atomic_inc(&dev->aborting);
		/* waiting out an ALUA delay: it ends now, without running */
		if (cmd->delayed && cancel_delayed_work(&cmd->delay_work)) {
			INIT_WORK(&cmd->work, kt_cmd_delay_aborted);
			queue_work(kt_wq, &cmd->work);
		}
		return true;
	default:
		return false;
	}
}

/* kt_cmd_tmr_live - a task that is neither finished nor aborted */
bool kt_cmd_tmr_live(const struct kt_cmd *cmd)
{
	lockdep_assert_held(&cmd->sess->lock);
	return cmd->state != KT_CMD_DONE && cmd->state != KT_CMD_ABORTED &&
	       !cmd->tmr_aborted;
}

bool kt_cmd_use_desc_sense(const struct kt_cmd *cmd)
{
	return cmd->dev && cmd->dev->d_sense;
}

/* Fill scsi_status and the sense buffer for @status. */
static void kt_cmd_set_sense(struct kt_cmd *cmd, kt_status_t status)
{
	struct kt_sense_info si = { };

	/* key and ASC/ASCQ from @status; a UA's ASC/ASCQ and the
	 * INFORMATION and field pointer were set by whoever failed it
	 */
	if (status == KT_S_UNIT_ATTENTION) {
		si.asc = cmd->si.asc;
		si.ascq = cmd->si.ascq;
	}
	cmd->scsi_status = kt_status_sense(status, &si);
	cmd->si.key = si.key;
	cmd->si.asc = si.asc;
	cmd->si.ascq = si.ascq;
	if (cmd->scsi_status == KT_SAM_CHECK_CONDITION)
		cmd->sense_len = kt_sense_build(cmd->sense, sizeof(cmd->sense),
						kt_cmd_use_desc_sense(cmd),
						&cmd->si);
}

/* Point the sense-key specific field at byte @field (bit @bit or -1). */
static void kt_cmd_field(struct kt_cmd *cmd, bool in_cdb, u16 field, int bit)
{
	cmd->si.sks_valid = true;
	cmd->si.sks_cd = in_cdb;
	cmd->si.sks_field = field;
	cmd->si.sks_bpv = bit >= 0;
	cmd->si.sks_bit = bit >= 0 ? bit : 0;
}

void kt_cmd_bad_cdb(struct kt_cmd *cmd, u16 field, int bit)
{
	kt_cmd_field(cmd, true, field, bit);
}

void kt_cmd_bad_param(struct kt_cmd *cmd, u16 field, int bit)
{
	kt_cmd_field(cmd, false, field, bit);
}

/* Copy @len bytes between two scatterlists (bounce -> fabric buffer). */
static void kt_sg_copy(struct scatterlist *dst, unsigned int dst_nents,
		       struct scatterlist *src, unsigned int src_nents, u32 len)
{
	struct sg_mapping_iter miter;
	u32 off = 0;

	sg_miter_start(&miter, src, src_nents, SG_MITER_FROM_SG);
	while (off < len && sg_miter_next(&miter)) {
		u32 n = min_t(u32, miter.length, len - off);

		sg_pcopy_from_buffer(dst, dst_nents, miter.addr, n, off);
		off += n;
	}
	sg_miter_stop(&miter);
}

static void kt_cmd_compute_resid(struct kt_cmd *cmd)
{
	u32 len = cmd->status == KT_OK ? cmd->data_len : 0;

	if (cmd->d.dir == KT_DIR_TO_DEV && cmd->status != KT_OK)
		len = cmd->data_len;
	cmd->xfer_len = min(len, cmd->exp_len);
	cmd->resid_under = cmd->exp_len > len;
	cmd->resid_over = cmd->exp_len < len;
	cmd->resid = cmd->resid_under ? cmd->exp_len - len :
		     cmd->resid_over ? len - cmd->exp_len : 0;
}

/* Free the core's buffers (a write's as soon as it completed). */
static void kt_cmd_free_buf(struct kt_cmd *cmd)
{
	if (cmd->buf_counted)
		atomic64_sub(cmd->buf_len, &cmd->sess->write_buffered);
	cmd->buf_counted = false;
	if (cmd->sgl_owned)
		sgl_free_n_order(cmd->sgl, cmd->nents, 0);
	cmd->sgl_owned = false;
	cmd->sgl = NULL;
	cmd->nents = 0;
}

/*
 * Drop the command's LUN and mapping references (any context: both
 * releases only complete or queue).  A LUN reset and the admin's LUN
 * unlink wait for commands holding them, not for initiators to read their
 * answers.
 */
static void kt_cmd_put_lun(struct kt_cmd *cmd)
{
	struct kt_mapped_lun *mlun = cmd->mlun;
	struct kt_lun *lun = cmd->klun;

	/* every way out left the task set already: a safety net */
	WARN_ON_ONCE(kt_ts_leave(cmd));
	WRITE_ONCE(cmd->klun, NULL);
	WRITE_ONCE(cmd->mlun, NULL);
	WRITE_ONCE(cmd->dev, NULL);
	if (lun)
		percpu_ref_put(&lun->ref);
	if (mlun)
		kt_mlun_put(mlun);
}

/*
 * kt_cmd_lun_gone() - the admin unlinks the LUN of @cmd (sess->lock held).
 * A command the fabric has prepared but that has not run (waiting for its
 * Data-Out or its turn in CmdSN order, or refused and not answered yet)
 * is aborted, to be answered TASK ABORTED when the fabric submits it, and
 * lets the LUN go now: the unlink then waits only for commands in the
 * backstore, never for an initiator.  One still being prepared, or one
 * that runs, is left alone.
 */
void kt_cmd_lun_gone(struct kt_cmd *cmd)
{
	lockdep_assert_held(&cmd->sess->lock);
	switch (cmd->state) {
	case KT_CMD_REFUSED:
		if (cmd->submitted)	/* being answered */
			return;
		fallthrough;
	case KT_CMD_PREPARED:
	case KT_CMD_WAIT_DATA:
		break;
	default:
		return;
	}
	cmd->abort_tas = true;
	if (__kt_cmd_set_state(cmd, KT_CMD_ABORTED))
		kt_cmd_put_lun(cmd);
}

/*
 * Status and data are final: let the LUN (and Data-Out) go, then answer;
 * a task aborted without TAS goes without an answer.
 */
static void kt_cmd_respond(struct kt_cmd *cmd)
{
	kt_cmd_put_lun(cmd);
	if (cmd->d.dir == KT_DIR_TO_DEV)
		kt_cmd_free_buf(cmd);
	if ((cmd->tmr_aborted || cmd->state == KT_CMD_ABORTED) &&
	    !cmd->abort_tas) {
		kt_cmd_release(cmd);
		return;
	}
	cmd->sess->tpg->wwn->fabric->ops->queue_response(cmd);
}

/* TASK ABORTED: no data, no sense (SAM-5 5.3.1). */
static void kt_cmd_set_aborted(struct kt_cmd *cmd)
{
	cmd->status = KT_S_ABORTED;
	cmd->scsi_status = KT_SAM_TASK_ABORTED;
	cmd->sense_len = 0;
	cmd->xfer_len = 0;
	cmd->resid_under = cmd->exp_len > 0;
	cmd->resid_over = false;
	cmd->resid = cmd->exp_len;
}

/*
 * A command task management aborted before it ran, now submitted:
 * TASK ABORTED, or released without an answer.
 */
static void kt_cmd_answer_aborted(struct kt_cmd *cmd)
{
	if (cmd->abort_tas) {
		kt_cmd_set_aborted(cmd);
		if (!kt_cmd_set_state(cmd, KT_CMD_DONE))
			return;
	}
	kt_cmd_respond(cmd);
}

static void kt_cmd_respond_work(struct work_struct *work)
{
	kt_cmd_respond(container_of(work, struct kt_cmd, work));
}

/*
 * kt_cmd_complete - the command has its final status.  Any context: from
 * interrupt context, or with interrupts off (a backstore's completion
 * under its queue's lock, e.g. a loop device's flush), the fabric is
 * called from kt_wq, so that it never completes its own request inside
 * the lower device's locks.
 */
void kt_cmd_complete(struct kt_cmd *cmd, kt_status_t status)
{
	unsigned long flags;
	bool counted, ok;

	if (WARN_ON_ONCE(cmd->state != KT_CMD_EXECUTING &&
			 cmd->state != KT_CMD_REFUSED))
		return;
	cmd->status = status;
	if (status != KT_OK) {
		kt_cmd_set_sense(cmd, status);
		kt_ua_status(cmd, status);
		/*
		 * NACA 1: an ACA condition, before the command leaves the
		 * task set, so that nothing behind it starts first (not for
		 * one task management aborted: it ends TASK ABORTED)
		 */
		if (cmd->d.naca && cmd->scsi_status == KT_SAM_CHECK_CONDITION &&
		    !READ_ONCE(cmd->tmr_aborted))
			kt_ts_aca_fault(cmd);
	} else {
		cmd->scsi_status = KT_SAM_GOOD;
	}
	kt_cmd_compute_resid(cmd);
	if (status == KT_OK && cmd->d.dir == KT_DIR_FROM_DEV &&
	    cmd->sgl_owned && cmd->fabric_sgl)
		kt_sg_copy(cmd->fabric_sgl, cmd->fabric_nents, cmd->sgl,
			   cmd->nents, cmd->xfer_len);
	spin_lock_irqsave(&cmd->sess->lock, flags);
	ok = __kt_cmd_set_state(cmd, KT_CMD_DONE);
	counted = cmd->abort_counted;
	cmd->abort_counted = false;
	spin_unlock_irqrestore(&cmd->sess->lock, flags);
	if (counted)
		kt_tmr_abort_done(cmd);
	if (!ok)
		return;
	if (cmd->tmr_aborted && cmd->abort_tas)
		kt_cmd_set_aborted(cmd);
	if (in_task() && !irqs_disabled()) {
		kt_cmd_respond(cmd);
	} else {
		INIT_WORK(&cmd->work, kt_cmd_respond_work);
		queue_work(kt_wq, &cmd->work);
	}
}

void kt_io_done(struct kt_cmd *cmd, kt_status_t status)
{
	if (cmd->io_done)
		cmd->io_done(cmd, status);
	else
		kt_cmd_complete(cmd, status);
}
EXPORT_SYMBOL_GPL(kt_io_done);

/*
 * kt_cmd_copy_to_sgl - Data-In of an emulated command: @len bytes of
 * response in @buf, cut to the allocation length and the fabric's
 * expected length.
 */
void kt_cmd_copy_to_sgl(struct kt_cmd *cmd, const void *buf, u32 len)
{
	len = min(len, cmd->d.alloc_len);
	cmd->data_len = len;
	len = min(len, cmd->exp_len);
	if (len && cmd->sgl)
		sg_copy_from_buffer(cmd->sgl, cmd->nents, buf, len);
}

/* Parameter data of an emulated command (MODE SELECT...) into @buf. */
u32 kt_cmd_copy_from_sgl(struct kt_cmd *cmd, void *buf, u32 len)
{
	len = min3(len, cmd->data_len, cmd->exp_len);
	if (!len || !cmd->sgl)
		return 0;
	return sg_copy_to_buffer(cmd->sgl, cmd->nents, buf, len);
}

/**
 * kt_cmd_copy_param_list() - a copy of the parameter list of @cmd
 * @cmd: its list is cmd->d.alloc_len bytes (at most its row's max_data)
 * @status: why there is no copy
 *
 * Return: the list (kfree() it), or NULL with @status KT_OK for a zero
 * length, PARAMETER LIST LENGTH ERROR when the Data-Out is shorter than
 * the CDB says, or no memory.  Process context.
 */
u8 *kt_cmd_copy_param_list(struct kt_cmd *cmd, kt_status_t *status)
{
	u32 len = cmd->d.alloc_len;
	u8 *buf;

	*status = KT_OK;
	if (!len)
		return NULL;
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf) {
		*status = KT_S_NO_RESOURCES;
		return NULL;
	}
	if (kt_cmd_copy_from_sgl(cmd, buf, len) < len) {
		kfree(buf);
		*status = KT_S_PARAM_LIST_LENGTH;
		return NULL;
	}
	return buf;
}

/**
 * kt_cmd_exec_param_list() - execute a command that carries a parameter
 * list: @apply gets a copy of it
 * @cmd: its list is cmd->d.alloc_len bytes (at most its row's max_data)
 * @apply: checks and applies the list, returns the command's status
 *
 * A zero length is GOOD without calling @apply; a list shorter than the
 * CDB says is PARAMETER LIST LENGTH ERROR.  Completes @cmd.
 */
void kt_cmd_exec_param_list(struct kt_cmd *cmd,
			    kt_status_t (*apply)(struct kt_cmd *cmd,
						 const u8 *buf, u32 len))
{
	kt_status_t status;
	u8 *buf;

	buf = kt_cmd_copy_param_list(cmd, &status);
	if (buf) {
		status = apply(cmd, buf, cmd->d.alloc_len);
		kfree(buf);
	}
	kt_cmd_complete(cmd, status);
}

kt_status_t kt_cmd_alloc_aux(struct kt_cmd *cmd, u32 len)
{
	cmd->aux_sgl = sgl_alloc(len, GFP_KERNEL, &cmd->aux_nents);
	return cmd->aux_sgl ? KT_OK : KT_S_NO_RESOURCES;
}

/* Count a write's buffer against its session's bound. */
static kt_status_t kt_cmd_count_write(struct kt_cmd *cmd)
{
	atomic64_t *held = &cmd->sess->write_buffered;
	u64 max = (u64)READ_ONCE(kt_max_write_buffer_mb) << 20;

	if (cmd->d.dir != KT_DIR_TO_DEV || !cmd->sgl_owned)
		return KT_OK;
	if (atomic64_add_return(cmd->buf_len, held) > max &&
	    atomic64_read(held) != cmd->buf_len) {
		atomic64_sub(cmd->buf_len, held);
		pr_warn_ratelimited("%s: more than %u MiB of writes buffered: TASK SET FULL\n",
				    cmd->sess->acl->name, kt_max_write_buffer_mb);
		return KT_S_TASK_SET_FULL;
	}
	cmd->buf_counted = true;
	return KT_OK;
}

/*
 * Choose the data buffer.  The fabric's own buffer is used whenever it is
 * big enough for what the command moves; a read of more blocks than the
 * initiator expects goes through a bounce buffer cut at completion.
 * Otherwise the core allocates it, sized from the CDB (for emulated
 * commands: from what they can answer).
 */
static kt_status_t kt_cmd_prepare_buffer(struct kt_cmd *cmd)
{
	bool blocks = cmd->d.xfer == KT_XFER_BLOCKS;
	u32 len;

	if (cmd->d.dir == KT_DIR_NONE || !cmd->data_len)
		return KT_OK;
	if (blocks)
		len = cmd->d.dir == KT_DIR_FROM_DEV ? cmd->data_len :
		      min(cmd->data_len, cmd->exp_len);
	else
		len = min3(cmd->data_len, cmd->exp_len,
			   kt_op_def(cmd)->max_data);
	cmd->buf_len = len;
	if (cmd->fabric_sgl && (cmd->d.dir == KT_DIR_TO_DEV || !blocks ||
				cmd->exp_len >= cmd->data_len)) {
		cmd->sgl = cmd->fabric_sgl;
		cmd->nents = cmd->fabric_nents;
		return KT_OK;
	}
	if (!len)
		return KT_OK;
	cmd->sgl = sgl_alloc(len, GFP_KERNEL, &cmd->nents);
	if (!cmd->sgl)
		return KT_S_NO_RESOURCES;
	cmd->sgl_owned = true;
	return kt_cmd_count_write(cmd);
}

static void kt_cmd_track(struct kt_cmd *cmd)
{
	struct kt_session *sess = cmd->sess;
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	list_add_tail(&cmd->sess_entry, &sess->cmds);
	spin_unlock_irqrestore(&sess->lock, flags);
}

/* Find the LUN and pin it; without one only a few commands work. */
static void kt_cmd_find_lun(struct kt_cmd *cmd)
{
	struct kt_mapped_lun *mlun;

	if (cmd->lun == KT_WLUN_REPORT_LUNS)
		return;
	mlun = kt_sess_lookup_lun(cmd->sess, cmd->lun);
	if (!mlun)
		return;
	/* task management may look at them (sess->lock) from now on */
	WRITE_ONCE(cmd->mlun, mlun);
	WRITE_ONCE(cmd->klun, READ_ONCE(mlun->lun));
	WRITE_ONCE(cmd->dev, cmd->klun->dev);
	cmd->write_protect = READ_ONCE(mlun->write_protect) ||
			     cmd->dev->read_only;
	atomic64_inc(&cmd->dev->num_cmds);
	atomic64_inc(&cmd->klun->num_cmds);
}

/* May @cmd run without a LUN of its session (@cmd->dev NULL)? */
static bool kt_cmd_runs_without_lun(const struct kt_cmd *cmd)
{
	unsigned int flags = kt_op_def(cmd)->flags;

	return flags & KT_OPF_NO_LUN ||
	       (flags & KT_OPF_WLUN && cmd->lun == KT_WLUN_REPORT_LUNS);
}

/* Set up a decoded command from its row of kt_op_defs[]. */
static kt_status_t kt_cmd_setup(struct kt_cmd *cmd, kt_status_t decoded)
{
	const struct kt_op_def *def = kt_op_def(cmd);

	if (decoded != KT_OK)
		return decoded;
	if (!def->execute)
		return KT_S_INVALID_OPCODE;
	if (!cmd->dev && !kt_cmd_runs_without_lun(cmd))
		return KT_S_LUN_NOT_SUPPORTED;
	cmd->execute = def->execute;
	cmd->pr_class = def->pr;
	if (cmd->d.xfer == KT_XFER_BYTES)
		cmd->data_len = min(cmd->d.alloc_len, def->max_data);
	return def->setup ? def->setup(cmd) : KT_OK;
}

/*
 * The initiator's direction bits must agree with the CDB whenever both
 * would move data: a WRITE sent as a read (or the reverse) would take
 * Data-Out from a buffer nobody filled, or send a read's data as a write.
 * Refused with INVALID FIELD IN CDB, pointing at the operation code
 * (what decides the direction).  An expected length of 0, or a CDB that
 * moves nothing, is a residual, not a disagreement.
 */
static kt_status_t kt_cmd_check_dir(struct kt_cmd *cmd)
{
	if (!cmd->exp_len || !cmd->data_len || cmd->d.dir == KT_DIR_NONE ||
	    cmd->exp_dir == cmd->d.dir)
		return KT_OK;
	kt_cmd_bad_cdb(cmd, 0, -1);
	return KT_S_INVALID_FIELD_CDB;
}

/*
 * Never act on part of a command: Data-Out shorter than the CDB asks for
 * (WRITE, VERIFY and WRITE AND VERIFY with BYTCHK, MODE SELECT) refuses
 * the whole command before anything is written or compared; the residual
 * says by how much the expected length fell short.
 */
static kt_status_t kt_cmd_check_len(struct kt_cmd *cmd)
{
	if (cmd->d.dir == KT_DIR_TO_DEV && cmd->exp_len < cmd->data_len)
		return KT_S_WRITE_OVERFLOW;
	return KT_OK;
}

/* Everything the CDB alone decides, before any data moves. */
static kt_status_t kt_cmd_check(struct kt_cmd *cmd)
{
	kt_status_t status, aca;

	kt_cmd_find_lun(cmd);
	status = kt_cdb_decode(cmd->cdb, cmd->cdb_len, &cmd->d);
	if (status == KT_S_INVALID_FIELD_CDB)
		kt_cmd_bad_cdb(cmd, cmd->d.err_field,
			       cmd->d.err_bit_valid ? cmd->d.err_bit : -1);
	/* an ACA condition lets only the faulted nexus's ACA tasks in */
	aca = kt_ts_aca_check(cmd);
	if (aca != KT_OK)
		return aca;
	if (cmd->dev && kt_ua_check(cmd))
		return KT_S_UNIT_ATTENTION;
	status = kt_cmd_setup(cmd, status);
	if (status == KT_OK)
		status = kt_alua_check_cmd(cmd);
	if (status == KT_OK)
		status = kt_pr_check_cmd(cmd);
	if (status == KT_OK)
		status = kt_res_check_cmd(cmd);
	if (status == KT_OK)
		status = kt_cmd_check_dir(cmd);
	if (status == KT_OK)
		status = kt_cmd_check_len(cmd);
	if (status == KT_OK)
		status = kt_cmd_prepare_buffer(cmd);
	return status;
}

/**
 * kt_cmd_prepare() - the core takes a command over as it arrives
 * @cmd: set up with kt_cmd_init()
 *
 * Finds and pins the LUN, decodes the CDB, checks it (unit attention,
 * write protection, LBA range, transfer size) and sets up the data
 * buffer, sized from the CDB.  No data has moved yet.  A refused command
 * keeps its status until kt_cmd_submit() answers it; a write then wants
 * kt_cmd_data_out_len() bytes of Data-Out in cmd->sgl.
 *
 * Context: process context; may sleep.
 * Return: KT_OK, or why the command is refused.
 */
kt_status_t kt_cmd_prepare(struct kt_cmd *cmd)
{
	kt_status_t status;

	kt_cmd_track(cmd);
	status = kt_cmd_check(cmd);
	if (status != KT_OK) {
		cmd->refused = status;
		kt_cmd_advance(cmd, KT_CMD_REFUSED);
	} else if (cmd->d.dir == KT_DIR_TO_DEV && cmd->buf_len &&
		   cmd->sgl_owned) {
		kt_cmd_advance(cmd, KT_CMD_WAIT_DATA);
	} else {
		kt_cmd_advance(cmd, KT_CMD_PREPARED);
	}
	return status;
}
EXPORT_SYMBOL_GPL(kt_cmd_prepare);

/**
 * kt_cmd_refuse() - prepare a command as refused, without looking at it
 * @cmd: set up with kt_cmd_init()
 * @why: its status, e.g. KT_S_TASK_SET_FULL when a fabric's bound is hit
 *
 * Like a refusal of kt_cmd_prepare(): no data moves, kt_cmd_submit()
 * answers it.  Process context.
 */
void kt_cmd_refuse(struct kt_cmd *cmd, kt_status_t why)
{
	kt_cmd_track(cmd);
	cmd->refused = why;
	kt_cmd_advance(cmd, KT_CMD_REFUSED);
}
EXPORT_SYMBOL_GPL(kt_cmd_refuse);

/*
 * kt_cmd_data_out_len - bytes of Data-Out a prepared command waits for
 * (none once aborted: its data is read and dropped)
 */
u32 kt_cmd_data_out_len(const struct kt_cmd *cmd)
{
	return READ_ONCE(cmd->state) == KT_CMD_WAIT_DATA ? cmd->buf_len : 0;
}
EXPORT_SYMBOL_GPL(kt_cmd_data_out_len);

/* The end of an ALUA delay: run, unless task management aborted it */
static void kt_cmd_delay_end(struct kt_cmd *cmd)
{
	if (READ_ONCE(cmd->tmr_aborted))
		kt_cmd_complete(cmd, KT_S_ABORTED);
	else
		cmd->execute(cmd);
}

static void kt_cmd_delay_expired(struct work_struct *work)
{
	kt_cmd_delay_end(container_of(to_delayed_work(work), struct kt_cmd,
				      delay_work));
}

static void kt_cmd_delay_aborted(struct work_struct *work)
{
	kt_cmd_delay_end(container_of(work, struct kt_cmd, work));
}

/*
 * Through an active/non-optimized group a command waits its
 * nonop_delay_msecs before it runs, on a delayed work, not in a thread:
 * true if it does (EXECUTING meanwhile, so task management counts and
 * waits for it; kt_cmd_tmr_abort() ends the wait early).
 */
static bool kt_cmd_delay(struct kt_cmd *cmd)
{
	u32 ms = kt_alua_nonop_delay(cmd);
	unsigned long flags;
	bool queued = false;

	if (!ms)
		return false;
	spin_lock_irqsave(&cmd->sess->lock, flags);
	if (!cmd->tmr_aborted) {
		cmd->delayed = true;
		INIT_DELAYED_WORK(&cmd->delay_work, kt_cmd_delay_expired);
		queue_delayed_work(kt_wq, &cmd->delay_work,
				   msecs_to_jiffies(ms));
		queued = true;
	}
	spin_unlock_irqrestore(&cmd->sess->lock, flags);
	return queued;
}

/**
 * kt_cmd_enter() - the command's turn in the fabric's order has come
 * @cmd: prepared (its Data-Out may still be coming)
 *
 * It takes its place in its logical unit's task set, where its task
 * attribute decides when it may start (core/taskset.c).  A fabric that
 * orders commands itself (iSCSI: CmdSN order) calls it when a command's
 * turn comes; kt_cmd_submit() does it for a command not entered yet.
 * Refused and aborted commands and those without a LUN stay out, and
 * so do those an ACA condition keeps out (answered ACA ACTIVE).
 * Any context.
 */
void kt_cmd_enter(struct kt_cmd *cmd)
{
	unsigned long flags;
	enum kt_cmd_state st;

	spin_lock_irqsave(&cmd->sess->lock, flags);
	st = cmd->state;
	if (!cmd->ts_dev && !cmd->submitted && cmd->dev &&
	    cmd->ts_refused == KT_OK &&
	    (st == KT_CMD_PREPARED || st == KT_CMD_WAIT_DATA))
		kt_ts_enter(cmd);
	spin_unlock_irqrestore(&cmd->sess->lock, flags);
}
EXPORT_SYMBOL_GPL(kt_cmd_enter);

/*
 * Start a command whose turn has come; one task management aborted
 * meanwhile is answered instead.
 */
static void kt_cmd_start(struct kt_cmd *cmd)
{
	if (!kt_cmd_advance(cmd, KT_CMD_EXECUTING)) {
		if (READ_ONCE(cmd->state) == KT_CMD_ABORTED)
			kt_cmd_answer_aborted(cmd);
		return;
	}
	/* kept out of its task set by an ACA condition */
	if (cmd->ts_refused != KT_OK) {
		kt_cmd_complete(cmd, cmd->ts_refused);
		return;
	}
	/* a unit attention established since the command was prepared */
	if (cmd->dev && kt_ua_check(cmd)) {
		kt_cmd_complete(cmd, KT_S_UNIT_ATTENTION);
		return;
	}
	if (kt_cmd_delay(cmd))
		return;
	cmd->execute(cmd);
}

/* A parked command may start now, or was aborted: on kt_wq. */
static void kt_cmd_ts_work(struct work_struct *work)
{
	kt_cmd_start(container_of(work, struct kt_cmd, ts_work));
}

/*
 * Park @cmd in its task set while its task attribute does not let it
 * start: nobody waits for it, whoever unblocks or aborts it queues
 * kt_cmd_ts_work().  False when it may start now (or was aborted).
 */
static bool kt_cmd_wait_turn(struct kt_cmd *cmd)
{
	unsigned long flags;
	bool parked;

	spin_lock_irqsave(&cmd->sess->lock, flags);
	parked = cmd->state != KT_CMD_ABORTED && kt_ts_park(cmd);
	spin_unlock_irqrestore(&cmd->sess->lock, flags);
	return parked;
}

/* Run a command that is ready (data in) and submitted, in its turn. */
static void kt_cmd_run(struct kt_cmd *cmd)
{
	/* submitted: task management leaves a refused one alone now */
	if (READ_ONCE(cmd->state) == KT_CMD_REFUSED) {
		kt_cmd_complete(cmd, cmd->refused);
		return;
	}
	if (!kt_cmd_wait_turn(cmd))
		kt_cmd_start(cmd);
}

/**
 * kt_cmd_data_ready() - the fabric has all Data-Out in cmd->sgl
 * @cmd: a command in state KT_CMD_WAIT_DATA
 *
 * Runs it when it was submitted already.  Process context.
 */
void kt_cmd_data_ready(struct kt_cmd *cmd)
{
	kt_cmd_advance(cmd, KT_CMD_PREPARED);
	if (cmd->submitted)
		kt_cmd_run(cmd);
}
EXPORT_SYMBOL_GPL(kt_cmd_data_ready);

/**
 * kt_cmd_submit() - the command may run now
 * @cmd: set up with kt_cmd_init(), prepared or not
 *
 * Prepares it if the fabric did not.  A refused command is answered; one
 * still waiting for Data-Out runs once the fabric's ->write_pending has
 * it in; any other runs now.
 *
 * Context: process context; may sleep.  The response comes back through
 * the fabric's ->queue_response().
 */
void kt_cmd_submit(struct kt_cmd *cmd)
{
	unsigned long flags;

	if (cmd->state == KT_CMD_NEW)
		kt_cmd_prepare(cmd);
	if (WARN_ON_ONCE(cmd->submitted))
		return;
	kt_cmd_enter(cmd);
	spin_lock_irqsave(&cmd->sess->lock, flags);
	cmd->submitted = true;
	spin_unlock_irqrestore(&cmd->sess->lock, flags);
	if (READ_ONCE(cmd->state) != KT_CMD_WAIT_DATA) {
		kt_cmd_run(cmd);
		return;
	}
	if (!cmd->sess->tpg->wwn->fabric->ops->write_pending(cmd))
		return;
	/* the data will not come: answer instead of running */
	if (kt_cmd_advance(cmd, KT_CMD_PREPARED) &&
	    kt_cmd_advance(cmd, KT_CMD_EXECUTING))
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
	else if (READ_ONCE(cmd->state) == KT_CMD_ABORTED)
		kt_cmd_answer_aborted(cmd);
}
EXPORT_SYMBOL_GPL(kt_cmd_submit);

/**
 * kt_cmd_drop() - the fabric gives up a command that has not run
 * @cmd: prepared (or only initialised), not submitted, or aborted by
 *	task management and not answered yet
 *
 * No response is sent; the command is released at once (->release_cmd
 * is called).  The fabric makes sure nothing else acts on it meanwhile.
 */
void kt_cmd_drop(struct kt_cmd *cmd)
{
	unsigned long flags;
	bool ok = true;

	spin_lock_irqsave(&cmd->sess->lock, flags);
	if (cmd->state != KT_CMD_ABORTED)
		ok = !WARN_ON_ONCE(cmd->submitted &&
				   cmd->state != KT_CMD_WAIT_DATA) &&
		     __kt_cmd_set_state(cmd, KT_CMD_ABORTED);
	spin_unlock_irqrestore(&cmd->sess->lock, flags);
	if (ok)
		kt_cmd_release(cmd);
}
EXPORT_SYMBOL_GPL(kt_cmd_drop);

/**
 * kt_cmd_keep_data() - the fabric keeps the data buffer after release
 * @cmd: a completed command
 *
 * For Data-In sent again later (iSCSI SNACK): cmd->sgl becomes the
 * fabric's (in fabric_sgl), to free with sgl_free() once it is done.
 */
void kt_cmd_keep_data(struct kt_cmd *cmd)
{
	if (!cmd->sgl_owned)
		return;
	cmd->fabric_sgl = cmd->sgl;
	cmd->fabric_nents = cmd->nents;
	cmd->sgl_owned = false;
}
EXPORT_SYMBOL_GPL(kt_cmd_keep_data);

/**
 * kt_cmd_release() - the fabric is done with the command
 * @cmd: a command whose response was sent
 *
 * Frees core buffers (the LUN references went when it completed), then
 * calls the fabric's ->release_cmd().  Any context.
 */
void kt_cmd_release(struct kt_cmd *cmd)
{
	struct kt_session *sess = cmd->sess;
	const struct kt_fabric_ops *ops = sess->tpg->wwn->fabric->ops;
	unsigned long flags;

	kt_cmd_free_buf(cmd);
	if (cmd->aux_sgl)
		sgl_free_n_order(cmd->aux_sgl, cmd->aux_nents, 0);
	kt_cmd_put_lun(cmd);	/* dropped before running */
	/*
	 * wake under the lock: the session may be freed once it is idle;
	 * task management may wait for this very command
	 */
	spin_lock_irqsave(&sess->lock, flags);
	list_del_init(&cmd->sess_entry);
	if (list_empty(&sess->cmds) || wq_has_sleeper(&sess->idle))
		wake_up(&sess->idle);
	spin_unlock_irqrestore(&sess->lock, flags);
	ops->release_cmd(cmd);
}
EXPORT_SYMBOL_GPL(kt_cmd_release);
