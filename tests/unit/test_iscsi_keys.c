// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for fabrics/iscsi/wire/keys.c: the param/ key table and its
 * validation, key=value parsing of login/text data segments, and the
 * target side of the negotiation (RFC 7143 sections 6 and 13).
 *
 * Requests and expected responses are written as C literals with the
 * NUL separators inside: "HeaderDigest=None\0DataDigest=None\0".
 */
#include "test.h"
#include "keys.h"

#define MAX_KVS		64

static char cfg[KTI_KEY__COUNT][KTI_VAL_LEN];
static char text[16384];
static struct kti_kv kvs[MAX_KVS];
static unsigned int nkv;
static char resp[4096];
static u32 resp_len;

static void cfg_defaults(void)
{
	int k;

	for (k = 0; k < KTI_KEY__COUNT; k++)
		strcpy(cfg[k], kti_key_default(k));
}

/* parse a literal (with its embedded NULs) into kvs[] */
static int parse(const char *lit, u32 len)
{
	memcpy(text, lit, len);
	return kti_text_parse(text, len, kvs, MAX_KVS, &nkv);
}

#define PARSE(lit)	parse(lit, sizeof(lit) - 1)

/* one request through kti_neg_keys(); the response starts empty */
static int neg(struct kti_neg *n, const char *lit, u32 len)
{
	int ret = parse(lit, len);

	if (ret) {
		FAIL("test request does not parse: %s",
		     kti_text_strerror(ret));
		return -1000;
	}
	resp_len = 0;
	return kti_neg_keys(n, kvs, nkv, resp, sizeof(resp), &resp_len);
}

#define NEG(n, lit)	neg(n, lit, sizeof(lit) - 1)

/* printable form of a NUL-separated buffer, for failure messages */
static const char *show(const char *s, u32 len, int slot)
{
	static char out[2][1024];
	u32 i;

	for (i = 0; i < len && i < sizeof(out[0]) - 1; i++)
		out[slot][i] = s[i] ? s[i] : '|';
	out[slot][i] = 0;
	return out[slot];
}

/* the response is exactly @want; a FAIL message shows both if not */
static bool resp_is(const char *want, u32 len)
{
	if (resp_len == len && !memcmp(resp, want, len))
		return true;
	FAIL("response \"%s\", want \"%s\"", show(resp, resp_len, 0),
	     show(want, len, 1));
	return false;
}

#define CHECK_RESP(lit)	CHECK(resp_is(lit, sizeof(lit) - 1))

static void start(struct kti_neg *n, bool discovery, bool leading)
{
	kti_neg_init(n, cfg, discovery, leading);
	n->stage = KTI_STAGE_OPERATIONAL;
}

/* ---- the key table ---- */

static void table_order_names_defaults(void)
{
	static const char *const want[][2] = {
		{ "AuthMethod", "CHAP,None" },
		{ "HeaderDigest", "CRC32C,None" },
		{ "DataDigest", "CRC32C,None" },
		{ "MaxConnections", "1" },
		{ "TargetAlias", "LIO Target" },
		{ "InitialR2T", "Yes" },
		{ "ImmediateData", "Yes" },
		{ "MaxRecvDataSegmentLength", "8192" },
		{ "MaxXmitDataSegmentLength", "262144" },
		{ "MaxBurstLength", "262144" },
		{ "FirstBurstLength", "65536" },
		{ "DefaultTime2Wait", "2" },
		{ "DefaultTime2Retain", "20" },
		{ "MaxOutstandingR2T", "1" },
		{ "DataPDUInOrder", "Yes" },
		{ "DataSequenceInOrder", "Yes" },
		{ "ErrorRecoveryLevel", "0" },
		{ "IFMarker", "No" },
		{ "OFMarker", "No" },
		{ "IFMarkInt", "Reject" },
		{ "OFMarkInt", "Reject" },
	};
	int k;

	CHECK_EQ(ARRAY_SIZE(want), KTI_KEY__COUNT);
	for (k = 0; k < KTI_KEY__COUNT; k++) {
		if (strcmp(kti_key_name(k), want[k][0]) ||
		    strcmp(kti_key_default(k), want[k][1])) {
			FAIL("key %d: %s=%s, want %s=%s", k, kti_key_name(k),
			     kti_key_default(k), want[k][0], want[k][1]);
			return;
		}
		CHECK_EQ(kti_key_find(want[k][0]), k);
		CHECK_EQ(kti_key_validate(k, kti_key_default(k)), 0);
		CHECK(kti_key_info(k));
	}
	CHECK_EQ(kti_key_find("maxburstlength"), -ENOENT);
	CHECK_EQ(kti_key_find(""), -ENOENT);
	CHECK_EQ(kti_key_find("TargetName"), -ENOENT);
	CHECK(!strcmp(kti_key_name(KTI_KEY__COUNT), ""));
	CHECK(!strcmp(kti_key_default(-1), ""));
	CHECK(!kti_key_info(KTI_KEY__COUNT));
	CHECK_EQ(kti_key_validate(KTI_KEY__COUNT, "1"), -EINVAL);
}

static void key_classes(void)
{
	static const char *const caller[] = {
		"TargetName", "InitiatorName", "SessionType", "InitiatorAlias",
		"TargetAddress", "TargetPortalGroupTag", "SendTargets",
		"AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R",
	};
	static const char *const unknown[] = {
		"MaxXmitDataSegmentLength", "X-com.example.key", "X#foo",
		"FooBar", "CHAP_X", "TaskReporting", "iSCSIProtocolLevel",
		"headerdigest",
	};
	size_t i;
	int k;

	for (i = 0; i < ARRAY_SIZE(caller); i++)
		CHECK_EQ(kti_key_class(caller[i]), KTI_KC_CALLER);
	for (i = 0; i < ARRAY_SIZE(unknown); i++)
		CHECK_EQ(kti_key_class(unknown[i]), KTI_KC_UNKNOWN);
	for (k = 0; k < KTI_KEY__COUNT; k++) {
		if (k == KTI_KEY_AUTH_METHOD || k == KTI_KEY_MAX_XMIT_DSL)
			continue;
		CHECK_EQ(kti_key_class(kti_key_name(k)), KTI_KC_NEG);
	}
}

