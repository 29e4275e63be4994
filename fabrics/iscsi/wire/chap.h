/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CHAP for iSCSI login, target side (RFC 7143 12.1.3, RFC 1994): one-way
 * and mutual, algorithms 5 (MD5), 6 (SHA1), 7 (SHA-256), 8 (SHA3-256).
 *
 * Pure code: the caller supplies the random bytes, the hash (a callback)
 * and every buffer.  One exchange per login:
 *
 *	kti_chap_init(st);
 *	initiator: CHAP_A=<list>
 *	kti_chap_start(st, kvs, n, algs, rnd, resp, ...)
 *		-> CHAP_A=<a> CHAP_I=<id> CHAP_C=0x<challenge>
 *	initiator: CHAP_N, CHAP_R [, CHAP_I, CHAP_C for mutual]
 *	kti_chap_verify(st, kvs, n, creds, hash, resp, ...)
 *		-> nothing (one-way) or CHAP_N=<name> CHAP_R=0x<r> (mutual)
 *
 * Both write their answer as "key=value\0" pairs into resp and return
 * KTI_CHAP_OK or a KTI_CHAP_E_* code; kti_chap_login_status() maps a
 * code to the login status to send.  kvs holds only the CHAP_* keys of
 * the request (kti_chap_is_key()); other keys are ignored.
 *
 * A state may be reused for a later login of the same initiator (call
 * kti_chap_start() again after a successful exchange): it keeps the last
 * challenges, so an initiator challenge seen before, or one equal to a
 * challenge we sent, is refused.  After a failure it refuses everything.
 *
 * struct kti_chap is about 2 KiB: allocate it, do not put it on a stack.
 */
#ifndef KTARGET_ISCSI_CHAP_H
#define KTARGET_ISCSI_CHAP_H

#include <ktarget/port.h>
#include "kv.h"

/* CHAP_A values (RFC 1994, IANA PPP authentication algorithms) */
#define KTI_CHAP_MD5		5
#define KTI_CHAP_SHA1		6
#define KTI_CHAP_SHA256		7
#define KTI_CHAP_SHA3_256	8
#define KTI_CHAP_ALG_BIT(a)	(1U << (a))
#define KTI_CHAP_ALGS_ALL	(KTI_CHAP_ALG_BIT(KTI_CHAP_MD5) |	\
				 KTI_CHAP_ALG_BIT(KTI_CHAP_SHA1) |	\
				 KTI_CHAP_ALG_BIT(KTI_CHAP_SHA256) |	\
				 KTI_CHAP_ALG_BIT(KTI_CHAP_SHA3_256))

#define KTI_CHAP_DIGEST_MAX	32	/* SHA-256, SHA3-256 */
#define KTI_CHAP_CHAL_MAX	32	/* our challenge: 16 (MD5) or digest */
#define KTI_CHAP_RAND_LEN	(1 + KTI_CHAP_CHAL_MAX)	/* id + challenge */
#define KTI_CHAP_ICHAL_MAX	1024	/* binary values, RFC 7143 12.1.3 */
#define KTI_CHAP_NAME_MAX	512	/* longest CHAP_N we look at */

/* room for the answer of kti_chap_start() */
#define KTI_CHAP_START_RESP_MAX	(sizeof("CHAP_A=8") + sizeof("CHAP_I=255") + \
				 sizeof("CHAP_C=0x") + 2 * KTI_CHAP_CHAL_MAX)
/* room for the answer of kti_chap_verify(), userid_mutual of @name_len */
#define KTI_CHAP_VERIFY_RESP_MAX(name_len)				\
	(sizeof("CHAP_N=") + (name_len) + sizeof("CHAP_R=0x") +	\
	 2 * KTI_CHAP_DIGEST_MAX)

