// SPDX-License-Identifier: GPL-2.0
/*
 * spc.c - SPC-4 commands: INQUIRY and VPD pages, MODE SENSE/SELECT,
 * REQUEST SENSE, REPORT LUNS, TEST UNIT READY.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

#define KT_INQ_STD_LEN	74
#define KT_RESP_MAX	512	/* largest emulated response but REPORT LUNS */

/* Space-padded copy of @src into the @len byte field @dst. */
static void kt_pad(u8 *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len);

	memcpy(dst, src, n);
	memset(dst + n, ' ', len - n);
}

/* Reply with @len bytes of @buf and GOOD status. */
static void kt_spc_reply(struct kt_cmd *cmd, const u8 *buf, u32 len)
{
	kt_cmd_copy_to_sgl(cmd, buf, len);
	kt_cmd_complete(cmd, KT_OK);
}

static void kt_spc_fail_cdb(struct kt_cmd *cmd, u16 field, int bit)
{
	kt_cmd_bad_cdb(cmd, field, bit);
	kt_cmd_complete(cmd, KT_S_INVALID_FIELD_CDB);
}

/* ---------------- INQUIRY ---------------- */

static u32 kt_inq_std(struct kt_cmd *cmd, u8 *buf)
{
	struct kt_dev *dev = cmd->dev;

	if (!dev) {
		/* no LUN here: PQ 011b, or the REPORT LUNS well-known LU */
		buf[0] = cmd->lun == KT_WLUN_REPORT_LUNS ? 0x1e : 0x7f;
	}
	buf[2] = 0x06;		/* SPC-4 */
	buf[3] = 0x12;		/* HISUP, RESPONSE DATA FORMAT 2 */
	buf[4] = KT_INQ_STD_LEN - 5;
	buf[7] = 0x02;		/* CMDQUE */
	kt_pad(buf + 8, dev ? dev->vendor : "LIO-ORG", 8);
	kt_pad(buf + 16, dev ? dev->product : "", 16);
	kt_pad(buf + 32, dev ? dev->revision : "", 4);
	/* version descriptors: SAM-5, SPC-4, SBC-3 */
	put_unaligned_be16(0x00a0, buf + 58);
	put_unaligned_be16(0x0460, buf + 60);
	put_unaligned_be16(0x04c0, buf + 62);
	return KT_INQ_STD_LEN;
}

static u32 kt_vpd_00(struct kt_cmd *cmd, u8 *buf)
{
	static const u8 pages[] = { 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2 };

	memcpy(buf + 4, pages, sizeof(pages));
	return 4 + sizeof(pages);
}

static u32 kt_vpd_80(struct kt_cmd *cmd, u8 *buf)
{
	u32 n = strlen(cmd->dev->unit_serial);

	memcpy(buf + 4, cmd->dev->unit_serial, n);
	return 4 + n;
}

static int kt_hex(char c)
{
	return hex_to_bin(c);
}

/* NAA IEEE Registered Extended designator: company id + serial digits */
static u32 kt_vpd_83_naa(struct kt_dev *dev, u8 *p)
{
	const char *s = dev->unit_serial;
	int nibble = 9, v;	/* vendor specific id starts at nibble 9 */
	u8 *id = p + 4;

	p[0] = 0x01;		/* binary */
	p[1] = 0x03;		/* LU, NAA */
	p[3] = 16;
	id[0] = 0x60 | ((dev->company_id >> 20) & 0x0f);
	id[1] = dev->company_id >> 12;
	id[2] = dev->company_id >> 4;
	id[3] = (dev->company_id & 0x0f) << 4;
	for (; *s && nibble < 32; s++) {
		v = kt_hex(*s);
		if (v < 0)
			continue;
		if (nibble & 1)
			id[nibble / 2] |= v;
		else
			id[nibble / 2] |= v << 4;
		nibble++;
	}
	return 4 + 16;
}

/* T10 vendor identification designator: vendor + unit serial */
static u32 kt_vpd_83_t10(struct kt_dev *dev, u8 *p)
{
	u32 n = min_t(u32, strlen(dev->unit_serial), 200);

	p[0] = 0x02;		/* ASCII */
	p[1] = 0x01;		/* LU, T10 vendor id */
	kt_pad(p + 4, dev->vendor, 8);
	memcpy(p + 12, dev->unit_serial, n);
	p[3] = 8 + n;
	return 4 + 8 + n;
}

