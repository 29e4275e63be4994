// SPDX-License-Identifier: GPL-2.0
/*
 * iSCSI login/text keys: the param/ key table, "key=value" parsing and
 * the target side of the negotiation rules of RFC 7143 section 6.
 * Pure code, see keys.h for how the login code drives it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "keys.h"

#define KTI_DSL_MIN		512
#define KTI_DSL_LIMIT		16777215

#define KTI_REJECT		"Reject"
#define KTI_IRRELEVANT		"Irrelevant"
#define KTI_NOT_UNDERSTOOD	"NotUnderstood"

static const char *const kti_digests[] = { "CRC32C", "None", NULL };
static const char *const kti_auths[] = { "CHAP", "None", NULL };

#define KEY_LIST(n, d, r, u, disc, v)					\
	{ .name = n, .def = d, .rfc_def = r, .type = KTI_KT_LIST,	\
	  .use = u, .discovery = disc, .values = v }
/* LIO's defaults of these session keys are the RFC's (rfc_def NULL) */
#define KEY_BOOL(n, d, t)						\
	{ .name = n, .def = d, .type = t, .use = KTI_USE_LO }
#define KEY_NUM(n, d, t, lo, hi)					\
	{ .name = n, .def = d, .type = t, .use = KTI_USE_LO,		\
	  .min = lo, .max = hi }

static const struct kti_key_info kti_keys[KTI_KEY__COUNT] = {
	[KTI_KEY_AUTH_METHOD] = KEY_LIST("AuthMethod", "CHAP,None", "None",
					 KTI_USE_IO, true, kti_auths),
	[KTI_KEY_HEADER_DIGEST] = KEY_LIST("HeaderDigest", "CRC32C,None",
					   "None", KTI_USE_IO, true,
					   kti_digests),
	[KTI_KEY_DATA_DIGEST] = KEY_LIST("DataDigest", "CRC32C,None", "None",
					 KTI_USE_IO, true, kti_digests),
	[KTI_KEY_MAX_CONNECTIONS] = KEY_NUM("MaxConnections", "1",
					    KTI_KT_NUM_MIN, 1, 65535),
	[KTI_KEY_TARGET_ALIAS] = {
		.name = "TargetAlias", .def = "LIO Target",
		.type = KTI_KT_STRING, .use = KTI_USE_ALL, .discovery = true,
		.target_only = true, .max = KTI_VAL_LEN - 1,
	},
	[KTI_KEY_INITIAL_R2T] = KEY_BOOL("InitialR2T", "Yes", KTI_KT_BOOL_OR),
	[KTI_KEY_IMMEDIATE_DATA] = KEY_BOOL("ImmediateData", "Yes",
					    KTI_KT_BOOL_AND),
	[KTI_KEY_MAX_RECV_DSL] = {
		.name = "MaxRecvDataSegmentLength", .def = "8192",
		.type = KTI_KT_DECLARATIVE,
		.use = KTI_USE_ALL, .discovery = true,
		.min = KTI_DSL_MIN, .max = KTI_DSL_LIMIT,
	},
	[KTI_KEY_MAX_XMIT_DSL] = {
		.name = "MaxXmitDataSegmentLength", .def = "262144",
		.type = KTI_KT_LOCAL, .min = KTI_DSL_MIN, .max = KTI_DSL_LIMIT,
	},
	[KTI_KEY_MAX_BURST] = KEY_NUM("MaxBurstLength", "262144",
				      KTI_KT_NUM_MIN, KTI_DSL_MIN,
				      KTI_DSL_LIMIT),
	[KTI_KEY_FIRST_BURST] = KEY_NUM("FirstBurstLength", "65536",
					KTI_KT_NUM_MIN, KTI_DSL_MIN,
					KTI_DSL_LIMIT),
	[KTI_KEY_T2W] = {
		.name = "DefaultTime2Wait", .def = "2", .type = KTI_KT_NUM_MAX,
		.use = KTI_USE_LO, .discovery = true, .min = 0, .max = 3600,
	},
	[KTI_KEY_T2R] = {
		.name = "DefaultTime2Retain", .def = "20",
		.type = KTI_KT_NUM_MIN, .use = KTI_USE_LO, .discovery = true,
		.min = 0, .max = 3600,
	},
	[KTI_KEY_MAX_OUTSTANDING_R2T] = KEY_NUM("MaxOutstandingR2T", "1",
						KTI_KT_NUM_MIN, 1, 65535),
	[KTI_KEY_DATA_PDU_IN_ORDER] = KEY_BOOL("DataPDUInOrder", "Yes",
					       KTI_KT_BOOL_OR),
	[KTI_KEY_DATA_SEQ_IN_ORDER] = KEY_BOOL("DataSequenceInOrder", "Yes",
					       KTI_KT_BOOL_OR),
	/* relevant in discovery sessions too (RFC 7143 4.3) */
	[KTI_KEY_ERL] = {
		.name = "ErrorRecoveryLevel", .def = "0",
		.type = KTI_KT_NUM_MIN, .use = KTI_USE_LO, .discovery = true,
		.min = 0, .max = 2,
	},
	[KTI_KEY_IF_MARKER] = {
		.name = "IFMarker", .def = "No", .type = KTI_KT_MARKER,
		.use = KTI_USE_IO, .discovery = true,
	},
	[KTI_KEY_OF_MARKER] = {
		.name = "OFMarker", .def = "No", .type = KTI_KT_MARKER,
		.use = KTI_USE_IO, .discovery = true,
	},
	[KTI_KEY_IF_MARK_INT] = {
		.name = "IFMarkInt", .def = "Reject", .type = KTI_KT_MARKINT,
		.use = KTI_USE_IO, .discovery = true,
	},
	[KTI_KEY_OF_MARK_INT] = {
		.name = "OFMarkInt", .def = "Reject", .type = KTI_KT_MARKINT,
		.use = KTI_USE_IO, .discovery = true,
	},
};

