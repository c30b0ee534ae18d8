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
 * Unit tests of flow handling (bondd/flow.c): IPv4 and IPv6 5-tuple
 * parsing and hashing, fragments, realtime classification, the pinning
 * table (re-homing on link failure, expiry, eviction) and TCP MSS
 * clamping checked against a checksum computed from scratch.  Test
 * code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "flow.h"
#include "check_main.h"

#define P_TCP	6
#define P_UDP	17

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* IPv4 header + 8 bytes of L4 (ports), total len bytes. */
static size_t
mk4(uint8_t *p, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sp,
    uint16_t dp, uint8_t tos, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[1] = tos;
	put16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = proto;
	put16(p + 12, (uint16_t)(src >> 16));
	put16(p + 14, (uint16_t)src);
	put16(p + 16, (uint16_t)(dst >> 16));
	put16(p + 18, (uint16_t)dst);
	put16(p + 20, sp);
	put16(p + 22, dp);
	return len;
}

/* IPv6 with optional hop-by-hop header, then L4 ports. */
static size_t
mk6(uint8_t *p, uint8_t proto, uint8_t last, uint16_t sp, uint16_t dp,
    uint8_t tc, int hbh, size_t len)
{
	size_t	o = 40;

	memset(p, 0, len);
	p[0] = (uint8_t)(0x60 | tc >> 4);
	p[1] = (uint8_t)(tc << 4);
	put16(p + 4, (uint16_t)(len - 40));
	p[6] = proto;
	p[7] = 64;
	p[8] = 0x20; p[9] = 0x01; p[10] = 0x0d; p[11] = 0xb8;
	p[23] = 1;
	p[24] = 0x20; p[25] = 0x01; p[26] = 0x0d; p[27] = 0xb8;
	p[39] = last;
	if (hbh) {
		p[6] = 0;
		p[40] = proto;
		p[41] = 0;	/* 8 bytes */
		o = 48;
	}
	put16(p + o, sp);
	put16(p + o + 2, dp);
	return len;
}

START_TEST(test_parse)
{
	struct flow_key	k;
	uint8_t		p[200];
	size_t		n;

	n = mk4(p, P_UDP, 0xc6120001, 0xc6130002, 40000, 53, 0, 60);
	ck_assert_int_eq(flow_parse(p, n, &k), 0);
	ck_assert_int_eq(k.family, 4);
	ck_assert_int_eq(k.proto, P_UDP);
	ck_assert_int_eq(k.sport, 40000);
	ck_assert_int_eq(k.dport, 53);
	ck_assert_int_eq(k.src[0], 0xc6);
	ck_assert_int_eq(k.dst[3], 2);
	ck_assert_int_eq(k.frag, 0);
	/* Truncated or lying about its length. */
	ck_assert_int_eq(flow_parse(p, 19, &k), -1);
	ck_assert_int_eq(flow_parse(p, 59, &k), -1);
	p[0] = 0x44;
	ck_assert_int_eq(flow_parse(p, n, &k), -1);
	ck_assert_int_eq(flow_parse(p, 0, &k), -1);

	n = mk6(p, P_TCP, 7, 443, 50000, 0, 1, 100);
	ck_assert_int_eq(flow_parse(p, n, &k), 0);
	ck_assert_int_eq(k.family, 6);
	ck_assert_int_eq(k.proto, P_TCP);
	ck_assert_int_eq(k.sport, 443);
	ck_assert_int_eq(k.dport, 50000);
	ck_assert_int_eq(k.dst[15], 7);
	ck_assert_int_eq(flow_parse(p, 39, &k), -1);
	p[41] = 20;		/* hop-by-hop longer than the packet */
	ck_assert_int_eq(flow_parse(p, n, &k), -1);
}
END_TEST

