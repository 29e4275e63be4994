// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for iSCSI CHAP (fabrics/iscsi/wire/chap.c), RFC 7143 12.1.3.
 * Digests come from OpenSSL's libcrypto; the fixed vectors below were
 * computed independently with `openssl dgst`.
 */
#include <stdlib.h>
#include <openssl/evp.h>
#include "test.h"
#include "../../fabrics/iscsi/wire/chap.h"

#define USER		"iqn.1994-05.com.example:init"
#define SECRET		"target-secret-1"
#define MUSER		"iqn.2003-01.org.example:target"
#define MSECRET		"mutual-secret-2"
#define ID		7	/* our CHAP_I in the fixed vectors */

/* H(7 || "target-secret-1" || chal), chal[i] = i * 7 + 3 */
#define R_MD5		"a54e06468bfce0579d7b3cb87145610a"
#define R_SHA1		"68732912713d8c5d8321deabe7104593f81f4b95"
#define R_SHA256	"210b59dcf21c147bda97537bbf32f18c" \
			"2d40a2e63468f3068f042f5d0aeeafdd"
#define R_SHA3		"cb5a83e8a51dc06710cd772ea3393696" \
			"dd8e0b7fdc91ec0ddb29f710aca712be"
#define R_MD5_B64	"pU4GRov84Fedezy4cUVhCg=="
#define R_SHA256_B64	"IQtZ3PIcFHval1N7vzLxjC1AouY0aPMGjwQvXQrur90="
/* H(200 || "mutual-secret-2" || de ad be ef 01 02 ... 08) */
#define IC_HEX		"0xdeadbeef0102030405060708"
#define IC_B64		"0b3q2+7wECAwQFBgcI"
#define MR_SHA256	"d438ea461f1614c7f5d1201aa1307246" \
			"d8c45ca55e29c568e6087978898d8598"
#define MR_MD5		"db6d35b057e8b8cbc40ac88c77e27fa9"
/* our MD5 challenge (seed 0), our SHA-256 challenge with seed 2 */
#define CHAL_MD5	"0x030a11181f262d343b424950575e656c"
#define CHAL_SEED2	"0x050c131a21282f363d444b525960676e" \
			"757c838a91989fa6adb4bbc2c9d0d7de"

static const struct kti_chap_creds creds_oneway = {
	USER, SECRET, "", ""
};

static const struct kti_chap_creds creds_mutual = {
	USER, SECRET, MUSER, MSECRET
};

struct hash_ctx {
	int calls;
	bool fail;
};

static const EVP_MD *md_of(u8 alg)
{
	switch (alg) {
	case KTI_CHAP_MD5:
		return EVP_md5();
	case KTI_CHAP_SHA1:
		return EVP_sha1();
	case KTI_CHAP_SHA256:
		return EVP_sha256();
	case KTI_CHAP_SHA3_256:
		return EVP_sha3_256();
	}
	return NULL;
}

static int ossl_digest(void *ctx, u8 alg, u8 id, const u8 *secret,
		       u32 secret_len, const u8 *chal, u32 chal_len, u8 *out)
{
	struct hash_ctx *h = ctx;
	const EVP_MD *md = md_of(alg);
	EVP_MD_CTX *c;
	unsigned int len;
	int ok;

	if (h) {
		h->calls++;
		if (h->fail)
			return -EIO;
	}
	if (!md)
		return -ENOENT;
	c = EVP_MD_CTX_new();
	if (!c)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(c, md, NULL) && EVP_DigestUpdate(c, &id, 1) &&
	     EVP_DigestUpdate(c, secret, secret_len) &&
	     EVP_DigestUpdate(c, chal, chal_len) &&
	     EVP_DigestFinal_ex(c, out, &len);
	EVP_MD_CTX_free(c);
	return ok && len == kti_chap_digest_len(alg) ? 0 : -EIO;
}

static struct hash_ctx hctx;
static const struct kti_chap_hash hash = { ossl_digest, &hctx };

/* the random bytes of the fixed vectors: id 7, chal[i] = i * 7 + 3 */
static void fill_rnd(u8 *rnd, u8 seed)
{
	int i;

	rnd[0] = ID;
	for (i = 0; i < KTI_CHAP_CHAL_MAX; i++)
		rnd[1 + i] = i * 7 + 3 + seed;
}

static struct kti_chap *new_state(void)
{
	static struct kti_chap st;

	kti_chap_init(&st);
	memset(&hctx, 0, sizeof(hctx));
	return &st;
}

static int start(struct kti_chap *st, const char *alist, u32 algs, u8 seed)
{
	struct kti_kv kv = { "CHAP_A", alist };
	u8 rnd[KTI_CHAP_RAND_LEN];
	char resp[KTI_CHAP_START_RESP_MAX];
	u32 len;

	fill_rnd(rnd, seed);
	return kti_chap_start(st, &kv, 1, algs, rnd, resp, sizeof(resp),
			      &len);
}

/* a state that has sent the fixed challenge with @alg */
static struct kti_chap *challenged(u8 alg)
{
	struct kti_chap *st = new_state();
	char a[4];

