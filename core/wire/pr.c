// SPDX-License-Identifier: GPL-2.0
/*
 * SPC-4 persistent reservations (pure code, see pr.h): TransportIDs,
 * PERSISTENT RESERVE OUT and IN, and the reservation conflict check.
 *
 * Every PR OUT checks all it needs before it changes anything, so a
 * refused command leaves the state as it was; the state is only ever
 * one struct, so the caller's lock around a call is all the locking.
 */
#include <ktarget/pr.h>

/* Basic PR OUT parameter list (SPC-4 6.16.3) */
#define PRO_BASIC_LEN		24
#define PRO_SPEC_HDR_LEN	28
#define PRO_SARK		8
#define PRO_FLAGS		20
#define PRO_SPEC_I_PT		0x08
#define PRO_ALL_TG_PT		0x04
#define PRO_APTPL		0x01
#define PRO_ADDL_LEN		24

/* REGISTER AND MOVE parameter list (SPC-4 6.16.4) */
#define PRO_MOVE_FLAGS		17
#define PRO_MOVE_UNREG		0x02
#define PRO_MOVE_APTPL		0x01
#define PRO_MOVE_RTPI		18
#define PRO_MOVE_TPDL		20
#define PRO_MOVE_HDR_LEN	24

/* TransportIDs (SPC-4 7.6.4) */
#define TID_BINARY_LEN		24
#define TID_ISCSI_MIN		24
#define TID_ISCSI_HDR		4
#define TID_FMT_SHIFT		6
#define TID_ISCSI_NAME_ONLY	0
#define TID_ISCSI_WITH_ISID	1
#define TID_ISID_SEP		",i,0x"
#define TID_ISID_SEP_LEN	5
#define TID_ISID_DIGITS		12

/* REPORT CAPABILITIES (SPC-4 6.15.4, RLR_C from SPC-5) */
#define CAP_LEN			8
#define CAP_RLR_C		0x80
#define CAP_CRH			0x10
#define CAP_SIP_C		0x08
#define CAP_ATP_C		0x04
#define CAP_PTPL_C		0x01
#define CAP_TMV			0x80
/* ALLOW COMMANDS 001b: TEST UNIT READY passes every reservation */
#define CAP_ALLOW_TUR		(0x1 << 4)
#define CAP_PTPL_A		0x01
#define CAP_MASK_HI		0xea	/* WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX */
#define CAP_MASK_LO		0x01	/* EX_AC_AR */

/* READ FULL STATUS descriptor (SPC-4 6.15.5) */
#define FULL_DESC_HDR		24
#define FULL_ALL_TG_PT		0x02
#define FULL_R_HOLDER		0x01

/**
 * struct pr_op - one PR OUT command while it runs
 * @s: the state
 * @req: the command
 * @fx: what the caller will do
 * @self: slot of the command's nexus, -1 if it is not registered
 * @rk: RESERVATION KEY
 * @sark: SERVICE ACTION RESERVATION KEY
 * @flags: byte 20 of the basic parameter list
 * @ignore: REGISTER AND IGNORE EXISTING KEY
 * @changed: the state (to persist) changed
 */
struct pr_op {
	struct kt_pr_state *s;
	const struct kt_pr_out_req *req;
	struct kt_pr_effects *fx;
	int self;
	u64 rk;
	u64 sark;
	u8 flags;
	bool ignore;
	bool changed;
};

/* ------------------------------------------------------------------ */
/* Errors                                                             */
/* ------------------------------------------------------------------ */

static kt_status_t bad_field(struct kt_pr_effects *fx, kt_status_t st,
			     bool cdb, u32 field, int bit)
{
	fx->err_valid = true;
	fx->err_cdb = cdb;
	fx->err_field = field > 0xffff ? 0xffff : field;
	fx->err_bit_valid = bit >= 0;
	fx->err_bit = bit >= 0 ? bit : 0;
	return st;
}

static kt_status_t bad_cdb(struct kt_pr_effects *fx, u32 field, int bit)
{
	return bad_field(fx, KT_S_INVALID_FIELD_CDB, true, field, bit);
}

static kt_status_t bad_param(struct kt_pr_effects *fx, u32 field, int bit)
{
	return bad_field(fx, KT_S_INVALID_FIELD_PARAM, false, field, bit);
}

/* ------------------------------------------------------------------ */
/* TransportIDs and nexuses                                           */
/* ------------------------------------------------------------------ */

