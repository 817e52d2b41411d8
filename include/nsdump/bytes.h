/* Host-order loads and stores at any alignment, and the 4-byte padding of the capture file
 * formats: the one copy the writers and the reader share. memcpy compiles to a plain move. */
#ifndef NSDUMP_BYTES_H
#define NSDUMP_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void nd_put16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void nd_put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline uint16_t nd_get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t nd_get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* n rounded up to a multiple of 4. */
static inline size_t nd_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

#endif
