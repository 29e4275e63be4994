// SPDX-License-Identifier: GPL-2.0
/*
 * Files the core keeps under dbroot (the APTPL files of pr_file.c, the
 * ALUA metadata of alua.c), named by a directory relative to kt_dbroot
 * and a file name in it.  A file is replaced atomically: a temporary
 * file beside it is written and synced, renamed over it, and the
 * directory is synced, so a crash leaves the old file or the new one,
 * never a mix.  Missing directories below dbroot are made (dbroot itself
 * must exist).
 *
 * Nothing here locks: callers serialise the writers of one file (all of
 * them hold kt_cfg_mutex).
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/mount.h>
#include "core.h"

/**
 * kt_dbfile_name_ok - may @name be one component of a path under dbroot?
 * @name: a file or directory name from configuration (a serial, a group)
 *
 * Return: false for "", ".", ".." and anything with a '/'.
 */
bool kt_dbfile_name_ok(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/');
}

static int kt_dbfile_fsync_dir(const char *path)
{
	struct file *f = filp_open(path, O_RDONLY | O_DIRECTORY, 0);
	int ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = vfs_fsync(f, 0);
	filp_close(f, NULL);
	return ret;
}

/* Rename @from to @to, both names in the directory @dir. */
static int kt_dbfile_rename(const char *dir, const char *from, const char *to)
{
	struct dentry *old, *new;
	struct path p;
	int ret;

	ret = kern_path(dir, LOOKUP_DIRECTORY | LOOKUP_FOLLOW, &p);
	if (ret)
		return ret;
	ret = mnt_want_write(p.mnt);
	if (ret)
		goto out_path;
	lock_rename(p.dentry, p.dentry);
	old = lookup_one_len(from, p.dentry, strlen(from));
	ret = PTR_ERR_OR_ZERO(old);
	if (ret)
		goto out_unlock;
	new = lookup_one_len(to, p.dentry, strlen(to));
	ret = PTR_ERR_OR_ZERO(new);
	if (!ret) {
		ret = d_is_positive(old) ? kt_vfs_rename_in(&p, old, new) :
					   -ENOENT;
		dput(new);
	}
	dput(old);
out_unlock:
	unlock_rename(p.dentry, p.dentry);
	mnt_drop_write(p.mnt);
out_path:
	path_put(&p);
	return ret;
}

/* mkdir @dir if missing; an existing non-directory is -ENOTDIR */
static int kt_dbfile_mkdir(const char *dir)
{
	struct dentry *d;
	struct path parent;
	int ret;

	d = kern_path_create(AT_FDCWD, dir, &parent, LOOKUP_DIRECTORY);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		if (ret == -EEXIST && kern_path(dir, LOOKUP_DIRECTORY |
						LOOKUP_FOLLOW, &parent) == 0) {
			path_put(&parent);
			return 0;
		}
		return ret == -EEXIST ? -ENOTDIR : ret;
	}
	ret = kt_vfs_mkdir(&parent, d, 0700);
	done_path_create(&parent, d);
	return ret;
}

/* Make each directory of @path (absolute) after its first @skip bytes */
static int kt_dbfile_mkdirs(char *path, size_t skip)
{
	char *p = path + skip;
	int ret;

	for (;;) {
		p = strchr(p + 1, '/');
		if (p)
			*p = '\0';
		ret = kt_dbfile_mkdir(path);
		if (!p || ret)
			return ret;
		*p = '/';
	}
}

static int kt_dbfile_write_tmp(const char *path, const char *text, u32 len)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int ret;

	f = filp_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, text, len, &pos);
	if (n != len)
		ret = n < 0 ? n : -EIO;
	else
		ret = vfs_fsync(f, 0);
	filp_close(f, NULL);
	return ret;
}

/**
 * kt_dbfile_replace - make <dbroot>/@rel/@name hold @len bytes of @text
 * @rel: directories below dbroot ("pr", "alua/tpgs_<serial>"), each
 *	component checked by the caller with kt_dbfile_name_ok()
 * @name: the file
 * @text: its new content
 * @len: bytes of @text
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno (then the old file, if any, is intact).
 */
int kt_dbfile_replace(const char *rel, const char *name, const char *text,
		      u32 len)
{
	char *dir, *tmp = NULL, *tmp_path = NULL;
	int ret = -ENOMEM;

	if (!kt_dbfile_name_ok(name))
		return -EINVAL;
	dir = kasprintf(GFP_KERNEL, "%s/%s", kt_dbroot, rel);
	tmp = kasprintf(GFP_KERNEL, ".%s.tmp", name);
	if (dir && tmp)
		tmp_path = kasprintf(GFP_KERNEL, "%s/%s", dir, tmp);
	if (!tmp_path)
		goto out;
	ret = kt_dbfile_mkdirs(dir, strlen(kt_dbroot));
	if (!ret)
		ret = kt_dbfile_write_tmp(tmp_path, text, len);
	if (!ret)
		ret = kt_dbfile_rename(dir, tmp, name);
	if (!ret)
		ret = kt_dbfile_fsync_dir(dir);
out:
	kfree(tmp_path);
	kfree(tmp);
	kfree(dir);
	return ret;
}

/**
 * kt_dbfile_read - the whole of <dbroot>/@rel/@name in a new buffer
 * @rel: directories below dbroot
 * @name: the file
 * @max: the longest content taken (-EFBIG beyond)
 * @text: the buffer (kvfree() it), @max + 1 bytes, NUL after the text
 * @len: bytes read
 *
 * Return: 0 or a negative errno (-ENOENT: no file).
 */
int kt_dbfile_read(const char *rel, const char *name, u32 max, char **text,
		   u32 *len)
{
	struct file *f;
	char *path, *buf;
	loff_t pos = 0;
	ssize_t n;

	if (!kt_dbfile_name_ok(name))
		return -EINVAL;
	path = kasprintf(GFP_KERNEL, "%s/%s/%s", kt_dbroot, rel, name);
	if (!path)
		return -ENOMEM;
	f = filp_open(path, O_RDONLY | O_NOFOLLOW, 0);
	kfree(path);
	if (IS_ERR(f))
		return PTR_ERR(f);
	buf = kvmalloc(max + 1, GFP_KERNEL);
	n = buf ? 0 : -ENOMEM;
	while (n >= 0 && pos <= max) {
		n = kernel_read(f, buf + pos, max + 1 - pos, &pos);
		if (n <= 0)
			break;
	}
	n = n < 0 ? n : pos;
	filp_close(f, NULL);
	if (n < 0 || n > max) {
		kvfree(buf);
		return n < 0 ? n : -EFBIG;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/**
 * kt_fabric_lio_name - the fabric name LIO writes into its files
 * @tpg: a TPG of the fabric
 *
 * Return: "iSCSI" for iSCSI, else the fabric's own name.
 */
const char *kt_fabric_lio_name(const struct kt_tpg *tpg)
{
	const char *name = tpg->wwn->fabric->ops->name;

	return strcmp(name, "iscsi") ? name : "iSCSI";
}
