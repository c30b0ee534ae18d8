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
 * The shared-memory ring between the core and one linkd (ring.h says
 * the layout and the invariants).  The parent creates the memfd and
 * the eventfd; the core and the linkd, both unprivileged and
 * sandboxed, map the memfd read-write (never executable) and each
 * treats everything the other writes there as hostile: indices are
 * bounded, lengths read once and checked, and no pointer is ever
 * stored in shared memory.  No secrets pass through here in clear but
 * the inner frames the core and the linkd exchange anyway.
 */

#include <sys/types.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"

struct ring_shm {
	_Alignas(64) _Atomic uint32_t	head;
	_Atomic uint32_t		want;
	_Alignas(64) _Atomic uint32_t	tail;
};

_Static_assert(sizeof(struct ring_shm) == RING_HDR_LEN, "ring header");

size_t
ring_map_len(uint32_t size, uint32_t elem_max)
{
	size_t	len, page = (size_t)sysconf(_SC_PAGESIZE);

	if (size < RING_MIN_SIZE || size > RING_MAX_SIZE ||
	    (size & (size - 1)) != 0 || elem_max == 0 ||
	    elem_max > RING_MAX_ELEM || 2 * RING_REC_LEN(elem_max) > size)
		return 0;
	len = RING_HDR_LEN + (size_t)size;
	return (len + page - 1) / page * page;
}