struct vcase {
	enum kti_key k;
	const char *val;
	int ret;
};

static void validate_ranges(void)
{
	static char alias255[256], alias256[257];
	static const struct vcase t[] = {
		{ KTI_KEY_MAX_RECV_DSL, "511", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, "512", 0 },
		{ KTI_KEY_MAX_RECV_DSL, "16777215", 0 },
		{ KTI_KEY_MAX_RECV_DSL, "16777216", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, "0x200", 0 },
		{ KTI_KEY_MAX_RECV_DSL, "0X1000", 0 },
		{ KTI_KEY_MAX_RECV_DSL, "0x", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, "0512", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, "512 ", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, " 512", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, "-1", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, "", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, "99999999999999999999999", -EINVAL },
		{ KTI_KEY_MAX_RECV_DSL, "0x10000000000000200", -EINVAL },
		{ KTI_KEY_MAX_XMIT_DSL, "511", -EINVAL },
		{ KTI_KEY_MAX_XMIT_DSL, "1048576", 0 },
		{ KTI_KEY_MAX_BURST, "512", 0 },
		{ KTI_KEY_MAX_BURST, "16777216", -EINVAL },
		{ KTI_KEY_FIRST_BURST, "511", -EINVAL },
		{ KTI_KEY_T2W, "0", 0 },
		{ KTI_KEY_T2W, "3600", 0 },
		{ KTI_KEY_T2W, "3601", -EINVAL },
		{ KTI_KEY_T2R, "3601", -EINVAL },
		{ KTI_KEY_MAX_CONNECTIONS, "0", -EINVAL },
		{ KTI_KEY_MAX_CONNECTIONS, "1", 0 },
		{ KTI_KEY_MAX_CONNECTIONS, "65535", 0 },
		{ KTI_KEY_MAX_CONNECTIONS, "65536", -EINVAL },
		{ KTI_KEY_MAX_OUTSTANDING_R2T, "0", -EINVAL },
		{ KTI_KEY_MAX_OUTSTANDING_R2T, "65535", 0 },
		{ KTI_KEY_ERL, "2", 0 },
		{ KTI_KEY_ERL, "3", -EINVAL },
		{ KTI_KEY_HEADER_DIGEST, "None", 0 },
		{ KTI_KEY_HEADER_DIGEST, "CRC32C", 0 },
		{ KTI_KEY_HEADER_DIGEST, "None,CRC32C", 0 },
		{ KTI_KEY_DATA_DIGEST, "", -EINVAL },
		{ KTI_KEY_DATA_DIGEST, "CRC32C,", -EINVAL },
		{ KTI_KEY_DATA_DIGEST, ",None", -EINVAL },
		{ KTI_KEY_DATA_DIGEST, "MD5", -EINVAL },
		{ KTI_KEY_DATA_DIGEST, "CRC32C,Foo", -EINVAL },
		{ KTI_KEY_DATA_DIGEST, "crc32c", -EINVAL },
		{ KTI_KEY_AUTH_METHOD, "CHAP", 0 },
		{ KTI_KEY_AUTH_METHOD, "None", 0 },
		{ KTI_KEY_AUTH_METHOD, "KRB5", -EINVAL },
		{ KTI_KEY_AUTH_METHOD, "CHAP,SRP", -EINVAL },
		{ KTI_KEY_INITIAL_R2T, "No", 0 },
		{ KTI_KEY_INITIAL_R2T, "yes", -EINVAL },
		{ KTI_KEY_IMMEDIATE_DATA, "Yes\n", -EINVAL },
		{ KTI_KEY_DATA_PDU_IN_ORDER, "1", -EINVAL },
		{ KTI_KEY_DATA_SEQ_IN_ORDER, "No", 0 },
		{ KTI_KEY_TARGET_ALIAS, "", 0 },
		{ KTI_KEY_TARGET_ALIAS, "caf\xc3\xa9 target", 0 },
		{ KTI_KEY_TARGET_ALIAS, "bad \xff", -EINVAL },
		{ KTI_KEY_TARGET_ALIAS, "overlong \xc0\x80", -EINVAL },
		{ KTI_KEY_IF_MARKER, "No", 0 },
		{ KTI_KEY_OF_MARKER, "Reject", 0 },
		{ KTI_KEY_OF_MARKER, "Yes", -EINVAL },
		{ KTI_KEY_IF_MARK_INT, "Reject", 0 },
		{ KTI_KEY_OF_MARK_INT, "No", -EINVAL },
		{ KTI_KEY_OF_MARK_INT, "2048~65535", -EINVAL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (kti_key_validate(t[i].k, t[i].val) != t[i].ret) {
			FAIL("%s=\"%s\": %d, want %d", kti_key_name(t[i].k),
			     t[i].val, kti_key_validate(t[i].k, t[i].val),
			     t[i].ret);
			return;
		}
	}
	memset(alias255, 'a', 255);
	memset(alias256, 'a', 256);
	CHECK_EQ(kti_key_validate(KTI_KEY_TARGET_ALIAS, alias255), 0);
	CHECK_EQ(kti_key_validate(KTI_KEY_TARGET_ALIAS, alias256), -EINVAL);
}

/* ---- text parsing ---- */

static void parse_good(void)
{
	CHECK_EQ(PARSE("InitiatorName=iqn.1994-05.com.redhat:x\0"
		       "SessionType=Normal\0CHAP_R=0bAA==\0Empty=\0"), 0);
	CHECK_EQ(nkv, 4);
	CHECK(!strcmp(kvs[0].key, "InitiatorName"));
	CHECK(!strcmp(kvs[0].val, "iqn.1994-05.com.redhat:x"));
	CHECK(!strcmp(kvs[1].val, "Normal"));
	CHECK(!strcmp(kvs[2].key, "CHAP_R"));
	CHECK(!strcmp(kvs[2].val, "0bAA=="));	/* split at the first '=' */
	CHECK(!strcmp(kvs[3].key, "Empty"));
	CHECK(!strcmp(kvs[3].val, ""));
	CHECK(!strcmp(kti_kv_get(kvs, nkv, "SessionType"), "Normal"));
	CHECK(!kti_kv_get(kvs, nkv, "TargetName"));
	CHECK(!kti_kv_get(kvs, 1, "SessionType"));
	/* private and public extension keys, UTF-8 values */
	CHECK_EQ(PARSE("X-com.example.k+1@x_y=1\0X#ieee=2\0"
		       "InitiatorAlias=h\xc3\xb4te \xe2\x82\xac \xf0\x9f\x92\xbe\0"),
		 0);
	CHECK_EQ(nkv, 3);
}

static void parse_empty_and_padding(void)
{
	CHECK_EQ(kti_text_parse(text, 0, kvs, MAX_KVS, &nkv), 0);
	CHECK_EQ(nkv, 0);
	CHECK_EQ(PARSE("\0"), 0);
	CHECK_EQ(nkv, 0);
	CHECK_EQ(PARSE("\0\0\0\0"), 0);
	CHECK_EQ(nkv, 0);
	CHECK_EQ(PARSE("A=1\0\0\0"), 0);
	CHECK_EQ(nkv, 1);
	CHECK(!strcmp(kvs[0].val, "1"));
}

struct pcase {
	const char *text;
	u32 len;
	int err;
};

#define P(lit, err)	{ lit, sizeof(lit) - 1, err }

static void parse_malformed(void)
{
	static const struct pcase t[] = {
		P("NoEquals\0", KTI_TEXT_E_NO_EQUALS),
		P("A=1\0\0B=2\0", KTI_TEXT_E_NO_EQUALS),	/* empty pair */
		P("A=1\0B\0", KTI_TEXT_E_NO_EQUALS),
		P("=value\0", KTI_TEXT_E_EMPTY_KEY),
		P("=\0", KTI_TEXT_E_EMPTY_KEY),
		P("lower=1\0", KTI_TEXT_E_KEY_CHARS),
		P("Has space=1\0", KTI_TEXT_E_KEY_CHARS),
		P("Key:x=1\0", KTI_TEXT_E_KEY_CHARS),
		P("1Key=1\0", KTI_TEXT_E_KEY_CHARS),
		P("K\xc3\xa9y=1\0", KTI_TEXT_E_KEY_CHARS),
		P("A=1", KTI_TEXT_E_UNTERMINATED),
		P("A=1\0B=2", KTI_TEXT_E_UNTERMINATED),
		P("A=\xff\0", KTI_TEXT_E_UTF8),
		P("A=\xc0\x80\0", KTI_TEXT_E_UTF8),		/* overlong NUL */
		P("A=\xe0\x80\xaf\0", KTI_TEXT_E_UTF8),	/* overlong '/' */
		P("A=\xed\xa0\x80\0", KTI_TEXT_E_UTF8),	/* surrogate */
		P("A=\xf4\x90\x80\x80\0", KTI_TEXT_E_UTF8),	/* > U+10FFFF */
		P("A=\xe2\x82\0", KTI_TEXT_E_UTF8),		/* truncated */
		P("A=\x80\0", KTI_TEXT_E_UTF8),		/* continuation */
		P("A=\xf8\x88\x80\x80\x80\0", KTI_TEXT_E_UTF8),
		P("A=1\0A=2\0", KTI_TEXT_E_DUPLICATE),
		P("A=1\0B=2\0A=1\0", KTI_TEXT_E_DUPLICATE),
	};
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ret = parse(t[i].text, t[i].len);
		if (ret != t[i].err || nkv) {
			FAIL("\"%s\": %d (%s), %u pairs, want %d",
			     show(t[i].text, t[i].len, 0), ret,
			     kti_text_strerror(ret), nkv, t[i].err);
			return;
		}
	}
}

