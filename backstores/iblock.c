// SPDX-License-Identifier: GPL-2.0
/*
 * The iblock backstore: a block device claimed exclusively and
 * driven with bios.  A command becomes one or more bios over its pages;
 * REQ_FUA and REQ_PREFLUSH pass the initiator's durability requests down,
 * and the device's own write cache state is what the initiator sees.
 * Unmap becomes discards (refused up front on a queue without them);
 * what a discarded block reads as is the device's business, so LBPRZ
 * is never claimed.
 */
#define pr_fmt(fmt) "ktarget_iblock: " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "backstore.h"

/*
 * struct ib_dev - one iblock device.  The parameters are set under the
 * core's kt_cfg_mutex before `enable`; @bd is opened by ib_configure()
 * and then only read until ib_free_dev().
 */
struct ib_dev {
	struct kt_dev dev;
	char path[KT_PATH_LEN];	/* udev_path= */
	bool readonly;		/* readonly=1: opened for reading only */
	struct kt_bs_bdev bd;	/* bd.bdev: NULL until enabled */
};

/*
 * struct ib_req - one read or write in flight (ib_req_cache)
 * @pending: bios not yet ended, plus one held while they are submitted
 * @status: KT_OK, or the first error seen (set with cmpxchg)
 */
struct ib_req {
	struct kt_cmd *cmd;
	atomic_t pending;
	kt_status_t status;
};

static struct kmem_cache *ib_req_cache;

static inline struct ib_dev *to_ib(struct kt_dev *dev)
{
	return container_of(dev, struct ib_dev, dev);
}

/* ---------------- configuration ---------------- */

static struct kt_dev *ib_alloc_dev(struct kt_hba *hba, const char *name)
{
	struct ib_dev *ib = kzalloc(sizeof(*ib), GFP_KERNEL);

	return ib ? &ib->dev : ERR_PTR(-ENOMEM);
}

static void ib_free_dev(struct kt_dev *dev)
{
	struct ib_dev *ib = to_ib(dev);

	if (ib->bd.bdev)
		kt_bs_bdev_close(&ib->bd);
	kfree(ib);
}

static int ib_set_param(struct kt_dev *dev, const char *key, const char *val)
{
	struct ib_dev *ib = to_ib(dev);
	bool ignored;

	if (!strcmp(key, "udev_path"))
		return kt_bs_parse_path(dev, key, val, ib->path,
					sizeof(ib->path));
	if (!strcmp(key, "readonly"))
		return kt_bs_parse_bool(dev, key, val, &ib->readonly);
	/* accepted for LIO tools; the device is always claimed exclusively */
	if (!strcmp(key, "force") || !strcmp(key, "exclusive"))
		return kt_bs_parse_bool(dev, key, val, &ignored);
	return -ENOENT;
}

static ssize_t ib_show_params(struct kt_dev *dev, char *page)
{
	struct ib_dev *ib = to_ib(dev);
	struct block_device *bdev = ib->bd.bdev;
	ssize_t len = 0;

	if (bdev)
		len += sprintf(page + len, "iBlock device: %pg", bdev);
	if (ib->path[0])
		len += sprintf(page + len, "  UDEV PATH: %s", ib->path);
	len += sprintf(page + len, "  readonly: %d\n        ", ib->readonly);
	if (bdev)
		len += sprintf(page + len, "Major: %d Minor: %d  CLAIMED: IBLOCK\n",
			       MAJOR(bdev->bd_dev), MINOR(bdev->bd_dev));
	else
		len += sprintf(page + len, "Major: 0 Minor: 0\n");
	return len;
}

/* The unmap attributes' defaults from the queue's discard limits */
static void ib_setup_unmap(struct kt_dev *dev, struct block_device *bdev)
{
	u32 lbs = dev->hw_block_size;
	u64 max = ((u64)bdev_max_discard_sectors(bdev) << SECTOR_SHIFT) / lbs;

	dev->unmap_zeroes = false;
	kt_bs_unmap_defaults(dev, min_t(u64, max, U32_MAX),
			     max ? KT_BS_MAX_UNMAP_DESC : 0,
			     max_t(u32, bdev_discard_granularity(bdev) / lbs, 1),
			     bdev_discard_alignment(bdev) / lbs, 0xffff);
}

