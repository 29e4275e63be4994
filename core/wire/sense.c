// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI status and sense data for a kt_status_t, and the fixed
 * (0x70) and descriptor (0x72) sense data encodings of SPC-4 4.5.
 * Pure code, see wire.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <ktarget/wire.h>

/* Bytes 0-7 are common to both formats and end with ADDITIONAL SENSE LENGTH */
#define KT_SENSE_HDR_LEN	8
#define KT_SENSE_FIXED_LEN	18
/* Information descriptor (type 00h) and sense key specific one (02h) */
#define KT_SENSE_DESC_INFO_LEN	12
#define KT_SENSE_DESC_SKS_LEN	8
/* The longest encoding: descriptor header plus both descriptors */
#define KT_SENSE_ENC_MAX	(KT_SENSE_HDR_LEN + KT_SENSE_DESC_INFO_LEN + \
				 KT_SENSE_DESC_SKS_LEN)

#define KT_SENSE_FIXED_CURRENT	0x70
#define KT_SENSE_DESC_CURRENT	0x72
#define KT_SENSE_VALID		0x80
#define KT_SENSE_SKSV		0x80
#define KT_SENSE_SKS_CD		0x40
#define KT_SENSE_SKS_BPV	0x08

#define KT_DESC_TYPE_INFO	0x00
#define KT_DESC_TYPE_SKS	0x02

#define KT_IDX(s)		((__force unsigned int)(s))

/**
 * struct kt_status_map - what one kt_status_t means on the wire
 * @sam: SAM status byte
 * @key: sense key, for CHECK CONDITION only
 * @asc: additional sense code
 * @ascq: additional sense code qualifier
 */
struct kt_status_map {
	u8 sam;
	u8 key;
	u8 asc;
	u8 ascq;
};

/* CHECK CONDITION with sense key @k, or status @sam without sense data */
#define KT_CC(k, a, q)	{ KT_SAM_CHECK_CONDITION, KT_SK_##k, a, q }
#define KT_ST(sam)	{ sam, KT_SK_NO_SENSE, 0x00, 0x00 }

/* Any status without an entry: HARDWARE ERROR, INTERNAL TARGET FAILURE */
static const struct kt_status_map kt_status_unknown =
	KT_CC(HARDWARE_ERROR, 0x44, 0x00);

/*
 * ASC/ASCQ names are those of SPC-4 annex D.  Every status but KT_OK must
 * have a non-GOOD entry here; a hole is reported as kt_status_unknown.
 */
