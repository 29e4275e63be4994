// SPDX-License-Identifier: GPL-2.0
/*
 * loop.c - the loopback fabric: a virtual SCSI host in the same kernel.
 *
 * Every target WWN (target/loopback/<wwn>/) is one Scsi_Host.  A TPG tag
 * is a SCSI target id on channel 0 and a TPG LUN index is the SCSI LUN, so
 * tpgt_1/lun/lun_0 of the first WWN shows up as H:0:1:0 (/dev/sdX,
 * /dev/sgN).  Writing an initiator name into tpgt_N/nexus opens the I_T
 * nexus (a core session); from then on each linked LUN is a scsi_device.
 *
 * Commands need no allocation: our struct ktloop_cmd, which embeds the
 * struct kt_cmd, lives in the scsi_cmnd's private area (cmd_size) and the
 * core reads and writes the midlayer's own scatterlist (zero copy).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/wait.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>

#include <ktarget/ktarget.h>

#define KTLOOP_VERSION		"1.0"
#define KTLOOP_CAN_QUEUE	1024
#define KTLOOP_CMD_PER_LUN	64
#define KTLOOP_SG_TABLESIZE	256
#define KTLOOP_MAX_SECTORS	8192	/* 4 MiB */
#define KTLOOP_MAX_LUN		65536
#define KTLOOP_MAX_CDB		32	/* scsi_cmnd::cmnd in 6.1 */

/* The error handler's first levels give up after this long. */
#define KTLOOP_EH_WAIT		(10 * HZ)

/* SCSI transport protocols a loopback WWN may pretend to be (as LIO). */
enum ktloop_proto {
	KTLOOP_PROTO_SAS,	/* naa. */
	KTLOOP_PROTO_FC,	/* fc. */
	KTLOOP_PROTO_ISCSI,	/* iqn. */
};

static const char * const ktloop_prefix[] = {
	[KTLOOP_PROTO_SAS]	= "naa.",
	[KTLOOP_PROTO_FC]	= "fc.",
	[KTLOOP_PROTO_ISCSI]	= "iqn.",
};

/**
 * struct ktloop_hba - one target WWN and the Scsi_Host that shows it
 * @wwn: the core's part (configfs directory)
 * @shost: our virtual SCSI host
 * @proto: which prefix the WWN carries; a nexus must use the same
 * @tpgs: TPG tag -> struct ktloop_tpg; written by make_tpg/drop_tpg (the
 *	xarray's own lock), read under ktloop_srcu by the command path
 * @lock: serialises a command's completion (scsi_done()) against the error
 *	handler looking at that command, and protects @eh_waiters
 * @eh_waiters: error handlers sleeping on @eh_wq
 * @eh_wq: error handlers wait here for commands to finish
 * @outstanding: commands queued to us and not yet completed
 */
struct ktloop_hba {
	struct kt_wwn wwn;
	struct Scsi_Host *shost;
	enum ktloop_proto proto;
	struct xarray tpgs;
	spinlock_t lock;		/* see @lock above */
	unsigned int eh_waiters;
	wait_queue_head_t eh_wq;
	atomic_t outstanding;
};

/**
 * struct ktloop_tpg - tpgt_N: one SCSI target id of the host
 * @tpg: the core's part
 * @hba: owner
 * @mutex: protects @sess (writers), @nexus_name, @luns and @nr_luns, and
 *	serialises adding and removing our scsi_devices
 * @sess: the I_T nexus or NULL; read under ktloop_srcu
 * @nexus_name: initiator name of @sess
 * @luns: struct ktloop_lun of every linked LUN
 * @nr_luns: entries in @luns
 * @offline: transport_status; read without a lock by the command path
 */
struct ktloop_tpg {
	struct kt_tpg tpg;
	struct ktloop_hba *hba;
	struct mutex mutex;		/* see @mutex above */
	struct kt_session __rcu *sess;
	char nexus_name[KT_NAME_LEN];
	struct list_head luns;
	unsigned int nr_luns;
	bool offline;
};

/* A linked LUN (kt_lun->fabric_priv), in ktloop_tpg->luns. */
struct ktloop_lun {
	struct list_head entry;
	u64 index;
};

/* scsi_device->hostdata: commands of this LUN still in our hands. */
struct ktloop_sdev {
	atomic_t outstanding;
};

/**
 * struct ktloop_cmd - the scsi_cmnd's private area
 * @kcmd: the core's command
 * @sc: the midlayer command we live in
 * @work: submits @kcmd from process context
 * @done: we completed the command; set and read under ktloop_hba->lock
 *	(cleared without it in queuecommand, before anyone can look)
 * @answered: the core sent a response (not: task management aborted it
 *	without one); set before kt_cmd_release(), read in ->release_cmd
 */
struct ktloop_cmd {
	struct kt_cmd kcmd;
	struct scsi_cmnd *sc;
	struct work_struct work;
	bool done;
	bool answered;
};

/* Keeps a TPG and its session alive while a worker submits a command. */
static struct srcu_struct ktloop_srcu;
static struct workqueue_struct *ktloop_wq;
static struct device *ktloop_root;