static int ib_setup_limits(struct ib_dev *ib, struct block_device *bdev)
{
	struct kt_dev *dev = &ib->dev;
	u32 lbs = bdev_logical_block_size(bdev);
	u64 max_bytes;

	dev->hw_block_size = lbs;
	dev->nr_blocks = div_u64(bdev_nr_bytes(bdev), lbs);
	if (!dev->nr_blocks) {
		pr_err("%s: %s has no blocks\n", dev->name, ib->path);
		return -EINVAL;
	}
	max_bytes = (u64)queue_max_hw_sectors(bdev_get_queue(bdev)) <<
		    SECTOR_SHIFT;
	max_bytes = min_t(u64, max_bytes, KT_BS_MAX_IO_BYTES);
	dev->hw_max_sectors = max_t(u32, div_u64(max_bytes, lbs), 1);
	dev->hw_queue_depth = KT_BS_QUEUE_DEPTH;
	dev->read_only = ib->readonly || bdev_read_only(bdev);
	ib_setup_unmap(dev, bdev);
	return 0;
}

static int ib_configure(struct kt_dev *dev)
{
	struct ib_dev *ib = to_ib(dev);
	struct kt_bs_bdev bd;
	int ret;

	if (!ib->path[0]) {
		pr_err("%s: udev_path= must be set before enable\n", dev->name);
		return -EINVAL;
	}
	ret = kt_bs_bdev_open(&bd, ib->path, !ib->readonly, ib);
	if (ret) {
		pr_err("%s: cannot claim %s: error %d\n", dev->name, ib->path,
		       ret);
		return ret;
	}
	ret = ib_setup_limits(ib, bd.bdev);
	if (ret) {
		kt_bs_bdev_close(&bd);
		return ret;
	}
	ib->bd = bd;
	return 0;
}

static bool ib_write_cache_enabled(struct kt_dev *dev)
{
	struct ib_dev *ib = to_ib(dev);

	return ib->bd.bdev && kt_bs_bdev_write_cache(ib->bd.bdev);
}

/* ---------------- I/O ---------------- */

static void ib_req_error(struct ib_req *req, kt_status_t st)
{
	cmpxchg(&req->status, KT_OK, st);
}

/* Drop one reference; the last one reports the command's status. */
static void ib_req_put(struct ib_req *req)
{
	struct kt_cmd *cmd = req->cmd;
	kt_status_t st;

	if (!atomic_dec_and_test(&req->pending))
		return;
	st = req->status;
	kmem_cache_free(ib_req_cache, req);
	kt_io_done(cmd, st);
}

static void ib_bio_end(struct bio *bio)
{
	struct ib_req *req = bio->bi_private;
	bool write = op_is_write(bio_op(bio));

	if (bio->bi_status) {
		pr_err_ratelimited("%s: %s at sector %llu failed: %d\n",
				   req->cmd->dev->name,
				   write ? "write" : "read",
				   (unsigned long long)bio->bi_iter.bi_sector,
				   blk_status_to_errno(bio->bi_status));
		ib_req_error(req, write ? KT_S_WRITE_ERROR : KT_S_READ_ERROR);
	}
	bio_put(bio);
	ib_req_put(req);
}

/*
 * Put the bytes [@done, @len) of @io into @bio until it is full.  Returns
 * the bytes the bio holds, which end on a logical block boundary, or 0 when
 * the scatterlist is too fragmented to cut there.
 */
