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
 * Unit tests of linkd/udp.c: how a send batch is split into UDP GSO
 * runs (an address change, a size change, the segment and byte
 * limits); batches sent over loopback with and without GSO arriving as
 * the same datagrams in the same order; a kernel that refuses GSO
 * sends (a sendmmsg of this file's own) getting every datagram one by
 * one, in order; GRO super-datagrams cut into the datagrams that were
 * sent, each on its own.  Test code; trusts its inputs.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "udp.h"
#include "check_main.h"

static struct udp_batch	b, rb;
static struct udp_gro_batch gb;

/*
 * linkd's sendmmsg calls come here: the kernel's, or with fake_errno
 * set a kernel that refuses every GSO entry (one with a control
 * message) with that errno and records the datagrams it sends.
 */
static int	fake_errno;
static int	refused;		/* GSO entries refused */
static int	nsent;
static size_t	sent_len[UDP_BATCH];
static uint8_t	sent_tag[UDP_BATCH];	/* first byte of each */

int
sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	unsigned int	i;

	if (fake_errno == 0)
		return ((int)syscall(SYS_sendmmsg, fd, v, n, flags));
	for (i = 0; i < n; i++) {
		if (v[i].msg_hdr.msg_controllen != 0) {
			/* As the kernel: the entries before, else the
			 * error. */
			if (i > 0)
				return ((int)i);
			refused++;
			errno = fake_errno;
			return (-1);
		}
		/* Without GSO an entry is one datagram. */
		ck_assert_uint_eq(v[i].msg_hdr.msg_iovlen, 1);
		ck_assert_int_lt(nsent, UDP_BATCH);
		sent_len[nsent] = v[i].msg_hdr.msg_iov[0].iov_len;
		sent_tag[nsent] = *(uint8_t *)v[i].msg_hdr.msg_iov[0].iov_base;
		nsent++;
		v[i].msg_len = (unsigned int)v[i].msg_hdr.msg_iov[0].iov_len;
	}
	return ((int)n);
}

static void
set_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

/* Datagram i of the batch: len bytes to ip:port. */
static void
put(int i, size_t len, const char *ip, uint16_t port)
{
	b.len[i] = len;
	set_addr(&b.addr[i], ip, port);
	if (i >= b.n)
		b.n = i + 1;
}

static void
run_is(const struct udp_run *r, int first, int n, size_t seg)
{
	ck_assert_int_eq(r->first, first);
	ck_assert_int_eq(r->n, n);
	ck_assert_uint_eq(r->seg, seg);
}

START_TEST(test_runs_address_change)
{
	struct udp_run	run[UDP_BATCH];
	int		i;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < 3; i++)
		put(i, 1400, "198.18.0.2", 5800);
	/* Another port is another endpoint, so is another address. */
	put(3, 1400, "198.18.0.2", 5801);
	put(4, 1400, "198.18.0.2", 5801);
	put(5, 1400, "198.18.0.3", 5801);
	ck_assert_int_eq(udp_runs(&b, 0, b.n, UDP_GSO_SEGS, UDP_GSO_BYTES,
	    run), 3);
	run_is(&run[0], 0, 3, 1400);
	run_is(&run[1], 3, 2, 1400);
	run_is(&run[2], 5, 1, 1400);
}
END_TEST

START_TEST(test_runs_size_change)
{
	struct udp_run	run[UDP_BATCH];

	memset(&b, 0, sizeof(b));
	/* Equal, then a shorter last one that still joins. */
	put(0, 1400, "198.18.0.2", 5800);
	put(1, 1400, "198.18.0.2", 5800);
	put(2, 600, "198.18.0.2", 5800);
	/* After a shorter one a run ends, even at the same size. */
	put(3, 600, "198.18.0.2", 5800);
	/* A longer one never joins. */
	put(4, 1000, "198.18.0.2", 5800);
	put(5, 1400, "198.18.0.2", 5800);
	put(6, 1400, "198.18.0.2", 5800);
	ck_assert_int_eq(udp_runs(&b, 0, b.n, UDP_GSO_SEGS, UDP_GSO_BYTES,
	    run), 4);
	run_is(&run[0], 0, 3, 1400);
	run_is(&run[1], 3, 1, 600);
	run_is(&run[2], 4, 1, 1000);
	run_is(&run[3], 5, 2, 1400);
	/* From the middle of the batch, and up to a bound. */
	ck_assert_int_eq(udp_runs(&b, 1, 3, UDP_GSO_SEGS, UDP_GSO_BYTES,
	    run), 1);
	run_is(&run[0], 1, 2, 1400);
}
END_TEST

