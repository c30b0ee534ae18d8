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
 * The privileged parent: owns the configuration, creates the kernel
 * resources, starts and supervises the children.  Its files share what
 * is declared here:
 *	parent.c		start, event loop, the link slots
 *	parent_child.c		the children's life cycle and messages
 *	parent_configure.c	the slice of the configuration each child gets
 *	parent_ctl.c		bondctl requests relayed by ctld, statistics
 *	parent_reload.c		applying a reload (reload.c: the diff)
 *	parent_mtu.c		link payload sizes and the tunnel MTU
 *	parent_notify.c		what systemd hears (sdnotify.c: how)
 *	parent_resolve.c	the server's name and its addresses
 *	parent_device.c		links follow their devices and addresses
 *	parent_keys.c		the key channels: linkd asks for the DH
 *				with the static private key (keyoracle.c)
 */

#ifndef PARENT_H
#define PARENT_H

#include <sys/types.h>

#include <event2/event.h>
#include <stdint.h>

#include "bondd.h"
#include "config.h"
#include "ipc.h"
#include "keyoracle.h"
#include "messages.h"

#define MAX_INSTANCES	BONDD_MAX_LINKS	/* link slots */
#define MAX_SESSIONS	(BONDD_MAX_PEERS * BONDD_MAX_LINKS)
#define STATS_FRESH_MS	3000	/* older session statistics are gone */

struct child {
	enum proc_id	 proc;
	int		 instance;		/* linkd: its slot, else 0 */
	char		 name[BONDD_NAME_MAX];	/* linkd: link name */
	char		 label[32];		/* "linkd wan0" */
	pid_t		 pid;			/* 0 = not running */
	int		 open;			/* chan usable */
	struct ipc_role	 role;			/* HELLO, CONF, RUNNING */
	int		 admin_down;		/* linkd */
	int		 carrier_down;		/* linkd: told its link cannot
						   carry (device down, waiting) */
	int		 removing;		/* linkd: reload removed it */
	int		 replacing;		/* linkd: restart, new socket */
	struct ipc_chan	 chan;
	/* linkd: its key channel (parent_keys.c), open while keys_open */
	struct ipc_chan	 keys;
	struct ipc_role	 keys_role;
	int		 keys_open;
	struct keyoracle oracle;		/* its budget of requests */
	unsigned	 restarts;
	uint64_t	 started_ms;
	struct event	*restart_ev;
};

/* The last statistics of one session (peer, link id) of a linkd. */
struct session_stats {
	struct ipc_link_stats	st;
	uint64_t		at_ms;		/* 0: none */
};

/* Why a client link has no socket. */
enum link_wait {
	LINK_READY = 0,		/* it has one */
	WAIT_ADDRESS,		/* the server's name has no address of
				   its family yet (parent_resolve.c) */
	WAIT_DEVICE,		/* its device is missing */
	WAIT_SOURCE		/* its source address is missing */
};

/*
 * A link slot: a client link or a server listen socket, and its linkd.
 * The slot's index is the linkd's instance and the link id on the
 * wire.  A client link keeps its slot across reloads: the server keys
 * its sessions by link id.  A removed link frees its slot only once its
 * linkd has stopped.  fd is -1 in a slot that is not used.
 */
struct slot {
	int			 used;
	struct conf_link	 link;		/* client only */
	int			 fd;		/* link or listen socket */
	/* Client: fd is -1 exactly while waiting is not LINK_READY; its
	 * linkd runs and waits for IPC_LINK_SOCK_NEW, or a restart. */
	enum link_wait		 waiting;
	unsigned int		 ifindex;	/* its device's, 0: none */
	int			 dev_down;	/* not up, or no carrier */
	uint32_t		 payload_max;	/* largest inner frame */
	/* client: the server's address its linkd sends to; ss_family 0
	 * (and waiting WAIT_ADDRESS) until the server's name has an
	 * address of its family.  Set whenever fd is. */
	struct sockaddr_storage	 endpoint;
	struct child		 linkd;
	struct session_stats	 stats[MAX_SESSIONS];
};

