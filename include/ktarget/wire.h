/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure SCSI protocol code: CDB decoding, sense building and the
 * response pages of the emulated commands.
 *
 * Everything declared here takes bytes in and gives a struct (or bytes) out.
 * It never allocates, locks, logs or touches a kernel object, so the same
 * files build into ktarget_core and into the user-space unit tests and
 * libFuzzer harnesses (tests/unit, tests/fuzz).
 */
#ifndef KTARGET_WIRE_H
#define KTARGET_WIRE_H

#include "port.h"

/*
 * kt_status_t - outcome of a SCSI command inside the target.  Sparse
 * (__bitwise) keeps it from being mixed up with an errno or a SCSI status
 * byte.  KT_OK is GOOD; every other value maps to one SCSI status and, for
 * CHECK CONDITION, one sense key/ASC/ASCQ (see kt_status_sense()).
 */
typedef unsigned int __bitwise kt_status_t;

#define KT_OK				((__force kt_status_t)0)
#define KT_S_INVALID_OPCODE		((__force kt_status_t)1)
#define KT_S_INVALID_FIELD_CDB		((__force kt_status_t)2)
#define KT_S_INVALID_FIELD_PARAM	((__force kt_status_t)3)
#define KT_S_PARAM_LIST_LENGTH		((__force kt_status_t)4)
#define KT_S_LBA_OUT_OF_RANGE		((__force kt_status_t)5)
#define KT_S_LUN_NOT_SUPPORTED		((__force kt_status_t)6)
#define KT_S_WRITE_PROTECTED		((__force kt_status_t)7)
#define KT_S_READ_ERROR			((__force kt_status_t)8)
#define KT_S_WRITE_ERROR		((__force kt_status_t)9)
#define KT_S_MISCOMPARE_VERIFY		((__force kt_status_t)10)
#define KT_S_NO_RESOURCES		((__force kt_status_t)11)
#define KT_S_SAVING_NOT_SUPPORTED	((__force kt_status_t)12)
#define KT_S_INTERNAL_ERROR		((__force kt_status_t)13)
#define KT_S_RESERVATION_CONFLICT	((__force kt_status_t)14)
#define KT_S_BUSY			((__force kt_status_t)15)
#define KT_S_TASK_SET_FULL		((__force kt_status_t)16)
#define KT_S_UNIT_ATTENTION		((__force kt_status_t)17)
#define KT_S_INVALID_CDB_LENGTH		((__force kt_status_t)18)
#define KT_S_WRITE_OVERFLOW		((__force kt_status_t)19)
#define KT_S_ABORTED			((__force kt_status_t)20)
#define KT_S_NOT_READY			((__force kt_status_t)21)
#define KT_S_LUN_COMM_FAILURE		((__force kt_status_t)22)
#define KT_S_PR_NO_RESOURCES		((__force kt_status_t)23)
#define KT_S_PR_INVALID_RELEASE		((__force kt_status_t)24)
#define KT_S_ALUA_TRANSITION		((__force kt_status_t)25)
#define KT_S_ALUA_STANDBY		((__force kt_status_t)26)
#define KT_S_ALUA_UNAVAILABLE		((__force kt_status_t)27)
#define KT_S_ALUA_OFFLINE		((__force kt_status_t)28)
#define KT_S_INVALID_MESSAGE		((__force kt_status_t)29)
#define KT_S_ACA_ACTIVE			((__force kt_status_t)30)
#define KT_S__COUNT			31

/* SCSI status bytes (SAM-5) */
#define KT_SAM_GOOD			0x00
#define KT_SAM_CHECK_CONDITION		0x02
#define KT_SAM_BUSY			0x08
#define KT_SAM_RESERVATION_CONFLICT	0x18
#define KT_SAM_TASK_SET_FULL		0x28
#define KT_SAM_ACA_ACTIVE		0x30
#define KT_SAM_TASK_ABORTED		0x40

