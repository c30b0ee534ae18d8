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
 * The parsed configuration (bondd.yaml(5)).  Only the parent parses the
 * file; children receive the slices they need as IPC messages
 * (include/messages.h).
 */

#ifndef CONFIG_H
#define CONFIG_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bondd.h"

enum conf_role {
	ROLE_CLIENT = 0,
	ROLE_SERVER
};

enum conf_strategy {
	STRATEGY_EARLIEST_ARRIVAL = 0,
	STRATEGY_WEIGHTED,
	STRATEGY_TIERED_FILL,
	STRATEGY_ROUND_ROBIN,
	STRATEGY_SINGLE_BEST
};

enum conf_fec_mode {
	FEC_OFF = 0,
	FEC_ADAPTIVE,
	FEC_FIXED
};

/* A DNS name, 253 characters and the NUL. */
#define CONF_HOST_MAX		254
/* tunnel.routes */
#define CONF_MAX_ROUTES		64

struct conf_prefix {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		plen;
	uint8_t		addr[16];	/* network order; v4 in first 4 */
};

struct conf_link {
	char		name[BONDD_NAME_MAX];
	char		device[BONDD_NAME_MAX];	/* "" = not bound */
	struct sockaddr_storage source;		/* ss_family 0 = any */
	uint16_t	port;		/* local port, 0 = ephemeral */
	uint32_t	fwmark;		/* 0 = none */
	uint64_t	up_bps;		/* 0 = unknown */
	uint64_t	down_bps;
	uint32_t	priority;	/* tier, 1 = first */
	uint64_t	quota_bytes;	/* tiered_fill quota, 0 = none */
	bool		backup;
	uint32_t	mtu;		/* link MTU, 0 = from device or 1500 */
	struct sockaddr_storage endpoint; /* ss_family 0 = peer endpoint */
};

/*
 * A key file as the parent read it.  After start the parent runs as
 * the unprivileged user and cannot read a root-only key again: a
 * reload keeps the key it holds while its file is still this one.
 */
struct conf_fileid {
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec	mtime;
	struct timespec	ctime;
};

struct conf_peer {
	char		name[BONDD_PEER_NAME_MAX];
	uint8_t		public_key[BONDD_KEY_LEN];
	uint8_t		psk[BONDD_KEY_LEN];
	bool		has_psk;
	char		psk_file[PATH_MAX];	/* "" = no psk */
	struct conf_fileid psk_id;
	struct sockaddr_storage endpoint;	/* client only */
	/* client: a DNS name the parent resolves, "" = endpoint is an
	 * address (then endpoint_port is 0) */
	char		endpoint_name[CONF_HOST_MAX];
	uint16_t	endpoint_port;
	struct conf_prefix allowed[BONDD_MAX_ALLOWED];
	int		nallowed;
};

struct config {
	char		file[PATH_MAX];		/* as given with -f */
	enum conf_role	role;

	/* tunnel */
	char		tun_name[BONDD_NAME_MAX];
	struct conf_prefix tun_addr[4];		/* v4 and/or v6 */
	int		ntun_addr;
	uint32_t	tun_mtu;		/* 0 = auto */
	uint32_t	tun_txqueuelen;
	/* routed into the tunnel (bondd/routes.h) */
	struct conf_prefix routes[CONF_MAX_ROUTES];
	int		nroutes;
	bool		persist;		/* device outlives bondd */
	bool		tun_offload;		/* TSO/GRO on the device */

	/* identity */
	char		private_key_file[PATH_MAX];
	uint8_t		private_key[BONDD_KEY_LEN];	/* loaded by parent */
	struct conf_fileid private_key_id;
	char		user[64];		/* default BONDD_USER */

	/* client: the server; server: the sites it serves */
	struct conf_peer peers[BONDD_MAX_PEERS];
	int		npeers;			/* client: exactly 1 */

	/* client links; a server has one implicit link per listen addr */
	struct conf_link links[BONDD_MAX_LINKS];
	int		nlinks;
	struct sockaddr_storage listen[BONDD_MAX_LISTEN];
	int		nlisten;

	/* sessions and probing (seconds or milliseconds as named) */
	uint32_t	keepalive_s;		/* default 25 */
	uint32_t	rekey_s;		/* default 120 */
	bool		udp_offload;		/* linkd: UDP GSO, default on */
	uint32_t	probe_interval_ms;	/* default 100 */
	uint32_t	down_after_ms;		/* default 300, floor 3xRTT */
	uint32_t	lossy_ppm;		/* default 50000 (5 %) */
	uint32_t	recover_probes;		/* default 5 */

