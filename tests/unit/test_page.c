// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the response pages of core/wire/page.c: standard
 * INQUIRY, the VPD pages (0x83 with the longest strings configfs takes),
 * MODE SENSE, the MODE SELECT parameter list, READ CAPACITY.  Every page
 * is built into a buffer of exactly the capacity handed over, so ASan
 * reports any write past it.
 */
#include <stdlib.h>
#include "test.h"

static const u8 vpd_pages[] = { 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2 };

static void fill_str(char *dst, size_t n, char c)
{
	memset(dst, c, n);
	dst[n] = 0;
}

/* A LU with the longest strings configfs accepts and an iSCSI name */
static void lu_long(struct kt_lu_info *lu, size_t serial, size_t target)
{
	size_t i;

	memset(lu, 0, sizeof(*lu));
	strcpy(lu->vendor, "VENDOR01");
	strcpy(lu->product, "PRODUCT-16-CHARS");
	strcpy(lu->revision, "4.0X");
	for (i = 0; i < serial; i++)
		lu->serial[i] = "0123456789abcdef"[i % 16];
	memcpy(lu->target, "iqn.2003-01.org.example:", 24);
	fill_str(lu->target + 24, target - 24, 't');
	lu->company_id = 0x001405;
	lu->tpgt = 0x1234;
	lu->rtpi = 7;
}

/* Build @page into a buffer of exactly @cap bytes (NULL for 0). */
static u32 build_vpd(u8 page, const struct kt_lu_info *lu, u8 **out, u32 cap)
{
	u8 *buf = cap ? malloc(cap) : NULL;
	u32 len = kt_inq_vpd(page, lu, buf, cap);

	*out = buf;
	return len;
}

struct desig {
	u8 code_set, type, assoc, len;
	const u8 *body;
};

/* Walk the designators of VPD 0x83 page @p (@len bytes); -1 if malformed */
static int walk_designators(const u8 *p, u32 len, struct desig *d, int max)
{
	u32 off = 4;
	int n = 0;

	if (len < 4 || get_unaligned_be16(p + 2) != len - 4)
		return -1;
	while (off < len) {
		if (len - off < 4 || n == max)
			return -1;
		d[n].code_set = p[off] & 0x0f;
		d[n].assoc = (p[off + 1] >> 4) & 3;
		d[n].type = p[off + 1] & 0x0f;
		d[n].len = p[off + 3];
		d[n].body = p + off + 4;
		if (d[n].len > len - off - 4)
			return -1;
		off += 4 + d[n].len;
		n++;
	}
	return n;
}

/* Issue 7 defect 1: a 200-byte serial and a 199-byte target name */
static void vpd83_long_serial_and_name(void)
{
	struct kt_lu_info lu;
	struct desig d[8];
	char want[300];
	u32 need, got;
	u8 *buf;
	int n;

	lu_long(&lu, 200, 199);
	need = kt_inq_vpd(0x83, &lu, NULL, 0);
	CHECK(need > 512);		/* the old fixed buffer */
	CHECK(need <= KT_INQ_RESP_MAX);
	got = build_vpd(0x83, &lu, &buf, need);
	CHECK_EQ(got, need);
	n = walk_designators(buf, need, d, 8);
	CHECK_EQ(n, 5);
	/* NAA 6, company id, then the serial's hex digits */
	CHECK_EQ(d[0].type, 3);
	CHECK_EQ(d[0].len, 16);
	CHECK_EQ(d[0].body[0], 0x60);
	CHECK_EQ(d[0].body[1], 0x01);
	CHECK_EQ(d[0].body[2], 0x40);
	CHECK_EQ(d[0].body[3], 0x50);
	CHECK_EQ(d[0].body[4], 0x00);	/* the serial starts at nibble 9 */
	CHECK_EQ(d[0].body[5], 0x12);
	/* T10 vendor id: vendor + the whole 200-byte serial */
	CHECK_EQ(d[1].type, 1);
	CHECK_EQ(d[1].len, 8 + 200);
	CHECK_MEM(d[1].body, "VENDOR01", 8);
	CHECK_MEM(d[1].body + 8, lu.serial, 200);
	/* relative target port */
	CHECK_EQ(d[2].type, 4);
	CHECK_EQ(get_unaligned_be16(d[2].body + 2), 7);
	/* target port name, then target device name */
	snprintf(want, sizeof(want), "%s,t,0x1234", lu.target);
	CHECK_EQ(d[3].type, 8);
	CHECK_EQ(d[3].assoc, 1);
	CHECK_EQ(d[3].len % 4, 0);
	CHECK(strlen(want) < d[3].len);
	CHECK_MEM(d[3].body, want, strlen(want) + 1);
	CHECK_EQ(d[4].type, 8);
	CHECK_EQ(d[4].assoc, 2);
	CHECK_MEM(d[4].body, lu.target, strlen(lu.target) + 1);
	free(buf);
}