static u32 kt_vpd_83_rtpi(struct kt_cmd *cmd, u8 *p)
{
	p[0] = 0x01;
	p[1] = 0x14;		/* target port, relative target port id */
	p[3] = 4;
	put_unaligned_be16(cmd->klun->rtpi, p + 6);
	return 8;
}

/* SCSI name string: UTF-8, NUL-terminated, padded to a multiple of 4. */
static u32 kt_vpd_83_name(u8 *p, u8 assoc, const char *fmt_name, u16 tpgt,
			  bool port)
{
	int n;

	p[0] = 0x03;
	p[1] = (assoc << 4) | 0x08;
	if (port)
		n = snprintf((char *)p + 4, 252, "%s,t,0x%04x", fmt_name, tpgt);
	else
		n = snprintf((char *)p + 4, 252, "%s", fmt_name);
	n = min(n, 251) + 1;
	n = ALIGN(n, 4);
	p[3] = n;
	return 4 + n;
}

static u32 kt_vpd_83(struct kt_cmd *cmd, u8 *buf)
{
	struct kt_wwn *wwn = cmd->sess->tpg->wwn;
	u32 off = 4;

	off += kt_vpd_83_naa(cmd->dev, buf + off);
	off += kt_vpd_83_t10(cmd->dev, buf + off);
	off += kt_vpd_83_rtpi(cmd, buf + off);
	if (strlen(wwn->name) < 200) {
		off += kt_vpd_83_name(buf + off, 1, wwn->name,
				      cmd->sess->tpg->tpgt, true);
		off += kt_vpd_83_name(buf + off, 2, wwn->name, 0, false);
	}
	return off;
}

static u32 kt_vpd_86(struct kt_cmd *cmd, u8 *buf)
{
	buf[5] = 0x07;		/* HEADSUP, ORDSUP, SIMPSUP */
	buf[6] = kt_dev_wce(cmd->dev) ? 0x01 : 0;	/* V_SUP */
	buf[7] = 0x01;		/* LUICLR: UAs are kept per I_T_L nexus */
	return 64;
}

static u32 kt_vpd_b0(struct kt_cmd *cmd, u8 *buf)
{
	struct kt_dev *dev = cmd->dev;
	u32 bs = dev->attrib.block_size;
	u64 max = div_u64((u64)dev->hw_max_sectors * dev->hw_block_size, bs);
	u64 opt = div_u64((u64)dev->attrib.optimal_sectors *
			  dev->hw_block_size, bs);

	put_unaligned_be16(max_t(u32, dev->hw_block_size / bs, 1), buf + 6);
	put_unaligned_be32(min_t(u64, max, U32_MAX), buf + 8);
	put_unaligned_be32(min_t(u64, opt, U32_MAX), buf + 12);
	return 64;
}

static u32 kt_vpd_b1(struct kt_cmd *cmd, u8 *buf)
{
	if (cmd->dev->attrib.is_nonrot)
		buf[5] = 0x01;	/* non-rotating medium */
	return 64;
}

static u32 kt_vpd_b2(struct kt_cmd *cmd, u8 *buf)
{
	return 8;	/* no thin provisioning yet: all zero */
}

struct kt_vpd_page {
	u8 code;
	u32 (*fill)(struct kt_cmd *cmd, u8 *buf);
};

static const struct kt_vpd_page kt_vpd_pages[] = {
	{ 0x00, kt_vpd_00 },
	{ 0x80, kt_vpd_80 },
	{ 0x83, kt_vpd_83 },
	{ 0x86, kt_vpd_86 },
	{ 0xb0, kt_vpd_b0 },
	{ 0xb1, kt_vpd_b1 },
	{ 0xb2, kt_vpd_b2 },
};

static void kt_spc_inquiry(struct kt_cmd *cmd)
{
	u8 *buf = kzalloc(KT_RESP_MAX, GFP_KERNEL);
	u32 len = 0;
	int i;

	if (!buf) {
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
		return;
	}
	if (!cmd->d.evpd) {
		len = kt_inq_std(cmd, buf);
	} else if (cmd->dev) {
		for (i = 0; i < ARRAY_SIZE(kt_vpd_pages); i++) {
			if (kt_vpd_pages[i].code != cmd->d.page)
				continue;
			buf[1] = cmd->d.page;
			len = kt_vpd_pages[i].fill(cmd, buf);
			put_unaligned_be16(len - 4, buf + 2);
			break;
		}
	}
	if (!len)
		kt_spc_fail_cdb(cmd, 2, -1);
	else
		kt_spc_reply(cmd, buf, len);
	kfree(buf);
}

/* ---------------- MODE SENSE / MODE SELECT ---------------- */

