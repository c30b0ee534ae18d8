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
 * Hand-built rtnetlink requests for configuring the tunnel device, its
 * routing table and the rules that consult it.  Runs in the parent with
 * CAP_NET_ADMIN; it reads the kernel's acknowledgements and listings,
 * never anything from the network, and checks every length it reads.
 * Hand-written rather than libmnl: five small requests and three
 * listings, on the framing helpers the file already had.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"

#define NL_BUFSIZE	1024
#define NL_DUMPSIZE	32768	/* a dump part is at most a page or 32 KB */
#define NL_DUMP_TRIES	3	/* a dump the kernel interrupted is redone */
#define NL_METRIC_WORST	0xffffffffU

/* One message of a dump, of the type asked for; -1 stops the dump. */
typedef int	(*nl_dump_cb)(const struct nlmsghdr *, void *);

struct nl_req {
	struct nlmsghdr	*hdr;
	size_t		 size;
	char		 buf[NL_BUFSIZE];
};

static uint32_t	nl_seq;

static void	*nl_init(struct nl_req *, uint16_t, uint16_t, size_t);
static int	 nl_attr(struct nl_req *, uint16_t, const void *, size_t);
static int	 nl_talk(int, struct nl_req *);
static int	 nl_talk_ok(int, struct nl_req *, int);
static int	 nl_dump(int, struct nl_req *, nl_dump_cb, void *);
static int	 nl_attrs(const struct nlmsghdr *, size_t,
		    const struct rtattr **, int);

/*
 * A netlink socket also takes unicasts from any local process, which
 * must not speak for the kernel: a forged acknowledgement, listing or
 * "device gone".  Only nl_pid 0 is the kernel.
 */
ssize_t
nl_recv(int fd, void *buf, size_t len, int flags)
{
	struct sockaddr_nl	from;
	socklen_t		flen;
	ssize_t			n;

	for (;;) {
		flen = sizeof(from);
		memset(&from, 0, sizeof(from));
		if ((n = recvfrom(fd, buf, len, flags,
		    (struct sockaddr *)&from, &flen)) == -1)
			return -1;
		if (flen >= sizeof(from) && from.nl_family == AF_NETLINK &&
		    from.nl_pid == 0)
			return n;
		log_warnx("netlink: a message from port %u, not the kernel, "
		    "dropped", from.nl_pid);
	}
}

int
nl_open(void)
{
	struct sockaddr_nl	sa;
	int			fd, one = 1;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	/* Dumps filtered by the kernel where it can (Linux 4.20); the
	 * listings filter again, for older kernels. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
	    sizeof(one));
	return fd;
}

int
nl_addr_add(int fd, unsigned int ifindex, const struct conf_prefix *p)
{
	struct nl_req		 req;
	struct ifaddrmsg	*ifa;
	size_t			 alen;
	uint32_t		 flags = 0;

	if (p->family == AF_INET)
		alen = 4;
	else if (p->family == AF_INET6)
		alen = 16;
	else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	ifa = nl_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
	    sizeof(*ifa));
	ifa->ifa_family = p->family;
	ifa->ifa_prefixlen = p->plen;
	ifa->ifa_index = ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	if (p->family == AF_INET6) {
		/* Usable at once: nothing else can hold our address. */
		flags = IFA_F_NODAD;
		ifa->ifa_flags = IFA_F_NODAD;
	}
	if (nl_attr(&req, IFA_LOCAL, p->addr, alen) == -1 ||
	    nl_attr(&req, IFA_ADDRESS, p->addr, alen) == -1 ||
	    nl_attr(&req, IFA_FLAGS, &flags, sizeof(flags)) == -1)
		return -1;
	if (nl_talk(fd, &req) == -1) {
		if (errno == EEXIST)
			return 0;
		return -1;
	}
	return 0;
}

