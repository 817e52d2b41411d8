/* The state files' name pre-filter (jsonscan.h): never "cannot be there" for a name that a
 * JSON text holds, however it is escaped; "cannot" only where no string can decode to it. */
#include "nsdump/jsonscan.h"
#include "unit.h"

static bool may(const char *s, const char *q)
{
	return nd_jscan_may_contain(s, strlen(s), q);
}

int main(void)
{
	CHECK("may_contain: verbatim", may("{\"Name\":\"/web1\"}", "web1"));
	CHECK("may_contain: absent", !may("{\"Name\":\"/web2\",\"x\":\"\\n\\u00e9\"}", "web1"));
	CHECK("may_contain: escaped letter", may("{\"Name\":\"/w\\u0065b1\"}", "web1"));
	CHECK("may_contain: escaped slash", may("{\"a\":\"x\\/y\"}", "x/y"));
	CHECK("may_contain: escaped quote", may("{\"a\":\"x\\\"y\"}", "x\"y"));
	CHECK("may_contain: escaped backslash, other bytes raw",
	      !may("{\"a\":\"\\\\u0077eb\"}", "web"));
	CHECK("may_contain: malformed escape", may("{\"a\":\"\\x\"}", "web"));
	CHECK("may_contain: backslash at the end", may("\\", "web"));
	CHECK("may_contain: non-ASCII escape and a non-ASCII query",
	      may("\"\\u00e9\"", "\xc3\xa9"));
	CHECK("may_contain: a name under a key, escaped as Docker writes <",
	      may("{\"Name\":\"/a\\u003cb\"}", "a<b"));
	CHECK("may_contain: an escape of another byte does not count",
	      !may("{\"Name\":\"/a\\u003eb\",\"x\":\"\\n\"}", "a<b"));
	return UNIT_DONE();
}
