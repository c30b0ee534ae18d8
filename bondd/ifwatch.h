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
 * Watching network devices: the parent subscribes to rtnetlink link
 * events so that a WAN device going down takes its link out at once,
 * without waiting for probes to time out.  The messages come from the
 * kernel, not the network; they are still length-checked.
 */

#ifndef IFWATCH_H
#define IFWATCH_H

typedef void (*ifwatch_fn)(const char *ifname, int up, void *);

/* A non-blocking NETLINK_ROUTE socket subscribed to link events. */
int	ifwatch_open(void);
/* Read what is pending and call fn for each link event.  0 or -1. */
int	ifwatch_read(int, ifwatch_fn, void *);
/* Parse one buffer of netlink messages (exposed for tests). */
void	ifwatch_parse(const void *, size_t, ifwatch_fn, void *);

#endif /* IFWATCH_H */
