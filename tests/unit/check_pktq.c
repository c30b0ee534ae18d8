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
 * Unit tests of the core <-> linkd packet queue (common/pktq.c):
 * the ring handover, batches and wake-ups, validation of what the peer
 * wrote, and a peer that does not drain.  Test code only.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pktq.h"
#include "check_main.h"

static struct pktq	*qa, *qb;
static struct pktq_elem	*elems;
static uint8_t		 frame[PKTQ_FRAME_MAX + 64];

static void
setup(void)
{
	int	sv[2];

	ck_assert_int_eq(pktq_socketpair(sv), 0);
	ck_assert_ptr_nonnull(qa = pktq_open(sv[0]));
	ck_assert_ptr_nonnull(qb = pktq_open(sv[1]));
	ck_assert_ptr_nonnull(elems = calloc(PKTQ_BATCH, sizeof(*elems)));
}

static void
teardown(void)
{
	pktq_close(qa);
	pktq_close(qb);
	free(elems);
}

static size_t
size_of(int i)
{
	return (size_t)(i * 977) % (PKTQ_FRAME_MAX + 1);
}

static void
fill(uint8_t *p, size_t len, int seed)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i);
}

START_TEST(test_socketpair)
{
	int		sv[2], v, fl;
	socklen_t	len = sizeof(v);

	ck_assert_int_eq(pktq_socketpair(sv), 0);
	ck_assert_int_eq(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len), 0);
	ck_assert_int_eq(v, SOCK_SEQPACKET);
	fl = fcntl(sv[1], F_GETFL);
	ck_assert(fl & O_NONBLOCK);
	ck_assert(fcntl(sv[1], F_GETFD) & FD_CLOEXEC);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Each end takes its rings once; anything else on the socket is no
 * handover, and a peer's datagram there is dropped, not delivered. */
START_TEST(test_handover)
{
	uint32_t	 magic = 0x62717231;
	int		 sv[2], fd;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK,
	    0, sv), 0);
	ck_assert_int_eq(send(sv[1], &magic, sizeof(magic), 0),
	    (ssize_t)sizeof(magic));
	ck_assert_ptr_null(pktq_open(sv[0]));
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_ptr_null(pktq_open(sv[0]));	/* nothing at all */
	close(sv[0]);
	close(sv[1]);

	ck_assert_int_eq(send(pktq_fd(qa), "x", 1, 0), 1);
	ck_assert_int_eq(pktq_get(qb, elems, PKTQ_BATCH), 0);
	ck_assert_uint_eq(pktq_dropped(qb), 1);
	ck_assert_int_ge(fd = dup(pktq_fd(qb)), 0);
	ck_assert_ptr_null(pktq_open(fd));
	close(fd);
}
END_TEST

/* Wake-ups: the eventfd is readable once elements wait, and only then. */
START_TEST(test_wakeup)
{
	struct pollfd	pfd;
	struct pktq_hdr	h = { PKTQ_DATA, 0, 0, 0 };
	int		i;

	pfd.fd = pktq_wake_fd(qb);
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	ck_assert_int_eq(pktq_put(qa, &h, frame, 10), 0);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);	/* not yet published */
	ck_assert_int_eq(pktq_flush(qa), 0);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	/* More than a batch: the reader is signalled again until empty. */
	for (i = 0; i < PKTQ_BATCH + 10; i++)
		ck_assert_int_eq(pktq_put(qa, &h, frame, 10), 0);
	ck_assert_int_eq(pktq_flush(qa), 0);
	ck_assert_int_eq(pktq_get(qb, elems, PKTQ_BATCH), PKTQ_BATCH);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_int_eq(pktq_get(qb, elems, PKTQ_BATCH), 11);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
}
END_TEST

/* 200 elements of every size, in rounds of 25 (at most 123 KiB of
 * records, the ring holds 256), read in order with their bytes. */
/* A producer that stops for room is woken on its own wake-up fd once
 * the peer has read; what pktq_room promised was taken. */
