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
 * The privileged parent.  It parses the configuration, creates the TUN
 * device, the link sockets and the control socket while it is root,
 * starts the core, one linkd per link and ctld with fork+exec, hands
 * each its slice of the configuration and its fds, then keeps only
 * CAP_NET_ADMIN as the unprivileged user.  Afterwards it restarts
 * children that die, relays their log lines and statistics, and
 * answers ctld's requests.  It never reads a byte from the network.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "frame.h"
#include "ifwatch.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "pktq.h"
#include "priv.h"
#include "proc.h"
#include "reload.h"
#include "sandbox.h"
#include "util.h"

#define MAX_INSTANCES	BONDD_MAX_LINKS
#define MAX_SESSIONS	(BONDD_MAX_PEERS * BONDD_MAX_LINKS)
#define STATS_FRESH_MS	3000
#define RESTART_MAX_MS	30000
#define RESTART_CALM_MS	10000	/* a child alive this long restarts at once */

struct child {
	enum proc_id	 proc;
	int		 instance;		/* linkd index, else 0 */
	char		 name[BONDD_NAME_MAX];	/* linkd: link name */
	char		 label[32];		/* "linkd wan0" */
	pid_t		 pid;			/* 0 = not running */
	int		 open;			/* chan usable */
	int		 hello;
	int		 ready;
	int		 admin_down;		/* linkd */
	int		 carrier_down;		/* linkd: device down */
	int		 removing;		/* linkd: reload removed it */
	int		 replacing;		/* linkd: restart, new socket */
	struct ipc_chan	 chan;
	unsigned	 restarts;
	uint64_t	 started_ms;
	struct event	*restart_ev;
};

struct stat_slot {
	struct ipc_link_stats	st;
	uint64_t		at_ms;
};

static struct config		 conf;
static struct event_base	*base;
static int			 debug_flag, verbose_flag;
static struct proc_exec		 exe_self, exe_linkd, exe_ctld;
static struct child		 core_child, ctld_child;
static struct child		 linkds[MAX_INSTANCES];
static int			 nlinkd;		/* slots in use */
/* A client link keeps its slot (instance and link id) across reloads:
 * the server keys its sessions by link id. */
static int			 slot_used[MAX_INSTANCES];
static struct conf_link		 slink[MAX_INSTANCES];
static char			 conf_path[PATH_MAX];
static int			 tun_fd = -1, ctl_fd = -1, metrics_fd = -1;
static int			 link_fd[MAX_INSTANCES];
static uint32_t			 tun_mtu, payload_max[MAX_INSTANCES];
static int			 shutting_down;
static struct ipc_core_stats	 core_stats;
static int			 have_core_stats;
static struct stat_slot		 stats[MAX_INSTANCES][MAX_SESSIONS];

static void	child_start(struct child *);
static void	child_init(struct child *, enum proc_id, int, const char *);
static void	child_dispatch(struct ipc_chan *, struct ipc_msg *, void *);

static const struct ipc_rule core_rules[] = {
	{ IPC_HELLO, sizeof(struct ipc_hello), sizeof(struct ipc_hello), 0 },
	{ IPC_LOG, sizeof(struct ipc_log),
	    sizeof(struct ipc_log) + IPC_LOG_MAX, 0 },
	{ IPC_READY, 0, 0, 0 },
	{ IPC_CORE_STATS, sizeof(struct ipc_core_stats),
	    sizeof(struct ipc_core_stats), 0 },
	{ 0, 0, 0, 0 }
};

static const struct ipc_rule linkd_rules[] = {
	{ IPC_HELLO, sizeof(struct ipc_hello), sizeof(struct ipc_hello), 0 },
	{ IPC_LOG, sizeof(struct ipc_log),
	    sizeof(struct ipc_log) + IPC_LOG_MAX, 0 },
	{ IPC_READY, 0, 0, 0 },
	{ IPC_LINK_STATS, sizeof(struct ipc_link_stats),
	    sizeof(struct ipc_link_stats), 0 },
	{ 0, 0, 0, 0 }
};

static const struct ipc_rule ctld_rules[] = {
	{ IPC_HELLO, sizeof(struct ipc_hello), sizeof(struct ipc_hello), 0 },
	{ IPC_LOG, sizeof(struct ipc_log),
	    sizeof(struct ipc_log) + IPC_LOG_MAX, 0 },
	{ IPC_READY, 0, 0, 0 },
	{ IPC_CTL_LINK_UP, 1, BONDD_NAME_MAX - 1, 0 },
	{ IPC_CTL_LINK_DOWN, 1, BONDD_NAME_MAX - 1, 0 },
	{ IPC_CTL_RELOAD, 0, 0, 0 },
	{ IPC_CTL_CONFIG, 0, 0, 0 },
	{ 0, 0, 0, 0 }
};

/* The peer's endpoint cannot change on reload: links may use it. */
static int
link_family(const struct conf_link *l)
{
	if (l->endpoint.ss_family != 0)
		return l->endpoint.ss_family;
	return conf.peers[0].endpoint.ss_family;
}

static int
endpoint_family(int i)
{
	if (conf.role == ROLE_SERVER)
		return conf.listen[i].ss_family;
	return link_family(&slink[i]);
}

/* The largest inner frame a link (NULL: a listen socket) carries
 * without IP fragmentation; 0 if its MTU is too small. */
