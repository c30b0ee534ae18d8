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
 * ctld's side of the control socket: bondctl connections, their
 * authorization, and the routing of requests to local answers or to
 * the parent.
 */

#ifndef CONTROL_H
#define CONTROL_H

#include <sys/types.h>
#include <stddef.h>

#include "messages.h"

#define CTL_MAX_CLIENTS		32
#define CTL_IDLE_TIMEOUT	30	/* seconds without a request */

/* The latest complete statistics from the parent. */
struct ctl_snapshot {
	struct ipc_core_stats	 core;
	struct ipc_link_stats	*links;
	size_t			 nlinks;
	struct ipc_peer_endpoint endpoint;	/* the server's name */
	int			 has_endpoint;
};

struct event_base;
struct ipc_chan;
struct ipc_msg;

/* Whether bondctl's hello speaks our control protocol (the build may
 * differ): 0, or -1 with the answer for bondctl in why. */
int	 ctl_hello_check(const struct ipc_hello *, char *, size_t);
/* conf and snap stay owned by the caller and may change between
 * events; parent is where mutating and config requests go. */
void	 control_init(struct event_base *, struct ipc_chan *,
	    const struct ipc_conf_ctld *, const struct ctl_snapshot *);
/* Start accepting on a listening socket (fd owned from now on). */
void	 control_listen(int);
/* Adopt a connected client with its credentials: 0, or -1 if it was
 * refused (fd closed either way on refusal). */
int	 control_add_client(int, uid_t, gid_t, pid_t);
/* IPC_CTL_DATA or IPC_CTL_RESULT from the parent, already checked
 * against the rule table; hdr.pid names the request. */
void	 control_parent_reply(const struct ipc_msg *);
/* IPC_PEERCRED: the ids of a connection, read by the parent. */
void	 control_parent_cred(struct ipc_msg *);
void	 control_shutdown(void);
int	 control_nclients(void);

#endif /* CONTROL_H */
