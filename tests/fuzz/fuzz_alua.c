// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for ALUA (core/wire/alua.c): a sequence of group
 * and port changes, implicit transitions, SET TARGET PORT GROUPS lists,
 * REPORT TARGET PORT GROUPS reads, access checks and designators, with
 * the state's invariants checked after every step: group ids unique, the
 * default group in slot 0, every state one its group supports, a port in
 * one group at most; a refused STPG changes nothing; no builder writes
 * past its capacity.
 *
 * Input layout (a missing byte reads as zero; at most MAX_STEPS steps):
 *   each step starts with one byte, its low nibble the operation:
 *     0 add group: id       5 supported bits: slot, bits
 *     1 delete group: id    6 access type: slot, access
 *     2 port into group:    7 preferred, transition time: slot, byte
 *       rtpi, id            8 STPG: rtpi, count, then per descriptor
 *     3 port out: rtpi        state, id; length mode (below)
 *     4 implicit state:     9 RTPG: format, capacity (2 bytes)
 *       slot, state        10 check: state, class
 *                          11 designators: value (2 bytes), capacity
 *   an id or rtpi byte: bit 7 clear, its low 3 bits (small, colliding
 *   values); set, two more bytes of raw value.  A slot byte is taken
 *   modulo KT_ALUA_MAX_GROUPS + 2 (slots past the table are refused).
 *   STPG length mode: 0 exact, 1 plus a signed byte, 2 the list's bytes
 *   raw (a length byte, then the bytes).
 */
#include <stdlib.h>
#include <ktarget/alua.h>
#include "fuzz.h"

#define MAX_STEPS	64
#define LIST_MAX	1024

static struct kt_alua_state st, before;
static struct kt_alua_effects fx;
static u8 whole[KT_ALUA_RTPG_MAX];

static u16 pick_id(struct fuzz_bytes *in)
{
	u8 b = fuzz_byte(in);
	u16 v;

	if (!(b & 0x80))
		return b & 7;
	v = fuzz_byte(in) << 8;
	return v | fuzz_byte(in);
}

static int pick_slot(struct fuzz_bytes *in)
{
	return (int)(fuzz_byte(in) % (KT_ALUA_MAX_GROUPS + 2)) - 1;
}

/* ------------------------------------------------------------------ */
/* Invariants                                                         */
/* ------------------------------------------------------------------ */

static void check_ports(int slot)
{
	const struct kt_alua_group *g = &st.groups[slot];
	int i, j;

	INVARIANT(g->nports <= KT_ALUA_MAX_PORTS);
	for (i = 0; i < g->nports; i++) {
		INVARIANT(g->ports[i]);
		for (j = 0; j < i; j++)
			INVARIANT(g->ports[j] != g->ports[i]);
		INVARIANT(kt_alua_port_group(&st, g->ports[i]) == slot);
	}
}

static void check_group(int slot)
{
	const struct kt_alua_group *g = &st.groups[slot];
	int j;

	INVARIANT(kt_alua_state_valid(g->state));
	INVARIANT(g->supported & kt_alua_state_bit(g->state));
	INVARIANT(!(g->supported & ~KT_ALUA_SUP_VALID));
	INVARIANT(g->status <= KT_ALUA_STATUS_IMPLICIT);
	INVARIANT(!(g->access & ~KT_ALUA_ACCESS_BOTH));
	for (j = 0; j < slot; j++)
		INVARIANT(!st.groups[j].used || st.groups[j].id != g->id);
	INVARIANT(kt_alua_group_find(&st, g->id) == slot);
	check_ports(slot);
}

static void check_state(void)
{
	static const struct kt_alua_group zero;
	int i;

	INVARIANT(st.groups[0].used && st.groups[0].id == 0);
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++) {
		if (st.groups[i].used)
			check_group(i);
		else
			INVARIANT(!memcmp(&st.groups[i], &zero, sizeof(zero)));
	}
}

/* ------------------------------------------------------------------ */
/* SET TARGET PORT GROUPS                                             */
/* ------------------------------------------------------------------ */

