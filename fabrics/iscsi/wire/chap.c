// SPDX-License-Identifier: GPL-2.0
/*
 * CHAP for iSCSI login, target side (RFC 7143 12.1.3, RFC 1994): picks
 * the algorithm, builds our challenge, checks the initiator's response
 * and answers its challenge for mutual CHAP.  Pure code, see chap.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "chap.h"

/* login status (class << 8 | detail) of RFC 7143 11.13.5 */
#define KTI_CHAP_LS_INITIATOR_ERR	0x0200
#define KTI_CHAP_LS_AUTH_FAILED		0x0201
#define KTI_CHAP_LS_MISSING_PARAM	0x0207
#define KTI_CHAP_LS_TARGET_ERR		0x0300

#define KTI_CHAP_MD5_CHAL_LEN	16
/* the longest text form of a binary value we may have to accept: hex */
#define KTI_CHAP_BIN_STR_MAX	(2 + 2 * KTI_CHAP_ICHAL_MAX)

/* the keys of the initiator's answer; NULL when absent */
struct kti_chap_req {
	const char *n;
	const char *r;
	const char *i;
	const char *c;
};

/* a cursor over the caller's response buffer */
struct kti_chap_out {
	char *buf;
	u32 size;
	u32 len;
	bool full;		/* something did not fit */
};

static const char *const kti_chap_errstr[KTI_CHAP_E__COUNT] = {
	[KTI_CHAP_OK] = "success",
	[KTI_CHAP_E_STATE] = "CHAP key out of order",
	[KTI_CHAP_E_DUP] = "CHAP key given twice",
	[KTI_CHAP_E_MISSING] = "required CHAP key missing",
	[KTI_CHAP_E_FORMAT] = "malformed CHAP value",
	[KTI_CHAP_E_TOO_LONG] = "CHAP value too long",
	[KTI_CHAP_E_ALG] = "no supported CHAP algorithm offered",
	[KTI_CHAP_E_NO_CREDS] = "no CHAP userid/password configured",
	[KTI_CHAP_E_NAME] = "unknown CHAP_N",
	[KTI_CHAP_E_RESPONSE_LEN] = "CHAP_R has the wrong length",
	[KTI_CHAP_E_RESPONSE] = "wrong CHAP_R",
	[KTI_CHAP_E_SAME_SECRET] =
		"mutual CHAP password equals the initiator's password",
	[KTI_CHAP_E_NO_MUTUAL] = "mutual CHAP asked but not configured",
	[KTI_CHAP_E_CHALLENGE] = "initiator CHAP_C longer than 1024 bytes",
	[KTI_CHAP_E_REFLECT] = "initiator CHAP_C reflects our challenge",
	[KTI_CHAP_E_REPLAY] = "initiator CHAP_C replayed",
	[KTI_CHAP_E_HASH] = "CHAP digest failed",
	[KTI_CHAP_E_NOSPC] = "CHAP response buffer too small",
};

/**
 * kti_chap_strerror() - one-line description of a CHAP result
 * @err: KTI_CHAP_OK or a KTI_CHAP_E_* code
 *
 * Return: a static string, for the caller's log message.
 */
const char *kti_chap_strerror(int err)
{
	if (err < 0 || err >= KTI_CHAP_E__COUNT)
		return "unknown CHAP error";
	return kti_chap_errstr[err];
}

/**
 * kti_chap_login_status() - login status for a failed CHAP step
 * @err: KTI_CHAP_OK or a KTI_CHAP_E_* code
 *
 * Return: the Status-Class << 8 | Status-Detail of the Login Response:
 * 0 for success, 0x0200 initiator error, 0x0201 authentication failure,
 * 0x0207 missing parameter, 0x0300 target error.
 */
u16 kti_chap_login_status(int err)
{
	if (err == KTI_CHAP_OK)
		return 0;
	if (err == KTI_CHAP_E_MISSING)
		return KTI_CHAP_LS_MISSING_PARAM;
	if (err >= KTI_CHAP_E_STATE && err <= KTI_CHAP_E_TOO_LONG)
		return KTI_CHAP_LS_INITIATOR_ERR;
	if (err >= KTI_CHAP_E_ALG && err <= KTI_CHAP_E_REPLAY)
		return KTI_CHAP_LS_AUTH_FAILED;
	return KTI_CHAP_LS_TARGET_ERR;
}