static u8 ascii_lower(u8 c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int hex_val(u8 c)
{
	c = ascii_lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * An iSCSI name as a TransportID carries it: 1-223 bytes, no control
 * characters, spaces or commas (a comma would read as the ISID
 * separator).  Bytes of 0x80 and up are UTF-8 and allowed.
 */
static bool iscsi_name_ok(const u8 *name, unsigned int len)
{
	unsigned int i;

	if (!len || len > KT_PR_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] == ',' || name[i] == 0x7f)
			return false;
	return true;
}

/* Binary port name length of @proto, 0 for a protocol we do not take */
static unsigned int binary_id_len(u8 proto)
{
	switch (proto) {
	case KT_PR_PROTO_FC:
	case KT_PR_PROTO_SBP:
	case KT_PR_PROTO_SAS:
		return 8;
	case KT_PR_PROTO_SRP:
		return 16;
	default:
		return 0;
	}
}

/* Where the port name sits in a 24-byte binary TransportID */
static unsigned int binary_id_off(u8 proto)
{
	return proto == KT_PR_PROTO_SAS ? 4 : 8;
}

int kt_pr_tid_iscsi(struct kt_pr_tid *t, const char *name, bool has_isid,
		    u64 isid)
{
	size_t len = strnlen(name, KT_PR_NAME_MAX + 1);

	if (!iscsi_name_ok((const u8 *)name, len))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->proto = KT_PR_PROTO_ISCSI;
	t->len = len;
	memcpy(t->id, name, len);
	t->has_isid = has_isid;
	t->isid = has_isid ? isid & 0xffffffffffffULL : 0;
	return 0;
}

int kt_pr_tid_binary(struct kt_pr_tid *t, u8 proto, const u8 *id,
		     unsigned int len)
{
	if (!binary_id_len(proto) || len != binary_id_len(proto))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->proto = proto;
	t->len = len;
	memcpy(t->id, id, len);
	return 0;
}

static kt_status_t tid_decode_binary(const u8 *buf, u32 len,
				     struct kt_pr_tid *t, u32 *used)
{
	u8 proto = buf[0] & 0x0f;

	if (len < TID_BINARY_LEN)
		return KT_S_PARAM_LIST_LENGTH;
	if (buf[0] >> TID_FMT_SHIFT)
		return KT_S_INVALID_FIELD_PARAM;
	kt_pr_tid_binary(t, proto, buf + binary_id_off(proto),
			 binary_id_len(proto));
	*used = TID_BINARY_LEN;
	return KT_OK;
}

/* ",i,0x" and 1-12 hex digits of ISID, @n bytes at @p */
static bool parse_isid(const u8 *p, unsigned int n, u64 *isid)
{
	unsigned int i;

	if (n <= TID_ISID_SEP_LEN ||
	    n > TID_ISID_SEP_LEN + TID_ISID_DIGITS ||
	    memcmp(p, TID_ISID_SEP, TID_ISID_SEP_LEN))
		return false;
	*isid = 0;
	for (i = TID_ISID_SEP_LEN; i < n; i++) {
		if (hex_val(p[i]) < 0)
			return false;
		*isid = *isid << 4 | hex_val(p[i]);
	}
	return true;
}

/*
 * The NUL-terminated string of an iSCSI TransportID: the name, then for
 * format 01h the separator and the ISID.
 */
static bool iscsi_parse_str(const u8 *str, unsigned int n, u8 fmt,
			    struct kt_pr_tid *t)
{
	const u8 *sep;
	u64 isid = 0;

	if (fmt == TID_ISCSI_NAME_ONLY) {
		if (!iscsi_name_ok(str, n))
			return false;
	} else {
		sep = memchr(str, ',', n);
		if (!sep || !parse_isid(sep, str + n - sep, &isid))
			return false;
		n = sep - str;
		if (!iscsi_name_ok(str, n))
			return false;
	}
	memset(t, 0, sizeof(*t));
	t->proto = KT_PR_PROTO_ISCSI;
	t->len = n;
	memcpy(t->id, str, n);
	t->has_isid = fmt == TID_ISCSI_WITH_ISID;
	t->isid = isid;
	return true;
}

static kt_status_t tid_decode_iscsi(const u8 *buf, u32 len,
				    struct kt_pr_tid *t, u32 *used)
{
	u8 fmt = buf[0] >> TID_FMT_SHIFT;
	const u8 *str, *nul;
	u32 total;

	if (len < TID_ISCSI_HDR)
		return KT_S_PARAM_LIST_LENGTH;
	total = TID_ISCSI_HDR + get_unaligned_be16(buf + 2);
	if (total > len)
		return KT_S_PARAM_LIST_LENGTH;
	/* ADDITIONAL LENGTH: at least 20, a multiple of 4 */
	if (total < TID_ISCSI_MIN || total % 4 || total > KT_PR_TID_MAX ||
	    fmt > TID_ISCSI_WITH_ISID)
		return KT_S_INVALID_FIELD_PARAM;
	str = buf + TID_ISCSI_HDR;
	nul = memchr(str, 0, total - TID_ISCSI_HDR);
	if (!nul || !iscsi_parse_str(str, nul - str, fmt, t))
		return KT_S_INVALID_FIELD_PARAM;
	*used = total;
	return KT_OK;
}

/**
 * kt_pr_tid_decode() - decode one TransportID
 * @buf: where it starts
 * @len: bytes available at @buf
 * @t: the initiator port it names
 * @used: its length, on success
 *
 * Takes the 24-byte formats of FC, SAS, SRP and IEEE 1394 (format code
 * 00b) and both iSCSI formats; reserved bytes are not checked.
 *
 * Return: KT_OK; KT_S_PARAM_LIST_LENGTH if it runs past @len;
 * KT_S_INVALID_FIELD_PARAM if malformed or of another protocol.
 */
kt_status_t kt_pr_tid_decode(const u8 *buf, u32 len, struct kt_pr_tid *t,
			     u32 *used)
{
	if (!len)
		return KT_S_PARAM_LIST_LENGTH;
	if ((buf[0] & 0x0f) == KT_PR_PROTO_ISCSI)
		return tid_decode_iscsi(buf, len, t, used);
	if (binary_id_len(buf[0] & 0x0f))
		return tid_decode_binary(buf, len, t, used);
	return KT_S_INVALID_FIELD_PARAM;
}

/* The ISCSI NAME field and, with an ISID, separator and ISID; no NUL */
static u32 iscsi_str(const struct kt_pr_tid *t, u8 *buf, u32 cap, u32 off)
{
	static const char hex[] = "0123456789abcdef";
	u32 n = t->len;
	int i;

	kt_put(buf, cap, off, t->id, n);
	if (!t->has_isid)
		return n;
	kt_put(buf, cap, off + n, TID_ISID_SEP, TID_ISID_SEP_LEN);
	n += TID_ISID_SEP_LEN;
	for (i = TID_ISID_DIGITS - 1; i >= 0; i--)
		kt_put8(buf, cap, off + n++, hex[(t->isid >> (4 * i)) & 0xf]);
	return n;
}

/**
 * kt_pr_tid_encode() - the TransportID of an initiator port
 * @t: the port
 * @buf: where to write (zeroed by the caller: padding is not written)
 * @cap: bytes of @buf; nothing is written at or past it
 *
 * Return: the length of the whole TransportID (at most KT_PR_TID_MAX).
 */
u32 kt_pr_tid_encode(const struct kt_pr_tid *t, u8 *buf, u32 cap)
{
	u32 n = binary_id_len(t->proto);

	if (t->proto != KT_PR_PROTO_ISCSI) {
		kt_put8(buf, cap, 0, t->proto);
		kt_put(buf, cap, binary_id_off(t->proto), t->id,
		       t->len < n ? t->len : n);
		return TID_BINARY_LEN;
	}
	kt_put8(buf, cap, 0, (t->has_isid ? TID_ISCSI_WITH_ISID :
			   TID_ISCSI_NAME_ONLY) << TID_FMT_SHIFT |
			  KT_PR_PROTO_ISCSI);
	/* the string, its NUL, padding to a multiple of 4 */
	n = TID_ISCSI_HDR + iscsi_str(t, buf, cap, TID_ISCSI_HDR) + 1;
	n = (n + 3) & ~3u;
	if (n < TID_ISCSI_MIN)
		n = TID_ISCSI_MIN;
	kt_put16(buf, cap, 2, n - TID_ISCSI_HDR);
	return n;
}

static bool tid_match(const struct kt_pr_tid *a, const struct kt_pr_tid *b,
		      bool isids)
{
	unsigned int i;

	if (a->proto != b->proto || a->len != b->len)
		return false;
	if (a->proto != KT_PR_PROTO_ISCSI)
		return !memcmp(a->id, b->id, a->len);
	/* iSCSI names are case insensitive (RFC 3722 folds them) */
	for (i = 0; i < a->len; i++)
		if (ascii_lower(a->id[i]) != ascii_lower(b->id[i]))
			return false;
	/* A name-only port stands for every session of that initiator */
	if (isids && a->has_isid && b->has_isid)
		return a->isid == b->isid;
	return true;
}

/**
 * kt_pr_nexus_match() - are two nexuses one I_T nexus?
 * @a: one
 * @b: the other
 * @isids: compare iSCSI ISIDs too (enforce_pr_isids)
 *
 * An iSCSI port without ISID (a name-only TransportID) matches every
 * session of that name.
 *
 * Return: true if they match.
 */
bool kt_pr_nexus_match(const struct kt_pr_nexus *a,
		       const struct kt_pr_nexus *b, bool isids)
{
	return a->rtpi == b->rtpi && tid_match(&a->init, &b->init, isids);
}

/* ------------------------------------------------------------------ */
/* Registrations and the reservation                                  */
/* ------------------------------------------------------------------ */

void kt_pr_init(struct kt_pr_state *s)
{
	memset(s, 0, sizeof(*s));
}

int kt_pr_find(const struct kt_pr_state *s, const struct kt_pr_nexus *n)
{
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (s->regs[i].used &&
		    kt_pr_nexus_match(&s->regs[i].nexus, n, s->enforce_isids))
			return i;
	return -1;
}

static bool type_all_regs(u8 type)
{
	return type == KT_PR_WR_EX_AR || type == KT_PR_EX_AC_AR;
}

static bool type_regs_only(u8 type)
{
	return type == KT_PR_WR_EX_RO || type == KT_PR_EX_AC_RO;
}

static bool type_excl_access(u8 type)
{
	return type == KT_PR_EX_AC || type == KT_PR_EX_AC_RO ||
	       type == KT_PR_EX_AC_AR;
}

static bool type_valid(u8 type)
{
	return type == KT_PR_WR_EX || type == KT_PR_EX_AC ||
	       type_regs_only(type) || type_all_regs(type);
}

bool kt_pr_is_holder(const struct kt_pr_state *s, int slot)
{
	if (!s->reserved || slot < 0 || slot >= KT_PR_MAX_REGS ||
	    !s->regs[slot].used)
		return false;
	return type_all_regs(s->type) || s->holder == slot;
}

/* Unit attention @ua for the nexus in @slot, never the command's own */
static void set_ua(struct pr_op *op, int slot, u8 ua)
{
	if (slot != op->self && !op->fx->ua[slot])
		op->fx->ua[slot] = ua;
}

/* @ua for every registered nexus but the command's */
static void ua_registrants(struct pr_op *op, u8 ua)
{
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (op->s->regs[i].used)
			set_ua(op, i, ua);
}

/*
 * A free slot that this command has not named in its effects: those
 * keep their nexus for the caller.  -1 if there is none.
 */
static int reg_alloc(const struct pr_op *op)
{
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (!op->s->regs[i].used && !op->fx->ua[i] &&
		    !op->fx->abort[i])
			return i;
	return -1;
}

/* Free slots reg_alloc() can still hand out */
static unsigned int reg_free(const struct pr_op *op)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (!op->s->regs[i].used && !op->fx->ua[i] &&
		    !op->fx->abort[i])
			n++;
	return n;
}