/* Sense keys (SPC-4 table 27) */
#define KT_SK_NO_SENSE		0x0
#define KT_SK_RECOVERED_ERROR	0x1
#define KT_SK_NOT_READY		0x2
#define KT_SK_MEDIUM_ERROR	0x3
#define KT_SK_HARDWARE_ERROR	0x4
#define KT_SK_ILLEGAL_REQUEST	0x5
#define KT_SK_UNIT_ATTENTION	0x6
#define KT_SK_DATA_PROTECT	0x7
#define KT_SK_ABORTED_COMMAND	0xb
#define KT_SK_MISCOMPARE	0xe

/**
 * struct kt_sense_info - what goes into one sense buffer
 * @key: sense key
 * @asc: additional sense code
 * @ascq: additional sense code qualifier
 * @info_valid: @info is meaningful (VALID bit / information descriptor)
 * @info: INFORMATION field (e.g. offset of a miscompare)
 * @sks_valid: the sense-key specific field points at a bad field
 * @sks_cd: 1 = the bad field is in the CDB, 0 = in the parameter data
 * @sks_bpv: @sks_bit is valid
 * @sks_bit: bit of the bad field (0-7)
 * @sks_field: byte of the bad field
 */
struct kt_sense_info {
	u8 key;
	u8 asc;
	u8 ascq;
	bool info_valid;
	u64 info;
	bool sks_valid;
	bool sks_cd;
	bool sks_bpv;
	u8 sks_bit;
	u16 sks_field;
};

#define KT_SENSE_MAX	96

/* kt_status_sense - SCSI status byte and sense data for @status. */
u8 kt_status_sense(kt_status_t status, struct kt_sense_info *si);

/*
 * kt_sense_build - encode @si in fixed (0x70) or descriptor (0x72) format
 * into @buf of @len bytes.  Returns the number of bytes written (0 if @len
 * is too small for even the header).
 */
unsigned int kt_sense_build(u8 *buf, unsigned int len, bool desc,
			    const struct kt_sense_info *si);

/* Which way data moves, seen from the initiator. */
enum kt_dir {
	KT_DIR_NONE,
	KT_DIR_FROM_DEV,	/* Data-In: READ, INQUIRY, ... */
	KT_DIR_TO_DEV,		/* Data-Out: WRITE, MODE SELECT, ... */
};

/* How the transfer length of a decoded CDB is counted. */
enum kt_xfer {
	KT_XFER_NONE,		/* no data phase */
	KT_XFER_BLOCKS,		/* @nblocks logical blocks (WRITE SAME: one,
				 * the core sizes it)
				 */
	KT_XFER_BYTES,		/* @alloc_len bytes (allocation/parameter list) */
};

/* Every command the decoder knows; the core dispatches on this. */
enum kt_op {
	KT_OP_UNKNOWN = 0,
	KT_OP_TEST_UNIT_READY,
	KT_OP_REQUEST_SENSE,
	KT_OP_INQUIRY,
	KT_OP_REPORT_LUNS,
	KT_OP_READ_CAPACITY10,
	KT_OP_READ_CAPACITY16,
	KT_OP_READ,
	KT_OP_WRITE,
	KT_OP_VERIFY,
	KT_OP_WRITE_VERIFY,
	KT_OP_SYNC_CACHE,
	KT_OP_MODE_SENSE,
	KT_OP_MODE_SELECT,
	KT_OP_START_STOP,
	KT_OP_PREVENT_ALLOW,
	KT_OP_PR_IN,
	KT_OP_PR_OUT,
	KT_OP_RESERVE,
	KT_OP_RELEASE,
	KT_OP_RTPG,		/* REPORT TARGET PORT GROUPS */
	KT_OP_STPG,		/* SET TARGET PORT GROUPS */
	KT_OP_RSTMF,		/* REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS */
	KT_OP_WRITE_SAME,	/* WRITE SAME (10) and (16) */
	KT_OP_UNMAP,
	KT_OP__COUNT
};

