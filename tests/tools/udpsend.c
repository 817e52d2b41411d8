/*
 * udpsend: send an exact number of UDP datagrams, for nsdump's tests and
 * benchmarks.  For test network namespaces only: point it at loopback or at
 * an address inside a namespace your test created (198.18.0.0/15), never at
 * a real network.
 *
 * "sent N" on stdout is exact: ENOBUFS/EAGAIN from the kernel (a full qdisc
 * or socket buffer) are retried after a short pause, never counted as sent.
 * The socket is not connected, so ICMP errors from the peer (port
 * unreachable) are not reported back to us and cannot abort the run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAYLOAD  65507 /* 65535 - 20 (IPv4) - 8 (UDP) */
#define MAX_BATCH    1024
#define TS_BYTES     ((size_t)sizeof(struct timespec))
#define NSEC_PER_SEC 1000000000LL

struct opts {
	unsigned long long count;
	size_t payload;
	unsigned long long pps;
	unsigned long interval_ms;
	unsigned int dport;
	unsigned int sport;
	unsigned int batch;
	int forever;
	int timestamp;
	struct in_addr dst;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fputs("usage: udpsend [-c COUNT] [-s PAYLOAD_BYTES] [-r PPS] [-i INTERVAL_MS]\n"
	      "               [-p DSTPORT] [-P SRCPORT] [-b BATCH] [-f] [-t] DST_IPV4\n"
	      "Sends UDP datagrams for nsdump's tests and benchmarks.\n"
	      "FOR TEST NAMESPACES ONLY: DST_IPV4 must be loopback or an address inside a\n"
	      "network namespace you created (e.g. 198.18.0.0/15); never a real network.\n"
	      "  -c COUNT   datagrams to send (default 10)\n"
	      "  -s BYTES   UDP payload size (default 32; 22 = 64-byte Ethernet frame,\n"
	      "             1472 = 1514-byte frame)\n"
	      "  -r PPS     pace at PPS datagrams per second (0 = flat out, default)\n"
	      "  -i MS      wait MS milliseconds between datagrams\n"
	      "  -p PORT    destination port (default 9999)\n"
	      "  -P PORT    source port (default: ephemeral)\n"
	      "  -b BATCH   sendmmsg batch size (default 64 flat out, 1 when paced)\n"
	      "  -f         send until SIGINT/SIGTERM, then print the count\n"
	      "  -t         CLOCK_REALTIME struct timespec in the first 16 payload bytes\n"
	      "Prints 'sent N' on success; exits 1 on error, 2 on bad usage.\n",
	      f);
}

static void die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "udpsend: %s: '%s' (see udpsend -h)\n", msg, arg);
	exit(2);
}

static unsigned long long parse_num(const char *s, unsigned long long max, const char *what)
{
	char *end = NULL;
	unsigned long long v;

	if (s[0] == '-' || s[0] == '\0')
		die_usage(what, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		die_usage(what, s);
	return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;
	int batch_set = 0;

	memset(o, 0, sizeof(*o));
	o->count = 10;
	o->payload = 32;
	o->dport = 9999;

	while ((c = getopt(argc, argv, "c:s:r:i:p:P:b:fth")) != -1) {
		switch (c) {
		case 'c':
			o->count = parse_num(optarg, ULLONG_MAX, "bad count");
			break;
		case 's':
			o->payload = (size_t)parse_num(optarg, MAX_PAYLOAD, "bad payload size");
			break;
		case 'r':
			o->pps = parse_num(optarg, NSEC_PER_SEC, "bad rate");
			break;
		case 'i':
			o->interval_ms = (unsigned long)parse_num(optarg, 3600000, "bad interval");
			break;
		case 'p':
			o->dport = (unsigned int)parse_num(optarg, 65535, "bad destination port");
			if (o->dport == 0)
				die_usage("bad destination port", optarg);
			break;
		case 'P':
			o->sport = (unsigned int)parse_num(optarg, 65535, "bad source port");
			break;
		case 'b':
			o->batch = (unsigned int)parse_num(optarg, MAX_BATCH, "bad batch size");
			if (o->batch == 0)
				die_usage("bad batch size", optarg);
			batch_set = 1;
			break;
		case 'f':
			o->forever = 1;
			break;
		case 't':
			o->timestamp = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc - 1) {
		fputs("udpsend: exactly one destination address is required (see udpsend -h)\n",
		      stderr);
		exit(2);
	}
	if (inet_pton(AF_INET, argv[optind], &o->dst) != 1)
		die_usage("not an IPv4 address", argv[optind]);
	if (o->timestamp && o->payload < TS_BYTES) {
		fprintf(stderr, "udpsend: -t needs a payload of at least %zu bytes\n", TS_BYTES);
		exit(2);
	}
	if (o->pps != 0 && o->interval_ms != 0) {
		fputs("udpsend: -r and -i are mutually exclusive\n", stderr);
		exit(2);
	}
	if (!batch_set)
		o->batch = (o->pps == 0 && o->interval_ms == 0) ? 64 : 1;
}

static long long mono_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		perror("udpsend: clock_gettime");
		exit(1);
	}
	return (long long)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* Sleep until the CLOCK_MONOTONIC deadline; returns early on a signal. */
static void sleep_until(long long deadline_ns)
{
	struct timespec ts;
	int rc;

	ts.tv_sec = (time_t)(deadline_ns / NSEC_PER_SEC);
	ts.tv_nsec = (long)(deadline_ns % NSEC_PER_SEC);
	rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	if (rc != 0 && rc != EINTR) {
		fprintf(stderr, "udpsend: clock_nanosleep: %s\n", strerror(rc));
		exit(1);
	}
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigemptyset(&sa.sa_mask) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0) {
		perror("udpsend: sigaction");
		exit(1);
	}
}

