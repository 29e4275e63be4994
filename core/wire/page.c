// SPDX-License-Identifier: GPL-2.0
/*
 * Response pages of the emulated SPC/SBC commands (pure code, see
 * wire.h): standard INQUIRY data, the VPD pages, MODE SENSE data and
 * the MODE SELECT parameter list, READ CAPACITY data.
 *
 * Every builder writes through kt_put*(), which drop whatever falls at or
 * beyond the caller's capacity, and returns the length the whole page
 * has.  A caller sizes its buffer by building once with capacity 0, or
 * builds into any buffer and gets a page cut at the buffer's end: no
 * input can make a builder write past @cap.
 */
#include <ktarget/alua.h>

/* @s (at most @max bytes, NUL or not) space-padded into a @width field */
static void kt_put_pad(u8 *buf, u32 cap, u32 off, const char *s, u32 max,
		       u32 width)
{
	u32 n = strnlen(s, max), i;

	if (n > width)
		n = width;
	kt_put(buf, cap, off, s, n);
	for (i = n; i < width; i++)
		kt_put8(buf, cap, off + i, ' ');
}

static void kt_zero(u8 *buf, u32 cap)
{
	if (cap)
		memset(buf, 0, cap);
}

#define KT_STRLEN(s)	strnlen((s), sizeof(s))

/* ---------------- INQUIRY ---------------- */

#define KT_INQ_STD_LEN	74

u32 kt_inq_std(const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	kt_zero(buf, cap);
	kt_put8(buf, cap, 0, lu->peripheral);
	kt_put8(buf, cap, 2, 0x06);		/* SPC-4 */
	/* NORMACA (NACA 1 supported), HISUP, RESPONSE DATA FORMAT 2 */
	kt_put8(buf, cap, 3, 0x32);
	kt_put8(buf, cap, 4, KT_INQ_STD_LEN - 5);
	kt_put8(buf, cap, 5, (lu->tpgs & 0x3) << 4);	/* TPGS */
	kt_put8(buf, cap, 7, 0x02);		/* CMDQUE */
	kt_put_pad(buf, cap, 8, lu->vendor, sizeof(lu->vendor), 8);
	kt_put_pad(buf, cap, 16, lu->product, sizeof(lu->product), 16);
	kt_put_pad(buf, cap, 32, lu->revision, sizeof(lu->revision), 4);
	/* version descriptors: SAM-5, SPC-4, SBC-3 */
	kt_put16(buf, cap, 58, 0x00a0);
	kt_put16(buf, cap, 60, 0x0460);
	kt_put16(buf, cap, 62, 0x04c0);
	return KT_INQ_STD_LEN;
}

/* Each VPD builder fills the page after its 4-byte header, returns the
 * page's full length.
 */
typedef u32 (*kt_vpd_fn)(const struct kt_lu_info *lu, u8 *buf, u32 cap);

static const u8 kt_vpd_list[] = { 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2 };

static u32 kt_vpd_00(const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	kt_put(buf, cap, 4, kt_vpd_list, sizeof(kt_vpd_list));
	return 4 + sizeof(kt_vpd_list);
}

/* Unit serial: the page length field has room for all KT_WIRE_SERIAL_LEN */
static u32 kt_vpd_80(const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	u32 n = KT_STRLEN(lu->serial);

	kt_put(buf, cap, 4, lu->serial, n);
	return 4 + n;
}

/* NAA IEEE Registered Extended designator: company id + serial digits */
static u32 kt_vpd_83_naa(const struct kt_lu_info *lu, u8 *buf, u32 cap,
			 u32 off)
{
	u8 id[16] = { };
	u32 i, nibble = 9;	/* the vendor specific id starts at nibble 9 */
	int v;

	id[0] = 0x60 | ((lu->company_id >> 20) & 0x0f);
	id[1] = lu->company_id >> 12;
	id[2] = lu->company_id >> 4;
	id[3] = (lu->company_id & 0x0f) << 4;
	for (i = 0; i < sizeof(lu->serial) && lu->serial[i] &&
	     nibble < 2 * sizeof(id); i++) {
		v = hex_to_bin(lu->serial[i]);
		if (v < 0)
			continue;
		id[nibble / 2] |= nibble & 1 ? v : v << 4;
		nibble++;
	}
	kt_put8(buf, cap, off, 0x01);		/* binary */
	kt_put8(buf, cap, off + 1, 0x03);	/* LU, NAA */
	kt_put8(buf, cap, off + 3, sizeof(id));
	kt_put(buf, cap, off + 4, id, sizeof(id));
	return 4 + sizeof(id);
}