static inline struct ktloop_hba *ktloop_hba(struct kt_wwn *wwn)
{
	return container_of(wwn, struct ktloop_hba, wwn);
}

static inline struct ktloop_tpg *ktloop_tpg(struct kt_tpg *tpg)
{
	return container_of(tpg, struct ktloop_tpg, tpg);
}

static inline struct ktloop_cmd *ktloop_cmd(struct kt_cmd *kcmd)
{
	return container_of(kcmd, struct ktloop_cmd, kcmd);
}

static inline struct ktloop_hba *ktloop_shost_hba(struct Scsi_Host *shost)
{
	return *(struct ktloop_hba **)shost_priv(shost);
}

static int ktloop_proto_of(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ktloop_prefix); i++)
		if (!strncmp(name, ktloop_prefix[i], strlen(ktloop_prefix[i])))
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Command path                                                        */
/* ------------------------------------------------------------------ */

/*
 * ktloop_complete - hand @lc back to the midlayer.  Everything the core
 * owned is released by now.  scsi_done() runs under hba->lock so that an
 * error handler that sees @lc->done knows scsi_done() has returned and may
 * reuse the command.  The unlock is our last access to @lc and @hba.
 */
static void ktloop_complete(struct ktloop_hba *hba, struct ktloop_cmd *lc)
{
	struct scsi_cmnd *sc = lc->sc;
	struct ktloop_sdev *ls = sc->device->hostdata;
	unsigned long flags;

	spin_lock_irqsave(&hba->lock, flags);
	lc->done = true;
	atomic_dec(&ls->outstanding);
	atomic_dec(&hba->outstanding);
	if (hba->eh_waiters)
		wake_up_all(&hba->eh_wq);
	scsi_done(sc);
	spin_unlock_irqrestore(&hba->lock, flags);
}

