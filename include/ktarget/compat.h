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

/*
 * kt_vfs_rename_in - rename @old to @new, both in the directory @dir
 * (locked with lock_rename(), mount write access held).  struct
 * renamedata names the mounts' ID mappings (struct mnt_idmap) from Linux
 * 6.3, their user namespaces before.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/path.h>

static inline int kt_vfs_rename_in(const struct path *dir, struct dentry *old,
				   struct dentry *new)
{
	struct renamedata rd = {
#ifdef KT_HAVE_RENAMEDATA_IDMAP
		.old_mnt_idmap = mnt_idmap(dir->mnt),
		.new_mnt_idmap = mnt_idmap(dir->mnt),
#else
		.old_mnt_userns = mnt_user_ns(dir->mnt),
		.new_mnt_userns = mnt_user_ns(dir->mnt),
#endif
		.old_dir = d_inode(dir->dentry),
		.old_dentry = old,
		.new_dir = d_inode(dir->dentry),
		.new_dentry = new,
	};

	return vfs_rename(&rd);
}

#endif /* KTARGET_COMPAT_H */