/* Only after the caller counted the free slots it needs */
static int reg_add(struct pr_op *op, const struct kt_pr_nexus *n, u64 key,
		   bool all_tg_pt)
{
	int slot = reg_alloc(op);
	struct kt_pr_reg *r;

	if (slot < 0)
		return -1;
	r = &op->s->regs[slot];
	r->nexus = *n;
	r->key = key;
	r->used = true;
	r->all_tg_pt = all_tg_pt;
	op->s->nregs++;
	op->changed = true;
	return slot;
}

/* The slot's nexus stays for the effects; the reservation is untouched */
static void reg_remove(struct pr_op *op, int slot)
{
	op->s->regs[slot].used = false;
	op->s->regs[slot].key = 0;
	op->s->nregs--;
	op->changed = true;
}

static void res_set(struct pr_op *op, int holder, u8 type, u8 scope)
{
	op->s->reserved = true;
	op->s->holder = holder;
	op->s->type = type;
	op->s->scope = scope;
	op->changed = true;
}

static void res_clear(struct pr_op *op)
{
	op->s->reserved = false;
	op->s->holder = 0;
	op->s->type = 0;
	op->s->scope = 0;
	op->changed = true;
}

/*
 * Unregister @slot (SPC-4 5.13.11.2.2): a holder's reservation goes
 * with it, except that an all registrants one stays while anyone is
 * still registered; releasing a registrants only one tells the others.
 */