	snprintf(a, sizeof(a), "%u", alg);
	if (start(st, a, KTI_CHAP_ALGS_ALL, 0) != KTI_CHAP_OK)
		FAIL("start CHAP_A=%u failed", alg);
	return st;
}

static int verify(struct kti_chap *st, const struct kti_kv *kv, u32 n,
		  const struct kti_chap_creds *creds, char *resp,
		  u32 *len)
{
	static char buf[512];

	if (!resp)
		resp = buf;
	return kti_chap_verify(st, kv, n, creds, &hash, resp, sizeof(buf),
			       len);
}

static int verify_nr(u8 alg, const char *name, const char *r,
		     const struct kti_chap_creds *creds)
{
	struct kti_chap *st = challenged(alg);
	struct kti_kv kv[] = { { "CHAP_N", name }, { "CHAP_R", r } };
	u32 len = 99;
	int err;

	err = verify(st, kv, 2, creds, NULL, &len);
	if (len != 0)
		FAIL("one-way CHAP wrote %u response bytes", len);
	return err;
}

/* ----- algorithm choice and the challenge ----- */

static void pick(const char *alist, u32 algs, int want_err, u8 want_alg)
{
	struct kti_chap *st = new_state();
	int err = start(st, alist, algs, 0);

	if (err != want_err)
		FAIL("CHAP_A=%s: got %s, want %s", alist,
		     kti_chap_strerror(err), kti_chap_strerror(want_err));
	else if (!err && st->alg != want_alg)
		FAIL("CHAP_A=%s: picked %u, want %u", alist, st->alg,
		     want_alg);
}

static void alg_choice(void)
{
	u32 no_md5 = KTI_CHAP_ALGS_ALL & ~KTI_CHAP_ALG_BIT(KTI_CHAP_MD5);
	u32 no_sha3 = KTI_CHAP_ALGS_ALL & ~KTI_CHAP_ALG_BIT(KTI_CHAP_SHA3_256);

	pick("7,6,5", KTI_CHAP_ALGS_ALL, KTI_CHAP_OK, 7);
	pick("5", KTI_CHAP_ALGS_ALL, KTI_CHAP_OK, 5);
	pick("5,6,7,8", KTI_CHAP_ALGS_ALL, KTI_CHAP_OK, 5);
	pick("8,7", KTI_CHAP_ALGS_ALL, KTI_CHAP_OK, 8);
	pick("8,7", no_sha3, KTI_CHAP_OK, 7);
	pick("5,6", no_md5, KTI_CHAP_OK, 6);
	pick("1,2,3,4,9,8", KTI_CHAP_ALGS_ALL, KTI_CHAP_OK, 8);
	pick("foo,,0x5,6", KTI_CHAP_ALGS_ALL, KTI_CHAP_OK, 5);
	pick("99999999999,37,6", KTI_CHAP_ALGS_ALL, KTI_CHAP_OK, 6);
	pick("5", no_md5, KTI_CHAP_E_ALG, 0);
	pick("1,2,3", KTI_CHAP_ALGS_ALL, KTI_CHAP_E_ALG, 0);
	pick("", KTI_CHAP_ALGS_ALL, KTI_CHAP_E_ALG, 0);
	pick(",", KTI_CHAP_ALGS_ALL, KTI_CHAP_E_ALG, 0);
	pick("None", KTI_CHAP_ALGS_ALL, KTI_CHAP_E_ALG, 0);
	pick("5 ", KTI_CHAP_ALGS_ALL, KTI_CHAP_E_ALG, 0);
	pick("5", 0, KTI_CHAP_E_ALG, 0);
	/* bits outside 5-8 never select anything */
	pick("4,9", 0xffffffff, KTI_CHAP_E_ALG, 0);
}

static void start_response_text(void)
{
	static const char want[] = "CHAP_A=5\0CHAP_I=7\0CHAP_C=" CHAL_MD5;
	struct kti_kv kv = { "CHAP_A", "7,5" };
	struct kti_chap *st = new_state();
	char resp[KTI_CHAP_START_RESP_MAX];
	u8 rnd[KTI_CHAP_RAND_LEN];
	u32 len;

	fill_rnd(rnd, 0);
	CHECK_EQ(kti_chap_start(st, &kv, 1, KTI_CHAP_ALG_BIT(5), rnd, resp,
				sizeof(resp), &len), KTI_CHAP_OK);
	CHECK_EQ(len, sizeof(want));
	CHECK_MEM(resp, want, sizeof(want));
	CHECK_EQ(st->stage, KTI_CHAP_CHALLENGED);
	CHECK_EQ(st->id, ID);
	CHECK_EQ(st->chal_len, 16);
}

