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
 * Unit tests of linkd/session.c: a client and a server session table
 * run against each other in memory with a fake clock and a fake
 * network.  Handshake, data both ways, rekey without loss, replay,
 * bit flips, wrong server key, replayed INIT, unknown peer key, expiry
 * after silence, counter limits, the INIT back-off, a new handshake
 * beside the keys after silence or unreadable datagrams (a restarted
 * server).  Test code; trusts its inputs.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "config.h"
#include "frame.h"
#include "log.h"
#include "noise.h"
#include "pktq.h"
#include "wire.h"
#include "session.h"
#include "check_main.h"

#define NETQ_MAX	64
#define LINK_ID		2
#define KEEPALIVE_S	10
#define REKEY_S		120
#define MS		1000ULL		/* the clock is in microseconds */
#define SEC		1000000ULL
#define T0		(1000 * SEC)	/* the clock at the start */

struct dgram {
	int			to_server;
	uint8_t			buf[2048];
	size_t			len;
	struct sockaddr_storage	from;
};

struct side {
	struct sess_table	*t;
	int			 server;
	uint8_t			 priv[32];	/* held for it, as the parent
						   does */
	int			 sdh_calls;
	int			 sdh_refuse;	/* the holder refuses (late) */
	int			 ups, downs;
	int			 rx_kind[INNER_NACK + 1];	/* rx cb */
	uint64_t		 rx_ctr;
	uint32_t		 rx_kp;
};

static struct dgram		 netq[NETQ_MAX];
static int			 nq;
static int			 net_drop;	/* the network eats everything */
static int			 net_local_fail; /* nothing leaves this host */
static struct side		 cli, srv;
static struct sockaddr_storage	 cli_addr, srv_addr;
static uint8_t			 cli_priv[32], srv_priv[32], srv_pub[32];
static uint8_t			 cli_pub[32];
static uint64_t			 now;
static uint64_t			 delivered_cli, delivered_srv;
static int			 net_cookies;	/* COOKIE_REPLYs sent */
static uint64_t			 work_clock;	/* the server's, simulated */
static int			 work_reads;

static void
mkaddr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
}

static int
net_send(void *arg, struct session *s, uint64_t at, const uint8_t *buf,
    size_t len, const struct sockaddr_storage *to)
{
	struct side	*sd = arg;
	struct dgram	*d;

	(void)s;
	(void)to;
	ck_assert_uint_eq(at, now);
	if (len == COOKIE_REPLY_LEN)
		net_cookies++;
	if (net_local_fail)
		return (-1);
	if (net_drop)
		return (0);
	ck_assert_int_lt(nq, NETQ_MAX);
	ck_assert_uint_le(len, sizeof(d->buf));
	d = &netq[nq++];
	d->to_server = !sd->server;
	memcpy(d->buf, buf, len);
	d->len = len;
	d->from = sd->server ? srv_addr : cli_addr;
	return (0);
}

static void
net_state(void *arg, struct session *s, uint64_t at, int up)
{
	struct side	*sd = arg;

	(void)s;
	ck_assert_uint_eq(at, now);
	if (up)
		sd->ups++;
	else
		sd->downs++;
}

static void
net_rx(void *arg, struct session *s, uint64_t at, uint32_t kp_index,
    uint64_t counter, const struct inner_hdr *ih, const uint8_t *f,
    size_t len)
{
	struct side	*sd = arg;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(at, now);
	ck_assert_uint_ge(len, INNER_HDR_LEN);
	ck_assert_uint_eq(f[0], ih->kind);
	ck_assert_uint_le(ih->kind, INNER_NACK);
	sd->rx_kind[ih->kind]++;
	sd->rx_ctr = counter;
	sd->rx_kp = kp_index;
}

/* The static key's holder: the parent in bondd. */
static int
net_sdh(void *arg, uint8_t out[32], const uint8_t pub[32])
{
	struct side	*sd = arg;

	sd->sdh_calls++;
	if (sd->sdh_refuse) {
		memset(out, 0, 32);
		return (-1);
	}
	return (noise_sdh_key(sd->priv, out, pub));
}

static struct sess_table *
mktable(struct side *sd, int server, const uint8_t priv[32])
{
	struct sess_cb	cb;
	uint8_t		pub[32];

	memset(sd, 0, sizeof(*sd));
	memset(&cb, 0, sizeof(cb));
	cb.send = net_send;
	cb.state = net_state;
	cb.rx = net_rx;
	cb.sdh = net_sdh;
	cb.arg = sd;
	sd->server = server;
	memcpy(sd->priv, priv, 32);
	ck_assert_int_eq(noise_pubkey(pub, priv), 0);
	sd->t = sess_table_new(server ? ROLE_SERVER : ROLE_CLIENT,
	    server ? "listen0" : "wan1", LINK_ID, KEEPALIVE_S, REKEY_S, pub,
	    &cb);
	ck_assert_ptr_nonnull(sd->t);
	return (sd->t);
}

/* sess_peer_set with the static-static secret the parent computes
 * (none for a low-order key). */
static int
peer_set(struct side *sd, int slot, const char *name, const uint8_t pub[32],
    const struct sockaddr_storage *endpoint, uint64_t at)
{
	uint8_t	ss[32];
	int	ok;

	ok = noise_dh(ss, sd->priv, pub) == 0;
	return (sess_peer_set(sd->t, slot, name, pub, ok ? ss : NULL,
	    endpoint, at));
}

/* A client that knows srvkey as the server, a server that knows pub. */
static void
setup_pair(const uint8_t *cpriv, const uint8_t *srvkey)
{
	uint8_t	other[32], opub[32];

	nq = 0;
	net_drop = 0;
	net_local_fail = 0;
	now = T0;
	delivered_cli = delivered_srv = 0;
	mktable(&cli, 0, cpriv);
	ck_assert_int_eq(peer_set(&cli, 0, "server", srvkey, &srv_addr,
	    now), 0);
	mktable(&srv, 1, srv_priv);
	/* A second peer first, so peer lookup is not trivially index 0. */
	noise_genkey(other);
	noise_pubkey(opub, other);
	ck_assert_int_eq(peer_set(&srv, 0, "other", opub, NULL, now), 0);
	ck_assert_int_eq(peer_set(&srv, 1, "site", cli_pub, NULL, now), 0);
}

static void
teardown_pair(void)
{
	sess_table_free(cli.t);
	sess_table_free(srv.t);
	cli.t = srv.t = NULL;
}

