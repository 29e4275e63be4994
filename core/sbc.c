// SPDX-License-Identifier: GPL-2.0
/*
 * sbc.c - SBC-3 commands: READ, WRITE, VERIFY, WRITE AND VERIFY,
 * SYNCHRONIZE CACHE, READ CAPACITY, START STOP UNIT, PREVENT ALLOW.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/scatterlist.h>
#include "core.h"

static void kt_sbc_account(struct kt_cmd *cmd)
{
	atomic64_t *ctr = cmd->d.dir == KT_DIR_FROM_DEV ?
			  &cmd->dev->read_bytes : &cmd->dev->write_bytes;

	atomic64_add(cmd->data_len, ctr);
}

static void kt_sbc_submit(struct kt_cmd *cmd, bool write, bool fua,
			  struct scatterlist *sgl, unsigned int nents)
{
	struct kt_dev *dev = cmd->dev;
	kt_status_t status;

	cmd->io.write = write;
	/* without a write cache every write must be stable when acked */
	cmd->io.fua = write && (fua || !kt_dev_wce(dev));
	cmd->io.lba = cmd->d.lba;
	cmd->io.nblocks = cmd->d.nblocks;
	cmd->io.sgl = sgl;
	cmd->io.nents = nents;
	status = dev->ops->submit_io(cmd, &cmd->io);
	if (status != KT_OK)
		kt_io_done(cmd, status);
}

/*
 * READ or WRITE.  The FUA bit of a WRITE is honoured when
 * attrib/emulate_fua_write is 1 (MODE SENSE then shows DPOFUA=1) and
 * ignored when it is 0; a READ's FUA needs nothing (every read comes
 * from the backstore, which holds the latest data).
 */
void kt_sbc_rw(struct kt_cmd *cmd)
{
	bool fua = cmd->d.fua &&
		   READ_ONCE(cmd->dev->attrib.emulate_fua_write);

	if (!cmd->d.nblocks) {
		kt_cmd_complete(cmd, KT_OK);
		return;
	}
	kt_sbc_account(cmd);
	kt_sbc_submit(cmd, cmd->d.op == KT_OP_WRITE, fua, cmd->sgl,
		      cmd->nents);
}

/*
 * Compare the Data-Out (cmd->sgl) with what was read (cmd->aux_sgl).
 * BYTCHK 3 sends one block that every block must match.  Returns the
 * offset of the first differing byte, or -1.
 */
static s64 kt_sbc_compare(struct kt_cmd *cmd)
{
	u32 bs = cmd->dev->attrib.block_size;
	u32 total = cmd->d.nblocks * bs, off, n;
	u8 *want, *got;
	s64 bad = -1;

	want = kmalloc(bs, GFP_KERNEL);
	got = kmalloc(bs, GFP_KERNEL);
	if (!want || !got) {
		bad = -2;
		goto out;
	}
	for (off = 0; off < total && bad < 0; off += bs) {
		u32 src = cmd->d.bytchk == 3 ? 0 : off;

		sg_pcopy_to_buffer(cmd->sgl, cmd->nents, want, bs, src);
		sg_pcopy_to_buffer(cmd->aux_sgl, cmd->aux_nents, got, bs, off);
		for (n = 0; n < bs; n++) {
			if (want[n] != got[n]) {
				bad = off + n;
				break;
			}
		}
	}
out:
	kfree(want);
	kfree(got);
	return bad;
}

static void kt_sbc_compare_work(struct work_struct *work)
{
	struct kt_cmd *cmd = container_of(work, struct kt_cmd, work);
	s64 bad = kt_sbc_compare(cmd);

	if (bad == -2) {
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
	} else if (bad >= 0) {
		cmd->si.info_valid = true;
		cmd->si.info = bad;
		kt_cmd_complete(cmd, KT_S_MISCOMPARE_VERIFY);
	} else {
		kt_cmd_complete(cmd, KT_OK);
	}
}

/* The read for a byte-by-byte verify ended: compare in process context. */
static void kt_sbc_verify_read_done(struct kt_cmd *cmd, kt_status_t status)
{
	cmd->io_done = NULL;
	if (status != KT_OK) {
		kt_cmd_complete(cmd, status);
		return;
	}
	INIT_WORK(&cmd->work, kt_sbc_compare_work);
	queue_work(kt_wq, &cmd->work);
}

static void kt_sbc_verify_read(struct kt_cmd *cmd)
{
	u32 len = cmd->d.nblocks * cmd->dev->attrib.block_size;
	kt_status_t status;

	status = kt_cmd_alloc_aux(cmd, len);
	if (status != KT_OK) {
		kt_cmd_complete(cmd, status);
		return;
	}
	cmd->io_done = kt_sbc_verify_read_done;
	kt_sbc_submit(cmd, false, false, cmd->aux_sgl, cmd->aux_nents);
}

static void kt_sbc_verify_read_work(struct work_struct *work)
{
	kt_sbc_verify_read(container_of(work, struct kt_cmd, work));
}

void kt_sbc_verify(struct kt_cmd *cmd)
{
	if (!cmd->d.bytchk || !cmd->d.nblocks) {
		kt_cmd_complete(cmd, KT_OK);
		return;
	}
	kt_sbc_verify_read(cmd);
}

static void kt_sbc_write_verify_done(struct kt_cmd *cmd, kt_status_t status)
{
	cmd->io_done = NULL;
	if (status != KT_OK || !cmd->d.bytchk) {
		kt_cmd_complete(cmd, status);
		return;
	}
	/* the compare allocates and sleeps: leave the completion context */
	INIT_WORK(&cmd->work, kt_sbc_verify_read_work);
	queue_work(kt_wq, &cmd->work);
}

