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
 * A single-producer, single-consumer ring of variable-length records
 * in memory shared by two sandboxed processes (a memfd both map), with
 * an eventfd for wake-ups.  One ring carries one direction.
 *
 * The shared memory holds the two indices and the data bytes, nothing
 * else: the geometry, each side's own index and every counter are
 * private (struct ring), so the other side can corrupt only what it
 * could send anyway.  A ring is used once, from indices 0: a restarted
 * child gets a new one.  Records: a u32 length, 4 unused bytes, then
 * the element, the whole padded to RING_ALIGN bytes.  A record never
 * wraps: when it does not fit before the end of the data, the producer
 * writes a skip record (length RING_SKIP) that fills the rest and puts
 * the record at offset 0.  Invariants:
 * - head and tail count bytes, free-running modulo 2^32, multiples of
 *   RING_ALIGN; only the producer writes head, only the consumer
 *   writes tail.  The producer never trusts the tail it reads beyond
 *   head - tail <= size, nor the consumer the head beyond the same:
 *   a violation is counted as bad and treated as "no room" / "nothing
 *   to read".
 * - A record is written by the producer only between reserve and
 *   commit, before the head that covers it is published, and read by
 *   the consumer only between peek and release.  Its length is read
 *   once into private memory and checked: at most elem_max, within
 *   the bytes published and before the end of the data.  A length that
 *   fails is a stream that cannot be parsed further: everything
 *   published is dropped and counted.  The bytes themselves may still
 *   be rewritten by a hostile peer while they are read, so a receiver
 *   that checks them copies them first (ring_get) and checks the copy.
 * - Room: twice the largest record fits in the data, so an empty ring
 *   always takes any element, also with a skip record before it.
 * - Room: a producer that stops for room (ring_room below what it
 *   needs) raises want, then reads tail once more; the consumer, after
 *   it released records, stores tail, then takes want down and tells
 *   the producer (on another eventfd: the caller's business).  The
 *   same store-then-load pairing: a producer never waits for room
 *   that was made while nobody looked.
 * - Wake-ups only on empty -> non-empty: the producer signals the
 *   eventfd only when the consumer had read everything published
 *   before (tail == the head before this batch), read after it stored
 *   head; the consumer, finding the ring empty, stores its tail and
 *   looks at head once more before it sleeps.  Both store, then load,
 *   sequentially consistent: one of the two sees the other's store, so
 *   no element is left without a wake-up.
 */

#ifndef RING_H
#define RING_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* The shared layout: the producer's head (u32) at 0 and want (u32) at
 * 4, the consumer's tail (u32) at 64, then size bytes of records from
 * RING_HDR_LEN. */
#define RING_HDR_LEN	128
#define RING_REC_HDR	8
#define RING_ALIGN	8
#define RING_SKIP	0xffffffffU	/* a record's length: go to 0 */
#define RING_MIN_SIZE	4096
#define RING_MAX_SIZE	(16U << 20)
#define RING_MAX_ELEM	65536

/* Bytes of a record holding len bytes of element. */
#define RING_REC_LEN(len) \
	(((size_t)(len) + RING_REC_HDR + RING_ALIGN - 1) & \
	~(size_t)(RING_ALIGN - 1))

struct ring_shm;

struct ring {
	struct ring_shm	*shm;
	uint8_t		*data;
	size_t		 map_len;
	uint32_t	 size;		/* data bytes, a power of two */
	uint32_t	 elem_max;	/* bytes an element may hold */
	int		 efd;		/* eventfd, not owned */
	uint32_t	 head;		/* producer: next byte to write */
	uint32_t	 pub;		/* producer: head last published */
	int		 reserved;	/* producer: reserve, no commit yet */
	uint32_t	 rsv_len;	/* producer: element bytes reserved */
	uint32_t	 rsv_skip;	/* producer: skip record before it */
	uint32_t	 tail;		/* consumer: next byte to read */
	uint32_t	 seen;		/* consumer: head last read */
	uint32_t	 peeked;	/* consumer: record bytes, 0: none */
	uint64_t	 full;		/* producer: reserve found no room */
	uint64_t	 wakeups;	/* producer: eventfd signals */
	uint64_t	 bad;		/* malformed index or record */
};

/* Bytes of the shared mapping for size bytes of records holding
 * elements of at most elem_max bytes; 0 if the geometry is invalid
 * (size not a power of two, or less than two largest records). */
size_t	 ring_map_len(uint32_t size, uint32_t elem_max);
/* Parent: a sealed memfd of that size (it cannot shrink or grow, so a
 * peer cannot make the other's mapping fault) and a non-blocking
 * eventfd.  -1 on error. */
int	 ring_create(uint32_t size, uint32_t elem_max, int *memfd,
	    int *efd);
/* Either side: maps memfd (checked to be exactly the expected size)
 * and sets up the private state.  -1 on error. */
int	 ring_attach(struct ring *, int memfd, int efd, uint32_t size,
	    uint32_t elem_max);
void	 ring_detach(struct ring *);

/* Producer.  ring_reserve: room for one element of len bytes, or NULL
 * (full: counted; len too big: EMSGSIZE).  ring_commit: the element
 * reserved last is complete (len <= the reserved length).
 * ring_publish: makes the committed elements visible; signals the
 * eventfd if the ring had been empty; returns 1 if it signalled, -1
 * if the eventfd failed. */
void	*ring_reserve(struct ring *, size_t len);
void	 ring_commit(struct ring *, size_t len);
int	 ring_publish(struct ring *);
/* Bytes of records that surely fit now, whatever their sizes (free
 * space less the largest record a skip can waste).  Below want, asks
 * the consumer to say when it has released records (see Room). */
uint32_t ring_room(struct ring *, uint32_t want);

/* Consumer.  ring_peek: the next element (in shared memory, its length
 * in *len) or NULL when empty; skip records are passed, a malformed
 * record drops what is published and is counted.  ring_release: done
 * with the element peeked last.  ring_get: peek, copy into buf (size
 * >= elem_max) and release; returns the length or -1 when empty.
 * ring_drain_wake: clears the eventfd before reading. */
const void *ring_peek(struct ring *, size_t *len);
void	 ring_release(struct ring *);
ssize_t	 ring_get(struct ring *, void *buf, size_t size);
void	 ring_drain_wake(struct ring *);
/* After releasing: 1 if the producer waits for room (once per ask). */
int	 ring_room_wanted(struct ring *);

#endif /* RING_H */