/* What bondd is asked to do (bondd.c). */
enum parent_action {
	PARENT_RUN = 0,
	PARENT_CHECK,		/* -n: print the configuration */
	PARENT_REMOVE		/* -k: remove the device and routes */
};

/* parent.c */
extern struct config	 conf;
extern uid_t		 daemon_uid;	/* conf.user's */
extern struct event_base *base;
extern char		 conf_path[];
extern struct slot	 slots[MAX_INSTANCES];
extern int		 tun_fd, ctl_fd, metrics_fd;
/*
 * A peer keeps its slot, its index in the core and in linkd, for its
 * life (reload.c chooses): conf.peers[i] is in slot peer_slot[i].
 * Slots below npeer_slots may be empty; npeer_slots never shrinks, as
 * the children's tables only grow.
 */
extern int		 peer_slot[BONDD_MAX_PEERS];
extern uint32_t		 npeer_slots;

struct slot	*slot_by_name(const char *);
int		 slot_is_free(const struct slot *);
int		 peer_in_slot(uint32_t);
int		 parent_main(const char *, int, int, enum parent_action);

/* parent_child.c */
extern struct child	 core_child, ctld_child;

void	send_fd(struct child *, uint32_t, uint32_t, int);
void	send_msg(struct child *, uint32_t, uint32_t, const void *, size_t);
void	child_kill(struct child *, const char *);
int	child_prepare(int, int);
void	child_init(struct child *, enum proc_id, int, const char *);
void	child_start(struct child *);
void	reap_children(void);
void	linkd_stop(struct child *);
void	shutdown_children(void);

/* parent_configure.c */
void	peer_conf_fill(struct child *, int, struct ipc_conf_peer *);
void	core_conf_fill(struct ipc_conf_core *);
void	configure_core(struct child *);
void	linkd_conf_fill(struct child *, struct ipc_conf_linkd *);
void	configure_linkd(struct child *);
void	configure_ctld(struct child *);

/* parent_ctl.c */
extern struct ipc_core_stats core_stats;

void	ctl_link_admin(uint32_t, struct ipc_msg *, int);
void	ctl_config(uint32_t);
void	ctl_peercred(uint32_t, int);
void	store_link_stats(struct child *, struct ipc_msg *);
void	reload_reply(uint32_t, int, uint32_t, const char *);
void	stats_cb(evutil_socket_t, short, void *);

/* parent_reload.c */
void	reload_apply(uint32_t, int);

/* parent_notify.c */
void	notify_child_ready(void);
void	notify_status(void);
void	notify_reload(uint32_t, int);
void	notify_stopping(void);

/* parent_device.c */
struct ifwatch_event;

/* A socket for a client link: LINK_READY with *fd and *ifindex set,
 * why it waits (*fd = -1), or -1 on any other error. */
int	link_socket(const struct conf_link *, int *, unsigned int *);
void	link_waits(struct slot *, enum link_wait);
void	link_carrier(struct slot *);
void	device_event(const struct ifwatch_event *, void *);
void	device_check_all(void);
int	tun_open(void);
extern int		 tun_vnet_hdr;
extern int		 tun_uso;

/* parent_mtu.c */
extern uint32_t		 tun_mtu;

int		link_family(const struct conf_link *);
int		mtu_family(const struct conf_link *);
uint32_t	link_payload(const struct conf_link *, int);
int		compute_mtu(void);

/* parent_keys.c */
int	keys_chan_open(struct child *);
void	keys_chan_close(struct child *);
void	keys_public(uint8_t[BONDD_KEY_LEN]);
int	keys_peer_ss(uint8_t[BONDD_KEY_LEN], const uint8_t[BONDD_KEY_LEN]);

/* parent_resolve.c */
int	peer_address(const struct conf_link *, struct sockaddr_storage *);
void	resolve_init(void);
void	resolve_events(void);
void	resolve_reload(void);
int	resolve_reaped(pid_t);
int	resolve_status(struct ipc_peer_endpoint *);
void	resolve_shutdown(void);

#endif /* PARENT_H */
