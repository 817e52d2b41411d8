/* --follow's relay: what one start's capture writes (the pcapng writer) is read back by the
 * writer process record by record (stream.c), directions and counts intact; a dynamic writer
 * adds interfaces as starts come, begins a new section when it is full, and keeps pcap to one
 * link type. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsdump/pcapng.h"
#include "nsdump/stream.h"
#include "nsdump/writer.h"
#include "unit.h"

static char dir[64];

static bool scratch(void)
{
	snprintf(dir, sizeof(dir), "/tmp/nsdump-unit-XXXXXX");
	return mkdtemp(dir) != NULL;
}

static void wif(struct nd_wif *f, int linktype, const char *name, const char *desc)
{
	memset(f, 0, sizeof(*f));
	f->linktype = linktype;
	f->snaplen = 262144;
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->description, sizeof(f->description), "%s", desc);
}

/* A frame from (or to) the interface's own address. */
static void frame(unsigned char *b, size_t n, const unsigned char *src)
{
	memset(b, 0x11, n);
	memcpy(b + 6, src, 6);
}

/* Reads path back as a stream: every record, counted by kind, into the caller's arrays. */
struct seen {
	unsigned int ifs, packets, stats, dir_out, dir_in;
	char names[4][1400];
	int linktypes[4];
	uint64_t recv, drop, ifdrop;
	uint64_t first_ts;
};

static int read_back(const char *path, struct seen *sn)
{
	struct nd_stream s;
	struct nd_stream_rec rec;
	struct nd_err e = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	memset(sn, 0, sizeof(*sn));
	if (fd < 0 || nd_stream_open(&s, fd, &e) < 0)
		return -1;
	do {
		if (nd_stream_fill(&s, &e) < 0)
			break;
		while ((r = nd_stream_next(&s, &rec, &e)) > 0) {
			if (rec.kind == ND_STREAM_IF) {
				if (sn->ifs < 4) {
					snprintf(sn->names[sn->ifs], sizeof(sn->names[0]), "%s|%s",
						 rec.wif.name, rec.wif.description);
					sn->linktypes[sn->ifs] = rec.wif.linktype;
				}
				sn->ifs++;
			} else if (rec.kind == ND_STREAM_PACKET) {
				if (sn->packets++ == 0)
					sn->first_ts = (uint64_t)rec.h.ts.tv_sec * 1000000000u +
						       (uint64_t)rec.h.ts.tv_usec;
				sn->dir_out += rec.dir == ND_PCAPNG_DIR_OUT;
				sn->dir_in += rec.dir == ND_PCAPNG_DIR_IN;
			} else {
				sn->stats++;
				sn->recv += rec.recv;
				sn->drop += rec.drop;
				sn->ifdrop += rec.ifdrop;
			}
		}
		if (r < 0)
			break;
	} while (!s.eof);
	nd_stream_close(&s);
	return r < 0 ? -1 : 0;
}

static void test_round_trip(void)
{
	static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 7 }, other[6] = { 2, 0, 0, 0, 0, 9 };
	struct nd_out o = { 0 };
	struct nd_writer w = { .format = ND_FORMAT_PCAPNG, .out = &o, .nifs = 2 };
	struct pcap_pkthdr h = { .ts = { .tv_sec = 1700000000, .tv_usec = 123456789 },
				 .caplen = 60,
				 .len = 60 };
	unsigned char b[60];
	struct nd_err e = { 0 };
	struct seen sn;
	char path[PATH_MAX];
	bool ok = true;

	snprintf(path, sizeof(path), "%s/rt.pcapng", dir);
	wif(&w.ifs[0], DLT_EN10MB, "web1/eth0#2", "runtime docker; start 2");
	w.ifs[0].has_mac = true;
	memcpy(w.ifs[0].mac, mac, 6);
	wif(&w.ifs[1], DLT_LINUX_SLL, "web1/any#2", "any");
	ok &= nd_out_open(&o, path, 65536, nd_writer_reclen(ND_FORMAT_PCAPNG), &e) == 0;
	ok &= nd_writer_start(&w, "unit", &e) == 0;
	frame(b, sizeof(b), mac);
	ok &= nd_writer_packet(&w, 0, &h, b, &e) == 0; /* sent by the target */
	frame(b, sizeof(b), other);
	ok &= nd_writer_packet(&w, 0, &h, b, &e) == 0; /* received */
	ok &= nd_writer_packet(&w, 0, &h, b, &e) == 0;
	ok &= nd_writer_stats(&w, 0, 7, 2, 3, &e) == 0;
	ok &= nd_out_close(&o, &e) == 0;
	CHECK("round trip: the writer writes the file", ok);
	CHECK("round trip: read back whole", read_back(path, &sn) == 0);
	CHECK("round trip: two interfaces, three packets, one statistics block",
	      sn.ifs == 2 && sn.packets == 3 && sn.stats == 1);
	CHECK_STR("round trip: name and description", sn.names[0],
		  "web1/eth0#2|runtime docker; start 2");
	CHECK("round trip: link types",
	      sn.linktypes[0] == DLT_EN10MB && sn.linktypes[1] == DLT_LINUX_SLL);
	CHECK("round trip: directions kept (1 out, 2 in)", sn.dir_out == 1 && sn.dir_in == 2);
	CHECK("round trip: nanosecond time stamp",
	      sn.first_ts == 1700000000ull * 1000000000u + 123456789u);
	/* isb_ifrecv 7, the ring's 2 and the interface's 3 drops, apart again */
	CHECK("round trip: the kernel's counts", sn.recv == 7 && sn.drop == 2 && sn.ifdrop == 3);
	(void)unlink(path);
}

