/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contracts between ktarget_core, backstores and fabrics.
 *
 * A fabric (loopback, iSCSI, ...) turns what arrives on its transport into
 * a struct kt_cmd and hands it to the core with kt_cmd_submit().  The core
 * decodes the CDB, emulates SPC/SBC and calls the backstore for media I/O
 * through struct kt_backend_ops.  Results go back to the fabric through
 * struct kt_fabric_ops.  Both tables carry KT_API_VERSION, checked at
 * registration, so a module built against another ktarget fails loudly.
 */
#ifndef KTARGET_KTARGET_H
#define KTARGET_KTARGET_H

#include <linux/configfs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu-refcount.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/completion.h>

#include "wire.h"
#include "pr.h"
#include "reserve.h"

#define KT_API_VERSION		7
#define KT_NAME_LEN		256	/* WWNs, initiator names */
#define KT_SERIAL_LEN		256
#define KT_PATH_LEN		512
#define KT_MAX_LUN		16383	/* SAM-5 flat space addressing */
#define KT_WLUN_REPORT_LUNS	0xc101	/* REPORT LUNS well-known LUN */

struct kt_cmd;
struct kt_dev;
struct kt_hba;
struct kt_tpg;
struct kt_session;

/* ------------------------------------------------------------------ */
/* Backstores                                                          */
/* ------------------------------------------------------------------ */

/**
 * struct kt_io - one media I/O the core asks a backstore to do
 * @write: true for a write, false for a read
 * @fua: force unit access: the data is on stable storage on completion
 * @lba: first logical block, in units of the device's block_size
 * @nblocks: number of logical blocks
 * @sgl: buffer of at least @nblocks * block_size bytes (only that many
 *	bytes may be touched).  A read fills it; it must never be pointed
 *	at the backstore's own pages: fabrics send Data-In pages by
 *	reference, and TCP may retransmit from them after the command ends.
 * @nents: entries in @sgl
 */
struct kt_io {
	bool write;
	bool fua;
	u64 lba;
	u32 nblocks;
	struct scatterlist *sgl;
	unsigned int nents;
};

/**
 * struct kt_backend_ops - what a backstore supplies
 * @owner: THIS_MODULE
 * @name: configfs HBA prefix, e.g. "rd_mcp" for core/rd_mcp_0/
 * @inquiry_prod: default INQUIRY product identification
 * @inquiry_rev: default INQUIRY revision
 * @api_version: KT_API_VERSION
 * @alloc_dev: allocate a device (embedding struct kt_dev) named @name;
 *	returns ERR_PTR on failure.  Process context.
 * @free_dev: release everything @alloc_dev and @configure_dev took.
 * @set_param: apply one `control` key.  Returns 0, -ENOENT for a key the
 *	backstore does not know (the core ignores it, as LIO does) or
 *	another -errno for a bad value.  Refused by the core once enabled.
 * @show_params: append the backstore's part of the `info` file to @page
 *	(PAGE_SIZE), return the length appended.
 * @configure_dev: "enable": open the backing store and fill in
 *	dev->nr_blocks, dev->hw_block_size, dev->hw_max_sectors,
 *	dev->hw_queue_depth.  Process context.
 * @submit_io: start @io for @cmd.  Either returns a failure status at once
 *	or returns KT_OK and later calls kt_io_done() exactly once, from any
 *	context.  Called in process context; may sleep.
 * @flush: make everything written so far stable; same completion rule.
 *	NULL when the backstore has no volatile cache (ramdisk).
 * @write_cache_enabled: optional: the real write cache state of the
 *	backing store (iblock); NULL means the `emulate_write_cache` attribute
 *	decides.
 * @unmap: optional: deallocate @nblocks logical blocks (of
 *	attrib.block_size) from @lba, checked against the capacity by the
 *	core.  The blocks may stay allocated, but when the backstore set
 *	dev->unmap_zeroes they read as zeroes afterwards.  Same completion
 *	rule as @submit_io.  Its presence lets `emulate_tpu` and
 *	`emulate_tpws` be set (UNMAP, WRITE SAME with UNMAP).
 * @unmap_check: optional: whether @unmap can work on this device now:
 *	0, or -errno after one ratelimited message saying why (iblock: the
 *	queue has no discard).  Called under kt_cfg_mutex when
 *	`emulate_tpu` or `emulate_tpws` is set to 1.
 */
struct kt_backend_ops {
	struct module *owner;
	const char *name;
	const char *inquiry_prod;
	const char *inquiry_rev;
	unsigned int api_version;

	struct kt_dev *(*alloc_dev)(struct kt_hba *hba, const char *name);
	void (*free_dev)(struct kt_dev *dev);
	int (*set_param)(struct kt_dev *dev, const char *key, const char *val);
	ssize_t (*show_params)(struct kt_dev *dev, char *page);
	int (*configure_dev)(struct kt_dev *dev);

