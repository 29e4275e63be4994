// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the persistent reservation state machine (core/wire/pr.c)
 * against SPC-4: TransportIDs, every PR OUT service action with its error
 * paths, unit attentions, PRGENERATION, the PR IN data byte by byte and
 * the reservation conflict table.
 */
#include <stdlib.h>
#include <ktarget/pr.h>
#include "test.h"

/* Too large for a stack frame: one state for all the cases */
static struct kt_pr_state st;
static struct kt_pr_effects fx;
/* The logical unit is reachable through target ports 1 and 2 */
static const u16 ports[] = { 1, 2 };

#define NAME_A	"iqn.1994-05.com.example:a"
#define NAME_B	"iqn.1994-05.com.example:b"
#define NAME_C	"iqn.1994-05.com.example:c"
#define ISID_A	0x400001370000ULL
#define ISID_B	0x400001370001ULL
#define ISID_C	0x400001370002ULL

static struct kt_pr_nexus mk(const char *name, u64 isid, u16 rtpi)
{
	struct kt_pr_nexus n;

	memset(&n, 0, sizeof(n));
	if (kt_pr_tid_iscsi(&n.init, name, true, isid))
		abort();
	n.rtpi = rtpi;
	return n;
}

static struct kt_pr_nexus A, B, C, A2, B2;

static void reset(void)
{
	kt_pr_init(&st);
	st.enforce_isids = true;
	A = mk(NAME_A, ISID_A, 1);
	B = mk(NAME_B, ISID_B, 1);
	C = mk(NAME_C, ISID_C, 1);
	A2 = mk(NAME_A, ISID_A, 2);
	B2 = mk(NAME_B, ISID_B, 2);
}

static kt_status_t out_raw(const struct kt_pr_nexus *n, u8 sa, u8 scope,
			   u8 type, const u8 *p, u32 len)
{
	struct kt_pr_out_req r = {
		.nexus = n, .sa = sa, .scope = scope, .type = type,
		.param = p, .len = len, .ports = ports,
		.nports = ARRAY_SIZE(ports),
	};

	return kt_pr_out(&st, &r, &fx);
}

/* A basic 24-byte parameter list */
static void basic(u8 *p, u64 rk, u64 sark, u8 flags)
{
	memset(p, 0, 24);
	put_unaligned_be64(rk, p);
	put_unaligned_be64(sark, p + 8);
	p[20] = flags;
}

static kt_status_t out(const struct kt_pr_nexus *n, u8 sa, u8 type, u64 rk,
		       u64 sark, u8 flags)
{
	u8 p[24];

	basic(p, rk, sark, flags);
	return out_raw(n, sa, 0, type, p, sizeof(p));
}

static kt_status_t reg(const struct kt_pr_nexus *n, u64 key)
{
	return out(n, KT_PRO_REGISTER, 0, 0, key, 0);
}

/*
 * An iSCSI TransportID built by hand (not by the code under test):
 * format 01h when @isid is given.
 */
static u32 tid_iscsi(u8 *b, const char *name, const char *isid)
{
	char s[300];
	u32 n;

	snprintf(s, sizeof(s), "%s%s%s", name, isid ? ",i,0x" : "",
		 isid ? isid : "");
	n = 4 + strlen(s) + 1;
	n = (n + 3) & ~3u;
	if (n < 24)
		n = 24;
	memset(b, 0, n);
	b[0] = (isid ? 0x40 : 0x00) | 0x05;
	put_unaligned_be16(n - 4, b + 2);
	memcpy(b + 4, s, strlen(s));
	return n;
}

static u32 in(u8 sa, u8 *buf, u32 cap)
{
	u32 full = 0xdeadbeef;

	if (kt_pr_in(&st, sa, buf, cap, &full) != KT_OK)
		abort();
	return full;
}

#define CHECK_NO_UA() do {						\
	int _i;								\
	for (_i = 0; _i < KT_PR_MAX_REGS; _i++)				\
		CHECK_EQ(fx.ua[_i], 0);					\
} while (0)

/* ------------------------------------------------------------------ */
/* TransportIDs                                                       */
/* ------------------------------------------------------------------ */

static void tid_iscsi_formats(void)
{
	struct kt_pr_tid t;
	u8 b[64];
	u32 n, used;

	n = tid_iscsi(b, NAME_A, NULL);
	CHECK_EQ(n, 32);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_OK);
	CHECK_EQ(used, 32);
	CHECK_EQ(t.proto, KT_PR_PROTO_ISCSI);
	CHECK_EQ(t.len, strlen(NAME_A));
	CHECK_MEM(t.id, NAME_A, t.len);
	CHECK(!t.has_isid);

	n = tid_iscsi(b, NAME_A, "400001370000");
	CHECK_EQ(n, 48);
	CHECK_ST(kt_pr_tid_decode(b, sizeof(b), &t, &used), KT_OK);
	CHECK_EQ(used, 48);
	CHECK(t.has_isid);
	CHECK_EQ(t.isid, ISID_A);
	CHECK_EQ(t.len, strlen(NAME_A));

	/* upper case hex and fewer digits are the same number */
	n = tid_iscsi(b, "iqn.x", "ABC");
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_OK);
	CHECK_EQ(t.isid, 0xabc);
	CHECK_EQ(used, 24);	/* padded to the 24-byte minimum */
}

static void tid_iscsi_malformed(void)
{
	struct kt_pr_tid t;
	u8 b[64];
	u32 n, used;

	n = tid_iscsi(b, NAME_A, "400001370000");
	/* runs past what is there */
	CHECK_ST(kt_pr_tid_decode(b, n - 1, &t, &used),
		 KT_S_PARAM_LIST_LENGTH);
	CHECK_ST(kt_pr_tid_decode(b, 3, &t, &used), KT_S_PARAM_LIST_LENGTH);
	CHECK_ST(kt_pr_tid_decode(b, 0, &t, &used), KT_S_PARAM_LIST_LENGTH);
	/* ADDITIONAL LENGTH not a multiple of 4, or below 20 */
	put_unaligned_be16(n - 4 - 2, b + 2);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	put_unaligned_be16(16, b + 2);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	/* format code 2 */
	n = tid_iscsi(b, NAME_A, NULL);
	b[0] = 0x85;
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	/* no NUL */
	n = tid_iscsi(b, NAME_A, NULL);
	memset(b + 4, 'x', n - 4);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	/* empty name */
	n = tid_iscsi(b, "", NULL);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	/* format 00h with a separator in it */
	n = tid_iscsi(b, "iqn.a,i,0x1", NULL);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	/* format 01h: bad separator, bad digit, 13 digits, no digits */
	n = tid_iscsi(b, "iqn.a", "1");
	b[4 + 5 + 1] = 'I';
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	n = tid_iscsi(b, "iqn.a", "12g4");
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	n = tid_iscsi(b, "iqn.a", "1234567890123");
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	n = tid_iscsi(b, "iqn.a", "");
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	/* empty name before the separator */
	n = tid_iscsi(b, "", "1");
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	/* a space in the name */
	n = tid_iscsi(b, "iqn. a", NULL);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
}