static void
setup(void)
{
	static int	once;

	if (!once) {
		ck_assert_int_ge(sodium_init(), 0);
		ck_assert_int_eq(noise_init(), 0);
		log_init(1, 0, LOG_DAEMON);
		mkaddr(&cli_addr, "198.18.0.1", 40000);
		mkaddr(&srv_addr, "198.18.0.2", 5800);
		once = 1;
	}
	noise_genkey(cli_priv);
	noise_pubkey(cli_pub, cli_priv);
	noise_genkey(srv_priv);
	noise_pubkey(srv_pub, srv_priv);
	setup_pair(cli_priv, srv_pub);
}

/* Deliver one datagram; returns what sess_input returned. */
static int
deliver(const struct dgram *d, uint8_t *frame, size_t *flen)
{
	static uint8_t	 scratch[PKTQ_FRAME_MAX];
	struct session	*s = NULL;
	size_t		 n = 0;
	int		 r;

	if (frame == NULL)
		frame = scratch;
	r = sess_input(d->to_server ? srv.t : cli.t, now, d->buf, d->len,
	    &d->from, frame, PKTQ_FRAME_MAX, &n, &s);
	if (r == 1) {
		ck_assert_ptr_nonnull(s);
		if (d->to_server)
			delivered_srv++;
		else
			delivered_cli++;
	}
	if (flen != NULL)
		*flen = n;
	return (r);
}

/* Deliver everything queued, including what the deliveries produce. */
static void
pump(void)
{
	static uint8_t	frame[PKTQ_FRAME_MAX];
	struct dgram	d;

	while (nq > 0) {
		d = netq[0];
		memmove(netq, netq + 1, (nq - 1) * sizeof(netq[0]));
		nq--;
		deliver(&d, frame, NULL);
	}
}

static void
tick(void)
{
	sess_timer(cli.t, now);
	sess_timer(srv.t, now);
	pump();
}

/* Let time pass in 1 s steps, timers running and the network up. */
static void
advance(uint64_t us)
{
	uint64_t	end = now + us;

	while (now < end) {
		now += SEC;
		tick();
	}
}

static struct session *
cli_sess(void)
{
	return (sess_find(cli.t, 0, LINK_ID));
}

static struct session *
srv_sess(void)
{
	return (sess_find(srv.t, 1, LINK_ID));
}

static int
init_queued(void)
{
	int	i;

	for (i = 0; i < nq; i++)
		if (netq[i].len == WIRE_INIT_LEN)
			return (1);
	return (0);
}

static void
establish(void)
{
	tick();
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
	ck_assert_ptr_nonnull(srv_sess());
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);
}

static size_t
mkframe(uint8_t *f, uint32_t seq, size_t len)
{
	struct inner_hdr	ih;
	size_t			i;

	memset(&ih, 0, sizeof(ih));
	ih.kind = INNER_DATA;
	ih.seq = seq;
	inner_hdr_encode(f, &ih);
	for (i = INNER_HDR_LEN; i < len; i++)
		f[i] = (uint8_t)(seq + i);
	return (len);
}

/* Encrypt a frame on one side into a dgram, without delivering it. */
static void
seal(struct dgram *d, int from_server, uint32_t seq)
{
	uint8_t		f[200];
	size_t		len = mkframe(f, seq, sizeof(f));
	struct session	*s = from_server ? srv_sess() : cli_sess();
	ssize_t		n;

	ck_assert_ptr_nonnull(s);
	n = sess_encrypt(from_server ? srv.t : cli.t, s, now, f, len, d->buf,
	    sizeof(d->buf));
	ck_assert_int_eq(n, (ssize_t)(len + WIRE_DATA_OVERHEAD));
	d->len = (size_t)n;
	d->to_server = !from_server;
	d->from = from_server ? srv_addr : cli_addr;
}

/* Seal and deliver; the receiver must hand out the same frame. */
static void
roundtrip(int from_server, uint32_t seq)
{
	static uint8_t	out[PKTQ_FRAME_MAX];
	uint8_t		f[200];
	struct dgram	d;
	size_t		flen;

	mkframe(f, seq, sizeof(f));
	seal(&d, from_server, seq);
	ck_assert_int_eq(deliver(&d, out, &flen), 1);
	ck_assert_uint_eq(flen, sizeof(f));
	ck_assert_mem_eq(out, f, sizeof(f));
}

START_TEST(test_handshake)
{
	struct ipc_link_stats	st;

	ck_assert_int_eq(sess_state(cli_sess()), SESSION_NONE);
	sess_timer(cli.t, now);
	ck_assert_int_eq(nq, 1);
	ck_assert_uint_eq(netq[0].len, WIRE_INIT_LEN);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_HANDSHAKE);
	pump();
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(cli.ups, 1);
	ck_assert_int_eq(srv.ups, 1);
	/* One DH with the static private key each, asked of its holder:
	 * the server's "es", the client's "se". */
	ck_assert_int_eq(cli.sdh_calls, 1);
	ck_assert_int_eq(srv.sdh_calls, 1);
	ck_assert_str_eq(srv_sess()->link_name, "wan1");
	/* The server learnt the client's address from authenticated data. */
	ck_assert_int_eq(memcmp(&srv_sess()->endpoint, &cli_addr,
	    sizeof(cli_addr)), 0);

	now += 2500 * MS;
	sess_stats(cli.t, cli_sess(), now, 1, &st);
	ck_assert_str_eq(st.peer, "server");
	ck_assert_int_eq(st.state, SESSION_ESTABLISHED);
	ck_assert_int_eq(st.last_handshake_ms, 2500);
	ck_assert_uint_eq(st.handshakes, 1);
	ck_assert_uint_eq(st.auth_fail, 0);
	sess_stats(srv.t, srv_sess(), now, 1, &st);
	ck_assert_str_eq(st.peer, "site");
	ck_assert_uint_eq(st.link_id, LINK_ID);
	ck_assert_uint_eq(st.rx_packets, 1);	/* the confirming keepalive */
	sess_stats(srv.t, NULL, now, 1, &st);
	ck_assert_int_eq(st.state, SESSION_NONE);
	ck_assert_int_eq(st.last_handshake_ms, -1);
}
END_TEST

START_TEST(test_data_both_ways)
{
	uint32_t	i;

	establish();
	for (i = 0; i < 100; i++) {
		roundtrip(0, i);
		roundtrip(1, i);
	}
	ck_assert_uint_eq(delivered_srv, 100);
	ck_assert_uint_eq(delivered_cli, 100);
	/* Nothing for an unknown (peer, link). */
	ck_assert_ptr_null(sess_find(srv.t, 0, LINK_ID));
	ck_assert_ptr_null(sess_find(srv.t, 1, LINK_ID + 1));
	ck_assert_ptr_null(sess_find(srv.t, 7, LINK_ID));
}
END_TEST

