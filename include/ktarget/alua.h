/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPC-4 asymmetric logical unit access (ALUA) as pure code (see wire.h):
 * the target port groups of one logical unit, the access check of a
 * command by the state of the group it came through, REPORT TARGET PORT
 * GROUPS data, the SET TARGET PORT GROUPS parameter list and the VPD
 * 0x83 designators of a target port and its group.
 *
 * The caller allocates struct kt_alua_state (one per device), serialises
 * every call that changes it with its own lock and posts the unit
 * attentions a change reports (ASYMMETRIC ACCESS STATE CHANGED) after
 * the call.  Nothing here allocates, sleeps or logs.
 */
#ifndef KTARGET_ALUA_H
#define KTARGET_ALUA_H

#include "wire.h"

/* Target port groups one logical unit has, the default group included */
#define KT_ALUA_MAX_GROUPS	32
/* Target ports one group holds */
#define KT_ALUA_MAX_PORTS	64
/* The id of the default group (user groups take 1 to 65535) */
#define KT_ALUA_DEFAULT_ID	0
/* The longest REPORT TARGET PORT GROUPS data (every group full) */
#define KT_ALUA_RTPG_MAX	(8 + KT_ALUA_MAX_GROUPS * \
				 (8 + 4 * KT_ALUA_MAX_PORTS))
/* A VPD 0x83 designator of kt_alua_vpd83_rtpi() and kt_alua_vpd83_tpg() */
#define KT_ALUA_DESIG_LEN	8

/*
 * Primary target port asymmetric access states (SPC-4 6.37, table 194):
 * the ASYMMETRIC ACCESS STATE field of REPORT and SET TARGET PORT GROUPS.
 * Logical block dependent is not supported: no group is ever in it.
 */
#define KT_ALUA_AO		0x0	/* active/optimized */
#define KT_ALUA_AN		0x1	/* active/non-optimized */
#define KT_ALUA_STANDBY		0x2
#define KT_ALUA_UNAVAILABLE	0x3
#define KT_ALUA_LBD		0x4	/* logical block dependent: refused */
#define KT_ALUA_OFFLINE		0xe
#define KT_ALUA_TRANSITIONING	0xf

/*
 * The supported states of a group, as byte 1 of its REPORT TARGET PORT
 * GROUPS descriptor: T_SUP, O_SUP, LBD_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP.
 * Bit 5 is reserved; LBD_SUP is never set.
 */
#define KT_ALUA_SUP_T		0x80
#define KT_ALUA_SUP_O		0x40
#define KT_ALUA_SUP_LBD		0x10
#define KT_ALUA_SUP_U		0x08
#define KT_ALUA_SUP_S		0x04
#define KT_ALUA_SUP_AN		0x02
#define KT_ALUA_SUP_AO		0x01
/* What a new group supports: all but LBD (LIO's default) */
#define KT_ALUA_SUP_DEFAULT	(KT_ALUA_SUP_T | KT_ALUA_SUP_O | \
				 KT_ALUA_SUP_U | KT_ALUA_SUP_S | \
				 KT_ALUA_SUP_AN | KT_ALUA_SUP_AO)
/* The bits a group may have (LBD_SUP and reserved bit 5 never) */
#define KT_ALUA_SUP_VALID	KT_ALUA_SUP_DEFAULT

/* STATUS CODE of a group descriptor (SPC-4 6.37, table 195) */
#define KT_ALUA_STATUS_NONE	0x0
#define KT_ALUA_STATUS_EXPLICIT	0x1	/* altered by SET TARGET PORT GROUPS */
#define KT_ALUA_STATUS_IMPLICIT	0x2	/* altered by implicit behaviour */

/*
 * Access type of a group: the TARGET PORT GROUP SUPPORT (TPGS) field
 * of standard INQUIRY data (SPC-4 6.6.2) for the ports in it
 */
#define KT_ALUA_ACCESS_IMPLICIT	0x1
#define KT_ALUA_ACCESS_EXPLICIT	0x2
#define KT_ALUA_ACCESS_BOTH	(KT_ALUA_ACCESS_IMPLICIT | \
				 KT_ALUA_ACCESS_EXPLICIT)

/* PARAMETER DATA FORMAT of REPORT TARGET PORT GROUPS (CDB byte 1) */
#define KT_ALUA_RTPG_LENGTH	0x0	/* length only header */
#define KT_ALUA_RTPG_EXTENDED	0x1	/* extended header */

/* The unit attention a change of state posts: 2Ah/06h */
#define KT_ALUA_UA_ASC		0x2a
#define KT_ALUA_UA_ASCQ		0x06

/**
 * struct kt_alua_group - one target port group of a logical unit
 * @used: the slot holds a group
 * @id: TARGET PORT GROUP, unique in the logical unit (0: the default)
 * @state: primary asymmetric access state (KT_ALUA_AO...), always one
 *	of @supported
 * @status: STATUS CODE, how @state came to be (KT_ALUA_STATUS_*)
 * @supported: the states it may take (KT_ALUA_SUP_*, of
 *	KT_ALUA_SUP_VALID)
 * @preferred: PREF: the group is a preferred path to the logical unit
 * @access: implicit and/or explicit transitions (KT_ALUA_ACCESS_*;
 *	0: none, the group's state never changes)
 * @trans_secs: implicit transition time, seconds (extended header)
 * @nports: entries in @ports
 * @ports: relative target port identifiers of its ports (1 to 65535;
 *	a port is in at most one group of a logical unit)
 */
