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
 * bondctl: the command line client of bondd.  Runs as the invoking
 * user, unprivileged; talks to ctld over the control socket and
 * checks every reply record's size and strings even though ctld is
 * part of the daemon.  genkey and pubkey work without a daemon and
 * handle a private key: it lives on the stack only and is wiped.
 *
 * Exit status: 0 done, 1 the request failed, 2 usage error, 3 bondd
 * could not be reached.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bondd.h"
#include "ipc.h"
#include "messages.h"
#include "monitor.h"
#include "output.h"
#include "reply.h"
#include "util.h"

#define EXIT_FAILED		1
#define EXIT_USAGE		2
#define EXIT_UNREACHABLE	3

#define REPLY_TIMEOUT_MS	10000

/* Handles one reply record before the result: 0, or -1 if bad. */
typedef int (*record_fn)(struct ipc_msg *, void *);

static const char	*sockpath = BONDD_SOCKET;
static struct ipc_chan	 chan;

static void	usage(void) __attribute__((noreturn));
static void	badreply(const char *) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bondctl [-j] [-s socket] command [argument ...]\n"
	    "commands:\n"
	    "\tstatus [-j]\n"
	    "\tmonitor\n"
	    "\tversion\n"
	    "\tlink NAME up|down\n"
	    "\treload\n"
	    "\tconfig\n"
	    "\tgenkey\n"
	    "\tpubkey < private.key\n");
	exit(EXIT_USAGE);
}

static void
badreply(const char *what)
{
	fprintf(stderr, "bondctl: bad reply from bondd: %s\n", what);
	exit(EXIT_FAILED);
}

/*
 * Print text from the daemon, escaping control characters so that it
 * cannot drive the terminal.  Newlines and tabs pass where text is
 * multi-line.
 */
static void
print_text(FILE *fp, const uint8_t *p, size_t len, int lines)
{
	size_t		 i;

	for (i = 0; i < len; i++) {
		if ((p[i] < 0x20 && !(lines && (p[i] == '\n' ||
		    p[i] == '\t'))) || p[i] == 0x7f)
			fprintf(fp, "\\x%02x", p[i]);
		else
			fputc(p[i], fp);
	}
}

/* Connect to ctld: 0, or -1 with errno set. */
static int
ctl_connect(void)
{
	struct sockaddr_un	 sun;
	int			 fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, sockpath, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (ipc_init(&chan, fd, 0, IPC_CTL_MAXSIZE, "bondd") == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return 0;
}

static void
ctl_connect_or_exit(void)
{
	if (ctl_connect() == -1) {
		fprintf(stderr, "bondctl: cannot connect to %s: %s\n",
		    sockpath, strerror(errno));
		exit(EXIT_UNREACHABLE);
	}
}

/*
 * Send HELLO with the control protocol (CTL_PROTO_VERSION) and one
 * request, hand each reply record to fn and return at IPC_CTL_RESULT:
 * its code, with its text copied (NUL-terminated, possibly cut short)
 * to text.  Exits if bondd cannot be reached, closes the connection or
 * is silent for REPLY_TIMEOUT_MS.
 */
static uint32_t
ctl_request(uint32_t type, const void *data, size_t len, record_fn fn,
    void *arg, char *text, size_t textlen)
{
	struct ipc_ctl_result	 res;
	struct ipc_hello	 hello;
	struct ipc_msg		 msg;
	struct pollfd		 pfd;
	uint64_t		 deadline;
	int64_t			 left;
	ssize_t			 n;
	size_t			 tlen;
	int			 r, werr = 0;

	memset(&hello, 0, sizeof(hello));
	hello.version = CTL_PROTO_VERSION;
	hello.proc = PROC_BONDCTL;
	strncpy(hello.build, BONDD_VERSION, sizeof(hello.build));
	if (ipc_compose(&chan, IPC_HELLO, 0, 0, -1, &hello,
	    sizeof(hello)) == -1 ||
	    ipc_compose(&chan, type, 0, 0, -1, data, len) == -1) {
		fprintf(stderr, "bondctl: request: %s\n", strerror(errno));
		exit(EXIT_FAILED);
	}
	/* If ctld refused us it has said why: read that before
	 * reporting the failed write. */
	if (ipc_flush(&chan) == -1)
		werr = errno;

	deadline = now_ms() + REPLY_TIMEOUT_MS;
	pfd.fd = chan.fd;
	pfd.events = POLLIN;
	for (;;) {
		while ((r = ipc_get(&chan, &msg)) == 1) {
			if (msg.hdr.type != IPC_CTL_RESULT) {
				if (fn == NULL || fn(&msg, arg) == -1)
					badreply(ipc_type_name(msg.hdr.type));
				ipc_msg_free(&msg);
				continue;
			}
			if (ipc_msg_get(&msg, &res, sizeof(res)) == -1)
				badreply("short result");
			tlen = msg.len - sizeof(res);
			if (tlen >= textlen)
				tlen = textlen - 1;
			memcpy(text, msg.data + sizeof(res), tlen);
			text[tlen] = '\0';
			ipc_msg_free(&msg);
			return res.code;
		}
		if (r == -1)
			badreply("malformed frame");
		left = (int64_t)deadline - (int64_t)now_ms();
		if (left <= 0) {
			fprintf(stderr, "bondctl: no answer from bondd in "
			    "%d s\n", REPLY_TIMEOUT_MS / 1000);
			exit(EXIT_UNREACHABLE);
		}
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "bondctl: poll: %s\n",
			    strerror(errno));
			exit(EXIT_UNREACHABLE);
		}
		if ((n = ipc_read(&chan)) == 0 || (n == -1 &&
		    errno != EAGAIN && errno != EINTR)) {
			if (n == 0 && werr == 0)
				fprintf(stderr, "bondctl: bondd closed the "
				    "connection\n");
			else
				fprintf(stderr, "bondctl: connection to bondd: "
				    "%s\n", strerror(n == 0 ? werr : errno));
			exit(EXIT_UNREACHABLE);
		}
	}
}

