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
 * Sessions of one linkd: the client's handshake retries and rekeys
 * (and a new handshake when the server falls silent or sends what it
 * cannot read: the server may have restarted), keypair rotation,
 * replay windows, keepalives and expiry; the server's answer to INITs
 * is in session_admit.c.  Runs unprivileged in linkd; every
 * byte handed to sess_input() comes from the network and is untrusted
 * until its AEAD tag (or handshake) checked out.  No state is created
 * for a handshake that did not authenticate.  Time is a parameter in
 * microseconds and nothing here makes a syscall of its own, except for
 * random numbers.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bondd.h"
#include "config.h"
#include "frame.h"
#include "handshake.h"
#include "log.h"
#include "noise.h"
#include "replay.h"
#include "util.h"
#include "wire.h"
#include "session.h"

/* Client lines read "link wan1: ...", server lines "listen0: ...". */
#define PFX(t)	((t)->role == ROLE_CLIENT ? "link " : "")

static void	 kp_reindex(struct keypair *);
static struct keypair *kp_lookup(struct sess_table *, uint32_t);
static int	 kp_alive(const struct sess_table *, const struct keypair *,
	    uint64_t);
static void	 sess_client_init(struct sess_table *);
static void	 sess_end_peer(struct sess_table *, int, uint64_t);
static void	 sess_up(struct sess_table *, struct session *, uint64_t);
static void	 sess_down(struct sess_table *, struct session *, uint64_t);
static void	 sess_rotate(struct session *, struct keypair *, uint64_t);
static void	 sess_keepalive(struct sess_table *, struct session *,
	    uint64_t);
static void	 sess_send_init(struct sess_table *, struct session *,
	    uint64_t);
static int	 sess_stale(const struct sess_table *, const struct session *,
	    uint64_t);
static void	 sess_hint(struct sess_table *, struct session *, uint64_t,
	    const struct sockaddr_storage *);
static void	 sess_tick(struct sess_table *, struct session *, uint64_t);
static void	 input_resp(struct sess_table *, uint64_t, const uint8_t *,
	    size_t);
static int	 input_data(struct sess_table *, uint64_t, const uint8_t *,
	    size_t, const struct sockaddr_storage *, uint8_t *, size_t,
	    size_t *, struct session **);
static const char *sess_peer_name(const struct sess_table *,
	    const struct session *);

/* The static key's DH, through the table's callbacks. */
static int
sess_sdh(void *arg, uint8_t out[NOISE_DHLEN], const uint8_t pub[NOISE_DHLEN])
{
	struct sess_table	*t = arg;

	return (t->cb.sdh(t->cb.arg, out, pub));
}

struct sess_table *
sess_table_new(int role, const char *name, uint8_t link_id,
    uint32_t keepalive_s, uint32_t rekey_s, const uint8_t pub[NOISE_DHLEN],
    const struct sess_cb *cb)
{
	struct sess_table	*t;
	int			 i;

	if ((role != ROLE_CLIENT && role != ROLE_SERVER) ||
	    link_id >= BONDD_MAX_LINKS || keepalive_s == 0 || rekey_s == 0 ||
	    keepalive_s > 3600 || rekey_s > 86400 || cb->sdh == NULL)
		return (NULL);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	t->role = role;
	strlcpy(t->name, name, sizeof(t->name));
	t->link_id = link_id;
	t->keepalive_us = keepalive_s * 1000000ULL;
	t->rekey_us = rekey_s * 1000000ULL;
	t->cb = *cb;
	handshake_local_init(&t->local, pub, sess_sdh, t);
	cookie_checker_init(&t->ck, t->local.pub);
	t->nsessions = role == ROLE_CLIENT ? 1 : SESS_MAX;
	for (i = 0; i < SESS_MAX; i++)
		t->sessions[i].slot = i;
	return (t);
}

void
sess_table_free(struct sess_table *t)
{
	if (t == NULL)
		return;
	sodium_memzero(t, sizeof(*t));
	free(t);
}

/* The client's only session exists as long as its peer. */
static void
sess_client_init(struct sess_table *t)
{
	struct session	*s = &t->sessions[0];

	sess_clear(s);
	s->used = 1;
	s->peer = 0;
	s->link_id = t->link_id;
	strlcpy(s->link_name, t->name, sizeof(s->link_name));
	s->endpoint = t->peers[0].endpoint;
}

