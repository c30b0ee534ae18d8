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
 * Privilege separation: the sandbox every child enters (empty chroot,
 * unprivileged user, no capabilities, rlimits, no new privileges and a
 * seccomp allow-list per role) and the parent's own drop to the user
 * with CAP_NET_ADMIN only.  What each role keeps is in one table,
 * sandbox_roles below.  Runs in every process before it reads
 * untrusted input; the input it trusts is the role and user name the
 * caller passes.  Holds no secrets.
 */

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/udp.h>

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bondd.h"
#include "log.h"
#include "sandbox.h"

#define SANDBOX_DEBUG_ENV	"BONDD_SANDBOX_DEBUG"
#define SANDBOX_DEBUG_EXIT	159

/*
 * The seccomp allow-list is written as a table, one entry per syscall.
 * Most take any arguments; the few that are dangerous with some
 * arguments are allowed only with the ones named here.
 */
enum sc_args {
	SC_ANY,		/* any arguments */
	SC_NOEXEC,	/* mmap, mprotect: prot (arg 2) without PROT_EXEC */
	SC_SELF,	/* tgkill: tgid (arg 0) is our own pid */
	SC_UDP_OFFLOAD	/* get/setsockopt: UDP_SEGMENT or UDP_GRO only */
};

struct sc_rule {
	int		nr;		/* -1 ends a list */
	enum sc_args	args;
};

#define SC_ALLOW(name)		{ SCMP_SYS(name), SC_ANY }
#define SC_ALLOW_NOEXEC(name)	{ SCMP_SYS(name), SC_NOEXEC }
#define SC_ALLOW_SELF(name)	{ SCMP_SYS(name), SC_SELF }
#define SC_ALLOW_UDP_OFFLOAD(name) { SCMP_SYS(name), SC_UDP_OFFLOAD }
#define SC_END			{ -1, SC_ANY }

/* Every child: IPC over fd 3, libevent on epoll, malloc, time. */
static const struct sc_rule sc_common[] = {
	SC_ALLOW(read), SC_ALLOW(write), SC_ALLOW(readv), SC_ALLOW(writev),
	SC_ALLOW(recvmsg), SC_ALLOW(sendmsg), SC_ALLOW(recvfrom),
	SC_ALLOW(sendto), SC_ALLOW(close),
	SC_ALLOW(epoll_wait), SC_ALLOW(epoll_pwait), SC_ALLOW(epoll_pwait2),
	SC_ALLOW(epoll_ctl), SC_ALLOW(poll), SC_ALLOW(ppoll),
	SC_ALLOW(clock_gettime), SC_ALLOW(clock_getres),
	SC_ALLOW(gettimeofday), SC_ALLOW(nanosleep),
	SC_ALLOW(clock_nanosleep),
	SC_ALLOW(getpid), SC_ALLOW(gettid), SC_ALLOW(getppid),
	SC_ALLOW(getuid),
	SC_ALLOW(brk), SC_ALLOW(munmap), SC_ALLOW(mremap), SC_ALLOW(madvise),
	SC_ALLOW(rt_sigreturn), SC_ALLOW(rt_sigprocmask),
	SC_ALLOW(rt_sigaction), SC_ALLOW(sigaltstack),
	SC_ALLOW(exit), SC_ALLOW(exit_group),
	SC_ALLOW(fstat), SC_ALLOW(newfstatat), SC_ALLOW(futex),
	SC_ALLOW(getrandom), SC_ALLOW(restart_syscall),
	SC_ALLOW(lseek),
	/* Memory, but never executable: no code injected at run time. */
	SC_ALLOW_NOEXEC(mmap), SC_ALLOW_NOEXEC(mprotect),
	/* abort() signals itself; no signal may reach another process. */
	SC_ALLOW_SELF(tgkill),
	SC_END
};