/* A dynamic writer: no interface at first, one per start; at ND_WRITER_MAX_IFS a new section
 * holds only those still in use, renumbered. */
static void test_dynamic(void)
{
	struct nd_out o = { 0 };
	struct nd_writer w = { .format = ND_FORMAT_PCAPNG, .out = &o, .dynamic = true };
	unsigned int live[ND_WRITER_MAX_IFS];
	struct nd_err e = { 0 };
	struct nd_wif f;
	struct seen sn;
	bool renumbered = false, ok = true;
	char path[PATH_MAX];
	int id = -1;

	snprintf(path, sizeof(path), "%s/dyn.pcapng", dir);
	ok &= nd_out_open(&o, path, 65536, nd_writer_reclen(ND_FORMAT_PCAPNG), &e) == 0;
	ok &= nd_writer_start(&w, "unit", &e) == 0;
	CHECK("dynamic: a file may begin with no interface", ok && w.nifs == 0);
	for (unsigned int i = 0; i < ND_WRITER_MAX_IFS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "c/eth0#%u", i + 1);
		wif(&f, DLT_EN10MB, name, "d");
		id = nd_writer_add(&w, &f, live, &renumbered, &e);
		ok &= id == (int)i && !renumbered;
	}
	CHECK("dynamic: interfaces numbered as they come", ok);
	for (unsigned int i = 0; i < ND_WRITER_MAX_IFS; i++)
		live[i] = UINT_MAX;
	live[10] = 10;
	live[63] = 63;
	wif(&f, DLT_EN10MB, "c/eth0#65", "d");
	id = nd_writer_add(&w, &f, live, &renumbered, &e);
	CHECK("dynamic: the 65th begins a new section with the two in use, then itself",
	      renumbered && id == 2 && w.nifs == 3 && live[10] == 0 && live[63] == 1 &&
		      live[0] == UINT_MAX);
	CHECK_STR("dynamic: the kept interface's name", w.ifs[1].name, "c/eth0#64");
	ok = nd_out_close(&o, &e) == 0 && read_back(path, &sn) == 0;
	CHECK("dynamic: the file reads back: 64 + 3 interface blocks", ok && sn.ifs == 67);
	(void)unlink(path);
}

/* pcap: one interface in the file; a start of another link type is refused, the file left
 * as it was. */
static void test_pcap(void)
{
	struct nd_out o = { 0 };
	struct nd_writer w = { .format = ND_FORMAT_PCAP, .out = &o, .dynamic = true };
	unsigned int live[ND_WRITER_MAX_IFS];
	struct nd_err e = { 0 };
	struct nd_wif f;
	bool renumbered, ok = true;
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/dyn.pcap", dir);
	ok &= nd_out_open(&o, path, 65536, nd_writer_reclen(ND_FORMAT_PCAP), &e) == 0;
	ok &= nd_writer_start(&w, "unit", &e) == 0;
	ok &= nd_out_flush(&o, &e) == 0 && stat(path, &st) == 0;
	CHECK("pcap: no header before the first start", ok && st.st_size == 0);
	wif(&f, DLT_EN10MB, "c/eth0#1", "d");
	CHECK("pcap: the first start writes the header",
	      nd_writer_add(&w, &f, live, &renumbered, &e) == 0 && nd_out_flush(&o, &e) == 0 &&
		      stat(path, &st) == 0 && st.st_size == 24);
	wif(&f, DLT_EN10MB, "c/eth0#2", "d");
	CHECK("pcap: a later start of the same link type goes on as interface 0",
	      nd_writer_add(&w, &f, live, &renumbered, &e) == 0 && w.nifs == 1);
	wif(&f, DLT_LINUX_SLL, "c/any#3", "d");
	CHECK("pcap: another link type is a usage error naming it",
	      nd_writer_add(&w, &f, live, &renumbered, &e) < 0 && e.exit == ND_EXIT_USAGE &&
		      strstr(e.msg, "c/any#3") != NULL);
	CHECK("pcap: closes", nd_out_close(&o, &e) == 0);
	(void)unlink(path);
}

/* Corrupt input (another process's output is not trusted) is an error, not a crash. */
static void test_corrupt(void)
{
	char path[PATH_MAX];
	static const unsigned char junk[64] = { 0x0a, 0x0d, 0x0d, 0x0a, 0xff, 0xff, 0xff, 0x7f };
	struct seen sn;
	int fd;

	snprintf(path, sizeof(path), "%s/junk", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK("corrupt: written",
	      fd >= 0 && write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk) && close(fd) == 0);
	CHECK("corrupt: a bad section header is refused", read_back(path, &sn) < 0);
	(void)unlink(path);
}

int main(void)
{
	if (!scratch())
		return 1;
	test_round_trip();
	test_dynamic();
	test_pcap();
	test_corrupt();
	(void)rmdir(dir);
	return unit_done();
}
