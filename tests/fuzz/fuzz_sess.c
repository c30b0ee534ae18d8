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
 * Fuzz target: a server linkd's receive path as it runs: datagrams on
 * its UDP socket, read by linkd_sock_read() into sess_input() (outer
 * header, handshake, replay window, decryption) and, for what
 * decrypts, the inner header, the measurement and probe decoders
 * (linkd_rx_cb) and the core queue.  A client session table in the
 * target handshakes with it at start (again whenever its session is
 * gone), so the input can also reach past the AEAD: records either go
 * to the socket as they are (from the client's address or another)
 * or as inner frames that the client encrypts.  What linkd sends back
 * goes to the client; what it queues for the core is dropped.  The
 * target stands in for linkd.c: it owns the linkd state (ld).
 * Input: records of [u8 op][u16 size][size bytes]; op % 4: 0 a raw
 * datagram from the client's address, 1 one from another address, 2
 * an inner frame through the client's session, 3 the timers of both
 * tables run.  Test code.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "linkd.h"
#include "log.h"
#include "noise.h"
#include "util.h"
#include "fuzz.h"

#define LINK_ID		1

struct linkd		 ld;

static struct sess_table	*cli;
static struct sockaddr_storage	 srv_addr;
static int			 cli_sock, other_sock;
static struct pktq		*core_tx;
static uint8_t			 buf[65536], out[65536 + WIRE_DATA_OVERHEAD];
static uint8_t			 frame[PKTQ_FRAME_MAX];
/* The static private keys, held here as the parent holds linkd's. */
static uint8_t			 srv_priv[NOISE_DHLEN], cli_priv[NOISE_DHLEN];

static int
srv_sdh(void *arg, uint8_t o[NOISE_DHLEN], const uint8_t pub[NOISE_DHLEN])
{
	(void)arg;
	return (noise_sdh_key(srv_priv, o, pub));
}

static int
cli_sdh(void *arg, uint8_t o[NOISE_DHLEN], const uint8_t pub[NOISE_DHLEN])
{
	(void)arg;
	return (noise_sdh_key(cli_priv, o, pub));
}

static int
cli_send(void *arg, struct session *s, uint64_t now, const uint8_t *p,
    size_t len, const struct sockaddr_storage *to)
{
	(void)arg;
	(void)s;
	(void)now;
	(void)to;
	return sendto(cli_sock, p, len, MSG_DONTWAIT, (struct sockaddr *)
	    &srv_addr, sizeof(struct sockaddr_in)) == -1 ? -1 : 0;
}

static int
udp_socket(struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	socklen_t		 len = sizeof(*sin);
	int			 s;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || bind(s, (struct sockaddr *)sin, len) == -1 ||
	    getsockname(s, (struct sockaddr *)sin, &len) == -1)
		fuzz_fail("udp socket");
	return s;
}

/*
 * Everything in flight is read: by linkd (what it queues for the core
 * is dropped), by the client, or dropped.  Loopback delivers in
 * sendto(), so poll() sees every datagram sent so far: only the
 * sockets it names are read, and the rounds stop when none is.
 */
