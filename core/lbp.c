// SPDX-License-Identifier: GPL-2.0
/*
 * lbp.c - logical block provisioning: UNMAP and WRITE SAME (10), (16).
 *
 * UNMAP copies its parameter list, checks it whole (kt_unmap_parse(),
 * pure code) and only then hands the backstore's ->unmap() one
 * descriptor at a time.  WRITE SAME either deallocates its range through
 * ->unmap() (UNMAP bit, `emulate_tpws`, and only where that leaves what
 * the command would have written: a block of zeroes on a backstore whose
 * unmapped blocks read as zeroes) or writes its one block over the range
 * in chunks of at most KT_WS_CHUNK_BYTES, one buffer for the whole
 * command.  Each step after the first runs from cmd->work on kt_wq, as
 * the backstore may complete in interrupt context; between steps a task
 * management abort ends the command.  The state of a running command
 * (struct kt_lbp_op, cmd->exec_priv) belongs to it alone: no locks.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/scatterlist.h>
#include "core.h"

/* The most memory one WRITE SAME writes from */
#define KT_WS_CHUNK_BYTES	(256U << 10)

/**
 * struct kt_lbp_op - an UNMAP or WRITE SAME between its I/Os
 * @list: UNMAP: the copy of its parameter list, @ul points into it
 * @ul: UNMAP: the checked list
 * @next: UNMAP: the next descriptor
 * @lba: WRITE SAME: the next block to write
 * @left: WRITE SAME: blocks still to write
 * @chunk: WRITE SAME: blocks per write (what the buffer holds)
 */
struct kt_lbp_op {
	u8 *list;
	struct kt_unmap_list ul;
	u32 next;
	u64 lba;
	u32 left;
	u32 chunk;
};

static struct kt_lbp_op *kt_lbp_op(struct kt_cmd *cmd)
{
	return cmd->exec_priv;
}

/* Free the command's state and complete it (any context). */
static void kt_lbp_end(struct kt_cmd *cmd, kt_status_t status)
{
	struct kt_lbp_op *op = kt_lbp_op(cmd);

	cmd->exec_priv = NULL;
	cmd->io_done = NULL;
	if (op) {
		kfree(op->list);
		kfree(op);
	}
	kt_cmd_complete(cmd, status);
}

/* Between two steps: task management may have aborted the command. */
static bool kt_lbp_aborted(struct kt_cmd *cmd)
{
	if (!READ_ONCE(cmd->tmr_aborted))
		return false;
	kt_lbp_end(cmd, KT_S_ABORTED);
	return true;
}

/* Ask the backstore to deallocate; false when the command has ended. */
static bool kt_lbp_unmap_range(struct kt_cmd *cmd, u64 lba, u32 nblocks)
{
	kt_status_t status = cmd->dev->ops->unmap(cmd, lba, nblocks);

	if (status == KT_OK)
		return true;
	kt_lbp_end(cmd, status);
	return false;
}

/* ---------------- UNMAP ---------------- */

/*
 * Without `emulate_tpu` the command does not exist.  ANCHOR is refused:
 * no anchored blocks (ANC_SUP 0).  The list is at most 64 KiB (its
 * length is 16 bits), the row's max_data.
 */
kt_status_t kt_lbp_setup_unmap(struct kt_cmd *cmd)
{
	if (!READ_ONCE(cmd->dev->attrib.emulate_tpu) || !cmd->dev->ops->unmap)
		return KT_S_INVALID_OPCODE;
	if (cmd->d.anchor) {
		kt_cmd_bad_cdb(cmd, 1, 0);
		return KT_S_INVALID_FIELD_CDB;
	}
	if (cmd->write_protect)
		return KT_S_WRITE_PROTECTED;
	return KT_OK;
}

/* Start the next descriptor that has blocks, or end (process context). */
static void kt_unmap_next(struct kt_cmd *cmd)
{
	struct kt_lbp_op *op = kt_lbp_op(cmd);
	u32 nblocks;
	u64 lba;

	while (op->next < op->ul.ndesc) {
		kt_unmap_desc(&op->ul, op->next++, &lba, &nblocks);
		if (!nblocks)
			continue;
		if (kt_lbp_aborted(cmd))
			return;
		kt_lbp_unmap_range(cmd, lba, nblocks);
		return;
	}
	kt_lbp_end(cmd, KT_OK);
}

