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
 * Unit tests of the parent's rtnetlink parser: link events (name,
 * index, up), address events (IPv4 and IPv6, tentative ones not yet
 * usable), malformed messages ignored, and on a real socket a forged
 * event from another process dropped.
 */

#include <sys/socket.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ifwatch.h"
#include "netlink.h"
#include "check_main.h"

struct seen {
	struct ifwatch_event	ev;
	char			name[IFNAMSIZ];
	int			up;
	int			calls;
};

static void
record(const struct ifwatch_event *ev, void *arg)
{
	struct seen	*s = arg;

	s->ev = *ev;
	snprintf(s->name, sizeof(s->name), "%s", ev->ifname);
	s->up = ev->up;
	s->calls++;
}

/* One RTM_NEWLINK/DELLINK message with an IFLA_IFNAME attribute. */
static size_t
build(uint8_t *buf, uint16_t type, unsigned flags, const char *name,
    size_t namelen)
{
	struct nlmsghdr		*nh = (struct nlmsghdr *)buf;
	struct ifinfomsg	*ifi;
	struct rtattr		*rta;

	memset(buf, 0, 256);
	ifi = NLMSG_DATA(nh);
	ifi->ifi_flags = flags;
	ifi->ifi_index = 7;
	rta = (struct rtattr *)((char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = RTA_LENGTH(namelen);
	memcpy(RTA_DATA(rta), name, namelen);
	nh->nlmsg_type = type;
	nh->nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*ifi)) +
	    RTA_ALIGN(rta->rta_len));
	return nh->nlmsg_len;
}

START_TEST(test_up_down)
{
	uint8_t		buf[256] __attribute__((aligned(4)));
	struct seen	s;
	size_t		n;

	memset(&s, 0, sizeof(s));
	n = build(buf, RTM_NEWLINK, IFF_UP | IFF_LOWER_UP, "cl-w0", 6);
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 1);
	ck_assert_str_eq(s.name, "cl-w0");
	ck_assert_int_eq(s.up, 1);
	ck_assert_int_eq(s.ev.kind, IFWATCH_LINK);
	ck_assert_int_eq(s.ev.present, 1);
	ck_assert_uint_eq(s.ev.ifindex, 7);

	/* Up but no carrier is not usable. */
	n = build(buf, RTM_NEWLINK, IFF_UP, "cl-w0", 6);
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.up, 0);

	ck_assert_int_eq(s.ev.present, 1);

	n = build(buf, RTM_DELLINK, IFF_UP | IFF_LOWER_UP, "cl-w0", 6);
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 3);
	ck_assert_int_eq(s.up, 0);
	ck_assert_int_eq(s.ev.present, 0);
}
END_TEST

/* One RTM_NEWADDR/DELADDR message: an address of alen bytes under
 * attribute type atype, flags in the header. */
static size_t
build_addr(uint8_t *buf, uint16_t type, int family, uint8_t flags,
    uint16_t atype, const void *addr, size_t alen)
{
	struct nlmsghdr		*nh = (struct nlmsghdr *)buf;
	struct ifaddrmsg	*ifa;
	struct rtattr		*rta;

	memset(buf, 0, 256);
	ifa = NLMSG_DATA(nh);
	ifa->ifa_family = family;
	ifa->ifa_flags = flags;
	ifa->ifa_index = 9;
	rta = (struct rtattr *)((char *)ifa + NLMSG_ALIGN(sizeof(*ifa)));
	rta->rta_type = atype;
	rta->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(rta), addr, alen);
	nh->nlmsg_type = type;
	nh->nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*ifa)) +
	    RTA_ALIGN(rta->rta_len));
	return nh->nlmsg_len;
}

