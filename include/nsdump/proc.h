/* Reading /proc/PID/stat: the start time identifies a process across PID reuse. */
#ifndef NSDUMP_PROC_H
#define NSDUMP_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "nsdump/err.h"

struct nd_proc_stat {
	pid_t pid;
	char state;                   /* R, S, D, Z, ... */
	unsigned long long starttime; /* field 22, clock ticks since boot */
	char comm[16];                /* without the parentheses, NUL-terminated, may be cut */
};

/* Parses the text of /proc/PID/stat (buf need not be NUL-terminated). The command name may
 * hold spaces and parentheses, so fields are counted from the last ')'. Returns 0, or -1 with
 * err (ND_EXIT_FAIL) when the text is not in the expected form. */
int nd_proc_parse_stat(const char *buf, size_t len, struct nd_proc_stat *st, struct nd_err *err);

/* Reads and parses /proc/PID/stat. A missing process gives -1 with ND_EXIT_NOTFOUND. */
int nd_proc_read_stat(pid_t pid, struct nd_proc_stat *st, struct nd_err *err);

/* Whether the process a runtime's state names still lives: */
enum nd_proc_life {
	ND_PROC_ALIVE = 0, /* pid runs, with the recorded start time (when one is given) */
	ND_PROC_GONE,      /* no such process (or /proc/PID/stat cannot be read) */
	ND_PROC_ENDED,     /* a zombie, or another process under a reused PID */
};

/* The life of process pid started at `start` (clock ticks, /proc/PID/stat field 22; 0: not
 * recorded, any start will do). */
enum nd_proc_life nd_proc_life(pid_t pid, unsigned long long start);

#endif
