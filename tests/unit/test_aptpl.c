// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the APTPL metadata code (core/wire/aptpl.c): the file
 * LIO writes, byte for byte; both parsers with every error path; the
 * encoder's bounds; restoring records into a PR state.
 */
#include <stdlib.h>
#include <ktarget/pr.h>
#include "test.h"

/* Too large for a stack frame: shared by the cases */
static struct kt_pr_state st, st2, saved;
static struct kt_pr_effects fx;
static struct kt_aptpl_port ports[KT_PR_MAX_REGS];
static struct kt_aptpl_reg regs[KT_PR_MAX_REGS + 1];
static char text[KT_APTPL_MAX + 64];
static u8 full1[KT_PR_IN_MAX], full2[KT_PR_IN_MAX];

#define NAME_A	"iqn.1994-05.com.example:a"
#define NAME_B	"iqn.1994-05.com.example:b"
#define ISID_A	0x400001370000ULL
#define TGT	"iqn.2003-01.org.linux-iscsi.kt:sn.1234"
#define SAS_I	"naa.5001405abcdef012"
#define SAS_T	"naa.5001405000000009"

static const struct kt_aptpl_port port_iscsi = {
	.init_fabric = "iSCSI", .target_fabric = "iSCSI",
	.target_node = TGT, .tpgt = 1, .mapped_lun = 0, .target_lun = 3,
};

static const struct kt_aptpl_port port_loop = {
	.init_fabric = "loopback", .target_fabric = "loopback",
	.target_node = SAS_T, .tpgt = 1, .mapped_lun = 5, .target_lun = 5,
};

/*
 * The file for known_state(), written out from the format: blocks in
 * slot order numbered from 0, the ISID only where there is one, the
 * type and scope (two hex digits) only in the holder's block.
 */
static const char known_text[] =
	"PR_REG_START: 0\n"
	"initiator_fabric=iSCSI\n"
	"initiator_node=" NAME_A "\n"
	"initiator_sid=400001370000\n"
	"sa_res_key=4386\n"
	"res_holder=1\n"
	"res_type=01\n"
	"res_scope=00\n"
	"res_all_tg_pt=0\n"
	"mapped_lun=0\n"
	"target_fabric=iSCSI\n"
	"target_node=" TGT "\n"
	"tpgt=1\n"
	"port_rtpi=1\n"
	"target_lun=3\n"
	"PR_REG_END: 0\n"
	"PR_REG_START: 1\n"
	"initiator_fabric=iSCSI\n"
	"initiator_node=" NAME_B "\n"
	"sa_res_key=18446744073709551615\n"
	"res_holder=0\n"
	"res_all_tg_pt=1\n"
	"mapped_lun=0\n"
	"target_fabric=iSCSI\n"
	"target_node=" TGT "\n"
	"tpgt=1\n"
	"port_rtpi=2\n"
	"target_lun=3\n"
	"PR_REG_END: 1\n"
	"PR_REG_START: 2\n"
	"initiator_fabric=loopback\n"
	"initiator_node=" SAS_I "\n"
	"sa_res_key=7\n"
	"res_holder=0\n"
	"res_all_tg_pt=0\n"
	"mapped_lun=5\n"
	"target_fabric=loopback\n"
	"target_node=" SAS_T "\n"
	"tpgt=1\n"
	"port_rtpi=3\n"
	"target_lun=5\n"
	"PR_REG_END: 2\n";

/* What rtslib writes to res_aptpl_metadata for block 1 of known_text */
#define TGT_ITEMS(rtpi, lun) \
	",target_fabric=iSCSI,target_node=" TGT ",tpgt=1,port_rtpi=" rtpi ",target_lun=" lun
static const char rtslib_line[] =
	"1,initiator_fabric=iSCSI,initiator_node=" NAME_B
	",sa_res_key=18446744073709551615,res_holder=0,res_all_tg_pt=1,mapped_lun=0"
	TGT_ITEMS("2", "3") ",1";

/* Valid lines without the block numbers, for the error cases */
#define LINE_HEAD	"initiator_node=" NAME_A ",sa_res_key=1,res_holder=0,"
#define LINE_TAIL	"res_all_tg_pt=0,mapped_lun=0,target_node=" TGT \
			",tpgt=1,port_rtpi=1,target_lun=0"
#define LINE_NODE	"initiator_node=" NAME_A
#define LINE_KEY(k)	LINE_NODE ",sa_res_key=" k ",res_holder=0," LINE_TAIL
#define LINE_HOLD(k, t, s) \
	LINE_NODE ",sa_res_key=" k ",res_holder=1," LINE_TAIL ",res_type=" t ",res_scope=" s
#define LINE_LUN(m)	LINE_HEAD "res_all_tg_pt=0,mapped_lun=" m \
			",target_node=" TGT ",tpgt=1,port_rtpi=1,target_lun=0"
#define F33		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"