/*
 * T10 vendor identification designator: vendor + unit serial, the serial
 * cut so that the designator length (one byte) holds it.
 */
static u32 kt_vpd_83_t10(const struct kt_lu_info *lu, u8 *buf, u32 cap,
			 u32 off)
{
	u32 n = KT_STRLEN(lu->serial);

	if (n > KT_DESIGNATOR_MAX - 8)
		n = KT_DESIGNATOR_MAX - 8;

	kt_put8(buf, cap, off, 0x02);		/* ASCII */
	kt_put8(buf, cap, off + 1, 0x01);	/* LU, T10 vendor id */
	kt_put8(buf, cap, off + 3, 8 + n);
	kt_put_pad(buf, cap, off + 4, lu->vendor, sizeof(lu->vendor), 8);
	kt_put(buf, cap, off + 12, lu->serial, n);
	return 4 + 8 + n;
}

static u32 kt_vpd_83_rtpi(const struct kt_lu_info *lu, u8 *buf, u32 cap,
			  u32 off)
{
	kt_put8(buf, cap, off, 0x01);		/* binary */
	kt_put8(buf, cap, off + 1, 0x14);	/* target port, RTPI */
	kt_put8(buf, cap, off + 3, 4);
	kt_put16(buf, cap, off + 6, lu->rtpi);
	return 8;
}

/*
 * SCSI name string designator: @a then @b, NUL-terminated and padded to
 * a multiple of 4 (SPC-4 7.8.6.11).  A name the one-byte designator
 * length cannot hold is left out rather than cut: a cut name would
 * identify some other device.  Returns 0 then.
 */
static u32 kt_vpd_83_name(u8 *buf, u32 cap, u32 off, u8 assoc,
			  const char *a, u32 alen, const char *b, u32 blen)
{
	u32 n = (alen + blen + 1 + 3) & ~3U;

	if (n > KT_DESIGNATOR_MAX)
		return 0;
	kt_put8(buf, cap, off, 0x03);		/* UTF-8 */
	kt_put8(buf, cap, off + 1, (assoc << 4) | 0x08);
	kt_put8(buf, cap, off + 3, n);
	kt_put(buf, cap, off + 4, a, alen);
	kt_put(buf, cap, off + 4 + alen, b, blen);
	/* the NUL and the padding: zero from kt_zero() */
	return 4 + n;
}

static u32 kt_vpd_83(const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	static const char hex[] = "0123456789abcdef";
	u32 tlen = KT_STRLEN(lu->target), off = 4;
	char port[] = ",t,0x0000";
	int i;

	off += kt_vpd_83_naa(lu, buf, cap, off);
	off += kt_vpd_83_t10(lu, buf, cap, off);
	off += kt_vpd_83_rtpi(lu, buf, cap, off);
	if (lu->tpg_valid)
		off += kt_alua_vpd83_tpg(lu->tpg_id, buf, cap, off);
	if (!tlen)
		return off;
	for (i = 0; i < 4; i++)
		port[5 + i] = hex[(lu->tpgt >> (12 - 4 * i)) & 0xf];
	off += kt_vpd_83_name(buf, cap, off, 1, lu->target, tlen, port,
			      sizeof(port) - 1);
	off += kt_vpd_83_name(buf, cap, off, 2, lu->target, tlen, "", 0);
	return off;
}

static u32 kt_vpd_86(const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	kt_put8(buf, cap, 5, 0x07);		/* HEADSUP, ORDSUP, SIMPSUP */
	kt_put8(buf, cap, 6, lu->wce ? 0x01 : 0);	/* V_SUP */
	kt_put8(buf, cap, 7, 0x01);		/* LUICLR: UAs per I_T_L */
	return 64;
}

/*
 * Block Limits (SBC-4 6.6.4): WSNZ (a WRITE SAME of 0 blocks is refused),
 * the transfer limits, the unmap limits while UNMAP is supported, and
 * MAXIMUM WRITE SAME LENGTH.
 */