static void kt_unmap_work(struct work_struct *work)
{
	kt_unmap_next(container_of(work, struct kt_cmd, work));
}

/* One descriptor is done (any context): on to the next from kt_wq. */
static void kt_unmap_done(struct kt_cmd *cmd, kt_status_t status)
{
	if (status != KT_OK) {
		kt_lbp_end(cmd, status);
		return;
	}
	INIT_WORK(&cmd->work, kt_unmap_work);
	queue_work(kt_wq, &cmd->work);
}

/* Check the whole list against the device before anything is unmapped. */
static kt_status_t kt_unmap_check(struct kt_cmd *cmd, struct kt_lbp_op *op)
{
	struct kt_dev *dev = cmd->dev;
	struct kt_unmap_limits lim = {
		.capacity = kt_dev_capacity(dev),
		.max_desc = READ_ONCE(dev->attrib.max_unmap_block_desc_count),
		.max_lbas = READ_ONCE(dev->attrib.max_unmap_lba_count),
	};
	kt_status_t status;
	u16 field;

	status = kt_unmap_parse(op->list, cmd->d.alloc_len, &lim, &op->ul,
				&field);
	if (status != KT_OK && field != 0xffff)
		kt_cmd_bad_param(cmd, field, -1);
	return status;
}

void kt_lbp_unmap(struct kt_cmd *cmd)
{
	struct kt_lbp_op *op = kzalloc(sizeof(*op), GFP_KERNEL);
	kt_status_t status;

	if (!op) {
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
		return;
	}
	cmd->exec_priv = op;
	op->list = kt_cmd_copy_param_list(cmd, &status);
	if (!op->list) {		/* no list (GOOD), or a failure */
		kt_lbp_end(cmd, status);
		return;
	}
	status = kt_unmap_check(cmd, op);
	if (status != KT_OK) {
		kt_lbp_end(cmd, status);
		return;
	}
	cmd->io_done = kt_unmap_done;
	kt_unmap_next(cmd);
}

/* ---------------- WRITE SAME ---------------- */

/* NUMBER OF LOGICAL BLOCKS: byte 7 of the (10), 10 of the (16) */
static u16 kt_ws_len_field(const struct kt_cmd *cmd)
{
	return cmd->d.len == 10 ? 7 : 10;
}

/*
 * WRPROTECT, ANCHOR (no anchored blocks), UNMAP without `emulate_tpws`
 * (LBPWS and LBPWS10 are 0), 0 blocks (WSNZ is 1), more than
 * `max_write_same_len` blocks, the range; the Data-Out is exactly one
 * block, none with NDOB.
 */
kt_status_t kt_lbp_setup_write_same(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	u64 cap = kt_dev_capacity(dev);
	kt_status_t status;

	status = kt_sbc_check_protect(cmd);
	if (status != KT_OK)
		return status;
	if (cmd->d.anchor) {
		kt_cmd_bad_cdb(cmd, 1, 4);
		return KT_S_INVALID_FIELD_CDB;
	}
	if (cmd->d.unmap && (!READ_ONCE(dev->attrib.emulate_tpws) ||
			     !dev->ops->unmap)) {
		kt_cmd_bad_cdb(cmd, 1, 3);
		return KT_S_INVALID_FIELD_CDB;
	}
	if (!cmd->d.nblocks ||
	    cmd->d.nblocks > READ_ONCE(dev->attrib.max_write_same_len)) {
		kt_cmd_bad_cdb(cmd, kt_ws_len_field(cmd), -1);
		return KT_S_INVALID_FIELD_CDB;
	}
	if (cmd->write_protect)
		return KT_S_WRITE_PROTECTED;
	if (cmd->d.lba > cap || cmd->d.nblocks > cap - cmd->d.lba)
		return KT_S_LBA_OUT_OF_RANGE;
	cmd->data_len = cmd->d.ndob ? 0 : dev->attrib.block_size;
	return KT_OK;
}

/* The block to write: from the Data-Out, or zeroes (NDOB), into @block */
static void kt_ws_block(struct kt_cmd *cmd, u8 *block, u32 bs)
{
	memset(block, 0, bs);
	if (!cmd->d.ndob)
		kt_cmd_copy_from_sgl(cmd, block, bs);
}

/*
 * Deallocating gives what writing would: the block is zeroes and the
 * device reads unmapped blocks as zeroes (and says so: LBPRZ).
 */
