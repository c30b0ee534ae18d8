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
 * The configuration diff behind `bondctl reload` and SIGHUP: which keys
 * need a restart, and what happens to each link and each peer.  Pure:
 * it only compares two parsed configurations, so it is unit-tested on
 * its own.
 */

#ifndef RELOAD_H
#define RELOAD_H

#include <stddef.h>

#include "bondd.h"
#include "config.h"

enum reload_class {
	RELOAD_UNCHANGED = 0,
	RELOAD_SOFT,		/* changed in place: rates, priority, ... */
	RELOAD_HARD,		/* device, source, port, ...: remove + add */
	RELOAD_ADDED,
	RELOAD_REMOVED
};

struct reload_link {
	char			name[BONDD_NAME_MAX];
	enum reload_class	class;
	int			old_idx;	/* in old links[], -1: added */
	int			new_idx;	/* in new links[], -1: removed */
	const char		*why;		/* key that changed, or NULL */
};

/*
 * A peer keeps its slot (its index in every child) for its life.  A
 * peer of the new file is the old one of the same name, else the old
 * one with the same key (renamed); a client's one peer is always the
 * same.  RELOAD_SOFT: renamed or new allowed_ips, in place;
 * RELOAD_HARD: a new key, its sessions end; an added peer takes a
 * slot no peer held before, or, when all 64 are taken, one a removed
 * peer leaves.
 */
struct reload_peer {
	char			name[BONDD_PEER_NAME_MAX];	/* new, or old */
	enum reload_class	class;
	int			old_idx;	/* in old peers[], -1: added */
	int			new_idx;	/* in new peers[], -1: removed */
	int			slot;
	const char		*why;		/* key that changed, or NULL */
};

struct reload_diff {
	struct reload_link	links[2 * BONDD_MAX_LINKS];
	int			nlinks;
	int			count[RELOAD_REMOVED + 1];	/* by class */
	struct reload_peer	peers[2 * BONDD_MAX_PEERS];
	int			npeers;
	int			peer_count[RELOAD_REMOVED + 1];
	int			peer_slot[BONDD_MAX_PEERS];	/* new peers */
	int			linkd_changed;	/* session or probe settings */
	int			core_changed;	/* scheduler, realtime, ... */
	int			peers_changed;	/* any peer not unchanged */
	int			tunnel_changed;	/* tunnel.routes, persist */
	/* what routes_wanted() reads: those, or the peers' allowed_ips */
	int			routes_changed;
};

/*
 * Compare the running configuration, whose peers[i] is in slot
 * oslot[i], with a new one.  Returns 0 and fills diff, or -1 with one
 * line in err naming the first key that cannot change without a
 * restart.
 */
int	 reload_diff(const struct config *, const int *oslot,
	    const struct config *, struct reload_diff *, char *, size_t);
/* "1 added, 1 removed, 2 unchanged" and so on, then the peers' if
 * any changed. */
void	 reload_summary(const struct reload_diff *, char *, size_t);
const char *reload_class_name(enum reload_class);

#endif /* RELOAD_H */
