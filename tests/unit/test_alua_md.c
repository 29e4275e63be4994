// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the ALUA metadata files (core/wire/alua_md.c): the text
 * of a target port group's and a LUN port's file byte for byte as LIO
 * writes it, cut at every length, read back, and the files the parsers
 * must refuse.
 */
#include <ktarget/alua.h>
#include "test.h"

static char buf[KT_ALUA_MD_MAX];

static void tpg_encode(void)
{
	static const char want[] = "tg_pt_gp_id=17\nalua_access_state=0x01\nalua_access_status=0x01\n";
	struct kt_alua_md_tpg m = { .id = 17, .state = KT_ALUA_AN,
				    .status = KT_ALUA_STATUS_EXPLICIT };
	u32 n = kt_alua_md_encode_tpg(&m, buf, sizeof(buf));

	CHECK_EQ(n, sizeof(want) - 1);
	CHECK(!memcmp(buf, want, n));
}

static void tpg_encode_extremes(void)
{
	static const char want[] = "tg_pt_gp_id=65535\nalua_access_state=0x0e\nalua_access_status=0x02\n";
	struct kt_alua_md_tpg m = { .id = 65535, .state = KT_ALUA_OFFLINE,
				    .status = KT_ALUA_STATUS_IMPLICIT };
	u32 n = kt_alua_md_encode_tpg(&m, buf, sizeof(buf));

	CHECK_EQ(n, sizeof(want) - 1);
	CHECK(!memcmp(buf, want, n));
	m.id = 0;
	m.state = KT_ALUA_TRANSITIONING;
	n = kt_alua_md_encode_tpg(&m, buf, sizeof(buf));
	CHECK(!memcmp(buf, "tg_pt_gp_id=0\nalua_access_state=0x0f\n", 37));
}

/* a short buffer gets a prefix and the whole length, no byte beyond */
static void encode_cut(void)
{
	struct kt_alua_md_tpg m = { .id = 300, .state = KT_ALUA_STANDBY };
	struct kt_alua_md_lun l = { .offline = true, .status = 2 };
	char full[KT_ALUA_MD_MAX];
	u32 n = kt_alua_md_encode_tpg(&m, full, sizeof(full)), cap;

	for (cap = 0; cap <= n; cap++) {
		memset(buf, '#', sizeof(buf));
		CHECK_EQ(kt_alua_md_encode_tpg(&m, buf, cap), n);
		CHECK(!memcmp(buf, full, cap));
		CHECK_EQ(buf[cap], '#');
	}
	n = kt_alua_md_encode_lun(&l, full, sizeof(full));
	for (cap = 0; cap <= n; cap++) {
		memset(buf, '#', sizeof(buf));
		CHECK_EQ(kt_alua_md_encode_lun(&l, buf, cap), n);
		CHECK(!memcmp(buf, full, cap));
		CHECK_EQ(buf[cap], '#');
	}
}

static void lun_encode(void)
{
	static const char want[] = "alua_tg_pt_offline=1\nalua_tg_pt_status=0x02\n";
	struct kt_alua_md_lun m = { .offline = true,
				    .status = KT_ALUA_STATUS_IMPLICIT };
	u32 n = kt_alua_md_encode_lun(&m, buf, sizeof(buf));

	CHECK_EQ(n, sizeof(want) - 1);
	CHECK(!memcmp(buf, want, n));
	m.offline = false;
	m.status = 0;
	n = kt_alua_md_encode_lun(&m, buf, sizeof(buf));
	CHECK_EQ(n, 44);
	CHECK(!memcmp(buf, "alua_tg_pt_offline=0\nalua_tg_pt_status=0x00\n", n));
}

/* every state a group may be in, every status, ids across the range */
static void tpg_roundtrip(void)
{
	static const u8 states[] = { 0, 1, 2, 3, 0xe, 0xf };
	static const u16 ids[] = { 0, 1, 9, 10, 255, 4096, 65535 };
	struct kt_alua_md_tpg m, back;
	u32 i, j, st, n;

	for (i = 0; i < ARRAY_SIZE(states); i++)
		for (j = 0; j < ARRAY_SIZE(ids); j++)
			for (st = 0; st <= 2; st++) {
				m = (struct kt_alua_md_tpg){ ids[j], states[i],
							     st };
				n = kt_alua_md_encode_tpg(&m, buf, sizeof(buf));
				CHECK(n <= sizeof(buf));
				memset(&back, 0xff, sizeof(back));
				CHECK_EQ(kt_alua_md_parse_tpg(buf, n, &back), 0);
				CHECK_EQ(back.id, m.id);
				CHECK_EQ(back.state, m.state);
				CHECK_EQ(back.status, m.status);
			}
}

static void lun_roundtrip(void)
{
	struct kt_alua_md_lun m, back;
	u32 off, st, n;

	for (off = 0; off <= 1; off++)
		for (st = 0; st <= 2; st++) {
			m = (struct kt_alua_md_lun){ off, st };
			n = kt_alua_md_encode_lun(&m, buf, sizeof(buf));
			CHECK_EQ(kt_alua_md_parse_lun(buf, n, &back), 0);
			CHECK_EQ(back.offline, m.offline);
			CHECK_EQ(back.status, m.status);
		}
}