/* The list of one STPG into @p; returns its length */
static u32 build_list(struct fuzz_bytes *in, u8 *p)
{
	u8 n = fuzz_byte(in) % 12, mode = fuzz_byte(in) % 3;
	u32 len, i;

	memset(p, 0, LIST_MAX);
	if (mode == 2) {
		len = fuzz_byte(in);
		for (i = 0; i < len; i++)
			p[i] = fuzz_byte(in);
		return len;
	}
	for (i = 0; i < n; i++) {
		p[4 + 4 * i] = fuzz_byte(in);
		put_unaligned_be16(pick_id(in), p + 4 + 4 * i + 2);
	}
	len = n ? 4 + 4 * n : 0;
	if (mode == 1)
		len += (signed char)fuzz_byte(in);
	return len > LIST_MAX ? 0 : len;
}

static void check_stpg_ok(void)
{
	int i;

	INVARIANT(!fx.err_valid);
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++) {
		INVARIANT(fx.changed[i] ==
			  (st.groups[i].state != before.groups[i].state));
		if (fx.changed[i])
			INVARIANT(st.groups[i].status ==
				  KT_ALUA_STATUS_EXPLICIT);
		/* only states are set: membership and ids stay */
		INVARIANT(st.groups[i].id == before.groups[i].id);
		INVARIANT(st.groups[i].nports == before.groups[i].nports);
	}
}

static void step_stpg(struct fuzz_bytes *in)
{
	static u8 list[LIST_MAX];
	u16 rtpi = pick_id(in);
	u32 len = build_list(in, list);
	kt_status_t s;
	int i;

	memcpy(&before, &st, sizeof(st));
	s = kt_alua_stpg(&st, rtpi, len ? list : NULL, len, &fx);
	INVARIANT(s == KT_OK || s == KT_S_INVALID_OPCODE ||
		  s == KT_S_PARAM_LIST_LENGTH ||
		  s == KT_S_INVALID_FIELD_PARAM);
	if (s == KT_OK) {
		check_stpg_ok();
		return;
	}
	/* a refused command changes nothing and reports no change */
	INVARIANT(!memcmp(&before, &st, sizeof(st)));
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		INVARIANT(!fx.changed[i]);
	INVARIANT(fx.err_valid == (s == KT_S_INVALID_FIELD_PARAM));
	if (fx.err_valid)
		INVARIANT(fx.err_field >= 4 && fx.err_field < len);
}

/* ------------------------------------------------------------------ */
/* REPORT TARGET PORT GROUPS                                          */
/* ------------------------------------------------------------------ */

/* Walk the data: one well-formed descriptor per group with ports */
static void check_rtpg_data(u8 fmt, u32 full)
{
	u32 off = fmt ? 8 : 4, ngroups = 0, n;
	int slot, i, want = 0;
	u16 port;

	INVARIANT(get_unaligned_be32(whole) == full - 4);
	while (off < full) {
		INVARIANT(off + 8 <= full);
		slot = kt_alua_group_find(&st,
					  get_unaligned_be16(whole + off + 2));
		INVARIANT(slot >= 0);
		INVARIANT((whole[off] & 0x0f) == st.groups[slot].state);
		INVARIANT(whole[off + 1] == st.groups[slot].supported);
		n = whole[off + 7];
		INVARIANT(n && n == st.groups[slot].nports);
		for (i = 0; i < (int)n; i++) {
			port = get_unaligned_be16(whole + off + 10 + 4 * i);
			INVARIANT(kt_alua_port_group(&st, port) == slot);
		}
		off += 8 + 4 * n;
		ngroups++;
	}
	INVARIANT(off == full);
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		want += st.groups[i].used && st.groups[i].nports;
	INVARIANT(ngroups == (u32)want);
}

