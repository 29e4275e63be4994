// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the persistent reservation state machine
 * (core/wire/pr.c): a sequence of PR OUT, PR IN, conflict checks and
 * drops from a few I_T nexuses, with the state's invariants checked
 * after every step.
 *
 * Input layout (a missing byte reads as zero; at most MAX_STEPS steps):
 *   0      setup: 0x01 enforce_pr_isids, 0x02 force_pr_aptpl, 0x04 lost,
 *          0x08 start with KT_PR_MAX_REGS - 2 other registrations
 *   then steps, each starting with one byte:
 *     bits 0-2  the nexus (sessions[], below)
 *     bits 3-5  0-4 PR OUT, 5 PR IN, 6 conflict check, 7 drop/lose
 *   PR OUT:  sa (low nibble), scope/type (bit 7 clear: LU scope and
 *            types[] entry of bits 0-2; set: the raw low 7 bits), keys
 *            (bits 0-2 the
 *            RESERVATION KEY, 4-6 the SERVICE ACTION RESERVATION KEY:
 *            0-3 from keys[], 4-7 eight bytes of input), flags (byte 20,
 *            or 17 for REGISTER AND MOVE), list: bits 0-1 0 exact,
 *            1 length plus a signed byte, 2 raw (a length byte, then the
 *            bytes), 3 TransportID length plus a signed byte; bits 2-4
 *            TransportIDs; bits 5-6 target ports; then per TransportID
 *            one byte: bit 7 set: raw, bits 0-5 its length and the bytes;
 *            bit 6 set: tids[] entry with one byte changed (two bytes:
 *            where, what); else tids[] entry; for REGISTER AND MOVE one
 *            byte of rtpi before them
 *   PR IN:   sa (bits 0-2), allocation length (2 bytes, below 1024)
 *   check:   class (bits 0-1)
 *   drop:    bit 0: kt_pr_drop(), else mark the state lost
 */
#include <stdlib.h>
#include <ktarget/pr.h>
#include "fuzz.h"

#define MAX_STEPS	64
#define NSESS		8
#define NTIDS		8
#define PARAM_MAX	2048

static struct kt_pr_state st, before;
static struct kt_pr_effects fx;
static struct kt_pr_nexus sessions[NSESS];
static struct kt_pr_tid tids[NTIDS];
static u8 full_buf[KT_PR_IN_MAX];
static const u64 keys[] = { 0, 0xa, 0xb, 0x123456789abcdef0ULL };
static const u16 all_ports[] = { 2, 1, 3 };
static const u8 types[] = { KT_PR_WR_EX, KT_PR_EX_AC, KT_PR_WR_EX_RO,
			    KT_PR_EX_AC_RO, KT_PR_WR_EX_AR, KT_PR_EX_AC_AR,
			    0, 2 };

static void iscsi(struct kt_pr_tid *t, const char *name, bool has, u64 isid)
{
	INVARIANT(!kt_pr_tid_iscsi(t, name, has, isid));
}

static void setup_pools(void)
{
	static const u8 sas[8] = { 0x50, 0x01, 0x40, 0x50, 0, 0, 0, 1 };
	static const u8 fc[8] = { 0x21, 0, 0, 0x24, 0xff, 0x5a, 0x11, 0x22 };
	int i;

	iscsi(&sessions[0].init, "iqn.2024-01.test:a", true, 1);
	iscsi(&sessions[1].init, "iqn.2024-01.test:a", true, 2);
	iscsi(&sessions[2].init, "iqn.2024-01.test:a", true, 1);
	iscsi(&sessions[3].init, "iqn.2024-01.test:b", true, 1);
	iscsi(&sessions[4].init, "iqn.2024-01.test:b", true, 1);
	INVARIANT(!kt_pr_tid_binary(&sessions[5].init, KT_PR_PROTO_SAS, sas,
				    8));
	INVARIANT(!kt_pr_tid_binary(&sessions[6].init, KT_PR_PROTO_FC, fc,
				    8));
	iscsi(&sessions[7].init, "IQN.2024-01.TEST:A", true, 1);
	for (i = 0; i < NSESS; i++)
		sessions[i].rtpi = (i == 2 || i == 4 || i == 6) ? 2 : 1;

	iscsi(&tids[0], "iqn.2024-01.test:a", true, 1);
	iscsi(&tids[1], "iqn.2024-01.test:a", true, 2);
	iscsi(&tids[2], "iqn.2024-01.test:a", false, 0);
	iscsi(&tids[3], "iqn.2024-01.test:b", true, 1);
	iscsi(&tids[4], "iqn.2024-01.test:b", false, 0);
	iscsi(&tids[5], "iqn.2024-01.test:c", false, 0);
	tids[6] = sessions[5].init;
	tids[7] = sessions[6].init;
}

