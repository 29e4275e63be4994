// SPDX-License-Identifier: GPL-2.0
/*
 * The rd_mcp backstore: a RAM disk.  `enable` allocates rd_pages
 * zeroed pages one at a time; I/O copies between the command's
 * scatterlist and those pages and completes before submit_io returns.
 * UNMAP frees the pages it covers whole and zeroes the rest of its
 * range; a freed page reads as zeroes and is allocated again by the
 * next write to it.  With rd_nullio=1 no memory is kept: reads return
 * zeros, writes are dropped.
 */
#define pr_fmt(fmt) "ktarget_rd: " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "backstore.h"

#define RD_BLOCK_SIZE		512
#define RD_MAX_SECTORS		1024
/* page pointers held by one page of the page array ("SG table") */
#define RD_PTRS_PER_TABLE	(PAGE_SIZE / sizeof(struct page *))

/*
 * struct rd_dev - one RAM disk.  The parameters are set under the core's
 * kt_cfg_mutex before `enable`; the @pages array is made by
 * rd_configure() and freed by rd_free_dev().  @lock protects its slots:
 * reads and writes hold it shared (a write fills an empty slot with
 * cmpxchg(), so two writers agree on one page), unmap holds it
 * exclusive while it frees pages and empties their slots.
 */
struct rd_dev {
	struct kt_dev dev;
	u32 nr_pages;		/* rd_pages= */
	bool nullio;		/* rd_nullio=1: no memory, reads give zeros */
	bool dummy;		/* rd_dummy=, shown in info only */
	struct rw_semaphore lock;
	struct page **pages;	/* a page, or NULL: unmapped, reads zeros */
};

static inline struct rd_dev *to_rd(struct kt_dev *dev)
{
	return container_of(dev, struct rd_dev, dev);
}

static struct kt_dev *rd_alloc_dev(struct kt_hba *hba, const char *name)
{
	struct rd_dev *rd = kzalloc(sizeof(*rd), GFP_KERNEL);

	if (!rd)
		return ERR_PTR(-ENOMEM);
	init_rwsem(&rd->lock);
	return &rd->dev;
}

static void rd_free_pages(struct rd_dev *rd)
{
	u32 i;

	if (!rd->pages)
		return;
	for (i = 0; i < rd->nr_pages; i++) {
		if (rd->pages[i])
			__free_page(rd->pages[i]);
		cond_resched();
	}
	kvfree(rd->pages);
	rd->pages = NULL;
}

static void rd_free_dev(struct kt_dev *dev)
{
	struct rd_dev *rd = to_rd(dev);

	rd_free_pages(rd);
	kfree(rd);
}

static int rd_set_param(struct kt_dev *dev, const char *key, const char *val)
{
	struct rd_dev *rd = to_rd(dev);
	u64 pages;
	int ret;

	if (!strcmp(key, "rd_nullio"))
		return kt_bs_parse_bool(dev, key, val, &rd->nullio);
	if (!strcmp(key, "rd_dummy")) {
		rd->dummy = true;	/* a bare "rd_dummy" sets it */
		return *val ? kt_bs_parse_bool(dev, key, val, &rd->dummy) : 0;
	}
	if (strcmp(key, "rd_pages"))
		return -ENOENT;
	ret = kt_bs_parse_u64(dev, key, val, &pages);
	if (ret)
		return ret;
	if (!pages || pages > U32_MAX) {
		pr_err("%s: rd_pages=%llu: must be 1 to %u\n", dev->name,
		       pages, U32_MAX);
		return -EINVAL;
	}
	rd->nr_pages = pages;
	return 0;
}

static ssize_t rd_show_params(struct kt_dev *dev, char *page)
{
	struct rd_dev *rd = to_rd(dev);
	u32 tables = 0;

	if (rd->pages)
		tables = DIV_ROUND_UP(rd->nr_pages, RD_PTRS_PER_TABLE);
	return sprintf(page,
		       "TCM RamDisk ID: %u  RamDisk Makeup: rd_mcp\n"
		       "        PAGES/PAGE_SIZE: %u*%lu  SG_table_count: %u  nullio: %d dummy: %d\n",
		       dev->index, rd->nr_pages, PAGE_SIZE, tables,
		       rd->nullio, rd->dummy);
}