static u32 kt_vpd_b0(const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	kt_put8(buf, cap, 4, 0x01);		/* WSNZ */
	kt_put16(buf, cap, 6, lu->opt_gran);
	kt_put32(buf, cap, 8, lu->max_xfer);
	kt_put32(buf, cap, 12, lu->opt_xfer);
	if (lu->lbpu) {
		kt_put32(buf, cap, 20, lu->max_unmap_lbas);
		kt_put32(buf, cap, 24, lu->max_unmap_desc);
		kt_put32(buf, cap, 28, lu->unmap_gran);
		/* UGAVALID and the 31-bit alignment */
		kt_put32(buf, cap, 32, 0x80000000U |
			 (lu->unmap_align & 0x7fffffffU));
	}
	kt_put64(buf, cap, 36, lu->max_ws_len);
	return 64;
}

static u32 kt_vpd_b1(const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	if (lu->nonrot)
		kt_put8(buf, cap, 5, 0x01);	/* non-rotating medium */
	return 64;
}

/*
 * Logical Block Provisioning (SBC-4 6.6.6): LBPU, LBPWS, LBPWS10, LBPRZ
 * (001b: unmapped blocks read as zeroes); no anchored blocks (ANC_SUP
 * 0), no provisioning group descriptor (DP 0), no thresholds.  The
 * PROVISIONING TYPE is thin while either way to unmap is on, else not
 * reported (000b: fully provisioned).
 */
static u32 kt_vpd_b2(const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	bool thin = lu->lbpu || lu->lbpws;
	u8 b = 0;

	if (lu->lbpu)
		b |= 0x80;
	if (lu->lbpws)
		b |= 0x60;			/* LBPWS, LBPWS10 */
	if (thin && lu->lbprz)
		b |= 0x04;
	kt_put8(buf, cap, 5, b);
	kt_put8(buf, cap, 6, thin ? 0x02 : 0);	/* PROVISIONING TYPE */
	return 8;
}

static const kt_vpd_fn kt_vpd_fns[ARRAY_SIZE(kt_vpd_list)] = {
	kt_vpd_00, kt_vpd_80, kt_vpd_83, kt_vpd_86, kt_vpd_b0, kt_vpd_b1,
	kt_vpd_b2,
};

u32 kt_inq_vpd(u8 page, const struct kt_lu_info *lu, u8 *buf, u32 cap)
{
	u32 i, len;

	for (i = 0; i < ARRAY_SIZE(kt_vpd_list); i++) {
		if (kt_vpd_list[i] != page)
			continue;
		kt_zero(buf, cap);
		kt_put8(buf, cap, 0, lu->peripheral);
		kt_put8(buf, cap, 1, page);
		len = kt_vpd_fns[i](lu, buf, cap);
		kt_put16(buf, cap, 2, len - 4);
		return len;
	}
	return 0;
}

/* ---------------- MODE SENSE / MODE SELECT ---------------- */

/* One mode page: its code, length and how to fill it for a page control */
struct kt_mode_page {
	u8 code;
	u8 len;
	void (*fill)(const struct kt_mode_info *mi, u8 pc, u8 *p);
};

static void kt_mp_none(const struct kt_mode_info *mi, u8 pc, u8 *p)
{
}

static void kt_mp_caching(const struct kt_mode_info *mi, u8 pc, u8 *p)
{
	if (pc == KT_MP_CHANGEABLE) {
		if (mi->wce_changeable)
			p[2] = 0x04;
		return;
	}
	if (pc == KT_MP_CURRENT && mi->wce)
		p[2] |= 0x04;	/* WCE */
	if (pc == KT_MP_DEFAULT && mi->wce_default)
		p[2] |= 0x04;
	p[12] = 0x20;		/* DRA: no read-ahead of our own */
}

static void kt_mp_control(const struct kt_mode_info *mi, u8 pc, u8 *p)
{
	if (pc == KT_MP_CHANGEABLE) {
		p[2] = 0x04;	/* D_SENSE */
		p[4] = 0x30;	/* UA_INTLCK_CTRL */
		p[5] = 0x40;	/* TAS */
		return;
	}
	p[2] = 0x02;		/* GLTSD: no implicit log saving */
	if (pc == KT_MP_CURRENT && mi->d_sense)
		p[2] |= 0x04;
	/*
	 * QUEUE ALGORITHM MODIFIER 1: SIMPLE tasks run in any order; QERR
	 * 00b (an ACA condition blocks the task set, aborts nothing); TST
	 * 000b (one task set for every I_T nexus); none of them changeable
	 */
	p[3] = 0x10;
	p[4] = (mi->ua_intlck & 3) << 4;
	if (mi->tas)
		p[5] |= 0x40;	/* TAS */
	put_unaligned_be16(0xffff, p + 8);	/* busy timeout: unlimited */
}

