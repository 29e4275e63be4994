// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of CHAP (wire/chap.c): CHAP digests through the
 * kernel crypto API and random challenges.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <crypto/hash.h>
#include "wire/chap.h"

#define KTI_CHAP_ALG_END	(KTI_CHAP_SHA3_256 + 1)

static const char *const kti_chap_alg_name[KTI_CHAP_ALG_END] = {
	[KTI_CHAP_MD5] = "md5",
	[KTI_CHAP_SHA1] = "sha1",
	[KTI_CHAP_SHA256] = "sha256",
	[KTI_CHAP_SHA3_256] = "sha3-256",
};

/*
 * One transform per CHAP algorithm, NULL when the kernel lacks it.
 * Written only by kti_chap_crypto_init() and kti_chap_crypto_exit(),
 * before the first and after the last login; logins share them without
 * a lock, as an unkeyed hash keeps its state in the caller's shash_desc.
 */
static struct crypto_shash *kti_chap_tfm[KTI_CHAP_ALG_END];

/**
 * kti_chap_crypto_exit() - free what kti_chap_crypto_init() allocated
 *
 * Context: module unload, after the last login has ended.
 */
void kti_chap_crypto_exit(void)
{
	u8 alg;

	for (alg = KTI_CHAP_MD5; alg < KTI_CHAP_ALG_END; alg++) {
		crypto_free_shash(kti_chap_tfm[alg]);
		kti_chap_tfm[alg] = NULL;
	}
}

/* the transform of @alg, NULL if this kernel lacks it */
static struct crypto_shash *kti_chap_alloc(u8 alg)
{
	const char *name = kti_chap_alg_name[alg];
	struct crypto_shash *tfm;

	tfm = crypto_alloc_shash(name, 0, 0);
	if (PTR_ERR_OR_ZERO(tfm) == -ENOENT) {
		pr_info("CHAP_A=%u (%s) not offered: no such hash in this kernel\n",
			alg, name);
		return NULL;
	}
	if (IS_ERR(tfm))
		return tfm;
	if (crypto_shash_digestsize(tfm) != kti_chap_digest_len(alg)) {
		pr_warn("CHAP_A=%u not offered: %s digest size is %u\n",
			alg, name, crypto_shash_digestsize(tfm));
		crypto_free_shash(tfm);
		return NULL;
	}
	return tfm;
}

/**
 * kti_chap_crypto_init() - allocate a hash transform per CHAP algorithm
 *
 * An algorithm the kernel does not have (-ENOENT, e.g. no sha3 module or
 * MD5 in FIPS mode) is only left out of kti_chap_crypto_algs().
 *
 * Context: module load, may sleep (loads crypto modules).
 *
 * Return: 0, or -errno (e.g. -ENOMEM) with nothing allocated.
 */
int kti_chap_crypto_init(void)
{
	struct crypto_shash *tfm;
	u8 alg;

	for (alg = KTI_CHAP_MD5; alg < KTI_CHAP_ALG_END; alg++) {
		tfm = kti_chap_alloc(alg);
		if (IS_ERR(tfm)) {
			pr_err("cannot allocate the %s hash for CHAP: %ld\n",
			       kti_chap_alg_name[alg], PTR_ERR(tfm));
			kti_chap_crypto_exit();
			return PTR_ERR(tfm);
		}
		kti_chap_tfm[alg] = tfm;
	}
	if (!kti_chap_crypto_algs())
		pr_warn("no CHAP algorithm available: CHAP logins will fail\n");
	return 0;
}

/**
 * kti_chap_crypto_algs() - the CHAP algorithms this kernel can compute
 *
 * Return: KTI_CHAP_ALG_BIT() of each, for kti_chap_start().
 */
u32 kti_chap_crypto_algs(void)
{
	u32 algs = 0;
	u8 alg;

	for (alg = KTI_CHAP_MD5; alg < KTI_CHAP_ALG_END; alg++) {
		if (kti_chap_tfm[alg])
			algs |= KTI_CHAP_ALG_BIT(alg);
	}
	return algs;
}

/* H(id || secret || chal) into @out */
static int kti_chap_shash(struct crypto_shash *tfm, u8 id, const u8 *secret,
			  u32 secret_len, const u8 *chal, u32 chal_len,
			  u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int ret;

	desc->tfm = tfm;
	ret = crypto_shash_init(desc);
	if (!ret)
		ret = crypto_shash_update(desc, &id, 1);
	if (!ret)
		ret = crypto_shash_update(desc, secret, secret_len);
	if (!ret)
		ret = crypto_shash_finup(desc, chal, chal_len, out);
	shash_desc_zero(desc);
	return ret;
}

static int kti_chap_crypto_digest(void *ctx, u8 alg, u8 id, const u8 *secret,
				  u32 secret_len, const u8 *chal, u32 chal_len,
				  u8 *out)
{
	if (alg >= KTI_CHAP_ALG_END || !kti_chap_tfm[alg])
		return -ENOENT;
	return kti_chap_shash(kti_chap_tfm[alg], id, secret, secret_len,
			      chal, chal_len, out);
}

/* the hash for kti_chap_verify(), valid between init and exit */
const struct kti_chap_hash kti_chap_crypto_hash = {
	.digest = kti_chap_crypto_digest,
};

/**
 * kti_chap_random() - random bytes for our CHAP_I and CHAP_C
 * @buf: where they go (KTI_CHAP_RAND_LEN for kti_chap_start())
 * @len: how many
 */
void kti_chap_random(u8 *buf, u32 len)
{
	get_random_bytes(buf, len);
}