static void tid_iscsi_too_long(void)
{
	char name[230];
	struct kt_pr_tid t;
	u8 b[300];
	u32 n, used;

	memset(name, 'n', sizeof(name));
	name[KT_PR_NAME_MAX] = 0;		/* 223: the longest */
	n = tid_iscsi(b, name, "400001370000");
	CHECK_EQ(n, 248);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_OK);
	CHECK_EQ(t.len, KT_PR_NAME_MAX);
	name[KT_PR_NAME_MAX] = 'n';
	name[KT_PR_NAME_MAX + 1] = 0;		/* 224 */
	n = tid_iscsi(b, name, NULL);
	CHECK_ST(kt_pr_tid_decode(b, n, &t, &used), KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(kt_pr_tid_iscsi(&t, name, false, 0), -EINVAL);
	CHECK_EQ(kt_pr_tid_iscsi(&t, "", false, 0), -EINVAL);
	/* longer than KT_PR_TID_MAX (valid name, long padding) */
	n = tid_iscsi(b, "iqn.a", NULL);
	put_unaligned_be16(KT_PR_TID_MAX, b + 2);
	CHECK_ST(kt_pr_tid_decode(b, sizeof(b), &t, &used),
		 KT_S_INVALID_FIELD_PARAM);
}

static void tid_binary(void)
{
	static const struct { u8 proto, off, len; } f[] = {
		{ KT_PR_PROTO_FC, 8, 8 }, { KT_PR_PROTO_SAS, 4, 8 },
		{ KT_PR_PROTO_SBP, 8, 8 }, { KT_PR_PROTO_SRP, 8, 16 },
	};
	static const u8 others[] = { 0x1, 0x7, 0xe };
	struct kt_pr_tid t;
	u8 b[32], enc[32];
	u32 used, i, j;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		memset(b, 0, sizeof(b));
		b[0] = f[i].proto;
		for (j = 0; j < f[i].len; j++)
			b[f[i].off + j] = 0x50 + j;
		CHECK_ST(kt_pr_tid_decode(b, 24, &t, &used), KT_OK);
		CHECK_EQ(used, 24);
		CHECK_EQ(t.proto, f[i].proto);
		CHECK_EQ(t.len, f[i].len);
		CHECK_MEM(t.id, b + f[i].off, f[i].len);
		memset(enc, 0, sizeof(enc));
		CHECK_EQ(kt_pr_tid_encode(&t, enc, sizeof(enc)), 24);
		CHECK_MEM(enc, b, 24);
		CHECK_ST(kt_pr_tid_decode(b, 23, &t, &used),
			 KT_S_PARAM_LIST_LENGTH);
		b[0] |= 0x40;		/* format code 01b */
		CHECK_ST(kt_pr_tid_decode(b, 24, &t, &used),
			 KT_S_INVALID_FIELD_PARAM);
	}
	/* parallel SCSI, ADT, and a reserved protocol: not taken */
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		memset(b, 0, sizeof(b));
		b[0] = others[i];
		CHECK_ST(kt_pr_tid_decode(b, 24, &t, &used),
			 KT_S_INVALID_FIELD_PARAM);
	}
	CHECK_EQ(kt_pr_tid_binary(&t, KT_PR_PROTO_SRP, b, 8), -EINVAL);
	CHECK_EQ(kt_pr_tid_binary(&t, KT_PR_PROTO_ISCSI, b, 8), -EINVAL);
}

static void tid_encode_iscsi(void)
{
	struct kt_pr_tid t;
	u8 want[64], got[64];
	u32 n, i;

	CHECK_EQ(kt_pr_tid_iscsi(&t, NAME_A, true, ISID_A), 0);
	n = tid_iscsi(want, NAME_A, "400001370000");
	memset(got, 0, sizeof(got));
	CHECK_EQ(kt_pr_tid_encode(&t, got, sizeof(got)), n);
	CHECK_MEM(got, want, n);
	/* cut anywhere: the prefix, nothing past it */
	for (i = 0; i <= n; i++) {
		memset(got, 0xa5, sizeof(got));
		memset(got, 0, i);
		CHECK_EQ(kt_pr_tid_encode(&t, got, i), n);
		CHECK_MEM(got, want, i);
		CHECK_EQ(got[i], 0xa5);
	}
	CHECK_EQ(kt_pr_tid_iscsi(&t, "iqn.x", false, 0), 0);
	n = tid_iscsi(want, "iqn.x", NULL);
	memset(got, 0, sizeof(got));
	CHECK_EQ(kt_pr_tid_encode(&t, got, sizeof(got)), 24);
	CHECK_MEM(got, want, n);
}

static void nexus_matching(void)
{
	struct kt_pr_nexus a = mk(NAME_A, 1, 1), b = mk(NAME_A, 2, 1);
	struct kt_pr_nexus up = mk("IQN.1994-05.COM.EXAMPLE:A", 1, 1);
	struct kt_pr_nexus name_only = a;

	name_only.init.has_isid = false;
	CHECK(kt_pr_nexus_match(&a, &a, true));
	CHECK(!kt_pr_nexus_match(&a, &b, true));
	CHECK(kt_pr_nexus_match(&a, &b, false));
	CHECK(kt_pr_nexus_match(&a, &up, true));
	CHECK(kt_pr_nexus_match(&name_only, &b, true));
	b.rtpi = 2;
	CHECK(!kt_pr_nexus_match(&a, &b, false));
	b = mk(NAME_B, 1, 1);
	CHECK(!kt_pr_nexus_match(&a, &b, false));
}

/* ------------------------------------------------------------------ */
/* REGISTER, REGISTER AND IGNORE EXISTING KEY                         */
/* ------------------------------------------------------------------ */

static void register_and_read_keys(void)
{
	static const u8 want[] = {
		0, 0, 0, 2,  0, 0, 0, 16,
		0, 0, 0, 0, 0, 0, 0, 0xaa,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	};
	u8 buf[64];

	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_EQ(st.generation, 1);
	CHECK_NO_UA();
	CHECK(!fx.save);
	CHECK_ST(reg(&B, 0x1122334455667788ULL), KT_OK);
	CHECK_EQ(st.generation, 2);
	CHECK_EQ(st.nregs, 2);
	CHECK_EQ(kt_pr_find(&st, &A), 0);
	CHECK_EQ(kt_pr_find(&st, &B), 1);
	CHECK_EQ(kt_pr_find(&st, &C), -1);
	CHECK_EQ(kt_pr_find(&st, &A2), -1);	/* another target port */
	CHECK_EQ(in(KT_PRI_READ_KEYS, buf, sizeof(buf)), sizeof(want));
	CHECK_MEM(buf, want, sizeof(want));
}