/* A frame of a given inner kind from the client; sess_input's verdict. */
static int
send_kind(uint8_t kind)
{
	static uint8_t	 out[PKTQ_FRAME_MAX];
	uint8_t		 f[INNER_HDR_LEN + 64];
	struct dgram	 d;
	size_t		 flen;
	ssize_t		 n;

	mkframe(f, 7, sizeof(f));
	f[0] = kind;
	n = sess_encrypt(cli.t, cli_sess(), now, f, sizeof(f), d.buf,
	    sizeof(d.buf));
	ck_assert_int_gt(n, 0);
	d.len = (size_t)n;
	d.to_server = 1;
	d.from = cli_addr;
	return (deliver(&d, out, &flen));
}

/* DATA and NACK go to the core; PROBE and KEEPALIVE stay in linkd;
 * all authenticated ones reach the rx callback with their counter. */
START_TEST(test_inner_kinds)
{
	uint64_t	ctr;
	int		fails;

	establish();
	memset(srv.rx_kind, 0, sizeof(srv.rx_kind));
	ck_assert_int_eq(send_kind(INNER_DATA), 1);
	ctr = srv.rx_ctr;
	ck_assert_uint_eq(srv.rx_kp, srv_sess()->cur->local_index);
	ck_assert_int_eq(send_kind(INNER_NACK), 1);
	ck_assert_uint_eq(srv.rx_ctr, ctr + 1);
	ck_assert_int_eq(send_kind(INNER_PROBE), 0);
	ck_assert_uint_eq(srv.rx_ctr, ctr + 2);
	ck_assert_int_eq(send_kind(INNER_KEEPALIVE), 0);
	ck_assert_uint_eq(srv.rx_ctr, ctr + 3);
	ck_assert_int_eq(srv.rx_kind[INNER_DATA], 1);
	ck_assert_int_eq(srv.rx_kind[INNER_NACK], 1);
	ck_assert_int_eq(srv.rx_kind[INNER_PROBE], 1);
	ck_assert_int_eq(srv.rx_kind[INNER_KEEPALIVE], 1);
	/* An unknown kind is malformed and not reported. */
	fails = (int)srv_sess()->ctr.malformed;
	ck_assert_int_eq(send_kind(9), 0);
	ck_assert_int_eq((int)srv_sess()->ctr.malformed, fails + 1);
	ck_assert_uint_eq(srv.rx_ctr, ctr + 3);
}
END_TEST

START_TEST(test_rekey)
{
	static struct dgram	 c2s[20], s2c[20];
	struct keypair		*old_c, *old_s;
	uint32_t		 old_ci, old_si;
	int			 i, ninit;

	establish();
	old_c = cli_sess()->cur;
	old_s = srv_sess()->cur;
	old_ci = old_c->local_index;
	old_si = old_s->local_index;
	advance(REKEY_S * SEC - 2 * SEC);
	ck_assert_ptr_eq(cli_sess()->cur, old_c);

	/* The rekey INIT goes out; old keys still carry data meanwhile. */
	while (!init_queued()) {
		pump();
		now += 500 * MS;
		sess_timer(cli.t, now);
		sess_timer(srv.t, now);
		ck_assert_uint_le(now, T0 + REKEY_S * SEC);
	}
	ninit = nq;
	for (i = 0; i < 10; i++) {
		seal(&c2s[i], 0, 1000 + i);
		seal(&s2c[i], 1, 2000 + i);
	}
	ck_assert_int_eq(nq, ninit);
	pump();		/* INIT, RESP, confirming keepalive */
	ck_assert_ptr_ne(cli_sess()->cur, old_c);
	ck_assert_ptr_ne(srv_sess()->cur, old_s);
	ck_assert_uint_eq(cli_sess()->prev->local_index, old_ci);
	ck_assert_uint_eq(srv_sess()->prev->local_index, old_si);
	ck_assert_uint_ne(cli_sess()->cur->local_index, old_ci);
	ck_assert_int_eq(cli.ups, 1);
	ck_assert_int_eq(cli.downs, 0);

	/* New keys both ways, and the late old-key packets still count. */
	for (i = 0; i < 10; i++) {
		roundtrip(0, 3000 + i);
		roundtrip(1, 4000 + i);
	}
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(deliver(&c2s[i], NULL, NULL), 1);
	ck_assert_uint_eq(delivered_srv, 20);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(deliver(&s2c[i], NULL, NULL), 1);
	ck_assert_uint_eq(delivered_cli, 20);
	ck_assert_uint_eq(cli_sess()->ctr.handshakes, 2);
	ck_assert_uint_eq(srv_sess()->ctr.handshakes, 2);

	/* 30 s later the old keypair is gone. */
	advance(31 * SEC);
	ck_assert_ptr_null(cli_sess()->prev);
	ck_assert_ptr_null(srv_sess()->prev);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
}
END_TEST

START_TEST(test_replayed_data)
{
	struct dgram	d;
	static uint8_t	out[PKTQ_FRAME_MAX];
	size_t		flen;

	establish();
	seal(&d, 0, 7);
	ck_assert_int_eq(deliver(&d, out, &flen), 1);
	ck_assert_int_eq(deliver(&d, out, &flen), 0);
	ck_assert_int_eq(deliver(&d, out, &flen), 0);
	ck_assert_uint_eq(srv_sess()->ctr.replay_drop, 2);
	ck_assert_uint_eq(srv_sess()->ctr.auth_fail, 0);
	ck_assert_uint_eq(delivered_srv, 1);
}
END_TEST

START_TEST(test_bitflip)
{
	struct dgram	d, e;
	static uint8_t	out[PKTQ_FRAME_MAX];
	size_t		i;

	establish();
	seal(&d, 1, 9);
	/* Every byte after the receiver index: counter (AD), body, tag. */
	for (i = WIRE_PREFIX_LEN + 4; i < d.len; i++) {
		e = d;
		e.buf[i] ^= 0x10;
		ck_assert_int_eq(deliver(&e, out, NULL), 0);
	}
	ck_assert_uint_eq(cli_sess()->ctr.auth_fail, d.len -
	    (WIRE_PREFIX_LEN + 4));
	ck_assert_uint_eq(cli_sess()->ctr.rx_packets, 0);
	/* The untouched datagram still goes through: no window damage. */
	ck_assert_int_eq(deliver(&d, out, NULL), 1);
	/* A flipped receiver index names no keypair. */
	e = d;
	e.buf[WIRE_PREFIX_LEN + 3] ^= 0x80;
	ck_assert_int_eq(deliver(&e, out, NULL), 0);
	ck_assert_uint_eq(cli.t->ctr.malformed, 1);
}
END_TEST