/*
 * What each sandboxed role may do, one row per role.  Every row also
 * gets what sandbox_enter() gives them all:
 *   user	the unprivileged user, chrooted to the empty root-owned
 *		BONDD_CHROOT (a respawn in a user namespace of its own;
 *		where there is none, the respawn refuses to run)
 *   caps	none, in any set; the bounding set cleared where possible
 *   prctl	NO_NEW_PRIVS, not dumpable
 *   rlimits	NPROC 0 (no new process), CORE 0, FSIZE 0 (no file
 *		grows; not in debug, for the SIGSYS line) and NOFILE: the
 *		highest fd held at entry plus the row's fd_headroom
 *   fds	0-2, the parent channel at fd 3, libevent's own and
 *		those the row names, all kept; without open(2) or
 *		socket(2), more only come over fd 3 or from accept(2)
 *   syscalls	sc_common and the row's own; any other kills the
 *		process (traps and names it in debug)
 *   fcntl	only the row's commands; F_SETFL never with O_ASYNC.
 *		F_SETOWN, F_SETSIG, leases and notifications would have
 *		the kernel signal another process (the parent, a sibling)
 * The parent has no row: it is neither chrooted nor filtered, and
 * keeps CAP_NET_ADMIN (CAP_NET_RAW if asked) as the user, see
 * sandbox_parent_drop().
 */
static const struct sandbox_role {
	enum proc_id		 proc;
	int			 fd_headroom;	/* fds received later */
	const struct sc_rule	*syscalls;
	const int		*fcntl_cmds;	/* -1 ends the list */
} sandbox_roles[] = {
	{
		/* fds: the TUN, one packet queue per linkd. */
		.proc = PROC_CORE,
		/* A new packet queue per restarted linkd. */
		.fd_headroom = 32,
		/* The TUN needs nothing beyond read/write; packets move
		 * to and from each linkd in batches.  Pacing wakes on a
		 * timerfd (libevent's precise timer), made before entry. */
		.syscalls = (const struct sc_rule[]){
			SC_ALLOW(recvmmsg), SC_ALLOW(sendmmsg),
			SC_ALLOW(timerfd_settime),
			SC_END
		},
		/* A new linkd's packet queue made non-blocking. */
		.fcntl_cmds = (const int[]){ F_GETFL, F_SETFL, -1 },
	},
	{
		/* fds: its link's UDP socket, its packet queue to the
		 * core. */
		.proc = PROC_LINKD,
		.fd_headroom = 16,
		/* Batched UDP on the socket the parent gave it; asks
		 * it whether the kernel knows UDP GSO, switches GRO. */
		.syscalls = (const struct sc_rule[]){
			SC_ALLOW(recvmmsg), SC_ALLOW(sendmmsg),
			SC_ALLOW(getsockname),
			SC_ALLOW_UDP_OFFLOAD(getsockopt),
			SC_ALLOW_UDP_OFFLOAD(setsockopt),
			SC_END
		},
		/* A new socket (its device came back) made non-blocking. */
		.fcntl_cmds = (const int[]){ F_GETFL, F_SETFL, -1 },
	},
	{
		/* fds: the listening control socket, the metrics one if
		 * configured. */
		.proc = PROC_CTLD,
		/* Up to 32 bondctl clients plus metrics scrapers. */
		.fd_headroom = 80,
		/* Accepts their connections, checks peer credentials. */
		.syscalls = (const struct sc_rule[]){
			SC_ALLOW(accept4), SC_ALLOW(accept),
			SC_ALLOW(getsockopt), SC_ALLOW(shutdown),
			SC_ALLOW(getsockname),
			SC_END
		},
		/* The listening sockets made non-blocking; a copy of a
		 * connection for the parent to read its ids (respawned in
		 * a user namespace). */
		.fcntl_cmds = (const int[]){ F_GETFL, F_SETFL,
		    F_DUPFD_CLOEXEC, -1 },
	},
};

static int	in_userns;	/* entered a user namespace of its own */

static int	sandbox_max_fd(void);
static void	sandbox_check_root(void);
static void	sandbox_enter_root(const char *);
static void	sandbox_enter_userns(uid_t, gid_t);
static void	sandbox_write_file(const char *, const char *);
static void	sandbox_drop_caps(int);
static void	sandbox_rlimits(const struct sandbox_role *, int, int);
static void	sandbox_seccomp(const struct sandbox_role *, int);
static void	sandbox_sigsys(int, siginfo_t *, void *);

