// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for iSCSI CHAP (fabrics/iscsi/wire/chap.c): one
 * exchange, kti_chap_start() then kti_chap_verify(), on arbitrary keys,
 * with a dummy hash and response buffers of the exact size asked for.
 *
 * Input layout:
 *   0      flags: 0x0f algorithms offered (bit n = CHAP_A n + 5),
 *          0x10 mutual credentials configured, 0x20 mutual password equal
 *          to the initiator's, 0x40 replace the value of CHAP_R with the
 *          right answer, 0x80 run a second exchange on the same state
 *   1      size of the response buffer of kti_chap_start()
 *   2      size of the response buffer of kti_chap_verify()
 *   3-35   the random bytes (our CHAP_I and CHAP_C)
 *   36-    the keys of the start request, then one 0xff byte, then the
 *          keys of the verify request; keys are "key=value" separated by
 *          NUL bytes, as in a login data segment
 */
#include <ktarget/port.h>
#include "../../fabrics/iscsi/wire/chap.h"
#include "fuzz.h"

#define HDR_LEN		(3 + KTI_CHAP_RAND_LEN)
#define MAX_KVS		16

struct input {
	u8 flags;
	u8 start_size;
	u8 verify_size;
	const u8 *rnd;
};

static int dummy_digest(void *ctx, u8 alg, u8 id, const u8 *secret,
			u32 secret_len, const u8 *chal, u32 chal_len, u8 *out)
{
	u32 len = kti_chap_digest_len(alg), i;
	u8 acc = id ^ alg;

	INVARIANT(len);
	INVARIANT(secret_len && secret_len < 64);
	INVARIANT(chal_len >= 1 && chal_len <= KTI_CHAP_ICHAL_MAX);
	for (i = 0; i < secret_len; i++)
		acc = acc * 31 + secret[i];
	for (i = 0; i < chal_len; i++)
		acc = acc * 31 + chal[i];
	for (i = 0; i < len; i++)
		out[i] = acc + i;
	return 0;
}

static const struct kti_chap_hash hash = { dummy_digest, NULL };

/* NUL-separated "key=value" items of [p, end) into @kv (modifies p) */
static u32 split(char *p, char *end, struct kti_kv *kv)
{
	u32 n = 0;
	char *eq;

	while (p < end && n < MAX_KVS) {
		kv[n].key = p;
		eq = strchr(p, '=');
		if (eq) {
			*eq = 0;
			kv[n].val = eq + 1;
		} else {
			kv[n].val = "";
		}
		n++;
		p += strlen(p) + 1;
		if (eq)
			p += strlen(p) + 1;
	}
	return n;
}

/* "key=value\0" pairs filling exactly @len bytes */
static void check_pairs(const char *resp, u32 len, u32 pairs)
{
	u32 off = 0, n = 0;
	const char *end;

	while (off < len) {
		end = memchr(resp + off, 0, len - off);
		INVARIANT(end);
		INVARIANT(memchr(resp + off, '=', end - (resp + off)));
		off = end - resp + 1;
		n++;
	}
	INVARIANT(n == pairs);
}

/* a decoded value re-encodes to the same hex, whatever its case */
static void check_decode(const char *val)
{
	static u8 bin[KTI_CHAP_ICHAL_MAX];
	static char hex[2 * KTI_CHAP_ICHAL_MAX + 3];
	u32 len = 0, i;

	if (kti_chap_decode(val, bin, sizeof(bin), &len))
		return;
	INVARIANT(len >= 1 && len <= sizeof(bin));
	if (val[1] != 'x' && val[1] != 'X')
		return;
	INVARIANT(kti_chap_hex_encode(bin, len, hex, sizeof(hex)) ==
		  (int)(2 + 2 * len));
	for (i = 2; i < 2 + 2 * len; i++)
		INVARIANT(hex[i] == val[i] || hex[i] == (val[i] | 0x20));
	INVARIANT(!val[2 + 2 * len]);
}

static bool is_chap_key(const char *k)
{
	return strlen(k) == 6 && !memcmp(k, "CHAP_", 5) &&
	       strchr("AICNR", k[5]);
}