static int ktloop_dir(struct scsi_cmnd *sc, enum kt_dir *dir)
{
	switch (sc->sc_data_direction) {
	case DMA_NONE:
		*dir = KT_DIR_NONE;
		return 0;
	case DMA_FROM_DEVICE:
		*dir = KT_DIR_FROM_DEV;
		return 0;
	case DMA_TO_DEVICE:
		*dir = KT_DIR_TO_DEV;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * ktloop_submit - start @lc on @sess.  Returns a host byte (DID_*) when
 * the command cannot be started, 0 once it belongs to the core.
 */
static int ktloop_submit(struct ktloop_cmd *lc, struct kt_session *sess)
{
	struct scsi_cmnd *sc = lc->sc;
	struct kt_cmd *kcmd = &lc->kcmd;
	enum kt_dir dir;

	if (ktloop_dir(sc, &dir) || sc->cmd_len > KT_MAX_CDB)
		return DID_ERROR;

	/* kt_cmd_init() clears what the previous command left in *kcmd */
	kt_cmd_init(kcmd, sess, sc->device->lun, sc->cmnd, sc->cmd_len,
		    scsi_bufflen(sc), dir, KT_TASK_SIMPLE,
		    blk_mq_unique_tag(scsi_cmd_to_rq(sc)));
	kcmd->fabric_sgl = scsi_sglist(sc);
	kcmd->fabric_nents = scsi_sg_count(sc);
	kt_cmd_submit(kcmd);
	return 0;
}

/* Process context: find the nexus of the command's target and submit. */
static void ktloop_submit_work(struct work_struct *work)
{
	struct ktloop_cmd *lc = container_of(work, struct ktloop_cmd, work);
	struct scsi_cmnd *sc = lc->sc;
	struct ktloop_hba *hba = ktloop_shost_hba(sc->device->host);
	struct kt_session *sess = NULL;
	struct ktloop_tpg *ltpg;
	int host_byte;
	int idx;

	idx = srcu_read_lock(&ktloop_srcu);
	ltpg = xa_load(&hba->tpgs, sc->device->id);
	if (ltpg)
		sess = srcu_dereference(ltpg->sess, &ktloop_srcu);
	if (!sess)
		host_byte = DID_NO_CONNECT;
	else if (READ_ONCE(ltpg->offline))
		host_byte = DID_TRANSPORT_DISRUPTED;
	else
		host_byte = ktloop_submit(lc, sess);
	srcu_read_unlock(&ktloop_srcu, idx);
	/* after a successful submit the command may already be gone */
	if (!host_byte)
		return;

	sc->result = 0;
	set_host_byte(sc, host_byte);
	ktloop_complete(hba, lc);
}

/* Atomic context: the submission may sleep, so it goes to a worker. */
static int ktloop_queuecommand(struct Scsi_Host *shost, struct scsi_cmnd *sc)
{
	struct ktloop_cmd *lc = scsi_cmd_priv(sc);
	struct ktloop_sdev *ls = sc->device->hostdata;

	lc->sc = sc;
	lc->done = false;
	lc->answered = false;
	atomic_inc(&ls->outstanding);
	atomic_inc(&ktloop_shost_hba(shost)->outstanding);
	INIT_WORK(&lc->work, ktloop_submit_work);
	queue_work(ktloop_wq, &lc->work);
	return 0;
}

/* ktloop_sg_copy - copy @len bytes from @src into @dst.  Any context. */
static void ktloop_sg_copy(struct scatterlist *dst, unsigned int dst_nents,
			   struct scatterlist *src, unsigned int src_nents,
			   size_t len)
{
	struct sg_mapping_iter m;
	size_t off = 0;

	sg_miter_start(&m, src, src_nents, SG_MITER_ATOMIC | SG_MITER_FROM_SG);
	while (off < len && sg_miter_next(&m)) {
		size_t n = min(m.length, len - off);

		if (sg_pcopy_from_buffer(dst, dst_nents, m.addr, n, off) != n)
			break;
		off += n;
	}
	sg_miter_stop(&m);
}

/*
 * Copy status, sense and residual into @sc.  Data-In is in place already:
 * the core works in fabric_sgl, or copies its bounce buffer into it.
 */
static void ktloop_fill_result(struct scsi_cmnd *sc, struct kt_cmd *kcmd)
{
	sc->result = 0;
	set_host_byte(sc, DID_OK);
	set_status_byte(sc, kcmd->scsi_status);
	if (kcmd->sense_len)
		memcpy(sc->sense_buffer, kcmd->sense,
		       min_t(unsigned int, kcmd->sense_len,
			     SCSI_SENSE_BUFFERSIZE));
	/*
	 * The midlayer's residual counts bytes of its buffer that were not
	 * transferred.  On an overflow the whole buffer was used.
	 */
	if (kcmd->resid_under)
		scsi_set_resid(sc, min(kcmd->resid, scsi_bufflen(sc)));
	else
		scsi_set_resid(sc, 0);
}

static void ktloop_queue_response(struct kt_cmd *kcmd)
{
	struct ktloop_cmd *lc = ktloop_cmd(kcmd);
	struct scsi_cmnd *sc = lc->sc;

	ktloop_fill_result(sc, kcmd);
	lc->answered = true;
	/*
	 * Release before scsi_done(): once the midlayer has the command back
	 * it may reuse the private area that holds @kcmd.
	 */
	kt_cmd_release(kcmd);
	ktloop_complete(ktloop_shost_hba(sc->device->host), lc);
}

/*
 * The core only asks for Data-Out when the fabric gave it no buffer, i.e.
 * when the midlayer has none (no data expected); copy what there is.
 */
static int ktloop_write_pending(struct kt_cmd *kcmd)
{
	struct scsi_cmnd *sc = ktloop_cmd(kcmd)->sc;
	u32 len = min(kcmd->data_len, scsi_bufflen(sc));

	if (kcmd->sgl && kcmd->sgl != scsi_sglist(sc) && len)
		ktloop_sg_copy(kcmd->sgl, kcmd->nents,
			       scsi_sglist(sc), scsi_sg_count(sc), len);
	kt_cmd_data_ready(kcmd);
	return 0;
}

/*
 * ktloop_cmd lives in the scsi_cmnd: nothing to free.  A command task
 * management aborted goes back without an answer from the target:
 * DID_RESET, which the midlayer ignores for a command it timed out (the
 * error handler owns it) and retries otherwise.
 */
static void ktloop_release_cmd(struct kt_cmd *kcmd)
{
	struct ktloop_cmd *lc = ktloop_cmd(kcmd);
	struct scsi_cmnd *sc = lc->sc;

	if (lc->answered)
		return;
	sc->result = 0;
	set_host_byte(sc, DID_RESET);
	ktloop_complete(ktloop_shost_hba(sc->device->host), lc);
}

/* ------------------------------------------------------------------ */
/* Error handler                                                       */
/* ------------------------------------------------------------------ */

/*
 * Each level asks the core's task management first (ABORT TASK, LOGICAL
 * UNIT RESET, I_T NEXUS RESET of the target's nexus): the core aborts the
 * commands, never runs those that have not started and waits for those in
 * a backstore; they come back through ktloop_release_cmd().  Then the
 * handler waits for our commands to be back before it reports SUCCESS:
 * the midlayer may reuse a command's memory (which holds the core's
 * struct kt_cmd) as soon as a handler returns SUCCESS.  Abort, LUN and
 * target reset give up after KTLOOP_EH_WAIT; host reset, the last level
 * before the midlayer offlines the devices and frees their commands,
 * waits for as long as it takes, because freeing a command the core still
 * holds would be a use-after-free.
 */

struct ktloop_eh_cond {
	struct ktloop_hba *hba;
	struct ktloop_cmd *lc;		/* abort: this command is done */
	struct ktloop_sdev *ls;		/* LUN reset: no command of the LUN */
};

/* Whether what @c waits for has happened; takes hba->lock (see above). */
static bool ktloop_eh_done(struct ktloop_eh_cond *c)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&c->hba->lock, flags);
	if (c->lc)
		done = c->lc->done;
	else if (c->ls)
		done = !atomic_read(&c->ls->outstanding);
	else
		done = !atomic_read(&c->hba->outstanding);
	spin_unlock_irqrestore(&c->hba->lock, flags);
	return done;
}

