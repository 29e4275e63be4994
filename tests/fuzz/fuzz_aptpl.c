// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the APTPL metadata code (core/wire/aptpl.c).
 *
 * Input layout: byte 0 bit 0 picks the mode, the rest is its input.
 *   0  text: the bytes go to both parsers (a res_aptpl_metadata line and
 *      a whole file; byte 0 bits 1-7 bound the file's records).  What a
 *      parser accepts is checked field by field; a file's records are
 *      restored into a state, which must encode and parse back to as
 *      many records as it has registrations.
 *   1  state: the bytes build a PR state (see build_state()), which is
 *      encoded, parsed and restored; the restored state must have the
 *      same registrations and reservation.
 */
#include <ktarget/pr.h>
#include "fuzz.h"

#define MAX_RECS	KT_PR_MAX_REGS

static struct kt_pr_state st, st2;
static struct kt_aptpl_reg recs[MAX_RECS];
static struct kt_aptpl_port ports[KT_PR_MAX_REGS];
static char text[KT_APTPL_MAX];

static const char *const fabrics[] = { "iSCSI", "loopback" };
static const char *const targets[] = {
	"iqn.2003-01.org.linux-iscsi.kt:sn.1", "naa.5001405000000009",
};

static bool is_all_regs(u8 type)
{
	return type == KT_PR_WR_EX_AR || type == KT_PR_EX_AC_AR;
}

static void check_name(const char *s, size_t max, bool may_be_empty)
{
	size_t n = strnlen(s, max + 1), i;

	INVARIANT(n <= max && (n || may_be_empty));
	for (i = 0; i < n; i++)
		INVARIANT((u8)s[i] > ' ' && s[i] != ',' && s[i] != 0x7f);
}

/* What a parser accepted is a record the format can carry */
static void check_rec(const struct kt_aptpl_reg *r)
{
	check_name(r->init_node, KT_PR_NAME_MAX, false);
	check_name(r->target_node, KT_PR_NAME_MAX, false);
	check_name(r->init_fabric, KT_APTPL_FABRIC_MAX, true);
	check_name(r->target_fabric, KT_APTPL_FABRIC_MAX, true);
	INVARIANT(r->key);
	INVARIANT(r->isid <= 0xffffffffffffULL);
	INVARIANT(r->has_isid || !r->isid);
	if (r->holder) {
		INVARIANT(r->type == KT_PR_WR_EX || r->type == KT_PR_EX_AC ||
			  (r->type >= KT_PR_WR_EX_RO &&
			   r->type <= KT_PR_EX_AC_AR));
		INVARIANT(r->scope == KT_PR_LU_SCOPE);
	} else {
		INVARIANT(!r->type && !r->scope);
	}
}

/* One holder at most unless all registrants, nregs right */
static void check_state(const struct kt_pr_state *s)
{
	unsigned int used = 0, i;

	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (s->regs[i].used) {
			used++;
			INVARIANT(s->regs[i].key);
		}
	INVARIANT(used == s->nregs);
	if (s->reserved && !is_all_regs(s->type))
		INVARIANT(s->holder < KT_PR_MAX_REGS &&
			  s->regs[s->holder].used);
}

static u8 proto_of(const struct kt_aptpl_reg *r)
{
	return strcmp(r->init_fabric, "loopback") ? KT_PR_PROTO_ISCSI :
						    KT_PR_PROTO_SAS;
}

/* The port a restored record's slot is written out with */
static void port_of(struct kt_aptpl_port *p, const struct kt_aptpl_reg *r)
{
	p->init_fabric = r->init_fabric[0] ? r->init_fabric : "iSCSI";
	p->target_fabric = r->target_fabric[0] ? r->target_fabric : "iSCSI";
	p->target_node = r->target_node;
	p->tpgt = r->tpgt;
	p->mapped_lun = r->mapped_lun;
	p->target_lun = r->target_lun;
}

/* Restore @n records into @s; the ones refused leave @s as it was */
static void restore(struct kt_pr_state *s, bool isids, unsigned int n)
{
	struct kt_pr_tid t;
	struct kt_pr_nexus nx;
	unsigned int i;
	int slot;

	kt_pr_init(s);
	s->enforce_isids = isids;
	for (i = 0; i < n; i++) {
		if (kt_aptpl_apply(s, &recs[i], proto_of(&recs[i]),
				   recs[i].rtpi))
			continue;
		INVARIANT(!kt_aptpl_tid(&recs[i], proto_of(&recs[i]), &t));
		nx.init = t;
		nx.rtpi = recs[i].rtpi;
		slot = kt_pr_find(s, &nx);
		INVARIANT(slot >= 0);
		port_of(&ports[slot], &recs[i]);
	}
	check_state(s);
	INVARIANT(s->generation == 0);
}

static void text_mode(const char *p, u32 n, unsigned int max)
{
	unsigned int nrecs, i;
	u32 off, len;

	if (!kt_aptpl_parse_line(p, n, &recs[0], &off))
		check_rec(&recs[0]);
	else
		INVARIANT(off <= n);
	if (kt_aptpl_parse_file(p, n, recs, max, &nrecs, &off)) {
		INVARIANT(off <= n && !nrecs);
		return;
	}
	INVARIANT(nrecs <= max);
	for (i = 0; i < nrecs; i++)
		check_rec(&recs[i]);
	restore(&st, true, nrecs);
	len = kt_aptpl_encode(&st, ports, text, sizeof(text));
	INVARIANT(len && len <= sizeof(text));
	INVARIANT(!kt_aptpl_parse_file(text, len, recs, MAX_RECS, &nrecs,
				       &off));
	INVARIANT(nrecs == st.nregs);
}

/* An iSCSI name from the input: "iqn.f:" and up to 217 name bytes */
static void iscsi_name(struct fuzz_bytes *in, char *name)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789.-:";
	unsigned int len = fuzz_byte(in), i;

	len = len == 0xff ? KT_PR_NAME_MAX - 6 : len % 8;
	memcpy(name, "iqn.f:", 6);
	for (i = 0; i < len; i++)
		name[6 + i] = chars[fuzz_byte(in) % (sizeof(chars) - 1)];
	name[6 + len] = 0;
}

