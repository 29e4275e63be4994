/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPC-4 persistent reservations as pure code (see wire.h): the state of
 * one logical unit's registrations and reservation, PERSISTENT RESERVE
 * OUT and IN, TransportIDs and the reservation conflict check.
 *
 * The caller allocates struct kt_pr_state (one per device), serialises
 * every call on it with its own lock and applies what a PR OUT reports
 * in struct kt_pr_effects (unit attentions, aborted tasks, APTPL file)
 * after the call, still under that lock if the slots' nexuses are read.
 * Nothing here allocates, sleeps or logs.
 */
#ifndef KTARGET_PR_H
#define KTARGET_PR_H

#include "wire.h"

/* Registrations one logical unit holds (one per I_T nexus) */
#define KT_PR_MAX_REGS		128
/* An iSCSI name is at most 223 bytes (RFC 7143); binary names are 8-16 */
#define KT_PR_NAME_MAX		223
/* The longest TransportID taken or produced: iSCSI, name and ISID */
#define KT_PR_TID_MAX		256
/*
 * The longest PERSISTENT RESERVE OUT parameter list that can succeed: a
 * longer one names more initiator ports than there are registrations,
 * so a caller refuses it before any Data-Out with KT_S_PR_NO_RESOURCES.
 */
#define KT_PR_OUT_MAX		(28 + KT_PR_MAX_REGS * KT_PR_TID_MAX)
/* The longest PERSISTENT RESERVE IN data (READ FULL STATUS) */
#define KT_PR_IN_MAX		(8 + KT_PR_MAX_REGS * (24 + KT_PR_TID_MAX))

/* PROTOCOL IDENTIFIER of a TransportID (SPC-4 table 362) */
#define KT_PR_PROTO_FC		0x0
#define KT_PR_PROTO_SBP		0x3
#define KT_PR_PROTO_SRP		0x4
#define KT_PR_PROTO_ISCSI	0x5
#define KT_PR_PROTO_SAS		0x6

/* Service actions of PERSISTENT RESERVE OUT (SPC-4 6.16.2, SPC-5) */
#define KT_PRO_REGISTER			0x00
#define KT_PRO_RESERVE			0x01
#define KT_PRO_RELEASE			0x02
#define KT_PRO_CLEAR			0x03
#define KT_PRO_PREEMPT			0x04
#define KT_PRO_PREEMPT_AND_ABORT	0x05
#define KT_PRO_REGISTER_IGNORE		0x06
#define KT_PRO_REGISTER_AND_MOVE	0x07
#define KT_PRO_REPLACE_LOST		0x08

/* Service actions of PERSISTENT RESERVE IN (SPC-4 6.15.1) */
#define KT_PRI_READ_KEYS		0x00
#define KT_PRI_READ_RESERVATION		0x01
#define KT_PRI_REPORT_CAPABILITIES	0x02
#define KT_PRI_READ_FULL_STATUS		0x03

/* Reservation types (SPC-4 table 167); scope is always LU_SCOPE (0) */
#define KT_PR_WR_EX		0x1
#define KT_PR_EX_AC		0x3
#define KT_PR_WR_EX_RO		0x5
#define KT_PR_EX_AC_RO		0x6
#define KT_PR_WR_EX_AR		0x7
#define KT_PR_EX_AC_AR		0x8
#define KT_PR_LU_SCOPE		0x0

/*
 * Unit attentions a PR OUT posts, as the ASCQ under ASC 2Ah
 * (RESERVATIONS PREEMPTED, RESERVATIONS RELEASED, REGISTRATIONS
 * PREEMPTED); 0 is none.
 */
#define KT_PR_UA_NONE			0x00
#define KT_PR_UA_RES_PREEMPTED		0x03
#define KT_PR_UA_RES_RELEASED		0x04
#define KT_PR_UA_REG_PREEMPTED		0x05
#define KT_PR_UA_ASC			0x2a

/**
 * struct kt_pr_tid - an initiator port, from its TransportID, normalised
 * @proto: PROTOCOL IDENTIFIER (KT_PR_PROTO_*)
 * @len: bytes of @id in use
 * @has_isid: iSCSI: @isid is known (format 01h); name-only otherwise
 * @isid: iSCSI: the ISID (48 bits)
 * @id: the iSCSI name (no NUL, compared ignoring ASCII case) or the
 *	binary port name: FC N_Port_Name, SAS address, IEEE 1394 EUI-64
 *	(8 bytes), SRP initiator port identifier (16 bytes)
 *
 * Keeping the ISID apart lets enforce_pr_isids=0 match on the name only.
 */