static void put_reg(int slot, const struct kt_pr_tid *t, u16 rtpi, u64 key,
		    bool atp, const struct kt_aptpl_port *p)
{
	struct kt_pr_reg *r = &st.regs[slot];

	r->nexus.init = *t;
	r->nexus.rtpi = rtpi;
	r->key = key;
	r->used = true;
	r->all_tg_pt = atp;
	st.nregs++;
	ports[slot] = *p;
}

static void iscsi_tid(struct kt_pr_tid *t, const char *name, bool has,
		      u64 isid)
{
	if (kt_pr_tid_iscsi(t, name, has, isid))
		abort();
}

/* A holds WRITE EXCLUSIVE; slots 0, 2 and 5 are used (gaps on purpose) */
static void known_state(void)
{
	static const u8 sas[8] = { 0x50, 0x01, 0x40, 0x5a, 0xbc, 0xde,
				   0xf0, 0x12 };
	struct kt_pr_tid t;

	kt_pr_init(&st);
	memset(ports, 0, sizeof(ports));
	st.enforce_isids = true;
	iscsi_tid(&t, NAME_A, true, ISID_A);
	put_reg(0, &t, 1, 0x1122, false, &port_iscsi);
	iscsi_tid(&t, NAME_B, false, 0);
	put_reg(2, &t, 2, ~0ULL, true, &port_iscsi);
	if (kt_pr_tid_binary(&t, KT_PR_PROTO_SAS, sas, 8))
		abort();
	put_reg(5, &t, 3, 7, false, &port_loop);
	st.reserved = true;
	st.holder = 0;
	st.type = KT_PR_WR_EX;
	st.aptpl = true;
	st.generation = 9;
}

static u8 proto_of(const struct kt_aptpl_reg *r)
{
	return strcmp(r->init_fabric, "loopback") ? KT_PR_PROTO_ISCSI :
						    KT_PR_PROTO_SAS;
}

/* ------------------------------------------------------------------ */
/* Encoder                                                            */
/* ------------------------------------------------------------------ */

static void encode_known_state(void)
{
	u32 n;

	known_state();
	n = kt_aptpl_encode(&st, ports, text, sizeof(text));
	CHECK_EQ(n, strlen(known_text));
	CHECK_MEM(text, known_text, n);
	CHECK_EQ(kt_aptpl_encode(&st, ports, NULL, 0), n);
}

static void encode_empty(void)
{
	kt_pr_init(&st);
	memset(ports, 0, sizeof(ports));
	CHECK_EQ(kt_aptpl_encode(&st, ports, text, sizeof(text)),
		 strlen(KT_APTPL_EMPTY));
	CHECK_MEM(text, "No Registrations or Reservations",
		  strlen(KT_APTPL_EMPTY));
}

/* Every capacity: the full length back, nothing written past @cap */
static void encode_truncated_canary(void)
{
	u32 full, cap, i;

	known_state();
	full = kt_aptpl_encode(&st, ports, NULL, 0);
	for (cap = 0; cap <= full; cap++) {
		memset(text, 0xa5, full + 16);
		CHECK_EQ(kt_aptpl_encode(&st, ports, text, cap), full);
		CHECK_MEM(text, known_text, cap);
		for (i = cap; i < full + 16; i++)
			if ((u8)text[i] != 0xa5) {
				FAIL("cap %u: byte %u written", cap, i);
				return;
			}
	}
}

static void encode_bad_port(void)
{
	char longname[KT_APTPL_FABRIC_MAX + 2];

	known_state();
	memset(text, 0xa5, 64);
	ports[2].target_node = NULL;
	CHECK_EQ(kt_aptpl_encode(&st, ports, text, sizeof(text)), 0);
	ports[2].target_node = "iqn.x,y";
	CHECK_EQ(kt_aptpl_encode(&st, ports, text, sizeof(text)), 0);
	ports[2].target_node = "iqn x";
	CHECK_EQ(kt_aptpl_encode(&st, ports, text, sizeof(text)), 0);
	ports[2].target_node = TGT;
	memset(longname, 'f', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	ports[5].init_fabric = longname;
	CHECK_EQ(kt_aptpl_encode(&st, ports, text, sizeof(text)), 0);
	ports[5].init_fabric = "";
	CHECK_EQ(kt_aptpl_encode(&st, ports, text, sizeof(text)), 0);
	CHECK_EQ((u8)text[0], 0xa5);
	/* an unused slot's port is never read */
	ports[5].init_fabric = "loopback";
	ports[7].target_node = NULL;
	CHECK_EQ(kt_aptpl_encode(&st, ports, text, sizeof(text)),
		 strlen(known_text));
}

/* The longest names and numbers in every slot stay within the bounds */
static void encode_worst_case(void)
{
	static char iname[KT_PR_NAME_MAX + 1], tname[KT_PR_NAME_MAX + 1];
	static char fab[KT_APTPL_FABRIC_MAX + 1];
	struct kt_aptpl_port p = { fab, fab, tname, 0xffff, ~0ULL, ~0ULL };
	struct kt_pr_tid t;
	unsigned int n;
	u32 len, off;
	int i;

	memset(iname, 'i', KT_PR_NAME_MAX);
	memset(tname, 't', KT_PR_NAME_MAX);
	memset(fab, 'F', KT_APTPL_FABRIC_MAX);
	kt_pr_init(&st);
	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		iname[0] = 'a' + i % 26;
		iname[1] = 'a' + i / 26;
		iscsi_tid(&t, iname, true, 0xffffffffffffULL);
		put_reg(i, &t, 0xffff, ~0ULL, true, &p);
	}
	st.reserved = true;
	st.type = KT_PR_EX_AC_AR;
	len = kt_aptpl_encode(&st, ports, text, sizeof(text));
	CHECK(len > 0 && len <= KT_APTPL_MAX);
	CHECK(len / KT_PR_MAX_REGS + 32 <= KT_APTPL_REG_MAX);
	CHECK_EQ(kt_aptpl_parse_file(text, len, regs, KT_PR_MAX_REGS, &n,
				     &off), 0);
	CHECK_EQ(n, KT_PR_MAX_REGS);
	CHECK(regs[0].holder && !regs[1].holder);
	CHECK_EQ(regs[0].type, KT_PR_EX_AC_AR);
	CHECK_EQ(strlen(regs[127].init_node), KT_PR_NAME_MAX);
	CHECK_EQ(regs[127].mapped_lun, ~0ULL);
}