static void register_key_checks(void)
{
	reset();
	/* unregistered: RESERVATION KEY must be zero */
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 5, 6, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_EQ(st.nregs, 0);
	CHECK_EQ(st.generation, 0);
	CHECK_ST(reg(&A, 6), KT_OK);
	/* registered: it must be the registered key */
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 0, 7, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 5, 7, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_EQ(st.regs[0].key, 6);
	CHECK_EQ(st.generation, 1);
	/* same key again is no error, and counts */
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 6, 6, 0), KT_OK);
	CHECK_EQ(st.generation, 2);
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 6, 7, 0), KT_OK);
	CHECK_EQ(st.regs[0].key, 7);
	CHECK_EQ(st.generation, 3);
	/* IGNORE EXISTING KEY: any RESERVATION KEY */
	CHECK_ST(out(&A, KT_PRO_REGISTER_IGNORE, 0, 0x999, 8, 0), KT_OK);
	CHECK_EQ(st.regs[0].key, 8);
	CHECK_ST(out(&B, KT_PRO_REGISTER_IGNORE, 0, 0x999, 9, 0), KT_OK);
	CHECK_EQ(st.nregs, 2);
	CHECK_EQ(st.generation, 5);
	/* unregistered, SARK zero: nothing registered, still a REGISTER */
	CHECK_ST(reg(&C, 0), KT_OK);
	CHECK_EQ(st.nregs, 2);
	CHECK_EQ(st.generation, 6);
	/* unregister */
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 8, 0, 0), KT_OK);
	CHECK_EQ(st.nregs, 1);
	CHECK_EQ(kt_pr_find(&st, &A), -1);
	CHECK_EQ(st.generation, 7);
	CHECK_ST(out(&B, KT_PRO_REGISTER_IGNORE, 0, 0, 0, 0), KT_OK);
	CHECK_EQ(st.nregs, 0);
}

static void param_list_length(void)
{
	u8 p[64];

	reset();
	basic(p, 0, 1, 0);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, 23),
		 KT_S_PARAM_LIST_LENGTH);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, 25),
		 KT_S_PARAM_LIST_LENGTH);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, 0),
		 KT_S_PARAM_LIST_LENGTH);
	CHECK_ST(out_raw(&A, KT_PRO_RESERVE, 0, 1, p, 28),
		 KT_S_PARAM_LIST_LENGTH);
	/* SPEC_I_PT needs the 4-byte length, and the list must fit */
	basic(p, 0, 1, 0x08);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, 24),
		 KT_S_PARAM_LIST_LENGTH);
	put_unaligned_be32(0, p + 24);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, 28), KT_OK);
	CHECK_EQ(st.nregs, 1);
	reset();
	put_unaligned_be32(25, p + 24);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, 52),
		 KT_S_PARAM_LIST_LENGTH);
	put_unaligned_be32(0xffffffff, p + 24);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, 52),
		 KT_S_PARAM_LIST_LENGTH);
	/* SPEC_I_PT on anything but the REGISTERs */
	CHECK_ST(out_raw(&A, KT_PRO_RESERVE, 0, 1, p, 24),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK(fx.err_valid && !fx.err_cdb && fx.err_field == 20);
	CHECK(fx.err_bit_valid && fx.err_bit == 3);
	/* unknown service action */
	CHECK_ST(out_raw(&A, 9, 0, 0, p, 24), KT_S_INVALID_FIELD_CDB);
	CHECK(fx.err_valid && fx.err_cdb && fx.err_field == 1);
	CHECK(fx.err_bit_valid && fx.err_bit == 4);
	CHECK_ST(out_raw(&A, 0x1f, 0, 0, p, 0), KT_S_INVALID_FIELD_CDB);
	CHECK_EQ(st.nregs, 0);
	CHECK_EQ(st.generation, 0);
}

/* ------------------------------------------------------------------ */
/* RESERVE, RELEASE, CLEAR                                            */
/* ------------------------------------------------------------------ */

static void reserve(void)
{
	static const u8 want[] = {
		0, 0, 0, 2,  0, 0, 0, 16,
		0, 0, 0, 0, 0, 0, 0, 0xaa,
		0, 0, 0, 0,  0, 0x03, 0, 0,
	};
	u8 p[24], buf[32];

	reset();
	CHECK_EQ(in(KT_PRI_READ_RESERVATION, buf, sizeof(buf)), 8);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC, 0, 0, 0),
		 KT_S_RESERVATION_CONFLICT);		/* not registered */
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC, 0xab, 0, 0),
		 KT_S_RESERVATION_CONFLICT);		/* wrong key */
	basic(p, 0xaa, 0, 0);
	CHECK_ST(out_raw(&A, KT_PRO_RESERVE, 1, KT_PR_EX_AC, p, 24),
		 KT_S_INVALID_FIELD_CDB);
	CHECK(fx.err_cdb && fx.err_field == 2 && fx.err_bit == 7);
	CHECK_ST(out(&A, KT_PRO_RESERVE, 2, 0xaa, 0, 0),
		 KT_S_INVALID_FIELD_CDB);
	CHECK(fx.err_cdb && fx.err_field == 2 && fx.err_bit == 3);
	CHECK_ST(out(&A, KT_PRO_RESERVE, 0, 0xaa, 0, 0),
		 KT_S_INVALID_FIELD_CDB);
	CHECK(!st.reserved);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC, 0xaa, 0, 0), KT_OK);
	CHECK(st.reserved && st.holder == 0 && st.type == KT_PR_EX_AC);
	CHECK_EQ(st.generation, 2);		/* RESERVE does not count */
	/* again, same type: fine; another type or nexus: conflict */
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC, 0xaa, 0, 0), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX, 0xaa, 0, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_ST(out(&B, KT_PRO_RESERVE, KT_PR_EX_AC, 0xbb, 0, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_EQ(in(KT_PRI_READ_RESERVATION, buf, sizeof(buf)), 24);
	CHECK_MEM(buf, want, sizeof(want));
	CHECK(kt_pr_is_holder(&st, 0) && !kt_pr_is_holder(&st, 1));
}

static void release(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	/* nothing reserved: GOOD */
	CHECK_ST(out(&A, KT_PRO_RELEASE, KT_PR_WR_EX, 0xaa, 0, 0), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX, 0xaa, 0, 0), KT_OK);
	/* a non-holder's RELEASE does nothing; a wrong key conflicts */
	CHECK_ST(out(&B, KT_PRO_RELEASE, KT_PR_WR_EX, 0xbb, 0, 0), KT_OK);
	CHECK(st.reserved);
	CHECK_ST(out(&B, KT_PRO_RELEASE, KT_PR_WR_EX, 0xaa, 0, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_ST(out(&A, KT_PRO_RELEASE, KT_PR_EX_AC, 0xaa, 0, 0),
		 KT_S_PR_INVALID_RELEASE);
	CHECK(st.reserved);
	/* WRITE EXCLUSIVE: released without unit attentions */
	CHECK_ST(out(&A, KT_PRO_RELEASE, KT_PR_WR_EX, 0xaa, 0, 0), KT_OK);
	CHECK(!st.reserved);
	CHECK_NO_UA();
	CHECK_EQ(st.generation, 3);
	/* registrants only: the other registrants hear RESERVATIONS RELEASED */
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX_RO, 0xaa, 0, 0), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RELEASE, KT_PR_WR_EX_RO, 0xaa, 0, 0), KT_OK);
	CHECK_EQ(fx.ua[0], 0);
	CHECK_EQ(fx.ua[1], KT_PR_UA_RES_RELEASED);
	CHECK_EQ(fx.ua[2], KT_PR_UA_RES_RELEASED);
	CHECK_EQ(fx.ua[3], 0);
	/* all registrants: any registrant releases it */
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC_AR, 0xaa, 0, 0), KT_OK);
	CHECK_ST(out(&C, KT_PRO_RELEASE, KT_PR_EX_AC_AR, 0xcc, 0, 0), KT_OK);
	CHECK(!st.reserved);
	CHECK_EQ(fx.ua[0], KT_PR_UA_RES_RELEASED);
	CHECK_EQ(fx.ua[1], KT_PR_UA_RES_RELEASED);
	CHECK_EQ(fx.ua[2], 0);
	CHECK_EQ(st.generation, 3);
	CHECK_EQ(st.nregs, 3);
}