static void step_rtpg(struct fuzz_bytes *in)
{
	u8 fmt = fuzz_byte(in) & 7, *buf;
	u32 cap, full, cut;
	kt_status_t s;

	cap = fuzz_byte(in) << 8;
	cap = (cap | fuzz_byte(in)) % (KT_ALUA_RTPG_MAX + 16);
	s = kt_alua_rtpg(&st, fmt, whole, sizeof(whole), &full);
	if (fmt > KT_ALUA_RTPG_EXTENDED) {
		INVARIANT(s == KT_S_INVALID_FIELD_CDB && !full);
		return;
	}
	INVARIANT(s == KT_OK && full <= KT_ALUA_RTPG_MAX);
	check_rtpg_data(fmt, full);
	/* exactly @cap bytes on the heap: ASan catches any overrun */
	buf = malloc(cap ? cap : 1);
	INVARIANT(buf);
	INVARIANT(kt_alua_rtpg(&st, fmt, cap ? buf : NULL, cap, &cut) ==
		  KT_OK);
	INVARIANT(cut == full);
	INVARIANT(!memcmp(buf, whole, cap < full ? cap : full));
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Checks, designators, settings                                      */
/* ------------------------------------------------------------------ */

static void step_check(struct fuzz_bytes *in)
{
	u8 state = fuzz_byte(in);
	enum kt_alua_class cls = fuzz_byte(in) % (KT_ALUA_CLS__COUNT + 1);
	kt_status_t s = kt_alua_check(state, cls);

	INVARIANT(s == KT_OK || s == KT_S_ALUA_STANDBY ||
		  s == KT_S_ALUA_UNAVAILABLE || s == KT_S_ALUA_TRANSITION ||
		  s == KT_S_ALUA_OFFLINE);
	if (cls == KT_ALUA_CLS__COUNT)
		INVARIANT(s != KT_OK);
	else if (state == KT_ALUA_AO || state == KT_ALUA_AN)
		INVARIANT(s == KT_OK);
	if (state == KT_ALUA_OFFLINE)
		INVARIANT(s == KT_S_ALUA_OFFLINE);
	/* a class that runs in a state lets every higher class run */
	if (s == KT_OK && cls + 1 < KT_ALUA_CLS__COUNT)
		INVARIANT(kt_alua_check(state, cls + 1) == KT_OK);
}

static void step_desig(struct fuzz_bytes *in)
{
	u16 v = pick_id(in);
	u8 cap = fuzz_byte(in) % 24, *buf = malloc(cap ? cap : 1);

	INVARIANT(buf);
	INVARIANT(kt_alua_vpd83_rtpi(v, buf, cap, cap / 3) ==
		  KT_ALUA_DESIG_LEN);
	INVARIANT(kt_alua_vpd83_tpg(v, buf, cap, cap / 2) ==
		  KT_ALUA_DESIG_LEN);
	free(buf);
}

static void step_settings(struct fuzz_bytes *in, u8 op)
{
	int slot = pick_slot(in), r;
	u8 v = fuzz_byte(in);

	switch (op) {
	case 4:
		r = kt_alua_set_state(&st, slot, v & 0x1f);
		INVARIANT(r == -EINVAL || r == -EPERM || r == 0 || r == 1);
		if (r >= 0)
			INVARIANT(st.groups[slot].state == (v & 0x1f) &&
				  st.groups[slot].status ==
				  KT_ALUA_STATUS_IMPLICIT);
		break;
	case 5:
		kt_alua_set_supported(&st, slot, v);
		break;
	case 6:
		kt_alua_set_access(&st, slot, v & 7);
		break;
	default:
		/* the caller's own fields: no call sets them */
		if (slot >= 0 && slot < KT_ALUA_MAX_GROUPS &&
		    st.groups[slot].used) {
			st.groups[slot].preferred = v & 1;
			st.groups[slot].trans_secs = v;
		}
		break;
	}
}

static void step_groups(struct fuzz_bytes *in, u8 op)
{
	u16 id, rtpi;
	int r;

	switch (op) {
	case 0:
		id = pick_id(in);
		r = kt_alua_group_add(&st, id);
		INVARIANT(r < 0 || kt_alua_group_find(&st, id) == r);
		break;
	case 1:
		id = pick_id(in);
		r = kt_alua_group_del(&st, id);
		INVARIANT(r < 0 || kt_alua_group_find(&st, id) < 0);
		break;
	case 2:
		rtpi = pick_id(in);
		id = pick_id(in);
		r = kt_alua_port_set(&st, rtpi, id);
		INVARIANT(r < 0 || kt_alua_port_group(&st, rtpi) ==
			  kt_alua_group_find(&st, id));
		break;
	default:
		rtpi = pick_id(in);
		kt_alua_port_del(&st, rtpi);
		INVARIANT(kt_alua_port_group(&st, rtpi) < 0);
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_bytes in = { data, size };
	int steps;
	u8 op;

	kt_alua_init(&st);
	for (steps = 0; in.n && steps < MAX_STEPS; steps++) {
		op = fuzz_byte(&in) & 0x0f;
		if (op <= 3)
			step_groups(&in, op);
		else if (op <= 7)
			step_settings(&in, op);
		else if (op == 8)
			step_stpg(&in);
		else if (op == 9)
			step_rtpg(&in);
		else if (op == 10)
			step_check(&in);
		else
			step_desig(&in);
		check_state();
	}
	return 0;
}