void kt_sbc_write_verify(struct kt_cmd *cmd)
{
	if (!cmd->d.nblocks) {
		kt_cmd_complete(cmd, KT_OK);
		return;
	}
	kt_sbc_account(cmd);
	cmd->io_done = kt_sbc_write_verify_done;
	/* verifying the medium means the data must be on it: write FUA */
	kt_sbc_submit(cmd, true, true, cmd->sgl, cmd->nents);
}

void kt_sbc_sync_cache(struct kt_cmd *cmd)
{
	kt_status_t status;

	if (!cmd->dev->ops->flush) {
		kt_cmd_complete(cmd, KT_OK);
		return;
	}
	status = cmd->dev->ops->flush(cmd);
	if (status != KT_OK)
		kt_io_done(cmd, status);
}

static u32 kt_read_cap10_build(struct kt_cmd *cmd, const void *ctx, u8 *buf,
			       u32 cap)
{
	struct kt_dev *dev = cmd->dev;

	return kt_read_capacity10(kt_dev_capacity(dev), dev->attrib.block_size,
				  buf, cap);
}

/*
 * kt_sbc_lbp - READ CAPACITY (16)'s provisioning bits: LBPME while UNMAP
 * or WRITE SAME with UNMAP is on, LBPRZ while unmapped blocks read as
 * zeroes (the attributes are read once, without kt_cfg_mutex)
 */
u8 kt_sbc_lbp(const struct kt_dev *dev)
{
	u8 lbp = 0;

	if (READ_ONCE(dev->attrib.emulate_tpu) ||
	    READ_ONCE(dev->attrib.emulate_tpws))
		lbp |= KT_RC16_LBPME;
	if (READ_ONCE(dev->attrib.unmap_zeroes_data))
		lbp |= KT_RC16_LBPRZ;
	return lbp;
}

static u32 kt_read_cap16_build(struct kt_cmd *cmd, const void *ctx, u8 *buf,
			       u32 cap)
{
	struct kt_dev *dev = cmd->dev;

	return kt_read_capacity16(kt_dev_capacity(dev), dev->attrib.block_size,
				  dev->hw_block_size, kt_sbc_lbp(dev), buf, cap);
}

void kt_sbc_read_capacity10(struct kt_cmd *cmd)
{
	kt_spc_build_reply(cmd, kt_read_cap10_build, NULL);
}

void kt_sbc_read_capacity16(struct kt_cmd *cmd)
{
	kt_spc_build_reply(cmd, kt_read_cap16_build, NULL);
}

/* Check the LBA range and transfer size of a media command. */
kt_status_t kt_sbc_check_range(struct kt_cmd *cmd)
{
	struct kt_dev *dev = cmd->dev;
	u64 cap = kt_dev_capacity(dev);
	u64 max_blocks;

	if (cmd->d.lba > cap || cmd->d.nblocks > cap - cmd->d.lba)
		return KT_S_LBA_OUT_OF_RANGE;
	if (cmd->d.xfer != KT_XFER_BLOCKS)
		return KT_OK;
	max_blocks = div_u64((u64)dev->hw_max_sectors * dev->hw_block_size,
			     dev->attrib.block_size);
	if (cmd->d.nblocks > max_blocks) {
		/* TRANSFER LENGTH: byte 4 (6), 7 (10), 6 (12), 10 (16) */
		static const u8 pos[17] = { [6] = 4, [10] = 7, [12] = 6,
					    [16] = 10 };

		kt_cmd_bad_cdb(cmd, pos[cmd->d.len], -1);
		return KT_S_INVALID_FIELD_CDB;
	}
	cmd->data_len = cmd->d.nblocks * dev->attrib.block_size;
	if (cmd->d.op == KT_OP_VERIFY && cmd->d.bytchk == 3)
		cmd->data_len = dev->attrib.block_size;
	return KT_OK;
}

kt_status_t kt_sbc_check_protect(struct kt_cmd *cmd)
{
	/* no protection information: any RD/WR/VRPROTECT is invalid */
	if (cmd->d.protect) {
		kt_cmd_bad_cdb(cmd, 1, 7);
		return KT_S_INVALID_FIELD_CDB;
	}
	return KT_OK;
}

kt_status_t kt_sbc_setup_media(struct kt_cmd *cmd)
{
	kt_status_t status;

	/* READ(6)/WRITE(6) have no PROTECT field: the decoder leaves it 0 */
	status = kt_sbc_check_protect(cmd);
	if (status != KT_OK)
		return status;
	if (cmd->write_protect && (kt_op_def(cmd)->flags & KT_OPF_WRITES))
		return KT_S_WRITE_PROTECTED;
	return kt_sbc_check_range(cmd);
}

/* No removable medium and no power conditions to manage. */
kt_status_t kt_sbc_setup_start_stop(struct kt_cmd *cmd)
{
	if (cmd->d.loej) {
		kt_cmd_bad_cdb(cmd, 4, 1);
		return KT_S_INVALID_FIELD_CDB;
	}
	if (cmd->d.power_cond) {
		kt_cmd_bad_cdb(cmd, 4, 7);
		return KT_S_INVALID_FIELD_CDB;
	}
	/* starting the unit never conflicts with a reservation (SBC-3) */
	if (cmd->d.start)
		cmd->pr_class = KT_PR_CLS_ALLOWED;
	return KT_OK;
}

kt_status_t kt_sbc_setup_prevent_allow(struct kt_cmd *cmd)
{
	if (cmd->d.prevent > 1) {
		kt_cmd_bad_cdb(cmd, 4, 1);
		return KT_S_INVALID_FIELD_CDB;
	}
	/* allowing removal never conflicts with a reservation (SBC-3) */
	if (!cmd->d.prevent)
		cmd->pr_class = KT_PR_CLS_ALLOWED;
	return KT_OK;
}
