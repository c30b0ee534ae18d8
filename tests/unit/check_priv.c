/*
 * Copyright (c) 2026 The bondd developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * Unit tests of bondd/priv.c and bondd/netlink.c.  Each test runs in
 * the process Check forks for it and first moves into a network
 * namespace of its own, so the host's interfaces are never touched.
 * Needs root; skips otherwise.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "netlink.h"
#include "priv.h"
#include "check_main.h"

#define TUN_NAME	"bt-tun0"

static int
enter_netns(void)
{
	int	fd;

	if (geteuid() != 0) {
		fprintf(stderr, "check_priv: not root, skipped\n");
		return 0;
	}
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	/* lo starts down in a new namespace. */
	ck_assert_int_ge(fd = nl_open(), 0);
	ck_assert_int_eq(nl_link_set(fd, if_nametoindex("lo"), 0, 0, 1), 0);
	close(fd);
	return 1;
}

static void
prefix(struct conf_prefix *p, int family, const char *addr, int plen)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->plen = plen;
	ck_assert_int_eq(inet_pton(family, addr, p->addr), 1);
}

static int
if_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int	fd, rv;

	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_DGRAM, 0), 0);
	rv = ioctl(fd, req, ifr);
	close(fd);
	return rv;
}

/* Does name carry addr/plen? */
static int
has_addr(const char *name, int family, const char *addr, int plen)
{
	struct ifaddrs	*ifa, *i;
	char		 buf[INET6_ADDRSTRLEN];
	const void	*a, *m;
	const uint8_t	*mb;
	int		 found = 0, bits, j, alen;

	ck_assert_int_eq(getifaddrs(&ifa), 0);
	for (i = ifa; i != NULL && !found; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family ||
		    strcmp(i->ifa_name, name) != 0)
			continue;
		if (family == AF_INET) {
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			m = &((struct sockaddr_in *)i->ifa_netmask)->sin_addr;
			alen = 4;
		} else {
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			m = &((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
			alen = 16;
		}
		inet_ntop(family, a, buf, sizeof(buf));
		if (strcmp(buf, addr) != 0)
			continue;
		for (bits = 0, j = 0, mb = m; j < alen; j++)
			bits += __builtin_popcount(mb[j]);
		found = bits == plen;
	}
	freeifaddrs(ifa);
	return found;
}

START_TEST(test_tun)
{
	struct conf_prefix	p[2];
	struct ifreq		ifr;
	int			fd, fd2;

	if (!enter_netns())
		return;
	ck_assert_int_ge(fd = priv_tun_open(TUN_NAME, 0), 0);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

	prefix(&p[0], AF_INET, "198.18.5.1", 24);
	prefix(&p[1], AF_INET6, "2001:db8:5::1", 64);
	ck_assert_int_eq(priv_tun_configure(TUN_NAME, p, 2, 1400, 500), 0);
	ck_assert_uint_eq(priv_device_mtu(TUN_NAME), 1400);
	ck_assert_int_eq(if_ioctl(TUN_NAME, SIOCGIFFLAGS, &ifr), 0);
	ck_assert_int_ne(ifr.ifr_flags & IFF_UP, 0);
	ck_assert_int_eq(if_ioctl(TUN_NAME, SIOCGIFTXQLEN, &ifr), 0);
	ck_assert_int_eq(ifr.ifr_qlen, 500);
	ck_assert(has_addr(TUN_NAME, AF_INET, "198.18.5.1", 24));
	ck_assert(has_addr(TUN_NAME, AF_INET6, "2001:db8:5::1", 64));
	/* Again, as on a reload: present addresses are fine. */
	ck_assert_int_eq(priv_tun_configure(TUN_NAME, p, 2, 1420, 500), 0);
	ck_assert_uint_eq(priv_device_mtu(TUN_NAME), 1420);

	/* Held by us: a second bondd must not attach. */
	errno = 0;
	ck_assert_int_eq(fd2 = priv_tun_open(TUN_NAME, 0), -1);
	ck_assert_int_eq(errno, EBUSY);

	close(fd);
	ck_assert_uint_eq(if_nametoindex(TUN_NAME), 0);
	ck_assert_int_eq(priv_tun_configure(TUN_NAME, p, 2, 1400, 500), -1);
	ck_assert_uint_eq(priv_device_mtu(TUN_NAME), 0);
	ck_assert_int_eq(priv_tun_open("bt-name-far-too-long", 0), -1);
}
END_TEST

START_TEST(test_link_socket_v4)
{
	struct conf_link	 l;
	struct sockaddr_in	*src = (struct sockaddr_in *)&l.source;
	struct sockaddr_storage	 ls;
	struct sockaddr_in	 sin, peer;
	socklen_t		 slen;
	char			 dev[IFNAMSIZ], buf[8];
	int			 fd, lfd, v;
	uint32_t		 mark;

	if (!enter_netns())
		return;
	memset(&l, 0, sizeof(l));
	strcpy(l.name, "l1");
	strcpy(l.device, "lo");
	src->sin_family = AF_INET;
	src->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l.fwmark = 0x42;
	ck_assert_int_ge(fd = priv_link_socket(&l, AF_INET), 0);

	slen = sizeof(sin);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	ck_assert_uint_eq(sin.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	ck_assert_uint_ne(sin.sin_port, 0);
	slen = sizeof(dev);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev,
	    &slen), 0);
	ck_assert_str_eq(dev, "lo");
	slen = sizeof(mark);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &slen), 0);
	ck_assert_uint_eq(mark, 0x42);
	slen = sizeof(v);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v,
	    &slen), 0);
	ck_assert_int_eq(v, IP_PMTUDISC_DO);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &slen), 0);
	ck_assert_int_ge(v, 4 * 1024 * 1024);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &slen), 0);
	ck_assert_int_ge(v, 4 * 1024 * 1024);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

	/* A listener on the same host, and one datagram between them. */
	memset(&ls, 0, sizeof(ls));
	((struct sockaddr_in *)&ls)->sin_family = AF_INET;
	((struct sockaddr_in *)&ls)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(lfd = priv_listen_socket(&ls), 0);
	slen = sizeof(peer);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&peer, &slen), 0);
	ck_assert_uint_ne(peer.sin_port, 0);
	ck_assert_int_eq(sendto(fd, "ping", 4, 0, (struct sockaddr *)&peer,
	    sizeof(peer)), 4);
	ck_assert_int_eq(recv(lfd, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
	close(lfd);
	close(fd);

	/* No source, no port: bound anyway, so the port is fixed. */
	memset(&l, 0, sizeof(l));
	strcpy(l.name, "l2");
	ck_assert_int_ge(fd = priv_link_socket(&l, AF_INET), 0);
	slen = sizeof(sin);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	ck_assert_uint_ne(sin.sin_port, 0);
	ck_assert_uint_eq(sin.sin_addr.s_addr, htonl(INADDR_ANY));
	close(fd);

	/* v4 source for a v6 peer is a configuration error. */
	src->sin_family = AF_INET;
	src->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(priv_link_socket(&l, AF_INET6), -1);
	/* A device that does not exist. */
	memset(&l, 0, sizeof(l));
	strcpy(l.device, "bt-nodev");
	ck_assert_int_eq(priv_link_socket(&l, AF_INET), -1);
}
END_TEST

START_TEST(test_link_socket_v6)
{
	struct conf_link	 l;
	struct sockaddr_in6	*src = (struct sockaddr_in6 *)&l.source;
	struct sockaddr_in6	 sin6;
	socklen_t		 slen;
	int			 fd, v;

	if (!enter_netns())
		return;
	memset(&l, 0, sizeof(l));
	strcpy(l.name, "l6");
	src->sin6_family = AF_INET6;
	src->sin6_addr = in6addr_loopback;
	l.port = 45800;
	ck_assert_int_ge(fd = priv_link_socket(&l, AF_INET6), 0);
	slen = sizeof(sin6);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin6, &slen), 0);
	ck_assert_int_eq(memcmp(&sin6.sin6_addr, &in6addr_loopback, 16), 0);
	ck_assert_uint_eq(ntohs(sin6.sin6_port), 45800);
	slen = sizeof(v);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v,
	    &slen), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v,
	    &slen), 0);
	ck_assert_int_eq(v, IPV6_PMTUDISC_DO);
	/* The port is taken now. */
	ck_assert_int_eq(priv_link_socket(&l, AF_INET6), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(fd);
}
END_TEST