START_TEST(test_runs_limits)
{
	struct udp_run	run[UDP_BATCH];
	int		i, n;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < UDP_BATCH; i++)
		put(i, 1200, "198.18.0.2", 5800);
	/* The segment limit. */
	n = udp_runs(&b, 0, b.n, 10, UDP_GSO_BYTES, run);
	ck_assert_int_eq(n, (UDP_BATCH + 9) / 10);
	for (i = 0; i < n; i++)
		run_is(&run[i], i * 10, i < n - 1 ? 10 : UDP_BATCH - i * 10,
		    1200);
	/* One by one. */
	ck_assert_int_eq(udp_runs(&b, 0, b.n, 1, UDP_GSO_BYTES, run),
	    UDP_BATCH);
	for (i = 0; i < UDP_BATCH; i++)
		run_is(&run[i], i, 1, 1200);
	/* The byte limit: 9000-byte datagrams, 7 fit in 65487 bytes. */
	for (i = 0; i < 10; i++)
		b.len[i] = 9000;
	b.n = 10;
	ck_assert_int_eq(udp_runs(&b, 0, b.n, UDP_GSO_SEGS, UDP_GSO_BYTES,
	    run), 2);
	run_is(&run[0], 0, 7, 9000);
	run_is(&run[1], 7, 3, 9000);
	/* Exactly at the limit still fits. */
	b.len[0] = 65000;
	b.len[1] = UDP_GSO_BYTES - 65000;
	b.n = 2;
	ck_assert_int_eq(udp_runs(&b, 0, b.n, UDP_GSO_SEGS, UDP_GSO_BYTES,
	    run), 1);
	b.len[1]++;
	ck_assert_int_eq(udp_runs(&b, 0, b.n, UDP_GSO_SEGS, UDP_GSO_BYTES,
	    run), 2);
}
END_TEST

/*
 * A batch over loopback: every datagram arrives as it was queued, in
 * order, whether it went in a GSO run or alone.
 */
static void
loop_batch(enum udp_gso want)
{
	struct sockaddr_storage	 to;
	socklen_t		 sl = sizeof(to);
	enum udp_gso		 gso;
	size_t			 lens[] = { 1400, 1400, 1400, 700, 1400, 300,
				     1400, 1400, 1400, 1400, 1400, 90 };
	int			 rx, tx, i, n, got = 0, tries;

	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(rx, 0);
	ck_assert_int_ge(tx, 0);
	set_addr(&to, "127.0.0.1", 0);
	ck_assert_int_eq(bind(rx, (struct sockaddr *)&to,
	    sizeof(struct sockaddr_in)), 0);
	ck_assert_int_eq(getsockname(rx, (struct sockaddr *)&to, &sl), 0);
	gso = udp_gso_probe(tx);
	/* Linux since 4.18 has it, as does any kernel that runs bondd's
	 * tests; NONE would make the GSO case the plain one. */
	ck_assert_int_eq(gso, UDP_GSO_ON);
	gso = want;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < (int)(sizeof(lens) / sizeof(lens[0])); i++) {
		b.len[i] = lens[i];
		b.addr[i] = to;
		memset(b.buf[i], 'a' + i, lens[i]);
		b.buf[i][0] = (uint8_t)i;
	}
	b.n = i;
	ck_assert_int_eq(udp_send(tx, &b, &gso), 0);
	ck_assert_int_eq(b.n, 0);
	/* Loopback checksums anything: GSO stays on. */
	ck_assert_int_eq(gso, want);

	for (tries = 0; got < i && tries < 100; tries++) {
		n = udp_recv(rx, &rb, UDP_BATCH);
		ck_assert_int_ge(n, 0);
		if (n == 0) {
			usleep(10000);
			continue;
		}
		for (int j = 0; j < n; j++, got++) {
			ck_assert_int_lt(got, i);
			ck_assert_uint_eq(rb.len[j], lens[got]);
			ck_assert_uint_eq(rb.buf[j][0], (uint8_t)got);
			for (size_t k = 1; k < lens[got]; k++)
				ck_assert_uint_eq(rb.buf[j][k], 'a' + got);
		}
	}
	ck_assert_int_eq(got, i);
	/* Nothing more came. */
	usleep(20000);
	ck_assert_int_eq(udp_recv(rx, &rb, UDP_BATCH), 0);
	close(rx);
	close(tx);
}