static void parse_lengths(void)
{
	char key[70], *p;
	u32 len;

	/* key of 63 bytes is fine, 64 is not */
	memset(key, 'K', sizeof(key));
	memcpy(text, key, 63);
	memcpy(text + 63, "=1", 3);
	CHECK_EQ(kti_text_parse(text, 66, kvs, MAX_KVS, &nkv), 0);
	memcpy(text, key, 64);
	memcpy(text + 64, "=1", 3);
	CHECK_EQ(kti_text_parse(text, 67, kvs, MAX_KVS, &nkv),
		 KTI_TEXT_E_KEY_TOO_LONG);

	/* value of 8192 bytes is fine, 8193 is not */
	p = text;
	memcpy(p, "CHAP_C=", 7);
	memset(p + 7, 'a', 8192);
	p[7 + 8192] = 0;
	len = 7 + 8192 + 1;
	CHECK_EQ(kti_text_parse(text, len, kvs, MAX_KVS, &nkv), 0);
	CHECK_EQ(strlen(kvs[0].val), 8192);
	memcpy(p, "CHAP_C=", 7);
	memset(p + 7, 'a', 8193);
	p[7 + 8193] = 0;
	len = 7 + 8193 + 1;
	CHECK_EQ(kti_text_parse(text, len, kvs, MAX_KVS, &nkv),
		 KTI_TEXT_E_VALUE_TOO_LONG);
}

static void parse_too_many(void)
{
	char *p = text;
	unsigned int i;

	CHECK_EQ(PARSE("A=1\0B=2\0"), 0);
	memcpy(text, "A=1\0B=2\0C=3\0", 12);
	CHECK_EQ(kti_text_parse(text, 12, kvs, 2, &nkv), KTI_TEXT_E_TOO_MANY);
	CHECK_EQ(nkv, 0);
	memcpy(text, "A=1\0", 4);
	CHECK_EQ(kti_text_parse(text, 4, kvs, 0, &nkv), KTI_TEXT_E_TOO_MANY);
	/* a huge key count is refused at the first pair over the limit */
	for (i = 0; i < 2000; i++)
		p += sprintf(p, "K%u=v", i) + 1;
	CHECK_EQ(kti_text_parse(text, p - text, kvs, MAX_KVS, &nkv),
		 KTI_TEXT_E_TOO_MANY);
}

static void text_strerror(void)
{
	int e;

	for (e = 0; e < KTI_TEXT_E__COUNT; e++)
		CHECK(kti_text_strerror(e) && *kti_text_strerror(e));
	CHECK(!strcmp(kti_text_strerror(-1), "unknown error"));
	CHECK(!strcmp(kti_text_strerror(KTI_TEXT_E__COUNT), "unknown error"));
}

