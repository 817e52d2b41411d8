/* HTTP/1.1 GET over AF_UNIX; see include/nsdump/http.h. */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/http.h"

void nd_http_reply_free(struct nd_http_reply *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

/* An API version as Docker writes it: digits, one dot, digits. */
static bool version_ok(const char *p, const char *end)
{
	int dots = 0;

	if (p == end || *p == '.' || end[-1] == '.')
		return false;
	for (; p < end; p++) {
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			return false;
	}
	return dots == 1;
}

/* Finds "\r\n" in [p, end); NULL if absent. */
static const char *find_crlf(const char *p, const char *end)
{
	for (; p + 1 < end; p++)
		if (p[0] == '\r' && p[1] == '\n')
			return p;
	return NULL;
}

static int parse_decimal(const char *p, const char *end, size_t *out)
{
	size_t v = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || v > (SIZE_MAX - 9) / 10)
			return -1;
		v = v * 10 + (size_t)(*p - '0');
	}
	*out = v;
	return 0;
}

/* Value of a header line "Name: value" when its name is `name` (case-insensitive). */
static const char *header_value(const char *line, const char *end, const char *name,
				const char **vend)
{
	size_t n = strlen(name);

	if ((size_t)(end - line) <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*vend = end;
	return line;
}

/* Decodes a chunked body from [p, end) into out (at most limit bytes). Returns 0 when the
 * last chunk and the trailers were seen, 1 when more is needed, -1 when malformed. */
static int dechunk(const char *p, const char *end, size_t limit, char **out, size_t *outlen,
		   struct nd_err *err)
{
	char *buf = NULL;
	size_t len = 0;

	for (;;) {
		const char *eol = find_crlf(p, end);
		size_t size = 0;
		const char *q;

		if (eol == NULL)
			goto more;
		for (q = p; q < eol && *q != ';'; q++) {
			int d;

			if (*q >= '0' && *q <= '9')
				d = *q - '0';
			else if (*q >= 'a' && *q <= 'f')
				d = *q - 'a' + 10;
			else if (*q >= 'A' && *q <= 'F')
				d = *q - 'A' + 10;
			else
				goto bad;
			if (size > limit)
				goto toolarge;
			size = size * 16 + (size_t)d;
		}
		if (q == p)
			goto bad;
		p = eol + 2;
		if (size == 0) {
			/* Trailers, each ending in CRLF, then an empty line. */
			for (;;) {
				eol = find_crlf(p, end);
				if (eol == NULL)
					goto more;
				if (eol == p)
					break;
				p = eol + 2;
			}
			*out = buf;
			*outlen = len;
			return 0;
		}
		if (size > limit - len)
			goto toolarge;
		if ((size_t)(end - p) < size + 2)
			goto more;
		if (p[size] != '\r' || p[size + 1] != '\n')
			goto bad;
		{
			char *nb = realloc(buf, len + size + 1);

			if (nb == NULL) {
				free(buf);
				return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "HTTP reply");
			}
			buf = nb;
		}
		memcpy(buf + len, p, size);
		len += size;
		buf[len] = '\0';
		p += size + 2;
	}
more:
	free(buf);
	return 1;
bad:
	free(buf);
	return nd_err_set(err, ND_EXIT_FAIL, 0, "malformed chunked HTTP reply");
toolarge:
	free(buf);
	return nd_err_set(err, ND_EXIT_FAIL, 0, "HTTP reply larger than %zu bytes", limit);
}

int nd_http_parse(const char *buf, size_t len, int at_eof, size_t limit, struct nd_http_reply *r,
		  struct nd_err *err)
{
	const char *end = buf + len, *p, *eol, *body;
	size_t clen = 0;
	bool have_clen = false, chunked = false;
	char ver[16] = "";
	int status = 0, rc;
	char *out = NULL;
	size_t outlen = 0;