static uint32_t
link_payload(const struct conf_link *l, int family)
{
	uint32_t	lmtu = 1500, outer, payload;

	if (l != NULL) {
		if (l->mtu != 0)
			lmtu = l->mtu;
		else if (l->device[0] != '\0' &&
		    priv_device_mtu(l->device) != 0)
			lmtu = priv_device_mtu(l->device);
	}
	outer = frame_outer_overhead(family);
	if (lmtu < outer + FRAME_INNER_OVERHEAD + 576) {
		log_warnx("link %s: MTU %u is too small",
		    l != NULL ? l->name : "listen", lmtu);
		return 0;
	}
	payload = lmtu - outer;
	return payload > PKTQ_FRAME_MAX ? PKTQ_FRAME_MAX : payload;
}

/*
 * The TUN MTU: every packet must fit every link, so that any link can
 * carry it.
 */
static int
compute_mtu(void)
{
	uint32_t	min = UINT32_MAX;
	int		i;

	for (i = 0; i < MAX_INSTANCES; i++) {
		if (!slot_used[i])
			continue;
		payload_max[i] = link_payload(conf.role == ROLE_CLIENT ?
		    &slink[i] : NULL, endpoint_family(i));
		if (payload_max[i] == 0)
			return -1;
		if (payload_max[i] < min)
			min = payload_max[i];
	}
	tun_mtu = min - FRAME_INNER_OVERHEAD;
	if (conf.tun_mtu != 0) {
		if (conf.tun_mtu > tun_mtu) {
			log_warnx("tunnel mtu %u is larger than the links "
			    "carry unfragmented (%u)", conf.tun_mtu, tun_mtu);
			return -1;
		}
		tun_mtu = conf.tun_mtu;
	}
	return 0;
}