static void text_append(void)
{
	char buf[16];
	u32 len = 0;

	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(kti_text_append(buf, sizeof(buf), &len, "Ab", "cd"), 0);
	CHECK_EQ(len, 6);
	CHECK_MEM(buf, "Ab=cd\0", 6);
	/* exactly fits: 10 more bytes */
	CHECK_EQ(kti_text_append(buf, sizeof(buf), &len, "Key", "Value"), 0);
	CHECK_EQ(len, 16);
	CHECK_EQ(kti_text_append(buf, sizeof(buf), &len, "K", ""), -ENOSPC);
	CHECK_EQ(len, 16);
	len = 10;
	CHECK_EQ(kti_text_append(buf, sizeof(buf), &len, "Abc", "de"),
		 -ENOSPC);
	CHECK_EQ(len, 10);
	CHECK_EQ(buf[10], 'V');	/* untouched */
	len = 20;		/* a bogus length never writes */
	CHECK_EQ(kti_text_append(buf, sizeof(buf), &len, "A", "b"), -ENOSPC);
}

static void utf8(void)
{
	CHECK(kti_utf8_valid("", 0));
	CHECK(kti_utf8_valid("\xf4\x8f\xbf\xbf", 4));	/* U+10FFFF */
	CHECK(kti_utf8_valid("\xef\xbf\xbf", 3));	/* U+FFFF */
	CHECK(kti_utf8_valid("\xc2\x80", 2));
	CHECK(!kti_utf8_valid("\xc1\xbf", 2));
	CHECK(!kti_utf8_valid("\xc2\x80", 1));
	CHECK(!kti_utf8_valid("\xf0\x8f\xbf\xbf", 4));	/* overlong */
}

/* ---- negotiation ---- */

static void params_default(void)
{
	struct kti_sess_params p;

	memset(&p, 0x5a, sizeof(p));
	kti_sess_params_default(&p);
	CHECK(!p.header_digest && !p.data_digest);
	CHECK_EQ(p.max_connections, 1);
	CHECK(p.initial_r2t && p.immediate_data);
	CHECK_EQ(p.max_recv_dsl, 8192);
	CHECK_EQ(p.max_xmit_dsl, 8192);
	CHECK_EQ(p.max_burst, 262144);
	CHECK_EQ(p.first_burst, 65536);
	CHECK_EQ(p.t2w, 2);
	CHECK_EQ(p.t2r, 20);
	CHECK_EQ(p.max_outstanding_r2t, 1);
	CHECK(p.data_pdu_in_order && p.data_seq_in_order);
	CHECK_EQ(p.erl, 0);
}

/* what open-iscsi sends in its operational stage */
static void neg_open_iscsi(void)
{
	struct kti_neg n;

	cfg_defaults();
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "HeaderDigest=None\0DataDigest=None\0"
		 "DefaultTime2Wait=2\0DefaultTime2Retain=0\0IFMarker=No\0"
		 "OFMarker=No\0ErrorRecoveryLevel=0\0InitialR2T=No\0"
		 "ImmediateData=Yes\0MaxBurstLength=16776192\0"
		 "FirstBurstLength=262144\0MaxOutstandingR2T=1\0"
		 "MaxConnections=1\0DataPDUInOrder=Yes\0"
		 "DataSequenceInOrder=Yes\0MaxRecvDataSegmentLength=262144\0"),
		 0);
	CHECK_RESP("HeaderDigest=None\0DataDigest=None\0"
		   "DefaultTime2Wait=2\0DefaultTime2Retain=0\0IFMarker=No\0"
		   "OFMarker=No\0ErrorRecoveryLevel=0\0InitialR2T=Yes\0"
		   "ImmediateData=Yes\0MaxBurstLength=262144\0"
		   "MaxOutstandingR2T=1\0MaxConnections=1\0"
		   "DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0"
		   "MaxRecvDataSegmentLength=8192\0FirstBurstLength=65536\0");
	CHECK(!n.p.header_digest && !n.p.data_digest);
	CHECK_EQ(n.p.t2r, 0);
	CHECK(n.p.initial_r2t && n.p.immediate_data);
	CHECK_EQ(n.p.max_burst, 262144);
	CHECK_EQ(n.p.first_burst, 65536);
	CHECK_EQ(n.p.max_recv_dsl, 8192);
	CHECK_EQ(n.p.max_xmit_dsl, 262144);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	CHECK_EQ(resp_len, 0);
}

static void neg_digests(void)
{
	struct kti_neg n;

	/* RFC example: "CRC32C,None" offered, "None" configured */
	cfg_defaults();
	strcpy(cfg[KTI_KEY_HEADER_DIGEST], "None");
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "HeaderDigest=CRC32C,None\0"
		 "DataDigest=CRC32C,None\0"), 0);
	CHECK_RESP("HeaderDigest=None\0DataDigest=CRC32C\0");
	CHECK(!n.p.header_digest);
	CHECK(n.p.data_digest);

	/* the initiator's order wins; unknown values are skipped */
	cfg_defaults();
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "HeaderDigest=None,CRC32C\0"
		 "DataDigest=MD5,,CRC32C\0"), 0);
	CHECK_RESP("HeaderDigest=None\0DataDigest=CRC32C\0");

	/* nothing in common: Reject, and the key may be offered again */
	strcpy(cfg[KTI_KEY_HEADER_DIGEST], "None");
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "HeaderDigest=CRC32C\0"), 0);
	CHECK_RESP("HeaderDigest=Reject\0");
	CHECK(!n.p.header_digest);
	CHECK_EQ(NEG(&n, "HeaderDigest=None\0"), 0);
	CHECK_RESP("HeaderDigest=None\0");
	/* settled now */
	CHECK_EQ(NEG(&n, "HeaderDigest=None\0"), -EPROTO);
	CHECK(!strcmp(n.bad_key, "HeaderDigest"));
}

