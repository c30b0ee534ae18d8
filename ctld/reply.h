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
 * The records of bondctl's status request, read as they arrive: ctld is
 * part of the daemon, but bondctl still checks every record's size,
 * order and strings before it renders them.  Runs in bondctl, as the
 * invoking user; holds no secrets.
 */

#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>

#include "ipc.h"
#include "messages.h"
#include "output.h"

struct status_reply {
	struct status		 st;
	struct ipc_link_stats	*links;
	size_t			 nlinks;
	struct ipc_peer_endpoint endpoint;
	int			 got_conf, got_core, got_endpoint;
};

/* One record before IPC_CTL_RESULT into the reply (a struct
 * status_reply, zeroed before the first): 0, or -1 if it is bad. */
int	status_record(struct ipc_msg *, void *);

#endif /* REPLY_H */
