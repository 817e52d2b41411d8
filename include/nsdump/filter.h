/* Filter expressions given with -F FILE. */
#ifndef NSDUMP_FILTER_H
#define NSDUMP_FILTER_H

#include <stddef.h>

#include "nsdump/err.h"

#define ND_FILTER_MAX 65536

/* Turns the text of a filter file into an expression: lines starting with '#' are comments,
 * line ends become spaces, outer white space is trimmed. A NUL byte or an expression longer
 * than ND_FILTER_MAX is refused (ND_EXIT_USAGE). The caller frees *out. */
int nd_filter_from_text(const char *buf, size_t len, char **out, struct nd_err *err);

/* Reads path (with the caller's current rights) and calls nd_filter_from_text(). */
int nd_filter_read_file(const char *path, char **out, struct nd_err *err);

#endif