void
sandbox_enter(enum proc_id role, const char *user)
{
	const struct sandbox_role *sr = NULL;
	const char	*env;
	uid_t		 uid;
	gid_t		 gid;
	size_t		 i;
	int		 debug, maxfd, bounds;

	for (i = 0; i < sizeof(sandbox_roles) / sizeof(sandbox_roles[0]); i++)
		if (sandbox_roles[i].proc == role)
			sr = &sandbox_roles[i];
	if (sr == NULL)
		fatalx("%s: no sandbox for role %d", __func__, role);
	env = getenv(SANDBOX_DEBUG_ENV);
	debug = env != NULL && strcmp(env, "1") == 0;
	/* Before the chroot: /proc and the zone file are still there. */
	maxfd = sandbox_max_fd();
	tzset();

	if (getuid() == 0) {
		sandbox_enter_root(user);
		bounds = 0;	/* already dropped while still root */
	} else {
		log_debug("%s: respawned as uid %u (user %s)", __func__,
		    (unsigned int)getuid(), user);
		sandbox_check_root();
		/* Inside the new namespace the ids read as the overflow
		 * ids until they are mapped: take them before. */
		uid = getuid();
		gid = getgid();
		/* Without it no chroot: a respawned child is as
		 * confined as the first, or does not run. */
		if (unshare(CLONE_NEWUSER) == -1)
			fatal("%s not restarted: it cannot chroot without a "
			    "user namespace (unshare(CLONE_NEWUSER)); restart "
			    "bondd", proc_names[role]);
		sandbox_enter_userns(uid, gid);
		in_userns = 1;
		bounds = 1;
	}

	sandbox_drop_caps(bounds);
	sandbox_rlimits(sr, maxfd, debug);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("%s: PR_SET_NO_NEW_PRIVS", __func__);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("%s: PR_SET_DUMPABLE", __func__);

	sandbox_seccomp(sr, debug);
}

/* Started by the root parent: chroot, then the user, verified. */
static void
sandbox_enter_root(const char *user)
{
	struct passwd	*pw;
	uid_t		 uid, ruid, euid, suid;
	gid_t		 gid, rgid, egid, sgid;

	if ((pw = getpwnam(user)) == NULL)
		fatalx("unknown user %s", user);
	if (pw->pw_uid == 0)
		fatalx("sandbox user %s must not be root", user);
	uid = pw->pw_uid;
	gid = pw->pw_gid;

	if (mkdir(BONDD_CHROOT, 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", BONDD_CHROOT);
	sandbox_check_root();
	if (chroot(BONDD_CHROOT) == -1)
		fatal("chroot %s", BONDD_CHROOT);
	if (chdir("/") == -1)
		fatal("chdir /");

	/* Bounding set needs CAP_SETPCAP: drop it before the uid change. */
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(CAPNG_SELECT_BOUNDS) != 0)
		fatalx("%s: cannot clear the capability bounding set",
		    __func__);

	if (setgroups(0, NULL) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid %u", (unsigned int)gid);
	if (setresuid(uid, uid, uid) == -1)
		fatal("setresuid %u", (unsigned int)uid);

	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1)
		fatal("getresuid");
	if (ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid)
		fatalx("%s: failed to drop to user %s", __func__, user);
	if (setuid(0) != -1)
		fatalx("%s: could regain root", __func__);
}

/*
 * Respawned by the parent that already runs as the user: a user
 * namespace of our own grants CAP_SYS_CHROOT inside it and nothing
 * outside.  The ids map 1:1 so the process keeps its identity.
 */
static void
sandbox_enter_userns(uid_t uid, gid_t gid)
{
	char	buf[64];

	/* Our /proc files stay root's (unwritable) while non-dumpable. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1)
		fatal("%s: PR_SET_DUMPABLE", __func__);
	sandbox_write_file("/proc/self/setgroups", "deny");
	snprintf(buf, sizeof(buf), "%u %u 1", (unsigned int)uid,
	    (unsigned int)uid);
	sandbox_write_file("/proc/self/uid_map", buf);
	snprintf(buf, sizeof(buf), "%u %u 1", (unsigned int)gid,
	    (unsigned int)gid);
	sandbox_write_file("/proc/self/gid_map", buf);

	if (chroot(BONDD_CHROOT) == -1)
		fatal("chroot %s", BONDD_CHROOT);
	if (chdir("/") == -1)
		fatal("chdir /");
	if (getuid() != uid || getgid() != gid)
		fatalx("%s: ids changed in the user namespace", __func__);
}

static void
sandbox_write_file(const char *path, const char *text)
{
	size_t	len = strlen(text);
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		fatal("open %s", path);
	if (write(fd, text, len) != (ssize_t)len)
		fatal("write %s", path);
	close(fd);
}

/* The ntpd check: a root-owned directory nobody else may write, empty. */
static void
sandbox_check_root(void)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;

	if (stat(BONDD_CHROOT, &st) == -1)
		fatal("stat %s", BONDD_CHROOT);
	if (!S_ISDIR(st.st_mode))
		fatalx("chroot %s is not a directory", BONDD_CHROOT);
	if (st.st_uid != 0)
		fatalx("chroot %s is not owned by root", BONDD_CHROOT);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		fatalx("chroot %s is group or other writable", BONDD_CHROOT);
	if ((d = opendir(BONDD_CHROOT)) == NULL)
		fatal("opendir %s", BONDD_CHROOT);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			fatalx("chroot %s is not empty (%s)", BONDD_CHROOT,
			    de->d_name);
	}
	closedir(d);
}