static void neg_booleans(void)
{
	static const struct {
		enum kti_key k;
		const char *ours, *theirs, *want;
	} t[] = {
		/* InitialR2T: OR */
		{ KTI_KEY_INITIAL_R2T, "No", "No", "No" },
		{ KTI_KEY_INITIAL_R2T, "Yes", "No", "Yes" },
		{ KTI_KEY_INITIAL_R2T, "No", "Yes", "Yes" },
		/* ImmediateData: AND */
		{ KTI_KEY_IMMEDIATE_DATA, "No", "Yes", "No" },
		{ KTI_KEY_IMMEDIATE_DATA, "Yes", "No", "No" },
		{ KTI_KEY_IMMEDIATE_DATA, "Yes", "Yes", "Yes" },
		{ KTI_KEY_DATA_PDU_IN_ORDER, "No", "No", "No" },
		{ KTI_KEY_DATA_PDU_IN_ORDER, "Yes", "No", "Yes" },
		{ KTI_KEY_DATA_SEQ_IN_ORDER, "No", "Yes", "Yes" },
		{ KTI_KEY_DATA_SEQ_IN_ORDER, "No", "yes", "Reject" },
		{ KTI_KEY_INITIAL_R2T, "No", "", "Reject" },
	};
	char req[64], want[64];
	struct kti_neg n;
	size_t i;
	int len;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		cfg_defaults();
		strcpy(cfg[t[i].k], t[i].ours);
		start(&n, false, true);
		len = sprintf(req, "%s=%s", kti_key_name(t[i].k),
			      t[i].theirs) + 1;
		resp_len = 0;
		CHECK_EQ(neg(&n, req, len), 0);
		len = sprintf(want, "%s=%s", kti_key_name(t[i].k),
			      t[i].want) + 1;
		if (resp_len != (u32)len || memcmp(resp, want, len)) {
			FAIL("%s ours %s: \"%s\", want \"%s\"", req,
			     t[i].ours, show(resp, resp_len, 0), want);
			return;
		}
	}
	/* the results */
	cfg_defaults();
	strcpy(cfg[KTI_KEY_IMMEDIATE_DATA], "No");
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "InitialR2T=No\0ImmediateData=Yes\0"
		 "DataPDUInOrder=No\0"), 0);
	CHECK(n.p.initial_r2t);
	CHECK(!n.p.immediate_data);
	CHECK(n.p.data_pdu_in_order);
	strcpy(cfg[KTI_KEY_INITIAL_R2T], "No");
	strcpy(cfg[KTI_KEY_DATA_PDU_IN_ORDER], "No");
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "InitialR2T=No\0DataPDUInOrder=No\0"), 0);
	CHECK(!n.p.initial_r2t);
	CHECK(!n.p.data_pdu_in_order);
}

static void neg_numbers(void)
{
	struct kti_neg n;

	cfg_defaults();
	strcpy(cfg[KTI_KEY_ERL], "2");
	strcpy(cfg[KTI_KEY_MAX_CONNECTIONS], "8");
	strcpy(cfg[KTI_KEY_MAX_OUTSTANDING_R2T], "16");
	start(&n, false, true);
	/* minimum: MaxBurstLength (RFC example), ERL, MaxConnections... */
	CHECK_EQ(NEG(&n, "MaxBurstLength=65536\0ErrorRecoveryLevel=1\0"
		 "MaxConnections=4\0MaxOutstandingR2T=0x20\0"
		 "DefaultTime2Retain=3600\0DefaultTime2Wait=1\0"), 0);
	CHECK_RESP("MaxBurstLength=65536\0ErrorRecoveryLevel=1\0"
		   "MaxConnections=4\0MaxOutstandingR2T=16\0"
		   "DefaultTime2Retain=20\0DefaultTime2Wait=2\0");
	CHECK_EQ(n.p.max_burst, 65536);
	CHECK_EQ(n.p.erl, 1);
	CHECK_EQ(n.p.max_connections, 4);
	CHECK_EQ(n.p.max_outstanding_r2t, 16);
	CHECK_EQ(n.p.t2r, 20);
	CHECK_EQ(n.p.t2w, 2);
	/* maximum: DefaultTime2Wait */
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "DefaultTime2Wait=10\0ErrorRecoveryLevel=2\0"), 0);
	CHECK_RESP("DefaultTime2Wait=10\0ErrorRecoveryLevel=2\0");
	CHECK_EQ(n.p.t2w, 10);
	CHECK_EQ(n.p.erl, 2);
}

static void neg_out_of_range_reject(void)
{
	struct kti_neg n;

	cfg_defaults();
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "MaxBurstLength=511\0FirstBurstLength=16777216\0"
		 "MaxConnections=0\0ErrorRecoveryLevel=3\0"
		 "DefaultTime2Wait=3601\0MaxOutstandingR2T=abc\0"
		 "DefaultTime2Retain=\0IFMarker=Maybe\0"), 0);
	CHECK_RESP("MaxBurstLength=Reject\0MaxConnections=Reject\0"
		   "ErrorRecoveryLevel=Reject\0DefaultTime2Wait=Reject\0"
		   "MaxOutstandingR2T=Reject\0DefaultTime2Retain=Reject\0"
		   "IFMarker=Reject\0FirstBurstLength=Reject\0");
	/* the defaults stand */
	CHECK_EQ(n.p.max_burst, 262144);
	CHECK_EQ(n.p.max_xmit_dsl, 8192);
	CHECK_EQ(n.p.erl, 0);
	/* rejected keys may come again with good values */
	CHECK_EQ(NEG(&n, "MaxBurstLength=1024\0"), 0);
	CHECK_RESP("MaxBurstLength=1024\0");
}