static bool kt_ws_may_unmap(struct kt_cmd *cmd, const u8 *block, u32 bs)
{
	struct kt_dev *dev = cmd->dev;

	return cmd->d.unmap && dev->unmap_zeroes &&
	       READ_ONCE(dev->attrib.unmap_zeroes_data) &&
	       !memchr_inv(block, 0, bs);
}

/* Write the next chunk (process context). */
static void kt_ws_write_next(struct kt_cmd *cmd)
{
	struct kt_lbp_op *op = kt_lbp_op(cmd);
	struct kt_dev *dev = cmd->dev;
	u32 n = min(op->left, op->chunk);
	kt_status_t status;

	if (kt_lbp_aborted(cmd))
		return;
	cmd->io.write = true;
	/* without a write cache every write must be stable when acked */
	cmd->io.fua = !kt_dev_wce(dev);
	cmd->io.lba = op->lba;
	cmd->io.nblocks = n;
	cmd->io.sgl = cmd->aux_sgl;
	cmd->io.nents = cmd->aux_nents;
	op->lba += n;
	op->left -= n;
	atomic64_add((u64)n * dev->attrib.block_size, &dev->write_bytes);
	status = dev->ops->submit_io(cmd, &cmd->io);
	if (status != KT_OK)
		kt_lbp_end(cmd, status);
}

static void kt_ws_work(struct work_struct *work)
{
	kt_ws_write_next(container_of(work, struct kt_cmd, work));
}

/* A chunk is written (any context): the next one from kt_wq, or end. */
static void kt_ws_done(struct kt_cmd *cmd, kt_status_t status)
{
	if (status != KT_OK || !kt_lbp_op(cmd)->left) {
		kt_lbp_end(cmd, status);
		return;
	}
	INIT_WORK(&cmd->work, kt_ws_work);
	queue_work(kt_wq, &cmd->work);
}

/*
 * One buffer of whole copies of the block, as large as a chunk: at most
 * KT_WS_CHUNK_BYTES and the device's maximum transfer, never the range.
 */
static kt_status_t kt_ws_fill(struct kt_cmd *cmd, struct kt_lbp_op *op,
			      const u8 *block, u32 bs)
{
	struct kt_dev *dev = cmd->dev;
	u64 max = div_u64((u64)dev->hw_max_sectors * dev->hw_block_size, bs);
	u32 i;

	op->chunk = min3(cmd->d.nblocks, KT_WS_CHUNK_BYTES / bs,
			 (u32)min_t(u64, max, U32_MAX));
	op->chunk = max(op->chunk, 1U);
	if (kt_cmd_alloc_aux(cmd, op->chunk * bs) != KT_OK)
		return KT_S_NO_RESOURCES;
	for (i = 0; i < op->chunk; i++)
		sg_pcopy_from_buffer(cmd->aux_sgl, cmd->aux_nents, block, bs,
				     (size_t)i * bs);
	return KT_OK;
}

/* Deallocate or write, once the block is known (process context). */
static void kt_ws_start(struct kt_cmd *cmd, struct kt_lbp_op *op,
			const u8 *block, u32 bs)
{
	kt_status_t status;

	if (kt_ws_may_unmap(cmd, block, bs)) {
		cmd->io_done = kt_lbp_end;
		kt_lbp_unmap_range(cmd, cmd->d.lba, cmd->d.nblocks);
		return;
	}
	status = kt_ws_fill(cmd, op, block, bs);
	if (status != KT_OK) {
		kt_lbp_end(cmd, status);
		return;
	}
	op->lba = cmd->d.lba;
	op->left = cmd->d.nblocks;
	cmd->io_done = kt_ws_done;
	kt_ws_write_next(cmd);
}

void kt_lbp_write_same(struct kt_cmd *cmd)
{
	u32 bs = cmd->dev->attrib.block_size;
	struct kt_lbp_op *op;
	u8 *block;

	op = kzalloc(sizeof(*op), GFP_KERNEL);
	block = kmalloc(bs, GFP_KERNEL);
	if (!op || !block) {
		kfree(op);
		kfree(block);
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
		return;
	}
	cmd->exec_priv = op;
	kt_ws_block(cmd, block, bs);
	kt_ws_start(cmd, op, block, bs);
	kfree(block);
}
