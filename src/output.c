/* Buffered record output with whole-record recovery; see include/nsdump/output.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "nsdump/output.h"

static const char tty_msg[] =
	"refusing to write binary capture data to a terminal: it would garble the screen and "
	"the capture (redirect standard output to a file or a pipe, or use -w FILE)";

static bool is_stdout(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

int nd_out_check_stdout(const char *path, struct nd_err *err)
{
	if (is_stdout(path) && isatty(STDOUT_FILENO))
		return nd_err_set(err, ND_EXIT_USAGE, 0, "%s", tty_msg);
	return 0;
}

bool nd_out_live(const char *path)
{
	struct stat st;

	if (is_stdout(path) ? fstat(STDOUT_FILENO, &st) < 0 : stat(path, &st) < 0)
		return false;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

/* An error opening path, with the exit status its cause calls for. */
static int open_failed(const char *path, int e, struct nd_err *err)
{
	if (e == EACCES || e == EPERM)
		return nd_err_set(err, ND_EXIT_PERM, e, "cannot create %s", path);
	return nd_err_set(err, ND_EXIT_USAGE, e, "cannot create %s", path);
}

bool nd_out_dir_shared(mode_t mode)
{
	return (mode & S_IWOTH) || ((mode & S_ISVTX) && (mode & S_IWGRP));
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

int nd_out_dir_open(const char *path, struct nd_err *err)
{
	const char *base = base_name(path);
	char dir[4096];
	int fd;

	if (base == path)
		snprintf(dir, sizeof(dir), ".");
	else if (base - path == 1)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(base - path) <= sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - path - 1), path);
	else
		return open_failed(path, ENAMETOOLONG, err);
	if (*base == '\0')
		return open_failed(path, EISDIR, err);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return open_failed(path, errno, err);
	return fd;
}

/* Why an existing file in a shared directory is not the caller's to write, or NULL. */
static const char *foreign(const struct stat *st, char *why, size_t len)
{
	if (S_ISLNK(st->st_mode))
		return "it is a symbolic link";
	if (st->st_uid != geteuid()) {
		snprintf(why, len, "it belongs to user %u", (unsigned)st->st_uid);
		return why;
	}
	if (S_ISREG(st->st_mode) && st->st_nlink > 1) {
		snprintf(why, len, "it has %ju links", (uintmax_t)st->st_nlink);
		return why;
	}
	return NULL;
}

static int refuse(const char *path, const char *why, struct nd_err *err)
{
	return nd_err_set(err, ND_EXIT_PERM, 0,
			  "refusing to write to %s: %s, in a directory others can write to "
			  "(remove it, or choose another name)",
			  path, why);
}

/* The rest of opening o->fd: the terminal check, what kind of file it is, the buffer. */
static int finish_open(struct nd_out *o, size_t bufsize, struct nd_err *err)
{
	struct stat st;

	if (isatty(o->fd)) {
		nd_out_abort(o);
		return nd_err_set(err, ND_EXIT_USAGE, 0, "%s", tty_msg);
	}
	if (fstat(o->fd, &st) < 0) {
		int e = errno;

		nd_out_abort(o);
		return nd_err_set(err, ND_EXIT_FAIL, e, "cannot examine %s", o->name);
	}
	o->regular = S_ISREG(st.st_mode);
	o->fifo = S_ISFIFO(st.st_mode);
	if (o->fifo) {
		o->pipe_size = fcntl(o->fd, F_GETPIPE_SZ);
		if (o->pipe_size < 0)
			o->pipe_size = 0; /* then one page at a time, after poll(2) */
	}
	if (o->regular) {
		o->committed = lseek(o->fd, 0, SEEK_CUR);
		if (o->committed < 0)
			o->regular = false; /* cannot be cut back; still writable */
		o->wpos = o->committed;
		o->wb_kicked = o->committed;
	}
	o->cap = bufsize;
	o->buf = malloc(bufsize);
	if (o->buf == NULL) {
		nd_out_abort(o);
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot allocate the output buffer");
	}
	return 0;
}

static void out_init(struct nd_out *o, nd_reclen_fn reclen)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->wake_fd = -1;
	o->reclen = reclen;
}

