// SPDX-License-Identifier: GPL-2.0
/*
 * Logical block provisioning (pure code, see wire.h): the UNMAP
 * parameter list of SBC-4 5.32.
 *
 * A list is checked whole before the core unmaps anything, so a bad
 * descriptor anywhere refuses the command with nothing done:
 *
 *   bytes 0-1  UNMAP DATA LENGTH: the bytes that follow it
 *   bytes 2-3  UNMAP BLOCK DESCRIPTOR DATA LENGTH
 *   bytes 4-7  reserved
 *   8...       16-byte descriptors: LBA (8), NUMBER OF LOGICAL BLOCKS
 *              (4), reserved (4)
 *
 * SBC-4 lets an incomplete last descriptor (a descriptor data length
 * that is not a multiple of 16) be ignored; that is the only thing
 * ignored.  A list cut shorter than its header says is refused rather
 * than acted on in part.
 */
#include <ktarget/wire.h>

/* Offsets inside the list and inside one descriptor */
#define UL_DATA_LEN	0
#define UL_DESC_LEN	2
#define UD_LBA		0
#define UD_NBLOCKS	8

/* The header: its two lengths agree with each other and with @len. */
static kt_status_t kt_unmap_header(const u8 *buf, u32 len, u32 *desc_len,
				   u16 *field)
{
	u32 dl, bdl;

	if (len < KT_UNMAP_HDR_LEN)
		return KT_S_PARAM_LIST_LENGTH;
	dl = get_unaligned_be16(buf + UL_DATA_LEN);
	bdl = get_unaligned_be16(buf + UL_DESC_LEN);
	if (dl + 2 > len || bdl + KT_UNMAP_HDR_LEN > len)
		return KT_S_PARAM_LIST_LENGTH;
	if (dl < bdl + KT_UNMAP_HDR_LEN - 2) {
		*field = UL_DATA_LEN;
		return KT_S_INVALID_FIELD_PARAM;
	}
	*desc_len = bdl;
	return KT_OK;
}

/* One descriptor: within the capacity, counted against the LBA limit. */
static kt_status_t kt_unmap_check_desc(const u8 *d, u32 off,
				       const struct kt_unmap_limits *lim,
				       u64 *total, u16 *field)
{
	u64 lba = get_unaligned_be64(d + UD_LBA);
	u32 n = get_unaligned_be32(d + UD_NBLOCKS);

	if (lba > lim->capacity || n > lim->capacity - lba) {
		*field = off + UD_LBA;
		return KT_S_LBA_OUT_OF_RANGE;
	}
	*total += n;
	if (*total > lim->max_lbas) {
		*field = off + UD_NBLOCKS;
		return KT_S_INVALID_FIELD_PARAM;
	}
	return KT_OK;
}

kt_status_t kt_unmap_parse(const u8 *buf, u32 len,
			   const struct kt_unmap_limits *lim,
			   struct kt_unmap_list *out, u16 *field)
{
	u32 bdl = 0, i, off;
	kt_status_t st;
	u64 total = 0;

	memset(out, 0, sizeof(*out));
	*field = 0xffff;
	if (!len)
		return KT_OK;
	st = kt_unmap_header(buf, len, &bdl, field);
	if (st != KT_OK)
		return st;
	out->ndesc = bdl / KT_UNMAP_DESC_LEN;
	if (out->ndesc > lim->max_desc) {
		*field = UL_DESC_LEN;
		out->ndesc = 0;
		return KT_S_INVALID_FIELD_PARAM;
	}
	for (i = 0; i < out->ndesc; i++) {
		off = KT_UNMAP_HDR_LEN + i * KT_UNMAP_DESC_LEN;
		st = kt_unmap_check_desc(buf + off, off, lim, &total, field);
		if (st != KT_OK) {
			out->ndesc = 0;
			return st;
		}
	}
	out->desc = buf + KT_UNMAP_HDR_LEN;
	out->nblocks = total;
	return KT_OK;
}

void kt_unmap_desc(const struct kt_unmap_list *l, u32 i, u64 *lba,
		   u32 *nblocks)
{
	const u8 *d = l->desc + (size_t)i * KT_UNMAP_DESC_LEN;

	*lba = get_unaligned_be64(d + UD_LBA);
	*nblocks = get_unaligned_be32(d + UD_NBLOCKS);
}
