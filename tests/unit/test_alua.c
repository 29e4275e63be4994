// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ALUA (core/wire/alua.c) against SPC-4: the access check
 * for every state and command class, group and port bookkeeping, REPORT
 * TARGET PORT GROUPS in both formats byte by byte and cut at every
 * length, SET TARGET PORT GROUPS lists good and bad, the designators.
 */
#include <ktarget/alua.h>
#include "test.h"

static struct kt_alua_state st;
static struct kt_alua_effects fx;

/*
 * The logical unit of most cases: the default group (id 0) with ports
 * 1 and 2, active/optimized; group 5 with port 3, standby, preferred,
 * implicit transition time 7; group 9 with no ports.
 */
static void setup(void)
{
	int g5, g9;

	kt_alua_init(&st);
	g5 = kt_alua_group_add(&st, 5);
	g9 = kt_alua_group_add(&st, 9);
	if (g5 < 0 || g9 < 0 || kt_alua_port_set(&st, 1, 0) ||
	    kt_alua_port_set(&st, 2, 0) || kt_alua_port_set(&st, 3, 5) ||
	    kt_alua_set_state(&st, g5, KT_ALUA_STANDBY) != 1)
		FAIL("setup");
	st.groups[g5].preferred = true;
	st.groups[g5].trans_secs = 7;
	st.groups[0].trans_secs = 3;
}

static int slot_of(u16 id)
{
	return kt_alua_group_find(&st, id);
}

/* ------------------------------------------------------------------ */
/* The access check                                                   */
/* ------------------------------------------------------------------ */

#define OK	KT_OK
#define SB	KT_S_ALUA_STANDBY
#define UA	KT_S_ALUA_UNAVAILABLE
#define TR	KT_S_ALUA_TRANSITION
#define OF	KT_S_ALUA_OFFLINE

/*
 * SPC-4 5.15.2.4.2-5.15.2.4.5, 5.15.2.5, written out per cell: columns
 * OTHER, STANDBY (log, mode, diagnostics, PR), STPG, INFO (INQUIRY,
 * REPORT LUNS, RTPG, REQUEST SENSE, echo buffers).  LBD and reserved
 * states are no group's: they check as unavailable.
 */
static const kt_status_t check_table[16][KT_ALUA_CLS__COUNT] = {
	[KT_ALUA_AO]		= { OK, OK, OK, OK },
	[KT_ALUA_AN]		= { OK, OK, OK, OK },
	[KT_ALUA_STANDBY]	= { SB, OK, OK, OK },
	[KT_ALUA_UNAVAILABLE]	= { UA, UA, OK, OK },
	[KT_ALUA_LBD]		= { UA, UA, OK, OK },
	[5]			= { UA, UA, OK, OK },
	[6]			= { UA, UA, OK, OK },
	[7]			= { UA, UA, OK, OK },
	[8]			= { UA, UA, OK, OK },
	[9]			= { UA, UA, OK, OK },
	[10]			= { UA, UA, OK, OK },
	[11]			= { UA, UA, OK, OK },
	[12]			= { UA, UA, OK, OK },
	[13]			= { UA, UA, OK, OK },
	[KT_ALUA_OFFLINE]	= { OF, OF, OF, OF },
	[KT_ALUA_TRANSITIONING]	= { TR, TR, TR, OK },
};

static void check_every_cell(void)
{
	unsigned int state, cls;

	for (state = 0; state < 16; state++) {
		for (cls = 0; cls < KT_ALUA_CLS__COUNT; cls++) {
			kt_status_t got = kt_alua_check(state, cls);

			if (got != check_table[state][cls]) {
				FAIL("state 0x%x class %u: got %u want %u",
				     state, cls, (unsigned int)got,
				     (unsigned int)check_table[state][cls]);
				return;
			}
		}
	}
}

