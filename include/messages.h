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
 * The messages between bondd processes, and between bondctl and ctld:
 * the catalogue of every type, then the payload structs.  Fixed-size
 * structs in host order (same host, same build: the IPC_HELLO of each
 * channel checks that); strings are NUL-terminated inside their arrays
 * and every receiver checks that.  ipc.h frames them.
 */

#ifndef MESSAGES_H
#define MESSAGES_H

#include <sys/socket.h>
#include <stdint.h>

#include "bondd.h"
#include "config.h"

/*
 * The catalogue: X(type, value, payload) for every message.  It makes
 * enum ipc_type, the names of ipc_type_name() and the bounds every
 * receiver checks before it looks at a payload (ipc_catalogue[] in
 * common/ipc.c).  The payload is one of
 *	IPC_FIXED(struct s)	exactly sizeof(struct s)
 *	IPC_SIZES(min, max)	min to max bytes
 *	IPC_EMPTY		no payload
 *	IPC_WITH_FD		no payload, one fd attached
 * A type has the same bounds on every channel it travels: the bounds
 * of a reply to bondctl (IPC_CTL_*) are those of the bondctl channel,
 * as ctld relays replies as they are.  Which types a process accepts,
 * and in which state, is its own rule table (struct ipc_accept).
 */
#define IPC_FIXED(s)		sizeof(s), sizeof(s), 0
#define IPC_SIZES(min, max)	(min), (max), 0
#define IPC_EMPTY		0, 0, 0
#define IPC_WITH_FD		0, 0, 1