/**
 * struct kt_cdb - a decoded CDB
 * @op: what the command is
 * @opcode: operation code byte
 * @sa: service action (SERVICE ACTION IN(16) etc.), else 0
 * @len: CDB length in bytes as defined by the opcode
 * @dir: direction of the data phase
 * @xfer: how the transfer length is counted
 * @lba: logical block address (media commands)
 * @nblocks: transfer length in logical blocks (media commands)
 * @alloc_len: allocation or parameter list length in bytes
 * @fua: FUA bit
 * @dpo: DPO bit
 * @immed: IMMED bit (SYNCHRONIZE CACHE, START STOP UNIT)
 * @bytchk: BYTCHK field (VERIFY, WRITE AND VERIFY)
 * @evpd: EVPD bit (INQUIRY)
 * @page: page code (INQUIRY VPD, MODE SENSE/SELECT)
 * @subpage: subpage code (MODE SENSE)
 * @pc: page control (MODE SENSE)
 * @dbd: disable block descriptors (MODE SENSE)
 * @llbaa: long LBA accepted (MODE SENSE 10)
 * @pf: page format (MODE SELECT)
 * @sp: save pages (MODE SELECT)
 * @desc: DESC bit (REQUEST SENSE)
 * @select_report: SELECT REPORT (REPORT LUNS)
 * @start: START bit (START STOP UNIT)
 * @loej: LOEJ bit (START STOP UNIT)
 * @power_cond: POWER CONDITION field (START STOP UNIT)
 * @prevent: PREVENT field (PREVENT ALLOW MEDIUM REMOVAL)
 * @protect: RDPROTECT/WRPROTECT/VRPROTECT field
 * @pr_scope: SCOPE (PERSISTENT RESERVE OUT)
 * @pr_type: TYPE (PERSISTENT RESERVE OUT)
 * @rtpg_fmt: PARAMETER DATA FORMAT (REPORT TARGET PORT GROUPS)
 * @repd: REPD bit (REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS)
 * @naca: NACA bit of the control byte
 * @unmap: UNMAP bit (WRITE SAME)
 * @anchor: ANCHOR bit (WRITE SAME, UNMAP)
 * @ndob: NDOB bit (WRITE SAME (16)): no Data-Out, the block is zeroes
 * @err_field: byte of the offending field when decoding failed
 * @err_bit: bit of the offending field, if @err_bit_valid
 * @err_bit_valid: @err_bit is meaningful
 */
struct kt_cdb {
	enum kt_op op;
	u8 opcode;
	u16 sa;
	u8 len;
	enum kt_dir dir;
	enum kt_xfer xfer;
	u64 lba;
	u32 nblocks;
	u32 alloc_len;
	bool fua;
	bool dpo;
	bool immed;
	u8 bytchk;
	bool evpd;
	u8 page;
	u8 subpage;
	u8 pc;
	bool dbd;
	bool llbaa;
	bool pf;
	bool sp;
	bool desc;
	u8 select_report;
	bool start;
	bool loej;
	u8 power_cond;
	u8 prevent;
	u8 protect;
	u8 pr_scope;
	u8 pr_type;
	u8 rtpg_fmt;
	bool repd;
	bool naca;
	bool unmap;
	bool anchor;
	bool ndob;
	u16 err_field;
	u8 err_bit;
	bool err_bit_valid;
};

#define KT_MAX_CDB	32

/*
 * kt_cdb_decode - decode @len bytes of @cdb into @out.
 *
 * Checks only what the CDB alone can tell: the opcode is known, the CDB is
 * long enough, reserved or unsupported bits are clear.  Limits that depend
 * on the device (capacity, block size, write protection) are the core's.
 * On an invalid field, returns KT_S_INVALID_FIELD_CDB with @out->err_field
 * and @out->err_bit set for the sense-key specific field pointer.
 */
kt_status_t kt_cdb_decode(const u8 *cdb, unsigned int len, struct kt_cdb *out);

/* kt_cdb_len - CDB length implied by the group code of @opcode, 0 if none */
unsigned int kt_cdb_len(u8 opcode);

/* ------------------------------------------------------------------ */
/* Helpers of the builders and parsers below                          */
/* ------------------------------------------------------------------ */