START_TEST(test_wrong_server_key)
{
	uint8_t	bogus[32], bpub[32];
	int	i;

	teardown_pair();
	noise_genkey(bogus);
	noise_pubkey(bpub, bogus);
	setup_pair(cli_priv, bpub);
	for (i = 0; i < 5; i++) {
		sess_timer(cli.t, now);
		ck_assert_int_eq(nq, 1);
		pump();
		ck_assert_int_eq(nq, 0);	/* no RESP */
		now += 6001 * MS;
	}
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_HANDSHAKE);
	ck_assert_uint_eq(srv.t->ctr.auth_fail, 5);
	ck_assert_ptr_null(srv_sess());
	ck_assert_int_eq(cli_sess()->hs_attempts, 5);
	ck_assert_int_eq(cli_sess()->hs_warned, 1);
	ck_assert_int_eq(cli.ups + srv.ups, 0);
}
END_TEST

/* The client's wall clock in the test of a clock that goes back:
 * wall_base + now, as TAI64N. */
static uint64_t			 wall_base;

static void
fake_tai64n(void *arg, uint8_t out[12])
{
	uint64_t	w = wall_base + now;
	uint64_t	sec = ((uint64_t)1 << 62) + 10 + w / SEC;
	uint32_t	ns = (uint32_t)(w % SEC) * 1000;
	int		i;

	(void)arg;
	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(sec >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(ns >> (24 - 8 * i));
}

/* Take the client's next INIT off the network: it is held back. */
static int
hold_init(struct dgram *d)
{
	int	i;

	for (i = 0; i < nq; i++)
		if (netq[i].to_server && netq[i].len == WIRE_INIT_LEN) {
			*d = netq[i];
			memmove(netq + i, netq + i + 1,
			    (nq - i - 1) * sizeof(netq[0]));
			nq--;
			return (1);
		}
	return (0);
}

/*
 * The client's wall clock goes back an hour (INIT timestamps older
 * than the server's last): while its link is live the server refuses
 * them as replays, without a cookie; once the link has been silent
 * SESS_TAI_SILENT_US (the old keys died) it answers with a cookie and
 * accepts the next INIT, which carries its mac2, and the session is
 * back.  Recordings stay refused: an INIT held back on the path before
 * the clock went back (newer than the new timestamps, never accepted)
 * gets a cookie reply and changes nothing; the first INIT, accepted
 * before, is refused outright.
 */
START_TEST(test_clock_back)
{
	struct dgram	 first, held;
	uint64_t	 drops;
	int		 cookies, i, got = 0;

	cli.t->cb.tai64n = fake_tai64n;
	wall_base = 1700000000ULL * SEC;
	sess_timer(cli.t, now);
	ck_assert_int_eq(nq, 1);
	first = netq[0];
	pump();
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(deliver(&first, NULL, NULL), 0);
	ck_assert_int_eq(nq, 0);
	ck_assert_uint_eq(srv_sess()->ctr.replay_drop, 1);

	/* The rekey INIT is held back on the path; its retry goes. */
	for (i = 0; i < (REKEY_S + 10) && !got; i++) {
		now += SEC;
		sess_timer(cli.t, now);
		got = hold_init(&held);
		sess_timer(srv.t, now);
		pump();
	}
	ck_assert_int_eq(got, 1);
	advance(5 * SEC);
	ck_assert_uint_eq(srv_sess()->ctr.handshakes, 2);

	/* An hour back: the next rekey is refused while the link lives. */
	wall_base -= 3600 * SEC;
	cookies = net_cookies;
	advance((REKEY_S + 30) * SEC);
	drops = srv_sess()->ctr.replay_drop;
	ck_assert_uint_ge(drops, 5);
	ck_assert_int_eq(net_cookies, cookies);
	ck_assert_uint_eq(srv_sess()->ctr.handshakes, 2);

	/* The old keys die, the link falls silent: a cookie, then the
	 * INIT with its mac2 is accepted (a new session, new counters). */
	advance(120 * SEC);
	ck_assert_int_gt(net_cookies, cookies);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);

	/* The held-back INIT: newer than the client's clock now, but not
	 * than the newest before; no mac2: a cookie reply, nothing else. */
	cookies = net_cookies;
	drops = srv_sess()->ctr.replay_drop;
	ck_assert_int_eq(deliver(&held, NULL, NULL), 0);
	ck_assert_int_eq(nq, 1);
	ck_assert_uint_eq(netq[0].len, COOKIE_REPLY_LEN);
	ck_assert_int_eq(net_cookies, cookies + 1);
	ck_assert_uint_eq(srv_sess()->ctr.replay_drop, drops + 1);
	nq = 0;
	/* The first INIT, accepted long ago: refused, no cookie. */
	ck_assert_int_eq(deliver(&first, NULL, NULL), 0);
	ck_assert_int_eq(nq, 0);
	ck_assert_uint_eq(srv_sess()->ctr.replay_drop, drops + 2);
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);
	roundtrip(0, 7);
	roundtrip(1, 8);
}
END_TEST

/*
 * The key's holder does not answer (the parent late or over the
 * linkd's budget): the server answers no INIT and keeps no state, the
 * client's INITs go unanswered; its RESP refused on the client's side
 * keeps the handshake in flight.  Once the holder answers, the next
 * INIT makes the session.
 */
START_TEST(test_holder_refuses)
{
	struct dgram	init;
	unsigned int	k;
	int		used = 0;

	srv.sdh_refuse = 1;
	sess_timer(cli.t, now);
	ck_assert_int_eq(nq, 1);
	init = netq[0];
	pump();
	ck_assert_int_eq(srv.sdh_calls, 1);
	ck_assert_ptr_null(srv_sess());
	ck_assert_uint_eq(srv.t->ctr.auth_fail, 1);
	for (k = 0; k < SESS_KP_MAX; k++)
		used += srv.t->kps[k].state == KP_PENDING;
	ck_assert_int_eq(used, 0);

	/* The server answers; the client's holder refuses its "se". */
	srv.sdh_refuse = 0;
	cli.sdh_refuse = 1;
	ck_assert_int_eq(deliver(&init, NULL, NULL), 0);
	ck_assert_int_eq(srv.sdh_calls, 2);
	pump();
	ck_assert_int_eq(cli.sdh_calls, 1);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_HANDSHAKE);
	ck_assert_uint_eq(cli_sess()->ctr.auth_fail, 1);

	/* Both answer: the client's retry brings the session up. */
	cli.sdh_refuse = 0;
	advance(SESS_RETRY_MAX_US + SESS_RETRY_MAX_US / 8 + 1);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);
}
END_TEST