int
ring_create(uint32_t size, uint32_t elem_max, int *memfd, int *efd)
{
	size_t	len = ring_map_len(size, elem_max);
	int	saved;

	*memfd = *efd = -1;
	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((*memfd = memfd_create("bondd-ring",
	    MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1)
		return -1;
	if (ftruncate(*memfd, (off_t)len) == -1 ||
	    fcntl(*memfd, F_ADD_SEALS,
	    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == -1 ||
	    (*efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		saved = errno;
		close(*memfd);
		*memfd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

int
ring_attach(struct ring *r, int memfd, int efd, uint32_t size,
    uint32_t elem_max)
{
	struct stat	 sb;
	size_t		 len = ring_map_len(size, elem_max);
	void		*p;

	memset(r, 0, sizeof(*r));
	r->efd = -1;
	if (len == 0 || fstat(memfd, &sb) == -1 ||
	    sb.st_size != (off_t)len) {
		errno = EINVAL;
		return -1;
	}
	if ((p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
	    0)) == MAP_FAILED)
		return -1;
	r->shm = p;
	r->data = (uint8_t *)p + RING_HDR_LEN;
	r->map_len = len;
	r->size = size;
	r->elem_max = elem_max;
	r->efd = efd;
	return 0;
}

void
ring_detach(struct ring *r)
{
	if (r->shm != NULL)
		munmap(r->shm, r->map_len);
	memset(r, 0, sizeof(*r));
	r->efd = -1;
}

/* The offset in the data of a free-running index. */
static uint32_t
off_of(const struct ring *r, uint32_t i)
{
	return i & (r->size - 1);
}

/* --- producer --- */

/* Bytes in use as the consumer's tail says, or -1 (counted) if the
 * tail is ahead of what was published, far behind, or not on a
 * record. */
static int64_t
ring_used(struct ring *r, uint32_t tail)
{
	uint32_t	used = r->head - tail;

	if (used > r->size || tail % RING_ALIGN != 0) {
		r->bad++;
		return -1;
	}
	return used;
}

void *
ring_reserve(struct ring *r, size_t len)
{
	int64_t		used;
	uint32_t	need, off, skip;

	r->reserved = 0;
	if (len > r->elem_max) {
		errno = EMSGSIZE;
		return NULL;
	}
	if ((used = ring_used(r, atomic_load_explicit(&r->shm->tail,
	    memory_order_acquire))) == -1) {
		errno = EPROTO;
		return NULL;
	}
	need = (uint32_t)RING_REC_LEN(len);
	off = off_of(r, r->head);
	/* A record never wraps: skip to 0 if it does not fit before the
	 * end (off and size are multiples of RING_ALIGN, so a skip
	 * record's header always fits). */
	skip = r->size - off < need ? r->size - off : 0;
	if (skip + need > r->size - (uint32_t)used) {
		r->full++;
		errno = ENOBUFS;
		return NULL;
	}
	r->reserved = 1;
	r->rsv_len = (uint32_t)len;
	r->rsv_skip = skip;
	return r->data + (skip ? 0 : off) + RING_REC_HDR;
}

/* A record's length, written where the consumer reads it once. */
static void
put_len(struct ring *r, uint32_t len)
{
	memcpy(r->data + off_of(r, r->head), &len, sizeof(len));
}

void
ring_commit(struct ring *r, size_t len)
{
	if (!r->reserved)
		return;
	if (len > r->rsv_len)
		len = r->rsv_len;
	if (r->rsv_skip != 0) {
		put_len(r, RING_SKIP);
		r->head += r->rsv_skip;
	}
	put_len(r, (uint32_t)len);
	r->head += (uint32_t)RING_REC_LEN(len);
	r->reserved = 0;
}

int
ring_publish(struct ring *r)
{
	uint64_t	one = 1;
	uint32_t	before = r->pub;

	if (r->pub == r->head)
		return 0;
	/* Store head, then load tail, both sequentially consistent; the
	 * consumer stores tail, then loads head, the same way (ring_avail).
	 * In their single total order one load follows the other's store:
	 * either this sees the ring was emptied, or the consumer sees the
	 * new head before it sleeps. */
	atomic_store(&r->shm->head, r->head);
	r->pub = r->head;
	if (atomic_load(&r->shm->tail) != before)
		return 0;
	r->wakeups++;
	/* EAGAIN: the counter is full, so the consumer wakes anyway. */
	if (write(r->efd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		return -1;
	return 1;
}

static uint32_t
room_of(struct ring *r, int64_t used)
{
	uint32_t	worst = (uint32_t)RING_REC_LEN(r->elem_max);

	if (used == -1 || r->size - (uint32_t)used < worst)
		return 0;
	return r->size - (uint32_t)used - worst;
}

uint32_t
ring_room(struct ring *r, uint32_t want)
{
	uint32_t	room;

	room = room_of(r, ring_used(r, atomic_load_explicit(&r->shm->tail,
	    memory_order_acquire)));
	if (room >= want)
		return room;
	/* Store want, then load tail, both sequentially consistent; the
	 * consumer stores tail, then loads want (ring_room_wanted). */
	atomic_store(&r->shm->want, 1);
	return room_of(r, ring_used(r, atomic_load(&r->shm->tail)));
}

/* --- consumer --- */

static void
advance(struct ring *r, uint32_t n)
{
	r->tail += n;
	atomic_store_explicit(&r->shm->tail, r->tail, memory_order_release);
}

/* Bytes published and not read yet, 0 if none (or a bad head). */
static uint32_t
ring_avail(struct ring *r)
{
	if (r->seen == r->tail) {
		r->seen = atomic_load_explicit(&r->shm->head,
		    memory_order_acquire);
		if (r->seen == r->tail) {
			/* Before sleeping: see ring_publish. */
			atomic_store(&r->shm->tail, r->tail);
			r->seen = atomic_load(&r->shm->head);
			if (r->seen == r->tail)
				return 0;
		}
	}
	if (r->seen - r->tail > r->size || r->seen % RING_ALIGN != 0) {
		r->bad++;
		r->seen = r->tail;
		return 0;
	}
	return r->seen - r->tail;
}

/*
 * Each try passes a skip record, finds a record, or drops everything
 * published; an honest producer needs two at most (a skip, then the
 * record), and one that keeps publishing garbage cannot keep the
 * caller here.
 */
#define RING_PEEK_TRIES	4

const void *
ring_peek(struct ring *r, size_t *len)
{
	const uint8_t	*p;
	uint32_t	 avail, off, l, rec, tries = 0;

	r->peeked = 0;
	while (tries++ < RING_PEEK_TRIES && (avail = ring_avail(r)) != 0) {
		off = off_of(r, r->tail);
		p = r->data + off;
		/* Read once: the producer may rewrite it after the check.
		 * off is a multiple of RING_ALIGN below size: the length
		 * is inside the mapping. */
		l = __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
		if (l == RING_SKIP && r->size - off <= avail) {
			advance(r, r->size - off);
			continue;
		}
		if (l <= r->elem_max) {
			rec = (uint32_t)RING_REC_LEN(l);
			if (rec <= avail && rec <= r->size - off) {
				r->peeked = rec;
				*len = l;
				return p + RING_REC_HDR;
			}
		}
		/* Where the next record starts is unknown: drop all. */
		r->bad++;
		advance(r, avail);
	}
	return NULL;
}

void
ring_release(struct ring *r)
{
	if (r->peeked == 0)
		return;
	advance(r, r->peeked);
	r->peeked = 0;
}

ssize_t
ring_get(struct ring *r, void *buf, size_t size)
{
	const void	*p;
	size_t		 len;

	if (size < r->elem_max) {
		errno = EINVAL;
		return -1;
	}
	if ((p = ring_peek(r, &len)) == NULL) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(buf, p, len);
	ring_release(r);
	return (ssize_t)len;
}

int
ring_room_wanted(struct ring *r)
{
	atomic_store(&r->shm->tail, r->tail);
	if (atomic_load(&r->shm->want) == 0)
		return 0;
	return atomic_exchange(&r->shm->want, 0) != 0;
}

void
ring_drain_wake(struct ring *r)
{
	uint64_t	v;

	/* Nothing to read (EAGAIN) is as good as having read. */
	if (read(r->efd, &v, sizeof(v)) == -1)
		return;
}