#define IPC_MESSAGES(X)							\
	/* process */							\
	/* every channel, both ways, first */				\
	X(IPC_HELLO,		0x0101,	IPC_FIXED(struct ipc_hello))	\
	/* child -> parent: a log line to relay */			\
	X(IPC_LOG,		0x0102,	IPC_SIZES(sizeof(struct ipc_log), \
	    sizeof(struct ipc_log) + IPC_LOG_MAX))			\
	/* parent -> child: exit cleanly */				\
	X(IPC_SHUTDOWN,		0x0103,	IPC_EMPTY)			\
	/* child -> parent: sandboxed and running */			\
	X(IPC_READY,		0x0104,	IPC_EMPTY)			\
									\
	/* configuration slices, parent -> child */			\
	X(IPC_CONF_CORE,	0x0201,	IPC_FIXED(struct ipc_conf_core)) \
	X(IPC_CONF_LINKD,	0x0202,	IPC_FIXED(struct ipc_conf_linkd)) \
	X(IPC_CONF_PEER,	0x0203,	IPC_FIXED(struct ipc_conf_peer)) \
	X(IPC_CONF_KEY,		0x0204,	IPC_FIXED(struct ipc_conf_key))	\
	X(IPC_CONF_CTLD,	0x0205,	IPC_FIXED(struct ipc_conf_ctld)) \
	/* the slice is complete: apply it */				\
	X(IPC_CONF_END,		0x0206,	IPC_EMPTY)			\
	/* a reload, to a running core or linkd */			\
	X(IPC_RECONF_CORE,	0x0207,	IPC_SIZES(			\
	    sizeof(struct ipc_reconf_core), sizeof(struct ipc_reconf_core) + \
	    BONDD_MAX_PEERS * sizeof(struct ipc_reconf_peer)))		\
	X(IPC_RECONF_LINKD,	0x0208,	IPC_FIXED(struct ipc_conf_linkd)) \
	/* a reload, to a running linkd: the peer of slot hdr.id is	\
	 * new, renamed or has a new key; or the slot is now empty */	\
	X(IPC_PEER_SET,		0x0209,	IPC_FIXED(struct ipc_conf_peer)) \
	X(IPC_PEER_DEL,		0x020a,	IPC_EMPTY)			\
									\
	/* resources, parent -> child */				\
	/* to the core: the TUN device */				\
	X(IPC_TUN_FD,		0x0301,	IPC_WITH_FD)			\
	/* to linkd: its UDP socket, none while the link waits: its	\
	 * device, its source address or the server's address missing */ \
	X(IPC_LINK_SOCK,	0x0302,	IPC_WITH_FD)			\
	/* to the core and linkd: a packet queue end; hdr.id = linkd */	\
	X(IPC_DATA_CHAN,	0x0303,	IPC_WITH_FD)			\
	/* to ctld: the listening control socket */			\
	X(IPC_CTL_SOCK,		0x0304,	IPC_WITH_FD)			\
	/* to ctld: the listening TCP socket for metrics */		\
	X(IPC_METRICS_SOCK,	0x0305,	IPC_WITH_FD)			\
	/* to the core, before IPC_DATA_CHAN: what linkd hdr.id owns */	\
	X(IPC_LINKD_OWNER,	0x0306,	IPC_FIXED(struct ipc_linkd_owner)) \
	/* ctld in a user namespace -> parent: a copy of a bondctl	\
	 * connection, whose ids the parent answers with IPC_PEERCRED;	\
	 * hdr.pid matches them */					\
	X(IPC_PEERCRED_ASK,	0x0307,	IPC_WITH_FD)			\
	X(IPC_PEERCRED,		0x0308,	IPC_FIXED(struct ipc_peercred))	\
	/* to linkd: its end of the key channel (struct ipc_dh) */	\
	X(IPC_KEY_CHAN,		0x0309,	IPC_WITH_FD)			\
									\
	/* state and statistics */					\
	/* linkd -> parent -> ctld -> bondctl */			\
	X(IPC_LINK_STATS,	0x0401,	IPC_FIXED(struct ipc_link_stats)) \
	/* core -> parent -> ctld -> bondctl */				\
	X(IPC_CORE_STATS,	0x0402,	IPC_FIXED(struct ipc_core_stats)) \
	/* parent -> ctld: one snapshot complete */			\
	X(IPC_STATS_END,	0x0403,	IPC_EMPTY)			\
	/* parent -> ctld -> bondctl: the server's name, resolved? */	\
	X(IPC_PEER_ENDPOINT,	0x0406,	IPC_FIXED(struct ipc_peer_endpoint)) \
	/* parent -> linkd */						\
	X(IPC_LINK_ADMIN,	0x0404,	IPC_FIXED(struct ipc_link_admin)) \
	X(IPC_LINK_CARRIER,	0x0405,	IPC_FIXED(struct ipc_link_carrier)) \
	/* the link's device or source address came back (new, or	\
	 * under a new index): a new socket replaces the old one */	\
	X(IPC_LINK_SOCK_NEW,	0x0407,	IPC_WITH_FD)			\
	/* the link's device or source address went: the link waits	\
	 * without a socket for IPC_LINK_SOCK_NEW */			\
	X(IPC_LINK_SOCK_GONE,	0x0408,	IPC_EMPTY)			\
									\
	/* the key channel: linkd asks, the parent answers hdr.id */	\
	X(IPC_DH_ASK,		0x0601,	IPC_FIXED(struct ipc_dh))	\
	X(IPC_DH_RESULT,	0x0602,	IPC_FIXED(struct ipc_dh))	\
	X(IPC_DH_REFUSED,	0x0603,	IPC_EMPTY)			\
									\
	/* control: requests bondctl -> ctld, some on to the parent */	\
	X(IPC_CTL_STATUS,	0x0501,	IPC_EMPTY)			\
	X(IPC_CTL_VERSION,	0x0502,	IPC_EMPTY)			\
	/* a link name, no NUL */					\
	X(IPC_CTL_LINK_UP,	0x0503,	IPC_SIZES(1, BONDD_NAME_MAX - 1)) \
	X(IPC_CTL_LINK_DOWN,	0x0504,	IPC_SIZES(1, BONDD_NAME_MAX - 1)) \
	X(IPC_CTL_RELOAD,	0x0505,	IPC_EMPTY)			\
	X(IPC_CTL_CONFIG,	0x0506,	IPC_EMPTY)			\
	/* replies: a chunk of text, no NUL */				\
	X(IPC_CTL_DATA,		0x0507,	IPC_SIZES(0,			\
	    IPC_CTL_MAXSIZE - IPC_HDR_SIZE))				\
	/* the last reply: struct ipc_ctl_result + text, no NUL */	\
	X(IPC_CTL_RESULT,	0x0508,	IPC_SIZES(			\
	    sizeof(struct ipc_ctl_result), IPC_CTL_MAXSIZE - IPC_HDR_SIZE))

enum ipc_type {
#define IPC_TYPE_ENUM(type, value, payload)	type = value,
	IPC_MESSAGES(IPC_TYPE_ENUM)
#undef IPC_TYPE_ENUM
};

#define IPC_TYPE_COUNT(type, value, payload)	+ 1
enum { IPC_NTYPES = 0 IPC_MESSAGES(IPC_TYPE_COUNT) };
#undef IPC_TYPE_COUNT

