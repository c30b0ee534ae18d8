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
 * What the parent tells systemd (bondd/sdnotify.c): READY=1 once the
 * core, ctld and every linkd run, with a STATUS line of the links that
 * carry data, which follows their statistics; RELOADING=1 and READY=1
 * around a reload; STOPPING=1 at shutdown.  Without $NOTIFY_SOCKET it
 * all does nothing.
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only.  It reads the children's states and the
 * statistics parent_ctl.c stored, and sends counts, never a secret.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bondd.h"
#include "config.h"
#include "linkinfo.h"
#include "messages.h"
#include "parent.h"
#include "sdnotify.h"
#include "util.h"

static int	 notify_ready_sent;
static char	 notify_last[128];	/* the STATUS last sent */

static int
child_running(const struct child *c)
{
	return c->open && c->role.state == IPC_S_RUNNING;
}

static int
session_running(const struct session_stats *ss, uint64_t now)
{
	return ss->at_ms != 0 && now - ss->at_ms <= STATS_FRESH_MS &&
	    (ss->st.link_state == LINK_STATE_RUNNING ||
	    ss->st.link_state == LINK_STATE_LOSSY);
}

/* A client's links, or a server's sessions, that carry data. */
static void
notify_count(struct sdnotify_counts *n)
{
	const struct session_stats *ss;
	uint64_t		 now = now_ms();
	int			 i, j, p, up;

	memset(n, 0, sizeof(*n));
	n->peers = conf.npeers;
	for (i = 0; i < MAX_INSTANCES; i++) {
		if (!slots[i].used)
			continue;
		n->links++;
		for (j = 0; j < MAX_SESSIONS; j++)
			n->running += session_running(&slots[i].stats[j], now);
	}
	for (p = 0; p < conf.npeers; p++) {
		for (up = 0, i = 0; i < MAX_INSTANCES && !up; i++) {
			for (j = 0; j < MAX_SESSIONS && !up; j++) {
				ss = &slots[i].stats[j];
				up = slots[i].used && session_running(ss, now) &&
				    strcmp(ss->st.peer, conf.peers[p].name) == 0;
			}
		}
		n->peers_up += up;
	}
}

/* "READY=1" and the like, followed by the current STATUS. */
static void
notify_with_status(const char *what)
{
	struct sdnotify_counts	 n;
	char			 msg[256];

	notify_count(&n);
	sdnotify_status(notify_last, sizeof(notify_last), conf.role, &n);
	snprintf(msg, sizeof(msg), "%s%sSTATUS=%s", what,
	    what[0] != '\0' ? "\n" : "", notify_last);
	sdnotify(msg);
}

/* A child sent IPC_READY: once all of them run, the service is up. */
void
notify_child_ready(void)
{
	int	i;

	if (notify_ready_sent || !child_running(&core_child) ||
	    !child_running(&ctld_child))
		return;
	for (i = 0; i < MAX_INSTANCES; i++)
		if (slots[i].used && !child_running(&slots[i].linkd))
			return;
	notify_ready_sent = 1;
	notify_with_status("READY=1");
}

/* The statistics timer: a new STATUS when the counts changed. */
void
notify_status(void)
{
	struct sdnotify_counts	 n;
	char			 text[sizeof(notify_last)];

	if (!notify_ready_sent)
		return;
	notify_count(&n);
	sdnotify_status(text, sizeof(text), conf.role, &n);
	if (strcmp(text, notify_last) != 0)
		notify_with_status("");
}

/* A reload between RELOADING=1 (with the monotonic time systemd
 * wants) and READY=1, whatever its outcome. */
void
notify_reload(uint32_t reqid, int ctl)
{
	struct timespec	 ts;
	char		 msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
	sdnotify(msg);
	reload_apply(reqid, ctl);
	notify_with_status("READY=1");
}

void
notify_stopping(void)
{
	sdnotify("STOPPING=1");
}