static void clear(void)
{
	u8 buf[16];

	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	CHECK_ST(out(&B, KT_PRO_RESERVE, KT_PR_EX_AC_RO, 0xbb, 0, 0), KT_OK);
	CHECK_ST(out(&A, KT_PRO_CLEAR, 0, 0xab, 0, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_ST(out(&A, KT_PRO_CLEAR, 0, 0xaa, 0, 0), KT_OK);
	CHECK(!st.reserved);
	CHECK_EQ(st.nregs, 0);
	CHECK_EQ(st.generation, 4);
	CHECK_EQ(fx.ua[0], 0);
	CHECK_EQ(fx.ua[1], KT_PR_UA_RES_PREEMPTED);
	CHECK_EQ(fx.ua[2], KT_PR_UA_RES_PREEMPTED);
	/* freed slots keep their nexus for the unit attentions */
	CHECK(kt_pr_nexus_match(&st.regs[1].nexus, &B, true));
	CHECK_EQ(in(KT_PRI_READ_KEYS, buf, sizeof(buf)), 8);
	CHECK_EQ(get_unaligned_be32(buf), 4);
	CHECK_EQ(get_unaligned_be32(buf + 4), 0);
}

/* Unregistering the holder (SPC-4 5.13.11.2.2) */
static void unregister_holder(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX, 0xaa, 0, 0), KT_OK);
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 0xaa, 0, 0), KT_OK);
	CHECK(!st.reserved);
	CHECK_NO_UA();

	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC_RO, 0xaa, 0, 0), KT_OK);
	/* a non-holder leaving changes nothing */
	CHECK_ST(out(&C, KT_PRO_REGISTER, 0, 0xcc, 0, 0), KT_OK);
	CHECK(st.reserved);
	CHECK_NO_UA();
	CHECK_ST(out(&A, KT_PRO_REGISTER_IGNORE, 0, 0, 0, 0), KT_OK);
	CHECK(!st.reserved);
	CHECK_EQ(fx.ua[0], 0);
	CHECK_EQ(fx.ua[1], KT_PR_UA_RES_RELEASED);
	CHECK_EQ(fx.ua[2], 0);		/* C had left */
	CHECK_EQ(st.generation, 5);
}

/* All registrants: every registrant holds it, the last one takes it along */
static void all_registrants(void)
{
	static const u8 want[] = {
		0, 0, 0, 2,  0, 0, 0, 16,
		0, 0, 0, 0, 0, 0, 0, 0,		/* key zero */
		0, 0, 0, 0,  0, 0x07, 0, 0,
	};
	u8 buf[32];

	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(out(&B, KT_PRO_RESERVE, KT_PR_WR_EX_AR, 0xbb, 0, 0), KT_OK);
	CHECK(kt_pr_is_holder(&st, 0) && kt_pr_is_holder(&st, 1));
	CHECK_EQ(in(KT_PRI_READ_RESERVATION, buf, sizeof(buf)), 24);
	CHECK_MEM(buf, want, sizeof(want));
	/* a holder reserving the same again is fine */
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX_AR, 0xaa, 0, 0), KT_OK);
	/* a newcomer holds it too */
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	CHECK(kt_pr_is_holder(&st, 2));
	CHECK_ST(out(&B, KT_PRO_REGISTER, 0, 0xbb, 0, 0), KT_OK);
	CHECK(st.reserved);
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 0xaa, 0, 0), KT_OK);
	CHECK(st.reserved);
	CHECK_NO_UA();
	CHECK_ST(out(&C, KT_PRO_REGISTER, 0, 0xcc, 0, 0), KT_OK);
	CHECK(!st.reserved);
	CHECK_EQ(st.nregs, 0);
}

/* ------------------------------------------------------------------ */
/* PREEMPT, PREEMPT AND ABORT                                         */
/* ------------------------------------------------------------------ */

static void preempt_holder(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	CHECK_ST(reg(&A2, 0xaa), KT_OK);	/* same key on port 2 */
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX_RO, 0xaa, 0, 0), KT_OK);
	/* bad TYPE: refused before anything changes */
	CHECK_ST(out(&B, KT_PRO_PREEMPT, 0, 0xbb, 0xaa, 0),
		 KT_S_INVALID_FIELD_CDB);
	CHECK_EQ(st.nregs, 4);
	CHECK_ST(out(&B, KT_PRO_PREEMPT, KT_PR_EX_AC, 0xbc, 0xaa, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_ST(out(&B, KT_PRO_PREEMPT, KT_PR_EX_AC, 0xbb, 0xaa, 0), KT_OK);
	CHECK_EQ(st.generation, 5);
	CHECK(st.reserved && st.holder == 1 && st.type == KT_PR_EX_AC);
	CHECK_EQ(st.nregs, 2);
	CHECK_EQ(kt_pr_find(&st, &A), -1);
	CHECK_EQ(kt_pr_find(&st, &A2), -1);
	CHECK_EQ(fx.ua[0], KT_PR_UA_REG_PREEMPTED);
	CHECK_EQ(fx.ua[1], 0);
	/* the type changed: the remaining registrant hears the release */
	CHECK_EQ(fx.ua[2], KT_PR_UA_RES_RELEASED);
	CHECK_EQ(fx.ua[3], KT_PR_UA_REG_PREEMPTED);
	CHECK(!fx.abort[0] && !fx.abort[3] && !fx.abort_self);
}

static void preempt_same_type(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX, 0xaa, 0, 0), KT_OK);
	CHECK_ST(out(&B, KT_PRO_PREEMPT, KT_PR_WR_EX, 0xbb, 0xaa, 0), KT_OK);
	CHECK(st.reserved && st.holder == 1);
	CHECK_EQ(fx.ua[0], KT_PR_UA_REG_PREEMPTED);
	CHECK_EQ(fx.ua[2], 0);
	/* preempting oneself changes the type */
	CHECK_ST(out(&B, KT_PRO_PREEMPT, KT_PR_EX_AC, 0xbb, 0xbb, 0), KT_OK);
	CHECK(st.reserved && st.holder == 1 && st.type == KT_PR_EX_AC);
	CHECK_EQ(st.nregs, 2);
	CHECK_EQ(fx.ua[2], KT_PR_UA_RES_RELEASED);
}