/* Opens base in dir_fd for writing, by the rules of nd_out_open(). Returns the descriptor. */
static int open_in(int dir_fd, const char *base, const char *path, struct nd_err *err)
{
	struct stat dst, st;
	char why[64];
	const char *bad;
	bool shared;
	int fd;

	if (fstat(dir_fd, &dst) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot examine the directory of %s",
				  path);
	shared = nd_out_dir_shared(dst.st_mode);
	/* Not O_TRUNC: whether the file may be truncated is known only once it is open. */
	fd = openat(dir_fd, base,
		    O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | (shared ? O_NOFOLLOW : 0), 0600);
	if (fd < 0) {
		int e = errno;

		/* ELOOP: the name is a symlink (O_NOFOLLOW); EACCES: perhaps the kernel's
		 * fs.protected_regular refused someone else's file: say whose. */
		if (shared && (e == ELOOP || e == EACCES) &&
		    fstatat(dir_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (bad = foreign(&st, why, sizeof(why))) != NULL)
			return refuse(path, bad, err);
		return open_failed(path, e, err);
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		(void)close(fd);
		return nd_err_set(err, ND_EXIT_FAIL, e, "cannot examine %s", path);
	}
	if (shared && (bad = foreign(&st, why, sizeof(why))) != NULL) {
		(void)close(fd);
		return refuse(path, bad, err);
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0 && ftruncate(fd, 0) < 0) {
		int e = errno;

		(void)close(fd);
		return nd_err_set(err, ND_EXIT_FAIL, e, "cannot truncate %s", path);
	}
	return fd;
}

int nd_out_open(struct nd_out *o, const char *path, size_t bufsize, nd_reclen_fn reclen,
		struct nd_err *err)
{
	out_init(o, reclen);
	if (is_stdout(path)) {
		o->fd = STDOUT_FILENO;
		snprintf(o->name, sizeof(o->name), "standard output");
	} else {
		int dir_fd = nd_out_dir_open(path, err);

		if (dir_fd < 0)
			return -1;
		snprintf(o->name, sizeof(o->name), "%s", path);
		o->fd = open_in(dir_fd, base_name(path), path, err);
		(void)close(dir_fd);
		if (o->fd < 0)
			return -1;
		o->own_fd = true;
	}
	return finish_open(o, bufsize, err);
}

int nd_out_create(struct nd_out *o, int dir_fd, const char *name, const char *display,
		  size_t bufsize, nd_reclen_fn reclen, struct nd_err *err)
{
	struct stat dst, st;
	char why[64];
	const char *bad;

	out_init(o, reclen);
	snprintf(o->name, sizeof(o->name), "%s", display);
	if (fstat(dir_fd, &dst) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot examine the directory of %s",
				  display);
	for (int attempt = 0;; attempt++) {
		/* 0600: a capture holds other people's traffic (dumpcap does the same). */
		o->fd = openat(dir_fd, name, ND_OUT_CREATE_FLAGS, 0600);
		if (o->fd >= 0)
			break;
		if (errno != EEXIST || attempt > 0)
			return open_failed(display, errno, err);
		/* Replaced rather than truncated: a symlink or a hard link there then leads
		 * nowhere, and nothing is ever written into a file this did not create. */
		if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return open_failed(display, errno, err);
		if (nd_out_dir_shared(dst.st_mode) &&
		    (bad = foreign(&st, why, sizeof(why))) != NULL)
			return refuse(display, bad, err);
		if (unlinkat(dir_fd, name, 0) < 0) {
			int e = errno;

			return nd_err_set(err,
					  e == EACCES || e == EPERM ? ND_EXIT_PERM : ND_EXIT_FAIL,
					  e, "cannot replace %s", display);
		}
	}
	o->own_fd = true;
	return finish_open(o, bufsize, err);
}

int nd_out_pin_fd(struct nd_out *o, struct nd_err *err)
{
	int fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot move the descriptor of %s",
				  o->name);
	if (fd > o->fd) {
		(void)close(fd); /* no lower number is free */
		return 0;
	}
	(void)close(o->fd);
	o->fd = fd;
	return 0;
}