#define KT_MODE_PAGE_MAX	20	/* the longest page below */

static const struct kt_mode_page kt_mode_pages[] = {
	{ 0x01, 12, kt_mp_none },	/* read-write error recovery */
	{ 0x08, 20, kt_mp_caching },
	{ 0x0a, 12, kt_mp_control },
	{ 0x1c, 12, kt_mp_none },	/* informational exceptions */
};

static const struct kt_mode_page *kt_mode_page_find(u8 code)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(kt_mode_pages); i++)
		if (kt_mode_pages[i].code == code)
			return &kt_mode_pages[i];
	return NULL;
}

bool kt_mode_page_known(u8 page)
{
	return page == 0x3f || kt_mode_page_find(page);
}

/* Build @mp for page control @pc into @p (KT_MODE_PAGE_MAX bytes). */
static void kt_mode_page_fill(const struct kt_mode_info *mi,
			      const struct kt_mode_page *mp, u8 pc, u8 *p)
{
	memset(p, 0, KT_MODE_PAGE_MAX);
	p[0] = mp->code;
	p[1] = mp->len - 2;
	mp->fill(mi, pc, p);
}

/* Block descriptor (short or long) for MODE SENSE; returns its length. */
static u32 kt_mode_bd(const struct kt_mode_info *mi, bool lng, u8 *buf,
		      u32 cap, u32 off)
{
	if (lng) {
		kt_put64(buf, cap, off, mi->blocks);
		kt_put32(buf, cap, off + 12, mi->block_size);
		return 16;
	}
	kt_put32(buf, cap, off, mi->blocks > 0xffffffffULL ? 0xffffffffU :
		 (u32)mi->blocks);
	kt_put32(buf, cap, off + 4, mi->block_size & 0xffffff);
	return 8;
}

u32 kt_mode_sense(const struct kt_cdb *d, const struct kt_mode_info *mi,
		  u8 *buf, u32 cap)
{
	bool ten = d->len == 10, lng = ten && d->llbaa;
	u32 hdr = ten ? 8 : 4, off, bdl = 0, i;
	u8 p[KT_MODE_PAGE_MAX];

	kt_zero(buf, cap);
	if (!d->dbd)
		bdl = kt_mode_bd(mi, lng, buf, cap, hdr);
	off = hdr + bdl;
	for (i = 0; i < ARRAY_SIZE(kt_mode_pages); i++) {
		if (d->page != 0x3f && d->page != kt_mode_pages[i].code)
			continue;
		kt_mode_page_fill(mi, &kt_mode_pages[i], d->pc & 3, p);
		kt_put(buf, cap, off, p, kt_mode_pages[i].len);
		off += kt_mode_pages[i].len;
	}
	/* device-specific parameter: WP, DPOFUA */
	kt_put8(buf, cap, ten ? 3 : 2,
		(mi->wp ? 0x80 : 0) | (mi->dpofua ? 0x10 : 0));
	if (ten) {
		kt_put16(buf, cap, 0, off - 2);
		kt_put8(buf, cap, 4, lng ? 0x01 : 0);
		kt_put16(buf, cap, 6, bdl);
	} else {
		kt_put8(buf, cap, 0, off - 1);
		kt_put8(buf, cap, 3, bdl);
	}
	return off;
}

/*
 * Check one page at @p (@avail bytes, at offset @base of the list) against
 * @cur and the changeable mask; record the new values in @out.
 */
static kt_status_t kt_mode_select_page(const u8 *p, u32 avail, u32 base,
				       const struct kt_mode_info *cur,
				       struct kt_mode_info *out, u16 *field)
{
	const struct kt_mode_page *mp = kt_mode_page_find(p[0] & 0x3f);
	u8 now[KT_MODE_PAGE_MAX], chg[KT_MODE_PAGE_MAX];
	u32 i;

