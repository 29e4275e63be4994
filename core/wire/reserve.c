// SPDX-License-Identifier: GPL-2.0
/*
 * SPC-2 RESERVE and RELEASE (pure code, see reserve.h).
 *
 * SPC-2: one logical unit reservation, held by one I_T nexus.  The
 * holder may reserve again; another nexus's RESERVE conflicts and its
 * RELEASE is GOOD and changes nothing.  It goes with the holder's
 * RELEASE, a LOGICAL UNIT RESET and the loss of the holder's nexus.
 *
 * With persistent reservations (SPC-2 5.5.1, SPC-4 5.13.3): while any
 * I_T nexus is registered, every RESERVE and RELEASE conflicts, except
 * (compatible reservation handling, CRH=1) that one from the persistent
 * reservation's holder, or from a registrant under a registrants only
 * or all registrants type, completes GOOD and changes nothing.  While
 * an SPC-2 reservation exists, PERSISTENT RESERVE IN and OUT conflict
 * (kt_res_check(), KT_RES_CLS_PR), so the two never coexist.
 */
#include <ktarget/reserve.h>

static bool res_is(const struct kt_res_id *a, const struct kt_res_id *b)
{
	return a->sess == b->sess && a->rtpi == b->rtpi;
}

kt_status_t kt_res_check(const struct kt_res_state *r,
			 const struct kt_res_id *id, enum kt_res_class cls)
{
	if (!r->held || cls == KT_RES_CLS_ALLOWED)
		return KT_OK;
	if (cls == KT_RES_CLS_CONFLICT && res_is(&r->holder, id))
		return KT_OK;
	return KT_S_RESERVATION_CONFLICT;
}

/* Results of res_vs_pr() */
enum res_pr {
	RES_SPC2,	/* nothing registered: SPC-2 alone decides */
	RES_NOOP,	/* compatible reservation handling: GOOD, no change */
	RES_CONFLICT,	/* RESERVATION CONFLICT */
};

/* How persistent reservations treat a RESERVE or RELEASE from @n. */
static enum res_pr res_vs_pr(const struct kt_pr_state *pr,
			     const struct kt_pr_nexus *n)
{
	int slot;

	if (!pr->nregs)
		return RES_SPC2;
	slot = kt_pr_find(pr, n);
	if (slot < 0 || !pr->reserved)
		return RES_CONFLICT;
	if (kt_pr_is_holder(pr, slot) || pr->type == KT_PR_WR_EX_RO ||
	    pr->type == KT_PR_EX_AC_RO)
		return RES_NOOP;
	return RES_CONFLICT;
}

/* Does the PR state answer RESERVE/RELEASE of @n by itself (in *@st)? */
static bool res_pr_decides(const struct kt_pr_state *pr,
			   const struct kt_pr_nexus *n, kt_status_t *st)
{
	switch (res_vs_pr(pr, n)) {
	case RES_NOOP:
		*st = KT_OK;
		return true;
	case RES_CONFLICT:
		*st = KT_S_RESERVATION_CONFLICT;
		return true;
	default:
		return false;
	}
}

kt_status_t kt_res_reserve(struct kt_res_state *r,
			   const struct kt_pr_state *pr,
			   const struct kt_pr_nexus *n,
			   const struct kt_res_id *id)
{
	kt_status_t st;

	if (res_pr_decides(pr, n, &st))
		return st;
	if (r->held && !res_is(&r->holder, id))
		return KT_S_RESERVATION_CONFLICT;
	r->held = true;
	r->holder = *id;
	return KT_OK;
}

kt_status_t kt_res_release(struct kt_res_state *r,
			   const struct kt_pr_state *pr,
			   const struct kt_pr_nexus *n,
			   const struct kt_res_id *id)
{
	kt_status_t st;

	if (res_pr_decides(pr, n, &st))
		return st;
	if (r->held && res_is(&r->holder, id))
		kt_res_reset(r);
	return KT_OK;
}

void kt_res_reset(struct kt_res_state *r)
{
	r->held = false;
	r->holder.sess = 0;
	r->holder.rtpi = 0;
}

bool kt_res_nexus_lost(struct kt_res_state *r, u64 sess)
{
	if (!r->held || r->holder.sess != sess)
		return false;
	kt_res_reset(r);
	return true;
}

bool kt_res_port_lost(struct kt_res_state *r, u16 rtpi)
{
	if (!r->held || r->holder.rtpi != rtpi)
		return false;
	kt_res_reset(r);
	return true;
}
