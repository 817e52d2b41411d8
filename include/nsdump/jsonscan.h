/* A cheap test before a runtime's state file is parsed (with json-c, jsonget.h): whether the
 * file can hold a given name at all. With a thousand containers on disk, `--container NAME`
 * then parses the few candidates instead of every file. Pure: reads only (buf, len), which
 * need not be NUL-terminated nor valid JSON. */
#ifndef NSDUMP_JSONSCAN_H
#define NSDUMP_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* False only when no string of the document buf[0..len) can contain the text q once decoded
 * (any document, valid or not): q does not occur in the raw text, and no escape in it stands
 * for a byte of q. A container named q cannot be in a file for which this is false. q must
 * not be empty. */
bool nd_jscan_may_contain(const char *buf, size_t len, const char *q);

#endif