	*field = base;
	if (!mp || (p[0] & 0x40))	/* unknown page or SPF (subpages) */
		return KT_S_INVALID_FIELD_PARAM;
	*field = base + 1;
	if (p[1] != mp->len - 2)
		return KT_S_INVALID_FIELD_PARAM;
	if (avail < mp->len)
		return KT_S_PARAM_LIST_LENGTH;
	kt_mode_page_fill(cur, mp, KT_MP_CURRENT, now);
	kt_mode_page_fill(cur, mp, KT_MP_CHANGEABLE, chg);
	for (i = 2; i < mp->len; i++) {
		if ((p[i] ^ now[i]) & ~chg[i]) {
			*field = base + i;
			return KT_S_INVALID_FIELD_PARAM;
		}
	}
	if (mp->code == 0x08)
		out->wce = !!(p[2] & 0x04);
	if (mp->code == 0x0a) {
		out->d_sense = !!(p[2] & 0x04);
		out->tas = !!(p[5] & 0x40);
		out->ua_intlck = (p[4] >> 4) & 3;
		if (out->ua_intlck == 1) {	/* 01b is reserved */
			*field = base + 4;
			return KT_S_INVALID_FIELD_PARAM;
		}
	}
	return KT_OK;
}

kt_status_t kt_mode_select_parse(const u8 *buf, u32 len, bool ten,
				 const struct kt_mode_info *cur,
				 struct kt_mode_info *out, u16 *field)
{
	u32 hdr = ten ? 8 : 4, bdl, off;
	kt_status_t status;

	*out = *cur;
	*field = 0xffff;	/* no field pointer */
	if (len < hdr)
		return KT_S_PARAM_LIST_LENGTH;
	bdl = ten ? get_unaligned_be16(buf + 6) : buf[3];
	if (bdl && bdl != 8 && bdl != 16) {
		*field = ten ? 6 : 3;
		return KT_S_INVALID_FIELD_PARAM;
	}
	if (bdl > len - hdr)
		return KT_S_PARAM_LIST_LENGTH;
	/* a block descriptor may only repeat the current block length */
	if (bdl && (get_unaligned_be32(buf + hdr + bdl - 4) &
		    (bdl == 8 ? 0xffffff : 0xffffffff)) != cur->block_size) {
		*field = hdr + bdl - 3;
		return KT_S_INVALID_FIELD_PARAM;
	}
	for (off = hdr + bdl; off < len; off += buf[off + 1] + 2) {
		if (len - off < 2)
			return KT_S_PARAM_LIST_LENGTH;
		status = kt_mode_select_page(buf + off, len - off, off, cur,
					     out, field);
		if (status != KT_OK)
			return status;
	}
	return KT_OK;
}

/* ---------------- REPORT SUPPORTED TMFS ---------------- */

u32 kt_rstmf(u16 supported, bool repd, u8 *buf, u32 cap)
{
	kt_zero(buf, cap);
	kt_put16(buf, cap, 0, supported);
	if (!repd)
		return 4;
	kt_put8(buf, cap, 3, KT_RSTMF_MAX - 4);	/* ADDITIONAL DATA LENGTH */
	return KT_RSTMF_MAX;
}

/* ---------------- READ CAPACITY ---------------- */

u32 kt_read_capacity10(u64 blocks, u32 block_size, u8 *buf, u32 cap)
{
	u64 last = blocks ? blocks - 1 : 0;

	kt_zero(buf, cap);
	kt_put32(buf, cap, 0, last > 0xffffffffULL ? 0xffffffffU : (u32)last);
	kt_put32(buf, cap, 4, block_size);
	return 8;
}

u32 kt_read_capacity16(u64 blocks, u32 block_size, u32 hw_block_size,
		       u8 lbp, u8 *buf, u32 cap)
{
	u32 ratio = 1, exp = 0;

	kt_zero(buf, cap);
	kt_put64(buf, cap, 0, blocks ? blocks - 1 : 0);
	kt_put32(buf, cap, 8, block_size);
	/* LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT */
	if (block_size && hw_block_size > block_size)
		ratio = hw_block_size / block_size;
	while (ratio > 1 && exp < 15) {
		ratio >>= 1;
		exp++;
	}
	kt_put8(buf, cap, 13, exp);
	if (lbp & KT_RC16_LBPME)
		kt_put8(buf, cap, 14, lbp & (KT_RC16_LBPME | KT_RC16_LBPRZ));
	return 32;
}