/*
 * kt_put - copy the part of @n bytes at offset @off of a page that lies
 * below @cap: a builder writes through kt_put*() and returns the length
 * of the whole page, so no input makes it write past @cap.
 */
static inline void kt_put(u8 *buf, u32 cap, u32 off, const void *src, u32 n)
{
	if (off >= cap)
		return;
	if (n > cap - off)
		n = cap - off;
	memcpy(buf + off, src, n);
}

static inline void kt_put8(u8 *buf, u32 cap, u32 off, u8 v)
{
	kt_put(buf, cap, off, &v, 1);
}

static inline void kt_put16(u8 *buf, u32 cap, u32 off, u16 v)
{
	u8 b[2];

	put_unaligned_be16(v, b);
	kt_put(buf, cap, off, b, sizeof(b));
}

static inline void kt_put32(u8 *buf, u32 cap, u32 off, u32 v)
{
	u8 b[4];

	put_unaligned_be32(v, b);
	kt_put(buf, cap, off, b, sizeof(b));
}

static inline void kt_put64(u8 *buf, u32 cap, u32 off, u64 v)
{
	u8 b[8];

	put_unaligned_be64(v, b);
	kt_put(buf, cap, off, b, sizeof(b));
}

/* ------------------------------------------------------------------ */
/* Response pages (core/wire/page.c)                                  */
/* ------------------------------------------------------------------ */

/*
 * Every builder below writes at most @cap bytes of @buf (which may be
 * NULL when @cap is 0), zeroes what it does not set, and returns the
 * length of the whole page, however small @cap is.  So a caller builds
 * once with @cap 0 to learn the size, allocates, and builds again.
 */

#define KT_WIRE_SERIAL_LEN	256	/* unit serial, NUL included */
#define KT_WIRE_NAME_LEN	256	/* target name, NUL included */
#define KT_DESIGNATOR_MAX	252	/* largest designator body, 4-aligned */

/* The largest page each builder returns (unit tests and fuzzers check) */
#define KT_INQ_RESP_MAX		1024	/* standard INQUIRY and any VPD page */
#define KT_MODE_SENSE_MAX	128	/* all pages, long block descriptor */
#define KT_MODE_SELECT_MAX	512	/* longest parameter list taken */

/**
 * struct kt_lu_info - what INQUIRY and the VPD pages report about a
 * logical unit: a snapshot the core takes under the device's locks.
 * Strings need not be NUL-terminated; they end at their array's end.
 * @peripheral: byte 0 (peripheral qualifier and device type)
 * @vendor: T10 vendor identification
 * @product: product identification
 * @revision: product revision level
 * @serial: unit serial number (VPD 0x80, NAA and T10 designators)
 * @target: SCSI target name ("" leaves out the SCSI name designators)
 * @company_id: IEEE company id of the NAA designator (24 bits)
 * @tpgt: target portal group tag of the port
 * @rtpi: relative target port identifier
 * @tpgs: TPGS field of standard INQUIRY data (ALUA access type, 0-3)
 * @tpg_valid: the port is in a target port group: @tpg_id is its id
 *	(VPD 0x83 target port group designator)
 * @tpg_id: TARGET PORT GROUP of the port's group
 * @wce: the write cache is enabled (VPD 0x86 V_SUP)
 * @nonrot: non-rotating medium (VPD 0xB1)
 * @opt_gran: optimal transfer length granularity, blocks (VPD 0xB0)
 * @max_xfer: maximum transfer length, blocks (VPD 0xB0)
 * @opt_xfer: optimal transfer length, blocks (VPD 0xB0)
 * @max_ws_len: MAXIMUM WRITE SAME LENGTH, blocks (VPD 0xB0; WSNZ is 1)
 * @lbpu: UNMAP is supported (VPD 0xB2 LBPU; 0xB0's unmap fields)
 * @lbpws: WRITE SAME (10) and (16) with UNMAP deallocate (LBPWS, LBPWS10)
 * @lbprz: unmapped blocks read as zeroes (VPD 0xB2 LBPRZ)
 * @max_unmap_lbas: MAXIMUM UNMAP LBA COUNT (VPD 0xB0, with @lbpu)
 * @max_unmap_desc: MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT (with @lbpu)
 * @unmap_gran: OPTIMAL UNMAP GRANULARITY (with @lbpu)
 * @unmap_align: UNMAP GRANULARITY ALIGNMENT (31 bits; UGAVALID with @lbpu)
 *
 * Logical block provisioning management (thin provisioning) is on
 * while @lbpu or @lbpws is: VPD 0xB2 then says PROVISIONING TYPE thin.
 */