/**
 * kti_chap_digest_len() - digest length of a CHAP algorithm
 * @alg: CHAP_A value
 *
 * Return: the length in bytes, 0 for an algorithm we do not know.
 */
u32 kti_chap_digest_len(u8 alg)
{
	switch (alg) {
	case KTI_CHAP_MD5:
		return 16;
	case KTI_CHAP_SHA1:
		return 20;
	case KTI_CHAP_SHA256:
	case KTI_CHAP_SHA3_256:
		return 32;
	default:
		return 0;
	}
}

/**
 * kti_chap_is_key() - is @key one of the CHAP keys
 * @key: a login key name
 *
 * Return: true for CHAP_A, CHAP_I, CHAP_C, CHAP_N and CHAP_R.
 */
bool kti_chap_is_key(const char *key)
{
	return !strncmp(key, "CHAP_", 5) && key[5] && !key[6] &&
	       strchr("AICNR", key[5]);
}

/**
 * kti_chap_init() - reset a CHAP state before its first login
 * @st: the state
 */
void kti_chap_init(struct kti_chap *st)
{
	memset(st, 0, sizeof(*st));
}

static int kti_chap_fail(struct kti_chap *st, int err)
{
	st->stage = KTI_CHAP_FAILED;
	return err;
}

/* -1 unless @c is in the base64 alphabet (RFC 4648 4) */
static int kti_chap_b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/**
 * kti_chap_hex_decode() - hex digits to bytes
 * @s: the digits, without "0x"
 * @slen: number of digits; must be even and non-zero
 * @out: where the bytes go
 * @size: room at @out
 * @len: set to the number of bytes on success
 *
 * Return: 0, -EINVAL if malformed, -E2BIG if more than @size bytes.
 * @out may be partly written on failure.
 */
