/* A main() for the fuzz targets without libFuzzer: feeds every file named on the command line
 * (directories: every file in them) to LLVMFuzzerTestOneInput once, so that `make check`
 * replays the corpus and the kept crash inputs under ASan+UBSan. A crash is the failure. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	/* An exact-size heap copy: ASan then catches a read one byte past the input. */
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	(void)LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int count = 0, bad = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			d = opendir(argv[i]);
			if (d == NULL) {
				bad++;
				continue;
			}
			while ((de = readdir(d)) != NULL) {
				char path[4096];

				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
				if (replay_file(path) < 0)
					bad++;
				else
					count++;
			}
			closedir(d);
		} else if (replay_file(argv[i]) < 0) {
			bad++;
		} else {
			count++;
		}
	}
	if (bad > 0 || count == 0) {
		printf("not ok - %s: replayed %d inputs, %d unreadable\n1..1\n", name, count, bad);
		return 1;
	}
	/* The plan comes last: a crash on any input leaves none (tests/run-step.sh). */
	printf("ok - %s: replayed %d inputs without a crash\n1..1\n", name, count);
	return 0;
}