/* Every session of a peer slot ends: keys wiped, the core told. */
static void
sess_end_peer(struct sess_table *t, int slot, uint64_t now)
{
	struct session	*s;
	int		 i;

	for (i = 0; i < t->nsessions; i++) {
		s = &t->sessions[i];
		if (!s->used || s->peer != slot)
			continue;
		kp_free(s->cur);
		kp_free(s->prev);
		kp_free(s->next);
		s->cur = s->prev = s->next = NULL;
		sess_down(t, s, now);
		noise_hs_wipe(&s->hs);
		sess_clear(s);
	}
	/* A new key, or another peer: its INITs start afresh. */
	memset(&t->peer_hs[slot], 0, sizeof(t->peer_hs[slot]));
	memset(t->tai[slot], 0, sizeof(t->tai[slot]));
	memset(t->tai_max[slot], 0, sizeof(t->tai_max[slot]));
	memset(t->tai_set[slot], 0, sizeof(t->tai_set[slot]));
	memset(t->init_seen[slot], 0, sizeof(t->init_seen[slot]));
	memset(t->init_seen_next[slot], 0, sizeof(t->init_seen_next[slot]));
}

int
sess_peer_set(struct sess_table *t, int slot, const char *name,
    const uint8_t pub[NOISE_DHLEN], const uint8_t *ss,
    const struct sockaddr_storage *endpoint, uint64_t now)
{
	struct sess_peer	*p;

	if (slot < 0 || slot >= BONDD_MAX_PEERS ||
	    (t->role == ROLE_CLIENT && slot != 0))
		return (-1);
	p = &t->peers[slot];
	strlcpy(p->name, name, sizeof(p->name));
	if (p->used && sodium_memcmp(p->public_key, pub, NOISE_DHLEN) == 0)
		return (0);
	if (p->used) {
		log_info("%s%s: peer %s has a new key: its sessions end",
		    PFX(t), t->name, p->name);
		sess_end_peer(t, slot, now);
	}
	p->used = 1;
	memcpy(p->public_key, pub, NOISE_DHLEN);
	handshake_mac1_key(p->mac1_key, pub);
	p->ss_ok = ss != NULL;
	if (p->ss_ok)
		memcpy(p->ss, ss, NOISE_DHLEN);
	else {
		sodium_memzero(p->ss, sizeof(p->ss));
		log_warnx("%s%s: peer %s has an unusable key", PFX(t), t->name,
		    p->name);
	}
	if (endpoint != NULL)
		p->endpoint = *endpoint;
	if (slot >= t->npeers)
		t->npeers = slot + 1;
	if (t->role == ROLE_CLIENT) {
		cookie_maker_init(&t->cm, pub);
		sess_client_init(t);
	}
	return (0);
}

int
sess_peer_psk(struct sess_table *t, int slot, const uint8_t *psk,
    uint64_t now)
{
	struct sess_peer	*p;

	if (slot < 0 || slot >= t->npeers || !t->peers[slot].used)
		return (-1);
	p = &t->peers[slot];
	if (p->has_psk == (psk != NULL) && (psk == NULL ||
	    sodium_memcmp(p->psk, psk, NOISE_PSKLEN) == 0))
		return (0);
	sess_end_peer(t, slot, now);
	if (psk != NULL)
		memcpy(p->psk, psk, NOISE_PSKLEN);
	else
		sodium_memzero(p->psk, sizeof(p->psk));
	p->has_psk = psk != NULL;
	if (t->role == ROLE_CLIENT)
		sess_client_init(t);
	return (0);
}

int
sess_peer_del(struct sess_table *t, int slot, uint64_t now)
{
	if (slot < 0 || slot >= t->npeers || !t->peers[slot].used)
		return (-1);
	log_info("%s%s: peer %s removed: its sessions end", PFX(t), t->name,
	    t->peers[slot].name);
	sess_end_peer(t, slot, now);
	sodium_memzero(&t->peers[slot], sizeof(t->peers[slot]));
	return (0);
}

/*
 * A free keypair slot.  The low SESS_KP_BITS of the local index name
 * the slot, the rest is random, so a DATA header finds its keys in one
 * step and an old index does not match a reused slot.
 */
struct keypair *
kp_alloc(struct sess_table *t, struct session *s, enum kp_state state)
{
	struct keypair	*kp;
	uint32_t	 i;

	for (i = 0; i < SESS_KP_MAX; i++) {
		kp = &t->kps[i];
		if (kp->state != KP_FREE)
			continue;
		memset(kp, 0, sizeof(*kp));
		kp->state = state;
		kp->s = s;
		kp->local_index = i;
		kp_reindex(kp);
		replay_init(&kp->replay);
		return (kp);
	}
	return (NULL);
}

