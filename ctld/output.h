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
 * Rendering of a status snapshot as a text table or as JSON, for
 * bondctl.  Pure functions over already validated records; they still
 * bound every string by its array size and escape what they print.
 */

#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "messages.h"

struct status {
	const char			*version;	/* of bondd */
	struct ipc_conf_ctld		 conf;
	struct ipc_core_stats		 core;
	const struct ipc_link_stats	*links;
	size_t				 nlinks;
	/* the server's name, NULL unless the endpoint is one */
	const struct ipc_peer_endpoint	*endpoint;
};

/* Both return 0, or -1 if the stream reported an error. */
int		 output_text(FILE *, const struct status *);
int		 output_json(FILE *, const struct status *);

/* "512B", "1.2K", "3.4M" ... in powers of 1024. */
const char	*output_bytes(uint64_t, char *, size_t);
/* "never", "12s ago", "4m05s ago", "2h07m ago", "3d01h ago". */
const char	*output_age(int64_t, char *, size_t);
/* A JSON string literal of at most len bytes of s, quotes included. */
void		 output_json_str(FILE *, const char *, size_t);
/* The core's figures of a link session's link id, NULL if the
 * session has no peer yet or the id is out of range. */
const struct ipc_core_link *output_core_link(const struct ipc_core_stats *,
		    const struct ipc_link_stats *);

#endif /* OUTPUT_H */
