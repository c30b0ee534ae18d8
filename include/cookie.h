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
 * Handshake flood defence of a responder, and its counterpart in the
 * initiator.  Under load (measured: handshake work per second), an
 * INIT must carry mac2, a MAC keyed by a cookie that only the owner of
 * its source address can have read: the responder's COOKIE_REPLY to
 * that address.  A per-source token bucket bounds what one proven
 * address may cost.  The cookie is keyed by a secret that changes
 * every COOKIE_SECRET_US, and is sent encrypted under a key derived
 * from the responder's public key with the INIT's mac1 as associated
 * data, so only the initiator of that INIT can use it.
 *
 *   COOKIE_REPLY  prefix, receiver_index u32, nonce[24],
 *                 cookie_enc[16 + 16]
 *
 * Pure logic on an injected clock (microseconds); runs in linkd on
 * untrusted datagrams and holds the cookie secret (not the static key).
 */

#ifndef COOKIE_H
#define COOKIE_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define COOKIE_LEN		16
#define COOKIE_NONCE_LEN	24
#define COOKIE_REPLY_LEN	(4 + 4 + COOKIE_NONCE_LEN + COOKIE_LEN + 16)
#define COOKIE_SECRET_US	120000000ULL	/* secret lifetime */
/* The initiator stops using a cookie a little before the secret it
 * came from can have changed. */
#define COOKIE_USE_US		(COOKIE_SECRET_US - 10000000ULL)

/*
 * Load: handshake work is measured (the cost of each INIT that ran
 * Diffie-Hellman, averaged) and multiplied by the INITs with a valid
 * mac1 per window.  Past 1/COOKIE_LOAD_SHARE of one core the responder
 * is under load, and stays so COOKIE_LOAD_HOLD_US after the last window
 * that was: while cookies hold the flood off, the flood is still
 * counted, so the state does not flap.
 */
#define COOKIE_LOAD_WINDOW_US	250000ULL
#define COOKIE_LOAD_SHARE	16
#define COOKIE_LOAD_HOLD_US	1000000ULL

/* Per source address (not port): COOKIE_SRC_RATE INITs a second that
 * may run Diffie-Hellman, COOKIE_SRC_BURST at once. */
#define COOKIE_SRC_RATE		20
#define COOKIE_SRC_BURST	5
#define COOKIE_SRC_SLOTS	4096

/* A token bucket in microseconds of credit. */
struct tbucket {
	uint64_t	credit_us;
	uint64_t	last_us;
	int		used;
};

/* Take one token costing cost_us of credit, the bucket holding at most
 * max_us: 1 if taken, 0 if empty.  A fresh bucket is full. */
int	tbucket_take(struct tbucket *, uint64_t now, uint64_t cost_us,
	    uint64_t max_us);

struct cookie_src {
	uint8_t		addr[16];	/* IPv4 mapped to IPv6 */
	struct tbucket	tb;
};

struct cookie_checker {
	uint8_t		secret[32];
	uint64_t	secret_us;	/* when it was drawn */
	int		has_secret;
	uint8_t		reply_key[32];	/* from our public key */
	/* Reply nonces: a keyed hash of a counter, both drawn afresh
	 * with the secret, so a nonce never repeats under reply_key
	 * (the chance of two draws meeting aside) and costs no
	 * getrandom() per reply; the counter stays hidden. */
	uint8_t		nonce_key[32];
	uint64_t	nonce_ctr;
	uint8_t		hash_key[16];	/* source slots, per process */
	/* load */
	uint64_t	win_us;		/* start of the window */
	uint64_t	win_inits;	/* INITs with a valid mac1 in it */
	uint64_t	cost_us;	/* average work of one INIT with DH */
	uint64_t	load_until_us;
	struct cookie_src src[COOKIE_SRC_SLOTS];
};

struct cookie_maker {
	uint8_t		reply_key[32];	/* from the responder's public key */
	uint8_t		cookie[COOKIE_LEN];
	uint64_t	cookie_us;
	int		has_cookie;
	uint8_t		last_mac1[16];	/* of the last INIT sent */
	int		sent;
};

/* Responder. */
void	cookie_checker_init(struct cookie_checker *,
	    const uint8_t pub[32]);
/* An INIT with a valid mac1 arrived; 1 if the responder is under load. */
int	cookie_load_init(struct cookie_checker *, uint64_t now);
/* What one INIT that ran Diffie-Hellman cost, measured. */
void	cookie_load_work(struct cookie_checker *, uint64_t work_us);
int	cookie_under_load(const struct cookie_checker *, uint64_t now);
/* 1 if the message's last 16 bytes are the mac2 of the cookie of from
 * over the bytes before them. */
int	cookie_mac2_ok(struct cookie_checker *, uint64_t now,
	    const uint8_t *msg, size_t len,
	    const struct sockaddr_storage *from);
/* 1 if from may cost another Diffie-Hellman now. */
int	cookie_src_allow(struct cookie_checker *, uint64_t now,
	    const struct sockaddr_storage *from);
/* A COOKIE_REPLY (COOKIE_REPLY_LEN bytes) to an INIT from `from`. */
void	cookie_reply_create(struct cookie_checker *, uint64_t now,
	    uint32_t receiver_index, const uint8_t mac1[16],
	    const struct sockaddr_storage *from, uint8_t *out);

/* Initiator. */
void	cookie_maker_init(struct cookie_maker *, const uint8_t rpub[32]);
/* Write mac2 into the last 16 bytes of an INIT (zeros without a
 * usable cookie) and remember its mac1, the 16 bytes before. */
void	cookie_mac2_put(struct cookie_maker *, uint64_t now, uint8_t *msg,
	    size_t len);
/* A COOKIE_REPLY for the last INIT sent: 0 and the cookie kept, or -1
 * (wrong length or type, or it does not decrypt). */
int	cookie_reply_consume(struct cookie_maker *, uint64_t now,
	    const uint8_t *, size_t);
/* The receiver_index of a COOKIE_REPLY, or -1 for a wrong length. */
int64_t	cookie_reply_index(const uint8_t *, size_t);

#endif /* COOKIE_H */
