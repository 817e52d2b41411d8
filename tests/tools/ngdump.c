/* ngdump FILE: prints the blocks of a pcapng file, one line each, for tests to check what
 * tshark does not show (statistics blocks) and the exact layout of every block. Checks
 * each block's two length fields; exits 1 on a malformed file. Host byte order only. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void print_opts(uint32_t type, const unsigned char *p, const unsigned char *end)
{
	while (p + 4 <= end) {
		uint16_t code, len;

		memcpy(&code, p, 2);
		memcpy(&len, p + 2, 2);
		p += 4;
		if (code == 0 || p + len > end)
			break;
		if (type == 5 && len == 8 && code >= 4)
			printf(" opt%u=%" PRIu64, code, u64(p));
		else if (type == 6 && code == 2 && len == 4)
			printf(" flags=%" PRIu32, u32(p));
		else if (type == 1 && code == 9 && len == 1)
			printf(" tsresol=%u", p[0]);
		else if (type == 1 && code == 11 && len >= 1)
			printf(" filter=\"%.*s\"", (int)len - 1, (const char *)p + 1);
		else if (type != 5 && type != 6)
			printf(" opt%u=\"%.*s\"", code, (int)len, (const char *)p);
		p += (len + 3u) & ~3u;
	}
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	FILE *f;
	uint32_t type, total;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: ngdump FILE\n");
		return 2;
	}
	while (fread(buf, 1, 8, f) == 8) {
		type = u32(buf);
		total = u32(buf + 4);
		if (total < 12 || total > sizeof(buf) || (total & 3) ||
		    fread(buf + 8, 1, total - 8, f) != total - 8 || u32(buf + total - 4) != total) {
			printf("MALFORMED block type %" PRIu32 " length %" PRIu32 "\n", type,
			       total);
			return 1;
		}
		switch (type) {
		case 0x0A0D0D0A:
			printf("SHB len=%" PRIu32, total);
			print_opts(type, buf + 24, buf + total - 4);
			break;
		case 1:
			printf("IDB len=%" PRIu32 " linktype=%u snaplen=%" PRIu32, total,
			       buf[8] | buf[9] << 8, u32(buf + 12));
			print_opts(type, buf + 16, buf + total - 4);
			break;
		case 6:
			printf("EPB len=%" PRIu32 " if=%" PRIu32 " caplen=%" PRIu32 " len=%" PRIu32,
			       total, u32(buf + 8), u32(buf + 20), u32(buf + 24));
			print_opts(type, buf + 28 + ((u32(buf + 20) + 3u) & ~3u), buf + total - 4);
			break;
		case 5:
			printf("ISB len=%" PRIu32 " if=%" PRIu32, total, u32(buf + 8));
			print_opts(type, buf + 20, buf + total - 4);
			break;
		default:
			printf("BLOCK type=%" PRIu32 " len=%" PRIu32, type, total);
		}
		printf("\n");
	}
	fclose(f);
	return 0;
}
