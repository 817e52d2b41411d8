/* Text that nsdump shows but does not control: interface names, process names, what
 * runtimes and libpcap say. A container chooses some of it, and a terminal acts on escape
 * sequences, so all of it is shown through this one cleaner: in error messages (err.c),
 * in what nsdump prints (main.c, veth.c, container.c), and in pcapng strings (writer.c,
 * mergefile.c). */
#ifndef NSDUMP_TEXT_H
#define NSDUMP_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Copies src into dst (at most dstlen-1 bytes, NUL-terminated; dst may be src) keeping
 * printable ASCII and valid UTF-8, and replacing each byte of an invalid sequence, and each
 * character that controls rather than prints (C0 controls, DEL, the C1 controls U+0080 to
 * U+009F, bidirectional overrides and isolates), with '?'. A character that does not fit
 * is left out whole. Returns dst. */
char *nd_text_clean(char *dst, size_t dstlen, const char *src);

/* Prints one line to f: fmt formatted (cut at 4 KiB), cleaned as nd_text_clean() does, then
 * a newline. For lines that hold names: fmt itself holds no newline. Returns fprintf's
 * result. */
int nd_text_print(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
