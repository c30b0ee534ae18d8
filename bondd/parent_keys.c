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
 * The key channels: the static private key stays in the parent, and
 * each linkd asks here, on a socketpair of its own made fresh for each
 * start, for the one Diffie-Hellman with it that a handshake needs
 * (the responder's "es", the initiator's "se").  The parent also
 * computes each peer's static-static secret for linkd
 * (peer_conf_fill()).  Answers come from the event loop, within the
 * linkd's budget (keyoracle.c); refusals are counted and logged.
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only; it holds the static private key and never
 * parses a network packet.  What comes on a key channel is a linkd's,
 * so untrusted: anything off the rule table kills that linkd.  A
 * compromised linkd can have the key used while it runs, within its
 * budget (it can complete handshakes as this endpoint), but never
 * reads the key: once it is gone, so is its use of the identity.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bondd.h"
#include "ipc.h"
#include "keyoracle.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "util.h"

/* Answers queued to a linkd that does not read them, at most. */
#define KEYS_WQ_MAX	(64U << 10)

static const struct ipc_accept from_linkd_keys[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_RUNNING },
	{ IPC_DH_ASK, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

static void	keys_dispatch(struct ipc_chan *, struct ipc_msg *, void *);
static void	keys_answer(struct child *, struct ipc_msg *);

/*
 * A new key channel for linkd c, its budget full: the parent's end is
 * served from the event loop; linkd's end, returned, goes to it as
 * IPC_KEY_CHAN and the caller closes it.
 */
int
keys_chan_open(struct child *c)
{
	int	sv[2];

	keys_chan_close(c);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("key channel");
	if (ipc_init(&c->keys, sv[0], 0, IPC_KEYS_MAXSIZE, c->label) == -1 ||
	    ipc_event_set(&c->keys, base, keys_dispatch, c) == -1)
		fatal("%s: key channel", c->label);
	c->keys.wqmax = KEYS_WQ_MAX;
	ipc_role_init(&c->keys_role, from_linkd_keys);
	memset(&c->oracle, 0, sizeof(c->oracle));
	c->keys_open = 1;
	if (ipc_hello_send(&c->keys, PROC_PARENT, c->instance) == -1)
		fatal("%s: key channel hello", c->label);
	return (sv[1]);
}

void
keys_chan_close(struct child *c)
{
	if (!c->keys_open)
		return;
	ipc_event_del(&c->keys);
	ipc_clear(&c->keys);
	c->keys_open = 0;
}

/* Our static public key, for linkd. */
void
keys_public(uint8_t pub[BONDD_KEY_LEN])
{
	if (crypto_scalarmult_base(pub, conf.private_key) != 0)
		fatalx("%s: the private key has no public key", __func__);
}

/* The static-static secret of our key with a peer's: 0, or -1 for a
 * low-order key that no handshake can use. */
int
keys_peer_ss(uint8_t ss[BONDD_KEY_LEN], const uint8_t pub[BONDD_KEY_LEN])
{
	return (keyoracle_x25519(ss, conf.private_key, pub));
}

static void
keys_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child	*c = arg;
	const char	*why;

	(void)chan;
	if (msg == NULL) {
		/* Closed (linkd ended) or malformed: the main channel
		 * tells which, and its reaper restarts linkd. */
		keys_chan_close(c);
		return;
	}
	if (ipc_role_accept(&c->keys_role, msg, &why) == NULL) {
		log_warnx("%s: key channel: %s: %s", c->label,
		    ipc_type_name(msg->hdr.type), why);
		child_kill(c, "bad key request");
		return;
	}
	switch (msg->hdr.type) {
	case IPC_HELLO:
		if (ipc_hello_check(msg, PROC_LINKD) == -1)
			child_kill(c, "bad hello on its key channel");
		break;
	case IPC_DH_ASK:
		keys_answer(c, msg);
		break;
	}
}

/* One request, answered with the same hdr.id. */
static void
keys_answer(struct child *c, struct ipc_msg *msg)
{
	struct ipc_dh		q, r;
	enum keyoracle_res	res;
	int			rv;

	/* Of the catalogue's length: it cannot fall short. */
	(void)ipc_msg_get(msg, &q, sizeof(q));
	res = keyoracle_dh(&c->oracle, now_us(), conf.private_key, q.point,
	    r.point);
	if (res == KEYORACLE_OK)
		rv = ipc_send(&c->keys, IPC_DH_RESULT, msg->hdr.id, 0, -1, &r,
		    sizeof(r));
	else
		rv = ipc_send(&c->keys, IPC_DH_REFUSED, msg->hdr.id, 0, -1,
		    NULL, 0);
	sodium_memzero(&r, sizeof(r));
	if (res == KEYORACLE_LIMITED)
		log_ratelimit("parent-keys", "%s: key requests over its "
		    "budget of %d a second: refused (%llu so far)", c->label,
		    KEYORACLE_RATE, (unsigned long long)c->oracle.limited);
	else if (res == KEYORACLE_LOW_ORDER)
		log_debug("%s: key request for a low-order point refused",
		    c->label);
	if (rv == -1) {
		if (errno != ENOBUFS)
			fatal("%s: key channel", c->label);
		child_kill(c, "it does not read its key channel");
	}
}
