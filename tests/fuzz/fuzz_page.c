// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the response pages of core/wire/page.c.
 *
 * Input layout (missing bytes read as zero):
 *   0      builder: 0 standard INQUIRY, 1 VPD page, 2 MODE SENSE,
 *          3 MODE SELECT parameter list, 4 READ CAPACITY (10 and 16)
 *   1-2    capacity handed to the builder (big endian, below 2048)
 *   3      VPD or mode page code
 *   4      flags: 0x01 (10) CDB, 0x02 DBD, 0x04 LLBAA, 0x18 page control,
 *          0x20 WCE, 0x40 WCE changeable, 0x80 D_SENSE
 *   5-6    tpgt, 7-8 rtpi, 9-16 blocks, 17-20 block size; byte 6 also
 *          gives ALUA: TPGS (bits 1-0), the port is in a group (bit 2),
 *          whose id is rtpi ^ tpgt
 *   21...  builders 0-2: raw bytes of the LU's strings (vendor, product,
 *          revision, serial, target name in that order, no NUL needed);
 *          builder 3: the parameter list
 * Every page is built into a buffer of exactly the capacity (ASan finds
 * any write past it) and must be a prefix of the same page built whole,
 * no longer than the page's documented maximum, with consistent lengths.
 */
#include <ktarget/wire.h>
#include "fuzz.h"

#define HDR_LEN	21

struct input {
	u8 what, page, flags;
	u32 cap;
	const u8 *rest;
	size_t rest_len;
	struct kt_lu_info lu;
	struct kt_mode_info mi;
	struct kt_cdb d;
};

/* Copy the next bytes of @in->rest into @dst (@n bytes), no NUL added. */
static void take(struct input *in, size_t *off, void *dst, size_t n)
{
	size_t k = in->rest_len > *off ? in->rest_len - *off : 0;

	if (k > n)
		k = n;
	memcpy(dst, in->rest + *off, k);
	*off += k;
}

static void parse(const u8 *data, size_t size, struct input *in)
{
	u8 h[HDR_LEN] = { };
	size_t off = 0;

	memcpy(h, data, size < HDR_LEN ? size : HDR_LEN);
	memset(in, 0, sizeof(*in));
	in->what = h[0] % 5;
	in->cap = get_unaligned_be16(h + 1) & 0x7ff;
	in->page = h[3];
	in->flags = h[4];
	in->rest = data + (size < HDR_LEN ? size : HDR_LEN);
	in->rest_len = size > HDR_LEN ? size - HDR_LEN : 0;

	in->lu.tpgt = get_unaligned_be16(h + 5);
	in->lu.rtpi = get_unaligned_be16(h + 7);
	in->lu.company_id = get_unaligned_be32(h + 9) & 0xffffff;
	in->lu.wce = in->flags & 0x20;
	in->lu.tpgs = h[6] & 0x3;
	in->lu.tpg_valid = h[6] & 0x4;
	in->lu.tpg_id = in->lu.rtpi ^ in->lu.tpgt;
	take(in, &off, in->lu.vendor, sizeof(in->lu.vendor));
	take(in, &off, in->lu.product, sizeof(in->lu.product));
	take(in, &off, in->lu.revision, sizeof(in->lu.revision));
	take(in, &off, in->lu.serial, sizeof(in->lu.serial));
	take(in, &off, in->lu.target, sizeof(in->lu.target));

	in->mi.blocks = get_unaligned_be64(h + 9);
	in->mi.block_size = get_unaligned_be32(h + 17);
	in->mi.wce = in->flags & 0x20;
	in->mi.wce_changeable = in->flags & 0x40;
	in->mi.d_sense = in->flags & 0x80;
	in->d.len = in->flags & 0x01 ? 10 : 6;
	in->d.dbd = in->flags & 0x02;
	in->d.llbaa = in->flags & 0x04;
	in->d.pc = (in->flags >> 3) & 3;
	in->d.page = in->page & 0x3f;
}