/* Out of the enum or past 4 bits: refused, never allowed by accident */
static void check_out_of_range(void)
{
	CHECK_ST(kt_alua_check(KT_ALUA_STANDBY, KT_ALUA_CLS__COUNT), SB);
	CHECK_ST(kt_alua_check(KT_ALUA_STANDBY, (enum kt_alua_class)-1), SB);
	CHECK_ST(kt_alua_check(KT_ALUA_AO, KT_ALUA_CLS__COUNT), UA);
	CHECK_ST(kt_alua_check(0x10, KT_ALUA_CLS_INFO), OK);
	CHECK_ST(kt_alua_check(0xff, KT_ALUA_CLS_OTHER), UA);
}

/* The statuses are NOT READY with the ASC/ASCQ of SPC-4 annex D */
static void check_sense(void)
{
	static const struct { kt_status_t st; u8 ascq; } want[] = {
		{ TR, 0x0a }, { SB, 0x0b }, { UA, 0x0c }, { OF, 0x12 },
	};
	struct kt_sense_info si;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		memset(&si, 0, sizeof(si));
		CHECK_EQ(kt_status_sense(want[i].st, &si),
			 KT_SAM_CHECK_CONDITION);
		CHECK_EQ(si.key, KT_SK_NOT_READY);
		CHECK_EQ(si.asc, 0x04);
		CHECK_EQ(si.ascq, want[i].ascq);
	}
}

/* ------------------------------------------------------------------ */
/* Groups, ports and settings                                         */
/* ------------------------------------------------------------------ */

static void init_default_group(void)
{
	const struct kt_alua_group *g = &st.groups[0];
	int i;

	memset(&st, 0xa5, sizeof(st));
	kt_alua_init(&st);
	CHECK(g->used);
	CHECK_EQ(g->id, KT_ALUA_DEFAULT_ID);
	CHECK_EQ(g->state, KT_ALUA_AO);
	CHECK_EQ(g->status, KT_ALUA_STATUS_NONE);
	CHECK_EQ(g->supported, 0xcf);	/* T O U S AN AO */
	CHECK_EQ(g->access, KT_ALUA_ACCESS_BOTH);
	CHECK(!g->preferred);
	CHECK_EQ(g->nports, 0);
	for (i = 1; i < KT_ALUA_MAX_GROUPS; i++)
		CHECK(!st.groups[i].used);
	CHECK_EQ(kt_alua_group_find(&st, 0), 0);
	CHECK_EQ(kt_alua_group_find(&st, 1), -1);
}

static void group_add_del(void)
{
	int i, slot;

	kt_alua_init(&st);
	CHECK_EQ(kt_alua_group_add(&st, 0), -EINVAL);
	slot = kt_alua_group_add(&st, 65535);
	CHECK(slot > 0);
	CHECK_EQ(kt_alua_group_add(&st, 65535), -EEXIST);
	CHECK_EQ(kt_alua_group_find(&st, 65535), slot);
	CHECK_EQ(st.groups[slot].supported, KT_ALUA_SUP_DEFAULT);
	for (i = 2; i < KT_ALUA_MAX_GROUPS; i++)
		CHECK(kt_alua_group_add(&st, i) > 0);
	CHECK_EQ(kt_alua_group_add(&st, 100), -ENOSPC);
	CHECK_EQ(kt_alua_group_del(&st, 0), -EINVAL);
	CHECK_EQ(kt_alua_group_del(&st, 100), -ENOENT);
	CHECK_EQ(kt_alua_port_set(&st, 7, 65535), 0);
	CHECK_EQ(kt_alua_group_del(&st, 65535), -EBUSY);
	kt_alua_port_del(&st, 7);
	CHECK_EQ(kt_alua_group_del(&st, 65535), 0);
	CHECK_EQ(kt_alua_group_find(&st, 65535), -1);
	/* the freed slot is taken again */
	CHECK_EQ(kt_alua_group_add(&st, 100), slot);
}

