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
 * The control relay: ctld passes on what bondctl asks (a link up or
 * down, the running configuration, a reload) and gets the results
 * back, with the statistics of the core and of every link, and what
 * the server's name resolved to, twice a second.
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only.  It never parses a network packet; requests
 * come from ctld, checked by the rule table in parent_child.c, and
 * statistics from the core and linkd are stored only after their
 * strings are forced.  The parent holds the static private key: the
 * configuration printed for bondctl names the key files, never a key.
 */

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "ipc.h"
#include "linkinfo.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "util.h"

struct ipc_core_stats		 core_stats;

static void
ctl_result(uint32_t reqid, uint32_t code, const char *text)
{
	uint8_t		buf[sizeof(struct ipc_ctl_result) + 1024];
	struct ipc_ctl_result res;
	size_t		tlen = strlen(text);

	if (!ctld_child.open)
		return;
	if (tlen > sizeof(buf) - sizeof(res))
		tlen = sizeof(buf) - sizeof(res);
	res.code = code;
	memcpy(buf, &res, sizeof(res));
	memcpy(buf + sizeof(res), text, tlen);
	if (ipc_send(&ctld_child.chan, IPC_CTL_RESULT, 0, reqid, -1, buf,
	    sizeof(res) + tlen) == -1)
		log_warn("ctld: result");
}

void
ctl_link_admin(uint32_t reqid, struct ipc_msg *msg, int down)
{
	struct ipc_link_admin	 adm;
	struct slot		*s;
	struct child		*c;
	char			 name[BONDD_NAME_MAX];

	if (ipc_msg_get_str(msg, name, sizeof(name)) == -1) {
		ctl_result(reqid, CTL_RES_BADMSG, "bad link name");
		return;
	}
	if ((s = slot_by_name(name)) == NULL) {
		ctl_result(reqid, CTL_RES_NOSUCHLINK, name);
		return;
	}
	c = &s->linkd;
	c->admin_down = down;
	log_info("link %s: administratively %s", name, down ? "down" : "up");
	if (c->open) {
		adm.down = down;
		send_msg(c, IPC_LINK_ADMIN, c->instance, &adm, sizeof(adm));
	}
	ctl_result(reqid, CTL_RES_OK, "");
}

/*
 * Whose is a bondctl connection: ctld, respawned into a user namespace
 * of its own, reads root's uid as the overflow uid, so it sends us a
 * copy of the connection (closed here) and we answer with the ids.
 * ctld gives only its own connections: it learns nothing it could not
 * read itself outside a user namespace.
 */
void
ctl_peercred(uint32_t reqid, int fd)
{
	struct ipc_peercred	pc;
	struct ucred		cred;
	socklen_t		len = sizeof(cred);

	memset(&pc, 0, sizeof(pc));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	    len == sizeof(cred)) {
		pc.ok = 1;
		pc.uid = cred.uid;
		pc.gid = cred.gid;
		pc.pid = cred.pid;
	} else
		log_warn("ctld: SO_PEERCRED");
	close(fd);
	if (ipc_send(&ctld_child.chan, IPC_PEERCRED, 0, reqid, -1, &pc,
	    sizeof(pc)) == -1)
		log_warn("ctld: credentials");
}

void
ctl_config(uint32_t reqid)
{
	char	*buf = NULL;
	size_t	 len = 0, off, n;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		ctl_result(reqid, CTL_RES_FAILED, "out of memory");
		return;
	}
	print_config(&conf, f);
	fclose(f);
	for (off = 0; off < len; off += n) {
		n = len - off > 8192 ? 8192 : len - off;
		if (ipc_send(&ctld_child.chan, IPC_CTL_DATA, 0, reqid, -1,
		    buf + off, n) == -1)
			log_warn("ctld: config");
	}
	free(buf);
	ctl_result(reqid, CTL_RES_OK, "");
}

void
store_link_stats(struct child *c, struct ipc_msg *msg)
{
	struct ipc_link_stats	 st;
	struct session_stats	*ss, *free_ss = NULL;
	int			 i;

	if (ipc_msg_get(msg, &st, sizeof(st)) == -1)
		return;
	/* Trust nothing: terminate strings, force the link name. */
	st.peer[sizeof(st.peer) - 1] = '\0';
	memcpy(st.link, c->name, sizeof(st.link));
	st.admin_down = c->admin_down;
	/* linkd sees a link without a socket as down; why is ours. */
	if (slots[c->instance].waiting != LINK_READY)
		st.link_state = LINK_STATE_WAITING;
	for (i = 0; i < MAX_SESSIONS; i++) {
		ss = &slots[c->instance].stats[i];
		if (ss->at_ms == 0) {
			if (free_ss == NULL)
				free_ss = ss;
			continue;
		}
		if (strcmp(ss->st.peer, st.peer) == 0 &&
		    ss->st.link_id == st.link_id)
			break;
	}
	if (i == MAX_SESSIONS)
		ss = free_ss;
	if (ss == NULL)
		return;
	ss->st = st;
	ss->at_ms = now_ms();
}

void
reload_reply(uint32_t reqid, int ctl, uint32_t code, const char *text)
{
	if (code == CTL_RES_OK)
		log_info("%s", text);
	else
		log_warnx("reload refused: %s", text);
	if (ctl)
		ctl_result(reqid, code, text);
}

/* Twice a second: one statistics snapshot to ctld, and to systemd
 * the count of links running if it changed. */
void
stats_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct ipc_peer_endpoint pe;
	static int		 over;	/* said so already */
	struct session_stats	*ss;
	uint64_t		 now = now_ms();
	int			 i, j, n = 0;

	(void)fd;
	(void)ev;
	(void)arg;
	notify_status();
	if (!ctld_child.open || ctld_child.role.state != IPC_S_RUNNING)
		return;
	send_msg(&ctld_child, IPC_CORE_STATS, 0, &core_stats,
	    sizeof(core_stats));
	if (resolve_status(&pe))
		send_msg(&ctld_child, IPC_PEER_ENDPOINT, 0, &pe, sizeof(pe));
	for (i = 0; i < MAX_INSTANCES; i++) {
		if (!slots[i].used)
			continue;
		for (j = 0; j < MAX_SESSIONS; j++) {
			ss = &slots[i].stats[j];
			if (ss->at_ms == 0)
				continue;
			if (now - ss->at_ms > STATS_FRESH_MS) {
				ss->at_ms = 0;
				continue;
			}
			if (++n > IPC_LINK_STATS_MAX)
				continue;
			ss->st.admin_down = slots[i].linkd.admin_down;
			send_msg(&ctld_child, IPC_LINK_STATS, i, &ss->st,
			    sizeof(ss->st));
		}
	}
	send_msg(&ctld_child, IPC_STATS_END, 0, NULL, 0);
	if (n > IPC_LINK_STATS_MAX && !over)
		log_warnx("%d link sessions: bondctl shows the first %d", n,
		    IPC_LINK_STATS_MAX);
	over = n > IPC_LINK_STATS_MAX;
}