static void
send_fd(struct child *c, uint32_t type, uint32_t id, int fd)
{
	int	copy;

	if ((copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		fatal("dup");
	if (ipc_send(&c->chan, type, id, 0, copy, NULL, 0) == -1)
		fatal("%s: send %s", c->label, ipc_type_name(type));
}

static void
send_msg(struct child *c, uint32_t type, uint32_t id, const void *p,
    size_t len)
{
	if (ipc_send(&c->chan, type, id, 0, -1, p, len) == -1)
		fatal("%s: send %s", c->label, ipc_type_name(type));
}

static void
send_peers(struct child *c)
{
	struct ipc_conf_peer	 p;
	const struct conf_peer	*cp;
	int			 i;

	for (i = 0; i < conf.npeers; i++) {
		cp = &conf.peers[i];
		memset(&p, 0, sizeof(p));
		memcpy(p.name, cp->name, sizeof(p.name));
		memcpy(p.public_key, cp->public_key, sizeof(p.public_key));
		/* Only linkd does crypto; the core gets no key material. */
		if (c->proc == PROC_LINKD && cp->has_psk) {
			memcpy(p.psk, cp->psk, sizeof(p.psk));
			p.has_psk = 1;
		}
		p.endpoint = cp->endpoint;
		if (c->proc == PROC_LINKD && conf.role == ROLE_CLIENT &&
		    slink[c->instance].endpoint.ss_family != 0)
			p.endpoint = slink[c->instance].endpoint;
		memcpy(p.allowed, cp->allowed, sizeof(p.allowed));
		p.nallowed = cp->nallowed;
		send_msg(c, IPC_CONF_PEER, i, &p, sizeof(p));
		sodium_memzero(&p, sizeof(p));
	}
}

static void
core_conf_fill(struct ipc_conf_core *cc_out)
{
	struct ipc_conf_core	cc;

	memset(&cc, 0, sizeof(cc));
	cc.role = conf.role;
	cc.tun_mtu = tun_mtu;
	/* Instances are stable slots; a reload may fill any of them. */
	cc.nlinkd = MAX_INSTANCES;
	cc.npeers = conf.npeers;
	cc.strategy = conf.strategy;
	cc.reorder_max_ms = conf.reorder_max_ms;
	cc.mss_clamp = conf.mss_clamp;
	snprintf(cc.user, sizeof(cc.user), "%s", conf.user);
	memcpy(cc.rt_udp_ports, conf.rt_udp_ports, sizeof(cc.rt_udp_ports));
	memcpy(cc.rt_tcp_ports, conf.rt_tcp_ports, sizeof(cc.rt_tcp_ports));
	cc.nrt_udp_ports = conf.nrt_udp_ports;
	cc.nrt_tcp_ports = conf.nrt_tcp_ports;
	cc.rt_duplicate = conf.rt_duplicate;
	memcpy(cc.tun_addr, conf.tun_addr, sizeof(cc.tun_addr));
	cc.ntun_addr = conf.ntun_addr;
	*cc_out = cc;
}

static void
configure_core(struct child *c)
{
	struct ipc_conf_core	cc;

	core_conf_fill(&cc);
	send_msg(c, IPC_CONF_CORE, 0, &cc, sizeof(cc));
	send_peers(c);
	send_fd(c, IPC_TUN_FD, 0, tun_fd);
	send_msg(c, IPC_CONF_END, 0, NULL, 0);
}

/* A new packet queue between the core and linkd i. */
static void
connect_linkd_core(struct child *c)
{
	int	sv[2];

	if (pktq_socketpair(sv) == -1)
		fatal("packet queue");
	if (ipc_send(&c->chan, IPC_DATA_CHAN, c->instance, 0, sv[0],
	    NULL, 0) == -1)
		fatal("%s: send data channel", c->label);
	if (core_child.open) {
		if (ipc_send(&core_child.chan, IPC_DATA_CHAN, c->instance, 0,
		    sv[1], NULL, 0) == -1)
			fatal("core: send data channel");
	} else
		close(sv[1]);
}

static void
linkd_conf_fill(struct child *c, struct ipc_conf_linkd *out)
{
	struct ipc_conf_linkd	 lc;
	const struct conf_link	*l;

	memset(&lc, 0, sizeof(lc));
	lc.role = conf.role;
	lc.instance = c->instance;
	memcpy(lc.name, c->name, sizeof(lc.name));
	lc.link_id = c->instance;
	lc.npeers = conf.npeers;
	lc.keepalive_s = conf.keepalive_s;
	lc.rekey_s = conf.rekey_s;
	lc.probe_interval_ms = conf.probe_interval_ms;
	lc.payload_max = payload_max[c->instance];
	snprintf(lc.user, sizeof(lc.user), "%s", conf.user);
	if (conf.role == ROLE_CLIENT) {
		l = &slink[c->instance];
		lc.up_bps = l->up_bps;
		lc.down_bps = l->down_bps;
		lc.priority = l->priority;
		lc.backup = l->backup;
		lc.quota_bytes = l->quota_bytes;
	}
	lc.down_after_ms = conf.down_after_ms;
	lc.lossy_ppm = conf.lossy_ppm;
	lc.recover_probes = conf.recover_probes;
	*out = lc;
}

static void
configure_linkd(struct child *c)
{
	struct ipc_conf_linkd	 lc;
	struct ipc_conf_key	 key;
	struct ipc_link_admin	 adm;
	struct ipc_link_carrier	 car;

	linkd_conf_fill(c, &lc);
	send_msg(c, IPC_CONF_LINKD, c->instance, &lc, sizeof(lc));
	memcpy(key.private_key, conf.private_key, sizeof(key.private_key));
	send_msg(c, IPC_CONF_KEY, 0, &key, sizeof(key));
	sodium_memzero(&key, sizeof(key));
	send_peers(c);
	send_fd(c, IPC_LINK_SOCK, c->instance, link_fd[c->instance]);
	connect_linkd_core(c);
	send_msg(c, IPC_CONF_END, 0, NULL, 0);
	if (c->admin_down) {
		adm.down = 1;
		send_msg(c, IPC_LINK_ADMIN, c->instance, &adm, sizeof(adm));
	}
	if (c->carrier_down) {
		car.up = 0;
		send_msg(c, IPC_LINK_CARRIER, c->instance, &car, sizeof(car));
	}
}

/* A WAN device changed: tell its linkd at once. */
static void
carrier_changed(const char *ifname, int up, void *arg)
{
	struct ipc_link_carrier	 car;
	struct child		*c;
	int			 i;

	(void)arg;
	if (conf.role != ROLE_CLIENT)
		return;
	for (i = 0; i < MAX_INSTANCES; i++) {
		c = &linkds[i];
		if (!slot_used[i] || strcmp(slink[i].device, ifname) != 0 ||
		    c->carrier_down == !up)
			continue;
		c->carrier_down = !up;
		log_info("link %s: device %s %s", c->name, ifname,
		    up ? "up" : "down");
		if (c->open) {
			car.up = up;
			send_msg(c, IPC_LINK_CARRIER, c->instance, &car,
			    sizeof(car));
		}
	}
}

static void
ifwatch_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	if (ifwatch_read(fd, carrier_changed, NULL) == -1)
		log_warn("netlink");
}

static void
configure_ctld(struct child *c)
{
	struct ipc_conf_ctld	cc;
	struct group		*gr;

	memset(&cc, 0, sizeof(cc));
	cc.role = conf.role;
	memcpy(cc.tun_name, conf.tun_name, sizeof(cc.tun_name));
	cc.tun_mtu = tun_mtu;
	cc.metrics = conf.metrics;
	snprintf(cc.user, sizeof(cc.user), "%s", conf.user);
	snprintf(cc.group, sizeof(cc.group), "%s", conf.ctl_group);
	if (conf.ctl_group[0] != '\0' && (gr = getgrnam(conf.ctl_group)))
		cc.gid = gr->gr_gid;
	send_msg(c, IPC_CONF_CTLD, 0, &cc, sizeof(cc));
	send_fd(c, IPC_CTL_SOCK, 0, ctl_fd);
	if (metrics_fd != -1)
		send_fd(c, IPC_METRICS_SOCK, 0, metrics_fd);
	send_msg(c, IPC_CONF_END, 0, NULL, 0);
}

static void
child_start(struct child *c)
{
	char		*argv[5];
	const struct proc_exec *pe;
	int		 sv[2], argc = 0;

	if (shutting_down)
		return;
	if (c->proc == PROC_LINKD && !core_child.open)
		return;		/* started again with the core */
	switch (c->proc) {
	case PROC_CORE:
		pe = &exe_self;
		break;
	case PROC_LINKD:
		pe = &exe_linkd;
		break;
	default:
		pe = &exe_ctld;
		break;
	}
	argv[argc++] = c->proc == PROC_CORE ? "bondd" : (char *)
	    proc_names[c->proc];
	if (c->proc == PROC_CORE)
		argv[argc++] = "-C";
	if (debug_flag)
		argv[argc++] = "-d";
	if (verbose_flag)
		argv[argc++] = "-v";
	argv[argc] = NULL;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	if ((c->pid = proc_spawn(pe, argv, sv[1])) == -1)
		fatalx("cannot start %s", c->label);
	close(sv[1]);
	if (ipc_init(&c->chan, sv[0], IPC_F_FDPASS, IPC_MAXSIZE,
	    c->label) == -1 ||
	    ipc_event_set(&c->chan, base, child_dispatch, c) == -1)
		fatal("%s: channel", c->label);
	c->open = 1;
	c->hello = c->ready = 0;
	c->started_ms = now_ms();
	log_debug("started %s, pid %d", c->label, (int)c->pid);

	if (ipc_hello_send(&c->chan, PROC_PARENT, c->instance) == -1)
		fatal("%s: hello", c->label);
	switch (c->proc) {
	case PROC_CORE:
		configure_core(c);
		break;
	case PROC_LINKD:
		configure_linkd(c);
		break;
	default:
		configure_ctld(c);
		break;
	}
}

static void
restart_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct child	*c = arg;
	int		 i;

	(void)fd;
	(void)ev;
	/* A linkd told to stop by a reload did not: insist. */
	if (c->removing || c->replacing) {
		if (c->pid > 0) {
			log_warnx("%s did not stop; killing it", c->label);
			kill(c->pid, SIGKILL);
		}
		return;
	}
	child_start(c);
	/* A new core needs every linkd again: queues are per core. */
	if (c->proc == PROC_CORE)
		for (i = 0; i < MAX_INSTANCES; i++)
			if (slot_used[i] && linkds[i].pid == 0 &&
			    !evtimer_pending(linkds[i].restart_ev, NULL))
				child_start(&linkds[i]);
}