static void
pump(void)
{
	struct sockaddr_storage	 from;
	struct pollfd		 pfd[3];
	struct session		*s;
	socklen_t		 flen;
	size_t			 framelen;
	ssize_t			 n;
	int			 i;

	pfd[0].fd = ld.sock;
	pfd[1].fd = other_sock;
	pfd[2].fd = cli_sock;
	pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
	for (i = 0; i < 4 && poll(pfd, 3, 0) > 0; i++) {
		if (pfd[0].revents != 0) {
			linkd_sock_read(ld.sock, 0, NULL);
			fuzz_pktq_sink(core_tx);
		}
		while (pfd[1].revents != 0 &&
		    recv(other_sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		flen = sizeof(from);
		while (pfd[2].revents != 0 &&
		    (n = recvfrom(cli_sock, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &flen)) > 0) {
			(void)sess_input(cli, now_us(), buf, n, &from, frame,
			    sizeof(frame), &framelen, &s);
			flen = sizeof(from);
		}
	}
}

/* The client's session, handshaking until it works. */
static struct session *
session(void)
{
	struct session	*s = &cli->sessions[0];
	int		 i;

	for (i = 0; i < 8 && sess_state(s) != SESSION_ESTABLISHED; i++) {
		sess_kick(cli, now_us());
		(void)sess_timer(cli, now_us());
		pump();
	}
	if (sess_state(s) != SESSION_ESTABLISHED)
		fuzz_fail("no session with the server");
	return s;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sess_cb		 cb;
	struct sockaddr_storage	 cli_addr;
	uint8_t			 srv_pub[NOISE_DHLEN], cli_pub[NOISE_DHLEN];
	uint8_t			 ss[NOISE_DHLEN];

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	/* Fixed keys: a corpus input means the same on every run. */
	memset(srv_priv, 0x51, sizeof(srv_priv));
	memset(cli_priv, 0xc1, sizeof(cli_priv));
	if (noise_init() == -1 || noise_pubkey(srv_pub, srv_priv) == -1 ||
	    noise_pubkey(cli_pub, cli_priv) == -1)
		fuzz_fail("keys");

	ld.conf.role = ROLE_SERVER;
	strcpy(ld.conf.name, "listen0");
	ld.conf.npeers = 2;
	ld.conf.keepalive_s = 10;
	ld.conf.rekey_s = 120;
	ld.conf.probe_interval_ms = 100;
	ld.conf.payload_max = 1400 + FRAME_INNER_OVERHEAD;
	ld.conf.down_after_ms = 3000;
	ld.conf.lossy_ppm = 50000;
	ld.conf.recover_probes = 3;
	ld.peer_last = 1;
	ld.sock = udp_socket(&srv_addr);
	ld.q = fuzz_pktq_pair(&core_tx);
	memset(&cb, 0, sizeof(cb));
	cb.send = linkd_send_cb;
	cb.state = linkd_state_cb;
	cb.rx = linkd_rx_cb;
	cb.sdh = srv_sdh;
	if (noise_dh(ss, srv_priv, cli_pub) == -1 ||
	    (ld.tbl = sess_table_new(ROLE_SERVER, ld.conf.name, 0,
	    ld.conf.keepalive_s, ld.conf.rekey_s, srv_pub, &cb)) == NULL ||
	    sess_peer_set(ld.tbl, 1, "site", cli_pub, ss, NULL,
	    now_us()) == -1)
		fuzz_fail("server table");

	cli_sock = udp_socket(&cli_addr);
	other_sock = udp_socket(&cli_addr);
	memset(&cb, 0, sizeof(cb));
	cb.send = cli_send;
	cb.sdh = cli_sdh;
	if ((cli = sess_table_new(ROLE_CLIENT, "wan1", LINK_ID, 10, 120,
	    cli_pub, &cb)) == NULL ||
	    sess_peer_set(cli, 0, "server", srv_pub, ss, &srv_addr,
	    now_us()) == -1)
		fuzz_fail("client table");
	(void)session();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in	 in = { data, size };
	struct session	*s = session();
	const uint8_t	*p;
	ssize_t		 n;
	size_t		 len;
	uint8_t		 op;

	while (in.left > 0) {
		op = fuzz_u8(&in) % 4;
		len = fuzz_take(&in, &p, fuzz_u16(&in));
		memcpy(buf, p, len);
		switch (op) {
		case 0:
		case 1:
			(void)sendto(op == 0 ? cli_sock : other_sock, buf, len,
			    MSG_DONTWAIT, (struct sockaddr *)&srv_addr,
			    sizeof(struct sockaddr_in));
			break;
		case 2:
			if ((n = sess_encrypt(cli, s, now_us(), buf, len, out,
			    sizeof(out))) > 0)
				(void)sendto(cli_sock, out, n, MSG_DONTWAIT,
				    (struct sockaddr *)&srv_addr,
				    sizeof(struct sockaddr_in));
			break;
		case 3:
			(void)sess_timer(ld.tbl, now_us());
			(void)sess_timer(cli, now_us());
			fuzz_pktq_sink(core_tx);
			break;
		}
		pump();
	}
	return 0;
}