/* ALUA: INQUIRY's TPGS field and the target port group designator */
static void alua_tpgs_and_vpd83_tpg(void)
{
	struct kt_lu_info lu;
	struct desig d[8];
	u8 std[KT_INQ_RESP_MAX];
	u32 need;
	u8 *buf;
	int n;

	lu_long(&lu, 16, 40);
	kt_inq_std(&lu, std, sizeof(std));
	CHECK_EQ(std[5] & 0x30, 0);
	lu.tpgs = 3;
	lu.tpg_valid = true;
	lu.tpg_id = 0x1234;
	kt_inq_std(&lu, std, sizeof(std));
	CHECK_EQ(std[5] & 0x30, 0x30);
	need = build_vpd(0x83, &lu, &buf, KT_INQ_RESP_MAX);
	n = walk_designators(buf, need, d, 8);
	CHECK_EQ(n, 6);
	CHECK_EQ(d[2].type, 4);
	CHECK_EQ(d[3].type, 5);		/* right after the relative port */
	CHECK_EQ(d[3].assoc, 1);
	CHECK_EQ(d[3].len, 4);
	CHECK_EQ(get_unaligned_be16(d[3].body + 2), 0x1234);
	free(buf);
}

/* The longest serial and target name configfs takes: nothing overflows */
static void vpd83_longest_strings(void)
{
	struct kt_lu_info lu;
	struct desig d[8];
	u32 need, i;
	u8 *buf;
	int n;

	lu_long(&lu, sizeof(lu.serial) - 1, sizeof(lu.target) - 1);
	lu.tpg_valid = true;	/* the largest page has the group too */
	need = kt_inq_vpd(0x83, &lu, NULL, 0);
	CHECK(need <= KT_INQ_RESP_MAX);
	lu.tpg_valid = false;
	need = kt_inq_vpd(0x83, &lu, NULL, 0);
	build_vpd(0x83, &lu, &buf, need);
	n = walk_designators(buf, need, d, 8);
	/* the names do not fit a designator: left out, never cut */
	CHECK_EQ(n, 3);
	CHECK_EQ(d[1].len, KT_DESIGNATOR_MAX);
	for (i = 0; i < (u32)n; i++)
		CHECK(d[i].len <= KT_DESIGNATOR_MAX);
	free(buf);

	/* strings that fill their arrays with no NUL at all */
	memset(lu.serial, 'A', sizeof(lu.serial));
	memset(lu.target, 'B', sizeof(lu.target));
	memset(lu.vendor, 'C', sizeof(lu.vendor));
	for (i = 0; i < sizeof(vpd_pages); i++) {
		need = kt_inq_vpd(vpd_pages[i], &lu, NULL, 0);
		CHECK(need >= 4 && need <= KT_INQ_RESP_MAX);
		CHECK_EQ(build_vpd(vpd_pages[i], &lu, &buf, need), need);
		CHECK_EQ(get_unaligned_be16(buf + 2), need - 4);
		free(buf);
	}
}

/* The longest name that still fits: 251 bytes + NUL for the device */
static void vpd83_name_limits(void)
{
	struct kt_lu_info lu;
	struct desig d[8];
	u8 *buf;
	u32 need;

	lu_long(&lu, 36, 251);
	need = build_vpd(0x83, &lu, &buf, KT_INQ_RESP_MAX);
	CHECK_EQ(walk_designators(buf, need, d, 8), 4);	/* no port name */
	CHECK_EQ(d[3].assoc, 2);
	CHECK_EQ(d[3].len, 252);
	free(buf);
	lu_long(&lu, 36, 242);	/* 242 + ",t,0x1234" + NUL = 252 */
	need = build_vpd(0x83, &lu, &buf, KT_INQ_RESP_MAX);
	CHECK_EQ(walk_designators(buf, need, d, 8), 5);
	CHECK_EQ(d[3].len, 252);
	free(buf);
	lu.target[0] = 0;
	need = build_vpd(0x83, &lu, &buf, KT_INQ_RESP_MAX);
	CHECK_EQ(walk_designators(buf, need, d, 8), 3);
	free(buf);
}