START_TEST(test_ctl_socket)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	struct group		*gr;
	char			 dir[] = "/tmp/bt-ctl.XXXXXX";
	char			 path[96], sub[64], top[64];
	int			 fd, fd2, c;

	if (geteuid() != 0) {
		fprintf(stderr, "check_priv: not root, skipped\n");
		return;
	}
	ck_assert_ptr_nonnull(gr = getgrnam("nogroup"));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(top, sizeof(top), "%s/run", dir);
	snprintf(sub, sizeof(sub), "%s/run/bondd", dir);
	snprintf(path, sizeof(path), "%s/run/bondd/bondctl.sock", dir);

	ck_assert_int_ge(fd = priv_ctl_socket(path, "nogroup"), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, gr->gr_gid);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

	/* It listens: a client connects. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ck_assert_int_ge(c = socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(c);

	/* A second bondd is refused and leaves the socket alone. */
	errno = 0;
	ck_assert_int_eq(fd2 = priv_ctl_socket(path, ""), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_int_eq(lstat(path, &st), 0);

	/* After the first one died the stale socket is replaced. */
	close(fd);
	ck_assert_int_ge(fd = priv_ctl_socket(path, ""), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_gid, 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
	close(fd);
	ck_assert_int_eq(unlink(path), 0);

	/* A file that is not a socket is never removed. */
	ck_assert_int_ge(fd = open(path, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	ck_assert_int_eq(priv_ctl_socket(path, ""), -1);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(unlink(path), 0);

	ck_assert_int_eq(priv_ctl_socket(path, "bt-no-such-group"), -1);
	ck_assert_int_ne(lstat(path, &st), 0);

	ck_assert_int_eq(rmdir(sub), 0);
	ck_assert_int_eq(rmdir(top), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *
priv_suite(void)
{
	Suite	*s = suite_create("priv");
	TCase	*tc = tcase_create("netns");

	tcase_add_test(tc, test_tun);
	tcase_add_test(tc, test_link_socket_v4);
	tcase_add_test(tc, test_link_socket_v6);
	tcase_add_test(tc, test_ctl_socket);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(priv_suite());

	/* The namespace of each test must die with its own process. */
	srunner_set_fork_status(sr, CK_FORK);
	return (check_run(sr));
}
