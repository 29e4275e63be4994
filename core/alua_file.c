// SPDX-License-Identifier: GPL-2.0
/*
 * ALUA metadata files, where and as LIO keeps them (the text of
 * core/wire/alua_md.c), replaced atomically by core/dbfile.c:
 *
 *   <dbroot>/alua/tpgs_<unit serial>/<group name>   a target port group
 *   <dbroot>/alua/<fabric>/<wwn>+<tpgt>/lun_<n>     a LUN's target port
 *
 * A name that would not stay one path component (a serial with a '/',
 * say) gets no file: -EINVAL after a ratelimited message.
 *
 * Locks: none of its own; callers hold kt_cfg_mutex, which serialises
 * the writers of each file.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include "core.h"

#define KT_ALUA_DIR	"alua"

/* "alua/<a>" if @a is one path component, else NULL after a message */
static char *kt_alua_md_dir(const char *what, const char *a)
{
	if (!kt_dbfile_name_ok(a)) {
		pr_err_ratelimited("%s: %s cannot name a directory: no ALUA metadata file\n",
				   what, a);
		return NULL;
	}
	return kasprintf(GFP_KERNEL, KT_ALUA_DIR "/%s", a);
}

/* "alua/tpgs_<serial>" of @gp's device, or NULL */
static char *kt_alua_md_tpg_dir(struct kt_tg_pt_gp *gp)
{
	char *comp, *dir;

	comp = kasprintf(GFP_KERNEL, "tpgs_%s", gp->dev->unit_serial);
	if (!comp)
		return NULL;
	dir = kt_alua_md_dir(gp->dev->name, comp);
	kfree(comp);
	return dir;
}

/* "alua/<fabric>/<wwn>+<tpgt>" of @lun's port, or NULL */
static char *kt_alua_md_lun_dir(struct kt_lun *lun)
{
	const char *fabric = kt_fabric_lio_name(lun->tpg);
	struct kt_tpg *tpg = lun->tpg;
	char *comp, *dir = NULL;

	comp = kasprintf(GFP_KERNEL, "%s+%u", tpg->wwn->name, tpg->tpgt);
	if (!comp)
		return NULL;
	if (!kt_dbfile_name_ok(fabric) || !kt_dbfile_name_ok(comp))
		pr_err_ratelimited("lun_%llu: %s/%s cannot name a directory: no ALUA metadata file\n",
				   lun->index, fabric, comp);
	else
		dir = kasprintf(GFP_KERNEL, KT_ALUA_DIR "/%s/%s", fabric, comp);
	kfree(comp);
	return dir;
}

/* Replace <dbroot>/@dir/@name with @len bytes of @text; frees @dir */
static int kt_alua_file_put(const char *who, char *dir, const char *name,
			    const char *text, u32 len)
{
	int ret;

	ret = len <= KT_ALUA_MD_MAX ? kt_dbfile_replace(dir, name, text, len) :
				      -EOVERFLOW;
	if (ret)
		pr_err_ratelimited("%s: cannot write %s/%s/%s (%d): ALUA state not changed\n",
				   who, kt_dbroot, dir, name, ret);
	kfree(dir);
	return ret;
}

typedef int (*kt_alua_md_parser)(const char *text, u32 len, void *m);

/* Read and parse <dbroot>/@dir/@name into @m; frees @dir */
static int kt_alua_file_get(const char *who, char *dir, const char *name,
			    kt_alua_md_parser parse, void *m)
{
	char *text = NULL;
	u32 len;
	int ret;

	ret = kt_dbfile_read(dir, name, KT_ALUA_MD_MAX, &text, &len);
	if (!ret)
		ret = parse(text, len, m);
	if (ret && ret != -ENOENT)
		pr_err_ratelimited("%s: ALUA metadata %s/%s/%s unreadable (%d): ignored\n",
				   who, kt_dbroot, dir, name, ret);
	kvfree(text);
	kfree(dir);
	return ret;
}

static int kt_alua_parse_tpg(const char *text, u32 len, void *m)
{
	return kt_alua_md_parse_tpg(text, len, m);
}

static int kt_alua_parse_lun(const char *text, u32 len, void *m)
{
	return kt_alua_md_parse_lun(text, len, m);
}

/**
 * kt_alua_file_write_tpg - write the file of @gp: id, @state, @status
 * @gp: a group with its id set (kt_cfg_mutex held)
 * @state: the state it is in, or the one a delayed transition ends in
 * @status: its alua_access_status
 *
 * Return: 0 or a negative errno, after a ratelimited message.
 */
int kt_alua_file_write_tpg(struct kt_tg_pt_gp *gp, u8 state, u8 status)
{
	struct kt_alua_md_tpg m = { .id = gp->id, .state = state,
				    .status = status };
	char text[KT_ALUA_MD_MAX], *dir;

	lockdep_assert_held(&kt_cfg_mutex);
	dir = kt_alua_md_tpg_dir(gp);
	if (!dir)
		return -EINVAL;
	return kt_alua_file_put(gp->dev->name, dir,
				config_item_name(&gp->group.cg_item), text,
				kt_alua_md_encode_tpg(&m, text, sizeof(text)));
}

/**
 * kt_alua_file_read_tpg - read the file of @gp, if there is one
 * @gp: a group (kt_cfg_mutex held)
 * @m: filled in on success
 *
 * Return: 0; -ENOENT (no file), or another negative errno after a
 * message (a file that cannot be read or parsed).
 */
int kt_alua_file_read_tpg(struct kt_tg_pt_gp *gp, struct kt_alua_md_tpg *m)
{
	char *dir;

	lockdep_assert_held(&kt_cfg_mutex);
	dir = kt_alua_md_tpg_dir(gp);
	if (!dir)
		return -EINVAL;
	return kt_alua_file_get(gp->dev->name, dir,
				config_item_name(&gp->group.cg_item),
				kt_alua_parse_tpg, m);
}

/**
 * kt_alua_file_write_lun - write the file of @lun's port
 * @lun: a LUN linked to its device (kt_cfg_mutex held)
 * @offline: its secondary offline state
 * @status: its alua_tg_pt_status
 *
 * Return: 0 or a negative errno, after a ratelimited message.
 */
int kt_alua_file_write_lun(struct kt_lun *lun, bool offline, u8 status)
{
	struct kt_alua_md_lun m = { .offline = offline, .status = status };
	char text[KT_ALUA_MD_MAX], name[32], *dir;

	lockdep_assert_held(&kt_cfg_mutex);
	dir = kt_alua_md_lun_dir(lun);
	if (!dir)
		return -EINVAL;
	snprintf(name, sizeof(name), "lun_%llu", lun->index);
	return kt_alua_file_put(name, dir, name, text,
				kt_alua_md_encode_lun(&m, text, sizeof(text)));
}

/**
 * kt_alua_file_read_lun - read the file of @lun's port, if there is one
 * @lun: a LUN (kt_cfg_mutex held)
 * @m: filled in on success
 *
 * Return: 0; -ENOENT (no file), or another negative errno after a
 * message.
 */
int kt_alua_file_read_lun(struct kt_lun *lun, struct kt_alua_md_lun *m)
{
	char name[32], *dir;

	lockdep_assert_held(&kt_cfg_mutex);
	dir = kt_alua_md_lun_dir(lun);
	if (!dir)
		return -EINVAL;
	snprintf(name, sizeof(name), "lun_%llu", lun->index);
	return kt_alua_file_get(name, dir, name, kt_alua_parse_lun, m);
}