static int
sandbox_max_fd(void)
{
	struct dirent	*de;
	DIR		*d;
	long		 fd;
	int		 maxfd = 2, dfd;
	char		*end;

	if ((d = opendir("/proc/self/fd")) == NULL)
		fatal("opendir /proc/self/fd");
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		fd = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end != '\0' || fd < 0 ||
		    fd > INT_MAX)
			continue;
		if (fd != dfd && fd > maxfd)
			maxfd = fd;
	}
	closedir(d);
	return maxfd;
}

/* bounds: also clear the bounding set (only possible with CAP_SETPCAP). */
static void
sandbox_drop_caps(int bounds)
{
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(bounds ? CAPNG_SELECT_ALL :
	    CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT) != 0)
		fatalx("%s: cannot drop capabilities", __func__);
	if (capng_get_caps_process() != 0)
		fatalx("%s: cannot read capabilities", __func__);
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		fatalx("%s: capabilities left after drop", __func__);
}

static void
sandbox_rlimits(const struct sandbox_role *sr, int maxfd, int debug)
{
	struct rlimit	rl;

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_NPROC, &rl) == -1)
		fatal("setrlimit RLIMIT_NPROC");
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("setrlimit RLIMIT_CORE");
	/*
	 * A stderr redirected to a file then fails with EFBIG instead of
	 * killing us; in debug mode the SIGSYS line must still reach it.
	 */
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		fatal("signal SIGXFSZ");
	if (!debug && setrlimit(RLIMIT_FSIZE, &rl) == -1)
		fatal("setrlimit RLIMIT_FSIZE");
	rl.rlim_cur = rl.rlim_max = (rlim_t)maxfd + sr->fd_headroom;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("setrlimit RLIMIT_NOFILE");
}

static void
sandbox_allow(scmp_filter_ctx ctx, const struct sc_rule *r)
{
	int	rc = 0;

	for (; r->nr != -1; r++) {
		switch (r->args) {
		case SC_ANY:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 0);
			break;
		case SC_NOEXEC:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 1,
			    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
			break;
		case SC_SELF:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 1,
			    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
			break;
		case SC_UDP_OFFLOAD:
			/* Nothing else: no socket option that binds, marks
			 * or reroutes the link's socket. */
			if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr,
			    2, SCMP_A1(SCMP_CMP_EQ, IPPROTO_UDP),
			    SCMP_A2(SCMP_CMP_EQ, UDP_SEGMENT))) == 0)
				rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
				    r->nr, 2, SCMP_A1(SCMP_CMP_EQ, IPPROTO_UDP),
				    SCMP_A2(SCMP_CMP_EQ, UDP_GRO));
			break;
		}
		if (rc < 0)
			fatalx("seccomp: cannot allow syscall %d: %s", r->nr,
			    strerror(-rc));
	}
}