enum ipc_ctl_res {
	CTL_RES_OK = 0,
	CTL_RES_DENIED,		/* caller may not use this verb */
	CTL_RES_BADMSG,		/* malformed request */
	CTL_RES_NOSUCHLINK,
	CTL_RES_PARSE_ERROR,	/* text holds file:line:col: message */
	CTL_RES_PENDING,	/* a reload is already running */
	CTL_RES_VERSION,	/* bondctl and ctld differ */
	CTL_RES_FAILED,
	CTL_RES_MAX
};

/*
 * IPC_HELLO: the first message on every channel, both ways.  Between
 * bondd processes version is IPC_VERSION and the builds must match.
 * From bondctl, version is CTL_PROTO_VERSION and build only informs:
 * a bondctl of another build (a package upgraded under a running
 * bondd) works while the control protocol is the same.  This struct
 * never changes, or versions could not be compared.
 */
struct ipc_hello {
	uint32_t	version;	/* IPC_VERSION, bondctl: CTL_PROTO_VERSION */
	uint32_t	proc;		/* enum proc_id of the sender */
	uint32_t	instance;	/* linkd index, else 0 */
	char		build[16];	/* BONDD_VERSION, NUL padded */
};

/*
 * The control protocol between bondctl and ctld: bump it when anything
 * bondctl sends or reads changes, that is the IPC_CTL_* messages, the
 * header, struct ipc_ctl_result, and the records of a status reply:
 * struct ipc_conf_ctld, ipc_core_stats and ipc_link_stats.  1 was the
 * scheme that wanted the same build; 3 added the links' capacity,
 * queues, pacing and resends and the peers' FEC and reordering; 4 the
 * core's refused claims and ignored NACK entries.
 */
#define CTL_PROTO_VERSION	4

/* IPC_LOG */
struct ipc_log {
	int32_t		priority;	/* syslog priority */
	/* followed by the text, no NUL, at most IPC_LOG_MAX bytes */
};
#define IPC_LOG_MAX		1024

/* IPC_CTL_RESULT */
struct ipc_ctl_result {
	uint32_t	code;		/* enum ipc_ctl_res */
	/* followed by a message text, no NUL */
};

/*
 * IPC_PEERCRED: the SO_PEERCRED of a bondctl connection as the parent
 * reads it.  A ctld respawned after the parent dropped root runs in a
 * user namespace of its own, where root's uid reads as the overflow
 * uid: it asks the parent, which sees the real ids.
 */
struct ipc_peercred {
	uint32_t	ok;		/* 0: the ids could not be read */
	uint32_t	uid, gid;
	int32_t		pid;
};

/* IPC_CONF_CORE: what the core needs to move packets. */
struct ipc_conf_core {
	uint32_t	role;		/* enum conf_role */
	uint32_t	tun_mtu;	/* effective MTU of the TUN device */
	uint32_t	nlinkd;		/* linkd instances (data channels) */
	uint32_t	npeers;		/* peer slots, see IPC_CONF_PEER */
	uint32_t	strategy;	/* enum conf_strategy */
	uint32_t	reorder_max_ms;
	uint32_t	mss_clamp;
	char		user[64];	/* sandbox user */
	/* realtime traffic: pinned to the lowest-latency link */
	uint16_t	rt_udp_ports[16];
	uint16_t	rt_tcp_ports[16];
	uint32_t	nrt_udp_ports, nrt_tcp_ports;
	uint32_t	rt_duplicate;	/* also send it on a second link */
	/* the tunnel's own addresses: source of ICMP errors */
	struct conf_prefix tun_addr[4];
	uint32_t	ntun_addr;
	/* its counters in the log every this many seconds, 0 = never */
	uint32_t	status_interval_s;
	uint32_t	fec_mode;	/* enum conf_fec_mode */
	uint32_t	bulk_rtt_pct;	/* slow links out of bulk (scheduler.h) */
	uint32_t	bulk_max_rtt_ms;
	/* TUN reads and writes start with a struct virtio_net_hdr */
	uint32_t	tun_vnet_hdr;
	/* and the device takes UDP super-packets (USO) */
	uint32_t	tun_uso;
};