/* keys the login code handles (kti_key_class() KTI_KC_CALLER) */
static const char *const kti_caller_keys[] = {
	"TargetName", "InitiatorName", "SessionType", "InitiatorAlias",
	"TargetAddress", "TargetPortalGroupTag", "SendTargets", "AuthMethod",
	"CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R",
};

static const char *const kti_text_errstr[KTI_TEXT_E__COUNT] = {
	[KTI_TEXT_OK] = "success",
	[KTI_TEXT_E_NO_EQUALS] = "key=value pair without '='",
	[KTI_TEXT_E_EMPTY_KEY] = "empty key name",
	[KTI_TEXT_E_KEY_TOO_LONG] = "key name longer than 63 bytes",
	[KTI_TEXT_E_KEY_CHARS] = "invalid character in key name",
	[KTI_TEXT_E_VALUE_TOO_LONG] = "value longer than 8192 bytes",
	[KTI_TEXT_E_UNTERMINATED] = "last key=value pair not NUL-terminated",
	[KTI_TEXT_E_UTF8] = "value is not valid UTF-8",
	[KTI_TEXT_E_TOO_MANY] = "too many keys",
	[KTI_TEXT_E_DUPLICATE] = "key given twice",
};

/* ---- the key table ---- */

/**
 * kti_key_info() - table entry of a key
 * @k: the key
 *
 * Return: the entry, or NULL if @k is out of range.
 */
const struct kti_key_info *kti_key_info(enum kti_key k)
{
	if ((unsigned int)k >= KTI_KEY__COUNT)
		return NULL;
	return &kti_keys[k];
}

/**
 * kti_key_name() - name of a key (param/ file name, wire name)
 * @k: the key
 *
 * Return: the name, or "" if @k is out of range.
 */
const char *kti_key_name(enum kti_key k)
{
	const struct kti_key_info *ki = kti_key_info(k);

	return ki ? ki->name : "";
}

/**
 * kti_key_default() - LIO's default param/ value of a key
 * @k: the key
 *
 * Return: the value, or "" if @k is out of range.
 */
const char *kti_key_default(enum kti_key k)
{
	const struct kti_key_info *ki = kti_key_info(k);

	return ki ? ki->def : "";
}

/**
 * kti_key_find() - look a key up by name (case-sensitive)
 * @name: key name
 *
 * Return: its enum kti_key, or -ENOENT.
 */
int kti_key_find(const char *name)
{
	int k;

	for (k = 0; k < KTI_KEY__COUNT; k++)
		if (!strcmp(name, kti_keys[k].name))
			return k;
	return -ENOENT;
}

/**
 * kti_key_class() - who handles a key an initiator sent
 * @name: key name
 *
 * Return: KTI_KC_CALLER for the keys the login code handles, KTI_KC_NEG
 * for the ones kti_neg_keys() negotiates, else KTI_KC_UNKNOWN (including
 * MaxXmitDataSegmentLength, which is not a wire key, and X-, X# keys).
 */
enum kti_key_class kti_key_class(const char *name)
{
	unsigned int i;
	int k;

	for (i = 0; i < ARRAY_SIZE(kti_caller_keys); i++)
		if (!strcmp(name, kti_caller_keys[i]))
			return KTI_KC_CALLER;
	k = kti_key_find(name);
	if (k < 0 || kti_keys[k].type == KTI_KT_LOCAL)
		return KTI_KC_UNKNOWN;
	return KTI_KC_NEG;
}

/* ---- values ---- */

static int kti_digit(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

/*
 * A numerical value (RFC 7143 6.1): a decimal constant without leading
 * zeros or a hex constant "0x...", below 2^64.
 */
static bool kti_parse_num(const char *s, u64 *v)
{
	unsigned int base = 10;
	u64 x = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		return false;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		d = kti_digit(*s, base);
		if (d < 0 || x > (~0ULL - d) / base)
			return false;
		x = x * base + d;
	}
	*v = x;
	return true;
}

/* "Yes" -> 1, "No" -> 0, else -1 */
static int kti_parse_bool(const char *s)
{
	if (!strcmp(s, "Yes"))
		return 1;
	if (!strcmp(s, "No"))
		return 0;
	return -1;
}

/* the decimal text of @v into @buf (11 bytes) */
static const char *kti_utoa(u32 v, char *buf)
{
	char *p = buf + 10;

	*p = 0;
	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	return p;
}

/* the element of comma-separated @list equal to @item (@len bytes) */
static bool kti_list_has(const char *list, const char *item, size_t len)
{
	const char *end;
	size_t n;

	for (;;) {
		end = strchr(list, ',');
		n = end ? (size_t)(end - list) : strlen(list);
		if (n == len && !memcmp(list, item, len))
			return true;
		if (!end)
			return false;
		list = end + 1;
	}
}

