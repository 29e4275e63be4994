/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private header of ktarget_core.
 */
#ifndef KTARGET_CORE_H
#define KTARGET_CORE_H

#include <linux/module.h>
#include <linux/slab.h>
#include <ktarget/ktarget.h>
#include <ktarget/alua.h>

#define KT_VERSION	"v5.0"
#define KT_DBROOT_DEFAULT	"/var/target"
#define KT_DBROOT_PREFERRED	"/etc/target"

/*
 * kt_cfg_mutex serialises every configuration change: the backend and
 * fabric lists, HBAs and devices, device enable, LUN <-> device links, ACL
 * mapped LUNs and each device's LUN list (dev_luns), and the device
 * attributes that commands read (each written with WRITE_ONCE, read with
 * READ_ONCE, or frozen while the device is exported).  The I/O path never
 * takes it, except MODE SELECT changing the mode pages of a device.
 */
extern struct mutex kt_cfg_mutex;

extern struct workqueue_struct *kt_wq;
extern struct kmem_cache *kt_sess_cache;
extern struct kmem_cache *kt_lun_cache;
extern struct kmem_cache *kt_mlun_cache;
extern char kt_dbroot[KT_PATH_LEN];

/* an HBA directory: core/<backend>_<N>/ */
struct kt_hba {
	struct kt_backend_ops *ops;
	u32 id;
	u32 index;
	int dev_count;		/* devices made under it (kt_cfg_mutex) */
	struct config_group group;
};

/* Unit attention conditions, in the order they are reported. */
enum kt_ua {
	KT_UA_POWER_ON,		/* 29/00 */
	KT_UA_LUN_RESET,	/* 29/03 */
	KT_UA_NEXUS_LOSS,	/* 29/07 */
	KT_UA_CMDS_CLEARED,	/* 2F/00 */
	KT_UA_RES_PREEMPTED,	/* 2A/03 */
	KT_UA_RES_RELEASED,	/* 2A/04 */
	KT_UA_REG_PREEMPTED,	/* 2A/05 */
	KT_UA_MODE_CHANGED,	/* 2A/01 */
	KT_UA_CAPACITY_CHANGED,	/* 2A/09 */
	KT_UA_LUNS_CHANGED,	/* 3F/0E */
	KT_UA_INQUIRY_CHANGED,	/* 3F/03 */
	KT_UA_ALUA_CHANGED,	/* 2A/06 */
	KT_UA_PREV_BUSY,	/* 2C/09, UA_INTLCK_CTRL 11b */
	KT_UA_PREV_TSF,		/* 2C/0A */
	KT_UA_PREV_RC,		/* 2C/0B */
	KT_UA__COUNT
};

/* main.c */
struct kt_backend_ops *kt_backend_get(const char *name);
void kt_backend_put(struct kt_backend_ops *ops);
struct kt_fabric_ops *kt_fabric_ops_get(const char *name);
void kt_fabric_ops_put(struct kt_fabric_ops *ops);
u32 kt_next_dev_index(void);

/* configfs.c: target/ and core/ */
int kt_configfs_init(const char *subsys_name);
void kt_configfs_exit(void);
void kt_dev_set_defaults(struct kt_dev *dev);
bool kt_item_is_dev(struct config_item *item);

/* alua.c: ALUA of each device (configfs, the access check, RTPG, STPG) */
int kt_dev_alua_alloc(struct kt_dev *dev);
void kt_dev_alua_free(struct kt_dev *dev);
int kt_alua_lun_linked(struct kt_lun *lun);
void kt_alua_lun_unlinked(struct kt_lun *lun);
kt_status_t kt_alua_check_cmd(struct kt_cmd *cmd);
u32 kt_alua_nonop_delay(struct kt_cmd *cmd);
void kt_alua_lu_info(struct kt_cmd *cmd, struct kt_lu_info *lu);
kt_status_t kt_alua_setup_rtpg(struct kt_cmd *cmd);
void kt_alua_exec_rtpg(struct kt_cmd *cmd);
kt_status_t kt_alua_setup_stpg(struct kt_cmd *cmd);
void kt_alua_exec_stpg(struct kt_cmd *cmd);
extern struct configfs_subsystem kt_subsys;
extern struct configfs_attribute kt_lun_attr_alua_tg_pt_gp;
extern struct configfs_attribute kt_lun_attr_alua_tg_pt_offline;
extern struct configfs_attribute kt_lun_attr_alua_tg_pt_status;
extern struct configfs_attribute kt_lun_attr_alua_tg_pt_write_md;