	kt_status_t (*submit_io)(struct kt_cmd *cmd, struct kt_io *io);
	kt_status_t (*flush)(struct kt_cmd *cmd);
	bool (*write_cache_enabled)(struct kt_dev *dev);
	kt_status_t (*unmap)(struct kt_cmd *cmd, u64 lba, u32 nblocks);
	int (*unmap_check)(struct kt_dev *dev);

	/* private to the core */
	struct list_head entry;
};

int kt_register_backend(struct kt_backend_ops *ops);
void kt_unregister_backend(struct kt_backend_ops *ops);

/**
 * struct kt_dev_attrib - the device's attrib/ directory (see
 * Documentation/configfs.rst for meaning, defaults and ranges)
 */
struct kt_dev_attrib {
	u32 emulate_model_alias;
	u32 emulate_dpo;
	u32 emulate_fua_write;
	u32 emulate_fua_read;
	u32 emulate_write_cache;
	u32 emulate_ua_intlck_ctrl;
	u32 emulate_tas;
	u32 emulate_tpu;
	u32 emulate_tpws;
	u32 emulate_caw;
	u32 emulate_3pc;
	u32 emulate_pr;
	u32 pi_prot_type;
	u32 pi_prot_verify;
	u32 enforce_pr_isids;
	u32 force_pr_aptpl;
	u32 is_nonrot;
	u32 emulate_rest_reord;
	u32 block_size;
	u32 optimal_sectors;
	u32 queue_depth;
	u32 max_unmap_lba_count;
	u32 max_unmap_block_desc_count;
	u32 unmap_granularity;
	u32 unmap_granularity_alignment;
	u32 unmap_zeroes_data;
	u32 max_write_same_len;
	u32 alua_support;
	u32 pgr_support;
};

struct kt_alua_state;

/**
 * struct kt_tg_pt_gp - a target port group of a device (alua/<name>/):
 * what the pure ALUA state (struct kt_alua_state, kt_dev.alua) does
 * not hold.  Fields under kt_cfg_mutex unless noted.
 * @dev: its device
 * @id: TARGET PORT GROUP, once @id_set (always for the default group)
 * @id_set: tg_pt_gp_id was written: the group is in @dev->alua
 * @entry: in @dev->tg_pt_gps
 * @write_metadata: alua_write_metadata
 * @nonop_delay_msecs: how long a command through the group waits while it
 *	is active/non-optimized (READ_ONCE in the I/O path)
 * @trans_delay_msecs: how long a transition shows TRANSITIONING
 * @trans_to: the state a pending transition ends in (@dev->alua_lock)
 * @trans_work: ends that transition; cancelled before the group goes
 * @group: alua/<name>/
 */
struct kt_tg_pt_gp {
	struct kt_dev *dev;
	u16 id;
	bool id_set;
	struct list_head entry;
	u32 write_metadata;
	u32 nonop_delay_msecs;
	u32 trans_delay_msecs;
	u8 trans_to;
	struct delayed_work trans_work;
	struct config_group group;
};

/**
 * struct kt_dev - a storage object (core/<hba>/<name>/)
 *
 * Backstores embed it in their own device struct and fill in the hw_*
 * fields, @nr_blocks and @unmap_zeroes in ->configure_dev(), and may
 * there set the defaults of the unmap and WRITE SAME attributes
 * (attrib.max_unmap_lba_count, max_unmap_block_desc_count,
 * unmap_granularity, unmap_granularity_alignment, max_write_same_len).
 * Everything else is the core's.  The configuration fields are protected by kt_cfg_mutex; the I/O
 * path reads them without it (they cannot change while the device is
 * exported, see kt_dev_exported()).
 */
struct kt_dev {
	const struct kt_backend_ops *ops;
	struct kt_hba *hba;
	char name[64];
	u32 index;

	u64 nr_blocks;		/* capacity in hw_block_size blocks */
	u32 hw_block_size;
	u32 hw_max_sectors;
	u32 hw_queue_depth;
	bool read_only;		/* the backing store is read-only */
	bool unmap_zeroes;	/* ->unmap leaves blocks that read as zeroes */

	bool configured;	/* `enable` succeeded */
	int export_count;	/* LUNs linked to this device */
	struct kt_dev_attrib attrib;

	/*
	 * INQUIRY strings and company id: written under kt_cfg_mutex and
	 * @ident_lock, read (copied) under @ident_lock
	 */
	spinlock_t ident_lock;
	char vendor[9];
	char product[17];
	char revision[5];
	char unit_serial[KT_SERIAL_LEN];
	char alias[KT_PATH_LEN];
	char udev_path[KT_PATH_LEN];
	u32 company_id;