static void ports_move(void)
{
	const struct kt_alua_group *g0;
	int i;

	setup();
	CHECK_OK();
	g0 = &st.groups[0];
	CHECK_EQ(kt_alua_port_group(&st, 1), 0);
	CHECK_EQ(kt_alua_port_group(&st, 3), slot_of(5));
	CHECK_EQ(kt_alua_port_group(&st, 4), -1);
	CHECK_EQ(kt_alua_port_set(&st, 0, 5), -EINVAL);
	CHECK_EQ(kt_alua_port_set(&st, 4, 6), -ENOENT);
	/* port 1 leaves the default group for group 5, keeping the order */
	CHECK_EQ(kt_alua_port_set(&st, 1, 5), 0);
	CHECK_EQ(g0->nports, 1);
	CHECK_EQ(g0->ports[0], 2);
	CHECK_EQ(st.groups[slot_of(5)].nports, 2);
	CHECK_EQ(st.groups[slot_of(5)].ports[1], 1);
	/* again: nothing changes */
	CHECK_EQ(kt_alua_port_set(&st, 1, 5), 0);
	CHECK_EQ(st.groups[slot_of(5)].nports, 2);
	kt_alua_port_del(&st, 3);
	kt_alua_port_del(&st, 3);
	CHECK_EQ(kt_alua_port_group(&st, 3), -1);
	CHECK_EQ(st.groups[slot_of(5)].ports[0], 1);
	/* a full group takes no more, and the port stays where it was */
	for (i = 0; i < KT_ALUA_MAX_PORTS - 1; i++)
		CHECK_EQ(kt_alua_port_set(&st, 100 + i, 9), 0);
	CHECK_EQ(kt_alua_port_set(&st, 2, 9), 0);
	CHECK_EQ(kt_alua_port_set(&st, 1, 9), -ENOSPC);
	CHECK_EQ(kt_alua_port_group(&st, 1), slot_of(5));
	CHECK_EQ(g0->nports, 0);
}

static void set_state_implicit(void)
{
	int g5;

	setup();
	CHECK_OK();
	g5 = slot_of(5);
	CHECK_EQ(st.groups[g5].status, KT_ALUA_STATUS_IMPLICIT);
	CHECK_EQ(kt_alua_set_state(&st, g5, KT_ALUA_STANDBY), 0);
	CHECK_EQ(kt_alua_set_state(&st, g5, KT_ALUA_TRANSITIONING), 1);
	CHECK_EQ(kt_alua_set_state(&st, g5, KT_ALUA_OFFLINE), 1);
	CHECK_EQ(kt_alua_set_state(&st, g5, KT_ALUA_LBD), -EINVAL);
	CHECK_EQ(kt_alua_set_state(&st, g5, 5), -EINVAL);
	CHECK_EQ(kt_alua_set_state(&st, g5, 0x10), -EINVAL);
	CHECK_EQ(kt_alua_set_state(&st, -1, KT_ALUA_AO), -EINVAL);
	CHECK_EQ(kt_alua_set_state(&st, KT_ALUA_MAX_GROUPS, KT_ALUA_AO),
		 -EINVAL);
	CHECK_EQ(kt_alua_set_state(&st, 20, KT_ALUA_AO), -EINVAL);
	CHECK_EQ(st.groups[g5].state, KT_ALUA_OFFLINE);
	/* explicit only: no implicit transitions */
	CHECK_EQ(kt_alua_set_access(&st, g5, KT_ALUA_ACCESS_EXPLICIT), 0);
	CHECK_EQ(kt_alua_set_state(&st, g5, KT_ALUA_AO), -EPERM);
	/* a state the group does not support */
	CHECK_EQ(kt_alua_set_access(&st, g5, KT_ALUA_ACCESS_BOTH), 0);
	CHECK_EQ(kt_alua_set_supported(&st, g5, KT_ALUA_SUP_O |
				       KT_ALUA_SUP_AO), 0);
	CHECK_EQ(kt_alua_set_state(&st, g5, KT_ALUA_AN), -EINVAL);
	CHECK_EQ(kt_alua_set_state(&st, g5, KT_ALUA_AO), 1);
	CHECK_EQ(st.groups[g5].state, KT_ALUA_AO);
}

