// SPDX-License-Identifier: GPL-2.0
/*
 * Storage objects: control/enable/info, and the attrib/, wwn/,
 * pr/, alua/ and statistics/ directories of core/<hba>/<dev>/.
 */
#define pr_fmt(fmt) "ktarget: " fmt

#include <linux/random.h>
#include "core.h"

/* ---------------- device state ---------------- */

bool kt_dev_exported(const struct kt_dev *dev)
{
	return dev->export_count > 0;
}

/* kt_dev_wce - is the write cache enabled (Caching mode page WCE)? */
bool kt_dev_wce(const struct kt_dev *dev)
{
	if (dev->ops->write_cache_enabled)
		return dev->ops->write_cache_enabled((struct kt_dev *)dev);
	return READ_ONCE(dev->attrib.emulate_write_cache);
}

/*
 * kt_dev_ident - copy the INQUIRY strings and company id of @dev into
 * @lu in one piece: a store running at the same time is seen whole or
 * not at all.  Any context but hard interrupt.
 */
void kt_dev_ident(struct kt_dev *dev, struct kt_lu_info *lu)
{
	BUILD_BUG_ON(sizeof(lu->serial) != sizeof(dev->unit_serial) ||
		     sizeof(lu->vendor) != sizeof(dev->vendor) ||
		     sizeof(lu->product) != sizeof(dev->product) ||
		     sizeof(lu->revision) != sizeof(dev->revision));
	spin_lock_bh(&dev->ident_lock);
	memcpy(lu->vendor, dev->vendor, sizeof(lu->vendor));
	memcpy(lu->product, dev->product, sizeof(lu->product));
	memcpy(lu->revision, dev->revision, sizeof(lu->revision));
	memcpy(lu->serial, dev->unit_serial, sizeof(lu->serial));
	lu->company_id = dev->company_id;
	spin_unlock_bh(&dev->ident_lock);
}

u64 kt_dev_capacity(const struct kt_dev *dev)
{
	u32 bs = dev->attrib.block_size;

	if (!bs || !dev->hw_block_size)
		return 0;
	return div_u64(dev->nr_blocks * dev->hw_block_size, bs);
}
EXPORT_SYMBOL_GPL(kt_dev_capacity);

static void kt_dev_default_serial(struct kt_dev *dev)
{
	u8 r[16];

	get_random_bytes(r, sizeof(r));
	r[6] = (r[6] & 0x0f) | 0x40;	/* RFC 4122 version 4 */
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(dev->unit_serial, sizeof(dev->unit_serial), "%pUb", r);
}

void kt_dev_set_defaults(struct kt_dev *dev)
{
	struct kt_dev_attrib *a = &dev->attrib;

	spin_lock_init(&dev->ident_lock);
	a->emulate_dpo = 1;
	a->emulate_fua_write = 1;
	a->emulate_tas = 1;
	a->emulate_caw = 1;
	a->emulate_3pc = 1;
	a->emulate_pr = 1;
	a->enforce_pr_isids = 1;
	a->alua_support = 1;
	a->pgr_support = 1;
	a->block_size = 512;
	strscpy(dev->vendor, "LIO-ORG", sizeof(dev->vendor));
	strscpy(dev->product, dev->ops->inquiry_prod, sizeof(dev->product));
	strscpy(dev->revision, dev->ops->inquiry_rev, sizeof(dev->revision));
	dev->company_id = 0x001405;
	kt_dev_default_serial(dev);
}

/*
 * kt_dev_control - apply "key=value,key=value" (kt_cfg_mutex held).
 * Unknown keys are ignored, as LIO does, so that newer tools work.
 */
int kt_dev_control(struct kt_dev *dev, char *opts)
{
	char *tok, *val;
	int ret;

	if (dev->configured) {
		pr_err_ratelimited("%s: control is refused once the device is enabled\n",
				   dev->name);
		return -EBUSY;
	}
	while ((tok = strsep(&opts, ",\n")) != NULL) {
		tok = strim(tok);
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (val)
			*val++ = '\0';
		ret = dev->ops->set_param(dev, tok, val ? val : "");
		if (ret == -ENOENT) {
			pr_info("%s: ignoring unknown control key %s\n",
				dev->name, tok);
			continue;
		}
		if (ret)
			return ret;
	}
	return 0;
}

