/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the rd_mcp, fileio and iblock backstores:
 * parsing `control` values, the byte range of an I/O, walking the part of a
 * scatterlist an I/O may touch, and thin wrappers around kernel calls whose
 * form changes between kernel versions.  The wrappers at the end are the
 * only place the backstores depend on the kernel's version; they key on
 * feature probes made in Kbuild.
 */
#ifndef KTARGET_BACKSTORE_H
#define KTARGET_BACKSTORE_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/scatterlist.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <ktarget/ktarget.h>

/* Largest command the fileio and iblock backstores take (hw_max_sectors). */
#define KT_BS_MAX_IO_BYTES	(8U << 20)

/* Every backstore reports this queue depth. */
#define KT_BS_QUEUE_DEPTH	128

/* ------------------------------------------------------------------ */
/* `control` values: -EINVAL and one pr_err line when malformed        */
/* ------------------------------------------------------------------ */

static inline int kt_bs_parse_bool(const struct kt_dev *dev, const char *key,
				   const char *val, bool *out)
{
	if (!val || kstrtobool(val, out)) {
		pr_err("%s: %s=%s: expected 0 or 1\n", dev->name, key,
		       val ? val : "");
		return -EINVAL;
	}
	return 0;
}

static inline int kt_bs_parse_u64(const struct kt_dev *dev, const char *key,
				  const char *val, u64 *out)
{
	if (!val || kstrtou64(val, 0, out)) {
		pr_err("%s: %s=%s: expected an unsigned number\n", dev->name,
		       key, val ? val : "");
		return -EINVAL;
	}
	return 0;
}