/* Any capacity gets a prefix of the full page and nothing more */
static void pages_cut_at_every_capacity(void)
{
	u8 full[KT_INQ_RESP_MAX], *buf;
	struct kt_lu_info lu;
	u32 i, cap, need;

	lu_long(&lu, 200, 199);
	for (i = 0; i <= sizeof(vpd_pages); i++) {
		if (i == sizeof(vpd_pages))
			need = kt_inq_std(&lu, full, sizeof(full));
		else
			need = kt_inq_vpd(vpd_pages[i], &lu, full, sizeof(full));
		for (cap = 0; cap <= need + 1; cap++) {
			buf = cap ? malloc(cap) : NULL;
			if (i == sizeof(vpd_pages))
				CHECK_EQ(kt_inq_std(&lu, buf, cap), need);
			else
				CHECK_EQ(kt_inq_vpd(vpd_pages[i], &lu, buf,
						    cap), need);
			CHECK_MEM(buf, full, cap < need ? cap : need);
			free(buf);
		}
	}
}

static void inquiry_std(void)
{
	struct kt_lu_info lu = { .peripheral = 0 };
	u8 buf[96];

	strcpy(lu.vendor, "LIO-ORG");
	strcpy(lu.product, "RAMDISK");
	CHECK_EQ(kt_inq_std(&lu, buf, sizeof(buf)), 74);
	CHECK_EQ(buf[2], 0x06);
	CHECK_EQ(buf[4], 74 - 5);
	CHECK_MEM(buf + 8, "LIO-ORG RAMDISK         ", 24);
	CHECK_MEM(buf + 32, "    ", 4);
	lu.peripheral = 0x7f;
	kt_inq_std(&lu, buf, sizeof(buf));
	CHECK_EQ(buf[0], 0x7f);
}

static void vpd_unknown_and_list(void)
{
	struct kt_lu_info lu;
	u8 buf[64];

	lu_long(&lu, 8, 30);
	CHECK_EQ(kt_inq_vpd(0xc7, &lu, buf, sizeof(buf)), 0);
	CHECK_EQ(kt_inq_vpd(0x00, &lu, buf, sizeof(buf)),
		 4 + sizeof(vpd_pages));
	CHECK_MEM(buf + 4, vpd_pages, sizeof(vpd_pages));
	CHECK_EQ(kt_inq_vpd(0x80, &lu, buf, sizeof(buf)), 12);
	CHECK_MEM(buf + 4, lu.serial, 8);
}

static void mode_info(struct kt_mode_info *mi)
{
	memset(mi, 0, sizeof(*mi));
	mi->blocks = 0x100000000ULL;
	mi->block_size = 512;
	mi->wce_changeable = true;
	mi->tas = true;
}

static void mode_sense_lengths(void)
{
	static const u8 pages[] = { 0x01, 0x08, 0x0a, 0x1c, 0x3f };
	struct kt_cdb d = { .op = KT_OP_MODE_SENSE };
	struct kt_mode_info mi;
	u32 i, need, hdr;
	u8 *buf;
	int ten, dbd, pc;

	mode_info(&mi);
	for (ten = 0; ten < 2; ten++)
		for (dbd = 0; dbd < 2; dbd++)
			for (pc = 0; pc < 3; pc++)
				for (i = 0; i < sizeof(pages); i++) {
					d.len = ten ? 10 : 6;
					d.llbaa = ten;
					d.dbd = dbd;
					d.pc = pc;
					d.page = pages[i];
					CHECK(kt_mode_page_known(d.page));
					need = kt_mode_sense(&d, &mi, NULL, 0);
					CHECK(need <= KT_MODE_SENSE_MAX);
					buf = malloc(need);
					CHECK_EQ(kt_mode_sense(&d, &mi, buf,
							       need), need);
					hdr = ten ? get_unaligned_be16(buf) + 2u :
					      buf[0] + 1u;
					CHECK_EQ(hdr, need);
					free(buf);
				}
	CHECK(!kt_mode_page_known(0x02));
}