struct kt_pr_tid {
	u8 proto;
	u8 len;
	bool has_isid;
	u64 isid;
	u8 id[KT_PR_NAME_MAX];
};

/**
 * struct kt_pr_nexus - an I_T nexus as persistent reservations see it
 * @init: the initiator port
 * @rtpi: relative target port identifier of the target port
 *
 * The core fills one from a session (its initiator port identity) and
 * the port of the LUN the command came through.
 */
struct kt_pr_nexus {
	struct kt_pr_tid init;
	u16 rtpi;
};

/**
 * struct kt_pr_reg - one registration slot
 * @nexus: the registered I_T nexus (kept after the slot is freed, until
 *	the next PR OUT, so unit attentions can still be posted to it)
 * @key: its reservation key (never 0 while @used)
 * @used: the slot holds a registration
 * @all_tg_pt: made by a registration with ALL_TG_PT set
 */
struct kt_pr_reg {
	struct kt_pr_nexus nexus;
	u64 key;
	bool used;
	bool all_tg_pt;
};

/**
 * struct kt_pr_state - persistent reservations of one logical unit
 * @generation: PRGENERATION
 * @enforce_isids: attrib enforce_pr_isids: an iSCSI nexus includes its
 *	ISID (change it only while nothing is registered)
 * @force_aptpl: attrib force_pr_aptpl: act as if APTPL were always set
 * @aptpl: the last valid APTPL bit (or @force_aptpl): the state persists
 * @lost: the caller lost the persistent state (e.g. its APTPL file did
 *	not restore); only REPLACE LOST RESERVATION clears it
 * @reserved: a persistent reservation exists
 * @type: its TYPE (KT_PR_WR_EX...)
 * @scope: its SCOPE (KT_PR_LU_SCOPE)
 * @holder: slot of the holder, unless @type is an all registrants type
 *	(then every registrant holds it)
 * @nregs: slots in use
 * @regs: the registrations
 *
 * Zero (kt_pr_init()) is a logical unit with nothing registered.  About
 * 33 KiB: allocate it with the device, not on a stack.
 */
struct kt_pr_state {
	u32 generation;
	bool enforce_isids;
	bool force_aptpl;
	bool aptpl;
	bool lost;
	bool reserved;
	u8 type;
	u8 scope;
	u16 holder;
	u16 nregs;
	struct kt_pr_reg regs[KT_PR_MAX_REGS];
};

/**
 * struct kt_pr_out_req - one PERSISTENT RESERVE OUT command
 * @nexus: the I_T nexus it came through
 * @sa: SERVICE ACTION (CDB byte 1)
 * @scope: SCOPE (CDB byte 2, bits 7-4)
 * @type: TYPE (CDB byte 2, bits 3-0)
 * @param: the parameter list, @len bytes (the PARAMETER LIST LENGTH)
 * @len: PARAMETER LIST LENGTH
 * @ports: relative target port ids of every target port through which
 *	the logical unit is reachable (ALL_TG_PT, REGISTER AND MOVE)
 * @nports: entries in @ports
 */
struct kt_pr_out_req {
	const struct kt_pr_nexus *nexus;
	u8 sa;
	u8 scope;
	u8 type;
	const u8 *param;
	u32 len;
	const u16 *ports;
	unsigned int nports;
};

/**
 * struct kt_pr_effects - what the caller does after a PR OUT
 * @ua: per slot of kt_pr_state.regs, the unit attention to establish for
 *	that slot's I_T nexus (KT_PR_UA_*, ASC KT_PR_UA_ASC); never set for
 *	the nexus the command came through.  A slot freed by this command
 *	keeps its nexus and is not reused by it.
 * @abort: per slot, PREEMPT AND ABORT: abort every task of that nexus
 * @abort_self: PREEMPT AND ABORT: abort the other tasks of the nexus the
 *	command came through (its key was the one preempted)
 * @save: the state to persist changed: write the APTPL file if
 *	kt_pr_state.aptpl, else remove it
 * @err_valid: on an ILLEGAL REQUEST, @err_* point at the bad field
 * @err_cdb: the bad field is in the CDB (else in the parameter list)
 * @err_bit_valid: @err_bit is meaningful
 * @err_bit: bit of the bad field
 * @err_field: byte of the bad field
 */