/* The message for a write that failed with e: the file or pipe holds o->nwritten packets,
 * and `lost` packets that were meant for it are not in it. */
static int failed(struct nd_out *o, int e, unsigned long long lost, struct nd_err *err)
{
	if (e == EPIPE)
		return nd_err_set(err, ND_EXIT_FAIL, EPIPE, "the reader of %s has gone", o->name);
	if (e == ETIMEDOUT && o->fifo)
		return nd_err_set(
			err, ND_EXIT_FAIL, 0,
			"stopped while the reader of %s had read "
			"nothing for %d s: it holds the first %llu packets, the last %llu "
			"were not delivered",
			o->name, ND_OUT_STUCK_MS / 1000, o->nwritten, lost);
	return nd_err_set(err, ND_EXIT_FAIL, e,
			  "cannot write to %s (it holds the first %llu "
			  "packets, %llu were lost)",
			  o->name, o->nwritten, lost);
}

/* Cuts a regular file back to o->committed + keep, the end of its last whole record. */
static int cut_back(struct nd_out *o, off_t keep, int e, struct nd_err *err)
{
	if (o->regular && ftruncate(o->fd, o->committed + keep) < 0)
		return nd_err_set(err, ND_EXIT_FAIL, e,
				  "cannot write to %s, and cannot cut it back to whole packets "
				  "(ftruncate: %s)",
				  o->name, strerror(errno));
	return 0;
}

/* After a write that stopped at `done` bytes into the buffer, keeps in the file only the
 * records that arrived whole, and reports how many records are in it. */
static int write_failed(struct nd_out *o, size_t done, int e, struct nd_err *err)
{
	size_t pos = 0, whole = 0;

	while (pos < o->len) {
		bool packet = false;
		size_t rl = o->reclen != NULL ? o->reclen(o->buf + pos, o->len - pos, &packet) : 0;

		if (rl == 0 || pos + rl > done)
			break;
		pos += rl;
		whole += packet;
	}
	o->nwritten += whole;
	if (done > pos && cut_back(o, (off_t)pos, e, err) < 0)
		return -1;
	o->committed += (off_t)pos;
	return failed(o, e, (unsigned long long)(o->nbuffered - whole), err);
}

/* Bytes the pipe takes now without blocking: its free pages, less one. The kernel keeps
 * unread bytes in whole pages (the first partly read, the last partly filled) and a write
 * tops up only the last one, so unread bytes hold at most one page more than they fill.
 * 0 when full or unknown. */
static size_t fifo_room(const struct nd_out *o)
{
	long page = sysconf(_SC_PAGESIZE);
	long pages, used;
	int unread;

	if (o->pipe_size <= 0 || page <= 0 || ioctl(o->fd, FIONREAD, &unread) < 0 || unread < 0)
		return 0;
	pages = o->pipe_size / page;
	used = (unread + page - 1) / page + 1;
	return pages > used ? (size_t)(pages - used) * (size_t)page : 0;
}

/* A capture file is written once, at up to a gigabyte a second, and read later, often on
 * another machine: left to the page cache, a long capture fills memory with dirty pages that
 * push out what the host's own programs use, until the kernel's writeback catches up, and every
 * page it writes is a new allocation. So writeback of each ND_OUT_WB_CHUNK starts as soon as it
 * is written (sync_file_range, without waiting), and the pages ND_OUT_WB_KEEP behind the end,
 * by then written back, are dropped (POSIX_FADV_DONTNEED drops clean pages only, and does not
 * wait either). The file's pages in memory stay near ND_OUT_WB_KEEP, and their frames are
 * taken again for the next ones while still warm: in a VM whose freed memory goes back to the
 * host, a fresh page costs a host fault, and 750 MB written through the page cache took 1.45 s
 * there against 0.23 s this way (docs/performance.md, "Part 4"). */
#define ND_OUT_WB_CHUNK ((off_t)8 << 20)
#define ND_OUT_WB_KEEP  (2 * ND_OUT_WB_CHUNK)
#define ND_OUT_WB_SPAN                                                                             \
	(4 * ND_OUT_WB_CHUNK) /* dropped each time: what may have been                             \
			       * under writeback the times before */