static void set_supported_access(void)
{
	int g5;

	setup();
	CHECK_OK();
	g5 = slot_of(5);
	/* LBD_SUP and reserved bit 5 are refused */
	CHECK_EQ(kt_alua_set_supported(&st, g5, KT_ALUA_SUP_DEFAULT |
				       KT_ALUA_SUP_LBD), -EINVAL);
	CHECK_EQ(kt_alua_set_supported(&st, g5, KT_ALUA_SUP_S | 0x20),
		 -EINVAL);
	/* the current state (standby) must stay supported */
	CHECK_EQ(kt_alua_set_supported(&st, g5, KT_ALUA_SUP_AO), -EINVAL);
	CHECK_EQ(kt_alua_set_supported(&st, g5, KT_ALUA_SUP_S), 0);
	CHECK_EQ(st.groups[g5].supported, KT_ALUA_SUP_S);
	CHECK_EQ(kt_alua_set_supported(&st, 20, KT_ALUA_SUP_S), -EINVAL);
	CHECK_EQ(kt_alua_set_access(&st, g5, 4), -EINVAL);
	CHECK_EQ(kt_alua_set_access(&st, 20, 1), -EINVAL);
	CHECK_EQ(kt_alua_set_access(&st, g5, 0), 0);
	CHECK_EQ(st.groups[g5].access, 0);
}

static void tpgs_field(void)
{
	setup();
	CHECK_OK();
	CHECK_EQ(kt_alua_tpgs(&st, 1), 3);
	CHECK_EQ(kt_alua_tpgs(&st, 4), 0);
	CHECK_EQ(kt_alua_set_access(&st, slot_of(5),
				    KT_ALUA_ACCESS_IMPLICIT), 0);
	CHECK_EQ(kt_alua_tpgs(&st, 3), 1);
	CHECK_EQ(kt_alua_set_access(&st, slot_of(5),
				    KT_ALUA_ACCESS_EXPLICIT), 0);
	CHECK_EQ(kt_alua_tpgs(&st, 3), 2);
}

/* ------------------------------------------------------------------ */
/* REPORT TARGET PORT GROUPS                                          */
/* ------------------------------------------------------------------ */

/* The setup() groups as SPC-4 6.37 lays them out; group 9 has no port */
static const u8 rtpg_groups[] = {
	/* default group: AO, supports T O U S AN AO, id 0, 2 ports */
	0x00, 0xcf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x02,
	/* group 5: PREF, standby, id 5, implicit status, 1 port */
	0x82, 0xcf, 0x00, 0x05, 0x00, 0x02, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x03,
};

static void rtpg_length_only(void)
{
	u8 buf[64], want[64];
	u32 full = 0;

	setup();
	CHECK_OK();
	memset(buf, 0xee, sizeof(buf));
	CHECK_ST(kt_alua_rtpg(&st, KT_ALUA_RTPG_LENGTH, buf, sizeof(buf),
			      &full), KT_OK);
	CHECK_EQ(full, 4 + sizeof(rtpg_groups));
	memset(want, 0, sizeof(want));
	put_unaligned_be32(sizeof(rtpg_groups), want);
	memcpy(want + 4, rtpg_groups, sizeof(rtpg_groups));
	CHECK_MEM(buf, want, sizeof(buf));
}

static void rtpg_extended(void)
{
	u8 buf[64], want[64];
	u32 full = 0;

	setup();
	CHECK_OK();
	CHECK_ST(kt_alua_rtpg(&st, KT_ALUA_RTPG_EXTENDED, buf, sizeof(buf),
			      &full), KT_OK);
	CHECK_EQ(full, 8 + sizeof(rtpg_groups));
	memset(want, 0, sizeof(want));
	/* RETURN DATA LENGTH counts from byte 4, the header's rest too */
	put_unaligned_be32(4 + sizeof(rtpg_groups), want);
	want[4] = 0x10;			/* FORMAT TYPE 001b */
	want[5] = 7;			/* the longest transition time */
	memcpy(want + 8, rtpg_groups, sizeof(rtpg_groups));
	CHECK_MEM(buf, want, sizeof(buf));
}

