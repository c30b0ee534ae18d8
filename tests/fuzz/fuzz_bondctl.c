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
 * Fuzz target: bondctl's reading of a status reply from a hostile or
 * broken ctld: frames on a control channel as bondctl reads them
 * (ipc_read, ipc_get), each record before IPC_CTL_RESULT through
 * status_record(); a reply bondctl accepts is rendered as text, as
 * JSON and as a monitor screen.  Input: the bytes ctld sends, in
 * writes of [u16 size][size bytes], then the monitor's columns and
 * rows.  Test code.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bondd.h"
#include "ipc.h"
#include "monitor.h"
#include "output.h"
#include "reply.h"
#include "fuzz.h"

static FILE	*devnull;
static uint8_t	 buf[65536];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		fuzz_fail("/dev/null");
	return 0;
}

/* What bondctl does with the frames so far: 1 at an accepted result,
 * -1 where it would give up (badreply), 0 for more. */
static int
frames(struct ipc_chan *chan, struct status_reply *sr)
{
	struct ipc_msg	msg;
	int		r;

	while ((r = ipc_get(chan, &msg)) == 1) {
		if (msg.hdr.type != IPC_CTL_RESULT) {
			r = status_record(&msg, sr);
			ipc_msg_free(&msg);
			if (r == -1)
				return -1;
			continue;
		}
		if (msg.len < sizeof(struct ipc_ctl_result))
			return -1;
		return sr->got_conf && sr->got_core ? 1 : -1;
	}
	return r == -1 ? -1 : 0;
}

static void
render(struct status_reply *sr, int cols, int rows)
{
	sr->st.version = BONDD_VERSION;
	sr->st.links = sr->links;
	sr->st.nlinks = sr->nlinks;
	sr->st.endpoint = sr->got_endpoint ? &sr->endpoint : NULL;
	if (output_text(devnull, &sr->st) == -1 ||
	    output_json(devnull, &sr->st) == -1 ||
	    monitor_draw(devnull, &sr->st, cols, rows, "12:00:00") == -1)
		fuzz_fail("rendering failed on /dev/null");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in		 in = { data, size };
	struct status_reply	 sr;
	struct ipc_chan		 chan;
	const uint8_t		*p;
	size_t			 n, left;
	int			 sv[2], r = 0, cols, rows;

	/* The screen size comes from the end: the replies stay in front. */
	cols = size >= 2 ? data[size - 2] : 80;
	rows = size >= 2 ? data[size - 1] : 24;
	in.left = size >= 2 ? size - 2 : size;
	memset(&sr, 0, sizeof(sr));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    ipc_init(&chan, sv[0], 0, IPC_CTL_MAXSIZE, "ctld") == -1)
		fuzz_fail("channel");
	while (in.left > 0 && r == 0) {
		n = fuzz_take(&in, &p, fuzz_u16(&in));
		memcpy(buf, p, n);
		for (left = n; left > 0 && r == 0; ) {
			ssize_t w = send(sv[1], buf + (n - left), left,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w <= 0)
				break;
			left -= w;
			while (r == 0 && ipc_read(&chan) > 0)
				r = frames(&chan, &sr);
		}
	}
	if (r == 1)
		render(&sr, cols, rows);
	free(sr.links);
	ipc_clear(&chan);
	close(sv[1]);
	return 0;
}