static void preempt_registrations(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	/* no reservation: SARK zero is invalid, an unknown SARK conflicts */
	CHECK_ST(out(&A, KT_PRO_PREEMPT, KT_PR_WR_EX, 0xaa, 0, 0),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK(!fx.err_cdb && fx.err_field == 8 && !fx.err_bit_valid);
	CHECK_ST(out(&A, KT_PRO_PREEMPT, KT_PR_WR_EX, 0xaa, 0xdd, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_EQ(st.generation, 3);
	CHECK_ST(out(&A, KT_PRO_PREEMPT, KT_PR_WR_EX, 0xaa, 0xcc, 0), KT_OK);
	CHECK(!st.reserved);		/* nothing was reserved: nothing made */
	CHECK_EQ(st.nregs, 2);
	CHECK_EQ(fx.ua[2], KT_PR_UA_REG_PREEMPTED);
	CHECK_EQ(st.generation, 4);
	/* a reservation of someone else's: it stays */
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	CHECK_ST(out(&B, KT_PRO_RESERVE, KT_PR_EX_AC, 0xbb, 0, 0), KT_OK);
	CHECK_ST(out(&A, KT_PRO_PREEMPT, KT_PR_WR_EX, 0xaa, 0xcc, 0), KT_OK);
	CHECK(st.reserved && st.holder == 1 && st.type == KT_PR_EX_AC);
	CHECK_EQ(fx.ua[1], 0);
	CHECK_EQ(fx.ua[2], KT_PR_UA_REG_PREEMPTED);
	CHECK_ST(out(&A, KT_PRO_PREEMPT, KT_PR_WR_EX, 0xaa, 0, 0),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK_ST(out(&C, KT_PRO_PREEMPT, KT_PR_WR_EX, 0xcc, 0xbb, 0),
		 KT_S_RESERVATION_CONFLICT);	/* C is gone */
}

static void preempt_all_registrants(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC_AR, 0xaa, 0, 0), KT_OK);
	/* a key: only those registrations go, the reservation stays */
	CHECK_ST(out(&A, KT_PRO_PREEMPT, KT_PR_WR_EX, 0xaa, 0xcc, 0), KT_OK);
	CHECK(st.reserved && st.type == KT_PR_EX_AC_AR);
	CHECK_EQ(st.nregs, 2);
	CHECK_EQ(fx.ua[2], KT_PR_UA_REG_PREEMPTED);
	CHECK_EQ(fx.ua[1], 0);
	/* zero: everyone else goes, the preempter holds the new type */
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	CHECK_ST(out(&B, KT_PRO_PREEMPT_AND_ABORT, KT_PR_WR_EX, 0xbb, 0, 0),
		 KT_OK);
	CHECK(st.reserved && st.type == KT_PR_WR_EX && st.holder == 1);
	CHECK_EQ(st.nregs, 1);
	CHECK_EQ(fx.ua[0], KT_PR_UA_REG_PREEMPTED);
	CHECK_EQ(fx.ua[1], 0);
	CHECK_EQ(fx.ua[2], KT_PR_UA_REG_PREEMPTED);
	CHECK(fx.abort[0] && !fx.abort[1] && fx.abort[2]);
	CHECK(!fx.abort_self);
	CHECK_EQ(st.generation, 6);
}

static void preempt_and_abort(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(reg(&C, 0xbb), KT_OK);
	CHECK_ST(out(&C, KT_PRO_RESERVE, KT_PR_WR_EX, 0xbb, 0, 0), KT_OK);
	/* B preempts its own key: C (the holder) goes, B's tasks too */
	CHECK_ST(out(&B, KT_PRO_PREEMPT_AND_ABORT, KT_PR_EX_AC, 0xbb, 0xbb, 0),
		 KT_OK);
	CHECK(st.reserved && st.holder == 1 && st.type == KT_PR_EX_AC);
	CHECK(!fx.abort[0] && !fx.abort[1] && fx.abort[2]);
	CHECK(fx.abort_self);
	CHECK_EQ(fx.ua[2], KT_PR_UA_REG_PREEMPTED);
	CHECK_EQ(fx.ua[0], KT_PR_UA_RES_RELEASED);
	/* a refused one aborts nothing */
	CHECK_ST(out(&A, KT_PRO_PREEMPT_AND_ABORT, KT_PR_EX_AC, 0xaa, 0x77, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK(!fx.abort[0] && !fx.abort[1] && !fx.abort_self);
}

/* ------------------------------------------------------------------ */
/* SPEC_I_PT, ALL_TG_PT                                               */
/* ------------------------------------------------------------------ */

/* REGISTER with SPEC_I_PT and the TransportIDs given; returns the len */
static u32 spec_list(u8 *p, u64 sark, u8 flags, const char *n1,
		     const char *i1, const char *n2, const char *i2)
{
	u32 off = 28;

	basic(p, 0, sark, flags | 0x08);
	if (n1)
		off += tid_iscsi(p + off, n1, i1);
	if (n2)
		off += tid_iscsi(p + off, n2, i2);
	put_unaligned_be32(off - 28, p + 24);
	return off;
}

static void spec_i_pt(void)
{
	struct kt_pr_nexus b_other = mk(NAME_B, 0x123, 1);
	u8 p[256];
	u32 n;

	reset();
	n = spec_list(p, 0x42, 0, NAME_B, "400001370001", NAME_C, NULL);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n), KT_OK);
	CHECK_EQ(st.nregs, 3);
	CHECK_EQ(st.generation, 1);
	CHECK_EQ(st.regs[kt_pr_find(&st, &B)].key, 0x42);
	CHECK_EQ(kt_pr_find(&st, &b_other), -1);
	/* name only: every session of C */
	CHECK_EQ(kt_pr_find(&st, &C), 2);
	CHECK(!st.regs[2].nexus.init.has_isid);
	CHECK_EQ(kt_pr_find(&st, &A2), -1);

	/* from a registered nexus: INVALID FIELD IN CDB */
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n),
		 KT_S_RESERVATION_CONFLICT);	/* key first */
	put_unaligned_be64(0x42, p);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n),
		 KT_S_INVALID_FIELD_CDB);
	CHECK_EQ(st.generation, 1);
}

static void spec_i_pt_refused(void)
{
	u8 p[256];
	u32 n;

	reset();
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	/* C is registered already: nothing is registered at all */
	n = spec_list(p, 0x42, 0, NAME_B, "400001370001", NAME_C,
		      "400001370002");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK(!fx.err_cdb && fx.err_field == 76);
	CHECK_EQ(st.nregs, 1);
	CHECK_EQ(st.generation, 1);
	/* the same port twice */
	n = spec_list(p, 0x42, 0, NAME_B, "400001370001", NAME_B, NULL);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(fx.err_field, 76);
	/* a malformed TransportID */
	n = spec_list(p, 0x42, 0, NAME_B, "400001370001", NAME_A, "xyz");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n),
		 KT_S_INVALID_FIELD_PARAM);
	/* a TransportID cut by the list length */
	n = spec_list(p, 0x42, 0, NAME_B, "400001370001", NULL, NULL);
	put_unaligned_be32(n - 28 - 4, p + 24);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n),
		 KT_S_PARAM_LIST_LENGTH);
	CHECK_EQ(st.nregs, 1);
	/* the sender's own port in the list is taken once */
	n = spec_list(p, 0x42, 0, NAME_A, "400001370000", NAME_B, NULL);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n), KT_OK);
	CHECK_EQ(st.nregs, 3);
	CHECK_EQ(st.generation, 2);
}