static bool ktloop_eh_wait(struct ktloop_eh_cond *c, long timeout)
{
	struct ktloop_hba *hba = c->hba;
	long left;

	spin_lock_irq(&hba->lock);
	hba->eh_waiters++;
	spin_unlock_irq(&hba->lock);

	left = wait_event_timeout(hba->eh_wq, ktloop_eh_done(c), timeout);

	spin_lock_irq(&hba->lock);
	hba->eh_waiters--;
	spin_unlock_irq(&hba->lock);
	return left > 0;
}

/*
 * ktloop_tmr - task management function @fn on the nexus of @sdev's
 * target (@tag: ABORT TASK's command).  True when it is done; a target
 * without a nexus has no command in the core.
 */
static bool ktloop_tmr(struct scsi_device *sdev, enum kt_tmf fn, u64 tag)
{
	struct ktloop_hba *hba = ktloop_shost_hba(sdev->host);
	struct kt_tmf_req req = { .fn = fn, .lun = sdev->lun, .tag = tag };
	enum kt_tmf_rsp rsp = KT_TMF_COMPLETE;
	struct ktloop_tpg *ltpg;
	struct kt_session *sess;
	int idx;

	/* the nexus stays while we sleep in the core (SRCU may sleep) */
	idx = srcu_read_lock(&ktloop_srcu);
	ltpg = xa_load(&hba->tpgs, sdev->id);
	sess = ltpg ? srcu_dereference(ltpg->sess, &ktloop_srcu) : NULL;
	if (sess)
		rsp = kt_tmr_execute(sess, &req);
	srcu_read_unlock(&ktloop_srcu, idx);
	return rsp == KT_TMF_COMPLETE;
}

static int ktloop_eh_abort(struct scsi_cmnd *sc)
{
	struct ktloop_eh_cond c = {
		.hba = ktloop_shost_hba(sc->device->host),
		.lc = scsi_cmd_priv(sc),
	};

	if (ktloop_tmr(sc->device, KT_TMF_ABORT_TASK,
		       blk_mq_unique_tag(scsi_cmd_to_rq(sc))) &&
	    ktloop_eh_wait(&c, KTLOOP_EH_WAIT))
		return SUCCESS;
	scmd_printk(KERN_WARNING, sc, "abort: command still in the target\n");
	return FAILED;
}

static int ktloop_eh_lun_reset(struct scsi_cmnd *sc)
{
	struct ktloop_eh_cond c = {
		.hba = ktloop_shost_hba(sc->device->host),
		.ls = sc->device->hostdata,
	};

	if (ktloop_tmr(sc->device, KT_TMF_LUN_RESET, 0) &&
	    ktloop_eh_wait(&c, KTLOOP_EH_WAIT))
		return SUCCESS;
	sdev_printk(KERN_WARNING, sc->device,
		    "LUN reset: commands still in the target\n");
	return FAILED;
}

/*
 * A target is one TPG, its nexus one core session: I_T NEXUS RESET.  While
 * the error handler runs no new command is queued, so waiting for the
 * whole host to drain covers the target (more than needed, but correct).
 */
static int ktloop_eh_target_reset(struct scsi_cmnd *sc)
{
	struct ktloop_eh_cond c = {
		.hba = ktloop_shost_hba(sc->device->host),
	};

	if (ktloop_tmr(sc->device, KT_TMF_IT_NEXUS_RESET, 0) &&
	    ktloop_eh_wait(&c, KTLOOP_EH_WAIT))
		return SUCCESS;
	sdev_printk(KERN_WARNING, sc->device,
		    "target reset: commands still in the target\n");
	return FAILED;
}

static int ktloop_eh_host_reset(struct scsi_cmnd *sc)
{
	struct ktloop_eh_cond c = {
		.hba = ktloop_shost_hba(sc->device->host),
	};

	while (!ktloop_eh_wait(&c, 30 * HZ))
		shost_printk(KERN_WARNING, sc->device->host,
			     "host reset: still waiting for %d commands\n",
			     atomic_read(&c.hba->outstanding));
	return SUCCESS;
}

static int ktloop_slave_alloc(struct scsi_device *sdev)
{
	struct ktloop_sdev *ls = kzalloc(sizeof(*ls), GFP_KERNEL);

	if (!ls)
		return -ENOMEM;
	atomic_set(&ls->outstanding, 0);
	sdev->hostdata = ls;
	return 0;
}

static void ktloop_slave_destroy(struct scsi_device *sdev)
{
	kfree(sdev->hostdata);
	sdev->hostdata = NULL;
}

