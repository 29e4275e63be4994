// SPDX-License-Identifier: GPL-2.0
/*
 * The commands the core emulates: one row each (struct kt_op_def in
 * core.h).  A new command costs a decoder row (core/wire/cdb.c), a row
 * here and its execute function.
 *
 * Under another nexus's persistent reservation (.pr, SPC-4 and SBC-3's
 * tables of commands allowed in the presence of reservations): the
 * commands that only describe the unit (INQUIRY, REPORT LUNS, REQUEST
 * SENSE, TEST UNIT READY, READ CAPACITY, PERSISTENT RESERVE IN) are
 * always allowed, as is PERSISTENT RESERVE OUT, which checks its own
 * key; reads are refused by the exclusive access types, and everything
 * that changes the medium or the unit's state, and MODE SENSE, by all.
 *
 * Under another nexus's SPC-2 reservation (.res, core/reserve.c): only
 * INQUIRY, REPORT LUNS and REQUEST SENSE run; RESERVE and RELEASE
 * decide for themselves when they execute (another nexus's RESERVE
 * conflicts, its RELEASE does nothing), as they do under persistent
 * reservations (compatible reservation handling), so their .pr lets
 * them through; PERSISTENT RESERVE IN and OUT conflict for every nexus.
 *
 * By the state of the target port group a command came through (.alua,
 * SPC-4 5.15.2.4 and 5.15.2.5, checked by kt_alua_check_cmd()): INQUIRY,
 * REPORT LUNS, REQUEST SENSE and REPORT TARGET PORT GROUPS run in every
 * state but offline; MODE SENSE and SELECT, PERSISTENT RESERVE IN and
 * OUT and READ CAPACITY also in standby (SPC-4 lets a standby port run
 * more than its list: a host sizes each path's disk as it finds it, and
 * Linux's sd keeps the 0 blocks a refused READ CAPACITY gives it, so
 * dm-multipath could never fail over onto a path that was standby when
 * it was scanned); SET TARGET PORT GROUPS also in unavailable; every
 * other command (zero, KT_ALUA_CLS_OTHER) only in the active states.
 */
#include "core.h"

/* REPORT LUNS: header plus every LUN and the W-LUN, with room to spare */
#define KT_REPORT_LUNS_BYTES	(8 + 8 * (KT_MAX_LUN + 2))
#define KT_READ_CAP10_BYTES	8
#define KT_READ_CAP16_BYTES	32
/* SET TARGET PORT GROUPS: header and a descriptor per group, with room */
#define KT_STPG_BYTES		(4 + 4 * 2 * KT_ALUA_MAX_GROUPS)