static void
kp_reindex(struct keypair *kp)
{
	kp->local_index = (randombytes_random() & ~(SESS_KP_MAX - 1)) |
	    (kp->local_index & (SESS_KP_MAX - 1));
}

void
kp_free(struct keypair *kp)
{
	if (kp == NULL)
		return;
	sodium_memzero(kp->send_key, sizeof(kp->send_key));
	sodium_memzero(kp->recv_key, sizeof(kp->recv_key));
	noise_forget();
	kp->state = KP_FREE;
	kp->s = NULL;
}

static struct keypair *
kp_lookup(struct sess_table *t, uint32_t idx)
{
	struct keypair	*kp = &t->kps[idx & (SESS_KP_MAX - 1)];

	if (kp->state == KP_FREE || kp->local_index != idx)
		return (NULL);
	return (kp);
}

/* Keys older than rekey + grace are never used, in either direction. */
static int
kp_alive(const struct sess_table *t, const struct keypair *kp, uint64_t now)
{
	return (now - kp->birth_us < t->rekey_us + SESS_KEY_GRACE_US);
}

/* Silence after which a session with keys is dead. */
static uint64_t
dead_us(const struct sess_table *t)
{
	uint64_t	us = 3 * t->keepalive_us;

	return (us < SESS_DEAD_MIN_US ? SESS_DEAD_MIN_US : us);
}

static const char *
sess_peer_name(const struct sess_table *t, const struct session *s)
{
	return (t->peers[s->peer].name);
}

/* A slot free for a new session: all but its place in the table. */
void
sess_clear(struct session *s)
{
	int	slot = s->slot;

	memset(s, 0, sizeof(*s));
	s->slot = slot;
}

static void
sess_up(struct sess_table *t, struct session *s, uint64_t now)
{
	if (s->up || s->cur == NULL)
		return;
	s->up = 1;
	if (t->cb.state != NULL)
		t->cb.state(t->cb.arg, s, now, 1);
}

static void
sess_down(struct sess_table *t, struct session *s, uint64_t now)
{
	if (!s->up)
		return;
	s->up = 0;
	if (t->cb.state != NULL)
		t->cb.state(t->cb.arg, s, now, 0);
}

/* kp becomes the sending keypair; the old one receives for a while. */
static void
sess_rotate(struct session *s, struct keypair *kp, uint64_t now)
{
	kp->state = KP_LIVE;
	if (s->next == kp)
		s->next = NULL;
	kp_free(s->prev);
	s->prev = s->cur;
	s->prev_until_us = now + SESS_PREV_US;
	s->cur = kp;
	s->rekey_wanted = 0;
	s->hs_done = 1;
	s->hs_done_us = now;
	s->ctr.handshakes++;
}

static void
sess_keepalive(struct sess_table *t, struct session *s, uint64_t now)
{
	struct inner_hdr	 ih;
	uint8_t			 f[INNER_HDR_LEN];
	ssize_t			 n;

	memset(&ih, 0, sizeof(ih));
	ih.kind = INNER_KEEPALIVE;
	ih.send_ts_us = (uint32_t)now;
	inner_hdr_encode(f, &ih);
	n = sess_encrypt(t, s, now, f, sizeof(f), t->buf, sizeof(t->buf));
	if (n > 0 && t->cb.send != NULL)
		t->cb.send(t->cb.arg, s, now, t->buf, (size_t)n,
		    &s->endpoint);
}

uint64_t
sess_retry_us(int attempts)
{
	if (attempts < 0)
		attempts = 0;
	if (attempts > 8)
		attempts = 8;
	if ((SESS_RETRY_MIN_US << attempts) > SESS_RETRY_MAX_US)
		return (SESS_RETRY_MAX_US);
	return (SESS_RETRY_MIN_US << attempts);
}