/* ------------------------------------------------------------------ */
/* Invariants of the state                                            */
/* ------------------------------------------------------------------ */

static bool type_all_regs(u8 type)
{
	return type == KT_PR_WR_EX_AR || type == KT_PR_EX_AC_AR;
}

/*
 * One registration per I_T nexus: each slot this step changed against
 * all others (all pairs would be slow with the table filled).
 */
static void check_unique(int i)
{
	int j;

	for (j = 0; j < KT_PR_MAX_REGS; j++)
		INVARIANT(j == i || !st.regs[j].used ||
			  !kt_pr_nexus_match(&st.regs[j].nexus,
					     &st.regs[i].nexus,
					     st.enforce_isids));
}

static void check_regs(void)
{
	unsigned int used = 0;
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		if (!st.regs[i].used)
			continue;
		used++;
		INVARIANT(st.regs[i].key);
		if (memcmp(&st.regs[i], &before.regs[i], sizeof(st.regs[i])))
			check_unique(i);
	}
	INVARIANT(used == st.nregs && used <= KT_PR_MAX_REGS);
}

static void check_reservation(void)
{
	unsigned int holders = 0;
	int i;

	if (!st.reserved) {
		for (i = 0; i < KT_PR_MAX_REGS; i++)
			INVARIANT(!kt_pr_is_holder(&st, i));
		return;
	}
	INVARIANT(st.scope == KT_PR_LU_SCOPE);
	INVARIANT(st.type == KT_PR_WR_EX || st.type == KT_PR_EX_AC ||
		  (st.type >= KT_PR_WR_EX_RO && st.type <= KT_PR_EX_AC_AR));
	INVARIANT(st.nregs > 0);
	for (i = 0; i < KT_PR_MAX_REGS; i++)
		holders += kt_pr_is_holder(&st, i);
	/* one holder, unless every registrant holds it */
	if (type_all_regs(st.type))
		INVARIANT(holders == st.nregs);
	else
		INVARIANT(holders == 1 && st.regs[st.holder].used);
}

static void check_state(u32 gen_before)
{
	INVARIANT(st.generation >= gen_before);
	INVARIANT(st.generation - gen_before <= 1);
	check_regs();
	check_reservation();
}

/* ------------------------------------------------------------------ */
/* PERSISTENT RESERVE OUT                                             */
/* ------------------------------------------------------------------ */

static u64 pick_key(struct fuzz_bytes *in, u8 sel)
{
	u64 k = 0;
	int i;

	if (!(sel & 4))
		return keys[sel & 3];
	for (i = 0; i < 8; i++)
		k = k << 8 | fuzz_byte(in);
	return k;
}

/* One pool TransportID at @p, with one byte changed */
static u32 add_mutated(struct fuzz_bytes *in, u8 *p, u32 cap, u8 sel)
{
	u32 n = kt_pr_tid_encode(&tids[sel % NTIDS], p, cap);
	u8 where = fuzz_byte(in), what = fuzz_byte(in);

	if (where < n)
		p[where] = what;
	return n;
}

/* TransportIDs from the pool or raw bytes; returns their length */
static u32 add_tids(struct fuzz_bytes *in, u8 *p, u32 cap, unsigned int n)
{
	u32 off = 0, len, i;
	u8 sel;

	while (n--) {
		sel = fuzz_byte(in);
		if (sel & 0x80) {
			len = sel & 0x3f;
			for (i = 0; i < len && off < cap; i++)
				p[off++] = fuzz_byte(in);
		} else if (off + KT_PR_TID_MAX > cap) {
			break;
		} else if (sel & 0x40) {
			off += add_mutated(in, p + off, cap - off, sel);
		} else {
			off += kt_pr_tid_encode(&tids[sel % NTIDS], p + off,
						cap - off);
		}
	}
	return off;
}