	/* Status line: "HTTP/1.x NNN reason". */
	eol = find_crlf(buf, end);
	if (eol == NULL) {
		if (len > ND_HTTP_MAX_HEADER)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "HTTP header too long");
		goto more;
	}
	if (eol - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' || buf[9] < '1' ||
	    buf[9] > '5' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' || buf[11] > '9' ||
	    (eol - buf > 12 && buf[12] != ' '))
		return nd_err_set(err, ND_EXIT_FAIL, 0, "not an HTTP reply");
	status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');

	for (p = eol + 2;; p = eol + 2) {
		const char *v, *vend;

		eol = find_crlf(p, end);
		if (eol == NULL || eol - buf > (ptrdiff_t)ND_HTTP_MAX_HEADER) {
			if (len > ND_HTTP_MAX_HEADER)
				return nd_err_set(err, ND_EXIT_FAIL, 0, "HTTP header too long");
			goto more;
		}
		if (eol == p)
			break;
		if ((v = header_value(p, eol, "Content-Length", &vend)) != NULL) {
			size_t n;

			if (parse_decimal(v, vend, &n) < 0 || (have_clen && n != clen))
				return nd_err_set(err, ND_EXIT_FAIL, 0, "bad HTTP Content-Length");
			clen = n;
			have_clen = true;
		} else if ((v = header_value(p, eol, "Transfer-Encoding", &vend)) != NULL) {
			if (vend - v == 7 && strncasecmp(v, "chunked", 7) == 0)
				chunked = true;
			else
				return nd_err_set(err, ND_EXIT_FAIL, 0,
						  "unsupported HTTP transfer encoding");
		} else if ((v = header_value(p, eol, "Api-Version", &vend)) != NULL) {
			if (version_ok(v, vend) && (size_t)(vend - v) < sizeof(ver)) {
				memcpy(ver, v, (size_t)(vend - v));
				ver[vend - v] = '\0';
			}
		}
	}
	body = eol + 2;
	if (chunked) {
		rc = dechunk(body, end, limit, &out, &outlen, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			goto more;
	} else if (have_clen) {
		if (clen > limit)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "HTTP reply larger than %zu bytes",
					  limit);
		if ((size_t)(end - body) < clen)
			goto more;
		outlen = clen;
	} else {
		/* No length: the body runs to the end of the connection. */
		if (!at_eof) {
			if ((size_t)(end - body) > limit)
				return nd_err_set(err, ND_EXIT_FAIL, 0,
						  "HTTP reply larger than %zu bytes", limit);
			return 1;
		}
		outlen = (size_t)(end - body);
		if (outlen > limit)
			return nd_err_set(err, ND_EXIT_FAIL, 0, "HTTP reply larger than %zu bytes",
					  limit);
	}
	if (out == NULL && outlen > 0) {
		out = malloc(outlen + 1);
		if (out == NULL)
			return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "HTTP reply");
		memcpy(out, body, outlen);
		out[outlen] = '\0';
	}
	r->status = status;
	memcpy(r->api_version, ver, sizeof(ver));
	r->body = out;
	r->len = outlen;
	return 0;
more:
	if (at_eof)
		return nd_err_set(err, ND_EXIT_FAIL, 0, "HTTP reply cut short");
	return 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for events before deadline. */
static int wait_fd(int fd, short events, long long deadline, struct nd_err *err)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return nd_err_set(err, ND_EXIT_FAIL, ETIMEDOUT, "no reply");
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return nd_err_set(err, ND_EXIT_FAIL, errno, "poll");
	}
}