START_TEST(test_hash)
{
	uint8_t		p[100], q[100];
	uint32_t	a, b;
	size_t		n;

	n = mk4(p, P_TCP, 0xc6120001, 0xc6130002, 40000, 80, 0, 80);
	ck_assert_int_eq(flow_id(p, n, 1, &a), 0);
	/* Another packet of the same flow: payload and TOS ignored. */
	mk4(q, P_TCP, 0xc6120001, 0xc6130002, 40000, 80, 0x10, 90);
	q[50] = 0xaa;
	ck_assert_int_eq(flow_id(q, 90, 1, &b), 0);
	ck_assert_uint_eq(a, b);
	/* One field off: another flow; reply direction: another hash. */
	mk4(q, P_TCP, 0xc6120001, 0xc6130002, 40001, 80, 0, 80);
	flow_id(q, n, 1, &b);
	ck_assert_uint_ne(a, b);
	mk4(q, P_UDP, 0xc6120001, 0xc6130002, 40000, 80, 0, 80);
	flow_id(q, n, 1, &b);
	ck_assert_uint_ne(a, b);
	mk4(q, P_TCP, 0xc6130002, 0xc6120001, 80, 40000, 0, 80);
	flow_id(q, n, 1, &b);
	ck_assert_uint_ne(a, b);
	flow_id(p, n, 2, &b);
	ck_assert_uint_ne(a, b);
	ck_assert_int_eq(flow_id(p, 10, 1, &b), -1);

	/* IPv6, with and without an extension header: same flow. */
	n = mk6(p, P_UDP, 9, 5000, 6000, 0, 0, 80);
	flow_id(p, n, 1, &a);
	n = mk6(q, P_UDP, 9, 5000, 6000, 0, 1, 88);
	flow_id(q, n, 1, &b);
	ck_assert_uint_eq(a, b);
	mk6(q, P_UDP, 9, 5000, 6001, 0, 1, 88);
	flow_id(q, n, 1, &b);
	ck_assert_uint_ne(a, b);
}
END_TEST

START_TEST(test_fragments)
{
	struct flow_key	k;
	uint8_t		p[100], q[100];
	uint32_t	a, b;
	size_t		n;

	/* First fragment: MF set, carries the UDP header. */
	n = mk4(p, P_UDP, 0xc6120001, 0xc6130002, 40000, 9, 0, 100);
	put16(p + 6, 0x2000);
	ck_assert_int_eq(flow_parse(p, n, &k), 0);
	ck_assert_int_eq(k.frag, 1);
	ck_assert_int_eq(k.sport, 0);
	flow_id(p, n, 1, &a);
	/* Last fragment: offset 10 (80 bytes), data where ports were. */
	mk4(q, P_UDP, 0xc6120001, 0xc6130002, 1234, 5678, 0, 60);
	put16(q + 6, 10);
	flow_id(q, 60, 1, &b);
	ck_assert_uint_eq(a, b);

	/* IPv6 fragment header. */
	n = mk6(p, 44, 3, 0, 0, 0, 0, 100);
	p[40] = P_UDP;
	put16(p + 42, 0x0001);	/* offset 0, M */
	put16(p + 48, 40000);
	ck_assert_int_eq(flow_parse(p, n, &k), 0);
	ck_assert_int_eq(k.proto, P_UDP);
	ck_assert_int_eq(k.frag, 1);
	flow_id(p, n, 1, &a);
	put16(p + 42, 0x00a0);	/* offset 20 */
	put16(p + 48, 777);
	flow_id(p, n, 1, &b);
	ck_assert_uint_eq(a, b);
}
END_TEST

START_TEST(test_spread)
{
	struct flow_key	k;
	uint64_t	r = 42;
	uint32_t	h, bucket[8] = { 0 };
	int		i;

	memset(&k, 0, sizeof(k));
	k.family = 4;
	for (i = 0; i < 1000000; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		memcpy(k.src, &r, 4);
		memcpy(k.dst, (uint8_t *)&r + 4, 4);
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		k.sport = (uint16_t)(r >> 20);
		k.dport = (uint16_t)(r >> 40);
		k.proto = (r >> 63) ? P_TCP : P_UDP;
		h = flow_hash(&k, 0x1234);
		bucket[h % 8]++;
	}
	for (i = 0; i < 8; i++) {
		ck_assert_uint_ge(bucket[i], 125000 - 1250);
		ck_assert_uint_le(bucket[i], 125000 + 1250);
	}
}
END_TEST

