/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI Basic Header Segment (RFC 7143 section 11): decoding of the PDUs
 * an initiator sends, encoding of the PDUs a target sends, and the small
 * helpers around them (padding, serial number arithmetic, LUN fields).
 *
 * Pure code: every function works on caller-provided 48-byte headers.
 *
 * Receive path:
 *	read 48 bytes, kti_bhs_decode(); on -EINVAL answer with a Reject PDU
 *	of reason bhs.reject_reason (or a login reject for a login PDU);
 *	read bhs.ahs_len * 4 bytes of AHS (kti_ahs_decode() for SCSI
 *	Command PDUs), the header digest, kti_pad4(bhs.dlength) bytes of data
 *	and the data digest.
 * Transmit path:
 *	fill a struct kti_*_rsp and call its kti_encode_*(), then send the
 *	48 bytes, the data segment padded to kti_pad4() and the digests.
 * Encoders zero the whole header first, so reserved fields are 0.
 */
#ifndef KTARGET_ISCSI_PDU_H
#define KTARGET_ISCSI_PDU_H

#include <ktarget/port.h>

#define KTI_BHS_LEN		48
#define KTI_DIGEST_LEN		4	/* CRC32C header or data digest */
#define KTI_DSL_MAX		0xffffff	/* DataSegmentLength is 24 bits */
#define KTI_RSVD_TAG		0xffffffffU	/* "no ITT/TTT" */
#define KTI_CDB_LEN		16	/* CDB field of the SCSI Command BHS */
#define KTI_ISID_LEN		6
#define KTI_LUN_LEN		8

/* opcodes sent by initiators (byte 0, bits 0-5) */
#define KTI_OP_NOP_OUT		0x00
#define KTI_OP_SCSI_CMD		0x01
#define KTI_OP_TMF_REQ		0x02
#define KTI_OP_LOGIN_REQ	0x03
#define KTI_OP_TEXT_REQ		0x04
#define KTI_OP_DATA_OUT		0x05
#define KTI_OP_LOGOUT_REQ	0x06
#define KTI_OP_SNACK		0x10
/* opcodes sent by targets */
#define KTI_OP_NOP_IN		0x20
#define KTI_OP_SCSI_RSP		0x21
#define KTI_OP_TMF_RSP		0x22
#define KTI_OP_LOGIN_RSP	0x23
#define KTI_OP_TEXT_RSP		0x24
#define KTI_OP_DATA_IN		0x25
#define KTI_OP_LOGOUT_RSP	0x26
#define KTI_OP_R2T		0x31
#define KTI_OP_ASYNC		0x32
#define KTI_OP_REJECT		0x3f

/* SCSI Command ATTR (task attribute) */
#define KTI_ATTR_UNTAGGED	0
#define KTI_ATTR_SIMPLE		1
#define KTI_ATTR_ORDERED	2
#define KTI_ATTR_HEAD_OF_QUEUE	3
#define KTI_ATTR_ACA		4

/* SCSI Response "Response" field */
#define KTI_RSP_COMPLETED	0x00
#define KTI_RSP_TARGET_FAILURE	0x01

/* Task management functions (RFC 7143 11.5.1; 9-12 from RFC 7144) */
#define KTI_TMF_ABORT_TASK		1
#define KTI_TMF_ABORT_TASK_SET		2
#define KTI_TMF_CLEAR_ACA		3
#define KTI_TMF_CLEAR_TASK_SET		4
#define KTI_TMF_LUN_RESET		5
#define KTI_TMF_TARGET_WARM_RESET	6
#define KTI_TMF_TARGET_COLD_RESET	7
#define KTI_TMF_TASK_REASSIGN		8
#define KTI_TMF_QUERY_TASK		9
#define KTI_TMF_QUERY_TASK_SET		10
#define KTI_TMF_IT_NEXUS_RESET		11
#define KTI_TMF_QUERY_ASYNC_EVENT	12

/* Task management response codes (RFC 7143 11.6.1) */
#define KTI_TMF_RSP_COMPLETE		0
#define KTI_TMF_RSP_NO_TASK		1
#define KTI_TMF_RSP_NO_LUN		2
#define KTI_TMF_RSP_TASK_ALLEGIANT	3
#define KTI_TMF_RSP_NO_REASSIGN		4
#define KTI_TMF_RSP_NOT_SUPPORTED	5
#define KTI_TMF_RSP_AUTH_FAILED		6
#define KTI_TMF_RSP_SUCCEEDED		7	/* RFC 7144 4.1 */
/* where the TMF response carries the additional response information */
#define KTI_TMF_RSP_ARI			36
#define KTI_TMF_RSP_REJECTED		255

