/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPC-2 RESERVE and RELEASE (core/wire/reserve.c): the logical unit
 * reservation of one logical unit, and how it meets the persistent
 * reservations of SPC-4 (5.13.3, compatible reservation handling, CRH=1
 * in REPORT CAPABILITIES).  Pure code like pr.h: the caller owns the
 * state and locks it together with the logical unit's kt_pr_state.
 */
#ifndef KTARGET_RESERVE_H
#define KTARGET_RESERVE_H

#include "pr.h"

/**
 * struct kt_res_id - the I_T nexus that holds or asks for a reservation
 * @sess: the caller's id of the session: one per initiator port login,
 *	never reused, so a new login is a new nexus
 * @rtpi: relative target port identifier of the target port
 */
struct kt_res_id {
	u64 sess;
	u16 rtpi;
};

/**
 * struct kt_res_state - the SPC-2 reservation of one logical unit
 * @held: the logical unit is reserved
 * @holder: by this I_T nexus (meaningful if @held)
 *
 * Zero is a logical unit without a reservation.
 */
struct kt_res_state {
	bool held;
	struct kt_res_id holder;
};

/**
 * enum kt_res_class - how a command fares under an SPC-2 reservation
 * @KT_RES_CLS_CONFLICT: RESERVATION CONFLICT unless it comes from the
 *	holder (the default: every command not named below)
 * @KT_RES_CLS_ALLOWED: never conflicts: INQUIRY, REPORT LUNS and REQUEST
 *	SENSE, which SPC-2 leaves unaffected by reservations, and
 *	RESERVE and RELEASE, which kt_res_reserve() and
 *	kt_res_release() decide themselves
 * @KT_RES_CLS_PR: PERSISTENT RESERVE IN and OUT: a conflict for every
 *	nexus, the holder's too, while the reservation exists (SPC-4
 *	6.15.1, 6.16.1)
 */
enum kt_res_class {
	KT_RES_CLS_CONFLICT,
	KT_RES_CLS_ALLOWED,
	KT_RES_CLS_PR,
};

/*
 * kt_res_check - may a command of class @cls from @id run?  KT_OK or
 * KT_S_RESERVATION_CONFLICT.
 */
kt_status_t kt_res_check(const struct kt_res_state *r,
			 const struct kt_res_id *id, enum kt_res_class cls);

/*
 * kt_res_reserve - RESERVE(6)/(10) from @id, which persistent
 * reservations know as @n.  KT_OK (reserved, or compatible handling:
 * nothing changed) or KT_S_RESERVATION_CONFLICT.
 */
kt_status_t kt_res_reserve(struct kt_res_state *r,
			   const struct kt_pr_state *pr,
			   const struct kt_pr_nexus *n,
			   const struct kt_res_id *id);

/*
 * kt_res_release - RELEASE(6)/(10) from @id (@n): KT_OK (released if
 * @id held it, else nothing changed) or KT_S_RESERVATION_CONFLICT.
 */
kt_status_t kt_res_release(struct kt_res_state *r,
			   const struct kt_pr_state *pr,
			   const struct kt_pr_nexus *n,
			   const struct kt_res_id *id);

/* kt_res_reset - LOGICAL UNIT RESET: the reservation goes, whoever held it */
void kt_res_reset(struct kt_res_state *r);

/*
 * kt_res_nexus_lost - the session @sess is gone (logout, I_T NEXUS
 * RESET, connection loss): its reservation goes.  True if one did.
 */
bool kt_res_nexus_lost(struct kt_res_state *r, u64 sess);

/*
 * kt_res_port_lost - the target port @rtpi is gone (LUN unlinked): so
 * is every nexus through it, and a reservation one of them held.
 */
bool kt_res_port_lost(struct kt_res_state *r, u16 rtpi);

#endif /* KTARGET_RESERVE_H */
