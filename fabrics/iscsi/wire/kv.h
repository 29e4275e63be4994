/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One key=value pair of a login or text data segment, as the pure iSCSI
 * code hands it around.  Both strings point into the caller's buffer and
 * are NUL-terminated.
 */
#ifndef KTARGET_ISCSI_KV_H
#define KTARGET_ISCSI_KV_H

struct kti_kv {
	const char *key;
	const char *val;
};

#endif /* KTARGET_ISCSI_KV_H */
