// SPDX-License-Identifier: GPL-2.0
/*
 * APTPL metadata in LIO's text formats (pure code, see pr.h): the file
 * LIO keeps in <dbroot>/pr/aptpl_<unit_serial>, the lines rtslib writes
 * into pr/res_aptpl_metadata, and the registrations they describe.
 *
 * Both formats carry one registration as a list of key=value items: one
 * per line in the file, between PR_REG_START/PR_REG_END lines, and comma
 * separated in a metadata write.  rtslib builds its writes by splitting
 * the file at white space, so a metadata line also carries the block
 * number of both PR_REG_ lines as a bare first and last item.
 *
 * The parsers are strict (a file we misread would hand a reservation to
 * the wrong initiator) and report the offset of the item that is wrong.
 */
#include <ktarget/pr.h>

#define START_TAG	"PR_REG_START: "
#define END_TAG		"PR_REG_END: "
#define ISID_DIGITS	12
#define KEY_HEX_DIGITS	16
#define DEC_DIGITS	20	/* of a u64 */
#define INDEX_DIGITS	10	/* of a block number */
#define BINARY_ID_MAX	16	/* SRP; FC, SAS and SBP have 8 */

/* ------------------------------------------------------------------ */
/* Tokens                                                             */
/* ------------------------------------------------------------------ */

enum tok {
	T_INIT_FABRIC,
	T_INIT_NODE,
	T_INIT_SID,
	T_KEY,
	T_HOLDER,
	T_TYPE,
	T_SCOPE,
	T_ALL_TG_PT,
	T_MAPPED_LUN,
	T_TGT_FABRIC,
	T_TGT_NODE,
	T_TPGT,
	T_RTPI,
	T_TGT_LUN,
	T__COUNT
};

static const char *const tok_name[T__COUNT] = {
	[T_INIT_FABRIC]	= "initiator_fabric",
	[T_INIT_NODE]	= "initiator_node",
	[T_INIT_SID]	= "initiator_sid",
	[T_KEY]		= "sa_res_key",
	[T_HOLDER]	= "res_holder",
	[T_TYPE]	= "res_type",
	[T_SCOPE]	= "res_scope",
	[T_ALL_TG_PT]	= "res_all_tg_pt",
	[T_MAPPED_LUN]	= "mapped_lun",
	[T_TGT_FABRIC]	= "target_fabric",
	[T_TGT_NODE]	= "target_node",
	[T_TPGT]	= "tpgt",
	[T_RTPI]	= "port_rtpi",
	[T_TGT_LUN]	= "target_lun",
};

#define BIT_T(t)	(1u << (t))
/*
 * What every LIO version writes for every registration.  The fabric
 * names are optional: LIO itself does not use them to restore, and a
 * proposed LIO change drops them from the file.
 */
#define T_MANDATORY	(BIT_T(T_INIT_NODE) | BIT_T(T_KEY) |		\
			 BIT_T(T_HOLDER) | BIT_T(T_ALL_TG_PT) |		\
			 BIT_T(T_MAPPED_LUN) | BIT_T(T_TGT_NODE) |	\
			 BIT_T(T_TPGT) | BIT_T(T_RTPI) | BIT_T(T_TGT_LUN))
#define T_HOLDER_ONLY	(BIT_T(T_TYPE) | BIT_T(T_SCOPE))

static bool type_all_regs(u8 type)
{
	return type == KT_PR_WR_EX_AR || type == KT_PR_EX_AC_AR;
}

static bool type_valid(u8 type)
{
	return type == KT_PR_WR_EX || type == KT_PR_EX_AC ||
	       type == KT_PR_WR_EX_RO || type == KT_PR_EX_AC_RO ||
	       type_all_regs(type);
}