static void unregister(struct pr_op *op, int slot)
{
	bool holder = kt_pr_is_holder(op->s, slot);
	u8 type = op->s->type;

	reg_remove(op, slot);
	if (!holder || (type_all_regs(type) && op->s->nregs))
		return;
	res_clear(op);
	if (type_regs_only(type))
		ua_registrants(op, KT_PR_UA_RES_RELEASED);
}

/* ------------------------------------------------------------------ */
/* REGISTER, REGISTER AND IGNORE EXISTING KEY                         */
/* ------------------------------------------------------------------ */

/* @r->ports[@i] is the command's own port or repeats an earlier one */
static bool port_dup(const struct kt_pr_out_req *r, unsigned int i)
{
	unsigned int j;

	if (r->ports[i] == r->nexus->rtpi)
		return true;
	for (j = 0; j < i; j++)
		if (r->ports[j] == r->ports[i])
			return true;
	return false;
}

/*
 * The target ports a registration applies to, once each: the one the
 * command came through, then with ALL_TG_PT every other port of the
 * logical unit.  Start with *@i = 0.
 */
static bool port_next(const struct pr_op *op, unsigned int *i, u16 *rtpi)
{
	const struct kt_pr_out_req *r = op->req;
	unsigned int k;

	if (*i == 0) {
		*rtpi = r->nexus->rtpi;
		*i = 1;
		return true;
	}
	if (!(op->flags & PRO_ALL_TG_PT))
		return false;
	while (*i <= r->nports) {
		k = (*i)++ - 1;
		if (!port_dup(r, k)) {
			*rtpi = r->ports[k];
			return true;
		}
	}
	return false;
}

/*
 * Check REGISTER on every port of the command's initiator as if sent
 * through each (SPC-4: ALL_TG_PT is a shortcut for that), counting the
 * new slots into *@need.  The command's own port was checked already;
 * on the others only an existing registration's key has to match, an
 * unregistered port is simply registered too.
 */
static kt_status_t reg_check_ports(struct pr_op *op, unsigned int *need)
{
	struct kt_pr_nexus n = *op->req->nexus;
	unsigned int i = 0;
	int slot;

	while (port_next(op, &i, &n.rtpi)) {
		slot = kt_pr_find(op->s, &n);
		if (slot < 0) {
			*need += op->sark ? 1 : 0;
			continue;
		}
		if (!op->ignore && op->s->regs[slot].key != op->rk)
			return KT_S_RESERVATION_CONFLICT;
	}
	return KT_OK;
}

static void reg_apply_ports(struct pr_op *op, const struct kt_pr_tid *init)
{
	bool atp = op->flags & PRO_ALL_TG_PT;
	struct kt_pr_nexus n;
	unsigned int i = 0;
	int slot;

	n.init = *init;
	while (port_next(op, &i, &n.rtpi)) {
		slot = kt_pr_find(op->s, &n);
		if (!op->sark) {
			if (slot >= 0)
				unregister(op, slot);
		} else if (slot >= 0) {
			op->s->regs[slot].key = op->sark;
			op->s->regs[slot].all_tg_pt = atp;
			op->changed = true;
		} else {
			reg_add(op, &n, op->sark, atp);
		}
	}
}

/* End of the SPEC_I_PT TransportID list (checked to fit the list) */
static u32 spec_end(const struct pr_op *op)
{
	return PRO_SPEC_HDR_LEN +
	       get_unaligned_be32(op->req->param + PRO_ADDL_LEN);
}

/* The TransportID at *@off of the SPEC_I_PT list; advances *@off */
static kt_status_t spec_tid(struct pr_op *op, u32 *off, struct kt_pr_tid *t)
{
	kt_status_t st;
	u32 used;

	st = kt_pr_tid_decode(op->req->param + *off, spec_end(op) - *off, t,
			      &used);
	if (st == KT_S_INVALID_FIELD_PARAM)
		return bad_param(op->fx, *off, -1);
	if (st == KT_OK)
		*off += used;
	return st;
}

/* The TransportID names the command's own initiator port: skipped */
static bool spec_is_self(const struct pr_op *op, const struct kt_pr_tid *t)
{
	return tid_match(&op->req->nexus->init, t, op->s->enforce_isids);
}

/* Does TransportID @t (at @off) repeat one before it in the list? */
static bool spec_repeats(struct pr_op *op, const struct kt_pr_tid *t,
			 u32 off)
{
	struct kt_pr_tid prev;
	u32 o = PRO_SPEC_HDR_LEN;

	while (o < off) {
		if (spec_tid(op, &o, &prev) != KT_OK)
			return false;	/* checked before: cannot happen */
		if (tid_match(&prev, t, op->s->enforce_isids))
			return true;
	}
	return false;
}

/* One SPEC_I_PT port: none of its nexuses may be registered already */
static kt_status_t spec_check_one(struct pr_op *op, const struct kt_pr_tid *t,
				  u32 off, unsigned int *need)
{
	struct kt_pr_nexus n;
	unsigned int i = 0;

	if (spec_is_self(op, t))
		return KT_OK;
	if (spec_repeats(op, t, off))
		return bad_param(op->fx, off, -1);
	n.init = *t;
	while (port_next(op, &i, &n.rtpi)) {
		if (kt_pr_find(op->s, &n) >= 0)
			return bad_param(op->fx, off, -1);
		(*need)++;
	}
	return KT_OK;
}