/* ------------------------------------------------------------------ */
/* Parsers                                                            */
/* ------------------------------------------------------------------ */

static void check_known_regs(void)
{
	CHECK(!strcmp(regs[0].init_fabric, "iSCSI"));
	CHECK(!strcmp(regs[0].init_node, NAME_A));
	CHECK(regs[0].has_isid);
	CHECK_EQ(regs[0].isid, ISID_A);
	CHECK_EQ(regs[0].key, 0x1122);
	CHECK(regs[0].holder && !regs[0].all_tg_pt);
	CHECK_EQ(regs[0].type, KT_PR_WR_EX);
	CHECK_EQ(regs[0].scope, KT_PR_LU_SCOPE);
	CHECK(!strcmp(regs[0].target_node, TGT));
	CHECK_EQ(regs[0].rtpi, 1);
	CHECK_EQ(regs[0].target_lun, 3);
	CHECK(!regs[1].has_isid && !regs[1].holder && regs[1].all_tg_pt);
	CHECK_EQ(regs[1].key, ~0ULL);
	CHECK_EQ(regs[1].rtpi, 2);
	CHECK(!strcmp(regs[2].init_node, SAS_I));
	CHECK(!strcmp(regs[2].target_fabric, "loopback"));
	CHECK_EQ(regs[2].mapped_lun, 5);
	CHECK_EQ(regs[2].tpgt, 1);
}

static void parse_file_known(void)
{
	unsigned int n;
	u32 off;

	CHECK_EQ(kt_aptpl_parse_file(known_text, strlen(known_text), regs,
				     KT_PR_MAX_REGS, &n, &off), 0);
	CHECK_EQ(n, 3);
	check_known_regs();
}

/* A record not applied yet is written back exactly as it was read */
static void encode_reg_known(void)
{
	unsigned int n, i;
	u32 off, len = 0, l;

	CHECK_EQ(kt_aptpl_parse_file(known_text, strlen(known_text), regs,
				     KT_PR_MAX_REGS, &n, &off), 0);
	for (i = 0; i < n; i++) {
		l = kt_aptpl_encode_reg(&regs[i], i, text + len,
					sizeof(text) - len);
		CHECK(l > 0);
		CHECK_EQ(kt_aptpl_encode_reg(&regs[i], i, NULL, 0), l);
		len += l;
	}
	CHECK_EQ(len, strlen(known_text));
	CHECK(!memcmp(text, known_text, len));
	/* bounded: a short buffer gets a prefix and the full length */
	memset(text, 'X', 16);
	CHECK_EQ(kt_aptpl_encode_reg(&regs[0], 0, text, 8),
		 kt_aptpl_encode_reg(&regs[0], 0, NULL, 0));
	CHECK(!memcmp(text, "PR_REG_S", 8) && text[8] == 'X');
	/* an unfit name writes nothing */
	regs[0].init_node[3] = ',';
	CHECK_EQ(kt_aptpl_encode_reg(&regs[0], 0, text, sizeof(text)), 0);
	regs[0].init_node[0] = 0;
	CHECK_EQ(kt_aptpl_encode_reg(&regs[0], 0, text, sizeof(text)), 0);
}