/* Every allocation length: a prefix of the whole, nothing past it */
static void rtpg_truncated(void)
{
	u8 whole[64], buf[80];
	u32 full, cut, cap, i;
	u8 fmt;

	setup();
	CHECK_OK();
	for (fmt = 0; fmt <= 1; fmt++) {
		CHECK_ST(kt_alua_rtpg(&st, fmt, whole, sizeof(whole), &full),
			 KT_OK);
		CHECK_ST(kt_alua_rtpg(&st, fmt, NULL, 0, &cut), KT_OK);
		CHECK_EQ(cut, full);
		for (cap = 1; cap <= full + 8; cap++) {
			memset(buf, 0xee, sizeof(buf));
			CHECK_ST(kt_alua_rtpg(&st, fmt, buf, cap, &cut),
				 KT_OK);
			CHECK_EQ(cut, full);
			CHECK_MEM(buf, whole, cap < full ? cap : full);
			for (i = cap; i < sizeof(buf); i++)
				CHECK_EQ(buf[i], 0xee);
		}
	}
}

static void rtpg_bad_format(void)
{
	u8 buf[16];
	u32 full = 1;
	u8 fmt;

	setup();
	CHECK_OK();
	for (fmt = 2; fmt < 8; fmt++) {
		memset(buf, 0xee, sizeof(buf));
		CHECK_ST(kt_alua_rtpg(&st, fmt, buf, sizeof(buf), &full),
			 KT_S_INVALID_FIELD_CDB);
		CHECK_EQ(full, 0);
		CHECK_EQ(buf[0], 0xee);
	}
}

/* No ports at all: a bare header */
static void rtpg_empty(void)
{
	u8 buf[8];
	u32 full;

	kt_alua_init(&st);
	CHECK_ST(kt_alua_rtpg(&st, 0, buf, sizeof(buf), &full), KT_OK);
	CHECK_EQ(full, 4);
	CHECK_EQ(get_unaligned_be32(buf), 0);
	CHECK_ST(kt_alua_rtpg(&st, 1, buf, sizeof(buf), &full), KT_OK);
	CHECK_EQ(full, 8);
	CHECK_EQ(get_unaligned_be32(buf), 4);
	CHECK_EQ(buf[4], 0x10);
	CHECK_EQ(buf[5], 0);
}

/* Every group full: exactly KT_ALUA_RTPG_MAX */
static void rtpg_largest(void)
{
	static u8 buf[KT_ALUA_RTPG_MAX + 16];
	u32 full;
	int i, j;

	kt_alua_init(&st);
	for (i = 1; i < KT_ALUA_MAX_GROUPS; i++)
		CHECK(kt_alua_group_add(&st, i) > 0);
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		for (j = 0; j < KT_ALUA_MAX_PORTS; j++)
			CHECK_EQ(kt_alua_port_set(&st, 1 + i * 100 + j, i), 0);
	CHECK_ST(kt_alua_rtpg(&st, 1, buf, sizeof(buf), &full), KT_OK);
	CHECK_EQ(full, KT_ALUA_RTPG_MAX);
	CHECK_EQ(get_unaligned_be32(buf), KT_ALUA_RTPG_MAX - 4);
	/* the last port of the last group */
	CHECK_EQ(get_unaligned_be16(buf + full - 2),
		 1 + (KT_ALUA_MAX_GROUPS - 1) * 100 + KT_ALUA_MAX_PORTS - 1);
}

/* ------------------------------------------------------------------ */
/* SET TARGET PORT GROUPS                                             */
/* ------------------------------------------------------------------ */

static u8 list[64];

/* A parameter list of @n descriptors (state, group id) from @d */
static u32 stpg_list(const u16 (*d)[2], unsigned int n)
{
	unsigned int i;

	memset(list, 0, sizeof(list));
	for (i = 0; i < n; i++) {
		list[4 + 4 * i] = d[i][0];
		put_unaligned_be16(d[i][1], list + 4 + 4 * i + 2);
	}
	return 4 + 4 * n;
}