/* stat.c */
void kt_stat_dev_groups(struct kt_dev *dev);

/* dev.c: device state shared by configfs and the I/O path */
bool kt_dev_exported(const struct kt_dev *dev);
bool kt_dev_wce(const struct kt_dev *dev);
void kt_dev_ident(struct kt_dev *dev, struct kt_lu_info *lu);
int kt_dev_enable(struct kt_dev *dev);
int kt_dev_control(struct kt_dev *dev, char *opts);
ssize_t kt_dev_info(struct kt_dev *dev, char *page);
void kt_dev_free(struct kt_dev *dev);
extern const struct config_item_type kt_dev_attrib_type;
extern const struct config_item_type kt_dev_wwn_type;
extern const struct config_item_type kt_dev_pr_type;
extern const struct config_item_type kt_dev_alua_type;
extern const struct config_item_type kt_dev_tg_pt_gp_type;
extern const struct config_item_type kt_dev_stat_type;
extern const struct config_item_type kt_dev_action_type;

/* fabric.c: target/<fabric>/ tree */
struct config_group *kt_fabric_make(struct config_group *parent,
				    const char *name);
void kt_fabric_drop(struct config_group *parent, struct config_item *item);

/* tpg.c: LUNs, ACLs, sessions */
struct kt_lun *kt_lun_alloc(struct kt_tpg *tpg, u64 index);
void kt_lun_free(struct kt_lun *lun);
int kt_lun_link(struct kt_lun *lun, struct kt_dev *dev);
void kt_lun_unlink(struct kt_lun *lun);
void kt_mlun_put(struct kt_mapped_lun *mlun);
struct kt_node_acl *kt_acl_alloc(struct kt_tpg *tpg, const char *name,
				 bool dynamic);
void kt_acl_remove(struct kt_node_acl *acl);
struct kt_mapped_lun *kt_mlun_alloc(struct kt_node_acl *acl, u64 mapped);
void kt_mlun_free(struct kt_mapped_lun *mlun);
int kt_mlun_link(struct kt_mapped_lun *mlun, struct kt_lun *lun);
void kt_mlun_unlink(struct kt_mapped_lun *mlun);
struct kt_mapped_lun *kt_sess_lookup_lun(struct kt_session *sess, u64 lun);
int kt_sess_report_luns(struct kt_session *sess, u8 *buf, u32 len, u8 select);

/* ua.c: unit attentions, per session and mapped LUN (I_T_L nexus) */
int kt_ua_sess_init(struct kt_session *sess, struct kt_node_acl *acl);
void kt_ua_sess_exit(struct kt_session *sess);
int kt_ua_map(struct kt_node_acl *acl, u64 mapped);
void kt_ua_unmap(struct kt_node_acl *acl, u64 mapped);
void kt_ua_set(struct kt_session *sess, u64 mapped, enum kt_ua ua);
void kt_ua_sess_all(struct kt_session *sess, enum kt_ua ua);
void kt_ua_acl_all(struct kt_node_acl *acl, enum kt_ua ua);
void kt_ua_lun_others(struct kt_lun *lun, struct kt_session *except,
		      enum kt_ua ua);
void kt_ua_dev_others(struct kt_dev *dev, struct kt_session *except,
		      enum kt_ua ua);
bool kt_ua_check(struct kt_cmd *cmd);
u8 kt_ua_intlck(const struct kt_dev *dev);
void kt_ua_status(struct kt_cmd *cmd, kt_status_t status);
bool kt_ua_pop(struct kt_cmd *cmd, u8 *asc, u8 *ascq);
unsigned int kt_ua_peek(struct kt_session *sess, u64 mapped, u8 *asc,
			u8 *ascq);

/* taskset.c: task attribute order in each device's task set */
void kt_ts_init(struct kt_dev *dev);
void kt_ts_enter(struct kt_cmd *cmd);
bool kt_ts_leave(struct kt_cmd *cmd);
bool kt_ts_park(struct kt_cmd *cmd);

/* Whose ACA condition holds a logical unit, seen from one I_T nexus */
enum kt_aca_holder { KT_ACA_NONE, KT_ACA_MINE, KT_ACA_OTHER };

