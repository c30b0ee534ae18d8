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
 * Unit tests of the shared-memory ring (common/ring.c): empty, full and
 * back-pressure counted, wrap over many laps, wake-ups only on empty ->
 * non-empty, malformed lengths and indices written by a hostile other
 * side, the sealed memfd, and a producer and a consumer running at
 * once in two threads and in two processes.  Test code only.
 */

#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"
#include "check_main.h"

#define NSLOTS	8
#define ELEM	1500

static int		 memfd, efd;
static struct ring	 prod, cons;
static uint8_t		*raw;		/* a third mapping: the hostile side */
static uint8_t		 buf[ELEM];

static void
setup(void)
{
	ck_assert_int_eq(ring_create(NSLOTS, ELEM, &memfd, &efd), 0);
	ck_assert_int_eq(ring_attach(&prod, memfd, efd, NSLOTS, ELEM), 0);
	ck_assert_int_eq(ring_attach(&cons, memfd, efd, NSLOTS, ELEM), 0);
	raw = mmap(NULL, ring_map_len(NSLOTS, ELEM), PROT_READ | PROT_WRITE,
	    MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(raw, MAP_FAILED);
}

static void
teardown(void)
{
	munmap(raw, ring_map_len(NSLOTS, ELEM));
	ring_detach(&prod);
	ring_detach(&cons);
	close(memfd);
	close(efd);
}

/* Element i: its number, then bytes derived from it, len varying. */
static size_t
elem_len(uint32_t i)
{
	return 4 + (i * 131) % (ELEM - 4);
}

static int
put(struct ring *r, uint32_t i)
{
	uint8_t	*p;
	size_t	 len = elem_len(i), k;

	if ((p = ring_reserve(r, len)) == NULL)
		return -1;
	memcpy(p, &i, 4);
	for (k = 4; k < len; k++)
		p[k] = (uint8_t)(i + k);
	ring_commit(r, len);
	return 0;
}

static void
check_elem(const uint8_t *p, size_t len, uint32_t want)
{
	uint32_t	i;

	ck_assert_uint_eq(len, elem_len(want));
	memcpy(&i, p, 4);
	ck_assert_uint_eq(i, want);
	if (len > 4)
		ck_assert_uint_eq(p[len - 1], (uint8_t)(want + len - 1));
}

static int
wake_pending(void)
{
	struct pollfd	pfd = { efd, POLLIN, 0 };

	return poll(&pfd, 1, 0) == 1;
}

START_TEST(test_empty)
{
	size_t	len;

	ck_assert_ptr_null(ring_peek(&cons, &len));
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(ring_publish(&prod), 0);
	ck_assert(!wake_pending());
	ck_assert_uint_eq(cons.bad + prod.bad + prod.full + prod.wakeups, 0);
	/* Committed but not published: not visible yet. */
	ck_assert_int_eq(put(&prod, 0), 0);
	ck_assert_ptr_null(ring_peek(&cons, &len));
	ck_assert_int_eq(ring_publish(&prod), 1);
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), elem_len(0));
	check_elem(buf, elem_len(0), 0);
}
END_TEST

START_TEST(test_full)
{
	uint32_t	i;

	for (i = 0; i < NSLOTS; i++)
		ck_assert_int_eq(put(&prod, i), 0);
	ck_assert_int_eq(put(&prod, NSLOTS), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_int_eq(put(&prod, NSLOTS), -1);
	ck_assert_uint_eq(prod.full, 2);
	ck_assert_int_eq(ring_publish(&prod), 1);
	/* Full until the consumer releases one. */
	ck_assert_int_eq(put(&prod, NSLOTS), -1);
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), elem_len(0));
	ck_assert_int_eq(put(&prod, NSLOTS), 0);
	ck_assert_uint_eq(prod.full, 3);
	ck_assert_int_eq(ring_publish(&prod), 0);
	for (i = 1; i <= NSLOTS; i++) {
		ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)),
		    elem_len(i));
		check_elem(buf, elem_len(i), i);
	}
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), -1);
	/* Too big for a slot: refused, not counted as full. */
	ck_assert_ptr_null(ring_reserve(&prod, ELEM + 1));
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(prod.full, 3);
}
END_TEST

/* Many laps, bursts of every size from 1 to NSLOTS, in order. */
START_TEST(test_wrap)
{
	uint32_t	next = 0, want = 0, k, burst;
	const void	*p;
	size_t		 len;

	for (burst = 1; want < 100 * NSLOTS; burst = burst % NSLOTS + 1) {
		for (k = 0; k < burst; k++)
			ck_assert_int_eq(put(&prod, next++), 0);
		ring_publish(&prod);
		while ((p = ring_peek(&cons, &len)) != NULL) {
			check_elem(p, len, want++);
			ring_release(&cons);
		}
		ck_assert_uint_eq(want, next);
	}
	ck_assert_uint_eq(prod.full + cons.bad, 0);
}
END_TEST