int kt_dev_enable(struct kt_dev *dev)
{
	int ret;

	if (dev->configured) {
		pr_err_ratelimited("%s: already enabled\n", dev->name);
		return -EEXIST;
	}
	ret = dev->ops->configure_dev(dev);
	if (ret)
		return ret;
	if (!dev->hw_block_size || !dev->hw_max_sectors ||
	    !dev->hw_queue_depth) {
		pr_err_ratelimited("%s: backstore left its limits unset\n", dev->name);
		return -EINVAL;
	}
	dev->attrib.block_size = dev->hw_block_size;
	dev->attrib.optimal_sectors = dev->hw_max_sectors;
	dev->attrib.queue_depth = dev->hw_queue_depth;
	dev->attrib.unmap_zeroes_data = dev->unmap_zeroes;
	if (dev->attrib.emulate_model_alias) {
		spin_lock_bh(&dev->ident_lock);
		strscpy(dev->product, dev->name, sizeof(dev->product));
		spin_unlock_bh(&dev->ident_lock);
	}
	dev->configured = true;
	return 0;
}

ssize_t kt_dev_info(struct kt_dev *dev, char *page)
{
	ssize_t len;

	len = sprintf(page,
		      "Status: %s  Max Queue Depth: %u  SectorSize: %u  HwMaxSectors: %u\n",
		      dev->export_count ? "ACTIVATED" : "DEACTIVATED",
		      dev->attrib.queue_depth, dev->attrib.block_size,
		      dev->hw_max_sectors);
	len += dev->ops->show_params(dev, page + len);
	return len;
}

void kt_dev_free(struct kt_dev *dev)
{
	struct kt_backend_ops *ops = dev->hba->ops;

	kt_dev_pr_free(dev);
	kt_dev_alua_free(dev);
	ops->free_dev(dev);
}

/* ---------------- attrib/ ---------------- */

/*
 * One row per attribute: its field, its range and whether it is frozen
 * while the device is exported.  configfs passes no attribute pointer to
 * show/store, so each file gets a two-line thunk that names its row.
 */
struct kt_attrib_desc {
	const char *name;
	size_t off;
	u32 min;
	u32 max;
	bool frozen;		/* only while not exported */
	int (*check)(struct kt_dev *dev, u32 val);
};

/*
 * Writing 0 is accepted everywhere: rtslib saves every attribute and
 * writes them all back on restore, iblock's 0 included.
 */
static int kt_check_write_cache(struct kt_dev *dev, u32 val)
{
	if (val && dev->ops->write_cache_enabled) {
		pr_err_ratelimited("%s: the backing device's own write cache setting applies\n",
				   dev->name);
		return -EINVAL;
	}
	return 0;
}

static int kt_check_unsupported(struct kt_dev *dev, u32 val)
{
	if (!val)
		return 0;
	pr_err_ratelimited("%s: this feature is not supported yet\n", dev->name);
	return -EOPNOTSUPP;
}

/*
 * Thin provisioning needs a backstore that can unmap (->unmap) and, if
 * it says so, can on this device now (->unmap_check: iblock's queue must
 * take discards).  UNMAP also needs a descriptor to be allowed, as LIO
 * has it: the backstore sets max_unmap_block_desc_count at enable.
 */
static int kt_check_can_unmap(struct kt_dev *dev, u32 val)
{
	if (!val)
		return 0;
	if (!dev->ops->unmap) {
		pr_err_ratelimited("%s: the %s backstore cannot unmap blocks\n",
				   dev->name, dev->ops->name);
		return -EOPNOTSUPP;
	}
	return dev->ops->unmap_check ? dev->ops->unmap_check(dev) : 0;
}