static struct scsi_host_template ktloop_sht = {
	.module			= THIS_MODULE,
	.name			= "ktarget_loop",
	.proc_name		= "ktarget_loop",
	.queuecommand		= ktloop_queuecommand,
	.eh_abort_handler	= ktloop_eh_abort,
	.eh_device_reset_handler = ktloop_eh_lun_reset,
	.eh_target_reset_handler = ktloop_eh_target_reset,
	.eh_host_reset_handler	= ktloop_eh_host_reset,
	.slave_alloc		= ktloop_slave_alloc,
	.slave_destroy		= ktloop_slave_destroy,
	.change_queue_depth	= scsi_change_queue_depth,
	.can_queue		= KTLOOP_CAN_QUEUE,
	.this_id		= -1,
	.sg_tablesize		= KTLOOP_SG_TABLESIZE,
	.cmd_per_lun		= KTLOOP_CMD_PER_LUN,
	.max_sectors		= KTLOOP_MAX_SECTORS,
	.cmd_size		= sizeof(struct ktloop_cmd),
};

/* ------------------------------------------------------------------ */
/* SCSI devices of a TPG                                               */
/* ------------------------------------------------------------------ */

/*
 * The SCSI LUN is the TPG's LUN index, as with LIO's loopback (lun_300 is
 * H:0:T:300).  For indexes from 256 up this is not the number a REPORT
 * LUNS scan would derive from the flat-space LUN the core reports (300 is
 * 0x40 0x2c there, 16684 to the midlayer): a manual scan finds no device
 * at that number, which is harmless, so we keep LIO's numbering.
 */
static void ktloop_add_sdev(struct ktloop_tpg *ltpg, u64 lun)
{
	struct Scsi_Host *shost = ltpg->hba->shost;
	int ret;

	lockdep_assert_held(&ltpg->mutex);
	ret = scsi_add_device(shost, 0, ltpg->tpg.tpgt, lun);
	if (ret)
		pr_warn("%s: no SCSI device for %u:0:%u:%llu (%d)\n",
			ltpg->hba->wwn.name, shost->host_no, ltpg->tpg.tpgt,
			lun, ret);
}

static void ktloop_remove_sdev(struct ktloop_tpg *ltpg, u64 lun)
{
	struct scsi_device *sdev;

	lockdep_assert_held(&ltpg->mutex);
	sdev = scsi_device_lookup(ltpg->hba->shost, 0, ltpg->tpg.tpgt, lun);
	if (!sdev)
		return;
	scsi_remove_device(sdev);
	scsi_device_put(sdev);
}

static int ktloop_lun_link(struct kt_tpg *tpg, struct kt_lun *lun)
{
	struct ktloop_tpg *ltpg = ktloop_tpg(tpg);
	struct ktloop_lun *ll;

	ll = kzalloc(sizeof(*ll), GFP_KERNEL);
	if (!ll)
		return -ENOMEM;
	ll->index = lun->index;
	lun->fabric_priv = ll;

	mutex_lock(&ltpg->mutex);
	list_add_tail(&ll->entry, &ltpg->luns);
	ltpg->nr_luns++;
	if (rcu_access_pointer(ltpg->sess))
		ktloop_add_sdev(ltpg, ll->index);
	mutex_unlock(&ltpg->mutex);
	return 0;
}

static void ktloop_lun_unlink(struct kt_tpg *tpg, struct kt_lun *lun)
{
	struct ktloop_tpg *ltpg = ktloop_tpg(tpg);
	struct ktloop_lun *ll = lun->fabric_priv;

	if (!ll)	/* lun_link failed */
		return;
	mutex_lock(&ltpg->mutex);
	/* a manual scan may have made the device even without a nexus */
	ktloop_remove_sdev(ltpg, ll->index);
	list_del(&ll->entry);
	ltpg->nr_luns--;
	mutex_unlock(&ltpg->mutex);
	lun->fabric_priv = NULL;
	kfree(ll);
}

/* ------------------------------------------------------------------ */
/* I_T nexus                                                           */
/* ------------------------------------------------------------------ */

/*
 * The initiator port @name stands for, as persistent reservations know
 * it: an iSCSI name, or the SAS address / FC port name in the 16 hex
 * digits after naa. / fc.
 */
static int ktloop_port(const char *name, enum ktloop_proto proto,
		       struct kt_pr_tid *port)
{
	const char *hex = name + strlen(ktloop_prefix[proto]);
	u8 id[8];

	if (proto == KTLOOP_PROTO_ISCSI)
		return kt_port_iscsi(port, name, NULL);
	if (strlen(hex) != 2 * sizeof(id) || hex2bin(id, hex, sizeof(id))) {
		pr_err("initiator %s: %s must be followed by 16 hex digits\n",
		       name, ktloop_prefix[proto]);
		return -EINVAL;
	}
	return kt_port_binary(port, proto == KTLOOP_PROTO_SAS ?
			      KT_PR_PROTO_SAS : KT_PR_PROTO_FC, id, sizeof(id));
}

