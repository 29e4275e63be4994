// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for SPC-2 RESERVE and RELEASE (core/wire/reserve.c): the
 * logical unit reservation, the command classes under it, its loss
 * (LUN reset, nexus loss, target port gone), and compatible reservation
 * handling with persistent reservations (SPC-2 5.5.1, SPC-4 5.13.3).
 */
#include <stdlib.h>
#include <ktarget/reserve.h>
#include "test.h"

/* Too large for a stack frame: one PR state for all the cases */
static struct kt_pr_state pr;
static struct kt_pr_effects fx;
static struct kt_res_state r;
static const u16 ports[] = { 1, 2 };

#define NAME_A	"iqn.1994-05.com.example:a"
#define NAME_B	"iqn.1994-05.com.example:b"

/* A and B: two sessions through target port 1; A2: A through port 2 */
static struct kt_pr_nexus nA, nB, nA2;
static const struct kt_res_id A = { .sess = 10, .rtpi = 1 };
static const struct kt_res_id B = { .sess = 11, .rtpi = 1 };
static const struct kt_res_id A2 = { .sess = 10, .rtpi = 2 };

static struct kt_pr_nexus mk(const char *name, u64 isid, u16 rtpi)
{
	struct kt_pr_nexus n;

	memset(&n, 0, sizeof(n));
	if (kt_pr_tid_iscsi(&n.init, name, true, isid))
		abort();
	n.rtpi = rtpi;
	return n;
}

static void reset(void)
{
	kt_pr_init(&pr);
	pr.enforce_isids = true;
	memset(&r, 0, sizeof(r));
	nA = mk(NAME_A, 0x400001370000ULL, 1);
	nB = mk(NAME_B, 0x400001370001ULL, 1);
	nA2 = mk(NAME_A, 0x400001370000ULL, 2);
}

/* PR OUT with a basic parameter list: @rk, @sark */
static kt_status_t pro(const struct kt_pr_nexus *n, u8 sa, u8 type, u64 rk,
		       u64 sark)
{
	u8 p[24] = { 0 };
	struct kt_pr_out_req q = {
		.nexus = n, .sa = sa, .type = type, .param = p,
		.len = sizeof(p), .ports = ports, .nports = ARRAY_SIZE(ports),
	};
	int i;

	for (i = 0; i < 8; i++) {
		p[i] = rk >> (56 - 8 * i);
		p[8 + i] = sark >> (56 - 8 * i);
	}
	return kt_pr_out(&pr, &q, &fx);
}

static kt_status_t reserve(const struct kt_pr_nexus *n,
			   const struct kt_res_id *id)
{
	return kt_res_reserve(&r, &pr, n, id);
}

static kt_status_t release(const struct kt_pr_nexus *n,
			   const struct kt_res_id *id)
{
	return kt_res_release(&r, &pr, n, id);
}

static bool held_by(const struct kt_res_id *id)
{
	return r.held && r.holder.sess == id->sess &&
	       r.holder.rtpi == id->rtpi;
}

#define CONFLICT	KT_S_RESERVATION_CONFLICT

static void unreserved_allows_all(void)
{
	reset();
	CHECK(!r.held);
	CHECK_ST(kt_res_check(&r, &B, KT_RES_CLS_CONFLICT), KT_OK);
	CHECK_ST(kt_res_check(&r, &B, KT_RES_CLS_PR), KT_OK);
	CHECK_ST(kt_res_check(&r, &B, KT_RES_CLS_ALLOWED), KT_OK);
}

static void reserve_and_classes(void)
{
	reset();
	CHECK_ST(reserve(&nA, &A), KT_OK);
	CHECK(held_by(&A));
	/* the holder runs everything but PR IN/OUT */
	CHECK_ST(kt_res_check(&r, &A, KT_RES_CLS_CONFLICT), KT_OK);
	CHECK_ST(kt_res_check(&r, &A, KT_RES_CLS_ALLOWED), KT_OK);
	CHECK_ST(kt_res_check(&r, &A, KT_RES_CLS_PR), CONFLICT);
	/* another session: only the allowed class */
	CHECK_ST(kt_res_check(&r, &B, KT_RES_CLS_CONFLICT), CONFLICT);
	CHECK_ST(kt_res_check(&r, &B, KT_RES_CLS_ALLOWED), KT_OK);
	CHECK_ST(kt_res_check(&r, &B, KT_RES_CLS_PR), CONFLICT);
	/* the same session through another target port is another nexus */
	CHECK_ST(kt_res_check(&r, &A2, KT_RES_CLS_CONFLICT), CONFLICT);
}

static void reserve_again_by_holder(void)
{
	reset();
	CHECK_ST(reserve(&nA, &A), KT_OK);
	CHECK_ST(reserve(&nA, &A), KT_OK);
	CHECK(held_by(&A));
}

static void reserve_by_other_conflicts(void)
{
	reset();
	CHECK_ST(reserve(&nA, &A), KT_OK);
	CHECK_ST(reserve(&nB, &B), CONFLICT);
	CHECK_ST(reserve(&nA2, &A2), CONFLICT);
	CHECK(held_by(&A));
}

static void release_by_other_is_noop(void)
{
	reset();
	CHECK_ST(reserve(&nA, &A), KT_OK);
	CHECK_ST(release(&nB, &B), KT_OK);
	CHECK(held_by(&A));
	CHECK_ST(release(&nA2, &A2), KT_OK);
	CHECK(held_by(&A));
}