struct kt_pr_effects {
	u8 ua[KT_PR_MAX_REGS];
	bool abort[KT_PR_MAX_REGS];
	bool abort_self;
	bool save;
	bool err_valid;
	bool err_cdb;
	bool err_bit_valid;
	u8 err_bit;
	u16 err_field;
};

/**
 * enum kt_pr_class - how a command fares under a persistent reservation
 * held by another I_T nexus (SPC-4 table 169, SBC-3 table 13).  A
 * holder (under the all registrants types, every registrant) runs every
 * class; under the registrants only types another registrant runs every
 * class but KT_PR_CLS_HOLDER.
 * @KT_PR_CLS_ALLOWED: never conflicts (INQUIRY, REPORT LUNS, REQUEST
 *	SENSE, TEST UNIT READY, READ CAPACITY, PR IN; PR OUT, which checks
 *	its own key)
 * @KT_PR_CLS_READ: conflicts under the exclusive access types; allowed
 *	under the write exclusive ones (READ, VERIFY, MODE SENSE, ...)
 * @KT_PR_CLS_WRITE: conflicts under every type (WRITE, MODE SELECT,
 *	SYNCHRONIZE CACHE, ...)
 * @KT_PR_CLS_HOLDER: RESERVE/RELEASE (6)/(10): allowed to a holder only
 *	(compatible reservation handling: the caller completes them as a
 *	no-op), a conflict for everyone else, registered or not
 */
enum kt_pr_class {
	KT_PR_CLS_ALLOWED,
	KT_PR_CLS_READ,
	KT_PR_CLS_WRITE,
	KT_PR_CLS_HOLDER,
};

/* kt_pr_init - no registrations, no reservation, generation 0 */
void kt_pr_init(struct kt_pr_state *s);

/*
 * kt_pr_tid_iscsi - the initiator port of an iSCSI session: @name (a C
 * string) and, if @has_isid, its ISID.  -EINVAL if @name is empty or
 * longer than KT_PR_NAME_MAX.
 */
int kt_pr_tid_iscsi(struct kt_pr_tid *t, const char *name, bool has_isid,
		    u64 isid);

/*
 * kt_pr_tid_binary - an FC, SAS, SBP or SRP initiator port from its
 * binary name (8 bytes; 16 for SRP).  -EINVAL for another length/proto.
 */
int kt_pr_tid_binary(struct kt_pr_tid *t, u8 proto, const u8 *id,
		     unsigned int len);

/*
 * kt_pr_tid_decode - decode the TransportID at @buf (at most @len bytes)
 * into @t.  KT_OK with *@used set to its length; KT_S_PARAM_LIST_LENGTH
 * if it runs past @len; KT_S_INVALID_FIELD_PARAM if it is malformed or of
 * a protocol we do not know.
 */
kt_status_t kt_pr_tid_decode(const u8 *buf, u32 len, struct kt_pr_tid *t,
			     u32 *used);

/*
 * kt_pr_tid_encode - the TransportID of @t (format 01h for an iSCSI port
 * with an ISID) into at most @cap bytes of @buf; returns its full length.
 */
u32 kt_pr_tid_encode(const struct kt_pr_tid *t, u8 *buf, u32 cap);

/* kt_pr_nexus_match - @a and @b are one I_T nexus (ISIDs if @isids) */
bool kt_pr_nexus_match(const struct kt_pr_nexus *a,
		       const struct kt_pr_nexus *b, bool isids);

/* kt_pr_find - slot of @n's registration, or -1 */
int kt_pr_find(const struct kt_pr_state *s, const struct kt_pr_nexus *n);

/* kt_pr_is_holder - the registration in @slot holds the reservation */
bool kt_pr_is_holder(const struct kt_pr_state *s, int slot);

/*
 * kt_pr_out - carry out a PERSISTENT RESERVE OUT.  @fx is cleared and
 * filled in; on any status but KT_OK the state is left as it was.
 */
kt_status_t kt_pr_out(struct kt_pr_state *s, const struct kt_pr_out_req *req,
		      struct kt_pr_effects *fx);