/* Client: a fresh INIT (new ephemeral, index and timestamp). */
static void
sess_send_init(struct sess_table *t, struct session *s, uint64_t now)
{
	struct sess_peer		*p = &t->peers[s->peer];
	struct wire_init_payload	 pl;
	struct keypair			*kp = s->next;
	char				 addr[ADDR_STRLEN];
	uint64_t			 wait;

	if (kp == NULL) {
		if ((kp = kp_alloc(t, s, KP_HANDSHAKE)) == NULL)
			return;
		s->next = kp;
		s->hs_attempts = 0;
		s->hs_first_us = now;
	} else
		kp_reindex(kp);

	memset(&pl, 0, sizeof(pl));
	pl.link_id = t->link_id;
	memcpy(pl.link_name, t->name, sizeof(pl.link_name) - 1);
	if (t->cb.tai64n != NULL)
		t->cb.tai64n(t->cb.arg, pl.tai64n);
	else
		handshake_tai64n(pl.tai64n);
	wait = sess_retry_us(s->hs_attempts);
	s->hs_next_us = now + wait + randombytes_uniform(wait / 8 + 1);
	if (!p->ss_ok || handshake_init_create(&s->hs, &t->local,
	    p->public_key, p->ss, p->has_psk ? p->psk : NULL, p->mac1_key,
	    kp->local_index, &pl, t->buf) < 0) {
		log_warnx("link %s: cannot create handshake", t->name);
		return;
	}
	cookie_mac2_put(&t->cm, now, t->buf, WIRE_INIT_LEN);
	if (now - s->hs_first_us >= SESS_WARN_AFTER_US &&
	    (!s->hs_warned || now - s->hs_warn_us >= SESS_WARN_US)) {
		log_warnx("link %s: no handshake response from %s (wrong "
		    "server key, or server unreachable)", t->name,
		    addr_fmt(&p->endpoint, addr, sizeof(addr)));
		s->hs_warned = 1;
		s->hs_warn_us = now;
	}
	s->hs_attempts++;
	if (t->cb.send != NULL && t->cb.send(t->cb.arg, s, now, t->buf,
	    WIRE_INIT_LEN, &p->endpoint) == -1) {
		s->hs_attempts--;
		s->hs_next_us = now + SESS_RETRY_LOCAL_US;
	}
}

/* Client: nothing authenticated for stale_us, keys or not. */
static int
sess_stale(const struct sess_table *t, const struct session *s,
    uint64_t now)
{
	return (t->stale_us != 0 && now - s->last_rx_us >= t->stale_us);
}

/*
 * Client: what came from the server's address could not be read.  A
 * server that restarted has forgotten our keys and drops what we send
 * under them; it may also be a forgery, so the keys stay until a new
 * handshake completes.
 */
static void
sess_hint(struct sess_table *t, struct session *s, uint64_t now,
    const struct sockaddr_storage *from)
{
	if (t->role != ROLE_CLIENT || !s->used || s->next != NULL ||
	    !addr_equal(from, &t->peers[s->peer].endpoint))
		return;
	if (s->cur != NULL && now - s->cur->birth_us < SESS_HINT_US)
		return;
	log_ratelimit("linkd-hint", "link %s: unreadable datagrams from the "
	    "server: handshaking again", t->name);
	sess_send_init(t, s, now);
}

void
sess_kick(struct sess_table *t, uint64_t now)
{
	struct session	*s = &t->sessions[0];

	if (t->role != ROLE_CLIENT || !s->used)
		return;
	if (s->next == NULL && s->cur != NULL && !sess_stale(t, s, now))
		return;
	s->hs_attempts = 0;
	sess_send_init(t, s, now);
}

int
sess_input(struct sess_table *t, uint64_t now, const uint8_t *pkt,
    size_t len, const struct sockaddr_storage *from, uint8_t *frame,
    size_t framesize, size_t *framelen, struct session **sp)
{
	char	addr[ADDR_STRLEN];
	int	type;

	type = wire_type(pkt, len);
	switch (type) {
	case WIRE_HANDSHAKE_INIT:
		sess_input_init(t, now, pkt, len, from);
		return (0);
	case WIRE_HANDSHAKE_RESP:
		input_resp(t, now, pkt, len);
		return (0);
	case WIRE_COOKIE_REPLY:
		sess_input_cookie(t, now, pkt, len);
		return (0);
	case WIRE_DATA:
		return (input_data(t, now, pkt, len, from, frame, framesize,
		    framelen, sp));
	case WIRE_EVERSION:
		t->ctr.malformed++;
		log_ratelimit("linkd-version", "%s%s: %s %u from %s, we "
		    "speak %u", PFX(t), t->name, wire_strerror(type),
		    len > 0 ? pkt[0] : 0, addr_fmt(from, addr, sizeof(addr)),
		    WIRE_VERSION);
		return (0);
	default:
		t->ctr.malformed++;
		return (0);
	}
}