START_TEST(test_realtime)
{
	static const uint16_t	udp[] = { 5060, 3478 }, tcp[] = { 22 };
	uint8_t			p[100];
	size_t			n;

	n = mk4(p, P_UDP, 1, 2, 40000, 5060, 0, 60);
	ck_assert_int_eq(flow_is_realtime(p, n, udp, 2, tcp, 1), 1);
	mk4(p, P_UDP, 1, 2, 3478, 40000, 0, 60);
	ck_assert_int_eq(flow_is_realtime(p, n, udp, 2, tcp, 1), 1);
	mk4(p, P_UDP, 1, 2, 40000, 53, 0, 60);
	ck_assert_int_eq(flow_is_realtime(p, n, udp, 2, tcp, 1), 0);
	mk4(p, P_UDP, 1, 2, 40000, 22, 0, 60);
	ck_assert_int_eq(flow_is_realtime(p, n, udp, 2, tcp, 1), 0);
	mk4(p, P_TCP, 1, 2, 40000, 22, 0, 60);
	ck_assert_int_eq(flow_is_realtime(p, n, udp, 2, tcp, 1), 1);
	ck_assert_int_eq(flow_is_realtime(p, n, udp, 2, tcp, 0), 0);
	/* DSCP EF, whatever the port; AF41 is not. */
	mk4(p, P_TCP, 1, 2, 40000, 80, 46 << 2, 60);
	ck_assert_int_eq(flow_is_realtime(p, n, NULL, 0, NULL, 0), 1);
	mk4(p, P_TCP, 1, 2, 40000, 80, 34 << 2, 60);
	ck_assert_int_eq(flow_is_realtime(p, n, NULL, 0, NULL, 0), 0);
	n = mk6(p, P_UDP, 1, 40000, 9, 46 << 2, 1, 80);
	ck_assert_int_eq(flow_is_realtime(p, n, udp, 2, tcp, 1), 1);
	n = mk6(p, P_UDP, 1, 40000, 5060, 0, 1, 80);
	ck_assert_int_eq(flow_is_realtime(p, n, udp, 2, tcp, 1), 1);
	ck_assert_int_eq(flow_is_realtime(p, 30, udp, 2, tcp, 1), 0);
}
END_TEST

START_TEST(test_table)
{
	static struct flow_table	t;
	struct flow_ent			*f;
	uint32_t			h;
	uint64_t			now = 1000000;

	flow_table_init(&t);
	f = flow_get(&t, 5, now);
	ck_assert_int_eq(f->link, -1);
	ck_assert_int_eq(f->bulk, 0);
	ck_assert_int_eq(f->has_seq, 0);
	for (h = 0; h < 150; h++)
		flow_get(&t, h * 2654435761U, now)->link = h < 100 ? 1 : 0;
	for (h = 0; h < 150; h++)
		ck_assert_int_eq(flow_get(&t, h * 2654435761U, now)->link,
		    h < 100 ? 1 : 0);
	/* Link 1 fails: its flows pick again, link 0's stay. */
	ck_assert_int_eq(flow_unpin_link(&t, 1), 100);
	ck_assert_uint_eq(t.rehomed, 100);
	for (h = 0; h < 150; h++)
		ck_assert_int_eq(flow_get(&t, h * 2654435761U, now)->link,
		    h < 100 ? -1 : 0);
	ck_assert_int_eq(flow_unpin_link(&t, 2), 0);

	/* Idle a second: a new link, not a new flow; a packet refreshes.
	 * Idle 30 s: a new flow. */
	f = flow_get(&t, 99, now);
	f->link = 3;
	f->bulk = 1;
	f->has_seq = 1;
	f->last_seq = 77;
	flow_get(&t, 100, now)->link = 3;
	now += FLOW_REPIN_US;
	f = flow_get(&t, 99, now);
	ck_assert_int_eq(f->link, 3);
	ck_assert_int_eq(f->bulk, 1);
	now += FLOW_REPIN_US + 1;
	f = flow_get(&t, 99, now);
	ck_assert_int_eq(f->link, -1);
	ck_assert_int_eq(f->bulk, 0);
	ck_assert_int_eq(f->has_seq, 1);
	ck_assert_uint_eq(f->last_seq, 77);
	f->link = 3;
	now += 20000000;
	ck_assert_int_eq(flow_get(&t, 100, now)->link, -1);
	now += 20000000;
	f = flow_get(&t, 100, now);
	ck_assert_int_eq(f->link, -1);
	now += FLOW_EXPIRE_US + 1;
	f = flow_get(&t, 99, now);
	ck_assert_int_eq(f->link, -1);
	ck_assert_int_eq(f->bulk, 0);
	ck_assert_int_eq(f->has_seq, 0);
	ck_assert_uint_eq(t.evicted, 0);
}
END_TEST