	/*
	 * Persistent reservations (core/pr.c, core/pr_file.c): @pr_lock
	 * protects @pr (the pointer and what it points to); @pr_reserved
	 * mirrors @pr->reserved for a lockless look first.  A change is
	 * built in @pr_next and swapped in; kt_cfg_mutex serialises changes
	 * and protects @pr_next, the APTPL records waiting for their port
	 * (@pr_pending, @pr_npending) and @pr_loaded (the APTPL file read).
	 */
	spinlock_t pr_lock;
	struct kt_pr_state *pr;
	bool pr_reserved;
	struct kt_pr_state *pr_next;
	struct kt_aptpl_reg *pr_pending;
	unsigned int pr_npending;
	bool pr_loaded;
	/*
	 * SPC-2 RESERVE/RELEASE (core/reserve.c): @res, under @pr_lock
	 * too; @res_held mirrors @res.held for a lockless look first
	 */
	struct kt_res_state res;
	bool res_held;

	bool d_sense;		/* control page D_SENSE (kt_cfg_mutex) */
	u16 rtpi_next;		/* under kt_cfg_mutex */
	/*
	 * ALUA (core/alua.c): @alua_lock protects what @alua points to (the
	 * target port groups, their states and ports) and each group's
	 * trans_to; kt_cfg_mutex serialises every change and protects
	 * @tg_pt_gps (struct kt_tg_pt_gp.entry).  Lock order: kt_cfg_mutex,
	 * then @alua_lock.  The I/O path takes only @alua_lock.
	 */
	spinlock_t alua_lock;
	struct kt_alua_state *alua;
	struct kt_alua_state *alua_next; /* a change being made: kt_cfg_mutex */
	bool alua_loaded;	/* default group's file read: kt_cfg_mutex */
	struct list_head tg_pt_gps;
	struct kt_tg_pt_gp tg_pt_gp;	/* alua/default_tg_pt_gp */
	struct list_head luns;	/* kt_lun.dev_entry, under kt_cfg_mutex */

	/* commands aborted by task management, still executing */
	atomic_t aborting;

	/*
	 * The task set (core/taskset.c): @ts_lock (irq-safe; inside
	 * sess->lock) protects @ts_tasks (kt_cmd.ts_entry: the commands
	 * that entered it and are neither done nor aborted, oldest first),
	 * the counts of its ORDERED and HEAD OF QUEUE tasks (@ts_barriers)
	 * and of its blocked ones (@ts_nblocked), and each command's
	 * ts_blocked and ts_parked; and the ACA condition: the faulted
	 * I_T nexus (@aca_sid, the session's sid, 0 for none; @aca_rtpi,
	 * the target port) and the count of ACA tasks (@ts_aca).
	 */
	spinlock_t ts_lock;
	struct list_head ts_tasks;
	unsigned int ts_barriers;
	unsigned int ts_nblocked;
	unsigned int ts_aca;
	u64 aca_sid;
	u16 aca_rtpi;

	/* statistics, updated without locks */
	atomic64_t num_cmds;
	atomic64_t read_bytes;
	atomic64_t write_bytes;

	/* configfs: the device directory and its default groups */
	struct config_group group;
	struct config_group attrib_group;
	struct config_group wwn_group;
	struct config_group pr_group;
	struct config_group alua_group;
	struct config_group stat_group;
	struct config_group stat_dev_group;
	struct config_group stat_tgt_dev_group;
	struct config_group stat_lu_group;
	struct config_group action_group;
};

/* kt_dev_capacity - capacity in logical blocks of attrib.block_size */
u64 kt_dev_capacity(const struct kt_dev *dev);

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

/*
 * Where a command is in its life; exactly one at a time.  The core checks
 * every transition (core/cmd.c, kt_cmd_next[]): an illegal one warns once
 * and is refused.
 *
 *   NEW -> PREPARED | WAIT_DATA | REFUSED	kt_cmd_prepare()
 *   WAIT_DATA -> PREPARED			kt_cmd_data_ready()
 *   PREPARED -> EXECUTING -> DONE		kt_cmd_submit(), completion
 *   REFUSED -> DONE				kt_cmd_submit(): answered
 *   NEW, WAIT_DATA, PREPARED, REFUSED -> ABORTED	kt_cmd_drop(), or
 *					task management (kt_tmr_execute())
 *   ABORTED -> DONE				answered TASK ABORTED (TAS)
 *
 * Task management never moves an EXECUTING command: it marks it
 * (@tmr_aborted) and waits for its completion, whose response is then
 * dropped or replaced by TASK ABORTED.  Transitions happen under
 * sess->lock, so task management sees each command in one state.
 */