START_TEST(test_room_wakeup)
{
	struct pollfd	pfd;
	struct pktq_hdr	h = { PKTQ_DATA, 0, 0, 0 };
	size_t		room;
	int		put = 0;

	pfd.fd = pktq_wake_fd(qa);
	pfd.events = POLLIN;
	while ((room = pktq_room(qa, PKTQ_ELEM_COST(1400))) >=
	    PKTQ_ELEM_COST(1400)) {
		ck_assert_int_eq(pktq_put(qa, &h, frame, 1400), 0);
		put++;
	}
	ck_assert_int_eq(pktq_flush(qa), 0);
	ck_assert_int_gt(put, 150);
	ck_assert_uint_eq(pktq_dropped(qa), 0);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	ck_assert_int_eq(pktq_get(qb, elems, 16), 16);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_uint_ge(pktq_room(qa, 0), 16 * PKTQ_ELEM_COST(1400) -
	    PKTQ_ELEM_COST(1400));
	/* Asked once, told once. */
	ck_assert_int_eq(pktq_get(qa, elems, PKTQ_BATCH), 0);
	ck_assert_int_eq(pktq_get(qb, elems, 16), 16);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
}
END_TEST

START_TEST(test_batch_roundtrip)
{
	struct pktq_hdr	h;
	uint8_t		want[PKTQ_FRAME_MAX];
	int		i, n, put = 0, got = 0, spins = 0;

	while (put < 200) {
		for (i = 0; i < 25; i++, put++) {
			memset(&h, 0, sizeof(h));
			h.type = put % 10 == 0 ? PKTQ_SESSION_UP : PKTQ_DATA;
			h.link_id = put % 8;
			h.peer = put;
			h.len = 12345;		/* overwritten by pktq_put */
			fill(frame, size_of(put), put);
			ck_assert_int_eq(pktq_put(qa, &h, frame,
			    size_of(put)), 0);
		}
		ck_assert_int_eq(pktq_flush(qa), 0);
		ck_assert_int_eq(pktq_flush(qa), 0);	/* nothing left */

		while (got < put && spins++ < 100) {
			ck_assert_int_ge(n = pktq_get(qb, elems, PKTQ_BATCH),
			    0);
			for (i = 0; i < n; i++, got++) {
				ck_assert_uint_eq(elems[i].hdr.peer, got);
				ck_assert_uint_eq(elems[i].hdr.link_id,
				    got % 8);
				ck_assert_uint_eq(elems[i].hdr.type,
				    got % 10 == 0 ? PKTQ_SESSION_UP :
				    PKTQ_DATA);
				ck_assert_uint_eq(elems[i].hdr.len,
				    size_of(got));
				fill(want, size_of(got), got);
				ck_assert_mem_eq(elems[i].frame, want,
				    size_of(got));
			}
		}
		ck_assert_int_eq(got, put);
	}
	ck_assert_int_eq(got, 200);
	ck_assert_int_eq(pktq_get(qb, elems, PKTQ_BATCH), 0);
	ck_assert_uint_eq(pktq_dropped(qa), 0);
	ck_assert_uint_eq(pktq_dropped(qb), 0);
}
END_TEST