static u32 build(const struct input *in, u8 *buf, u32 cap)
{
	switch (in->what) {
	case 0:
		return kt_inq_std(&in->lu, buf, cap);
	case 1:
		return kt_inq_vpd(in->page, &in->lu, buf, cap);
	case 2:
		if (!kt_mode_page_known(in->d.page) || in->d.pc == KT_MP_SAVED)
			return 0;
		return kt_mode_sense(&in->d, &in->mi, buf, cap);
	default:
		if (in->page & 1)
			return kt_read_capacity16(in->mi.blocks,
						  in->mi.block_size,
						  in->lu.rtpi, buf, cap);
		return kt_read_capacity10(in->mi.blocks, in->mi.block_size,
					  buf, cap);
	}
}

static u32 page_max(u8 what)
{
	switch (what) {
	case 0:
	case 1:
		return KT_INQ_RESP_MAX;
	case 2:
		return KT_MODE_SENSE_MAX;
	default:
		return 32;
	}
}

/* The designators of a VPD 0x83 page tile it exactly. */
static void check_vpd83(const u8 *p, u32 len)
{
	u32 off = 4;

	while (off < len) {
		INVARIANT(len - off >= 4);
		INVARIANT(p[off + 3] <= KT_DESIGNATOR_MAX);
		INVARIANT(p[off + 3] <= len - off - 4);
		off += 4 + p[off + 3];
	}
	INVARIANT(off == len);
}

static void check_page(const struct input *in)
{
	u8 full[2048], *buf;
	u32 need, got;

	need = build(in, NULL, 0);
	INVARIANT(need <= page_max(in->what));
	if (!need)
		return;
	INVARIANT(build(in, full, sizeof(full)) == need);
	buf = in->cap ? malloc(in->cap) : NULL;
	got = build(in, buf, in->cap);
	INVARIANT(got == need);
	if (in->cap)
		INVARIANT(!memcmp(buf, full, in->cap < need ? in->cap : need));
	free(buf);
	if (in->what == 1) {
		INVARIANT(get_unaligned_be16(full + 2) == need - 4);
		if (in->page == 0x83)
			check_vpd83(full, need);
	}
	if (in->what == 2)
		INVARIANT((in->d.len == 10 ? get_unaligned_be16(full) + 2u :
			   full[0] + 1u) == need);
}

static void check_mode_select(const struct input *in)
{
	struct kt_mode_info out;
	u32 len = in->rest_len < KT_MODE_SELECT_MAX ? in->rest_len :
		  KT_MODE_SELECT_MAX;
	u8 *list = malloc(len ? len : 1);
	kt_status_t st;
	u16 field;

	memcpy(list, in->rest, len);
	st = kt_mode_select_parse(list, len, in->flags & 0x01, &in->mi, &out,
				  &field);
	free(list);
	if (st != KT_OK) {
		INVARIANT(st == KT_S_INVALID_FIELD_PARAM ||
			  st == KT_S_PARAM_LIST_LENGTH);
		INVARIANT(field == 0xffff || field < len);
		return;
	}
	/*
	 * only WCE (if changeable), D_SENSE, TAS and UA_INTLCK_CTRL may
	 * differ, the last never to the reserved 01b
	 */
	if (!in->mi.wce_changeable)
		INVARIANT(out.wce == in->mi.wce);
	INVARIANT(out.ua_intlck != 1 && out.ua_intlck <= 3);
	INVARIANT(out.blocks == in->mi.blocks &&
		  out.block_size == in->mi.block_size &&
		  out.wp == in->mi.wp &&
		  out.wce_changeable == in->mi.wce_changeable &&
		  out.wce_default == in->mi.wce_default);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in;

	parse(data, size, &in);
	if (in.what == 3)
		check_mode_select(&in);
	else
		check_page(&in);
	return 0;
}