static void all_tg_pt(void)
{
	static const u16 many[] = { 2, 1, 2, 2 };
	struct kt_pr_out_req r = {
		.nexus = &A, .sa = KT_PRO_REGISTER, .len = 24,
		.ports = many, .nports = ARRAY_SIZE(many),
	};
	u8 p[256];
	u32 n;

	reset();
	basic(p, 0, 0xaa, 0x04);
	r.param = p;
	CHECK_ST(kt_pr_out(&st, &r, &fx), KT_OK);
	CHECK_EQ(st.nregs, 2);		/* ports 1 and 2, once each */
	CHECK(st.regs[kt_pr_find(&st, &A)].all_tg_pt);
	CHECK(st.regs[kt_pr_find(&st, &A2)].all_tg_pt);
	/* a key change through port 2 with ALL_TG_PT changes both */
	CHECK_ST(out(&A2, KT_PRO_REGISTER, 0, 0xaa, 0xab, 0x04), KT_OK);
	CHECK_EQ(st.regs[0].key, 0xab);
	CHECK_EQ(st.regs[1].key, 0xab);
	/* and so does an unregistration */
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 0xab, 0, 0x04), KT_OK);
	CHECK_EQ(st.nregs, 0);
	/* registered elsewhere with another key: as if sent there */
	CHECK_ST(reg(&B2, 0xb2), KT_OK);
	CHECK_ST(out(&B, KT_PRO_REGISTER, 0, 0, 0xbb, 0x04),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_ST(out(&B, KT_PRO_REGISTER_IGNORE, 0, 0, 0xbb, 0x04), KT_OK);
	CHECK_EQ(st.nregs, 2);
	CHECK_EQ(st.regs[0].key, 0xbb);
	/* SPEC_I_PT with ALL_TG_PT: each listed port on both target ports */
	reset();
	n = spec_list(p, 0x42, 0x04, NAME_B, "400001370001", NULL, NULL);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, n), KT_OK);
	CHECK_EQ(st.nregs, 4);
	CHECK(kt_pr_find(&st, &B2) >= 0 && kt_pr_find(&st, &A2) >= 0);
}

/* ------------------------------------------------------------------ */
/* REGISTER AND MOVE, REPLACE LOST RESERVATION                        */
/* ------------------------------------------------------------------ */

static u32 move_list(u8 *p, u64 rk, u64 sark, u8 flags, u16 rtpi,
		     const char *name, const char *isid)
{
	u32 n;

	memset(p, 0, 24);
	put_unaligned_be64(rk, p);
	put_unaligned_be64(sark, p + 8);
	p[17] = flags;
	put_unaligned_be16(rtpi, p + 18);
	n = tid_iscsi(p + 24, name, isid);
	put_unaligned_be32(n, p + 20);
	return 24 + n;
}

static void register_and_move(void)
{
	u8 p[128];
	u32 n;

	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&C, 0xcc), KT_OK);
	n = move_list(p, 0xaa, 0xbb, 0, 2, NAME_B, "400001370001");
	/* not the holder: conflict */
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC_RO, 0xaa, 0, 0), KT_OK);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, 23),
		 KT_S_PARAM_LIST_LENGTH);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n - 1),
		 KT_S_PARAM_LIST_LENGTH);
	move_list(p, 0xab, 0xbb, 0, 2, NAME_B, "400001370001");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n),
		 KT_S_RESERVATION_CONFLICT);
	move_list(p, 0xaa, 0, 0, 2, NAME_B, "400001370001");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(fx.err_field, 8);
	move_list(p, 0xaa, 0xbb, 0, 7, NAME_B, "400001370001");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(fx.err_field, 18);
	move_list(p, 0xaa, 0xbb, 0, 1, NAME_A, "400001370000");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(fx.err_field, 24);
	CHECK_EQ(st.generation, 2);
	CHECK_EQ(st.nregs, 2);

	move_list(p, 0xaa, 0xbb, 0, 2, NAME_B, "400001370001");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n), KT_OK);
	CHECK_EQ(st.generation, 3);
	CHECK_EQ(st.nregs, 3);
	CHECK(kt_pr_is_holder(&st, kt_pr_find(&st, &B2)));
	CHECK_EQ(st.regs[kt_pr_find(&st, &B2)].key, 0xbb);
	CHECK(st.type == KT_PR_EX_AC_RO && !kt_pr_is_holder(&st, 0));
	CHECK_NO_UA();
	/* and back, unregistering the source this time */
	move_list(p, 0xbb, 0xa0, 0x02, 1, NAME_A, "400001370000");
	CHECK_ST(out_raw(&B2, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n), KT_OK);
	CHECK_EQ(kt_pr_find(&st, &B2), -1);
	CHECK(kt_pr_is_holder(&st, kt_pr_find(&st, &A)));
	CHECK_EQ(st.regs[kt_pr_find(&st, &A)].key, 0xa0);
	CHECK_EQ(st.nregs, 2);
	/* not for an all registrants reservation */
	CHECK_ST(out(&A, KT_PRO_RELEASE, KT_PR_EX_AC_RO, 0xa0, 0, 0), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX_AR, 0xa0, 0, 0), KT_OK);
	move_list(p, 0xa0, 0xbb, 0, 2, NAME_B, "400001370001");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, n),
		 KT_S_RESERVATION_CONFLICT);
}

static void replace_lost(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	/* nothing was lost: no one may wipe the registrations */
	CHECK_ST(out(&C, KT_PRO_REPLACE_LOST, KT_PR_WR_EX, 0, 0xcc, 0),
		 KT_S_RESERVATION_CONFLICT);
	st.lost = true;
	CHECK_ST(out(&C, KT_PRO_REPLACE_LOST, KT_PR_WR_EX, 0xcc, 0xcc, 0),
		 KT_S_RESERVATION_CONFLICT);
	CHECK_ST(out(&C, KT_PRO_REPLACE_LOST, 0x4, 0, 0xcc, 0),
		 KT_S_INVALID_FIELD_CDB);
	CHECK_ST(out(&C, KT_PRO_REPLACE_LOST, KT_PR_WR_EX, 0, 0, 0),
		 KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(st.generation, 2);
	CHECK_ST(out(&C, KT_PRO_REPLACE_LOST, KT_PR_WR_EX, 0, 0xcc, 0), KT_OK);
	CHECK(!st.lost);
	CHECK_EQ(st.nregs, 1);
	CHECK(st.reserved && st.type == KT_PR_WR_EX);
	CHECK(kt_pr_is_holder(&st, kt_pr_find(&st, &C)));
	CHECK_EQ(st.generation, 3);
}

/* ------------------------------------------------------------------ */
/* Capacity, APTPL, drop                                              */
/* ------------------------------------------------------------------ */

static void capacity(void)
{
	struct kt_pr_nexus n;
	struct kt_sense_info si;
	u8 p[256];
	u32 len;
	int i;

	reset();
	for (i = 0; i < KT_PR_MAX_REGS - 1; i++) {
		n = mk(NAME_C, 0x1000 + i, 1);
		CHECK_ST(reg(&n, 1 + i), KT_OK);
	}
	/* one slot left: A and a SPEC_I_PT port need two */
	len = spec_list(p, 0x42, 0, NAME_B, NULL, NULL, NULL);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, len),
		 KT_S_PR_NO_RESOURCES);
	CHECK_EQ(st.nregs, KT_PR_MAX_REGS - 1);
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_EQ(st.nregs, KT_PR_MAX_REGS);
	CHECK_ST(reg(&B, 0xbb), KT_S_PR_NO_RESOURCES);
	CHECK_EQ(st.generation, KT_PR_MAX_REGS);
	memset(&si, 0, sizeof(si));
	CHECK_EQ(kt_status_sense(KT_S_PR_NO_RESOURCES, &si),
		 KT_SAM_CHECK_CONDITION);
	CHECK(si.key == KT_SK_ILLEGAL_REQUEST && si.asc == 0x55 &&
	      si.ascq == 0x04);
	/* a key change needs no slot */
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 0xaa, 0xab, 0), KT_OK);
	/* REGISTER AND MOVE to a new nexus needs one */
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX, 0xab, 0, 0), KT_OK);
	len = move_list(p, 0xab, 0xbb, 0, 1, NAME_B, "400001370001");
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER_AND_MOVE, 0, 0, p, len),
		 KT_S_PR_NO_RESOURCES);
	CHECK(kt_pr_is_holder(&st, kt_pr_find(&st, &A)));
}

