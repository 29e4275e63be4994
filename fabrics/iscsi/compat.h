/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel interfaces of ktarget_iscsi whose form changed between
 * kernels.  This header is the only place the fabric depends on that, and
 * it tests for a feature (probed in Kbuild), never a version number.
 *
 * Sending pages by reference: up to Linux 6.4 TCP does it in ->sendpage()
 * (kernel_sendpage()); 6.5 removed that for sendmsg() with
 * MSG_SPLICE_PAGES.  KT_HAVE_KERNEL_SENDPAGE picks the form.  Do not test
 * MSG_SPLICE_PAGES instead: Debian's (stable) 6.1 defines it, but its TCP
 * ignores the flag and copies.
 */
#ifndef KTARGET_ISCSI_COMPAT_H
#define KTARGET_ISCSI_COMPAT_H

#include <linux/bvec.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uio.h>

/*
 * kti_sock_send_pages - send @len bytes of the @n pages in @bv by
 * reference: TCP takes a reference on each page it puts in a packet and
 * drops it once the peer has acknowledged the bytes.  Every page must
 * pass sendpage_ok().  @flags as for sendmsg() (MSG_MORE...).  Blocks
 * until everything is queued; 0 or -errno.
 */
#ifndef KT_HAVE_KERNEL_SENDPAGE

static inline int kti_sock_send_pages(struct socket *sock,
				      const struct bio_vec *bv, int n,
				      size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
	int ret;

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	while (msg_data_left(&msg)) {
		ret = sock_sendmsg(sock, &msg);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
	}
	return 0;
}

#else /* kernel_sendpage(): Linux 6.4 and older */

/*
 * [@off, @off + @len) of one page.  Every call but the one ending the
 * caller's data has MSG_MORE and MSG_SENDPAGE_NOTLAST (no push yet).
 */
static inline int kti_sock_send_page(struct socket *sock, struct page *page,
				     size_t off, size_t len, int flags,
				     bool last)
{
	int ret;

	if (!last)
		flags |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
	while (len) {
		ret = kernel_sendpage(sock, page, off, len, flags);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
		off += ret;
		len -= ret;
	}
	return 0;
}

/*
 * One kernel_sendpage() per page: TCP takes a reference on the page it is
 * given only, so a fragment must not run into the next page.
 */
static inline int kti_sock_send_pages(struct socket *sock,
				      const struct bio_vec *bv, int n,
				      size_t len, int flags)
{
	size_t off, l, left;
	int i, ret;

	for (i = 0; i < n && len; i++) {
		off = bv[i].bv_offset;
		left = min_t(size_t, bv[i].bv_len, len);
		while (left) {
			l = min_t(size_t, left, PAGE_SIZE - offset_in_page(off));
			ret = kti_sock_send_page(sock,
						 nth_page(bv[i].bv_page,
							  off >> PAGE_SHIFT),
						 offset_in_page(off), l, flags,
						 l == len);
			if (ret)
				return ret;
			off += l;
			left -= l;
			len -= l;
		}
	}
	return 0;
}

#endif /* KT_HAVE_KERNEL_SENDPAGE */

#endif /* KTARGET_ISCSI_COMPAT_H */
