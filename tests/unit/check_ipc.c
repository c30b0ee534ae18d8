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
 * Unit tests of the IPC framing (common/ipc.c, common/ipc_event.c):
 * round trips with fds, frames split across reads, and every way a
 * peer can send a malformed frame or a stray fd; the catalogue of
 * types, and a sender's states (common/ipc_role.c).  Test code only.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event.h>

#include "ipc.h"
#include "log.h"
#include "check_main.h"

static int	sv[2];
static int	pipefd[2];

static void
setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(pipe(pipefd), 0);
}

static void
teardown(void)
{
	close(sv[0]);
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Read until a frame is complete (or the channel fails). */
static int
get_msg(struct ipc_chan *c, struct ipc_msg *m)
{
	struct pollfd	pfd;
	int		r;

	for (;;) {
		if ((r = ipc_get(c, m)) != 0)
			return r;
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		ck_assert_int_eq(poll(&pfd, 1, 2000), 1);
		if (ipc_read(c) <= 0)
			return -1;
	}
}

static void
raw_send(int fd, const void *buf, size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 2)];
	} cm;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;

	memset(&msg, 0, sizeof(msg));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ck_assert_int_eq(sendmsg(fd, &msg, 0), (ssize_t)len);
}

static void
raw_hdr(int fd, uint32_t type, uint32_t len, const int *fds, int nfds)
{
	struct ipc_hdr	hdr = { type, len, 7, 9 };

	raw_send(fd, &hdr, sizeof(hdr), fds, nfds);
}

/* Once every reader is closed, the writer gets EPIPE. */
static int
pipe_reader_closed(int wfd)
{
	return write(wfd, "x", 1) == -1 && errno == EPIPE;
}