static const struct kt_status_map kt_status_map[KT_S__COUNT] = {
	[KT_IDX(KT_OK)] = KT_ST(KT_SAM_GOOD),
	/* INVALID COMMAND OPERATION CODE */
	[KT_IDX(KT_S_INVALID_OPCODE)] = KT_CC(ILLEGAL_REQUEST, 0x20, 0x00),
	/* INVALID FIELD IN CDB */
	[KT_IDX(KT_S_INVALID_FIELD_CDB)] = KT_CC(ILLEGAL_REQUEST, 0x24, 0x00),
	/* INVALID FIELD IN PARAMETER LIST */
	[KT_IDX(KT_S_INVALID_FIELD_PARAM)] = KT_CC(ILLEGAL_REQUEST, 0x26, 0x00),
	/* PARAMETER LIST LENGTH ERROR */
	[KT_IDX(KT_S_PARAM_LIST_LENGTH)] = KT_CC(ILLEGAL_REQUEST, 0x1a, 0x00),
	/* LOGICAL BLOCK ADDRESS OUT OF RANGE */
	[KT_IDX(KT_S_LBA_OUT_OF_RANGE)] = KT_CC(ILLEGAL_REQUEST, 0x21, 0x00),
	/* LOGICAL UNIT NOT SUPPORTED */
	[KT_IDX(KT_S_LUN_NOT_SUPPORTED)] = KT_CC(ILLEGAL_REQUEST, 0x25, 0x00),
	/* WRITE PROTECTED */
	[KT_IDX(KT_S_WRITE_PROTECTED)] = KT_CC(DATA_PROTECT, 0x27, 0x00),
	/* UNRECOVERED READ ERROR */
	[KT_IDX(KT_S_READ_ERROR)] = KT_CC(MEDIUM_ERROR, 0x11, 0x00),
	/* WRITE ERROR */
	[KT_IDX(KT_S_WRITE_ERROR)] = KT_CC(MEDIUM_ERROR, 0x0c, 0x00),
	/* MISCOMPARE DURING VERIFY OPERATION */
	[KT_IDX(KT_S_MISCOMPARE_VERIFY)] = KT_CC(MISCOMPARE, 0x1d, 0x00),
	/*
	 * INSUFFICIENT RESOURCES, with ABORTED COMMAND rather than ILLEGAL
	 * REQUEST: running out of memory for one command is transient, and
	 * ABORTED COMMAND tells the initiator that a retry may succeed.
	 */
	[KT_IDX(KT_S_NO_RESOURCES)] = KT_CC(ABORTED_COMMAND, 0x55, 0x03),
	/* SAVING PARAMETERS NOT SUPPORTED */
	[KT_IDX(KT_S_SAVING_NOT_SUPPORTED)] =
		KT_CC(ILLEGAL_REQUEST, 0x39, 0x00),
	/* INTERNAL TARGET FAILURE */
	[KT_IDX(KT_S_INTERNAL_ERROR)] = KT_CC(HARDWARE_ERROR, 0x44, 0x00),
	/* A status without sense data */
	[KT_IDX(KT_S_RESERVATION_CONFLICT)] =
		KT_ST(KT_SAM_RESERVATION_CONFLICT),
	[KT_IDX(KT_S_BUSY)] = KT_ST(KT_SAM_BUSY),
	[KT_IDX(KT_S_TASK_SET_FULL)] = KT_ST(KT_SAM_TASK_SET_FULL),
	/* an ACA condition keeps the task set for the faulted nexus */
	[KT_IDX(KT_S_ACA_ACTIVE)] = KT_ST(KT_SAM_ACA_ACTIVE),
	/* ASC/ASCQ come from the caller (the queued unit attention) */
	[KT_IDX(KT_S_UNIT_ATTENTION)] = KT_CC(UNIT_ATTENTION, 0x00, 0x00),
	/* INVALID FIELD IN CDB: the CDB is shorter than its opcode needs */
	[KT_IDX(KT_S_INVALID_CDB_LENGTH)] = KT_CC(ILLEGAL_REQUEST, 0x24, 0x00),
	/* INVALID FIELD IN COMMAND INFORMATION UNIT: more data than asked */
	[KT_IDX(KT_S_WRITE_OVERFLOW)] = KT_CC(ILLEGAL_REQUEST, 0x0e, 0x03),
	/* NO ADDITIONAL SENSE INFORMATION */
	[KT_IDX(KT_S_ABORTED)] = KT_CC(ABORTED_COMMAND, 0x00, 0x00),
	/* LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE */
	[KT_IDX(KT_S_NOT_READY)] = KT_CC(NOT_READY, 0x04, 0x00),
	/* LOGICAL UNIT COMMUNICATION FAILURE */
	[KT_IDX(KT_S_LUN_COMM_FAILURE)] = KT_CC(ABORTED_COMMAND, 0x08, 0x00),
	/*
	 * INSUFFICIENT REGISTRATION RESOURCES: ILLEGAL REQUEST, as SPC-4
	 * asks, since the table of registrations is full for good
	 */
	[KT_IDX(KT_S_PR_NO_RESOURCES)] = KT_CC(ILLEGAL_REQUEST, 0x55, 0x04),
	/* INVALID RELEASE OF PERSISTENT RESERVATION */
	[KT_IDX(KT_S_PR_INVALID_RELEASE)] = KT_CC(ILLEGAL_REQUEST, 0x26, 0x04),
	/*
	 * The target port group the command came through does not let it
	 * run (SPC-4 5.15.2.4, 5.15.2.5): LOGICAL UNIT NOT ACCESSIBLE,
	 * ASYMMETRIC ACCESS STATE TRANSITION; ..., TARGET PORT IN STANDBY
	 * STATE; ..., TARGET PORT IN UNAVAILABLE STATE; and LOGICAL UNIT
	 * NOT READY, OFFLINE for an offline group (as LIO)
	 */
	[KT_IDX(KT_S_ALUA_TRANSITION)] = KT_CC(NOT_READY, 0x04, 0x0a),
	[KT_IDX(KT_S_ALUA_STANDBY)] = KT_CC(NOT_READY, 0x04, 0x0b),
	[KT_IDX(KT_S_ALUA_UNAVAILABLE)] = KT_CC(NOT_READY, 0x04, 0x0c),
	[KT_IDX(KT_S_ALUA_OFFLINE)] = KT_CC(NOT_READY, 0x04, 0x12),
	/*
	 * INVALID MESSAGE ERROR: the ACA task attribute without an ACA
	 * condition (SAM-5 8.6.5)
	 */
	[KT_IDX(KT_S_INVALID_MESSAGE)] = KT_CC(ILLEGAL_REQUEST, 0x49, 0x00),
};

static const struct kt_status_map *kt_status_lookup(kt_status_t status)
{
	unsigned int i = KT_IDX(status);

	if (i >= ARRAY_SIZE(kt_status_map))
		return &kt_status_unknown;
	if (i != KT_IDX(KT_OK) && kt_status_map[i].sam == KT_SAM_GOOD)
		return &kt_status_unknown;
	return &kt_status_map[i];
}

/**
 * kt_status_sense() - SCSI status byte and sense for a command outcome
 * @status: the outcome
 * @si: sense to fill in
 *
 * Sets @si->key, @si->asc and @si->ascq from @status and clears every
 * other field of @si (INFORMATION and sense key specific data), so the
 * caller calls this first and sets @si->info* and @si->sks* afterwards.
 * One exception: for KT_S_UNIT_ATTENTION only @si->key is set and the
 * caller's @si->asc/@si->ascq are kept (set them before or after the call).
 * A status that is not CHECK CONDITION leaves @si all zero.  Unknown
 * values give HARDWARE ERROR, INTERNAL TARGET FAILURE.
 *
 * Return: the SAM status byte (KT_SAM_*).
 */
