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
 * linkd's end of the key channel.  The static private key stays in the
 * parent, which never parses a network packet: linkd, which does,
 * asks it for the one Diffie-Hellman with that key each handshake
 * needs (the responder's "es", the initiator's "se") and waits for the
 * answer, at most KEYASK_WAIT_US.  A late or missing answer fails that
 * handshake (counted, logged) and the initiator tries again with a
 * fresh INIT, as after a lost datagram.  Waiting in place keeps the
 * handshake code synchronous; the cost is one round trip to the
 * parent per handshake, during which this link moves no packets.
 *
 * Runs in linkd, unprivileged and sandboxed (poll, read and write on
 * a channel it holds: nothing beyond its seccomp list).  It holds no
 * secret but the DH results on their way to the handshake.  The
 * parent is trusted, its answers are still checked for shape and for
 * the number of the request they answer.
 */

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "bondd.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "util.h"
#include "linkd.h"

/* Far above a round trip to the parent (tens of microseconds), short
 * against the initiator's first retry (SESS_RETRY_MIN_US). */
#define KEYASK_WAIT_US		200000ULL
#define KEYASK_WQMAX		4096

static const struct ipc_accept from_parent_keys[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_RUNNING },
	{ IPC_DH_RESULT, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_DH_REFUSED, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

static struct {
	struct ipc_chan	 chan;
	struct ipc_role	 role;
	int		 open;
	uint32_t	 id;		/* of the last request */
	uint64_t	 asked, late, refused;
	uint64_t	 wait_us;	/* waited for answers, in all */
} ka;

static int	keyask_answer(struct ipc_msg *, uint8_t[BONDD_KEY_LEN]);
static void	keyask_io(uint64_t);

/* The time spent waiting for the parent's answers, in all: handshake
 * work done for linkd, which its measure of load counts. */
uint64_t
keyask_wait_us(void)
{
	return (ka.wait_us);
}

/* The channel from IPC_KEY_CHAN: our hello goes at once. */
void
keyask_init(int fd)
{
	if (ka.open)
		fatalx("%s: a second key channel", __func__);
	if (ipc_init(&ka.chan, fd, 0, IPC_KEYS_MAXSIZE, "parent keys") == -1)
		fatal("ipc_init");
	ka.chan.wqmax = KEYASK_WQMAX;
	ipc_role_init(&ka.role, from_parent_keys);
	ka.open = 1;
	if (ipc_hello_send(&ka.chan, PROC_LINKD, ld.conf.instance) == -1 ||
	    ipc_flush(&ka.chan) == -1)
		fatal("key channel hello");
}

/*
 * A message on the key channel: 1 the answer to request ka.id (out
 * set), -1 its refusal, 0 something else (the hello, the answer to a
 * request that timed out).  Anything off the rule table or answering
 * a request not yet made is a broken invariant: linkd ends.
 */
static int
keyask_answer(struct ipc_msg *msg, uint8_t out[BONDD_KEY_LEN])
{
	struct ipc_dh	 r;
	const char	*why;

	if (ipc_role_accept(&ka.role, msg, &why) == NULL)
		fatalx("%s: bad %s from parent: %s", __func__,
		    ipc_type_name(msg->hdr.type), why);
	if (msg->hdr.type == IPC_HELLO) {
		if (ipc_hello_check(msg, PROC_PARENT) == -1)
			fatalx("parent speaks another version: restart bondd");
		return (0);
	}
	if ((int32_t)(msg->hdr.id - ka.id) > 0)
		fatalx("%s: answer to request %u, the last is %u", __func__,
		    msg->hdr.id, ka.id);
	if (msg->hdr.id != ka.id)
		return (0);
	if (msg->hdr.type == IPC_DH_REFUSED)
		return (-1);
	if (ipc_msg_get(msg, &r, sizeof(r)) == -1 || ipc_msg_end(msg) != 0)
		fatalx("%s: short answer", __func__);
	memcpy(out, r.point, sizeof(r.point));
	sodium_memzero(&r, sizeof(r));
	return (1);
}

/* Wait for the channel until the deadline, write what is queued, read
 * what came. */
static void
keyask_io(uint64_t deadline)
{
	struct pollfd	pfd;
	uint64_t	now = now_us();
	ssize_t		n;

	pfd.fd = ka.chan.fd;
	pfd.events = POLLIN | (ka.chan.wqlen > 0 ? POLLOUT : 0);
	pfd.revents = 0;
	if (now < deadline && poll(&pfd, 1,
	    (int)((deadline - now + 999) / 1000)) == -1 && errno != EINTR)
		fatal("%s: poll", __func__);
	if ((pfd.revents & POLLOUT) && ipc_write(&ka.chan) == -1)
		fatal("%s: write", __func__);
	if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
		if ((n = ipc_read(&ka.chan)) == 0)
			fatalx("%s: the parent closed the key channel",
			    __func__);
		if (n == -1 && errno != EAGAIN)
			fatal("%s: read", __func__);
	}
}

/*
 * The sess_cb sdh callback: out = DH(static private key, pub), asked
 * of the parent.  0, or -1 with out zeroed when the parent refused or
 * did not answer within KEYASK_WAIT_US.
 */
int
keyask_dh(void *arg, uint8_t out[BONDD_KEY_LEN],
    const uint8_t pub[BONDD_KEY_LEN])
{
	struct ipc_dh	 q;
	struct ipc_msg	 msg;
	uint64_t	 t0, deadline;
	int		 rv = 0, got = 0;

	(void)arg;
	memset(out, 0, BONDD_KEY_LEN);
	if (!ka.open)
		fatalx("%s: no key channel", __func__);
	memcpy(q.point, pub, sizeof(q.point));
	ka.id++;
	ka.asked++;
	t0 = now_us();
	deadline = t0 + KEYASK_WAIT_US;
	if (ipc_compose(&ka.chan, IPC_DH_ASK, ka.id, 0, -1, &q,
	    sizeof(q)) == -1 || ipc_write(&ka.chan) == -1)
		fatal("%s: request", __func__);
	for (;;) {
		while (got == 0 && (rv = ipc_get(&ka.chan, &msg)) == 1) {
			got = keyask_answer(&msg, out);
			ipc_msg_free(&msg);
		}
		if (got == 0 && rv == -1)
			fatalx("%s: malformed frame from the parent",
			    __func__);
		if (got != 0 || now_us() >= deadline)
			break;
		keyask_io(deadline);
	}
	ka.wait_us += now_us() - t0;
	if (got == 1) {
		log_debug("key request %u answered in %llu us", ka.id,
		    (unsigned long long)(now_us() - t0));
		return (0);
	}
	if (got == -1) {
		ka.refused++;
		log_ratelimit("linkd-keys", "%s: the parent refused a "
		    "handshake's key request (%llu of %llu refused)",
		    ld.conf.name, (unsigned long long)ka.refused,
		    (unsigned long long)ka.asked);
	} else {
		ka.late++;
		log_ratelimit("linkd-keys", "%s: no answer from the parent "
		    "to a handshake's key request within %llu ms (%llu of "
		    "%llu late)", ld.conf.name,
		    (unsigned long long)(KEYASK_WAIT_US / 1000),
		    (unsigned long long)ka.late,
		    (unsigned long long)ka.asked);
	}
	memset(out, 0, BONDD_KEY_LEN);
	return (-1);
}
