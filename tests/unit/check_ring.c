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
 * back-pressure counted, wrap over many laps with records of mixed
 * sizes and skip records, room (what it promises fits, asked for
 * once), wake-ups only on empty -> non-empty,
 * hostile lengths and indices written by the other side, the sealed
 * memfd and its geometry, and a producer and a consumer running at
 * once in two threads and in two processes.  Test code only.
 */

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"
#include "check_main.h"

#define SIZE	8192		/* five full-size records and a bit */
#define ELEM	1500

static int		 memfd, efd;
static int		 room_efd;	/* consumer -> producer: room */
static struct ring	 prod, cons;
static uint8_t		*raw;		/* a third mapping: the hostile side */
static uint8_t		 buf[ELEM];

static void
setup(void)
{
	ck_assert_int_eq(ring_create(SIZE, ELEM, &memfd, &efd), 0);
	ck_assert_int_ge(room_efd = eventfd(0, EFD_NONBLOCK), 0);
	ck_assert_int_eq(ring_attach(&prod, memfd, efd, SIZE, ELEM), 0);
	ck_assert_int_eq(ring_attach(&cons, memfd, efd, SIZE, ELEM), 0);
	raw = mmap(NULL, ring_map_len(SIZE, ELEM), PROT_READ | PROT_WRITE,
	    MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(raw, MAP_FAILED);
}

static void
teardown(void)
{
	munmap(raw, ring_map_len(SIZE, ELEM));
	ring_detach(&prod);
	ring_detach(&cons);
	close(memfd);
	close(efd);
	close(room_efd);
}

/* Element i: its number, then bytes derived from it, len from 4 to
 * ELEM in an order that mixes small and large. */
static size_t
elem_len(uint32_t i)
{
	return 4 + (i * 131) % (ELEM - 3);
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
	size_t		k;

	ck_assert_uint_eq(len, elem_len(want));
	memcpy(&i, p, 4);
	ck_assert_uint_eq(i, want);
	for (k = 4; k < len; k++)
		if (p[k] != (uint8_t)(want + k))
			ck_abort_msg("element %u byte %zu", want, k);
}

/* The record header at a byte offset of the data, as the peer sees it. */
static uint32_t
raw_len(uint32_t off)
{
	uint32_t	l;

	memcpy(&l, raw + RING_HDR_LEN + off, 4);
	return l;
}

static void
raw_set(uint32_t off, uint32_t v)
{
	memcpy(raw + RING_HDR_LEN + off, &v, 4);
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
	/* Records are packed: the next one follows at once. */
	ck_assert_uint_eq(prod.head, RING_REC_LEN(elem_len(0)));
	ck_assert_uint_eq(cons.tail, prod.head);
}
END_TEST

/* Full is counted in bytes: small records fit where a large one does
 * not, and the space a released record frees is usable again. */
START_TEST(test_full)
{
	uint8_t		*p;
	const void	*q;
	uint32_t	 n = 0;
	size_t		 len;

	while ((p = ring_reserve(&prod, 1000)) != NULL) {
		memset(p, (int)n, 1000);
		ring_commit(&prod, 1000);
		n++;
	}
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_eq(n, SIZE / RING_REC_LEN(1000));
	ck_assert_uint_eq(prod.full, 1);
	/* What is left is less than a 1000-byte record, more than a tiny
	 * one. */
	ck_assert_ptr_nonnull(ring_reserve(&prod, 8));
	ring_commit(&prod, 8);
	ck_assert_ptr_null(ring_reserve(&prod, 1000));
	ck_assert_uint_eq(prod.full, 2);
	ck_assert_int_eq(ring_publish(&prod), 1);
	/* Full until the consumer releases enough. */
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), 1000);
	ck_assert_uint_eq(buf[0], 0);
	ck_assert_ptr_nonnull(ring_reserve(&prod, 1000));
	ring_commit(&prod, 1000);
	ck_assert_uint_eq(prod.full, 2);
	ck_assert_int_eq(ring_publish(&prod), 0);	/* not empty */
	n = 1;
	while ((q = ring_peek(&cons, &len)) != NULL) {
		ring_release(&cons);
		n++;
	}
	ck_assert_uint_eq(n, SIZE / RING_REC_LEN(1000) + 2);
	ck_assert_uint_eq(cons.bad + prod.bad, 0);
	/* Too big for the ring: refused, not counted as full. */
	ck_assert_ptr_null(ring_reserve(&prod, ELEM + 1));
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(prod.full, 2);
}
END_TEST