static void
child_close(struct child *c)
{
	if (!c->open)
		return;
	ipc_event_del(&c->chan);
	ipc_clear(&c->chan);
	c->open = 0;
}

/* A child misbehaved on its channel: it is buggy or compromised. */
static void
child_kill(struct child *c, const char *why)
{
	log_warnx("%s: %s; killing it", c->label, why);
	child_close(c);
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
}

static void
schedule_restart(struct child *c)
{
	struct timeval	tv;
	uint64_t	delay = 0;

	if (now_ms() - c->started_ms < RESTART_CALM_MS) {
		c->restarts++;
		delay = 500ULL << (c->restarts < 7 ? c->restarts - 1 : 6);
		if (delay > RESTART_MAX_MS)
			delay = RESTART_MAX_MS;
	} else
		c->restarts = 0;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	log_info("restarting %s in %llu ms", c->label,
	    (unsigned long long)delay);
	evtimer_add(c->restart_ev, &tv);
}

static struct child *
child_by_pid(pid_t pid)
{
	int	i;

	if (core_child.pid == pid)
		return &core_child;
	if (ctld_child.pid == pid)
		return &ctld_child;
	for (i = 0; i < MAX_INSTANCES; i++)
		if (linkds[i].pid == pid)
			return &linkds[i];
	return NULL;
}

static void
reap_children(void)
{
	struct child	*c;
	pid_t		 pid;
	int		 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((c = child_by_pid(pid)) == NULL)
			continue;
		if (WIFSIGNALED(status))
			log_warnx("%s (pid %d) killed by signal %d%s",
			    c->label, (int)pid, WTERMSIG(status),
			    WTERMSIG(status) == SIGSYS ?
			    " (sandbox violation)" : "");
		else if (!shutting_down || WEXITSTATUS(status) != 0)
			log_warnx("%s (pid %d) exited with status %d",
			    c->label, (int)pid, WEXITSTATUS(status));
		child_close(c);
		c->pid = 0;
		if (c->proc == PROC_LINKD)
			memset(stats[c->instance], 0,
			    sizeof(stats[c->instance]));
		if (c->removing) {
			c->removing = 0;
			evtimer_del(c->restart_ev);
			log_info("%s stopped: link removed", c->label);
			continue;
		}
		if (shutting_down)
			continue;
		if (c->replacing) {
			c->replacing = 0;
			c->started_ms = 0;	/* no back-off: start it now */
		}
		if (c->proc == PROC_CORE) {
			/* The queues died with the core: restart linkds
			 * too, they come back once the core is up. */
			for (i = 0; i < MAX_INSTANCES; i++)
				if (linkds[i].pid > 0) {
					child_close(&linkds[i]);
					kill(linkds[i].pid, SIGTERM);
				}
			have_core_stats = 0;
		}
		schedule_restart(c);
	}
}

static struct child *
linkd_by_name(const char *name)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (slot_used[i] && strcmp(linkds[i].name, name) == 0)
			return &linkds[i];
	return NULL;
}

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

static void
ctl_link_admin(uint32_t reqid, struct ipc_msg *msg, int down)
{
	struct ipc_link_admin	 adm;
	struct child		*c;
	char			 name[BONDD_NAME_MAX];

	if (ipc_msg_get_str(msg, name, sizeof(name)) == -1) {
		ctl_result(reqid, CTL_RES_BADMSG, "bad link name");
		return;
	}
	if ((c = linkd_by_name(name)) == NULL) {
		ctl_result(reqid, CTL_RES_NOSUCHLINK, name);
		return;
	}
	c->admin_down = down;
	log_info("link %s: administratively %s", name, down ? "down" : "up");
	if (c->open) {
		adm.down = down;
		send_msg(c, IPC_LINK_ADMIN, c->instance, &adm, sizeof(adm));
	}
	ctl_result(reqid, CTL_RES_OK, "");
}