static void mode_sense_wce_and_bd(void)
{
	struct kt_cdb d = { .op = KT_OP_MODE_SENSE, .len = 6, .page = 0x08 };
	struct kt_mode_info mi;
	u8 buf[64];

	mode_info(&mi);
	mi.wce = true;
	mi.wp = true;
	mi.dpofua = true;
	CHECK_EQ(kt_mode_sense(&d, &mi, buf, sizeof(buf)), 4 + 8 + 20);
	CHECK_EQ(buf[2], 0x90);		/* WP, DPOFUA */
	mi.wp = false;
	mi.dpofua = false;		/* emulate_fua_write=0 */
	kt_mode_sense(&d, &mi, buf, sizeof(buf));
	CHECK_EQ(buf[2], 0x00);
	mi.dpofua = true;
	mi.wp = true;
	CHECK_EQ(kt_mode_sense(&d, &mi, buf, sizeof(buf)), 4 + 8 + 20);
	CHECK_EQ(buf[3], 8);
	CHECK_EQ(get_unaligned_be32(buf + 4), 0xffffffff);
	CHECK_EQ(get_unaligned_be32(buf + 8), 512);
	CHECK_EQ(buf[12], 0x08);
	CHECK_EQ(buf[14], 0x04);	/* WCE */
}

/* A MODE SELECT(10) list: header, no block descriptor, then @pages */
static u32 ms_list(u8 *buf, const u8 *pages, u32 n)
{
	memset(buf, 0, 8);
	memcpy(buf + 8, pages, n);
	return 8 + n;
}

static const u8 caching_wce[20] = { 0x08, 0x12, 0x04, [12] = 0x20 };
/* D_SENSE set; QAM 1 (unrestricted), QERR 0, TAS */
static const u8 control_dsense[12] = { 0x0a, 0x0a, 0x06, 0x10, 0, 0x40, 0,
				       0, 0xff, 0xff };

static kt_status_t ms_parse(const u8 *list, u32 len, struct kt_mode_info *out,
			    u16 *field)
{
	struct kt_mode_info cur;
	kt_status_t st;
	u8 *copy = malloc(len ? len : 1);

	mode_info(&cur);
	memcpy(copy, list, len);
	st = kt_mode_select_parse(copy, len, true, &cur, out, field);
	free(copy);
	return st;
}

static void mode_select_changes(void)
{
	struct kt_mode_info out;
	u8 pages[32], list[64];
	u16 field;
	u32 len;

	memcpy(pages, caching_wce, 20);
	memcpy(pages + 20, control_dsense, 12);
	len = ms_list(list, pages, 32);
	CHECK_ST(ms_parse(list, len, &out, &field), KT_OK);
	CHECK(out.wce);
	CHECK(out.d_sense);
	/* every truncation is a parameter list length error, never a read
	 * past the list (ASan)
	 */
	for (len = 0; len < 8 + 32; len++) {
		kt_status_t st = ms_parse(list, len, &out, &field);

		if (len == 8 || len == 8 + 20)
			CHECK_ST(st, KT_OK);
		else
			CHECK_ST(st, KT_S_PARAM_LIST_LENGTH);
	}
}