enum kt_cmd_state {
	KT_CMD_NEW,		/* set up by the fabric */
	KT_CMD_PREPARED,	/* checked, buffer ready, may execute */
	KT_CMD_WAIT_DATA,	/* checked, its Data-Out is not all in */
	KT_CMD_REFUSED,		/* checked and refused: answered when submitted */
	KT_CMD_EXECUTING,	/* handed to its execute function/backstore */
	KT_CMD_DONE,		/* status known, handed to the fabric */
	KT_CMD_ABORTED,		/* dropped before execution, no response */
	KT_CMD__COUNT
};

/* SAM task attributes */
enum kt_task_attr {
	KT_TASK_SIMPLE,
	KT_TASK_ORDERED,
	KT_TASK_HEAD_OF_QUEUE,
	KT_TASK_ACA,
};

/**
 * struct kt_cmd - one SCSI command
 *
 * Fabrics embed it in their own per-command struct (from their own
 * kmem_cache), fill the fields under "set by the fabric" with kt_cmd_init(),
 * then call kt_cmd_submit().  The core owns the rest.
 *
 * A fabric that receives Data-Out itself (iSCSI) calls kt_cmd_prepare()
 * as soon as the command arrives: the core looks the LUN up, decodes and
 * checks the CDB and allocates the data buffer sized from it.  A refused
 * command moves no data; otherwise the fabric receives
 * kt_cmd_data_out_len() bytes into cmd->sgl, calls kt_cmd_data_ready(),
 * and kt_cmd_submit() when the command's turn has come.  A prepared
 * command the fabric gives up goes with kt_cmd_drop().
 */
struct kt_cmd {
	/* set by the fabric */
	struct kt_session *sess;
	u64 lun;		/* LUN number: 0..KT_MAX_LUN or a W-LUN */
	u8 cdb[KT_MAX_CDB];
	unsigned int cdb_len;
	u32 exp_len;		/* expected data transfer length */
	enum kt_dir exp_dir;
	enum kt_task_attr task_attr;
	u64 tag;
	struct scatterlist *fabric_sgl;	/* optional buffer of exp_len bytes */
	unsigned int fabric_nents;

	/* the core's */
	enum kt_cmd_state state;
	kt_status_t refused;	/* why, in state KT_CMD_REFUSED */
	bool submitted;		/* kt_cmd_submit() was called */
	/* task management, under sess->lock (see enum kt_cmd_state) */
	bool tmr_aborted;	/* aborted while EXECUTING */
	bool abort_counted;	/* ... counted in sess/dev->aborting */
	bool abort_tas;		/* answer TASK ABORTED, not nothing */
	/*
	 * task attribute order (core/taskset.c): @ts_dev is set under
	 * sess->lock and dev->ts_lock while the command is in its device's
	 * task set; the flags under dev->ts_lock
	 */
	struct kt_dev *ts_dev;
	struct list_head ts_entry;	/* in ts_dev->ts_tasks */
	bool ts_blocked;	/* may not start yet */
	bool ts_parked;		/* ... and ready: whoever unblocks starts it */
	kt_status_t ts_refused;	/* not let in (ACA): answered so at start */
	struct work_struct ts_work;	/* starts (or answers) it when parked */
	struct kt_cdb d;
	struct kt_lun *klun;
	struct kt_mapped_lun *mlun;
	struct kt_dev *dev;
	bool write_protect;	/* the nexus sees the LUN read-only */
	u8 pr_class;		/* enum kt_pr_class of this command */
	void (*execute)(struct kt_cmd *cmd);	/* ends in kt_cmd_complete() */
	void (*io_done)(struct kt_cmd *cmd, kt_status_t status);

	/* the data buffer: fabric_sgl or one the core allocated */
	struct scatterlist *sgl;
	unsigned int nents;
	bool sgl_owned;
	bool buf_counted;	/* in sess->write_buffered */
	u32 buf_len;		/* bytes of @sgl the command uses */
	u32 data_len;		/* bytes the command asks to move */
	u32 xfer_len;		/* bytes moved: min(data_len, exp_len) */
	u32 resid;		/* residual count for the fabric */
	bool resid_under;	/* exp_len > data_len */
	bool resid_over;	/* exp_len < data_len */

	/* scratch for commands that need a second buffer (verify) */
	struct scatterlist *aux_sgl;
	unsigned int aux_nents;
	struct kt_io io;
	/* state an execute function keeps across its I/Os, freed by it */
	void *exec_priv;

	/* result */
	kt_status_t status;
	u8 scsi_status;
	u8 sense[KT_SENSE_MAX];
	unsigned int sense_len;
	struct kt_sense_info si;