struct kt_alua_group {
	bool used;
	u16 id;
	u8 state;
	u8 status;
	u8 supported;
	bool preferred;
	u8 access;
	u8 trans_secs;
	u16 nports;
	u16 ports[KT_ALUA_MAX_PORTS];
};

/**
 * struct kt_alua_state - the target port groups of one logical unit
 * @groups: the groups; slot 0 is the default group (id 0), which
 *	kt_alua_init() makes and nothing removes
 *
 * About 4.5 KiB: allocate it with the device, not on a stack.
 */
struct kt_alua_state {
	struct kt_alua_group groups[KT_ALUA_MAX_GROUPS];
};

/**
 * struct kt_alua_effects - what the caller does after an STPG
 * @changed: per slot of kt_alua_state.groups, the group's state changed:
 *	post ASYMMETRIC ACCESS STATE CHANGED (KT_ALUA_UA_ASC/ASCQ) to every
 *	I_T nexus of the logical unit but the one the command came through
 * @err_valid: on INVALID FIELD IN PARAMETER LIST, @err_* point at it
 * @err_bit_valid: @err_bit is meaningful
 * @err_bit: bit of the bad field (its most significant one)
 * @err_field: byte of the bad field in the parameter list
 */
struct kt_alua_effects {
	bool changed[KT_ALUA_MAX_GROUPS];
	bool err_valid;
	bool err_bit_valid;
	u8 err_bit;
	u16 err_field;
};

/**
 * enum kt_alua_class - which states of the target port group a command
 * comes through let it run (SPC-4 5.15.2.4, 5.15.2.5); one field of the
 * core's opcode table.  Active/optimized and active/non-optimized run
 * every class, offline none.
 * @KT_ALUA_CLS_OTHER: every command not named below (TEST UNIT READY,
 *	READ, WRITE, SYNCHRONIZE CACHE, START STOP UNIT, ...): active
 *	states only.  Zero, so a row that forgets the field gets the
 *	strictest class.
 * @KT_ALUA_CLS_STANDBY: LOG SELECT, LOG SENSE, MODE SELECT, MODE SENSE,
 *	RECEIVE DIAGNOSTIC RESULTS, SEND DIAGNOSTIC, PERSISTENT RESERVE IN
 *	and OUT, and READ CAPACITY (10 and 16; SPC-4 allows more than its
 *	list, and a host needs the size of a standby path): also in
 *	standby
 * @KT_ALUA_CLS_STPG: SET TARGET PORT GROUPS: also in standby and
 *	unavailable
 * @KT_ALUA_CLS_INFO: INQUIRY, REPORT LUNS, REPORT TARGET PORT GROUPS,
 *	REQUEST SENSE, the echo buffer modes of READ BUFFER and WRITE
 *	BUFFER: also in standby, unavailable and transitioning
 * @KT_ALUA_CLS__COUNT: the number of classes (not a class)
 */
enum kt_alua_class {
	KT_ALUA_CLS_OTHER,
	KT_ALUA_CLS_STANDBY,
	KT_ALUA_CLS_STPG,
	KT_ALUA_CLS_INFO,
	KT_ALUA_CLS__COUNT
};

/* kt_alua_init - only the default group: id 0, active/optimized, no ports */
void kt_alua_init(struct kt_alua_state *s);

/* kt_alua_state_valid - @state is one a group may be in (not LBD) */
bool kt_alua_state_valid(u8 state);

/* kt_alua_state_bit - the KT_ALUA_SUP_* bit of @state, 0 if reserved */
u8 kt_alua_state_bit(u8 state);

/* kt_alua_group_find - slot of the group with TARGET PORT GROUP @id, or -1 */
int kt_alua_group_find(const struct kt_alua_state *s, u16 id);

/*
 * kt_alua_group_add - a new group @id (1-65535) set up as the default
 * one, without ports.  Its slot, or -EINVAL, -EEXIST, -ENOSPC.
 */
int kt_alua_group_add(struct kt_alua_state *s, u16 id);

/* kt_alua_group_del - remove group @id: -EINVAL (default), -ENOENT, -EBUSY */
int kt_alua_group_del(struct kt_alua_state *s, u16 id);

/* kt_alua_port_group - slot of the group holding port @rtpi, or -1 */
int kt_alua_port_group(const struct kt_alua_state *s, u16 rtpi);

/*
 * kt_alua_port_set - move port @rtpi (not 0) into group @id, out of the
 * one it was in.  0, or -EINVAL, -ENOENT, -ENOSPC (then nothing moved).
 */
int kt_alua_port_set(struct kt_alua_state *s, u16 rtpi, u16 id);