/*
 * SPEC_I_PT: decode the whole list first (so a list of thousands of
 * tiny TransportIDs costs one pass), then check each port.
 */
static kt_status_t spec_check(struct pr_op *op, unsigned int *need)
{
	u32 off = PRO_SPEC_HDR_LEN, end = spec_end(op), at;
	unsigned int count = 0;
	struct kt_pr_tid t;
	kt_status_t st;

	while (off < end) {
		st = spec_tid(op, &off, &t);
		if (st != KT_OK)
			return st;
		if (++count > KT_PR_MAX_REGS)
			return KT_S_PR_NO_RESOURCES;
	}
	for (off = PRO_SPEC_HDR_LEN; off < end;) {
		at = off;
		spec_tid(op, &off, &t);
		st = spec_check_one(op, &t, at, need);
		if (st != KT_OK)
			return st;
	}
	return KT_OK;
}

static void spec_apply(struct pr_op *op)
{
	u32 off = PRO_SPEC_HDR_LEN, end = spec_end(op);
	struct kt_pr_tid t;

	while (off < end && spec_tid(op, &off, &t) == KT_OK)
		if (!spec_is_self(op, &t))
			reg_apply_ports(op, &t);
}

static void set_aptpl(struct pr_op *op, bool aptpl)
{
	aptpl = aptpl || op->s->force_aptpl;
	if (op->s->aptpl != aptpl)
		op->changed = true;
	op->s->aptpl = aptpl;
}

/* SPC-4 5.13.7 and table 50 (register behaviours) */
static kt_status_t pro_register(struct pr_op *op)
{
	bool spec = op->flags & PRO_SPEC_I_PT;
	unsigned int need = 0;
	kt_status_t st;

	if (!op->ignore &&
	    op->rk != (op->self >= 0 ? op->s->regs[op->self].key : 0))
		return KT_S_RESERVATION_CONFLICT;
	/* SPC-4 table 50 names no field for this one */
	if (spec && op->self >= 0)
		return KT_S_INVALID_FIELD_CDB;
	if (op->sark || op->self >= 0) {
		st = reg_check_ports(op, &need);
		if (st == KT_OK && spec && op->sark)
			st = spec_check(op, &need);
		if (st != KT_OK)
			return st;
		if (need > reg_free(op))
			return KT_S_PR_NO_RESOURCES;
		reg_apply_ports(op, &op->req->nexus->init);
		if (spec && op->sark)
			spec_apply(op);
	}
	set_aptpl(op, op->flags & PRO_APTPL);
	op->s->generation++;
	op->changed = true;
	return KT_OK;
}

/* ------------------------------------------------------------------ */
/* RESERVE, RELEASE, CLEAR                                            */
/* ------------------------------------------------------------------ */

/* Every service action but the REGISTERs needs a registered nexus */
static kt_status_t need_key(const struct pr_op *op)
{
	if (op->self < 0 || op->s->regs[op->self].key != op->rk)
		return KT_S_RESERVATION_CONFLICT;
	return KT_OK;
}

static kt_status_t check_scope_type(struct pr_op *op)
{
	if (op->req->scope != KT_PR_LU_SCOPE)
		return bad_cdb(op->fx, 2, 7);
	if (!type_valid(op->req->type))
		return bad_cdb(op->fx, 2, 3);
	return KT_OK;
}

/* SPC-4 5.13.9: no generation change */
static kt_status_t pro_reserve(struct pr_op *op)
{
	kt_status_t st = need_key(op);

	if (st == KT_OK)
		st = check_scope_type(op);
	if (st != KT_OK)
		return st;
	if (!op->s->reserved) {
		res_set(op, op->self, op->req->type, op->req->scope);
		return KT_OK;
	}
	if (!kt_pr_is_holder(op->s, op->self) ||
	    op->s->type != op->req->type || op->s->scope != op->req->scope)
		return KT_S_RESERVATION_CONFLICT;
	return KT_OK;
}

/* SPC-4 5.13.11.2.1: a non-holder's RELEASE does nothing, successfully */
static kt_status_t pro_release(struct pr_op *op)
{
	kt_status_t st = need_key(op);
	u8 type = op->s->type;

	if (st != KT_OK || !kt_pr_is_holder(op->s, op->self))
		return st;
	if (type != op->req->type || op->s->scope != op->req->scope)
		return KT_S_PR_INVALID_RELEASE;
	res_clear(op);
	if (type_regs_only(type) || type_all_regs(type))
		ua_registrants(op, KT_PR_UA_RES_RELEASED);
	return KT_OK;
}

/* SPC-4 5.13.11.2.6 */
static kt_status_t pro_clear(struct pr_op *op)
{
	kt_status_t st = need_key(op);
	int i;

	if (st != KT_OK)
		return st;
	ua_registrants(op, KT_PR_UA_RES_PREEMPTED);
	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (op->s->regs[i].used)
			reg_remove(op, i);
	if (op->s->reserved)
		res_clear(op);
	op->s->generation++;
	return KT_OK;
}

/* ------------------------------------------------------------------ */
/* PREEMPT, PREEMPT AND ABORT                                         */
/* ------------------------------------------------------------------ */

/* Remove registration @slot as preempted (and its tasks, if @abort) */
static void preempt_one(struct pr_op *op, int slot, bool abort)
{
	set_ua(op, slot, KT_PR_UA_REG_PREEMPTED);
	if (abort)
		op->fx->abort[slot] = true;
	reg_remove(op, slot);
}

/*
 * Remove every registration but the command's own whose key is @key, or
 * every other one at all if @all.
 */
static void preempt_keys(struct pr_op *op, u64 key, bool all, bool abort)
{
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (op->s->regs[i].used && i != op->self &&
		    (all || op->s->regs[i].key == key))
			preempt_one(op, i, abort);
}