static int rd_alloc_pages(struct rd_dev *rd)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
			  __GFP_RETRY_MAYFAIL;
	u32 i;

	if (rd->nr_pages > totalram_pages()) {
		pr_err("%s: rd_pages=%u is more than the RAM of this machine\n",
		       rd->dev.name, rd->nr_pages);
		return -ENOMEM;
	}
	rd->pages = kvcalloc(rd->nr_pages, sizeof(*rd->pages), GFP_KERNEL);
	if (!rd->pages)
		return -ENOMEM;
	for (i = 0; i < rd->nr_pages; i++) {
		rd->pages[i] = alloc_page(gfp);
		if (!rd->pages[i] || fatal_signal_pending(current))
			goto fail;
		cond_resched();
	}
	return 0;
fail:
	pr_err("%s: could not allocate %u pages\n", rd->dev.name, rd->nr_pages);
	rd_free_pages(rd);
	return -ENOMEM;
}

static int rd_configure(struct kt_dev *dev)
{
	struct rd_dev *rd = to_rd(dev);
	int ret;

	if (!rd->nr_pages) {
		pr_err("%s: rd_pages= must be set before enable\n", dev->name);
		return -EINVAL;
	}
	if (!rd->nullio) {
		ret = rd_alloc_pages(rd);
		if (ret)
			return ret;
	}
	dev->hw_block_size = RD_BLOCK_SIZE;
	dev->nr_blocks = ((u64)rd->nr_pages << PAGE_SHIFT) / RD_BLOCK_SIZE;
	dev->hw_max_sectors = RD_MAX_SECTORS;
	dev->hw_queue_depth = KT_BS_QUEUE_DEPTH;
	dev->read_only = false;
	dev->unmap_zeroes = true;
	kt_bs_unmap_defaults(dev, KT_BS_MAX_UNMAP_LBAS, KT_BS_MAX_UNMAP_DESC,
			     1, 0, KT_BS_MAX_WRITE_SAME);
	return 0;
}

/*
 * Copy @len bytes between @buf and the RAM disk at byte @pos (rd->lock
 * held shared; a write has its pages, rd_fill_pages()).  Reads copy
 * rather than lend the RAM disk's pages: the iSCSI fabric sends Data-In
 * by reference, and a later WRITE must not change bytes TCP may resend.
 * An unmapped page reads as zeroes.
 */
static void rd_copy_chunk(struct rd_dev *rd, u64 pos, void *buf, size_t len,
			  bool write)
{
	while (len) {
		struct page *page = rd->pages[pos >> PAGE_SHIFT];
		size_t off = offset_in_page(pos);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		void *p;

		if (!page) {
			if (!write)
				memset(buf, 0, n);
			buf += n;
			pos += n;
			len -= n;
			continue;
		}
		p = kmap_local_page(page);
		if (write)
			memcpy(p + off, buf, n);
		else
			memcpy(buf, p + off, n);
		kunmap_local(p);
		buf += n;
		pos += n;
		len -= n;
	}
}

static kt_status_t rd_copy(struct rd_dev *rd, struct kt_io *io, u64 pos,
			   u64 len)
{
	unsigned int flags = SG_MITER_ATOMIC |
			     (io->write ? SG_MITER_FROM_SG : SG_MITER_TO_SG);
	struct sg_mapping_iter miter;

	sg_miter_start(&miter, io->sgl, io->nents, flags);
	while (len && sg_miter_next(&miter)) {
		size_t n = min_t(u64, miter.length, len);

		rd_copy_chunk(rd, pos, miter.addr, n, io->write);
		miter.consumed = n;
		pos += n;
		len -= n;
	}
	sg_miter_stop(&miter);
	return len ? KT_S_INTERNAL_ERROR : KT_OK;
}