/* Report a failed request (exit 1) or return on success. */
static void
check_result(uint32_t code, const char *text)
{
	if (code == CTL_RES_OK) {
		if (text[0] != '\0') {
			print_text(stdout, (const uint8_t *)text,
			    strlen(text), 1);
			putchar('\n');
		}
		return;
	}
	fprintf(stderr, "bondctl: request failed: %s", ipc_res_str(code));
	if (text[0] != '\0') {
		fputs(": ", stderr);
		print_text(stderr, (const uint8_t *)text, strlen(text), 0);
	}
	fputc('\n', stderr);
	exit(EXIT_FAILED);
}

static int
text_record(struct ipc_msg *msg, void *arg)
{
	(void)arg;
	if (msg->hdr.type != IPC_CTL_DATA)
		return -1;
	print_text(stdout, msg->data, msg->len, 1);
	return 0;
}

static int
version_record(struct ipc_msg *msg, void *arg)
{
	int		*seen = arg;

	if (msg->hdr.type != IPC_CTL_DATA || *seen || msg->len == 0 ||
	    msg->len > 32)
		return -1;
	*seen = 1;
	fputs("bondd ", stdout);
	print_text(stdout, msg->data, msg->len, 0);
	putchar('\n');
	return 0;
}

static void
finish_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "bondctl: stdout: %s\n", strerror(errno));
		exit(EXIT_FAILED);
	}
}

/* One status snapshot on a connection of its own; exits on failure. */
static void
fetch_status(struct status_reply *sr)
{
	char			 text[512];
	uint32_t		 code;

	memset(sr, 0, sizeof(*sr));
	ctl_connect_or_exit();
	code = ctl_request(IPC_CTL_STATUS, NULL, 0, status_record, sr,
	    text, sizeof(text));
	ipc_clear(&chan);
	check_result(code, text);
	if (!sr->got_conf || !sr->got_core)
		badreply("incomplete status");
	sr->st.version = BONDD_VERSION;
	sr->st.links = sr->links;
	sr->st.nlinks = sr->nlinks;
	sr->st.endpoint = sr->got_endpoint ? &sr->endpoint : NULL;
}

static int
cmd_status(int json)
{
	struct status_reply	 sr;
	int			 rv;

	fetch_status(&sr);
	rv = json ? output_json(stdout, &sr.st) : output_text(stdout, &sr.st);
	free(sr.links);
	if (rv == -1) {
		fprintf(stderr, "bondctl: output failed\n");
		return EXIT_FAILED;
	}
	finish_stdout();
	return 0;
}

/*
 * A new snapshot every second until 'q'.  The first one is fetched
 * before the terminal is touched, so an unreachable bondd is an
 * ordinary error; one lost later ends the view with the same error.
 */
static int
cmd_monitor(void)
{
	struct status_reply	 sr;
	struct tm		*tm;
	time_t			 t;
	char			 clock[16];
	int			 cols, rows, rv;

	fetch_status(&sr);
	monitor_term_start();
	for (;;) {
		t = time(NULL);
		if ((tm = localtime(&t)) == NULL ||
		    strftime(clock, sizeof(clock), "%H:%M:%S", tm) == 0)
			clock[0] = '\0';
		monitor_term_size(&cols, &rows);
		rv = monitor_draw(stdout, &sr.st, cols, rows, clock);
		free(sr.links);
		if (rv == -1 || fflush(stdout) == EOF) {
			fprintf(stderr, "bondctl: stdout: %s\n",
			    strerror(errno));
			return EXIT_FAILED;
		}
		if (monitor_wait(MONITOR_INTERVAL_MS))
			break;
		fetch_status(&sr);
	}
	return 0;
}

/* bondctl's own version always; bondd's if it answers. */
static int
cmd_version(void)
{
	char		 text[512];
	uint32_t	 code;
	int		 seen = 0;

	printf("bondctl %s\n", BONDD_VERSION);
	finish_stdout();
	if (ctl_connect() == -1)
		return 0;
	code = ctl_request(IPC_CTL_VERSION, NULL, 0, version_record, &seen,
	    text, sizeof(text));
	check_result(code, text);
	finish_stdout();
	return 0;
}