static int ktloop_make_nexus(struct ktloop_tpg *ltpg, const char *name)
{
	struct kt_session *sess;
	struct ktloop_lun *ll;
	struct kt_pr_tid port;
	int ret;

	if (ktloop_proto_of(name) != ltpg->hba->proto) {
		pr_err("%s: initiator %s must use the target's prefix %s\n",
		       ltpg->hba->wwn.name, name,
		       ktloop_prefix[ltpg->hba->proto]);
		return -EINVAL;
	}
	if (rcu_access_pointer(ltpg->sess)) {
		pr_err("%s/tpgt_%u: an I_T nexus already exists\n",
		       ltpg->hba->wwn.name, ltpg->tpg.tpgt);
		return -EEXIST;
	}
	ret = ktloop_port(name, ltpg->hba->proto, &port);
	if (ret)
		return ret;
	/* outside our mutex: the core may take its own locks */
	sess = kt_session_create(&ltpg->tpg, name, &port, ltpg);
	if (IS_ERR(sess))
		return PTR_ERR(sess);

	mutex_lock(&ltpg->mutex);
	if (rcu_access_pointer(ltpg->sess)) {
		mutex_unlock(&ltpg->mutex);
		kt_session_destroy(sess);
		return -EEXIST;
	}
	strscpy(ltpg->nexus_name, name, sizeof(ltpg->nexus_name));
	rcu_assign_pointer(ltpg->sess, sess);
	list_for_each_entry(ll, &ltpg->luns, entry)
		ktloop_add_sdev(ltpg, ll->index);
	mutex_unlock(&ltpg->mutex);
	return 0;
}

/*
 * ktloop_take_nexus - unpublish the nexus and return it (or NULL).  The
 * caller holds ltpg->mutex and, before destroying the session, waits with
 * synchronize_srcu() until no worker can still submit on it.
 */
static struct kt_session *ktloop_take_nexus(struct ktloop_tpg *ltpg)
{
	struct kt_session *sess;

	sess = rcu_dereference_protected(ltpg->sess,
					 lockdep_is_held(&ltpg->mutex));
	if (!sess)
		return NULL;
	RCU_INIT_POINTER(ltpg->sess, NULL);
	ltpg->nexus_name[0] = '\0';
	return sess;
}

static int ktloop_drop_nexus(struct ktloop_tpg *ltpg)
{
	struct kt_session *sess;

	mutex_lock(&ltpg->mutex);
	if (ltpg->nr_luns) {
		mutex_unlock(&ltpg->mutex);
		pr_err("%s/tpgt_%u: unlink the %u LUNs before dropping the nexus\n",
		       ltpg->hba->wwn.name, ltpg->tpg.tpgt, ltpg->nr_luns);
		return -EBUSY;
	}
	sess = ktloop_take_nexus(ltpg);
	mutex_unlock(&ltpg->mutex);
	if (!sess) {
		pr_err("%s/tpgt_%u: no I_T nexus to drop\n",
		       ltpg->hba->wwn.name, ltpg->tpg.tpgt);
		return -ENODEV;
	}
	synchronize_srcu(&ktloop_srcu);
	/* waits for the session's commands */
	kt_session_destroy(sess);
	return 0;
}

/* ------------------------------------------------------------------ */
/* configfs attributes                                                 */
/* ------------------------------------------------------------------ */

static ssize_t ktloop_tpg_nexus_show(struct config_item *item, char *page)
{
	struct ktloop_tpg *ltpg = ktloop_tpg(kt_tpg_from_item(item));
	ssize_t len = 0;

	mutex_lock(&ltpg->mutex);
	if (rcu_access_pointer(ltpg->sess))
		len = sysfs_emit(page, "%s\n", ltpg->nexus_name);
	mutex_unlock(&ltpg->mutex);
	return len;
}

static ssize_t ktloop_tpg_nexus_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct ktloop_tpg *ltpg = ktloop_tpg(kt_tpg_from_item(item));
	char name[KT_NAME_LEN];
	size_t len = count;
	int ret;

	if (len && page[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(name) || memchr(page, '\0', len)) {
		pr_err("nexus: the initiator name must be 1 to %zu characters\n",
		       sizeof(name) - 1);
		return -EINVAL;
	}
	memcpy(name, page, len);
	name[len] = '\0';

	if (!strcmp(name, "NULL"))
		ret = ktloop_drop_nexus(ltpg);
	else
		ret = ktloop_make_nexus(ltpg, name);
	return ret ? ret : count;
}

static ssize_t ktloop_tpg_transport_status_show(struct config_item *item,
						char *page)
{
	struct ktloop_tpg *ltpg = ktloop_tpg(kt_tpg_from_item(item));

	return sysfs_emit(page, "%s\n",
			  READ_ONCE(ltpg->offline) ? "offline" : "online");
}

/*
 * Offline makes every command of the target fail with a transport
 * disruption (the midlayer retries them).  LIO also queues a nexus loss
 * unit attention here; the core has no API for that yet.
 */
static ssize_t ktloop_tpg_transport_status_store(struct config_item *item,
						 const char *page,
						 size_t count)
{
	struct ktloop_tpg *ltpg = ktloop_tpg(kt_tpg_from_item(item));

	if (sysfs_streq(page, "online")) {
		WRITE_ONCE(ltpg->offline, false);
	} else if (sysfs_streq(page, "offline")) {
		WRITE_ONCE(ltpg->offline, true);
	} else {
		pr_err("transport_status: write \"online\" or \"offline\"\n");
		return -EINVAL;
	}
	return count;
}