/* A registration set aside is the record its block in the file gives */
static void reg_of_matches_file(void)
{
	struct kt_aptpl_reg r;
	unsigned int n;
	u32 off, len, l = 0;
	int i, k = 0;

	known_state();
	len = kt_aptpl_encode(&st, ports, text, sizeof(text));
	CHECK_EQ(kt_aptpl_parse_file(text, len, regs, KT_PR_MAX_REGS, &n,
				     &off), 0);
	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		if (!st.regs[i].used)
			continue;
		CHECK_EQ(kt_aptpl_reg_of(&st, i, &ports[i], &r), 0);
		CHECK(!memcmp(&r, &regs[k], sizeof(r)));
		l += kt_aptpl_encode_reg(&r, k, text + len + l, 4096);
		k++;
	}
	CHECK_EQ(k, n);
	CHECK_EQ(l, len);
	CHECK(!memcmp(text, text + len, len));
	CHECK_EQ(kt_aptpl_reg_of(&st, KT_PR_MAX_REGS - 1, &ports[0], &r),
		 -EINVAL);
	CHECK_EQ(kt_aptpl_reg_of(&st, -1, &ports[0], &r), -EINVAL);
}

/* Encode, parse, restore: the same registrations and reservation */
static void round_trip(void)
{
	struct kt_pr_nexus nx;
	unsigned int n, i;
	u32 len, off, f1, f2;
	int slot;

	known_state();
	len = kt_aptpl_encode(&st, ports, text, sizeof(text));
	CHECK_EQ(kt_aptpl_parse_file(text, len, regs, KT_PR_MAX_REGS, &n,
				     &off), 0);
	CHECK_EQ(n, 3);
	kt_pr_init(&st2);
	st2.enforce_isids = true;
	for (i = 0; i < n; i++)
		CHECK_EQ(kt_aptpl_apply(&st2, &regs[i], proto_of(&regs[i]),
					regs[i].rtpi), 0);
	CHECK_EQ(st2.nregs, 3);
	CHECK_EQ(st2.generation, 0);	/* as after a power on */
	CHECK(st2.aptpl && st2.reserved);
	CHECK_EQ(st2.type, KT_PR_WR_EX);
	for (i = 0; i < KT_PR_MAX_REGS; i++) {
		if (!st.regs[i].used)
			continue;
		nx = st.regs[i].nexus;
		slot = kt_pr_find(&st2, &nx);
		CHECK(slot >= 0);
		CHECK_EQ(st2.regs[slot].key, st.regs[i].key);
		CHECK_EQ(st2.regs[slot].all_tg_pt, st.regs[i].all_tg_pt);
		CHECK_EQ(kt_pr_is_holder(&st2, slot),
			 kt_pr_is_holder(&st, i));
	}
	/* and the file of the restored state is the same text */
	memset(ports, 0, sizeof(ports));
	ports[0] = port_iscsi;
	ports[1] = port_iscsi;
	ports[2] = port_loop;
	CHECK_EQ(kt_aptpl_encode(&st2, ports, (char *)full1, sizeof(full1)),
		 len);
	CHECK_MEM(full1, known_text, len);
	/* READ FULL STATUS agrees but for PRGENERATION */
	kt_pr_init(&saved);
	CHECK_ST(kt_pr_in(&st, KT_PRI_READ_FULL_STATUS, full1, sizeof(full1),
			  &f1), KT_OK);
	CHECK_ST(kt_pr_in(&st2, KT_PRI_READ_FULL_STATUS, full2,
			  sizeof(full2), &f2), KT_OK);
	CHECK_EQ(f1, f2);
	CHECK_MEM(full1 + 4, full2 + 4, f1 - 4);
}