static void neg_max_recv_dsl(void)
{
	struct kti_neg n;

	cfg_defaults();
	strcpy(cfg[KTI_KEY_MAX_RECV_DSL], "65536");
	start(&n, false, true);
	CHECK_EQ(n.p.max_xmit_dsl, 8192);
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=1048576\0"), 0);
	/* declarative: no echo, but ours is declared */
	CHECK_RESP("MaxRecvDataSegmentLength=65536\0");
	CHECK_EQ(n.p.max_xmit_dsl, 262144);	/* MaxXmitDataSegmentLength */
	CHECK_EQ(n.p.max_recv_dsl, 65536);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	CHECK_EQ(resp_len, 0);			/* declared once only */

	start(&n, false, true);
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=0x1000\0"), 0);
	CHECK_EQ(n.p.max_xmit_dsl, 4096);
	/* a declaration out of range ends the login */
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=511\0"), -EINVAL);
	CHECK(!strcmp(n.bad_key, "MaxRecvDataSegmentLength"));
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=16777216\0"), -EINVAL);
	/* not sent by the initiator: finish declares ours */
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "InitialR2T=Yes\0"), 0);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	CHECK_RESP("MaxRecvDataSegmentLength=65536\0");
	CHECK_EQ(n.p.max_xmit_dsl, 8192);
	/* our MaxXmitDataSegmentLength caps even the default */
	strcpy(cfg[KTI_KEY_MAX_XMIT_DSL], "4096");
	start(&n, false, true);
	CHECK_EQ(n.p.max_xmit_dsl, 4096);
}

static void neg_markers(void)
{
	struct kti_neg n;

	cfg_defaults();
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "IFMarker=Yes\0OFMarker=No\0"
		 "IFMarkInt=2048~65535\0OFMarkInt=1~65535\0"), 0);
	CHECK_RESP("IFMarker=No\0OFMarker=No\0IFMarkInt=Reject\0"
		   "OFMarkInt=Reject\0");
	strcpy(cfg[KTI_KEY_OF_MARKER], "Reject");
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "OFMarker=Yes\0"), 0);
	CHECK_RESP("OFMarker=Reject\0");
}

static void neg_first_burst(void)
{
	struct kti_neg n;

	cfg_defaults();
	strcpy(cfg[KTI_KEY_IMMEDIATE_DATA], "No");
	start(&n, false, true);
	/* irrelevant with InitialR2T=Yes and ImmediateData=No, even first */
	CHECK_EQ(NEG(&n, "FirstBurstLength=8192\0InitialR2T=Yes\0"
		 "ImmediateData=Yes\0"), 0);
	CHECK_RESP("InitialR2T=Yes\0ImmediateData=No\0"
		   "FirstBurstLength=Irrelevant\0");
	CHECK_EQ(n.p.first_burst, 65536);

	/* kept within MaxBurstLength */
	cfg_defaults();
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "FirstBurstLength=65536\0MaxBurstLength=16384\0"),
		 0);
	CHECK_RESP("MaxBurstLength=16384\0FirstBurstLength=16384\0");
	CHECK_EQ(n.p.first_burst, 16384);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
}

static void neg_first_burst_over_max_burst(void)
{
	struct kti_neg n;

	cfg_defaults();
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "FirstBurstLength=65536\0"), 0);
	CHECK_RESP("FirstBurstLength=65536\0");
	CHECK_EQ(NEG(&n, "MaxBurstLength=16384\0"), 0);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), -EINVAL);
	CHECK(!strcmp(n.bad_key, "FirstBurstLength"));
}

static void neg_discovery_irrelevant(void)
{
	struct kti_neg n;

	cfg_defaults();
	start(&n, true, true);
	CHECK_EQ(NEG(&n, "SessionType=Discovery\0InitiatorName=iqn.x\0"
		 "HeaderDigest=CRC32C,None\0InitialR2T=No\0"
		 "ImmediateData=No\0MaxBurstLength=512\0"
		 "FirstBurstLength=512\0MaxConnections=2\0"
		 "MaxOutstandingR2T=2\0DataPDUInOrder=No\0"
		 "DataSequenceInOrder=No\0ErrorRecoveryLevel=1\0"
		 "DefaultTime2Wait=0\0DefaultTime2Retain=0\0OFMarker=No\0"
		 "MaxRecvDataSegmentLength=32768\0"), 0);
	CHECK_RESP("HeaderDigest=CRC32C\0InitialR2T=Irrelevant\0"
		   "ImmediateData=Irrelevant\0MaxBurstLength=Irrelevant\0"
		   "MaxConnections=Irrelevant\0MaxOutstandingR2T=Irrelevant\0"
		   "DataPDUInOrder=Irrelevant\0"
		   "DataSequenceInOrder=Irrelevant\0"
		   "ErrorRecoveryLevel=0\0"
		   "DefaultTime2Wait=2\0"
		   "DefaultTime2Retain=0\0OFMarker=No\0"
		   "MaxRecvDataSegmentLength=8192\0"
		   "FirstBurstLength=Irrelevant\0");
	CHECK(n.p.header_digest);
	CHECK(n.p.initial_r2t && n.p.immediate_data);
	CHECK_EQ(n.p.max_burst, 262144);
	CHECK_EQ(n.p.erl, 0);
	CHECK_EQ(n.p.max_xmit_dsl, 32768);
	/* irrelevant keys are settled too */
	CHECK_EQ(NEG(&n, "InitialR2T=No\0"), -EPROTO);
	start(&n, true, true);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	CHECK_RESP("MaxRecvDataSegmentLength=8192\0");
}

static void neg_not_understood(void)
{
	struct kti_neg n;

	cfg_defaults();
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "X-com.example.feature=1\0X#vendor=2\0FooBar=3\0"
		 "MaxXmitDataSegmentLength=1000\0TaskReporting=FastAbort\0"),
		 0);
	CHECK_RESP("X-com.example.feature=NotUnderstood\0"
		   "X#vendor=NotUnderstood\0FooBar=NotUnderstood\0"
		   "MaxXmitDataSegmentLength=NotUnderstood\0"
		   "TaskReporting=NotUnderstood\0");
	/* the caller's keys get no answer from kti_neg_keys() */
	CHECK_EQ(NEG(&n, "InitiatorName=iqn.x\0TargetName=iqn.y\0"
		 "SessionType=Normal\0InitiatorAlias=h\0AuthMethod=None\0"
		 "CHAP_A=5\0SendTargets=All\0TargetPortalGroupTag=1\0"
		 "TargetAddress=x\0"), 0);
	CHECK_EQ(resp_len, 0);
}