int
nl_link_set(int fd, unsigned int ifindex, uint32_t mtu,
    uint32_t txqueuelen, int up)
{
	struct nl_req		 req;
	struct ifinfomsg	*ifi;

	ifi = nl_init(&req, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	if (mtu != 0 && nl_attr(&req, IFLA_MTU, &mtu, sizeof(mtu)) == -1)
		return -1;
	if (txqueuelen != 0 && nl_attr(&req, IFLA_TXQLEN, &txqueuelen,
	    sizeof(txqueuelen)) == -1)
		return -1;
	return nl_talk(fd, &req);
}

/* Start a request: header plus the family header of size len. */
static void *
nl_init(struct nl_req *req, uint16_t type, uint16_t flags, size_t len)
{
	memset(req, 0, sizeof(*req));
	req->hdr = (struct nlmsghdr *)req->buf;
	req->hdr->nlmsg_type = type;
	req->hdr->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	req->hdr->nlmsg_seq = ++nl_seq;
	req->hdr->nlmsg_len = NLMSG_LENGTH(len);
	req->size = NLMSG_ALIGN(req->hdr->nlmsg_len);
	return NLMSG_DATA(req->hdr);
}

static int
nl_attr(struct nl_req *req, uint16_t type, const void *data, size_t len)
{
	struct rtattr	*rta;

	if (req->size + RTA_SPACE(len) > sizeof(req->buf)) {
		errno = EMSGSIZE;
		return -1;
	}
	rta = (struct rtattr *)(req->buf + req->size);
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->size += RTA_SPACE(len);
	req->hdr->nlmsg_len = req->size;
	return 0;
}

/* Send the request and wait for its acknowledgement. */
static int
nl_talk(int fd, struct nl_req *req)
{
	struct sockaddr_nl	 sa;
	struct nlmsghdr		*h;
	struct nlmsgerr		*err;
	char			 buf[NL_BUFSIZE];
	ssize_t			 n;
	size_t			 len;

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(fd, req->buf, req->size, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) != (ssize_t)req->size)
		return -1;
	for (;;) {
		if ((n = nl_recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len = n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		    h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != req->hdr->nlmsg_seq ||
			    h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*err))) {
				errno = EBADMSG;
				return -1;
			}
			err = NLMSG_DATA(h);
			if (err->error == 0)
				return 0;
			errno = -err->error;
			return -1;
		}
	}
}

/* nl_talk(), where the errno ok means it was done already. */
static int
nl_talk_ok(int fd, struct nl_req *req, int ok)
{
	if (nl_talk(fd, req) == -1 && errno != ok)
		return -1;
	return 0;
}

/*
 * Index the attributes after a family header of hlen bytes into
 * tb[0..max] (later ones win; unknown types are skipped).  -1 if the
 * message is too short for the header.
 */
static int
nl_attrs(const struct nlmsghdr *h, size_t hlen, const struct rtattr **tb,
    int max)
{
	const struct rtattr	*rta;
	size_t			 len;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (h->nlmsg_len < NLMSG_LENGTH(hlen))
		return -1;
	len = h->nlmsg_len - NLMSG_LENGTH(hlen);
	rta = (const struct rtattr *)((const char *)NLMSG_DATA(h) +
	    NLMSG_ALIGN(hlen));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type <= max)
			tb[rta->rta_type] = rta;
	return 0;
}

/* The attribute as a u32, or def if absent or of another size. */
static uint32_t
nl_u32(const struct rtattr *rta, uint32_t def)
{
	uint32_t	v;

	if (rta == NULL || RTA_PAYLOAD(rta) != sizeof(v))
		return def;
	memcpy(&v, RTA_DATA(rta), sizeof(v));
	return v;
}

/* An address attribute of the family into addr (16 bytes). */
static int
nl_addr(const struct rtattr *rta, int family, uint8_t *addr)
{
	size_t	alen = family == AF_INET ? 4 : 16;

	memset(addr, 0, 16);
	if (rta == NULL)
		return -1;
	if (RTA_PAYLOAD(rta) != alen)
		return -1;
	memcpy(addr, RTA_DATA(rta), alen);
	return 0;
}

/* Send the dump request req (made by nl_init() with NLM_F_DUMP) and
 * hand each message of the answer to cb. */