/* @s (@len bytes) is one of the NULL-terminated @values */
static bool kti_in_values(const char *const *values, const char *s,
			  size_t len)
{
	for (; *values; values++)
		if (strlen(*values) == len && !memcmp(*values, s, len))
			return true;
	return false;
}

/* a non-empty list whose elements are all in @values */
static bool kti_list_valid(const char *val, const char *const *values)
{
	const char *end;
	size_t n;

	for (;;) {
		end = strchr(val, ',');
		n = end ? (size_t)(end - val) : strlen(val);
		if (!n || !kti_in_values(values, val, n))
			return false;
		if (!end)
			return true;
		val = end + 1;
	}
}

static bool kti_num_valid(const struct kti_key_info *ki, const char *val)
{
	u64 v;

	return kti_parse_num(val, &v) && v >= ki->min && v <= ki->max;
}

/**
 * kti_key_validate() - check a value written to a param/ file
 * @k: the key
 * @val: the value, without a trailing newline
 *
 * Lists must be non-empty subsets of the supported values, booleans Yes
 * or No, numbers within the key's range, TargetAlias UTF-8 of at most
 * 255 bytes; IFMarker/OFMarker take "No" or "Reject", IFMarkInt/OFMarkInt
 * only "Reject" (markers are obsolete, RFC 7143 13.25).
 *
 * Return: 0 or -EINVAL.
 */
int kti_key_validate(enum kti_key k, const char *val)
{
	const struct kti_key_info *ki = kti_key_info(k);
	size_t len = strlen(val);
	bool ok = false;

	if (!ki || len >= KTI_VAL_LEN)
		return -EINVAL;
	switch (ki->type) {
	case KTI_KT_LIST:
		ok = kti_list_valid(val, ki->values);
		break;
	case KTI_KT_BOOL_OR:
	case KTI_KT_BOOL_AND:
		ok = kti_parse_bool(val) >= 0;
		break;
	case KTI_KT_NUM_MIN:
	case KTI_KT_NUM_MAX:
	case KTI_KT_DECLARATIVE:
	case KTI_KT_LOCAL:
		ok = kti_num_valid(ki, val);
		break;
	case KTI_KT_STRING:
		ok = kti_utf8_valid(val, len);
		break;
	case KTI_KT_MARKER:
		ok = !strcmp(val, "No") || !strcmp(val, KTI_REJECT);
		break;
	case KTI_KT_MARKINT:
		ok = !strcmp(val, KTI_REJECT);
		break;
	}
	return ok ? 0 : -EINVAL;
}

/* ---- text ---- */

/* length of the UTF-8 sequence led by @c and the smallest code point */
static u32 kti_utf8_lead(u8 c, u32 *cp, u32 *min)
{
	if ((c & 0xe0) == 0xc0) {
		*cp = c & 0x1f;
		*min = 0x80;
		return 1;
	}
	if ((c & 0xf0) == 0xe0) {
		*cp = c & 0x0f;
		*min = 0x800;
		return 2;
	}
	if ((c & 0xf8) == 0xf0) {
		*cp = c & 0x07;
		*min = 0x10000;
		return 3;
	}
	return 0;
}

/**
 * kti_utf8_valid() - check a string is well-formed UTF-8
 * @s: the bytes
 * @len: their number
 *
 * Overlong forms, surrogates and code points over U+10FFFF are refused.
 *
 * Return: true if valid.
 */