/* Client: a RESP to the handshake in flight completes it. */
static void
input_resp(struct sess_table *t, uint64_t now, const uint8_t *pkt,
    size_t len)
{
	struct wire_resp	 r;
	struct session		*s = &t->sessions[0];
	struct keypair		*kp;
	const char		*why = "?";
	char			 addr[ADDR_STRLEN];

	if (t->role != ROLE_CLIENT || wire_resp_decode(pkt, len, &r) < 0) {
		t->ctr.malformed++;
		return;
	}
	kp = kp_lookup(t, r.receiver_index);
	if (kp == NULL || kp != s->next || kp->state != KP_HANDSHAKE) {
		/* A late answer to an INIT we already replaced. */
		s->ctr.malformed++;
		return;
	}
	if (handshake_resp_consume(&s->hs, &t->local, pkt, len, &r,
	    kp->send_key, kp->recv_key, &why) < 0) {
		s->ctr.auth_fail++;
		log_ratelimit("linkd-resp", "link %s: bad handshake response "
		    "from %s: %s", t->name,
		    addr_fmt(&s->endpoint, addr, sizeof(addr)), why);
		return;
	}
	noise_hs_wipe(&s->hs);
	kp->remote_index = r.sender_index;
	kp->birth_us = now;
	sess_rotate(s, kp, now);
	if (s->hs_warned)
		log_info("link %s: handshake with %s completed", t->name,
		    addr_fmt(&s->endpoint, addr, sizeof(addr)));
	s->hs_attempts = 0;
	s->hs_warned = 0;
	s->last_rx_us = now;
	/* Confirms the new keys to the responder at once. */
	sess_keepalive(t, s, now);
	sess_up(t, s, now);
}

static int
input_data(struct sess_table *t, uint64_t now, const uint8_t *pkt,
    size_t len, const struct sockaddr_storage *from, uint8_t *frame,
    size_t framesize, size_t *framelen, struct session **sp)
{
	struct wire_data_hdr	 h;
	struct inner_hdr	 ih;
	struct keypair		*kp;
	struct session		*s;
	char			 addr[ADDR_STRLEN];
	size_t			 plen;

	if (wire_data_hdr_decode(pkt, len, &h) < 0 ||
	    len < WIRE_DATA_OVERHEAD) {
		t->ctr.malformed++;
		return (0);
	}
	kp = kp_lookup(t, h.receiver_index);
	if (kp == NULL || kp->state == KP_HANDSHAKE) {
		t->ctr.malformed++;
		sess_hint(t, &t->sessions[0], now, from);
		return (0);
	}
	s = kp->s;
	plen = len - WIRE_DATA_OVERHEAD;
	if (!kp_alive(t, kp, now) || plen > framesize) {
		s->ctr.malformed++;
		return (0);
	}
	if (replay_check(&kp->replay, h.counter) != 0) {
		s->ctr.replay_drop++;
		return (0);
	}
	if (noise_decrypt(kp->recv_key, h.counter, pkt, WIRE_DATA_HDR_LEN,
	    pkt + WIRE_DATA_HDR_LEN, len - WIRE_DATA_HDR_LEN, frame) != 0) {
		s->ctr.auth_fail++;
		log_ratelimit("linkd-auth", "%s%s: packet from %s failed "
		    "authentication", PFX(t), t->name, addr_fmt(from, addr,
		    sizeof(addr)));
		if (++s->bad_rx >= SESS_HINT_FAILS)
			sess_hint(t, s, now, from);
		return (0);
	}
	if (replay_update(&kp->replay, h.counter) != 0) {
		s->ctr.replay_drop++;
		return (0);
	}
	/* Authenticated from here on. */
	s->bad_rx = 0;
	if (kp->state == KP_PENDING) {
		if (kp != s->next) {
			s->ctr.malformed++;
			return (0);
		}
		sess_rotate(s, kp, now);
	}
	s->last_rx_us = now;
	if (t->role == ROLE_SERVER)
		s->endpoint = *from;
	s->ctr.rx_packets++;
	s->ctr.rx_bytes += plen;
	sess_up(t, s, now);
	if (inner_hdr_decode(frame, plen, &ih) < 0) {
		s->ctr.malformed++;
		return (0);
	}
	if (t->cb.rx != NULL)
		t->cb.rx(t->cb.arg, s, now, kp->local_index, h.counter, &ih,
		    frame, plen);
	if (!frame_is_core(frame, plen))
		return (0);
	*framelen = plen;
	*sp = s;
	return (1);
}

