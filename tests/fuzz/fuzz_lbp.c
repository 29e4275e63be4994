// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the UNMAP parameter list of core/wire/lbp.c.
 *
 * Input layout (missing bytes read as zero):
 *   0-7    capacity in logical blocks (big endian)
 *   8-11   MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
 *   12-15  MAXIMUM UNMAP LBA COUNT
 *   16...  the parameter list (at most KT_UNMAP_LIST_MAX bytes)
 * The list is parsed from a buffer of exactly its length (ASan finds any
 * read past it).  A list that is accepted holds only descriptors within
 * the capacity and the limits, whose counts add up to what the parser
 * says; a refused one says nothing about descriptors and points, if at
 * all, inside the list.
 */
#include <ktarget/wire.h>
#include "fuzz.h"

#define HDR_LEN	16

static void check_accepted(const struct kt_unmap_list *l, const u8 *list,
			   u32 len, const struct kt_unmap_limits *lim)
{
	u64 lba, total = 0;
	u32 i, n;

	INVARIANT(l->ndesc <= lim->max_desc);
	if (!l->ndesc)
		return;
	INVARIANT(l->desc == list + KT_UNMAP_HDR_LEN);
	INVARIANT(KT_UNMAP_HDR_LEN + (u64)l->ndesc * KT_UNMAP_DESC_LEN <= len);
	INVARIANT(l->ndesc ==
		  get_unaligned_be16(list + 2) / KT_UNMAP_DESC_LEN);
	for (i = 0; i < l->ndesc; i++) {
		kt_unmap_desc(l, i, &lba, &n);
		INVARIANT(lba <= lim->capacity && n <= lim->capacity - lba);
		total += n;
	}
	INVARIANT(total == l->nblocks && total <= lim->max_lbas);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct kt_unmap_limits lim;
	struct kt_unmap_list l;
	u8 h[HDR_LEN] = { }, *list;
	kt_status_t st;
	u16 field;
	u32 len;

	memcpy(h, data, size < HDR_LEN ? size : HDR_LEN);
	lim.capacity = get_unaligned_be64(h);
	lim.max_desc = get_unaligned_be32(h + 8);
	lim.max_lbas = get_unaligned_be32(h + 12);
	len = size > HDR_LEN ? size - HDR_LEN : 0;
	if (len > KT_UNMAP_LIST_MAX)
		len = KT_UNMAP_LIST_MAX;
	list = malloc(len ? len : 1);
	memcpy(list, data + (size > HDR_LEN ? HDR_LEN : size), len);
	st = kt_unmap_parse(list, len, &lim, &l, &field);
	if (st == KT_OK) {
		check_accepted(&l, list, len, &lim);
	} else {
		INVARIANT(st == KT_S_PARAM_LIST_LENGTH ||
			  st == KT_S_INVALID_FIELD_PARAM ||
			  st == KT_S_LBA_OUT_OF_RANGE);
		INVARIANT(l.ndesc == 0);
		INVARIANT(field == 0xffff || field < len);
		INVARIANT(st != KT_S_PARAM_LIST_LENGTH || field == 0xffff);
	}
	free(list);
	return 0;
}