static ssize_t ktloop_tpg_address_show(struct config_item *item, char *page)
{
	struct ktloop_tpg *ltpg = ktloop_tpg(kt_tpg_from_item(item));

	return sysfs_emit(page, "%u:0:%u\n", ltpg->hba->shost->host_no,
			  ltpg->tpg.tpgt);
}

CONFIGFS_ATTR(ktloop_tpg_, nexus);
CONFIGFS_ATTR(ktloop_tpg_, transport_status);
CONFIGFS_ATTR_RO(ktloop_tpg_, address);

static struct configfs_attribute *ktloop_tpg_attrs[] = {
	&ktloop_tpg_attr_nexus,
	&ktloop_tpg_attr_transport_status,
	&ktloop_tpg_attr_address,
	NULL,
};

/* T10 protection information is not supported: only 0 is accepted. */
static ssize_t ktloop_tpg_attrib_fabric_prot_type_show(struct config_item *item,
						       char *page)
{
	return sysfs_emit(page, "0\n");
}

static ssize_t ktloop_tpg_attrib_fabric_prot_type_store(struct config_item *item,
							const char *page,
							size_t count)
{
	unsigned int val;
	int ret;

	ret = kstrtouint(page, 0, &val);
	if (ret)
		return ret;
	if (val) {
		pr_err("fabric_prot_type: only 0 (no protection) is supported\n");
		return -EINVAL;
	}
	return count;
}

CONFIGFS_ATTR(ktloop_tpg_attrib_, fabric_prot_type);

static struct configfs_attribute *ktloop_tpg_attrib_attrs[] = {
	&ktloop_tpg_attrib_attr_fabric_prot_type,
	NULL,
};

static ssize_t ktloop_version_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "ktarget loopback v%s on Linux/%s on %s\n",
			  KTLOOP_VERSION, init_utsname()->machine,
			  init_utsname()->release);
}

CONFIGFS_ATTR_RO(ktloop_, version);

static struct configfs_attribute *ktloop_fabric_attrs[] = {
	&ktloop_attr_version,
	NULL,
};

/* ------------------------------------------------------------------ */
/* WWNs and TPGs                                                       */
/* ------------------------------------------------------------------ */

static struct Scsi_Host *ktloop_add_host(struct ktloop_hba *hba)
{
	struct Scsi_Host *shost;
	int ret;

	shost = scsi_host_alloc(&ktloop_sht, sizeof(hba));
	if (!shost)
		return ERR_PTR(-ENOMEM);
	*(struct ktloop_hba **)shost_priv(shost) = hba;
	/* grows with the TPG tags, so that a manual full scan stays short */
	shost->max_id = 1;
	shost->max_lun = KTLOOP_MAX_LUN;
	shost->max_channel = 0;
	shost->max_cmd_len = KTLOOP_MAX_CDB;

	ret = scsi_add_host(shost, ktloop_root);
	if (ret) {
		scsi_host_put(shost);
		return ERR_PTR(ret);
	}
	return shost;
}

static struct kt_wwn *ktloop_make_wwn(struct kt_fabric *fabric,
				      const char *name)
{
	struct ktloop_hba *hba;
	int proto = ktloop_proto_of(name);

	if (proto < 0) {
		pr_err("%s: a loopback WWN starts with naa., fc. or iqn.\n",
		       name);
		return ERR_PTR(-EINVAL);
	}
	if (strlen(name) >= KT_NAME_LEN) {
		pr_err("WWN longer than %d characters\n", KT_NAME_LEN - 1);
		return ERR_PTR(-EINVAL);
	}

	hba = kzalloc(sizeof(*hba), GFP_KERNEL);
	if (!hba)
		return ERR_PTR(-ENOMEM);
	hba->proto = proto;
	xa_init(&hba->tpgs);
	spin_lock_init(&hba->lock);
	init_waitqueue_head(&hba->eh_wq);
	atomic_set(&hba->outstanding, 0);
	kt_wwn_init(&hba->wwn, fabric, name);

	hba->shost = ktloop_add_host(hba);
	if (IS_ERR(hba->shost)) {
		int ret = PTR_ERR(hba->shost);

		pr_err("%s: cannot add a SCSI host (%d)\n", name, ret);
		kfree(hba);
		return ERR_PTR(ret);
	}
	return &hba->wwn;
}

static void ktloop_drop_wwn(struct kt_wwn *wwn)
{
	struct ktloop_hba *hba = ktloop_hba(wwn);

	/* removes every scsi_device, which waits for their commands */
	scsi_remove_host(hba->shost);
	/* a completion may still be inside hba->lock: let it leave */
	spin_lock_irq(&hba->lock);
	spin_unlock_irq(&hba->lock);
	WARN_ON(atomic_read(&hba->outstanding));
	scsi_host_put(hba->shost);
	WARN_ON(!xa_empty(&hba->tpgs));
	xa_destroy(&hba->tpgs);
	kfree(hba);
}