/* challenge length per algorithm, and the longest answer fits the max */
static void challenge_lengths(void)
{
	static const u8 algs[] = { 5, 6, 7, 8 };
	static const u8 lens[] = { 16, 20, 32, 32 };
	char resp[KTI_CHAP_START_RESP_MAX];
	struct kti_chap *st;
	u8 rnd[KTI_CHAP_RAND_LEN];
	struct kti_kv kv;
	char a[4];
	u32 len;
	size_t i;

	fill_rnd(rnd, 0);
	rnd[0] = 255;
	for (i = 0; i < sizeof(algs); i++) {
		snprintf(a, sizeof(a), "%u", algs[i]);
		kv = (struct kti_kv){ "CHAP_A", a };
		st = new_state();
		CHECK_EQ(kti_chap_start(st, &kv, 1, KTI_CHAP_ALGS_ALL, rnd,
					resp, sizeof(resp), &len),
			 KTI_CHAP_OK);
		CHECK_EQ(st->chal_len, lens[i]);
		CHECK_MEM(st->chal, rnd + 1, lens[i]);
		CHECK_EQ(len, sizeof("CHAP_A=5") + sizeof("CHAP_I=255") +
			      sizeof("CHAP_C=0x") + 2 * lens[i]);
	}
	CHECK_EQ(len, KTI_CHAP_START_RESP_MAX);
}

static void start_bad_keys(void)
{
	struct kti_kv dup[] = { { "CHAP_A", "5" }, { "CHAP_A", "5" } };
	struct kti_kv early[] = { { "CHAP_A", "5" }, { "CHAP_N", USER } };
	struct kti_kv other = { "AuthMethod", "CHAP" };
	char resp[KTI_CHAP_START_RESP_MAX];
	u8 rnd[KTI_CHAP_RAND_LEN] = { 0 };
	struct kti_chap *st;
	u32 len = 1;

	st = new_state();
	CHECK_EQ(kti_chap_start(st, dup, 2, KTI_CHAP_ALGS_ALL, rnd, resp,
				sizeof(resp), &len), KTI_CHAP_E_DUP);
	CHECK_EQ(len, 0);
	CHECK_EQ(st->stage, KTI_CHAP_FAILED);
	st = new_state();
	CHECK_EQ(kti_chap_start(st, early, 2, KTI_CHAP_ALGS_ALL, rnd, resp,
				sizeof(resp), &len), KTI_CHAP_E_STATE);
	st = new_state();
	CHECK_EQ(kti_chap_start(st, &other, 1, KTI_CHAP_ALGS_ALL, rnd, resp,
				sizeof(resp), &len), KTI_CHAP_E_MISSING);
	st = new_state();
	CHECK_EQ(kti_chap_start(st, NULL, 0, KTI_CHAP_ALGS_ALL, rnd, resp,
				sizeof(resp), &len), KTI_CHAP_E_MISSING);
	/* a second challenge in the same exchange */
	st = challenged(5);
	CHECK_OK();
	CHECK_EQ(start(st, "5", KTI_CHAP_ALGS_ALL, 0), KTI_CHAP_E_STATE);
	/* and nothing after a failure */
	CHECK_EQ(start(st, "5", KTI_CHAP_ALGS_ALL, 0), KTI_CHAP_E_STATE);
}

/* every too-small buffer fails cleanly (ASan watches the exact size) */
static void start_buffer_too_small(void)
{
	struct kti_kv kv = { "CHAP_A", "7" };
	u8 rnd[KTI_CHAP_RAND_LEN];
	struct kti_chap *st;
	u32 size, len, need;
	char *buf;
	int err;

	fill_rnd(rnd, 0);
	rnd[0] = 100;
	need = sizeof("CHAP_A=7") + sizeof("CHAP_I=100") + sizeof("CHAP_C=0x") +
	       64;
	for (size = 0; size <= need; size++) {
		buf = malloc(size ? size : 1);
		st = new_state();
		len = 12345;
		err = kti_chap_start(st, &kv, 1, KTI_CHAP_ALGS_ALL, rnd, buf,
				     size, &len);
		free(buf);
		if (size < need && (err != KTI_CHAP_E_NOSPC || len)) {
			FAIL("size %u: err %d len %u", size, err, len);
			return;
		}
	}
	CHECK_EQ(err, KTI_CHAP_OK);
	CHECK_EQ(len, need);
}

/* ----- one-way CHAP ----- */

static void oneway_each_alg(void)
{
	CHECK_EQ(verify_nr(5, USER, "0x" R_MD5, &creds_oneway), KTI_CHAP_OK);
	CHECK_EQ(verify_nr(6, USER, "0x" R_SHA1, &creds_oneway), KTI_CHAP_OK);
	CHECK_EQ(verify_nr(7, USER, "0x" R_SHA256, &creds_oneway),
		 KTI_CHAP_OK);
	CHECK_EQ(verify_nr(8, USER, "0x" R_SHA3, &creds_oneway), KTI_CHAP_OK);
	CHECK_OK();
	CHECK_EQ(hctx.calls, 1);
}

static void oneway_upper_hex(void)
{
	char r[64];
	size_t i;

	snprintf(r, sizeof(r), "0X%s", R_MD5);
	for (i = 2; r[i]; i++)
		r[i] = r[i] >= 'a' ? r[i] - 'a' + 'A' : r[i];
	CHECK_EQ(verify_nr(5, USER, r, &creds_oneway), KTI_CHAP_OK);
}