START_TEST(test_wakeup_on_empty_only)
{
	uint32_t	i;
	uint64_t	v;

	ck_assert_int_eq(put(&prod, 0), 0);
	ck_assert_int_eq(put(&prod, 1), 0);
	ck_assert_int_eq(ring_publish(&prod), 1);
	ck_assert_int_eq(put(&prod, 2), 0);
	ck_assert_int_eq(ring_publish(&prod), 0);	/* not empty */
	ck_assert_uint_eq(prod.wakeups, 1);
	ck_assert(wake_pending());
	ring_drain_wake(&cons);
	ck_assert(!wake_pending());
	/* Partly read: still not empty, still no wake-up. */
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), elem_len(0));
	ck_assert_int_eq(put(&prod, 3), 0);
	ck_assert_int_eq(ring_publish(&prod), 0);
	ck_assert(!wake_pending());
	for (i = 1; i <= 3; i++)
		ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)),
		    elem_len(i));
	/* Read to empty (the consumer saw it empty): the next wakes. */
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), -1);
	ck_assert_int_eq(put(&prod, 4), 0);
	ck_assert_int_eq(ring_publish(&prod), 1);
	ck_assert_uint_eq(prod.wakeups, 2);
	ck_assert_int_eq(read(efd, &v, sizeof(v)), sizeof(v));
	ck_assert_uint_eq(v, 1);
}
END_TEST

/* The other side rewrites a length after it published it. */
START_TEST(test_malformed_len)
{
	uint32_t	bad = ELEM + 1, i;
	size_t		stride = (RING_SLOT_HDR + ELEM + 63) / 64 * 64;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(put(&prod, i), 0);
	ring_publish(&prod);
	memcpy(raw + RING_HDR_LEN + stride, &bad, 4);	/* slot 1 */
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), elem_len(0));
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), elem_len(2));
	check_elem(buf, elem_len(2), 2);
	ck_assert_uint_eq(cons.bad, 1);
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), -1);
	/* The skipped slot is free again for the producer. */
	for (i = 0; i < NSLOTS; i++)
		ck_assert_int_eq(put(&prod, i), 0);
}
END_TEST

/* Indices out of bounds: nothing is read past them, nothing written. */
START_TEST(test_malformed_index)
{
	uint32_t	v;
	size_t		len;

	ck_assert_int_eq(put(&prod, 0), 0);
	ring_publish(&prod);
	v = NSLOTS + 5;					/* head */
	memcpy(raw, &v, 4);
	ck_assert_ptr_null(ring_peek(&cons, &len));
	ck_assert_uint_eq(cons.bad, 1);
	v = 1;
	memcpy(raw, &v, 4);
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), elem_len(0));
	v = 7;						/* tail > head */
	memcpy(raw + 64, &v, 4);
	ck_assert_ptr_null(ring_reserve(&prod, 10));
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_uint_eq(prod.bad, 1);
	ck_assert_uint_eq(prod.full, 0);
}
END_TEST

START_TEST(test_sealed)
{
	int	m2, e2;

	ck_assert_int_eq(ftruncate(memfd, 4096), -1);
	ck_assert_int_eq(ftruncate(memfd, 1 << 24), -1);
	/* A mapping of another size is refused. */
	ck_assert_int_eq(ring_create(2 * NSLOTS, ELEM, &m2, &e2), 0);
	ck_assert_int_eq(ring_attach(&prod, m2, e2, NSLOTS, ELEM), -1);
	ck_assert_int_eq(ring_create(3, ELEM, &m2, &e2), -1);
	close(m2);
	close(e2);
}
END_TEST

/* A producer and a consumer at once; the consumer sleeps on the eventfd
 * whenever the ring is empty, so a lost wake-up hangs the test. */
#define MANY	50000

static void *
producer(void *arg)
{
	struct ring	*r = arg;
	uint32_t	 i = 0, burst = 1, k;

	while (i < MANY) {
		for (k = 0; k < burst && i < MANY; k++) {
			if (put(r, i) == -1)
				break;
			i++;
		}
		ring_publish(r);
		if (k < burst)
			sched_yield();		/* full: back-pressure */
		burst = burst % 13 + 1;
	}
	return NULL;
}

static uint32_t
consume_all(struct ring *r)
{
	struct pollfd	 pfd = { r->efd, POLLIN, 0 };
	const void	*p;
	size_t		 len;
	uint32_t	 want = 0;

	while (want < MANY) {
		ring_drain_wake(r);
		while ((p = ring_peek(r, &len)) != NULL) {
			check_elem(p, len, want++);
			ring_release(r);
		}
		if (want < MANY)
			ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	}
	return want;
}

START_TEST(test_two_threads)
{
	pthread_t	t;

	ck_assert_int_eq(pthread_create(&t, NULL, producer, &prod), 0);
	ck_assert_uint_eq(consume_all(&cons), MANY);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(cons.bad + prod.bad, 0);
	ck_assert_uint_le(prod.wakeups, MANY);
}
END_TEST

START_TEST(test_two_processes)
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == 0) {
		producer(&prod);
		_exit(prod.bad == 0 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_uint_eq(consume_all(&cons), MANY);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_eq(cons.bad, 0);
}
END_TEST

static Suite *
ring_suite(void)
{
	Suite	*s = suite_create("ring");
	TCase	*tc = tcase_create("ring");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_wrap);
	tcase_add_test(tc, test_wakeup_on_empty_only);
	tcase_add_test(tc, test_malformed_len);
	tcase_add_test(tc, test_malformed_index);
	tcase_add_test(tc, test_sealed);
	tcase_add_test(tc, test_two_threads);
	tcase_add_test(tc, test_two_processes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(ring_suite())));
}
