/* Rotated file names: %n, strftime with -G only, tcpdump's numbering for -C and -C -W. */
#include <stdlib.h>

#include "nsdump/rotate.h"
#include "unit.h"

static const char *name(struct nd_rotate *r, unsigned int in_period)
{
	static char out[512];
	static struct nd_err e;

	r->in_period = in_period;
	/* 2026-01-02 03:04:05 UTC */
	if (nd_rotate_name(r, (time_t)1767323045, out, sizeof(out), &e) < 0)
		return e.msg;
	return out;
}

int main(void)
{
	struct nd_rotate r = { .pattern = "cap-%n.pcapng" };

	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(r.target, sizeof(r.target), "web1");
	CHECK_STR("%n without rotation", name(&r, 0), "cap-web1.pcapng");
	r.pattern = "a%Hb-%n";
	CHECK_STR("no strftime without -G (as tcpdump)", name(&r, 0), "a%Hb-web1");
	r.seconds = 60;
	r.pattern = "%Y%m%d-%H%M%S-%n.pcapng";
	CHECK_STR("-G: strftime and %n", name(&r, 0), "20260102-030405-web1.pcapng");
	snprintf(r.target, sizeof(r.target), "a/b%%H");
	CHECK_STR("a name's '/' and '%' cannot choose a directory or a conversion", name(&r, 0),
		  "20260102-030405-a_b%H.pcapng");
	r.seconds = 0;
	snprintf(r.target, sizeof(r.target), "web1");
	r.bytes = 1000000;
	r.pattern = "x.pcap";
	CHECK_STR("-C: first file unnumbered", name(&r, 0), "x.pcap");
	CHECK_STR("-C: then 1", name(&r, 1), "x.pcap1");
	CHECK_STR("-C: then 12", name(&r, 12), "x.pcap12");
	r.files = 10;
	CHECK_STR("-C -W 10: one digit, from 0", name(&r, 0), "x.pcap0");
	CHECK_STR("-C -W 10: round the ring", name(&r, 13), "x.pcap3");
	r.files = 100;
	CHECK_STR("-C -W 100: two digits", name(&r, 7), "x.pcap07");
	r.files = 0;
	r.gzip = true;
	CHECK_STR("--compress gzip: .gz after the number", name(&r, 2), "x.pcap2.gz");
	r.pattern = "x.pcap.gz";
	CHECK_STR("--compress gzip: no second .gz", name(&r, 0), "x.pcap.gz");
	r.gzip = false;
	r.seconds = 3600;
	r.pattern = "%H";
	CHECK_STR("-G -C: strftime then number", name(&r, 2), "032");
	r.pattern = "%p";
	{
		char out[8];
		struct nd_err e = { 0 };
		char longpat[5000];

		r.bytes = 0;
		memset(longpat, 'a', sizeof(longpat) - 1);
		longpat[sizeof(longpat) - 1] = '\0';
		r.pattern = longpat;
		CHECK("an over-long pattern is a usage error",
		      nd_rotate_name(&r, 0, out, sizeof(out), &e) < 0 && e.exit == ND_EXIT_USAGE);
		r.pattern = "abcdefghij";
		r.seconds = 0;
		CHECK("a name longer than the buffer is an error, not cut",
		      nd_rotate_name(&r, 0, out, sizeof(out), &e) < 0);
	}
	{
		struct nd_rotate d = { .pattern = "/var/tmp/cap-%H/x-%n.pcap" };
		struct nd_err e = { 0 };
		char out[512];

		CHECK("the directory part: up to the last '/'", nd_rotate_dirlen(&d) == 16);
		CHECK("without rotation the directory may hold anything",
		      nd_rotate_check(&d, &e) == 0);
		d.seconds = 60;
		CHECK("-G: a conversion in the directory is a usage error, saying what to do",
		      nd_rotate_check(&d, &e) < 0 && e.exit == ND_EXIT_USAGE &&
			      strstr(e.msg, "directory part of '/var/tmp/cap-%H/x-%n.pcap'") !=
				      NULL);
		d.seconds = 0;
		d.bytes = 1000;
		CHECK("-C: '%' other than %n in the directory is a plain character",
		      nd_rotate_check(&d, &e) == 0);
		d.pattern = "/var/tmp/%n/x.pcap";
		CHECK("-C: %n in the directory is a usage error",
		      nd_rotate_check(&d, &e) < 0 && e.exit == ND_EXIT_USAGE);
		d.pattern = "/var/tmp/x-%n-%H.pcap";
		d.seconds = 60;
		CHECK("-G -C: conversions in the file name are fine", nd_rotate_check(&d, &e) == 0);
		d.pattern = "x.pcap";
		CHECK("no directory part: 0", nd_rotate_dirlen(&d) == 0);
		d.pattern = "/tmp/x-%D.pcap";
		d.bytes = 0;
		CHECK("-G: a conversion that makes a '/' in the file name is a usage error",
		      nd_rotate_name(&d, 0, out, sizeof(out), &e) < 0 && e.exit == ND_EXIT_USAGE &&
			      strstr(e.msg, "'/' in the file name") != NULL);
	}
	r.seconds = 0;
	r.bytes = 0;
	CHECK("nothing to rotate without -G or -C", !nd_rotate_active(&r));
	r.bytes = 1;
	CHECK("-C rotates", nd_rotate_active(&r));
	return UNIT_DONE();
}