/* Login stages (CSG/NSG) */
#define KTI_STAGE_SECURITY	0
#define KTI_STAGE_OPERATIONAL	1
#define KTI_STAGE_FFP		3

/* Login status, class << 8 | detail (RFC 7143 11.13.5) */
#define KTI_LOGIN_SUCCESS		0x0000
#define KTI_LOGIN_REDIRECT_TEMP		0x0101
#define KTI_LOGIN_REDIRECT_PERM		0x0102
#define KTI_LOGIN_INITIATOR_ERR		0x0200
#define KTI_LOGIN_AUTH_FAILED		0x0201
#define KTI_LOGIN_AUTHZ_FAILED		0x0202
#define KTI_LOGIN_NOT_FOUND		0x0203
#define KTI_LOGIN_TARGET_REMOVED	0x0204
#define KTI_LOGIN_UNSUPPORTED_VERSION	0x0205
#define KTI_LOGIN_TOO_MANY_CONNS	0x0206
#define KTI_LOGIN_MISSING_PARAM		0x0207
#define KTI_LOGIN_NO_SESSION_SPAN	0x0208
#define KTI_LOGIN_NO_SESSION_TYPE	0x0209
#define KTI_LOGIN_NO_SESSION		0x020a
#define KTI_LOGIN_INVALID_DURING_LOGIN	0x020b
#define KTI_LOGIN_TARGET_ERR		0x0300
#define KTI_LOGIN_SERVICE_UNAVAILABLE	0x0301
#define KTI_LOGIN_NO_RESOURCES		0x0302

/* Logout request reason codes and logout response codes */
#define KTI_LOGOUT_CLOSE_SESSION	0
#define KTI_LOGOUT_CLOSE_CONNECTION	1
#define KTI_LOGOUT_REMOVE_FOR_RECOVERY	2
#define KTI_LOGOUT_RSP_OK		0
#define KTI_LOGOUT_RSP_NO_CID		1
#define KTI_LOGOUT_RSP_NO_RECOVERY	2
#define KTI_LOGOUT_RSP_CLEANUP_FAILED	3

/* SNACK types */
#define KTI_SNACK_DATA_R2T	0
#define KTI_SNACK_STATUS	1
#define KTI_SNACK_DATA_ACK	2
#define KTI_SNACK_RDATA		3

/* Asynchronous message events */
#define KTI_ASYNC_SCSI_EVENT		0
#define KTI_ASYNC_LOGOUT_REQUEST	1
#define KTI_ASYNC_DROP_CONNECTION	2
#define KTI_ASYNC_DROP_ALL_CONNECTIONS	3
#define KTI_ASYNC_NEGOTIATE		4
#define KTI_ASYNC_VENDOR		255

/* Reject reasons (RFC 7143 11.17.1) */
#define KTI_REJECT_DATA_DIGEST		0x02
#define KTI_REJECT_SNACK		0x03
#define KTI_REJECT_PROTOCOL_ERROR	0x04
#define KTI_REJECT_CMD_NOT_SUPPORTED	0x05
#define KTI_REJECT_IMMEDIATE_CMD	0x06
#define KTI_REJECT_TASK_IN_PROGRESS	0x07
#define KTI_REJECT_INVALID_DATA_ACK	0x08
#define KTI_REJECT_INVALID_PDU_FIELD	0x09
#define KTI_REJECT_LONG_OP		0x0a
#define KTI_REJECT_WAITING_FOR_LOGOUT	0x0c

/* kti_lun_to_index() for a LUN field we cannot address */
#define KTI_LUN_INVALID		(~0ULL)

/**
 * struct kti_bhs - a decoded initiator BHS
 * @opcode: KTI_OP_*
 * @immediate: I bit (immediate delivery)
 * @final: F bit (byte 1, bit 7)
 * @flags: byte 1 as received (opcode-specific bits)
 * @ahs_len: TotalAHSLength in 4-byte words
 * @dlength: DataSegmentLength in bytes, without padding
 * @lun: bytes 8-15 as received (see kti_lun_to_index())
 * @itt: Initiator Task Tag
 * @cmdsn: CmdSN (NOP-Out, SCSI Command, TMF, Login, Text, Logout; 0 for
 *	Data-Out and SNACK, which have none)
 * @exp_statsn: ExpStatSN (every initiator PDU)
 * @reject_reason: when kti_bhs_decode() fails, the Reject reason to send
 *	(KTI_REJECT_CMD_NOT_SUPPORTED or KTI_REJECT_PROTOCOL_ERROR)
 * @cmd: SCSI Command: R and W bits, ATTR, expected data transfer length,
 *	CDB; an AHS (extended CDB, bidirectional read length) shows as
 *	@ahs_len != 0
 * @data: SCSI Data-Out: TTT, DataSN, buffer offset
 * @nop: NOP-Out: TTT
 * @tmf: Task Management Function Request: function, referenced task tag,
 *	RefCmdSN, ExpDataSN
 * @login: Login Request: T, C, CSG, NSG, versions, ISID, TSIH, CID
 * @text: Text Request: C bit, TTT
 * @logout: Logout Request: reason code, CID
 * @snack: SNACK Request: type, TTT or SNACK Tag, BegRun, RunLength
 *
 * Only the member of the union named after @opcode is filled.
 */
