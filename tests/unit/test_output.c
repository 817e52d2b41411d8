/* Output: pcap encoding (byte-exact), buffering, whole-record recovery when a write fails
 * part-way (a file size limit stands in for a full disk), and records larger than the
 * buffer (BIG TCP packets), which go out whole in every mode. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "nsdump/output.h"
#include "nsdump/pcapfile.h"
#include "unit.h"

static int add_packet(struct nd_out *o, uint32_t sec, uint32_t caplen, struct nd_err *e)
{
	unsigned char hdr[ND_PCAP_REC_HDR_LEN], data[2000];

	memset(data, 0xab, sizeof(data));
	nd_pcap_record_header(hdr, sec, 5, caplen, caplen + 10);
	return nd_out_record(o, hdr, sizeof(hdr), data, caplen, NULL, 0, e);
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* A scratch directory with the given mode, its path in dir (PATH_MAX). */
static bool scratch(char *dir, mode_t mode)
{
	snprintf(dir, 64, "/tmp/nsdump-unit-XXXXXX");
	return mkdtemp(dir) != NULL && chmod(dir, mode) == 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static bool holds(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	bool same;

	if (f == NULL)
		return false;
	same = fgets(buf, sizeof(buf), f) != NULL && strcmp(buf, text) == 0;
	fclose(f);
	return same;
}

/* -w in a directory others may add names to (/tmp): no symlink followed, nobody else's file
 * or a hard link reused; elsewhere, what the invoker names is used as before. */
static void shared_dirs(void)
{
	char dir[64], p[128], victim[128], other[64];
	struct nd_out o;
	struct nd_err e = { 0 };

	CHECK("shared: world-writable", nd_out_dir_shared(S_IFDIR | 0777));
	CHECK("shared: sticky, world-writable (/tmp)", nd_out_dir_shared(S_IFDIR | 01777));
	CHECK("shared: sticky, group-writable", nd_out_dir_shared(S_IFDIR | 01770));
	CHECK("not shared: group-writable without the sticky bit",
	      !nd_out_dir_shared(S_IFDIR | 0770));
	CHECK("not shared: 0755", !nd_out_dir_shared(S_IFDIR | 0755));
	if (!scratch(dir, 01777) || !scratch(other, 0700))
		return;
	snprintf(victim, sizeof(victim), "%s/victim", other);
	write_text(victim, "secret\n");

	snprintf(p, sizeof(p), "%s/sym", dir);
	CHECK("shared: symlink made", symlink(victim, p) == 0);
	CHECK("shared: a symlink is refused with exit 4, saying why",
	      nd_out_open(&o, p, 4096, nd_pcap_record_len, &e) < 0 && e.exit == ND_EXIT_PERM &&
		      strstr(e.msg, "symbolic link") != NULL && strstr(e.msg, p) != NULL);
	CHECK("shared: the symlink's target is untouched", holds(victim, "secret\n"));
	unlink(p);

	snprintf(p, sizeof(p), "%s/hard", dir);
	CHECK("shared: hard link made", link(victim, p) == 0);
	CHECK("shared: a file with 2 links is refused with exit 4",
	      nd_out_open(&o, p, 4096, nd_pcap_record_len, &e) < 0 && e.exit == ND_EXIT_PERM &&
		      strstr(e.msg, "2 links") != NULL);
	CHECK("shared: the other link is untouched", holds(victim, "secret\n"));
	unlink(p);

	if (geteuid() == 0) {
		snprintf(p, sizeof(p), "%s/theirs", dir);
		write_text(p, "theirs\n");
		CHECK("shared: a file made someone else's", chown(p, 65534, 65534) == 0);
		CHECK("shared: someone else's file is refused with exit 4, naming the owner",
		      nd_out_open(&o, p, 4096, nd_pcap_record_len, &e) < 0 &&
			      e.exit == ND_EXIT_PERM && strstr(e.msg, "user 65534") != NULL);
		CHECK("shared: their file is untouched", holds(p, "theirs\n"));
		unlink(p);
	} else {
		printf("skip - shared: someone else's file: needs root (chown)\n");
	}

	snprintf(p, sizeof(p), "%s/mine", dir);
	write_text(p, "old contents\n");
	CHECK("shared: the caller's own file is reused, truncated",
	      nd_out_open(&o, p, 4096, nd_pcap_record_len, &e) == 0 && file_size(p) == 0);
	nd_out_abort(&o);
	unlink(p);

	/* Outside a shared directory a symlink is the invoker's own doing: followed. */
	CHECK("private directory", chmod(dir, 0700) == 0);
	snprintf(p, sizeof(p), "%s/sym", dir);
	CHECK("private: symlink made", symlink(victim, p) == 0);
	CHECK("private: a symlink is followed",
	      nd_out_open(&o, p, 4096, nd_pcap_record_len, &e) == 0 && file_size(victim) == 0);
	nd_out_abort(&o);
	unlink(p);
	unlink(victim);
	rmdir(other);
	rmdir(dir);
}

/* nd_out_create: what rotation does to files, in the loop and before it. */
static void rotation_files(void)
{
	char dir[64], p[128], victim[128], other[64];
	struct nd_out o;
	struct nd_err e = { 0 };
	struct stat st;
	int dfd;

	if (!scratch(dir, 01777) || !scratch(other, 0700))
		return;
	snprintf(victim, sizeof(victim), "%s/victim", other);
	write_text(victim, "secret\n");
	snprintf(p, sizeof(p), "%s/x.pcap", dir);
	dfd = nd_out_dir_open(p, &e);
	CHECK("the directory of a path, O_PATH", dfd >= 0);
	CHECK("create: a new file, mode 0600",
	      nd_out_create(&o, dfd, "x.pcap", p, 4096, nd_pcap_record_len, &e) == 0 &&
		      stat(p, &st) == 0 && (st.st_mode & 0777) == 0600 && o.regular);
	CHECK("create: the name for messages", strcmp(o.name, p) == 0);
	CHECK("create: written", nd_out_header(&o, "abc", 3, &e) == 0 && file_size(p) == 3);
	CHECK("create: closed", nd_out_close(&o, &e) == 0);
	CHECK("create: an earlier file of the caller's is replaced (a -W ring)",
	      nd_out_create(&o, dfd, "x.pcap", p, 4096, nd_pcap_record_len, &e) == 0 &&
		      file_size(p) == 0);
	nd_out_abort(&o);

	snprintf(p, sizeof(p), "%s/sym.pcap", dir);
	CHECK("create: symlink made", symlink(victim, p) == 0);
	CHECK("create: a symlink in a shared directory is refused with exit 4",
	      nd_out_create(&o, dfd, "sym.pcap", p, 4096, nd_pcap_record_len, &e) < 0 &&
		      e.exit == ND_EXIT_PERM && strstr(e.msg, "symbolic link") != NULL);
	CHECK("create: the symlink stays", lstat(p, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK("create: its target is untouched", holds(victim, "secret\n"));
	(void)close(dfd);

	/* In a private directory the name is replaced: the symlink goes, its target stays. */
	CHECK("private directory", chmod(dir, 0700) == 0);
	dfd = nd_out_dir_open(p, &e);
	CHECK("create: a symlink in a private directory is replaced by a new file",
	      dfd >= 0 &&
		      nd_out_create(&o, dfd, "sym.pcap", p, 4096, nd_pcap_record_len, &e) == 0 &&
		      lstat(p, &st) == 0 && S_ISREG(st.st_mode) && holds(victim, "secret\n"));
	nd_out_abort(&o);
	if (dfd >= 0)
		(void)close(dfd);
	unlink(p);
	snprintf(p, sizeof(p), "%s/x.pcap", dir);
	unlink(p);
	unlink(victim);
	rmdir(other);
	rmdir(dir);

	CHECK("a path ending in '/' is refused with exit 2",
	      nd_out_dir_open("/tmp/", &e) < 0 && e.exit == ND_EXIT_USAGE);
	dfd = nd_out_dir_open("relative.pcap", &e);
	CHECK("a name without '/': the current directory", dfd >= 0);
	if (dfd >= 0)
		(void)close(dfd);
}

/* nd_out_pin_fd: the output takes the lowest free number, the one rotation gets again. */
static void pinned_fd(void)
{
	char path[] = "/tmp/nsdump-unit-XXXXXX";
	struct nd_out o;
	struct nd_err e = { 0 };
	int hole, fd = mkstemp(path);

	if (fd < 0)
		return;
	(void)close(fd);
	hole = open("/dev/null", O_RDONLY | O_CLOEXEC); /* a number below the output's */
	CHECK("open",
	      hole >= 0 && nd_out_open(&o, path, 4096, nd_pcap_record_len, &e) == 0 && o.fd > hole);
	(void)close(hole);
	CHECK("pinned: moved down to the free number", nd_out_pin_fd(&o, &e) == 0 && o.fd == hole);
	CHECK("pinned: still the file",
	      nd_out_header(&o, "ab", 2, &e) == 0 && file_size(path) == 2);
	CHECK("pinned: a second pin keeps it", nd_out_pin_fd(&o, &e) == 0 && o.fd == hole);
	nd_out_abort(&o);
	unlink(path);
}

/* A packet record of caplen bytes whose payload is byte i = (seed + i) & 0xff, so that a
 * record written out of order, twice, or cut shows in the bytes read back. */
#define BIG_CAPLEN 300000u
static unsigned char big_data[BIG_CAPLEN];

static int add_big(struct nd_out *o, uint32_t sec, uint32_t caplen, unsigned char seed,
		   struct nd_err *e)
{
	unsigned char hdr[ND_PCAP_REC_HDR_LEN];

	for (uint32_t i = 0; i < caplen; i++)
		big_data[i] = (unsigned char)(seed + i);
	nd_pcap_record_header(hdr, sec, 5, caplen, caplen);
	return nd_out_record(o, hdr, sizeof(hdr), big_data, caplen, NULL, 0, e);
}

/* Checks that buf holds, from off, a record of add_big(sec, caplen, seed); returns the offset
 * after it, or 0 when it differs. */
static size_t check_big(const unsigned char *buf, size_t len, size_t off, uint32_t sec,
			uint32_t caplen, unsigned char seed)
{
	unsigned char hdr[ND_PCAP_REC_HDR_LEN];

	nd_pcap_record_header(hdr, sec, 5, caplen, caplen);
	if (off + sizeof(hdr) + caplen > len || memcmp(buf + off, hdr, sizeof(hdr)) != 0)
		return 0;
	off += sizeof(hdr);
	for (uint32_t i = 0; i < caplen; i++)
		if (buf[off + i] != (unsigned char)(seed + i))
			return 0;
	return off + caplen;
}

/* The whole content of a file, decompressed when gz (gzread reads plain files as they
 * are); *len its length. NULL on error. */
static unsigned char *slurp(const char *path, size_t *len)
{
	size_t cap = 4u * 1024 * 1024;
	unsigned char *b = malloc(cap);
	gzFile f = gzopen(path, "rb");
	int n;

	*len = 0;
	if (b == NULL || f == NULL) {
		free(b);
		if (f != NULL)
			gzclose(f);
		return NULL;
	}
	while ((n = gzread(f, b + *len, (unsigned int)(cap - *len))) > 0)
		*len += (size_t)n;
	gzclose(f);
	return b;
}

/* Which outputs are read live (a pipe, a FIFO) and which are files: what the captures' block
 * timeout depends on. Standard output is each kind in turn. */
static void test_live(void)
{
	char dir[64], fifo[128], file[128];
	int p[2], saved = dup(STDOUT_FILENO), fd;

	CHECK("live: scratch", scratch(dir, 0700) && saved >= 0);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	CHECK("live: a FIFO", mkfifo(fifo, 0600) == 0 && nd_out_live(fifo));
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK("live: not a regular file", fd >= 0 && !nd_out_live(file));
	CHECK("live: not a path that is not there yet", !nd_out_live("/nonexistent/out.pcapng"));
	CHECK("live: not a device", !nd_out_live("/dev/null"));
	CHECK("live: standard output a pipe, as -w - and as no -w",
	      pipe2(p, O_CLOEXEC) == 0 && dup2(p[1], STDOUT_FILENO) == STDOUT_FILENO &&
		      nd_out_live("-") && nd_out_live(NULL));
	CHECK("live: standard output a file",
	      dup2(fd, STDOUT_FILENO) == STDOUT_FILENO && !nd_out_live("-"));
	CHECK("live: standard output back", dup2(saved, STDOUT_FILENO) == STDOUT_FILENO);
	(void)close(p[0]);
	(void)close(p[1]);
	(void)close(fd);
	(void)close(saved);
	(void)unlink(fifo);
	(void)unlink(file);
	(void)rmdir(dir);
}

int main(void)
{
	unsigned char fh[ND_PCAP_FILE_HDR_LEN], rh[ND_PCAP_REC_HDR_LEN];
	/* The byte-exact form on a little-endian host (libpcap writes host order too). */
	static const unsigned char want_fh[24] = { 0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
						   0,    0,    0,    0,    0, 0, 4, 0, 1, 0, 0, 0 };
	static const unsigned char want_rh[16] = { 0x01, 0, 0, 0, 0x02, 0,    0, 0,
						   0x40, 0, 0, 0, 0x00, 0x01, 0, 0 };
	char path[] = "/tmp/nsdump-unit-XXXXXX";
	struct nd_out o;
	struct nd_err e = { 0 };
	int fd, rc;

	test_live();
	nd_pcap_file_header(fh, 1, 262144);
	CHECK("pcap file header is byte-exact (nanosecond magic, v2.4, snaplen, DLT_EN10MB)",
	      memcmp(fh, want_fh, sizeof(fh)) == 0);
	nd_pcap_record_header(rh, 1, 2, 64, 256);
	CHECK("pcap record header is byte-exact", memcmp(rh, want_rh, sizeof(rh)) == 0);
	{
		bool packet = false;

		CHECK("record length from header",
		      nd_pcap_record_len(rh, 16, &packet) == 16 + 64 && packet);
		CHECK("record length needs a whole header",
		      nd_pcap_record_len(rh, 15, &packet) == 0);
	}

	fd = mkstemp(path);
	CHECK("temp file", fd >= 0);
	close(fd);

	/* Normal path: header, three records, close: 24 + 3 * (16 + 100) bytes. */
	rc = nd_out_open(&o, path, 4096, nd_pcap_record_len, &e);
	CHECK("open a file", rc == 0 && o.regular);
	CHECK("header written at once",
	      nd_out_header(&o, fh, sizeof(fh), &e) == 0 && file_size(path) == 24);
	for (int i = 0; i < 3; i++)
		rc |= add_packet(&o, (uint32_t)i, 100, &e);
	CHECK("records buffered, not yet written",
	      rc == 0 && file_size(path) == 24 && o.nbuffered == 3);
	CHECK("close flushes everything",
	      nd_out_close(&o, &e) == 0 && file_size(path) == 24 + 3 * 116);
	{
		struct stat st;

		CHECK("file created mode 0600",
		      stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	}

	/* A full buffer is flushed before the record that does not fit. */
	rc = nd_out_open(&o, path, 300, nd_pcap_record_len, &e);
	rc |= nd_out_header(&o, fh, sizeof(fh), &e);
	rc |= add_packet(&o, 1, 100, &e);
	rc |= add_packet(&o, 2, 100, &e);
	rc |= add_packet(&o, 3, 100, &e);
	CHECK("buffer flushed when the next record does not fit",
	      rc == 0 && file_size(path) == 24 + 2 * 116 && o.nbuffered == 1 && o.nwritten == 2);
	nd_out_abort(&o);

	/* Records larger than the buffer (a 256 KiB BIG TCP packet and a 128 KiB buffer in
	 * nsdump): written whole, in order, after what was buffered before them. */
	for (int gz = 0; gz <= 1; gz++) {
		const char *what = gz ? "gzip" : "plain";
		unsigned char *got;
		size_t len = 0, off;
		char name[64];

		rc = nd_out_open(&o, path, 4096, nd_pcap_record_len, &e);
		if (gz)
			rc |= nd_out_compress(&o, &e);
		rc |= nd_out_header(&o, fh, sizeof(fh), &e);
		rc |= add_big(&o, 1, 100, 1, &e);
		rc |= add_big(&o, 2, 262144, 2, &e);
		snprintf(name, sizeof(name), "%s: a record of 256 KiB through a 4 KiB buffer",
			 what);
		CHECK(name, rc == 0 && o.nwritten == 2 && o.len == 0);
		if (rc != 0)
			printf("# %s\n", e.msg);
		rc = add_big(&o, 3, 200, 3, &e);
		rc |= add_big(&o, 4, BIG_CAPLEN, 4, &e);
		rc |= add_big(&o, 5, 4096, 5, &e); /* exactly the buffer's size: buffered */
		snprintf(name, sizeof(name), "%s: -C counts the large records", what);
		CHECK(name, rc == 0 && nd_out_size(&o) == 24 + 5 * 16 + 100 + 262144 + 200 +
								  BIG_CAPLEN + 4096);
		rc |= nd_out_close(&o, &e);
		got = slurp(path, &len);
		off = got ? check_big(got, len, 24, 1, 100, 1) : 0;
		off = off ? check_big(got, len, off, 2, 262144, 2) : 0;
		off = off ? check_big(got, len, off, 3, 200, 3) : 0;
		off = off ? check_big(got, len, off, 4, BIG_CAPLEN, 4) : 0;
		off = off ? check_big(got, len, off, 5, 4096, 5) : 0;
		snprintf(name, sizeof(name), "%s: the file holds the five records whole, in order",
			 what);
		CHECK(name, rc == 0 && off == len &&
				    len == 24 + 5 * 16 + 100 + 262144 + 200 + BIG_CAPLEN + 4096);
		free(got);
	}

	/* A block (not a packet) larger than the buffer: written, not counted. */
	{
		static unsigned char blk[20000];
		size_t len = 0;
		unsigned char *got;

		rc = nd_out_open(&o, path, 4096, nd_pcap_record_len, &e);
		memset(blk, 0x5a, sizeof(blk));
		rc |= add_packet(&o, 1, 100, &e);
		rc |= nd_out_block(&o, blk, sizeof(blk), &e);
		CHECK("a block larger than the buffer is written, and not counted as a packet",
		      rc == 0 && o.nwritten == 1 && o.nbuffered == 0 &&
			      file_size(path) == 116 + (off_t)sizeof(blk));
		rc |= nd_out_close(&o, &e);
		got = slurp(path, &len);
		CHECK("the block follows the packet",
		      rc == 0 && got != NULL && len == 116 + 20000 && got[116] == 0x5a &&
			      got[len - 1] == 0x5a);
		free(got);
	}

	/* gzip: a header larger than the buffer (--merge copies an input's section header). */
	{
		static unsigned char hdr[10000];
		size_t len = 0;
		unsigned char *got;

		memset(hdr, 0x33, sizeof(hdr));
		rc = nd_out_open(&o, path, 4096, nd_pcap_record_len, &e);
		rc |= nd_out_compress(&o, &e);
		rc |= nd_out_header(&o, hdr, sizeof(hdr), &e);
		rc |= nd_out_close(&o, &e);
		got = slurp(path, &len);
		CHECK("gzip: a header larger than the buffer is written",
		      rc == 0 && got != NULL && len == sizeof(hdr) && got[0] == 0x33 &&
			      got[len - 1] == 0x33);
		free(got);
	}

	/* A pipe smaller than the record (the reader takes it in pieces): the reader gets it
	 * whole. */
	{
		int p[2], status = -1;
		char fdpath[64];
		pid_t child;

		CHECK("pipe for a large record", pipe(p) == 0);
		(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
		child = fork();
		if (child == 0) {
			static unsigned char in[4u * 1024 * 1024];
			size_t len = 0, off;
			ssize_t n;

			close(p[1]);
			while ((n = read(p[0], in + len, sizeof(in) - len)) > 0)
				len += (size_t)n;
			off = check_big(in, len, 24, 1, 100, 1);
			off = off ? check_big(in, len, off, 2, 262144, 2) : 0;
			off = off ? check_big(in, len, off, 3, 100, 3) : 0;
			_exit(off == len && len == 24 + 3 * 16 + 100 + 262144 + 100 ? 0 : 1);
		}
		close(p[0]);
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", p[1]);
		rc = nd_out_open(&o, fdpath, 4096, nd_pcap_record_len, &e);
		CHECK("a pipe opens as a FIFO", rc == 0 && o.fifo);
		rc |= nd_out_header(&o, fh, sizeof(fh), &e);
		rc |= add_big(&o, 1, 100, 1, &e);
		rc |= add_big(&o, 2, 262144, 2, &e);
		rc |= add_big(&o, 3, 100, 3, &e);
		rc |= nd_out_close(&o, &e);
		close(p[1]);
		CHECK("pipe: a record of 256 KiB reaches the reader whole, in order",
		      rc == 0 && child > 0 && waitpid(child, &status, 0) == child &&
			      WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	/* A pipe whose reader is slow for a moment: nd_out_flush_ready() writes the whole
	 * records the pipe takes, keeps the rest, and does not wait; once the reader has read,
	 * the rest goes too, in order. */
	{
		int p[2];
		char fdpath[64];
		static unsigned char in[256 * 1024];
		size_t got = 0, sz = 16 + 1000;
		ssize_t n;
		bool ordered = true;

		CHECK("pipe for a slow reader",
		      pipe(p) == 0 && fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", p[1]);
		rc = nd_out_open(&o, fdpath, ND_OUT_BUFFER_SIZE, nd_pcap_record_len, &e);
		for (int i = 0; i < 100; i++)
			rc |= add_packet(&o, (uint32_t)i, 1000, &e);
		CHECK("slow reader: 100 records buffered",
		      rc == 0 && o.fifo && o.nbuffered == 100 && o.len == 100 * sz);
		alarm(10); /* a flush that waited would hang here */
		rc = nd_out_flush_ready(&o, &e);
		CHECK("slow reader: the records that fit are written whole, the rest kept",
		      rc == 0 && o.nwritten > 0 && o.nwritten < 100 &&
			      o.nwritten + o.nbuffered == 100 && o.len == o.nbuffered * sz &&
			      o.committed == (off_t)(o.nwritten * sz));
		rc = nd_out_flush_ready(&o, &e);
		CHECK("slow reader: a full pipe takes nothing more, and nothing waits",
		      rc == 0 && o.nwritten + o.nbuffered == 100 && o.nbuffered > 0);
		while ((n = read(p[0], in + got, sizeof(in) - got)) > 0)
			got += (size_t)n;
		CHECK("slow reader: the pipe held exactly the records written",
		      got == o.nwritten * sz);
		while (o.len > 0 && nd_out_flush_ready(&o, &e) == 0)
			while ((n = read(p[0], in + got, sizeof(in) - got)) > 0)
				got += (size_t)n;
		alarm(0);
		for (size_t i = 0; i < 100 && (i + 1) * sz <= got; i++) {
			uint32_t sec;

			memcpy(&sec, in + i * sz, sizeof(sec));
			ordered = ordered && sec == i;
		}
		CHECK("slow reader: once it reads, all 100 arrive whole, in order",
		      o.len == 0 && o.nwritten == 100 && got == 100 * sz && ordered);
		nd_out_abort(&o);
		close(p[0]);
		close(p[1]);
	}

	/* Disk full, simulated with RLIMIT_FSIZE: the write stops mid-record; the file must be
	 * cut back to the last whole record and the count must say how many made it. */
	{
		struct rlimit old, lim;
		struct sigaction ign = { .sa_handler = SIG_IGN };

		CHECK("limits",
		      getrlimit(RLIMIT_FSIZE, &old) == 0 && sigaction(SIGXFSZ, &ign, NULL) == 0);
		rc = nd_out_open(&o, path, 8192, nd_pcap_record_len, &e);
		rc |= nd_out_header(&o, fh, sizeof(fh), &e);
		for (int i = 0; i < 10; i++)
			rc |= add_packet(&o, (uint32_t)i, 100, &e);
		lim = old;
		lim.rlim_cur = 24 + 4 * 116 + 50; /* room for 4 records and part of a fifth */
		CHECK("set a file size limit", rc == 0 && setrlimit(RLIMIT_FSIZE, &lim) == 0);
		rc = nd_out_flush(&o, &e);
		CHECK("flush past the limit fails with exit 1",
		      rc < 0 && e.exit == ND_EXIT_FAIL && e.errnum == EFBIG);
		CHECK("the file is cut back to 4 whole records", file_size(path) == 24 + 4 * 116);
		CHECK("the count says 4 records reached the file", o.nwritten == 4);
		CHECK("the message says how many packets the file holds",
		      strstr(e.msg, "first 4 packets") != NULL);
		nd_out_abort(&o);

		/* The same with a record larger than the buffer crossing the limit: the file
		 * keeps the records before it, whole. */
		rc = nd_out_open(&o, path, 8192, nd_pcap_record_len, &e);
		rc |= nd_out_header(&o, fh, sizeof(fh), &e);
		for (int i = 0; i < 4; i++)
			rc |= add_packet(&o, (uint32_t)i, 100, &e);
		lim.rlim_cur = 24 + 4 * 116 + 100000; /* a third of the large record */
		CHECK("set a file size limit (large record)",
		      rc == 0 && setrlimit(RLIMIT_FSIZE, &lim) == 0);
		rc = add_big(&o, 5, 262144, 5, &e);
		CHECK("a large record past the limit fails with exit 1",
		      rc < 0 && e.exit == ND_EXIT_FAIL && e.errnum == EFBIG);
		CHECK("the file is cut back to the 4 records before the large one",
		      file_size(path) == 24 + 4 * 116);
		CHECK("the count says 4 packets reached the file, 1 was lost",
		      o.nwritten == 4 && strstr(e.msg, "first 4 packets, 1 were lost") != NULL);
		if (strstr(e.msg, "first 4 packets") == NULL)
			printf("# %s\n", e.msg);
		nd_out_abort(&o);
		CHECK("restore limits", setrlimit(RLIMIT_FSIZE, &old) == 0);
	}

	/* A pipe whose reader has gone: EPIPE, reported as such. */
	{
		int p[2], saved = dup(STDOUT_FILENO);
		struct sigaction ign = { .sa_handler = SIG_IGN };

		CHECK("pipe", pipe(p) == 0 && sigaction(SIGPIPE, &ign, NULL) == 0);
		close(p[0]);
		fflush(stdout);
		if (dup2(p[1], STDOUT_FILENO) != STDOUT_FILENO)
			return 1;
		rc = nd_out_open(&o, "-", 4096, nd_pcap_record_len, &e);
		{
			bool opened = rc == 0, regular = o.regular;

			rc = nd_out_header(&o, fh, sizeof(fh), &e);
			nd_out_abort(&o);
			close(p[1]);
			if (dup2(saved, STDOUT_FILENO) != STDOUT_FILENO)
				return 1;
			close(saved);
			CHECK("stdout pipe opens, not regular", opened && !regular);
			CHECK("write to a pipe without reader: EPIPE", rc < 0 && e.errnum == EPIPE);
		}
	}

	CHECK("creating in a missing directory: exit 2 naming the file",
	      nd_out_open(&o, "/nonexistent/dir/x.pcap", 4096, nd_pcap_record_len, &e) < 0 &&
		      e.exit == ND_EXIT_USAGE && strstr(e.msg, "/nonexistent/dir/x.pcap") != NULL);
	unlink(path);
	shared_dirs();
	rotation_files();
	pinned_fd();
	return UNIT_DONE();
}
