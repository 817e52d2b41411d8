/* A minimal test harness: one line per check, "ok - ..." or "not ok - ...", as the rest of
 * the suite prints, and a non-zero exit status when any check failed. */
#ifndef NSDUMP_UNIT_H
#define NSDUMP_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures;

#define CHECK(name, cond)                                                                          \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("ok - %s\n", (name));                                               \
		} else {                                                                           \
			printf("not ok - %s (%s:%d: %s)\n", (name), __FILE__, __LINE__, #cond);    \
			unit_failures++;                                                           \
		}                                                                                  \
	} while (0)

#define CHECK_STR(name, got, want)                                                                 \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) {                             \
			printf("ok - %s\n", (name));                                               \
		} else {                                                                           \
			printf("not ok - %s (%s:%d: got '%s', want '%s')\n", (name), __FILE__,     \
			       __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                  \
			unit_failures++;                                                           \
		}                                                                                  \
	} while (0)

#define UNIT_DONE() (unit_failures ? 1 : 0)

#endif