/* A record that does not fit before the end: a skip record there, the
 * record at offset 0, and the consumer passes the skip. */
START_TEST(test_skip)
{
	uint32_t	off, i;
	size_t		len;
	const void	*p;

	/* Five records of 1500 leave 8192 - 5 * 1512 = 632 bytes. */
	for (i = 0; i < 5; i++) {
		ck_assert_ptr_nonnull(ring_reserve(&prod, ELEM));
		ring_commit(&prod, ELEM);
	}
	ring_publish(&prod);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), ELEM);
	off = prod.head;
	ck_assert_uint_eq(off, 5 * RING_REC_LEN(ELEM));
	ck_assert_int_eq(put(&prod, 6), 0);		/* 790 bytes */
	ck_assert_uint_eq(elem_len(6), 790);
	ring_publish(&prod);
	ck_assert_uint_eq(raw_len(off), RING_SKIP);
	ck_assert_uint_eq(raw_len(0), 790);
	ck_assert_uint_eq(prod.head, SIZE + RING_REC_LEN(790));
	p = ring_peek(&cons, &len);
	ck_assert_ptr_eq(p, cons.data + RING_REC_HDR);
	check_elem(p, len, 6);
	ring_release(&cons);
	ck_assert_uint_eq(cons.tail, prod.head);
	/* A record that fits exactly before the end takes no skip:
	 * 800 + 4 * 1512 + 1344 = 8192. */
	for (i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(ring_reserve(&prod, ELEM));
		ring_commit(&prod, ELEM);
	}
	ck_assert_ptr_nonnull(ring_reserve(&prod, 1336));
	ring_commit(&prod, 1336);
	ck_assert_uint_eq(prod.head, 2 * SIZE);
	ck_assert_uint_eq(raw_len(SIZE - RING_REC_LEN(1336)), 1336);
	ck_assert_uint_eq(cons.bad + prod.bad + prod.full, 0);
}
END_TEST

/* Many laps, bursts of 1 to 9 mixed-size records, in order. */
START_TEST(test_wrap)
{
	uint32_t	next = 0, want = 0, k, burst;
	const void	*p;
	size_t		 len;

	for (burst = 1; prod.head < 200 * SIZE; burst = burst % 9 + 1) {
		for (k = 0; k < burst; k++)
			if (put(&prod, next) == 0)
				next++;
		ring_publish(&prod);
		while ((p = ring_peek(&cons, &len)) != NULL) {
			check_elem(p, len, want++);
			ring_release(&cons);
		}
		ck_assert_uint_eq(want, next);
	}
	/* A burst of 9 does not always fit: the ring was full at times,
	 * never wrong. */
	ck_assert_uint_gt(prod.full, 0);
	ck_assert_uint_eq(cons.bad + prod.bad, 0);
}
END_TEST

/* Room: what ring_room promises fits, records of any sizes at any
 * position; below what the producer wants, the consumer is asked to
 * say when it released records, once. */