ssize_t
sess_encrypt(struct sess_table *t, struct session *s, uint64_t now,
    const uint8_t *frame, size_t len, uint8_t *out, size_t outsize)
{
	struct wire_data_hdr	 h;
	struct keypair		*kp = s->cur;

	if (kp == NULL || kp->state != KP_LIVE || !kp_alive(t, kp, now) ||
	    len > outsize || outsize - len < WIRE_DATA_OVERHEAD)
		return (-1);
	/* A counter is never reused: rekey early, refuse near the end. */
	if (kp->send_ctr >= SESS_REJECT_AFTER) {
		s->rekey_wanted = 1;
		return (-1);
	}
	if (kp->send_ctr >= SESS_REKEY_AFTER)
		s->rekey_wanted = 1;
	h.receiver_index = kp->remote_index;
	h.counter = kp->send_ctr;
	wire_data_hdr_encode(out, &h);
	if (noise_encrypt(kp->send_key, h.counter, out, WIRE_DATA_HDR_LEN,
	    frame, len, out + WIRE_DATA_HDR_LEN) != 0)
		return (-1);
	kp->send_ctr++;
	s->last_tx_us = now;
	s->ctr.tx_packets++;
	s->ctr.tx_bytes += len;
	return ((ssize_t)(len + WIRE_DATA_OVERHEAD));
}

static void
sess_tick(struct sess_table *t, struct session *s, uint64_t now)
{
	char	addr[ADDR_STRLEN];

	if (s->prev != NULL && (now >= s->prev_until_us ||
	    !kp_alive(t, s->prev, now))) {
		kp_free(s->prev);
		s->prev = NULL;
	}
	if (s->next != NULL && s->next->state == KP_PENDING &&
	    !kp_alive(t, s->next, now)) {
		kp_free(s->next);
		s->next = NULL;
	}
	if (s->cur != NULL && !kp_alive(t, s->cur, now)) {
		log_info("%s%s: peer %s link %u: keys expired", PFX(t), t->name,
		    sess_peer_name(t, s), s->link_id);
		kp_free(s->cur);
		s->cur = NULL;
	}
	if (s->cur != NULL && now - s->last_rx_us >= dead_us(t)) {
		log_info("%s%s: peer %s link %u: nothing from %s for %llu s, "
		    "session down", PFX(t), t->name, sess_peer_name(t, s),
		    s->link_id,
		    addr_fmt(&s->endpoint, addr, sizeof(addr)),
		    (unsigned long long)((now - s->last_rx_us) / 1000000));
		kp_free(s->cur);
		kp_free(s->prev);
		s->cur = s->prev = NULL;
		if (t->role == ROLE_SERVER) {
			kp_free(s->next);
			s->next = NULL;
		}
	}
	if (s->cur == NULL)
		sess_down(t, s, now);

	if (t->role == ROLE_CLIENT) {
		if (s->next == NULL) {
			if (s->cur == NULL || s->rekey_wanted ||
			    now - s->cur->birth_us >= t->rekey_us ||
			    sess_stale(t, s, now))
				sess_send_init(t, s, now);
		} else if (now >= s->hs_next_us)
			sess_send_init(t, s, now);
	} else if (s->cur == NULL && s->prev == NULL && s->next == NULL) {
		/* Server: a session without keys is forgotten. */
		sess_clear(s);
		return;
	}

	if (s->cur != NULL && now - s->last_tx_us >= t->keepalive_us)
		sess_keepalive(t, s, now);
}

/* Client: when its handshake needs the timer next, or UINT64_MAX. */
static uint64_t
sess_due(const struct sess_table *t, const struct session *s)
{
	if (t->role != ROLE_CLIENT || !s->used)
		return (UINT64_MAX);
	if (s->next != NULL)
		return (s->hs_next_us);
	if (s->cur != NULL && t->stale_us != 0)
		return (s->last_rx_us + t->stale_us);
	return (UINT64_MAX);
}

uint64_t
sess_timer(struct sess_table *t, uint64_t now)
{
	uint64_t	due, wait = 1000000;
	int		i;

	sess_admit_tick(t, now);
	for (i = 0; i < t->nsessions; i++) {
		if (!t->sessions[i].used)
			continue;
		sess_tick(t, &t->sessions[i], now);
		if ((due = sess_due(t, &t->sessions[i])) <= now)
			due = now + 1000;
		if (due - now < wait)
			wait = due - now;
	}
	return (wait);
}
