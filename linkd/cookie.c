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
 * Cookies (mac2), load measurement and per-source token buckets of
 * the handshake.  Runs unprivileged in linkd on untrusted datagrams;
 * holds the cookie secret, which lets no one impersonate anybody: at
 * worst it lets a flood from spoofed addresses cost Diffie-Hellman
 * again.  Time is a parameter; nothing here makes a syscall except for
 * random numbers.
 */

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "wire.h"

#define COOKIE_LABEL	"cookie--"

int
tbucket_take(struct tbucket *b, uint64_t now, uint64_t cost_us,
    uint64_t max_us)
{
	if (!b->used) {
		b->used = 1;
		b->credit_us = max_us;
	} else if (now > b->last_us) {
		b->credit_us += now - b->last_us;
		if (b->credit_us > max_us)
			b->credit_us = max_us;
	}
	b->last_us = now;
	if (b->credit_us < cost_us)
		return (0);
	b->credit_us -= cost_us;
	return (1);
}

static void
reply_key(uint8_t key[32], const uint8_t pub[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)COOKIE_LABEL,
	    sizeof(COOKIE_LABEL) - 1);
	crypto_generichash_update(&st, pub, 32);
	crypto_generichash_final(&st, key, 32);
}

/* The address as 16 bytes (IPv4 mapped) and its port; 0, or -1 for
 * another family. */
static int
addr_bytes(const struct sockaddr_storage *ss, uint8_t ip[16],
    uint8_t port[2])
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)ss;

	memset(ip, 0, 16);
	if (ss->ss_family == AF_INET) {
		ip[10] = ip[11] = 0xff;
		memcpy(ip + 12, &s4->sin_addr, 4);
		memcpy(port, &s4->sin_port, 2);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(ip, &s6->sin6_addr, 16);
		memcpy(port, &s6->sin6_port, 2);
	} else
		return (-1);
	return (0);
}

void
cookie_checker_init(struct cookie_checker *c, const uint8_t pub[32])
{
	memset(c, 0, sizeof(*c));
	reply_key(c->reply_key, pub);
	randombytes_buf(c->hash_key, sizeof(c->hash_key));
}

/* The cookie of an address: MAC of its IP and port under the secret,
 * which is drawn afresh every COOKIE_SECRET_US. */
static int
cookie_of(struct cookie_checker *c, uint64_t now,
    const struct sockaddr_storage *from, uint8_t cookie[COOKIE_LEN])
{
	uint8_t	a[18];

	if (!c->has_secret || now - c->secret_us >= COOKIE_SECRET_US) {
		randombytes_buf(c->secret, sizeof(c->secret));
		randombytes_buf(c->nonce_key, sizeof(c->nonce_key));
		c->nonce_ctr = 0;
		c->secret_us = now;
		c->has_secret = 1;
	}
	if (addr_bytes(from, a, a + 16) == -1)
		return (-1);
	crypto_generichash(cookie, COOKIE_LEN, a, sizeof(a), c->secret,
	    sizeof(c->secret));
	return (0);
}

int
cookie_load_init(struct cookie_checker *c, uint64_t now)
{
	if (now - c->win_us >= COOKIE_LOAD_WINDOW_US) {
		c->win_us = now;
		c->win_inits = 0;
	}
	c->win_inits++;
	if (c->win_inits * c->cost_us >
	    COOKIE_LOAD_WINDOW_US / COOKIE_LOAD_SHARE)
		c->load_until_us = now + COOKIE_LOAD_HOLD_US;
	return (cookie_under_load(c, now));
}

/* A moving average over about eight INITs; the first one sets it. */
void
cookie_load_work(struct cookie_checker *c, uint64_t work_us)
{
	if (c->cost_us == 0)
		c->cost_us = work_us;
	else
		c->cost_us = c->cost_us - c->cost_us / 8 + work_us / 8;
	if (c->cost_us == 0)
		c->cost_us = 1;
}

int
cookie_under_load(const struct cookie_checker *c, uint64_t now)
{
	return (now < c->load_until_us);
}

int
cookie_mac2_ok(struct cookie_checker *c, uint64_t now, const uint8_t *msg,
    size_t len, const struct sockaddr_storage *from)
{
	uint8_t	cookie[COOKIE_LEN], mac[16];

	if (len < 16 || cookie_of(c, now, from, cookie) == -1)
		return (0);
	crypto_generichash(mac, sizeof(mac), msg, len - 16, cookie,
	    sizeof(cookie));
	return (sodium_memcmp(mac, msg + len - 16, 16) == 0);
}