static kt_status_t stpg(u16 rtpi, const u16 (*d)[2], unsigned int n)
{
	return kt_alua_stpg(&st, rtpi, list, stpg_list(d, n), &fx);
}

/* The groups before the command: a refused one must leave them so */
static struct kt_alua_state saved;

#define CHECK_UNCHANGED() CHECK(!memcmp(&st, &saved, sizeof(st)))

static void check_bad(u16 field, int bit)
{
	CHECK(fx.err_valid);
	CHECK_EQ(fx.err_field, field);
	CHECK_EQ(fx.err_bit_valid, bit >= 0);
	if (bit >= 0)
		CHECK_EQ(fx.err_bit, bit);
	CHECK_UNCHANGED();
}

/* The refusal points at byte @field (bit @bit, -1: none), nothing set */
#define CHECK_BAD(field, bit) do {					\
	check_bad(field, bit);						\
	CHECK_OK();							\
} while (0)

static void stpg_swap(void)
{
	static const u16 d[][2] = {
		{ KT_ALUA_AO, 5 }, { KT_ALUA_STANDBY, 0 },
	};
	int i;

	setup();
	CHECK_OK();
	CHECK_ST(stpg(1, d, 2), KT_OK);
	CHECK(!fx.err_valid);
	CHECK_EQ(st.groups[slot_of(5)].state, KT_ALUA_AO);
	CHECK_EQ(st.groups[0].state, KT_ALUA_STANDBY);
	CHECK_EQ(st.groups[slot_of(5)].status, KT_ALUA_STATUS_EXPLICIT);
	CHECK_EQ(st.groups[0].status, KT_ALUA_STATUS_EXPLICIT);
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		CHECK_EQ(fx.changed[i], i == 0 || i == slot_of(5));
	/* from the standby side too, and through group 5's port */
	CHECK_ST(stpg(3, d, 1), KT_OK);
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		CHECK(!fx.changed[i]);
	CHECK_ST(kt_alua_check(st.groups[0].state, KT_ALUA_CLS_OTHER),
		 KT_S_ALUA_STANDBY);
}

/* Naming a group in its current state: no change, status explicit */
static void stpg_same_state(void)
{
	static const u16 d[][2] = { { KT_ALUA_AO, 0 } };

	setup();
	CHECK_OK();
	CHECK_ST(stpg(2, d, 1), KT_OK);
	CHECK(!fx.changed[0]);
	CHECK_EQ(st.groups[0].status, KT_ALUA_STATUS_EXPLICIT);
}

/* Every state STPG may set, and reserved bits 7-4 ignored */
static void stpg_each_state(void)
{
	static const u8 states[] = { KT_ALUA_AN, KT_ALUA_STANDBY,
				     KT_ALUA_UNAVAILABLE, KT_ALUA_AO };
	u16 d[1][2] = { { 0, 5 } };
	size_t i;

	setup();
	CHECK_OK();
	for (i = 0; i < ARRAY_SIZE(states); i++) {
		d[0][0] = states[i] | 0xf0;
		CHECK_ST(stpg(1, (const u16 (*)[2])d, 1), KT_OK);
		CHECK_EQ(st.groups[slot_of(5)].state, states[i]);
	}
}

static void stpg_empty_lists(void)
{
	setup();
	CHECK_OK();
	saved = st;
	CHECK_ST(kt_alua_stpg(&st, 1, NULL, 0, &fx), KT_OK);
	CHECK_UNCHANGED();
	memset(list, 0xff, 4);
	CHECK_ST(kt_alua_stpg(&st, 1, list, 4, &fx), KT_OK);
	CHECK_UNCHANGED();
}

