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
 * The session table of a linkd: handshake state machine, keypairs,
 * rekey, keepalive and expiry timers, counters.  Pure logic: the clock
 * is passed in microseconds, datagrams to send leave through a
 * callback, so
 * tests/unit/check_session.c runs a client and a server against each
 * other in memory.  Runs in linkd on untrusted datagrams and holds the
 * keys; nothing is trusted before it authenticated.
 */

#ifndef SESSION_H
#define SESSION_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "bondd.h"
#include "cookie.h"
#include "frame.h"
#include "handshake.h"
#include "messages.h"
#include "replay.h"
#include "wire.h"

/*
 * An unanswered INIT is sent again (fresh) after 0.5 s, then after
 * twice as long each time up to 2 s, plus up to an eighth at random:
 * a restarted server hears from every client within 2 s, and clients
 * that lost the same server do not come back in step.  An interval
 * shorter than the path's round trip costs one more round, no more.
 */
#define SESS_RETRY_MIN_US	500000ULL
#define SESS_RETRY_MAX_US	2000000ULL
/* An INIT that could not leave (no route yet on a device that just
 * came) is tried again this soon, and is no attempt of the back-off. */
#define SESS_RETRY_LOCAL_US	100000ULL
#define SESS_WARN_AFTER_US	10000000ULL	/* unanswered: a warning */
#define SESS_WARN_US		60000000ULL	/* then once per minute */
/* A client that cannot read what comes from the server's address
 * (an index it does not know, or SESS_HINT_FAILS failed tags in a
 * row) handshakes at once beside its keys, unless they are younger
 * than SESS_HINT_US: forged datagrams cost a handshake a second. */
#define SESS_HINT_US		1000000ULL
#define SESS_HINT_FAILS		3
#define SESS_PREV_US		30000000ULL	/* old keys still receive */
#define SESS_KEY_GRACE_US	60000000ULL	/* keys die at rekey + this */
#define SESS_DEAD_MIN_US	15000000ULL	/* silence floor before down */
/* Server: handshakes one peer may complete, over all its links: a
 * client whose links all come up at once fits in the burst, and a
 * peer that churns keys cannot take the listener's time. */
#define SESS_PEER_HS_RATE	(4 * BONDD_MAX_LINKS)	/* a second */
#define SESS_PEER_HS_BURST	(2 * BONDD_MAX_LINKS)
#define SESS_REKEY_AFTER	(1ULL << 60)	/* packets, then rekey */
#define SESS_REJECT_AFTER	(UINT64_MAX - (1ULL << 13) + 1)

/* Keypair slots: the low bits of a local index name the slot. */
#define SESS_KP_BITS		11
#define SESS_KP_MAX		(1U << SESS_KP_BITS)
#define SESS_MAX		(BONDD_MAX_PEERS * BONDD_MAX_LINKS)

enum kp_state {
	KP_FREE = 0,
	KP_HANDSHAKE,		/* client: INIT sent, no keys yet */
	KP_PENDING,		/* server: keys, unconfirmed by the peer */
	KP_LIVE
};

struct session;

struct keypair {
	enum kp_state	 state;
	struct session	*s;
	uint32_t	 local_index;	/* what the peer puts in DATA to us */
	uint32_t	 remote_index;	/* what we put in DATA to the peer */
	uint8_t		 send_key[NOISE_KEYLEN];
	uint8_t		 recv_key[NOISE_KEYLEN];
	uint64_t	 send_ctr;
	uint64_t	 birth_us;	/* keys derived */
	struct replay	 replay;
};

struct sess_counters {
	uint64_t	tx_packets, tx_bytes;
	uint64_t	rx_packets, rx_bytes;
	uint64_t	handshakes;
	uint64_t	auth_fail;
	uint64_t	replay_drop;
	uint64_t	malformed;
	uint64_t	send_errors;
};

struct session {
	int		 slot;		/* index in the table's sessions[] */
	int		 used;
	uint16_t	 peer;
	uint8_t		 link_id;
	char		 link_name[BONDD_NAME_MAX];	/* from the INIT */
	struct keypair	*cur;		/* send and receive */
	struct keypair	*prev;		/* receive only, until prev_until */
	struct keypair	*next;		/* handshake in flight / pending */
	uint64_t	 prev_until_us;
	int		 up;		/* reported up through the callback */
	int		 rekey_wanted;	/* counter reached SESS_REKEY_AFTER */