static bool key_registered(const struct kt_pr_state *s, u64 key)
{
	int i;

	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (s->regs[i].used && s->regs[i].key == key)
			return true;
	return false;
}

/*
 * The SERVICE ACTION RESERVATION KEY names the holder (for an all
 * registrants reservation: is zero), SPC-4 5.13.11.2.4: the holder's
 * registrations go, the command's nexus takes the reservation with the
 * CDB's type and scope, and if those changed the other registrants hear
 * that the old one was released.
 */
static kt_status_t preempt_holder(struct pr_op *op, bool abort)
{
	u8 type = op->s->type, scope = op->s->scope;
	kt_status_t st = check_scope_type(op);

	if (st != KT_OK)
		return st;
	preempt_keys(op, op->sark, type_all_regs(type), abort);
	res_set(op, op->self, op->req->type, op->req->scope);
	if (type != op->req->type || scope != op->req->scope)
		ua_registrants(op, KT_PR_UA_RES_RELEASED);
	return KT_OK;
}

static kt_status_t pro_preempt(struct pr_op *op, bool abort)
{
	struct kt_pr_state *s = op->s;
	kt_status_t st = need_key(op);
	bool holder;

	if (st != KT_OK)
		return st;
	if (type_all_regs(s->type))
		holder = s->reserved && !op->sark;
	else
		holder = s->reserved && s->regs[s->holder].key == op->sark;
	if (holder)
		st = preempt_holder(op, abort);
	else if (!op->sark)
		st = bad_param(op->fx, PRO_SARK, -1);
	else if (!key_registered(s, op->sark))
		st = KT_S_RESERVATION_CONFLICT;
	else
		preempt_keys(op, op->sark, false, abort);
	if (st != KT_OK)
		return st;
	if (abort && op->sark && s->regs[op->self].key == op->sark)
		op->fx->abort_self = true;
	s->generation++;
	op->changed = true;
	return KT_OK;
}

/* ------------------------------------------------------------------ */
/* REGISTER AND MOVE, REPLACE LOST RESERVATION                        */
/* ------------------------------------------------------------------ */

/* RELATIVE TARGET PORT IDENTIFIER of a move: a port of the LU */
static bool port_known(const struct kt_pr_out_req *r, u16 rtpi)
{
	unsigned int i;

	if (rtpi == r->nexus->rtpi)
		return true;
	for (i = 0; i < r->nports; i++)
		if (r->ports[i] == rtpi)
			return true;
	return false;
}

/* The destination nexus of REGISTER AND MOVE, checked (SPC-4 5.13.8) */
static kt_status_t move_dest(struct pr_op *op, struct kt_pr_nexus *dst)
{
	const u8 *p = op->req->param;
	u32 tpdl = get_unaligned_be32(p + PRO_MOVE_TPDL), used;
	kt_status_t st;

	if (tpdl > op->req->len - PRO_MOVE_HDR_LEN)
		return KT_S_PARAM_LIST_LENGTH;
	st = kt_pr_tid_decode(p + PRO_MOVE_HDR_LEN, tpdl, &dst->init, &used);
	if (st == KT_S_INVALID_FIELD_PARAM)
		return bad_param(op->fx, PRO_MOVE_HDR_LEN, -1);
	if (st != KT_OK)
		return st;
	dst->rtpi = get_unaligned_be16(p + PRO_MOVE_RTPI);
	if (!port_known(op->req, dst->rtpi))
		return bad_param(op->fx, PRO_MOVE_RTPI, -1);
	/* Moving to the nexus it came from is an invalid field */
	if (kt_pr_nexus_match(dst, op->req->nexus, op->s->enforce_isids))
		return bad_param(op->fx, PRO_MOVE_HDR_LEN, -1);
	return KT_OK;
}

static kt_status_t move_check(struct pr_op *op)
{
	kt_status_t st = need_key(op);

	if (st != KT_OK)
		return st;
	/* Only a sole holder can hand its reservation over */
	if (!kt_pr_is_holder(op->s, op->self) || type_all_regs(op->s->type))
		return KT_S_RESERVATION_CONFLICT;
	if (!op->sark)
		return bad_param(op->fx, PRO_SARK, -1);
	return KT_OK;
}

static kt_status_t pro_move(struct pr_op *op)
{
	u8 flags = op->req->param[PRO_MOVE_FLAGS];
	struct kt_pr_nexus dst;
	kt_status_t st;
	int slot;

	st = move_check(op);
	if (st == KT_OK)
		st = move_dest(op, &dst);
	if (st != KT_OK)
		return st;
	slot = kt_pr_find(op->s, &dst);
	if (slot < 0) {
		slot = reg_add(op, &dst, op->sark, false);
		if (slot < 0)
			return KT_S_PR_NO_RESOURCES;
	}
	op->s->regs[slot].key = op->sark;
	res_set(op, slot, op->s->type, op->s->scope);
	if (flags & PRO_MOVE_UNREG)
		reg_remove(op, op->self);
	set_aptpl(op, flags & PRO_MOVE_APTPL);
	op->s->generation++;
	return KT_OK;
}

/*
 * SPC-5 5.14.12: after the caller lost the persistent state, a nexus
 * registers itself with the SERVICE ACTION RESERVATION KEY and takes the
 * reservation anew.  Without a loss the command would let anyone wipe
 * every registration, so it conflicts.
 */
static kt_status_t pro_replace_lost(struct pr_op *op)
{
	kt_status_t st;
	int i, slot;

	if (op->rk || !op->s->lost)
		return KT_S_RESERVATION_CONFLICT;
	st = check_scope_type(op);
	if (st != KT_OK)
		return st;
	if (!op->sark)
		return bad_param(op->fx, PRO_SARK, -1);
	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (op->s->regs[i].used)
			reg_remove(op, i);
	slot = reg_add(op, op->req->nexus, op->sark, false);
	res_set(op, slot, op->req->type, op->req->scope);
	op->s->lost = false;
	op->s->generation++;
	return KT_OK;
}