/* The parameter list of one PR OUT; returns its length */
static u32 build_list(struct fuzz_bytes *in, u8 sa, u8 *p, u8 mode)
{
	bool move = sa == KT_PRO_REGISTER_AND_MOVE;
	u8 keysel = fuzz_byte(in), flags = fuzz_byte(in);
	u32 hdr = move ? 24 : 28, n, i;

	memset(p, 0, PARAM_MAX);
	if ((mode & 3) == 2) {
		n = fuzz_byte(in);
		for (i = 0; i < n; i++)
			p[i] = fuzz_byte(in);
		return n;
	}
	put_unaligned_be64(pick_key(in, keysel), p);
	put_unaligned_be64(pick_key(in, keysel >> 4), p + 8);
	p[move ? 17 : 20] = flags;
	if (move)
		put_unaligned_be16(fuzz_byte(in) & 3, p + 18);
	n = add_tids(in, p + hdr, PARAM_MAX - hdr, (mode >> 2) & 7);
	put_unaligned_be32(n, p + (move ? 20 : 24));
	if ((mode & 3) == 3)
		put_unaligned_be32(n + (signed char)fuzz_byte(in), p + (move ? 20 : 24));
	n = (move || (flags & 0x08)) ? hdr + n : 24;
	if ((mode & 3) == 1)
		n += (signed char)fuzz_byte(in);
	return n > PARAM_MAX ? PARAM_MAX : n;
}

static void check_effects(int self, kt_status_t s)
{
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		INVARIANT(!fx.ua[i] || fx.ua[i] == KT_PR_UA_RES_PREEMPTED ||
			  fx.ua[i] == KT_PR_UA_RES_RELEASED ||
			  fx.ua[i] == KT_PR_UA_REG_PREEMPTED);
		/* never to the nexus the command came through */
		INVARIANT(i != self || !fx.ua[i]);
		/* a slot named in the effects keeps its nexus ... */
		if (fx.ua[i] || fx.abort[i])
			INVARIANT(!memcmp(&st.regs[i].nexus,
					  &before.regs[i].nexus,
					  sizeof(st.regs[i].nexus)));
		/* ... and one preempted stays free */
		if (fx.ua[i] == KT_PR_UA_REG_PREEMPTED || fx.abort[i])
			INVARIANT(!st.regs[i].used && before.regs[i].used);
		if (s != KT_OK)
			INVARIANT(!fx.ua[i] && !fx.abort[i]);
	}
	if (s != KT_OK)
		INVARIANT(!fx.save && !fx.abort_self);
	if (fx.err_valid)
		INVARIANT(s == KT_S_INVALID_FIELD_CDB ||
			  s == KT_S_INVALID_FIELD_PARAM);
}

static void step_out(struct fuzz_bytes *in, const struct kt_pr_nexus *n)
{
	static u8 param[PARAM_MAX];
	struct kt_pr_out_req r = { .nexus = n };
	u8 sa = fuzz_byte(in) & 0x0f, scopetype = fuzz_byte(in), mode = fuzz_byte(in);
	u32 gen = st.generation;
	kt_status_t s;
	int self;

	r.sa = sa;
	if (scopetype & 0x80) {
		r.scope = (scopetype >> 4) & 7;
		r.type = scopetype & 0x0f;
	} else {
		r.type = types[scopetype & 7];
	}
	r.len = build_list(in, sa, param, mode);
	r.param = param;
	r.ports = all_ports;
	r.nports = (mode >> 5) & 3;
	self = kt_pr_find(&st, n);
	memcpy(&before, &st, sizeof(st));
	s = kt_pr_out(&st, &r, &fx);
	INVARIANT(s == KT_OK || s == KT_S_RESERVATION_CONFLICT ||
		  s == KT_S_INVALID_FIELD_CDB || s == KT_S_INVALID_FIELD_PARAM ||
		  s == KT_S_PARAM_LIST_LENGTH || s == KT_S_PR_NO_RESOURCES ||
		  s == KT_S_PR_INVALID_RELEASE);
	/* a refused command changes nothing at all */
	if (s != KT_OK)
		INVARIANT(!memcmp(&before, &st, sizeof(st)));
	/* RESERVE and RELEASE do not count */
	if (s == KT_OK && sa != KT_PRO_RESERVE && sa != KT_PRO_RELEASE)
		INVARIANT(st.generation == gen + 1);
	else
		INVARIANT(st.generation == gen);
	check_effects(self, s);
	check_state(gen);
}

/* ------------------------------------------------------------------ */
/* PERSISTENT RESERVE IN, conflicts, drops                            */
/* ------------------------------------------------------------------ */

/* Walk READ FULL STATUS: every descriptor and TransportID well formed */
static void check_full_status(const u8 *b, u32 full)
{
	struct kt_pr_tid t;
	u32 off = 8, dlen, used;
	unsigned int n = 0;

	while (off < full) {
		INVARIANT(off + 24 <= full);
		dlen = get_unaligned_be32(b + off + 20);
		INVARIANT(off + 24 + dlen <= full);
		INVARIANT(kt_pr_tid_decode(b + off + 24, dlen, &t, &used) ==
			  KT_OK && used == dlen);
		INVARIANT(get_unaligned_be64(b + off));
		off += 24 + dlen;
		n++;
	}
	INVARIANT(off == full && n == st.nregs);
}

