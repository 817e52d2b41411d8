/* Buffered output of whole records to a file or standard output.
 *
 * Records are kept whole: when a write fails part-way (disk full), a regular file is cut
 * back to the end of the last record that reached it entirely, so it stays readable.
 * A record larger than the buffer (up to the snapshot length and more) is written too: the
 * buffer is flushed, then the record goes out straight from the caller's pieces. */
#ifndef NSDUMP_OUTPUT_H
#define NSDUMP_OUTPUT_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nsdump/err.h"

/* Length of the record at p, or 0 if avail is too short to tell; *packet says whether the
 * record is a packet (and not, say, a statistics block). */
typedef size_t (*nd_reclen_fn)(const unsigned char *p, size_t avail, bool *packet);

struct nd_out {
	int fd;
	bool own_fd;  /* opened here (not standard output) */
	bool regular; /* a regular file: can be cut back after a failed write */
	unsigned char *buf;
	size_t len; /* bytes buffered, always whole records */
	size_t cap;
	size_t nbuffered;            /* packets in buf */
	off_t committed;             /* file offset after the last record written whole */
	unsigned long long nwritten; /* packets that reached the file or pipe whole */
	nd_reclen_fn reclen;
	char name[256];       /* for messages */
	struct z_stream_s *z; /* gzip stream (--compress gzip), or NULL */
	uint64_t zin;         /* bytes given to the compressor so far */
	unsigned char *zbuf;
	/* A pipe (or FIFO) is written so that nsdump never hangs on a reader that reads
	 * nothing: only as much as the pipe takes at once, waiting in poll(2) otherwise. */
	bool fifo;
	int pipe_size; /* F_GETPIPE_SZ; 0 if unknown */
	int wake_fd;   /* readable when a stop is asked for (the loop's signalfd), or -1 */
	bool stopping; /* a stop signal came: give up on a pipe whose reader reads
			* nothing for ND_OUT_STUCK_MS (set by the caller, or on wake_fd).
			* Never set by -c or the end of input: a reader that has not
			* started yet may take as long as it likes. */
	/* A regular file's written pages: writeback started per ND_OUT_WB_CHUNK, and dropped
	 * from the page cache once well behind (output.c, release_written()). */
	off_t wpos;      /* bytes written to the file: its offset */
	off_t wb_kicked; /* writeback started up to here */
	bool wb_off;     /* the file system refused either call: plain writes from then on */
};

/* How long a stopping nsdump waits for the reader of a pipe that takes nothing. */
#define ND_OUT_STUCK_MS 2000

/* The write buffer of a capture or a merge. Larger writes mean fewer system calls, but past
 * the CPU caches every byte is copied from memory twice (ring to buffer, buffer to page
 * cache): measured here (bench/), 1 MiB cost 2-3 times the CPU of 128 KiB with 1514-byte
 * packets at line rate, and dropped more; 128 KiB costs nothing over larger sizes with small
 * packets. A record larger than this (BIG TCP packets up to the snapshot length, --merge's
 * blocks of up to 1 MiB) is written on its own, straight from where it is. */
#define ND_OUT_BUFFER_SIZE ((size_t)128 * 1024)

/* Opens path for writing (created 0600 with the caller's current rights, or an existing file
 * truncated), or standard output when path is NULL or "-". A terminal is refused
 * (ND_EXIT_USAGE): binary capture data would garble it. bufsize is the size of the write
 * buffer.
 *
 * In a directory where others may add names (nd_out_dir_shared: /tmp), the name is taken as
 * someone else may have left it: a symlink is not followed, and an existing file must belong
 * to the caller (effective uid) and, if regular, have one link; otherwise ND_EXIT_PERM, with
 * the reason. The kernel's fs.protected_symlinks and protected_regular are not relied on. */
int nd_out_open(struct nd_out *o, const char *path, size_t bufsize, nd_reclen_fn reclen,
		struct nd_err *err);

/* The flags rotation creates every file with: a new regular file, never through a symlink.
 * The sandbox (src/sandbox.c) lets the capture loop's openat(2) have exactly these, on the
 * output directory's descriptor only. */
#define ND_OUT_CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)

/* A directory others may add names to: world-writable, or sticky and group-writable. */
bool nd_out_dir_shared(mode_t mode);