/* Copy a non-empty path of fewer than @size bytes into @buf. */
static inline int kt_bs_parse_path(const struct kt_dev *dev, const char *key,
				   const char *val, char *buf, size_t size)
{
	if (!val || !*val || strlen(val) >= size) {
		pr_err("%s: %s= needs a path of 1 to %zu bytes\n", dev->name,
		       key, size - 1);
		return -EINVAL;
	}
	strscpy(buf, val, size);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The bytes an I/O covers                                             */
/* ------------------------------------------------------------------ */

/*
 * kt_bs_io_range - byte offset and length of @io on @dev.  The core checks
 * the LBA range already; this keeps a backstore from ever going past the
 * end of its store if that check is wrong.
 */
static inline kt_status_t kt_bs_io_range(const struct kt_dev *dev,
					 const struct kt_io *io,
					 u64 *pos, u64 *len)
{
	u64 cap = dev->nr_blocks * dev->hw_block_size;
	u64 bs = dev->attrib.block_size;

	if (check_mul_overflow(io->lba, bs, pos))
		return KT_S_LBA_OUT_OF_RANGE;
	*len = (u64)io->nblocks * bs;
	if (*pos > cap || *len > cap - *pos)
		return KT_S_LBA_OUT_OF_RANGE;
	return KT_OK;
}

/* kt_bs_unmap_range - the same for @nblocks blocks at @lba (->unmap) */
static inline kt_status_t kt_bs_unmap_range(const struct kt_dev *dev,
					    u64 lba, u32 nblocks,
					    u64 *pos, u64 *len)
{
	struct kt_io io = { .lba = lba, .nblocks = nblocks };

	return kt_bs_io_range(dev, &io, pos, len);
}

/*
 * The defaults of the unmap and WRITE SAME attributes (VPD B0) a
 * backstore sets in ->configure_dev(): those LIO's fileio sets, which
 * rd_mcp shares; iblock takes its queue's.
 */
#define KT_BS_MAX_UNMAP_LBAS	0x2000
#define KT_BS_MAX_UNMAP_DESC	1
#define KT_BS_MAX_WRITE_SAME	0x1000

static inline void kt_bs_unmap_defaults(struct kt_dev *dev, u32 max_lbas,
					u32 max_desc, u32 gran, u32 align,
					u32 ws_len)
{
	dev->attrib.max_unmap_lba_count = max_lbas;
	dev->attrib.max_unmap_block_desc_count = max_desc;
	dev->attrib.unmap_granularity = gran;
	dev->attrib.unmap_granularity_alignment = align;
	dev->attrib.max_write_same_len = ws_len;
}

/*
 * struct kt_bs_sg_iter - walks @left bytes of a scatterlist, starting @skip
 * bytes in, one entry at a time, each seen as (page, offset < PAGE_SIZE,
 * length).
 */
struct kt_bs_sg_iter {
	struct scatterlist *sg;
	unsigned int nents;
	unsigned int skip;	/* bytes of *sg already passed */
	u64 left;
};

static inline void kt_bs_sg_advance(struct kt_bs_sg_iter *it)
{
	it->skip = 0;
	it->nents--;
	it->sg = it->nents ? sg_next(it->sg) : NULL;
}

static inline void kt_bs_sg_start(struct kt_bs_sg_iter *it,
				  struct scatterlist *sgl, unsigned int nents,
				  u64 skip, u64 len)
{
	it->sg = nents ? sgl : NULL;
	it->nents = nents;
	it->skip = 0;
	it->left = len;
	while (it->sg && skip >= it->sg->length) {
		skip -= it->sg->length;
		kt_bs_sg_advance(it);
	}
	if (it->sg)
		it->skip = skip;
}

/* Returns false when the bytes are all seen or the scatterlist ran out. */
static inline bool kt_bs_sg_next(struct kt_bs_sg_iter *it, struct page **page,
				 unsigned int *off, unsigned int *len)
{
	struct scatterlist *sg;
	unsigned int start;

	while (it->sg && it->sg->length <= it->skip)	/* empty entries */
		kt_bs_sg_advance(it);
	sg = it->sg;
	if (!it->left || !sg)
		return false;
	start = sg->offset + it->skip;
	*page = nth_page(sg_page(sg), start >> PAGE_SHIFT);
	*off = offset_in_page(start);
	*len = min_t(u64, sg->length - it->skip, it->left);
	it->left -= *len;
	kt_bs_sg_advance(it);
	return true;
}

/* Entries needed to cover @len bytes; 0 if @sgl holds fewer bytes. */
static inline unsigned int kt_bs_sg_count(struct scatterlist *sgl,
					  unsigned int nents, u64 len)
{
	struct kt_bs_sg_iter it;
	unsigned int n = 0, off, l;
	struct page *page;

	kt_bs_sg_start(&it, sgl, nents, 0, len);
	while (kt_bs_sg_next(&it, &page, &off, &l))
		n++;
	return it.left ? 0 : n;
}

/* ------------------------------------------------------------------ */
/* Kernel API wrappers                                                 */
/* ------------------------------------------------------------------ */

/*
 * The interfaces below changed form between the kernels ktarget builds
 * against (Debian 12's 6.1 and Debian's 6.12 backport).  Each wrapper
 * says which kernels differ; the #ifdefs test feature probes made in
 * Kbuild (KT_HAVE_...), never a version number.
 */

/*
 * struct kt_bs_bdev - a block device a backstore opened and claimed.
 * Up to Linux 6.4 (blkdev_get_by_path()) the open hands back the
 * block_device, and blkdev_put() needs the open's mode again.  From 6.9
 * (bdev_file_open_by_path(), KT_HAVE_BDEV_FILE_OPEN) it hands back a
 * file that holds the claim and is what gets released.  The forms of
 * 6.5 to 6.8 are not handled.
 */
struct kt_bs_bdev {
	struct block_device *bdev;	/* NULL when not open */
#ifdef KT_HAVE_BDEV_FILE_OPEN
	struct file *file;
#else
	fmode_t mode;
#endif
};

#ifdef KT_HAVE_BDEV_FILE_OPEN

/*
 * Open the block device at @path for reading (and writing with @write),
 * claimed exclusively for @holder.  0 or -errno.
 */
static inline int kt_bs_bdev_open(struct kt_bs_bdev *bd, const char *path,
				  bool write, void *holder)
{
	blk_mode_t mode = BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0);
	struct file *file;

	/* a holder makes the open exclusive */
	file = bdev_file_open_by_path(path, mode, holder, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	bd->file = file;
	bd->bdev = file_bdev(file);
	return 0;
}

/* Release the claim and close; @bd is then not open. */
static inline void kt_bs_bdev_close(struct kt_bs_bdev *bd)
{
	bdev_fput(bd->file);
	bd->file = NULL;
	bd->bdev = NULL;
}

#else /* blkdev_get_by_path(): Linux 6.4 and older */

static inline int kt_bs_bdev_open(struct kt_bs_bdev *bd, const char *path,
				  bool write, void *holder)
{
	fmode_t mode = FMODE_READ | (write ? FMODE_WRITE : 0) | FMODE_EXCL;
	struct block_device *bdev;

	bdev = blkdev_get_by_path(path, mode, holder);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	bd->mode = mode;
	bd->bdev = bdev;
	return 0;
}

static inline void kt_bs_bdev_close(struct kt_bs_bdev *bd)
{
	blkdev_put(bd->bdev, bd->mode);
	bd->bdev = NULL;
}

#endif /* KT_HAVE_BDEV_FILE_OPEN */

static inline bool kt_bs_bdev_write_cache(struct block_device *bdev)
{
	return bdev_write_cache(bdev);
}

/* May sleep; never fails (the bio comes from a mempool). */
static inline struct bio *kt_bs_bio_alloc(struct block_device *bdev,
					  unsigned short nr_vecs,
					  blk_opf_t opf)
{
	return bio_alloc(bdev, nr_vecs, opf, GFP_NOIO);
}

/* The block device behind an open file of a block special file. */
static inline struct block_device *kt_bs_file_bdev(struct file *file)
{
	return I_BDEV(file->f_mapping->host);
}

static inline void kt_bs_iter_bvec(struct iov_iter *iter, bool write,
				   const struct bio_vec *bvec,
				   unsigned long nr, size_t count)
{
	iov_iter_bvec(iter, write ? ITER_SOURCE : ITER_DEST, bvec, nr, count);
}

/*
 * Start an iocb read or write; -EIOCBQUEUED means ->ki_complete follows.
 * Calls the file's ->read_iter/->write_iter directly, the same on every
 * kernel: call_read_iter()/call_write_iter(), which did just that, were
 * removed in Linux 6.9.
 */
static inline ssize_t kt_bs_file_rw_iter(struct file *file,
					 struct kiocb *iocb,
					 struct iov_iter *iter, bool write)
{
	return write ? file->f_op->write_iter(iocb, iter) :
		       file->f_op->read_iter(iocb, iter);
}

#endif /* KTARGET_BACKSTORE_H */
