/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI login and text keys (RFC 7143 sections 6 and 13): the table of
 * the keys a TPG configures (param/), parsing of "key=value\0" data
 * segments, and the target side of the operational negotiation.
 *
 * Pure code: no allocation, every buffer is the caller's.
 *
 * How the login code uses it, per connection:
 *
 *  1. Concatenate the data segments of a login request sequence (C bit)
 *     into one buffer, then kti_text_parse() it into kvs[] (in place).
 *     A non-zero KTI_TEXT_E_* result is a login reject, initiator error.
 *  2. On the first request: SessionType (kti_kv_get(), absent = Normal)
 *     and TSIH != 0 (a connection added to a session) decide
 *     kti_neg_init(n, cfg, discovery, leading).  cfg is a snapshot of the
 *     TPG's param/ values, indexed by enum kti_key; it must stay valid
 *     and unchanged until the login ends.  For a non-leading connection,
 *     copy the session's session-wide results (the LO keys: all fields
 *     but the digests and data segment lengths) into n->p afterwards.
 *  3. For every request: set n->stage to its CSG (KTI_STAGE_SECURITY or
 *     KTI_STAGE_OPERATIONAL).  The login code handles the keys that
 *     kti_key_class() calls KTI_KC_CALLER itself (TargetName,
 *     InitiatorName, InitiatorAlias, SessionType, AuthMethod with
 *     kti_neg_authmethod(), CHAP_* with chap.h, SendTargets...) and adds
 *     its answers with kti_text_append().  kti_neg_keys() answers all the
 *     other keys into the same response buffer.  The target's
 *     TargetPortalGroupTag (first response of a normal session) and
 *     TargetAlias are the login code's too.
 *  4. When the request has T=1 with NSG=3 (full feature phase), call
 *     kti_neg_finish() after kti_neg_keys():
 *       0   the negotiation is complete: answer T=1, NSG=3;
 *       1   the target still has keys to declare or offer: in the
 *           operational stage it appended them, answer T=0 and call it
 *           again when the initiator next sets T=1; in the security stage
 *           it appended nothing, answer T=1 with NSG=1 instead;
 *       <0  login reject (initiator error, n->bad_key names the key).
 *  5. The results are in n->p (RFC 7143 defaults for keys never sent).
 *
 * Text requests in the full feature phase: kti_neg_init() a new state,
 * copy the connection's n->p into it, set n->stage = KTI_STAGE_FFP and
 * call kti_neg_keys(); only keys usable in the full feature phase are
 * negotiated (a new MaxRecvDataSegmentLength of the initiator lands in
 * n->p.max_xmit_dsl), the other operational keys are errors.
 *
 * Errors of kti_neg_keys() and kti_neg_finish(): -EPROTO when the
 * initiator broke a rule of RFC 7143 section 6 (key offered twice, not
 * allowed in this stage or on this connection, sent by the wrong side,
 * an inadmissible answer to a target offer), -EINVAL when the outcome
 * cannot be used (FirstBurstLength > MaxBurstLength, a needed target
 * offer refused), -ENOSPC when the response does not fit.  After an
 * error the state is undefined: end the login.
 */
#ifndef KTARGET_ISCSI_KEYS_H
#define KTARGET_ISCSI_KEYS_H

#include <ktarget/port.h>
#include "kv.h"
#include "pdu.h"	/* KTI_STAGE_* */

