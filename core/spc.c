// SPDX-License-Identifier: GPL-2.0
/*
 * spc.c - SPC-4 commands: INQUIRY and VPD pages, MODE SENSE/SELECT,
 * REQUEST SENSE, REPORT LUNS, TEST UNIT READY.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

/* Reply with @len bytes of @buf and GOOD status. */
static void kt_spc_reply(struct kt_cmd *cmd, const u8 *buf, u32 len)
{
	kt_cmd_copy_to_sgl(cmd, buf, len);
	kt_cmd_complete(cmd, KT_OK);
}

static void kt_spc_fail_cdb(struct kt_cmd *cmd, u16 field, int bit)
{
	kt_cmd_bad_cdb(cmd, field, bit);
	kt_cmd_complete(cmd, KT_S_INVALID_FIELD_CDB);
}

/*
 * kt_spc_build_reply - answer @cmd with the page @build makes from @ctx.
 * The page is built once to learn its length, then into a buffer of that
 * length cut to the allocation length and to what setup sized the command
 * for (cmd->data_len): never what the initiator asks alone.
 */
void kt_spc_build_reply(struct kt_cmd *cmd, kt_build_fn build,
			const void *ctx)
{
	u32 need = build(cmd, ctx, NULL, 0);
	u32 len = min3(need, cmd->d.alloc_len, cmd->data_len);
	u8 *buf = NULL;

	if (len) {
		buf = kmalloc(len, GFP_KERNEL);
		if (!buf) {
			kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
			return;
		}
		build(cmd, ctx, buf, len);
	}
	kt_spc_reply(cmd, buf, len);
	kfree(buf);
}

/* ---------------- INQUIRY ---------------- */

/* Block limits of VPD page B0 in logical blocks, capped to 32 bits. */
static void kt_lu_info_limits(struct kt_dev *dev, struct kt_lu_info *lu)
{
	u32 bs = dev->attrib.block_size;
	u64 max = div_u64((u64)dev->hw_max_sectors * dev->hw_block_size, bs);
	u64 opt = div_u64((u64)READ_ONCE(dev->attrib.optimal_sectors) *
			  dev->hw_block_size, bs);

	lu->opt_gran = max_t(u32, dev->hw_block_size / bs, 1);
	lu->max_xfer = min_t(u64, max, U32_MAX);
	lu->opt_xfer = min_t(u64, opt, U32_MAX);
}

/*
 * Logical block provisioning of VPD pages B0 and B2, from the attributes
 * (each read once, without kt_cfg_mutex: a store is seen or not)
 */
static void kt_lu_info_lbp(struct kt_dev *dev, struct kt_lu_info *lu)
{
	struct kt_dev_attrib *a = &dev->attrib;
	u8 lbp = kt_sbc_lbp(dev);

	lu->max_ws_len = READ_ONCE(a->max_write_same_len);
	lu->lbpu = READ_ONCE(a->emulate_tpu);
	lu->lbpws = READ_ONCE(a->emulate_tpws);
	lu->lbprz = (lbp & KT_RC16_LBPME) && (lbp & KT_RC16_LBPRZ);
	lu->max_unmap_lbas = READ_ONCE(a->max_unmap_lba_count);
	lu->max_unmap_desc = READ_ONCE(a->max_unmap_block_desc_count);
	lu->unmap_gran = READ_ONCE(a->unmap_granularity);
	lu->unmap_align = READ_ONCE(a->unmap_granularity_alignment);
}

/* What INQUIRY reports for the command's LUN, copied under the locks. */
static void kt_lu_info_fill(struct kt_cmd *cmd, struct kt_lu_info *lu)
{
	struct kt_wwn *wwn = cmd->sess->tpg->wwn;
	struct kt_dev *dev = cmd->dev;

	memset(lu, 0, sizeof(*lu));
	if (!dev) {
		/* no LUN here: PQ 011b, or the REPORT LUNS well-known LU */
		lu->peripheral = cmd->lun == KT_WLUN_REPORT_LUNS ? 0x1e : 0x7f;
		strscpy(lu->vendor, "LIO-ORG", sizeof(lu->vendor));
		return;
	}
	kt_dev_ident(dev, lu);
	/* the target name and TPG tag never change while the TPG exists */
	strscpy(lu->target, wwn->name, sizeof(lu->target));
	lu->tpgt = cmd->sess->tpg->tpgt;
	lu->rtpi = cmd->klun->rtpi;
	kt_alua_lu_info(cmd, lu);
	lu->wce = kt_dev_wce(dev);
	lu->nonrot = READ_ONCE(dev->attrib.is_nonrot);
	kt_lu_info_limits(dev, lu);
	kt_lu_info_lbp(dev, lu);
}