static void release_written(struct nd_out *o)
{
	off_t hi, lo;

	if (o->wpos - o->wb_kicked < ND_OUT_WB_CHUNK)
		return;
	if (sync_file_range(o->fd, o->wb_kicked, o->wpos - o->wb_kicked, SYNC_FILE_RANGE_WRITE) <
	    0) {
		o->wb_off = true; /* not for this file system: the page cache as usual */
		return;
	}
	o->wb_kicked = o->wpos;
	hi = o->wpos - ND_OUT_WB_KEEP;
	lo = hi > ND_OUT_WB_SPAN ? hi - ND_OUT_WB_SPAN : 0;
	if (hi > lo && posix_fadvise(o->fd, lo, hi - lo, POSIX_FADV_DONTNEED) != 0)
		o->wb_off = true;
}

/* write(2), but on a pipe never more than it takes at once, so that nsdump cannot hang in
 * write(2) on a reader that stopped reading without closing the pipe (as tcpdump does:
 * then even SIGINT does not end it). It waits in poll(2) instead, with the loop's signal
 * descriptor: once a stop signal has come, a reader that takes nothing for
 * ND_OUT_STUCK_MS ends the write with ETIMEDOUT. A reader that keeps reading, however
 * slowly, loses nothing. */
static ssize_t out_write(struct nd_out *o, const void *p, size_t n)
{
	size_t room;

	if (!o->fifo) {
		ssize_t w = write(o->fd, p, n);

		if (w > 0 && o->regular && !o->wb_off) {
			o->wpos += w;
			release_written(o);
		}
		return w;
	}
	room = fifo_room(o);
	while (room == 0) {
		struct pollfd pf[2] = { { .fd = o->fd, .events = POLLOUT },
					{ .fd = o->wake_fd, .events = POLLIN } };
		nfds_t nfds = o->stopping || o->wake_fd < 0 ? 1 : 2;
		int r = poll(pf, nfds, o->stopping ? ND_OUT_STUCK_MS : -1);

		if (r < 0)
			return -1; /* EINTR: the caller tries again */
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (pf[0].revents != 0) {
			/* POLLOUT: a free page at least (POLLERR: the write says EPIPE). */
			room = fifo_room(o);
			if (room == 0)
				room = PIPE_BUF;
			break;
		}
		o->stopping = true; /* a stop signal waits, and the reader reads nothing */
	}
	return write(o->fd, p, n < room ? n : room);
}