/*
 * kt_pr_in - PERSISTENT RESERVE IN data for service action @sa into at
 * most @cap bytes of @buf (NULL if @cap is 0), zeroing what it does not
 * set.  Returns KT_OK with *@full set to the length of the whole data,
 * or KT_S_INVALID_FIELD_CDB for an unknown service action.
 */
kt_status_t kt_pr_in(const struct kt_pr_state *s, u8 sa, u8 *buf, u32 cap,
		     u32 *full);

/*
 * kt_pr_check - may a command of class @cls from @n run?  KT_OK or
 * KT_S_RESERVATION_CONFLICT.
 */
kt_status_t kt_pr_check(const struct kt_pr_state *s,
			const struct kt_pr_nexus *n, enum kt_pr_class cls);

/*
 * kt_pr_drop - remove @n's registration outside any PR OUT (its ACL or
 * LUN mapping went away), releasing a reservation it held as an
 * unregistration would.  @fx gets the unit attentions and @fx->save.
 * I_T nexus loss and LUN reset need no call: they do not touch PR state.
 */
void kt_pr_drop(struct kt_pr_state *s, const struct kt_pr_nexus *n,
		struct kt_pr_effects *fx);

/* ------------------------------------------------------------------ */
/* APTPL metadata in LIO's text formats (core/wire/aptpl.c)           */
/* ------------------------------------------------------------------ */

/*
 * What a system moving from LIO brings along when APTPL was active: the
 * file LIO writes to <dbroot>/pr/aptpl_<unit_serial>, one block per
 * registration,
 *
 *	PR_REG_START: <n>
 *	initiator_fabric=<name>
 *	initiator_node=<name>
 *	initiator_sid=<12 hex digits>		(only with an ISID)
 *	sa_res_key=<decimal>
 *	res_holder=<0|1>
 *	res_type=<2 hex digits>			(only if res_holder=1)
 *	res_scope=<2 hex digits>		(only if res_holder=1)
 *	res_all_tg_pt=<0|1>
 *	mapped_lun=<decimal>
 *	target_fabric=<name>
 *	target_node=<name>
 *	tpgt=<decimal>
 *	port_rtpi=<decimal>
 *	target_lun=<decimal>
 *	PR_REG_END: <n>
 *
 * (or "No Registrations or Reservations" when there is none), and the
 * lines rtslib writes into pr/res_aptpl_metadata, one per registration:
 * the same key=value pairs joined with commas.  Nothing here allocates,
 * sleeps or logs.
 */

/* A fabric name in the metadata ("iSCSI", "loopback", ...) */
#define KT_APTPL_FABRIC_MAX	32
/* One block at most (about 810 bytes with the longest names) */
#define KT_APTPL_REG_MAX	1024
/* The longest file kt_aptpl_encode() produces */
#define KT_APTPL_MAX		(KT_PR_MAX_REGS * KT_APTPL_REG_MAX)
/* The text of a file without registrations */
#define KT_APTPL_EMPTY		"No Registrations or Reservations"

/**
 * struct kt_aptpl_port - what the file says about a registration that
 * the PR state does not know: the caller's view of its I_T nexus
 * @init_fabric: fabric name of the initiator's session ("iSCSI")
 * @target_fabric: fabric name of the target port ("iSCSI")
 * @target_node: the target's name (an IQN for iSCSI)
 * @tpgt: target portal group tag of the port
 * @mapped_lun: the LUN the initiator sees (its ACL's mapped LUN)
 * @target_lun: the LUN in the TPG
 *
 * The strings are C strings of 1 to KT_APTPL_FABRIC_MAX (fabrics) or
 * KT_PR_NAME_MAX (node) bytes without spaces, control characters or
 * commas.
 */
struct kt_aptpl_port {
	const char *init_fabric;
	const char *target_fabric;
	const char *target_node;
	u16 tpgt;
	u64 mapped_lun;
	u64 target_lun;
};

/**
 * struct kt_aptpl_reg - one registration read back from the metadata
 * @init_fabric: initiator_fabric, "" if absent
 * @init_node: initiator_node (a C string)
 * @has_isid: initiator_sid was given
 * @isid: its value (48 bits)
 * @key: sa_res_key (never 0)
 * @holder: res_holder=1: this registration holds the reservation
 * @type: res_type (KT_PR_WR_EX...), if @holder
 * @scope: res_scope (KT_PR_LU_SCOPE), if @holder
 * @all_tg_pt: res_all_tg_pt
 * @mapped_lun: mapped_lun
 * @target_fabric: target_fabric, "" if absent
 * @target_node: target_node
 * @tpgt: tpgt
 * @rtpi: port_rtpi
 * @target_lun: target_lun
 */