/* A request whose answer is text: link, reload, config. */
static int
cmd_simple(uint32_t type, const char *arg)
{
	char		 text[1024];
	uint32_t	 code;

	ctl_connect_or_exit();
	code = ctl_request(type, arg, arg != NULL ? strlen(arg) : 0,
	    text_record, NULL, text, sizeof(text));
	finish_stdout();
	check_result(code, text);
	finish_stdout();
	return 0;
}

/*
 * `bondctl genkey > file`: the shell created the file with its umask.
 * bondd refuses a key file others can read, and a key must not sit in
 * one even briefly: make it 0600 before writing, or write nothing.
 */
static int
genkey_stdout_private(void)
{
	struct stat	 st;
	mode_t		 mode;

	if (fstat(STDOUT_FILENO, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	mode = st.st_mode & 07777;
	if ((mode & (S_IRWXG | S_IRWXO)) == 0)
		return 0;
	if (fchmod(STDOUT_FILENO, mode & S_IRWXU) == -1) {
		fprintf(stderr, "bondctl: standard output is a file others "
		    "can read (mode %04o) and its mode cannot change: %s; "
		    "no key written\n", (unsigned int)mode, strerror(errno));
		return -1;
	}
	fprintf(stderr, "bondctl: key file mode %04o, was %04o\n",
	    (unsigned int)(mode & S_IRWXU), (unsigned int)mode);
	return 0;
}

/*
 * A new X25519 private key: 32 random bytes, clamped as RFC 7748
 * does, so that the stored key is the scalar actually used.
 */
static int
cmd_genkey(void)
{
	uint8_t		 sk[BONDD_KEY_LEN];
	char		 b64[KEY_B64_LEN];

	if (genkey_stdout_private() == -1)
		return EXIT_FAILED;
	if (sodium_init() < 0) {
		fprintf(stderr, "bondctl: sodium_init failed\n");
		return EXIT_FAILED;
	}
	randombytes_buf(sk, sizeof(sk));
	sk[0] &= 248;
	sk[31] &= 127;
	sk[31] |= 64;
	key_to_base64(b64, sk);
	sodium_memzero(sk, sizeof(sk));
	printf("%s\n", b64);
	sodium_memzero(b64, sizeof(b64));
	finish_stdout();
	return 0;
}

/* Read a base64 private key on stdin, print its public key. */
static int
cmd_pubkey(void)
{
	uint8_t		 sk[BONDD_KEY_LEN], pk[BONDD_KEY_LEN];
	char		 buf[128], b64[KEY_B64_LEN], *s, *e;
	size_t		 n;
	int		 ok;

	if (sodium_init() < 0) {
		fprintf(stderr, "bondctl: sodium_init failed\n");
		return EXIT_FAILED;
	}
	n = fread(buf, 1, sizeof(buf) - 1, stdin);
	ok = !ferror(stdin) && fgetc(stdin) == EOF &&
	    memchr(buf, '\0', n) == NULL;
	buf[n] = '\0';
	for (s = buf; isspace((unsigned char)*s); s++)
		;
	for (e = buf + n; e > s && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	if (!ok || key_from_base64(sk, s) == -1 ||
	    crypto_scalarmult_base(pk, sk) != 0)
		ok = 0;
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(buf, sizeof(buf));
	if (!ok) {
		fprintf(stderr, "bondctl: stdin holds no valid base64 "
		    "private key\n");
		return EXIT_FAILED;
	}
	key_to_base64(b64, pk);
	printf("%s\n", b64);
	finish_stdout();
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*cmd;
	int		 ch, json = 0;

	/* "+": options end at the command, which may have its own. */
	while ((ch = getopt(argc, argv, "+js:")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's':
			sockpath = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	/* ctld going away mid-write is reported, not fatal. */
	signal(SIGPIPE, SIG_IGN);

	cmd = argv[0];
	if (strcmp(cmd, "status") == 0) {
		if (argc == 2 && strcmp(argv[1], "-j") == 0)
			json = 1;
		else if (argc != 1)
			usage();
		return cmd_status(json);
	}
	if (json)
		usage();
	if (strcmp(cmd, "link") == 0) {
		if (argc != 3 || strlen(argv[1]) == 0 ||
		    strlen(argv[1]) >= BONDD_NAME_MAX)
			usage();
		if (strcmp(argv[2], "up") == 0)
			return cmd_simple(IPC_CTL_LINK_UP, argv[1]);
		if (strcmp(argv[2], "down") == 0)
			return cmd_simple(IPC_CTL_LINK_DOWN, argv[1]);
		usage();
	}
	if (argc != 1)
		usage();
	if (strcmp(cmd, "version") == 0)
		return cmd_version();
	if (strcmp(cmd, "monitor") == 0)
		return cmd_monitor();
	if (strcmp(cmd, "reload") == 0)
		return cmd_simple(IPC_CTL_RELOAD, NULL);
	if (strcmp(cmd, "config") == 0)
		return cmd_simple(IPC_CTL_CONFIG, NULL);
	if (strcmp(cmd, "genkey") == 0)
		return cmd_genkey();
	if (strcmp(cmd, "pubkey") == 0)
		return cmd_pubkey();
	usage();
}