static void oneway_base64(void)
{
	CHECK_EQ(verify_nr(5, USER, "0b" R_MD5_B64, &creds_oneway),
		 KTI_CHAP_OK);
	CHECK_EQ(verify_nr(7, USER, "0B" R_SHA256_B64, &creds_oneway),
		 KTI_CHAP_OK);
}

/* mutual credentials configured, initiator does not ask: one-way */
static void oneway_with_mutual_configured(void)
{
	struct kti_chap *st = challenged(7);
	struct kti_kv kv[] = { { "CHAP_R", "0x" R_SHA256 },
			       { "CHAP_N", USER } };
	u32 len = 1;

	CHECK_OK();
	CHECK_EQ(verify(st, kv, 2, &creds_mutual, NULL, &len), KTI_CHAP_OK);
	CHECK_EQ(len, 0);
	CHECK(!st->mutual);
	CHECK_EQ(st->stage, KTI_CHAP_DONE);
}

static void wrong_secret(void)
{
	struct kti_chap_creds c = creds_oneway;

	c.password = "target-secret-2";
	CHECK_EQ(verify_nr(5, USER, "0x" R_MD5, &c), KTI_CHAP_E_RESPONSE);
	c.password = "target-secret-";
	CHECK_EQ(verify_nr(7, USER, "0x" R_SHA256, &c), KTI_CHAP_E_RESPONSE);
	/* the right digest of another algorithm */
	CHECK_EQ(verify_nr(8, USER, "0x" R_SHA256, &creds_oneway),
		 KTI_CHAP_E_RESPONSE);
	/* one bit off in the last byte */
	CHECK_EQ(verify_nr(5, USER, "0xa54e06468bfce0579d7b3cb87145610b",
			   &creds_oneway), KTI_CHAP_E_RESPONSE);
}

static void wrong_name(void)
{
	char name[KTI_CHAP_NAME_MAX + 2];

	CHECK_EQ(verify_nr(5, "iqn.1994-05.com.example:other", "0x" R_MD5,
			   &creds_oneway), KTI_CHAP_E_NAME);
	CHECK_EQ(verify_nr(5, USER "x", "0x" R_MD5, &creds_oneway),
		 KTI_CHAP_E_NAME);
	CHECK_EQ(verify_nr(5, "", "0x" R_MD5, &creds_oneway),
		 KTI_CHAP_E_NAME);
	memset(name, 'n', sizeof(name));
	name[KTI_CHAP_NAME_MAX] = 0;
	CHECK_EQ(verify_nr(5, name, "0x" R_MD5, &creds_oneway),
		 KTI_CHAP_E_NAME);
	name[KTI_CHAP_NAME_MAX] = 'n';
	name[KTI_CHAP_NAME_MAX + 1] = 0;
	CHECK_EQ(verify_nr(5, name, "0x" R_MD5, &creds_oneway),
		 KTI_CHAP_E_TOO_LONG);
}

static void no_credentials(void)
{
	struct kti_chap_creds c = creds_oneway;

	c.password = "";
	CHECK_EQ(verify_nr(5, USER, "0x" R_MD5, &c), KTI_CHAP_E_NO_CREDS);
	c = creds_oneway;
	c.userid = NULL;
	CHECK_EQ(verify_nr(5, USER, "0x" R_MD5, &c), KTI_CHAP_E_NO_CREDS);
}

static void malformed_response(void)
{
	static const char *const bad[] = {
		"a54e06468bfce0579d7b3cb87145610a",	/* no prefix */
		"0x",					/* no digits */
		"0xa54e06468bfce0579d7b3cb87145610",	/* odd length */
		"0xa54e06468bfce0579d7b3cb87145610g",	/* not hex */
		"0x a54e06468bfce0579d7b3cb87145610",
		"0y" R_MD5,
		"0b",
		"0bpU4GRov84Fedezy4cUVhCg=",		/* length % 4 */
		"0bpU4GRov84Fedezy4cUVhCh==",		/* pad bits set */
		"0bpU4GRov84Fedezy4cUVh*g==",		/* not base64 */
		"0bpU4GRov84Fe=zy4cUVhCg==",		/* '=' inside */
		"0b====",
		"",
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = verify_nr(5, USER, bad[i], &creds_oneway);
		if (err != KTI_CHAP_E_FORMAT) {
			FAIL("CHAP_R=%s: got %s", bad[i],
			     kti_chap_strerror(err));
			return;
		}
	}
}