	struct list_head sess_entry;	/* in sess->cmds, under sess->lock */
	struct work_struct work;
	/*
	 * An active/non-optimized path's delay (core/cmd.c): @delayed is
	 * set and @delay_work queued under sess->lock, once, while EXECUTING
	 */
	bool delayed;
	struct delayed_work delay_work;
};

void kt_cmd_init(struct kt_cmd *cmd, struct kt_session *sess, u64 lun,
		 const u8 *cdb, unsigned int cdb_len, u32 exp_len,
		 enum kt_dir dir, enum kt_task_attr attr, u64 tag);
kt_status_t kt_cmd_prepare(struct kt_cmd *cmd);
void kt_cmd_refuse(struct kt_cmd *cmd, kt_status_t why);
u32 kt_cmd_data_out_len(const struct kt_cmd *cmd);
void kt_cmd_enter(struct kt_cmd *cmd);
void kt_cmd_submit(struct kt_cmd *cmd);
void kt_cmd_data_ready(struct kt_cmd *cmd);
void kt_cmd_drop(struct kt_cmd *cmd);
void kt_cmd_keep_data(struct kt_cmd *cmd);
void kt_cmd_release(struct kt_cmd *cmd);
void kt_io_done(struct kt_cmd *cmd, kt_status_t status);

/* ------------------------------------------------------------------ */
/* Fabrics                                                             */
/* ------------------------------------------------------------------ */

struct kt_fabric;

/**
 * struct kt_wwn - a target (<fabric>/<wwn>/), embedded by the fabric
 */
struct kt_wwn {
	struct kt_fabric *fabric;
	char name[KT_NAME_LEN];
	struct config_group group;
	struct config_group stat_group;
	struct config_group param_group;
};

/**
 * struct kt_lun - a LUN of a TPG (tpgt_N/lun/lun_M/)
 * @tpg: owner
 * @index: M
 * @dev: the linked device, NULL until the symlink exists; set and cleared
 *	under kt_cfg_mutex, read by the I/O path only after taking @ref
 * @ref: live while linked; each command holds one reference
 * @drained: completed when @ref drops to zero after kill
 * @fabric_priv: for the fabric's lun_link/lun_unlink hooks
 */
struct kt_lun {
	struct kt_tpg *tpg;
	u64 index;
	struct kt_dev *dev;
	struct percpu_ref ref;
	struct completion drained;
	bool linked;
	u16 rtpi;		/* relative target port id, unique per device */
	/* ALUA: its group and alua_tg_pt_* values, under kt_cfg_mutex */
	struct kt_tg_pt_gp *alua_gp;
	bool alua_offline;	/* secondary state offline (READ_ONCE) */
	u8 alua_status;		/* alua_tg_pt_status */
	bool alua_write_md;	/* alua_tg_pt_write_md */
	struct list_head dev_entry;	/* in dev->luns, under kt_cfg_mutex */
	void *fabric_priv;
	atomic64_t num_cmds;
	struct config_group group;
	struct config_group stat_group;
};

/**
 * struct kt_node_acl - an initiator allowed into a TPG (acls/<name>/)
 *
 * Fabrics that need per-ACL state set fabric_ops->node_acl_size and embed
 * this struct as the first member of their own.
 */
struct kt_node_acl {
	struct kt_tpg *tpg;
	char name[KT_NAME_LEN];
	bool dynamic;		/* made for demo mode, not in configfs */
	u32 cmdsn_depth;
	char tag[64];
	struct xarray mapped;	/* mapped LUN -> kt_mapped_lun; RCU reads */
	struct list_head tpg_entry;	/* in tpg->acls, under kt_cfg_mutex */
	struct list_head sessions;	/* kt_session.acl_entry, kt_cfg_mutex */
	struct kref kref;	/* configfs (static ACLs) + one per session */
	struct config_group group;
	struct config_group attrib_group;
	struct config_group auth_group;
	struct config_group param_group;
	struct config_group stat_group;
};

/**
 * struct kt_mapped_lun - an ACL's view of one TPG LUN (acls/<n>/lun_M/)
 *
 * Its unit attentions are kept by each session of the ACL (kt_session.ua):
 * every I_T nexus has its own.
 */
struct kt_mapped_lun {
	struct kt_node_acl *acl;
	u64 mapped;
	struct kt_lun *lun;	/* NULL until linked; kt_cfg_mutex + RCU */
	/* stored under kt_cfg_mutex (WRITE_ONCE); a command reads it once */
	bool write_protect;
	struct kref kref;	/* the ACL's entry + one per command */
	struct rcu_head rcu;
	struct config_group group;
	struct config_group stat_group;
};