START_TEST(test_loopback_gso)
{
	loop_batch(UDP_GSO_ON);
}
END_TEST

START_TEST(test_loopback_plain)
{
	loop_batch(UDP_GSO_NONE);
}
END_TEST

/* A batch of three runs and a lone datagram, tagged 0 .. 8. */
static void
refusable_batch(void)
{
	size_t	lens[] = { 1400, 1400, 1400, 700, 1200, 1200, 1400, 1400, 60 };
	int	i;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < (int)(sizeof(lens) / sizeof(lens[0])); i++) {
		put(i, lens[i], "198.18.0.2", i < 6 ? 5800 : 5801);
		b.buf[i][0] = (uint8_t)i;
	}
	nsent = refused = 0;
}

static void
sent_in_order(void)
{
	int	i;

	ck_assert_int_eq(nsent, 9);
	for (i = 0; i < nsent; i++) {
		ck_assert_uint_eq(sent_tag[i], i);
		ck_assert_uint_eq(sent_len[i], b.len[i]);
	}
}

START_TEST(test_refused_eio)
{
	enum udp_gso	gso = UDP_GSO_ON;

	refusable_batch();
	fake_errno = EIO;
	ck_assert_int_eq(udp_send(-1, &b, &gso), 0);
	b.n = 9;
	sent_in_order();
	/* EIO: off for good after the first refusal. */
	ck_assert_int_eq(gso, UDP_GSO_REFUSED);
	ck_assert_int_eq(refused, 1);
	refusable_batch();
	ck_assert_int_eq(udp_send(-1, &b, &gso), 0);
	b.n = 9;
	sent_in_order();
	ck_assert_int_eq(refused, 0);
	fake_errno = 0;
}
END_TEST

START_TEST(test_refused_other)
{
	enum udp_gso	gso = UDP_GSO_ON;

	/* Another error refuses that run only: GSO stays on and is
	 * tried on each of the three runs. */
	refusable_batch();
	fake_errno = EINVAL;
	ck_assert_int_eq(udp_send(-1, &b, &gso), 0);
	b.n = 9;
	sent_in_order();
	ck_assert_int_eq(gso, UDP_GSO_ON);
	ck_assert_int_eq(refused, 3);
	fake_errno = 0;
}
END_TEST