START_TEST(test_replayed_init)
{
	struct dgram	init;
	unsigned int	k;
	int		used = 0;

	sess_timer(cli.t, now);
	ck_assert_int_eq(nq, 1);
	init = netq[0];
	pump();
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(deliver(&init, NULL, NULL), 0);
	ck_assert_int_eq(nq, 0);
	ck_assert_uint_eq(srv_sess()->ctr.replay_drop, 1);
	ck_assert_uint_eq(srv_sess()->ctr.handshakes, 1);

	/* Replayed after the session expired: still refused, no state. */
	net_drop = 1;
	advance(60 * SEC);
	ck_assert_ptr_null(srv_sess());
	net_drop = 0;
	nq = 0;
	ck_assert_int_eq(deliver(&init, NULL, NULL), 0);
	ck_assert_int_eq(nq, 0);
	ck_assert_ptr_null(srv_sess());
	ck_assert_uint_eq(srv.t->ctr.replay_drop, 1);
	for (k = 0; k < SESS_KP_MAX; k++)
		used += srv.t->kps[k].state != KP_FREE;
	ck_assert_int_eq(used, 0);
}
END_TEST

START_TEST(test_unknown_peer)
{
	uint8_t		stranger[32];
	unsigned int	k;
	int		i, used = 0;

	teardown_pair();
	noise_genkey(stranger);
	setup_pair(stranger, srv_pub);
	for (i = 0; i < 3; i++) {
		sess_timer(cli.t, now);
		pump();
		ck_assert_int_eq(nq, 0);
		now += 6001 * MS;
	}
	ck_assert_uint_eq(srv.t->ctr.auth_fail, 3);
	for (i = 0; i < SESS_MAX; i++)
		ck_assert_int_eq(srv.t->sessions[i].used, 0);
	for (k = 0; k < SESS_KP_MAX; k++)
		used += srv.t->kps[k].state != KP_FREE;
	ck_assert_int_eq(used, 0);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_HANDSHAKE);
}
END_TEST

START_TEST(test_expiry)
{
	struct dgram	d;
	uint64_t	last;

	establish();
	advance(60 * SEC);	/* keepalives keep it alive */
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(cli.downs + srv.downs, 0);

	net_drop = 1;
	seal(&d, 0, 1);		/* sent just before the silence */
	last = cli_sess()->last_rx_us;
	advance(last + 29 * SEC - now);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(cli.downs, 0);
	advance(2 * SEC);	/* max(3 * 10, 15) s without a word */
	ck_assert_int_eq(cli.downs, 1);
	advance(10 * SEC);	/* the server heard last from us earlier */
	ck_assert_int_eq(srv.downs, 1);
	ck_assert_ptr_null(srv_sess());
	/* The client is handshaking again. */
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_HANDSHAKE);
	/* Old data under dead keys is not accepted. */
	ck_assert_int_eq(deliver(&d, NULL, NULL), 0);

	net_drop = 0;
	advance(7 * SEC);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(cli.ups, 2);
	roundtrip(0, 1);
	roundtrip(1, 1);
	/* The server's slot was forgotten and reused: it kept its place,
	 * by which linkd finds the session's measurement. */
	ck_assert_int_eq(srv_sess()->slot, (int)(srv_sess() -
	    srv.t->sessions));
	ck_assert_int_eq(srv_sess()->slot, 1 * BONDD_MAX_LINKS + LINK_ID);
	ck_assert_int_eq(cli_sess()->slot, 0);
}
END_TEST

START_TEST(test_counter_limits)
{
	uint8_t		f[64], out[128];
	struct session	*s;

	establish();
	s = cli_sess();
	mkframe(f, 1, sizeof(f));
	s->cur->send_ctr = SESS_REKEY_AFTER;
	ck_assert_int_gt(sess_encrypt(cli.t, s, now, f, sizeof(f), out,
	    sizeof(out)), 0);
	ck_assert_int_eq(s->rekey_wanted, 1);
	s->cur->send_ctr = SESS_REJECT_AFTER;
	ck_assert_int_eq(sess_encrypt(cli.t, s, now, f, sizeof(f), out,
	    sizeof(out)), -1);
	/* Too small an output buffer is refused, not overrun. */
	s->cur->send_ctr = 5;
	ck_assert_int_eq(sess_encrypt(cli.t, s, now, f, sizeof(f), out,
	    sizeof(f) + WIRE_DATA_OVERHEAD - 1), -1);
	/* The timer starts a rekey at once. */
	nq = 0;
	sess_timer(cli.t, now);
	ck_assert_int_ge(nq, 1);
	ck_assert_uint_eq(netq[0].len, WIRE_INIT_LEN);
	pump();
	ck_assert_uint_eq(cli_sess()->cur->send_ctr, 1);	/* keepalive */
	ck_assert_int_eq(cli_sess()->rekey_wanted, 0);
}
END_TEST

START_TEST(test_junk)
{
	struct dgram	d;
	int		i;

	establish();
	memset(&d, 0, sizeof(d));
	d.to_server = 1;
	d.from = cli_addr;
	/* Another protocol version, short, unknown type, reserved bits. */
	d.buf[0] = 2;
	d.buf[1] = WIRE_DATA;
	d.len = 64;
	ck_assert_int_eq(deliver(&d, NULL, NULL), 0);
	d.buf[0] = WIRE_VERSION;
	d.len = 3;
	ck_assert_int_eq(deliver(&d, NULL, NULL), 0);
	d.len = 64;
	d.buf[1] = 9;
	ck_assert_int_eq(deliver(&d, NULL, NULL), 0);
	/* A RESP to a server, random INITs. */
	d.buf[1] = WIRE_HANDSHAKE_RESP;
	d.len = WIRE_RESP_LEN;
	ck_assert_int_eq(deliver(&d, NULL, NULL), 0);
	ck_assert_uint_eq(srv.t->ctr.malformed, 4);
	d.buf[1] = WIRE_HANDSHAKE_INIT;
	d.len = WIRE_INIT_LEN;
	for (i = 0; i < 10; i++) {
		randombytes_buf(d.buf + WIRE_PREFIX_LEN,
		    d.len - WIRE_PREFIX_LEN);
		ck_assert_int_eq(deliver(&d, NULL, NULL), 0);
	}
	ck_assert_uint_eq(srv.t->ctr.auth_fail, 10);
	ck_assert_int_eq(nq, 0);
	/* The endpoint did not move to an unauthenticated source. */
	ck_assert_int_eq(memcmp(&srv_sess()->endpoint, &cli_addr,
	    sizeof(cli_addr)), 0);
}
END_TEST