static struct kt_tpg *ktloop_make_tpg(struct kt_wwn *wwn, u16 tpgt)
{
	struct ktloop_hba *hba = ktloop_hba(wwn);
	struct ktloop_tpg *ltpg;
	int ret;

	ltpg = kzalloc(sizeof(*ltpg), GFP_KERNEL);
	if (!ltpg)
		return ERR_PTR(-ENOMEM);
	ltpg->hba = hba;
	mutex_init(&ltpg->mutex);
	INIT_LIST_HEAD(&ltpg->luns);
	kt_tpg_init(&ltpg->tpg, wwn, tpgt);
	/* the loopback initiator is always let in and may write */
	ltpg->tpg.generate_node_acls = true;
	ltpg->tpg.demo_mode_write_protect = false;

	ret = xa_insert(&hba->tpgs, tpgt, ltpg, GFP_KERNEL);
	if (ret) {
		pr_err("%s: tpgt_%u exists already\n", wwn->name, tpgt);
		kfree(ltpg);
		return ERR_PTR(ret == -EBUSY ? -EEXIST : ret);
	}
	/* configfs serialises mkdir in one WWN directory */
	hba->shost->max_id = max_t(unsigned int, hba->shost->max_id,
				   tpgt + 1);
	return &ltpg->tpg;
}

static void ktloop_drop_tpg(struct kt_tpg *tpg)
{
	struct ktloop_tpg *ltpg = ktloop_tpg(tpg);
	struct kt_session *sess;

	xa_erase(&ltpg->hba->tpgs, tpg->tpgt);
	mutex_lock(&ltpg->mutex);
	/* configfs has made us unlink every LUN before the TPG goes */
	WARN_ON(ltpg->nr_luns);
	sess = ktloop_take_nexus(ltpg);
	mutex_unlock(&ltpg->mutex);
	/* the worker looks the TPG and its session up under SRCU */
	synchronize_srcu(&ktloop_srcu);
	if (sess)
		kt_session_destroy(sess);
	mutex_destroy(&ltpg->mutex);
	kfree(ltpg);
}

/* The initiator ports' protocol: the one the target name's prefix names */
static u8 ktloop_proto_id(const struct kt_tpg *tpg)
{
	static const u8 id[] = {
		[KTLOOP_PROTO_SAS]	= KT_PR_PROTO_SAS,
		[KTLOOP_PROTO_FC]	= KT_PR_PROTO_FC,
		[KTLOOP_PROTO_ISCSI]	= KT_PR_PROTO_ISCSI,
	};
	const struct ktloop_hba *hba = container_of(tpg->wwn, struct ktloop_hba,
						    wwn);

	return id[hba->proto];
}

static struct kt_fabric_ops ktloop_ops = {
	.owner			= THIS_MODULE,
	.name			= "loopback",
	.api_version		= KT_API_VERSION,
	.queue_response		= ktloop_queue_response,
	.write_pending		= ktloop_write_pending,
	.release_cmd		= ktloop_release_cmd,
	.make_wwn		= ktloop_make_wwn,
	.drop_wwn		= ktloop_drop_wwn,
	.make_tpg		= ktloop_make_tpg,
	.drop_tpg		= ktloop_drop_tpg,
	.lun_link		= ktloop_lun_link,
	.lun_unlink		= ktloop_lun_unlink,
	.proto_id		= ktloop_proto_id,
	.fabric_attrs		= ktloop_fabric_attrs,
	.tpg_attrs		= ktloop_tpg_attrs,
	.tpg_attrib_attrs	= ktloop_tpg_attrib_attrs,
};

static int __init ktloop_init(void)
{
	int ret;

	ret = init_srcu_struct(&ktloop_srcu);
	if (ret)
		return ret;
	ktloop_wq = alloc_workqueue("ktarget_loop", WQ_MEM_RECLAIM, 0);
	if (!ktloop_wq) {
		ret = -ENOMEM;
		goto out_srcu;
	}
	ktloop_root = root_device_register("ktarget_loop");
	if (IS_ERR(ktloop_root)) {
		ret = PTR_ERR(ktloop_root);
		goto out_wq;
	}
	ret = kt_register_fabric(&ktloop_ops);
	if (ret)
		goto out_root;
	return 0;

out_root:
	root_device_unregister(ktloop_root);
out_wq:
	destroy_workqueue(ktloop_wq);
out_srcu:
	cleanup_srcu_struct(&ktloop_srcu);
	return ret;
}

static void __exit ktloop_exit(void)
{
	kt_unregister_fabric(&ktloop_ops);
	root_device_unregister(ktloop_root);
	destroy_workqueue(ktloop_wq);
	cleanup_srcu_struct(&ktloop_srcu);
}

module_init(ktloop_init);
module_exit(ktloop_exit);

MODULE_DESCRIPTION("ktarget loopback fabric: target LUNs as local SCSI disks");
MODULE_AUTHOR("ktarget developers");
MODULE_LICENSE("GPL");
MODULE_ALIAS("ktarget-fabric-loopback");
