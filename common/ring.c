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
	_Alignas(64) _Atomic uint32_t	tail;
};

_Static_assert(sizeof(struct ring_shm) == RING_HDR_LEN, "ring header");

static uint32_t
ring_stride(uint32_t slot_max)
{
	return (RING_SLOT_HDR + slot_max + 63) & ~(uint32_t)63;
}

size_t
ring_map_len(uint32_t nslots, uint32_t slot_max)
{
	size_t	len, page = (size_t)sysconf(_SC_PAGESIZE);

	if (nslots == 0 || nslots > RING_MAX_SLOTS ||
	    (nslots & (nslots - 1)) != 0 || slot_max == 0 ||
	    slot_max > RING_MAX_ELEM)
		return 0;
	len = RING_HDR_LEN + (size_t)nslots * ring_stride(slot_max);
	return (len + page - 1) / page * page;
}

int
ring_create(uint32_t nslots, uint32_t slot_max, int *memfd, int *efd)
{
	size_t	len = ring_map_len(nslots, slot_max);
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
ring_attach(struct ring *r, int memfd, int efd, uint32_t nslots,
    uint32_t slot_max)
{
	struct stat	 sb;
	size_t		 len = ring_map_len(nslots, slot_max);
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
	r->slots = (uint8_t *)p + RING_HDR_LEN;
	r->map_len = len;
	r->nslots = nslots;
	r->slot_max = slot_max;
	r->stride = ring_stride(slot_max);
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

static uint8_t *
slot_of(const struct ring *r, uint32_t i)
{
	return r->slots + (size_t)(i & (r->nslots - 1)) * r->stride;
}

/* --- producer --- */

void *
ring_reserve(struct ring *r, size_t len)
{
	uint32_t	used;

	if (len > r->slot_max) {
		errno = EMSGSIZE;
		return NULL;
	}
	used = r->head - atomic_load_explicit(&r->shm->tail,
	    memory_order_acquire);
	if (used > r->nslots) {
		/* A tail ahead of what was published, or far behind. */
		r->bad++;
		errno = EPROTO;
		return NULL;
	}
	if (used == r->nslots) {
		r->full++;
		errno = ENOBUFS;
		return NULL;
	}
	return slot_of(r, r->head) + RING_SLOT_HDR;
}

void
ring_commit(struct ring *r, size_t len)
{
	uint32_t	l = len > r->slot_max ? r->slot_max : (uint32_t)len;

	memcpy(slot_of(r, r->head), &l, sizeof(l));
	r->head++;
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

/* --- consumer --- */

/* seen = what the producer published, 0 if nothing is to be read. */
static int
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
	if (r->seen - r->tail > r->nslots) {
		r->bad++;
		r->seen = r->tail;
		return 0;
	}
	return 1;
}

const void *
ring_peek(struct ring *r, size_t *len)
{
	const uint8_t	*s;
	uint32_t	 l, skipped = 0;

	/* At most a ring's worth of garbage per call. */
	while (skipped++ < r->nslots && ring_avail(r)) {
		s = slot_of(r, r->tail);
		/* Read once: the producer may rewrite it after the check. */
		l = __atomic_load_n((const uint32_t *)s, __ATOMIC_RELAXED);
		if (l <= r->slot_max) {
			*len = l;
			return s + RING_SLOT_HDR;
		}
		r->bad++;
		ring_release(r);
	}
	return NULL;
}

void
ring_release(struct ring *r)
{
	r->tail++;
	atomic_store_explicit(&r->shm->tail, r->tail, memory_order_release);
}

ssize_t
ring_get(struct ring *r, void *buf, size_t size)
{
	const void	*p;
	size_t		 len;

	if (size < r->slot_max) {
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

void
ring_drain_wake(struct ring *r)
{
	uint64_t	v;

	/* Nothing to read (EAGAIN) is as good as having read. */
	if (read(r->efd, &v, sizeof(v)) == -1)
		return;
}