/* ------------------------------------------------------------------ */
/* PERSISTENT RESERVE OUT                                             */
/* ------------------------------------------------------------------ */

/*
 * PARAMETER LIST LENGTH (SPC-4 6.16.3): 24 bytes, or with SPEC_I_PT (for
 * the REGISTERs only) 28 and the TransportID list, which must fit.
 */
static kt_status_t check_basic_list(struct pr_op *op)
{
	const struct kt_pr_out_req *r = op->req;
	u32 addl;

	if (r->len < PRO_BASIC_LEN)
		return KT_S_PARAM_LIST_LENGTH;
	op->flags = r->param[PRO_FLAGS];
	if (!(op->flags & PRO_SPEC_I_PT))
		return r->len == PRO_BASIC_LEN ? KT_OK : KT_S_PARAM_LIST_LENGTH;
	if (r->sa != KT_PRO_REGISTER && r->sa != KT_PRO_REGISTER_IGNORE)
		return bad_param(op->fx, PRO_FLAGS, 3);
	if (r->len < PRO_SPEC_HDR_LEN)
		return KT_S_PARAM_LIST_LENGTH;
	addl = get_unaligned_be32(r->param + PRO_ADDL_LEN);
	if (addl > r->len - PRO_SPEC_HDR_LEN)
		return KT_S_PARAM_LIST_LENGTH;
	return KT_OK;
}

static kt_status_t pro_dispatch(struct pr_op *op)
{
	switch (op->req->sa) {
	case KT_PRO_REGISTER:
		return pro_register(op);
	case KT_PRO_REGISTER_IGNORE:
		op->ignore = true;
		return pro_register(op);
	case KT_PRO_RESERVE:
		return pro_reserve(op);
	case KT_PRO_RELEASE:
		return pro_release(op);
	case KT_PRO_CLEAR:
		return pro_clear(op);
	case KT_PRO_PREEMPT:
		return pro_preempt(op, false);
	case KT_PRO_PREEMPT_AND_ABORT:
		return pro_preempt(op, true);
	case KT_PRO_REGISTER_AND_MOVE:
		return pro_move(op);
	case KT_PRO_REPLACE_LOST:
		return pro_replace_lost(op);
	default:
		return bad_cdb(op->fx, 1, 4);
	}
}

/**
 * kt_pr_out() - carry out a PERSISTENT RESERVE OUT command
 * @s: the logical unit's state
 * @req: the command, its parameter list and the LU's target ports
 * @fx: cleared, then what the caller has to do: unit attentions, tasks
 *	to abort, the APTPL file to write; the bad field on ILLEGAL REQUEST
 *
 * PRGENERATION goes up by one for every REGISTER, REGISTER AND IGNORE
 * EXISTING KEY, CLEAR, PREEMPT, PREEMPT AND ABORT, REGISTER AND MOVE and
 * REPLACE LOST RESERVATION that succeeds, and for nothing else.
 *
 * Context: under the caller's lock on @s.
 * Return: KT_OK; KT_S_RESERVATION_CONFLICT; an ILLEGAL REQUEST status
 * (then @s is unchanged).
 */
kt_status_t kt_pr_out(struct kt_pr_state *s, const struct kt_pr_out_req *req,
		      struct kt_pr_effects *fx)
{
	struct pr_op op = { .s = s, .req = req, .fx = fx };
	bool aptpl = s->aptpl;
	kt_status_t st;

	memset(fx, 0, sizeof(*fx));
	if (req->sa > KT_PRO_REPLACE_LOST)
		return bad_cdb(fx, 1, 4);
	if (req->sa == KT_PRO_REGISTER_AND_MOVE) {
		if (req->len < PRO_MOVE_HDR_LEN)
			return KT_S_PARAM_LIST_LENGTH;
	} else {
		st = check_basic_list(&op);
		if (st != KT_OK)
			return st;
	}
	op.rk = get_unaligned_be64(req->param);
	op.sark = get_unaligned_be64(req->param + PRO_SARK);
	op.self = kt_pr_find(s, req->nexus);
	st = pro_dispatch(&op);
	if (st == KT_OK)
		fx->save = op.changed && (aptpl || s->aptpl);
	return st;
}

/**
 * kt_pr_drop() - remove a nexus's registration outside any PR OUT
 * @s: the logical unit's state
 * @n: the nexus whose ACL or LUN mapping is going away
 * @fx: cleared, then the unit attentions and whether to save
 *
 * As an unregistration: a reservation @n held is released (an all
 * registrants one only with its last registrant) and the other
 * registrants of a registrants only one get RESERVATIONS RELEASED.
 * PRGENERATION does not change: no PR OUT asked for this.
 *
 * Context: under the caller's lock on @s.
 */
void kt_pr_drop(struct kt_pr_state *s, const struct kt_pr_nexus *n,
		struct kt_pr_effects *fx)
{
	struct pr_op op = { .s = s, .fx = fx, .self = -1 };
	int slot;

	memset(fx, 0, sizeof(*fx));
	slot = kt_pr_find(s, n);
	if (slot < 0)
		return;
	unregister(&op, slot);
	fx->save = s->aptpl;
}

/* ------------------------------------------------------------------ */
/* PERSISTENT RESERVE IN                                              */
/* ------------------------------------------------------------------ */

/* SPC-4 6.15.2: PRGENERATION, ADDITIONAL LENGTH, one key per nexus */
static u32 pri_read_keys(const struct kt_pr_state *s, u8 *buf, u32 cap)
{
	u32 off = 8;
	int i;

	kt_put32(buf, cap, 0, s->generation);
	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		if (!s->regs[i].used)
			continue;
		kt_put64(buf, cap, off, s->regs[i].key);
		off += 8;
	}
	kt_put32(buf, cap, 4, off - 8);
	return off;
}