enum { KT_MP_CURRENT, KT_MP_CHANGEABLE, KT_MP_DEFAULT, KT_MP_SAVED };

/* One mode page: fill @p for page control @pc, return its length. */
struct kt_mode_page {
	u8 code;
	u8 len;
	void (*fill)(struct kt_dev *dev, int pc, u8 *p);
};

static void kt_mp_rw_recovery(struct kt_dev *dev, int pc, u8 *p)
{
}

static bool kt_wce_changeable(struct kt_dev *dev)
{
	return !dev->ops->write_cache_enabled;
}

static void kt_mp_caching(struct kt_dev *dev, int pc, u8 *p)
{
	if (pc == KT_MP_CHANGEABLE) {
		if (kt_wce_changeable(dev))
			p[2] = 0x04;
		return;
	}
	if (pc == KT_MP_CURRENT && kt_dev_wce(dev))
		p[2] |= 0x04;	/* WCE */
	if (pc == KT_MP_DEFAULT && dev->ops->write_cache_enabled &&
	    kt_dev_wce(dev))
		p[2] |= 0x04;
	p[12] = 0x20;		/* DRA: no read-ahead of our own */
}

static void kt_mp_control(struct kt_dev *dev, int pc, u8 *p)
{
	if (pc == KT_MP_CHANGEABLE) {
		p[2] = 0x04;	/* D_SENSE */
		return;
	}
	p[2] = 0x02;		/* GLTSD: no implicit log saving */
	if (pc == KT_MP_CURRENT && dev->d_sense)
		p[2] |= 0x04;
	p[3] = 0x00;		/* QAM restricted, QERR 0 */
	if (dev->attrib.emulate_tas)
		p[5] |= 0x40;	/* TAS */
	p[4] = (dev->attrib.emulate_ua_intlck_ctrl & 3) << 4;
	put_unaligned_be16(0xffff, p + 8);	/* busy timeout: unlimited */
}

static void kt_mp_iec(struct kt_dev *dev, int pc, u8 *p)
{
}

static const struct kt_mode_page kt_mode_pages[] = {
	{ 0x01, 12, kt_mp_rw_recovery },
	{ 0x08, 20, kt_mp_caching },
	{ 0x0a, 12, kt_mp_control },
	{ 0x1c, 12, kt_mp_iec },
};

static u32 kt_mode_page_put(struct kt_dev *dev, const struct kt_mode_page *mp,
			    int pc, u8 *p)
{
	memset(p, 0, mp->len);
	p[0] = mp->code;
	p[1] = mp->len - 2;
	mp->fill(dev, pc, p);
	return mp->len;
}

/* Block descriptor (short or long) for MODE SENSE; returns its length. */
static u32 kt_mode_bd(struct kt_dev *dev, bool lng, u8 *p)
{
	u64 blocks = kt_dev_capacity(dev);

	if (lng) {
		put_unaligned_be64(blocks, p);
		put_unaligned_be32(dev->attrib.block_size, p + 12);
		return 16;
	}
	put_unaligned_be32(blocks > U32_MAX ? U32_MAX : (u32)blocks, p);
	put_unaligned_be32(dev->attrib.block_size & 0xffffff, p + 4);
	return 8;
}

static void kt_spc_mode_sense(struct kt_cmd *cmd)
{
	bool ten = cmd->d.len == 10, lng = ten && cmd->d.llbaa;
	struct kt_dev *dev = cmd->dev;
	u32 hdr = ten ? 8 : 4, off, bdl = 0;
	bool found = false;
	u8 *buf;
	int i;

	if (cmd->d.pc == KT_MP_SAVED) {
		kt_cmd_complete(cmd, KT_S_SAVING_NOT_SUPPORTED);
		return;
	}
	if (cmd->d.subpage && !(cmd->d.page == 0x3f && cmd->d.subpage == 0xff)) {
		kt_spc_fail_cdb(cmd, 3, -1);
		return;
	}
	buf = kzalloc(KT_RESP_MAX, GFP_KERNEL);
	if (!buf) {
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
		return;
	}
	if (!cmd->d.dbd)
		bdl = kt_mode_bd(dev, lng, buf + hdr);
	off = hdr + bdl;
	for (i = 0; i < ARRAY_SIZE(kt_mode_pages); i++) {
		if (cmd->d.page != 0x3f && cmd->d.page != kt_mode_pages[i].code)
			continue;
		off += kt_mode_page_put(dev, &kt_mode_pages[i], cmd->d.pc,
					buf + off);
		found = true;
	}
	if (!found) {
		kfree(buf);
		kt_spc_fail_cdb(cmd, 2, 5);
		return;
	}
	/* device-specific parameter: WP, DPOFUA */
	buf[ten ? 3 : 2] = (cmd->write_protect ? 0x80 : 0) | 0x10;
	if (ten) {
		put_unaligned_be16(off - 2, buf);
		buf[4] = lng ? 0x01 : 0;
		put_unaligned_be16(bdl, buf + 6);
	} else {
		buf[0] = off - 1;
		buf[3] = bdl;
	}
	kt_spc_reply(cmd, buf, off);
	kfree(buf);
}

