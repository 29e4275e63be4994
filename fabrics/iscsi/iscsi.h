/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private header of ktarget_iscsi, the iSCSI fabric (RFC 7143).
 *
 * Objects:
 *   kti_tiqn     iscsi/<iqn>/            (embeds kt_wwn)
 *   kti_tpg      iscsi/<iqn>/tpgt_N/     (embeds kt_tpg)
 *   kti_tpg_np   tpgt_N/np/<ip:port>/    a TPG's portal
 *   kti_np       one listening socket, shared by every kti_tpg_np with the
 *                same address
 *   kti_acl      tpgt_N/acls/<initiator>/ (embeds kt_node_acl)
 *   kti_sess     an iSCSI session (embeds nothing; owns a kt_session)
 *   kti_conn     one TCP connection of a session
 *   kti_cmd      one task (SCSI command, TMF, NOP, text, logout)
 */
#ifndef KTARGET_ISCSI_H
#define KTARGET_ISCSI_H

#include <linux/socket.h>
#include <linux/net.h>
#include <linux/kthread.h>
#include <ktarget/ktarget.h>
#include "wire/iscsi_wire.h"

#define KTI_IQN_LEN		224	/* RFC 7143: 223 bytes + NUL */
#define KTI_AUTH_LEN		256	/* auth/ strings: 255 + NUL */

/*
 * kti_mutex protects the list of targets (kti_tiqns), the list of
 * listening sockets (kti_nps), each TPG's portal list and the discovery
 * auth settings.  Login takes it briefly to find a target and TPG.
 */
extern struct mutex kti_mutex;
extern struct list_head kti_tiqns;

/* CHAP credentials (auth/ and discovery_auth/); "" means unset */
struct kti_auth {
	char userid[KTI_AUTH_LEN];
	char password[KTI_AUTH_LEN];
	char userid_mutual[KTI_AUTH_LEN];
	char password_mutual[KTI_AUTH_LEN];
};

/* tpgt_N/attrib/ (LIO's names and defaults) */
struct kti_tpg_attrib {
	u32 authentication;		/* 1 */
	u32 login_timeout;		/* 15, 5-30 s */
	u32 netif_timeout;		/* 2, 2-15 s */
	u32 generate_node_acls;		/* 0 */
	u32 default_cmdsn_depth;	/* 64, 1-512 */
	u32 cache_dynamic_acls;		/* 0 */
	u32 demo_mode_write_protect;	/* 1 */
	u32 prod_mode_write_protect;	/* 0 */
	u32 demo_mode_discovery;	/* 1 */
	u32 default_erl;		/* 0, 0-2 */
	u32 t10_pi;			/* 0 */
	u32 fabric_prot_type;		/* 0 */
	u32 tpg_enabled_sendtargets;	/* 1 */
	u32 login_keys_workaround;	/* 1 */
};

/* acls/<initiator>/attrib/ */
struct kti_acl_attrib {
	u32 dataout_timeout;		/* 3, 2-60 s */
	u32 dataout_timeout_retries;	/* 5, 1-15 */
	u32 default_erl;		/* 0, 0-2 */
	u32 nopin_timeout;		/* 15, 3-60 s */
	u32 nopin_response_timeout;	/* 30, 3-60 s */
	u32 random_datain_pdu_offsets;	/* 0 */
	u32 random_datain_seq_offsets;	/* 0 */
	u32 random_r2t_offsets;		/* 0 */
	s32 authentication;		/* -1 = inherit from the TPG, 0, 1 */
	u32 tmr_warm_reset;		/* 0; 1: may TARGET WARM RESET */
	u32 tmr_cold_reset;		/* 0; 1: may TARGET COLD RESET */
};

struct kti_tiqn {
	struct kt_wwn wwn;
	struct list_head entry;		/* in kti_tiqns, under kti_mutex */
	struct list_head tpgs;		/* kti_tpg.entry, under kti_mutex */
	u32 index;
	struct work_struct drop_work;	/* ends its sessions (cold reset) */
};