START_TEST(test_room)
{
	uint32_t	room, used, lap, i = 0, want;
	size_t		len;

	ck_assert_uint_eq(ring_room(&prod, 0), SIZE - RING_REC_LEN(ELEM));
	for (lap = 0; lap < 50; lap++) {
		room = ring_room(&prod, 0);
		for (used = 0; used + RING_REC_LEN(elem_len(i)) <= room; i++) {
			ck_assert_int_eq(put(&prod, i), 0);
			used += (uint32_t)RING_REC_LEN(elem_len(i));
		}
		ring_publish(&prod);
		/* Read about half: the next lap starts elsewhere. */
		while (ring_peek(&cons, &len) != NULL &&
		    cons.tail < prod.head - used / 2)
			ring_release(&cons);
	}
	ck_assert_uint_eq(prod.full + prod.bad + cons.bad, 0);
	memcpy(&want, raw + 4, 4);
	ck_assert_uint_eq(want, 0);
	ck_assert_int_eq(ring_room_wanted(&cons), 0);

	/* Not enough: want goes up, the consumer sees it once. */
	room = ring_room(&prod, 0);
	ck_assert_uint_lt(ring_room(&prod, room + 8), room + 8);
	memcpy(&want, raw + 4, 4);
	ck_assert_uint_eq(want, 1);
	ck_assert_int_eq(ring_room_wanted(&cons), 1);
	ck_assert_int_eq(ring_room_wanted(&cons), 0);
	/* A full ring has none; a hostile tail gives none, counted. */
	while (put(&prod, i) == 0)
		i++;
	ck_assert_uint_eq(ring_room(&prod, 0), 0);
	want = prod.head + 8;
	memcpy(raw + 64, &want, 4);
	ck_assert_uint_eq(ring_room(&prod, 0), 0);
	ck_assert_uint_eq(prod.bad, 1);
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

/*
 * The other side rewrites a length after it published it.  A length
 * that cannot be right (beyond elem_max, beyond what is published, a
 * skip past the head) leaves no way to find the next
 * record: what is published is dropped and counted, nothing is read
 * outside the record bytes, and the ring works on.
 */
START_TEST(test_hostile_len)
{
	uint32_t	bad[] = { ELEM + 1, 0x7ffffff8, 1000, RING_SKIP };
	uint32_t	i, k, off;
	size_t		len;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		for (i = 0; i < 3; i++)
			ck_assert_int_eq(put(&prod, i), 0);
		ring_publish(&prod);
		/* The second record: its length now claims bad[k]. */
		off = (cons.tail + (uint32_t)RING_REC_LEN(elem_len(0))) %
		    SIZE;
		raw_set(off, bad[k]);
		ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)),
		    elem_len(0));
		ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), -1);
		ck_assert_uint_eq(cons.bad, k + 1);
		ck_assert_uint_eq(cons.tail, prod.head);
		ck_assert_ptr_null(ring_peek(&cons, &len));
	}
	/* Not corrupt any more: the ring carries records again, and a
	 * record that ends exactly at what is published is fine. */
	ck_assert_int_eq(put(&prod, 7), 0);
	ring_publish(&prod);
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), elem_len(7));
	check_elem(buf, elem_len(7), 7);
	ck_assert_uint_eq(cons.bad, 4);
	ck_assert_uint_eq(prod.bad, 0);
}
END_TEST

/* A record that would cross the end of the data, although what is
 * published (a skip record, then a record at 0) is long enough. */
START_TEST(test_hostile_len_end)
{
	uint32_t	i;

	for (i = 0; i < 5; i++) {
		ck_assert_ptr_nonnull(ring_reserve(&prod, ELEM));
		ring_commit(&prod, ELEM);
	}
	ring_publish(&prod);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), ELEM);
	ck_assert_ptr_nonnull(ring_reserve(&prod, 100));	/* at 7560 */
	ring_commit(&prod, 100);
	ck_assert_int_eq(put(&prod, 6), 0);		/* skip at 7672 */
	ring_publish(&prod);
	ck_assert_uint_eq(raw_len(7672), RING_SKIP);
	raw_set(7560, 1000);
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), -1);
	ck_assert_uint_eq(cons.bad, 1);
	ck_assert_uint_eq(cons.tail, prod.head);
}
END_TEST

/* A length rewritten between the consumer's check and its copy: the
 * copy holds what was there, of the length that was checked. */
START_TEST(test_len_after_check)
{
	const uint8_t	*p;
	size_t		 len;

	ck_assert_int_eq(put(&prod, 1), 0);
	ring_publish(&prod);
	ck_assert_ptr_nonnull(p = ring_peek(&cons, &len));
	raw_set(0, ELEM * 40);
	memcpy(buf, p, len);
	ring_release(&cons);
	check_elem(buf, len, 1);
	ck_assert_uint_eq(cons.tail, RING_REC_LEN(elem_len(1)));
}
END_TEST

