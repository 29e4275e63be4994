// SPDX-License-Identifier: GPL-2.0
/*
 * The fileio backstore: a regular file or a block device used
 * through the VFS.  The file is opened O_DSYNC (write-through) unless
 * fd_buffered_io=1 (write-back through the page cache).  Every I/O runs on
 * this module's workqueue, straight from the command's pages (a bio_vec
 * iov_iter, no bounce copy), with vfs_iter_read/vfs_iter_write or, with
 * fd_async_io=1, an iocb that completes through ->ki_complete.  Unmap
 * punches a hole (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE): a regular
 * file frees its blocks, a block device zeroes the range with write
 * zeroes (which may deallocate, never falls back to writing); either
 * way the range reads as zeroes after.
 */
#define pr_fmt(fmt) "ktarget_file: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/falloc.h>	/* after fs.h: it needs its types */
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "backstore.h"

#define FD_BLOCK_SIZE		512
#define FD_INLINE_VECS		16

/*
 * struct fd_dev - one fileio device.  The parameters are set under the
 * core's kt_cfg_mutex before `enable`; @file is opened by fd_configure()
 * and then only read until fd_free_dev().
 */
struct fd_dev {
	struct kt_dev dev;
	char path[KT_PATH_LEN];	/* fd_dev_name= */
	u64 size;		/* fd_dev_size=; a block device's own size */
	bool buffered;		/* fd_buffered_io=1: page-cache write-back */
	bool async;		/* fd_async_io=1: iocb + ->ki_complete */
	struct file *file;
};

enum fd_req_op { FD_RW, FD_FLUSH, FD_UNMAP };

/* struct fd_req - one read, write, flush or unmap in flight (fd_req_cache) */
struct fd_req {
	struct kiocb iocb;	/* fd_async_io only */
	struct work_struct work;
	struct kt_cmd *cmd;
	struct fd_dev *fd;
	struct scatterlist *sgl;
	unsigned int nents;
	u64 pos;
	u64 len;
	bool write;
	bool sync;		/* the written range must be stable at the end */
	enum fd_req_op op;
	struct bio_vec *vecs;	/* inline_vecs or kvmalloc'd */
	struct bio_vec inline_vecs[FD_INLINE_VECS];
};

static struct kmem_cache *fd_req_cache;
static struct workqueue_struct *fd_wq;

static inline struct fd_dev *to_fd(struct kt_dev *dev)
{
	return container_of(dev, struct fd_dev, dev);
}

/* ---------------- configuration ---------------- */

static struct kt_dev *fd_alloc_dev(struct kt_hba *hba, const char *name)
{
	struct fd_dev *fd = kzalloc(sizeof(*fd), GFP_KERNEL);

	return fd ? &fd->dev : ERR_PTR(-ENOMEM);
}

static void fd_free_dev(struct kt_dev *dev)
{
	struct fd_dev *fd = to_fd(dev);

	if (fd->file)
		filp_close(fd->file, NULL);
	kfree(fd);
}

static int fd_set_param(struct kt_dev *dev, const char *key, const char *val)
{
	struct fd_dev *fd = to_fd(dev);
	int ret;

	if (!strcmp(key, "fd_dev_name"))
		return kt_bs_parse_path(dev, key, val, fd->path,
					sizeof(fd->path));
	if (!strcmp(key, "fd_buffered_io"))
		return kt_bs_parse_bool(dev, key, val, &fd->buffered);
	if (!strcmp(key, "fd_async_io"))
		return kt_bs_parse_bool(dev, key, val, &fd->async);
	if (strcmp(key, "fd_dev_size"))
		return -ENOENT;
	ret = kt_bs_parse_u64(dev, key, val, &fd->size);
	if (!ret && fd->size > LLONG_MAX) {
		pr_err("%s: fd_dev_size=%s is too large\n", dev->name, val);
		fd->size = 0;
		ret = -EINVAL;
	}
	return ret;
}

static ssize_t fd_show_params(struct kt_dev *dev, char *page)
{
	struct fd_dev *fd = to_fd(dev);

	return sprintf(page,
		       "TCM FILEIO ID: %u        File: %s  Size: %llu  Mode: %s Async: %d\n",
		       dev->index, fd->path, fd->size,
		       fd->buffered ? "Buffered-WCE" : "O_DSYNC", fd->async);
}

