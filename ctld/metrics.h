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
 * The Prometheus endpoint of ctld: a read-only HTTP/1.x server on the
 * listening TCP socket the parent opened for control.metrics, and the
 * pure functions behind it (text exposition of a snapshot, request
 * parsing, response framing).  Scrapers are untrusted: requests are
 * bounded in size, time and number and only ever read.
 */

#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "control.h"

#define METRICS_MAX_CONNS	16
#define METRICS_TIMEOUT		5	/* seconds for a whole exchange */
#define METRICS_REQ_MAX		4096	/* request line and headers */

/* Text exposition format 0.0.4 of a snapshot: 0, or -1 on a stream
 * error. */
int	 metrics_render(FILE *, const struct ctl_snapshot *, uint32_t role,
	    const char *version);
/* A label value of at most len bytes of s, escaped, without quotes. */
void	 metrics_label(FILE *, const char *, size_t);
/*
 * Judge the request bytes received so far: 0 if more are needed,
 * else the HTTP status to answer (200, 400, 404 or 405).  A request
 * that has not ended within METRICS_REQ_MAX bytes is 400.
 */
int	 metrics_request(const char *, size_t);
/* A whole response with Connection: close: 0, or -1 on a stream error. */
int	 metrics_response(FILE *, int, const char *, size_t);

struct event_base;

void	 metrics_init(struct event_base *, const struct ipc_conf_ctld *,
	    const struct ctl_snapshot *);
/* Serve on a listening socket (fd owned from now on). */
void	 metrics_listen(int);
void	 metrics_shutdown(void);

#endif /* METRICS_H */