/*
 * Check one page of MODE SELECT parameter data at @p (@avail bytes, at
 * offset @base of the list) against the current values and the changeable
 * mask, then apply it.  Returns KT_OK or an invalid-field status.
 */
static kt_status_t kt_mode_select_page(struct kt_cmd *cmd, const u8 *p,
				       u32 avail, u32 base, bool *changed)
{
	const struct kt_mode_page *mp = NULL;
	struct kt_dev *dev = cmd->dev;
	u8 cur[32], chg[32];
	int i;

	for (i = 0; i < ARRAY_SIZE(kt_mode_pages); i++)
		if (kt_mode_pages[i].code == (p[0] & 0x3f))
			mp = &kt_mode_pages[i];
	if (!mp || (p[0] & 0x40)) {
		kt_cmd_bad_param(cmd, base, -1);
		return KT_S_INVALID_FIELD_PARAM;
	}
	if (avail < 2 || p[1] != mp->len - 2 || avail < mp->len) {
		kt_cmd_bad_param(cmd, base + 1, -1);
		return avail < mp->len ? KT_S_PARAM_LIST_LENGTH :
		       KT_S_INVALID_FIELD_PARAM;
	}
	kt_mode_page_put(dev, mp, KT_MP_CURRENT, cur);
	kt_mode_page_put(dev, mp, KT_MP_CHANGEABLE, chg);
	for (i = 2; i < mp->len; i++) {
		if ((p[i] ^ cur[i]) & ~chg[i]) {
			kt_cmd_bad_param(cmd, base + i, -1);
			return KT_S_INVALID_FIELD_PARAM;
		}
	}
	if (mp->code == 0x08 && ((p[2] ^ cur[2]) & 0x04)) {
		dev->attrib.emulate_write_cache = !!(p[2] & 0x04);
		*changed = true;
	}
	if (mp->code == 0x0a && ((p[2] ^ cur[2]) & 0x04)) {
		WRITE_ONCE(dev->d_sense, !!(p[2] & 0x04));
		*changed = true;
	}
	return KT_OK;
}

static kt_status_t kt_mode_select_parse(struct kt_cmd *cmd, const u8 *buf,
					u32 len, bool *changed)
{
	bool ten = cmd->d.len == 10;
	u32 hdr = ten ? 8 : 4, bdl, off;
	kt_status_t status;

	if (len < hdr)
		return KT_S_PARAM_LIST_LENGTH;
	bdl = ten ? get_unaligned_be16(buf + 6) : buf[3];
	if (bdl && bdl != 8 && bdl != 16) {
		kt_cmd_bad_param(cmd, ten ? 6 : 3, -1);
		return KT_S_INVALID_FIELD_PARAM;
	}
	if (hdr + bdl > len)
		return KT_S_PARAM_LIST_LENGTH;
	/* a block descriptor may only repeat the current block length */
	if (bdl && get_unaligned_be32(buf + hdr + bdl - 4) % 0x1000000 !=
	    cmd->dev->attrib.block_size) {
		kt_cmd_bad_param(cmd, hdr + bdl - 3, -1);
		return KT_S_INVALID_FIELD_PARAM;
	}
	for (off = hdr + bdl; off < len; off += buf[off + 1] + 2) {
		if (len - off < 2)
			return KT_S_PARAM_LIST_LENGTH;
		status = kt_mode_select_page(cmd, buf + off, len - off, off,
					     changed);
		if (status != KT_OK)
			return status;
	}
	return KT_OK;
}

