/* The HTTP reply parser: Content-Length, chunked, read-to-close, partial and hostile input. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsdump/http.h"
#include "unit.h"

static int parse(const char *s, int eof, struct nd_http_reply *r)
{
	struct nd_err e = { 0 };

	memset(r, 0, sizeof(*r));
	return nd_http_parse(s, strlen(s), eof, 1024, r, &e);
}

/* A one-shot server on a unix socket in a child process: reads the request, then writes the
 * parts of reply one by one, 20 ms apart (hang: never answers). Returns the child's PID. */
static pid_t serve(const char *path, const char *const *parts, int hang)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	unlink(path);
	strcpy(sa.sun_path, path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char req[2048];
		size_t got = 0;
		int fd = accept(lfd, NULL, NULL);

		while (fd >= 0 && got < sizeof(req) - 1) {
			ssize_t n = read(fd, req + got, sizeof(req) - 1 - got);

			if (n <= 0)
				break;
			got += (size_t)n;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		if (hang)
			pause();
		for (size_t i = 0; parts[i] != NULL; i++) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			if (write(fd, parts[i], strlen(parts[i])) < 0)
				break;
			nanosleep(&ts, NULL);
		}
		_exit(0);
	}
	close(lfd);
	return pid;
}

static void reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void over_a_socket(void)
{
	char path[64];
	struct nd_http_reply r = { 0 };
	struct nd_err e = { 0 };
	const char *pieces[] = { "HTTP/1.1 200 OK\r\nApi-Ver",
				 "sion: 1.41\r\nTransfer-Encoding: chunked\r\n\r\n2",
				 "\r\n[]\r\n0\r\n\r\n", NULL };
	const char *big[] = { "HTTP/1.1 200 OK\r\nContent-Length: 9437184\r\n\r\n", NULL };
	const char *cut[] = { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", NULL };
	struct timespec t0, t1;
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/nd-http-test.%d.sock", (int)getpid());
	pid = serve(path, pieces, 0);
	CHECK("socket: reply in pieces, chunked", nd_http_get(path, "/x", 2000, &r, &e) == 0 &&
							  r.status == 200 && r.len == 2 &&
							  strcmp(r.api_version, "1.41") == 0);
	nd_http_reply_free(&r);
	reap(pid);
	pid = serve(path, big, 0);
	CHECK("socket: reply over 8 MiB refused",
	      nd_http_get(path, "/x", 2000, &r, &e) < 0 && strstr(e.msg, "larger than") != NULL);
	reap(pid);
	pid = serve(path, cut, 0);
	CHECK("socket: connection closed mid-body refused",
	      nd_http_get(path, "/x", 2000, &r, &e) < 0 && strstr(e.msg, "cut short") != NULL);
	reap(pid);
	pid = serve(path, cut, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK("socket: silent server times out",
	      nd_http_get(path, "/x", 200, &r, &e) < 0 && e.errnum == ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK("socket: ... after about the timeout",
	      (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1500);
	reap(pid);
	unlink(path);
}

int main(void)
{
	struct nd_http_reply r;
	char big[4096];

	CHECK("Content-Length reply",
	      parse("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK", 0, &r) ==
			      0 &&
		      r.status == 200 && r.len == 2);
	CHECK_STR("body", r.body, "OK");
	CHECK_STR("Api-Version header", r.api_version, "1.41");
	nd_http_reply_free(&r);
	CHECK("header names are case-insensitive",
	      parse("HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\napi-version: 1.40\r\n\r\nabc",
		    0, &r) == 0 &&
		      r.status == 404 && strcmp(r.api_version, "1.40") == 0);
	nd_http_reply_free(&r);
	CHECK("partial body asks for more",
	      parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 0, &r) == 1);
	CHECK("partial body at EOF refused",
	      parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 1, &r) < 0);
	CHECK("partial header asks for more", parse("HTTP/1.1 200 OK\r\nContent-Le", 0, &r) == 1);
	CHECK("chunked reply",
	      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
		    "chunked\r\n\r\n3\r\nabc\r\nA;ext=1\r\n0123456789\r\n0\r\n\r\n",
		    0, &r) == 0 &&
		      r.len == 13);
	CHECK_STR("chunked body joined", r.body, "abc0123456789");
	nd_http_reply_free(&r);
	CHECK("chunked with trailers", parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
					     "chunked\r\n\r\n1\r\nx\r\n0\r\nX-T: 1\r\n\r\n",
					     0, &r) == 0 &&
					       r.len == 1);
	nd_http_reply_free(&r);
	CHECK("chunked, last chunk missing: more",
	      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n", 0, &r) == 1);
	CHECK("chunked, cut at EOF refused",
	      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n", 1, &r) < 0);
	CHECK("chunk size not hex refused",
	      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, &r) < 0);
	CHECK("chunk without CRLF after the data refused",
	      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n", 0,
		    &r) < 0);
	CHECK("chunk size overflow refused", parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
						   "chunked\r\n\r\nffffffffffffffffffffffff\r\n",
						   0, &r) < 0);
	CHECK("chunks over the limit refused",
	      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n", 0, &r) < 0);
	CHECK("Content-Length over the limit refused",
	      parse("HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n", 0, &r) < 0);
	CHECK("Content-Length overflow refused",
	      parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0, &r) <
		      0);
	CHECK("negative Content-Length refused",
	      parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, &r) < 0);
	CHECK("conflicting Content-Lengths refused",
	      parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 0, &r) <
		      0);
	CHECK("unknown transfer encoding refused",
	      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, &r) < 0);
	CHECK("body to EOF", parse("HTTP/1.0 200 OK\r\n\r\n[1]", 1, &r) == 0 && r.len == 3);
	nd_http_reply_free(&r);
	CHECK("body to EOF: more before EOF", parse("HTTP/1.0 200 OK\r\n\r\n[1]", 0, &r) == 1);
	CHECK("empty body",
	      parse("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 0, &r) == 0 &&
		      r.body == NULL && r.len == 0);
	CHECK("not HTTP refused", parse("SSH-2.0-OpenSSH\r\n\r\n", 0, &r) < 0);
	CHECK("status 99 refused", parse("HTTP/1.1 099 X\r\n\r\n", 0, &r) < 0);
	CHECK("status with letters refused", parse("HTTP/1.1 2x0 X\r\n\r\n", 0, &r) < 0);
	CHECK("bad Api-Version ignored",
	      parse("HTTP/1.1 200 OK\r\nApi-Version: 1.41; rm -rf\r\nContent-Length: 0\r\n\r\n", 0,
		    &r) == 0 &&
		      r.api_version[0] == '\0');
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 21);
	CHECK("a long header line asks for more (below the header limit)", parse(big, 0, &r) == 1);
	{
		size_t n = ND_HTTP_MAX_HEADER + 100;
		char *huge = malloc(n + 1);
		struct nd_err e = { 0 };

		if (huge != NULL) {
			memset(huge, 'a', n);
			memcpy(huge, "HTTP/1.1 200 OK\r\nX: ", 21);
			huge[n] = '\0';
			CHECK("header over the limit refused",
			      nd_http_parse(huge, n, 0, 1024, &r, &e) < 0);
			free(huge);
		}
	}
	{
		struct nd_err e = { 0 };

		CHECK("no socket: not found",
		      nd_http_get("/nonexistent/nsdump.sock", "/_ping", 100, &r, &e) < 0 &&
			      e.exit == ND_EXIT_NOTFOUND);
	}
	over_a_socket();
	return UNIT_DONE();
}