static void parse_file_variants(void)
{
	unsigned int n;
	u32 len = strlen(known_text), off;

	memcpy(text, known_text, len);
	/* LIO writes the string's NUL too; the last newline may be gone */
	text[len] = 0;
	CHECK_EQ(kt_aptpl_parse_file(text, len + 1, regs, 3, &n, &off), 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(kt_aptpl_parse_file(text, len - 1, regs, 3, &n, &off), 0);
	CHECK_EQ(n, 3);
	check_known_regs();
	CHECK_OK();
	CHECK_EQ(kt_aptpl_parse_file("No Registrations or Reservations", 32,
				     regs, 3, &n, &off), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(kt_aptpl_parse_file("No Registrations or Reservations\n\0",
				     34, regs, 3, &n, &off), 0);
	CHECK_EQ(n, 0);
}

static void parse_line_rtslib(void)
{
	static const char hexkey[] = LINE_HEAD LINE_TAIL;
	char buf[1024];
	u32 off;

	CHECK_EQ(kt_aptpl_parse_line(rtslib_line, strlen(rtslib_line),
				     &regs[1], &off), 0);
	CHECK(!strcmp(regs[1].init_node, NAME_B));
	CHECK_EQ(regs[1].key, ~0ULL);
	CHECK(regs[1].all_tg_pt && !regs[1].holder && !regs[1].has_isid);
	CHECK_EQ(regs[1].rtpi, 2);
	CHECK_EQ(regs[1].target_lun, 3);
	/* echo adds a newline */
	snprintf(buf, sizeof(buf), "%s\n", rtslib_line);
	CHECK_EQ(kt_aptpl_parse_line(buf, strlen(buf), &regs[0], &off), 0);
	CHECK_EQ(regs[0].rtpi, 2);
	/* without block numbers, fabrics, and with a hex key */
	CHECK_EQ(kt_aptpl_parse_line(hexkey, strlen(hexkey), &regs[0], &off),
		 0);
	CHECK_EQ(regs[0].init_fabric[0], 0);
	snprintf(buf, sizeof(buf), "%s",
		 LINE_HOLD("2", "08", "00") ",initiator_sid=40000137000a");
	CHECK_EQ(kt_aptpl_parse_line(buf, strlen(buf), &regs[0], &off), 0);
	CHECK(regs[0].holder && regs[0].has_isid);
	CHECK_EQ(regs[0].isid, 0x40000137000aULL);
	CHECK_EQ(regs[0].type, KT_PR_EX_AC_AR);
	CHECK_EQ(regs[0].key, 2);
	snprintf(buf, sizeof(buf), "%s", LINE_KEY("0xFFffffffffffffff"));
	CHECK_EQ(kt_aptpl_parse_line(buf, strlen(buf), &regs[0], &off), 0);
	CHECK_EQ(regs[0].key, ~0ULL);
}

/* @line must fail with @err at the offset of @at in it (NULL: its end) */
static void line_err(const char *line, int err, const char *at)
{
	u32 off = 12345;
	const char *p = at ? strstr(line, at) : line + strlen(line);
	int ret = kt_aptpl_parse_line(line, strlen(line), &regs[0], &off);

	if (ret != err || !p || off != (u32)(p - line))
		FAIL("%s: got %d at %u, want %d at %ld", line, ret, off, err,
		     p ? (long)(p - line) : -1L);
}

static void parse_line_errors(void)
{
	char buf[1024], name[KT_PR_NAME_MAX + 2];
	u32 off;

	line_err(LINE_HEAD LINE_TAIL ",foo=1", -EINVAL, "foo=1");
	CHECK_OK();
	line_err(LINE_HEAD "Res_holder=0," LINE_TAIL, -EINVAL, "Res_");
	CHECK_OK();
	line_err(LINE_HEAD LINE_TAIL ",tpgt=2", -EINVAL, "tpgt=2");
	CHECK_OK();
	line_err("," LINE_HEAD LINE_TAIL, -EINVAL, ",");	/* empty item */
	CHECK_OK();
	line_err(LINE_HEAD ",=1," LINE_TAIL, -EINVAL, ",=1,");
	CHECK_OK();
	line_err(LINE_HEAD LINE_TAIL ",", -EINVAL, NULL);
	CHECK_OK();
	line_err(LINE_HEAD "7," LINE_TAIL, -EINVAL, "7,");
	CHECK_OK();
	line_err(LINE_NODE ",res_holder=0," LINE_TAIL, -EINVAL, NULL);
	/* (no sa_res_key) */
	CHECK_OK();
	line_err("0," LINE_HEAD "res_all_tg_pt=0,mapped_lun=0,target_node=" TGT
		 ",tpgt=1,port_rtpi=1,0", -EINVAL, NULL);
	CHECK_OK();		/* no target_lun */
	line_err(LINE_NODE ",sa_res_key=1,res_holder=1," LINE_TAIL
		 ",res_type=01", -EINVAL, NULL);
	CHECK_OK();		/* holder without res_scope */
	line_err(LINE_HEAD LINE_TAIL ",res_type=03", -EINVAL, "res_type");
	CHECK_OK();		/* a type without the reservation */
	line_err(LINE_KEY("0"), -ERANGE, "sa_res_key");
	CHECK_OK();
	line_err(LINE_KEY("18446744073709551616"), -ERANGE, "sa_res_key");
	CHECK_OK();
	line_err(LINE_KEY("0x10000000000000000"), -ERANGE, "sa_res_key");
	CHECK_OK();
	line_err(LINE_KEY("0x"), -EINVAL, "sa_res_key");
	CHECK_OK();
	line_err(LINE_KEY("12a"), -EINVAL, "sa_res_key");
	CHECK_OK();
	line_err(LINE_KEY(""), -EINVAL, "sa_res_key");
	CHECK_OK();
	line_err(LINE_NODE ",sa_res_key=1,res_holder=2," LINE_TAIL, -ERANGE,
		 "res_holder");
	CHECK_OK();
	line_err(LINE_HEAD LINE_TAIL ",tpgt=65536", -EINVAL, "tpgt=65536");
	CHECK_OK();		/* the second tpgt is a duplicate first */
	line_err(LINE_HEAD "res_all_tg_pt=0,mapped_lun=0,target_node=" TGT
		 ",tpgt=65536,port_rtpi=1,target_lun=0", -ERANGE, "tpgt=");
	CHECK_OK();
	line_err(LINE_LUN("-1"), -EINVAL, "mapped_lun");
	CHECK_OK();
	line_err(LINE_LUN("000000000000000000001"), -ERANGE, "mapped_lun");
	CHECK_OK();
	line_err(LINE_HOLD("1", "02", "00"), -ERANGE, "res_type");
	CHECK_OK();
	line_err(LINE_HOLD("1", "1", "01"), -ERANGE, "res_scope");
	CHECK_OK();
	line_err(LINE_HEAD LINE_TAIL ",initiator_sid=4000013700001",
		 -ERANGE, "initiator_sid");
	CHECK_OK();
	line_err(LINE_HEAD LINE_TAIL ",initiator_sid=40000g", -EINVAL,
		 "initiator_sid");
	CHECK_OK();
	line_err(LINE_HEAD LINE_TAIL ",target_fabric=", -EINVAL,
		 "target_fabric");
	CHECK_OK();
	line_err(LINE_HEAD LINE_TAIL ",initiator_fabric=" F33, -ENAMETOOLONG,
		 "initiator_fabric");
	CHECK_OK();
	line_err(LINE_HEAD LINE_TAIL ",target_fabric=i SCSI", -EINVAL,
		 "target_fabric");
	CHECK_OK();
	/* a name one byte too long, then one of exactly the maximum */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	snprintf(buf, sizeof(buf), "sa_res_key=1,res_holder=0," LINE_TAIL
		 ",initiator_node=%s", name);
	line_err(buf, -ENAMETOOLONG, "initiator_node");
	CHECK_OK();
	name[KT_PR_NAME_MAX] = 0;
	snprintf(buf, sizeof(buf), "sa_res_key=1,res_holder=0," LINE_TAIL
		 ",initiator_node=%s", name);
	CHECK_EQ(kt_aptpl_parse_line(buf, strlen(buf), &regs[0], &off), 0);
	CHECK_EQ(strlen(regs[0].init_node), KT_PR_NAME_MAX);
	line_err("", -EINVAL, NULL);
	CHECK_OK();
	line_err("\n", -EINVAL, "\n");
}

/* @t must fail with @err at the offset of @at (NULL: the end) */
static void file_err(const char *t, u32 len, unsigned int max, int err,
		     const char *at)
{
	u32 off = 12345, want = at ? (u32)(strstr(t, at) - t) : len;
	unsigned int n = 77;
	int ret = kt_aptpl_parse_file(t, len, regs, max, &n, &off);

	if (ret != err || off != want || n)
		FAIL("got %d at %u (n %u), want %d at %u", ret, off, n, err,
		     want);
}

static char *edit(const char *from, const char *to)
{
	const char *p = strstr(known_text, from);
	size_t a = p - known_text;

	memcpy(text, known_text, a);
	strcpy(text + a, to);
	strcat(text, p + strlen(from));
	return text;
}

static void parse_file_errors(void)
{
	u32 len = strlen(known_text), cut, b2;
	unsigned int n;
	u32 off;

	file_err(known_text, len, 2, -ENOSPC, "PR_REG_START: 2");
	CHECK_OK();
	file_err("", 0, 3, -EINVAL, NULL);
	CHECK_OK();
	file_err("\0\0", 2, 3, -EINVAL, "");
	CHECK_OK();
	file_err(edit("PR_REG_START: 0", "PR_REG_START: 1"), strlen(text), 3,
		 -EINVAL, "PR_REG_START: 1");
	CHECK_OK();
	file_err(edit("PR_REG_END: 1", "PR_REG_END: 2"), strlen(text), 3,
		 -EINVAL, "PR_REG_END: 2");
	CHECK_OK();
	file_err(edit("PR_REG_START: 2", "PR_REG_START:2"), strlen(text), 3,
		 -EINVAL, "PR_REG_START:2");
	CHECK_OK();
	/* the blank line itself is where it goes wrong */
	file_err(edit("PR_REG_END: 0\n", "PR_REG_END: 0\n\n"), strlen(text),
		 3, -EINVAL, "\nPR_REG_START: 1");
	CHECK_OK();
	file_err(edit("tpgt=1\nport_rtpi=2", "tpgt=1\ntpgt=1\nport_rtpi=2"),
		 strlen(text), 3, -EINVAL, "tpgt=1\nport_rtpi=2");
	CHECK_OK();
	file_err(edit("res_all_tg_pt=1", "res_all_tg_pt=1 "), strlen(text),
		 3, -EINVAL, "res_all_tg_pt=1 ");
	CHECK_OK();
	file_err(edit("port_rtpi=3\n", ""), strlen(text), 3, -EINVAL,
		 "PR_REG_END: 2");
	CHECK_OK();
	file_err(edit("initiator_node=" NAME_B, "initiator_node=a,b"),
		 strlen(text), 3, -EINVAL, "initiator_node=a,b");
	CHECK_OK();
	/* every cut inside a block is an error at or before the cut */
	b2 = strstr(known_text, "PR_REG_START: 1") - known_text;
	for (cut = 1; cut < b2 - 1; cut++) {
		n = 77;
		if (!kt_aptpl_parse_file(known_text, cut, regs, 3, &n, &off) ||
		    n || off > cut) {
			FAIL("cut at %u: n %u off %u", cut, n, off);
			return;
		}
	}
	/* a cut after an item line is "truncated", at the end */
	cut = strstr(known_text, "tpgt=1\n") - known_text + 7;
	file_err(known_text, cut, 3, -EINVAL, NULL);
	CHECK_OK();
	/* cut at a block boundary: the blocks before it */
	CHECK_EQ(kt_aptpl_parse_file(known_text, b2, regs, 3, &n, &off), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(kt_aptpl_parse_file(known_text, b2 - 1, regs, 3, &n, &off),
		 0);
	CHECK_EQ(n, 1);
}

/* ------------------------------------------------------------------ */
/* Restoring                                                          */
/* ------------------------------------------------------------------ */

static void tid_names(void)
{
	static const u8 fc[8] = { 0x21, 0, 0, 0x24, 0xff, 0x5a, 0x11, 0x22 };
	static const u8 srp[16] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
				    0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
				    0xee, 0xff };
	struct kt_aptpl_reg r;
	struct kt_pr_tid t;

	memset(&r, 0, sizeof(r));
	strcpy(r.init_node, "21:00:00:24:ff:5a:11:22");
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_FC, &t), 0);
	CHECK_EQ(t.proto, KT_PR_PROTO_FC);
	CHECK_MEM(t.id, fc, 8);
	strcpy(r.init_node, "0x00112233445566778899AABBCCDDEEFF");
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_SRP, &t), 0);
	CHECK_MEM(t.id, srp, 16);
	strcpy(r.init_node, "naa.2100002)ff5a1122");
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_SAS, &t), -EINVAL);
	strcpy(r.init_node, "naa.21000024ff5a11");
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_SAS, &t), -EINVAL);
	strcpy(r.init_node, "naa.21000024ff5a112233");
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_SAS, &t), -EINVAL);
	strcpy(r.init_node, "21:00:00:24:ff:5a:11:22:");
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_FC, &t), -EINVAL);
	strcpy(r.init_node, "2:100:00:24:ff:5a:11:22");
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_FC, &t), -EINVAL);
	strcpy(r.init_node, "21000024ff5a1122");
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_ISCSI + 7, &t), -EINVAL);
	r.has_isid = true;	/* an ISID is iSCSI's only */
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_FC, &t), -EINVAL);
	CHECK_EQ(kt_aptpl_tid(&r, KT_PR_PROTO_ISCSI, &t), 0);
}