/**
 * struct kt_tpg - a target portal group (<wwn>/tpgt_N/), embedded
 * @lock: protects the @sessions list
 * @acls: static and dynamic ACLs, under kt_cfg_mutex
 * @luns: index -> struct kt_lun; writers hold kt_cfg_mutex, readers RCU
 * @generate_node_acls: demo mode: unknown initiators get a dynamic ACL
 *	that maps every LUN of the TPG
 * @demo_mode_write_protect: dynamic ACLs see LUNs read-only
 * @prod_mode_write_protect: static ACLs see LUNs read-only (set on their
 *	mapped LUNs when linked and when a session starts)
 * @enabled: the fabric accepts logins (fabrics without `enable`: always)
 */
struct kt_tpg {
	struct kt_wwn *wwn;
	u16 tpgt;
	spinlock_t lock;		/* protects @sessions */
	struct xarray luns;
	struct list_head acls;
	struct list_head sessions;
	bool generate_node_acls;
	bool demo_mode_write_protect;
	bool prod_mode_write_protect;
	bool enabled;
	u32 default_cmdsn_depth;
	void *fabric_priv;

	struct config_group group;
	struct config_group lun_group;
	struct config_group acl_group;
	struct config_group np_group;
	struct config_group attrib_group;
	struct config_group auth_group;
	struct config_group param_group;
};

/**
 * struct kt_session - an I_T nexus
 * @lock: protects @cmds
 * @cmds: commands prepared and not yet released
 * @idle: woken when a command of @cmds is released (while anyone waits)
 * @aborting: commands of @cmds aborted by task management while they
 *	were executing and not completed yet
 * @write_buffered: bytes of core buffers held by writes from prepare to
 *	completion, bounded by ktarget_core.max_write_buffer_mb
 * @port: the initiator port (its TransportID identity: name and ISID, or
 *	port name), as persistent reservations know the I_T nexus
 * @acl_entry: in acl->sessions, under kt_cfg_mutex
 * @ua: the pending unit attentions of each I_T_L nexus: mapped LUN number
 *	-> xa_mk_value(bitmap of enum kt_ua).  One slot per mapped LUN of
 *	the ACL, made and erased under kt_cfg_mutex (core/ua.c); the
 *	xarray's own lock (irq-safe) protects the bitmaps in the slots.
 */
struct kt_session {
	struct kt_tpg *tpg;
	struct kt_node_acl *acl;
	void *fabric_priv;
	spinlock_t lock;		/* protects @cmds */
	struct list_head cmds;
	struct list_head tpg_entry;	/* in tpg->sessions, under tpg->lock */
	wait_queue_head_t idle;
	atomic_t aborting;
	u64 sid;
	atomic64_t write_buffered;
	struct kt_pr_tid port;
	struct list_head acl_entry;
	struct xarray ua;
};

/**
 * struct kt_fabric_ops - what a fabric supplies
 * @owner: THIS_MODULE
 * @name: configfs directory under target/, e.g. "loopback"
 * @api_version: KT_API_VERSION
 * @node_acl_size: size of the fabric's ACL struct (0: plain kt_node_acl)
 * @queue_response: send Data-In (KT_DIR_FROM_DEV: cmd->xfer_len bytes,
 *	unless cmd->scsi_status is not GOOD) and then the status with
 *	cmd->scsi_status, cmd->sense/sense_len and the residual.  The data
 *	is in cmd->sgl, or already in fabric_sgl when the fabric gave one
 *	(the core copied it there).  The fabric calls kt_cmd_release() once
 *	the response is gone.  Any context.
 * @write_pending: fetch kt_cmd_data_out_len() bytes of Data-Out into
 *	cmd->sgl, then call kt_cmd_data_ready().  Called by kt_cmd_submit()
 *	for a command still waiting for its data; fabrics that receive
 *	Data-Out after kt_cmd_prepare() and submit once it is in (iSCSI)
 *	never see it.
 * @release_cmd: free the fabric's command container.
 * @make_wwn: mkdir <fabric>/<name>: allocate a struct embedding kt_wwn.
 * @drop_wwn: free it.
 * @make_tpg: mkdir tpgt_N: allocate a struct embedding kt_tpg.
 * @drop_tpg: end the TPG's sessions (kt_session_destroy()) and free it.
 *	Its LUNs, ACLs and portals are gone already (configfs removes
 *	children first); dynamic ACLs go with their last session.
 * @tpg_enable: optional; presence adds tpgt_N/enable.  Called with the
 *	core's configuration mutex held, so it must not end sessions itself.
 * @init_acl: optional: set the fabric's defaults in a new static or
 *	dynamic ACL (zeroed, tpg/name/cmdsn_depth set) before it is listed.
 *	Called with the core's configuration mutex held.
 * @close_acl_sessions: optional: rmdir of static ACL @acl, already
 *	unlisted (kt_session_create() no longer finds it): end its
 *	sessions.  Called without core locks held.
 * @lun_link: optional: a LUN got a device (loopback adds a SCSI device).
 *	Called without core locks held; commands may be submitted from it.
 * @lun_unlink: optional: before the LUN loses its device; same context.
 * @proto_id: optional: the SCSI transport protocol of @tpg's initiator
 *	ports (KT_PR_PROTO_*), for persistent reservations restored from
 *	an APTPL file; iSCSI when absent.  Called under the core's mutex.
 * @make_np: optional: mkdir np/<name>; returns the np's config_group.
 * @drop_np: optional; ends with config_item_put() on @np.
 * @*_attrs: NULL-terminated configfs attribute arrays for the fabric's
 *	own files in each directory.
 */