static int
nl_dump(int fd, struct nl_req *req, nl_dump_cb cb, void *arg)
{
	static uint32_t		 buf[NL_DUMPSIZE / sizeof(uint32_t)];
	struct sockaddr_nl	 sa;
	struct nlmsghdr		*h;
	struct nlmsgerr		*err;
	ssize_t			 n;
	size_t			 len;
	int			 tries, intr;

	req->hdr->nlmsg_flags &= ~NLM_F_ACK;
	for (tries = 0; tries < NL_DUMP_TRIES; tries++) {
		req->hdr->nlmsg_seq = ++nl_seq;
		memset(&sa, 0, sizeof(sa));
		sa.nl_family = AF_NETLINK;
		if (sendto(fd, req->buf, req->size, 0, (struct sockaddr *)&sa,
		    sizeof(sa)) != (ssize_t)req->size)
			return -1;
		intr = 0;
		for (;;) {
			if ((n = nl_recv(fd, buf, sizeof(buf),
			    MSG_TRUNC)) == -1) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			if ((size_t)n > sizeof(buf)) {
				errno = EMSGSIZE;
				return -1;
			}
			len = n;
			for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
			    h = NLMSG_NEXT(h, len)) {
				if (h->nlmsg_seq != req->hdr->nlmsg_seq)
					continue;
				if (h->nlmsg_flags & NLM_F_DUMP_INTR)
					intr = 1;
				if (h->nlmsg_type == NLMSG_DONE)
					goto done;
				if (h->nlmsg_type == NLMSG_ERROR) {
					err = NLMSG_DATA(h);
					if (h->nlmsg_len <
					    NLMSG_LENGTH(sizeof(*err)))
						errno = EBADMSG;
					else
						errno = -err->error;
					return -1;
				}
				if (!intr && cb(h, arg) == -1)
					return -1;
			}
		}
 done:
		if (!intr)
			return 0;
	}
	errno = EAGAIN;
	return -1;
}

int
nl_addr_del(int fd, unsigned int ifindex, const struct conf_prefix *p)
{
	struct nl_req		 req;
	struct ifaddrmsg	*ifa;
	size_t			 alen = p->family == AF_INET ? 4 : 16;

	ifa = nl_init(&req, RTM_DELADDR, 0, sizeof(*ifa));
	ifa->ifa_family = p->family;
	ifa->ifa_prefixlen = p->plen;
	ifa->ifa_index = ifindex;
	if (nl_attr(&req, IFA_LOCAL, p->addr, alen) == -1 ||
	    nl_attr(&req, IFA_ADDRESS, p->addr, alen) == -1)
		return -1;
	if (nl_talk(fd, &req) == -1 && errno != EADDRNOTAVAIL &&
	    errno != ENOENT)
		return -1;
	return 0;
}

struct addr_list {
	unsigned int		 ifindex;
	struct conf_prefix	*out;
	int			 max, n;
};

static int
addr_list_cb(const struct nlmsghdr *h, void *arg)
{
	struct addr_list	*al = arg;
	const struct rtattr	*tb[IFA_MAX + 1];
	const struct ifaddrmsg	*ifa = NLMSG_DATA(h);
	struct conf_prefix	 p;

	if (h->nlmsg_type != RTM_NEWADDR ||
	    nl_attrs(h, sizeof(*ifa), tb, IFA_MAX) == -1)
		return 0;
	if (ifa->ifa_index != al->ifindex ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	memset(&p, 0, sizeof(p));
	p.family = ifa->ifa_family;
	p.plen = ifa->ifa_prefixlen;
	/* IFA_LOCAL is ours; IFA_ADDRESS the peer's on a point to point
	 * link (IPv6 sends only IFA_ADDRESS). */
	if (nl_addr(tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS],
	    p.family, p.addr) == -1)
		return 0;
	if (al->n < al->max)
		al->out[al->n++] = p;
	return 0;
}