static void stpg_bad_length(void)
{
	static const u32 lens[] = { 1, 2, 3, 5, 6, 7, 9, 10, 11, 13 };
	size_t i;

	setup();
	CHECK_OK();
	memset(list, 0, sizeof(list));
	saved = st;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		CHECK_ST(kt_alua_stpg(&st, 1, list, lens[i], &fx),
			 KT_S_PARAM_LIST_LENGTH);
		CHECK(!fx.err_valid);
		CHECK_UNCHANGED();
	}
}

/* The second descriptor names no reported group: nothing is applied */
static void stpg_unknown_group(void)
{
	static const u16 unknown[][2] = {
		{ KT_ALUA_AO, 5 }, { KT_ALUA_STANDBY, 6 },
	};
	static const u16 empty[][2] = { { KT_ALUA_AO, 9 } };

	setup();
	CHECK_OK();
	saved = st;
	CHECK_ST(stpg(1, unknown, 2), KT_S_INVALID_FIELD_PARAM);
	CHECK_BAD(10, -1);
	/* group 9 exists but has no port: RTPG does not report it */
	CHECK_ST(stpg(1, empty, 1), KT_S_INVALID_FIELD_PARAM);
	CHECK_BAD(6, -1);
}

static void stpg_duplicate_group(void)
{
	static const u16 d[][2] = {
		{ KT_ALUA_AO, 5 }, { KT_ALUA_AN, 0 }, { KT_ALUA_AN, 5 },
	};

	setup();
	CHECK_OK();
	saved = st;
	CHECK_ST(stpg(1, d, 3), KT_S_INVALID_FIELD_PARAM);
	CHECK_BAD(14, -1);
}

/* Transitioning, LBD, offline and reserved values cannot be asked for */
static void stpg_unsettable_states(void)
{
	static const u8 bad[] = { KT_ALUA_LBD, 5, 8, 0xd, KT_ALUA_OFFLINE,
				  KT_ALUA_TRANSITIONING };
	u16 d[2][2] = { { KT_ALUA_AN, 0 }, { 0, 5 } };
	size_t i;

	setup();
	CHECK_OK();
	saved = st;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		d[1][0] = bad[i];
		CHECK_ST(stpg(1, (const u16 (*)[2])d, 2),
			 KT_S_INVALID_FIELD_PARAM);
		CHECK_BAD(8, 3);
	}
}

static void stpg_unsupported_state(void)
{
	static const u16 d[][2] = { { KT_ALUA_UNAVAILABLE, 5 } };

	setup();
	CHECK_OK();
	CHECK_EQ(kt_alua_set_supported(&st, slot_of(5), KT_ALUA_SUP_AO |
				       KT_ALUA_SUP_S), 0);
	saved = st;
	CHECK_ST(stpg(1, d, 1), KT_S_INVALID_FIELD_PARAM);
	CHECK_BAD(4, 3);
}

/* A group that takes implicit transitions only cannot be named */
static void stpg_group_not_explicit(void)
{
	static const u16 d[][2] = { { KT_ALUA_AO, 5 } };

	setup();
	CHECK_OK();
	CHECK_EQ(kt_alua_set_access(&st, slot_of(5),
				    KT_ALUA_ACCESS_IMPLICIT), 0);
	saved = st;
	CHECK_ST(stpg(1, d, 1), KT_S_INVALID_FIELD_PARAM);
	CHECK_BAD(6, -1);
}

/*
 * Through a port whose group takes no explicit transitions (INQUIRY
 * reports TPGS without them), or a port in no group, the command is
 * not supported at all.
 */
static void stpg_port_not_explicit(void)
{
	static const u16 d[][2] = { { KT_ALUA_AO, 0 } };

	setup();
	CHECK_OK();
	CHECK_EQ(kt_alua_set_access(&st, slot_of(5),
				    KT_ALUA_ACCESS_IMPLICIT), 0);
	saved = st;
	CHECK_ST(stpg(3, d, 1), KT_S_INVALID_OPCODE);
	CHECK(!fx.err_valid);
	CHECK_UNCHANGED();
	CHECK_ST(stpg(4, d, 1), KT_S_INVALID_OPCODE);
	CHECK_UNCHANGED();
	CHECK_EQ(kt_alua_set_access(&st, slot_of(5), 0), 0);
	CHECK_ST(stpg(3, d, 1), KT_S_INVALID_OPCODE);
	/* even an empty list */
	CHECK_ST(kt_alua_stpg(&st, 3, NULL, 0, &fx), KT_S_INVALID_OPCODE);
}