static int fd_setup_size(struct fd_dev *fd, struct file *file)
{
	struct inode *inode = file->f_mapping->host;
	struct kt_dev *dev = &fd->dev;

	if (S_ISBLK(inode->i_mode)) {
		struct block_device *bdev = kt_bs_file_bdev(file);

		fd->size = bdev_nr_bytes(bdev);
		dev->hw_block_size = bdev_logical_block_size(bdev);
	} else if (S_ISREG(inode->i_mode)) {
		if (!fd->size) {
			pr_err("%s: fd_dev_size= is needed for regular file %s\n",
			       dev->name, fd->path);
			return -EINVAL;
		}
		dev->hw_block_size = FD_BLOCK_SIZE;
	} else {
		pr_err("%s: %s is neither a regular file nor a block device\n",
		       dev->name, fd->path);
		return -EINVAL;
	}
	dev->nr_blocks = div_u64(fd->size, dev->hw_block_size);
	if (!dev->nr_blocks) {
		pr_err("%s: %s is smaller than one %u-byte block\n",
		       dev->name, fd->path, dev->hw_block_size);
		return -EINVAL;
	}
	return 0;
}

static int fd_configure(struct kt_dev *dev)
{
	struct fd_dev *fd = to_fd(dev);
	struct file *file;
	int flags, ret;

	if (!fd->path[0]) {
		pr_err("%s: fd_dev_name= must be set before enable\n",
		       dev->name);
		return -EINVAL;
	}
	flags = O_RDWR | O_LARGEFILE;
	if (!fd->buffered)
		flags |= O_DSYNC;
	if (fd->size)
		flags |= O_CREAT;
	file = filp_open(fd->path, flags, 0600);
	if (IS_ERR(file)) {
		pr_err("%s: cannot open %s: error %ld\n", dev->name, fd->path,
		       PTR_ERR(file));
		return PTR_ERR(file);
	}
	ret = -EINVAL;
	if (!file->f_op->read_iter || !file->f_op->write_iter)
		pr_err("%s: %s does not support iov_iter I/O\n", dev->name,
		       fd->path);
	else
		ret = fd_setup_size(fd, file);
	if (ret) {
		filp_close(file, NULL);
		return ret;
	}
	fd->file = file;
	dev->hw_max_sectors = KT_BS_MAX_IO_BYTES / dev->hw_block_size;
	dev->hw_queue_depth = KT_BS_QUEUE_DEPTH;
	dev->read_only = false;
	dev->unmap_zeroes = true;	/* a hole, or write zeroes */
	kt_bs_unmap_defaults(dev, KT_BS_MAX_UNMAP_LBAS, KT_BS_MAX_UNMAP_DESC,
			     1, 0, KT_BS_MAX_WRITE_SAME);
	return 0;
}

/* ---------------- I/O ---------------- */

/* Free @req and report @st for its command; nothing may touch @req after. */
static void fd_req_end(struct fd_req *req, kt_status_t st)
{
	struct kt_cmd *cmd = req->cmd;

	if (req->vecs != req->inline_vecs)
		kvfree(req->vecs);
	kmem_cache_free(fd_req_cache, req);
	kt_io_done(cmd, st);
}

/* Point req->vecs at the pages of the command's first req->len bytes. */
static int fd_map_sgl(struct fd_req *req)
{
	unsigned int n = kt_bs_sg_count(req->sgl, req->nents, req->len);
	struct kt_bs_sg_iter it;
	struct bio_vec *bv;
	unsigned int i = 0;

	if (!n)
		return -EINVAL;
	req->vecs = req->inline_vecs;
	if (n > FD_INLINE_VECS) {
		/* in the worker's NOIO scope, so this cannot recurse */
		req->vecs = kvmalloc_array(n, sizeof(*req->vecs), GFP_KERNEL);
		if (!req->vecs)
			return -ENOMEM;
	}
	kt_bs_sg_start(&it, req->sgl, req->nents, 0, req->len);
	for (bv = req->vecs; i < n; i++, bv++)
		kt_bs_sg_next(&it, &bv->bv_page, &bv->bv_offset, &bv->bv_len);
	return n;
}

/* Status of a read or write that moved @ret bytes (or failed with it). */
static kt_status_t fd_rw_status(struct fd_req *req, ssize_t ret)
{
	struct fd_dev *fd = req->fd;
	u64 done = ret > 0 ? ret : 0;

	if (ret >= 0 && done == req->len)
		return KT_OK;
	/* a file shorter than fd_dev_size reads as zeros past its end */
	if (!req->write && ret >= 0 &&
	    req->pos + done >= i_size_read(file_inode(fd->file)) &&
	    sg_zero_buffer(req->sgl, req->nents, req->len - done, done) ==
	    req->len - done)
		return KT_OK;
	pr_err_ratelimited("%s: %s of %llu bytes at %llu in %s: result %zd\n",
			   fd->dev.name, req->write ? "write" : "read",
			   req->len, req->pos, fd->path, ret);
	return req->write ? KT_S_WRITE_ERROR : KT_S_READ_ERROR;
}