int
nl_addr_list(int fd, unsigned int ifindex, struct conf_prefix *out, int max)
{
	struct nl_req		 req;
	struct ifaddrmsg	*ifa;
	struct addr_list	 al = { ifindex, out, max, 0 };

	ifa = nl_init(&req, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	ifa->ifa_index = ifindex;
	if (nl_dump(fd, &req, addr_list_cb, &al) == -1)
		return -1;
	return al.n;
}

int
nl_route_change(int fd, int add, uint8_t proto, unsigned int ifindex,
    const struct nl_route *r)
{
	struct nl_req	 req;
	struct rtmsg	*rtm;
	uint32_t	 metric = r->blackhole ? NL_METRIC_WORST : 0;
	uint32_t	 table = r->table;

	rtm = nl_init(&req, add ? RTM_NEWROUTE : RTM_DELROUTE,
	    add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*rtm));
	rtm->rtm_family = r->dst.family;
	rtm->rtm_dst_len = r->dst.plen;
	rtm->rtm_table = table < 256 ? table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = proto;
	rtm->rtm_scope = r->blackhole ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = r->blackhole ? RTN_BLACKHOLE : RTN_UNICAST;
	if (nl_attr(&req, RTA_TABLE, &table, sizeof(table)) == -1 ||
	    nl_attr(&req, RTA_DST, r->dst.addr, r->dst.family == AF_INET ?
	    4 : 16) == -1 ||
	    nl_attr(&req, RTA_PRIORITY, &metric, sizeof(metric)) == -1 ||
	    (!r->blackhole && nl_attr(&req, RTA_OIF, &ifindex,
	    sizeof(ifindex)) == -1))
		return -1;
	return nl_talk_ok(fd, &req, add ? EEXIST : ESRCH);
}

struct route_list {
	int			 family;
	uint32_t		 table;
	uint8_t			 proto;
	unsigned int		 ifindex;
	struct nl_route		*out;
	int			 max, n;
};

static int
route_list_cb(const struct nlmsghdr *h, void *arg)
{
	struct route_list	*rl = arg;
	const struct rtattr	*tb[RTA_MAX + 1];
	const struct rtmsg	*rtm = NLMSG_DATA(h);
	struct nl_route		 r;

	if (h->nlmsg_type != RTM_NEWROUTE ||
	    nl_attrs(h, sizeof(*rtm), tb, RTA_MAX) == -1)
		return 0;
	if (rtm->rtm_family != rl->family ||
	    nl_u32(tb[RTA_TABLE], rtm->rtm_table) != rl->table ||
	    rtm->rtm_protocol != rl->proto ||
	    (rtm->rtm_flags & RTM_F_CLONED) ||
	    rtm->rtm_dst_len > (rl->family == AF_INET ? 32 : 128))
		return 0;
	memset(&r, 0, sizeof(r));
	if (rtm->rtm_type == RTN_BLACKHOLE)
		r.blackhole = 1;
	else if (rtm->rtm_type != RTN_UNICAST || rl->ifindex == 0 ||
	    nl_u32(tb[RTA_OIF], 0) != rl->ifindex)
		return 0;
	r.table = rl->table;
	r.dst.family = rl->family;
	r.dst.plen = rtm->rtm_dst_len;
	if (tb[RTA_DST] != NULL && nl_addr(tb[RTA_DST], rl->family,
	    r.dst.addr) == -1)
		return 0;
	if (rl->n < rl->max)
		rl->out[rl->n++] = r;
	return 0;
}