/*
 * Per registration (up to KT_PR_MAX_REGS, while input lasts): flags
 * (bit 0 SAS else iSCSI, bit 1 ISID, bit 2 ALL_TG_PT), the name (iSCSI:
 * a length byte and that many bytes; SAS: one byte of address), ISID
 * byte, rtpi byte, key byte, slot byte.  Byte 1 of the input: bit 0
 * enforce_pr_isids, bits 1-4 the reservation (0 none, else types[])
 * and its holder is the registration in slot bits 5-7 (or the first).
 */
static void build_state(struct fuzz_bytes *in)
{
	static const u8 types[] = { KT_PR_WR_EX, KT_PR_EX_AC, KT_PR_WR_EX_RO,
				    KT_PR_EX_AC_RO, KT_PR_WR_EX_AR,
				    KT_PR_EX_AC_AR };
	u8 sas[8] = { 0x50, 0x01, 0x40, 0x50, 0, 0, 0, 0 };
	char name[KT_PR_NAME_MAX + 1];
	u8 setup = fuzz_byte(in), f, res = (setup >> 1) & 0xf;
	struct kt_pr_nexus nx;
	struct kt_pr_reg *r;
	int slot;

	kt_pr_init(&st);
	st.enforce_isids = setup & 1;
	while (in->n && st.nregs < KT_PR_MAX_REGS) {
		f = fuzz_byte(in);
		memset(&nx, 0, sizeof(nx));
		if (f & 1) {
			sas[7] = fuzz_byte(in);
			INVARIANT(!kt_pr_tid_binary(&nx.init, KT_PR_PROTO_SAS,
						    sas, 8));
		} else {
			iscsi_name(in, name);
			INVARIANT(!kt_pr_tid_iscsi(&nx.init, name, f & 2,
						   (u64)fuzz_byte(in) << 40 | 7));
		}
		nx.rtpi = fuzz_byte(in);
		slot = fuzz_byte(in) % KT_PR_MAX_REGS;
		r = &st.regs[slot];
		if (r->used || kt_pr_find(&st, &nx) >= 0)
			continue;
		r->nexus = nx;
		r->key = (u64)fuzz_byte(in) << 56 | 1;
		r->all_tg_pt = f & 4;
		r->used = true;
		st.nregs++;
		ports[slot].init_fabric = fabrics[f & 1];
		ports[slot].target_fabric = fabrics[f & 1];
		ports[slot].target_node = targets[f & 1];
		ports[slot].tpgt = f >> 3;
		ports[slot].mapped_lun = f;
		ports[slot].target_lun = (u64)f << 40;
	}
	if (!st.nregs || !res || res > ARRAY_SIZE(types))
		return;
	st.reserved = true;
	st.type = types[res - 1];
	slot = setup >> 5;
	while (!st.regs[slot].used)
		slot = (slot + 1) % KT_PR_MAX_REGS;
	st.holder = slot;
}

static void state_mode(struct fuzz_bytes *in)
{
	unsigned int nrecs, i;
	u32 len, off;
	int slot;

	build_state(in);
	len = kt_aptpl_encode(&st, ports, text, sizeof(text));
	INVARIANT(len && len <= KT_APTPL_MAX);
	INVARIANT(!kt_aptpl_parse_file(text, len, recs, MAX_RECS, &nrecs,
				       &off));
	INVARIANT(nrecs == st.nregs);
	kt_pr_init(&st2);
	st2.enforce_isids = st.enforce_isids;
	for (i = 0; i < nrecs; i++)
		INVARIANT(!kt_aptpl_apply(&st2, &recs[i], proto_of(&recs[i]),
					  recs[i].rtpi));
	INVARIANT(st2.nregs == st.nregs && st2.reserved == st.reserved &&
		  st2.type == st.type && st2.scope == st.scope);
	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		if (!st.regs[i].used)
			continue;
		slot = kt_pr_find(&st2, &st.regs[i].nexus);
		INVARIANT(slot >= 0);
		INVARIANT(st2.regs[slot].key == st.regs[i].key);
		INVARIANT(st2.regs[slot].all_tg_pt == st.regs[i].all_tg_pt);
		INVARIANT(kt_pr_is_holder(&st2, slot) ==
			  kt_pr_is_holder(&st, i));
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_bytes in = { data + 1, size ? size - 1 : 0 };

	if (!size || size - 1 > KT_APTPL_MAX)
		return 0;
	memset(ports, 0, sizeof(ports));
	if (data[0] & 1)
		state_mode(&in);
	else
		text_mode((const char *)data + 1, size - 1,
			  (data[0] >> 1) % (MAX_RECS + 1));
	return 0;
}