START_TEST(test_gro_segments)
{
	const uint8_t	*p;

	memset(&gb, 0, sizeof(gb));
	gb.n = 3;
	/* 3 x 1400 + 500: four segments, the last one shorter. */
	gb.len[0] = 4700;
	gb.seg[0] = 1400;
	/* One datagram. */
	gb.len[1] = 900;
	gb.seg[1] = 900;
	/* Nothing usable (truncated). */
	gb.len[2] = 0;
	gb.seg[2] = 1;
	ck_assert_uint_eq(udp_gro_seg(&gb, 0, 0, &p), 1400);
	ck_assert_ptr_eq(p, gb.buf[0]);
	ck_assert_uint_eq(udp_gro_seg(&gb, 0, 2, &p), 1400);
	ck_assert_ptr_eq(p, gb.buf[0] + 2800);
	ck_assert_uint_eq(udp_gro_seg(&gb, 0, 3, &p), 500);
	ck_assert_ptr_eq(p, gb.buf[0] + 4200);
	ck_assert_uint_eq(udp_gro_seg(&gb, 0, 4, &p), 0);
	ck_assert_uint_eq(udp_gro_seg(&gb, 0, (size_t)-1, &p), 0);
	ck_assert_uint_eq(udp_gro_seg(&gb, 1, 0, &p), 900);
	ck_assert_uint_eq(udp_gro_seg(&gb, 1, 1, &p), 0);
	ck_assert_uint_eq(udp_gro_seg(&gb, 2, 0, &p), 0);
	/* Exact multiple: no empty last segment. */
	gb.len[0] = 2800;
	ck_assert_uint_eq(udp_gro_seg(&gb, 0, 1, &p), 1400);
	ck_assert_uint_eq(udp_gro_seg(&gb, 0, 2, &p), 0);
}
END_TEST

/*
 * GSO runs sent over loopback to a GRO socket arrive coalesced; cut
 * into segments they are the datagrams sent, in order.
 */
START_TEST(test_loopback_gro)
{
	struct sockaddr_storage	 to;
	socklen_t		 sl = sizeof(to);
	enum udp_gso		 gso = UDP_GSO_ON;
	const uint8_t		*p;
	size_t			 lens[] = { 1400, 1400, 1400, 700, 1400, 300,
				     1400, 1400, 1400, 1400, 1400, 90 };
	size_t			 len, j;
	int			 rx, tx, i, n, k, got = 0, tries, merged = 0;

	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(rx, 0);
	ck_assert_int_ge(tx, 0);
	set_addr(&to, "127.0.0.1", 0);
	ck_assert_int_eq(bind(rx, (struct sockaddr *)&to,
	    sizeof(struct sockaddr_in)), 0);
	ck_assert_int_eq(getsockname(rx, (struct sockaddr *)&to, &sl), 0);
	ck_assert_int_eq(udp_gro_set(rx, 1), 0);
	memset(&b, 0, sizeof(b));
	for (i = 0; i < (int)(sizeof(lens) / sizeof(lens[0])); i++) {
		b.len[i] = lens[i];
		b.addr[i] = to;
		memset(b.buf[i], 'a' + i, lens[i]);
		b.buf[i][0] = (uint8_t)i;
	}
	b.n = i;
	ck_assert_int_eq(udp_send(tx, &b, &gso), 0);
	for (tries = 0; got < i && tries < 100; tries++) {
		n = udp_recv_gro(rx, &gb, UDP_GRO_BATCH);
		ck_assert_int_ge(n, 0);
		if (n == 0) {
			usleep(10000);
			continue;
		}
		for (k = 0; k < n; k++) {
			if (gb.seg[k] < gb.len[k])
				merged++;
			for (j = 0; (len = udp_gro_seg(&gb, k, j, &p)) > 0;
			    j++, got++) {
				ck_assert_int_lt(got, i);
				ck_assert_uint_eq(len, lens[got]);
				ck_assert_uint_eq(p[0], (uint8_t)got);
				for (size_t m = 1; m < len; m++)
					ck_assert_uint_eq(p[m], 'a' + got);
			}
		}
	}
	ck_assert_int_eq(got, i);
	/* The three runs of several datagrams came coalesced. */
	ck_assert_int_eq(merged, 3);
	close(rx);
	close(tx);
}
END_TEST

static Suite *
udp_suite(void)
{
	Suite *s = suite_create("udp");
	TCase *tc = tcase_create("runs");

	tcase_add_test(tc, test_runs_address_change);
	tcase_add_test(tc, test_runs_size_change);
	tcase_add_test(tc, test_runs_limits);
	tcase_add_test(tc, test_loopback_gso);
	tcase_add_test(tc, test_loopback_plain);
	tcase_add_test(tc, test_refused_eio);
	tcase_add_test(tc, test_refused_other);
	tcase_add_test(tc, test_gro_segments);
	tcase_add_test(tc, test_loopback_gro);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(udp_suite())));
}