/* Pings and ACKs stay sparse; a flow that sends more than the window
 * allows is dense until it has been idle long enough to repin. */
START_TEST(test_sparse)
{
	static struct flow_table	t;
	struct flow_ent			*f;
	uint64_t			now = 5000000;
	int				i;

	flow_table_init(&t);
	/* A ping a second for a minute. */
	for (i = 0; i < 60; i++, now += 1000000)
		ck_assert_int_eq(flow_sparse(flow_get(&t, 1, now), 84, now), 1);
	/* 52-byte ACKs every 0.5 ms: 40 per window, 2080 bytes. */
	for (i = 0; i < 4000; i++, now += 500)
		ck_assert_int_eq(flow_sparse(flow_get(&t, 2, now), 52, now), 1);
	/* Two full packets fit a window, the third does not. */
	f = flow_get(&t, 3, now);
	ck_assert_int_eq(flow_sparse(f, 1500, now), 1);
	ck_assert_int_eq(flow_sparse(f, 1500, now + 1), 1);
	ck_assert_int_eq(flow_sparse(f, 1, now + 2), 0);
	/* Dense stays dense in later windows, while it keeps sending. */
	for (i = 0; i < 100; i++) {
		now += FLOW_SPARSE_US;
		f = flow_get(&t, 3, now);
		ck_assert_int_eq(flow_sparse(f, 40, now), 0);
	}
	/* Idle just under the repin time: still dense; over: sparse. */
	now += FLOW_REPIN_US;
	ck_assert_int_eq(flow_sparse(flow_get(&t, 3, now), 40, now), 0);
	now += FLOW_REPIN_US + 1;
	ck_assert_int_eq(flow_sparse(flow_get(&t, 3, now), 40, now), 1);
	/* A window is FLOW_SPARSE_US long: 3000 bytes just inside it
	 * make the next byte dense, the same after it starts afresh. */
	f = flow_get(&t, 4, now);
	ck_assert_int_eq(flow_sparse(f, 3000, now), 1);
	ck_assert_int_eq(flow_sparse(f, 1000, now + FLOW_SPARSE_US), 1);
	ck_assert_int_eq(flow_sparse(f, 2000, now + 2 * FLOW_SPARSE_US - 1),
	    1);
	ck_assert_int_eq(flow_sparse(f, 1, now + 2 * FLOW_SPARSE_US - 1), 0);
	/* A clock that goes back starts a window, it does not wrap. */
	f = flow_get(&t, 5, now);
	ck_assert_int_eq(flow_sparse(f, 2900, now), 1);
	ck_assert_int_eq(flow_sparse(f, 2900, now - 10), 1);
}
END_TEST

START_TEST(test_evict)
{
	static struct flow_table	t;
	uint32_t			h;
	int				n = 0;

	flow_table_init(&t);
	/* FLOW_PROBE + 1 hashes on the same slot: the stalest goes. */
	for (h = 0; h <= FLOW_PROBE; h++)
		flow_get(&t, 3 + h * FLOW_TABLE_SIZE, 1000 + h)->link = 1;
	ck_assert_uint_eq(t.evicted, 1);
	ck_assert_int_eq(flow_get(&t, 3, 2000)->link, -1);
	ck_assert_uint_eq(t.evicted, 2);
	for (h = 2; h <= FLOW_PROBE; h++)
		n += flow_get(&t, 3 + h * FLOW_TABLE_SIZE, 2000)->link == 1;
	ck_assert_int_eq(n, FLOW_PROBE - 1);
}
END_TEST