int kti_chap_hex_decode(const char *s, u32 slen, u8 *out, u32 size,
			u32 *len)
{
	int hi, lo;
	u32 i;

	if (!slen || slen % 2)
		return -EINVAL;
	if (slen / 2 > size)
		return -E2BIG;
	for (i = 0; i < slen / 2; i++) {
		hi = hex_to_bin(s[2 * i]);
		lo = hex_to_bin(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	*len = slen / 2;
	return 0;
}

/* @chars (2-4) base64 characters to @chars - 1 bytes at @out */
static int kti_chap_b64_group(const char *s, u32 chars, u8 *out)
{
	u32 acc = 0, i;
	int v;

	for (i = 0; i < chars; i++) {
		v = kti_chap_b64_val(s[i]);
		if (v < 0)
			return -EINVAL;
		acc = acc << 6 | v;
	}
	acc <<= 6 * (4 - chars);
	/* the bits after the last byte of a padded group must be zero */
	if (acc & ((1U << (24 - 8 * (chars - 1))) - 1))
		return -EINVAL;
	out[0] = acc >> 16;
	if (chars > 2)
		out[1] = acc >> 8;
	if (chars > 3)
		out[2] = acc;
	return 0;
}

/**
 * kti_chap_base64_decode() - base64 (RFC 4648 4, padded) to bytes
 * @s: the characters, without "0b"
 * @slen: their number; must be a non-zero multiple of 4
 * @out: where the bytes go
 * @size: room at @out
 * @len: set to the number of bytes on success
 *
 * Return: 0, -EINVAL if malformed (including non-zero bits in the last
 * group), -E2BIG if more than @size bytes.  @out may be partly written
 * on failure.
 */
int kti_chap_base64_decode(const char *s, u32 slen, u8 *out, u32 size,
			   u32 *len)
{
	u32 pad = 0, n, i, chars;

	if (!slen || slen % 4)
		return -EINVAL;
	if (s[slen - 1] == '=')
		pad++;
	if (pad && s[slen - 2] == '=')
		pad++;
	n = slen / 4 * 3 - pad;
	if (n > size)
		return -E2BIG;
	for (i = 0; i < slen / 4; i++) {
		chars = i == slen / 4 - 1 ? 4 - pad : 4;
		if (kti_chap_b64_group(s + 4 * i, chars, out + 3 * i))
			return -EINVAL;
	}
	*len = n;
	return 0;
}

/**
 * kti_chap_decode() - a binary value ("0x<hex>" or "0b<base64>")
 * @val: the value, NUL-terminated
 * @out: where the bytes go
 * @size: room at @out
 * @len: set to the number of bytes on success
 *
 * Return: 0, -EINVAL if malformed, -E2BIG if more than @size bytes.
 */
int kti_chap_decode(const char *val, u8 *out, u32 size, u32 *len)
{
	size_t slen = strnlen(val, KTI_CHAP_BIN_STR_MAX + 1);

	if (slen > KTI_CHAP_BIN_STR_MAX)
		return -E2BIG;
	if (slen < 2 || val[0] != '0')
		return -EINVAL;
	if (val[1] == 'x' || val[1] == 'X')
		return kti_chap_hex_decode(val + 2, slen - 2, out, size, len);
	if (val[1] == 'b' || val[1] == 'B')
		return kti_chap_base64_decode(val + 2, slen - 2, out, size,
					      len);
	return -EINVAL;
}

/**
 * kti_chap_hex_encode() - bytes to "0x<hex>"
 * @in: the bytes
 * @len: their number
 * @out: where the text and its NUL go
 * @size: room at @out
 *
 * Return: the length of the text (without the NUL), -ENOSPC if it and
 * its NUL do not fit in @size; then @out is untouched.
 */
int kti_chap_hex_encode(const u8 *in, u32 len, char *out, u32 size)
{
	static const char digits[] = "0123456789abcdef";
	u32 i;

	if (size < 3 || len > (size - 3) / 2)
		return -ENOSPC;
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < len; i++) {
		out[2 + 2 * i] = digits[in[i] >> 4];
		out[3 + 2 * i] = digits[in[i] & 0xf];
	}
	out[2 + 2 * len] = 0;
	return 2 + 2 * len;
}

/*
 * A numerical value (decimal or 0x hex, RFC 7143 6.1) of @slen chars:
 * 0, -EINVAL if malformed, -ERANGE if over @max (< 2^24).
 */
static int kti_chap_number(const char *s, u32 slen, u32 max, u32 *val)
{
	u32 base = 10, v = 0, i = 0;
	int d;

	if (slen > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == slen)
		return -EINVAL;
	for (; i < slen; i++) {
		d = hex_to_bin(s[i]);
		if (d < 0 || (u32)d >= base)
			return -EINVAL;
		v = v * base + d;
		if (v > max)
			return -ERANGE;
	}
	*val = v;
	return 0;
}

/* the value of @key in @kvs: KTI_CHAP_E_DUP if there twice */
static int kti_chap_get(const struct kti_kv *kvs, u32 n, const char *key,
			const char **val)
{
	u32 i;

	*val = NULL;
	for (i = 0; i < n; i++) {
		if (!kvs[i].key || !kvs[i].val || strcmp(kvs[i].key, key))
			continue;
		if (*val)
			return KTI_CHAP_E_DUP;
		*val = kvs[i].val;
	}
	return KTI_CHAP_OK;
}

/* the first algorithm of the list @a that is in @algs, 0 if none */
static u8 kti_chap_pick(const char *a, u32 algs)
{
	const char *end;
	u32 v;

	algs &= KTI_CHAP_ALGS_ALL;
	for (;;) {
		for (end = a; *end && *end != ','; end++)
			;
		if (!kti_chap_number(a, end - a, 255, &v) &&
		    v < 32 && (algs & KTI_CHAP_ALG_BIT(v)))
			return v;
		if (!*end)
			return 0;
		a = end + 1;
	}
}

static void kti_chap_put(struct kti_chap_out *o, const char *s, u32 len)
{
	if (o->full || len > o->size - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, len);
	o->len += len;
}

/* "<key>=<decimal>\0" */
static void kti_chap_put_u8(struct kti_chap_out *o, const char *key, u8 v)
{
	char num[4];
	u32 i = sizeof(num);

	kti_chap_put(o, key, strlen(key));
	do {
		num[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	kti_chap_put(o, num + i, sizeof(num) - i);
	kti_chap_put(o, "", 1);
}

/* "<key>=<string>\0" */
static void kti_chap_put_str(struct kti_chap_out *o, const char *key,
			     const char *s)
{
	kti_chap_put(o, key, strlen(key));
	kti_chap_put(o, s, strlen(s) + 1);
}

/* "<key>=0x<hex>\0" */
static void kti_chap_put_hex(struct kti_chap_out *o, const char *key,
			     const u8 *b, u32 len)
{
	int n;

	kti_chap_put(o, key, strlen(key));
	if (o->full)
		return;
	n = kti_chap_hex_encode(b, len, o->buf + o->len, o->size - o->len);
	if (n < 0)
		o->full = true;
	else
		o->len += n + 1;
}

static int kti_chap_put_end(struct kti_chap_out *o, u32 *resp_len)
{
	if (o->full)
		return KTI_CHAP_E_NOSPC;
	*resp_len = o->len;
	return KTI_CHAP_OK;
}

/* CHAP_A from the request (nothing else may come yet): the algorithm */
static int kti_chap_read_alg(const struct kti_kv *kvs, u32 n, u32 algs,
			     u8 *alg)
{
	static const char *const later[] = {
		"CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R"
	};
	const char *a, *v;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(later); i++) {
		if (kti_chap_get(kvs, n, later[i], &v) || v)
			return KTI_CHAP_E_STATE;
	}
	if (kti_chap_get(kvs, n, "CHAP_A", &a))
		return KTI_CHAP_E_DUP;
	if (!a)
		return KTI_CHAP_E_MISSING;
	*alg = kti_chap_pick(a, algs);
	return *alg ? KTI_CHAP_OK : KTI_CHAP_E_ALG;
}

/**
 * kti_chap_start() - answer the initiator's CHAP_A with our challenge
 * @st: state after kti_chap_init() or a successful exchange
 * @kvs: the CHAP keys of the request (only CHAP_A is allowed)
 * @n: number of @kvs
 * @algs: KTI_CHAP_ALG_BIT() of each algorithm we may offer
 * @rnd: KTI_CHAP_RAND_LEN random bytes: our CHAP_I, then CHAP_C
 * @resp: where "CHAP_A=..\0CHAP_I=..\0CHAP_C=..\0" goes
 * @resp_size: room at @resp (KTI_CHAP_START_RESP_MAX is always enough)
 * @resp_len: set to the bytes written to @resp, 0 on failure
 *
 * Picks the first algorithm of the initiator's list that is in @algs.
 *
 * Return: KTI_CHAP_OK or a KTI_CHAP_E_* code; after a failure the state
 * refuses every further call.
 */
int kti_chap_start(struct kti_chap *st, const struct kti_kv *kvs, u32 n,
		   u32 algs, const u8 *rnd, char *resp, u32 resp_size,
		   u32 *resp_len)
{
	struct kti_chap_out o = { .buf = resp, .size = resp_size };
	int err;
	u8 alg;

	*resp_len = 0;
	if (st->stage != KTI_CHAP_IDLE && st->stage != KTI_CHAP_DONE)
		return kti_chap_fail(st, KTI_CHAP_E_STATE);
	err = kti_chap_read_alg(kvs, n, algs, &alg);
	if (err)
		return kti_chap_fail(st, err);

	/* keep the challenge of the last exchange to refuse its reflection */
	st->prev_chal_len = st->chal_len;
	memcpy(st->prev_chal, st->chal, sizeof(st->chal));
	st->alg = alg;
	st->id = rnd[0];
	st->chal_len = alg == KTI_CHAP_MD5 ? KTI_CHAP_MD5_CHAL_LEN :
					     kti_chap_digest_len(alg);
	memcpy(st->chal, rnd + 1, st->chal_len);
	st->mutual = false;

	kti_chap_put_u8(&o, "CHAP_A=", alg);
	kti_chap_put_u8(&o, "CHAP_I=", st->id);
	kti_chap_put_hex(&o, "CHAP_C=", st->chal, st->chal_len);
	err = kti_chap_put_end(&o, resp_len);
	if (err)
		return kti_chap_fail(st, err);
	st->stage = KTI_CHAP_CHALLENGED;
	return KTI_CHAP_OK;
}

/* The initiator's keys: CHAP_N and CHAP_R, optionally CHAP_I + CHAP_C */
static int kti_chap_read_req(const struct kti_kv *kvs, u32 n,
			     struct kti_chap_req *req)
{
	const char *a;

	if (kti_chap_get(kvs, n, "CHAP_A", &a) || a)
		return KTI_CHAP_E_STATE;
	if (kti_chap_get(kvs, n, "CHAP_N", &req->n) ||
	    kti_chap_get(kvs, n, "CHAP_R", &req->r) ||
	    kti_chap_get(kvs, n, "CHAP_I", &req->i) ||
	    kti_chap_get(kvs, n, "CHAP_C", &req->c))
		return KTI_CHAP_E_DUP;
	if (!req->n || !req->r || !req->i != !req->c)
		return KTI_CHAP_E_MISSING;
	if (strnlen(req->n, KTI_CHAP_NAME_MAX + 1) > KTI_CHAP_NAME_MAX)
		return KTI_CHAP_E_TOO_LONG;
	return KTI_CHAP_OK;
}

/* CHAP_R into @r: too long for any value, or not one digest long */
static int kti_chap_read_response(const struct kti_chap *st, const char *val,
				  u8 *r)
{
	u32 len;
	int ret;

	if (strnlen(val, KTI_CHAP_BIN_STR_MAX + 1) > KTI_CHAP_BIN_STR_MAX)
		return KTI_CHAP_E_TOO_LONG;
	ret = kti_chap_decode(val, r, KTI_CHAP_DIGEST_MAX, &len);
	if (ret == -E2BIG)
		return KTI_CHAP_E_RESPONSE_LEN;
	if (ret)
		return KTI_CHAP_E_FORMAT;
	if (len != kti_chap_digest_len(st->alg))
		return KTI_CHAP_E_RESPONSE_LEN;
	return KTI_CHAP_OK;
}

/* The initiator's CHAP_I and CHAP_C (mutual CHAP) into @id, st->ichal */
static int kti_chap_read_mutual(struct kti_chap *st,
				const struct kti_chap_req *req, u8 *id)
{
	u32 v, len;
	int ret;

	st->ichal_len = 0;
	if (!req->c)
		return KTI_CHAP_OK;
	ret = kti_chap_number(req->i, strlen(req->i), 255, &v);
	if (ret == -ERANGE)
		return KTI_CHAP_E_TOO_LONG;
	if (ret)
		return KTI_CHAP_E_FORMAT;
	*id = v;
	ret = kti_chap_decode(req->c, st->ichal, sizeof(st->ichal), &len);
	if (ret == -E2BIG)
		return KTI_CHAP_E_CHALLENGE;
	if (ret)
		return KTI_CHAP_E_FORMAT;
	st->ichal_len = len;
	return KTI_CHAP_OK;
}

static bool kti_chap_set(const char *s)
{
	return s && *s;
}

/* compare without an early exit, so timing tells nothing of @a */
static bool kti_chap_equal_ct(const u8 *a, const u8 *b, u32 len)
{
	u8 diff = 0;
	u32 i;

	for (i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

static bool kti_chap_same(const u8 *a, u32 alen, const u8 *b, u32 blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* CHAP_N and CHAP_R against the configured userid and password */
static int kti_chap_check_initiator(const struct kti_chap *st,
				    const struct kti_chap_req *req,
				    const struct kti_chap_creds *creds,
				    const struct kti_chap_hash *hash,
				    const u8 *r)
{
	u8 want[KTI_CHAP_DIGEST_MAX];

	if (!kti_chap_set(creds->userid) || !kti_chap_set(creds->password))
		return KTI_CHAP_E_NO_CREDS;
	if (strcmp(req->n, creds->userid))
		return KTI_CHAP_E_NAME;
	if (hash->digest(hash->ctx, st->alg, st->id,
			 (const u8 *)creds->password, strlen(creds->password),
			 st->chal, st->chal_len, want))
		return KTI_CHAP_E_HASH;
	if (!kti_chap_equal_ct(r, want, kti_chap_digest_len(st->alg)))
		return KTI_CHAP_E_RESPONSE;
	/* RFC 7143 12.1.3: one secret must not serve both directions */
	if (kti_chap_set(creds->password_mutual) &&
	    !strcmp(creds->password_mutual, creds->password))
		return KTI_CHAP_E_SAME_SECRET;
	return KTI_CHAP_OK;
}

/* The initiator's challenge: acceptable for us to answer? */
static int kti_chap_check_challenge(const struct kti_chap *st,
				    const struct kti_chap_creds *creds)
{
	if (!kti_chap_set(creds->userid_mutual) ||
	    !kti_chap_set(creds->password_mutual))
		return KTI_CHAP_E_NO_MUTUAL;
	if (kti_chap_same(st->ichal, st->ichal_len, st->chal, st->chal_len) ||
	    kti_chap_same(st->ichal, st->ichal_len, st->prev_chal,
			  st->prev_chal_len))
		return KTI_CHAP_E_REFLECT;
	if (kti_chap_same(st->ichal, st->ichal_len, st->last_ichal,
			  st->last_ichal_len))
		return KTI_CHAP_E_REPLAY;
	return KTI_CHAP_OK;
}

/* CHAP_N=<userid_mutual> CHAP_R=H(id || password_mutual || ichal) */
static int kti_chap_answer(struct kti_chap *st, u8 id,
			   const struct kti_chap_creds *creds,
			   const struct kti_chap_hash *hash,
			   struct kti_chap_out *o)
{
	u8 r[KTI_CHAP_DIGEST_MAX];

	if (hash->digest(hash->ctx, st->alg, id,
			 (const u8 *)creds->password_mutual,
			 strlen(creds->password_mutual),
			 st->ichal, st->ichal_len, r))
		return KTI_CHAP_E_HASH;
	kti_chap_put_str(o, "CHAP_N=", creds->userid_mutual);
	kti_chap_put_hex(o, "CHAP_R=", r, kti_chap_digest_len(st->alg));
	if (o->full)
		return KTI_CHAP_E_NOSPC;
	memcpy(st->last_ichal, st->ichal, st->ichal_len);
	st->last_ichal_len = st->ichal_len;
	st->mutual = true;
	return KTI_CHAP_OK;
}

static int kti_chap_do_verify(struct kti_chap *st, const struct kti_kv *kvs,
			      u32 n, const struct kti_chap_creds *creds,
			      const struct kti_chap_hash *hash,
			      struct kti_chap_out *o)
{
	u8 r[KTI_CHAP_DIGEST_MAX];
	struct kti_chap_req req;
	u8 id = 0;
	int err;

	err = kti_chap_read_req(kvs, n, &req);
	if (!err)
		err = kti_chap_read_response(st, req.r, r);
	if (!err)
		err = kti_chap_read_mutual(st, &req, &id);
	if (!err)
		err = kti_chap_check_initiator(st, &req, creds, hash, r);
	if (err || !req.c)
		return err;
	err = kti_chap_check_challenge(st, creds);
	if (err)
		return err;
	return kti_chap_answer(st, id, creds, hash, o);
}

/**
 * kti_chap_verify() - check the initiator's CHAP answer
 * @st: state after kti_chap_start()
 * @kvs: the CHAP keys of the request: CHAP_N, CHAP_R, and for mutual
 *	CHAP also CHAP_I and CHAP_C
 * @n: number of @kvs
 * @creds: the configured secrets
 * @hash: computes the digests
 * @resp: where "CHAP_N=..\0CHAP_R=..\0" goes for mutual CHAP
 * @resp_size: room at @resp (KTI_CHAP_VERIFY_RESP_MAX() is enough)
 * @resp_len: set to the bytes written to @resp, 0 for one-way CHAP and
 *	on failure
 *
 * Accepts one-way CHAP when mutual credentials are configured but the
 * initiator does not ask to authenticate the target.  On success,
 * st->mutual tells whether it did.
 *
 * Return: KTI_CHAP_OK or a KTI_CHAP_E_* code; after a failure the state
 * refuses every further call.
 */
int kti_chap_verify(struct kti_chap *st, const struct kti_kv *kvs, u32 n,
		    const struct kti_chap_creds *creds,
		    const struct kti_chap_hash *hash,
		    char *resp, u32 resp_size, u32 *resp_len)
{
	struct kti_chap_out o = { .buf = resp, .size = resp_size };
	int err;

	*resp_len = 0;
	if (st->stage != KTI_CHAP_CHALLENGED)
		return kti_chap_fail(st, KTI_CHAP_E_STATE);
	err = kti_chap_do_verify(st, kvs, n, creds, hash, &o);
	if (err)
		return kti_chap_fail(st, err);
	*resp_len = o.len;
	st->stage = KTI_CHAP_DONE;
	return KTI_CHAP_OK;
}
