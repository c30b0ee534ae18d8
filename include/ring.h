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
 * A single-producer, single-consumer ring of fixed-size slots in memory
 * shared by two sandboxed processes (a memfd both map), with an eventfd
 * for wake-ups.  One ring carries one direction.
 *
 * The shared memory holds the two indices and the slots, nothing else:
 * the geometry, each side's own index and every counter are private
 * (struct ring), so the other side can corrupt only what it could send
 * anyway.  A ring is used once, from indices 0: a restarted child gets
 * a new one.  Invariants:
 * - head and tail count elements, free-running modulo 2^32; only the
 *   producer writes head, only the consumer writes tail.  The producer
 *   never trusts the tail it reads beyond head - tail <= nslots, nor
 *   the consumer the head beyond the same: a violation is counted as
 *   bad and treated as "no room" / "nothing to read".
 * - A slot is written by the producer only between reserve and
 *   publish, and read by the consumer only between peek and release.
 *   Its length is read once into private memory and checked against
 *   the slot; the bytes themselves may still be rewritten by a hostile
 *   peer while they are read, so a receiver that checks them copies
 *   them first (ring_get) and checks the copy.
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

/* The shared layout: the producer's head (u32) at 0, the consumer's
 * tail (u32) at 64, then nslots slots from RING_HDR_LEN, each a u32
 * length, 4 unused bytes and the element, RING_SLOT_HDR + slot_max
 * bytes rounded up to 64. */
#define RING_HDR_LEN	128
#define RING_SLOT_HDR	8
#define RING_MAX_SLOTS	65536
#define RING_MAX_ELEM	65536

struct ring_shm;

struct ring {
	struct ring_shm	*shm;
	uint8_t		*slots;
	size_t		 map_len;
	uint32_t	 nslots;	/* a power of two */
	uint32_t	 slot_max;	/* bytes an element may hold */
	uint32_t	 stride;
	int		 efd;		/* eventfd, not owned */
	uint32_t	 head;		/* producer: next slot to write */
	uint32_t	 pub;		/* producer: head last published */
	uint32_t	 tail;		/* consumer: next slot to read */
	uint32_t	 seen;		/* the other side's index last read */
	uint64_t	 full;		/* producer: reserve found no room */
	uint64_t	 wakeups;	/* producer: eventfd signals */
	uint64_t	 bad;		/* malformed index or element */
};

/* Bytes of the shared mapping for nslots slots of slot_max bytes. */
size_t	 ring_map_len(uint32_t nslots, uint32_t slot_max);
/* Parent: a sealed memfd of that size (it cannot shrink or grow, so a
 * peer cannot make the other's mapping fault) and a non-blocking
 * eventfd.  -1 on error. */
int	 ring_create(uint32_t nslots, uint32_t slot_max, int *memfd,
	    int *efd);
/* Either side: maps memfd (checked to be exactly the expected size)
 * and sets up the private state.  -1 on error. */
int	 ring_attach(struct ring *, int memfd, int efd, uint32_t nslots,
	    uint32_t slot_max);
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

/* Consumer.  ring_peek: the next element (in shared memory, its length
 * in *len) or NULL when empty; a malformed element is counted and
 * skipped, at most nslots of them per call.  ring_release: done with the element peeked last.
 * ring_get: peek, copy into buf (size >= slot_max) and release;
 * returns the length or -1 when empty.  ring_drain_wake: clears the
 * eventfd before reading. */
const void *ring_peek(struct ring *, size_t *len);
void	 ring_release(struct ring *);
ssize_t	 ring_get(struct ring *, void *buf, size_t size);
void	 ring_drain_wake(struct ring *);

#endif /* RING_H */