static void parse_known(void)
{
	unsigned int n;
	u32 off;

	if (kt_aptpl_parse_file(known_text, strlen(known_text), regs,
				KT_PR_MAX_REGS, &n, &off) || n != 3)
		abort();
	kt_pr_init(&st2);
	st2.enforce_isids = true;
}

static void apply_refuses(void)
{
	struct kt_aptpl_reg r;

	parse_known();
	CHECK_EQ(kt_aptpl_apply(&st2, &regs[0], KT_PR_PROTO_ISCSI, 1), 0);
	saved = st2;
	/* the same nexus again, holder or not */
	CHECK_EQ(kt_aptpl_apply(&st2, &regs[0], KT_PR_PROTO_ISCSI, 1),
		 -EEXIST);
	r = regs[0];
	r.holder = false;
	CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, 1), -EEXIST);
	/* a second holder of a WRITE EXCLUSIVE reservation */
	r = regs[1];
	r.holder = true;
	r.type = KT_PR_WR_EX;
	CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, 2), -EBUSY);
	/* records the parsers never produce */
	r.type = 2;
	CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, 2), -EINVAL);
	r = regs[1];
	r.key = 0;
	CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, 2), -EINVAL);
	/* an iSCSI name is no SAS address */
	CHECK_EQ(kt_aptpl_apply(&st2, &regs[1], KT_PR_PROTO_SAS, 2), -EINVAL);
	CHECK_MEM(&st2, &saved, sizeof(st2));
	CHECK_EQ(kt_aptpl_apply(&st2, &regs[1], KT_PR_PROTO_ISCSI, 2), 0);
	CHECK_EQ(kt_aptpl_apply(&st2, &regs[2], KT_PR_PROTO_SAS, 3), 0);
	CHECK_EQ(st2.nregs, 3);
	CHECK(kt_pr_is_holder(&st2, 0) && !kt_pr_is_holder(&st2, 1));
}