/* The directory path's file goes in (its part up to the last '/', or "."), opened O_PATH
 * for nd_out_create() and Landlock. Returns the descriptor, or -1 with err as nd_out_open()
 * would say it for path. */
int nd_out_dir_open(const char *path, struct nd_err *err);

/* Creates the file name in directory dir_fd (name has no '/'; display is the path for
 * messages) with ND_OUT_CREATE_FLAGS, mode 0600. A name that exists (a -W ring's, an earlier
 * run's) is removed first with unlinkat(dir_fd, name, 0); in a shared directory only when it
 * is the caller's own regular file with one link, otherwise ND_EXIT_PERM with the reason.
 * This is all rotation does to files, before the first packet and in the loop alike. */
int nd_out_create(struct nd_out *o, int dir_fd, const char *name, const char *display,
		  size_t bufsize, nd_reclen_fn reclen, struct nd_err *err);

/* Moves the output file to the lowest free descriptor number. Rotation closes the file and
 * creates the next one, which the kernel gives the lowest free number: this one again, as
 * long as no lower descriptor is closed meanwhile. The sandbox lets the loop write to this
 * number (and 1 and 2) only. Call before nd_sandbox_enter(). */
int nd_out_pin_fd(struct nd_out *o, struct nd_err *err);

/* Refuses a terminal on standard output before anything else happens. */
int nd_out_check_stdout(const char *path, struct nd_err *err);

/* Whether the output path (NULL or "-": standard output) is read live, as it is written: a
 * pipe, a FIFO (Wireshark's extcap) or a socket, rather than a file or a device. Asked before
 * the captures are opened (their block timeout depends on it, capture.h), with an empty
 * effective set: stat() sees what the invoker may see. A path that is not there, or that the
 * invoker cannot see, will be a file. */
bool nd_out_live(const char *path);

/* Compresses everything written from now on with gzip (a file just opened). Each flush ends
 * with a zlib sync point; after a failed write the file is cut back to the last one, so it
 * holds a readable gzip stream of whole records (without the trailer). */
int nd_out_compress(struct nd_out *o, struct nd_err *err);

/* Writes a header (not a record) and flushes it, so that a reader can start at once. */
int nd_out_header(struct nd_out *o, const void *p, size_t len, struct nd_err *err);

/* Appends one packet record made of three parts (tail may be NULL); flushes first when it
 * would not fit, and writes it at once, unbuffered, when it is larger than the buffer. On
 * error, err->errnum is EPIPE when the reader of a pipe has gone. */
int nd_out_record(struct nd_out *o, const void *hdr, size_t hlen, const void *data, size_t dlen,
		  const void *tail, size_t tlen, struct nd_err *err);

/* Room for one packet record of len bytes at the end of the buffer (flushing first when it
 * would not fit), for the caller to fill and then count with nd_out_commit(); NULL on error
 * (err as for nd_out_record). Lets the writer build each record in place. len must not
 * exceed o->cap: a larger record goes through nd_out_record(). */
unsigned char *nd_out_reserve(struct nd_out *o, size_t len, struct nd_err *err);

static inline void nd_out_commit(struct nd_out *o, size_t len)
{
	o->len += len;
	o->nbuffered++;
}

/* Appends a record that is not a packet (kept whole like the others, not counted; larger
 * than the buffer, written at once as nd_out_record() does). */
int nd_out_block(struct nd_out *o, const void *p, size_t len, struct nd_err *err);

/* The file's size so far, counting what is buffered, before compression. */
uint64_t nd_out_size(const struct nd_out *o);

/* Writes out everything buffered. */
int nd_out_flush(struct nd_out *o, struct nd_err *err);

/* For a pipe (or FIFO): writes the whole records at the head of the buffer that the pipe takes
 * now, without waiting, and keeps the rest, so that a reader that is slow for a moment does
 * not hold up the reading of the capture ring while the buffer has room. The rest is
 * written when the pipe has room again (POLLOUT), or when the buffer fills up, which waits as
 * nd_out_flush() does. Anything else (a file, gzip) is flushed whole. */
int nd_out_flush_ready(struct nd_out *o, struct nd_err *err);

/* Flushes and closes; with an error already reported, use nd_out_abort(). */
int nd_out_close(struct nd_out *o, struct nd_err *err);
void nd_out_abort(struct nd_out *o);

#endif