/* SPC-4 6.15.3: an all registrants reservation shows key zero */
static u32 pri_read_reservation(const struct kt_pr_state *s, u8 *buf,
				u32 cap)
{
	kt_put32(buf, cap, 0, s->generation);
	if (!s->reserved)
		return 8;
	kt_put32(buf, cap, 4, 16);
	if (!type_all_regs(s->type))
		kt_put64(buf, cap, 8, s->regs[s->holder].key);
	kt_put8(buf, cap, 21, s->scope << 4 | s->type);
	return 24;
}

static u32 pri_report_caps(const struct kt_pr_state *s, u8 *buf, u32 cap)
{
	kt_put16(buf, cap, 0, CAP_LEN);
	kt_put8(buf, cap, 2, CAP_RLR_C | CAP_CRH | CAP_SIP_C | CAP_ATP_C |
			  CAP_PTPL_C);
	kt_put8(buf, cap, 3, CAP_TMV | CAP_ALLOW_TUR |
			  (s->aptpl ? CAP_PTPL_A : 0));
	kt_put8(buf, cap, 4, CAP_MASK_HI);
	kt_put8(buf, cap, 5, CAP_MASK_LO);
	return CAP_LEN;
}

/* One full status descriptor at @off; returns its length */
static u32 pri_full_desc(const struct kt_pr_state *s, int slot, u8 *buf,
			 u32 cap, u32 off)
{
	const struct kt_pr_reg *r = &s->regs[slot];
	u8 flags = r->all_tg_pt ? FULL_ALL_TG_PT : 0;
	u32 tid, at;

	kt_put64(buf, cap, off, r->key);
	if (kt_pr_is_holder(s, slot)) {
		flags |= FULL_R_HOLDER;
		kt_put8(buf, cap, off + 13, s->scope << 4 | s->type);
	}
	kt_put8(buf, cap, off + 12, flags);
	kt_put16(buf, cap, off + 18, r->nexus.rtpi);
	at = off + FULL_DESC_HDR;
	if (at < cap)
		tid = kt_pr_tid_encode(&r->nexus.init, buf + at, cap - at);
	else
		tid = kt_pr_tid_encode(&r->nexus.init, NULL, 0);
	kt_put32(buf, cap, off + 20, tid);
	return FULL_DESC_HDR + tid;
}

/* SPC-4 6.15.5: one descriptor per registered I_T nexus */
static u32 pri_read_full(const struct kt_pr_state *s, u8 *buf, u32 cap)
{
	u32 off = 8;
	int i;

	kt_put32(buf, cap, 0, s->generation);
	for (i = 0; i < KT_PR_MAX_REGS; i++)
		if (s->regs[i].used)
			off += pri_full_desc(s, i, buf, cap, off);
	kt_put32(buf, cap, 4, off - 8);
	return off;
}

/**
 * kt_pr_in() - PERSISTENT RESERVE IN parameter data
 * @s: the logical unit's state
 * @sa: SERVICE ACTION
 * @buf: where to write (may be NULL if @cap is 0)
 * @cap: bytes of @buf (the allocation length or less)
 * @full: the length of the whole data, which ADDITIONAL LENGTH reports
 *	however much @cap cuts off (SPC-4 6.15.1)
 *
 * Context: under the caller's lock on @s.
 * Return: KT_OK, or KT_S_INVALID_FIELD_CDB for an unknown @sa.
 */
kt_status_t kt_pr_in(const struct kt_pr_state *s, u8 sa, u8 *buf, u32 cap,
		     u32 *full)
{
	if (cap)
		memset(buf, 0, cap);
	switch (sa) {
	case KT_PRI_READ_KEYS:
		*full = pri_read_keys(s, buf, cap);
		return KT_OK;
	case KT_PRI_READ_RESERVATION:
		*full = pri_read_reservation(s, buf, cap);
		return KT_OK;
	case KT_PRI_REPORT_CAPABILITIES:
		*full = pri_report_caps(s, buf, cap);
		return KT_OK;
	case KT_PRI_READ_FULL_STATUS:
		*full = pri_read_full(s, buf, cap);
		return KT_OK;
	default:
		*full = 0;
		return KT_S_INVALID_FIELD_CDB;
	}
}

/* ------------------------------------------------------------------ */
/* Reservation conflicts                                              */
/* ------------------------------------------------------------------ */

/**
 * kt_pr_check() - may a command run under the current reservation?
 * @s: the logical unit's state
 * @n: the nexus the command came through
 * @cls: how the command fares under reservations
 *
 * SPC-4 5.13.1 table 169: a holder may do anything; under the
 * registrants only and all registrants types so may every registrant;
 * everyone else may run what the type leaves open to all.
 *
 * Context: under the caller's lock on @s (or a stable copy of it).
 * Return: KT_OK or KT_S_RESERVATION_CONFLICT.
 */
kt_status_t kt_pr_check(const struct kt_pr_state *s,
			const struct kt_pr_nexus *n, enum kt_pr_class cls)
{
	int slot;

	if (!s->reserved || cls == KT_PR_CLS_ALLOWED)
		return KT_OK;
	slot = kt_pr_find(s, n);
	if (kt_pr_is_holder(s, slot))
		return KT_OK;
	if (cls == KT_PR_CLS_HOLDER)
		return KT_S_RESERVATION_CONFLICT;
	if (slot >= 0 && (type_regs_only(s->type) || type_all_regs(s->type)))
		return KT_OK;
	if (cls == KT_PR_CLS_READ && !type_excl_access(s->type))
		return KT_OK;
	return KT_S_RESERVATION_CONFLICT;
}