	/* scheduler and reorder */
	enum conf_strategy strategy;
	uint32_t	reorder_max_ms;		/* hold ceiling, default 100 */
	uint32_t	bulk_rtt_pct;		/* slow link: srtt over this % of
						   the median, 0 = off */
	uint32_t	bulk_max_rtt_ms;	/* or over this, 0 = off */
	bool		mss_clamp;

	/* realtime traffic */
	uint16_t	rt_udp_ports[16];
	int		nrt_udp_ports;
	uint16_t	rt_tcp_ports[16];
	int		nrt_tcp_ports;
	bool		rt_duplicate;

	enum conf_fec_mode fec_mode;

	/* control */
	char		ctl_socket[108];
	char		ctl_group[64];		/* "" = primary group of root */
	struct sockaddr_storage metrics;	/* ss_family 0 = off */

	/* log */
	uint32_t	log_status_s;		/* status lines, 0 = none */
};

#define CONF_STATUS_INTERVAL_MAX	86400	/* log.status_interval, s */

/*
 * Parse a file into conf.  On error returns -1 and writes one line
 * "file:line:column: message" into err.  Loading the private key file
 * is part of parsing (the parent is root when it first parses).  The
 * file and the key files must belong to root, or to the user running
 * bondd -n when that is not root (conf_file_check()).
 */
int	 parse_config(const char *, struct config *, char *, size_t);
/*
 * The same for a reload by the parent, which no longer runs as root: a
 * key file that is still the one running read keeps running's key
 * without being read (conf_key_file()); only root may own the files.
 */
int	 parse_config_reload(const char *, struct config *,
	    const struct config *, char *, size_t);
/* Write the canonical YAML form (bondd -n). */
void	 print_config(const struct config *, FILE *);
void	 config_defaults(struct config *);

const char *conf_strategy_name(enum conf_strategy);
const char *conf_role_name(enum conf_role);
const char *conf_fec_name(enum conf_fec_mode);

/*
 * Value syntax shared by the parser and the printer (common/config.c).
 * Rates are bits per second ("1.5mbit", "40mbit", "800kbit", plain
 * integers), sizes are bytes ("500MB", "10GB", "2GiB"); both 0 or -1.
 */
#define CONF_RATE_MIN	1000ULL			/* 1kbit */
#define CONF_RATE_MAX	100000000000ULL		/* 100gbit */
#define CONF_SIZE_MIN	1ULL
#define CONF_SIZE_MAX	1000000000000000000ULL	/* 1000PB */

int	 conf_strategy_parse(const char *, enum conf_strategy *);
int	 conf_fec_parse(const char *, enum conf_fec_mode *);
int	 conf_rate_parse(const char *, uint64_t *);
void	 conf_rate_fmt(uint64_t, char *, size_t);
int	 conf_size_parse(const char *, uint64_t *);
void	 conf_size_fmt(uint64_t, char *, size_t);
/* Interface, link and peer names: 1..max-1 of [A-Za-z0-9_.-]. */
int	 conf_name_valid(const char *, size_t);

/*
 * The permission model of the files bondd reads.  The configuration
 * must be a regular file that group and others cannot write; a key
 * file a regular file, not a symbolic link, that group and others can
 * neither read nor write.  Both must belong to root, or to the uid
 * owner (bondd -n run by another user; (uid_t)-1: none).  Returns 0,
 * or -1 with the reason in why, worded to follow the file's name.
 */
enum conf_file_kind {
	CONF_FILE_CONFIG,
	CONF_FILE_KEY
};
int	 conf_file_check(const struct stat *, enum conf_file_kind, uid_t,
	    char *, size_t);
/*
 * Load a base64 key file that passes conf_file_check(), opened without
 * following a symbolic link, and note what it was in id.  For a reload
 * (running not NULL) a file that is still one running read keeps
 * running's key without being opened; a changed one is read if the
 * unprivileged parent can.  0, or -1 with the message in why.
 */
int	 conf_key_file(const char *, const struct config *,
	    uint8_t[BONDD_KEY_LEN], struct conf_fileid *, char *, size_t);
/*
 * peer.endpoint: "ADDRESS:PORT", "[IPv6]:PORT" or an address alone
 * (default_port) fill ss and leave name ""; "NAME:PORT" or "NAME" fill
 * name and port and zero ss.  0 or -1.
 */
int	 conf_endpoint_parse(const char *, uint16_t default_port,
	    struct sockaddr_storage *, char *name, size_t, uint16_t *port);
/* A DNS name: labels of 1..63 [A-Za-z0-9_-], not starting or ending
 * with '-', 253 characters at most, the last label not all digits
 * (that would be a mistyped address).  A final dot is allowed. */
int	 conf_host_valid(const char *);

#endif /* CONFIG_H */
