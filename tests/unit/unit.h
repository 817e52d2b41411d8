/* A minimal test harness: one line per check, "ok - ..." or "not ok - ...", as the rest of
 * the suite prints, the plan "1..N" at the end (so that a test that crashes half-way has none,
 * and tests/run-step.sh fails it), and a non-zero exit status when any check failed. */
#ifndef NSDUMP_UNIT_H
#define NSDUMP_UNIT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int unit_failures;
static int unit_checks;

#define CHECK(name, cond)                                                                          \
	do {                                                                                       \
		unit_checks++;                                                                     \
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
		unit_checks++;                                                                     \
		if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) {                             \
			printf("ok - %s\n", (name));                                               \
		} else {                                                                           \
			printf("not ok - %s (%s:%d: got '%s', want '%s')\n", (name), __FILE__,     \
			       __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                  \
			unit_failures++;                                                           \
		}                                                                                  \
	} while (0)

/* A string literal as an argv word (argv is char *, literals are const). */
#define W(s) ((char *)(uintptr_t)(s))

/* Fills argv with "nsdump" and the words of ap up to a NULL (at most max - 2 of them), ends
 * it with NULL, and returns argc: the command lines of the option parsers' tests. */
static inline int unit_argv(char **argv, int max, va_list ap)
{
	int argc = 0;

	argv[argc++] = W("nsdump");
	for (char *w; (w = va_arg(ap, char *)) != NULL && argc < max - 1;)
		argv[argc++] = w;
	argv[argc] = NULL;
	return argc;
}

static int unit_done(void)
{
	printf("1..%d\n", unit_checks);
	return unit_failures ? 1 : 0;
}

#define UNIT_DONE() unit_done()

#endif