struct kti_bhs {
	u8 opcode;
	bool immediate;
	bool final;
	u8 flags;
	u8 ahs_len;
	u32 dlength;
	u8 lun[KTI_LUN_LEN];
	u32 itt;
	u32 cmdsn;
	u32 exp_statsn;
	u8 reject_reason;
	union {
		struct {
			bool read;
			bool write;
			u8 attr;
			u32 edtl;
			u8 cdb[KTI_CDB_LEN];
		} cmd;
		struct {
			u32 ttt;
			u32 datasn;
			u32 offset;
		} data;			/* Data-Out */
		struct {
			u32 ttt;
		} nop;			/* NOP-Out */
		struct {
			u8 function;
			u32 ref_itt;
			u32 ref_cmdsn;
			u32 exp_datasn;
		} tmf;
		struct {
			bool transit;
			bool cont;
			u8 csg;
			u8 nsg;		/* valid when @transit */
			u8 ver_max;
			u8 ver_min;
			u8 isid[KTI_ISID_LEN];
			u16 tsih;
			u16 cid;
		} login;
		struct {
			bool cont;	/* C bit; the F bit is @final */
			u32 ttt;
		} text;
		struct {
			u8 reason;
			u16 cid;
		} logout;
		struct {
			u8 type;
			u32 tag;	/* TTT or SNACK Tag */
			u32 begrun;
			u32 runlength;
		} snack;
	};
};

int kti_bhs_decode(const u8 *bhs, struct kti_bhs *out);

/**
 * struct kti_ahs - what kti_ahs_decode() found in a SCSI Command's AHS
 * @ext_cdb_len: length of the Extended CDB AHS's CDB bytes (0: none)
 * @bidi: a Bidirectional Expected Read-Data Length AHS was present
 * @bidi_read_len: its value
 */
struct kti_ahs {
	u16 ext_cdb_len;
	bool bidi;
	u32 bidi_read_len;
};

int kti_ahs_decode(const u8 *ahs, u32 len, struct kti_ahs *out);

/* SCSI Response (0x21) */
struct kti_scsi_rsp {
	u32 itt;
	u8 response;		/* KTI_RSP_* */
	u8 status;		/* SCSI status, when response is 0 */
	bool overflow;		/* O: residual count is an overflow */
	bool underflow;		/* U */
	bool bidi_overflow;	/* o: bidirectional read residual */
	bool bidi_underflow;	/* u */
	u32 residual;
	u32 bidi_residual;
	u32 snack_tag;
	u32 exp_datasn;		/* Data-In (and R2T) PDUs sent for the task */
	u32 statsn;
	u32 exp_cmdsn;
	u32 max_cmdsn;
	u32 dlength;		/* 0, or 2 + sense length (kti_put_sense()) */
};

/* Data-In (0x25) */
struct kti_data_in {
	u8 lun[KTI_LUN_LEN];	/* sent only with @ack */
	u32 itt;
	u32 ttt;		/* sent only with @ack; else 0xffffffff */
	bool final;		/* F; forced by @status_valid */
	bool ack;		/* A: ask for a DataACK SNACK (ERL > 0) */
	bool status_valid;	/* S: this PDU carries the status */
	bool overflow;		/* O, with S only */
	bool underflow;		/* U, with S only */
	u8 status;		/* with S only */
	u32 statsn;		/* with S only */
	u32 exp_cmdsn;
	u32 max_cmdsn;
	u32 datasn;
	u32 offset;
	u32 residual;		/* with S and O or U only */
	u32 dlength;
};

/* Ready To Transfer (0x31) */
struct kti_r2t {
	u8 lun[KTI_LUN_LEN];
	u32 itt;
	u32 ttt;
	u32 statsn;		/* the next StatSN, not advanced */
	u32 exp_cmdsn;
	u32 max_cmdsn;
	u32 r2tsn;
	u32 offset;
	u32 length;		/* desired data transfer length */
};

/* NOP-In (0x20): @itt 0xffffffff for a target ping, else the NOP-Out's */
struct kti_nop_in {
	u8 lun[KTI_LUN_LEN];
	u32 itt;
	u32 ttt;		/* 0xffffffff unless the target wants a reply */
	u32 statsn;
	u32 exp_cmdsn;
	u32 max_cmdsn;
	u32 dlength;		/* ping data echoed */
};