static u32 kt_inq_build(struct kt_cmd *cmd, const void *ctx, u8 *buf,
			u32 cap)
{
	if (!cmd->d.evpd)
		return kt_inq_std(ctx, buf, cap);
	return cmd->dev ? kt_inq_vpd(cmd->d.page, ctx, buf, cap) : 0;
}

void kt_spc_inquiry(struct kt_cmd *cmd)
{
	struct kt_lu_info *lu = kmalloc(sizeof(*lu), GFP_KERNEL);

	if (!lu) {
		kt_cmd_complete(cmd, KT_S_NO_RESOURCES);
		return;
	}
	kt_lu_info_fill(cmd, lu);
	if (!kt_inq_build(cmd, lu, NULL, 0))
		kt_spc_fail_cdb(cmd, 2, -1);
	else
		kt_spc_build_reply(cmd, kt_inq_build, lu);
	kfree(lu);
}

/* ---------------- MODE SENSE / MODE SELECT ---------------- */

/* The mode parameters @cmd sees; the caller may hold kt_cfg_mutex. */
static void kt_mode_info_fill(struct kt_cmd *cmd, struct kt_mode_info *mi)
{
	struct kt_dev *dev = cmd->dev;
	bool own_cache = dev->ops->write_cache_enabled;

	memset(mi, 0, sizeof(*mi));
	mi->blocks = kt_dev_capacity(dev);
	mi->block_size = dev->attrib.block_size;
	mi->wp = cmd->write_protect;
	mi->dpofua = READ_ONCE(dev->attrib.emulate_fua_write);
	mi->wce = kt_dev_wce(dev);
	mi->wce_changeable = !own_cache;
	mi->wce_default = own_cache && mi->wce;
	mi->d_sense = READ_ONCE(dev->d_sense);
	mi->tas = READ_ONCE(dev->attrib.emulate_tas);
	mi->ua_intlck = kt_ua_intlck(dev);
}

static u32 kt_mode_sense_build(struct kt_cmd *cmd, const void *ctx, u8 *buf,
			       u32 cap)
{
	return kt_mode_sense(&cmd->d, ctx, buf, cap);
}

void kt_spc_mode_sense(struct kt_cmd *cmd)
{
	struct kt_mode_info mi;

	if (cmd->d.pc == KT_MP_SAVED) {
		kt_cmd_complete(cmd, KT_S_SAVING_NOT_SUPPORTED);
		return;
	}
	if (cmd->d.subpage && !(cmd->d.page == 0x3f && cmd->d.subpage == 0xff)) {
		kt_spc_fail_cdb(cmd, 3, -1);
		return;
	}
	if (!kt_mode_page_known(cmd->d.page)) {
		kt_spc_fail_cdb(cmd, 2, 5);
		return;
	}
	kt_mode_info_fill(cmd, &mi);
	kt_spc_build_reply(cmd, kt_mode_sense_build, &mi);
}

/*
 * Check the parameter list and apply it as one change under kt_cfg_mutex,
 * so that concurrent MODE SELECTs and attribute stores never interleave,
 * then tell every other I_T nexus with a unit attention.  A nexus that
 * sees the LUN write-protected may not change what all the others get.
 */
