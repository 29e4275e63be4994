// SPDX-License-Identifier: GPL-2.0
/*
 * SPC-4 asymmetric logical unit access (pure code, see alua.h): the
 * target port groups of a logical unit, the access check by group state,
 * REPORT TARGET PORT GROUPS and SET TARGET PORT GROUPS.
 *
 * Every change checks all it needs before it touches anything, so a
 * refused one leaves the state as it was; the state is one struct, so
 * the caller's lock around a call is all the locking.
 */
#include <ktarget/alua.h>

/* REPORT TARGET PORT GROUPS data (SPC-4 6.37) */
#define RTPG_HDR_LEN		4	/* length only: RETURN DATA LENGTH */
#define RTPG_EXT_HDR_LEN	8	/* extended: and format, time */
#define RTPG_EXT_FORMAT		0x10	/* FORMAT TYPE 001b, bits 6-4 */
#define RTPG_DESC_LEN		8	/* one target port group descriptor */
#define RTPG_PORT_LEN		4	/* one target port descriptor */
#define RTPG_PREF		0x80

/* SET TARGET PORT GROUPS parameter list (SPC-4 6.45) */
#define STPG_HDR_LEN		4
#define STPG_DESC_LEN		4
#define STPG_STATE_MASK		0x0f	/* bits 7-4 are reserved */
#define STPG_STATE_BIT		3	/* most significant bit of the field */
#define STPG_ID			2	/* TARGET PORT GROUP OR TARGET PORT */

/* VPD 0x83 designators (SPC-4 7.8.6) */
#define DESIG_CODE_BINARY	0x01
#define DESIG_ASSOC_PORT	0x10	/* ASSOCIATION 01b: target port */
#define DESIG_TYPE_RTPI		0x4
#define DESIG_TYPE_TPG		0x5

/* ------------------------------------------------------------------ */
/* Groups and ports                                                   */
/* ------------------------------------------------------------------ */

static void group_defaults(struct kt_alua_group *g, u16 id)
{
	memset(g, 0, sizeof(*g));
	g->used = true;
	g->id = id;
	g->state = KT_ALUA_AO;
	g->status = KT_ALUA_STATUS_NONE;
	g->supported = KT_ALUA_SUP_DEFAULT;
	g->access = KT_ALUA_ACCESS_BOTH;
}

/**
 * kt_alua_init() - a logical unit with only the default group
 * @s: the state to set up
 *
 * The default group (slot 0, id KT_ALUA_DEFAULT_ID) is active/optimized,
 * supports every state but logical block dependent, takes implicit and
 * explicit transitions and has no ports yet.
 */
void kt_alua_init(struct kt_alua_state *s)
{
	memset(s, 0, sizeof(*s));
	group_defaults(&s->groups[0], KT_ALUA_DEFAULT_ID);
}

/**
 * kt_alua_state_bit() - the supported-states bit of a state
 * @state: a primary asymmetric access state
 *
 * Return: its KT_ALUA_SUP_* bit, 0 for a reserved value.
 */
u8 kt_alua_state_bit(u8 state)
{
	switch (state) {
	case KT_ALUA_AO:
		return KT_ALUA_SUP_AO;
	case KT_ALUA_AN:
		return KT_ALUA_SUP_AN;
	case KT_ALUA_STANDBY:
		return KT_ALUA_SUP_S;
	case KT_ALUA_UNAVAILABLE:
		return KT_ALUA_SUP_U;
	case KT_ALUA_LBD:
		return KT_ALUA_SUP_LBD;
	case KT_ALUA_OFFLINE:
		return KT_ALUA_SUP_O;
	case KT_ALUA_TRANSITIONING:
		return KT_ALUA_SUP_T;
	default:
		return 0;
	}
}

/**
 * kt_alua_state_valid() - a state a group may be in
 * @state: a primary asymmetric access state
 *
 * Return: true for every defined state but logical block dependent.
 */
bool kt_alua_state_valid(u8 state)
{
	return kt_alua_state_bit(state) & KT_ALUA_SUP_VALID;
}

/**
 * kt_alua_group_find() - the slot of a group
 * @s: the logical unit's groups
 * @id: TARGET PORT GROUP
 *
 * Return: the slot in @s->groups, or -1 if no group has @id.
 */