static u64 ib_fill_bio(struct bio *bio, struct kt_io *io, u32 lbs, u64 done,
		       u64 len)
{
	struct kt_bs_sg_iter it;
	unsigned int off, l;
	struct page *page;
	u64 bytes = 0;

	kt_bs_sg_start(&it, io->sgl, io->nents, done, len - done);
	while (kt_bs_sg_next(&it, &page, &off, &l)) {
		if (bio_add_page(bio, page, l, off) != l)
			break;
		bytes += l;
	}
	if (done + bytes < len) {
		/* full: end this bio on a block; the rest goes in the next */
		bytes = round_down(bytes, lbs);
		if (bytes)
			bio_trim(bio, 0, bytes >> SECTOR_SHIFT);
	}
	return bytes;
}

static void ib_submit_bios(struct ib_dev *ib, struct ib_req *req,
			   struct kt_io *io, u64 pos, u64 len,
			   unsigned int nvecs, blk_opf_t opf)
{
	u32 lbs = ib->dev.hw_block_size;
	struct blk_plug plug;
	u64 done = 0, n;
	struct bio *bio;

	blk_start_plug(&plug);
	while (done < len) {
		bio = kt_bs_bio_alloc(ib->bd.bdev, min(nvecs, BIO_MAX_VECS),
				      opf);
		bio->bi_iter.bi_sector = (pos + done) >> SECTOR_SHIFT;
		bio->bi_private = req;
		bio->bi_end_io = ib_bio_end;
		n = ib_fill_bio(bio, io, lbs, done, len);
		if (!n) {
			pr_err_ratelimited("%s: scatterlist too fragmented\n",
					   ib->dev.name);
			bio_put(bio);
			ib_req_error(req, KT_S_INTERNAL_ERROR);
			break;
		}
		atomic_inc(&req->pending);
		submit_bio(bio);
		done += n;
	}
	blk_finish_plug(&plug);
}

static kt_status_t ib_check_io(struct ib_dev *ib, struct kt_io *io,
			       u64 *pos, u64 *len, unsigned int *nvecs)
{
	u32 lbs = ib->dev.hw_block_size;
	kt_status_t st;

	st = kt_bs_io_range(&ib->dev, io, pos, len);
	if (st != KT_OK)
		return st;
	if (io->write && ib->dev.read_only)
		return KT_S_WRITE_PROTECTED;
	if (*pos % lbs || *len % lbs) {
		pr_err_ratelimited("%s: I/O not aligned to %u-byte blocks\n",
				   ib->dev.name, lbs);
		return KT_S_INTERNAL_ERROR;
	}
	*nvecs = kt_bs_sg_count(io->sgl, io->nents, *len);
	if (*len && !*nvecs)
		return KT_S_INTERNAL_ERROR;
	return KT_OK;
}

static kt_status_t ib_submit_io(struct kt_cmd *cmd, struct kt_io *io)
{
	struct ib_dev *ib = to_ib(cmd->dev);
	unsigned int nvecs;
	struct ib_req *req;
	kt_status_t st;
	blk_opf_t opf;
	u64 pos, len;

	st = ib_check_io(ib, io, &pos, &len, &nvecs);
	if (st != KT_OK)
		return st;
	req = kmem_cache_alloc(ib_req_cache, GFP_NOIO);
	if (!req)
		return KT_S_NO_RESOURCES;
	req->cmd = cmd;
	req->status = KT_OK;
	atomic_set(&req->pending, 1);
	opf = REQ_OP_READ;
	if (io->write)
		opf = REQ_OP_WRITE | REQ_SYNC | (io->fua ? REQ_FUA : 0);
	ib_submit_bios(ib, req, io, pos, len, nvecs, opf);
	ib_req_put(req);
	return KT_OK;
}

static void ib_flush_end(struct bio *bio)
{
	struct kt_cmd *cmd = bio->bi_private;
	kt_status_t st = KT_OK;

	if (bio->bi_status) {
		pr_err_ratelimited("%s: cache flush failed: %d\n",
				   cmd->dev->name,
				   blk_status_to_errno(bio->bi_status));
		st = KT_S_WRITE_ERROR;
	}
	bio_put(bio);
	kt_io_done(cmd, st);
}

