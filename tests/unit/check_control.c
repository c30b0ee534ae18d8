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
 * Unit tests of ctld/control.c: bondctl clients on socketpairs with
 * chosen credentials, a socketpair standing in for the parent, and
 * the event loop run until nothing moves.  Checks authorization,
 * forwarding by request id, version refusal, the reasons a malformed
 * client hears, the client limit and the status reply.
 */

#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "control.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "check_main.h"

struct frame {
	struct ipc_hdr	 hdr;
	uint8_t		 data[IPC_CTL_MAXSIZE];
	size_t		 len;
};

static struct event_base	*base;
static struct ipc_chan		 parent;	/* ctld's end */
static int			 parent_fd;	/* the test's end */
static struct ipc_conf_ctld	 conf;
static struct ipc_link_stats	 links[3];
static struct ctl_snapshot	 snap;

static void
parent_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	(void)chan;
	(void)arg;
	ck_assert_ptr_nonnull(msg);
	ck_assert(msg->hdr.type == IPC_CTL_DATA ||
	    msg->hdr.type == IPC_CTL_RESULT);
	control_parent_reply(msg);
}

static void
setup(void)
{
	int	 sp[2];

	log_init(1, 0, LOG_DAEMON);
	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	ck_assert_int_eq(ipc_init(&parent, sp[0], IPC_F_FDPASS, IPC_MAXSIZE,
	    "parent"), 0);
	ck_assert_int_eq(ipc_event_set(&parent, base, parent_dispatch,
	    NULL), 0);
	parent_fd = sp[1];
	memset(&conf, 0, sizeof(conf));
	conf.role = ROLE_SERVER;
	strcpy(conf.tun_name, "bond0");
	conf.tun_mtu = 1400;
	strcpy(conf.user, "_bondd");
	strcpy(conf.group, "bondd");
	conf.gid = 995;
	memset(&snap, 0, sizeof(snap));
	memset(links, 0, sizeof(links));
	strcpy(links[0].link, "listen0");
	strcpy(links[1].link, "listen0");
	strcpy(links[2].link, "listen1");
	snap.core.tun_rx_packets = 42;
	snap.links = links;
	snap.nlinks = 3;
	control_init(base, &parent, &conf, &snap);
}

static void
teardown(void)
{
	control_shutdown();
	ipc_clear(&parent);
	close(parent_fd);
	event_base_free(base);
}

static void
pump(void)
{
	int	 i;

	for (i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

/* A client as control_accept() would adopt it: our end returned. */
static int
client(uid_t uid)
{
	int	 sp[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK,
	    0, sp), 0);
	if (control_add_client(sp[0], uid, uid, 4242) == -1)
		sp[0] = -1;
	return sp[1];
}

static void
put(int fd, uint32_t type, uint32_t pid, const void *data, size_t len)
{
	struct ipc_hdr	 hdr = { type, IPC_HDR_SIZE + len, 0, pid };

	ck_assert_int_eq(write(fd, &hdr, sizeof(hdr)), sizeof(hdr));
	if (len > 0)
		ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
}

static void
hello(int fd, uint32_t version, const char *build)
{
	struct ipc_hello	 h;

	memset(&h, 0, sizeof(h));
	h.version = version;
	h.proc = PROC_BONDCTL;
	strncpy(h.build, build, sizeof(h.build) - 1);
	put(fd, IPC_HELLO, 0, &h, sizeof(h));
}

/* Read one frame already waiting: 1, 0 at EOF, -1 if none. */
static int
get(int fd, struct frame *f)
{
	ssize_t	 n;

	n = recv(fd, &f->hdr, sizeof(f->hdr), MSG_DONTWAIT);
	if (n == 0)
		return 0;
	if (n == -1 && errno == EAGAIN)
		return -1;
	ck_assert_int_eq(n, sizeof(f->hdr));
	f->len = (f->hdr.len & ~IPC_FD_MARK) - IPC_HDR_SIZE;
	ck_assert_uint_le(f->len, sizeof(f->data));
	if (f->len > 0)
		ck_assert_int_eq(recv(fd, f->data, f->len, MSG_DONTWAIT),
		    (ssize_t)f->len);
	return 1;
}

static uint32_t
result_code(const struct frame *f)
{
	struct ipc_ctl_result	 r;

	ck_assert_uint_eq(f->hdr.type, IPC_CTL_RESULT);
	ck_assert_uint_ge(f->len, sizeof(r));
	memcpy(&r, f->data, sizeof(r));
	return r.code;
}

START_TEST(test_nonroot_denied)
{
	static const uint32_t verbs[] = { IPC_CTL_LINK_DOWN, IPC_CTL_LINK_UP,
	    IPC_CTL_RELOAD };
	struct frame	 f;
	size_t		 i;
	int		 c;

	c = client(1000);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	for (i = 0; i < 3; i++) {
		put(c, verbs[i], 0, "wan0", verbs[i] == IPC_CTL_RELOAD ? 0 : 4);
		pump();
		ck_assert_int_eq(get(c, &f), 1);
		ck_assert_uint_eq(result_code(&f), CTL_RES_DENIED);
	}
	/* Nothing reached the parent; reading verbs still work. */
	ck_assert_int_eq(get(parent_fd, &f), -1);
	put(c, IPC_CTL_VERSION, 0, NULL, 0);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(f.hdr.type, IPC_CTL_DATA);
	ck_assert_uint_eq(f.len, strlen(BONDD_VERSION));
	ck_assert_int_eq(memcmp(f.data, BONDD_VERSION, f.len), 0);
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_OK);
	close(c);
}
END_TEST