static void release_by_holder(void)
{
	reset();
	CHECK_ST(reserve(&nA, &A), KT_OK);
	CHECK_ST(release(&nA, &A), KT_OK);
	CHECK(!r.held);
	CHECK_ST(kt_res_check(&r, &B, KT_RES_CLS_CONFLICT), KT_OK);
	/* releasing nothing is GOOD */
	CHECK_ST(release(&nA, &A), KT_OK);
	CHECK_ST(reserve(&nB, &B), KT_OK);
	CHECK(held_by(&B));
}

static void lun_reset_releases(void)
{
	reset();
	CHECK_ST(reserve(&nA, &A), KT_OK);
	kt_res_reset(&r);
	CHECK(!r.held);
	CHECK_ST(reserve(&nB, &B), KT_OK);
}

static void nexus_loss_releases(void)
{
	reset();
	CHECK_ST(reserve(&nA, &A), KT_OK);
	CHECK(!kt_res_nexus_lost(&r, B.sess));
	CHECK(held_by(&A));
	CHECK(kt_res_nexus_lost(&r, A.sess));
	CHECK(!r.held);
	CHECK(!kt_res_nexus_lost(&r, A.sess));
}

static void port_loss_releases(void)
{
	reset();
	CHECK_ST(reserve(&nA2, &A2), KT_OK);
	CHECK(!kt_res_port_lost(&r, 1));
	CHECK(held_by(&A2));
	CHECK(kt_res_port_lost(&r, 2));
	CHECK(!r.held);
}

/* SPC-2 5.5.1: anything registered: every RESERVE/RELEASE conflicts */
static void registered_without_reservation_conflicts(void)
{
	reset();
	CHECK_ST(pro(&nA, KT_PRO_REGISTER, 0, 0, 0xa1), KT_OK);
	CHECK_ST(reserve(&nA, &A), CONFLICT);
	CHECK_ST(reserve(&nB, &B), CONFLICT);
	CHECK_ST(release(&nA, &A), CONFLICT);
	CHECK_ST(release(&nB, &B), CONFLICT);
	CHECK(!r.held);
}

/* SPC-4 5.13.3 (CRH=1): the PR holder's RESERVE/RELEASE do nothing */
static void crh_holder_noop(void)
{
	reset();
	CHECK_ST(pro(&nA, KT_PRO_REGISTER, 0, 0, 0xa1), KT_OK);
	CHECK_ST(pro(&nA, KT_PRO_RESERVE, KT_PR_EX_AC, 0xa1, 0), KT_OK);
	CHECK_ST(reserve(&nA, &A), KT_OK);
	CHECK(!r.held);
	CHECK_ST(release(&nA, &A), KT_OK);
	CHECK(pr.reserved);
	/* a registrant that does not hold it, and an outsider: conflict */
	CHECK_ST(pro(&nB, KT_PRO_REGISTER, 0, 0, 0xb1), KT_OK);
	CHECK_ST(reserve(&nB, &B), CONFLICT);
	CHECK_ST(release(&nB, &B), CONFLICT);
	CHECK_ST(reserve(&nA2, &A2), CONFLICT);
}

/* CRH=1: any registrant under registrants only and all registrants */
static void crh_registrants_noop(void)
{
	static const u8 types[] = { KT_PR_WR_EX_RO, KT_PR_EX_AC_RO,
				    KT_PR_WR_EX_AR, KT_PR_EX_AC_AR };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		reset();
		CHECK_ST(pro(&nA, KT_PRO_REGISTER, 0, 0, 0xa1), KT_OK);
		CHECK_ST(pro(&nB, KT_PRO_REGISTER, 0, 0, 0xb1), KT_OK);
		CHECK_ST(pro(&nA, KT_PRO_RESERVE, types[i], 0xa1, 0), KT_OK);
		CHECK_ST(reserve(&nB, &B), KT_OK);
		CHECK_ST(release(&nB, &B), KT_OK);
		CHECK(!r.held);
		CHECK(pr.reserved);
		/* not registered: conflict */
		CHECK_ST(reserve(&nA2, &A2), CONFLICT);
		CHECK_ST(release(&nA2, &A2), CONFLICT);
	}
}

/* The registrations gone, SPC-2 alone decides again */
static void after_unregister(void)
{
	reset();
	CHECK_ST(pro(&nA, KT_PRO_REGISTER, 0, 0, 0xa1), KT_OK);
	CHECK_ST(pro(&nA, KT_PRO_REGISTER, 0, 0xa1, 0), KT_OK);
	CHECK_EQ(pr.nregs, 0);
	CHECK_ST(reserve(&nB, &B), KT_OK);
	CHECK(held_by(&B));
}

static const struct kt_test tests[] = {
	KT_TEST(unreserved_allows_all),
	KT_TEST(reserve_and_classes),
	KT_TEST(reserve_again_by_holder),
	KT_TEST(reserve_by_other_conflicts),
	KT_TEST(release_by_other_is_noop),
	KT_TEST(release_by_holder),
	KT_TEST(lun_reset_releases),
	KT_TEST(nexus_loss_releases),
	KT_TEST(port_loss_releases),
	KT_TEST(registered_without_reservation_conflicts),
	KT_TEST(crh_holder_noop),
	KT_TEST(crh_registrants_noop),
	KT_TEST(after_unregister),
};

int main(void)
{
	return kt_test_run("reserve", tests, ARRAY_SIZE(tests));
}