/* fcntl with the role's commands only; F_SETFL without O_ASYNC. */
static void
sandbox_allow_fcntl(scmp_filter_ctx ctx, const int *cmd)
{
	int	rc;

	for (; *cmd != -1; cmd++) {
		if (*cmd == F_SETFL)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			    SCMP_SYS(fcntl), 2, SCMP_A1(SCMP_CMP_EQ, F_SETFL),
			    SCMP_A2(SCMP_CMP_MASKED_EQ, O_ASYNC, 0));
		else
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
			    SCMP_SYS(fcntl), 1,
			    SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)*cmd));
		if (rc < 0)
			fatalx("seccomp: cannot allow fcntl %d: %s", *cmd,
			    strerror(-rc));
	}
}

static void
sandbox_seccomp(const struct sandbox_role *sr, int debug)
{
	scmp_filter_ctx		 ctx;
	struct sigaction	 sa;
	int			 rc;

	if (debug) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sandbox_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) == -1)
			fatal("sigaction SIGSYS");
	}
	if ((ctx = seccomp_init(debug ? SCMP_ACT_TRAP :
	    SCMP_ACT_KILL_PROCESS)) == NULL)
		fatalx("seccomp_init failed");

	sandbox_allow(ctx, sc_common);
	sandbox_allow(ctx, sr->syscalls);
	sandbox_allow_fcntl(ctx, sr->fcntl_cmds);

	if ((rc = seccomp_load(ctx)) < 0)
		fatalx("seccomp_load: %s", strerror(-rc));
	seccomp_release(ctx);
}

/* Debug only: name the offending syscall.  Async-signal-safe. */
static void
sandbox_sigsys(int sig, siginfo_t *si, void *uctx)
{
	static const char	 msg[] = "seccomp: syscall ";
	char			 buf[sizeof(msg) + 16], *p;
	char			 num[12];
	int			 n, i = 0;
	ssize_t			 rv;

	(void)sig;
	(void)uctx;
	n = si->si_syscall;
	memcpy(buf, msg, sizeof(msg) - 1);
	p = buf + sizeof(msg) - 1;
	if (n < 0) {
		*p++ = '-';
		n = -n;
	}
	do {
		num[i++] = '0' + n % 10;
		n /= 10;
	} while (n > 0 && i < (int)sizeof(num));
	while (i > 0)
		*p++ = num[--i];
	*p++ = '\n';
	rv = write(STDERR_FILENO, buf, p - buf);
	(void)rv;
	_exit(SANDBOX_DEBUG_EXIT);
}

int
sandbox_in_userns(void)
{
	return in_userns;
}

void
sandbox_parent_drop(const char *user, int need_raw)
{
	struct passwd	*pw;
	uid_t		 ruid, euid, suid;

	if ((pw = getpwnam(user)) == NULL)
		fatalx("unknown user %s", user);
	if (pw->pw_uid == 0)
		fatalx("user %s must not be root", user);

	capng_clear(CAPNG_SELECT_ALL);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_NET_ADMIN) != 0 || (need_raw &&
	    capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_NET_RAW) != 0))
		fatalx("%s: capng_update failed", __func__);
	if (capng_change_id(pw->pw_uid, pw->pw_gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0)
		fatalx("%s: cannot change to user %s", __func__, user);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1)
		fatal("%s: PR_CAP_AMBIENT_CLEAR_ALL", __func__);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("%s: PR_SET_DUMPABLE", __func__);

	if (getresuid(&ruid, &euid, &suid) == -1)
		fatal("getresuid");
	if (ruid != pw->pw_uid || euid != pw->pw_uid || suid != pw->pw_uid)
		fatalx("%s: failed to drop to user %s", __func__, user);
	if (capng_get_caps_process() != 0 ||
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) != 1)
		fatalx("%s: CAP_NET_ADMIN lost", __func__);
	log_debug("parent runs as %s, keeps CAP_NET_ADMIN%s", user,
	    need_raw ? " and CAP_NET_RAW" : "");
}