/* The INITs queued now, taken off the network. */
static int
inits_sent(void)
{
	int	i, n = 0;

	for (i = 0; i < nq; i++)
		n += netq[i].len == WIRE_INIT_LEN;
	nq = 0;
	return (n);
}

/* Unanswered INITs go again after 0.5 s, 1 s, then every 2 s, each
 * plus up to an eighth; the timer asks to run when the next is due. */
START_TEST(test_retry_backoff)
{
	uint64_t	sent[6], wait, gap, want;
	int		n = 0, k;

	ck_assert_uint_eq(sess_retry_us(0), 500 * MS);
	ck_assert_uint_eq(sess_retry_us(1), 1000 * MS);
	ck_assert_uint_eq(sess_retry_us(2), 2000 * MS);
	ck_assert_uint_eq(sess_retry_us(9), 2000 * MS);
	ck_assert_uint_eq(sess_retry_us(-1), 500 * MS);
	net_drop = 1;
	while (n < 6) {
		nq = 0;
		wait = sess_timer(cli.t, now);
		ck_assert_uint_le(wait, 1 * SEC);
		if (cli_sess()->hs_attempts > n)
			sent[n++] = now;
		ck_assert_uint_gt(wait, 0);
		now += wait < 10 * MS ? wait : 10 * MS;
	}
	for (k = 1; k < 6; k++) {
		gap = sent[k] - sent[k - 1];
		want = sess_retry_us(k - 1);
		ck_assert_uint_ge(gap, want);
		/* An eighth at random, and a 10 ms step of the loop. */
		ck_assert_uint_le(gap, want + want / 8 + 10 * MS);
	}
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_HANDSHAKE);
	/* No warning for a server that is back within seconds. */
	ck_assert_int_eq(cli_sess()->hs_warned, 0);
}
END_TEST

/* An INIT that cannot leave this host (no route yet) is tried again
 * after SESS_RETRY_LOCAL_US, and the back-off does not grow. */
START_TEST(test_retry_local)
{
	int	i;

	net_local_fail = 1;
	for (i = 0; i < 5; i++) {
		sess_timer(cli.t, now);
		ck_assert_int_eq(cli_sess()->hs_attempts, 0);
		ck_assert_uint_eq(cli_sess()->hs_next_us,
		    now + SESS_RETRY_LOCAL_US);
		now += SESS_RETRY_LOCAL_US;
	}
	net_local_fail = 0;
	sess_timer(cli.t, now);
	ck_assert_int_eq(cli_sess()->hs_attempts, 1);
	pump();
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
}
END_TEST

/* A fresh server table with the same keys: a restarted server. */
static void
restart_server(void)
{
	uint8_t	other[32], opub[32];

	sess_table_free(srv.t);
	mktable(&srv, 1, srv_priv);
	noise_genkey(other);
	noise_pubkey(opub, other);
	ck_assert_int_eq(peer_set(&srv, 0, "other", opub, NULL, now), 0);
	ck_assert_int_eq(peer_set(&srv, 1, "site", cli_pub, NULL, now), 0);
}

/* Step the clock in 50 ms, timers running, the network up. */
static void
run_for(uint64_t us)
{
	uint64_t	end = now + us;

	while (now < end) {
		now += 50 * MS;
		tick();
	}
}

/*
 * The server restarts: it drops what comes under the old keys.  The
 * client hears nothing for stale_us and handshakes beside its keys,
 * which stay usable (no session down) until the new ones work.
 */
START_TEST(test_stale_server_restart)
{
	struct keypair	*old;
	uint64_t	 last, t_restart;

	cli.t->stale_us = 500 * MS;
	establish();
	old = cli_sess()->cur;
	run_for(400 * MS);
	ck_assert_int_eq(inits_sent(), 0);
	net_drop = 1;
	restart_server();
	t_restart = now;
	last = cli_sess()->last_rx_us;
	now = last + 499 * MS;
	sess_timer(cli.t, now);
	ck_assert_ptr_null(cli_sess()->next);
	now = last + 500 * MS;
	sess_timer(cli.t, now);
	ck_assert_ptr_nonnull(cli_sess()->next);
	ck_assert_ptr_eq(cli_sess()->cur, old);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);

	/* The server is back: the next INIT reaches it. */
	net_drop = 0;
	while (cli_sess()->cur == old) {
		now += 10 * MS;
		tick();
		ck_assert_uint_le(now - t_restart, 500 * MS +
		    sess_retry_us(0) * 9 / 8 + 10 * MS);
	}
	ck_assert_int_eq(cli.downs, 0);
	ck_assert_int_eq(cli.ups, 1);
	ck_assert_int_eq(srv.ups, 1);
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);
	roundtrip(0, 1);
	roundtrip(1, 1);
	/* Traffic again: no more handshakes. */
	nq = 0;
	sess_timer(cli.t, now);
	ck_assert_int_eq(inits_sent(), 0);
}
END_TEST

/* A DATA datagram from the server's address with an index nobody
 * gave out. */
static void
bogus_data(const struct sockaddr_storage *from)
{
	struct dgram	d;

	seal(&d, 1, 1);
	d.buf[WIRE_PREFIX_LEN] ^= 0x55;		/* the receiver index */
	d.from = *from;
	ck_assert_int_eq(deliver(&d, NULL, NULL), 0);
}

/*
 * What the client cannot read from the server's address starts a
 * handshake at once; the keys stay.  Keys younger than SESS_HINT_US
 * and other addresses are not heard, so forgeries cost little.
 */