/* the keys of param/, in LIO's order */
enum kti_key {
	KTI_KEY_AUTH_METHOD,
	KTI_KEY_HEADER_DIGEST,
	KTI_KEY_DATA_DIGEST,
	KTI_KEY_MAX_CONNECTIONS,
	KTI_KEY_TARGET_ALIAS,
	KTI_KEY_INITIAL_R2T,
	KTI_KEY_IMMEDIATE_DATA,
	KTI_KEY_MAX_RECV_DSL,
	KTI_KEY_MAX_XMIT_DSL,
	KTI_KEY_MAX_BURST,
	KTI_KEY_FIRST_BURST,
	KTI_KEY_T2W,
	KTI_KEY_T2R,
	KTI_KEY_MAX_OUTSTANDING_R2T,
	KTI_KEY_DATA_PDU_IN_ORDER,
	KTI_KEY_DATA_SEQ_IN_ORDER,
	KTI_KEY_ERL,
	KTI_KEY_IF_MARKER,
	KTI_KEY_OF_MARKER,
	KTI_KEY_IF_MARK_INT,
	KTI_KEY_OF_MARK_INT,
	KTI_KEY__COUNT
};

#define KTI_VAL_LEN		256	/* a param/ value: 255 bytes + NUL */
#define KTI_KEY_NAME_MAX	63	/* RFC 7143 6.1 */
#define KTI_TEXT_VAL_MAX	8192	/* longest value kti_text_parse() takes */

/* how a key is negotiated */
enum kti_key_type {
	KTI_KT_LIST,		/* the first offered value we support */
	KTI_KT_BOOL_OR,		/* Yes/No, result is the OR */
	KTI_KT_BOOL_AND,	/* Yes/No, result is the AND */
	KTI_KT_NUM_MIN,		/* number in [min, max], result the minimum */
	KTI_KT_NUM_MAX,		/* number in [min, max], result the maximum */
	KTI_KT_DECLARATIVE,	/* number each side declares for itself */
	KTI_KT_STRING,		/* UTF-8 text only the target declares */
	KTI_KT_LOCAL,		/* our setting, never on the wire */
	KTI_KT_MARKER,		/* obsolete boolean: answered with our value */
	KTI_KT_MARKINT,		/* obsolete range: always answered Reject */
};

/* when a key may be sent (RFC 7143 section 13, "Use") */
enum kti_key_use {
	KTI_USE_IO,		/* during any connection's login */
	KTI_USE_LO,		/* during the leading connection's login */
	KTI_USE_ALL,		/* during login and the full feature phase */
};

/**
 * struct kti_key_info - one entry of the key table
 * @name: name on the wire and in param/
 * @def: LIO's configured default (param/)
 * @rfc_def: RFC 7143 default (the outcome when nobody sends the key) if
 *	it differs from @def; NULL otherwise
 * @type: enum kti_key_type
 * @use: enum kti_key_use
 * @discovery: the key is relevant in discovery sessions
 * @target_only: only a target may send it
 * @min: numerical range
 * @max: numerical range
 * @values: KTI_KT_LIST: the values we support, NULL-terminated
 */
struct kti_key_info {
	const char *name;
	const char *def;
	const char *rfc_def;
	u8 type;
	u8 use;
	bool discovery;
	bool target_only;
	u32 min;
	u32 max;
	const char *const *values;
};

const struct kti_key_info *kti_key_info(enum kti_key k);
int kti_key_find(const char *name);
const char *kti_key_name(enum kti_key k);
const char *kti_key_default(enum kti_key k);
int kti_key_validate(enum kti_key k, const char *val);

/* who handles a key received from an initiator */
enum kti_key_class {
	KTI_KC_UNKNOWN,		/* kti_neg_keys() answers NotUnderstood */
	KTI_KC_NEG,		/* kti_neg_keys() negotiates it */
	KTI_KC_CALLER,		/* the login code (see the top comment) */
};

enum kti_key_class kti_key_class(const char *name);

/* kti_text_parse() results */
enum kti_text_err {
	KTI_TEXT_OK = 0,
	KTI_TEXT_E_NO_EQUALS,	/* a pair without '=' (or an empty pair) */
	KTI_TEXT_E_EMPTY_KEY,	/* "=value" */
	KTI_TEXT_E_KEY_TOO_LONG, /* key over 63 bytes */
	KTI_TEXT_E_KEY_CHARS,	/* key not [A-Z][A-Za-z0-9.+@_#-]* */
	KTI_TEXT_E_VALUE_TOO_LONG, /* value over 8192 bytes */
	KTI_TEXT_E_UNTERMINATED, /* the last pair has no NUL */
	KTI_TEXT_E_UTF8,	/* value is not valid UTF-8 */
	KTI_TEXT_E_TOO_MANY,	/* more pairs than the caller's array */
	KTI_TEXT_E_DUPLICATE,	/* the same key twice */
	KTI_TEXT_E__COUNT
};

