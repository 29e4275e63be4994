/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel interfaces whose form changed between the kernels ktarget builds
 * against, for the parts with no compat header of their own (the core and
 * the loopback fabric) and for what every part shares.  Each difference is
 * handled here once, keyed on a feature probe made in Kbuild
 * (KT_HAVE_...), never on a version number.  The backstores keep theirs
 * in backstores/backstore.h, the iSCSI fabric in fabrics/iscsi/compat.h.
 */
#ifndef KTARGET_COMPAT_H
#define KTARGET_COMPAT_H

/*
 * get_unaligned_be32() and friends: <asm/unaligned.h> up to Linux 6.11,
 * <linux/unaligned.h> from 6.12 (which removed the asm one).
 */
#ifdef KT_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* KTARGET_COMPAT_H */
