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
 * The VFS calls the core makes to keep its APTPL files (core/pr_file.c):
 * they name the mount's ID mapping (struct mnt_idmap) from Linux 6.3,
 * its user namespace before.
 */
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/path.h>

#ifdef KT_HAVE_MNT_IDMAP
#define kt_mnt_map(mnt)	mnt_idmap(mnt)
#else
#define kt_mnt_map(mnt)	mnt_user_ns(mnt)
#endif

/* rename @old to @new, both in @dir (lock_rename() and mount write held) */
static inline int kt_vfs_rename_in(const struct path *dir, struct dentry *old,
				   struct dentry *new)
{
	struct renamedata rd = {
#ifdef KT_HAVE_MNT_IDMAP
		.old_mnt_idmap = kt_mnt_map(dir->mnt),
		.new_mnt_idmap = kt_mnt_map(dir->mnt),
#else
		.old_mnt_userns = kt_mnt_map(dir->mnt),
		.new_mnt_userns = kt_mnt_map(dir->mnt),
#endif
		.old_dir = d_inode(dir->dentry),
		.old_dentry = old,
		.new_dir = d_inode(dir->dentry),
		.new_dentry = new,
	};

	return vfs_rename(&rd);
}

/* mkdir @d in @parent (from kern_path_create()) */
static inline int kt_vfs_mkdir(const struct path *parent, struct dentry *d,
			       umode_t mode)
{
	return vfs_mkdir(kt_mnt_map(parent->mnt), d_inode(parent->dentry), d,
			 mode);
}

#endif /* KTARGET_COMPAT_H */