static void
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

static void
store_link_stats(struct child *c, struct ipc_msg *msg)
{
	struct ipc_link_stats	 st;
	struct stat_slot	*slot, *free_slot = NULL;
	int			 i;

	if (ipc_msg_get(msg, &st, sizeof(st)) == -1)
		return;
	/* Trust nothing: terminate strings, force the link name. */
	st.peer[sizeof(st.peer) - 1] = '\0';
	memcpy(st.link, c->name, sizeof(st.link));
	st.admin_down = c->admin_down;
	for (i = 0; i < MAX_SESSIONS; i++) {
		slot = &stats[c->instance][i];
		if (slot->at_ms == 0) {
			if (free_slot == NULL)
				free_slot = slot;
			continue;
		}
		if (strcmp(slot->st.peer, st.peer) == 0 &&
		    slot->st.link_id == st.link_id)
			break;
	}
	if (i == MAX_SESSIONS)
		slot = free_slot;
	if (slot == NULL)
		return;
	slot->st = st;
	slot->at_ms = now_ms();
}

/* A reload is still stopping linkds it removed or replaced. */
static int
reload_busy(void)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (linkds[i].removing || linkds[i].replacing)
			return 1;
	return 0;
}

static void
reload_reply(uint32_t reqid, int ctl, uint32_t code, const char *text)
{
	if (code == CTL_RES_OK)
		log_info("%s", text);
	else
		log_warnx("reload refused: %s", text);
	if (ctl)
		ctl_result(reqid, code, text);
}

static int
slot_by_name(const char *name)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (slot_used[i] && strcmp(slink[i].name, name) == 0)
			return i;
	return -1;
}

static int
slot_free(void)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (!slot_used[i] && linkds[i].pid == 0 &&
		    !linkds[i].removing)
			return i;
	return -1;
}

/* Tell a linkd to stop; if it has not within 2 s, restart_cb kills it. */
static void
linkd_stop(struct child *c)
{
	struct timeval	tv = { 2, 0 };

	evtimer_del(c->restart_ev);
	if (c->pid == 0)
		return;
	if (c->open)
		send_msg(c, IPC_SHUTDOWN, c->instance, NULL, 0);
	evtimer_add(c->restart_ev, &tv);
}

static void
reload_remove(int s)
{
	struct child	*c = &linkds[s];

	log_info("link %s: removed", c->name);
	slot_used[s] = 0;
	memset(stats[s], 0, sizeof(stats[s]));
	close(link_fd[s]);
	link_fd[s] = -1;
	if (c->pid > 0) {
		c->removing = 1;
		linkd_stop(c);
	} else
		evtimer_del(c->restart_ev);	/* it was to restart */
}

static void
reload_replace(int s, const struct conf_link *l, int fd, uint32_t payload,
    const char *why)
{
	struct child	*c = &linkds[s];

	log_info("link %s: %s changed, restarting its linkd", c->name, why);
	close(link_fd[s]);
	link_fd[s] = fd;
	slink[s] = *l;
	payload_max[s] = payload;
	/* Not running: the pending restart uses the new settings. */
	if (c->pid > 0) {
		c->replacing = 1;
		linkd_stop(c);
	}
}

static void
reload_add(const struct conf_link *l, int fd, uint32_t payload)
{
	int	s = slot_free();

	child_init(&linkds[s], PROC_LINKD, s, l->name);
	slot_used[s] = 1;
	slink[s] = *l;
	link_fd[s] = fd;
	payload_max[s] = payload;
	memset(stats[s], 0, sizeof(stats[s]));
	log_info("link %s: added as link id %d", l->name, s);
	child_start(&linkds[s]);
}

/* The new global settings and allowed_ips to the core; the queues of
 * stopped linkds close there. */
static void
reload_core(void)
{
	uint8_t			 buf[sizeof(struct ipc_reconf_core) +
				    BONDD_MAX_PEERS *
				    sizeof(struct ipc_reconf_peer)];
	struct ipc_reconf_core	 rc;
	struct ipc_reconf_peer	 rp;
	size_t			 off;
	int			 i;

	if (!core_child.open)
		return;
	memset(&rc, 0, sizeof(rc));
	core_conf_fill(&rc.conf);
	for (i = 0; i < MAX_INSTANCES; i++)
		if (slot_used[i] && !linkds[i].replacing)
			rc.live |= 1U << i;
	memcpy(buf, &rc, sizeof(rc));
	off = sizeof(rc);
	for (i = 0; i < conf.npeers; i++) {
		memset(&rp, 0, sizeof(rp));
		memcpy(rp.allowed, conf.peers[i].allowed, sizeof(rp.allowed));
		rp.nallowed = conf.peers[i].nallowed;
		memcpy(buf + off, &rp, sizeof(rp));
		off += sizeof(rp);
	}
	send_msg(&core_child, IPC_RECONF_CORE, 0, buf, off);
}

/* Open the sockets of added and replaced links before anything
 * changes, so that a failure leaves the running config whole. */