/* More TransportIDs than registrations: refused before any is checked */
static void spec_i_pt_too_many(void)
{
	static u8 p[28 + 24 * (KT_PR_MAX_REGS + 1)];
	u32 i, off = 28;

	reset();
	basic(p, 0, 0x42, 0x08);
	for (i = 0; i <= KT_PR_MAX_REGS; i++, off += 24) {
		memset(p + off, 0, 24);
		p[off] = KT_PR_PROTO_FC;
		put_unaligned_be32(i, p + off + 12);
	}
	put_unaligned_be32(off - 28, p + 24);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, off),
		 KT_S_PR_NO_RESOURCES);
	CHECK_EQ(st.nregs, 0);
	/* one fewer fits in the list but not in the table (A needs one) */
	put_unaligned_be32(off - 28 - 24, p + 24);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, off - 24),
		 KT_S_PR_NO_RESOURCES);
	put_unaligned_be32(off - 28 - 48, p + 24);
	CHECK_ST(out_raw(&A, KT_PRO_REGISTER, 0, 0, p, off - 48), KT_OK);
	CHECK_EQ(st.nregs, KT_PR_MAX_REGS);
	CHECK_EQ(st.generation, 1);
}

static void aptpl(void)
{
	u8 buf[8];

	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK(!st.aptpl && !fx.save);
	CHECK_ST(out(&B, KT_PRO_REGISTER, 0, 0, 0xbb, 0x01), KT_OK);
	CHECK(st.aptpl && fx.save);
	CHECK_EQ(in(KT_PRI_REPORT_CAPABILITIES, buf, sizeof(buf)), 8);
	CHECK_EQ(buf[3], 0x91);
	/* every change is saved while APTPL is on */
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX, 0xaa, 0, 0), KT_OK);
	CHECK(fx.save);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX, 0xaa, 0, 0), KT_OK);
	CHECK(!fx.save);		/* nothing changed */
	/* APTPL is only taken from the REGISTERs */
	CHECK_ST(out(&A, KT_PRO_RELEASE, KT_PR_WR_EX, 0xaa, 0, 0x00), KT_OK);
	CHECK(st.aptpl && fx.save);
	/* turning it off is saved too (the caller removes the file) */
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 0xaa, 0xaa, 0), KT_OK);
	CHECK(!st.aptpl && fx.save);
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 0xaa, 0xaa, 0), KT_OK);
	CHECK(!fx.save);
	st.force_aptpl = true;
	CHECK_ST(out(&A, KT_PRO_REGISTER, 0, 0xaa, 0xaa, 0), KT_OK);
	CHECK(st.aptpl && fx.save);
}

static void drop(void)
{
	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(reg(&B, 0xbb), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_WR_EX_RO, 0xaa, 0, 0), KT_OK);
	kt_pr_drop(&st, &C, &fx);
	CHECK_EQ(st.nregs, 2);
	CHECK_NO_UA();
	kt_pr_drop(&st, &A, &fx);
	CHECK(!st.reserved);
	CHECK_EQ(st.nregs, 1);
	CHECK_EQ(fx.ua[1], KT_PR_UA_RES_RELEASED);
	CHECK_EQ(fx.ua[0], 0);
	CHECK_EQ(st.generation, 2);
	CHECK(!fx.save);
}

/* ------------------------------------------------------------------ */
/* PERSISTENT RESERVE IN                                              */
/* ------------------------------------------------------------------ */

static void report_capabilities(void)
{
	static const u8 want[] = { 0x00, 0x08, 0x9d, 0x90, 0xea, 0x01, 0, 0 };
	u8 buf[16];
	u32 full;

	reset();
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(in(KT_PRI_REPORT_CAPABILITIES, buf, sizeof(buf)), 8);
	CHECK_MEM(buf, want, sizeof(want));
	CHECK_ST(kt_pr_in(&st, 4, buf, sizeof(buf), &full),
		 KT_S_INVALID_FIELD_CDB);
	CHECK_ST(kt_pr_in(&st, 0x1f, NULL, 0, &full),
		 KT_S_INVALID_FIELD_CDB);
}

static void read_full_status(void)
{
	u8 want[256], buf[256];
	u32 full, cut, off;

	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(out(&B, KT_PRO_REGISTER, 0, 0, 0xbb, 0x04), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC_RO, 0xaa, 0, 0), KT_OK);

	memset(want, 0, sizeof(want));
	put_unaligned_be32(2, want);
	off = 8;
	/* A: holder, port 1 */
	put_unaligned_be64(0xaa, want + off);
	want[off + 12] = 0x01;
	want[off + 13] = 0x06;
	put_unaligned_be16(1, want + off + 18);
	put_unaligned_be32(48, want + off + 20);
	tid_iscsi(want + off + 24, NAME_A, "400001370000");
	off += 24 + 48;
	/* B on ports 1 and 2, registered with ALL_TG_PT */
	put_unaligned_be64(0xbb, want + off);
	want[off + 12] = 0x02;
	put_unaligned_be16(1, want + off + 18);
	put_unaligned_be32(48, want + off + 20);
	tid_iscsi(want + off + 24, NAME_B, "400001370001");
	off += 24 + 48;
	put_unaligned_be64(0xbb, want + off);
	want[off + 12] = 0x02;
	put_unaligned_be16(2, want + off + 18);
	put_unaligned_be32(48, want + off + 20);
	tid_iscsi(want + off + 24, NAME_B, "400001370001");
	off += 24 + 48;
	put_unaligned_be32(off - 8, want + 4);

	full = in(KT_PRI_READ_FULL_STATUS, buf, sizeof(buf));
	CHECK_EQ(full, off);
	CHECK_MEM(buf, want, full);
	/* every allocation length: the same prefix, nothing past it */
	for (cut = 0; cut <= full; cut++) {
		memset(buf, 0xa5, sizeof(buf));
		CHECK_EQ(in(KT_PRI_READ_FULL_STATUS, buf, cut), full);
		CHECK_MEM(buf, want, cut);
		CHECK_EQ(buf[cut], 0xa5);
	}
	CHECK_EQ(in(KT_PRI_READ_FULL_STATUS, NULL, 0), full);
	/* READ KEYS cut too: ADDITIONAL LENGTH still counts all keys */
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(in(KT_PRI_READ_KEYS, buf, 12), 32);
	CHECK_EQ(get_unaligned_be32(buf + 4), 24);
	CHECK_EQ(buf[12], 0xa5);
}