/* IPC_CONF_LINKD: one linkd instance. */
struct ipc_conf_linkd {
	uint32_t	role;		/* enum conf_role */
	uint32_t	instance;	/* index of this linkd */
	char		name[BONDD_NAME_MAX];	/* link name or "listenN" */
	uint32_t	link_id;	/* client: link index sent to server */
	uint32_t	npeers;		/* peer slots, see IPC_CONF_PEER */
	uint32_t	keepalive_s;
	uint32_t	rekey_s;
	uint32_t	probe_interval_ms;
	uint32_t	payload_max;	/* largest inner frame it may carry */
	uint32_t	udp_offload;	/* UDP GSO on send */
	char		user[64];	/* sandbox user */
	/* client: this link's configuration, told to the server in probes */
	uint64_t	up_bps, down_bps;	/* 0 = unknown */
	uint32_t	priority;
	uint32_t	backup;
	uint64_t	quota_bytes;
	/* link state machine thresholds */
	uint32_t	down_after_ms;	/* silent this long (or 3 x RTT): DOWN */
	uint32_t	lossy_ppm;	/* loss above this: LOSSY */
	uint32_t	recover_probes;	/* answered probes before RUNNING */
	/* a status line per session every this many seconds, 0 = none */
	uint32_t	status_interval_s;
};

/*
 * IPC_CONF_PEER: hdr.id = peer slot.  A peer keeps its slot, its index
 * in the core, in linkd and on the packet queues, for its life: a
 * reload that adds, removes or changes other peers leaves it alone.
 * The configuration sends one per peer in rising slot order, below
 * npeers of IPC_CONF_CORE or IPC_CONF_LINKD; a slot without one is
 * empty.  linkd and core get it; only linkd uses the keys.  A reload
 * sends the same struct to a running linkd as IPC_PEER_SET.
 */
struct ipc_conf_peer {
	char		name[BONDD_PEER_NAME_MAX];
	uint8_t		public_key[BONDD_KEY_LEN];
	uint8_t		psk[BONDD_KEY_LEN];
	uint32_t	has_psk;
	/* linkd only: the static-static DH of our private key with
	 * public_key, computed by the parent; has_ss 0: a low-order
	 * key that no handshake can use */
	uint8_t		ss[BONDD_KEY_LEN];
	uint32_t	has_ss;
	/* client: the server; ss_family 0 while its name has no
	 * address for this link, which waits without a socket */
	struct sockaddr_storage endpoint;
	struct conf_prefix allowed[BONDD_MAX_ALLOWED];
	uint32_t	nallowed;
};

/*
 * IPC_RECONF_CORE: a reload's new settings for the running core.  Only
 * strategy, reorder_max_ms, mss_clamp, the realtime fields,
 * status_interval_s and npeers of conf are applied (npeers never
 * shrinks); the rest must equal the running values.  Data channels of
 * instances missing from live are closed.  Followed by exactly
 * conf.npeers struct ipc_reconf_peer, one per peer slot in slot order:
 * the whole peer table.
 */
struct ipc_reconf_core {
	struct ipc_conf_core	conf;
	uint32_t		live;	/* bit i: linkd instance i runs */
};

struct ipc_reconf_peer {
	struct conf_prefix	allowed[BONDD_MAX_ALLOWED];
	uint32_t		nallowed;
	char			name[BONDD_PEER_NAME_MAX]; /* "": empty */
	uint32_t		fresh;	/* another peer than before: its
					   state starts afresh */
};

/* IPC_RECONF_LINKD carries a struct ipc_conf_linkd: linkd applies the
 * rates, priority, backup, quota, keepalive, rekey, probe interval,
 * state thresholds, status interval and udp_offload in place; instance, name,
 * link_id and payload_max must equal the running values, npeers may
 * only grow.  Peers change by IPC_PEER_SET and IPC_PEER_DEL (hdr.id =
 * slot), before it: a peer removed or with a new key loses its
 * sessions, the others keep theirs. */

/*
 * IPC_LINKD_OWNER: hdr.id = linkd instance.  What that linkd may speak
 * for on its packet queue: on a client the one link id of its link; on
 * a server IPC_OWNER_LISTEN, the sessions of its listen socket, which
 * it holds from their first SESSION_UP until they end.  The core
 * refuses and counts anything else.
 */
struct ipc_linkd_owner {
	uint32_t	link_id;	/* or IPC_OWNER_LISTEN */
};
#define IPC_OWNER_LISTEN	UINT32_MAX

/* IPC_CONF_KEY: the local static public key, linkd only.  The
 * private key never leaves the parent: see struct ipc_dh. */
struct ipc_conf_key {
	uint8_t		public_key[BONDD_KEY_LEN];
};