static int open_socket(const struct opts *o)
{
	struct sockaddr_in src;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("udpsend: socket");
		exit(1);
	}
	if (o->sport != 0) {
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		src.sin_port = htons((uint16_t)o->sport);
		src.sin_addr.s_addr = htonl(INADDR_ANY);
		if (bind(fd, (const struct sockaddr *)&src, sizeof(src)) != 0) {
			fprintf(stderr, "udpsend: bind to port %u: %s\n", o->sport,
				strerror(errno));
			exit(1);
		}
	}
	return fd;
}

/*
 * Send n datagrams (n <= MAX_BATCH), retrying the ones the kernel refused
 * for lack of buffer space.  Returns the number sent, fewer than n only when
 * a stop was requested.  Any other error is fatal.
 */
static unsigned int send_batch(int fd, struct mmsghdr *msgs, unsigned char *bufs, unsigned int n,
			       const struct opts *o, unsigned long long already)
{
	unsigned int done = 0;
	unsigned int i;

	if (o->timestamp) {
		struct timespec now;

		if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
			perror("udpsend: clock_gettime");
			exit(1);
		}
		for (i = 0; i < n; i++)
			memcpy(bufs + i * o->payload, &now, TS_BYTES);
	} else if (o->payload >= sizeof(uint64_t)) {
		/* A sequence number makes individual datagrams identifiable. */
		for (i = 0; i < n; i++) {
			uint64_t seq = (uint64_t)(already + i);

			memcpy(bufs + i * o->payload, &seq, sizeof(seq));
		}
	}

	while (done < n) {
		int rc = sendmmsg(fd, msgs + done, n - done, 0);

		if (rc > 0) {
			done += (unsigned int)rc;
			continue;
		}
		if (rc < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)) {
			if (stop_requested && o->forever)
				break;
			if (errno != EINTR) {
				struct timespec pause = { 0, 50000 }; /* 50 us */

				(void)nanosleep(&pause, NULL);
			}
			continue;
		}
		if (rc == 0) {
			fputs("udpsend: sendmmsg sent nothing\n", stderr);
			exit(1);
		}
		fprintf(stderr, "udpsend: sendmmsg: %s\n", strerror(errno));
		exit(1);
	}
	return done;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sockaddr_in dst;
	struct mmsghdr *msgs;
	struct iovec *iovs;
	unsigned char *bufs;
	unsigned long long sent = 0;
	long long start_ns;
	long long next_ns;
	unsigned int i;
	int fd;

	parse_args(argc, argv, &o);
	install_signals();
	fd = open_socket(&o);

	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)o.dport);
	dst.sin_addr = o.dst;

	msgs = calloc(o.batch, sizeof(*msgs));
	iovs = calloc(o.batch, sizeof(*iovs));
	/* One contiguous buffer, o.payload bytes per datagram of a batch. */
	bufs = calloc(o.batch, o.payload > 0 ? o.payload : 1);
	if (msgs == NULL || iovs == NULL || bufs == NULL) {
		fputs("udpsend: out of memory\n", stderr);
		return 1;
	}
	for (i = 0; i < o.batch; i++) {
		memset(bufs + i * o.payload, 'x', o.payload);
		iovs[i].iov_base = bufs + i * o.payload;
		iovs[i].iov_len = o.payload;
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	start_ns = mono_ns();
	next_ns = start_ns;
	while (!stop_requested && (o.forever || sent < o.count)) {
		unsigned long long want = o.batch;

		if (!o.forever && o.count - sent < want)
			want = o.count - sent;

		if (o.pps != 0) {
			/* Send what is due by now (catching up in batches), else sleep. */
			long long elapsed = mono_ns() - start_ns;
			unsigned long long due =
				(unsigned long long)((__int128)elapsed * (__int128)o.pps /
						     NSEC_PER_SEC) +
				1;

			if (due <= sent) {
				sleep_until(start_ns + (long long)((__int128)sent * NSEC_PER_SEC /
								   (__int128)o.pps));
				continue;
			}
			if (due - sent < want)
				want = due - sent;
		} else if (o.interval_ms != 0 && sent > 0) {
			sleep_until(next_ns);
			if (stop_requested)
				break;
		}

		sent += send_batch(fd, msgs, bufs, (unsigned int)want, &o, sent);
		if (o.interval_ms != 0)
			next_ns = mono_ns() + (long long)o.interval_ms * 1000000LL;
	}

	if (close(fd) != 0) {
		perror("udpsend: close");
		return 1;
	}
	free(bufs);
	free(iovs);
	free(msgs);
	if (printf("sent %llu\n", sent) < 0 || fflush(stdout) != 0) {
		perror("udpsend: stdout");
		return 1;
	}
	return 0;
}
