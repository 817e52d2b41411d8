/* Output: pcap encoding (byte-exact), buffering, and whole-record recovery when a write
 * fails part-way (a file size limit stands in for a full disk). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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
	CHECK("a record larger than the buffer is an error", add_packet(&o, 4, 1000, &e) < 0);
	nd_out_abort(&o);

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
	return UNIT_DONE();
}