	/* client handshake */
	struct noise_hs	 hs;
	uint64_t	 hs_next_us;	/* next INIT due */
	uint64_t	 hs_first_us;	/* first INIT of the one in flight */
	int		 hs_attempts;	/* unanswered INITs */
	int		 bad_rx;	/* failed tags in a row */
	uint64_t	 hs_warn_us;	/* last warning */
	int		 hs_warned;

	/* server replay protection of INITs lives in the table */
	uint64_t	 hs_done_us;	/* last completed handshake */
	int		 hs_done;
	uint64_t	 last_tx_us;
	uint64_t	 last_rx_us;	/* last authenticated packet */
	struct sockaddr_storage endpoint;
	struct sess_counters ctr;
};

/* A peer slot: its index is the peer's for its life (IPC_CONF_PEER). */
struct sess_peer {
	int		used;
	char		name[BONDD_PEER_NAME_MAX];
	uint8_t		public_key[NOISE_DHLEN];
	uint8_t		mac1_key[32];
	uint8_t		ss[NOISE_DHLEN];	/* static-static DH */
	int		ss_ok;		/* 0: a low-order key, never used */
	int		has_psk;	/* handshakes use IKpsk2 with psk */
	uint8_t		psk[NOISE_PSKLEN];
	struct sockaddr_storage endpoint;
};

/* Each callback gets the clock of the call that led to it. */
struct sess_cb {
	/* Send one control datagram (INIT, RESP, KEEPALIVE, and with
	 * session NULL a COOKIE_REPLY): 0, or -1 if it did not leave
	 * this host (no socket, no route). */
	int	(*send)(void *, struct session *, uint64_t now,
		    const uint8_t *, size_t, const struct sockaddr_storage *);
	/* The session became usable (up = 1) or stopped being so. */
	void	(*state)(void *, struct session *, uint64_t now, int up);
	/* Every authenticated datagram with a valid inner header, before
	 * sess_input returns: the local index of its keypair, its outer
	 * counter, the inner frame.  Feeds the link measurement. */
	void	(*rx)(void *, struct session *, uint64_t now,
		    uint32_t kp_index, uint64_t counter,
		    const struct inner_hdr *, const uint8_t *frame,
		    size_t len);
	/* A clock in microseconds (linkd: the CPU time it used), read
	 * around handshake work to measure the load; NULL: not
	 * measured, never under load. */
	uint64_t (*clock)(void *);
	void	*arg;
};

struct sess_table {
	int		 role;		/* enum conf_role */
	char		 name[BONDD_NAME_MAX];	/* link or listener name */
	uint8_t		 link_id;	/* client */
	uint64_t	 keepalive_us;
	uint64_t	 rekey_us;
	/* Client: a session that heard nothing this long handshakes
	 * again, keeping its keys until the new ones work (the server
	 * may have restarted and forgotten them).  0: only on expiry. */
	uint64_t	 stale_us;
	struct hs_local	 local;
	struct sess_peer peers[BONDD_MAX_PEERS];
	int		 npeers;	/* slots, used or not */
	struct sess_cb	 cb;
	/* Client: sessions[0].  Server: peer * BONDD_MAX_LINKS + link.
	 * sessions[i].slot == i for the table's life, also across reuse:
	 * linkd keeps the measurement of a session by its slot. */
	struct session	 sessions[SESS_MAX];
	int		 nsessions;	/* slots in use by the role */
	struct keypair	 kps[SESS_KP_MAX];
	/* Newest accepted INIT timestamp per (peer, link), server. */
	uint8_t		 tai[BONDD_MAX_PEERS][BONDD_MAX_LINKS][12];
	uint8_t		 tai_set[BONDD_MAX_PEERS][BONDD_MAX_LINKS];
	struct cookie_checker ck;	/* server: flood defence */
	struct tbucket	 peer_hs[BONDD_MAX_PEERS];	/* server */
	/* Server: what the flood defence did since the table began; the
	 * log tells them when a period under load ends. */
	struct {
		uint64_t cookies;	/* COOKIE_REPLYs sent */
		uint64_t src_limited;	/* INITs over their address's limit */
		uint64_t peer_limited;	/* fresh INITs over the peer's */
		int	 loaded;	/* the log said "under load" */
	}		 adm;
	struct cookie_maker cm;		/* client: cookie of the server */
	/* What cannot be pinned on a session (unknown peer, index). */
	struct sess_counters ctr;
	uint8_t		 buf[WIRE_INIT_LEN + WIRE_DATA_OVERHEAD +
			    INNER_HDR_LEN];
};