struct kt_aptpl_reg {
	char init_fabric[KT_APTPL_FABRIC_MAX + 1];
	char init_node[KT_PR_NAME_MAX + 1];
	bool has_isid;
	u64 isid;
	u64 key;
	bool holder;
	u8 type;
	u8 scope;
	bool all_tg_pt;
	u64 mapped_lun;
	char target_fabric[KT_APTPL_FABRIC_MAX + 1];
	char target_node[KT_PR_NAME_MAX + 1];
	u16 tpgt;
	u16 rtpi;
	u64 target_lun;
};

/*
 * kt_aptpl_encode - the APTPL file of @s into at most @cap bytes of @buf
 * (no NUL; NULL if @cap is 0).  @ports has KT_PR_MAX_REGS entries, one
 * per slot of @s->regs (only those of used slots are read).  Returns
 * the length of the whole text (at most KT_APTPL_MAX), or 0 if a used
 * slot's port strings are missing or unfit for the format.
 */
u32 kt_aptpl_encode(const struct kt_pr_state *s,
		    const struct kt_aptpl_port *ports, char *buf, u32 cap);

/*
 * kt_aptpl_reg_of - the record of the registration in @slot of @s on the
 * port @p, as the file would carry it (a registration set aside until
 * its port exists again).  0 or -EINVAL.
 */
int kt_aptpl_reg_of(const struct kt_pr_state *s, int slot,
		    const struct kt_aptpl_port *p, struct kt_aptpl_reg *r);

/*
 * kt_aptpl_encode_reg - block @n of an APTPL file for the record @r (one
 * not applied yet, kept so that a rewrite of the file does not lose it)
 * into at most @cap bytes of @buf; returns the block's full length, or 0
 * if a name in @r is unfit for the format.
 */
u32 kt_aptpl_encode_reg(const struct kt_aptpl_reg *r, u32 n, char *buf,
			u32 cap);

/*
 * kt_aptpl_parse_line - one pr/res_aptpl_metadata write (@len bytes at
 * @buf, one trailing newline allowed) into @r.  0, or -EINVAL (syntax,
 * unknown, repeated or missing token), -ERANGE (a number out of range),
 * -ENAMETOOLONG (a name too long), with *@err_off the byte offset of
 * the offending token (of the end of the input for a missing one).
 */
int kt_aptpl_parse_line(const char *buf, u32 len, struct kt_aptpl_reg *r,
			u32 *err_off);

/*
 * kt_aptpl_parse_file - the blocks of an APTPL file into @regs (room for
 * @max).  0 with *@nregs set, or the errors of kt_aptpl_parse_line(),
 * -EINVAL for a broken block structure (truncated too), -ENOSPC for more
 * than @max blocks; *@err_off is then where the trouble starts.
 */
int kt_aptpl_parse_file(const char *buf, u32 len, struct kt_aptpl_reg *regs,
			unsigned int max, unsigned int *nregs, u32 *err_off);

/*
 * kt_aptpl_tid - the initiator port of @r for a fabric of protocol
 * @proto (KT_PR_PROTO_*): the iSCSI name and ISID, or a binary name
 * written as hex digits, optionally after "naa." or "0x" and with colons
 * between bytes.  0 or -EINVAL.
 */
int kt_aptpl_tid(const struct kt_aptpl_reg *r, u8 proto, struct kt_pr_tid *t);

/*
 * kt_aptpl_apply - register @r in @s on the target port @rtpi (the
 * caller's port for @r's target_fabric, target_node and tpgt) and, if it
 * is the holder, reserve.  PRGENERATION is not touched and APTPL is set.
 * 0; -EINVAL for a record pr.c cannot hold; -EEXIST if the nexus is
 * registered; -ENOSPC if @s is full; -EBUSY if it would make a second
 * holder.  @s is unchanged on error.
 */
int kt_aptpl_apply(struct kt_pr_state *s, const struct kt_aptpl_reg *r,
		   u8 proto, u16 rtpi);

#endif /* KTARGET_PR_H */