static void fd_aio_complete(struct kiocb *iocb, long ret)
{
	struct fd_req *req = container_of(iocb, struct fd_req, iocb);

	fd_req_end(req, fd_rw_status(req, ret));
}

static void fd_rw_async(struct fd_req *req, struct iov_iter *iter)
{
	struct file *file = req->fd->file;
	struct kiocb *iocb = &req->iocb;
	ssize_t ret;

	init_sync_kiocb(iocb, file);
	iocb->ki_pos = req->pos;
	iocb->ki_complete = fd_aio_complete;
	if (req->sync)
		iocb->ki_flags |= IOCB_DSYNC;
	if (req->write)
		file_start_write(file);
	ret = kt_bs_file_rw_iter(file, iocb, iter, req->write);
	if (req->write)
		file_end_write(file);
	if (ret != -EIOCBQUEUED)
		fd_aio_complete(iocb, ret);
}

static ssize_t fd_rw_sync(struct fd_req *req, struct iov_iter *iter)
{
	struct file *file = req->fd->file;
	loff_t pos = req->pos;
	ssize_t ret;

	if (!req->write)
		return vfs_iter_read(file, iter, &pos, 0);
	file_start_write(file);
	ret = vfs_iter_write(file, iter, &pos, req->sync ? RWF_DSYNC : 0);
	file_end_write(file);
	return ret;
}

static void fd_rw(struct fd_req *req)
{
	struct iov_iter iter;
	int nr = fd_map_sgl(req);

	if (nr < 0) {
		fd_req_end(req, nr == -ENOMEM ? KT_S_NO_RESOURCES :
						KT_S_INTERNAL_ERROR);
		return;
	}
	kt_bs_iter_bvec(&iter, req->write, req->vecs, nr, req->len);
	if (req->fd->async)
		fd_rw_async(req, &iter);
	else
		fd_req_end(req, fd_rw_status(req, fd_rw_sync(req, &iter)));
}

static void fd_flush(struct fd_req *req)
{
	struct fd_dev *fd = req->fd;
	int ret = vfs_fsync(fd->file, 1);

	if (ret)
		pr_err_ratelimited("%s: flush of %s failed: %d\n",
				   fd->dev.name, fd->path, ret);
	fd_req_end(req, ret ? KT_S_WRITE_ERROR : KT_OK);
}

/*
 * Punch the hole; with O_DSYNC (no write cache) it is made stable too,
 * like a write, so the old data never comes back after a crash.
 */
static void fd_unmap(struct fd_req *req)
{
	struct fd_dev *fd = req->fd;
	int ret;

	ret = vfs_fallocate(fd->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    req->pos, req->len);
	if (!ret && !fd->buffered)
		ret = vfs_fsync_range(fd->file, req->pos,
				      req->pos + req->len - 1, 1);
	if (ret)
		pr_err_ratelimited("%s: unmap of %llu bytes at %llu in %s failed: %d\n",
				   fd->dev.name, req->len, req->pos, fd->path,
				   ret);
	fd_req_end(req, ret ? KT_S_WRITE_ERROR : KT_OK);
}

static void fd_work(struct work_struct *work)
{
	struct fd_req *req = container_of(work, struct fd_req, work);
	unsigned int noio = memalloc_noio_save();

	if (req->op == FD_FLUSH)
		fd_flush(req);
	else if (req->op == FD_UNMAP)
		fd_unmap(req);
	else
		fd_rw(req);
	memalloc_noio_restore(noio);
}

static struct fd_req *fd_req_alloc(struct kt_cmd *cmd)
{
	struct fd_req *req = kmem_cache_alloc(fd_req_cache, GFP_NOIO);

	if (!req)
		return NULL;
	INIT_WORK(&req->work, fd_work);
	req->cmd = cmd;
	req->fd = to_fd(cmd->dev);
	req->vecs = req->inline_vecs;
	req->op = FD_RW;
	return req;
}