int kti_text_parse(char *buf, u32 len, struct kti_kv *kvs, unsigned int max,
		   unsigned int *count);
const char *kti_text_strerror(int err);
int kti_text_append(char *buf, u32 size, u32 *len, const char *key,
		    const char *val);
const char *kti_kv_get(const struct kti_kv *kvs, unsigned int count,
		       const char *key);
bool kti_utf8_valid(const char *s, u32 len);

/**
 * struct kti_sess_params - outcome of a negotiation
 * @header_digest: CRC32C header digests
 * @data_digest: CRC32C data digests
 * @max_connections: MaxConnections
 * @initial_r2t: InitialR2T
 * @immediate_data: ImmediateData
 * @max_recv_dsl: longest data segment we receive (what we declared)
 * @max_xmit_dsl: longest data segment we send: the initiator's
 *	MaxRecvDataSegmentLength, capped by our MaxXmitDataSegmentLength
 * @max_burst: MaxBurstLength
 * @first_burst: FirstBurstLength
 * @t2w: DefaultTime2Wait
 * @t2r: DefaultTime2Retain
 * @max_outstanding_r2t: MaxOutstandingR2T
 * @data_pdu_in_order: DataPDUInOrder
 * @data_seq_in_order: DataSequenceInOrder
 * @erl: ErrorRecoveryLevel
 */
struct kti_sess_params {
	bool header_digest, data_digest;
	u32 max_connections;
	bool initial_r2t, immediate_data;
	u32 max_recv_dsl;
	u32 max_xmit_dsl;
	u32 max_burst, first_burst, t2w, t2r, max_outstanding_r2t;
	bool data_pdu_in_order, data_seq_in_order;
	u32 erl;
};

void kti_sess_params_default(struct kti_sess_params *p);

/**
 * struct kti_neg - the target's side of one negotiation
 * @cfg: our values (param/), indexed by enum kti_key
 * @discovery: SessionType=Discovery
 * @leading: the connection starts the session (TSIH 0)
 * @stage: KTI_STAGE_*, set by the caller before kti_neg_keys()
 * @mrdsl_sent: our MaxRecvDataSegmentLength has been declared
 * @done: bit per enum kti_key: settled, may not be offered again
 * @proposed: bit per enum kti_key: offered by us, waiting for the answer
 * @rejected: bit per enum kti_key: we answered Reject, the default stands
 * @offer: our offered value, for numerical keys in @proposed
 * @bad_key: after an error, the key that caused it (or NULL)
 * @p: the results so far
 */
struct kti_neg {
	const char (*cfg)[KTI_VAL_LEN];
	bool discovery;
	bool leading;
	u8 stage;
	bool mrdsl_sent;
	u32 done;
	u32 proposed;
	u32 rejected;
	u32 offer[KTI_KEY__COUNT];
	const char *bad_key;
	struct kti_sess_params p;
};

void kti_neg_init(struct kti_neg *n, const char cfg[][KTI_VAL_LEN],
		  bool discovery, bool leading);
int kti_neg_keys(struct kti_neg *n, const struct kti_kv *kvs,
		 unsigned int count, char *resp, u32 resp_size, u32 *resp_len);
int kti_neg_finish(struct kti_neg *n, char *resp, u32 resp_size,
		   u32 *resp_len);
const char *kti_neg_authmethod(const char *offered, bool chap_ok,
			       bool none_ok);

#endif /* KTARGET_ISCSI_KEYS_H */
