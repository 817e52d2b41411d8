/*
 * tcpbulk: one bulk TCP transfer, for nsdump's tests of large (BIG TCP) packets.
 * For test network namespaces only: it refuses any address but loopback (127.0.0.0/8,
 * ::1) and the benchmarking ranges the tests give their namespaces, 198.18.0.0/15 and its
 * IPv6 counterpart 2001:2::/48 (RFC 5180).
 *
 *   tcpbulk -l ADDR PORT      accept one connection, read it to its end, print
 *                             "received N"; prints "listening" (flushed) once ready
 *   tcpbulk ADDR PORT BYTES   connect, write BYTES, close, print "sent N"
 *
 * Writes are 1 MiB each, so that TCP has whole GSO-sized segments to build: with
 * gso_max_size raised (BIG TCP), the stack then hands the device (and a capture on it)
 * packets larger than 64 KiB.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK ((size_t)1024 * 1024)

static void usage(void)
{
	fputs("usage: tcpbulk -l ADDR PORT | tcpbulk ADDR PORT BYTES\n"
	      "ADDR: loopback, 198.18.0.0/15 or 2001:2::/48 only (test namespaces)\n",
	      stderr);
	exit(2);
}

/* Loopback, 198.18.0.0/15 or 2001:2::/48: the only places test traffic may go. */
static bool allowed(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);

		return (a >> 24) == 127 || (a >> 17) == (0xC612u >> 1);
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		static const unsigned char bench[6] = { 0x20, 0x01, 0x00, 0x02, 0x00, 0x00 };

		return IN6_IS_ADDR_LOOPBACK(a) || memcmp(a->s6_addr, bench, sizeof(bench)) == 0;
	}
	return false;
}

static struct addrinfo *resolve(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(host, port, &hints, &ai);

	if (rc != 0) {
		fprintf(stderr, "tcpbulk: %s port %s: %s\n", host, port, gai_strerror(rc));
		exit(2);
	}
	if (!allowed(ai->ai_addr)) {
		fprintf(stderr, "tcpbulk: %s is not loopback, 198.18.0.0/15 or 2001:2::/48\n",
			host);
		exit(2);
	}
	return ai;
}

static void die(const char *what)
{
	fprintf(stderr, "tcpbulk: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int serve(const char *host, const char *port)
{
	struct addrinfo *ai = resolve(host, port);
	unsigned long long total = 0;
	char *buf = malloc(CHUNK);
	int one = 1, ls, fd;

	if (buf == NULL)
		die("malloc");
	ls = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, ai->ai_addr, ai->ai_addrlen) < 0 || listen(ls, 1) < 0)
		die("listen");
	printf("listening\n");
	if (fflush(stdout) != 0)
		die("stdout");
	fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept");
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0)
			break;
		total += (unsigned long long)n;
	}
	printf("received %llu\n", total);
	free(buf);
	freeaddrinfo(ai);
	return close(fd) < 0 || close(ls) < 0 || fflush(stdout) != 0;
}

static int send_bulk(const char *host, const char *port, const char *bytes)
{
	struct addrinfo *ai = resolve(host, port);
	char *end = NULL, *buf = calloc(1, CHUNK);
	unsigned long long want, sent = 0;
	int fd;

	errno = 0;
	want = strtoull(bytes, &end, 10);
	if (errno != 0 || end == bytes || *end != '\0')
		usage();
	if (buf == NULL)
		die("malloc");
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die("connect");
	while (sent < want) {
		size_t n = want - sent < CHUNK ? (size_t)(want - sent) : CHUNK;
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("write");
		sent += (unsigned long long)w;
	}
	if (close(fd) < 0)
		die("close");
	printf("sent %llu\n", sent);
	free(buf);
	freeaddrinfo(ai);
	return fflush(stdout) != 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "-l") == 0)
		return serve(argv[2], argv[3]);
	if (argc == 4)
		return send_bulk(argv[1], argv[2], argv[3]);
	usage();
	return 2;
}
