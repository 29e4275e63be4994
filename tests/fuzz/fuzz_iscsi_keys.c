// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for fabrics/iscsi/wire/keys.c: text parsing and the
 * negotiation of a login, with fuzzed text and configuration.
 *
 * Input layout:
 *   0      flags: 0x01 discovery session, 0x02 a connection added to a
 *          session (not leading), 0x0c stage of the first request
 *          (0 security, 1 operational, 2 full feature phase, 3
 *          operational), 0x10 non-default configuration (digests
 *          required, ImmediateData=No, MaxBurstLength 65536, ...),
 *          0x20 call kti_neg_finish() after each request
 *   1      response buffer size / 16
 *   2      room in the kvs array (0-64, modulo 65)
 *   3-     the data segment of the first request; a 0xff byte (never
 *          valid UTF-8) starts a second request in the operational stage
 *
 * Every buffer has exactly the size given, so ASan sees any overflow.
 * Besides no crash, it checks that the parsed pairs are sane, that the
 * response is always a sequence of well-formed "key=value\0" pairs with
 * no key twice, and that the negotiated values are within their ranges.
 */
#include <ktarget/port.h>
#include "../../fabrics/iscsi/wire/keys.h"
#include "fuzz.h"

#define HDR_LEN		3
#define MAX_KVS		64

static char cfg[KTI_KEY__COUNT][KTI_VAL_LEN];

static void set_cfg(bool custom)
{
	int k;

	for (k = 0; k < KTI_KEY__COUNT; k++)
		strcpy(cfg[k], kti_key_default(k));
	if (!custom)
		return;
	strcpy(cfg[KTI_KEY_HEADER_DIGEST], "CRC32C");
	strcpy(cfg[KTI_KEY_DATA_DIGEST], "None");
	strcpy(cfg[KTI_KEY_IMMEDIATE_DATA], "No");
	strcpy(cfg[KTI_KEY_INITIAL_R2T], "No");
	strcpy(cfg[KTI_KEY_MAX_BURST], "65536");
	strcpy(cfg[KTI_KEY_MAX_RECV_DSL], "262144");
	strcpy(cfg[KTI_KEY_MAX_XMIT_DSL], "4096");
	strcpy(cfg[KTI_KEY_T2W], "5");
	strcpy(cfg[KTI_KEY_T2R], "0");
	strcpy(cfg[KTI_KEY_ERL], "2");
	strcpy(cfg[KTI_KEY_MAX_CONNECTIONS], "4");
	strcpy(cfg[KTI_KEY_OF_MARKER], "Reject");
}

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || strchr(".-+@_#", c);
}

static void check_kvs(const char *buf, u32 len, const struct kti_kv *kvs,
		      unsigned int n, unsigned int max)
{
	unsigned int i, j;
	size_t klen, vlen;

	INVARIANT(n <= max);
	for (i = 0; i < n; i++) {
		klen = strlen(kvs[i].key);
		vlen = strlen(kvs[i].val);
		INVARIANT(kvs[i].key >= buf && kvs[i].val + vlen < buf + len);
		INVARIANT(kvs[i].val == kvs[i].key + klen + 1);
		INVARIANT(klen >= 1 && klen <= KTI_KEY_NAME_MAX);
		INVARIANT(vlen <= KTI_TEXT_VAL_MAX);
		INVARIANT(kvs[i].key[0] >= 'A' && kvs[i].key[0] <= 'Z');
		for (j = 0; j < klen; j++)
			INVARIANT(key_char(kvs[i].key[j]));
		INVARIANT(kti_utf8_valid(kvs[i].val, vlen));
		for (j = 0; j < i; j++)
			INVARIANT(strcmp(kvs[i].key, kvs[j].key));
	}
}

/* the response: whole "key=value\0" pairs, no key twice */
static void check_resp(const char *resp, u32 len, u32 size)
{
	struct kti_kv kvs[MAX_KVS * 2];
	unsigned int n;
	char *copy;

	INVARIANT(len <= size);
	if (!len)
		return;
	copy = malloc(len);
	memcpy(copy, resp, len);
	INVARIANT(copy[len - 1] == 0);
	INVARIANT(kti_text_parse(copy, len, kvs, ARRAY_SIZE(kvs), &n) == 0);
	INVARIANT(n >= 1);
	free(copy);
}