/* kt_alua_port_del - take port @rtpi out of its group, if any */
void kt_alua_port_del(struct kt_alua_state *s, u16 rtpi);

/*
 * kt_alua_set_state - implicit transition of the group in @slot to
 * @state (one it supports), STATUS CODE implicit.  1 if the state
 * changed (the caller posts 2Ah/06h), 0 if not; -EINVAL, or -EPERM if
 * the group does not take implicit transitions.
 */
int kt_alua_set_state(struct kt_alua_state *s, int slot, u8 state);

/*
 * kt_alua_set_supported - the KT_ALUA_SUP_* bits of the group in @slot;
 * -EINVAL for bits outside KT_ALUA_SUP_VALID or without its state's
 */
int kt_alua_set_supported(struct kt_alua_state *s, int slot, u8 supported);

/* kt_alua_set_access - KT_ALUA_ACCESS_* of the group in @slot; or -EINVAL */
int kt_alua_set_access(struct kt_alua_state *s, int slot, u8 access);

/*
 * kt_alua_tpgs - the TPGS field (0-3) of standard INQUIRY data through
 * port @rtpi: its group's access type, 0 if it is in no group
 */
u8 kt_alua_tpgs(const struct kt_alua_state *s, u16 rtpi);

/*
 * kt_alua_check - may a command of class @cls run through a group in
 * @state?  KT_OK, or KT_S_ALUA_STANDBY, KT_S_ALUA_UNAVAILABLE,
 * KT_S_ALUA_TRANSITION, KT_S_ALUA_OFFLINE (NOT READY, 04h/0Bh, 0Ch,
 * 0Ah, 12h).
 */
kt_status_t kt_alua_check(u8 state, enum kt_alua_class cls);

/*
 * kt_alua_rtpg - REPORT TARGET PORT GROUPS data in format @fmt
 * (KT_ALUA_RTPG_*) into at most @cap bytes of @buf (NULL if @cap is 0),
 * zeroing what it does not set.  KT_OK with *@full the length of the
 * whole data, or KT_S_INVALID_FIELD_CDB for another format.
 */
kt_status_t kt_alua_rtpg(const struct kt_alua_state *s, u8 fmt, u8 *buf,
			 u32 cap, u32 *full);

/*
 * kt_alua_stpg - carry out SET TARGET PORT GROUPS from port @rtpi with
 * the @len bytes of @param.  @fx is cleared and filled in; on any status
 * but KT_OK the state is left as it was.
 */
kt_status_t kt_alua_stpg(struct kt_alua_state *s, u16 rtpi, const u8 *param,
			 u32 len, struct kt_alua_effects *fx);

/*
 * VPD 0x83 designators of a target port (SPC-4 7.8.6.6, 7.8.6.7): its
 * relative target port identifier (type 4h) and its group (type 5h),
 * KT_ALUA_DESIG_LEN bytes at @off of a page of @cap bytes.  Return
 * KT_ALUA_DESIG_LEN.
 */
u32 kt_alua_vpd83_rtpi(u16 rtpi, u8 *buf, u32 cap, u32 off);
u32 kt_alua_vpd83_tpg(u16 id, u8 *buf, u32 cap, u32 off);

/*
 * ALUA metadata files, as LIO's kernel keeps them under <dbroot>/alua
 * (core/wire/alua_md.c): a target port group's in
 * alua/tpgs_<unit serial>/<group name>, a LUN's port's in
 * alua/<fabric>/<wwn>+<tpgt>/lun_<n>.  KT_ALUA_MD_MAX bytes hold either.
 */
#define KT_ALUA_MD_MAX		128

/**
 * struct kt_alua_md_tpg - what the file of a target port group holds
 * @id: tg_pt_gp_id
 * @state: alua_access_state (KT_ALUA_AO...)
 * @status: alua_access_status (KT_ALUA_STATUS_*)
 */
struct kt_alua_md_tpg {
	u16 id;
	u8 state;
	u8 status;
};

/**
 * struct kt_alua_md_lun - what the file of a LUN's target port holds
 * @offline: alua_tg_pt_offline: the secondary state is offline
 * @status: alua_tg_pt_status (KT_ALUA_STATUS_*)
 */
struct kt_alua_md_lun {
	bool offline;
	u8 status;
};

/*
 * kt_alua_md_encode_tpg, kt_alua_md_encode_lun - the text of a file into
 * at most @cap bytes of @buf; return its whole length
 */
u32 kt_alua_md_encode_tpg(const struct kt_alua_md_tpg *m, char *buf, u32 cap);
u32 kt_alua_md_encode_lun(const struct kt_alua_md_lun *m, char *buf, u32 cap);

/*
 * kt_alua_md_parse_tpg, kt_alua_md_parse_lun - read @len bytes of a
 * file's text: 0, -EINVAL (bad text, state or key), -ERANGE
 */
int kt_alua_md_parse_tpg(const char *text, u32 len, struct kt_alua_md_tpg *m);
int kt_alua_md_parse_lun(const char *text, u32 len, struct kt_alua_md_lun *m);

#endif /* KTARGET_ALUA_H */