kt_status_t kt_ts_aca_check(struct kt_cmd *cmd);
void kt_ts_aca_fault(struct kt_cmd *cmd);
enum kt_aca_holder kt_ts_aca_holder(struct kt_dev *dev,
				    const struct kt_session *sess,
				    const struct kt_lun *lun);
void kt_ts_aca_end(struct kt_dev *dev, u64 sid, int rtpi);
void kt_ts_aca_sess_gone(struct kt_session *sess);
void kt_ts_aca_sess_ending(struct kt_session *sess);

/* tmr.c */
void kt_tmr_abort_done(struct kt_cmd *cmd);
void kt_tmr_abort_lun_tasks(struct kt_session *s, struct kt_lun *lun,
			    struct kt_cmd *except);
bool kt_tmr_wait_dev(struct kt_dev *dev);
void kt_tmr_exec_rstmf(struct kt_cmd *cmd);

/* pr.c: persistent reservations */
kt_status_t kt_pr_check_cmd(struct kt_cmd *cmd);
void kt_pr_lun_unlinked(struct kt_dev *dev, struct kt_lun *lun);
kt_status_t kt_spc_setup_pr(struct kt_cmd *cmd);
void kt_spc_pr_in(struct kt_cmd *cmd);
void kt_spc_pr_out(struct kt_cmd *cmd);

/* dbfile.c: files under dbroot, replaced atomically */
bool kt_dbfile_name_ok(const char *name);
int kt_dbfile_replace(const char *rel, const char *name, const char *text,
		      u32 len);
int kt_dbfile_read(const char *rel, const char *name, u32 max, char **text,
		   u32 *len);
const char *kt_fabric_lio_name(const struct kt_tpg *tpg);

/* alua_file.c: ALUA metadata files under <dbroot>/alua */
int kt_alua_file_write_tpg(struct kt_tg_pt_gp *gp, u8 state, u8 status);
int kt_alua_file_read_tpg(struct kt_tg_pt_gp *gp, struct kt_alua_md_tpg *m);
int kt_alua_file_write_lun(struct kt_lun *lun, bool offline, u8 status);
int kt_alua_file_read_lun(struct kt_lun *lun, struct kt_alua_md_lun *m);

/* pr_file.c: the PR state's memory and its APTPL file */
int kt_dev_pr_alloc(struct kt_dev *dev);
void kt_dev_pr_free(struct kt_dev *dev);
void kt_pr_begin(struct kt_dev *dev);
void kt_pr_commit(struct kt_dev *dev);
int kt_pr_persist(struct kt_dev *dev, const struct kt_pr_state *st);
void kt_pr_lun_linked(struct kt_lun *lun);
int kt_pr_set_aside(struct kt_dev *dev, struct kt_lun *lun, int slot);
int kt_pr_metadata_add(struct kt_dev *dev, const char *page, size_t count);

/* reserve.c: SPC-2 RESERVE and RELEASE */
kt_status_t kt_res_check_cmd(struct kt_cmd *cmd);
kt_status_t kt_spc_setup_res(struct kt_cmd *cmd);
void kt_spc_reserve(struct kt_cmd *cmd);
void kt_spc_release(struct kt_cmd *cmd);
void kt_res_lun_reset(struct kt_dev *dev);
void kt_res_sess_gone(struct kt_session *sess);
void kt_res_lun_gone(struct kt_lun *lun);

/* cmd.c */
bool kt_cmd_tmr_abort(struct kt_cmd *cmd, bool tas);
bool kt_cmd_tmr_live(const struct kt_cmd *cmd);
void kt_cmd_lun_gone(struct kt_cmd *cmd);
void kt_cmd_complete(struct kt_cmd *cmd, kt_status_t status);
void kt_cmd_copy_to_sgl(struct kt_cmd *cmd, const void *buf, u32 len);
u32 kt_cmd_copy_from_sgl(struct kt_cmd *cmd, void *buf, u32 len);
u8 *kt_cmd_copy_param_list(struct kt_cmd *cmd, kt_status_t *status);
void kt_cmd_exec_param_list(struct kt_cmd *cmd,
			    kt_status_t (*apply)(struct kt_cmd *cmd,
						 const u8 *buf, u32 len));
