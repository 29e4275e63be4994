/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure iSCSI protocol code (RFC 7143): PDU headers, login/text keys and
 * their negotiation, CHAP message handling.  Like core/wire/, it takes
 * bytes in and gives structs out, never allocates, locks or logs, and
 * builds unchanged in user space for tests/unit and tests/fuzz.
 */
#ifndef KTARGET_ISCSI_WIRE_H
#define KTARGET_ISCSI_WIRE_H

#include <ktarget/port.h>

#include "kv.h"		/* struct kti_kv: one key=value pair */

#include "pdu.h"	/* BHS decode/encode */
#include "keys.h"	/* text parsing, key table, negotiation */
#include "chap.h"	/* CHAP state machine (hash supplied by the caller) */

#endif /* KTARGET_ISCSI_WIRE_H */