/* Writes n bytes of p whole; false with errno set otherwise. */
static bool write_raw(struct nd_out *o, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = out_write(o, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

#define ZBUF_SIZE ((size_t)256 * 1024)

/* Deflates the n pieces of iov, holding `packets` packets, as one unit: the last one ends
 * with a zlib sync point (or the end of the stream when finish), and the result is written.
 * On a failed write the file is cut back to the previous sync point: the packets of this
 * unit are lost, those before stay readable. */
static int write_gz(struct nd_out *o, const struct iovec *iov, int n, bool finish,
		    unsigned long long packets, struct nd_err *err)
{
	z_stream *z = o->z;
	off_t written = 0;
	uint64_t in = 0;

	for (int i = 0; i < n; i++) {
		bool last = i == n - 1;
		int flush = !last ? Z_NO_FLUSH : finish ? Z_FINISH : Z_SYNC_FLUSH;
		int zrc;

		z->next_in = iov[i].iov_base;
		z->avail_in = (uInt)iov[i].iov_len;
		in += iov[i].iov_len;
		do {
			size_t produced;

			z->next_out = o->zbuf;
			z->avail_out = ZBUF_SIZE;
			zrc = deflate(z, flush);
			if (zrc == Z_STREAM_ERROR)
				return nd_err_set(err, ND_EXIT_FAIL, 0, "cannot compress %s",
						  o->name);
			produced = ZBUF_SIZE - z->avail_out;
			if (!write_raw(o, o->zbuf, produced)) {
				int e = errno;

				if (cut_back(o, 0, e, err) < 0)
					return -1;
				return failed(o, e, packets, err);
			}
			written += (off_t)produced;
		} while (z->avail_in > 0 ||
			 (last && (z->avail_out == 0 || (finish && zrc != Z_STREAM_END))));
	}
	o->committed += written;
	o->zin += in;
	o->nwritten += packets;
	return 0;
}

/* Writes the buffer through the compressor and empties it, whatever the outcome. */
static int write_buf_gz(struct nd_out *o, bool finish, struct nd_err *err)
{
	struct iovec v = { .iov_base = o->buf, .iov_len = o->len };
	unsigned long long packets = o->nbuffered;

	o->len = 0;
	o->nbuffered = 0;
	return write_gz(o, &v, 1, finish, packets, err);
}

int nd_out_compress(struct nd_out *o, struct nd_err *err)
{
	o->z = calloc(1, sizeof(*o->z));
	o->zbuf = malloc(ZBUF_SIZE);
	if (o->z == NULL || o->zbuf == NULL)
		return nd_err_set(err, ND_EXIT_FAIL, ENOMEM, "cannot set up compression");
	/* Level 1: a capture must keep up with the link; 15 + 16 asks for a gzip wrapper. */
	if (deflateInit2(o->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(o->z);
		o->z = NULL;
		return nd_err_set(err, ND_EXIT_FAIL, 0, "cannot set up compression");
	}
	return 0;
}

/* Writes the first `take` bytes of the buffer, whole records holding `packets` packets, and
 * keeps the rest buffered. */
static int write_buffered(struct nd_out *o, size_t take, size_t packets, struct nd_err *err)
{
	size_t done = 0;

	while (done < take) {
		ssize_t n = out_write(o, o->buf + done, take - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int rc = write_failed(o, done, n < 0 ? errno : EIO, err);

			o->len = 0;
			o->nbuffered = 0;
			return rc;
		}
		done += (size_t)n;
	}
	if (take < o->len)
		memmove(o->buf, o->buf + take, o->len - take);
	o->committed += (off_t)take;
	o->nwritten += packets;
	o->len -= take;
	o->nbuffered -= packets;
	return 0;
}

static int write_all(struct nd_out *o, struct nd_err *err)
{
	if (o->z != NULL)
		return write_buf_gz(o, false, err);
	return write_buffered(o, o->len, o->nbuffered, err);
}

int nd_out_header(struct nd_out *o, const void *p, size_t len, struct nd_err *err)
{
	struct iovec v = { .iov_base = (void *)(uintptr_t)p, .iov_len = len };

	if (nd_out_flush(o, err) < 0)
		return -1;
	if (o->z != NULL)
		return write_gz(o, &v, 1, false, 0, err); /* a unit of no packets */
	if (!write_raw(o, p, len))
		return nd_err_set(err, ND_EXIT_FAIL, errno, "cannot write the file header to %s",
				  o->name);
	o->committed += (off_t)len;
	return 0;
}

/* A record larger than the buffer (a BIG TCP packet of up to the snapshot length, 256 KiB,
 * through a buffer of 128 KiB): what is buffered goes first, then the record straight from
 * its n pieces, without a copy. Such records are rare, so the buffer stays sized for the
 * common case. It is alone in its writes, so a failure cuts the file back to the end of the
 * previous record (or, compressed, to the previous sync point), as for buffered records. */
static int write_big(struct nd_out *o, const struct iovec *iov, int n, bool packet,
		     struct nd_err *err)
{
	size_t total = 0;

	if (nd_out_flush(o, err) < 0)
		return -1;
	if (o->z != NULL)
		return write_gz(o, iov, n, false, packet, err);
	for (int i = 0; i < n; i++) {
		if (!write_raw(o, iov[i].iov_base, iov[i].iov_len)) {
			int e = errno;

			if (cut_back(o, 0, e, err) < 0)
				return -1;
			return failed(o, e, packet, err);
		}
		total += iov[i].iov_len;
	}
	o->committed += (off_t)total;
	o->nwritten += packet;
	return 0;
}

unsigned char *nd_out_reserve(struct nd_out *o, size_t len, struct nd_err *err)
{
	if (o->len + len > o->cap && nd_out_flush(o, err) < 0)
		return NULL;
	if (len > o->cap) {
		/* A caller's mistake: larger records go through nd_out_record(). */
		nd_err_set(err, ND_EXIT_FAIL, 0,
			   "record of %zu bytes larger than the output buffer", len);
		return NULL;
	}
	return o->buf + o->len;
}

int nd_out_record(struct nd_out *o, const void *hdr, size_t hlen, const void *data, size_t dlen,
		  const void *tail, size_t tlen, struct nd_err *err)
{
	unsigned char *p;

	if (hlen + dlen + tlen > o->cap) {
		struct iovec v[3] = { { (void *)(uintptr_t)hdr, hlen },
				      { (void *)(uintptr_t)data, dlen },
				      { (void *)(uintptr_t)tail, tlen } };

		return write_big(o, v, tlen ? 3 : 2, true, err);
	}
	p = nd_out_reserve(o, hlen + dlen + tlen, err);
	if (p == NULL)
		return -1;
	memcpy(p, hdr, hlen);
	if (dlen)
		memcpy(p + hlen, data, dlen);
	if (tlen)
		memcpy(p + hlen + dlen, tail, tlen);
	nd_out_commit(o, hlen + dlen + tlen);
	return 0;
}

int nd_out_block(struct nd_out *o, const void *p, size_t len, struct nd_err *err)
{
	unsigned char *dst;

	if (len > o->cap) {
		struct iovec v = { .iov_base = (void *)(uintptr_t)p, .iov_len = len };

		return write_big(o, &v, 1, false, err);
	}
	dst = nd_out_reserve(o, len, err);
	if (dst == NULL)
		return -1;
	memcpy(dst, p, len);
	o->len += len; /* not a packet: nbuffered stays */
	return 0;
}

uint64_t nd_out_size(const struct nd_out *o)
{
	return (o->z != NULL ? o->zin : (uint64_t)o->committed) + o->len;
}

int nd_out_flush(struct nd_out *o, struct nd_err *err)
{
	if (o->len == 0)
		return 0;
	return write_all(o, err);
}

int nd_out_flush_ready(struct nd_out *o, struct nd_err *err)
{
	size_t room, take = 0, packets = 0;

	if (!o->fifo || o->pipe_size <= 0 || o->z != NULL || o->reclen == NULL)
		return nd_out_flush(o, err);
	room = fifo_room(o);
	if (room == 0)
		return 0; /* full: the caller waits for POLLOUT */
	while (take < o->len) {
		bool packet = false;
		size_t rl = o->reclen(o->buf + take, o->len - take, &packet);

		if (rl == 0 || rl > o->len - take)
			break;
		/* The first record goes even when it is larger than the room (a BIG TCP packet
		 * would otherwise never leave); its write then waits as any other does. */
		if (take > 0 && rl > room - take)
			break;
		take += rl;
		packets += packet;
		if (take >= room)
			break;
	}
	/* The pipe has room for the rest, so the write does not wait (should the kernel take
	 * less after all, out_write() finishes it as any other write: only whole records
	 * leave). */
	return take == 0 ? 0 : write_buffered(o, take, packets, err);
}

void nd_out_abort(struct nd_out *o)
{
	if (o->z != NULL) {
		(void)deflateEnd(o->z);
		free(o->z);
		o->z = NULL;
	}
	free(o->zbuf);
	o->zbuf = NULL;
	if (o->own_fd && o->fd >= 0)
		(void)close(o->fd);
	o->fd = -1;
	free(o->buf);
	o->buf = NULL;
}

int nd_out_close(struct nd_out *o, struct nd_err *err)
{
	int rc;

	if (o->fd < 0)
		return 0; /* closed already (by rotation) */
	rc = o->z != NULL ? write_buf_gz(o, true, err) : nd_out_flush(o, err);
	if (rc == 0 && o->own_fd && close(o->fd) < 0) {
		o->fd = -1;
		rc = nd_err_set(err, ND_EXIT_FAIL, errno, "cannot close %s", o->name);
	}
	if (rc == 0)
		o->fd = -1;
	nd_out_abort(o);
	return rc;
}