static void neg_security_stage(void)
{
	struct kti_neg n;

	cfg_defaults();
	kti_neg_init(&n, cfg, false, true);
	CHECK_EQ(n.stage, KTI_STAGE_SECURITY);
	CHECK_EQ(NEG(&n, "InitiatorName=iqn.x\0AuthMethod=CHAP,None\0"
		 "X-foo=1\0"), 0);
	CHECK_RESP("X-foo=NotUnderstood\0");
	CHECK_EQ(NEG(&n, "InitiatorName=iqn.x\0MaxBurstLength=512\0"),
		 -EPROTO);
	CHECK(!strcmp(n.bad_key, "MaxBurstLength"));
	/* finish in the security stage: is an operational stage needed? */
	kti_neg_init(&n, cfg, false, true);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	strcpy(cfg[KTI_KEY_MAX_RECV_DSL], "262144");
	kti_neg_init(&n, cfg, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	cfg_defaults();
	strcpy(cfg[KTI_KEY_IMMEDIATE_DATA], "No");
	kti_neg_init(&n, cfg, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(resp_len, 0);
}

static void neg_protocol_errors(void)
{
	struct kti_neg n;

	cfg_defaults();
	/* session-wide keys on a connection added to a session */
	start(&n, false, false);
	CHECK_EQ(NEG(&n, "HeaderDigest=None\0MaxRecvDataSegmentLength=512\0"),
		 0);
	CHECK_RESP("HeaderDigest=None\0MaxRecvDataSegmentLength=8192\0");
	CHECK_EQ(NEG(&n, "InitialR2T=Yes\0"), -EPROTO);
	CHECK(!strcmp(n.bad_key, "InitialR2T"));
	/* offered twice in one negotiation */
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "MaxBurstLength=65536\0"), 0);
	CHECK_EQ(NEG(&n, "MaxBurstLength=65536\0"), -EPROTO);
	CHECK(!strcmp(n.bad_key, "MaxBurstLength"));
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=65536\0"), 0);
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=65536\0"), -EPROTO);
	/* a key only targets send */
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "TargetAlias=evil\0"), -EPROTO);
	CHECK(!strcmp(n.bad_key, "TargetAlias"));
}

static void neg_full_feature_phase(void)
{
	struct kti_neg n;

	cfg_defaults();
	start(&n, false, true);
	n.stage = KTI_STAGE_FFP;
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=16384\0SendTargets=All\0"
		 "X-foo=1\0"), 0);
	CHECK_RESP("X-foo=NotUnderstood\0");
	CHECK_EQ(n.p.max_xmit_dsl, 16384);
	/* a later text negotiation may declare it again */
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=32768\0"), 0);
	CHECK_EQ(n.p.max_xmit_dsl, 32768);
	CHECK_EQ(NEG(&n, "InitialR2T=No\0"), -EPROTO);
	CHECK_EQ(NEG(&n, "HeaderDigest=None\0"), -EPROTO);
}

static void neg_response_too_small(void)
{
	static const char req[] = "HeaderDigest=None\0DataDigest=None\0";
	struct kti_neg n;
	char small[40];
	u32 len;

	cfg_defaults();
	CHECK_EQ(PARSE(req), 0);
	start(&n, false, true);
	len = 0;
	/* "HeaderDigest=None\0DataDigest=None\0" is 34 bytes */
	CHECK_EQ(kti_neg_keys(&n, kvs, nkv, small, 33, &len), -ENOSPC);
	CHECK(len <= 33);
	start(&n, false, true);
	len = 0;
	CHECK_EQ(kti_neg_keys(&n, kvs, nkv, small, 34, &len), 0);
	CHECK_EQ(len, 34);
	/* appended after what the caller already put there */
	start(&n, false, true);
	len = 10;
	CHECK_EQ(kti_neg_keys(&n, kvs, nkv, small, 40, &len), -ENOSPC);
	start(&n, false, true);
	len = 6;
	CHECK_EQ(kti_neg_keys(&n, kvs, nkv, small, 40, &len), 0);
	CHECK_EQ(len, 40);
	CHECK_MEM(small + 6, req, 34);
	/* finish's declaration does not fit either */
	len = 0;
	CHECK_EQ(kti_neg_finish(&n, small, 10, &len), -ENOSPC);
}

/* the target offers keys whose RFC default it cannot accept */
static void neg_target_offers_bool(void)
{
	struct kti_neg n;

	cfg_defaults();
	strcpy(cfg[KTI_KEY_IMMEDIATE_DATA], "No");
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "MaxRecvDataSegmentLength=8192\0"), 0);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_RESP("ImmediateData=No\0");
	CHECK(!n.p.immediate_data);
	/* the initiator answers (it need not: AND with No decides) */
	CHECK_EQ(NEG(&n, "ImmediateData=No\0"), 0);
	CHECK_EQ(resp_len, 0);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	CHECK_EQ(resp_len, 0);
	CHECK(!n.p.immediate_data);

	/* no answer: settled all the same */
	start(&n, false, true);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_RESP("MaxRecvDataSegmentLength=8192\0ImmediateData=No\0");
	CHECK_EQ(NEG(&n, ""), 0);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	CHECK(!n.p.immediate_data);

	/* a wrong answer */
	start(&n, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(NEG(&n, "ImmediateData=Yes\0"), -EPROTO);
}