static void mode_select_refusals(void)
{
	struct kt_mode_info out;
	u8 pages[32], list[64];
	u16 field;
	u32 len;

	/* a field that is not changeable (GLTSD cleared) */
	memcpy(pages, control_dsense, 12);
	pages[2] = 0x04;
	len = ms_list(list, pages, 12);
	CHECK_ST(ms_parse(list, len, &out, &field), KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 8 + 2);
	/* QAM 0 (restricted), QERR 01b: not changeable */
	list[8 + 2] = 0x06;
	list[8 + 3] = 0x00;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 8 + 3);
	list[8 + 3] = 0x12;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 8 + 3);
	/* UA_INTLCK_CTRL 01b is reserved; 10b and 11b are taken */
	list[8 + 3] = 0x10;
	list[8 + 4] = 0x10;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 8 + 4);
	list[8 + 4] = 0x20;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_OK);
	CHECK_EQ(out.ua_intlck, 2);
	list[8 + 4] = 0x30;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_OK);
	CHECK_EQ(out.ua_intlck, 3);
	/* TAS is changeable */
	list[8 + 4] = 0;
	list[8 + 5] = 0;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_OK);
	CHECK(!out.tas);
	CHECK_EQ(out.ua_intlck, 0);
	list[8 + 5] = 0x40;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_OK);
	CHECK(out.tas);
	/* a page length that is not the page's */
	list[8 + 2] = 0x06;
	list[8 + 1] = 0x0b;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 8 + 1);
	/* an unknown page, a subpage format page */
	list[8] = 0x02;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_S_INVALID_FIELD_PARAM);
	CHECK_EQ(field, 8);
	list[8] = 0x4a;
	CHECK_ST(ms_parse(list, len, &out, &field), KT_S_INVALID_FIELD_PARAM);
	/* a block descriptor with another block length */
	memset(list, 0, sizeof(list));
	list[7] = 8;
	put_unaligned_be32(4096, list + 8 + 4);
	CHECK_ST(ms_parse(list, 16, &out, &field), KT_S_INVALID_FIELD_PARAM);
	put_unaligned_be32(512, list + 8 + 4);
	CHECK_ST(ms_parse(list, 16, &out, &field), KT_OK);
	/* a block descriptor longer than the list */
	CHECK_ST(ms_parse(list, 12, &out, &field), KT_S_PARAM_LIST_LENGTH);
	list[7] = 9;
	CHECK_ST(ms_parse(list, 16, &out, &field), KT_S_INVALID_FIELD_PARAM);
	/* WCE on a device whose own cache decides */
	memcpy(pages, caching_wce, 20);
	len = ms_list(list, pages, 20);
	{
		struct kt_mode_info cur;

		mode_info(&cur);
		cur.wce_changeable = false;
		CHECK_ST(kt_mode_select_parse(list, len, true, &cur, &out,
					      &field),
			 KT_S_INVALID_FIELD_PARAM);
		CHECK_EQ(field, 8 + 2);
	}
}

static void read_capacity(void)
{
	u8 buf[32];

	CHECK_EQ(kt_read_capacity10(0x200000000ULL, 512, buf, 8), 8);
	CHECK_EQ(get_unaligned_be32(buf), 0xffffffff);
	CHECK_EQ(get_unaligned_be32(buf + 4), 512);
	CHECK_EQ(kt_read_capacity16(131072, 512, 4096, 0, buf, sizeof(buf)),
		 32);
	CHECK_EQ(get_unaligned_be64(buf), 131071);
	CHECK_EQ(buf[13], 3);
	CHECK_EQ(buf[14], 0);
	CHECK_EQ(kt_read_capacity16(131072, 512, 4096, 0, NULL, 0), 32);
	CHECK_EQ(kt_read_capacity16(131072, 512, 4096, 0, buf, 4), 32);
	/* thin provisioning: LBPME, LBPRZ; LBPRZ alone means nothing */
	kt_read_capacity16(8, 512, 512, KT_RC16_LBPME, buf, sizeof(buf));
	CHECK_EQ(buf[14], 0x80);
	kt_read_capacity16(8, 512, 512, KT_RC16_LBPME | KT_RC16_LBPRZ, buf,
			   sizeof(buf));
	CHECK_EQ(buf[14], 0xc0);
	CHECK_EQ(buf[15], 0);
	kt_read_capacity16(8, 512, 512, KT_RC16_LBPRZ, buf, sizeof(buf));
	CHECK_EQ(buf[14], 0);
}

/* Block Limits: WSNZ and MAXIMUM WRITE SAME LENGTH; unmap fields with LBPU */
static void vpd_b0_limits(void)
{
	struct kt_lu_info lu;
	u8 buf[64];

	lu_long(&lu, 8, 30);
	lu.max_xfer = 16384;
	lu.max_ws_len = 0x123456789ULL;
	lu.max_unmap_lbas = 0x2000;
	lu.max_unmap_desc = 1;
	lu.unmap_gran = 8;
	lu.unmap_align = 0x80000003;	/* only 31 bits go out */
	CHECK_EQ(kt_inq_vpd(0xb0, &lu, buf, sizeof(buf)), 64);
	CHECK_EQ(get_unaligned_be16(buf + 2), 0x3c);
	CHECK_EQ(buf[4], 0x01);
	CHECK_EQ(get_unaligned_be32(buf + 8), 16384);
	CHECK_EQ(get_unaligned_be64(buf + 36), 0x123456789ULL);
	/* no UNMAP: its fields are zero */
	CHECK_EQ(get_unaligned_be32(buf + 20), 0);
	CHECK_EQ(get_unaligned_be32(buf + 24), 0);
	CHECK_EQ(get_unaligned_be32(buf + 28), 0);
	CHECK_EQ(get_unaligned_be32(buf + 32), 0);
	lu.lbpu = true;
	kt_inq_vpd(0xb0, &lu, buf, sizeof(buf));
	CHECK_EQ(get_unaligned_be32(buf + 20), 0x2000);
	CHECK_EQ(get_unaligned_be32(buf + 24), 1);
	CHECK_EQ(get_unaligned_be32(buf + 28), 8);
	CHECK_EQ(get_unaligned_be32(buf + 32), 0x80000003);	/* UGAVALID */
	lu.unmap_align = 0;
	kt_inq_vpd(0xb0, &lu, buf, sizeof(buf));
	CHECK_EQ(get_unaligned_be32(buf + 32), 0x80000000);
	CHECK_EQ(get_unaligned_be64(buf + 36), 0x123456789ULL);
}