static void response_length(void)
{
	char r[2 * KTI_CHAP_ICHAL_MAX + 8];

	/* one byte short, one byte long, SHA-256 length for MD5 */
	CHECK_EQ(verify_nr(5, USER, "0xa54e06468bfce0579d7b3cb87145610a00",
			   &creds_oneway), KTI_CHAP_E_RESPONSE_LEN);
	CHECK_EQ(verify_nr(5, USER, "0xa54e06468bfce0579d7b3cb8714561",
			   &creds_oneway), KTI_CHAP_E_RESPONSE_LEN);
	CHECK_EQ(verify_nr(5, USER, "0x" R_SHA256, &creds_oneway),
		 KTI_CHAP_E_RESPONSE_LEN);
	/* 1024 bytes is still a binary value, 1025 is over the limit */
	r[0] = '0';
	r[1] = 'x';
	memset(r + 2, 'a', 2 * KTI_CHAP_ICHAL_MAX);
	r[2 + 2 * KTI_CHAP_ICHAL_MAX] = 0;
	CHECK_EQ(verify_nr(5, USER, r, &creds_oneway),
		 KTI_CHAP_E_RESPONSE_LEN);
	memcpy(r + 2 + 2 * KTI_CHAP_ICHAL_MAX, "aa", 3);
	CHECK_EQ(verify_nr(5, USER, r, &creds_oneway), KTI_CHAP_E_TOO_LONG);
}

static void verify_missing_keys(void)
{
	struct kti_kv only_n = { "CHAP_N", USER };
	struct kti_kv only_r = { "CHAP_R", "0x" R_MD5 };
	struct kti_kv half_i[] = { { "CHAP_N", USER }, { "CHAP_R", "0x" R_MD5 },
				   { "CHAP_I", "1" } };
	struct kti_kv half_c[] = { { "CHAP_N", USER }, { "CHAP_R", "0x" R_MD5 },
				   { "CHAP_C", IC_HEX } };
	u32 len;

	CHECK_EQ(verify(challenged(5), &only_n, 1, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_MISSING);
	CHECK_EQ(verify(challenged(5), &only_r, 1, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_MISSING);
	CHECK_EQ(verify(challenged(5), half_i, 3, &creds_mutual, NULL, &len),
		 KTI_CHAP_E_MISSING);
	CHECK_EQ(verify(challenged(5), half_c, 3, &creds_mutual, NULL, &len),
		 KTI_CHAP_E_MISSING);
	CHECK_EQ(verify(challenged(5), NULL, 0, &creds_mutual, NULL, &len),
		 KTI_CHAP_E_MISSING);
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_E_MISSING), 0x0207);
}