static int
reload_open(const struct config *nc, const struct reload_diff *d,
    int *fds, uint32_t *payload, char *err, size_t errlen)
{
	const struct reload_link *e;
	const struct conf_link	*l;
	uint32_t		 need;
	int			 i, nfree = 0;

	for (i = 0; i < MAX_INSTANCES; i++)
		nfree += !slot_used[i] && linkds[i].pid == 0 &&
		    !linkds[i].removing;
	if (d->count[RELOAD_ADDED] > nfree) {
		snprintf(err, errlen, "no free link slot until the removed "
		    "links have stopped; reload again");
		return CTL_RES_PENDING;
	}
	need = tun_mtu + FRAME_INNER_OVERHEAD;
	for (i = 0; i < d->nlinks; i++) {
		e = &d->links[i];
		if (e->class != RELOAD_ADDED && e->class != RELOAD_HARD)
			continue;
		l = &nc->links[e->new_idx];
		if ((payload[i] = link_payload(l, link_family(l))) < need) {
			snprintf(err, errlen, "link %s: its MTU cannot carry "
			    "the tunnel MTU %u", l->name, tun_mtu);
			return CTL_RES_FAILED;
		}
		if ((fds[i] = priv_link_socket(l, link_family(l))) == -1) {
			snprintf(err, errlen, "link %s: cannot open its "
			    "socket: %s", l->name, strerror(errno));
			return CTL_RES_FAILED;
		}
	}
	return CTL_RES_OK;
}

/*
 * `bondctl reload` (ctl: reply to request reqid) and SIGHUP.  The file
 * is parsed again and compared with the running configuration
 * (reload.c): a bad file or a key that needs a restart refuses the
 * reload and nothing changes; otherwise links are added, removed or
 * restarted and the rest is sent to the running children in place.
 * Unchanged links are not touched: their sessions and counters stay.
 */
static void
reload(uint32_t reqid, int ctl)
{
	struct config		*nc;
	struct reload_diff	 d;
	const struct reload_link *e;
	struct ipc_conf_linkd	 lc;
	struct child		*c;
	int			 fds[2 * BONDD_MAX_LINKS];
	uint32_t		 payload[2 * BONDD_MAX_LINKS];
	char			 err[1024];
	size_t			 len;
	uint32_t		 code;
	int			 i, s;

	if (reload_busy()) {
		reload_reply(reqid, ctl, CTL_RES_PENDING,
		    "the previous reload is still stopping links");
		return;
	}
	if ((nc = calloc(1, sizeof(*nc))) == NULL) {
		reload_reply(reqid, ctl, CTL_RES_FAILED, "out of memory");
		return;
	}
	for (i = 0; i < 2 * BONDD_MAX_LINKS; i++)
		fds[i] = -1;
	if (parse_config(conf_path, nc, err, sizeof(err)) == -1) {
		/* After start the parent reads as the unprivileged user. */
		if (strstr(err, strerror(EACCES)) != NULL) {
			len = strlen(err);
			snprintf(err + len, sizeof(err) - len, " (bondd reads "
			    "it as user %s: make the file readable by group "
			    "%s)", conf.user, conf.user);
		}
		reload_reply(reqid, ctl, CTL_RES_PARSE_ERROR, err);
		goto done;
	}
	if (reload_diff(&conf, nc, &d, err, sizeof(err)) == -1) {
		reload_reply(reqid, ctl, CTL_RES_FAILED, err);
		goto done;
	}
	if ((code = reload_open(nc, &d, fds, payload, err,
	    sizeof(err))) != CTL_RES_OK) {
		reload_reply(reqid, ctl, code, err);
		goto done;
	}

	/* From here on the new configuration is the running one. */
	for (i = 0; i < d.nlinks; i++) {
		e = &d.links[i];
		if (e->class == RELOAD_ADDED ||
		    (s = slot_by_name(e->name)) == -1)
			continue;
		if (e->class == RELOAD_REMOVED)
			reload_remove(s);
		else if (e->class == RELOAD_HARD) {
			reload_replace(s, &nc->links[e->new_idx], fds[i],
			    payload[i], e->why);
			fds[i] = -1;
		} else
			slink[s] = nc->links[e->new_idx];
	}
	sodium_memzero(conf.private_key, sizeof(conf.private_key));
	conf = *nc;
	for (i = 0; i < d.nlinks; i++) {
		e = &d.links[i];
		if (e->class == RELOAD_ADDED) {
			reload_add(&nc->links[e->new_idx], fds[i], payload[i]);
			fds[i] = -1;
		}
	}
	/* In place: linkds that keep running get their new settings. */
	for (s = 0; s < MAX_INSTANCES; s++) {
		c = &linkds[s];
		if (!slot_used[s] || !c->open || c->replacing)
			continue;
		for (i = 0; i < d.nlinks; i++)
			if (strcmp(d.links[i].name, c->name) == 0)
				break;
		if (!d.linkd_changed && (i == d.nlinks ||
		    d.links[i].class != RELOAD_SOFT))
			continue;
		linkd_conf_fill(c, &lc);
		send_msg(c, IPC_RECONF_LINKD, c->instance, &lc, sizeof(lc));
	}
	reload_core();
	for (nlinkd = 0, s = 0; s < MAX_INSTANCES; s++)
		nlinkd += slot_used[s];
	reload_summary(&d, err, sizeof(err));
	reload_reply(reqid, ctl, CTL_RES_OK, err);
 done:
	for (i = 0; i < 2 * BONDD_MAX_LINKS; i++)
		if (fds[i] != -1)
			close(fds[i]);
	sodium_memzero(nc, sizeof(*nc));
	free(nc);
}