struct kti_tpg {
	struct kt_tpg tpg;
	struct kti_tiqn *tiqn;
	struct list_head entry;		/* in tiqn->tpgs, under kti_mutex */
	struct list_head nps;		/* kti_tpg_np.entry, under kti_mutex */
	struct kti_tpg_attrib attrib;	/* under kt_tpg configfs writes */
	struct kti_auth auth;
	/* configured operational keys (param/), as text */
	char param[KTI_KEY__COUNT][KTI_VAL_LEN];
	/*
	 * sess_mutex protects @open, @sessions and @logins.  A session is
	 * listed, or a connection joins one, only while @open is true, both
	 * checked under it: enable=0 and rmdir clear @open under it and then
	 * end whatever is listed, so no login completes after them.
	 */
	struct mutex sess_mutex;
	bool open;			/* enabled and not being removed */
	struct list_head sessions;	/* kti_sess.tpg_entry */
	struct list_head logins;	/* kti_conn.tpg_login_entry */
	struct work_struct close_work;	/* enable=0: kti_tpg_close_sessions */
	/*
	 * One reference for configfs, one per login that found the TPG,
	 * per session and per target reset using it; the last one frees
	 * the TPG (rmdir waits for it through @gone).
	 */
	struct kref ref;
	struct completion *gone;
};

/* a listening TCP socket */
struct kti_np {
	struct sockaddr_storage addr;
	struct socket *sock;
	struct task_struct *thread;
	int users;			/* kti_tpg_np using it, under kti_mutex */
	struct list_head entry;		/* in kti_nps, under kti_mutex */
	/* connections in login through this portal (Resource bounds) */
	struct mutex login_mutex;	/* protects @logins, @nr_logins, @closed */
	struct list_head logins;	/* kti_conn.np_login_entry */
	unsigned int nr_logins;
	bool closed;			/* no more logins: listener closed */
	struct kref ref;		/* kti_np_get/put users + connections */
};

struct kti_tpg_np {
	struct config_group group;
	struct kti_tpg *tpg;
	struct kti_np *np;
	struct list_head entry;		/* in tpg->nps, under kti_mutex */
	u32 iser;
	u32 cxgbit;
};

struct kti_acl {
	struct kt_node_acl acl;		/* must be first */
	struct kti_acl_attrib attrib;
	struct kti_auth auth;
};

static inline struct kti_tpg *kti_tpg(struct kt_tpg *tpg)
{
	return container_of(tpg, struct kti_tpg, tpg);
}

static inline struct kti_tiqn *kti_tiqn(struct kt_wwn *wwn)
{
	return container_of(wwn, struct kti_tiqn, wwn);
}

static inline struct kti_acl *kti_acl(struct kt_node_acl *acl)
{
	return container_of(acl, struct kti_acl, acl);
}

/* configfs.c */
extern struct kt_fabric_ops kti_fabric_ops;
extern struct kti_auth kti_discovery_auth;
extern u32 kti_enforce_discovery_auth;
void kti_tpg_set_defaults(struct kti_tpg *tpg);
void kti_acl_set_defaults(struct kti_acl *acl);
struct config_group *kti_np_make(struct kt_tpg *tpg, const char *name);
void kti_np_drop(struct kt_tpg *tpg, struct config_group *group);
void kti_cpus_allowed(struct cpumask *mask);
/* session.c / cmd.c (the lead's): used by configfs.c */
void kti_queue_response(struct kt_cmd *cmd);
int kti_write_pending(struct kt_cmd *cmd);
void kti_release_cmd(struct kt_cmd *cmd);
void kti_tpg_stop(struct kti_tpg *tpg);
void kti_tpg_close_sessions(struct kti_tpg *tpg);
void kti_acl_close_sessions(struct kt_node_acl *kacl);
ssize_t kti_acl_info(struct kti_acl *acl, char *page);
ssize_t kti_acl_param(struct kti_acl *acl, enum kti_key key, char *page);
int kti_tpg_dynamic_sessions(struct kti_tpg *tpg, char *page);
/* target.c */
void kti_target_drop_work(struct work_struct *work);

/* np.c: listening sockets */
int kti_np_parse(const char *name, struct sockaddr_storage *ss);
struct kti_np *kti_np_get(const struct sockaddr_storage *ss);
void kti_np_put(struct kti_np *np);
void kti_np_unref(struct kti_np *np);

/* TPG references (configfs.c) */
void kti_tpg_get(struct kti_tpg *tpg);
void kti_tpg_put(struct kti_tpg *tpg);

#endif /* KTARGET_ISCSI_H */
