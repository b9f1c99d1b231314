/*
 * test_lsp.c -- the language server in process (compiler/lsp*.c): the
 * framing does not depend on how the bytes are split into reads, two
 * servers share no state, and the symbol index (compiler/index.c) finds
 * declarations and uses.  The protocol itself is tested end to end by
 * tests/lsp/run.py.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsp.h"
#include "report.h"

static void to_buf(void *ctx, const char *data, size_t len) { ipsf_buf_put(ctx, data, len); }

static void frame(IpsfBuf *b, const char *body) {
  ipsf_buf_printf(b, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
}

/* A session: initialize, open a pack with an error, hover, complete,
 * a framing error, format, shutdown, exit. */
static char *session(void) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  frame(&b, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":{},"
            "\"initializationOptions\":{\"analysisDelayMs\":0}}}");
  frame(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":"
            "{\"uri\":\"file:///nonexistent/p.ipsf\",\"languageId\":\"ipsf\",\"version\":1,\"text\":"
            "\"pack \\\"p\\\" version \\\"1.0.0\\\" { }\\nimport \\\"ssf\\\";\\nfacts { a: enum { x, y } = x; }\\n"
            "let l = a == y;\\nlet bad = 1 + true;\\nrules recovery { fatal when l; otherwise limited; }\\n"
            "rules economic { otherwise limited; }\\n\"}}}");
  frame(&b, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"textDocument/hover\",\"params\":{\"textDocument\":"
            "{\"uri\":\"file:///nonexistent/p.ipsf\"},\"position\":{\"line\":3,\"character\":8}}}");
  frame(&b, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"textDocument/completion\",\"params\":{\"textDocument\":"
            "{\"uri\":\"file:///nonexistent/p.ipsf\"},\"position\":{\"line\":3,\"character\":13}}}");
  ipsf_buf_puts(&b, "Content-Length: 3\r\n\r\n{x}");
  frame(&b, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"textDocument/formatting\",\"params\":{\"textDocument\":"
            "{\"uri\":\"file:///nonexistent/p.ipsf\"},\"options\":{}}}");
  frame(&b, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"shutdown\"}");
  frame(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
  return b.data;
}

static char *run_chunked(const char *in, size_t chunk, int *code) {
  IpsfBuf out;
  ipsf_buf_init(&out);
  LspServer *s = lsp_new(NULL, to_buf, &out);
  size_t n = strlen(in);
  for (size_t i = 0; i < n; i += chunk) lsp_feed(s, in + i, n - i < chunk ? n - i : chunk);
  lsp_run_due(s, true);
  cr_assert(lsp_exited(s, code));
  lsp_free(s);
  return out.data ? out.data : strdup("");
}

Test(lsp, framing_does_not_depend_on_read_sizes) {
  char *in = session();
  int code = -1;
  char *whole = run_chunked(in, strlen(in), &code);
  cr_assert_eq(code, 0);
  cr_assert(strstr(whole, "\"id\":2") && strstr(whole, "fact a"), "hover answered: %s", whole);
  cr_assert(strstr(whole, "arithmetic needs int or number operands"), "diagnostic published");
  cr_assert(strstr(whole, "\"code\":-32700"), "the framing error answered");
  static const size_t sizes[] = {1, 2, 3, 7, 64, 1000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    char *got = run_chunked(in, sizes[k], &code);
    cr_assert_str_eq(got, whole, "reads of %zu bytes", sizes[k]);
    cr_assert_eq(code, 0);
    free(got);
  }
  free(whole);
  free(in);
}

Test(lsp, servers_share_no_state) {
  char *in = session();
  size_t n = strlen(in);
  int code;
  char *alone = run_chunked(in, n, &code);
  IpsfBuf o1, o2;
  ipsf_buf_init(&o1);
  ipsf_buf_init(&o2);
  LspServer *a = lsp_new(NULL, to_buf, &o1), *b = lsp_new(NULL, to_buf, &o2);
  for (size_t i = 0; i < n; i += 5) { /* interleaved */
    lsp_feed(a, in + i, n - i < 5 ? n - i : 5);
    lsp_feed(b, in + i, n - i < 5 ? n - i : 5);
  }
  lsp_run_due(a, true);
  lsp_run_due(b, true);
  lsp_free(a);
  lsp_free(b);
  cr_assert_str_eq(o1.data, alone);
  cr_assert_str_eq(o2.data, alone);
  free(o1.data);
  free(o2.data);
  free(alone);
  free(in);
}

Test(lsp, positions_are_utf16) {
  const char *t = "a\xC3\xA9\xF0\x9F\x98\x80z\nsecond";
  size_t n = strlen(t);
  cr_assert_eq(lsp_offset(t, n, 0, 0), 0);
  cr_assert_eq(lsp_offset(t, n, 0, 2), 3);   /* after a, é */
  cr_assert_eq(lsp_offset(t, n, 0, 4), 7);   /* after the surrogate pair */
  cr_assert_eq(lsp_offset(t, n, 0, 99), 8);  /* clamped to the line's end */
  cr_assert_eq(lsp_offset(t, n, 1, 3), 12);
  cr_assert_eq(lsp_offset(t, n, 9, 0), n);   /* past the last line */
  json_t *p = lsp_position(t, n, 8);
  cr_assert_eq(json_integer_value(json_object_get(p, "character")), 5);
  json_decref(p);
}

Test(lsp, uris_round_trip) {
  char *u = lsp_path_to_uri("/tmp/a b/é#.ipsf");
  cr_assert_str_eq(u, "file:///tmp/a%20b/%C3%A9%23.ipsf");
  char *p = lsp_uri_to_path(u);
  cr_assert_str_eq(p, "/tmp/a b/é#.ipsf");
  free(u);
  free(p);
}