kt_status_t kt_cmd_alloc_aux(struct kt_cmd *cmd, u32 len);
bool kt_cmd_use_desc_sense(const struct kt_cmd *cmd);
void kt_cmd_bad_cdb(struct kt_cmd *cmd, u16 field, int bit);
void kt_cmd_bad_param(struct kt_cmd *cmd, u16 field, int bit);

/*
 * ops.c: the commands the core emulates, one row each, indexed by the
 * decoder's enum kt_op.  Preparing a command sets ->execute from its row,
 * sizes byte-counted data as min(allocation length, @max_data), then
 * runs @setup (NULL: nothing more to check), which checks what the CDB
 * and the LUN allow and may size the data itself.  @max_data also bounds
 * the buffer: a 32-bit allocation length never sizes one alone.  @pr is
 * how the command fares under another nexus's persistent reservation
 * (setup may refine it in cmd->pr_class from the CDB's fields), @res
 * under an SPC-2 reservation (zero, KT_RES_CLS_CONFLICT: another
 * nexus's command conflicts), @alua in which states of the target
 * port group it came through it runs (zero, KT_ALUA_CLS_OTHER: active
 * states only).
 */
struct kt_op_def {
	void (*execute)(struct kt_cmd *cmd);
	kt_status_t (*setup)(struct kt_cmd *cmd);
	u32 max_data;
	unsigned int flags;
	enum kt_pr_class pr;
	enum kt_res_class res;
	enum kt_alua_class alua;
};

#define KT_OPF_NO_LUN		BIT(0)	/* runs on a LUN the session lacks */
#define KT_OPF_WLUN		BIT(1)	/* runs on the REPORT LUNS W-LUN */
#define KT_OPF_UA_EXEMPT	BIT(2)	/* not stopped by a unit attention */
#define KT_OPF_WRITES		BIT(3)	/* changes the medium */

extern const struct kt_op_def kt_op_defs[KT_OP__COUNT];

static inline const struct kt_op_def *kt_op_def(const struct kt_cmd *cmd)
{
	return &kt_op_defs[cmd->d.op];
}

/* spc.c: commands of every device type; their setup and execute */
typedef u32 (*kt_build_fn)(struct kt_cmd *cmd, const void *ctx, u8 *buf,
			   u32 cap);
void kt_spc_build_reply(struct kt_cmd *cmd, kt_build_fn build,
			const void *ctx);
void kt_spc_good(struct kt_cmd *cmd);
void kt_spc_inquiry(struct kt_cmd *cmd);
kt_status_t kt_spc_setup_inquiry(struct kt_cmd *cmd);
void kt_spc_request_sense(struct kt_cmd *cmd);
void kt_spc_report_luns(struct kt_cmd *cmd);
kt_status_t kt_spc_setup_report_luns(struct kt_cmd *cmd);
void kt_spc_mode_sense(struct kt_cmd *cmd);
void kt_spc_mode_select(struct kt_cmd *cmd);
kt_status_t kt_spc_setup_mode_select(struct kt_cmd *cmd);

/* sbc.c: block commands */
void kt_sbc_rw(struct kt_cmd *cmd);
void kt_sbc_verify(struct kt_cmd *cmd);
void kt_sbc_write_verify(struct kt_cmd *cmd);
kt_status_t kt_sbc_setup_media(struct kt_cmd *cmd);
void kt_sbc_sync_cache(struct kt_cmd *cmd);
kt_status_t kt_sbc_check_range(struct kt_cmd *cmd);
void kt_sbc_read_capacity10(struct kt_cmd *cmd);
void kt_sbc_read_capacity16(struct kt_cmd *cmd);
kt_status_t kt_sbc_setup_start_stop(struct kt_cmd *cmd);
kt_status_t kt_sbc_setup_prevent_allow(struct kt_cmd *cmd);
kt_status_t kt_sbc_check_protect(struct kt_cmd *cmd);
u8 kt_sbc_lbp(const struct kt_dev *dev);

/* lbp.c: logical block provisioning: UNMAP, WRITE SAME */
kt_status_t kt_lbp_setup_unmap(struct kt_cmd *cmd);
void kt_lbp_unmap(struct kt_cmd *cmd);
kt_status_t kt_lbp_setup_write_same(struct kt_cmd *cmd);
void kt_lbp_write_same(struct kt_cmd *cmd);

#endif /* KTARGET_CORE_H */