static void check_params(const struct kti_neg *n)
{
	const struct kti_sess_params *p = &n->p;

	INVARIANT(p->max_connections >= 1 && p->max_connections <= 65535);
	INVARIANT(p->max_recv_dsl >= 512 && p->max_recv_dsl <= 16777215);
	INVARIANT(p->max_xmit_dsl >= 512 && p->max_xmit_dsl <= 16777215);
	INVARIANT(p->max_xmit_dsl <= 262144);	/* MaxXmitDataSegmentLength */
	INVARIANT(p->max_burst >= 512 && p->max_burst <= 16777215);
	INVARIANT(p->first_burst >= 512 && p->first_burst <= 16777215);
	INVARIANT(p->t2w <= 3600 && p->t2r <= 3600);
	INVARIANT(p->max_outstanding_r2t >= 1 &&
		  p->max_outstanding_r2t <= 65535);
	INVARIANT(p->erl <= 2);
	INVARIANT(!(n->done & n->proposed));
}

/* one request: parse, negotiate, maybe finish; false if the login ends */
static bool one_request(struct kti_neg *n, const u8 *text, size_t len,
			u32 resp_size, unsigned int max, bool finish)
{
	char *buf = malloc(len ? len : 1);
	char *resp = malloc(resp_size ? resp_size : 1);
	struct kti_kv kvs[MAX_KVS];
	unsigned int count, i;
	u32 resp_len = 0;
	int ret;

	memcpy(buf, text, len);
	ret = kti_text_parse(buf, len, kvs, max, &count);
	INVARIANT(ret >= 0 && ret < KTI_TEXT_E__COUNT);
	INVARIANT(*kti_text_strerror(ret));
	if (ret) {
		INVARIANT(count == 0);
		goto out;
	}
	check_kvs(buf, len, kvs, count, max);
	for (i = 0; i < count; i++) {
		ret = kti_key_find(kvs[i].key);
		if (ret >= 0)
			INVARIANT(kti_key_validate(ret, kvs[i].val) <= 0);
		if (!strcmp(kvs[i].key, "AuthMethod"))
			INVARIANT(*kti_neg_authmethod(kvs[i].val, true, true));
	}
	ret = kti_neg_keys(n, kvs, count, resp, resp_size, &resp_len);
	INVARIANT(!ret || ret == -EPROTO || ret == -EINVAL || ret == -ENOSPC);
	INVARIANT(!ret || ret == -ENOSPC || n->bad_key);
	check_resp(resp, resp_len, resp_size);
	if (!ret && finish) {
		ret = kti_neg_finish(n, resp, resp_size, &resp_len);
		INVARIANT(ret == 0 || ret == 1 || ret == -EPROTO ||
			  ret == -EINVAL || ret == -ENOSPC);
		check_resp(resp, resp_len, resp_size);
	}
	check_params(n);
out:
	free(buf);
	free(resp);
	return ret >= 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u8 stages[] = { KTI_STAGE_SECURITY, KTI_STAGE_OPERATIONAL,
				     KTI_STAGE_FFP, KTI_STAGE_OPERATIONAL };
	const u8 *text, *sep;
	size_t len;
	struct kti_neg n;
	u32 resp_size;
	unsigned int max;
	bool finish;

	if (size < HDR_LEN)
		return 0;
	set_cfg(data[0] & 0x10);
	finish = data[0] & 0x20;
	resp_size = data[1] * 16;
	max = data[2] % (MAX_KVS + 1);
	text = data + HDR_LEN;
	len = size - HDR_LEN;
	sep = memchr(text, 0xff, len);

	kti_neg_init(&n, cfg, data[0] & 0x01, !(data[0] & 0x02));
	n.stage = stages[(data[0] >> 2) & 3];
	if (!one_request(&n, text, sep ? (size_t)(sep - text) : len,
			 resp_size, max, finish) || !sep)
		return 0;
	n.stage = KTI_STAGE_OPERATIONAL;
	one_request(&n, sep + 1, len - (sep + 1 - text), resp_size, max,
		    finish);
	return 0;
}