static int run_start(struct kti_chap *st, const struct input *in,
		     const struct kti_kv *kv, u32 n)
{
	u32 algs = (u32)(in->flags & 0x0f) << KTI_CHAP_MD5;
	char *resp = malloc(in->start_size ? in->start_size : 1);
	u32 len = 0xdead;
	int err;

	INVARIANT(resp);
	err = kti_chap_start(st, kv, n, algs, in->rnd, resp, in->start_size,
			     &len);
	if (err) {
		INVARIANT(!len && st->stage == KTI_CHAP_FAILED);
		INVARIANT(kti_chap_login_status(err));
		INVARIANT(strcmp(kti_chap_strerror(err), "unknown CHAP error"));
	} else {
		INVARIANT(st->stage == KTI_CHAP_CHALLENGED);
		INVARIANT(algs & KTI_CHAP_ALG_BIT(st->alg));
		INVARIANT(st->chal_len == (st->alg == KTI_CHAP_MD5 ? 16 :
				kti_chap_digest_len(st->alg)));
		INVARIANT(len <= in->start_size);
		check_pairs(resp, len, 3);
	}
	free(resp);
	return err;
}

/* the right CHAP_R for our challenge, in @buf */
static void fix_response(const struct kti_chap *st, struct kti_kv *kv,
			 u32 n, const char *secret, char *buf, u32 size)
{
	u8 d[KTI_CHAP_DIGEST_MAX];
	u32 i;

	dummy_digest(NULL, st->alg, st->id, (const u8 *)secret,
		     strlen(secret), st->chal, st->chal_len, d);
	INVARIANT(kti_chap_hex_encode(d, kti_chap_digest_len(st->alg), buf,
				      size) > 0);
	for (i = 0; i < n; i++) {
		if (!strcmp(kv[i].key, "CHAP_R"))
			kv[i].val = buf;
	}
}

static void run_verify(struct kti_chap *st, const struct input *in,
		       struct kti_kv *kv, u32 n)
{
	struct kti_chap_creds creds = { "u", "secret-1", "", "" };
	char *resp = malloc(in->verify_size ? in->verify_size : 1);
	char right[2 * KTI_CHAP_DIGEST_MAX + 3];
	u32 len = 0xdead, i;
	int err;

	INVARIANT(resp);
	if (in->flags & 0x10) {
		creds.userid_mutual = "m";
		creds.password_mutual = in->flags & 0x20 ? "secret-1" :
							   "secret-2";
	}
	if ((in->flags & 0x40) && st->stage == KTI_CHAP_CHALLENGED)
		fix_response(st, kv, n, creds.password, right, sizeof(right));
	for (i = 0; i < n; i++) {
		check_decode(kv[i].val);
		INVARIANT(kti_chap_is_key(kv[i].key) == is_chap_key(kv[i].key));
	}
	err = kti_chap_verify(st, kv, n, &creds, &hash, resp,
			      in->verify_size, &len);
	if (err) {
		INVARIANT(!len && st->stage == KTI_CHAP_FAILED);
		INVARIANT(kti_chap_login_status(err));
		INVARIANT(strcmp(kti_chap_strerror(err), "unknown CHAP error"));
	} else {
		INVARIANT(st->stage == KTI_CHAP_DONE);
		INVARIANT(len <= in->verify_size);
		INVARIANT(st->mutual == !!len);
		check_pairs(resp, len, st->mutual ? 2 : 0);
		INVARIANT(!st->mutual || !memcmp(resp, "CHAP_N=m", 9));
	}
	free(resp);
}

/* one exchange on a private, NUL-terminated copy of the request text */
static void exchange(struct kti_chap *st, const struct input *in,
		     const u8 *data, size_t len)
{
	struct kti_kv kv[MAX_KVS];
	char *text, *sep, *end;
	u32 n;

	text = malloc(len + 2);
	INVARIANT(text);
	memcpy(text, data, len);
	text[len] = 0;
	text[len + 1] = 0;
	end = text + len;
	sep = memchr(text, 0xff, len);
	if (!sep)
		sep = end;
	*sep = 0;
	n = split(text, sep, kv);
	if (!run_start(st, in, kv, n)) {
		n = split(sep + 1, end, kv);
		run_verify(st, in, kv, n);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct kti_chap st;
	u8 rnd[KTI_CHAP_RAND_LEN];
	struct input in;
	u32 i;

	if (size < HDR_LEN)
		return 0;
	in.flags = data[0];
	in.start_size = data[1];
	in.verify_size = data[2];
	in.rnd = data + 3;
	kti_chap_init(&st);
	exchange(&st, &in, data + HDR_LEN, size - HDR_LEN);
	if (in.flags & 0x80 && st.stage == KTI_CHAP_DONE) {
		for (i = 0; i < KTI_CHAP_RAND_LEN; i++)
			rnd[i] = in.rnd[i] + 1;	/* another challenge */
		in.rnd = rnd;
		exchange(&st, &in, data + HDR_LEN, size - HDR_LEN);
	}
	return 0;
}