static void step_in(struct fuzz_bytes *in)
{
	u8 sa = fuzz_byte(in) & 7, *buf;
	u32 cap, full, cut;
	kt_status_t s;

	cap = fuzz_byte(in) << 8;
	cap = (cap | fuzz_byte(in)) & 0x3ff;

	s = kt_pr_in(&st, sa, full_buf, sizeof(full_buf), &full);
	if (sa > KT_PRI_READ_FULL_STATUS) {
		INVARIANT(s == KT_S_INVALID_FIELD_CDB);
		return;
	}
	INVARIANT(s == KT_OK && full <= sizeof(full_buf));
	INVARIANT(get_unaligned_be32(full_buf) == st.generation ||
		  sa == KT_PRI_REPORT_CAPABILITIES);
	if (sa == KT_PRI_READ_KEYS)
		INVARIANT(full == 8 + 8 * st.nregs);
	if (sa == KT_PRI_READ_FULL_STATUS)
		check_full_status(full_buf, full);
	if (sa != KT_PRI_REPORT_CAPABILITIES)
		INVARIANT(get_unaligned_be32(full_buf + 4) == full - 8);
	/* exactly @cap bytes on the heap: ASan catches any overrun */
	buf = malloc(cap ? cap : 1);
	INVARIANT(buf);
	INVARIANT(kt_pr_in(&st, sa, cap ? buf : NULL, cap, &cut) == KT_OK);
	INVARIANT(cut == full);
	INVARIANT(!memcmp(buf, full_buf, cap < full ? cap : full));
	free(buf);
}

static void step_check(struct fuzz_bytes *in, const struct kt_pr_nexus *n)
{
	enum kt_pr_class c = fuzz_byte(in) & 3;
	kt_status_t s = kt_pr_check(&st, n, c);

	INVARIANT(s == KT_OK || s == KT_S_RESERVATION_CONFLICT);
	if (!st.reserved || c == KT_PR_CLS_ALLOWED ||
	    kt_pr_is_holder(&st, kt_pr_find(&st, n)))
		INVARIANT(s == KT_OK);
}

static void step_drop(struct fuzz_bytes *in, const struct kt_pr_nexus *n)
{
	u32 gen = st.generation;

	if (!(fuzz_byte(in) & 1)) {
		st.lost = true;
		return;
	}
	memcpy(&before, &st, sizeof(st));
	kt_pr_drop(&st, n, &fx);
	INVARIANT(kt_pr_find(&st, n) < 0);
	INVARIANT(st.generation == gen);
	check_state(gen);
}

/*
 * Fill all but two slots from nexuses none of the sessions match: built
 * through kt_pr_out() once, then copied (registering 126 nexuses for
 * every input would cost most of the run).
 */
static void prefill(void)
{
	static struct kt_pr_state filled;
	struct kt_pr_out_req r = { .sa = KT_PRO_REGISTER, .len = 24 };
	struct kt_pr_nexus n;
	u8 p[24] = { 0 };
	int i;

	if (filled.nregs) {
		memcpy(&st, &filled, sizeof(st));
		return;
	}
	r.nexus = &n;
	r.param = p;
	kt_pr_init(&filled);
	filled.enforce_isids = true;	/* the fill differs by ISID */
	for (i = 0; i < KT_PR_MAX_REGS - 2; i++) {
		iscsi(&n.init, "iqn.2024-01.test:fill", true, 0x1000 + i);
		n.rtpi = 1;
		put_unaligned_be64(0x100 + i, p + 8);
		INVARIANT(kt_pr_out(&filled, &r, &fx) == KT_OK);
	}
	memcpy(&st, &filled, sizeof(st));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_bytes in = { data, size };
	const struct kt_pr_nexus *n;
	int steps;
	u8 op;

	if (!sessions[0].init.len)
		setup_pools();
	op = fuzz_byte(&in);
	if (op & 8)
		prefill();
	else
		kt_pr_init(&st);
	st.enforce_isids = (op & 1) || (op & 8);
	st.force_aptpl = op & 2;
	st.lost = op & 4;
	memcpy(&before, &st, sizeof(st));
	for (steps = 0; in.n && steps < MAX_STEPS; steps++) {
		op = fuzz_byte(&in);
		n = &sessions[op & 7];
		switch ((op >> 3) & 7) {
		case 5:
			step_in(&in);
			break;
		case 6:
			step_check(&in, n);
			break;
		case 7:
			step_drop(&in, n);
			break;
		default:
			step_out(&in, n);
			break;
		}
	}
	return 0;
}