/* ------------------------------------------------------------------ */
/* The conflict table                                                 */
/* ------------------------------------------------------------------ */

/*
 * SPC-4 5.13.1: for each type, what a registrant that does not hold the
 * reservation and a nexus that is not registered may do, by class
 * (ALLOWED, READ, WRITE, HOLDER); 1 = allowed.  A holder may do all.
 */
static const struct {
	u8 type;
	u8 reg[4];
	u8 unreg[4];
} matrix[] = {
	{ KT_PR_WR_EX,    { 1, 1, 0, 0 }, { 1, 1, 0, 0 } },
	{ KT_PR_EX_AC,    { 1, 0, 0, 0 }, { 1, 0, 0, 0 } },
	{ KT_PR_WR_EX_RO, { 1, 1, 1, 0 }, { 1, 1, 0, 0 } },
	{ KT_PR_EX_AC_RO, { 1, 1, 1, 0 }, { 1, 0, 0, 0 } },
	/* under the all registrants types a registrant is a holder */
	{ KT_PR_WR_EX_AR, { 1, 1, 1, 1 }, { 1, 1, 0, 0 } },
	{ KT_PR_EX_AC_AR, { 1, 1, 1, 1 }, { 1, 0, 0, 0 } },
};

static kt_status_t want_st(u8 ok)
{
	return ok ? KT_OK : KT_S_RESERVATION_CONFLICT;
}

static void conflict_matrix(void)
{
	enum kt_pr_class c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(matrix); i++) {
		reset();
		CHECK_ST(reg(&A, 0xaa), KT_OK);
		CHECK_ST(reg(&B, 0xbb), KT_OK);
		for (c = KT_PR_CLS_ALLOWED; c <= KT_PR_CLS_HOLDER; c++)
			CHECK_ST(kt_pr_check(&st, &C, c), KT_OK);
		CHECK_ST(out(&A, KT_PRO_RESERVE, matrix[i].type, 0xaa, 0, 0),
			 KT_OK);
		for (c = KT_PR_CLS_ALLOWED; c <= KT_PR_CLS_HOLDER; c++) {
			if (kt_pr_check(&st, &A, c) != KT_OK ||
			    kt_pr_check(&st, &B, c) != want_st(matrix[i].reg[c]) ||
			    kt_pr_check(&st, &C, c) !=
			    want_st(matrix[i].unreg[c])) {
				FAIL("type %u class %d", matrix[i].type, c);
				return;
			}
		}
		/* the holder on another target port is another nexus */
		CHECK_ST(kt_pr_check(&st, &A2, KT_PR_CLS_WRITE),
			 KT_S_RESERVATION_CONFLICT);
	}
}

/* enforce_pr_isids=0: another session of the holder is the holder */
static void conflict_isids(void)
{
	struct kt_pr_nexus a_other = mk(NAME_A, 0x999, 1);

	reset();
	CHECK_ST(reg(&A, 0xaa), KT_OK);
	CHECK_ST(out(&A, KT_PRO_RESERVE, KT_PR_EX_AC, 0xaa, 0, 0), KT_OK);
	CHECK_ST(kt_pr_check(&st, &a_other, KT_PR_CLS_WRITE),
		 KT_S_RESERVATION_CONFLICT);
	st.enforce_isids = false;
	CHECK_ST(kt_pr_check(&st, &a_other, KT_PR_CLS_WRITE), KT_OK);
	CHECK_ST(out(&a_other, KT_PRO_RELEASE, KT_PR_EX_AC, 0xaa, 0, 0),
		 KT_OK);
	CHECK(!st.reserved);
}

/* ------------------------------------------------------------------ */
/* The CDBs                                                           */
/* ------------------------------------------------------------------ */

static void cdb_decode(void)
{
	static const u8 pin[10] = { 0x5e, 0x03, 0, 0, 0, 0, 0, 0x12, 0x34, 0 };
	static const u8 pout[10] = { 0x5f, 0x07, 0x15, 0, 0,
				     0x01, 0x02, 0x03, 0x04, 0 };
	struct kt_cdb d;

	CHECK_ST(kt_cdb_decode(pin, sizeof(pin), &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_PR_IN);
	CHECK_EQ(d.sa, KT_PRI_READ_FULL_STATUS);
	CHECK_EQ(d.alloc_len, 0x1234);
	CHECK_EQ(d.dir, KT_DIR_FROM_DEV);
	CHECK_ST(kt_cdb_decode(pout, sizeof(pout), &d), KT_OK);
	CHECK_EQ(d.op, KT_OP_PR_OUT);
	CHECK_EQ(d.sa, KT_PRO_REGISTER_AND_MOVE);
	CHECK_EQ(d.pr_scope, 1);
	CHECK_EQ(d.pr_type, 5);
	CHECK_EQ(d.alloc_len, 0x01020304);
	CHECK_EQ(d.dir, KT_DIR_TO_DEV);
	CHECK_EQ(d.xfer, KT_XFER_BYTES);
}

static const struct kt_test tests[] = {
	KT_TEST(tid_iscsi_formats),
	KT_TEST(tid_iscsi_malformed),
	KT_TEST(tid_iscsi_too_long),
	KT_TEST(tid_binary),
	KT_TEST(tid_encode_iscsi),
	KT_TEST(nexus_matching),
	KT_TEST(register_and_read_keys),
	KT_TEST(register_key_checks),
	KT_TEST(param_list_length),
	KT_TEST(reserve),
	KT_TEST(release),
	KT_TEST(clear),
	KT_TEST(unregister_holder),
	KT_TEST(all_registrants),
	KT_TEST(preempt_holder),
	KT_TEST(preempt_same_type),
	KT_TEST(preempt_registrations),
	KT_TEST(preempt_all_registrants),
	KT_TEST(preempt_and_abort),
	KT_TEST(spec_i_pt),
	KT_TEST(spec_i_pt_refused),
	KT_TEST(all_tg_pt),
	KT_TEST(register_and_move),
	KT_TEST(replace_lost),
	KT_TEST(capacity),
	KT_TEST(spec_i_pt_too_many),
	KT_TEST(aptpl),
	KT_TEST(drop),
	KT_TEST(report_capabilities),
	KT_TEST(read_full_status),
	KT_TEST(conflict_matrix),
	KT_TEST(conflict_isids),
	KT_TEST(cdb_decode),
};

int main(void)
{
	return kt_test_run("pr", tests, ARRAY_SIZE(tests));
}
