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
 * Admission of handshakes: the server's answer to an INIT (is it worth
 * Diffie-Hellman now, under the cookie and the source and peer
 * limits; then the Noise message, the peer's key and a fresh
 * timestamp), and the client's handling of a COOKIE_REPLY.  Runs
 * unprivileged in linkd on untrusted datagrams; holds, through the
 * session table, the static private key, the peers' precomputed
 * static-static secrets and the cookie secret.  No state is created
 * for a handshake that did not authenticate.  Time is a parameter in
 * microseconds; nothing here makes a syscall of its own, except for
 * random numbers.
 */

#include <sys/types.h>

#include <string.h>

#include <sodium.h>

#include "bondd.h"
#include "config.h"
#include "cookie.h"
#include "handshake.h"
#include "log.h"
#include "noise.h"
#include "util.h"
#include "wire.h"
#include "session.h"

static const uint8_t *peer_ss(void *, const uint8_t[NOISE_DHLEN]);
static int	 init_admit(struct sess_table *, uint64_t, const uint8_t *,
	    size_t, const struct wire_init *, const struct sockaddr_storage *);

struct ss_find {
	const struct sess_table	*t;
	int			 peer;
};

/*
 * The precomputed ss of the peer whose static key an INIT carries, or
 * NULL.  Constant time over all peers: no early exit on a match.
 */
static const uint8_t *
peer_ss(void *arg, const uint8_t rs[NOISE_DHLEN])
{
	struct ss_find		*f = arg;
	const struct sess_peer	*p;
	int			 i, m, peer = -1;

	for (i = 0; i < f->t->npeers; i++) {
		p = &f->t->peers[i];
		m = -((sodium_memcmp(rs, p->public_key, NOISE_DHLEN) == 0) &
		    (p->used != 0) & (p->ss_ok != 0));
		peer = (peer & ~m) | (i & m);
	}
	f->peer = peer;
	return (peer < 0 ? NULL : f->t->peers[peer].ss);
}

/* Server: the Noise patterns its peers use (HS_TRY_*): IK for those
 * without a pre-shared key, IKpsk2 for those with one. */
static int
init_patterns(const struct sess_table *t)
{
	int	i, try = 0;

	for (i = 0; i < t->npeers; i++)
		if (t->peers[i].used)
			try |= t->peers[i].has_psk ? HS_TRY_IKPSK2 :
			    HS_TRY_IK;
	return (try);
}

/*
 * Server: may this INIT (its mac1 checked) cost Diffie-Hellman?  Under
 * load only from an address that proved, by mac2, that it reads what
 * is sent to it (the others get a cookie, which costs two hashes and
 * one small encryption, and a reply no larger than the INIT); then,
 * always, within its address's token bucket.  A flood from spoofed
 * addresses does no DH at all once the load is seen; one from real
 * addresses does at most COOKIE_SRC_RATE a second each.
 */
static int
init_admit(struct sess_table *t, uint64_t now, const uint8_t *pkt,
    size_t len, const struct wire_init *w,
    const struct sockaddr_storage *from)
{
	char	addr[ADDR_STRLEN];

	if (cookie_load_init(&t->ck, now) &&
	    !cookie_mac2_ok(&t->ck, now, pkt, len, from)) {
		cookie_reply_create(&t->ck, now, w->sender_index, w->mac1,
		    from, t->buf);
		if (t->cb.send != NULL)
			t->cb.send(t->cb.arg, NULL, now, t->buf,
			    COOKIE_REPLY_LEN, from);
		t->adm.cookies++;
		t->adm.loaded = 1;
		log_ratelimit("linkd-load", "%s: under load: handshakes need "
		    "a cookie", t->name);
		return (0);
	}
	if (!cookie_src_allow(&t->ck, now, from)) {
		t->ctr.auth_fail++;
		t->adm.src_limited++;
		log_ratelimit("linkd-src", "%s: too many handshakes from %s",
		    t->name, addr_fmt(from, addr, sizeof(addr)));
		return (0);
	}
	return (1);
}

/*
 * Server: answer an INIT.  Nothing is stored until mac1, the Noise
 * message, the peer's static key and a fresh timestamp all checked.
 */