static void kt_spc_mode_select(struct kt_cmd *cmd)
{
	u32 len = cmd->d.alloc_len;
	bool changed = false;
	kt_status_t status;
	u8 *buf;

	if (!len) {
		kt_cmd_complete(cmd, KT_OK);
		return;
	}
	buf = kzalloc(len, GFP_KERNEL);
	if (!buf) {
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
		return;
	}
	if (kt_cmd_copy_from_sgl(cmd, buf, len) < len)
		status = KT_S_PARAM_LIST_LENGTH;
	else
		status = kt_mode_select_parse(cmd, buf, len, &changed);
	kfree(buf);
	if (status == KT_OK && changed)
		kt_ua_dev_others(cmd->dev, cmd->mlun, KT_UA_MODE_CHANGED);
	kt_cmd_complete(cmd, status);
}

/* ---------------- REQUEST SENSE, REPORT LUNS, TUR ---------------- */

static void kt_spc_request_sense(struct kt_cmd *cmd)
{
	struct kt_sense_info si = { };
	u8 buf[KT_SENSE_MAX];
	u32 len;

	if (!cmd->dev && cmd->lun != KT_WLUN_REPORT_LUNS) {
		si.key = KT_SK_ILLEGAL_REQUEST;
		si.asc = 0x25;	/* LOGICAL UNIT NOT SUPPORTED */
	} else if (cmd->mlun && kt_ua_pop(cmd->mlun, &si.asc, &si.ascq)) {
		si.key = KT_SK_UNIT_ATTENTION;
	}
	len = kt_sense_build(buf, sizeof(buf), cmd->d.desc, &si);
	kt_spc_reply(cmd, buf, len);
}

#define KT_REPORT_LUNS_MAX	(8 + 8 * (KT_MAX_LUN + 2))

static void kt_spc_report_luns(struct kt_cmd *cmd)
{
	u32 len = min_t(u32, cmd->d.alloc_len, KT_REPORT_LUNS_MAX);
	u8 *buf = kvzalloc(len, GFP_KERNEL);
	u32 full;

	if (!buf) {
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
		return;
	}
	full = kt_sess_report_luns(cmd->sess, buf, len, cmd->d.select_report);
	kt_spc_reply(cmd, buf, min(full, len));
	kvfree(buf);
}

static void kt_spc_good(struct kt_cmd *cmd)
{
	kt_cmd_complete(cmd, KT_OK);
}

kt_status_t kt_spc_setup(struct kt_cmd *cmd)
{
	struct kt_cdb *d = &cmd->d;

	cmd->data_len = d->alloc_len;
	switch (d->op) {
	case KT_OP_TEST_UNIT_READY:
		cmd->execute = kt_spc_good;
		return KT_OK;
	case KT_OP_INQUIRY:
		cmd->execute = kt_spc_inquiry;
		return KT_OK;
	case KT_OP_REQUEST_SENSE:
		cmd->execute = kt_spc_request_sense;
		return KT_OK;
	case KT_OP_REPORT_LUNS:
		cmd->execute = kt_spc_report_luns;
		return KT_OK;
	case KT_OP_MODE_SENSE:
		cmd->execute = kt_spc_mode_sense;
		return KT_OK;
	case KT_OP_MODE_SELECT:
		if (!d->pf) {
			kt_cmd_bad_cdb(cmd, 1, 4);
			return KT_S_INVALID_FIELD_CDB;
		}
		if (d->sp) {
			kt_cmd_bad_cdb(cmd, 1, 0);
			return KT_S_INVALID_FIELD_CDB;
		}
		cmd->execute = kt_spc_mode_select;
		return KT_OK;
	default:
		return KT_S_INVALID_OPCODE;
	}
}

/*
 * Commands addressed to a LUN the session cannot see: INQUIRY answers
 * "no device here", REPORT LUNS and REQUEST SENSE work, the rest fail
 * with LOGICAL UNIT NOT SUPPORTED.
 */
kt_status_t kt_spc_no_lun_setup(struct kt_cmd *cmd)
{
	cmd->data_len = cmd->d.alloc_len;
	switch (cmd->d.op) {
	case KT_OP_INQUIRY:
		if (cmd->d.evpd)
			return KT_S_LUN_NOT_SUPPORTED;
		cmd->execute = kt_spc_inquiry;
		return KT_OK;
	case KT_OP_REPORT_LUNS:
		cmd->execute = kt_spc_report_luns;
		return KT_OK;
	case KT_OP_REQUEST_SENSE:
		cmd->execute = kt_spc_request_sense;
		return KT_OK;
	case KT_OP_TEST_UNIT_READY:
		if (cmd->lun == KT_WLUN_REPORT_LUNS) {
			cmd->execute = kt_spc_good;
			return KT_OK;
		}
		return KT_S_LUN_NOT_SUPPORTED;
	default:
		return KT_S_LUN_NOT_SUPPORTED;
	}
}