START_TEST(test_hint_unknown_index)
{
	struct sockaddr_storage	 other;
	struct keypair		*old;

	establish();
	old = cli_sess()->cur;
	nq = 0;
	bogus_data(&srv_addr);
	ck_assert_int_eq(inits_sent(), 0);	/* keys too young */
	now += SESS_HINT_US;
	mkaddr(&other, "198.18.0.9", 5800);
	bogus_data(&other);
	ck_assert_int_eq(inits_sent(), 0);
	bogus_data(&srv_addr);
	ck_assert_ptr_nonnull(cli_sess()->next);
	ck_assert_ptr_eq(cli_sess()->cur, old);
	ck_assert_int_eq(nq, 1);
	/* Only one handshake in flight, however many come. */
	bogus_data(&srv_addr);
	ck_assert_int_eq(nq, 1);
	pump();
	ck_assert_ptr_ne(cli_sess()->cur, old);
	ck_assert_int_eq(cli.downs, 0);
	roundtrip(0, 2);
	roundtrip(1, 2);
}
END_TEST

/* Failed tags: a hint only SESS_HINT_FAILS in a row. */
START_TEST(test_hint_failed_tags)
{
	struct dgram	d, e;
	int		i;

	establish();
	now += SESS_HINT_US;
	nq = 0;
	for (i = 0; i < SESS_HINT_FAILS - 1; i++) {
		seal(&d, 1, 10 + i);
		d.buf[d.len - 1] ^= 1;
		ck_assert_int_eq(deliver(&d, NULL, NULL), 0);
	}
	/* An authenticated one in between starts the count again. */
	roundtrip(1, 20);
	seal(&e, 1, 21);
	e.buf[e.len - 1] ^= 1;
	ck_assert_int_eq(deliver(&e, NULL, NULL), 0);
	ck_assert_int_eq(inits_sent(), 0);
	for (i = 1; i < SESS_HINT_FAILS; i++) {
		seal(&d, 1, 30 + i);
		d.buf[d.len - 1] ^= 1;
		ck_assert_int_eq(deliver(&d, NULL, NULL), 0);
	}
	ck_assert_int_eq(inits_sent(), 1);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_ESTABLISHED);
}
END_TEST

/* A new socket: a handshake in flight goes at once, back-off reset;
 * a live session is left alone. */
START_TEST(test_kick)
{
	cli.t->stale_us = 500 * MS;
	establish();
	nq = 0;
	sess_kick(cli.t, now);
	ck_assert_int_eq(inits_sent(), 0);
	net_drop = 1;
	now += 500 * MS;
	sess_timer(cli.t, now);
	now += 600 * MS;
	sess_timer(cli.t, now);
	ck_assert_int_eq(cli_sess()->hs_attempts, 2);
	now += 100 * MS;
	net_drop = 0;
	sess_kick(cli.t, now);
	ck_assert_int_eq(cli_sess()->hs_attempts, 1);
	ck_assert_uint_ge(cli_sess()->hs_next_us, now + sess_retry_us(0));
	pump();
	ck_assert_ptr_null(cli_sess()->next);
	ck_assert_int_eq(cli.downs, 0);
}
END_TEST

/* Peers come and go in their slots; the others' sessions stay. */
START_TEST(test_peer_slots)
{
	uint8_t	k[32], kpub[32];

	establish();
	noise_genkey(k);
	noise_pubkey(kpub, k);
	/* A peer in a slot far up; then the one in slot 0 leaves. */
	ck_assert_int_eq(peer_set(&srv, 9, "far", kpub, NULL, now), 0);
	ck_assert_int_eq(srv.t->npeers, 10);
	ck_assert_ptr_null(sess_find(srv.t, 9, LINK_ID));
	ck_assert_int_eq(sess_peer_del(srv.t, 0, now), 0);
	ck_assert_ptr_null(sess_find(srv.t, 0, LINK_ID));
	ck_assert_int_eq(sess_peer_del(srv.t, 0, now), -1);
	ck_assert_int_eq(srv.downs, 0);
	roundtrip(0, 1);
	roundtrip(1, 1);
	/* Renamed: the same key keeps its sessions. */
	ck_assert_int_eq(peer_set(&srv, 1, "renamed", cli_pub, NULL,
	    now), 0);
	ck_assert_str_eq(srv.t->peers[1].name, "renamed");
	ck_assert_int_eq(srv.downs, 0);
	roundtrip(0, 2);
	/* Out of range, and a client has its one peer in slot 0. */
	ck_assert_int_eq(peer_set(&srv, BONDD_MAX_PEERS, "x", kpub,
	    NULL, now), -1);
	ck_assert_int_eq(peer_set(&cli, 1, "x", kpub, &srv_addr, now),
	    -1);
	ck_assert_int_eq(sess_peer_del(srv.t, 63, now), -1);
}
END_TEST

/* A removed peer's sessions end; its INITs are refused from then on. */
START_TEST(test_peer_removed)
{
	cli.t->stale_us = 500 * MS;
	establish();
	ck_assert_int_eq(sess_peer_del(srv.t, 1, now), 0);
	ck_assert_int_eq(srv.downs, 1);
	ck_assert_ptr_null(srv_sess());
	ck_assert_int_eq(srv.t->sessions[1 * BONDD_MAX_LINKS + LINK_ID].used,
	    0);
	run_for(2 * SEC);
	ck_assert_ptr_null(srv_sess());
	ck_assert_uint_ge(cli_sess()->hs_attempts, 2);
	ck_assert_uint_eq(srv.t->ctr.auth_fail, cli_sess()->hs_attempts);
}
END_TEST

/* A new key in a peer's slot ends its sessions: the old key's client
 * is refused, the new key's is welcome. */
START_TEST(test_peer_new_key)
{
	uint8_t	k[32], kpub[32];

	cli.t->stale_us = 500 * MS;
	establish();
	noise_genkey(k);
	noise_pubkey(kpub, k);
	ck_assert_int_eq(peer_set(&srv, 1, "site", kpub, NULL, now), 0);
	ck_assert_int_eq(srv.downs, 1);
	ck_assert_ptr_null(srv_sess());
	run_for(2 * SEC);
	ck_assert_ptr_null(srv_sess());
	/* The client keeps its keys meanwhile: no session down. */
	ck_assert_int_eq(cli.downs, 0);
	/* The key is back: the client's next INIT gets through. */
	ck_assert_int_eq(peer_set(&srv, 1, "site", cli_pub, NULL, now),
	    0);
	run_for(3 * SEC);
	ck_assert_int_eq(sess_state(srv_sess()), SESSION_ESTABLISHED);
	ck_assert_int_eq(srv.ups, 2);
	roundtrip(0, 3);
	roundtrip(1, 3);

	/* A client told a new server key drops its session at once. */
	ck_assert_int_eq(peer_set(&cli, 0, "server", kpub, &srv_addr,
	    now), 0);
	ck_assert_int_eq(cli.downs, 1);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_NONE);
	sess_timer(cli.t, now);
	ck_assert_int_eq(sess_state(cli_sess()), SESSION_HANDSHAKE);
}
END_TEST

