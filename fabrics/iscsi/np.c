// SPDX-License-Identifier: GPL-2.0
/*
 * Network portals: one listening TCP socket per address, shared by every
 * TPG portal (np/<ip:port>) naming it, with an accept thread that hands
 * each new connection to login.
 */
#define pr_fmt(fmt) "ktarget_iscsi: " fmt

#include <linux/inet.h>
#include <linux/in6.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/ipv6.h>
#include "iscsi.h"
#include "conn.h"

/* listening sockets, under kti_mutex */
static LIST_HEAD(kti_nps);

static int kti_np_port(const char *s, __be16 *port)
{
	u16 p;

	if (kstrtou16(s, 10, &p) || !p)
		return -EINVAL;
	*port = htons(p);
	return 0;
}

/*
 * kti_np_parse - "a.b.c.d:port" or "[v6addr]:port" into @ss.
 */
int kti_np_parse(const char *name, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	const char *colon, *end;

	memset(ss, 0, sizeof(*ss));
	if (name[0] == '[') {
		end = strchr(name, ']');
		if (!end || end[1] != ':' ||
		    !in6_pton(name + 1, end - name - 1, s6->sin6_addr.s6_addr,
			      -1, NULL))
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		return kti_np_port(end + 2, &s6->sin6_port);
	}
	colon = strrchr(name, ':');
	if (!colon || !in4_pton(name, colon - name, (u8 *)&s4->sin_addr.s_addr,
				-1, NULL))
		return -EINVAL;
	s4->sin_family = AF_INET;
	return kti_np_port(colon + 1, &s4->sin_port);
}

static bool kti_addr_equal(const struct sockaddr_storage *a,
			   const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	{
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       ipv6_addr_equal(&x->sin6_addr, &y->sin6_addr);
	}
}

/*
 * Sleep until kthread_stop() (which wakes the thread); not interruptible:
 * the SIGINT that broke accept() may still be pending.
 */
static void kti_np_wait_stop(void)
{
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int kti_np_thread(void *arg)
{
	struct kti_np *np = arg;
	struct socket *sock;
	int ret;

	while (!kthread_should_stop()) {
		ret = kernel_accept(np->sock, &sock, 0);
		if (ret) {
			if (kthread_should_stop())
				break;
			if (ret == -EINTR || ret == -ERESTARTSYS ||
			    ret == -EAGAIN || ret == -ECONNABORTED)
				continue;
			if (ret == -EINVAL) {
				/* listener shut down: kthread_stop() follows */
				kti_np_wait_stop();
				break;
			}
			/*
			 * Out of memory or the like: try again in a while
			 * (a back-off, not a wait for an event).
			 */
			pr_warn_ratelimited("accept on %pISpc failed: %d\n",
					    &np->addr, ret);
			schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		kti_login_accept(np, sock);
	}
	return 0;
}

static int kti_np_listen(struct kti_np *np)
{
	int len = np->addr.ss_family == AF_INET ? sizeof(struct sockaddr_in) :
		  sizeof(struct sockaddr_in6);
	int ret;

	ret = sock_create_kern(&init_net, np->addr.ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &np->sock);
	if (ret)
		return ret;
	sock_set_reuseaddr(np->sock->sk);
	tcp_sock_set_nodelay(np->sock->sk);
	if (np->addr.ss_family == AF_INET6)
		ip6_sock_set_v6only(np->sock->sk);
	ret = kernel_bind(np->sock, (struct sockaddr *)&np->addr, len);
	if (!ret)
		ret = kernel_listen(np->sock, 256);
	if (ret) {
		sock_release(np->sock);
		np->sock = NULL;
	}
	return ret;
}

/*
 * kti_np_get - the listener for @ss, made on first use.  Caller holds
 * kti_mutex.
 */
struct kti_np *kti_np_get(const struct sockaddr_storage *ss)
{
	struct kti_np *np;
	int ret;

	lockdep_assert_held(&kti_mutex);
	list_for_each_entry(np, &kti_nps, entry) {
		if (kti_addr_equal(&np->addr, ss)) {
			np->users++;
			return np;
		}
	}
	np = kzalloc(sizeof(*np), GFP_KERNEL);
	if (!np)
		return ERR_PTR(-ENOMEM);
	np->addr = *ss;
	mutex_init(&np->login_mutex);
	INIT_LIST_HEAD(&np->logins);
	kref_init(&np->ref);
	ret = kti_np_listen(np);
	if (ret) {
		pr_err("cannot listen on %pISpc: %d\n", ss, ret);
		kfree(np);
		return ERR_PTR(ret);
	}
	np->thread = kthread_run(kti_np_thread, np, "kti_np");
	if (IS_ERR(np->thread)) {
		ret = PTR_ERR(np->thread);
		sock_release(np->sock);
		kfree(np);
		return ERR_PTR(ret);
	}
	np->users = 1;
	list_add_tail(&np->entry, &kti_nps);
	pr_info("listening on %pISpc\n", ss);
	return np;
}

static void kti_np_free(struct kref *ref)
{
	kfree(container_of(ref, struct kti_np, ref));
}

/* kti_np_unref - a connection is done with @np (it compared it only). */
void kti_np_unref(struct kti_np *np)
{
	kref_put(&np->ref, kti_np_free);
}

/*
 * kti_np_put - drop a user; the last one closes the listener and ends the
 * logins in progress through it.  The memory goes with the last
 * connection that came through it.
 */
void kti_np_put(struct kti_np *np)
{
	lockdep_assert_held(&kti_mutex);
	if (--np->users)
		return;
	list_del(&np->entry);
	kernel_sock_shutdown(np->sock, SHUT_RDWR);
	send_sig(SIGINT, np->thread, 1);
	kthread_stop(np->thread);
	sock_release(np->sock);
	kti_np_close_logins(np);
	pr_info("stopped listening on %pISpc\n", &np->addr);
	kti_np_unref(np);
}
