// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the ALUA metadata files (core/wire/alua_md.c):
 * the input is a file's text, given to both parsers.  What a parser
 * accepts must be in range, encode within KT_ALUA_MD_MAX bytes and parse
 * back to the same fields.
 */
#include <ktarget/alua.h>
#include "fuzz.h"

static char text[KT_ALUA_MD_MAX];

static void check_tpg(const char *data, u32 len)
{
	struct kt_alua_md_tpg m, back;
	u32 n;

	if (kt_alua_md_parse_tpg(data, len, &m))
		return;
	INVARIANT(kt_alua_state_valid(m.state));
	INVARIANT(m.status <= KT_ALUA_STATUS_IMPLICIT);
	n = kt_alua_md_encode_tpg(&m, text, sizeof(text));
	INVARIANT(n <= sizeof(text));
	INVARIANT(!kt_alua_md_parse_tpg(text, n, &back));
	INVARIANT(back.id == m.id && back.state == m.state &&
		  back.status == m.status);
}

static void check_lun(const char *data, u32 len)
{
	struct kt_alua_md_lun m, back;
	u32 n;

	if (kt_alua_md_parse_lun(data, len, &m))
		return;
	INVARIANT(m.status <= KT_ALUA_STATUS_IMPLICIT);
	n = kt_alua_md_encode_lun(&m, text, sizeof(text));
	INVARIANT(n <= sizeof(text));
	INVARIANT(!kt_alua_md_parse_lun(text, n, &back));
	INVARIANT(back.offline == m.offline && back.status == m.status);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u32 len = size > 4096 ? 4096 : size;

	check_tpg((const char *)data, len);
	check_lun((const char *)data, len);
	return 0;
}