/* Each read of the server's work clock advances it 60 us: an INIT
 * that runs Diffie-Hellman is measured at 60 us of work. */
static uint64_t
srv_work_clock(void *arg)
{
	(void)arg;
	work_reads++;
	work_clock += 60;
	return (work_clock);
}

/* A forged INIT: random body, a valid mac1 for the server. */
static void
forged_init(struct dgram *d, int n)
{
	uint8_t	key[32];
	char	ip[32];

	handshake_mac1_key(key, srv_pub);
	randombytes_buf(d->buf, WIRE_INIT_LEN);
	d->buf[0] = WIRE_VERSION;
	d->buf[1] = WIRE_HANDSHAKE_INIT;
	d->buf[2] = d->buf[3] = 0;
	crypto_generichash(d->buf + WIRE_INIT_LEN - 32, 16, d->buf,
	    WIRE_INIT_LEN - 32, key, sizeof(key));
	d->len = WIRE_INIT_LEN;
	d->to_server = 1;
	snprintf(ip, sizeof(ip), "198.18.%d.%d", 1 + (n >> 8) % 250, n & 0xff);
	mkaddr(&d->from, ip, (uint16_t)(1024 + n));
}

/*
 * One peer's fresh INITs, each from another address (the per-source
 * buckets never see two): the server answers a burst of them, refuses
 * the rest and counts them, and answers one more once the bucket has
 * refilled for one.  A stolen key cannot buy unlimited DH.
 */
START_TEST(test_peer_hs_limit)
{
	struct dgram	d;
	char		ip[32];
	int		i, j, resps = 0, n = SESS_PEER_HS_BURST + 20;

	cli.t->cb.tai64n = fake_tai64n;
	wall_base = 1700000000ULL * SEC;
	for (i = 0; i < n + 2; i++) {
		if (i == n)	/* one token's worth of time */
			now += SEC / SESS_PEER_HS_RATE;
		now += 10;
		nq = 0;
		sess_kick(cli.t, now);
		ck_assert_int_eq(hold_init(&d), 1);
		snprintf(ip, sizeof(ip), "198.18.7.%d", 1 + i);
		mkaddr(&d.from, ip, 4000);
		nq = 0;
		deliver(&d, NULL, NULL);
		for (j = 0; j < nq; j++)
			resps += !netq[j].to_server &&
			    netq[j].len == WIRE_RESP_LEN;
		if (i == n - 1) {
			ck_assert_int_eq(resps, SESS_PEER_HS_BURST);
			ck_assert_uint_eq(srv.t->adm.peer_limited,
			    n - SESS_PEER_HS_BURST);
		}
	}
	ck_assert_int_eq(resps, SESS_PEER_HS_BURST + 1);
	ck_assert_uint_eq(srv.t->adm.peer_limited, n - SESS_PEER_HS_BURST + 1);
	ck_assert_uint_eq(srv.t->adm.src_limited, 0);
}
END_TEST

/*
 * 20 000 forged INITs a second from spoofed addresses: the server
 * measures the work, goes under load within a window and then runs no
 * Diffie-Hellman for them (cookies only); a real client gets its
 * cookie and completes a handshake while the flood goes on.
 */
START_TEST(test_flood_cookie)
{
	struct dgram	d;
	int		i, reads_loaded;

	srv.t->cb.clock = srv_work_clock;
	work_clock = 0;
	work_reads = 0;
	net_cookies = 0;
	net_drop = 1;
	for (i = 0; i < 20000; i++) {
		now += 50;
		forged_init(&d, i);
		deliver(&d, NULL, NULL);
		if (i == 999)
			reads_loaded = work_reads;
	}
	/* 1/16 of a core at 60 us an INIT: loaded after ~260 DH. */
	ck_assert_int_le(reads_loaded, 2 * 300);
	ck_assert_int_ge(reads_loaded, 2 * 200);
	ck_assert_int_eq(work_reads, reads_loaded);
	ck_assert_int_ge(net_cookies, 20000 - 300);
	ck_assert_ptr_null(srv_sess());

	/* The client's first INIT gets a cookie, its next one a RESP. */
	net_drop = 0;
	nq = 0;
	now += 50;
	sess_kick(cli.t, now);
	pump();
	ck_assert_int_eq(cli.t->cm.has_cookie, 1);
	ck_assert_int_eq(cli.ups, 0);
	ck_assert_ptr_null(srv_sess());
	now += 10 * MS;
	net_drop = 1;
	for (i = 0; i < 100; i++) {	/* the flood goes on meanwhile */
		now += 50;
		forged_init(&d, i);
		deliver(&d, NULL, NULL);
	}
	net_drop = 0;
	sess_kick(cli.t, now);
	pump();
	ck_assert_int_eq(cli.ups, 1);
	ck_assert_ptr_nonnull(srv_sess());
	ck_assert_int_eq(srv.ups, 1);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite	*s = suite_create("session");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown_pair);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_handshake);
	tcase_add_test(tc, test_data_both_ways);
	tcase_add_test(tc, test_inner_kinds);
	tcase_add_test(tc, test_rekey);
	tcase_add_test(tc, test_replayed_data);
	tcase_add_test(tc, test_bitflip);
	tcase_add_test(tc, test_wrong_server_key);
	tcase_add_test(tc, test_holder_refuses);
	tcase_add_test(tc, test_clock_back);
	tcase_add_test(tc, test_replayed_init);
	tcase_add_test(tc, test_unknown_peer);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_counter_limits);
	tcase_add_test(tc, test_junk);
	tcase_add_test(tc, test_retry_backoff);
	tcase_add_test(tc, test_retry_local);
	tcase_add_test(tc, test_stale_server_restart);
	tcase_add_test(tc, test_hint_unknown_index);
	tcase_add_test(tc, test_hint_failed_tags);
	tcase_add_test(tc, test_kick);
	tcase_add_test(tc, test_peer_slots);
	tcase_add_test(tc, test_peer_removed);
	tcase_add_test(tc, test_peer_new_key);
	tcase_add_test(tc, test_flood_cookie);
	tcase_add_test(tc, test_peer_hs_limit);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(session_suite())));
}
