/* Output file rotation, as tcpdump's -G, -C and -W, with strftime(3) in the -w name and %n for
 * the target's name. */
#ifndef NSDUMP_ROTATE_H
#define NSDUMP_ROTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "nsdump/err.h"

struct nd_rotate {
	const char *pattern;    /* the -w argument */
	char target[64];        /* what %n stands for: the first target's name */
	unsigned int seconds;   /* -G: a new file every so many seconds; 0 for none */
	uint64_t bytes;         /* -C: a new file before this size would be passed; 0 for none */
	unsigned int files;     /* -W: with -C, a ring of this many; with -G alone, stop after */
	unsigned int opened;    /* files opened so far */
	unsigned int in_period; /* files opened in the current -G period (the -C counter) */
	bool gzip;              /* --compress gzip: names end in .gz */
	int dir_fd;             /* the directory of every file (O_PATH), opened before the drop and
				 * kept for the loop; -1 until then */
};

/* True when any of -G, -C is in use. */
int nd_rotate_active(const struct nd_rotate *r);

/* The length of the pattern's directory part, up to and including its last '/' (0: the
 * current directory). With rotation every name starts with it, unchanged. */
size_t nd_rotate_dirlen(const struct nd_rotate *r);

/* With rotation, every file goes in the one directory opened before privileges are dropped:
 * a directory part that would change from file to file (%n; with -G any conversion) is
 * refused with ND_EXIT_USAGE, saying what to do. */
int nd_rotate_check(const struct nd_rotate *r, struct nd_err *err);

/* The name of the next file, opened at time t: %n expanded to the target's name (a '/' in it
 * becomes '_'), then strftime(3) when -G is given, then tcpdump's number when -C is given:
 * with -W, zero-padded to the width of files-1 and counting round the ring; without, none for
 * the first file of a period and 1, 2, ... after; last ".gz" for --compress gzip unless the
 * name has it already. Pure. ND_EXIT_USAGE when the name is empty
 * or too long, or when with -G a conversion puts a '/' in the file part (%D, %x). */
int nd_rotate_name(const struct nd_rotate *r, time_t t, char *out, size_t outlen,
		   struct nd_err *err);

#endif
