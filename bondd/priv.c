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
 * The parent's privileged operations: the TUN device, its addresses
 * and link settings, the UDP sockets of links and listeners, and the
 * control socket.  Runs in the parent (root at start, CAP_NET_ADMIN
 * after); its inputs are the validated configuration only.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "netlink.h"
#include "priv.h"
#include "routes.h"
#include "util.h"

#define TUN_DEVICE	"/dev/net/tun"
#define PRIV_SOCKBUF	(4 * 1024 * 1024)
#define CTL_BACKLOG	16

static int	priv_udp_socket(int, const char *, uint32_t,
		    const struct sockaddr_storage *);
static void	priv_sockbuf(int, int, int, const char *);
static int	priv_mkdirs(const char *);

int
priv_tun_open(const char *name, int vnet_hdr)
{
	struct ifreq	ifr;
	int		fd, saved;

	if (strlen(name) >= sizeof(ifr.ifr_name)) {
		log_warnx("tun %s: name too long", name);
		errno = EINVAL;
		return -1;
	}
	if ((fd = open(TUN_DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		log_warn("open %s", TUN_DEVICE);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, sizeof(ifr.ifr_name) - 1);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		saved = errno;
		if (saved == EBUSY)
			log_warnx("tun %s: device busy (another bondd "
			    "running?)", name);
		else
			log_warn("tun %s: TUNSETIFF", name);
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
priv_tun_offload(int fd, unsigned int flags)
{
	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags);
}

int
priv_tun_persist(int fd, const char *name, int persist, uid_t owner)
{
	if (persist && ioctl(fd, TUNSETOWNER, (unsigned long)owner) == -1) {
		log_warn("tun %s: TUNSETOWNER", name);
		return -1;
	}
	if (ioctl(fd, TUNSETPERSIST, (unsigned long)(persist != 0)) == -1) {
		log_warn("tun %s: TUNSETPERSIST", name);
		return -1;
	}
	return 0;
}

int
priv_tun_destroy(const char *name)
{
	int	fd, saved;

	if (if_nametoindex(name) == 0)
		return 0;
	if ((fd = priv_tun_open(name, 0)) == -1)
		return -1;
	/* Not persistent any more: it goes with this last fd. */
	if (ioctl(fd, TUNSETPERSIST, 0UL) == -1) {
		saved = errno;
		log_warn("tun %s: TUNSETPERSIST", name);
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 1;
}

/* Remove the global addresses of the device that are not in addrs. */
static int
priv_tun_stale_addrs(int fd, const char *name, unsigned int ifindex,
    const struct conf_prefix *addrs, int naddr)
{
	struct conf_prefix	cur[32];
	char			buf[INET6_ADDRSTRLEN + 5];
	int			i, n;

	if ((n = nl_addr_list(fd, ifindex, cur, 32)) == -1) {
		log_warn("tun %s: list addresses", name);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (prefix_in(&cur[i], addrs, naddr))
			continue;
		log_info("tun %s: removing old address %s", name,
		    prefix_fmt(&cur[i], buf, sizeof(buf)));
		if (nl_addr_del(fd, ifindex, &cur[i]) == -1) {
			log_warn("tun %s: remove address %s", name, buf);
			return -1;
		}
	}
	return 0;
}

int
priv_tun_configure(const char *name, const struct conf_prefix *addrs,
    int naddr, uint32_t mtu, uint32_t txqueuelen)
{
	unsigned int	ifindex;
	int		fd, i, saved;

	if ((ifindex = if_nametoindex(name)) == 0) {
		log_warn("tun %s", name);
		return -1;
	}
	if ((fd = nl_open()) == -1) {
		log_warn("tun %s: netlink socket", name);
		return -1;
	}
	/* MTU first: IPv6 refuses a device below 1280 it already uses. */
	if (nl_link_set(fd, ifindex, mtu, txqueuelen, 1) == -1) {
		log_warn("tun %s: set mtu %u, txqueuelen %u, up", name,
		    mtu, txqueuelen);
		goto fail;
	}
	for (i = 0; i < naddr; i++) {
		if (nl_addr_add(fd, ifindex, &addrs[i]) == -1) {
			log_warn("tun %s: add address %d", name, i);
			goto fail;
		}
	}
	if (priv_tun_stale_addrs(fd, name, ifindex, addrs, naddr) == -1)
		goto fail;
	close(fd);
	return 0;
 fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

uint32_t
priv_device_mtu(const char *name)
{
	struct ifreq	ifr;
	int		fd;
	uint32_t	mtu = 0;

	if (strlen(name) >= sizeof(ifr.ifr_name))
		return 0;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return 0;
	}
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, sizeof(ifr.ifr_name) - 1);
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu;
}

int
priv_link_socket(const struct conf_link *link, int family)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	int			 fd;

	if (family != AF_INET && family != AF_INET6) {
		log_warnx("link %s: bad address family %d", link->name,
		    family);
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (link->source.ss_family != 0 && link->source.ss_family != family) {
		log_warnx("link %s: source address family differs from the "
		    "peer's endpoint", link->name);
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* Always bind, even to any address, so the port stays fixed. */
	if (link->source.ss_family != 0)
		memcpy(&ss, &link->source, sizeof(ss));
	else {
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = family;
	}
	if (family == AF_INET)
		sin->sin_port = htons(link->port);
	else
		sin6->sin6_port = htons(link->port);

	if ((fd = priv_udp_socket(family, link->device, link->fwmark,
	    &ss)) == -1)
		log_warn("link %s: socket", link->name);
	return fd;
}

int
priv_listen_socket(const struct sockaddr_storage *ss)
{
	int	fd;

	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6) {
		log_warnx("listen: bad address family %d", ss->ss_family);
		errno = EAFNOSUPPORT;
		return -1;
	}
	if ((fd = priv_udp_socket(ss->ss_family, "", 0, ss)) == -1)
		log_warn("listen socket");
	return fd;
}

int
priv_sock_owner(int fd, uid_t uid)
{
	if (fchown(fd, uid, (gid_t)-1) == -1) {
		log_warn("socket owner %u", (unsigned)uid);
		return -1;
	}
	return 0;
}

/* A UDP socket set up for tunnel traffic; -1 with errno set. */
static int
priv_udp_socket(int family, const char *device, uint32_t mark,
    const struct sockaddr_storage *ss)
{
	socklen_t	slen;
	int		fd, on = 1, pmtu, saved;

	if ((fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_UDP)) == -1)
		return -1;
	if (family == AF_INET6) {
		slen = sizeof(struct sockaddr_in6);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on)) == -1)
			goto fail;
		/* The tunnel does its own sizing: never fragment. */
		pmtu = IPV6_PMTUDISC_DO;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu,
		    sizeof(pmtu)) == -1)
			goto fail;
	} else {
		slen = sizeof(struct sockaddr_in);
		pmtu = IP_PMTUDISC_DO;
		if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		    sizeof(pmtu)) == -1)
			goto fail;
	}
	if (device[0] != '\0' && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE,
	    device, strlen(device)) == -1)
		goto fail;
	if (mark != 0 && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark,
	    sizeof(mark)) == -1)
		goto fail;
	priv_sockbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF, "SO_SNDBUF");
	priv_sockbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF, "SO_RCVBUF");
	if (bind(fd, (const struct sockaddr *)ss, slen) == -1)
		goto fail;
	return fd;
 fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Large buffers absorb bursts; the FORCE variant passes rmem_max. */