struct kt_fabric_ops {
	struct module *owner;
	const char *name;
	unsigned int api_version;
	size_t node_acl_size;

	void (*queue_response)(struct kt_cmd *cmd);
	int (*write_pending)(struct kt_cmd *cmd);
	void (*release_cmd)(struct kt_cmd *cmd);

	struct kt_wwn *(*make_wwn)(struct kt_fabric *fabric, const char *name);
	void (*drop_wwn)(struct kt_wwn *wwn);
	struct kt_tpg *(*make_tpg)(struct kt_wwn *wwn, u16 tpgt);
	void (*drop_tpg)(struct kt_tpg *tpg);
	int (*tpg_enable)(struct kt_tpg *tpg, bool enable);
	void (*init_acl)(struct kt_node_acl *acl);
	void (*close_acl_sessions)(struct kt_node_acl *acl);
	int (*lun_link)(struct kt_tpg *tpg, struct kt_lun *lun);
	void (*lun_unlink)(struct kt_tpg *tpg, struct kt_lun *lun);
	u8 (*proto_id)(const struct kt_tpg *tpg);
	struct config_group *(*make_np)(struct kt_tpg *tpg, const char *name);
	void (*drop_np)(struct kt_tpg *tpg, struct config_group *np);

	struct configfs_attribute **fabric_attrs;
	struct configfs_attribute **discovery_attrs;
	struct configfs_attribute **wwn_attrs;
	struct configfs_attribute **tpg_attrs;
	struct configfs_attribute **tpg_attrib_attrs;
	struct configfs_attribute **tpg_param_attrs;
	struct configfs_attribute **tpg_auth_attrs;
	struct configfs_attribute **acl_attrs;
	struct configfs_attribute **acl_attrib_attrs;
	struct configfs_attribute **acl_auth_attrs;
	struct configfs_attribute **acl_param_attrs;

	/* private to the core */
	struct list_head entry;
};

/**
 * struct kt_fabric - target/<fabric>/, made by the core on mkdir
 */
struct kt_fabric {
	const struct kt_fabric_ops *ops;
	struct config_group group;
	struct config_group discovery_group;
};

int kt_register_fabric(struct kt_fabric_ops *ops);
void kt_unregister_fabric(struct kt_fabric_ops *ops);

/* Initialise the embedded kt_wwn/kt_tpg in ->make_wwn/->make_tpg. */
void kt_wwn_init(struct kt_wwn *wwn, struct kt_fabric *fabric,
		 const char *name);
void kt_tpg_init(struct kt_tpg *tpg, struct kt_wwn *wwn, u16 tpgt);

/*
 * The initiator port of a session, as persistent reservations know it:
 * kt_port_iscsi() from an iSCSI name and its 6-byte ISID (NULL: none),
 * kt_port_binary() from an FC, SAS or SBP port name (8 bytes) or an SRP
 * port id (16 bytes; @proto KT_PR_PROTO_*).  -EINVAL for a name that
 * does not fit.
 */
int kt_port_iscsi(struct kt_pr_tid *port, const char *name, const u8 *isid);
int kt_port_binary(struct kt_pr_tid *port, u8 proto, const u8 *id,
		   unsigned int len);

/*
 * kt_session_create - open an I_T nexus for @initiator on @tpg, whose
 * initiator port is @port (kt_port_iscsi(), kt_port_binary()).
 * Finds the initiator's ACL, or makes a dynamic one in demo mode.
 * Returns ERR_PTR(-EACCES) when the initiator is not allowed in.
 * Process context.
 */
struct kt_session *kt_session_create(struct kt_tpg *tpg,
				     const char *initiator,
				     const struct kt_pr_tid *port,
				     void *fabric_priv);
/*
 * kt_acl_get - the static or dynamic ACL for @initiator on @tpg with a
 * reference (drop it with kt_acl_put()), or NULL.  Process context.
 */
struct kt_node_acl *kt_acl_get(struct kt_tpg *tpg, const char *initiator);
void kt_acl_put(struct kt_node_acl *acl);

