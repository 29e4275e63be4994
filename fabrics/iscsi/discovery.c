// SPDX-License-Identifier: GPL-2.0
/*
 * SendTargets discovery (RFC 7143 appendix C): every target, and every
 * portal of every TPG of it, that the asking initiator may log in to.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/inet.h>
#include <net/ipv6.h>
#include "conn.h"

/* May @initiator see @tpg?  An ACL for it, or demo mode with discovery. */
static bool kti_tpg_visible(struct kti_tpg *tpg, const char *initiator)
{
	struct kt_node_acl *acl;

	if (!tpg->tpg.enabled || !tpg->attrib.tpg_enabled_sendtargets ||
	    list_empty(&tpg->nps))
		return false;
	if (tpg->attrib.generate_node_acls && tpg->attrib.demo_mode_discovery)
		return true;
	acl = kt_acl_get(&tpg->tpg, initiator);
	if (!acl)
		return false;
	kt_acl_put(acl);
	return true;
}

static bool kti_addr_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return ipv6_addr_any(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* Append "key=value\0"; false when @size is exhausted. */
static __printf(4, 5) bool kti_st_add(char *buf, u32 size, u32 *off,
				      const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, size - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || *off + n + 1 > size)
		return false;
	*off += n + 1;		/* keep the NUL */
	return true;
}

static bool kti_st_portal(struct kti_conn *conn, struct kti_tpg_np *tnp,
			  char *buf, u32 size, u32 *off)
{
	const struct sockaddr_storage *ss = &tnp->np->addr;
	u16 tpgt = tnp->tpg->tpg.tpgt;
	__be16 port;

	port = ss->ss_family == AF_INET ?
	       ((const struct sockaddr_in *)ss)->sin_port :
	       ((const struct sockaddr_in6 *)ss)->sin6_port;
	/* a wildcard portal is reached at the address we were reached at */
	if (kti_addr_any(ss))
		ss = &conn->local;
	if (ss->ss_family == AF_INET)
		return kti_st_add(buf, size, off, "TargetAddress=%pI4:%u,%u",
				  &((const struct sockaddr_in *)ss)->sin_addr,
				  ntohs(port), tpgt);
	return kti_st_add(buf, size, off, "TargetAddress=[%pI6c]:%u,%u",
			  &((const struct sockaddr_in6 *)ss)->sin6_addr,
			  ntohs(port), tpgt);
}

static bool kti_st_target(struct kti_conn *conn, struct kti_tiqn *tiqn,
			  char *buf, u32 size, u32 *off)
{
	const char *initiator = conn->sess->initiator;
	struct kti_tpg_np *tnp;
	struct kti_tpg *tpg;
	bool named = false;

	list_for_each_entry(tpg, &tiqn->tpgs, entry) {
		if (!kti_tpg_visible(tpg, initiator))
			continue;
		if (!named && !kti_st_add(buf, size, off, "TargetName=%s",
					  tiqn->wwn.name))
			return false;
		named = true;
		list_for_each_entry(tnp, &tpg->nps, entry)
			if (!kti_st_portal(conn, tnp, buf, size, off))
				return false;
	}
	return true;
}

/*
 * kti_sendtargets - the SendTargets=@what answer in @buf; returns its
 * length.  @what is "All" (discovery sessions only) or a target name.
 */
int kti_sendtargets(struct kti_conn *conn, const char *what, char *buf,
		    u32 size)
{
	bool all = !strcmp(what, "All");
	struct kti_tiqn *tiqn;
	u32 off = 0;

	if (all && !conn->sess->discovery)
		return 0;
	mutex_lock(&kti_mutex);
	list_for_each_entry(tiqn, &kti_tiqns, entry) {
		if (!all && *what && strcmp(what, tiqn->wwn.name))
			continue;
		if (!kti_st_target(conn, tiqn, buf, size, &off)) {
			pr_warn_ratelimited("SendTargets answer cut at %u bytes\n",
					    size);
			break;
		}
	}
	mutex_unlock(&kti_mutex);
	return off;
}