int kt_alua_group_find(const struct kt_alua_state *s, u16 id)
{
	int i;

	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		if (s->groups[i].used && s->groups[i].id == id)
			return i;
	return -1;
}

/**
 * kt_alua_group_add() - add a group with the default group's settings
 * @s: the logical unit's groups
 * @id: its TARGET PORT GROUP, 1 to 65535
 *
 * Context: under the caller's lock on @s.
 * Return: the new slot; -EINVAL for id 0, -EEXIST if @id is taken,
 * -ENOSPC with KT_ALUA_MAX_GROUPS groups.
 */
int kt_alua_group_add(struct kt_alua_state *s, u16 id)
{
	int i;

	if (id == KT_ALUA_DEFAULT_ID)
		return -EINVAL;
	if (kt_alua_group_find(s, id) >= 0)
		return -EEXIST;
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++) {
		if (!s->groups[i].used) {
			group_defaults(&s->groups[i], id);
			return i;
		}
	}
	return -ENOSPC;
}

/**
 * kt_alua_group_del() - remove a group that has no ports
 * @s: the logical unit's groups
 * @id: its TARGET PORT GROUP
 *
 * Context: under the caller's lock on @s.
 * Return: 0; -EINVAL for the default group, -ENOENT for an unknown
 * @id, -EBUSY while ports are in it (move them first).
 */
int kt_alua_group_del(struct kt_alua_state *s, u16 id)
{
	int slot = kt_alua_group_find(s, id);

	if (id == KT_ALUA_DEFAULT_ID)
		return -EINVAL;
	if (slot < 0)
		return -ENOENT;
	if (s->groups[slot].nports)
		return -EBUSY;
	memset(&s->groups[slot], 0, sizeof(s->groups[slot]));
	return 0;
}

/* Index of @rtpi in @g->ports, or -1 */
static int port_index(const struct kt_alua_group *g, u16 rtpi)
{
	int i;

	for (i = 0; i < g->nports; i++)
		if (g->ports[i] == rtpi)
			return i;
	return -1;
}

/**
 * kt_alua_port_group() - the group a target port is in
 * @s: the logical unit's groups
 * @rtpi: relative target port identifier
 *
 * Return: the slot of its group, or -1 if no group holds it.
 */
int kt_alua_port_group(const struct kt_alua_state *s, u16 rtpi)
{
	int i;

	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		if (s->groups[i].used && port_index(&s->groups[i], rtpi) >= 0)
			return i;
	return -1;
}

/**
 * kt_alua_port_del() - take a target port out of its group
 * @s: the logical unit's groups
 * @rtpi: relative target port identifier (nothing happens if no group
 *	holds it)
 *
 * Context: under the caller's lock on @s.
 */
void kt_alua_port_del(struct kt_alua_state *s, u16 rtpi)
{
	int slot = kt_alua_port_group(s, rtpi);
	struct kt_alua_group *g;
	int i;

	if (slot < 0)
		return;
	g = &s->groups[slot];
	i = port_index(g, rtpi);
	g->nports--;
	memmove(&g->ports[i], &g->ports[i + 1],
		(g->nports - i) * sizeof(g->ports[0]));
}

/**
 * kt_alua_port_set() - put a target port into a group
 * @s: the logical unit's groups
 * @rtpi: relative target port identifier, 1 to 65535
 * @id: TARGET PORT GROUP to put it in; it leaves the group it was in
 *
 * Context: under the caller's lock on @s.
 * Return: 0; -EINVAL for @rtpi 0, -ENOENT for an unknown group,
 * -ENOSPC if the group holds KT_ALUA_MAX_PORTS ports (then the port
 * stays where it was).
 */