/*
 * The key channel, one socketpair per linkd, fresh for each start
 * (IPC_KEY_CHAN): after a hello each way, linkd sends IPC_DH_ASK with
 * a public point (the ephemeral key of a handshake's peer) and the
 * parent answers, with the same hdr.id, IPC_DH_RESULT holding
 * DH(static private key, point), or IPC_DH_REFUSED: a low-order point,
 * or over the linkd's budget of requests.  One DH per handshake: the
 * responder's "es", the initiator's "se".
 */
struct ipc_dh {
	uint8_t		point[BONDD_KEY_LEN];	/* ASK: the point, RESULT:
						   the shared secret */
};

/* IPC_CONF_CTLD */
struct ipc_conf_ctld {
	uint32_t	role;
	char		tun_name[BONDD_NAME_MAX];
	uint32_t	tun_mtu;
	struct sockaddr_storage metrics;	/* ss_family 0 = off */
	char		user[64];	/* sandbox user */
	char		group[64];	/* control group, "" = none */
	uint32_t	gid;		/* its gid, if group is set */
};

enum session_state {
	SESSION_NONE = 0,	/* no keys */
	SESSION_HANDSHAKE,	/* initiation sent, waiting */
	SESSION_ESTABLISHED
};

/* IPC_LINK_STATS: one per session of a linkd, sent every second.
 * hdr.id = linkd instance.  A snapshot holds at most
 * IPC_LINK_STATS_MAX of them: a server has a linkd per listen address
 * with a session per peer and link, and the parent leaves out what is
 * beyond (a peer's link seen by two listeners). */
#define IPC_LINK_STATS_MAX	(BONDD_MAX_LINKS * BONDD_MAX_PEERS)
struct ipc_link_stats {
	char		link[BONDD_NAME_MAX];	/* linkd name (client link) */
	char		peer[BONDD_PEER_NAME_MAX]; /* "" if none yet */
	uint32_t	link_id;	/* the client's link index */
	uint32_t	state;		/* enum session_state */
	uint32_t	admin_down;
	struct sockaddr_storage endpoint;	/* ss_family 0 = unknown */
	uint64_t	tx_packets, tx_bytes;
	uint64_t	rx_packets, rx_bytes;
	int64_t		last_handshake_ms;	/* age, -1 = never */
	uint64_t	handshakes;
	uint64_t	auth_fail;	/* AEAD or handshake failures */
	uint64_t	replay_drop;
	uint64_t	malformed;	/* bad length, type, version */
	uint64_t	send_errors;
	uint32_t	rtt_us;		/* srtt, 0 = unknown */
	uint32_t	rttvar_us;
	uint32_t	jitter_us;
	uint32_t	link_state;	/* enum link_state (linkinfo.h) */
	uint32_t	loss_tx_ppm;	/* send loss (the peer measured) */
	uint32_t	loss_rx_ppm;	/* receive loss (measured here) */
	uint64_t	rate_tx_bps;	/* what we send now, last second */
	uint64_t	rate_rx_bps;	/* what we receive now */
	uint64_t	rate_max_bps;	/* capacity used by the scheduler
					   (configured or measured), 0 = ? */
	uint64_t	probes_tx, probes_rx;
	uint64_t	core_dropped;	/* frames from the core it refused */
	/* Our send direction: its configured rate, 0 = none; the
	 * capacity measured on it, 0 = none yet; the standing queue at
	 * its bottleneck, IPC_QUEUE_UNKNOWN before it is measured. */
	uint64_t	rate_cfg_bps;
	uint64_t	rate_est_bps;
	uint32_t	queue_us;
	uint32_t	pad;
	uint64_t	rate_probes;	/* capacity probes started */
};
#define IPC_QUEUE_UNKNOWN	UINT32_MAX

/* IPC_CORE_STATS: the core's figures of one link id.  A server has a
 * link id per client link: its figures are summed over the peers (the
 * queue is the longest of them). */
struct ipc_core_link {
	uint64_t	pacing_bps;	/* its rate of departures, 0 = it
					   carries nothing now */
	uint32_t	queue_us;	/* our send queue on it: the delay at
					   the tunnel's entrance */
	uint32_t	pad;
	uint64_t	resent;		/* frames sent again on it: asked
					   for, or on a link that failed */
	/* Received on it, as the reorder buffer saw them: */
	uint64_t	rx_frames;	/* data frames */
	uint64_t	rx_dup;		/* duplicates */
	uint64_t	rx_spurious;	/* duplicates of a resend: the peer
					   resent what was not lost */
	uint64_t	rx_lost;	/* frames it lost (a later one on it
					   named them) */
};