/*
 * kt_session_destroy - waits for the session's commands, then frees it;
 * those waiting for their task attribute's turn are aborted first
 * (kt_session_abort_blocked()).
 */
void kt_session_destroy(struct kt_session *sess);
void kt_session_abort_blocked(struct kt_session *sess);

/*
 * Task management (SAM-5 7, SPC-4 control mode page).  The core keeps one
 * task set per logical unit for all I_T nexuses (TST 000).
 */
enum kt_tmf {
	KT_TMF_ABORT_TASK = 1,	/* the task @tag of the nexus */
	KT_TMF_ABORT_TASK_SET,	/* the nexus's tasks on @lun */
	KT_TMF_CLEAR_TASK_SET,	/* every nexus's tasks on @lun's device */
	KT_TMF_LUN_RESET,	/* the same, then a unit attention */
	KT_TMF_IT_NEXUS_RESET,	/* all tasks of the nexus, then a UA */
	KT_TMF_QUERY_TASK,	/* is task @tag still there? */
	KT_TMF_QUERY_TASK_SET,	/* any task of the nexus on @lun? */
	KT_TMF_QUERY_ASYNC_EVENT,	/* a unit attention pending on @lun? */
	KT_TMF_CLEAR_ACA,	/* the nexus's ACA condition on @lun's device */
};

/* service responses */
enum kt_tmf_rsp {
	KT_TMF_COMPLETE,	/* FUNCTION COMPLETE */
	KT_TMF_SUCCEEDED,	/* FUNCTION SUCCEEDED (queries: found) */
	KT_TMF_REJECTED,	/* FUNCTION REJECTED */
	KT_TMF_NO_LUN,		/* INCORRECT LOGICAL UNIT NUMBER */
};

/**
 * struct kt_tmf_req - one task management request
 * @fn: the function
 * @lun: LUN number as in struct kt_cmd (all but ABORT TASK, QUERY TASK
 *	and I_T NEXUS RESET)
 * @tag: the task's tag (ABORT TASK, QUERY TASK)
 * @found: set by the core: tasks aborted, or found by a query
 * @ari: set by the core: ADDITIONAL RESPONSE INFORMATION (SAM-5): for a
 *	QUERY ASYNCHRONOUS EVENT that succeeded, the UADE DEPTH (bits 5-4:
 *	01b one pending, 10b more) and SENSE KEY (bits 3-0), then the
 *	ASC and ASCQ of the highest priority unit attention; else zero
 */
struct kt_tmf_req {
	enum kt_tmf fn;
	u64 lun;
	u64 tag;
	unsigned int found;
	u8 ari[3];
};

/**
 * kt_tmr_execute() - carry out a task management function of @sess
 * @sess: the issuing I_T nexus
 * @req: what to do; @req->found is set
 *
 * Aborted tasks that have not started never run; running ones are never
 * torn out of the backstore: the call waits (woken by their completions)
 * until they are done.  An aborted task of @sess gets no response; one
 * of another nexus gets TASK ABORTED when the control page's TAS bit
 * (attrib/emulate_tas) is set, no response otherwise (CLEAR TASK SET
 * then establishes COMMANDS CLEARED BY ANOTHER INITIATOR for it).  LUN
 * RESET establishes BUS DEVICE RESET FUNCTION OCCURRED for the other
 * nexuses, I_T NEXUS RESET I_T NEXUS LOSS OCCURRED for @sess.  A fabric
 * handles the tasks it still holds (not prepared, or waiting for their
 * turn) itself.  Answers FUNCTION REJECTED, leaving the tasks to finish
 * on their own, when they do not within a minute.
 *
 * Context: process context; may sleep.
 */
enum kt_tmf_rsp kt_tmr_execute(struct kt_session *sess,
			       struct kt_tmf_req *req);

/*
 * kt_tmr_tpg_reset - LOGICAL UNIT RESET of every LUN of @tpg, asked by
 * @sess (of this TPG or of another TPG of the same target: for a target
 * reset).  @sess's own nexus gets no unit attention.  Returns 0 or
 * -ETIMEDOUT when a LUN's commands did not finish (the other LUNs are
 * reset still).  Process context.
 */
int kt_tmr_tpg_reset(struct kt_tpg *tpg, struct kt_session *sess);

/* configfs helpers for fabrics' attribute show/store functions */
static inline struct kt_tpg *kt_tpg_from_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_tpg, group);
}

static inline struct kt_tpg *kt_tpg_from_attrib_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_tpg, attrib_group);
}

static inline struct kt_wwn *kt_wwn_from_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_wwn, group);
}

static inline struct kt_node_acl *kt_acl_from_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_node_acl, group);
}

static inline struct kt_dev *kt_dev_from_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_dev, group);
}

#endif /* KTARGET_KTARGET_H */