static void verify_dup_and_order(void)
{
	struct kti_kv dup[] = { { "CHAP_N", USER }, { "CHAP_R", "0x" R_MD5 },
				{ "CHAP_N", USER } };
	struct kti_kv with_a[] = { { "CHAP_N", USER },
				   { "CHAP_R", "0x" R_MD5 },
				   { "CHAP_A", "5" } };
	struct kti_kv ok[] = { { "CHAP_N", USER }, { "CHAP_R", "0x" R_MD5 } };
	struct kti_chap *st;
	u32 len;

	CHECK_EQ(verify(challenged(5), dup, 3, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_DUP);
	CHECK_EQ(verify(challenged(5), with_a, 3, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_STATE);
	/* verify before start */
	st = new_state();
	CHECK_EQ(verify(st, ok, 2, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_STATE);
	/* a second answer to the same challenge */
	st = challenged(5);
	CHECK_EQ(verify(st, ok, 2, &creds_oneway, NULL, &len), KTI_CHAP_OK);
	CHECK_EQ(verify(st, ok, 2, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_STATE);
	/* after a failure even the right answer is refused */
	st = challenged(5);
	ok[0].val = "someone";
	CHECK_EQ(verify(st, ok, 2, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_NAME);
	ok[0].val = USER;
	CHECK_EQ(verify(st, ok, 2, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_STATE);
	CHECK_EQ(start(st, "5", KTI_CHAP_ALGS_ALL, 0), KTI_CHAP_E_STATE);
}

static void same_secret_refused(void)
{
	struct kti_chap_creds c = creds_mutual;

	c.password_mutual = SECRET;
	CHECK_EQ(verify_nr(5, USER, "0x" R_MD5, &c), KTI_CHAP_E_SAME_SECRET);
}

static void hash_failure(void)
{
	struct kti_chap *st = challenged(5);
	struct kti_kv kv[] = { { "CHAP_N", USER }, { "CHAP_R", "0x" R_MD5 } };
	u32 len;

	hctx.fail = true;
	CHECK_EQ(verify(st, kv, 2, &creds_oneway, NULL, &len),
		 KTI_CHAP_E_HASH);
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_E_HASH), 0x0300);
}

/* ----- mutual CHAP ----- */

static int mutual(u8 alg, const char *r, const char *ci, const char *cc,
		  const struct kti_chap_creds *creds, char *resp, u32 *len)
{
	struct kti_chap *st = challenged(alg);
	struct kti_kv kv[] = { { "CHAP_N", USER }, { "CHAP_R", r },
			       { "CHAP_I", ci }, { "CHAP_C", cc } };

	return verify(st, kv, 4, creds, resp, len);
}

static void mutual_ok(void)
{
	static const char want[] = "CHAP_N=" MUSER "\0CHAP_R=0x" MR_SHA256;
	static const char want5[] = "CHAP_N=" MUSER "\0CHAP_R=0x" MR_MD5;
	char resp[512];
	u32 len;

	CHECK_EQ(mutual(7, "0x" R_SHA256, "200", IC_HEX, &creds_mutual, resp,
			&len), KTI_CHAP_OK);
	CHECK_EQ(len, sizeof(want));
	CHECK_MEM(resp, want, sizeof(want));
	CHECK_EQ(len, KTI_CHAP_VERIFY_RESP_MAX(strlen(MUSER)));
	/* hex CHAP_I, base64 CHAP_C */
	CHECK_EQ(mutual(5, "0x" R_MD5, "0xc8", IC_B64, &creds_mutual, resp,
			&len), KTI_CHAP_OK);
	CHECK_EQ(len, sizeof(want5));
	CHECK_MEM(resp, want5, sizeof(want5));
}

static void mutual_state(void)
{
	struct kti_chap *st = challenged(7);
	struct kti_kv kv[] = { { "CHAP_C", IC_HEX }, { "CHAP_I", "200" },
			       { "CHAP_R", "0x" R_SHA256 },
			       { "CHAP_N", USER } };
	u32 len;

	CHECK_EQ(verify(st, kv, 4, &creds_mutual, NULL, &len), KTI_CHAP_OK);
	CHECK(st->mutual);
	CHECK_EQ(st->stage, KTI_CHAP_DONE);
	CHECK_EQ(hctx.calls, 2);
}

static void mutual_not_configured(void)
{
	struct kti_chap_creds c = creds_mutual;
	u32 len = 1;

	CHECK_EQ(mutual(7, "0x" R_SHA256, "200", IC_HEX, &creds_oneway, NULL,
			&len), KTI_CHAP_E_NO_MUTUAL);
	CHECK_EQ(len, 0);
	c.userid_mutual = "";
	CHECK_EQ(mutual(7, "0x" R_SHA256, "200", IC_HEX, &c, NULL, &len),
		 KTI_CHAP_E_NO_MUTUAL);
	c = creds_mutual;
	c.password_mutual = NULL;
	CHECK_EQ(mutual(7, "0x" R_SHA256, "200", IC_HEX, &c, NULL, &len),
		 KTI_CHAP_E_NO_MUTUAL);
}

/* a wrong CHAP_R is reported as such, and we never answer the challenge */
static void mutual_wrong_response_first(void)
{
	u32 len = 1;

	CHECK_EQ(mutual(7, "0x" R_SHA3, "200", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_E_RESPONSE);
	CHECK_EQ(len, 0);
	CHECK_EQ(hctx.calls, 1);
}

static void mutual_reflection(void)
{
	u32 len;

	/* our own challenge (fill_rnd, MD5: 16 bytes) sent back */
	CHECK_EQ(mutual(5, "0x" R_MD5, "7", CHAL_MD5, &creds_mutual, NULL,
			&len), KTI_CHAP_E_REFLECT);
	CHECK_EQ(mutual(5, "0x" R_MD5, "7", "0bAwoRGB8mLTQ7QklQV15lbA==",
			&creds_mutual, NULL, &len), KTI_CHAP_E_REFLECT);
	/* a prefix of it is another challenge */
	CHECK_EQ(mutual(5, "0x" R_MD5, "7", "0x030a11181f262d343b424950575e65",
			&creds_mutual, NULL, &len), KTI_CHAP_OK);
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_E_REFLECT), 0x0201);
}

/* an initiator answer for a login on the reused state @st */
static int relogin(struct kti_chap *st, u8 seed, const char *cc)
{
	struct kti_kv kv[] = { { "CHAP_N", USER }, { "CHAP_R", NULL },
			       { "CHAP_I", "9" }, { "CHAP_C", cc } };
	u8 d[KTI_CHAP_DIGEST_MAX];
	char r[2 * KTI_CHAP_DIGEST_MAX + 3];
	u32 len;

	if (start(st, "7", KTI_CHAP_ALGS_ALL, seed))
		return -1;
	ossl_digest(NULL, 7, st->id, (const u8 *)SECRET, strlen(SECRET),
		    st->chal, st->chal_len, d);
	kti_chap_hex_encode(d, 32, r, sizeof(r));
	kv[1].val = r;
	return verify(st, kv, 4, &creds_mutual, NULL, &len);
}

static void mutual_replay(void)
{
	struct kti_chap *st = new_state();

	CHECK_EQ(relogin(st, 0, IC_HEX), KTI_CHAP_OK);
	/* same initiator challenge in the next exchange (other encoding) */
	CHECK_EQ(relogin(st, 1, IC_B64), KTI_CHAP_E_REPLAY);
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_E_REPLAY), 0x0201);

	st = new_state();
	CHECK_EQ(relogin(st, 0, IC_HEX), KTI_CHAP_OK);
	CHECK_EQ(relogin(st, 1, "0x0102"), KTI_CHAP_OK);
	CHECK_EQ(relogin(st, 2, IC_HEX), KTI_CHAP_OK);
	/* our challenge of the previous exchange is refused too */
	CHECK_EQ(relogin(st, 3, CHAL_SEED2), KTI_CHAP_E_REFLECT);
}

static void mutual_bad_challenge(void)
{
	static char cc[2 + 2 * (KTI_CHAP_ICHAL_MAX + 1) + 1];
	u32 len;

	cc[0] = '0';
	cc[1] = 'x';
	memset(cc + 2, 'b', 2 * KTI_CHAP_ICHAL_MAX);
	CHECK_EQ(mutual(5, "0x" R_MD5, "1", cc, &creds_mutual, NULL, &len),
		 KTI_CHAP_OK);
	memset(cc + 2, 'b', 2 * KTI_CHAP_ICHAL_MAX + 2);
	CHECK_EQ(mutual(5, "0x" R_MD5, "1", cc, &creds_mutual, NULL, &len),
		 KTI_CHAP_E_CHALLENGE);
	/* the same limits in base64: 1024 bytes, then 1026 */
	memset(cc + 2, 'A', 1364);
	memcpy(cc + 2 + 1364, "AA==", 5);
	cc[1] = 'b';
	CHECK_EQ(mutual(5, "0x" R_MD5, "1", cc, &creds_mutual, NULL, &len),
		 KTI_CHAP_OK);
	memcpy(cc + 2 + 1364, "AAAA", 5);
	CHECK_EQ(mutual(5, "0x" R_MD5, "1", cc, &creds_mutual, NULL, &len),
		 KTI_CHAP_E_CHALLENGE);
	CHECK_EQ(mutual(5, "0x" R_MD5, "1", "0x", &creds_mutual, NULL, &len),
		 KTI_CHAP_E_FORMAT);
	CHECK_EQ(mutual(5, "0x" R_MD5, "1", "0x123", &creds_mutual, NULL,
			&len), KTI_CHAP_E_FORMAT);
	CHECK_EQ(mutual(5, "0x" R_MD5, "1", "12", &creds_mutual, NULL, &len),
		 KTI_CHAP_E_FORMAT);
	/* CHAP_I: 0-255, decimal or hex */
	CHECK_EQ(mutual(5, "0x" R_MD5, "256", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_E_TOO_LONG);
	CHECK_EQ(mutual(5, "0x" R_MD5, "0x100", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_E_TOO_LONG);
	CHECK_EQ(mutual(5, "0x" R_MD5, "-1", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_E_FORMAT);
	CHECK_EQ(mutual(5, "0x" R_MD5, "", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_E_FORMAT);
	CHECK_EQ(mutual(5, "0x" R_MD5, "0x", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_E_FORMAT);
	CHECK_EQ(mutual(5, "0x" R_MD5, "1a", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_E_FORMAT);
	CHECK_EQ(mutual(5, "0x" R_MD5, "0", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_OK);
	CHECK_EQ(mutual(5, "0x" R_MD5, "0255", IC_HEX, &creds_mutual, NULL,
			&len), KTI_CHAP_OK);
}

/* every too-small buffer for the mutual answer fails cleanly */
static void mutual_buffer_too_small(void)
{
	struct kti_kv kv[] = { { "CHAP_N", USER }, { "CHAP_R", "0x" R_SHA256 },
			       { "CHAP_I", "200" }, { "CHAP_C", IC_HEX } };
	u32 need = KTI_CHAP_VERIFY_RESP_MAX(strlen(MUSER));
	struct kti_chap *st;
	u32 size, len;
	char *buf;
	int err;

	for (size = 0; size <= need; size++) {
		st = challenged(7);
		CHECK_OK();
		buf = malloc(size ? size : 1);
		len = 12345;
		err = kti_chap_verify(st, kv, 4, &creds_mutual, &hash, buf,
				      size, &len);
		free(buf);
		if (size < need && (err != KTI_CHAP_E_NOSPC || len ||
				    st->stage != KTI_CHAP_FAILED)) {
			FAIL("size %u: err %d len %u", size, err, len);
			return;
		}
	}
	CHECK_EQ(err, KTI_CHAP_OK);
	CHECK_EQ(len, need);
}

/* ----- helpers ----- */

static void decode_one(const char *in, const char *want, u32 size, int ret)
{
	u8 out[64];
	u32 len = 0;
	int got = kti_chap_decode(in, out, size, &len);

	if (got != ret)
		FAIL("decode %s: got %d, want %d", in, got, ret);
	else if (!ret && (len != strlen(want) || memcmp(out, want, len)))
		FAIL("decode %s: wrong bytes (%u)", in, len);
}

static void decode_vectors(void)
{
	/* RFC 4648 10 */
	decode_one("0bZg==", "f", 64, 0);
	decode_one("0bZm8=", "fo", 64, 0);
	decode_one("0bZm9v", "foo", 64, 0);
	decode_one("0bZm9vYg==", "foob", 64, 0);
	decode_one("0bZm9vYmE=", "fooba", 64, 0);
	decode_one("0bZm9vYmFy", "foobar", 64, 0);
	decode_one("0x666f6f626172", "foobar", 64, 0);
	decode_one("0XFF", "\xff", 64, 0);
	CHECK_OK();
	/* exact fit and one byte short */
	decode_one("0bZm9vYmFy", "foobar", 6, 0);
	decode_one("0bZm9vYmFy", "", 5, -E2BIG);
	decode_one("0bZm9vYmE=", "fooba", 5, 0);
	decode_one("0bZm9vYmE=", "", 4, -E2BIG);
	decode_one("0x666f6f", "foo", 3, 0);
	decode_one("0x666f6f", "", 2, -E2BIG);
	decode_one("0x00", "", 0, -E2BIG);
	CHECK_OK();
	decode_one("0bZm9=", "", 64, -EINVAL);
	decode_one("0bZh==", "", 64, -EINVAL);	/* pad bits set */
	decode_one("0bZm9vYm==", "", 64, -EINVAL);
	decode_one("0bZm=v", "", 64, -EINVAL);
	decode_one("0bZ===", "", 64, -EINVAL);
	decode_one("0x0", "", 64, -EINVAL);
	decode_one("0", "", 64, -EINVAL);
	decode_one("x00", "", 64, -EINVAL);
	decode_one("", "", 64, -EINVAL);
}

static void hex_encode(void)
{
	static const u8 in[] = { 0x00, 0x9a, 0xff };
	char out[9];

	memset(out, '#', sizeof(out));
	CHECK_EQ(kti_chap_hex_encode(in, 3, out, 9), 8);
	CHECK_MEM(out, "0x009aff", 9);
	memset(out, '#', sizeof(out));
	CHECK_EQ(kti_chap_hex_encode(in, 3, out, 8), -ENOSPC);
	CHECK_EQ(out[0], '#');
	CHECK_EQ(kti_chap_hex_encode(in, 0, out, 3), 2);
	CHECK_MEM(out, "0x", 3);
	CHECK_EQ(kti_chap_hex_encode(in, 0, out, 2), -ENOSPC);
	CHECK_EQ(kti_chap_hex_encode(in, 0x7fffffff, out, 9), -ENOSPC);
}

static void keys_and_codes(void)
{
	const char *s[KTI_CHAP_E__COUNT];
	int i, j;

	CHECK(kti_chap_is_key("CHAP_A") && kti_chap_is_key("CHAP_I") &&
	      kti_chap_is_key("CHAP_C") && kti_chap_is_key("CHAP_N") &&
	      kti_chap_is_key("CHAP_R"));
	CHECK(!kti_chap_is_key("CHAP_") && !kti_chap_is_key("CHAP_AA") &&
	      !kti_chap_is_key("CHAP_X") && !kti_chap_is_key("chap_a") &&
	      !kti_chap_is_key("AuthMethod") && !kti_chap_is_key(""));
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_OK), 0);
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_E_FORMAT), 0x0200);
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_E_ALG), 0x0201);
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_E_RESPONSE), 0x0201);
	CHECK_EQ(kti_chap_login_status(KTI_CHAP_E_NOSPC), 0x0300);
	for (i = 0; i < KTI_CHAP_E__COUNT; i++) {
		s[i] = kti_chap_strerror(i);
		CHECK(s[i] && *s[i]);
		for (j = 0; j < i; j++)
			CHECK(strcmp(s[i], s[j]));
	}
	CHECK(!strcmp(kti_chap_strerror(-1), "unknown CHAP error"));
	CHECK(!strcmp(kti_chap_strerror(KTI_CHAP_E__COUNT),
		      "unknown CHAP error"));
	CHECK_EQ(kti_chap_digest_len(4), 0);
	CHECK_EQ(kti_chap_digest_len(9), 0);
}

