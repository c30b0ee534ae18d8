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
 * The status reply's records (reply.h).  Runs in bondctl, as the
 * invoking user, on what ctld sends; holds no secrets.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bondd.h"
#include "reply.h"

/* A string field must end inside its array. */
static int
terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

int
status_record(struct ipc_msg *msg, void *arg)
{
	struct status_reply	*sr = arg;
	struct ipc_link_stats	 ls, *nl;
	uint32_t		 i;

	switch (msg->hdr.type) {
	case IPC_CONF_CTLD:
		if (sr->got_conf || ipc_msg_get(msg, &sr->st.conf,
		    sizeof(sr->st.conf)) == -1 || ipc_msg_end(msg) != 0 ||
		    !terminated(sr->st.conf.tun_name,
		    sizeof(sr->st.conf.tun_name)))
			return -1;
		sr->got_conf = 1;
		return 0;
	case IPC_CORE_STATS:
		if (!sr->got_conf || sr->got_core || ipc_msg_get(msg,
		    &sr->st.core, sizeof(sr->st.core)) == -1 ||
		    ipc_msg_end(msg) != 0 ||
		    sr->st.core.npeers > BONDD_MAX_PEERS)
			return -1;
		for (i = 0; i < sr->st.core.npeers; i++)
			if (!terminated(sr->st.core.peer[i].name,
			    sizeof(sr->st.core.peer[i].name)))
				return -1;
		sr->got_core = 1;
		return 0;
	case IPC_PEER_ENDPOINT:
		if (!sr->got_core || sr->got_endpoint || sr->nlinks > 0 ||
		    ipc_msg_get(msg, &sr->endpoint, sizeof(sr->endpoint)) ==
		    -1 || ipc_msg_end(msg) != 0 ||
		    !terminated(sr->endpoint.peer, sizeof(sr->endpoint.peer)) ||
		    !terminated(sr->endpoint.name, sizeof(sr->endpoint.name)) ||
		    !terminated(sr->endpoint.error,
		    sizeof(sr->endpoint.error)) ||
		    (sr->endpoint.address.ss_family != 0 &&
		    sr->endpoint.address.ss_family != AF_INET &&
		    sr->endpoint.address.ss_family != AF_INET6))
			return -1;
		sr->got_endpoint = 1;
		return 0;
	case IPC_LINK_STATS:
		if (!sr->got_core || sr->nlinks >= IPC_LINK_STATS_MAX ||
		    ipc_msg_get(msg, &ls, sizeof(ls)) == -1 ||
		    ipc_msg_end(msg) != 0 ||
		    !terminated(ls.link, sizeof(ls.link)) ||
		    !terminated(ls.peer, sizeof(ls.peer)) ||
		    ls.state > SESSION_ESTABLISHED ||
		    (ls.endpoint.ss_family != 0 &&
		    ls.endpoint.ss_family != AF_INET &&
		    ls.endpoint.ss_family != AF_INET6))
			return -1;
		if ((nl = reallocarray(sr->links, sr->nlinks + 1,
		    sizeof(*nl))) == NULL) {
			fprintf(stderr, "bondctl: %s\n", strerror(errno));
			exit(1);
		}
		sr->links = nl;
		sr->links[sr->nlinks++] = ls;
		return 0;
	}
	return -1;
}
