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
 * Fuzz target: ctld's control protocol (ctld/control.c) against a
 * hostile local client: bytes in any cut on a connection adopted
 * with control_add_client(), as ctld adopts an accepted one, and the
 * event loop run as ctld runs it.  Requests that ctld forwards reach
 * a parent that drains them.  When the client hangs up its connection
 * must be gone and no fd left behind.  Input: a byte choosing the
 * client's credentials (root, the control group, anyone), then writes
 * of [u16 size][size bytes].  Test code.
 */

#include <sys/socket.h>

#include <event2/event.h>
#include <stdlib.h>
#include <unistd.h>

#include "bondd.h"
#include "control.h"
#include "ipc.h"
#include "messages.h"
#include "fuzz.h"

#define GROUP_GID	995

static struct event_base	*base;
static struct ipc_chan		 parent;	/* ctld's end */
static int			 parent_fd;	/* the parent's */
static struct ipc_conf_ctld	 conf;
static struct ipc_link_stats	 links[2];
static struct ctl_snapshot	 snap;
static uint8_t			 buf[65536];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	sp[2];

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	if ((base = event_base_new()) == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    ipc_init(&parent, sp[0], IPC_F_FDPASS, IPC_MAXSIZE,
	    "parent") == -1)
		fuzz_fail("setup");
	parent_fd = sp[1];
	conf.role = ROLE_SERVER;
	strcpy(conf.tun_name, "bond0");
	conf.tun_mtu = 1400;
	strcpy(conf.user, "_bondd");
	strcpy(conf.group, "bondd");
	conf.gid = GROUP_GID;
	strcpy(links[0].link, "listen0");
	strcpy(links[1].link, "wan0");
	snap.links = links;
	snap.nlinks = 2;
	control_init(base, &parent, &conf, &snap);
	return 0;
}

/*
 * Run the loop until nothing moves; what reaches the other ends is
 * read and dropped.  A reply ctld queues goes out on the next round,
 * as the ends are drained each round: two rounds with nothing out
 * mean nothing is left to move.
 */
static void
pump(int client)
{
	int	i, idle = 0;

	for (i = 0; i < 8 && idle < 2; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		idle++;
		while (recv(parent_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			idle = 0;
		while (client != -1 &&
		    recv(client, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			idle = 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uid_t uids[] = { 0, 1000, 1001 };
	struct fuzz_in	 in = { data, size };
	const uint8_t	*p;
	size_t		 n;
	uid_t		 uid;
	int		 sp[2], open_before;

	open_before = fuzz_nfds();
	uid = uids[fuzz_u8(&in) % 3];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sp) == -1)
		fuzz_fail("socketpair");
	/* uid 1000 is in the control group, 1001 in none. */
	if (control_add_client(sp[0], uid, uid == 1000 ? GROUP_GID : uid,
	    4242) == -1)
		fuzz_fail("control_add_client refused the first client");
	while (in.left > 0) {
		n = fuzz_take(&in, &p, fuzz_u16(&in));
		memcpy(buf, p, n);
		if (send(sp[1], buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
			break;
		pump(sp[1]);
	}
	close(sp[1]);
	pump(-1);
	if (control_nclients() != 0)
		fuzz_fail("a client that hung up is still connected");
	if (fuzz_nfds() != open_before)
		fuzz_fail("%d fds open before, %d after", open_before,
		    fuzz_nfds());
	return 0;
}