static const struct kt_test tests[] = {
	KT_TEST(alg_choice),
	KT_TEST(start_response_text),
	KT_TEST(challenge_lengths),
	KT_TEST(start_bad_keys),
	KT_TEST(start_buffer_too_small),
	KT_TEST(oneway_each_alg),
	KT_TEST(oneway_upper_hex),
	KT_TEST(oneway_base64),
	KT_TEST(oneway_with_mutual_configured),
	KT_TEST(wrong_secret),
	KT_TEST(wrong_name),
	KT_TEST(no_credentials),
	KT_TEST(malformed_response),
	KT_TEST(response_length),
	KT_TEST(verify_missing_keys),
	KT_TEST(verify_dup_and_order),
	KT_TEST(same_secret_refused),
	KT_TEST(hash_failure),
	KT_TEST(mutual_ok),
	KT_TEST(mutual_state),
	KT_TEST(mutual_not_configured),
	KT_TEST(mutual_wrong_response_first),
	KT_TEST(mutual_reflection),
	KT_TEST(mutual_replay),
	KT_TEST(mutual_bad_challenge),
	KT_TEST(mutual_buffer_too_small),
	KT_TEST(decode_vectors),
	KT_TEST(hex_encode),
	KT_TEST(keys_and_codes),
};

int main(void)
{
	return kt_test_run("iscsi_chap", tests, ARRAY_SIZE(tests));
}