/*
 * Give the unmapped pages of bytes [@pos, @pos + @len) a zeroed page
 * before a write (rd->lock held shared, process context).  A page that
 * another writer installed first is kept and ours freed.
 */
static kt_status_t rd_fill_pages(struct rd_dev *rd, u64 pos, u64 len)
{
	u64 i, last = (pos + len - 1) >> PAGE_SHIFT;
	struct page *page;

	for (i = pos >> PAGE_SHIFT; len && i <= last; i++) {
		if (READ_ONCE(rd->pages[i]))
			continue;
		page = alloc_page(GFP_NOIO | __GFP_ZERO | __GFP_NOWARN);
		if (!page) {
			pr_err_ratelimited("%s: no memory for an unmapped page\n",
					   rd->dev.name);
			return KT_S_NO_RESOURCES;
		}
		if (cmpxchg(&rd->pages[i], NULL, page))
			__free_page(page);
	}
	return KT_OK;
}

static kt_status_t rd_submit_io(struct kt_cmd *cmd, struct kt_io *io)
{
	struct rd_dev *rd = to_rd(cmd->dev);
	kt_status_t st;
	u64 pos, len;

	st = kt_bs_io_range(&rd->dev, io, &pos, &len);
	if (st != KT_OK)
		return st;
	if (rd->pages) {
		down_read(&rd->lock);
		if (io->write)
			st = rd_fill_pages(rd, pos, len);
		if (st == KT_OK)
			st = rd_copy(rd, io, pos, len);
		up_read(&rd->lock);
	} else if (!io->write &&
		   sg_zero_buffer(io->sgl, io->nents, len, 0) != len) {
		st = KT_S_INTERNAL_ERROR;
	}
	if (st != KT_OK)
		return st;
	kt_io_done(cmd, KT_OK);
	return KT_OK;
}

/*
 * Unmap bytes [@pos, @pos + @len) (rd->lock held exclusive): a page the
 * range covers whole is freed, the part of one it covers is zeroed.
 */
static void rd_unmap_pages(struct rd_dev *rd, u64 pos, u64 len)
{
	while (len) {
		u64 i = pos >> PAGE_SHIFT;
		size_t off = offset_in_page(pos);
		size_t n = min_t(u64, len, PAGE_SIZE - off);
		struct page *page = rd->pages[i];

		if (page && n == PAGE_SIZE) {
			rd->pages[i] = NULL;
			__free_page(page);
		} else if (page) {
			memzero_page(page, off, n);
		}
		pos += n;
		len -= n;
		cond_resched();
	}
}

static kt_status_t rd_unmap(struct kt_cmd *cmd, u64 lba, u32 nblocks)
{
	struct rd_dev *rd = to_rd(cmd->dev);
	kt_status_t st;
	u64 pos, len;

	st = kt_bs_unmap_range(&rd->dev, lba, nblocks, &pos, &len);
	if (st != KT_OK)
		return st;
	if (rd->pages) {
		down_write(&rd->lock);
		rd_unmap_pages(rd, pos, len);
		up_write(&rd->lock);
	}
	kt_io_done(cmd, KT_OK);
	return KT_OK;
}

static struct kt_backend_ops rd_ops = {
	.owner		= THIS_MODULE,
	.name		= "rd_mcp",
	.inquiry_prod	= "RAMDISK-MCP",
	.inquiry_rev	= "4.0",
	.api_version	= KT_API_VERSION,
	.alloc_dev	= rd_alloc_dev,
	.free_dev	= rd_free_dev,
	.set_param	= rd_set_param,
	.show_params	= rd_show_params,
	.configure_dev	= rd_configure,
	.submit_io	= rd_submit_io,
	.unmap		= rd_unmap,
};

static int __init rd_init(void)
{
	return kt_register_backend(&rd_ops);
}

static void __exit rd_exit(void)
{
	kt_unregister_backend(&rd_ops);
}

module_init(rd_init);
module_exit(rd_exit);
MODULE_ALIAS("ktarget-backend-rd_mcp");
MODULE_DESCRIPTION("ktarget rd_mcp (RAM disk) backstore");
MODULE_LICENSE("GPL");