static void neg_target_offers_numbers(void)
{
	struct kti_neg n;

	cfg_defaults();
	strcpy(cfg[KTI_KEY_MAX_BURST], "65536");
	start(&n, false, true);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_RESP("MaxRecvDataSegmentLength=8192\0MaxBurstLength=65536\0");
	CHECK_EQ(NEG(&n, "MaxBurstLength=32768\0"), 0);
	CHECK_EQ(resp_len, 0);
	CHECK_EQ(n.p.max_burst, 32768);
	/* FirstBurstLength's default no longer fits: offered in turn */
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_RESP("FirstBurstLength=32768\0");
	CHECK_EQ(NEG(&n, "FirstBurstLength=16384\0"), 0);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	CHECK_EQ(n.p.first_burst, 16384);

	/* an answer above our offer, a Reject, no answer */
	start(&n, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(NEG(&n, "MaxBurstLength=65537\0"), -EPROTO);
	start(&n, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(NEG(&n, "MaxBurstLength=Reject\0"), -EINVAL);
	start(&n, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(NEG(&n, ""), 0);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), -EPROTO);
	CHECK(!strcmp(n.bad_key, "MaxBurstLength"));

	/* DefaultTime2Wait is a maximum: offered when ours is larger */
	cfg_defaults();
	strcpy(cfg[KTI_KEY_T2W], "5");
	strcpy(cfg[KTI_KEY_T2R], "10");
	start(&n, false, true);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_RESP("MaxRecvDataSegmentLength=8192\0DefaultTime2Wait=5\0"
		   "DefaultTime2Retain=10\0");
	CHECK_EQ(NEG(&n, "DefaultTime2Wait=4\0"), -EPROTO);
	start(&n, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(NEG(&n, "DefaultTime2Wait=7\0DefaultTime2Retain=0\0"), 0);
	CHECK_EQ(n.p.t2w, 7);
	CHECK_EQ(n.p.t2r, 0);
}

static void neg_target_offers_digest(void)
{
	struct kti_neg n;

	cfg_defaults();
	strcpy(cfg[KTI_KEY_HEADER_DIGEST], "CRC32C");
	/* a connection added to a session: digests are per connection */
	start(&n, false, false);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_RESP("MaxRecvDataSegmentLength=8192\0HeaderDigest=CRC32C\0");
	CHECK_EQ(NEG(&n, "HeaderDigest=CRC32C\0"), 0);
	CHECK(n.p.header_digest);
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);

	start(&n, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(NEG(&n, "HeaderDigest=None\0"), -EPROTO);
	start(&n, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(NEG(&n, "HeaderDigest=CRC32C,None\0"), -EPROTO);
	start(&n, false, true);
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 1);
	CHECK_EQ(NEG(&n, "HeaderDigest=Reject\0"), -EINVAL);
	/* we rejected its offer: no second HeaderDigest, the login fails */
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "HeaderDigest=None\0"), 0);
	CHECK_RESP("HeaderDigest=Reject\0");
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), -EINVAL);
	CHECK(!strcmp(n.bad_key, "HeaderDigest"));
	CHECK_RESP("HeaderDigest=Reject\0");
	/* unless it comes again with a value we take */
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "HeaderDigest=None\0"), 0);
	CHECK_EQ(NEG(&n, "HeaderDigest=CRC32C\0"), 0);
	CHECK_RESP("HeaderDigest=CRC32C\0");
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
	CHECK_RESP("MaxRecvDataSegmentLength=8192\0");
	/* offered by the initiator first: answered, nothing to offer */
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "HeaderDigest=None,CRC32C\0"), 0);
	CHECK_RESP("HeaderDigest=CRC32C\0");
	resp_len = 0;
	CHECK_EQ(kti_neg_finish(&n, resp, sizeof(resp), &resp_len), 0);
}

static void neg_bad_config_falls_back(void)
{
	struct kti_neg n;

	cfg_defaults();
	strcpy(cfg[KTI_KEY_MAX_BURST], "junk");
	strcpy(cfg[KTI_KEY_HEADER_DIGEST], "MD5");
	strcpy(cfg[KTI_KEY_INITIAL_R2T], "maybe");
	start(&n, false, true);
	CHECK_EQ(NEG(&n, "MaxBurstLength=1048576\0HeaderDigest=CRC32C\0"
		 "InitialR2T=No\0"), 0);
	CHECK_RESP("MaxBurstLength=262144\0HeaderDigest=CRC32C\0"
		   "InitialR2T=Yes\0");
}

static void authmethod(void)
{
	CHECK(!strcmp(kti_neg_authmethod("CHAP,None", true, true), "CHAP"));
	CHECK(!strcmp(kti_neg_authmethod("None,CHAP", true, true), "None"));
	CHECK(!strcmp(kti_neg_authmethod("CHAP,None", false, true), "None"));
	CHECK(!strcmp(kti_neg_authmethod("CHAP,None", true, false), "CHAP"));
	CHECK(!strcmp(kti_neg_authmethod("None", true, false), "Reject"));
	CHECK(!strcmp(kti_neg_authmethod("CHAP", false, true), "Reject"));
	CHECK(!strcmp(kti_neg_authmethod("KRB5,SRP,CHAP", true, false),
		      "CHAP"));
	CHECK(!strcmp(kti_neg_authmethod("", true, true), "Reject"));
	CHECK(!strcmp(kti_neg_authmethod(",,None", true, true), "None"));
	CHECK(!strcmp(kti_neg_authmethod("chap", true, true), "Reject"));
	CHECK(!strcmp(kti_neg_authmethod("CHAPX,None", true, false),
		      "Reject"));
}

static const struct kt_test tests[] = {
	KT_TEST(table_order_names_defaults),
	KT_TEST(key_classes),
	KT_TEST(validate_ranges),
	KT_TEST(parse_good),
	KT_TEST(parse_empty_and_padding),
	KT_TEST(parse_malformed),
	KT_TEST(parse_lengths),
	KT_TEST(parse_too_many),
	KT_TEST(text_strerror),
	KT_TEST(text_append),
	KT_TEST(utf8),
	KT_TEST(params_default),
	KT_TEST(neg_open_iscsi),
	KT_TEST(neg_digests),
	KT_TEST(neg_booleans),
	KT_TEST(neg_numbers),
	KT_TEST(neg_out_of_range_reject),
	KT_TEST(neg_max_recv_dsl),
	KT_TEST(neg_markers),
	KT_TEST(neg_first_burst),
	KT_TEST(neg_first_burst_over_max_burst),
	KT_TEST(neg_discovery_irrelevant),
	KT_TEST(neg_not_understood),
	KT_TEST(neg_security_stage),
	KT_TEST(neg_protocol_errors),
	KT_TEST(neg_full_feature_phase),
	KT_TEST(neg_response_too_small),
	KT_TEST(neg_target_offers_bool),
	KT_TEST(neg_target_offers_numbers),
	KT_TEST(neg_target_offers_digest),
	KT_TEST(neg_bad_config_falls_back),
	KT_TEST(authmethod),
};

int main(void)
{
	return kt_test_run("iscsi_keys", tests, ARRAY_SIZE(tests));
}