/* All registrants: every holder record of the same type joins in */
static void apply_all_registrants(void)
{
	struct kt_aptpl_reg r;
	struct kt_pr_nexus nx;

	parse_known();
	r = regs[0];
	r.type = KT_PR_WR_EX_AR;
	CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, 1), 0);
	r = regs[1];
	r.holder = true;
	r.type = KT_PR_EX_AC_AR;
	CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, 2), -EBUSY);
	r.type = KT_PR_WR_EX_AR;
	CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, 2), 0);
	CHECK_EQ(kt_aptpl_apply(&st2, &regs[2], KT_PR_PROTO_SAS, 3), 0);
	CHECK(kt_pr_is_holder(&st2, 2));
	/* a holder can write, an unregistered nexus cannot */
	nx = st2.regs[2].nexus;
	CHECK_ST(kt_pr_check(&st2, &nx, KT_PR_CLS_WRITE), KT_OK);
	nx.rtpi = 9;
	CHECK_ST(kt_pr_check(&st2, &nx, KT_PR_CLS_WRITE),
		 KT_S_RESERVATION_CONFLICT);
}

static void apply_capacity(void)
{
	struct kt_aptpl_reg r;
	int i;

	parse_known();
	r = regs[1];
	for (i = 0; i < KT_PR_MAX_REGS; i++)
		CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, i + 1), 0);
	saved = st2;
	CHECK_EQ(kt_aptpl_apply(&st2, &r, KT_PR_PROTO_ISCSI, 1000), -ENOSPC);
	CHECK_MEM(&st2, &saved, sizeof(st2));
}