u8 kt_status_sense(kt_status_t status, struct kt_sense_info *si)
{
	const struct kt_status_map *m = kt_status_lookup(status);
	u8 asc = si->asc, ascq = si->ascq;

	memset(si, 0, sizeof(*si));
	if (m->sam != KT_SAM_CHECK_CONDITION)
		return m->sam;
	si->key = m->key;
	if (status == KT_S_UNIT_ATTENTION) {
		si->asc = asc;
		si->ascq = ascq;
	} else {
		si->asc = m->asc;
		si->ascq = m->ascq;
	}
	return m->sam;
}

/*
 * Three bytes of sense key specific data in the field pointer format that
 * ILLEGAL REQUEST uses (SPC-4 4.5.2.4.2); the only one struct
 * kt_sense_info can describe, so it is used whatever the sense key.
 */
static void kt_sense_field_ptr(u8 *p, const struct kt_sense_info *si)
{
	p[0] = KT_SENSE_SKSV;
	if (si->sks_cd)
		p[0] |= KT_SENSE_SKS_CD;
	if (si->sks_bpv)
		p[0] |= KT_SENSE_SKS_BPV | (si->sks_bit & 0x07);
	put_unaligned_be16(si->sks_field, p + 1);
}

/*
 * Fixed format (SPC-4 4.5.3), always 18 bytes.  INFORMATION has four
 * bytes: a larger value is left out and VALID stays clear.
 */
static unsigned int kt_sense_fixed(u8 *s, const struct kt_sense_info *si)
{
	memset(s, 0, KT_SENSE_FIXED_LEN);
	s[0] = KT_SENSE_FIXED_CURRENT;
	s[2] = si->key & 0x0f;
	if (si->info_valid && !(si->info >> 32)) {
		s[0] |= KT_SENSE_VALID;
		put_unaligned_be32((u32)si->info, s + 3);
	}
	s[7] = KT_SENSE_FIXED_LEN - KT_SENSE_HDR_LEN;
	s[12] = si->asc;
	s[13] = si->ascq;
	if (si->sks_valid)
		kt_sense_field_ptr(s + 15, si);
	return KT_SENSE_FIXED_LEN;
}

/* Information descriptor (SPC-4 4.5.2.2): VALID set, 8-byte INFORMATION */
static unsigned int kt_sense_desc_info(u8 *p, u64 info)
{
	p[0] = KT_DESC_TYPE_INFO;
	p[1] = KT_SENSE_DESC_INFO_LEN - 2;
	p[2] = KT_SENSE_VALID;
	put_unaligned_be64(info, p + 4);
	return KT_SENSE_DESC_INFO_LEN;
}

/* Sense key specific descriptor (SPC-4 4.5.2.4) */
static unsigned int kt_sense_desc_sks(u8 *p, const struct kt_sense_info *si)
{
	p[0] = KT_DESC_TYPE_SKS;
	p[1] = KT_SENSE_DESC_SKS_LEN - 2;
	kt_sense_field_ptr(p + 4, si);
	return KT_SENSE_DESC_SKS_LEN;
}

/* Descriptor format (SPC-4 4.5.2): header, then the descriptors that apply */
static unsigned int kt_sense_desc(u8 *s, const struct kt_sense_info *si)
{
	unsigned int n = KT_SENSE_HDR_LEN;

	memset(s, 0, KT_SENSE_ENC_MAX);
	s[0] = KT_SENSE_DESC_CURRENT;
	s[1] = si->key & 0x0f;
	s[2] = si->asc;
	s[3] = si->ascq;
	if (si->info_valid)
		n += kt_sense_desc_info(s + n, si->info);
	if (si->sks_valid)
		n += kt_sense_desc_sks(s + n, si);
	s[7] = n - KT_SENSE_HDR_LEN;
	return n;
}

/**
 * kt_sense_build() - encode sense data
 * @buf: where to put it
 * @len: size of @buf
 * @desc: descriptor format (0x72) if true, fixed format (0x70) if false
 * @si: what to encode
 *
 * The whole encoding is at most 28 bytes (18 for fixed format).  If @len
 * is smaller, only its first @len bytes are written, and ADDITIONAL SENSE
 * LENGTH still gives the untruncated length as SPC-4 asks for truncated
 * sense data.  Nothing is written if @len is below 8, the header common to
 * both formats.  Bytes of @buf past the returned count are left untouched.
 *
 * Return: the number of bytes written, 0 if @len < 8.
 */
unsigned int kt_sense_build(u8 *buf, unsigned int len, bool desc,
			    const struct kt_sense_info *si)
{
	u8 s[KT_SENSE_ENC_MAX];
	unsigned int n;

	if (len < KT_SENSE_HDR_LEN)
		return 0;
	n = desc ? kt_sense_desc(s, si) : kt_sense_fixed(s, si);
	n = min(n, len);
	memcpy(buf, s, n);
	return n;
}
