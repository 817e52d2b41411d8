/* The one cleaner for text nsdump shows but does not control (include/nsdump/text.h). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nsdump/text.h"
#include "unit.h"

int main(void)
{
	char out[64];

	nd_text_clean(out, sizeof(out), "web1/eth0");
	CHECK_STR("plain text kept", out, "web1/eth0");
	nd_text_clean(out, sizeof(out),
		      "a\x01"
		      "b\n\x7f"
		      "c");
	CHECK_STR("control bytes replaced", out, "a?b??c");
	nd_text_clean(out, sizeof(out), "\033[1;31mRED");
	CHECK_STR("ESC replaced: no colour sequence survives", out, "?[1;31mRED");
	nd_text_clean(out, sizeof(out), "\033]0;owned\a\033[2J");
	CHECK_STR("a window title and a screen clear: ESC and BEL replaced", out, "?]0;owned??[2J");
	nd_text_clean(out, sizeof(out), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
	CHECK_STR("valid UTF-8 kept", out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
	nd_text_clean(out, sizeof(out), "x\xc3(\xff\xc0\xafy");
	CHECK_STR("invalid sequences replaced byte by byte", out, "x?(???y");
	nd_text_clean(out, sizeof(out), "\xed\xa0\x80|\xe0\x80\x80|\xf4\x90\x80\x80");
	CHECK_STR("surrogates, overlong forms, > U+10FFFF replaced", out, "???|???|????");
	nd_text_clean(out, sizeof(out),
		      "a\xc2\x9b"
		      "2Jb\xc2\x85"
		      "c\xc2\xa0"
		      "d");
	CHECK_STR("C1 controls (8-bit CSI, NEL) replaced whole, U+00A0 kept", out,
		  "a?2Jb?c\xc2\xa0"
		  "d");
	nd_text_clean(out, sizeof(out),
		      "eth0\xe2\x80\xae"
		      "1cod.exe\xe2\x81\xa6x\xe2\x80\x8f");
	CHECK_STR("bidirectional overrides and isolates replaced", out, "eth0?1cod.exe?x?");
	nd_text_clean(out, 6, "abc\xe2\x82\xac");
	CHECK_STR("a character that does not fit is left out whole", out, "abc");
	nd_text_clean(out, 4, "\033\033\033\033\033");
	CHECK_STR("cut to the room given", out, "???");
	snprintf(out, sizeof(out), "%s", "\033[1m\xc3\xa9\xff\xc2\x9b!");
	CHECK_STR("in place, dst == src", nd_text_clean(out, sizeof(out), out),
		  "?[1m\xc3\xa9??"
		  "!");
	{
		char one[1] = { 'x' };

		nd_text_clean(one, sizeof(one), "abc");
		CHECK("room for the NUL only: empty", one[0] == '\0');
	}

	/* nd_text_print: one cleaned line. */
	{
		char path[] = "/tmp/nsdump-unit-text-XXXXXX", got[128] = "";
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
		size_t n = 0;

		CHECK("temp file", f != NULL);
		if (f != NULL) {
			nd_text_print(f, "listening on %s in %s", "\033[1;31mRED", "PID 7 (\a)");
			rewind(f);
			n = fread(got, 1, sizeof(got) - 1, f);
			got[n] = '\0';
			fclose(f);
		}
		unlink(path);
		CHECK_STR("nd_text_print: cleaned, one newline at the end", got,
			  "listening on ?[1;31mRED in PID 7 (?)\n");
	}
	return UNIT_DONE();
}