static int kt_check_tpu(struct kt_dev *dev, u32 val)
{
	if (val && !dev->attrib.max_unmap_block_desc_count) {
		pr_err_ratelimited("%s: emulate_tpu needs max_unmap_block_desc_count > 0 (set when the device is enabled)\n",
				   dev->name);
		return -EINVAL;
	}
	return kt_check_can_unmap(dev, val);
}

/* LBPRZ only where unmapped blocks really read as zeroes */
static int kt_check_unmap_zeroes(struct kt_dev *dev, u32 val)
{
	if (val && !dev->unmap_zeroes) {
		pr_err_ratelimited("%s: unmapped blocks of this device do not read as zeroes\n",
				   dev->name);
		return -EINVAL;
	}
	return 0;
}

static int kt_check_block_size(struct kt_dev *dev, u32 val)
{
	if (!is_power_of_2(val) ||
	    (dev->hw_block_size && val % dev->hw_block_size)) {
		pr_err_ratelimited("%s: block_size %u must be a power of two and a multiple of hw_block_size %u\n",
				   dev->name, val, dev->hw_block_size);
		return -EINVAL;
	}
	return 0;
}

static int kt_check_queue_depth(struct kt_dev *dev, u32 val)
{
	if (dev->hw_queue_depth && val > dev->hw_queue_depth) {
		pr_err_ratelimited("%s: queue_depth %u exceeds hw_queue_depth %u\n",
				   dev->name, val, dev->hw_queue_depth);
		return -EINVAL;
	}
	return 0;
}

static int kt_check_optimal(struct kt_dev *dev, u32 val)
{
	if (dev->hw_max_sectors && val > dev->hw_max_sectors) {
		pr_err_ratelimited("%s: optimal_sectors %u exceeds hw_max_sectors %u\n",
				   dev->name, val, dev->hw_max_sectors);
		return -EINVAL;
	}
	return 0;
}

#define KT_A(_n, _min, _max, _frozen, _check)				\
	{ #_n, offsetof(struct kt_dev_attrib, _n), _min, _max, _frozen, _check }

static const struct kt_attrib_desc kt_attrib_table[] = {
	KT_A(emulate_model_alias, 0, 1, true, NULL),
	KT_A(emulate_dpo, 0, 1, false, NULL),
	KT_A(emulate_fua_write, 0, 1, false, NULL),
	KT_A(emulate_fua_read, 0, 0, false, NULL),	/* LIO's: read-only 0 */
	KT_A(emulate_write_cache, 0, 1, false, kt_check_write_cache),
	KT_A(emulate_ua_intlck_ctrl, 0, 2, true, NULL),
	KT_A(emulate_tas, 0, 1, false, NULL),
	KT_A(emulate_tpu, 0, 1, false, kt_check_tpu),
	KT_A(emulate_tpws, 0, 1, false, kt_check_can_unmap),
	KT_A(emulate_caw, 0, 1, false, NULL),
	KT_A(emulate_3pc, 0, 1, false, NULL),
	KT_A(emulate_pr, 0, 1, true, NULL),
	KT_A(pi_prot_type, 0, 3, true, kt_check_unsupported),
	KT_A(pi_prot_verify, 0, 1, false, kt_check_unsupported),
	KT_A(enforce_pr_isids, 0, 1, false, NULL),
	KT_A(force_pr_aptpl, 0, 1, false, NULL),
	KT_A(is_nonrot, 0, 1, false, NULL),
	KT_A(emulate_rest_reord, 0, 1, false, kt_check_unsupported),
	KT_A(block_size, 512, 4096, true, kt_check_block_size),
	KT_A(optimal_sectors, 1, U32_MAX, true, kt_check_optimal),
	KT_A(queue_depth, 1, U32_MAX, true, kt_check_queue_depth),
	KT_A(max_unmap_lba_count, 0, U32_MAX, false, NULL),
	KT_A(max_unmap_block_desc_count, 0, U32_MAX, false, NULL),
	KT_A(unmap_granularity, 0, U32_MAX, false, NULL),
	KT_A(unmap_granularity_alignment, 0, 0x7fffffff, false, NULL),
	KT_A(unmap_zeroes_data, 0, 1, false, kt_check_unmap_zeroes),
	KT_A(max_write_same_len, 0, U32_MAX, false, NULL),
	KT_A(alua_support, 0, 1, true, NULL),
	KT_A(pgr_support, 0, 1, true, NULL),
};

/* Is @d one of the attributes that turn provisioning management on? */
static bool kt_attrib_lbp(const struct kt_attrib_desc *d)
{
	return d->off == offsetof(struct kt_dev_attrib, emulate_tpu) ||
	       d->off == offsetof(struct kt_dev_attrib, emulate_tpws) ||
	       d->off == offsetof(struct kt_dev_attrib, unmap_zeroes_data);
}

static const struct kt_attrib_desc *kt_attrib_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kt_attrib_table); i++)
		if (!strcmp(kt_attrib_table[i].name, name))
			return &kt_attrib_table[i];
	return NULL;
}

