/* The subset-of-JSON scanner (jsonscan.h) and the fast paths of the state parsers: the same
 * results as json-c, documents outside the subset left to json-c, the name pre-filter. */
#include "nsdump/jsonscan.h"
#include "nsdump/parse.h"
#include "unit.h"

static int doc(const char *s)
{
	struct nd_jspan r;

	return nd_jscan_doc(s, strlen(s), &r);
}

static bool may(const char *s, const char *q)
{
	return nd_jscan_may_contain(s, strlen(s), q);
}

/* Field by field: the name buffers hold whatever followed the name's NUL. */
static bool same_record(const struct nd_container *a, const struct nd_container *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->pod_ns, b->pod_ns) == 0 && strcmp(a->pod_name, b->pod_name) == 0 &&
	       a->running == b->running && a->pid == b->pid && a->start == b->start &&
	       a->sandbox == b->sandbox;
}

/* nd_parse_runc_state (fast path when it can) against json-c alone. */
static bool same_runc(const char *s)
{
	struct nd_container a = { 0 }, b = { 0 };
	struct nd_runc_extra xa = { { 0 }, 0 }, xb = { { 0 }, 0 };
	struct nd_err e;
	int ra = nd_parse_runc_state(s, strlen(s), &a, &xa, &e);
	int rb = nd_parse_runc_state_json(s, strlen(s), &b, &xb, &e);

	return ra == rb && same_record(&a, &b) && strcmp(xa.manager, xb.manager) == 0 &&
	       xa.crio == xb.crio;
}

static bool same_docker(const char *s)
{
	struct nd_container a = { 0 }, b = { 0 };
	struct nd_err e;
	int ra = nd_parse_docker_config(s, strlen(s), &a, &e);
	int rb = nd_parse_docker_config_json(s, strlen(s), &b, &e);

	return ra == rb && same_record(&a, &b);
}

int main(void)
{
	struct nd_jspan r, v;
	char buf[16];
	size_t n;
	long long x;

	CHECK("doc: object", doc(" {\"a\":[1,-2.5,\"x\",true,false,null,{}],\"b\":{}} \n") == 0);
	CHECK("doc: trailing comma refused", doc("{\"a\":1,}") < 0);
	CHECK("doc: data after the value refused", doc("{} x") < 0);
	CHECK("doc: cut short refused", doc("{\"a\":\"b") < 0);
	CHECK("doc: exponent left to json-c", doc("{\"a\":1e5}") < 0);
	CHECK("doc: leading zero refused", doc("{\"a\":01}") < 0);
	CHECK("doc: long number left to json-c", doc("{\"a\":1234567890123456789}") < 0);
	CHECK("doc: escape in a key left to json-c", doc("{\"\\u0061\":1}") < 0);
	CHECK("doc: surrogate left to json-c", doc("{\"a\":\"\\ud83d\\ude00\"}") < 0);
	CHECK("doc: raw control character refused", doc("{\"a\":\"x\ty\"}") < 0);
	CHECK("doc: form feed as white space left to json-c", doc("{\f}") < 0);
	CHECK("doc: deep nesting left to json-c",
	      doc("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]") < 0);
	CHECK("doc: escapes in values", doc("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9x\"}") == 0);

	CHECK("member: the last of a repeated key",
	      nd_jscan_doc("{\"a\":1,\"b\":{\"a\":3},\"a\":2}", 25, &r) == 0 &&
		      nd_jscan_member(r, "a", &v) == 0 && nd_jscan_uint(v, 0, 9, &x) == 0 &&
		      x == 2);
	CHECK("member: absent", nd_jscan_member(r, "c", &v) < 0);
	CHECK("dup keys seen", nd_jscan_dup_keys(r));
	CHECK("uint: negative left to json-c", nd_jscan_doc("{\"a\":-0}", 8, &r) == 0 &&
						       nd_jscan_member(r, "a", &v) == 0 &&
						       nd_jscan_uint(v, 0, 9, &x) < 0);
	CHECK("str: decoded, UTF-8", nd_jscan_doc("\"a\\u00e9\\u0041\\/\"", 17, &r) == 0 &&
					     nd_jscan_str(r, buf, sizeof(buf), &n, false) == 0 &&
					     n == 5 &&
					     memcmp(buf,
						    "a\xc3\xa9"
						    "A/",
						    5) == 0);
	CHECK("str: too long", nd_jscan_str(r, buf, 5, &n, false) < 0);
	CHECK("str: cut", nd_jscan_str(r, buf, 3, &n, true) == 0 && n == 1);

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

	CHECK("runc: same as json-c",
	      same_runc("{\"id\":\"abc\",\"init_process_pid\":42,\"init_process_start\":7,"
			"\"config\":{\"mounts\":[{\"a\":\"]}\"}],\"labels\":[\"bundle=/x\","
			"\"io.kubernetes.cri.sandbox-name=web\",\"io.container.manager=libpod\","
			"\"io.kubernetes.cri-o.X=y\",7,\"nerdctl/name=a\\u0000b\"]}}"));
	CHECK("runc: repeated id, same as json-c",
	      same_runc("{\"id\":\"a\",\"init_process_pid\":1,\"init_process_start\":2,"
			"\"id\":\"b\"}"));
	CHECK("runc: missing start, same as json-c",
	      same_runc("{\"id\":\"a\",\"init_process_pid\":1}"));
	CHECK("runc: double PID, same as json-c",
	      same_runc("{\"id\":\"a\",\"init_process_pid\":1.0,\"init_process_start\":2}"));
	CHECK("docker: same as json-c",
	      same_docker("{\"ID\":\"abc\",\"Name\":\"/web\",\"State\":{\"Running\":true,"
			  "\"Pid\":5},\"Config\":{\"Labels\":{\"nerdctl/name\":\"n\\u0000x\","
			  "\"io.kubernetes.pod.name\":\"p\"}}}"));
	CHECK("docker: stopped, same as json-c",
	      same_docker("{\"ID\":\"abc\",\"Name\":\"/web\",\"State\":{\"Running\":false}}"));
	CHECK("docker: repeated label, same as json-c",
	      same_docker("{\"ID\":\"abc\",\"Name\":\"/w\",\"State\":{\"Running\":false},"
			  "\"Config\":{\"Labels\":{\"nerdctl/name\":\"a\","
			  "\"io.kubernetes.cri.container-name\":\"b\",\"nerdctl/name\":\"c\"}}}"));
	CHECK("docker: bad name, same as json-c",
	      same_docker("{\"ID\":\"abc\",\"Name\":\"web\",\"State\":{\"Running\":false}}"));
	return UNIT_DONE();
}