static kt_status_t kt_mode_select_apply(struct kt_cmd *cmd, const u8 *buf,
					u32 len)
{
	struct kt_dev *dev = cmd->dev;
	struct kt_mode_info cur, want;
	kt_status_t status;
	u16 field;

	mutex_lock(&kt_cfg_mutex);
	if (cmd->write_protect || READ_ONCE(cmd->mlun->write_protect)) {
		mutex_unlock(&kt_cfg_mutex);
		return KT_S_WRITE_PROTECTED;
	}
	kt_mode_info_fill(cmd, &cur);
	status = kt_mode_select_parse(buf, len, cmd->d.len == 10, &cur, &want,
				      &field);
	if (status == KT_OK &&
	    (want.wce != cur.wce || want.d_sense != cur.d_sense ||
	     want.tas != cur.tas || want.ua_intlck != cur.ua_intlck)) {
		if (want.wce != cur.wce)
			WRITE_ONCE(dev->attrib.emulate_write_cache, want.wce);
		WRITE_ONCE(dev->d_sense, want.d_sense);
		WRITE_ONCE(dev->attrib.emulate_tas, want.tas);
		/* the attribute's values 0, 1, 2 are 00b, 10b, 11b */
		WRITE_ONCE(dev->attrib.emulate_ua_intlck_ctrl,
			   want.ua_intlck ? want.ua_intlck - 1 : 0);
		kt_ua_dev_others(dev, cmd->sess, KT_UA_MODE_CHANGED);
	}
	mutex_unlock(&kt_cfg_mutex);
	if (status != KT_OK && field != 0xffff)
		kt_cmd_bad_param(cmd, field, -1);
	return status;
}

void kt_spc_mode_select(struct kt_cmd *cmd)
{
	kt_cmd_exec_param_list(cmd, kt_mode_select_apply);
}

/* ---------------- REQUEST SENSE, REPORT LUNS, TUR ---------------- */

void kt_spc_request_sense(struct kt_cmd *cmd)
{
	struct kt_sense_info si = { };
	u8 buf[KT_SENSE_MAX];
	u32 len;

	if (!cmd->dev && cmd->lun != KT_WLUN_REPORT_LUNS) {
		si.key = KT_SK_ILLEGAL_REQUEST;
		si.asc = 0x25;	/* LOGICAL UNIT NOT SUPPORTED */
	} else if (cmd->mlun && kt_ua_pop(cmd, &si.asc, &si.ascq)) {
		si.key = KT_SK_UNIT_ATTENTION;
	}
	len = kt_sense_build(buf, sizeof(buf), cmd->d.desc, &si);
	kt_spc_reply(cmd, buf, len);
}

static u32 kt_report_luns_build(struct kt_cmd *cmd, const void *ctx, u8 *buf,
				u32 cap)
{
	return kt_sess_report_luns(cmd->sess, buf, cap, cmd->d.select_report);
}

void kt_spc_report_luns(struct kt_cmd *cmd)
{
	kt_spc_build_reply(cmd, kt_report_luns_build, NULL);
}

/*
 * The most a REPORT LUNS may move: what the LUN inventory needs now
 * (LUNs mapped later are cut off, as a smaller allocation length would).
 */
static u32 kt_report_luns_len(struct kt_cmd *cmd)
{
	return min_t(u32, cmd->d.alloc_len,
		     kt_report_luns_build(cmd, NULL, NULL, 0));
}

void kt_spc_good(struct kt_cmd *cmd)
{
	kt_cmd_complete(cmd, KT_OK);
}

kt_status_t kt_spc_setup_mode_select(struct kt_cmd *cmd)
{
	struct kt_cdb *d = &cmd->d;

	if (!d->pf) {
		kt_cmd_bad_cdb(cmd, 1, 4);
		return KT_S_INVALID_FIELD_CDB;
	}
	if (d->sp) {
		kt_cmd_bad_cdb(cmd, 1, 0);
		return KT_S_INVALID_FIELD_CDB;
	}
	/* refused before any parameter data is asked for */
	if (cmd->write_protect)
		return KT_S_WRITE_PROTECTED;
	if (d->alloc_len > KT_MODE_SELECT_MAX) {
		/* PARAMETER LIST LENGTH: byte 4 of (6), 7-8 of (10) */
		kt_cmd_bad_cdb(cmd, d->len == 10 ? 7 : 4, -1);
		return KT_S_INVALID_FIELD_CDB;
	}
	cmd->data_len = d->alloc_len;
	return KT_OK;
}

/* Without a LUN, INQUIRY answers the standard data only. */
kt_status_t kt_spc_setup_inquiry(struct kt_cmd *cmd)
{
	if (!cmd->dev && cmd->d.evpd)
		return KT_S_LUN_NOT_SUPPORTED;
	return KT_OK;
}

kt_status_t kt_spc_setup_report_luns(struct kt_cmd *cmd)
{
	cmd->data_len = kt_report_luns_len(cmd);
	return KT_OK;
}
