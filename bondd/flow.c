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
 * Flow identification, realtime classification, realtime pinning and
 * MSS clamping (flow.h).  Runs in the core, unprivileged, on packets
 * from the TUN device or a peer: nothing here trusts a length field
 * before checking it against the bytes at hand.
 */

#include <string.h>

#include "csum.h"
#include "flow.h"
#include "ip6.h"
#include "netbytes.h"

#define PROTO_ICMP	1
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ICMPV6	58
#define TCP_SYN		0x02
#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCPOPT_MSS	2

/* Fill the IP part of k; off and end bound the upper layer. */
static int
ip_parse(const uint8_t *p, size_t len, struct flow_key *k, size_t *off,
    size_t *end)
{
	struct ip6_chain c;
	size_t		 hl;

	memset(k, 0, sizeof(*k));
	if (len < 1)
		return -1;
	switch (p[0] >> 4) {
	case 4:
		if (len < 20)
			return -1;
		hl = (size_t)(p[0] & 0x0f) * 4;
		*end = get16(p + 2);
		if (hl < 20 || *end < hl || *end > len)
			return -1;
		k->family = 4;
		k->dscp = p[1] >> 2;
		k->proto = p[9];
		k->frag = (get16(p + 6) & 0x3fff) != 0;
		memcpy(k->src, p + 12, 4);
		memcpy(k->dst, p + 16, 4);
		*off = hl;
		return 0;
	case 6:
		if (len < 40)
			return -1;
		*end = 40 + (size_t)get16(p + 4);
		if (*end > len)
			return -1;
		k->family = 6;
		k->dscp = (uint8_t)(((p[0] & 0x0f) << 4 | p[1] >> 4) >> 2);
		memcpy(k->src, p + 8, 16);
		memcpy(k->dst, p + 24, 16);
		if (ip6_chain(p, *end, &c) == -1)
			return -1;
		k->proto = c.proto;
		k->frag = c.frag;
		*off = c.off;
		return 0;
	default:
		return -1;
	}
}

int
flow_parse(const uint8_t *p, size_t len, struct flow_key *k)
{
	const uint8_t	*l4;
	size_t		 off, end;

	if (ip_parse(p, len, k, &off, &end) == -1)
		return -1;
	if (k->frag)
		return 0;
	l4 = p + off;
	switch (k->proto) {
	case PROTO_TCP:
	case PROTO_UDP:
		if (end - off >= 4) {
			k->sport = get16(l4);
			k->dport = get16(l4 + 2);
		}
		break;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		/* Echo request and reply: the identifier tells pings apart. */
		if (end - off >= 8 && (l4[0] == 0 || l4[0] == 8 ||
		    l4[0] == 128 || l4[0] == 129))
			k->sport = get16(l4 + 4);
		break;
	}
	return 0;
}