/* A refusal clears what an earlier call reported */
static void stpg_effects_cleared(void)
{
	static const u16 good[][2] = { { KT_ALUA_AN, 0 } };
	static const u16 bad[][2] = { { KT_ALUA_AO, 77 } };

	setup();
	CHECK_OK();
	CHECK_ST(stpg(1, good, 1), KT_OK);
	CHECK(fx.changed[0]);
	CHECK_ST(stpg(1, bad, 1), KT_S_INVALID_FIELD_PARAM);
	CHECK(!fx.changed[0]);
	CHECK_ST(stpg(1, good, 1), KT_OK);
	CHECK(!fx.changed[0] && !fx.err_valid);
}

/* ------------------------------------------------------------------ */
/* VPD 0x83 designators                                               */
/* ------------------------------------------------------------------ */

static void designators(void)
{
	static const u8 rtpi[] = { 0x01, 0x14, 0x00, 0x04,
				   0x00, 0x00, 0x12, 0x34 };
	static const u8 tpg[] = { 0x01, 0x15, 0x00, 0x04,
				  0x00, 0x00, 0xab, 0xcd };
	u8 buf[20];
	u32 cap, i;

	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(kt_alua_vpd83_rtpi(0x1234, buf, sizeof(buf), 2), 8);
	CHECK_EQ(kt_alua_vpd83_tpg(0xabcd, buf, sizeof(buf), 10), 8);
	CHECK_EQ(buf[0], 0xee);
	CHECK_EQ(buf[1], 0xee);
	CHECK_MEM(buf + 2, rtpi, 8);
	CHECK_MEM(buf + 10, tpg, 8);
	CHECK_EQ(buf[18], 0xee);
	CHECK_EQ(kt_alua_vpd83_tpg(1, NULL, 0, 0), KT_ALUA_DESIG_LEN);
	for (cap = 0; cap <= 8; cap++) {
		memset(buf, 0xee, sizeof(buf));
		CHECK_EQ(kt_alua_vpd83_rtpi(0x1234, buf, cap, 0), 8);
		CHECK_MEM(buf, rtpi, cap);
		for (i = cap; i < sizeof(buf); i++)
			CHECK_EQ(buf[i], 0xee);
	}
}

static const struct kt_test tests[] = {
	KT_TEST(check_every_cell),
	KT_TEST(check_out_of_range),
	KT_TEST(check_sense),
	KT_TEST(init_default_group),
	KT_TEST(group_add_del),
	KT_TEST(ports_move),
	KT_TEST(set_state_implicit),
	KT_TEST(set_supported_access),
	KT_TEST(tpgs_field),
	KT_TEST(rtpg_length_only),
	KT_TEST(rtpg_extended),
	KT_TEST(rtpg_truncated),
	KT_TEST(rtpg_bad_format),
	KT_TEST(rtpg_empty),
	KT_TEST(rtpg_largest),
	KT_TEST(stpg_swap),
	KT_TEST(stpg_same_state),
	KT_TEST(stpg_each_state),
	KT_TEST(stpg_empty_lists),
	KT_TEST(stpg_bad_length),
	KT_TEST(stpg_unknown_group),
	KT_TEST(stpg_duplicate_group),
	KT_TEST(stpg_unsettable_states),
	KT_TEST(stpg_unsupported_state),
	KT_TEST(stpg_group_not_explicit),
	KT_TEST(stpg_port_not_explicit),
	KT_TEST(stpg_effects_cleared),
	KT_TEST(designators),
};

int main(void)
{
	return kt_test_run("alua", tests, ARRAY_SIZE(tests));
}
