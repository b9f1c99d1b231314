/*
 * fuzz_lsp.c -- libFuzzer target: the language server (compiler/lsp*.c).
 *
 * The first byte chooses the mode:
 *   even: the rest is the raw byte stream from a client (framing, JSON,
 *         lifecycle, any method with any params), fed in chunks whose
 *         sizes the input also chooses, after an initialize;
 *   odd:  a didChange sequence on an open document: the rest is a list of
 *         edits (start, end, length, text bytes, each position two bytes
 *         read as line and character), each sent as an incremental change,
 *         with hover, completion, definition, references and formatting
 *         asked at the edit after each one, and the debounced analysis run.
 * Oracles: the sanitizers (no crash, no leak, no undefined behaviour); the
 * output: every message the server writes is framed with the exact
 * Content-Length of a body that parses as a JSON object; and, for raw
 * streams, the same answers whether the stream arrives whole or in reads
 * of the size the first byte chooses (streams holding a $/cancelRequest
 * aside: what a cancel reaches depends on timing by design).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The output, checked as it is written: lsp_send writes the header, then
 * the body; everything is kept to compare two runs. */
typedef struct {
  size_t want;
  char *all;
  size_t len;
} Out;

static void check_output(void *ctx, const char *data, size_t len) {
  Out *o = ctx;
  o->all = realloc(o->all, o->len + len + 1);
  if (!o->all) abort();
  memcpy(o->all + o->len, data, len);
  o->len += len;
  o->all[o->len] = '\0';
  if (o->want == 0) {
    char head[64];
    if (len >= sizeof head) abort();
    memcpy(head, data, len);
    head[len] = '\0';
    if (sscanf(head, "Content-Length: %zu\r\n\r\n", &o->want) != 1 || o->want == 0) abort();
    return;
  }
  if (len != o->want) abort();
  json_error_t err;
  json_t *j = json_loadb(data, len, 0, &err);
  if (!j || !json_is_object(j)) abort();
  json_decref(j);
  o->want = 0;
}

static void send(LspServer *s, json_t *msg) {
  char *body = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  if (!body) return;
  char head[64];
  int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", strlen(body));
  lsp_feed(s, head, (size_t)h);
  lsp_feed(s, body, strlen(body));
  free(body);
}

static const char *URI = "file:///nonexistent-ipsf-fuzz/pack.ipsf";
static const char *SEED =
    "pack \"f\" version \"1.0.0\" { }\nimport \"ssf\";\nfacts { a: enum { x, y } = x; n: int = 0; }\n"
    "let l = n + 1;\nrules recovery { fatal when a == y; otherwise limited; }\n"
    "rules economic { significant when l > 3; otherwise limited; }\n";

static json_t *at(int line, int ch) {
  return json_pack("{s:{s:s},s:{s:i,s:i}}", "textDocument", "uri", URI, "position", "line", line,
                   "character", ch);
}

static void edits(LspServer *s, const uint8_t *p, size_t n) {
  send(s, json_pack("{s:s,s:{s:{s:s,s:s,s:i,s:s}}}", "method", "textDocument/didOpen", "params",
                    "textDocument", "uri", URI, "languageId", "ipsf", "version", 1, "text", SEED));
  int id = 100, version = 2;
  while (n >= 5) {
    int l0 = p[0] & 15, c0 = p[1] & 63, l1 = l0 + (p[2] & 3), c1 = p[3] & 63;
    size_t len = p[4] & 31;
    p += 5;
    n -= 5;
    if (len > n) len = n;
    json_t *text = json_stringn((const char *)p, len);
    if (!text) text = json_string("x");
    p += len;
    n -= len;
    send(s, json_pack("{s:s,s:{s:{s:s,s:i},s:[{s:{s:{s:i,s:i},s:{s:i,s:i}},s:o}]}}", "method",
                      "textDocument/didChange", "params", "textDocument", "uri", URI, "version",
                      version++, "contentChanges", "range", "start", "line", l0, "character", c0, "end",
                      "line", l1, "character", c1, "text", text));
    static const char *const methods[] = {"textDocument/hover", "textDocument/completion",
                                          "textDocument/definition", "textDocument/references",
                                          "textDocument/documentSymbol"};
    for (size_t m = 0; m < 5; m++)
      send(s, json_pack("{s:i,s:s,s:o}", "id", id++, "method", methods[m], "params", at(l0, c0)));
    lsp_run_due(s, true);
  }
  send(s, json_pack("{s:i,s:s,s:{s:{s:s}}}", "id", id++, "method", "textDocument/formatting", "params",
                    "textDocument", "uri", URI));
}

static LspServer *start(Out *o) {
  LspServer *s = lsp_new(NULL, check_output, o);
  send(s, json_pack("{s:i,s:s,s:{s:{},s:{s:i}}}", "id", 1, "method", "initialize", "params", "capabilities",
                    "initializationOptions", "analysisDelayMs", 0));
  return s;
}

/* Feed the stream in reads of `chunk` bytes (0: all at once). */
static void raw(Out *o, const uint8_t *data, size_t size, size_t chunk) {
  LspServer *s = start(o);
  if (chunk == 0) chunk = size ? size : 1;
  for (size_t i = 0; i < size; i += chunk)
    lsp_feed(s, (const char *)data + i, size - i < chunk ? size - i : chunk);
  lsp_run_due(s, true);
  lsp_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool init;
  if (!init) {
    json_set_alloc_funcs(malloc, free);
    init = true;
  }
  if (size == 0) return 0;
  Out a = {0}, b = {0};
  if (data[0] & 1) {
    LspServer *s = start(&a);
    edits(s, data + 1, size - 1);
    lsp_free(s);
  } else {
    /* A third oracle: the answers do not depend on how reads split the
     * stream (messages are answered in order, errors in their place). */
    raw(&a, data + 1, size - 1, 0);
    raw(&b, data + 1, size - 1, (data[0] >> 1) + 1);
    /* (A cancel depends on timing by design: it cancels a request still
     * waiting in the same read; such streams are not compared.) */
    bool cancels = false;
    for (size_t i = 0; i + 13 <= size && !cancels; i++) cancels = memcmp(data + i, "cancelRequest", 13) == 0;
    if (!cancels && (a.len != b.len || (a.len && memcmp(a.all, b.all, a.len) != 0))) abort();
  }
  free(a.all);
  free(b.all);
  return 0;
}