enum kti_chap_err {
	KTI_CHAP_OK = 0,
	/* initiator errors (login status 0x0200, 0x0207) */
	KTI_CHAP_E_STATE,	/* key or call out of order, or after failure */
	KTI_CHAP_E_DUP,		/* a CHAP key given twice */
	KTI_CHAP_E_MISSING,	/* a required key is missing (0x0207) */
	KTI_CHAP_E_FORMAT,	/* malformed number, hex or base64 */
	KTI_CHAP_E_TOO_LONG,	/* CHAP_N, CHAP_R or CHAP_I over its limit */
	/* authentication failures (0x0201) */
	KTI_CHAP_E_ALG,		/* CHAP_A lists no algorithm we offer */
	KTI_CHAP_E_NO_CREDS,	/* no userid/password configured */
	KTI_CHAP_E_NAME,	/* CHAP_N is not the configured userid */
	KTI_CHAP_E_RESPONSE_LEN, /* CHAP_R is not one digest long */
	KTI_CHAP_E_RESPONSE,	/* CHAP_R is wrong */
	KTI_CHAP_E_SAME_SECRET,	/* password_mutual == password */
	KTI_CHAP_E_NO_MUTUAL,	/* mutual CHAP asked, none configured */
	KTI_CHAP_E_CHALLENGE,	/* initiator CHAP_C over 1024 bytes */
	KTI_CHAP_E_REFLECT,	/* initiator CHAP_C is a challenge of ours */
	KTI_CHAP_E_REPLAY,	/* initiator CHAP_C seen in the last exchange */
	/* target errors (0x0300) */
	KTI_CHAP_E_HASH,	/* the digest callback failed */
	KTI_CHAP_E_NOSPC,	/* the response buffer is too small */
	KTI_CHAP_E__COUNT
};

enum kti_chap_stage {
	KTI_CHAP_IDLE,		/* after kti_chap_init() */
	KTI_CHAP_CHALLENGED,	/* kti_chap_start() sent our challenge */
	KTI_CHAP_DONE,		/* initiator (and target) authenticated */
	KTI_CHAP_FAILED,	/* refuses everything from now on */
};

struct kti_chap {
	u8 stage;			/* enum kti_chap_stage */
	u8 alg;				/* KTI_CHAP_MD5... */
	u8 id;				/* our CHAP_I */
	u8 chal_len;			/* our CHAP_C */
	u8 chal[KTI_CHAP_CHAL_MAX];
	u8 prev_chal_len;		/* our CHAP_C of the previous exchange */
	u8 prev_chal[KTI_CHAP_CHAL_MAX];
	bool mutual;			/* the initiator authenticated us */
	u16 ichal_len;			/* initiator's CHAP_C, 0 if none */
	u16 last_ichal_len;		/* ... of the previous exchange */
	u8 ichal[KTI_CHAP_ICHAL_MAX];
	u8 last_ichal[KTI_CHAP_ICHAL_MAX];
};

/* configured secrets, C strings; NULL or "" means unset */
struct kti_chap_creds {
	const char *userid;
	const char *password;
	const char *userid_mutual;
	const char *password_mutual;
};

/*
 * digest() writes H(id || secret || chal) with algorithm @alg (5-8) to
 * @out (KTI_CHAP_DIGEST_MAX bytes of room) and returns 0 or -errno.
 */
struct kti_chap_hash {
	int (*digest)(void *ctx, u8 alg, u8 id, const u8 *secret,
		      u32 secret_len, const u8 *chal, u32 chal_len, u8 *out);
	void *ctx;
};

void kti_chap_init(struct kti_chap *st);
bool kti_chap_is_key(const char *key);
u32 kti_chap_digest_len(u8 alg);
int kti_chap_start(struct kti_chap *st, const struct kti_kv *kvs, u32 n,
		   u32 algs, const u8 *rnd, char *resp, u32 resp_size,
		   u32 *resp_len);
int kti_chap_verify(struct kti_chap *st, const struct kti_kv *kvs, u32 n,
		    const struct kti_chap_creds *creds,
		    const struct kti_chap_hash *hash,
		    char *resp, u32 resp_size, u32 *resp_len);
const char *kti_chap_strerror(int err);
u16 kti_chap_login_status(int err);

/* binary values ("0x<hex>" or "0b<base64>") and their pieces */
int kti_chap_decode(const char *val, u8 *out, u32 size, u32 *len);
int kti_chap_hex_decode(const char *s, u32 slen, u8 *out, u32 size,
			u32 *len);
int kti_chap_base64_decode(const char *s, u32 slen, u8 *out, u32 size,
			   u32 *len);
int kti_chap_hex_encode(const u8 *in, u32 len, char *out, u32 size);

#ifdef __KERNEL__
/* ../chap_crypto.c: the kernel crypto API behind struct kti_chap_hash */
int kti_chap_crypto_init(void);
void kti_chap_crypto_exit(void);
u32 kti_chap_crypto_algs(void);
extern const struct kti_chap_hash kti_chap_crypto_hash;
void kti_chap_random(u8 *buf, u32 len);
#endif

#endif /* KTARGET_ISCSI_CHAP_H */