/* Root's request goes to the parent; its reply comes back by id. */
START_TEST(test_root_forwarded)
{
	struct ipc_ctl_result	 r = { CTL_RES_NOSUCHLINK };
	struct frame		 f, p;
	uint8_t			 buf[sizeof(r) + 4];
	int			 a, b;

	a = client(0);
	b = client(0);
	hello(a, CTL_PROTO_VERSION, BONDD_VERSION);
	hello(b, CTL_PROTO_VERSION, BONDD_VERSION);
	put(a, IPC_CTL_LINK_DOWN, 777, "wan0", 4);
	pump();
	ck_assert_int_eq(get(parent_fd, &p), 1);
	ck_assert_uint_eq(p.hdr.type, IPC_CTL_LINK_DOWN);
	ck_assert_uint_ne(p.hdr.pid, 0);
	ck_assert_uint_ne(p.hdr.pid, 777);
	ck_assert_uint_eq(p.len, 4);
	ck_assert_int_eq(memcmp(p.data, "wan0", 4), 0);
	/* A reply for another id reaches nobody. */
	memcpy(buf, &r, sizeof(r));
	memcpy(buf + sizeof(r), "wan0", 4);
	put(parent_fd, IPC_CTL_RESULT, p.hdr.pid + 100, buf, sizeof(buf));
	put(parent_fd, IPC_CTL_DATA, p.hdr.pid, "x", 1);
	put(parent_fd, IPC_CTL_RESULT, p.hdr.pid, buf, sizeof(buf));
	pump();
	ck_assert_int_eq(get(b, &f), -1);
	ck_assert_int_eq(get(a, &f), 1);
	ck_assert_uint_eq(f.hdr.type, IPC_CTL_DATA);
	ck_assert_int_eq(get(a, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_NOSUCHLINK);
	ck_assert_uint_eq(f.len, sizeof(buf));
	ck_assert_int_eq(get(a, &f), -1);
	close(a);
	close(b);
}
END_TEST

/*
 * The control protocol decides, not the build: a bondctl of another
 * build is served, one of another protocol is refused with both
 * protocol numbers named.
 */
START_TEST(test_version_refused)
{
	struct frame	 f;
	char		 want[256];
	int		 c;

	c = client(0);
	hello(c, CTL_PROTO_VERSION, "0.0.9");
	put(c, IPC_CTL_STATUS, 0, NULL, 0);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(f.hdr.type, IPC_CONF_CTLD);
	close(c);
	pump();

	c = client(0);
	hello(c, CTL_PROTO_VERSION + 1, BONDD_VERSION);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_VERSION);
	snprintf(want, sizeof(want), "bondctl speaks control protocol %u, "
	    "bondd %s speaks %u: use the bondctl of the running bondd, or "
	    "restart bondd", CTL_PROTO_VERSION + 1, BONDD_VERSION,
	    CTL_PROTO_VERSION);
	ck_assert_uint_eq(f.len, sizeof(struct ipc_ctl_result) +
	    strlen(want));
	ck_assert_int_eq(memcmp(f.data + sizeof(struct ipc_ctl_result), want,
	    strlen(want)), 0);
	ck_assert_int_eq(get(c, &f), 0);
	ck_assert_int_eq(control_nclients(), 0);
	close(c);

	/* The scheme before protocol numbers: refused the same way. */
	c = client(0);
	hello(c, 1, BONDD_VERSION);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_VERSION);
	close(c);
}
END_TEST

/* The check itself, as bondctl's hello reaches it. */
START_TEST(test_hello_check)
{
	struct ipc_hello h;
	char		 why[256], want[64];

	memset(&h, 0, sizeof(h));
	h.version = CTL_PROTO_VERSION;
	h.proc = PROC_BONDCTL;
	strncpy(h.build, "9.9.9", sizeof(h.build) - 1);
	ck_assert_int_eq(ctl_hello_check(&h, why, sizeof(why)), 0);
	/* Not even NUL-terminated: the build is not read. */
	memset(h.build, 'x', sizeof(h.build));
	ck_assert_int_eq(ctl_hello_check(&h, why, sizeof(why)), 0);
	h.version = CTL_PROTO_VERSION - 1;
	ck_assert_int_eq(ctl_hello_check(&h, why, sizeof(why)), -1);
	snprintf(want, sizeof(want), "protocol %u, bondd %s speaks %u:",
	    CTL_PROTO_VERSION - 1, BONDD_VERSION, CTL_PROTO_VERSION);
	ck_assert_ptr_nonnull(strstr(why, want));
	h.version = CTL_PROTO_VERSION;
	h.proc = PROC_LINKD;
	ck_assert_int_eq(ctl_hello_check(&h, why, sizeof(why)), -1);
}
END_TEST