/* IPC_CORE_STATS: one peer the core has buffers for. */
struct ipc_core_peer {
	char		name[BONDD_PEER_NAME_MAX];
	uint32_t	fec_n, fec_k;	/* the code of the blocks we send:
					   data and parity frames, 0 = off */
	uint64_t	fec_parity;	/* parity frames sent */
	uint64_t	fec_skipped;	/* parity not sent: no room */
	uint64_t	fec_recovered;	/* rebuilt from its parity */
	uint32_t	reorder_cur;	/* frames held now */
	uint32_t	reorder_hold_us; /* the wait of a hole nobody named */
	uint64_t	reorder_early;	/* written ahead of another flow's
					   hole */
	/* Holes in its frames asked for (NACK): first because a later
	 * frame on their link named them lost, or because they were
	 * overdue on every link; again when the resend was overdue. */
	uint64_t	asked_named, asked_due, asked_again;
};

/* IPC_CORE_STATS */
struct ipc_core_stats {
	uint64_t	tun_rx_packets, tun_rx_bytes;	/* read from TUN */
	uint64_t	tun_tx_packets, tun_tx_bytes;	/* written to TUN */
	uint64_t	no_route;	/* no peer or no live link */
	uint64_t	bad_source;	/* inner source not in allowed_ips */
	uint64_t	malformed;	/* bad frames from linkd */
	uint64_t	too_big;	/* answered with ICMP too big */
	uint64_t	queue_full;
	/* bonding */
	uint64_t	reorder_held;	/* frames that waited for a gap */
	uint64_t	reorder_late;	/* arrived after their gap was skipped */
	uint64_t	reorder_dup;	/* duplicates dropped */
	uint64_t	reorder_lost;	/* sequence numbers given up */
	uint32_t	reorder_hold_us; /* current hold time (max over peers) */
	uint32_t	reorder_cur;	/* frames held now */
	uint64_t	nack_tx, nack_rx;	/* sequence numbers asked, asked of us */
	uint64_t	nack_ignored;	/* asked of us again too soon, or over
					   the resend bounds (retx.h) */
	uint64_t	resent;		/* frames sent again after a NACK */
	uint64_t	failover_resent; /* in flight on a link that failed */
	uint64_t	rt_duplicated;	/* realtime frames sent twice */
	uint64_t	aggregated;	/* packets that shared a frame */
	uint64_t	frames_tx;	/* frames handed to linkd */
	uint64_t	fec_parity;	/* parity frames sent */
	uint64_t	fec_skipped;	/* parity frames not sent: no room */
	uint64_t	fec_recovered;	/* frames rebuilt from parity */
	uint64_t	reorder_early;	/* written ahead of another flow's hole */
	uint64_t	pace_rounds;	/* times paced frames left */
	uint64_t	paced_frames;	/* frames that left in them */
	uint64_t	claims_refused;	/* a linkd spoke for a link or
					   session it does not own */
	struct ipc_core_link link[BONDD_MAX_LINKS];	/* by link id */
	uint32_t	npeers;		/* entries of peer[] in use */
	uint32_t	pad;
	struct ipc_core_peer peer[BONDD_MAX_PEERS];
};

/*
 * IPC_PEER_ENDPOINT: in a snapshot, after IPC_CORE_STATS, when the
 * client's peer.endpoint is a DNS name: what the parent's resolver
 * knows of it.
 */
struct ipc_peer_endpoint {
	char		peer[BONDD_PEER_NAME_MAX];
	char		name[CONF_HOST_MAX];	/* as configured */
	uint32_t	port;
	/* the preferred address of the last lookup that found one,
	 * ss_family 0 = none yet */
	struct sockaddr_storage address;
	uint32_t	failures;	/* lookups failed since the last good */
	uint32_t	retry_s;	/* next lookup in, 0 = none planned */
	char		error[64];	/* why the last lookup failed, or "" */
};

/* IPC_LINK_ADMIN: hdr.id = linkd instance. */
struct ipc_link_admin {
	uint32_t	down;		/* 1 = taken out of service */
};

/* IPC_LINK_CARRIER: the parent saw the link's device change (netlink);
 * hdr.id = linkd instance.  Down acts at once, without waiting for
 * probes to time out. */
struct ipc_link_carrier {
	uint32_t	up;		/* 0 = device down or gone */
};

#endif /* MESSAGES_H */
