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
 * Unit tests of the parent's rtnetlink link-event parser.
 */

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ifwatch.h"
#include "check_main.h"

struct seen {
	char	name[IFNAMSIZ];
	int	up;
	int	calls;
};

static void
record(const char *name, int up, void *arg)
{
	struct seen	*s = arg;

	snprintf(s->name, sizeof(s->name), "%s", name);
	s->up = up;
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

	/* Up but no carrier is not usable. */
	n = build(buf, RTM_NEWLINK, IFF_UP, "cl-w0", 6);
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.up, 0);

	n = build(buf, RTM_DELLINK, IFF_UP | IFF_LOWER_UP, "cl-w0", 6);
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 3);
	ck_assert_int_eq(s.up, 0);
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
	n = build(buf, RTM_NEWADDR, IFF_UP | IFF_LOWER_UP, "cl-w0", 6);
	ifwatch_parse(buf, n, record, &s);
	ck_assert_int_eq(s.calls, 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ifwatch");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, test_up_down);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return (check_run(srunner_create(s)));
}