/* Task Management Function Response (0x22) */
struct kti_tmf_rsp {
	u32 itt;
	u8 response;		/* KTI_TMF_RSP_* */
	u32 statsn;
	u32 exp_cmdsn;
	u32 max_cmdsn;
	u8 ari[3];		/* additional response information (QAE) */
};

/* Login Response (0x23) */
struct kti_login_rsp {
	bool transit;
	bool cont;
	u8 csg;
	u8 nsg;
	u8 ver_max;
	u8 ver_active;
	u8 isid[KTI_ISID_LEN];
	u16 tsih;
	u32 itt;
	u32 statsn;
	u32 exp_cmdsn;
	u32 max_cmdsn;
	u16 status;		/* KTI_LOGIN_*: class << 8 | detail */
	u32 dlength;
};

/* Text Response (0x24) */
struct kti_text_rsp {
	bool final;
	bool cont;
	u8 lun[KTI_LUN_LEN];
	u32 itt;
	u32 ttt;		/* 0xffffffff when final */
	u32 statsn;
	u32 exp_cmdsn;
	u32 max_cmdsn;
	u32 dlength;
};

/* Logout Response (0x26) */
struct kti_logout_rsp {
	u32 itt;
	u8 response;		/* KTI_LOGOUT_RSP_* */
	u16 time2wait;
	u16 time2retain;
	u32 statsn;
	u32 exp_cmdsn;
	u32 max_cmdsn;
};

/* Asynchronous Message (0x32); the ITT is always 0xffffffff */
struct kti_async {
	u8 lun[KTI_LUN_LEN];
	u8 event;		/* KTI_ASYNC_* */
	u8 vcode;
	u16 param1;
	u16 param2;
	u16 param3;
	u32 statsn;
	u32 exp_cmdsn;
	u32 max_cmdsn;
	u32 dlength;		/* SCSI event: 2 + sense length */
};

/* Reject (0x3f); its data segment is the rejected 48-byte BHS */
struct kti_reject {
	u8 reason;		/* KTI_REJECT_* */
	u32 datasn;		/* DataSN/R2TSN for a SNACK reject, else 0 */
	u32 statsn;
	u32 exp_cmdsn;
	u32 max_cmdsn;
};

void kti_encode_scsi_rsp(u8 *bhs, const struct kti_scsi_rsp *r);
void kti_encode_data_in(u8 *bhs, const struct kti_data_in *d);
void kti_encode_r2t(u8 *bhs, const struct kti_r2t *r);
void kti_encode_nop_in(u8 *bhs, const struct kti_nop_in *n);
void kti_encode_tmf_rsp(u8 *bhs, const struct kti_tmf_rsp *r);
void kti_encode_login_rsp(u8 *bhs, const struct kti_login_rsp *r);
void kti_encode_text_rsp(u8 *bhs, const struct kti_text_rsp *r);
void kti_encode_logout_rsp(u8 *bhs, const struct kti_logout_rsp *r);
void kti_encode_async(u8 *bhs, const struct kti_async *a);
void kti_encode_reject(u8 *bhs, const struct kti_reject *r);

u32 kti_put_sense(u8 *seg, u32 size, const u8 *sense, u32 sense_len);
u64 kti_lun_to_index(const u8 *lun);
void kti_lun_from_index(u64 index, u8 *lun);

/* @len rounded up to a multiple of 4 (data segments are padded) */
static inline u32 kti_pad4(u32 len)
{
	return (len + 3) & ~3U;
}

/*
 * Serial number arithmetic of RFC 1982 for the 32-bit CmdSN, StatSN,
 * DataSN and R2TSN.  Two numbers exactly 2^31 apart are not ordered:
 * kti_sn_lt() and kti_sn_gt() are both false for them.
 */
static inline bool kti_sn_lt(u32 a, u32 b)
{
	u32 d = b - a;

	return d && d < 0x80000000U;
}

static inline bool kti_sn_gt(u32 a, u32 b)
{
	return kti_sn_lt(b, a);
}

static inline bool kti_sn_lte(u32 a, u32 b)
{
	return a == b || kti_sn_lt(a, b);
}

static inline bool kti_sn_gte(u32 a, u32 b)
{
	return a == b || kti_sn_gt(a, b);
}

/* @sn lies in the window [@lo, @hi] (e.g. ExpCmdSN..MaxCmdSN) */
static inline bool kti_sn_in(u32 sn, u32 lo, u32 hi)
{
	return kti_sn_lte(lo, sn) && kti_sn_lte(sn, hi);
}

#endif /* KTARGET_ISCSI_PDU_H */