int kt_alua_port_set(struct kt_alua_state *s, u16 rtpi, u16 id)
{
	int slot = kt_alua_group_find(s, id);
	struct kt_alua_group *g;

	if (!rtpi)
		return -EINVAL;
	if (slot < 0)
		return -ENOENT;
	g = &s->groups[slot];
	if (port_index(g, rtpi) >= 0)
		return 0;
	if (g->nports >= KT_ALUA_MAX_PORTS)
		return -ENOSPC;
	kt_alua_port_del(s, rtpi);
	g->ports[g->nports++] = rtpi;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Settings                                                           */
/* ------------------------------------------------------------------ */

static struct kt_alua_group *slot_group(struct kt_alua_state *s, int slot)
{
	if (slot < 0 || slot >= KT_ALUA_MAX_GROUPS || !s->groups[slot].used)
		return NULL;
	return &s->groups[slot];
}

/**
 * kt_alua_set_state() - an implicit transition (configuration, failover)
 * @s: the logical unit's groups
 * @slot: the group's slot
 * @state: its new primary state, one the group supports (transitioning
 *	too: the caller may pass through it)
 *
 * Sets STATUS CODE to altered by implicit behaviour.  A change of state
 * is the caller's to announce with ASYMMETRIC ACCESS STATE CHANGED to
 * every I_T nexus of the logical unit.
 *
 * Context: under the caller's lock on @s.
 * Return: 1 if the state changed, 0 if it was already @state; -EINVAL
 * for a bad slot or a state the group does not support, -EPERM if the
 * group does not take implicit transitions.
 */
int kt_alua_set_state(struct kt_alua_state *s, int slot, u8 state)
{
	struct kt_alua_group *g = slot_group(s, slot);
	bool changed;

	if (!g || !kt_alua_state_valid(state) ||
	    !(g->supported & kt_alua_state_bit(state)))
		return -EINVAL;
	if (!(g->access & KT_ALUA_ACCESS_IMPLICIT))
		return -EPERM;
	changed = g->state != state;
	g->state = state;
	g->status = KT_ALUA_STATUS_IMPLICIT;
	return changed;
}

/**
 * kt_alua_set_supported() - the states a group may take
 * @s: the logical unit's groups
 * @slot: the group's slot
 * @supported: KT_ALUA_SUP_* bits of KT_ALUA_SUP_VALID
 *
 * Context: under the caller's lock on @s.
 * Return: 0; -EINVAL for a bad slot, a bit outside KT_ALUA_SUP_VALID
 * (logical block dependent included), or one that leaves out the
 * group's current state (change the state first).
 */
int kt_alua_set_supported(struct kt_alua_state *s, int slot, u8 supported)
{
	struct kt_alua_group *g = slot_group(s, slot);

	if (!g || (supported & ~KT_ALUA_SUP_VALID) ||
	    !(supported & kt_alua_state_bit(g->state)))
		return -EINVAL;
	g->supported = supported;
	return 0;
}

/**
 * kt_alua_set_access() - the transitions a group takes
 * @s: the logical unit's groups
 * @slot: the group's slot
 * @access: KT_ALUA_ACCESS_IMPLICIT and/or KT_ALUA_ACCESS_EXPLICIT, or 0
 *
 * Context: under the caller's lock on @s.
 * Return: 0, or -EINVAL for a bad slot or value.
 */
int kt_alua_set_access(struct kt_alua_state *s, int slot, u8 access)
{
	struct kt_alua_group *g = slot_group(s, slot);

	if (!g || (access & ~KT_ALUA_ACCESS_BOTH))
		return -EINVAL;
	g->access = access;
	return 0;
}

/**
 * kt_alua_tpgs() - TARGET PORT GROUP SUPPORT of standard INQUIRY data
 * @s: the logical unit's groups
 * @rtpi: the target port the INQUIRY came through
 *
 * Return: the two-bit TPGS field (byte 5, bits 5-4): the access type of
 * the port's group, 0 (no ALUA) for a port in no group.
 */
u8 kt_alua_tpgs(const struct kt_alua_state *s, u16 rtpi)
{
	int slot = kt_alua_port_group(s, rtpi);

	return slot < 0 ? 0 : s->groups[slot].access & KT_ALUA_ACCESS_BOTH;
}

/* ------------------------------------------------------------------ */
/* The access check                                                   */
/* ------------------------------------------------------------------ */

/*
 * The most restrictive class each state still runs: the classes are
 * ordered, each running in every state the one below it runs in.
 */
static bool class_allowed(u8 state, enum kt_alua_class cls)
{
	switch (state) {
	case KT_ALUA_AO:
	case KT_ALUA_AN:
		return true;
	case KT_ALUA_STANDBY:
		return cls >= KT_ALUA_CLS_STANDBY;
	case KT_ALUA_UNAVAILABLE:
		return cls >= KT_ALUA_CLS_STPG;
	case KT_ALUA_TRANSITIONING:
		return cls >= KT_ALUA_CLS_INFO;
	default:
		return false;
	}
}

/* The sense of a command the state refuses */
static kt_status_t state_refusal(u8 state)
{
	switch (state) {
	case KT_ALUA_STANDBY:
		return KT_S_ALUA_STANDBY;
	case KT_ALUA_TRANSITIONING:
		return KT_S_ALUA_TRANSITION;
	case KT_ALUA_OFFLINE:
		return KT_S_ALUA_OFFLINE;
	default:
		return KT_S_ALUA_UNAVAILABLE;
	}
}

/**
 * kt_alua_check() - may a command run through a group in this state?
 * @state: primary state of the group of the command's target port
 * @cls: the command's class
 *
 * SPC-4 5.15.2.4.2-5.15.2.4.5 and 5.15.2.5: active/optimized and
 * active/non-optimized run everything; standby runs the classes from
 * KT_ALUA_CLS_STANDBY up, unavailable those from KT_ALUA_CLS_STPG up,
 * transitioning only KT_ALUA_CLS_INFO; offline nothing.  A state no
 * group can be in (logical block dependent, reserved values) is taken
 * as unavailable.
 *
 * Return: KT_OK; KT_S_ALUA_STANDBY (NOT READY, 04h/0Bh),
 * KT_S_ALUA_UNAVAILABLE (04h/0Ch), KT_S_ALUA_TRANSITION (04h/0Ah) or
 * KT_S_ALUA_OFFLINE (04h/12h).
 */
kt_status_t kt_alua_check(u8 state, enum kt_alua_class cls)
{
	if (!kt_alua_state_valid(state))
		state = KT_ALUA_UNAVAILABLE;
	if ((unsigned int)cls < KT_ALUA_CLS__COUNT &&
	    class_allowed(state, cls))
		return KT_OK;
	return state_refusal(state);
}

/* ------------------------------------------------------------------ */
/* REPORT TARGET PORT GROUPS                                          */
/* ------------------------------------------------------------------ */

/* One target port group descriptor and its ports at @off; its length */
static u32 rtpg_desc(const struct kt_alua_group *g, u8 *buf, u32 cap,
		     u32 off)
{
	u32 i;

	kt_put8(buf, cap, off, (g->preferred ? RTPG_PREF : 0) | g->state);
	kt_put8(buf, cap, off + 1, g->supported & KT_ALUA_SUP_VALID);
	kt_put16(buf, cap, off + 2, g->id);
	kt_put8(buf, cap, off + 5, g->status);
	kt_put8(buf, cap, off + 7, g->nports);
	off += RTPG_DESC_LEN;
	for (i = 0; i < g->nports; i++)
		kt_put16(buf, cap, off + i * RTPG_PORT_LEN + 2, g->ports[i]);
	return RTPG_DESC_LEN + g->nports * RTPG_PORT_LEN;
}

/* The longest implicit transition time of the groups */
static u8 rtpg_trans_secs(const struct kt_alua_state *s)
{
	u8 t = 0;
	int i;

	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		if (s->groups[i].used && s->groups[i].trans_secs > t)
			t = s->groups[i].trans_secs;
	return t;
}

/**
 * kt_alua_rtpg() - REPORT TARGET PORT GROUPS parameter data
 * @s: the logical unit's groups
 * @fmt: PARAMETER DATA FORMAT (CDB byte 1, bits 7-5)
 * @buf: where to write (may be NULL if @cap is 0)
 * @cap: bytes of @buf (the allocation length or less)
 * @full: the length of the whole data, which RETURN DATA LENGTH reports
 *	however much @cap cuts off (at most KT_ALUA_RTPG_MAX)
 *
 * SPC-4 6.37: one descriptor per group that has ports, each with its
 * ports; the extended header (KT_ALUA_RTPG_EXTENDED) adds IMPLICIT
 * TRANSITION TIME, the longest of the groups'.  Bytes of @buf not set
 * are zeroed.
 *
 * Context: under the caller's lock on @s (or a stable copy of it).
 * Return: KT_OK, or KT_S_INVALID_FIELD_CDB for another @fmt (the field
 * pointer is byte 1, bit 7).
 */
kt_status_t kt_alua_rtpg(const struct kt_alua_state *s, u8 fmt, u8 *buf,
			 u32 cap, u32 *full)
{
	u32 off;
	int i;

	*full = 0;
	if (fmt != KT_ALUA_RTPG_LENGTH && fmt != KT_ALUA_RTPG_EXTENDED)
		return KT_S_INVALID_FIELD_CDB;
	if (cap)
		memset(buf, 0, cap);
	off = RTPG_HDR_LEN;
	if (fmt == KT_ALUA_RTPG_EXTENDED) {
		kt_put8(buf, cap, 4, RTPG_EXT_FORMAT);
		kt_put8(buf, cap, 5, rtpg_trans_secs(s));
		off = RTPG_EXT_HDR_LEN;
	}
	for (i = 0; i < KT_ALUA_MAX_GROUPS; i++)
		if (s->groups[i].used && s->groups[i].nports)
			off += rtpg_desc(&s->groups[i], buf, cap, off);
	kt_put32(buf, cap, 0, off - RTPG_HDR_LEN);
	*full = off;
	return KT_OK;
}

/* ------------------------------------------------------------------ */
/* SET TARGET PORT GROUPS                                             */
/* ------------------------------------------------------------------ */

static kt_status_t bad_param(struct kt_alua_effects *fx, u32 field, int bit)
{
	fx->err_valid = true;
	fx->err_field = field > 0xffff ? 0xffff : field;
	fx->err_bit_valid = bit >= 0;
	fx->err_bit = bit >= 0 ? bit : 0;
	return KT_S_INVALID_FIELD_PARAM;
}

/* bad_param() for a descriptor check, which returns a slot or -1 */
static int bad_desc(struct kt_alua_effects *fx, u32 field, int bit)
{
	bad_param(fx, field, bit);
	return -1;
}

/* The states STPG may ask for (SPC-4 6.45) */
static bool stpg_state_ok(u8 state)
{
	return state == KT_ALUA_AO || state == KT_ALUA_AN ||
	       state == KT_ALUA_STANDBY || state == KT_ALUA_UNAVAILABLE;
}

/*
 * Check the descriptor at @off: its state, its group (one RTPG reports,
 * that takes explicit transitions and the state, named once).  Returns
 * the group's slot, or a negative number with @fx's field set.
 */
static int stpg_desc(const struct kt_alua_state *s, const u8 *p, u32 off,
		     const bool *named, struct kt_alua_effects *fx)
{
	u8 state = p[off] & STPG_STATE_MASK;
	const struct kt_alua_group *g;
	int slot;

	/* offline names a relative target port: not supported either */
	if (!stpg_state_ok(state))
		return bad_desc(fx, off, STPG_STATE_BIT);
	slot = kt_alua_group_find(s, get_unaligned_be16(p + off + STPG_ID));
	if (slot < 0 || !s->groups[slot].nports || named[slot])
		return bad_desc(fx, off + STPG_ID, -1);
	g = &s->groups[slot];
	if (!(g->access & KT_ALUA_ACCESS_EXPLICIT))
		return bad_desc(fx, off + STPG_ID, -1);
	if (!(g->supported & kt_alua_state_bit(state)))
		return bad_desc(fx, off, STPG_STATE_BIT);
	return slot;
}

/* Set the checked descriptors' states; report those that changed */
static void stpg_apply(struct kt_alua_state *s, const u8 *p, u32 len,
		       struct kt_alua_effects *fx)
{
	u32 off;
	int slot;
	u8 state;

	for (off = STPG_HDR_LEN; off < len; off += STPG_DESC_LEN) {
		state = p[off] & STPG_STATE_MASK;
		slot = kt_alua_group_find(s,
					  get_unaligned_be16(p + off + STPG_ID));
		fx->changed[slot] = s->groups[slot].state != state;
		s->groups[slot].state = state;
		s->groups[slot].status = KT_ALUA_STATUS_EXPLICIT;
	}
}

/**
 * kt_alua_stpg() - carry out a SET TARGET PORT GROUPS
 * @s: the logical unit's groups
 * @rtpi: the target port the command came through
 * @param: the parameter list, @len bytes
 * @len: PARAMETER LIST LENGTH (0: nothing to do)
 * @fx: cleared, then the groups whose state changed, or the bad field
 *
 * SPC-4 6.45: a four-byte header, then four-byte descriptors of an
 * ASYMMETRIC ACCESS STATE and a TARGET PORT GROUP.  Every descriptor is
 * checked before any group changes: all apply or none.  A group may be
 * set to active/optimized, active/non-optimized, standby or unavailable
 * if it supports that state and takes explicit transitions; each group
 * named gets STATUS CODE altered by SET TARGET PORT GROUPS.  Offline
 * (a descriptor naming one target port), transitioning, logical block
 * dependent and reserved states are refused.  Reserved bits are ignored.
 *
 * Context: under the caller's lock on @s.
 * Return: KT_OK; KT_S_INVALID_OPCODE if the group of @rtpi does not take
 * explicit transitions (INQUIRY's TPGS said STPG is not supported);
 * KT_S_PARAM_LIST_LENGTH for a list that is not a header and whole
 * descriptors; KT_S_INVALID_FIELD_PARAM (@fx points at the field) for
 * an unknown or repeated group, one that does not take explicit
 * transitions, or a state it cannot be set to.
 */
kt_status_t kt_alua_stpg(struct kt_alua_state *s, u16 rtpi, const u8 *param,
			 u32 len, struct kt_alua_effects *fx)
{
	bool named[KT_ALUA_MAX_GROUPS] = { false };
	u32 off;
	int slot;

	memset(fx, 0, sizeof(*fx));
	if (!(kt_alua_tpgs(s, rtpi) & KT_ALUA_ACCESS_EXPLICIT))
		return KT_S_INVALID_OPCODE;
	if (!len)
		return KT_OK;
	if (len < STPG_HDR_LEN || (len - STPG_HDR_LEN) % STPG_DESC_LEN)
		return KT_S_PARAM_LIST_LENGTH;
	for (off = STPG_HDR_LEN; off < len; off += STPG_DESC_LEN) {
		slot = stpg_desc(s, param, off, named, fx);
		if (slot < 0)
			return KT_S_INVALID_FIELD_PARAM;
		named[slot] = true;
	}
	stpg_apply(s, param, len, fx);
	return KT_OK;
}

/* ------------------------------------------------------------------ */
/* VPD 0x83 designators                                               */
/* ------------------------------------------------------------------ */

/* An 8-byte target port designator of type @type with value @v */
static u32 desig_port(u8 type, u16 v, u8 *buf, u32 cap, u32 off)
{
	kt_put8(buf, cap, off, DESIG_CODE_BINARY);
	kt_put8(buf, cap, off + 1, DESIG_ASSOC_PORT | type);
	kt_put8(buf, cap, off + 2, 0);
	kt_put8(buf, cap, off + 3, KT_ALUA_DESIG_LEN - 4);
	kt_put16(buf, cap, off + 4, 0);
	kt_put16(buf, cap, off + 6, v);
	return KT_ALUA_DESIG_LEN;
}

/**
 * kt_alua_vpd83_rtpi() - relative target port designator
 * @rtpi: relative target port identifier
 * @buf: the page (may be NULL if @cap is 0)
 * @cap: bytes of @buf
 * @off: where the designator starts
 *
 * SPC-4 7.8.6.6: binary code set, association target port, designator
 * type 4h.  Written through kt_put*(): nothing at or past @cap.
 *
 * Return: its length, KT_ALUA_DESIG_LEN.
 */
u32 kt_alua_vpd83_rtpi(u16 rtpi, u8 *buf, u32 cap, u32 off)
{
	return desig_port(DESIG_TYPE_RTPI, rtpi, buf, cap, off);
}

/**
 * kt_alua_vpd83_tpg() - target port group designator
 * @id: TARGET PORT GROUP of the port's group
 * @buf: the page (may be NULL if @cap is 0)
 * @cap: bytes of @buf
 * @off: where the designator starts
 *
 * SPC-4 7.8.6.7: binary code set, association target port, designator
 * type 5h.  Written through kt_put*(): nothing at or past @cap.
 *
 * Return: its length, KT_ALUA_DESIG_LEN.
 */
u32 kt_alua_vpd83_tpg(u16 id, u8 *buf, u32 cap, u32 off)
{
	return desig_port(DESIG_TYPE_TPG, id, buf, cap, off);
}