struct kt_lu_info {
	u8 peripheral;
	char vendor[9];
	char product[17];
	char revision[5];
	char serial[KT_WIRE_SERIAL_LEN];
	char target[KT_WIRE_NAME_LEN];
	u32 company_id;
	u16 tpgt;
	u16 rtpi;
	u8 tpgs;
	bool tpg_valid;
	u16 tpg_id;
	bool wce;
	bool nonrot;
	u16 opt_gran;
	u32 max_xfer;
	u32 opt_xfer;
	u64 max_ws_len;
	bool lbpu;
	bool lbpws;
	bool lbprz;
	u32 max_unmap_lbas;
	u32 max_unmap_desc;
	u32 unmap_gran;
	u32 unmap_align;
};

/* kt_inq_std - standard INQUIRY data */
u32 kt_inq_std(const struct kt_lu_info *lu, u8 *buf, u32 cap);

/* kt_inq_vpd - VPD page @page; returns 0 for a page we do not have */
u32 kt_inq_vpd(u8 page, const struct kt_lu_info *lu, u8 *buf, u32 cap);

/* Page control of MODE SENSE */
enum { KT_MP_CURRENT, KT_MP_CHANGEABLE, KT_MP_DEFAULT, KT_MP_SAVED };

/**
 * struct kt_mode_info - the mode parameters of a logical unit
 * @blocks: capacity in logical blocks (block descriptor)
 * @block_size: logical block length
 * @wp: the I_T nexus sees the LU write-protected (device-specific byte)
 * @dpofua: the FUA bit of a WRITE is honoured (device-specific byte)
 * @wce: write cache enabled (caching page), current value
 * @wce_changeable: MODE SELECT may change @wce
 * @wce_default: default value of @wce
 * @d_sense: descriptor format sense data (control page)
 * @tas: task aborted status (control page)
 * @ua_intlck: UA_INTLCK_CTRL (control page): 00b, 10b or 11b
 */
struct kt_mode_info {
	u64 blocks;
	u32 block_size;
	bool wp;
	bool dpofua;
	bool wce;
	bool wce_changeable;
	bool wce_default;
	bool d_sense;
	bool tas;
	u8 ua_intlck;
};

/* kt_mode_page_known - MODE SENSE has page @page (0x3f: all pages) */
bool kt_mode_page_known(u8 page);

/*
 * kt_mode_sense - MODE SENSE (6 or 10, from @d) parameter data for @d's
 * page, page control, DBD and LLBAA.  @d->page must be known and @d->pc
 * not KT_MP_SAVED (the caller refuses those first).
 */
u32 kt_mode_sense(const struct kt_cdb *d, const struct kt_mode_info *mi,
		  u8 *buf, u32 cap);

/*
 * kt_mode_select_parse - check a MODE SELECT parameter list (@len bytes
 * of @buf; the (10) layout if @ten) against the current parameters @cur
 * and what may change.  On KT_OK @out holds the parameters the list asks
 * for (nothing is applied); on failure @field is the byte of the list to
 * point at, or 0xffff for none.
 */
kt_status_t kt_mode_select_parse(const u8 *buf, u32 len, bool ten,
				 const struct kt_mode_info *cur,
				 struct kt_mode_info *out, u16 *field);

/*
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-4 6.36): the support
 * bits of bytes 0 and 1, as one big-endian 16-bit value
 */