static int connect_unix(const char *sock, long long deadline, struct nd_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return nd_err_set(err, ND_EXIT_USAGE, 0, "socket path %s too long", sock);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	e = errno;
	/* A full backlog: a unix socket connect(2) in non-blocking mode says EAGAIN; wait
	 * until the listener accepts, or the deadline. */
	if (e == EAGAIN || e == EINPROGRESS) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (wait_fd(fd, POLLOUT, deadline, err) == 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
			return fd;
		e = soerr ? soerr : ETIMEDOUT;
	}
	(void)close(fd);
	if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
		return nd_err_set(err, ND_EXIT_NOTFOUND, e, "cannot connect to %s", sock);
	if (e == EACCES || e == EPERM)
		return nd_err_set(err, ND_EXIT_PERM, e, "cannot connect to %s", sock);
	return nd_err_set(err, ND_EXIT_FAIL, e, "cannot connect to %s", sock);
}

void nd_http_conn_init(struct nd_http_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void nd_http_conn_close(struct nd_http_conn *c)
{
	if (c->fd >= 0)
		(void)close(c->fd);
	c->fd = -1;
}

int nd_http_send(struct nd_http_conn *c, const char *sock, const char *path, int timeout_ms,
		 struct nd_err *err)
{
	char req[1024];
	size_t reqlen, sent = 0;
	int n;

	nd_http_conn_init(c);
	c->deadline = now_ms() + timeout_ms;
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: nsdump/" ND_VERSION
		     "\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
		     path);
	if (n < 0 || (size_t)n >= sizeof(req) ||
	    (size_t)snprintf(c->what, sizeof(c->what), "%s GET %s", sock, path) >= sizeof(c->what))
		return nd_err_set(err, ND_EXIT_USAGE, 0, "request path too long");
	reqlen = (size_t)n;
	c->fd = connect_unix(sock, c->deadline, err);
	if (c->fd < 0)
		return -1;
	while (sent < reqlen) {
		ssize_t w = send(c->fd, req + sent, reqlen - sent, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(c->fd, POLLOUT, c->deadline, err) < 0)
				goto fail;
			continue;
		}
		if (w < 0) {
			nd_err_set(err, ND_EXIT_FAIL, errno, "cannot send to %s", sock);
			goto fail;
		}
		sent += (size_t)w;
	}
	return 0;
fail:
	nd_http_conn_close(c);
	return -1;
}

int nd_http_recv(struct nd_http_conn *c, struct nd_http_reply *r, struct nd_err *err)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int n, rc = -1;

	if (c->fd < 0)
		return nd_err_set(err, ND_EXIT_FAIL, EBADF, "%s", c->what);
	for (;;) {
		ssize_t got;

		if (cap - len < 16384) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			if (ncap > ND_HTTP_MAX_REPLY + ND_HTTP_MAX_HEADER * 2)
				ncap = ND_HTTP_MAX_REPLY + ND_HTTP_MAX_HEADER * 2;
			if (ncap <= len) {
				nd_err_set(err, ND_EXIT_FAIL, 0, "%s: reply larger than %zu bytes",
					   c->what, ND_HTTP_MAX_REPLY);
				goto out;
			}
			nb = realloc(buf, ncap);
			if (nb == NULL) {
				nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "%s", c->what);
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		got = recv(c->fd, buf + len, cap - len, 0);
		if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(c->fd, POLLIN, c->deadline, err) < 0) {
				nd_err_prefix(err, "%s", c->what);
				goto out;
			}
			continue;
		}
		if (got < 0) {
			nd_err_set(err, ND_EXIT_FAIL, errno, "%s", c->what);
			goto out;
		}
		len += (size_t)got;
		n = nd_http_parse(buf, len, got == 0, ND_HTTP_MAX_REPLY, r, err);
		if (n < 0) {
			nd_err_prefix(err, "%s", c->what);
			goto out;
		}
		if (n == 0)
			break;
	}
	rc = 0;
out:
	free(buf);
	nd_http_conn_close(c);
	return rc;
}

int nd_http_get(const char *sock, const char *path, int timeout_ms, struct nd_http_reply *r,
		struct nd_err *err)
{
	struct nd_http_conn c;

	if (nd_http_send(&c, sock, path, timeout_ms, err) < 0)
		return -1;
	return nd_http_recv(&c, r, err);
}