static kt_status_t fd_submit_io(struct kt_cmd *cmd, struct kt_io *io)
{
	struct fd_dev *fd = to_fd(cmd->dev);
	struct fd_req *req;
	kt_status_t st;
	u64 pos, len;

	st = kt_bs_io_range(&fd->dev, io, &pos, &len);
	if (st != KT_OK)
		return st;
	req = fd_req_alloc(cmd);
	if (!req)
		return KT_S_NO_RESOURCES;
	req->sgl = io->sgl;
	req->nents = io->nents;
	req->pos = pos;
	req->len = len;
	req->write = io->write;
	/* O_DSYNC makes every write stable; write-back needs it for FUA */
	req->sync = io->write && io->fua && fd->buffered;
	if (!len) {
		fd_req_end(req, KT_OK);
		return KT_OK;
	}
	queue_work(fd_wq, &req->work);
	return KT_OK;
}

static kt_status_t fd_submit_flush(struct kt_cmd *cmd)
{
	struct fd_req *req = fd_req_alloc(cmd);

	if (!req)
		return KT_S_NO_RESOURCES;
	req->op = FD_FLUSH;
	queue_work(fd_wq, &req->work);
	return KT_OK;
}

static kt_status_t fd_submit_unmap(struct kt_cmd *cmd, u64 lba, u32 nblocks)
{
	struct fd_dev *fd = to_fd(cmd->dev);
	struct fd_req *req;
	kt_status_t st;
	u64 pos, len;

	st = kt_bs_unmap_range(&fd->dev, lba, nblocks, &pos, &len);
	if (st != KT_OK)
		return st;
	req = fd_req_alloc(cmd);
	if (!req)
		return KT_S_NO_RESOURCES;
	req->op = FD_UNMAP;
	req->pos = pos;
	req->len = len;
	queue_work(fd_wq, &req->work);
	return KT_OK;
}

/*
 * Can holes be punched in the file?  Asked once, when thin provisioning
 * is turned on: a block device must take write zeroes (what punching
 * one does); a file system is asked to punch past the end of the data
 * (KEEP_SIZE: nothing there changes).
 */
static int fd_unmap_check(struct kt_dev *dev)
{
	struct fd_dev *fd = to_fd(dev);
	struct inode *inode;
	loff_t end;
	int ret;

	if (!fd->file) {
		pr_err_ratelimited("%s: enable the device before thin provisioning\n",
				   dev->name);
		return -EINVAL;
	}
	inode = file_inode(fd->file);
	if (S_ISBLK(inode->i_mode)) {
		if (bdev_write_zeroes_sectors(kt_bs_file_bdev(fd->file)))
			return 0;
		pr_err_ratelimited("%s: %s cannot zero ranges without writing them: no thin provisioning\n",
				   dev->name, fd->path);
		return -EINVAL;
	}
	end = round_up(max_t(u64, i_size_read(inode), fd->size), PAGE_SIZE);
	ret = vfs_fallocate(fd->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    end, PAGE_SIZE);
	if (ret) {
		pr_err_ratelimited("%s: %s cannot punch holes (%d): no thin provisioning\n",
				   dev->name, fd->path, ret);
		return -EINVAL;
	}
	return 0;
}

static struct kt_backend_ops fd_ops = {
	.owner		= THIS_MODULE,
	.name		= "fileio",
	.inquiry_prod	= "FILEIO",
	.inquiry_rev	= "4.0",
	.api_version	= KT_API_VERSION,
	.alloc_dev	= fd_alloc_dev,
	.free_dev	= fd_free_dev,
	.set_param	= fd_set_param,
	.show_params	= fd_show_params,
	.configure_dev	= fd_configure,
	.submit_io	= fd_submit_io,
	.flush		= fd_submit_flush,
	.unmap		= fd_submit_unmap,
	.unmap_check	= fd_unmap_check,
};

static int __init fd_init(void)
{
	int ret;

	fd_req_cache = KMEM_CACHE(fd_req, 0);
	if (!fd_req_cache)
		return -ENOMEM;
	fd_wq = alloc_workqueue("ktarget_file", WQ_UNBOUND | WQ_MEM_RECLAIM,
				0);
	if (!fd_wq) {
		ret = -ENOMEM;
		goto out_cache;
	}
	ret = kt_register_backend(&fd_ops);
	if (ret)
		goto out_wq;
	return 0;
out_wq:
	destroy_workqueue(fd_wq);
out_cache:
	kmem_cache_destroy(fd_req_cache);
	return ret;
}

static void __exit fd_exit(void)
{
	kt_unregister_backend(&fd_ops);
	destroy_workqueue(fd_wq);
	kmem_cache_destroy(fd_req_cache);
}

module_init(fd_init);
module_exit(fd_exit);
MODULE_ALIAS("ktarget-backend-fileio");
MODULE_DESCRIPTION("ktarget fileio backstore (file or block device via the VFS)");
MODULE_LICENSE("GPL");