bool kti_utf8_valid(const char *s, u32 len)
{
	const u8 *b = (const u8 *)s;
	u32 i = 0, j, n, cp, min;

	while (i < len) {
		if (b[i] < 0x80) {
			i++;
			continue;
		}
		n = kti_utf8_lead(b[i], &cp, &min);
		if (!n || len - i - 1 < n)
			return false;
		for (j = 1; j <= n; j++) {
			if ((b[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (b[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static bool kti_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
	       c == '@' || c == '_' || c == '#';
}

/* split one pair @s of @n bytes (no NUL inside) at its first '=' */
static int kti_text_pair(char *s, u32 n, struct kti_kv *kv)
{
	char *eq = n ? memchr(s, '=', n) : NULL;
	u32 klen, i;

	if (!eq)
		return KTI_TEXT_E_NO_EQUALS;
	klen = eq - s;
	if (!klen)
		return KTI_TEXT_E_EMPTY_KEY;
	if (klen > KTI_KEY_NAME_MAX)
		return KTI_TEXT_E_KEY_TOO_LONG;
	if (s[0] < 'A' || s[0] > 'Z')
		return KTI_TEXT_E_KEY_CHARS;
	for (i = 1; i < klen; i++)
		if (!kti_key_char(s[i]))
			return KTI_TEXT_E_KEY_CHARS;
	if (n - klen - 1 > KTI_TEXT_VAL_MAX)
		return KTI_TEXT_E_VALUE_TOO_LONG;
	if (!kti_utf8_valid(eq + 1, n - klen - 1))
		return KTI_TEXT_E_UTF8;
	*eq = 0;
	kv->key = s;
	kv->val = eq + 1;
	return KTI_TEXT_OK;
}

/**
 * kti_text_parse() - split a login/text data segment into key=value pairs
 * @buf: the data segment (all PDUs of a C-bit sequence concatenated),
 *	modified in place: each '=' becomes a NUL
 * @len: its length (without padding)
 * @kvs: output array; the pointers point into @buf
 * @max: room in @kvs
 * @count: number of pairs found
 *
 * Every pair must end with a NUL; NULs after the last pair are ignored.
 * An empty segment has no pairs.
 *
 * Return: KTI_TEXT_OK, or a KTI_TEXT_E_* code (@count is then 0).
 */
int kti_text_parse(char *buf, u32 len, struct kti_kv *kvs, unsigned int max,
		   unsigned int *count)
{
	struct kti_kv kv;
	u32 pos = 0, n;
	int err;

	*count = 0;
	if (!len)
		return KTI_TEXT_OK;
	if (buf[len - 1])
		return KTI_TEXT_E_UNTERMINATED;
	while (len > 1 && !buf[len - 2])
		len--;
	if (len == 1)
		return KTI_TEXT_OK;
	while (pos < len) {
		n = strlen(buf + pos);	/* ends at buf[len - 1] at the latest */
		err = kti_text_pair(buf + pos, n, &kv);
		if (!err && *count >= max)
			err = KTI_TEXT_E_TOO_MANY;
		if (!err && kti_kv_get(kvs, *count, kv.key))
			err = KTI_TEXT_E_DUPLICATE;
		if (err) {
			*count = 0;
			return err;
		}
		kvs[(*count)++] = kv;
		pos += n + 1;
	}
	return KTI_TEXT_OK;
}

/**
 * kti_text_strerror() - one-line description of a kti_text_parse() result
 * @err: KTI_TEXT_OK or a KTI_TEXT_E_* code
 *
 * Return: a constant string.
 */
const char *kti_text_strerror(int err)
{
	if (err < 0 || err >= KTI_TEXT_E__COUNT)
		return "unknown error";
	return kti_text_errstr[err];
}

/**
 * kti_kv_get() - the value of a key among parsed pairs
 * @kvs: the pairs
 * @count: their number
 * @key: key name
 *
 * Return: the value, or NULL if @key is not there.
 */
const char *kti_kv_get(const struct kti_kv *kvs, unsigned int count,
		       const char *key)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (!strcmp(kvs[i].key, key))
			return kvs[i].val;
	return NULL;
}

/* append "key=val\0", @vlen bytes of @val; all or nothing */
static int kti_put_pair(char *buf, u32 size, u32 *len, const char *key,
			const char *val, size_t vlen)
{
	size_t klen = strlen(key);
	size_t need = klen + 1 + vlen + 1;

	if (*len > size || need > size - *len)
		return -ENOSPC;
	memcpy(buf + *len, key, klen);
	buf[*len + klen] = '=';
	memcpy(buf + *len + klen + 1, val, vlen);
	buf[*len + need - 1] = 0;
	*len += need;
	return 0;
}

/**
 * kti_text_append() - append "key=val\0" to a response being built
 * @buf: response buffer
 * @size: its size
 * @len: bytes used so far, updated
 * @key: key name
 * @val: value
 *
 * Return: 0, or -ENOSPC (and nothing appended) if it does not fit.
 */
int kti_text_append(char *buf, u32 size, u32 *len, const char *key,
		    const char *val)
{
	return kti_put_pair(buf, size, len, key, val, strlen(val));
}

/* ---- negotiation ---- */

/* where kti_neg_keys()/kti_neg_finish() write */
struct kti_out {
	char *buf;
	u32 size;
	u32 *len;
};

static int kti_out_str(struct kti_out *o, const char *key, const char *val)
{
	return kti_text_append(o->buf, o->size, o->len, key, val);
}

static int kti_out_num(struct kti_out *o, const char *key, u32 v)
{
	char num[11];

	return kti_out_str(o, key, kti_utoa(v, num));
}

/**
 * kti_sess_params_default() - the RFC 7143 defaults
 * @p: filled in
 */
void kti_sess_params_default(struct kti_sess_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_connections = 1;
	p->initial_r2t = true;
	p->immediate_data = true;
	p->max_recv_dsl = 8192;
	p->max_xmit_dsl = 8192;
	p->max_burst = 262144;
	p->first_burst = 65536;
	p->t2w = 2;
	p->t2r = 20;
	p->max_outstanding_r2t = 1;
	p->data_pdu_in_order = true;
	p->data_seq_in_order = true;
}

/* our configured value of a numerical key; the default if unusable */
static u32 kti_cfg_num(const struct kti_neg *n, enum kti_key k)
{
	const struct kti_key_info *ki = &kti_keys[k];
	u64 v;

	if (!kti_parse_num(n->cfg[k], &v) || v < ki->min || v > ki->max)
		kti_parse_num(ki->def, &v);
	return v;
}

static bool kti_cfg_bool(const struct kti_neg *n, enum kti_key k)
{
	int v = kti_parse_bool(n->cfg[k]);

	return v < 0 ? kti_parse_bool(kti_keys[k].def) : v;
}

/* our configured list; the default if unusable */
static const char *kti_cfg_list(const struct kti_neg *n, enum kti_key k)
{
	const char *v = n->cfg[k];

	return kti_list_valid(v, kti_keys[k].values) ? v : kti_keys[k].def;
}

/**
 * kti_neg_init() - start the negotiation of one connection's login
 * @n: state
 * @cfg: our param/ values, indexed by enum kti_key; validated with
 *	kti_key_validate() (a value that is not falls back to the default)
 * @discovery: SessionType=Discovery
 * @leading: the login starts a new session (TSIH 0)
 */
void kti_neg_init(struct kti_neg *n, const char cfg[][KTI_VAL_LEN],
		  bool discovery, bool leading)
{
	memset(n, 0, sizeof(*n));
	n->cfg = cfg;
	n->discovery = discovery;
	n->leading = leading;
	n->stage = KTI_STAGE_SECURITY;
	kti_sess_params_default(&n->p);
	n->p.max_xmit_dsl = min(n->p.max_xmit_dsl,
				kti_cfg_num(n, KTI_KEY_MAX_XMIT_DSL));
}

static void kti_neg_set(struct kti_neg *n, enum kti_key k, u32 v)
{
	struct kti_sess_params *p = &n->p;

	switch (k) {
	case KTI_KEY_HEADER_DIGEST:
		p->header_digest = v;
		break;
	case KTI_KEY_DATA_DIGEST:
		p->data_digest = v;
		break;
	case KTI_KEY_MAX_CONNECTIONS:
		p->max_connections = v;
		break;
	case KTI_KEY_INITIAL_R2T:
		p->initial_r2t = v;
		break;
	case KTI_KEY_IMMEDIATE_DATA:
		p->immediate_data = v;
		break;
	case KTI_KEY_MAX_BURST:
		p->max_burst = v;
		break;
	case KTI_KEY_FIRST_BURST:
		p->first_burst = v;
		break;
	case KTI_KEY_T2W:
		p->t2w = v;
		break;
	case KTI_KEY_T2R:
		p->t2r = v;
		break;
	case KTI_KEY_MAX_OUTSTANDING_R2T:
		p->max_outstanding_r2t = v;
		break;
	case KTI_KEY_DATA_PDU_IN_ORDER:
		p->data_pdu_in_order = v;
		break;
	case KTI_KEY_DATA_SEQ_IN_ORDER:
		p->data_seq_in_order = v;
		break;
	case KTI_KEY_ERL:
		p->erl = v;
		break;
	default:
		break;
	}
}

/* the outcome when nobody sends @k */
static const char *kti_rfc_def(enum kti_key k)
{
	return kti_keys[k].rfc_def ? kti_keys[k].rfc_def : kti_keys[k].def;
}

/* may @k be negotiated in @stage (connection, sender)? */
static bool kti_neg_allowed(const struct kti_neg *n, enum kti_key k,
			    u8 stage)
{
	const struct kti_key_info *ki = &kti_keys[k];

	if (ki->target_only || stage == KTI_STAGE_SECURITY)
		return false;
	if (stage == KTI_STAGE_FFP)
		return ki->use == KTI_USE_ALL;
	return ki->use != KTI_USE_LO || n->leading;
}

static bool kti_neg_relevant(const struct kti_neg *n, enum kti_key k)
{
	if (n->discovery && !kti_keys[k].discovery)
		return false;
	/* RFC 7143 13.14 */
	if (k == KTI_KEY_FIRST_BURST && n->p.initial_r2t &&
	    !n->p.immediate_data)
		return false;
	return true;
}

/*
 * Answer @k with @val.  A settled key may not be offered again; one we
 * rejected may, and until then we do not offer it ourselves.
 */
static int kti_neg_reply(struct kti_neg *n, enum kti_key k,
			 struct kti_out *o, const char *val, bool settled)
{
	if (settled)
		n->done |= 1U << k;
	else
		n->rejected |= 1U << k;
	return kti_out_str(o, kti_keys[k].name, val);
}

/* the first value of the initiator's list that our list has */
static int kti_neg_list(struct kti_neg *n, enum kti_key k, const char *val,
			struct kti_out *o)
{
	const char *ours = kti_cfg_list(n, k);
	const char *end;
	size_t len;
	int ret;

	for (;;) {
		end = strchr(val, ',');
		len = end ? (size_t)(end - val) : strlen(val);
		if (len && kti_list_has(ours, val, len))
			break;
		if (!end)
			return kti_neg_reply(n, k, o, KTI_REJECT, false);
		val = end + 1;
	}
	ret = kti_put_pair(o->buf, o->size, o->len, kti_keys[k].name, val,
			   len);
	if (ret)
		return ret;
	n->done |= 1U << k;
	kti_neg_set(n, k, !(len == 4 && !memcmp(val, "None", 4)));
	return 0;
}

static int kti_neg_bool(struct kti_neg *n, enum kti_key k, const char *val,
			struct kti_out *o)
{
	int theirs = kti_parse_bool(val);
	bool ours = kti_cfg_bool(n, k), res;

	if (theirs < 0)
		return kti_neg_reply(n, k, o, KTI_REJECT, false);
	if (kti_keys[k].type == KTI_KT_BOOL_OR)
		res = theirs || ours;
	else
		res = theirs && ours;
	kti_neg_set(n, k, res);
	return kti_neg_reply(n, k, o, res ? "Yes" : "No", true);
}

/*
 * Our value of a numerical key.  FirstBurstLength stays within both the
 * MaxBurstLength known so far and ours, which bounds what it may become.
 */
static u32 kti_neg_ours(const struct kti_neg *n, enum kti_key k)
{
	u32 v = kti_cfg_num(n, k);

	if (k == KTI_KEY_FIRST_BURST) {
		v = min(v, n->p.max_burst);
		v = min(v, kti_cfg_num(n, KTI_KEY_MAX_BURST));
	}
	return v;
}

/* a number within the key's range */
static bool kti_neg_parse_num(enum kti_key k, const char *val, u32 *v)
{
	u64 x;

	if (!kti_parse_num(val, &x) || x < kti_keys[k].min ||
	    x > kti_keys[k].max)
		return false;
	*v = x;
	return true;
}

static int kti_neg_num(struct kti_neg *n, enum kti_key k, const char *val,
		       struct kti_out *o)
{
	u32 ours = kti_neg_ours(n, k), theirs, res;

	if (!kti_neg_parse_num(k, val, &theirs))
		return kti_neg_reply(n, k, o, KTI_REJECT, false);
	if (kti_keys[k].type == KTI_KT_NUM_MIN)
		res = theirs < ours ? theirs : ours;
	else
		res = theirs > ours ? theirs : ours;
	kti_neg_set(n, k, res);
	n->done |= 1U << k;
	return kti_out_num(o, kti_keys[k].name, res);
}

/* declare our MaxRecvDataSegmentLength once per connection */
static int kti_neg_declare(struct kti_neg *n, struct kti_out *o)
{
	u32 ours = kti_cfg_num(n, KTI_KEY_MAX_RECV_DSL);
	int ret;

	if (n->mrdsl_sent)
		return 0;
	ret = kti_out_num(o, kti_keys[KTI_KEY_MAX_RECV_DSL].name, ours);
	if (ret)
		return ret;
	n->mrdsl_sent = true;
	n->p.max_recv_dsl = ours;
	return 0;
}

/* the initiator's MaxRecvDataSegmentLength: what we may send */
static int kti_neg_mrdsl(struct kti_neg *n, enum kti_key k, const char *val,
			 struct kti_out *o)
{
	u32 theirs, cap = kti_cfg_num(n, KTI_KEY_MAX_XMIT_DSL);

	/* a declaration is not negotiated: a bad one cannot be Rejected */
	if (!kti_neg_parse_num(k, val, &theirs))
		return -EINVAL;
	n->p.max_xmit_dsl = theirs < cap ? theirs : cap;
	n->done |= 1U << k;
	/* in a text negotiation ours stands from the login */
	if (n->stage == KTI_STAGE_FFP)
		return 0;
	return kti_neg_declare(n, o);
}

/* IFMarker/OFMarker: answered with our value, "No" or "Reject" */
static int kti_neg_marker(struct kti_neg *n, enum kti_key k, const char *val,
			  struct kti_out *o)
{
	bool no = strcmp(n->cfg[k], KTI_REJECT) != 0;

	if (kti_parse_bool(val) < 0)
		return kti_neg_reply(n, k, o, KTI_REJECT, false);
	return kti_neg_reply(n, k, o, no ? "No" : KTI_REJECT, no);
}

/* the initiator's answer to a key we offered (kti_neg_finish()) */
static int kti_neg_answer(struct kti_neg *n, enum kti_key k, const char *val)
{
	const struct kti_key_info *ki = &kti_keys[k];
	u32 v;

	n->proposed &= ~(1U << k);
	n->done |= 1U << k;
	if (!strcmp(val, KTI_REJECT) || !strcmp(val, KTI_NOT_UNDERSTOOD) ||
	    !strcmp(val, KTI_IRRELEVANT))
		return -EINVAL;
	switch (ki->type) {
	case KTI_KT_LIST:
		if (!kti_list_has(kti_cfg_list(n, k), val, strlen(val)))
			return -EPROTO;
		kti_neg_set(n, k, !!strcmp(val, "None"));
		return 0;
	case KTI_KT_BOOL_OR:
	case KTI_KT_BOOL_AND:
		/* we offered the value that decides: it must come back */
		return kti_parse_bool(val) == kti_cfg_bool(n, k) ? 0 : -EPROTO;
	case KTI_KT_NUM_MIN:
	case KTI_KT_NUM_MAX:
		if (!kti_neg_parse_num(k, val, &v))
			return -EPROTO;
		if (ki->type == KTI_KT_NUM_MIN ? v > n->offer[k] :
		    v < n->offer[k])
			return -EPROTO;
		kti_neg_set(n, k, v);
		return 0;
	}
	return -EPROTO;
}

static int kti_neg_one(struct kti_neg *n, enum kti_key k, const char *val,
		       struct kti_out *o)
{
	u32 bit = 1U << k;

	if (!kti_neg_allowed(n, k, n->stage))
		return -EPROTO;
	if (n->proposed & bit)
		return kti_neg_answer(n, k, val);
	if ((n->done & bit) && n->stage != KTI_STAGE_FFP)
		return -EPROTO;
	if (!kti_neg_relevant(n, k))
		return kti_neg_reply(n, k, o, KTI_IRRELEVANT, true);
	switch (kti_keys[k].type) {
	case KTI_KT_LIST:
		return kti_neg_list(n, k, val, o);
	case KTI_KT_BOOL_OR:
	case KTI_KT_BOOL_AND:
		return kti_neg_bool(n, k, val, o);
	case KTI_KT_NUM_MIN:
	case KTI_KT_NUM_MAX:
		return kti_neg_num(n, k, val, o);
	case KTI_KT_DECLARATIVE:
		return kti_neg_mrdsl(n, k, val, o);
	case KTI_KT_MARKER:
		return kti_neg_marker(n, k, val, o);
	case KTI_KT_MARKINT:
		return kti_neg_reply(n, k, o, KTI_REJECT, false);
	}
	return -EPROTO;
}

/* one received pair; @first_burst: the pass that handles only it */
static int kti_neg_kv(struct kti_neg *n, const struct kti_kv *kv,
		      bool first_burst, struct kti_out *o)
{
	bool is_fb;
	int k, ret;

	switch (kti_key_class(kv->key)) {
	case KTI_KC_CALLER:
		return 0;
	case KTI_KC_UNKNOWN:
		return first_burst ? 0 :
		       kti_out_str(o, kv->key, KTI_NOT_UNDERSTOOD);
	case KTI_KC_NEG:
		break;
	}
	k = kti_key_find(kv->key);
	is_fb = k == KTI_KEY_FIRST_BURST;
	if (is_fb != first_burst)
		return 0;
	ret = kti_neg_one(n, k, kv->val, o);
	if (ret && ret != -ENOSPC)
		n->bad_key = kti_keys[k].name;
	return ret;
}

/**
 * kti_neg_keys() - answer the keys of one login or text request
 * @n: state (n->stage set to the request's stage)
 * @kvs: the request's pairs (kti_text_parse())
 * @count: their number
 * @resp: response buffer; answers are appended as "key=value\0"
 * @resp_size: its size
 * @resp_len: bytes of @resp already used, updated
 *
 * Keys of class KTI_KC_CALLER are skipped, unknown keys are answered
 * NotUnderstood, the others are negotiated: lists get the first offered
 * value we support, booleans the OR/AND, numbers the minimum/maximum,
 * values out of range Reject, keys irrelevant to the session Irrelevant.
 * The initiator's MaxRecvDataSegmentLength is recorded (out of range:
 * -EINVAL) and ours declared.
 * Answers to keys the target offered (kti_neg_finish()) are checked.
 * FirstBurstLength is answered last, once InitialR2T, ImmediateData and
 * MaxBurstLength of the same request are known.
 *
 * Return: 0, -EPROTO, -EINVAL or -ENOSPC (see keys.h).
 */
int kti_neg_keys(struct kti_neg *n, const struct kti_kv *kvs,
		 unsigned int count, char *resp, u32 resp_size, u32 *resp_len)
{
	struct kti_out o = { .buf = resp, .size = resp_size, .len = resp_len };
	unsigned int i, pass;
	int ret;

	n->bad_key = NULL;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < count; i++) {
			ret = kti_neg_kv(n, &kvs[i], pass, &o);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * Is the RFC default of @k, the outcome if nobody sends it, acceptable
 * to us?  If not, what we would offer goes to *@val (numbers) or *@str.
 */
static bool kti_neg_default_ok(const struct kti_neg *n, enum kti_key k,
			       u32 *val, const char **str)
{
	const struct kti_key_info *ki = &kti_keys[k];
	u64 def = 0;
	u32 ours;

	if (k == KTI_KEY_AUTH_METHOD ||
	    !kti_neg_allowed(n, k, KTI_STAGE_OPERATIONAL) ||
	    !kti_neg_relevant(n, k))
		return true;
	switch (ki->type) {
	case KTI_KT_LIST:
		*str = kti_cfg_list(n, k);
		return kti_list_has(*str, kti_rfc_def(k),
				    strlen(kti_rfc_def(k)));
	case KTI_KT_BOOL_OR:
	case KTI_KT_BOOL_AND:
		ours = kti_cfg_bool(n, k);
		*str = ours ? "Yes" : "No";
		return ours == (u32)kti_parse_bool(kti_rfc_def(k)) ||
		       (ki->type == KTI_KT_BOOL_OR) != ours;
	case KTI_KT_NUM_MIN:
	case KTI_KT_NUM_MAX:
		kti_parse_num(kti_rfc_def(k), &def);
		*val = kti_neg_ours(n, k);
		return ki->type == KTI_KT_NUM_MIN ? *val >= def : *val <= def;
	}
	return true;
}

/* must the target offer @k itself (nobody sent it, default not ok)? */
static bool kti_neg_needs_offer(const struct kti_neg *n, enum kti_key k,
				u32 *val, const char **str)
{
	if ((n->done | n->proposed | n->rejected) & (1U << k))
		return false;
	return !kti_neg_default_ok(n, k, val, str);
}

/* a key we rejected was not offered again and its default is not ok */
static int kti_neg_check_rejected(struct kti_neg *n)
{
	const char *str;
	u32 val;
	int k;

	for (k = 0; k < KTI_KEY__COUNT; k++) {
		if (!(n->rejected & ~n->done & (1U << k)) ||
		    kti_neg_default_ok(n, k, &val, &str))
			continue;
		n->bad_key = kti_keys[k].name;
		return -EINVAL;
	}
	return 0;
}

/* offer the keys whose RFC default we cannot accept; count them */
static int kti_neg_offer(struct kti_neg *n, struct kti_out *o)
{
	const char *str = NULL;
	int k, ret, offered = 0;
	u32 val = 0;

	for (k = 0; k < KTI_KEY__COUNT; k++) {
		if (!kti_neg_needs_offer(n, k, &val, &str))
			continue;
		if (kti_keys[k].type == KTI_KT_NUM_MIN ||
		    kti_keys[k].type == KTI_KT_NUM_MAX) {
			ret = kti_out_num(o, kti_keys[k].name, val);
			n->offer[k] = val;
		} else {
			ret = kti_out_str(o, kti_keys[k].name, str);
		}
		if (ret)
			return ret;
		n->proposed |= 1U << k;
		/* an AND with No or OR with Yes decides the outcome now */
		if (kti_keys[k].type == KTI_KT_BOOL_OR ||
		    kti_keys[k].type == KTI_KT_BOOL_AND)
			kti_neg_set(n, k, kti_cfg_bool(n, k));
		offered++;
	}
	return offered;
}

/* offers the initiator did not answer: booleans are decided, else error */
static int kti_neg_unanswered(struct kti_neg *n)
{
	int k;

	for (k = 0; k < KTI_KEY__COUNT; k++) {
		if (!(n->proposed & (1U << k)))
			continue;
		if (kti_keys[k].type != KTI_KT_BOOL_OR &&
		    kti_keys[k].type != KTI_KT_BOOL_AND) {
			n->bad_key = kti_keys[k].name;
			return -EPROTO;
		}
		n->proposed &= ~(1U << k);
		n->done |= 1U << k;
	}
	return 0;
}

/* would an operational stage have anything to declare or offer? */
static bool kti_neg_has_work(struct kti_neg *n)
{
	const char *str;
	u32 val;
	int k;

	if (!n->mrdsl_sent &&
	    kti_cfg_num(n, KTI_KEY_MAX_RECV_DSL) != n->p.max_recv_dsl)
		return true;
	for (k = 0; k < KTI_KEY__COUNT; k++)
		if (kti_neg_needs_offer(n, k, &val, &str))
			return true;
	return false;
}

/**
 * kti_neg_finish() - end of a login's negotiation (initiator sent T=1)
 * @n: state
 * @resp: response buffer; declarations and offers are appended
 * @resp_size: its size
 * @resp_len: bytes of @resp already used, updated
 *
 * In the operational stage: declares our MaxRecvDataSegmentLength if not
 * done yet, and offers each key the initiator did not send whose RFC
 * default we cannot accept (e.g. ImmediateData=No, a MaxBurstLength
 * below 262144, a digest list without None).  Offers of AND-No/OR-Yes
 * booleans the initiator left unanswered are settled; other unanswered
 * offers are an error, and so is a key we answered Reject whose default
 * we cannot accept.  Finally FirstBurstLength must not exceed
 * MaxBurstLength.  In the security stage nothing is appended.
 *
 * Return: 0 when the negotiation is complete, 1 when the response must
 * not end the login yet (see keys.h), -EPROTO, -EINVAL or -ENOSPC.
 */
int kti_neg_finish(struct kti_neg *n, char *resp, u32 resp_size,
		   u32 *resp_len)
{
	struct kti_out o = { .buf = resp, .size = resp_size, .len = resp_len };
	int ret;

	n->bad_key = NULL;
	if (n->stage == KTI_STAGE_SECURITY)
		return kti_neg_has_work(n) ? 1 : 0;
	if (n->stage != KTI_STAGE_OPERATIONAL)
		return 0;
	ret = kti_neg_unanswered(n);
	if (!ret)
		ret = kti_neg_check_rejected(n);
	if (ret)
		return ret;
	ret = kti_neg_declare(n, &o);
	if (ret)
		return ret;
	ret = kti_neg_offer(n, &o);
	if (ret)
		return ret < 0 ? ret : 1;
	if (!n->discovery && kti_neg_relevant(n, KTI_KEY_FIRST_BURST) &&
	    n->p.first_burst > n->p.max_burst) {
		n->bad_key = kti_keys[KTI_KEY_FIRST_BURST].name;
		return -EINVAL;
	}
	return 0;
}

/**
 * kti_neg_authmethod() - answer to the initiator's AuthMethod list
 * @offered: the initiator's value, e.g. "CHAP,None"
 * @chap_ok: we accept CHAP (authentication required, or credentials set)
 * @none_ok: we accept no authentication
 *
 * Return: the first offered value we accept, "CHAP" or "None", else
 * "Reject" (the login then fails with an authentication error).
 */
const char *kti_neg_authmethod(const char *offered, bool chap_ok,
			       bool none_ok)
{
	const char *end;
	size_t len;

	for (;;) {
		end = strchr(offered, ',');
		len = end ? (size_t)(end - offered) : strlen(offered);
		if (chap_ok && len == 4 && !memcmp(offered, "CHAP", 4))
			return "CHAP";
		if (none_ok && len == 4 && !memcmp(offered, "None", 4))
			return "None";
		if (!end)
			return KTI_REJECT;
		offered = end + 1;
	}
}