/*
 * A state pr.c made (REGISTER with APTPL, RESERVE, an ALL_TG_PT
 * registration on two ports) comes back as it was.
 */
static kt_status_t pro(const struct kt_pr_nexus *n, u8 sa, u8 type, u64 rk,
		       u64 sark, u8 flags, const u16 *all, unsigned int nall)
{
	u8 p[24] = { 0 };
	struct kt_pr_out_req req = {
		.nexus = n, .sa = sa, .type = type, .param = p, .len = 24,
		.ports = all, .nports = nall,
	};

	put_unaligned_be64(rk, p);
	put_unaligned_be64(sark, p + 8);
	p[20] = flags;
	return kt_pr_out(&st, &req, &fx);
}

static void round_trip_pr_made(void)
{
	static const u16 all[] = { 1, 2 };
	struct kt_pr_nexus a = { .rtpi = 1 }, b = { .rtpi = 1 };
	unsigned int n, i;
	u32 len, off, f1, f2;

	kt_pr_init(&st);
	st.enforce_isids = true;
	iscsi_tid(&a.init, NAME_A, true, ISID_A);
	iscsi_tid(&b.init, NAME_B, true, 1);
	CHECK_ST(pro(&a, KT_PRO_REGISTER, 0, 0, 0xaa, 0x01, all, 2), KT_OK);
	CHECK_ST(pro(&b, KT_PRO_REGISTER, 0, 0, 0xbb, 0x05, all, 2), KT_OK);
	CHECK_ST(pro(&a, KT_PRO_RESERVE, KT_PR_EX_AC_RO, 0xaa, 0, 0, all, 2),
		 KT_OK);
	CHECK_EQ(st.nregs, 3);
	memset(ports, 0, sizeof(ports));
	for (i = 0; i < 3; i++)
		ports[i] = port_iscsi;
	len = kt_aptpl_encode(&st, ports, text, sizeof(text));
	CHECK_EQ(kt_aptpl_parse_file(text, len, regs, 3, &n, &off), 0);
	kt_pr_init(&st2);
	st2.enforce_isids = true;
	for (i = 0; i < n; i++)
		CHECK_EQ(kt_aptpl_apply(&st2, &regs[i], KT_PR_PROTO_ISCSI,
					regs[i].rtpi), 0);
	CHECK_ST(kt_pr_in(&st, KT_PRI_READ_FULL_STATUS, full1, sizeof(full1),
			  &f1), KT_OK);
	CHECK_ST(kt_pr_in(&st2, KT_PRI_READ_FULL_STATUS, full2,
			  sizeof(full2), &f2), KT_OK);
	CHECK_EQ(f1, f2);
	CHECK_MEM(full1 + 4, full2 + 4, f1 - 4);
	CHECK_EQ(st2.type, KT_PR_EX_AC_RO);
	CHECK(st2.aptpl);
}

static const struct kt_test tests[] = {
	KT_TEST(encode_known_state),
	KT_TEST(encode_empty),
	KT_TEST(encode_truncated_canary),
	KT_TEST(encode_bad_port),
	KT_TEST(encode_worst_case),
	KT_TEST(parse_file_known),
	KT_TEST(round_trip),
	KT_TEST(parse_file_variants),
	KT_TEST(parse_line_rtslib),
	KT_TEST(parse_line_errors),
	KT_TEST(parse_file_errors),
	KT_TEST(tid_names),
	KT_TEST(apply_refuses),
	KT_TEST(apply_all_registrants),
	KT_TEST(apply_capacity),
	KT_TEST(round_trip_pr_made),
	KT_TEST(encode_reg_known),
	KT_TEST(reg_of_matches_file),
};

int main(void)
{
	return kt_test_run("aptpl", tests, ARRAY_SIZE(tests));
}