/* Build a table (calloc'd); peers are added with sess_peer_set().
 * Returns NULL on error. */
struct sess_table *sess_table_new(int role, const char *name,
	    uint8_t link_id, uint32_t keepalive_s, uint32_t rekey_s,
	    const uint8_t priv[NOISE_DHLEN], const struct sess_cb *);
void	 sess_table_free(struct sess_table *);
/*
 * Peer slot `slot` holds this peer from now on: a new one in an empty
 * slot, else the slot's peer renamed, or with a new key, which ends
 * its sessions (the state callback says so).  A client has exactly
 * one, in slot 0, whose endpoint is where handshakes go.  0, or -1 for
 * a slot out of range.
 */
int	 sess_peer_set(struct sess_table *, int slot, const char *name,
	    const uint8_t pub[NOISE_DHLEN],
	    const struct sockaddr_storage *endpoint, uint64_t now);
/* The pre-shared key of a slot's peer (NULL: none), set after
 * sess_peer_set(): a change ends the peer's sessions.  0, or -1 if the
 * slot is empty. */
int	 sess_peer_psk(struct sess_table *, int slot, const uint8_t *psk,
	    uint64_t now);
/* The peer of a slot is removed: its sessions end.  0, or -1 if the
 * slot was empty. */
int	 sess_peer_del(struct sess_table *, int slot, uint64_t now);

/*
 * One datagram from the network.  Returns 1 and fills frame/framelen
 * and *sp when it carried an INNER_DATA or INNER_NACK frame for the
 * core, 0 when it was consumed (handshake, keepalive, probe: see the
 * rx callback) or dropped (counted).
 */
int	 sess_input(struct sess_table *, uint64_t now,
	    const uint8_t *, size_t, const struct sockaddr_storage *from,
	    uint8_t *frame, size_t framesize, size_t *framelen,
	    struct session **sp);
/*
 * Encrypt one inner frame for a session into out (len +
 * WIRE_DATA_OVERHEAD bytes).  Returns the datagram length, or -1 if
 * the session has no usable sending keys.
 */
ssize_t	 sess_encrypt(struct sess_table *, struct session *, uint64_t now,
	    const uint8_t *frame, size_t len, uint8_t *out, size_t outsize);
/* Timers: handshakes, rekey, keepalives, key and session expiry.
 * Returns microseconds until it wants to run again (at most 1 s). */
uint64_t sess_timer(struct sess_table *, uint64_t now);
/* Client: the path changed (a new socket).  A handshake in flight, or
 * due because the session is silent, goes now with its back-off
 * reset. */
void	 sess_kick(struct sess_table *, uint64_t now);
/* The wait after the given number of unanswered INITs, without the
 * random part: SESS_RETRY_MIN_US doubling up to SESS_RETRY_MAX_US. */
uint64_t sess_retry_us(int attempts);
/* The established session of (peer, link), or NULL. */
struct session *sess_find(struct sess_table *, uint16_t peer,
	    uint8_t link_id);
enum session_state sess_state(const struct session *);
/* Fill a stats record (counters of the table added when addtable). */
void	 sess_stats(const struct sess_table *, const struct session *,
	    uint64_t now, int addtable, struct ipc_link_stats *);


/* Between session.c and session_admit.c. */
struct keypair *kp_alloc(struct sess_table *, struct session *,
	    enum kp_state);
void	 kp_free(struct keypair *);
void	 sess_clear(struct session *);
/* Server: an INIT; client: a COOKIE_REPLY (session_admit.c). */
void	 sess_input_init(struct sess_table *, uint64_t now, const uint8_t *,
	    size_t, const struct sockaddr_storage *from);
void	 sess_input_cookie(struct sess_table *, uint64_t now,
	    const uint8_t *, size_t);
/* Server: the end of a period under load is logged; from sess_timer. */
void	 sess_admit_tick(struct sess_table *, uint64_t now);

#endif /* SESSION_H */