static struct kt_dev *kt_dev_from_attrib(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_dev,
			    attrib_group);
}

static u32 *kt_attrib_field(struct kt_dev *dev, const struct kt_attrib_desc *d)
{
	return (u32 *)((u8 *)&dev->attrib + d->off);
}

static ssize_t kt_attrib_show(struct config_item *item, char *page,
			      const char *name)
{
	struct kt_dev *dev = kt_dev_from_attrib(item);

	return sprintf(page, "%u\n",
		       READ_ONCE(*kt_attrib_field(dev, kt_attrib_find(name))));
}

static ssize_t kt_attrib_store(struct config_item *item, const char *page,
			       size_t count, const char *name)
{
	const struct kt_attrib_desc *d = kt_attrib_find(name);
	struct kt_dev *dev = kt_dev_from_attrib(item);
	u32 val, *field = kt_attrib_field(dev, d);
	int ret;

	ret = kstrtou32(page, 0, &val);
	if (ret || val < d->min || val > d->max) {
		pr_err_ratelimited("%s: %s takes a value from %u to %u\n",
				   dev->name, d->name, d->min, d->max);
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	if (d->frozen && kt_dev_exported(dev)) {
		pr_err_ratelimited("%s: %s cannot change while the device is exported\n",
				   dev->name, d->name);
		ret = -EBUSY;
	} else if (d->check) {
		ret = d->check(dev, val);
	}
	if (!ret && *field != val) {
		/* commands read it without the mutex: one untorn store */
		WRITE_ONCE(*field, val);
		/* WCE, or DPOFUA of the mode parameter header */
		if (d->off == offsetof(struct kt_dev_attrib,
				       emulate_write_cache) ||
		    d->off == offsetof(struct kt_dev_attrib,
				       emulate_fua_write))
			kt_ua_dev_others(dev, NULL, KT_UA_MODE_CHANGED);
		/* VPD B2 and READ CAPACITY (16) say something else now */
		if (kt_attrib_lbp(d))
			kt_ua_dev_others(dev, NULL, KT_UA_INQUIRY_CHANGED);
	}
	mutex_unlock(&kt_cfg_mutex);
	return ret ? ret : count;
}

#define KT_ATTRIB(_n)							\
static ssize_t kt_attrib_##_n##_show(struct config_item *item, char *page) \
{									\
	return kt_attrib_show(item, page, #_n);				\
}									\
static ssize_t kt_attrib_##_n##_store(struct config_item *item,	\
				      const char *page, size_t count)	\
{									\
	return kt_attrib_store(item, page, count, #_n);			\
}									\
CONFIGFS_ATTR(kt_attrib_, _n)

KT_ATTRIB(emulate_model_alias);
KT_ATTRIB(emulate_dpo);
KT_ATTRIB(emulate_fua_write);
KT_ATTRIB(emulate_fua_read);
KT_ATTRIB(emulate_write_cache);
KT_ATTRIB(emulate_ua_intlck_ctrl);
KT_ATTRIB(emulate_tas);
KT_ATTRIB(emulate_tpu);
KT_ATTRIB(emulate_tpws);
KT_ATTRIB(emulate_caw);
KT_ATTRIB(emulate_3pc);
KT_ATTRIB(emulate_pr);
KT_ATTRIB(pi_prot_type);
KT_ATTRIB(pi_prot_verify);
KT_ATTRIB(enforce_pr_isids);
KT_ATTRIB(force_pr_aptpl);
KT_ATTRIB(is_nonrot);
KT_ATTRIB(emulate_rest_reord);
KT_ATTRIB(block_size);
KT_ATTRIB(optimal_sectors);
KT_ATTRIB(queue_depth);
KT_ATTRIB(max_unmap_lba_count);
KT_ATTRIB(max_unmap_block_desc_count);
KT_ATTRIB(unmap_granularity);
KT_ATTRIB(unmap_granularity_alignment);
KT_ATTRIB(unmap_zeroes_data);
KT_ATTRIB(max_write_same_len);
KT_ATTRIB(alua_support);
KT_ATTRIB(pgr_support);

static ssize_t kt_attrib_hw_block_size_show(struct config_item *item,
					    char *page)
{
	return sprintf(page, "%u\n", kt_dev_from_attrib(item)->hw_block_size);
}

static ssize_t kt_attrib_hw_max_sectors_show(struct config_item *item,
					     char *page)
{
	return sprintf(page, "%u\n", kt_dev_from_attrib(item)->hw_max_sectors);
}

static ssize_t kt_attrib_hw_queue_depth_show(struct config_item *item,
					     char *page)
{
	return sprintf(page, "%u\n", kt_dev_from_attrib(item)->hw_queue_depth);
}

static ssize_t kt_attrib_hw_pi_prot_type_show(struct config_item *item,
					      char *page)
{
	return sprintf(page, "0\n");
}

static ssize_t kt_attrib_pi_prot_format_show(struct config_item *item,
					     char *page)
{
	return sprintf(page, "0\n");
}

static ssize_t kt_attrib_pi_prot_format_store(struct config_item *item,
					      const char *page, size_t count)
{
	u32 val;

	if (kstrtou32(page, 0, &val) || val) {
		pr_err_ratelimited("pi_prot_format: protection information is not enabled\n");
		return -EINVAL;
	}
	return count;
}

CONFIGFS_ATTR_RO(kt_attrib_, hw_block_size);
CONFIGFS_ATTR_RO(kt_attrib_, hw_max_sectors);
CONFIGFS_ATTR_RO(kt_attrib_, hw_queue_depth);
CONFIGFS_ATTR_RO(kt_attrib_, hw_pi_prot_type);
CONFIGFS_ATTR(kt_attrib_, pi_prot_format);

static struct configfs_attribute *kt_attrib_attrs[] = {
	&kt_attrib_attr_emulate_model_alias,
	&kt_attrib_attr_emulate_dpo,
	&kt_attrib_attr_emulate_fua_write,
	&kt_attrib_attr_emulate_fua_read,
	&kt_attrib_attr_emulate_write_cache,
	&kt_attrib_attr_emulate_ua_intlck_ctrl,
	&kt_attrib_attr_emulate_tas,
	&kt_attrib_attr_emulate_tpu,
	&kt_attrib_attr_emulate_tpws,
	&kt_attrib_attr_emulate_caw,
	&kt_attrib_attr_emulate_3pc,
	&kt_attrib_attr_emulate_pr,
	&kt_attrib_attr_pi_prot_type,
	&kt_attrib_attr_hw_pi_prot_type,
	&kt_attrib_attr_pi_prot_format,
	&kt_attrib_attr_pi_prot_verify,
	&kt_attrib_attr_enforce_pr_isids,
	&kt_attrib_attr_force_pr_aptpl,
	&kt_attrib_attr_is_nonrot,
	&kt_attrib_attr_emulate_rest_reord,
	&kt_attrib_attr_hw_block_size,
	&kt_attrib_attr_block_size,
	&kt_attrib_attr_hw_max_sectors,
	&kt_attrib_attr_optimal_sectors,
	&kt_attrib_attr_hw_queue_depth,
	&kt_attrib_attr_queue_depth,
	&kt_attrib_attr_max_unmap_lba_count,
	&kt_attrib_attr_max_unmap_block_desc_count,
	&kt_attrib_attr_unmap_granularity,
	&kt_attrib_attr_unmap_granularity_alignment,
	&kt_attrib_attr_unmap_zeroes_data,
	&kt_attrib_attr_max_write_same_len,
	&kt_attrib_attr_alua_support,
	&kt_attrib_attr_pgr_support,
	NULL,
};

const struct config_item_type kt_dev_attrib_type = {
	.ct_attrs = kt_attrib_attrs,
	.ct_owner = THIS_MODULE,
};

/* ---------------- wwn/ ---------------- */

static struct kt_dev *kt_dev_from_wwn(struct config_item *item)
{
	return container_of(to_config_group(item), struct kt_dev, wwn_group);
}

/*
 * Store an INQUIRY string: printable ASCII only, at most @size - 1 bytes,
 * refused while exported (initiators cache INQUIRY data).
 */
static ssize_t kt_wwn_store_str(struct config_item *item, char *dst,
				size_t size, const char *page, size_t count,
				const char *what)
{
	struct kt_dev *dev = kt_dev_from_wwn(item);
	size_t len = count, i;

	if (len && page[len - 1] == '\n')
		len--;
	if (len >= size) {
		pr_err_ratelimited("%s: %s longer than %zu characters\n", dev->name, what,
				   size - 1);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (page[i] < 0x20 || page[i] > 0x7e) {
			pr_err_ratelimited("%s: %s must be printable ASCII\n", dev->name,
					   what);
			return -EINVAL;
		}
	}
	mutex_lock(&kt_cfg_mutex);
	if (kt_dev_exported(dev)) {
		mutex_unlock(&kt_cfg_mutex);
		pr_err_ratelimited("%s: %s cannot change while the device is exported\n",
				   dev->name, what);
		return -EBUSY;
	}
	spin_lock_bh(&dev->ident_lock);
	memcpy(dst, page, len);
	memset(dst + len, 0, size - len);
	spin_unlock_bh(&dev->ident_lock);
	mutex_unlock(&kt_cfg_mutex);
	return count;
}

/* sprintf one INQUIRY string of @dev with @fmt, copied whole. */
static ssize_t kt_wwn_show_str(struct config_item *item, char *page,
			       const char *fmt, const char *str)
{
	struct kt_dev *dev = kt_dev_from_wwn(item);
	ssize_t len;

	spin_lock_bh(&dev->ident_lock);
	len = sprintf(page, fmt, str);
	spin_unlock_bh(&dev->ident_lock);
	return len;
}

static ssize_t kt_wwn_vendor_id_show(struct config_item *item, char *page)
{
	return kt_wwn_show_str(item, page, "%s\n",
			       kt_dev_from_wwn(item)->vendor);
}

static ssize_t kt_wwn_vendor_id_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_wwn(item);

	return kt_wwn_store_str(item, dev->vendor, sizeof(dev->vendor), page,
				count, "vendor_id");
}

static ssize_t kt_wwn_product_id_show(struct config_item *item, char *page)
{
	return kt_wwn_show_str(item, page, "%s\n",
			       kt_dev_from_wwn(item)->product);
}

static ssize_t kt_wwn_product_id_store(struct config_item *item,
				       const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_wwn(item);

	return kt_wwn_store_str(item, dev->product, sizeof(dev->product),
				page, count, "product_id");
}

static ssize_t kt_wwn_revision_show(struct config_item *item, char *page)
{
	return kt_wwn_show_str(item, page, "%s\n",
			       kt_dev_from_wwn(item)->revision);
}

static ssize_t kt_wwn_revision_store(struct config_item *item,
				     const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_wwn(item);

	return kt_wwn_store_str(item, dev->revision, sizeof(dev->revision),
				page, count, "revision");
}

static ssize_t kt_wwn_vpd_unit_serial_show(struct config_item *item,
					   char *page)
{
	return kt_wwn_show_str(item, page, "T10 VPD Unit Serial Number: %s\n",
			       kt_dev_from_wwn(item)->unit_serial);
}

static ssize_t kt_wwn_vpd_unit_serial_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_wwn(item);

	if (!count || (count == 1 && page[0] == '\n')) {
		pr_err_ratelimited("%s: empty unit serial\n", dev->name);
		return -EINVAL;
	}
	return kt_wwn_store_str(item, dev->unit_serial, 255, page, count,
				"vpd_unit_serial");
}