static void
priv_sockbuf(int fd, int force, int plain, const char *what)
{
	int	size = PRIV_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof(size)) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, plain, &size, sizeof(size)) == -1)
		log_warn("%s %d", what, size);
}

int
priv_ctl_socket(const char *path, const char *group)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	struct group		*gr = NULL;
	mode_t			 old;
	int			 fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		log_warnx("control socket %s: path too long", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	if (group[0] != '\0' && (gr = getgrnam(group)) == NULL) {
		log_warnx("control socket %s: unknown group %s", path, group);
		errno = ENOENT;
		return -1;
	}
	if (priv_mkdirs(path) == -1)
		return -1;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control socket %s: socket", path);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("control socket %s: exists and is not a "
			    "socket", path);
			errno = EEXIST;
			goto fail;
		}
		/* Non-blocking: a full backlog also means someone is there. */
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
		    errno == EAGAIN) {
			log_warnx("control socket %s: another bondd is "
			    "running", path);
			errno = EADDRINUSE;
			goto fail;
		}
		close(fd);
		if (unlink(path) == -1) {
			log_warn("control socket %s: unlink stale", path);
			return -1;
		}
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) == -1) {
			log_warn("control socket %s: socket", path);
			return -1;
		}
	}

	/* Never wider than 0660, not even between bind and chmod. */
	old = umask(S_IXUSR | S_IRWXO | S_IXGRP);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		umask(old);
		errno = saved;
		log_warn("control socket %s: bind", path);
		goto fail;
	}
	umask(old);
	if (chmod(path, 0660) == -1) {
		log_warn("control socket %s: chmod", path);
		goto fail_unlink;
	}
	if (gr != NULL && chown(path, 0, gr->gr_gid) == -1) {
		log_warn("control socket %s: chown group %s", path, group);
		goto fail_unlink;
	}
	if (listen(fd, CTL_BACKLOG) == -1) {
		log_warn("control socket %s: listen", path);
		goto fail_unlink;
	}
	return fd;
 fail_unlink:
	saved = errno;
	unlink(path);
	errno = saved;
 fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* mkdir -p of the directory holding path, new levels mode 0755. */
static int
priv_mkdirs(const char *path)
{
	char	dir[PATH_MAX], *p;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; p != NULL; ) {
		if ((p = strchr(p, '/')) != NULL)
			*p = '\0';
		if (mkdir(dir, 0755) == 0) {
			/* Whatever the umask: bondctl users must reach it. */
			if (chmod(dir, 0755) == -1) {
				log_warn("chmod %s", dir);
				return -1;
			}
		} else if (errno != EEXIST) {
			log_warn("mkdir %s", dir);
			return -1;
		}
		if (p != NULL)
			*p++ = '/';
	}
	return 0;
}

int
priv_metrics_socket(const struct sockaddr_storage *ss)
{
	char	buf[ADDR_STRLEN];
	int	fd, one = 1;

	if ((fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("metrics socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
	    bind(fd, (const struct sockaddr *)ss, addr_len(ss)) == -1 ||
	    listen(fd, 16) == -1) {
		log_warn("metrics %s", addr_fmt(ss, buf, sizeof(buf)));
		close(fd);
		return -1;
	}
	return fd;
}
