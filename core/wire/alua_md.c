// SPDX-License-Identifier: GPL-2.0
/*
 * ALUA metadata files (pure code, see alua.h): the text LIO's kernel
 * keeps under <dbroot>/alua for a target port group (its id, primary
 * access state and status) and for a LUN's port (its secondary offline
 * state and status).  One "key=value" line per field; numbers LIO
 * writes in hex carry "0x".  The parsers take each key once, in any
 * order, decimal or 0x-hex values, and refuse anything else.
 */
#include <ktarget/alua.h>

#define MD_NUM_DIGITS	8	/* more digits than any field needs */

struct md_out {
	char *buf;
	u32 cap;
	u32 len;
};

static void md_put(struct md_out *o, const char *s)
{
	for (; *s; s++, o->len++)
		if (o->len < o->cap)
			o->buf[o->len] = *s;
}

static void md_put_dec(struct md_out *o, u32 v)
{
	char d[11];
	int i = sizeof(d) - 1;

	d[i] = '\0';
	do {
		d[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	md_put(o, d + i);
}

/* 0x and two hex digits, LIO's form of a state or a status */
static void md_put_hex2(struct md_out *o, u8 v)
{
	static const char hex[] = "0123456789abcdef";
	char d[5] = { '0', 'x', hex[v >> 4], hex[v & 15], '\0' };

	md_put(o, d);
}

/**
 * kt_alua_md_encode_tpg() - the metadata file of a target port group
 * @m: its id, state and status
 * @buf: where the text goes (no NUL)
 * @cap: bytes of @buf
 *
 * Return: the length of the whole text (more than @cap: cut short).
 */
u32 kt_alua_md_encode_tpg(const struct kt_alua_md_tpg *m, char *buf, u32 cap)
{
	struct md_out o = { .buf = buf, .cap = cap };

	md_put(&o, "tg_pt_gp_id=");
	md_put_dec(&o, m->id);
	md_put(&o, "\nalua_access_state=");
	md_put_hex2(&o, m->state);
	md_put(&o, "\nalua_access_status=");
	md_put_hex2(&o, m->status);
	md_put(&o, "\n");
	return o.len;
}

/**
 * kt_alua_md_encode_lun() - the metadata file of a LUN's target port
 * @m: its secondary offline state and status
 * @buf: where the text goes (no NUL)
 * @cap: bytes of @buf
 *
 * Return: the length of the whole text (more than @cap: cut short).
 */
u32 kt_alua_md_encode_lun(const struct kt_alua_md_lun *m, char *buf, u32 cap)
{
	struct md_out o = { .buf = buf, .cap = cap };

	md_put(&o, "alua_tg_pt_offline=");
	md_put_dec(&o, m->offline);
	md_put(&o, "\nalua_tg_pt_status=");
	md_put_hex2(&o, m->status);
	md_put(&o, "\n");
	return o.len;
}

/* A decimal or 0x-hex number of @n bytes at @v, at most @max */
static int md_get_num(const char *v, u32 n, u32 max, u32 *out)
{
	u32 base = 10, i = 0, x = 0;
	int d;

	if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n || n - i > MD_NUM_DIGITS)
		return -EINVAL;
	for (; i < n; i++) {
		d = base == 16 ? hex_to_bin(v[i]) :
		    (v[i] >= '0' && v[i] <= '9' ? v[i] - '0' : -1);
		if (d < 0)
			return -EINVAL;
		x = x * base + d;
	}
	if (x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

/**
 * struct md_key - one key a metadata file may have
 * @name: the key, before '='
 * @max: the largest value
 */
struct md_key {
	const char *name;
	u32 max;
};

/*
 * Parse @len bytes of @text as one "key=value" line per key of @keys
 * (@nkeys of them, each exactly once) into @vals.  -EINVAL for a bad
 * line, an unknown or repeated key or a missing one; -ERANGE for a
 * value above its key's max.  A last line without '\n' is taken.
 */
static int md_parse(const char *text, u32 len, const struct md_key *keys,
		    u32 nkeys, u32 *vals)
{
	u32 seen = 0, pos = 0, end, eq, k;
	int ret;

	while (pos < len) {
		for (end = pos; end < len && text[end] != '\n'; end++)
			;
		for (eq = pos; eq < end && text[eq] != '='; eq++)
			;
		if (eq == end)
			return -EINVAL;
		for (k = 0; k < nkeys; k++)
			if (strlen(keys[k].name) == eq - pos &&
			    !memcmp(keys[k].name, text + pos, eq - pos))
				break;
		if (k == nkeys || seen & (1u << k))
			return -EINVAL;
		ret = md_get_num(text + eq + 1, end - eq - 1, keys[k].max,
				 &vals[k]);
		if (ret)
			return ret;
		seen |= 1u << k;
		pos = end + 1;
	}
	return seen == (1u << nkeys) - 1 ? 0 : -EINVAL;
}

/**
 * kt_alua_md_parse_tpg() - read a target port group's metadata file
 * @text: its content
 * @len: bytes of @text
 * @m: filled in on success
 *
 * Return: 0; -EINVAL for a bad file or a state a group cannot be in,
 * -ERANGE for a value out of range.
 */
int kt_alua_md_parse_tpg(const char *text, u32 len, struct kt_alua_md_tpg *m)
{
	static const struct md_key keys[] = {
		{ "tg_pt_gp_id", 0xffff },
		{ "alua_access_state", KT_ALUA_TRANSITIONING },
		{ "alua_access_status", KT_ALUA_STATUS_IMPLICIT },
	};
	u32 v[ARRAY_SIZE(keys)];
	int ret = md_parse(text, len, keys, ARRAY_SIZE(keys), v);

	if (ret)
		return ret;
	if (!kt_alua_state_valid(v[1]))
		return -EINVAL;
	m->id = v[0];
	m->state = v[1];
	m->status = v[2];
	return 0;
}

/**
 * kt_alua_md_parse_lun() - read a LUN's port metadata file
 * @text: its content
 * @len: bytes of @text
 * @m: filled in on success
 *
 * Return: 0; -EINVAL for a bad file, -ERANGE for a value out of range.
 */
int kt_alua_md_parse_lun(const char *text, u32 len, struct kt_alua_md_lun *m)
{
	static const struct md_key keys[] = {
		{ "alua_tg_pt_offline", 1 },
		{ "alua_tg_pt_status", KT_ALUA_STATUS_IMPLICIT },
	};
	u32 v[ARRAY_SIZE(keys)];
	int ret = md_parse(text, len, keys, ARRAY_SIZE(keys), v);

	if (ret)
		return ret;
	m->offline = v[0];
	m->status = v[1];
	return 0;
}