/*
 * A slot per address hash, keyed per process so that nobody can aim
 * at a slot.  An address that takes another's slot finds a full
 * bucket, and so does the one it evicted when it comes back: an
 * eviction only ever gives credit, never takes it.
 */
int
cookie_src_allow(struct cookie_checker *c, uint64_t now,
    const struct sockaddr_storage *from)
{
	struct cookie_src	*s;
	uint8_t			 ip[16], port[2], h[8];
	uint64_t		 i;

	if (addr_bytes(from, ip, port) == -1)
		return (0);
	crypto_shorthash(h, ip, sizeof(ip), c->hash_key);
	memcpy(&i, h, sizeof(i));
	s = &c->src[i % COOKIE_SRC_SLOTS];
	if (!s->tb.used || memcmp(s->addr, ip, sizeof(ip)) != 0) {
		memcpy(s->addr, ip, sizeof(ip));
		memset(&s->tb, 0, sizeof(s->tb));
	}
	return (tbucket_take(&s->tb, now, 1000000ULL / COOKIE_SRC_RATE,
	    COOKIE_SRC_BURST * (1000000ULL / COOKIE_SRC_RATE)));
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void
cookie_reply_create(struct cookie_checker *c, uint64_t now,
    uint32_t receiver_index, const uint8_t mac1[16],
    const struct sockaddr_storage *from, uint8_t *out)
{
	uint8_t	cookie[COOKIE_LEN], ctr[8];

	/* A family without a cookie never passes mac2: zeros.  Either
	 * way the secret and the nonce key are drawn. */
	if (cookie_of(c, now, from, cookie) == -1)
		memset(cookie, 0, sizeof(cookie));
	out[0] = WIRE_VERSION;
	out[1] = WIRE_COOKIE_REPLY;
	out[2] = out[3] = 0;
	put32(out + 4, receiver_index);
	put32(ctr, (uint32_t)c->nonce_ctr);
	put32(ctr + 4, (uint32_t)(c->nonce_ctr >> 32));
	c->nonce_ctr++;
	crypto_generichash(out + 8, COOKIE_NONCE_LEN, ctr, sizeof(ctr),
	    c->nonce_key, sizeof(c->nonce_key));
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 8 + COOKIE_NONCE_LEN,
	    NULL, cookie, sizeof(cookie), mac1, 16, NULL, out + 8,
	    c->reply_key);
	sodium_memzero(cookie, sizeof(cookie));
}

void
cookie_maker_init(struct cookie_maker *m, const uint8_t rpub[32])
{
	memset(m, 0, sizeof(*m));
	reply_key(m->reply_key, rpub);
}

void
cookie_mac2_put(struct cookie_maker *m, uint64_t now, uint8_t *msg,
    size_t len)
{
	memcpy(m->last_mac1, msg + len - 32, 16);
	m->sent = 1;
	if (m->has_cookie && now - m->cookie_us < COOKIE_USE_US)
		crypto_generichash(msg + len - 16, 16, msg, len - 16,
		    m->cookie, sizeof(m->cookie));
	else
		memset(msg + len - 16, 0, 16);
}

int64_t
cookie_reply_index(const uint8_t *p, size_t len)
{
	if (len != COOKIE_REPLY_LEN || wire_type(p, len) != WIRE_COOKIE_REPLY)
		return (-1);
	return ((int64_t)((uint32_t)p[4] | (uint32_t)p[5] << 8 |
	    (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24));
}

int
cookie_reply_consume(struct cookie_maker *m, uint64_t now, const uint8_t *p,
    size_t len)
{
	uint8_t	cookie[COOKIE_LEN];

	if (!m->sent || cookie_reply_index(p, len) < 0)
		return (-1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(cookie, NULL, NULL,
	    p + 8 + COOKIE_NONCE_LEN, COOKIE_LEN + 16, m->last_mac1, 16,
	    p + 8, m->reply_key) != 0)
		return (-1);
	memcpy(m->cookie, cookie, sizeof(cookie));
	m->cookie_us = now;
	m->has_cookie = 1;
	sodium_memzero(cookie, sizeof(cookie));
	return (0);
}