static ssize_t kt_wwn_company_id_show(struct config_item *item, char *page)
{
	return sprintf(page, "%#08x\n",
		       READ_ONCE(kt_dev_from_wwn(item)->company_id));
}

static ssize_t kt_wwn_company_id_store(struct config_item *item,
				       const char *page, size_t count)
{
	struct kt_dev *dev = kt_dev_from_wwn(item);
	u32 val;

	if (kstrtou32(page, 0, &val) || val > 0xffffff) {
		pr_err_ratelimited("%s: company_id is a 24-bit IEEE OUI\n", dev->name);
		return -EINVAL;
	}
	mutex_lock(&kt_cfg_mutex);
	if (kt_dev_exported(dev)) {
		mutex_unlock(&kt_cfg_mutex);
		pr_err_ratelimited("%s: company_id cannot change while exported\n",
				   dev->name);
		return -EBUSY;
	}
	spin_lock_bh(&dev->ident_lock);
	dev->company_id = val;
	spin_unlock_bh(&dev->ident_lock);
	mutex_unlock(&kt_cfg_mutex);
	return count;
}

static ssize_t kt_wwn_vpd_protocol_identifier_show(struct config_item *item,
						   char *page)
{
	return 0;
}

static ssize_t kt_wwn_vpd_assoc_logical_unit_show(struct config_item *item,
						  char *page)
{
	struct kt_dev *dev = kt_dev_from_wwn(item);

	return kt_wwn_show_str(item, page,
			       "Device Identification Association: addressed logical unit\n"
			       "T10 VPD Unit Serial Number: %s\n",
			       dev->unit_serial);
}