#define KT_TMFS_ATS	0x8000	/* ABORT TASK */
#define KT_TMFS_ATSS	0x4000	/* ABORT TASK SET */
#define KT_TMFS_CACAS	0x2000	/* CLEAR ACA */
#define KT_TMFS_CTSS	0x1000	/* CLEAR TASK SET */
#define KT_TMFS_LURS	0x0800	/* LOGICAL UNIT RESET */
#define KT_TMFS_QTS	0x0400	/* QUERY TASK */
#define KT_TMFS_QAES	0x0004	/* QUERY ASYNCHRONOUS EVENT */
#define KT_TMFS_QTSS	0x0002	/* QUERY TASK SET */
#define KT_TMFS_ITNRS	0x0001	/* I_T NEXUS RESET */
#define KT_RSTMF_MAX	16	/* the extended format (REPD 1) */

/*
 * kt_rstmf - its parameter data for the functions in @supported
 * (KT_TMFS_*), in the extended format if @repd (no timeouts: TMFTMOV 0);
 * returns the full length
 */
u32 kt_rstmf(u16 supported, bool repd, u8 *buf, u32 cap);

/* READ CAPACITY (10) and (16) parameter data */
u32 kt_read_capacity10(u64 blocks, u32 block_size, u8 *buf, u32 cap);

/* READ CAPACITY (16) byte 14: logical block provisioning */
#define KT_RC16_LBPME	0x80	/* logical block provisioning management */
#define KT_RC16_LBPRZ	0x40	/* unmapped blocks read as zeroes */

/* @lbp: KT_RC16_* bits (LBPRZ only together with LBPME) */
u32 kt_read_capacity16(u64 blocks, u32 block_size, u32 hw_block_size,
		       u8 lbp, u8 *buf, u32 cap);

/* ------------------------------------------------------------------ */
/* Logical block provisioning (core/wire/lbp.c)                       */
/* ------------------------------------------------------------------ */

#define KT_UNMAP_HDR_LEN	8	/* UNMAP parameter list header */
#define KT_UNMAP_DESC_LEN	16	/* one UNMAP block descriptor */
/* the largest list: its length is a 16-bit field of the CDB */
#define KT_UNMAP_LIST_MAX	0xffff

/**
 * struct kt_unmap_limits - what an UNMAP list is checked against
 * @capacity: logical blocks of the logical unit
 * @max_desc: MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT (VPD 0xB0)
 * @max_lbas: MAXIMUM UNMAP LBA COUNT (VPD 0xB0): of all descriptors
 */
struct kt_unmap_limits {
	u64 capacity;
	u32 max_desc;
	u32 max_lbas;
};

/**
 * struct kt_unmap_list - a checked UNMAP parameter list
 * @desc: its first block descriptor (inside the caller's buffer)
 * @ndesc: complete descriptors (an incomplete last one is ignored)
 * @nblocks: logical blocks of all descriptors together
 */
struct kt_unmap_list {
	const u8 *desc;
	u32 ndesc;
	u64 nblocks;
};

/*
 * kt_unmap_parse - check the UNMAP parameter list of @len bytes at @buf
 * (SBC-4 5.32) as a whole against @lim.  @len 0 is a list of no
 * descriptors.  Refuses a list shorter than its header, or than the
 * lengths its header gives (KT_S_PARAM_LIST_LENGTH), header lengths
 * that disagree, more descriptors or blocks than @lim allows
 * (KT_S_INVALID_FIELD_PARAM) and a descriptor that ends past the
 * capacity (KT_S_LBA_OUT_OF_RANGE).  On KT_OK @out describes the list,
 * which points into @buf; on failure @field is the byte of the list to
 * point at, or 0xffff for none.
 */
kt_status_t kt_unmap_parse(const u8 *buf, u32 len,
			   const struct kt_unmap_limits *lim,
			   struct kt_unmap_list *out, u16 *field);

/* kt_unmap_desc - descriptor @i (< @l->ndesc) of a checked list */
void kt_unmap_desc(const struct kt_unmap_list *l, u32 i, u64 *lba,
		   u32 *nblocks);

#endif /* KTARGET_WIRE_H */
