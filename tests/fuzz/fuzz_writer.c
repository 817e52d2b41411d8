/* libFuzzer target: the pcapng writer's inputs. Names, descriptions and filters come from
 * runtimes and users; whatever their bytes, the blocks must stay well-formed: every length
 * field right, every option inside its block, text valid UTF-8 without control characters
 * (nd_text_clean, the same in place as into another buffer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsdump/pcapng.h"
#include "nsdump/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_block(const unsigned char *b, size_t n)
{
	uint32_t first, last;

	if (n == 0)
		return;
	memcpy(&first, b + 4, 4);
	memcpy(&last, b + n - 4, 4);
	if (first != n || last != n || (n & 3) != 0)
		abort();
}

static void check_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char block[65536];
	char *text = malloc(size + 1), clean[2048];
	size_t third = size / 3;
	struct nd_pcapng_idb idb = { .linktype = 1, .snaplen = 65535 };
	struct nd_pcapng_shb shb = { 0 };

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* Three strings cut from the input (inner NULs end them early, as C strings do). */
	text[third] = '\0';
	if (size > 2 * third)
		text[2 * third] = '\0';
	nd_text_clean(clean, sizeof(clean), text);
	check_utf8(clean);
	{
		/* In place, the cleaner gives the same text: a whole copy of the input (a copy
		 * cut short could end inside a character), as long as the input, enough room
		 * since the cleaner never lengthens. */
		char *same = strdup(text);

		if (same != NULL && strcmp(nd_text_clean(same, sizeof(clean), same), clean) != 0)
			abort();
		free(same);
	}
	idb.name = clean;
	idb.description = text + (third < size ? third + 1 : size);
	idb.filter = text + (2 * third < size ? 2 * third + 1 : size);
	check_block(block, nd_pcapng_idb(block, sizeof(block), &idb));
	shb.hardware = text;
	shb.os = idb.description;
	shb.userappl = idb.filter;
	check_block(block, nd_pcapng_shb(block, sizeof(block), &shb));
	check_block(block, nd_pcapng_shb(block, 64, &shb));
	free(text);
	return 0;
}