static int parse_tpg(const char *s, struct kt_alua_md_tpg *m)
{
	return kt_alua_md_parse_tpg(s, strlen(s), m);
}

/* order free, decimal or hex, last newline optional */
static void tpg_parse_forms(void)
{
	struct kt_alua_md_tpg m;

	CHECK_EQ(parse_tpg("alua_access_status=2\nalua_access_state=14\ntg_pt_gp_id=0x10", &m), 0);
	CHECK_EQ(m.id, 16);
	CHECK_EQ(m.state, KT_ALUA_OFFLINE);
	CHECK_EQ(m.status, 2);
	CHECK_EQ(parse_tpg("tg_pt_gp_id=3\nalua_access_state=0X0F\nalua_access_status=0x0\n", &m), 0);
	CHECK_EQ(m.state, KT_ALUA_TRANSITIONING);
}

static void tpg_parse_refused(void)
{
	static const char *const bad[] = {
		"",
		"\n",
		"tg_pt_gp_id=1\nalua_access_state=0x00\n",	/* no status */
		"tg_pt_gp_id=1\nalua_access_state=0x00\nalua_access_status=0x00\ntg_pt_gp_id=1\n",
		"tg_pt_gp_id=1\nalua_access_state=0x00\nalua_access_status=0x00\nfoo=1\n",
		"tg_pt_gp_id=1\nalua_access_state=0x00\n\nalua_access_status=0x00\n",
		"tg_pt_gp_id=1\nalua_access_state=0x04\nalua_access_status=0x00\n",
		"tg_pt_gp_id=1\nalua_access_state=0x05\nalua_access_status=0x00\n",
		"tg_pt_gp_id=1\nalua_access_state=0x\nalua_access_status=0x00\n",
		"tg_pt_gp_id=\nalua_access_state=0\nalua_access_status=0\n",
		"tg_pt_gp_id=-1\nalua_access_state=0\nalua_access_status=0\n",
		"tg_pt_gp_id=1 \nalua_access_state=0\nalua_access_status=0\n",
		"tg_pt_gp_id=1\nalua_access_state=0\nalua_access_status=0x0g\n",
		"tg_pt_gp_id=1\nalua_access_state=0\nalua_access_status\n",
		"tg_pt_gp_id=1\nALUA_ACCESS_STATE=0\nalua_access_status=0\n",
	};
	static const char *const range[] = {
		"tg_pt_gp_id=65536\nalua_access_state=0\nalua_access_status=0\n",
		"tg_pt_gp_id=1\nalua_access_state=0x10\nalua_access_status=0\n",
		"tg_pt_gp_id=1\nalua_access_state=0\nalua_access_status=3\n",
		"tg_pt_gp_id=99999999\nalua_access_state=0\nalua_access_status=0\n",
	};
	struct kt_alua_md_tpg m;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (parse_tpg(bad[i], &m) != -EINVAL) {
			FAIL("bad[%u] not refused", i);
			return;
		}
	for (i = 0; i < ARRAY_SIZE(range); i++)
		if (parse_tpg(range[i], &m) != -ERANGE) {
			FAIL("range[%u] not -ERANGE", i);
			return;
		}
	/* nine digits are too many whatever their value */
	CHECK_EQ(parse_tpg("tg_pt_gp_id=000000001\nalua_access_state=0\nalua_access_status=0\n", &m), -EINVAL);
}

static void lun_parse_refused(void)
{
	struct kt_alua_md_lun m;

	CHECK_EQ(kt_alua_md_parse_lun("alua_tg_pt_offline=2\nalua_tg_pt_status=0\n", 41, &m), -ERANGE);
	CHECK_EQ(kt_alua_md_parse_lun("alua_tg_pt_offline=1\n", 21, &m), -EINVAL);
	CHECK_EQ(kt_alua_md_parse_lun("alua_tg_pt_offline=1\nalua_tg_pt_status=0x03\n", 44, &m), -ERANGE);
	/* the text stops at @len: a file cut short lacks its status */
	CHECK_EQ(kt_alua_md_parse_lun("alua_tg_pt_offline=1\nalua_tg_pt_status=0x01\n", 30, &m), -EINVAL);
	CHECK_EQ(kt_alua_md_parse_lun("alua_tg_pt_offline=1\nalua_tg_pt_status=0x01\n", 44, &m), 0);
	CHECK_EQ(m.offline, true);
	CHECK_EQ(m.status, 1);
}

static const struct kt_test tests[] = {
	KT_TEST(tpg_encode),
	KT_TEST(tpg_encode_extremes),
	KT_TEST(encode_cut),
	KT_TEST(lun_encode),
	KT_TEST(tpg_roundtrip),
	KT_TEST(lun_roundtrip),
	KT_TEST(tpg_parse_forms),
	KT_TEST(tpg_parse_refused),
	KT_TEST(lun_parse_refused),
};

int main(void)
{
	return kt_test_run("alua_md", tests, ARRAY_SIZE(tests));
}
