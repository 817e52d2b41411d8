/* Errors travel up as a struct nd_err: the function that fails fills it, each caller may
 * prepend context, and main() alone prints it (one line) and exits with err->exit. */
#ifndef NSDUMP_ERR_H
#define NSDUMP_ERR_H

#include <stddef.h>

/* Exit codes, documented in --help, README.md and nsdump(8). */
enum nd_exit {
	ND_EXIT_OK = 0,    /* success, also a stop by signal, count, duration or vanished target */
	ND_EXIT_FAIL = 1,  /* failure during capture: write error, disk full, capture error */
	ND_EXIT_USAGE = 2, /* bad option, bad filter, bad interface, TTY on stdout */
	ND_EXIT_NOTFOUND = 3, /* target (process, namespace) not found */
	ND_EXIT_PERM = 4,     /* not permitted */
};

struct nd_err {
	int exit;       /* one of enum nd_exit; ND_EXIT_FAIL if never set */
	int errnum;     /* errno behind the failure, 0 if none */
	char msg[1024]; /* complete message, no trailing newline, no "nsdump: " prefix;
			 * printable (cleaned by nd_text_clean, whatever names it quotes) */
};

/* Fills err with the formatted message, followed by ": strerror(errnum)" when errnum != 0.
 * Always returns -1 so that callers can `return nd_err_set(...)`. */
int nd_err_set(struct nd_err *err, int exit, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prepends "context: " to the message already in err. Returns -1. */
int nd_err_prefix(struct nd_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends " (hint)" to the message already in err. Returns -1. */
int nd_err_hint(struct nd_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