/* Indices out of bounds: nothing is read past them, nothing written. */
START_TEST(test_hostile_index)
{
	uint32_t	v;
	size_t		len;

	ck_assert_int_eq(put(&prod, 0), 0);
	ring_publish(&prod);
	v = SIZE + 8;					/* head too far */
	memcpy(raw, &v, 4);
	ck_assert_ptr_null(ring_peek(&cons, &len));
	ck_assert_uint_eq(cons.bad, 1);
	v = 4;						/* head mid-record */
	memcpy(raw, &v, 4);
	ck_assert_ptr_null(ring_peek(&cons, &len));
	ck_assert_uint_eq(cons.bad, 2);
	v = prod.head;
	memcpy(raw, &v, 4);
	ck_assert_int_eq(ring_get(&cons, buf, sizeof(buf)), elem_len(0));
	v = prod.head + 64;				/* tail > head */
	memcpy(raw + 64, &v, 4);
	ck_assert_ptr_null(ring_reserve(&prod, 10));
	ck_assert_int_eq(errno, EPROTO);
	v = 12;						/* tail mid-record */
	memcpy(raw + 64, &v, 4);
	ck_assert_ptr_null(ring_reserve(&prod, 10));
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_uint_eq(prod.bad, 2);
	ck_assert_uint_eq(prod.full, 0);
	ck_assert_uint_eq(prod.head, RING_REC_LEN(elem_len(0)));
}
END_TEST

START_TEST(test_sealed)
{
	int	m2, e2;

	ck_assert_int_eq(ftruncate(memfd, 4096), -1);
	ck_assert_int_eq(ftruncate(memfd, 1 << 24), -1);
	/* The mapping is the header and the data, rounded to a page. */
	ck_assert_uint_eq(ring_map_len(SIZE, ELEM),
	    (RING_HDR_LEN + SIZE + 4095) / 4096 * 4096);
	/* A mapping of another size is refused. */
	ck_assert_int_eq(ring_create(2 * SIZE, ELEM, &m2, &e2), 0);
	ck_assert_int_eq(ring_attach(&prod, m2, e2, SIZE, ELEM), -1);
	close(m2);
	close(e2);
	/* Not a power of two; too small for two of the largest records;
	 * larger than the bound. */
	ck_assert_int_eq(ring_create(3 * 4096, ELEM, &m2, &e2), -1);
	ck_assert_int_eq(ring_create(4096, 2100, &m2, &e2), -1);
	ck_assert_uint_eq(ring_map_len(4096, 2041), 0);
	ck_assert_uint_ne(ring_map_len(4096, 2040), 0);
	ck_assert_uint_eq(ring_map_len(RING_MAX_SIZE * 2, ELEM), 0);
}
END_TEST

/* A producer and a consumer at once; the consumer sleeps on the eventfd
 * whenever the ring is empty, the producer on room_efd whenever it
 * lacks room, so a lost wake-up of either kind fails the test. */
#define MANY	50000

static uint32_t	room_waits;	/* the producer slept for room */

/* Full: wait until the consumer says it made room, if it must. */
static int
wait_room(struct ring *r, uint32_t i)
{
	struct pollfd	pfd = { room_efd, POLLIN, 0 };
	uint32_t	need = (uint32_t)RING_REC_LEN(elem_len(i));
	uint64_t	v;

	if (ring_room(r, need) >= need)
		return 0;
	room_waits++;
	if (poll(&pfd, 1, 10000) != 1)
		return -1;
	return read(room_efd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

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
		if (k < burst && wait_room(r, i) == -1) {
			r->bad++;		/* a lost room wake-up */
			break;
		}
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
	uint64_t	 one = 1;

	while (want < MANY) {
		ring_drain_wake(r);
		while ((p = ring_peek(r, &len)) != NULL) {
			check_elem(p, len, want++);
			ring_release(r);
		}
		if (ring_room_wanted(r))
			ck_assert_int_eq(write(room_efd, &one, sizeof(one)),
			    sizeof(one));
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
	ck_assert_uint_gt(room_waits, 0);
	/* Mixed sizes over many laps. */
	ck_assert_uint_gt(prod.head / SIZE, 100);
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
	ck_assert_uint_gt(cons.tail / SIZE, 100);
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
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_wrap);
	tcase_add_test(tc, test_room);
	tcase_add_test(tc, test_wakeup_on_empty_only);
	tcase_add_test(tc, test_hostile_len);
	tcase_add_test(tc, test_hostile_len_end);
	tcase_add_test(tc, test_len_after_check);
	tcase_add_test(tc, test_hostile_index);
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