START_TEST(test_put_too_big)
{
	struct pktq_hdr	h = { PKTQ_DATA, 0, 0, 0 };

	ck_assert_int_eq(pktq_put(qa, &h, frame, PKTQ_FRAME_MAX + 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(pktq_dropped(qa), 1);
	ck_assert_int_eq(pktq_put(qa, &h, frame, PKTQ_FRAME_MAX), 0);
	ck_assert_int_eq(pktq_flush(qa), 0);
	ck_assert_int_eq(pktq_get(qb, elems, 4), 1);
	ck_assert_uint_eq(elems[0].hdr.len, PKTQ_FRAME_MAX);
}
END_TEST

static void
raw(const struct pktq_hdr *h, size_t hlen, size_t flen)
{
	uint8_t	buf[sizeof(*h) + PKTQ_FRAME_MAX + 64];

	memcpy(buf, h, hlen);
	memset(buf + hlen, 0xaa, flen);
	ck_assert_int_eq(pktq_put_raw(qa, buf, hlen + flen), 0);
}

START_TEST(test_malformed)
{
	struct pktq_hdr	h;
	int		n;

	memset(&h, 0, sizeof(h));
	h.type = PKTQ_DATA;
	h.peer = 1;
	h.len = 4;
	raw(&h, sizeof(h), 4);			/* good */
	raw(&h, 3, 0);				/* shorter than a header */
	h.len = 10;
	raw(&h, sizeof(h), 5);			/* len mismatch */
	h.len = 4;
	h.type = 99;
	raw(&h, sizeof(h), 4);			/* unknown type */
	h.type = 0;
	raw(&h, sizeof(h), 4);			/* type 0 */
	h.type = PKTQ_DATA;
	h.len = PKTQ_FRAME_MAX + 1;
	raw(&h, sizeof(h), PKTQ_FRAME_MAX);	/* claims more than fits */
	h.len = 2;
	h.peer = 2;
	raw(&h, sizeof(h), 2);			/* good */
	h.type = PKTQ_SESSION_DOWN;
	h.len = 0;
	h.peer = 3;
	raw(&h, sizeof(h), 0);			/* good, empty frame */

	n = pktq_get(qb, elems, PKTQ_BATCH);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(elems[0].hdr.peer, 1);
	ck_assert_uint_eq(elems[0].hdr.len, 4);
	ck_assert_uint_eq(elems[0].frame[3], 0xaa);
	ck_assert_uint_eq(elems[1].hdr.peer, 2);
	ck_assert_uint_eq(elems[1].hdr.len, 2);
	ck_assert_uint_eq(elems[2].hdr.peer, 3);
	ck_assert_uint_eq(elems[2].hdr.type, PKTQ_SESSION_DOWN);
	ck_assert_uint_eq(pktq_dropped(qb), 5);
}
END_TEST

/* A batch of nothing but garbage does not hide the good ones behind. */
START_TEST(test_malformed_batch)
{
	struct pktq_hdr	h = { 42, 0, 0, 0 };
	int		i;

	for (i = 0; i < 4; i++)
		raw(&h, sizeof(h), 0);
	h.type = PKTQ_DATA;
	raw(&h, sizeof(h), 0);
	ck_assert_int_eq(pktq_get(qb, elems, 4), 1);
	ck_assert_uint_eq(pktq_dropped(qb), 4);
}
END_TEST

/*
 * A peer that writes only garbage: each call reads a bounded number of
 * batches (4 of n here), drops and counts every element, and returns
 * to its caller; the good element behind them still arrives.
 */
START_TEST(test_garbage_bounded)
{
	struct pktq_hdr	h = { 42, 0, 0, 0 };
	int		i, n, calls = 0;

	for (i = 0; i < 4 * 5; i++)
		raw(&h, sizeof(h), 0);
	h.type = PKTQ_DATA;
	h.peer = 7;
	raw(&h, sizeof(h), 0);
	ck_assert_int_eq(pktq_get(qb, elems, 4), 0);
	ck_assert_uint_eq(pktq_dropped(qb), 4 * 4);
	while ((n = pktq_get(qb, elems, 4)) == 0)
		ck_assert_int_lt(++calls, 2);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(elems[0].hdr.peer, 7);
	ck_assert_uint_eq(pktq_dropped(qb), 4 * 5);
	ck_assert_int_eq(pktq_get(qb, elems, 4), 0);
}
END_TEST

/* Frames of every size keep their bytes: two batches of 32, each up
 * to 150 KiB of records packed end to end, the second wrapping
 * around the end of the ring. */
static size_t
packed_len(int i)
{
	return i == 0 ? 0 : (size_t)i * 997 % PKTQ_FRAME_MAX + 1;
}

START_TEST(test_packed_sizes)
{
	struct pktq_hdr	h = { PKTQ_DATA, 0, 0, 0 };
	size_t		len;
	int		i, n, half;

	for (half = 0; half < PKTQ_BATCH; half += PKTQ_BATCH / 2) {
		for (i = half; i < half + PKTQ_BATCH / 2; i++) {
			memset(frame, i, packed_len(i));
			h.peer = i;
			ck_assert_int_eq(pktq_put(qa, &h, frame,
			    packed_len(i)), 0);
		}
		ck_assert_int_eq(pktq_flush(qa), 0);
		n = pktq_get(qb, elems, PKTQ_BATCH);
		ck_assert_int_eq(n, PKTQ_BATCH / 2);
		for (i = 0; i < n; i++) {
			len = packed_len(half + i);
			ck_assert_uint_eq(elems[i].hdr.peer, half + i);
			ck_assert_uint_eq(elems[i].hdr.len, len);
			if (len > 0) {
				ck_assert_uint_eq(elems[i].frame[0],
				    (uint8_t)(half + i));
				ck_assert_uint_eq(elems[i].frame[len - 1],
				    (uint8_t)(half + i));
			}
		}
	}
	ck_assert_uint_eq(pktq_dropped(qa) + pktq_dropped(qb), 0);
}
END_TEST

START_TEST(test_full_peer)
{
	struct pktq_hdr	h = { PKTQ_DATA, 0, 0, 0 };
	uint64_t	received = 0;
	int		i, n, r, fails = 0;

	for (i = 0; i < 5000; i++) {
		r = pktq_put(qa, &h, frame, 8000);
		if (r == -1) {
			ck_assert_int_eq(errno, EAGAIN);
			fails++;
		}
	}
	if (pktq_flush(qa) == -1) {
		ck_assert_int_eq(errno, EAGAIN);
		fails++;
	}
	ck_assert_int_gt(fails, 0);
	while ((n = pktq_get(qb, elems, PKTQ_BATCH)) > 0)
		received += n;
	ck_assert_int_eq(n, 0);
	ck_assert_uint_gt(received, 0);
	ck_assert_uint_gt(pktq_dropped(qa), 0);
	ck_assert_uint_eq(received + pktq_dropped(qa), 5000);
	ck_assert_uint_eq(pktq_dropped(qb), 0);

	/* Drained, the queue works again. */
	ck_assert_int_eq(pktq_put(qa, &h, frame, 10), 0);
	ck_assert_int_eq(pktq_flush(qa), 0);
	ck_assert_int_eq(pktq_get(qb, elems, PKTQ_BATCH), 1);
}
END_TEST

START_TEST(test_peer_closed)
{
	struct pktq_hdr	h = { PKTQ_DATA, 0, 0, 0 };

	ck_assert_int_eq(pktq_get(qb, elems, PKTQ_BATCH), 0);
	ck_assert_int_eq(pktq_put(qa, &h, frame, 10), 0);
	ck_assert_int_eq(pktq_flush(qa), 0);
	pktq_close(qa);
	qa = NULL;
	ck_assert_int_eq(pktq_get(qb, elems, PKTQ_BATCH), 1);
	ck_assert_int_eq(pktq_get(qb, elems, PKTQ_BATCH), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_uint_eq(pktq_dropped(qb), 0);
}
END_TEST

static Suite *
pktq_suite(void)
{
	Suite	*s = suite_create("pktq");
	TCase	*tc = tcase_create("seqpacket");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_socketpair);
	tcase_add_test(tc, test_handover);
	tcase_add_test(tc, test_wakeup);
	tcase_add_test(tc, test_room_wakeup);
	tcase_add_test(tc, test_batch_roundtrip);
	tcase_add_test(tc, test_put_too_big);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_malformed_batch);
	tcase_add_test(tc, test_garbage_bounded);
	tcase_add_test(tc, test_packed_sizes);
	tcase_add_test(tc, test_full_peer);
	tcase_add_test(tc, test_peer_closed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(pktq_suite())));
}