int
nl_route_list(int fd, int family, uint32_t table, uint8_t proto,
    unsigned int ifindex, struct nl_route *out, int max)
{
	struct nl_req		 req;
	struct rtmsg		*rtm;
	struct route_list	 rl = { family, table, proto, ifindex, out, max,
				    0 };

	rtm = nl_init(&req, RTM_GETROUTE, NLM_F_DUMP, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_protocol = proto;
	if (nl_attr(&req, RTA_TABLE, &table, sizeof(table)) == -1)
		return -1;
	if (nl_dump(fd, &req, route_list_cb, &rl) == -1) {
		/* A strict kernel: that table does not exist yet. */
		if (errno == ENOENT)
			return 0;
		return -1;
	}
	return rl.n;
}

int
nl_rule_change(int fd, int add, const struct nl_rule *r)
{
	struct nl_req			 req;
	struct fib_rule_hdr		*frh;
	struct fib_rule_uid_range	 uid;
	uint32_t			 supp = (uint32_t)r->suppress_plen;

	frh = nl_init(&req, add ? RTM_NEWRULE : RTM_DELRULE,
	    add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*frh));
	frh->family = r->family;
	frh->table = r->table < 256 ? r->table : RT_TABLE_UNSPEC;
	frh->action = FR_ACT_TO_TBL;
	frh->flags = r->invert ? FIB_RULE_INVERT : 0;
	uid.start = uid.end = r->uid;
	if (nl_attr(&req, FRA_PRIORITY, &r->prio, sizeof(r->prio)) == -1 ||
	    nl_attr(&req, FRA_TABLE, &r->table, sizeof(r->table)) == -1 ||
	    (r->suppress_plen >= 0 && nl_attr(&req, FRA_SUPPRESS_PREFIXLEN,
	    &supp, sizeof(supp)) == -1) ||
	    (r->has_uid && nl_attr(&req, FRA_UID_RANGE, &uid,
	    sizeof(uid)) == -1))
		return -1;
	return nl_talk_ok(fd, &req, add ? EEXIST : ENOENT);
}

struct rule_list {
	int			 family;
	uint32_t		 lo, hi;
	struct nl_rule		*out;
	int			 max, n;
};

static int
rule_list_cb(const struct nlmsghdr *h, void *arg)
{
	struct rule_list		*rl = arg;
	const struct rtattr		*tb[FRA_MAX + 1];
	const struct fib_rule_hdr	*frh = NLMSG_DATA(h);
	struct fib_rule_uid_range	 uid;
	struct nl_rule			 r;
	int				 i;

	if (h->nlmsg_type != RTM_NEWRULE ||
	    nl_attrs(h, sizeof(*frh), tb, FRA_MAX) == -1)
		return 0;
	/* Only what struct nl_rule says whole: any other selector makes
	 * it someone else's rule. */
	if (frh->family != rl->family || frh->action != FR_ACT_TO_TBL ||
	    frh->dst_len != 0 || frh->src_len != 0 || frh->tos != 0)
		return 0;
	for (i = 0; i <= FRA_MAX; i++)
		if (tb[i] != NULL && i != FRA_PRIORITY && i != FRA_TABLE &&
		    i != FRA_SUPPRESS_PREFIXLEN && i != FRA_UID_RANGE &&
		    i != FRA_PROTOCOL)
			return 0;
	memset(&r, 0, sizeof(r));
	r.family = frh->family;
	r.prio = nl_u32(tb[FRA_PRIORITY], 0);
	r.table = nl_u32(tb[FRA_TABLE], frh->table);
	r.suppress_plen = (int32_t)nl_u32(tb[FRA_SUPPRESS_PREFIXLEN],
	    0xffffffffU);
	r.invert = (frh->flags & FIB_RULE_INVERT) != 0;
	if (tb[FRA_UID_RANGE] != NULL) {
		if (RTA_PAYLOAD(tb[FRA_UID_RANGE]) != sizeof(uid))
			return 0;
		memcpy(&uid, RTA_DATA(tb[FRA_UID_RANGE]), sizeof(uid));
		if (uid.start != uid.end)
			return 0;
		r.has_uid = 1;
		r.uid = uid.start;
	}
	if (r.prio < rl->lo || r.prio > rl->hi)
		return 0;
	if (rl->n < rl->max)
		rl->out[rl->n++] = r;
	return 0;
}

int
nl_rule_list(int fd, int family, uint32_t lo, uint32_t hi,
    struct nl_rule *out, int max)
{
	struct nl_req		 req;
	struct fib_rule_hdr	*frh;
	struct rule_list	 rl = { family, lo, hi, out, max, 0 };

	frh = nl_init(&req, RTM_GETRULE, NLM_F_DUMP, sizeof(*frh));
	frh->family = family;
	if (nl_dump(fd, &req, rule_list_cb, &rl) == -1)
		return -1;
	return rl.n;
}