START_TEST(test_malformed)
{
	struct frame	 f;
	int		 c;

	/* A request before HELLO. */
	c = client(0);
	put(c, IPC_CTL_STATUS, 0, NULL, 0);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_BADMSG);
	ck_assert_int_eq(get(c, &f), 0);
	close(c);

	/* A link name too long, or with a NUL. */
	c = client(0);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	put(c, IPC_CTL_LINK_UP, 0, "0123456789abcdef", 16);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_BADMSG);
	close(c);
	c = client(0);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	put(c, IPC_CTL_LINK_UP, 0, "a\0b", 3);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_BADMSG);
	close(c);

	/* An unknown type. */
	c = client(0);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	put(c, IPC_CONF_KEY, 0, "k", 1);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_BADMSG);
	close(c);
	pump();
	ck_assert_int_eq(control_nclients(), 0);
	ck_assert_int_eq(get(parent_fd, &f), -1);
}
END_TEST

/* A refused client hears why, and the connection ends. */
static void
refused(int c, const char *why)
{
	struct ipc_ctl_result	 r;
	struct frame		 f;

	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_BADMSG);
	ck_assert_uint_eq(f.len, sizeof(r) + strlen(why));
	ck_assert_int_eq(memcmp(f.data + sizeof(r), why, strlen(why)), 0);
	ck_assert_int_eq(get(c, &f), 0);
	close(c);
}

START_TEST(test_refusal_reasons)
{
	int	 c;

	c = client(0);
	put(c, IPC_CTL_VERSION, 0, NULL, 0);
	refused(c, "hello expected");

	c = client(0);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	refused(c, "hello twice");

	c = client(0);
	put(c, IPC_HELLO, 0, "short", 5);
	refused(c, "bad length");

	c = client(0);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	put(c, IPC_CTL_RELOAD, 0, "x", 1);
	refused(c, "bad length");

	c = client(0);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	put(c, IPC_CTL_RESULT, 0, "\0\0\0\0", 4);
	refused(c, "unexpected type");
	pump();
	ck_assert_int_eq(control_nclients(), 0);
}
END_TEST

START_TEST(test_status)
{
	struct ipc_conf_ctld	 cc;
	struct ipc_core_stats	 core;
	struct frame		 f;
	int			 c, i;

	c = client(1000);
	hello(c, CTL_PROTO_VERSION, BONDD_VERSION);
	put(c, IPC_CTL_STATUS, 0, NULL, 0);
	pump();
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(f.hdr.type, IPC_CONF_CTLD);
	ck_assert_uint_eq(f.len, sizeof(cc));
	memcpy(&cc, f.data, sizeof(cc));
	ck_assert_str_eq(cc.tun_name, "bond0");
	ck_assert_str_eq(cc.user, "");
	ck_assert_str_eq(cc.group, "");
	ck_assert_uint_eq(cc.gid, 0);
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(f.hdr.type, IPC_CORE_STATS);
	ck_assert_uint_eq(f.len, sizeof(core));
	memcpy(&core, f.data, sizeof(core));
	ck_assert_uint_eq(core.tun_rx_packets, 42);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(get(c, &f), 1);
		ck_assert_uint_eq(f.hdr.type, IPC_LINK_STATS);
		ck_assert_uint_eq(f.len, sizeof(links[0]));
		ck_assert_int_eq(memcmp(f.data, &links[i], f.len), 0);
	}
	ck_assert_int_eq(get(c, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_OK);
	ck_assert_int_eq(get(c, &f), -1);
	close(c);
}
END_TEST

START_TEST(test_client_limit)
{
	struct frame	 f;
	int		 c[CTL_MAX_CLIENTS], extra, i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		c[i] = client(0);
	ck_assert_int_eq(control_nclients(), CTL_MAX_CLIENTS);
	extra = client(0);
	ck_assert_int_eq(get(extra, &f), 1);
	ck_assert_uint_eq(result_code(&f), CTL_RES_FAILED);
	ck_assert_int_eq(get(extra, &f), 0);
	close(extra);
	close(c[0]);
	pump();
	ck_assert_int_eq(control_nclients(), CTL_MAX_CLIENTS - 1);
	for (i = 1; i < CTL_MAX_CLIENTS; i++)
		close(c[i]);
}
END_TEST

static Suite *
control_suite(void)
{
	Suite	*s = suite_create("control");
	TCase	*tc = tcase_create("clients");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nonroot_denied);
	tcase_add_test(tc, test_root_forwarded);
	tcase_add_test(tc, test_version_refused);
	tcase_add_test(tc, test_hello_check);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_refusal_reasons);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_client_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(control_suite())));
}