void
sess_input_init(struct sess_table *t, uint64_t now, const uint8_t *pkt,
    size_t len, const struct sockaddr_storage *from)
{
	struct noise_hs			 hs;
	struct wire_init		 w;
	struct wire_init_payload	 pl;
	struct session			*s;
	struct keypair			*kp;
	struct ss_find			 f = { t, -2 };	/* -2: not asked */
	const char			*why = "?";
	char				 addr[ADDR_STRLEN];
	uint64_t			 t0;
	int				 peer;

	if (t->role != ROLE_SERVER) {
		t->ctr.malformed++;
		return;
	}
	if (handshake_init_check(&t->local, pkt, len, &w, &why) < 0) {
		t->ctr.auth_fail++;
		log_ratelimit("linkd-init", "%s: bad handshake from %s: %s",
		    t->name, addr_fmt(from, addr, sizeof(addr)), why);
		return;
	}
	if (!init_admit(t, now, pkt, len, &w, from))
		return;
	t0 = t->cb.clock != NULL ? t->cb.clock(t->cb.arg) : 0;
	if (handshake_init_consume(&hs, &t->local, peer_ss, &f,
	    init_patterns(t), pkt, len, &w, &pl, &why) < 0) {
		t->ctr.auth_fail++;
		if (f.peer == -1)
			log_ratelimit("linkd-unknown", "%s: handshake from %s "
			    "with an unknown key", t->name,
			    addr_fmt(from, addr, sizeof(addr)));
		else
			log_ratelimit("linkd-init", "%s: bad handshake from "
			    "%s: %s", t->name, addr_fmt(from, addr,
			    sizeof(addr)), why);
		goto done;
	}
	peer = f.peer;
	/* Both sides must agree on the pattern: a pre-shared key on one
	 * side only is no tunnel. */
	if (t->peers[peer].has_psk != hs.psk2) {
		t->ctr.auth_fail++;
		log_ratelimit("linkd-psk", "%s: handshake of peer %s from %s "
		    "refused: %s", t->name, t->peers[peer].name,
		    addr_fmt(from, addr, sizeof(addr)), hs.psk2 ?
		    "it uses a pre-shared key, we have none for it" :
		    "it uses no pre-shared key, we have one for it");
		goto done;
	}
	if (hs.psk2)
		noise_hs_set_psk(&hs, t->peers[peer].psk);
	if (pl.link_id >= BONDD_MAX_LINKS) {
		t->ctr.malformed++;
		goto done;
	}
	s = &t->sessions[peer * BONDD_MAX_LINKS + pl.link_id];
	if (t->tai_set[peer][pl.link_id] &&
	    memcmp(pl.tai64n, t->tai[peer][pl.link_id], 12) <= 0) {
		if (s->used)
			s->ctr.replay_drop++;
		else
			t->ctr.replay_drop++;
		log_ratelimit("linkd-replay", "%s: replayed handshake of "
		    "peer %s from %s", t->name, t->peers[peer].name,
		    addr_fmt(from, addr, sizeof(addr)));
		goto done;
	}
	/* Only fresh INITs of the peer's own key are charged here: a
	 * replay cannot use up the peer's handshakes. */
	if (!tbucket_take(&t->peer_hs[peer], now,
	    1000000ULL / SESS_PEER_HS_RATE,
	    SESS_PEER_HS_BURST * (1000000ULL / SESS_PEER_HS_RATE))) {
		t->adm.peer_limited++;
		log_ratelimit("linkd-peerhs", "%s: peer %s handshakes too "
		    "often", t->name, t->peers[peer].name);
		goto done;
	}
	if ((kp = kp_alloc(t, s, KP_PENDING)) == NULL) {
		log_ratelimit("linkd-full", "%s: no free keypair", t->name);
		goto done;
	}
	if (handshake_resp_create(&hs, t->peers[peer].mac1_key,
	    kp->local_index, w.sender_index, t->buf, kp->send_key,
	    kp->recv_key) < 0) {
		kp_free(kp);
		goto done;
	}
	memcpy(t->tai[peer][pl.link_id], pl.tai64n, 12);
	t->tai_set[peer][pl.link_id] = 1;
	if (!s->used) {
		sess_clear(s);
		s->used = 1;
		s->peer = peer;
		s->link_id = pl.link_id;
		s->endpoint = *from;
		log_info("%s: peer %s link %u: handshake from %s", t->name,
		    t->peers[peer].name, pl.link_id,
		    addr_fmt(from, addr, sizeof(addr)));
	}
	memcpy(s->link_name, pl.link_name, sizeof(s->link_name) - 1);
	s->link_name[sizeof(s->link_name) - 1] = '\0';
	kp_free(s->next);
	s->next = kp;
	kp->remote_index = w.sender_index;
	kp->birth_us = now;
	s->last_rx_us = now;
	if (t->cb.send != NULL)
		t->cb.send(t->cb.arg, s, now, t->buf, WIRE_RESP_LEN, from);
 done:
	noise_hs_wipe(&hs);
	if (t->cb.clock != NULL)
		cookie_load_work(&t->ck, t->cb.clock(t->cb.arg) - t0);
}

/* Client: the server is under load and sent the cookie for our
 * address: the next INIT carries its mac2. */
void
sess_input_cookie(struct sess_table *t, uint64_t now, const uint8_t *pkt,
    size_t len)
{
	struct session	*s = &t->sessions[0];
	int64_t		 idx = cookie_reply_index(pkt, len);

	if (t->role != ROLE_CLIENT || idx < 0 || s->next == NULL ||
	    s->next->state != KP_HANDSHAKE ||
	    s->next->local_index != (uint32_t)idx) {
		t->ctr.malformed++;
		return;
	}
	if (cookie_reply_consume(&t->cm, now, pkt, len) == -1) {
		s->ctr.auth_fail++;
		return;
	}
	log_ratelimit("linkd-cookie", "link %s: the server is under load: "
	    "handshaking with a cookie", t->name);
}

/* Server: the log says when a period under load ends, with what the
 * defence did so far. */
void
sess_admit_tick(struct sess_table *t, uint64_t now)
{
	if (!t->adm.loaded || cookie_under_load(&t->ck, now))
		return;
	t->adm.loaded = 0;
	log_info("%s: no longer under load; so far %llu cookie replies, "
	    "%llu handshakes over their address's limit, %llu over their "
	    "peer's", t->name, (unsigned long long)t->adm.cookies,
	    (unsigned long long)t->adm.src_limited,
	    (unsigned long long)t->adm.peer_limited);
}