const struct kt_op_def kt_op_defs[KT_OP__COUNT] = {
	[KT_OP_TEST_UNIT_READY] = {
		.execute = kt_spc_good,
		.flags = KT_OPF_WLUN,
	},
	[KT_OP_INQUIRY] = {
		.execute = kt_spc_inquiry,
		.setup = kt_spc_setup_inquiry,
		.max_data = KT_INQ_RESP_MAX,
		.flags = KT_OPF_NO_LUN | KT_OPF_UA_EXEMPT,
		.res = KT_RES_CLS_ALLOWED,
		.alua = KT_ALUA_CLS_INFO,
	},
	[KT_OP_REQUEST_SENSE] = {
		.execute = kt_spc_request_sense,
		.max_data = KT_SENSE_MAX,
		.flags = KT_OPF_NO_LUN | KT_OPF_UA_EXEMPT,
		.res = KT_RES_CLS_ALLOWED,
		.alua = KT_ALUA_CLS_INFO,
	},
	[KT_OP_REPORT_LUNS] = {
		.execute = kt_spc_report_luns,
		.setup = kt_spc_setup_report_luns,
		.max_data = KT_REPORT_LUNS_BYTES,
		.flags = KT_OPF_NO_LUN | KT_OPF_UA_EXEMPT,
		.res = KT_RES_CLS_ALLOWED,
		.alua = KT_ALUA_CLS_INFO,
	},
	[KT_OP_MODE_SENSE] = {
		.execute = kt_spc_mode_sense,
		.max_data = KT_MODE_SENSE_MAX,
		.pr = KT_PR_CLS_WRITE,
		.alua = KT_ALUA_CLS_STANDBY,
	},
	[KT_OP_MODE_SELECT] = {
		.execute = kt_spc_mode_select,
		.setup = kt_spc_setup_mode_select,
		.max_data = KT_MODE_SELECT_MAX,
		.pr = KT_PR_CLS_WRITE,
		.alua = KT_ALUA_CLS_STANDBY,
	},
	[KT_OP_READ_CAPACITY10] = {
		.execute = kt_sbc_read_capacity10,
		.max_data = KT_READ_CAP10_BYTES,
		.alua = KT_ALUA_CLS_STANDBY,
	},
	[KT_OP_READ_CAPACITY16] = {
		.execute = kt_sbc_read_capacity16,
		.max_data = KT_READ_CAP16_BYTES,
		.alua = KT_ALUA_CLS_STANDBY,
	},
	[KT_OP_READ] = {
		.execute = kt_sbc_rw,
		.setup = kt_sbc_setup_media,
		.pr = KT_PR_CLS_READ,
	},
	[KT_OP_WRITE] = {
		.execute = kt_sbc_rw,
		.setup = kt_sbc_setup_media,
		.flags = KT_OPF_WRITES,
		.pr = KT_PR_CLS_WRITE,
	},
	[KT_OP_VERIFY] = {
		.execute = kt_sbc_verify,
		.setup = kt_sbc_setup_media,
		.pr = KT_PR_CLS_READ,
	},
	[KT_OP_WRITE_VERIFY] = {
		.execute = kt_sbc_write_verify,
		.setup = kt_sbc_setup_media,
		.flags = KT_OPF_WRITES,
		.pr = KT_PR_CLS_WRITE,
	},
	[KT_OP_WRITE_SAME] = {
		.execute = kt_lbp_write_same,
		.setup = kt_lbp_setup_write_same,
		.flags = KT_OPF_WRITES,
		.pr = KT_PR_CLS_WRITE,
	},
	[KT_OP_UNMAP] = {
		.execute = kt_lbp_unmap,
		.setup = kt_lbp_setup_unmap,
		.max_data = KT_UNMAP_LIST_MAX,
		.flags = KT_OPF_WRITES,
		.pr = KT_PR_CLS_WRITE,
	},
	[KT_OP_SYNC_CACHE] = {
		.execute = kt_sbc_sync_cache,
		.setup = kt_sbc_check_range,
		.pr = KT_PR_CLS_WRITE,
	},
	[KT_OP_START_STOP] = {
		.execute = kt_spc_good,
		.setup = kt_sbc_setup_start_stop,
		.pr = KT_PR_CLS_WRITE,
	},
	[KT_OP_PREVENT_ALLOW] = {
		.execute = kt_spc_good,
		.setup = kt_sbc_setup_prevent_allow,
		.pr = KT_PR_CLS_WRITE,
	},
	[KT_OP_PR_IN] = {
		.execute = kt_spc_pr_in,
		.setup = kt_spc_setup_pr,
		.max_data = KT_PR_IN_MAX,
		.res = KT_RES_CLS_PR,
		.alua = KT_ALUA_CLS_STANDBY,
	},
	[KT_OP_PR_OUT] = {
		.execute = kt_spc_pr_out,
		.setup = kt_spc_setup_pr,
		.max_data = KT_PR_OUT_MAX,
		.res = KT_RES_CLS_PR,
		.alua = KT_ALUA_CLS_STANDBY,
	},
	[KT_OP_RESERVE] = {
		.execute = kt_spc_reserve,
		.setup = kt_spc_setup_res,
		.res = KT_RES_CLS_ALLOWED,
	},
	[KT_OP_RELEASE] = {
		.execute = kt_spc_release,
		.setup = kt_spc_setup_res,
		.res = KT_RES_CLS_ALLOWED,
	},
	[KT_OP_RTPG] = {
		.execute = kt_alua_exec_rtpg,
		.setup = kt_alua_setup_rtpg,
		.max_data = KT_ALUA_RTPG_MAX,
		.pr = KT_PR_CLS_ALLOWED,
		.alua = KT_ALUA_CLS_INFO,
	},
	[KT_OP_RSTMF] = {
		.execute = kt_tmr_exec_rstmf,
		.max_data = KT_RSTMF_MAX,
		.pr = KT_PR_CLS_ALLOWED,
		.alua = KT_ALUA_CLS_INFO,
	},
	[KT_OP_STPG] = {
		.execute = kt_alua_exec_stpg,
		.setup = kt_alua_setup_stpg,
		.max_data = KT_STPG_BYTES,
		.pr = KT_PR_CLS_WRITE,
		.alua = KT_ALUA_CLS_STPG,
	},
};
