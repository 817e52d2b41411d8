/* A small HTTP/1.1 client over a unix socket, enough for the Docker Engine API and Podman's
 * compatible one: GET only, one request per connection, Content-Length, chunked or
 * read-to-close bodies, an overall deadline and a size limit. */
#ifndef NSDUMP_HTTP_H
#define NSDUMP_HTTP_H

#include <stddef.h>

#include "nsdump/err.h"

/* Replies larger than this are refused: a container list of a busy host is well under it. */
#define ND_HTTP_MAX_REPLY ((size_t)8 * 1024 * 1024)
/* Headers larger than this are refused. */
#define ND_HTTP_MAX_HEADER ((size_t)64 * 1024)

struct nd_http_reply {
	int status;           /* 100..599 */
	char api_version[16]; /* the Api-Version header, "" if none */
	char *body;           /* NUL-terminated (not counted in len), owned; NULL if empty */
	size_t len;
};

/* Parses a whole or partial reply in buf. Returns 0 when it is complete (r filled; the caller
 * frees r->body), 1 when more bytes are needed (at_eof false) and -1 with err on a malformed
 * or over-long reply, or on one cut short (at_eof true). Pure, so it can be fuzzed. */
int nd_http_parse(const char *buf, size_t len, int at_eof, size_t limit, struct nd_http_reply *r,
		  struct nd_err *err);

/* Connects to the unix socket at sock (with the caller's current rights), sends GET path and
 * reads the reply within timeout_ms. Errors: ND_EXIT_NOTFOUND when nothing listens there
 * (ENOENT, ECONNREFUSED: err->errnum says which), ND_EXIT_PERM when the socket is not ours to
 * use, ND_EXIT_FAIL otherwise. */
int nd_http_get(const char *sock, const char *path, int timeout_ms, struct nd_http_reply *r,
		struct nd_err *err);

void nd_http_reply_free(struct nd_http_reply *r);

/* The two halves of nd_http_get, so that requests to an engine can be in flight together:
 * nd_http_send connects and sends (errors as nd_http_get's), nd_http_recv reads the reply
 * and closes the connection. nd_http_conn_close abandons one not received. */
struct nd_http_conn {
	int fd;
	long long deadline; /* CLOCK_MONOTONIC, ms */
	char what[384];     /* "SOCKET GET PATH", for messages */
};
void nd_http_conn_init(struct nd_http_conn *c);
int nd_http_send(struct nd_http_conn *c, const char *sock, const char *path, int timeout_ms,
		 struct nd_err *err);
int nd_http_recv(struct nd_http_conn *c, struct nd_http_reply *r, struct nd_err *err);
void nd_http_conn_close(struct nd_http_conn *c);

#endif