/* Logical Block Provisioning: LBPU, LBPWS(10), LBPRZ, provisioning type */
static void vpd_b2_provisioning(void)
{
	static const struct { bool u, ws, rz; u8 b5, b6; } t[] = {
		{ false, false, false, 0x00, 0x00 },
		{ false, false, true, 0x00, 0x00 },	/* LBPRZ needs LBPME */
		{ true, false, false, 0x80, 0x02 },
		{ false, true, false, 0x60, 0x02 },
		{ true, true, true, 0xe4, 0x02 },
		{ true, false, true, 0x84, 0x02 },
	};
	struct kt_lu_info lu;
	u8 buf[16];
	size_t i;

	lu_long(&lu, 8, 30);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		lu.lbpu = t[i].u;
		lu.lbpws = t[i].ws;
		lu.lbprz = t[i].rz;
		memset(buf, 0xaa, sizeof(buf));
		CHECK_EQ(kt_inq_vpd(0xb2, &lu, buf, sizeof(buf)), 8);
		CHECK_EQ(buf[1], 0xb2);
		CHECK_EQ(get_unaligned_be16(buf + 2), 4);
		CHECK_EQ(buf[4], 0);
		CHECK_EQ(buf[5], t[i].b5);
		CHECK_EQ(buf[6], t[i].b6);
		CHECK_EQ(buf[7], 0);
	}
}

/* REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS, both formats, cut short */
static void rstmf(void)
{
	u8 buf[16];

	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(kt_rstmf(KT_TMFS_ATS | KT_TMFS_QAES | KT_TMFS_ITNRS, false,
			  buf, sizeof(buf)), 4);
	CHECK_EQ(buf[0], 0x80);
	CHECK_EQ(buf[1], 0x05);
	CHECK_EQ(buf[2], 0);
	CHECK_EQ(buf[3], 0);
	CHECK_EQ(kt_rstmf(KT_TMFS_CTSS, true, buf, sizeof(buf)), 16);
	CHECK_EQ(buf[0], 0x10);
	CHECK_EQ(buf[1], 0);
	CHECK_EQ(buf[3], 0x0c);
	CHECK_EQ(buf[4], 0);		/* TMFTMOV 0: no timeouts */
	CHECK_EQ(buf[15], 0);
	CHECK_EQ(kt_rstmf(KT_TMFS_CTSS, true, NULL, 0), 16);
	CHECK_EQ(kt_rstmf(KT_TMFS_CTSS, true, buf, 2), 16);
}

static const struct kt_test tests[] = {
	KT_TEST(vpd83_long_serial_and_name),
	KT_TEST(vpd83_longest_strings),
	KT_TEST(vpd83_name_limits),
	KT_TEST(pages_cut_at_every_capacity),
	KT_TEST(inquiry_std),
	KT_TEST(vpd_unknown_and_list),
	KT_TEST(mode_sense_lengths),
	KT_TEST(mode_sense_wce_and_bd),
	KT_TEST(mode_select_changes),
	KT_TEST(mode_select_refusals),
	KT_TEST(read_capacity),
	KT_TEST(vpd_b0_limits),
	KT_TEST(vpd_b2_provisioning),
	KT_TEST(rstmf),
	KT_TEST(alua_tpgs_and_vpd83_tpg),
};

int main(void)
{
	return kt_test_run("page", tests, ARRAY_SIZE(tests));
}