static ssize_t kt_wwn_vpd_assoc_target_port_show(struct config_item *item,
						 char *page)
{
	return 0;
}

static ssize_t
kt_wwn_vpd_assoc_scsi_target_device_show(struct config_item *item, char *page)
{
	return 0;
}

CONFIGFS_ATTR(kt_wwn_, vendor_id);
CONFIGFS_ATTR(kt_wwn_, product_id);
CONFIGFS_ATTR(kt_wwn_, revision);
CONFIGFS_ATTR(kt_wwn_, vpd_unit_serial);
CONFIGFS_ATTR(kt_wwn_, company_id);
CONFIGFS_ATTR_RO(kt_wwn_, vpd_protocol_identifier);
CONFIGFS_ATTR_RO(kt_wwn_, vpd_assoc_logical_unit);
CONFIGFS_ATTR_RO(kt_wwn_, vpd_assoc_target_port);
CONFIGFS_ATTR_RO(kt_wwn_, vpd_assoc_scsi_target_device);

static struct configfs_attribute *kt_wwn_attrs[] = {
	&kt_wwn_attr_vendor_id,
	&kt_wwn_attr_product_id,
	&kt_wwn_attr_revision,
	&kt_wwn_attr_vpd_unit_serial,
	&kt_wwn_attr_company_id,
	&kt_wwn_attr_vpd_protocol_identifier,
	&kt_wwn_attr_vpd_assoc_logical_unit,
	&kt_wwn_attr_vpd_assoc_target_port,
	&kt_wwn_attr_vpd_assoc_scsi_target_device,
	NULL,
};

const struct config_item_type kt_dev_wwn_type = {
	.ct_attrs = kt_wwn_attrs,
	.ct_owner = THIS_MODULE,
};

/* ---------------- action/ ---------------- */

const struct config_item_type kt_dev_action_type = {
	.ct_owner = THIS_MODULE,
};