static uint32_t
rotl(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

static uint32_t
mix(uint32_t h, uint32_t w)
{
	w *= 0xcc9e2d51;
	w = rotl(w, 15);
	w *= 0x1b873593;
	h ^= w;
	h = rotl(h, 13);
	return h * 5 + 0xe6546b64;
}

static uint32_t
mix_bytes(uint32_t h, const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i + 4 <= n; i += 4)
		h = mix(h, (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
		    (uint32_t)p[i + 2] << 8 | p[i + 3]);
	return h;
}

uint32_t
flow_hash(const struct flow_key *k, uint32_t seed)
{
	size_t		alen = k->family == 4 ? 4 : 16;
	uint32_t	h = seed;

	h = mix(h, (uint32_t)k->family << 8 | k->proto);
	h = mix_bytes(h, k->src, alen);
	h = mix_bytes(h, k->dst, alen);
	h = mix(h, (uint32_t)k->sport << 16 | k->dport);
	/* Final avalanche, so that the low bits index tables well. */
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

int
flow_id(const uint8_t *p, size_t len, uint32_t seed, uint32_t *hash)
{
	struct flow_key	k;

	if (flow_parse(p, len, &k) == -1)
		return -1;
	*hash = flow_hash(&k, seed);
	return 0;
}

static int
port_in(uint16_t sport, uint16_t dport, const uint16_t *ports, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (ports[i] == sport || ports[i] == dport)
			return 1;
	return 0;
}

int
flow_is_realtime(const uint8_t *p, size_t len, const uint16_t *udp_ports,
    int nudp, const uint16_t *tcp_ports, int ntcp)
{
	struct flow_key	k;

	if (flow_parse(p, len, &k) == -1)
		return 0;
	if (k.dscp == FLOW_DSCP_EF)
		return 1;
	if (k.frag || (k.sport == 0 && k.dport == 0))
		return 0;
	if (k.proto == PROTO_UDP)
		return port_in(k.sport, k.dport, udp_ports, nudp);
	if (k.proto == PROTO_TCP)
		return port_in(k.sport, k.dport, tcp_ports, ntcp);
	return 0;
}

void
flow_table_init(struct flow_table *t)
{
	memset(t, 0, sizeof(*t));
}

static int
expired(const struct flow_ent *f, uint64_t now_us)
{
	return now_us > f->last_us &&
	    now_us - f->last_us > FLOW_EXPIRE_US;
}

static struct flow_ent *
slot(struct flow_table *t, uint32_t hash, int i)
{
	return &t->ent[(hash + (uint32_t)i) & (FLOW_TABLE_SIZE - 1)];
}

struct flow_ent *
flow_get(struct flow_table *t, uint32_t hash, uint64_t now_us)
{
	struct flow_ent	*f, *use = NULL, *stale = NULL;
	int		 i;

	for (i = 0; i < FLOW_PROBE; i++) {
		f = slot(t, hash, i);
		if (f->used && f->hash == hash) {
			if (expired(f, now_us))
				break;
			/* Idle a while: it picks its link afresh, and the
			 * move cannot reorder what is long gone. */
			if (now_us > f->last_us &&
			    now_us - f->last_us > FLOW_REPIN_US) {
				f->link = -1;
				f->bulk = 0;
				f->dense = 0;
				f->window_bytes = 0;
				f->window_us = now_us;
			}
			f->last_us = now_us;
			return f;
		}
		if (use == NULL && (!f->used || expired(f, now_us)))
			use = f;
		if (stale == NULL || f->last_us < stale->last_us)
			stale = f;
	}
	if (i < FLOW_PROBE)
		use = f;		/* the same flow, back after a pause */
	else if (use == NULL) {
		use = stale;
		t->evicted++;
	}
	memset(use, 0, sizeof(*use));
	use->used = 1;
	use->hash = hash;
	use->link = -1;
	use->last_us = now_us;
	use->window_us = now_us;
	return use;
}

int
flow_sparse(struct flow_ent *f, size_t len, uint64_t now_us)
{
	if (f->dense)
		return 0;
	if (now_us < f->window_us || now_us - f->window_us >= FLOW_SPARSE_US) {
		f->window_us = now_us;
		f->window_bytes = 0;
	}
	if (len > FLOW_SPARSE_BYTES - f->window_bytes) {
		f->dense = 1;
		return 0;
	}
	f->window_bytes += len;
	return 1;
}

int
flow_unpin_link(struct flow_table *t, int link)
{
	int	i, n = 0;

	for (i = 0; i < FLOW_TABLE_SIZE; i++) {
		if (t->ent[i].used && t->ent[i].link >= 0 &&
		    t->ent[i].link == link) {
			t->ent[i].link = -1;
			n++;
		}
	}
	t->rehomed += (uint64_t)n;
	return n;
}

int
flow_tcp_mss_clamp(uint8_t *p, size_t len, uint16_t mss)
{
	struct flow_key	 k;
	uint8_t		*tcp, old[4];
	size_t		 off, end, hl, i, w, first, n;

	if (ip_parse(p, len, &k, &off, &end) == -1 || k.frag ||
	    k.proto != PROTO_TCP || end - off < 20)
		return 0;
	tcp = p + off;
	hl = (size_t)(tcp[12] >> 4) * 4;
	if (!(tcp[13] & TCP_SYN) || hl < 20 || hl > end - off)
		return 0;
	for (i = 20; i < hl; ) {
		if (tcp[i] == TCPOPT_EOL)
			break;
		if (tcp[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hl || tcp[i + 1] < 2 || i + tcp[i + 1] > hl)
			break;
		if (tcp[i] != TCPOPT_MSS || tcp[i + 1] != 4) {
			i += tcp[i + 1];
			continue;
		}
		if (get16(tcp + i + 2) <= mss)
			return 0;
		/* The value may straddle two checksum words. */
		first = (i + 2) & ~(size_t)1;
		n = first == i + 2 ? 2 : 4;
		memcpy(old, tcp + first, n);
		tcp[i + 2] = (uint8_t)(mss >> 8);
		tcp[i + 3] = (uint8_t)mss;
		for (w = first; w < first + n; w += 2)
			csum_update(tcp + 16, get16(old + (w - first)),
			    get16(tcp + w));
		return 1;
	}
	return 0;
}