static void
child_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child		*c = arg;
	const struct ipc_rule	*rules;
	struct ipc_log		 lg;
	const char		*why;
	char			 text[IPC_LOG_MAX + 1];

	(void)chan;
	if (msg == NULL) {
		/* Closed or malformed: the reaper restarts it. */
		if (c->pid > 0 && !shutting_down && !c->removing &&
		    !c->replacing)
			child_kill(c, "channel closed or malformed");
		else
			child_close(c);
		return;
	}
	rules = c->proc == PROC_CORE ? core_rules :
	    c->proc == PROC_LINKD ? linkd_rules : ctld_rules;
	if (ipc_check(rules, msg, &why) == NULL) {
		log_warnx("%s: %s: %s", c->label,
		    ipc_type_name(msg->hdr.type), why);
		child_kill(c, "bad message");
		return;
	}
	if (!c->hello && msg->hdr.type != IPC_HELLO) {
		child_kill(c, "message before hello");
		return;
	}
	switch (msg->hdr.type) {
	case IPC_HELLO:
		if (c->hello || ipc_hello_check(msg, c->proc) == -1) {
			child_kill(c, "bad hello");
			return;
		}
		c->hello = 1;
		break;
	case IPC_LOG:
		if (ipc_msg_get(msg, &lg, sizeof(lg)) == -1 ||
		    ipc_msg_get_str(msg, text, sizeof(text)) == -1 ||
		    lg.priority < LOG_EMERG || lg.priority > LOG_DEBUG) {
			child_kill(c, "bad log message");
			return;
		}
		log_relayed(lg.priority, text);
		break;
	case IPC_READY:
		c->ready = 1;
		log_debug("%s ready", c->label);
		break;
	case IPC_LINK_STATS:
		store_link_stats(c, msg);
		break;
	case IPC_CORE_STATS:
		if (ipc_msg_get(msg, &core_stats, sizeof(core_stats)) == 0)
			have_core_stats = 1;
		break;
	case IPC_CTL_LINK_UP:
	case IPC_CTL_LINK_DOWN:
		ctl_link_admin(msg->hdr.pid, msg,
		    msg->hdr.type == IPC_CTL_LINK_DOWN);
		break;
	case IPC_CTL_RELOAD:
		reload(msg->hdr.pid, 1);
		break;
	case IPC_CTL_CONFIG:
		ctl_config(msg->hdr.pid);
		break;
	}
}

/* Twice a second: one statistics snapshot to ctld. */
static void
stats_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct stat_slot	*slot;
	uint64_t		 now = now_ms();
	int			 i, j;

	(void)fd;
	(void)ev;
	(void)arg;
	if (!ctld_child.open || !ctld_child.ready)
		return;
	send_msg(&ctld_child, IPC_CORE_STATS, 0, &core_stats,
	    sizeof(core_stats));
	for (i = 0; i < MAX_INSTANCES; i++) {
		if (!slot_used[i])
			continue;
		for (j = 0; j < MAX_SESSIONS; j++) {
			slot = &stats[i][j];
			if (slot->at_ms == 0)
				continue;
			if (now - slot->at_ms > STATS_FRESH_MS) {
				slot->at_ms = 0;
				continue;
			}
			slot->st.admin_down = linkds[i].admin_down;
			send_msg(&ctld_child, IPC_LINK_STATS, i, &slot->st,
			    sizeof(slot->st));
		}
	}
	send_msg(&ctld_child, IPC_STATS_END, 0, NULL, 0);
}

static void
shutdown_children(void)
{
	struct child	*all[MAX_INSTANCES + 2];
	int		 n = 0, i, alive;

	shutting_down = 1;
	for (i = 0; i < MAX_INSTANCES; i++)
		if (slot_used[i] || linkds[i].pid > 0)
			all[n++] = &linkds[i];
	all[n++] = &ctld_child;
	all[n++] = &core_child;
	for (i = 0; i < n; i++)
		if (all[i]->open) {
			ipc_compose(&all[i]->chan, IPC_SHUTDOWN, 0, 0, -1,
			    NULL, 0);
			ipc_write(&all[i]->chan);
		}
	/* Give them two seconds, then insist. */
	for (int tries = 0; tries < 20; tries++) {
		reap_children();
		for (alive = 0, i = 0; i < n; i++)
			alive += all[i]->pid > 0;
		if (alive == 0)
			return;
		usleep(100000);
	}
	for (i = 0; i < n; i++)
		if (all[i]->pid > 0)
			kill(all[i]->pid, SIGKILL);
	reap_children();
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("received signal %d, shutting down", (int)sig);
		event_base_loopbreak(base);
		break;
	case SIGHUP:
		log_info("SIGHUP: reloading %s", conf_path);
		reload(0, 0);
		break;
	case SIGCHLD:
		reap_children();
		break;
	}
}