/* A name as both formats can carry it: no separator may appear in it */
static bool name_ok(const char *s, u32 n, u32 max)
{
	u32 i;

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((u8)s[i] <= ' ' || s[i] == ',' || s[i] == 0x7f)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* The encoder                                                        */
/* ------------------------------------------------------------------ */

/* Text going into a buffer of @cap bytes; @len counts all of it */
struct out {
	char *buf;
	u32 cap;
	u32 len;
};

static void out_mem(struct out *o, const char *p, u32 n)
{
	if (o->len < o->cap)
		memcpy(o->buf + o->len, p, min(n, o->cap - o->len));
	o->len += n;
}

/* A length cut to what its array can hold (a state not from pr.c) */
static u32 min_len(u32 n, u32 max)
{
	return n < max ? n : max;
}

static void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_dec(struct out *o, u64 v)
{
	char d[DEC_DIGITS];
	int i = sizeof(d);

	do {
		d[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	out_mem(o, d + i, sizeof(d) - i);
}

/* @v as exactly @digits lowercase hex digits */
static void out_hex(struct out *o, u64 v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char c;

	while (digits--) {
		c = hex[(v >> (4 * digits)) & 0xf];
		out_mem(o, &c, 1);
	}
}

static void out_key(struct out *o, enum tok t)
{
	out_str(o, tok_name[t]);
	out_str(o, "=");
}

static void out_kv_str(struct out *o, enum tok t, const char *v)
{
	out_key(o, t);
	out_str(o, v);
	out_str(o, "\n");
}

static void out_kv_dec(struct out *o, enum tok t, u64 v)
{
	out_key(o, t);
	out_dec(o, v);
	out_str(o, "\n");
}

/*
 * The initiator's name as LIO's ACLs spell it: an iSCSI name as is, a
 * SAS address as naa.<hex>, an FC port name with colons between the
 * bytes, the others as 0x<hex>.  kt_aptpl_tid() reads all of them back.
 */
static void out_init_node(struct out *o, const struct kt_pr_tid *t)
{
	u32 n = t->len, i;

	if (t->proto == KT_PR_PROTO_ISCSI) {
		out_mem(o, (const char *)t->id, min_len(n, KT_PR_NAME_MAX));
		return;
	}
	n = min_len(n, BINARY_ID_MAX);
	if (t->proto == KT_PR_PROTO_SAS)
		out_str(o, "naa.");
	else if (t->proto != KT_PR_PROTO_FC)
		out_str(o, "0x");
	for (i = 0; i < n; i++) {
		if (i && t->proto == KT_PR_PROTO_FC)
			out_str(o, ":");
		out_hex(o, t->id[i], 2);
	}
}

/*
 * LIO has one holder even under an all registrants type, and only the
 * holder's block carries the type: name the slot that reserved, or the
 * first registrant if that one has gone since.
 */
static int holder_slot(const struct kt_pr_state *s)
{
	int i;

	if (!s->reserved)
		return -1;
	if (s->holder < KT_PR_MAX_REGS && s->regs[s->holder].used)
		return s->holder;
	if (!type_all_regs(s->type))
		return -1;
	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (s->regs[i].used)
			return i;
	return -1;
}

static bool port_ok(const struct kt_aptpl_port *p)
{
	return p->init_fabric && p->target_fabric && p->target_node &&
	       name_ok(p->init_fabric, strnlen(p->init_fabric,
					       KT_APTPL_FABRIC_MAX + 1),
		       KT_APTPL_FABRIC_MAX) &&
	       name_ok(p->target_fabric, strnlen(p->target_fabric,
						 KT_APTPL_FABRIC_MAX + 1),
		       KT_APTPL_FABRIC_MAX) &&
	       name_ok(p->target_node, strnlen(p->target_node,
					       KT_PR_NAME_MAX + 1),
		       KT_PR_NAME_MAX);
}

/* The initiator side of block @n: up to and including mapped_lun */
static void encode_init(struct out *o, const struct kt_pr_state *s,
			const struct kt_pr_reg *r,
			const struct kt_aptpl_port *p, bool holder)
{
	out_kv_str(o, T_INIT_FABRIC, p->init_fabric);
	out_key(o, T_INIT_NODE);
	out_init_node(o, &r->nexus.init);
	out_str(o, "\n");
	if (r->nexus.init.proto == KT_PR_PROTO_ISCSI &&
	    r->nexus.init.has_isid) {
		out_key(o, T_INIT_SID);
		out_hex(o, r->nexus.init.isid, ISID_DIGITS);
		out_str(o, "\n");
	}
	out_kv_dec(o, T_KEY, r->key);
	out_kv_dec(o, T_HOLDER, holder);
	if (holder) {
		/* LIO writes these two in hex, two digits */
		out_key(o, T_TYPE);
		out_hex(o, s->type, 2);
		out_str(o, "\n");
		out_key(o, T_SCOPE);
		out_hex(o, s->scope, 2);
		out_str(o, "\n");
	}
	out_kv_dec(o, T_ALL_TG_PT, r->all_tg_pt);
	out_kv_dec(o, T_MAPPED_LUN, p->mapped_lun);
}

static void encode_reg(struct out *o, const struct kt_pr_state *s, int slot,
		       const struct kt_aptpl_port *p, u32 n, bool holder)
{
	const struct kt_pr_reg *r = &s->regs[slot];

	out_str(o, START_TAG);
	out_dec(o, n);
	out_str(o, "\n");
	encode_init(o, s, r, p, holder);
	out_kv_str(o, T_TGT_FABRIC, p->target_fabric);
	out_kv_str(o, T_TGT_NODE, p->target_node);
	out_kv_dec(o, T_TPGT, p->tpgt);
	out_kv_dec(o, T_RTPI, r->nexus.rtpi);
	out_kv_dec(o, T_TGT_LUN, p->target_lun);
	out_str(o, END_TAG);
	out_dec(o, n);
	out_str(o, "\n");
}

/**
 * kt_aptpl_encode() - the APTPL file LIO would write for a state
 * @s: the logical unit's PR state
 * @ports: per slot of @s->regs, the target-side facts of its nexus
 * @buf: where to write (NULL if @cap is 0); no NUL is added
 * @cap: bytes of @buf; nothing is written at or past it
 *
 * Blocks are numbered from 0 in slot order.  With no registration the
 * text is KT_APTPL_EMPTY, which LIO writes then too.
 *
 * Context: under the caller's lock on @s.
 * Return: the length of the whole text, or 0 if a used slot's port in
 * @ports is unfit (then nothing is written).
 */
u32 kt_aptpl_encode(const struct kt_pr_state *s,
		    const struct kt_aptpl_port *ports, char *buf, u32 cap)
{
	struct out o = { .buf = buf, .cap = cap };
	int h = holder_slot(s), i;
	u32 n = 0;

	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (s->regs[i].used && !port_ok(&ports[i]))
			return 0;
	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (s->regs[i].used)
			encode_reg(&o, s, i, &ports[i], n++, i == h);
	if (!n)
		out_str(&o, KT_APTPL_EMPTY);
	return o.len;
}

/**
 * kt_aptpl_reg_of() - the record of one registration, as the file has it
 * @s: the PR state
 * @slot: a used slot of @s->regs
 * @p: the target-side facts of its nexus
 * @r: the record to fill in
 *
 * Return: 0, or -EINVAL if @slot is not used or @p is unfit.
 */
int kt_aptpl_reg_of(const struct kt_pr_state *s, int slot,
		    const struct kt_aptpl_port *p, struct kt_aptpl_reg *r)
{
	const struct kt_pr_reg *g;
	struct out o = { .buf = r->init_node, .cap = KT_PR_NAME_MAX };

	if (slot < 0 || slot >= KT_PR_MAX_REGS || !s->regs[slot].used ||
	    !port_ok(p))
		return -EINVAL;
	g = &s->regs[slot];
	memset(r, 0, sizeof(*r));
	out_init_node(&o, &g->nexus.init);
	strcpy(r->init_fabric, p->init_fabric);
	strcpy(r->target_fabric, p->target_fabric);
	strcpy(r->target_node, p->target_node);
	r->has_isid = g->nexus.init.proto == KT_PR_PROTO_ISCSI &&
		      g->nexus.init.has_isid;
	r->isid = r->has_isid ? g->nexus.init.isid : 0;
	r->key = g->key;
	r->holder = slot == holder_slot(s);
	r->type = r->holder ? s->type : 0;
	r->scope = r->holder ? s->scope : 0;
	r->all_tg_pt = g->all_tg_pt;
	r->mapped_lun = p->mapped_lun;
	r->tpgt = p->tpgt;
	r->rtpi = g->nexus.rtpi;
	r->target_lun = p->target_lun;
	return 0;
}

/* An optional fabric name: written only if the record had one */
static void out_opt_fabric(struct out *o, enum tok t, const char *v)
{
	if (v[0])
		out_kv_str(o, t, v);
}

static bool rec_names_ok(const struct kt_aptpl_reg *r)
{
	u32 fi = strnlen(r->init_fabric, sizeof(r->init_fabric));
	u32 ft = strnlen(r->target_fabric, sizeof(r->target_fabric));

	return (!fi || name_ok(r->init_fabric, fi, KT_APTPL_FABRIC_MAX)) &&
	       (!ft || name_ok(r->target_fabric, ft, KT_APTPL_FABRIC_MAX)) &&
	       name_ok(r->init_node, strnlen(r->init_node, sizeof(r->init_node)),
		       KT_PR_NAME_MAX) &&
	       name_ok(r->target_node,
		       strnlen(r->target_node, sizeof(r->target_node)),
		       KT_PR_NAME_MAX);
}

/**
 * kt_aptpl_encode_reg() - one block of an APTPL file for a registration
 * read back from metadata and not yet applied
 * @r: the record (as kt_aptpl_parse_line() or kt_aptpl_parse_file() left it)
 * @n: the block number
 * @buf: where to write (NULL if @cap is 0); no NUL is added
 * @cap: bytes of @buf; nothing is written at or past it
 *
 * Return: the length of the whole block, or 0 if a name in @r is unfit
 * for the format (then nothing is written).
 */
u32 kt_aptpl_encode_reg(const struct kt_aptpl_reg *r, u32 n, char *buf,
			u32 cap)
{
	struct out o = { .buf = buf, .cap = cap };

	if (!rec_names_ok(r))
		return 0;
	out_str(&o, START_TAG);
	out_dec(&o, n);
	out_str(&o, "\n");
	out_opt_fabric(&o, T_INIT_FABRIC, r->init_fabric);
	out_kv_str(&o, T_INIT_NODE, r->init_node);
	if (r->has_isid) {
		out_key(&o, T_INIT_SID);
		out_hex(&o, r->isid, ISID_DIGITS);
		out_str(&o, "\n");
	}
	out_kv_dec(&o, T_KEY, r->key);
	out_kv_dec(&o, T_HOLDER, r->holder);
	if (r->holder) {
		out_key(&o, T_TYPE);
		out_hex(&o, r->type, 2);
		out_str(&o, "\n");
		out_key(&o, T_SCOPE);
		out_hex(&o, r->scope, 2);
		out_str(&o, "\n");
	}
	out_kv_dec(&o, T_ALL_TG_PT, r->all_tg_pt);
	out_kv_dec(&o, T_MAPPED_LUN, r->mapped_lun);
	out_opt_fabric(&o, T_TGT_FABRIC, r->target_fabric);
	out_kv_str(&o, T_TGT_NODE, r->target_node);
	out_kv_dec(&o, T_TPGT, r->tpgt);
	out_kv_dec(&o, T_RTPI, r->rtpi);
	out_kv_dec(&o, T_TGT_LUN, r->target_lun);
	out_str(&o, END_TAG);
	out_dec(&o, n);
	out_str(&o, "\n");
	return o.len;
}

/* ------------------------------------------------------------------ */
/* Items                                                              */
/* ------------------------------------------------------------------ */

/**
 * struct rec - one registration while its items are read
 * @r: where it goes
 * @seen: BIT_T() of every token read
 * @off: where each token read starts
 */
struct rec {
	struct kt_aptpl_reg *r;
	u32 seen;
	u32 off[T__COUNT];
};

static void rec_init(struct rec *rc, struct kt_aptpl_reg *r)
{
	memset(rc, 0, sizeof(*rc));
	memset(r, 0, sizeof(*r));
	rc->r = r;
}

/* 1 to DEC_DIGITS decimal digits, at most @max */
static int get_dec(const char *v, u32 n, u64 max, u64 *out)
{
	u64 x = 0;
	u32 i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
	if (n > DEC_DIGITS)
		return -ERANGE;
	for (i = 0; i < n; i++) {
		if (x > (~0ULL - (v[i] - '0')) / 10)
			return -ERANGE;
		x = x * 10 + (v[i] - '0');
	}
	if (x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

/* 1 to @digits hex digits */
static int get_hex(const char *v, u32 n, u32 digits, u64 *out)
{
	u64 x = 0;
	u32 i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (hex_to_bin(v[i]) < 0)
			return -EINVAL;
		x = x << 4 | hex_to_bin(v[i]);
	}
	if (n > digits)
		return -ERANGE;
	*out = x;
	return 0;
}

/*
 * sa_res_key: LIO writes decimal; a hand-made line may use 0x<hex>,
 * which LIO's own parser takes too.  Zero is no registration.
 */
static int get_key(const char *v, u32 n, u64 *key)
{
	int ret;

	if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		ret = get_hex(v + 2, n - 2, KEY_HEX_DIGITS, key);
	else
		ret = get_dec(v, n, ~0ULL, key);
	if (!ret && !*key)
		ret = -ERANGE;
	return ret;
}

static int get_name(const char *v, u32 n, char *dst, u32 max)
{
	if (n > max)
		return -ENAMETOOLONG;
	if (!name_ok(v, n, max))
		return -EINVAL;
	memcpy(dst, v, n);
	dst[n] = 0;
	return 0;
}

/* res_type and res_scope: "%02x" in LIO's file; valid values only */
static int get_type(const char *v, u32 n, u8 *type, bool scope)
{
	u64 x;
	int ret = get_hex(v, n, 2, &x);

	if (ret)
		return ret;
	if (scope ? x != KT_PR_LU_SCOPE : !type_valid(x))
		return -ERANGE;
	*type = x;
	return 0;
}

static int get_bool(const char *v, u32 n, bool *dst)
{
	u64 x;
	int ret = get_dec(v, n, 1, &x);

	if (!ret)
		*dst = x;
	return ret;
}

static int get_u16(const char *v, u32 n, u16 *dst)
{
	u64 x;
	int ret = get_dec(v, n, 0xffff, &x);

	if (!ret)
		*dst = x;
	return ret;
}

static int set_value(struct kt_aptpl_reg *r, enum tok t, const char *v,
		     u32 n)
{
	switch (t) {
	case T_INIT_FABRIC:
		return get_name(v, n, r->init_fabric, KT_APTPL_FABRIC_MAX);
	case T_INIT_NODE:
		return get_name(v, n, r->init_node, KT_PR_NAME_MAX);
	case T_INIT_SID:
		r->has_isid = true;
		return get_hex(v, n, ISID_DIGITS, &r->isid);
	case T_KEY:
		return get_key(v, n, &r->key);
	case T_HOLDER:
		return get_bool(v, n, &r->holder);
	case T_TYPE:
		return get_type(v, n, &r->type, false);
	case T_SCOPE:
		return get_type(v, n, &r->scope, true);
	case T_ALL_TG_PT:
		return get_bool(v, n, &r->all_tg_pt);
	case T_MAPPED_LUN:
		return get_dec(v, n, ~0ULL, &r->mapped_lun);
	case T_TGT_FABRIC:
		return get_name(v, n, r->target_fabric, KT_APTPL_FABRIC_MAX);
	case T_TGT_NODE:
		return get_name(v, n, r->target_node, KT_PR_NAME_MAX);
	case T_TPGT:
		return get_u16(v, n, &r->tpgt);
	case T_RTPI:
		return get_u16(v, n, &r->rtpi);
	case T_TGT_LUN:
		return get_dec(v, n, ~0ULL, &r->target_lun);
	default:
		return -EINVAL;
	}
}

static int find_tok(const char *k, u32 n)
{
	int t;

	for (t = 0; t < T__COUNT; t++)
		if (strlen(tok_name[t]) == n && !memcmp(tok_name[t], k, n))
			return t;
	return -1;
}

/* One key=value item of @n bytes at @p, which is at @off of the input */
static int parse_item(struct rec *rc, const char *p, u32 n, u32 off,
		      u32 *err_off)
{
	const char *eq = memchr(p, '=', n);
	int t, ret;

	*err_off = off;
	if (!eq)
		return -EINVAL;
	t = find_tok(p, eq - p);
	if (t < 0 || (rc->seen & BIT_T(t)))
		return -EINVAL;
	ret = set_value(rc->r, t, eq + 1, p + n - eq - 1);
	if (ret)
		return ret;
	rc->seen |= BIT_T(t);
	rc->off[t] = off;
	return 0;
}

/* All items are in: what must be there is, nothing contradicts */
static int rec_finish(const struct rec *rc, u32 end, u32 *err_off)
{
	u32 need = T_MANDATORY;

	if (rc->r->holder)
		need |= T_HOLDER_ONLY;
	if ((rc->seen & need) != need) {
		*err_off = end;
		return -EINVAL;
	}
	/* A type without the reservation would be silently dropped */
	if (!rc->r->holder && (rc->seen & T_HOLDER_ONLY)) {
		*err_off = rc->off[(rc->seen & BIT_T(T_TYPE)) ? T_TYPE :
				   T_SCOPE];
		return -EINVAL;
	}
	return 0;
}

/* rtslib's copy of a block number: 1 to INDEX_DIGITS decimal digits */
static bool is_index(const char *p, u32 n)
{
	u64 x;

	return n <= INDEX_DIGITS && !get_dec(p, n, ~0ULL, &x);
}

/* ------------------------------------------------------------------ */
/* pr/res_aptpl_metadata                                              */
/* ------------------------------------------------------------------ */

/**
 * kt_aptpl_parse_line() - one registration written to res_aptpl_metadata
 * @buf: the bytes written (no NUL needed)
 * @len: their number
 * @r: the registration, on success
 * @err_off: on failure, the offset of the bad item (@len for a missing
 *	token)
 *
 * Items are key=value, separated by single commas; a bare block number
 * is allowed as the first and as the last item (rtslib copies them from
 * the file's PR_REG_START/PR_REG_END lines) and ignored.
 *
 * Return: 0, -EINVAL, -ERANGE or -ENAMETOOLONG.
 */
int kt_aptpl_parse_line(const char *buf, u32 len, struct kt_aptpl_reg *r,
			u32 *err_off)
{
	const char *comma;
	struct rec rc;
	u32 pos = 0, end;
	int ret;

	rec_init(&rc, r);
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len) {
		*err_off = 0;
		return -EINVAL;
	}
	for (;;) {
		comma = memchr(buf + pos, ',', len - pos);
		end = comma ? comma - buf : len;
		if (!((pos == 0 || end == len) &&
		      is_index(buf + pos, end - pos))) {
			ret = parse_item(&rc, buf + pos, end - pos, pos,
					 err_off);
			if (ret)
				return ret;
		}
		if (end == len)
			break;
		pos = end + 1;
	}
	return rec_finish(&rc, len, err_off);
}

/* ------------------------------------------------------------------ */
/* <dbroot>/pr/aptpl_<unit_serial>                                    */
/* ------------------------------------------------------------------ */

/* A line of the file: [@start, @end), the next one at @next */
struct line {
	u32 start;
	u32 end;
	u32 next;
};

static void next_line(const char *buf, u32 len, u32 pos, struct line *l)
{
	const char *nl = memchr(buf + pos, '\n', len - pos);

	l->start = pos;
	l->end = nl ? nl - buf : len;
	l->next = nl ? l->end + 1 : len;
}

/* "<tag><n>" with n the block number we are at */
static bool tag_line(const char *buf, const struct line *l, const char *tag,
		     u32 idx)
{
	u32 t = strlen(tag), n = l->end - l->start;
	u64 x;

	return n > t && !memcmp(buf + l->start, tag, t) &&
	       n - t <= INDEX_DIGITS &&
	       !get_dec(buf + l->start + t, n - t, ~0ULL, &x) && x == idx;
}

/* Block @idx at *@pos: its items up to its PR_REG_END line */
static int parse_block(const char *buf, u32 len, u32 *pos, u32 idx,
		       struct kt_aptpl_reg *r, u32 *err_off)
{
	struct line l;
	struct rec rc;
	int ret;

	rec_init(&rc, r);
	next_line(buf, len, *pos, &l);
	if (!tag_line(buf, &l, START_TAG, idx)) {
		*err_off = l.start;
		return -EINVAL;
	}
	while (l.next < len) {
		next_line(buf, len, l.next, &l);
		if (l.end - l.start >= strlen(END_TAG) &&
		    !memcmp(buf + l.start, END_TAG, strlen(END_TAG))) {
			*err_off = l.start;
			if (!tag_line(buf, &l, END_TAG, idx))
				return -EINVAL;
			*pos = l.next;
			return rec_finish(&rc, l.start, err_off);
		}
		ret = parse_item(&rc, buf + l.start, l.end - l.start,
				 l.start, err_off);
		if (ret)
			return ret;
	}
	*err_off = len;		/* truncated: no PR_REG_END */
	return -EINVAL;
}

/* LIO's text for "nothing registered", with or without its newline */
static bool is_empty_file(const char *buf, u32 len)
{
	u32 n = strlen(KT_APTPL_EMPTY);

	if (len == n + 1 && buf[n] == '\n')
		len--;
	return len == n && !memcmp(buf, KT_APTPL_EMPTY, n);
}

/**
 * kt_aptpl_parse_file() - the registrations of an APTPL file
 * @buf: the file's contents
 * @len: their length
 * @regs: the registrations, in the file's order
 * @max: room in @regs
 * @nregs: how many there are (0 on failure)
 * @err_off: on failure, the offset where the file goes wrong
 *
 * Blocks follow each other without blank lines, numbered from 0, each
 * ending in a newline except perhaps the last.  NUL bytes at the end are
 * ignored (LIO writes the string's NUL too).  An empty file is an error,
 * not "nothing registered": a write cut short must not lose a
 * reservation without a word.
 *
 * Return: 0; -ENOSPC for more than @max blocks; else see
 * kt_aptpl_parse_line().
 */
int kt_aptpl_parse_file(const char *buf, u32 len, struct kt_aptpl_reg *regs,
			unsigned int max, unsigned int *nregs, u32 *err_off)
{
	unsigned int n = 0;
	u32 pos = 0;
	int ret;

	*nregs = 0;
	while (len && !buf[len - 1])
		len--;
	if (is_empty_file(buf, len))
		return 0;
	if (!len) {
		*err_off = 0;
		return -EINVAL;
	}
	while (pos < len) {
		*err_off = pos;
		if (n >= max)
			return -ENOSPC;
		ret = parse_block(buf, len, &pos, n, &regs[n], err_off);
		if (ret)
			return ret;
		n++;
	}
	*nregs = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Into the PR state                                                  */
/* ------------------------------------------------------------------ */

/*
 * A binary port name as hex digits, after an optional "naa." or "0x",
 * with optional colons between bytes: exactly @len bytes of it.
 */
static bool binary_name(const char *s, u8 *id, u32 len)
{
	u32 nd = 0;
	int d;

	if (!strncmp(s, "naa.", 4) || !strncmp(s, "0x", 2))
		s += s[0] == 'n' ? 4 : 2;
	for (; *s; s++) {
		if (*s == ':' && nd && !(nd % 2) && s[1])
			continue;
		d = hex_to_bin(*s);
		if (d < 0 || nd >= 2 * len)
			return false;
		id[nd / 2] = (nd % 2) ? id[nd / 2] << 4 | d : d;
		nd++;
	}
	return nd == 2 * len;
}

static u32 binary_len(u8 proto)
{
	switch (proto) {
	case KT_PR_PROTO_FC:
	case KT_PR_PROTO_SBP:
	case KT_PR_PROTO_SAS:
		return 8;
	case KT_PR_PROTO_SRP:
		return BINARY_ID_MAX;
	default:
		return 0;
	}
}

/**
 * kt_aptpl_tid() - the initiator port a registration names
 * @r: the registration
 * @proto: PROTOCOL IDENTIFIER of the fabric it comes back on
 * @t: the port, on success
 *
 * Return: 0, or -EINVAL if @r's name (and ISID, which only iSCSI has)
 * does not fit @proto.
 */
int kt_aptpl_tid(const struct kt_aptpl_reg *r, u8 proto, struct kt_pr_tid *t)
{
	u8 id[BINARY_ID_MAX];
	u32 n = binary_len(proto);

	if (proto == KT_PR_PROTO_ISCSI)
		return kt_pr_tid_iscsi(t, r->init_node, r->has_isid, r->isid);
	if (!n || r->has_isid || !binary_name(r->init_node, id, n))
		return -EINVAL;
	return kt_pr_tid_binary(t, proto, id, n);
}

/* Does a holder record @r fit the reservation @s already has? */
static bool holder_fits(const struct kt_pr_state *s,
			const struct kt_aptpl_reg *r)
{
	if (!s->reserved)
		return true;
	/* Under an all registrants type everyone holds it anyway */
	return type_all_regs(s->type) && s->type == r->type &&
	       s->scope == r->scope;
}

static int free_slot(const struct kt_pr_state *s)
{
	int i;

	if (s->nregs >= KT_PR_MAX_REGS)
		return -1;
	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (!s->regs[i].used)
			return i;
	return -1;
}

/**
 * kt_aptpl_apply() - restore one registration into a PR state
 * @s: the logical unit's state (kt_pr_init() before the first record)
 * @r: the registration, from one of the parsers
 * @proto: PROTOCOL IDENTIFIER of the fabric of @rtpi
 * @rtpi: the target port the caller maps @r's target side to
 *
 * The restored registrations are those of a logical unit just powered
 * on, so PRGENERATION is left alone: SPC-4 sets it to zero at power on,
 * whatever APTPL said.  APTPL is set, as the state came from it.
 *
 * Context: under the caller's lock on @s.
 * Return: 0; -EINVAL, -EEXIST, -ENOSPC or -EBUSY with @s unchanged.
 */
int kt_aptpl_apply(struct kt_pr_state *s, const struct kt_aptpl_reg *r,
		   u8 proto, u16 rtpi)
{
	struct kt_pr_nexus n = { .rtpi = rtpi };
	struct kt_pr_reg *reg;
	int slot;

	if (!r->key || (r->holder && (!type_valid(r->type) ||
				      r->scope != KT_PR_LU_SCOPE)))
		return -EINVAL;
	if (kt_aptpl_tid(r, proto, &n.init))
		return -EINVAL;
	if (kt_pr_find(s, &n) >= 0)
		return -EEXIST;
	if (r->holder && !holder_fits(s, r))
		return -EBUSY;
	slot = free_slot(s);
	if (slot < 0)
		return -ENOSPC;
	reg = &s->regs[slot];
	memset(reg, 0, sizeof(*reg));
	reg->nexus = n;
	reg->key = r->key;
	reg->used = true;
	reg->all_tg_pt = r->all_tg_pt;
	s->nregs++;
	if (r->holder && !s->reserved) {
		s->reserved = true;
		s->holder = slot;
		s->type = r->type;
		s->scope = r->scope;
	}
	s->aptpl = true;
	return 0;
}