static kt_status_t ib_flush(struct kt_cmd *cmd)
{
	struct ib_dev *ib = to_ib(cmd->dev);
	struct bio *bio;

	bio = kt_bs_bio_alloc(ib->bd.bdev, 0, REQ_OP_WRITE | REQ_PREFLUSH);
	bio->bi_private = cmd;
	bio->bi_end_io = ib_flush_end;
	submit_bio(bio);
	return KT_OK;
}

static void ib_unmap_end(struct bio *bio)
{
	struct kt_cmd *cmd = bio->bi_private;
	kt_status_t st = KT_OK;

	if (bio->bi_status) {
		pr_err_ratelimited("%s: discard failed: %d\n", cmd->dev->name,
				   blk_status_to_errno(bio->bi_status));
		st = KT_S_WRITE_ERROR;
	}
	bio_put(bio);
	kt_io_done(cmd, st);
}

/*
 * Discard the range: __blkdev_issue_discard() chains the bios it needs
 * (submitting all but the last); the last one ends when all have.
 */
static kt_status_t ib_unmap(struct kt_cmd *cmd, u64 lba, u32 nblocks)
{
	struct ib_dev *ib = to_ib(cmd->dev);
	struct bio *bio = NULL;
	kt_status_t st;
	u64 pos, len;
	int ret;

	st = kt_bs_unmap_range(&ib->dev, lba, nblocks, &pos, &len);
	if (st != KT_OK)
		return st;
	if (ib->dev.read_only)
		return KT_S_WRITE_PROTECTED;
	ret = __blkdev_issue_discard(ib->bd.bdev, pos >> SECTOR_SHIFT,
				     len >> SECTOR_SHIFT, GFP_NOIO, &bio);
	if (ret) {
		pr_err_ratelimited("%s: discard of %llu bytes at %llu: %d\n",
				   ib->dev.name, len, pos, ret);
		if (bio)
			bio_put(bio);
		return KT_S_WRITE_ERROR;
	}
	if (!bio) {
		kt_io_done(cmd, KT_OK);
		return KT_OK;
	}
	bio->bi_private = cmd;
	bio->bi_end_io = ib_unmap_end;
	submit_bio(bio);
	return KT_OK;
}

/* Thin provisioning only on a queue that takes discards */
static int ib_unmap_check(struct kt_dev *dev)
{
	struct ib_dev *ib = to_ib(dev);

	if (!ib->bd.bdev) {
		pr_err_ratelimited("%s: enable the device before thin provisioning\n",
				   dev->name);
		return -EINVAL;
	}
	if (!bdev_max_discard_sectors(ib->bd.bdev)) {
		pr_err_ratelimited("%s: %pg does not support discard: no thin provisioning\n",
				   dev->name, ib->bd.bdev);
		return -EINVAL;
	}
	return 0;
}

static struct kt_backend_ops ib_ops = {
	.owner			= THIS_MODULE,
	.name			= "iblock",
	.inquiry_prod		= "IBLOCK",
	.inquiry_rev		= "4.0",
	.api_version		= KT_API_VERSION,
	.alloc_dev		= ib_alloc_dev,
	.free_dev		= ib_free_dev,
	.set_param		= ib_set_param,
	.show_params		= ib_show_params,
	.configure_dev		= ib_configure,
	.submit_io		= ib_submit_io,
	.flush			= ib_flush,
	.write_cache_enabled	= ib_write_cache_enabled,
	.unmap			= ib_unmap,
	.unmap_check		= ib_unmap_check,
};

static int __init ib_init(void)
{
	int ret;

	ib_req_cache = KMEM_CACHE(ib_req, 0);
	if (!ib_req_cache)
		return -ENOMEM;
	ret = kt_register_backend(&ib_ops);
	if (ret)
		kmem_cache_destroy(ib_req_cache);
	return ret;
}

static void __exit ib_exit(void)
{
	kt_unregister_backend(&ib_ops);
	kmem_cache_destroy(ib_req_cache);
}

module_init(ib_init);
module_exit(ib_exit);
MODULE_ALIAS("ktarget-backend-iblock");
MODULE_DESCRIPTION("ktarget iblock backstore (block device via bios)");
MODULE_LICENSE("GPL");