static void
child_init(struct child *c, enum proc_id proc, int instance,
    const char *name)
{
	if (c->restart_ev != NULL)
		event_free(c->restart_ev);
	memset(c, 0, sizeof(*c));
	c->proc = proc;
	c->instance = instance;
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (proc == PROC_LINKD)
		snprintf(c->label, sizeof(c->label), "linkd %s", name);
	else
		snprintf(c->label, sizeof(c->label), "%s", proc_names[proc]);
	c->chan.fd = -1;
	if ((c->restart_ev = evtimer_new(base, restart_cb, c)) == NULL)
		fatalx("evtimer_new");
}

/* Everything that needs root, before the children start. */
static void
open_resources(void)
{
	int	i;

	if (conf.role == ROLE_CLIENT) {
		nlinkd = conf.nlinks;
		for (i = 0; i < nlinkd; i++) {
			slot_used[i] = 1;
			slink[i] = conf.links[i];
			if ((link_fd[i] = priv_link_socket(&slink[i],
			    endpoint_family(i))) == -1)
				exit(1);
		}
	} else {
		nlinkd = conf.nlisten;
		for (i = 0; i < nlinkd; i++) {
			slot_used[i] = 1;
			if ((link_fd[i] = priv_listen_socket(
			    &conf.listen[i])) == -1)
				exit(1);
		}
	}
	if (compute_mtu() == -1)
		exit(1);
	if ((tun_fd = priv_tun_open(conf.tun_name)) == -1)
		exit(1);
	if (priv_tun_configure(conf.tun_name, conf.tun_addr, conf.ntun_addr,
	    tun_mtu, conf.tun_txqueuelen) == -1)
		exit(1);
	if ((ctl_fd = priv_ctl_socket(conf.ctl_socket, conf.ctl_group)) == -1)
		exit(1);
	if (conf.metrics.ss_family != 0 &&
	    (metrics_fd = priv_metrics_socket(&conf.metrics)) == -1)
		exit(1);
	if (proc_exec_self(&exe_self) == -1 ||
	    proc_exec_open(&exe_linkd, "linkd") == -1 ||
	    proc_exec_open(&exe_ctld, "ctld") == -1)
		exit(1);
}

int
parent_main(const char *file, int debug, int verbose, int noaction)
{
	struct event	*sigev[4];
	struct event	*stats_ev, *nlev = NULL;
	/* Link statistics reach ctld twice a second (linkd sends them at
	 * that pace too), so bondctl shows a failure within a second. */
	struct timeval	 half_second = { 0, 500000 };
	char		 err[1024];
	int		 nlfd;
	const int	 sigs[4] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	int		 i;

	debug_flag = debug;
	verbose_flag = verbose;
	/* daemon(3) moves to /: a reload needs the absolute path. */
	if (realpath(file, conf_path) == NULL)
		snprintf(conf_path, sizeof(conf_path), "%s", file);
	log_init(1, verbose, LOG_DAEMON);
	log_procinit("bondd");
	if (sodium_init() == -1)
		fatalx("sodium_init");
	if (parse_config(file, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (noaction) {
		print_config(&conf, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (geteuid() != 0)
		fatalx("must run as root");
	if (getpwnam(conf.user) == NULL)
		fatalx("user %s does not exist (make install creates it)",
		    conf.user);

	open_resources();
	if (!debug) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, verbose, LOG_DAEMON);
		log_procinit("bondd");
	}
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	for (i = 0; i < 4; i++)
		if ((sigev[i] = evsignal_new(base, sigs[i], signal_cb,
		    NULL)) == NULL || evsignal_add(sigev[i], NULL) == -1)
			fatalx("signal events");

	child_init(&core_child, PROC_CORE, 0, "core");
	child_init(&ctld_child, PROC_CTLD, 0, "ctld");
	for (i = 0; i < nlinkd; i++) {
		if (conf.role == ROLE_CLIENT)
			child_init(&linkds[i], PROC_LINKD, i,
			    conf.links[i].name);
		else {
			char name[BONDD_NAME_MAX];

			snprintf(name, sizeof(name), "listen%u", (unsigned)i & 7);
			child_init(&linkds[i], PROC_LINKD, i, name);
		}
	}
	child_start(&core_child);
	for (i = 0; i < nlinkd; i++)
		child_start(&linkds[i]);
	child_start(&ctld_child);

	/* The children started as root and sandbox themselves; from now
	 * on the parent needs only CAP_NET_ADMIN. */
	sandbox_parent_drop(conf.user, 0);
	log_info("started: %s, tunnel %s mtu %u, %d %s",
	    conf_role_name(conf.role), conf.tun_name, tun_mtu, nlinkd,
	    conf.role == ROLE_CLIENT ? "links" : "listen sockets");

	if (conf.role == ROLE_CLIENT) {
		if ((nlfd = ifwatch_open()) == -1 || (nlev = event_new(base,
		    nlfd, EV_READ | EV_PERSIST, ifwatch_cb, NULL)) == NULL ||
		    event_add(nlev, NULL) == -1)
			log_warn("netlink: device events unavailable");
	}
	if ((stats_ev = event_new(base, -1, EV_PERSIST, stats_cb,
	    NULL)) == NULL || event_add(stats_ev, &half_second) == -1)
		fatalx("stats timer");

	event_base_dispatch(base);

	shutdown_children();
	if (unlink(conf.ctl_socket) == -1 && errno != ENOENT)
		log_debug("unlink %s: %s", conf.ctl_socket, strerror(errno));
	sodium_memzero(conf.private_key, sizeof(conf.private_key));
	log_info("exiting");
	return 0;
}
