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
 * Fuzz target: IPC framing and fd passing (common/ipc.c) against a
 * hostile sender: a compromised child writing to the parent, or a
 * local user to ctld.  Writes arrive in any cut, with 0 to 3 fds
 * each; every frame ipc_get returns goes through the catalogue's
 * checks (ipc_check, ipc_role_accept) and the payload readers.  No fd
 * may leak and every fd handed out must be open.  Input: a flags byte
 * (bit 0: a channel that passes fds, as parent <-> child; else a
 * bondctl channel), then writes of [u8 fds][u16 size][size bytes].
 * Test code.
 */

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipc.h"
#include "fuzz.h"

/* A sender that may send any type of the catalogue in any state: what
 * ipc_role_accept still refuses is the catalogue's bounds and order. */
static struct ipc_accept	 any[IPC_NTYPES + 1];
static int			 devnull;
static uint8_t			 buf[65536];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	i;

	(void)argc;
	(void)argv;
	for (i = 0; ipc_catalogue[i].type != 0; i++) {
		any[i].type = ipc_catalogue[i].type;
		any[i].in = IPC_IN_HELLO | IPC_IN_STARTED;
		any[i].once = ipc_catalogue[i].type == IPC_HELLO ?
		    IPC_ONCE : IPC_MANY;
		any[i].to = ipc_catalogue[i].type == IPC_HELLO ?
		    IPC_S_RUNNING : IPC_S_SAME;
	}
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		fuzz_fail("/dev/null");
	fuzz_quiet_logs();
	return 0;
}

static void
send_fds(int s, const uint8_t *p, size_t len, int nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(3 * sizeof(int))];
	} cm;
	struct msghdr	 msg;
	struct iovec	 iov;
	int		 fds[3], i;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)p;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		memset(&cm, 0, sizeof(cm));
		for (i = 0; i < nfds; i++)
			fds[i] = devnull;
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm.hdr.cmsg_level = SOL_SOCKET;
		cm.hdr.cmsg_type = SCM_RIGHTS;
		cm.hdr.cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(&cm.hdr), fds, nfds * sizeof(int));
	}
	/* A full socket takes part of the write, or none: a cut. */
	(void)sendmsg(s, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* What a receiver does with a frame: 0, or -1 to drop the sender. */
static int
consume(struct ipc_role *role, struct ipc_msg *msg)
{
	const char	*why;
	char		 str[256];
	uint8_t		 head[16];
	int		 fd;

	if (msg->fd != -1 && fcntl(msg->fd, F_GETFD) == -1)
		fuzz_fail("ipc_get handed out a closed fd");
	if (msg->len != msg->hdr.len - IPC_HDR_SIZE)
		fuzz_fail("payload length %zu in a frame of %u", msg->len,
		    msg->hdr.len);
	(void)ipc_type_name(msg->hdr.type);
	if (ipc_role_accept(role, msg, &why) == NULL) {
		ipc_msg_free(msg);
		return -1;
	}
	if (ipc_msg_get(msg, head, msg->len < sizeof(head) ? msg->len :
	    sizeof(head)) == -1)
		fuzz_fail("ipc_msg_get refused what the payload holds");
	(void)ipc_msg_get_str(msg, str, sizeof(str));
	(void)ipc_msg_end(msg);
	if (msg->hdr.type % 2 && (fd = ipc_msg_take_fd(msg)) != -1)
		close(fd);
	ipc_msg_free(msg);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in	 in = { data, size };
	struct ipc_chan	 chan;
	struct ipc_role	 role;
	struct ipc_msg	 msg;
	const uint8_t	*p;
	size_t		 n;
	ssize_t		 rd = 0;
	int		 sv[2], fdpass, nfds, open_before, r, dead = 0;

	open_before = fuzz_nfds();
	fdpass = fuzz_u8(&in) & 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    ipc_init(&chan, sv[0], fdpass ? IPC_F_FDPASS : 0,
	    fdpass ? IPC_MAXSIZE : IPC_CTL_MAXSIZE, "fuzz") == -1)
		fuzz_fail("channel");
	ipc_role_init(&role, any);
	while (in.left > 0 && !dead) {
		nfds = fuzz_u8(&in) % 4;
		n = fuzz_take(&in, &p, fuzz_u16(&in));
		memcpy(buf, p, n);
		send_fds(sv[1], buf, n, nfds);
		while (!dead && (rd = ipc_read(&chan)) > 0) {
			while ((r = ipc_get(&chan, &msg)) == 1)
				if (consume(&role, &msg) == -1)
					dead = 1;
			if (r == -1)
				dead = 1;
		}
		/* As the receivers: anything but nothing-to-read drops. */
		if (rd == -1 && errno != EAGAIN)
			dead = 1;
	}
	ipc_clear(&chan);
	close(sv[1]);
	if (fuzz_nfds() != open_before)
		fuzz_fail("%d fds open before, %d after", open_before,
		    fuzz_nfds());
	return 0;
}