/* Ones' complement sum of the pseudo-header and segment: 0xffff = ok. */
static uint16_t
tcp_sum(const uint8_t *p, size_t len)
{
	uint32_t	s = 0;
	size_t		i, off, seg;
	int		v6 = (p[0] >> 4) == 6;

	off = v6 ? 40 : (size_t)(p[0] & 0x0f) * 4;
	seg = len - off;
	for (i = v6 ? 8 : 12; i < (v6 ? 40u : 20u); i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	s += P_TCP + (uint32_t)seg;
	for (i = 0; i + 1 < seg; i += 2)
		s += (uint32_t)(p[off + i] << 8 | p[off + i + 1]);
	if (seg & 1)
		s += (uint32_t)p[off + seg - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
tcp_fix(uint8_t *p, size_t len)
{
	size_t	off = (p[0] >> 4) == 6 ? 40 : (size_t)(p[0] & 0x0f) * 4;

	put16(p + off + 16, 0);
	put16(p + off + 16, (uint16_t)~tcp_sum(p, len));
}

/* A SYN with nnop NOPs, then MSS, then padding: 24 or 28 byte header. */
static size_t
mksyn(uint8_t *p, int v6, int nnop, uint16_t mss, uint8_t flags)
{
	size_t	 off, len, i;
	uint8_t	*t;

	if (v6)
		len = mk6(p, P_TCP, 2, 40000, 80, 0, 0, 40 + 28 + 3);
	else
		len = mk4(p, P_TCP, 0xc6120001, 0xc6130002, 40000, 80, 0,
		    20 + 28 + 3);
	off = v6 ? 40 : 20;
	t = p + off;
	put16(t + 4, 0x1234);
	put16(t + 6, 0x5678);
	t[12] = 7 << 4;
	t[13] = flags;
	put16(t + 14, 64240);
	for (i = 0; i < (size_t)nnop; i++)
		t[20 + i] = 1;
	t[20 + i] = 2;
	t[21 + i] = 4;
	put16(t + 22 + i, mss);
	t[24 + i] = 4;		/* SACK permitted */
	t[25 + i] = 2;
	p[len - 1] = 0x55;	/* odd payload */
	tcp_fix(p, len);
	ck_assert_uint_eq(tcp_sum(p, len), 0xffff);
	return len;
}

static uint16_t
mss_of(const uint8_t *p, int nnop)
{
	size_t	off = (p[0] >> 4) == 6 ? 40 : 20;

	return (uint16_t)(p[off + 22 + nnop] << 8 | p[off + 23 + nnop]);
}

START_TEST(test_mss)
{
	uint8_t	p[128], q[128];
	size_t	n;
	int	v6, nnop;

	for (v6 = 0; v6 <= 1; v6++) {
		for (nnop = 0; nnop <= 2; nnop++) {
			n = mksyn(p, v6, nnop, 1460, 0x02);
			ck_assert_int_eq(flow_tcp_mss_clamp(p, n, 1360), 1);
			ck_assert_uint_eq(mss_of(p, nnop), 1360);
			ck_assert_uint_eq(tcp_sum(p, n), 0xffff);
			/* SYN-ACK too. */
			n = mksyn(p, v6, nnop, 0xffff, 0x12);
			ck_assert_int_eq(flow_tcp_mss_clamp(p, n, 1200), 1);
			ck_assert_uint_eq(mss_of(p, nnop), 1200);
			ck_assert_uint_eq(tcp_sum(p, n), 0xffff);
			/* Smaller or equal MSS: untouched. */
			n = mksyn(p, v6, nnop, 1300, 0x02);
			memcpy(q, p, n);
			ck_assert_int_eq(flow_tcp_mss_clamp(p, n, 1300), 0);
			ck_assert_mem_eq(p, q, n);
			/* Not a SYN. */
			n = mksyn(p, v6, nnop, 1460, 0x10);
			memcpy(q, p, n);
			ck_assert_int_eq(flow_tcp_mss_clamp(p, n, 1360), 0);
			ck_assert_mem_eq(p, q, n);
		}
	}
	/* Header longer than the packet; an option running over. */
	n = mksyn(p, 0, 0, 1460, 0x02);
	ck_assert_int_eq(flow_tcp_mss_clamp(p, 20 + 20, 1360), 0);
	p[20 + 12] = 0xf0;
	ck_assert_int_eq(flow_tcp_mss_clamp(p, n, 1360), 0);
	n = mksyn(p, 0, 0, 1460, 0x02);
	p[20 + 21] = 40;
	ck_assert_int_eq(flow_tcp_mss_clamp(p, n, 1360), 0);
	/* UDP is not touched. */
	n = mk4(p, P_UDP, 1, 2, 3, 4, 0, 60);
	p[33] = 0x02;
	ck_assert_int_eq(flow_tcp_mss_clamp(p, n, 1360), 0);
}
END_TEST

static Suite *
flow_suite(void)
{
	Suite	*s = suite_create("flow");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_hash);
	tcase_add_test(tc, test_fragments);
	tcase_add_test(tc, test_spread);
	tcase_add_test(tc, test_realtime);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_sparse);
	tcase_add_test(tc, test_evict);
	tcase_add_test(tc, test_mss);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(flow_suite())));
}