START_TEST(test_roundtrip)
{
	struct ipc_chan	a, b;
	struct ipc_msg	m;
	char		buf[8];
	uint32_t	v = 0xdeadbeef;

	ck_assert_int_eq(ipc_init(&a, sv[0], IPC_F_FDPASS, IPC_MAXSIZE, "a"),
	    0);
	ck_assert_int_eq(ipc_init(&b, sv[1], IPC_F_FDPASS, IPC_MAXSIZE, "b"),
	    0);
	ck_assert_int_eq(ipc_compose(&a, IPC_SHUTDOWN, 1, 2, -1, NULL, 0), 0);
	ck_assert_int_eq(ipc_compose(&a, IPC_LOG, 3, 4, -1, &v, sizeof(v)), 0);
	ck_assert_int_eq(ipc_compose(&a, IPC_TUN_FD, 5, 6, pipefd[1], "tun",
	    3), 0);
	pipefd[1] = -1;		/* the channel owns it now */
	ck_assert_int_eq(ipc_compose(&a, IPC_READY, 8, 0, -1, "r", 1), 0);
	ck_assert_uint_eq(a.wqlen, 4);
	ck_assert_int_eq(ipc_flush(&a), 0);
	ck_assert_uint_eq(a.wqlen, 0);

	ck_assert_int_eq(get_msg(&b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, IPC_SHUTDOWN);
	ck_assert_uint_eq(m.hdr.id, 1);
	ck_assert_uint_eq(m.hdr.pid, 2);
	ck_assert_uint_eq(m.hdr.len, IPC_HDR_SIZE);
	ck_assert_uint_eq(m.len, 0);
	ck_assert_int_eq(m.fd, -1);

	ck_assert_int_eq(get_msg(&b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, IPC_LOG);
	ck_assert_uint_eq(m.len, sizeof(v));
	v = 0;
	ck_assert_int_eq(ipc_msg_get(&m, &v, sizeof(v)), 0);
	ck_assert_uint_eq(v, 0xdeadbeef);
	ck_assert_int_eq(ipc_msg_end(&m), 0);

	ck_assert_int_eq(get_msg(&b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, IPC_TUN_FD);
	ck_assert_uint_eq(m.hdr.len, IPC_HDR_SIZE + 3);	/* no mark */
	ck_assert_int_ge(m.fd, 0);
	ck_assert_int_eq(ipc_msg_get_str(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "tun");
	/* The received fd is the pipe's write end and works. */
	ck_assert_int_eq(write(m.fd, "z", 1), 1);
	ck_assert_int_eq(read(pipefd[0], buf, 1), 1);
	ck_assert_int_eq(buf[0], 'z');
	ck_assert_int_eq(fcntl(m.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ipc_msg_free(&m);
	ck_assert_int_eq(m.fd, -1);

	ck_assert_int_eq(get_msg(&b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, IPC_READY);
	ck_assert_int_eq(ipc_get(&b, &m), 0);
	ck_assert_int_eq(b.nrfds, 0);

	ipc_clear(&a);
	ipc_clear(&b);
	sv[0] = sv[1] = -1;
}
END_TEST

/* A bounded queue refuses what would pass its bound, and takes again
 * once the peer read. */
START_TEST(test_queue_bound)
{
	struct ipc_chan	a;
	uint8_t		p[100];
	size_t		frame = IPC_HDR_SIZE + sizeof(p);
	int		i;

	memset(p, 7, sizeof(p));
	ck_assert_int_eq(ipc_init(&a, sv[0], 0, IPC_MAXSIZE, "a"), 0);
	a.wqmax = 3 * frame;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ipc_compose(&a, IPC_LOG, 0, 0, -1, p,
		    sizeof(p)), 0);
	ck_assert_uint_eq(a.wqbytes, 3 * frame);
	errno = 0;
	ck_assert_int_eq(ipc_compose(&a, IPC_READY, 0, 0, -1, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_eq(a.wqlen, 3);
	ck_assert_int_eq(ipc_write(&a), 1);
	ck_assert_uint_eq(a.wqbytes, 0);
	ck_assert_uint_eq(a.wqlen, 0);
	ck_assert_int_eq(ipc_compose(&a, IPC_LOG, 0, 0, -1, p, sizeof(p)), 0);
	ck_assert_uint_eq(a.wqbytes, frame);
	ipc_clear(&a);
	ck_assert_uint_eq(a.wqbytes, 0);
	sv[0] = -1;
}
END_TEST

START_TEST(test_split_frame)
{
	struct ipc_chan	b;
	struct ipc_msg	m;
	uint8_t		frame[IPC_HDR_SIZE + 6];
	struct ipc_hdr	hdr = { IPC_CTL_DATA, sizeof(frame), 1, 2 };
	char		buf[16];

	memcpy(frame, &hdr, sizeof(hdr));
	memcpy(frame + IPC_HDR_SIZE, "abcdef", 6);
	ck_assert_int_eq(ipc_init(&b, sv[1], 0, IPC_CTL_MAXSIZE, "b"), 0);
	ck_assert_int_eq(write(sv[0], frame, 10), 10);
	ck_assert_int_eq(ipc_read(&b), 10);
	ck_assert_int_eq(ipc_get(&b, &m), 0);	/* header incomplete */
	ck_assert_int_eq(write(sv[0], frame + 10, 10), 10);
	ck_assert_int_eq(ipc_read(&b), 10);
	ck_assert_int_eq(ipc_get(&b, &m), 0);	/* payload incomplete */
	ck_assert_int_eq(write(sv[0], frame + 20, 2), 2);
	ck_assert_int_eq(ipc_read(&b), 2);
	ck_assert_int_eq(ipc_get(&b, &m), 1);
	ck_assert_int_eq(ipc_msg_get_str(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "abcdef");
	/* Nothing to read now: -1 with EAGAIN. */
	ck_assert_int_eq(ipc_read(&b), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(sv[0]);
	sv[0] = -1;
	ck_assert_int_eq(ipc_read(&b), 0);	/* EOF */
	ipc_clear(&b);
	sv[1] = -1;
}
END_TEST

START_TEST(test_bad_len)
{
	struct ipc_chan	b;
	struct ipc_msg	m;
	uint32_t	lens[] = { 64 + 1, 8, 0, IPC_FD_MARK | 8, 0xffffffff };
	size_t		i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		int	p[2];

		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
		ck_assert_int_eq(ipc_init(&b, p[1], IPC_F_FDPASS, 64, "b"), 0);
		raw_hdr(p[0], IPC_LOG, lens[i], NULL, 0);
		ck_assert_int_eq(ipc_read(&b), IPC_HDR_SIZE);
		ck_assert_int_eq(ipc_get(&b, &m), -1);
		ipc_clear(&b);
		close(p[0]);
	}
	/* Exactly maxsize is fine (waits for the payload). */
	ck_assert_int_eq(ipc_init(&b, sv[1], IPC_F_FDPASS, 64, "b"), 0);
	raw_hdr(sv[0], IPC_LOG, 64, NULL, 0);
	ck_assert_int_eq(ipc_read(&b), IPC_HDR_SIZE);
	ck_assert_int_eq(ipc_get(&b, &m), 0);
	ipc_clear(&b);
	sv[1] = -1;
}
END_TEST

START_TEST(test_mark_without_fd)
{
	struct ipc_chan	b;
	struct ipc_msg	m;

	ck_assert_int_eq(ipc_init(&b, sv[1], IPC_F_FDPASS, 64, "b"), 0);
	raw_hdr(sv[0], IPC_TUN_FD, IPC_FD_MARK | IPC_HDR_SIZE, NULL, 0);
	ck_assert_int_eq(ipc_read(&b), IPC_HDR_SIZE);
	ck_assert_int_eq(ipc_get(&b, &m), -1);
	ipc_clear(&b);
	sv[1] = -1;
}
END_TEST

/* The fd of a later frame does not satisfy an earlier marked one. */
START_TEST(test_mark_fd_late)
{
	struct ipc_chan	b;
	struct ipc_msg	m;
	uint8_t		two[2 * IPC_HDR_SIZE];
	struct ipc_hdr	h1 = { IPC_TUN_FD, IPC_FD_MARK | IPC_HDR_SIZE, 0, 0 };
	struct ipc_hdr	h2 = { IPC_READY, IPC_HDR_SIZE, 0, 0 };

	ck_assert_int_eq(ipc_init(&b, sv[1], IPC_F_FDPASS, 64, "b"), 0);
	raw_send(sv[0], &h1, sizeof(h1), NULL, 0);
	ck_assert_int_eq(ipc_read(&b), IPC_HDR_SIZE);
	memcpy(two, &h2, sizeof(h2));
	memcpy(two + IPC_HDR_SIZE, &h2, sizeof(h2));
	raw_send(sv[0], two, sizeof(two), &pipefd[0], 1);
	close(pipefd[0]);
	pipefd[0] = -1;
	ck_assert_int_eq(ipc_read(&b), sizeof(two));
	ck_assert_int_eq(b.nrfds, 1);
	ck_assert_int_eq(ipc_get(&b, &m), -1);
	ck_assert_int_eq(b.nrfds, 0);
	ck_assert(pipe_reader_closed(pipefd[1]));
	ipc_clear(&b);
	sv[1] = -1;
}
END_TEST

/* An fd sent with a frame that has no mark: rejected and closed. */
START_TEST(test_stray_fd)
{
	struct ipc_chan	b;
	struct ipc_msg	m;

	ck_assert_int_eq(ipc_init(&b, sv[1], IPC_F_FDPASS, 64, "b"), 0);
	raw_hdr(sv[0], IPC_READY, IPC_HDR_SIZE, &pipefd[0], 1);
	close(pipefd[0]);
	pipefd[0] = -1;
	ck_assert_int_eq(ipc_read(&b), IPC_HDR_SIZE);
	ck_assert_int_eq(b.nrfds, 1);
	ck_assert_int_eq(ipc_get(&b, &m), -1);
	ck_assert_int_eq(b.nrfds, 0);
	ck_assert(pipe_reader_closed(pipefd[1]));
	ipc_clear(&b);
	sv[1] = -1;
}
END_TEST

/* Two fds in one read: the read fails and both are closed. */
START_TEST(test_two_fds)
{
	struct ipc_chan	b;
	int		p2[2], fds[2];

	ck_assert_int_eq(pipe(p2), 0);
	fds[0] = pipefd[0];
	fds[1] = p2[0];
	ck_assert_int_eq(ipc_init(&b, sv[1], IPC_F_FDPASS, 64, "b"), 0);
	raw_hdr(sv[0], IPC_TUN_FD, IPC_FD_MARK | IPC_HDR_SIZE, fds, 2);
	close(pipefd[0]);
	close(p2[0]);
	pipefd[0] = -1;
	ck_assert_int_eq(ipc_read(&b), -1);
	ck_assert_int_eq(b.nrfds, 0);
	ck_assert(pipe_reader_closed(pipefd[1]));
	ck_assert(pipe_reader_closed(p2[1]));
	close(p2[1]);
	ipc_clear(&b);
	sv[1] = -1;
}
END_TEST

/* A non-FDPASS channel reads with read(2): the kernel drops fds. */
START_TEST(test_nofdpass_ignores_fds)
{
	struct ipc_chan	b;
	struct ipc_msg	m;
	struct ipc_hdr	h = { IPC_CTL_STATUS, IPC_HDR_SIZE, 0, 42 };

	ck_assert_int_eq(ipc_init(&b, sv[1], 0, IPC_CTL_MAXSIZE, "b"), 0);
	raw_send(sv[0], &h, sizeof(h), &pipefd[0], 1);
	close(pipefd[0]);
	pipefd[0] = -1;
	ck_assert_int_eq(get_msg(&b, &m), 1);
	ck_assert_uint_eq(m.hdr.type, IPC_CTL_STATUS);
	ck_assert_uint_eq(m.hdr.pid, 42);
	ck_assert_int_eq(m.fd, -1);
	ck_assert(pipe_reader_closed(pipefd[1]));

	/* A mark on such a channel cannot be satisfied. */
	raw_hdr(sv[0], IPC_CTL_STATUS, IPC_FD_MARK | IPC_HDR_SIZE, NULL, 0);
	ck_assert_int_eq(get_msg(&b, &m), -1);

	/* And it may not send fds either; the caller keeps its fd. */
	ck_assert_int_eq(ipc_compose(&b, IPC_CTL_DATA, 0, 0, pipefd[1], "x",
	    1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_ne(fcntl(pipefd[1], F_GETFD), -1);
	ck_assert_uint_eq(b.wqlen, 0);
	ipc_clear(&b);
	sv[1] = -1;
}
END_TEST

START_TEST(test_compose_size)
{
	struct ipc_chan	a;
	uint8_t		buf[64];
	struct iovec	iov[2];

	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(ipc_init(&a, sv[0], 0, 64, "a"), 0);
	ck_assert_int_eq(ipc_compose(&a, IPC_LOG, 0, 0, -1, buf, 48), 0);
	ck_assert_int_eq(ipc_compose(&a, IPC_LOG, 0, 0, -1, buf, 49), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	iov[0].iov_base = buf;
	iov[0].iov_len = 40;
	iov[1].iov_base = buf;
	iov[1].iov_len = 9;
	ck_assert_int_eq(ipc_composev(&a, IPC_LOG, 0, 0, -1, iov, 2), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	iov[1].iov_len = SIZE_MAX;
	ck_assert_int_eq(ipc_composev(&a, IPC_LOG, 0, 0, -1, iov, 2), -1);
	iov[1].iov_len = 8;
	ck_assert_int_eq(ipc_composev(&a, IPC_LOG, 0, 0, -1, iov, 2), 0);
	ck_assert_uint_eq(a.wqlen, 2);
	ipc_clear(&a);
	sv[0] = -1;
}
END_TEST

/* A queued fd that is never sent is closed by ipc_clear(). */
START_TEST(test_clear_closes_fd)
{
	struct ipc_chan	a;

	ck_assert_int_eq(ipc_init(&a, sv[0], IPC_F_FDPASS, 64, "a"), 0);
	ck_assert_int_eq(ipc_compose(&a, IPC_TUN_FD, 0, 0, pipefd[0], NULL, 0),
	    0);
	pipefd[0] = -1;
	ipc_clear(&a);
	sv[0] = -1;
	ck_assert(pipe_reader_closed(pipefd[1]));
}
END_TEST

static struct ipc_msg
mkmsg(const void *data, size_t len)
{
	struct ipc_msg	m;

	memset(&m, 0, sizeof(m));
	m.data = data;
	m.len = len;
	m.fd = -1;
	return m;
}

START_TEST(test_msg_get)
{
	uint8_t		p[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t		out[9];
	struct ipc_msg	m = mkmsg(p, sizeof(p));

	ck_assert_int_eq(ipc_msg_get(&m, out, 9), -1);
	ck_assert_uint_eq(m.off, 0);
	ck_assert_int_eq(ipc_msg_get(&m, out, 8), 0);
	ck_assert_mem_eq(out, p, 8);
	ck_assert_int_eq(ipc_msg_end(&m), 0);
	ck_assert_int_eq(ipc_msg_get(&m, out, 1), -1);

	m = mkmsg(p, sizeof(p));
	ck_assert_int_eq(ipc_msg_get(&m, out, 4), 0);
	ck_assert_int_ne(ipc_msg_end(&m), 0);
	ck_assert_int_eq(ipc_msg_get(&m, out, 5), -1);
	ck_assert_int_eq(ipc_msg_get(&m, out, 4), 0);
	ck_assert_uint_eq(out[0], 5);
	ck_assert_int_eq(ipc_msg_end(&m), 0);
}
END_TEST

START_TEST(test_msg_get_str)
{
	char		buf[6];
	struct ipc_msg	m;

	m = mkmsg("abc\0de", 6);
	ck_assert_int_eq(ipc_msg_get_str(&m, buf, sizeof(buf)), -1);
	m = mkmsg("abcdef", 6);
	ck_assert_int_eq(ipc_msg_get_str(&m, buf, sizeof(buf)), -1);
	m = mkmsg("abcde", 5);
	ck_assert_int_eq(ipc_msg_get_str(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "abcde");
	ck_assert_int_eq(ipc_msg_end(&m), 0);
	m = mkmsg("", 0);
	ck_assert_int_eq(ipc_msg_get_str(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	/* After a fixed part, the rest is the string. */
	m = mkmsg("\x01\x02xy", 4);
	ck_assert_int_eq(ipc_msg_get(&m, buf, 2), 0);
	ck_assert_int_eq(ipc_msg_get_str(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "xy");
}
END_TEST

START_TEST(test_check)
{
	static const struct ipc_rule rules[] = {
		{ IPC_LOG, 4, 4 + IPC_LOG_MAX, 0 },
		{ IPC_TUN_FD, 0, 0, 1 },
		{ 0, 0, 0, 0 }
	};
	uint8_t			 p[8] = { 0 };
	struct ipc_msg		 m;
	const char		*why;

	m = mkmsg(p, 4);
	m.hdr.type = IPC_LOG;
	ck_assert_ptr_eq(ipc_check(rules, &m, &why), &rules[0]);
	m.hdr.type = IPC_READY;
	ck_assert_ptr_null(ipc_check(rules, &m, &why));
	ck_assert_str_eq(why, "unexpected type");
	m = mkmsg(p, 3);
	m.hdr.type = IPC_LOG;
	ck_assert_ptr_null(ipc_check(rules, &m, &why));
	ck_assert_str_eq(why, "bad length");
	m.len = 5 + IPC_LOG_MAX;
	ck_assert_ptr_null(ipc_check(rules, &m, &why));
	ck_assert_str_eq(why, "bad length");
	m = mkmsg(p, 0);
	m.hdr.type = IPC_TUN_FD;
	ck_assert_ptr_null(ipc_check(rules, &m, &why));
	ck_assert_str_eq(why, "missing fd");
	m.fd = 0;
	ck_assert_ptr_eq(ipc_check(rules, &m, &why), &rules[1]);
	m = mkmsg(p, 4);
	m.hdr.type = IPC_LOG;
	m.fd = 0;
	ck_assert_ptr_null(ipc_check(rules, &m, &why));
	ck_assert_str_eq(why, "unexpected fd");
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(ipc_type_name(IPC_HELLO), "IPC_HELLO");
	ck_assert_str_eq(ipc_type_name(IPC_DATA_CHAN), "IPC_DATA_CHAN");
	ck_assert_str_eq(ipc_type_name(IPC_CTL_RESULT), "IPC_CTL_RESULT");
	ck_assert_str_eq(ipc_type_name(0x9999), "IPC_UNKNOWN(0x9999)");
	ck_assert_str_eq(ipc_res_str(CTL_RES_OK), "ok");
	ck_assert_str_eq(ipc_res_str(CTL_RES_PENDING),
	    "reload already in progress");
	ck_assert_str_eq(ipc_res_str(CTL_RES_FAILED), "request failed");
	ck_assert_ptr_nonnull(ipc_res_str(CTL_RES_MAX));
	ck_assert_str_eq(proc_names[PROC_LINKD], "linkd");
}
END_TEST

static int
hello_roundtrip(struct ipc_hello *h, size_t len, enum proc_id expect)
{
	struct ipc_chan	a, b;
	struct ipc_msg	m;
	int		p[2], r;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	ck_assert_int_eq(ipc_init(&a, p[0], 0, IPC_MAXSIZE, "a"), 0);
	ck_assert_int_eq(ipc_init(&b, p[1], 0, IPC_MAXSIZE, "b"), 0);
	if (h == NULL)
		ck_assert_int_eq(ipc_hello_send(&a, PROC_LINKD, 3), 0);
	else
		ck_assert_int_eq(ipc_compose(&a, IPC_HELLO, 0, 0, -1, h, len),
		    0);
	ck_assert_uint_eq(a.wqlen, 1);	/* no events: left queued */
	ck_assert_int_eq(ipc_flush(&a), 0);
	ck_assert_int_eq(get_msg(&b, &m), 1);
	r = ipc_hello_check(&m, expect);
	ipc_clear(&a);
	ipc_clear(&b);
	return r;
}

START_TEST(test_hello)
{
	struct ipc_hello	h;

	ck_assert_int_eq(hello_roundtrip(NULL, 0, PROC_LINKD), 0);
	ck_assert_int_eq(hello_roundtrip(NULL, 0, PROC_CORE), -1);

	memset(&h, 0, sizeof(h));
	h.version = IPC_VERSION;
	h.proc = PROC_LINKD;
	strncpy(h.build, BONDD_VERSION, sizeof(h.build));
	ck_assert_int_eq(hello_roundtrip(&h, sizeof(h), PROC_LINKD), 0);
	ck_assert_int_eq(hello_roundtrip(&h, sizeof(h) - 1, PROC_LINKD), -1);
	h.version = IPC_VERSION + 1;
	ck_assert_int_eq(hello_roundtrip(&h, sizeof(h), PROC_LINKD), -1);
	h.version = IPC_VERSION;
	strncpy(h.build, "0.0.9\x01", sizeof(h.build));
	ck_assert_int_eq(hello_roundtrip(&h, sizeof(h), PROC_LINKD), -1);
	/* Trailing garbage after the NUL is a different build too. */
	memset(h.build, 0, sizeof(h.build));
	strncpy(h.build, BONDD_VERSION, sizeof(h.build));
	h.build[sizeof(h.build) - 1] = 'x';
	ck_assert_int_eq(hello_roundtrip(&h, sizeof(h), PROC_LINKD), -1);
	h.build[sizeof(h.build) - 1] = '\0';
	h.proc = 77;
	ck_assert_int_eq(hello_roundtrip(&h, sizeof(h), PROC_LINKD), -1);
}
END_TEST

/* Every type has a name and bounds that fit the channels it travels. */
START_TEST(test_catalogue)
{
	const struct ipc_rule	*r, *q;
	int			 n;

	for (n = 0, r = ipc_catalogue; r->type != 0; r++, n++) {
		ck_assert_int_eq(strncmp(ipc_type_name(r->type), "IPC_", 4), 0);
		ck_assert_int_ne(strncmp(ipc_type_name(r->type),
		    "IPC_UNKNOWN", 11), 0);
		ck_assert_uint_le(r->min, r->max);
		ck_assert_uint_le(r->max, IPC_MAXSIZE - IPC_HDR_SIZE);
		if (r->fd)
			ck_assert_uint_eq(r->max, 0);
		for (q = ipc_catalogue; q != r; q++)
			ck_assert_uint_ne(q->type, r->type);
		/* Requests and replies of bondctl, and the records of its
		 * status, fit the bondctl channel, which passes no fd. */
		if ((r->type >> 8) == (IPC_CTL_STATUS >> 8) ||
		    r->type == IPC_CONF_CTLD || r->type == IPC_CORE_STATS ||
		    r->type == IPC_LINK_STATS || r->type == IPC_HELLO) {
			ck_assert_uint_le(r->max, IPC_CTL_MAXSIZE -
			    IPC_HDR_SIZE);
			ck_assert_int_eq(r->fd, 0);
		}
	}
	ck_assert_int_eq(n, IPC_NTYPES);
	ck_assert_uint_eq(ipc_catalogue[IPC_NTYPES].type, 0);
}
END_TEST

/* The catalogue's bounds of a few types, through ipc_check(). */
START_TEST(test_catalogue_bounds)
{
	static uint8_t		 p[IPC_CTL_MAXSIZE];
	struct ipc_msg		 m;
	const char		*why;

	m = mkmsg(p, sizeof(struct ipc_hello));
	m.hdr.type = IPC_HELLO;
	ck_assert_ptr_nonnull(ipc_check(ipc_catalogue, &m, &why));
	m.len--;
	ck_assert_ptr_null(ipc_check(ipc_catalogue, &m, &why));
	ck_assert_str_eq(why, "bad length");

	m = mkmsg(p, 0);
	m.hdr.type = IPC_CTL_LINK_UP;
	ck_assert_ptr_null(ipc_check(ipc_catalogue, &m, &why));
	m.len = BONDD_NAME_MAX - 1;
	ck_assert_ptr_nonnull(ipc_check(ipc_catalogue, &m, &why));
	m.len = BONDD_NAME_MAX;
	ck_assert_ptr_null(ipc_check(ipc_catalogue, &m, &why));

	m = mkmsg(p, IPC_CTL_MAXSIZE - IPC_HDR_SIZE);
	m.hdr.type = IPC_CTL_DATA;
	ck_assert_ptr_nonnull(ipc_check(ipc_catalogue, &m, &why));
	m.len++;
	ck_assert_ptr_null(ipc_check(ipc_catalogue, &m, &why));
	m.hdr.type = IPC_CTL_RESULT;
	m.len = sizeof(struct ipc_ctl_result) - 1;
	ck_assert_ptr_null(ipc_check(ipc_catalogue, &m, &why));

	m = mkmsg(p, sizeof(struct ipc_reconf_core) +
	    BONDD_MAX_PEERS * sizeof(struct ipc_reconf_peer));
	m.hdr.type = IPC_RECONF_CORE;
	ck_assert_ptr_nonnull(ipc_check(ipc_catalogue, &m, &why));
	m.len++;
	ck_assert_ptr_null(ipc_check(ipc_catalogue, &m, &why));

	m = mkmsg(p, 0);
	m.hdr.type = IPC_DATA_CHAN;
	ck_assert_ptr_null(ipc_check(ipc_catalogue, &m, &why));
	ck_assert_str_eq(why, "missing fd");
	m.hdr.type = 0x9999;
	ck_assert_ptr_null(ipc_check(ipc_catalogue, &m, &why));
	ck_assert_str_eq(why, "unexpected type");
}
END_TEST

/* A receiver's table as a child has one for its parent. */
static const struct ipc_accept from_test[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_CONF },
	{ IPC_CONF_KEY, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_SAME },
	{ IPC_CONF_PEER, IPC_IN_CONF, IPC_MANY, IPC_CONF_KEY, IPC_S_SAME },
	{ IPC_CONF_END, IPC_IN_CONF, IPC_ONCE, IPC_CONF_KEY, IPC_S_RUNNING },
	{ IPC_LINK_ADMIN, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	/* Names an earlier state: the sender must not go back. */
	{ IPC_LINK_CARRIER, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_CONF },
	{ IPC_SHUTDOWN, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

/* Offer a message of a payload length, with an fd or -1: NULL if the
 * role accepts it, else why not. */
static const char *
offer_len(struct ipc_role *r, uint32_t type, size_t len, int fd)
{
	static uint8_t			 zero[sizeof(struct ipc_conf_peer) + 1];
	const struct ipc_accept		*a;
	struct ipc_msg			 m;
	const char			*why = "unset";

	ck_assert_uint_le(len, sizeof(zero));
	m = mkmsg(zero, len);
	m.hdr.type = type;
	m.fd = fd;
	if ((a = ipc_role_accept(r, &m, &why)) != NULL) {
		ck_assert_uint_eq(a->type, type);
		ck_assert_ptr_null(why);
		return NULL;
	}
	ck_assert_ptr_nonnull(why);
	return why;
}

/* The same with the catalogue's shortest payload and no fd. */
static const char *
offer(struct ipc_role *r, uint32_t type)
{
	const struct ipc_rule	*c;

	for (c = ipc_catalogue; c->type != 0 && c->type != type; c++)
		;
	return offer_len(r, type, c->min, -1);
}

START_TEST(test_role_startup)
{
	struct ipc_role		r;

	ipc_role_init(&r, from_test);
	ck_assert_int_eq(r.state, IPC_S_HELLO);
	/* Before the hello: nothing else, and nothing the table lacks. */
	ck_assert_str_eq(offer(&r, IPC_SHUTDOWN), "hello expected");
	ck_assert_str_eq(offer(&r, IPC_CONF_KEY), "hello expected");
	ck_assert_str_eq(offer(&r, IPC_TUN_FD), "unexpected type");
	ck_assert_str_eq(offer(&r, 0x9999), "unexpected type");
	ck_assert_str_eq(offer(&r, 0), "unexpected type");
	ck_assert_str_eq(offer_len(&r, IPC_HELLO,
	    sizeof(struct ipc_hello) + 1, -1), "bad length");
	ck_assert_int_eq(r.state, IPC_S_HELLO);
	ck_assert_ptr_null(offer(&r, IPC_HELLO));
	ck_assert_int_eq(r.state, IPC_S_CONF);
	ck_assert_str_eq(offer(&r, IPC_HELLO), "hello twice");

	/* Configuration: in the table's order, the key once. */
	ck_assert_str_eq(offer(&r, IPC_LINK_ADMIN), "out of order");
	ck_assert_str_eq(offer(&r, IPC_CONF_PEER), "out of order");
	ck_assert_str_eq(offer(&r, IPC_CONF_END), "out of order");
	ck_assert_int_eq(r.state, IPC_S_CONF);
	ck_assert_ptr_null(offer(&r, IPC_CONF_KEY));
	ck_assert_str_eq(offer(&r, IPC_CONF_KEY), "twice");
	ck_assert_ptr_null(offer(&r, IPC_CONF_PEER));
	ck_assert_ptr_null(offer(&r, IPC_CONF_PEER));
	ck_assert_ptr_null(offer(&r, IPC_SHUTDOWN));
	ck_assert_int_eq(r.state, IPC_S_CONF);
	ck_assert_ptr_null(offer(&r, IPC_CONF_END));
	ck_assert_int_eq(r.state, IPC_S_RUNNING);

	/* Running: the configuration is closed. */
	ck_assert_str_eq(offer(&r, IPC_CONF_END), "twice");
	ck_assert_str_eq(offer(&r, IPC_CONF_PEER), "out of order");
	ck_assert_str_eq(offer(&r, IPC_HELLO), "hello twice");
	ck_assert_ptr_null(offer(&r, IPC_LINK_ADMIN));
	ck_assert_ptr_null(offer(&r, IPC_LINK_ADMIN));
	ck_assert_ptr_null(offer(&r, IPC_LINK_CARRIER));
	ck_assert_int_eq(r.state, IPC_S_RUNNING);
	ck_assert_ptr_null(offer(&r, IPC_SHUTDOWN));
}
END_TEST

/* A refused message changes nothing: not its once, not the state. */
START_TEST(test_role_refused)
{
	struct ipc_role		r;

	ipc_role_init(&r, from_test);
	ck_assert_str_eq(offer(&r, IPC_CONF_KEY), "hello expected");
	ck_assert_ptr_null(offer(&r, IPC_HELLO));
	ck_assert_str_eq(offer_len(&r, IPC_CONF_KEY,
	    sizeof(struct ipc_conf_key) - 1, -1), "bad length");
	ck_assert_str_eq(offer_len(&r, IPC_CONF_KEY,
	    sizeof(struct ipc_conf_key), 0), "unexpected fd");
	ck_assert_ptr_null(offer(&r, IPC_CONF_KEY));
	ck_assert_str_eq(offer_len(&r, IPC_CONF_END, 1, -1), "bad length");
	ck_assert_int_eq(r.state, IPC_S_CONF);
	ck_assert_ptr_null(offer(&r, IPC_CONF_END));
	ck_assert_int_eq(r.state, IPC_S_RUNNING);

	/* A new role, as for a restarted child, starts over. */
	ipc_role_init(&r, from_test);
	ck_assert_int_eq(r.state, IPC_S_HELLO);
	ck_assert_ptr_null(offer(&r, IPC_HELLO));
	ck_assert_ptr_null(offer(&r, IPC_CONF_KEY));
}
END_TEST

/* Event glue: the callback frees the channel in the middle of a batch. */
struct ev_state {
	struct ipc_chan	*chan;
	int		 nmsg, nnull;
	int		 free_at;
	uint32_t	 types[8];
};

static void
ev_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ev_state	*st = arg;

	ck_assert_ptr_eq(chan, st->chan);
	if (msg == NULL) {
		st->nnull++;
		ipc_clear(chan);
		free(chan);
		st->chan = NULL;
		return;
	}
	st->types[st->nmsg++] = msg->hdr.type;
	if (st->nmsg == st->free_at) {
		ipc_clear(chan);
		free(chan);
		st->chan = NULL;
	}
}

static void
ev_run(struct ev_state *st, int fd)
{
	struct event_base	*base;
	struct ipc_chan		*c;
	struct pollfd		 pfd = { fd, POLLIN, 0 };

	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	ck_assert_int_eq(ipc_init(c, fd, IPC_F_FDPASS, IPC_MAXSIZE, "t"), 0);
	st->chan = c;
	ck_assert_int_eq(ipc_event_set(c, base, ev_dispatch, st), 0);
	while (st->chan != NULL &&
	    event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK) == 0 &&
	    st->nmsg < 8) {
		if (poll(&pfd, 1, 500) == 0)
			break;
	}
	event_base_free(base);
}

START_TEST(test_event_free_in_dispatch)
{
	struct ipc_chan		a;
	struct ev_state		st;

	memset(&st, 0, sizeof(st));
	st.free_at = 2;
	ck_assert_int_eq(ipc_init(&a, sv[0], IPC_F_FDPASS, IPC_MAXSIZE, "a"),
	    0);
	ck_assert_int_eq(ipc_compose(&a, IPC_READY, 0, 0, -1, NULL, 0), 0);
	ck_assert_int_eq(ipc_compose(&a, IPC_TUN_FD, 0, 0, pipefd[0], NULL, 0),
	    0);
	pipefd[0] = -1;
	ck_assert_int_eq(ipc_compose(&a, IPC_SHUTDOWN, 0, 0, -1, NULL, 0), 0);
	ck_assert_int_eq(ipc_flush(&a), 0);
	ev_run(&st, sv[1]);
	sv[1] = -1;
	ck_assert_int_eq(st.nmsg, 2);
	ck_assert_int_eq(st.nnull, 0);
	ck_assert_uint_eq(st.types[1], IPC_TUN_FD);
	/* The fd nobody took was closed by ipc_msg_free(). */
	ck_assert(pipe_reader_closed(pipefd[1]));
	ipc_clear(&a);
	sv[0] = -1;
}
END_TEST

START_TEST(test_event_eof_once)
{
	struct ipc_chan		a;
	struct ev_state		st;

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(ipc_init(&a, sv[0], IPC_F_FDPASS, IPC_MAXSIZE, "a"),
	    0);
	ck_assert_int_eq(ipc_compose(&a, IPC_READY, 0, 0, -1, NULL, 0), 0);
	ck_assert_int_eq(ipc_flush(&a), 0);
	ipc_clear(&a);
	sv[0] = -1;
	ev_run(&st, sv[1]);
	sv[1] = -1;
	ck_assert_int_eq(st.nmsg, 1);
	ck_assert_int_eq(st.nnull, 1);
}
END_TEST

START_TEST(test_event_malformed)
{
	struct ev_state		st;

	memset(&st, 0, sizeof(st));
	raw_hdr(sv[0], IPC_READY, IPC_HDR_SIZE, NULL, 0);
	raw_hdr(sv[0], IPC_READY, 3, NULL, 0);
	raw_hdr(sv[0], IPC_READY, IPC_HDR_SIZE, NULL, 0);
	ev_run(&st, sv[1]);
	sv[1] = -1;
	ck_assert_int_eq(st.nmsg, 1);
	ck_assert_int_eq(st.nnull, 1);
}
END_TEST

/* ipc_send with events: the write event drains the queue. */
static void
send_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	(void)chan;
	(void)msg;
	(void)arg;
}

START_TEST(test_event_send)
{
	struct event_base	*base;
	struct ipc_chan		 a, b;
	struct ipc_msg		 m;
	static uint8_t		 big[60000];
	int			 i, got = 0;

	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_int_eq(ipc_init(&a, sv[0], IPC_F_FDPASS, IPC_MAXSIZE, "a"),
	    0);
	ck_assert_int_eq(ipc_init(&b, sv[1], IPC_F_FDPASS, IPC_MAXSIZE, "b"),
	    0);
	ck_assert_int_eq(ipc_event_set(&a, base, send_dispatch, NULL), 0);
	for (i = 0; i < 40; i++) {
		big[0] = i;
		ck_assert_int_eq(ipc_send(&a, IPC_LOG, i, 0, -1, big,
		    sizeof(big)), 0);
	}
	/* 2.4 MB does not fit the socket: the loop and reader alternate. */
	while (got < 40) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		while (ipc_read(&b) > 0)
			while (ipc_get(&b, &m) == 1) {
				ck_assert_uint_eq(m.hdr.id, (uint32_t)got);
				ck_assert_uint_eq(m.data[0], (uint8_t)got);
				got++;
			}
	}
	ck_assert_uint_eq(a.wqlen, 0);
	ipc_clear(&a);
	ipc_clear(&b);
	sv[0] = sv[1] = -1;
	event_base_free(base);
}
END_TEST

static Suite *
ipc_suite(void)
{
	Suite	*s = suite_create("ipc");
	TCase	*tc = tcase_create("framing");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_queue_bound);
	tcase_add_test(tc, test_split_frame);
	tcase_add_test(tc, test_bad_len);
	tcase_add_test(tc, test_mark_without_fd);
	tcase_add_test(tc, test_mark_fd_late);
	tcase_add_test(tc, test_stray_fd);
	tcase_add_test(tc, test_two_fds);
	tcase_add_test(tc, test_nofdpass_ignores_fds);
	tcase_add_test(tc, test_compose_size);
	tcase_add_test(tc, test_clear_closes_fd);
	tcase_add_test(tc, test_msg_get);
	tcase_add_test(tc, test_msg_get_str);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_catalogue);
	tcase_add_test(tc, test_catalogue_bounds);
	tcase_add_test(tc, test_role_startup);
	tcase_add_test(tc, test_role_refused);
	tcase_add_test(tc, test_hello);
	tcase_add_test(tc, test_event_free_in_dispatch);
	tcase_add_test(tc, test_event_eof_once);
	tcase_add_test(tc, test_event_malformed);
	tcase_add_test(tc, test_event_send);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_init(1, 1, LOG_DAEMON);
	log_procinit("check_ipc");
	return (check_run(srunner_create(ipc_suite())));
}