START_TEST(test_addr)
{
	uint8_t			 buf[256] __attribute__((aligned(4)));
	struct in_addr		 a4;
	struct in6_addr		 a6;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	struct seen		 s;
	size_t			 n;

	memset(&s, 0, sizeof(s));
	inet_pton(AF_INET, "198.18.10.2", &a4);
	n = build_addr(buf, RTM_NEWADDR, AF_INET, 0, IFA_LOCAL, &a4,
	    sizeof(a4));
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 1);
	ck_assert_int_eq(s.ev.kind, IFWATCH_ADDR);
	ck_assert_int_eq(s.ev.present, 1);
	ck_assert_uint_eq(s.ev.ifindex, 9);
	sin = (struct sockaddr_in *)&s.ev.addr;
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_int_eq(sin->sin_addr.s_addr, a4.s_addr);
	ck_assert_int_eq(sin->sin_port, 0);

	n = build_addr(buf, RTM_DELADDR, AF_INET, 0, IFA_LOCAL, &a4,
	    sizeof(a4));
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 2);
	ck_assert_int_eq(s.ev.present, 0);

	/* IPv6: IFA_ADDRESS; not usable while duplicate detection runs. */
	inet_pton(AF_INET6, "2001:db8::2", &a6);
	n = build_addr(buf, RTM_NEWADDR, AF_INET6, IFA_F_TENTATIVE,
	    IFA_ADDRESS, &a6, sizeof(a6));
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 3);
	ck_assert_int_eq(s.ev.present, 0);
	sin6 = (struct sockaddr_in6 *)&s.ev.addr;
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_mem_eq(&sin6->sin6_addr, &a6, sizeof(a6));
	n = build_addr(buf, RTM_NEWADDR, AF_INET6, 0, IFA_ADDRESS, &a6,
	    sizeof(a6));
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.ev.present, 1);

	/* An address of the wrong length, another family: ignored. */
	n = build_addr(buf, RTM_NEWADDR, AF_INET, 0, IFA_LOCAL, &a6,
	    sizeof(a6));
	ifwatch_parse(buf, n, record, &s);
	n = build_addr(buf, RTM_NEWADDR, AF_PACKET, 0, IFA_LOCAL, &a4,
	    sizeof(a4));
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 4);
}
END_TEST

START_TEST(test_malformed)
{
	uint8_t		buf[256] __attribute__((aligned(4)));
	struct seen	s;
	size_t		n;

	memset(&s, 0, sizeof(s));
	/* A name without its NUL is ignored. */
	n = build(buf, RTM_NEWLINK, IFF_UP | IFF_LOWER_UP, "abcd", 4);
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 0);
	/* A truncated buffer is ignored. */
	n = build(buf, RTM_NEWLINK, IFF_UP | IFF_LOWER_UP, "cl-w0", 6);
	ifwatch_parse(buf, 10, record, &s);
	ck_assert_int_eq(s.calls, 0);
	/* A length field beyond the buffer is ignored. */
	((struct nlmsghdr *)buf)->nlmsg_len = 200;
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 0);
	/* Other message types are ignored. */
	n = build(buf, RTM_NEWROUTE, IFF_UP | IFF_LOWER_UP, "cl-w0", 6);
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 0);
}
END_TEST

/*
 * Any local process may send a unicast to the parent's netlink socket:
 * a "device gone" from it must not reach the parent, the kernel's own
 * events still do.
 */
START_TEST(test_forged_sender)
{
	uint8_t			 buf[256] __attribute__((aligned(4)));
	struct sockaddr_nl	 to;
	socklen_t		 len = sizeof(to);
	struct seen		 s;
	size_t			 n;
	struct conf_prefix	 addrs[8];
	int			 fd, forger;

	memset(&s, 0, sizeof(s));
	/* Subscribed to no group: the kernel's events of other tests on
	 * this host would be counted too. */
	ck_assert_int_ne(fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, NETLINK_ROUTE), -1);
	memset(&to, 0, sizeof(to));
	to.nl_family = AF_NETLINK;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	ck_assert_int_ne(forger = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE), -1);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&to, &len), 0);
	ck_assert_uint_ne(to.nl_pid, 0);
	n = build(buf, RTM_DELLINK, 0, "cl-w0", 6);
	ck_assert_int_eq(sendto(forger, buf, n, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)n);
	ck_assert_int_eq(ifwatch_read(fd, record, &s), 0);
	ck_assert_int_eq(s.calls, 0);
	/* The same bytes through nl_recv(): dropped, nothing left. */
	ck_assert_int_eq(sendto(forger, buf, n, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)n);
	ck_assert_int_eq(nl_recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(forger);
	close(fd);
	/* The kernel's answers pass: a listing of loopback's (index 1)
	 * addresses ends, with whatever number of global ones. */
	ck_assert_int_ne(fd = nl_open(), -1);
	ck_assert_int_ge(nl_addr_list(fd, 1, addrs, 8), 0);
	close(fd);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ifwatch");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, test_up_down);
	tcase_add_test(tc, test_addr);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_forged_sender);
	suite_add_tcase(s, tc);
	return (check_run(srunner_create(s)));
}
