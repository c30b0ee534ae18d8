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
 * A listening socket in ctld that keeps accepting under descriptor
 * exhaustion: on EMFILE or ENFILE it stops for a second instead of
 * spinning on a socket that stays readable.  The owner may also hold
 * it while it has no room for another connection.
 */

#ifndef LISTENER_H
#define LISTENER_H

struct event;
struct event_base;

struct listener {
	struct event	*ev_accept;
	struct event	*ev_pause;	/* the second after EMFILE */
	const char	*name;		/* for logs, and their rate key */
	void		(*cb)(int, void *);
	void		*arg;
	int		 fd;
	int		 held;		/* by the owner: no room */
};

#define LISTENER_INITIALIZER	{ .fd = -1 }

/* Accept on fd (owned from now on); cb gets each new nonblocking,
 * close-on-exec socket.  name must outlive the listener. */
void	 listener_open(struct listener *, struct event_base *, int,
	    const char *, void (*)(int, void *), void *);
/* Stop accepting until released; the rest wait in the kernel's
 * listen queue. */
void	 listener_hold(struct listener *);
void	 listener_release(struct listener *);
/* Free the events and close the socket; safe if never opened. */
void	 listener_close(struct listener *);

#endif /* LISTENER_H */
