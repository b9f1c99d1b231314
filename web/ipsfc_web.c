/*
 * ipsfc_web.c -- the entry points of the WebAssembly build (docs/playground.md).
 *
 * The playground runs the CLI itself, not a reimplementation: the page
 * writes the pack and its sheets into Emscripten's in-memory file system
 * (MEMFS) under the names it shows, and calls a verb of ipsfc --
 * `check --format json`, `eval --format json --explain`, `test --format
 * json`, `fmt`, `schema` -- through the same cmd_<verb> functions
 * cli/main.c dispatches to.  What the verb writes to stdout and stderr is
 * captured in two MEMFS files and handed back as one JSON object:
 *
 *   {"exit": 0, "stdout": "...", "stderr": "..."}
 *
 * so the page shows exactly the CLI's diagnostics, findings, records and
 * test results (the Node test, tests/wasm/, compares the records byte for
 * byte with the native build's).
 *
 * Invariants:
 *  - One call at a time (the module is single-threaded; the page runs it
 *    in a Web Worker).  Every call starts with stdout and stderr reopened
 *    empty, and every verb resets its own option state (getopt's optind).
 *  - Only the verbs below run (compile, sign, keygen and verify write key
 *    or pack files the browser has no use for), and one of the page's own,
 *    `describe PACK` (the axes' levels and the viewpoints, for the category
 *    matrix).  eval gets --jobs=1 right after the verb: this build has no
 *    threads (the page passes no --jobs of its own).
 *  - Natives: runtime/native.c refuses every extern (nothing is allowed in
 *    the browser) with the CLI's message; --allow-native is refused here
 *    before the verb runs, since no library can be loaded (no dlopen).
 *  - Signatures: libsodium is built for wasm (build/wasm/), so a pack's
 *    digest and a .ipsb's signature are checked as by the CLI; the page has
 *    no key files, and --require-signature is refused here with a message.
 *  - The result string is malloc'd; the caller frees it with ipsfw_free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "report.h"
#include "sheet.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define IPSFW_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define IPSFW_EXPORT
#endif

char *ipsfw_run(int argc, char **argv);
char *ipsfw_run_discard(int argc, char **argv);
void ipsfw_free(char *p);

#define OUT_PATH "/tmp/ipsfw.stdout"
#define ERR_PATH "/tmp/ipsfw.stderr"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);
} WebVerb;

static void axis_json(IpsfBuf *b, const IpsfPack *pack, int axis) {
  uint32_t s = ipsf_pack_axis(pack, axis);
  if (s == UINT32_MAX) {
    ipsf_buf_puts(b, "null");
    return;
  }
  ipsf_buf_puts(b, "{\"scale\": ");
  ipsf_buf_json_string(b, ipsf_pack_scale_name(pack, s));
  ipsf_buf_puts(b, ", \"levels\": [");
  for (uint32_t l = 0; l < ipsf_pack_level_count(pack, s); l++) {
    if (l) ipsf_buf_puts(b, ", ");
    ipsf_buf_json_string(b, ipsf_pack_level_name(pack, s, l));
  }
  ipsf_buf_puts(b, "]}");
}

/* `describe PACK`: what the page draws the category matrix and the
 * viewpoints with, from the public API (include/ipsf.h) of the pack as
 * cli_load_pack compiles and verifies it (diagnostics on stderr):
 *   {"axis1": {"scale": S, "levels": [lowest first]} or null, "axis2": ...,
 *    "viewpoints": [...]} */
static int cmd_describe(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: describe PACK\n");
    return EXIT_USAGE;
  }
  StrList dirs = {0};
  int status = EXIT_OK;
  IpsfPack *pack = cli_load_pack(argv[1], &dirs, &status);
  if (!pack) return status;
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_puts(&b, "{\"axis1\": ");
  axis_json(&b, pack, 1);
  ipsf_buf_puts(&b, ", \"axis2\": ");
  axis_json(&b, pack, 2);
  ipsf_buf_puts(&b, ", \"viewpoints\": [");
  for (uint32_t v = 0; v < ipsf_pack_viewpoint_count(pack); v++) {
    if (v) ipsf_buf_puts(&b, ", ");
    ipsf_buf_json_string(&b, ipsf_pack_viewpoint_name(pack, v));
  }
  ipsf_buf_puts(&b, "]}\n");
  ipsf_pack_free(pack);
  bool ok = !b.failed && ipsf_buf_flush(&b, stdout);
  ipsf_buf_free(&b);
  return ok ? EXIT_OK : EXIT_INTERNAL;
}

static const WebVerb web_verbs[] = {
    {"check", cmd_check}, {"eval", cmd_eval},     {"test", cmd_test},
    {"fmt", cmd_fmt},     {"schema", cmd_schema}, {"describe", cmd_describe},
};

/* A whole MEMFS file into b (nothing if it cannot be read). */
static void append_file(IpsfBuf *b, const char *path, IpsfBuf *json) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    ipsf_buf_json_string(json, "");
    return;
  }
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ipsf_buf_put(b, chunk, n);
  fclose(f);
  ipsf_buf_json_string(json, b->data ? b->data : "");
}

/* Options the browser cannot honour, refused before the verb runs. */
static const char *refused_option(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--allow-native", 14) == 0)
      return "--allow-native: no native library can be loaded in the browser "
             "(docs/playground.md); a pack with extern functions is refused as by the CLI";
    if (strncmp(argv[i], "--require-signature", 19) == 0)
      return "--require-signature: the playground has no key files; check signatures "
             "with the CLI (ipsfc verify, eval --require-signature)";
  }
  return NULL;
}

static int run_verb(int argc, char **argv) {
  if (argc < 1) return EXIT_USAGE;
  const char *why = refused_option(argc, argv);
  if (why) {
    fprintf(stderr, "ipsfc %s: %s\n", argv[0], why);
    return EXIT_USAGE;
  }
  for (size_t i = 0; i < sizeof web_verbs / sizeof web_verbs[0]; i++)
    if (strcmp(web_verbs[i].name, argv[0]) == 0) return web_verbs[i].run(argc, argv);
  fprintf(stderr, "ipsfc: '%s' is not available in the playground\n", argv[0]);
  return EXIT_USAGE;
}

/* Run `ipsfc argv[0] argv[1..]` (argv[0] is the verb) with stdout going to
 * out_path; the JSON object of the header comment, or NULL when out of
 * memory. */
static char *run_captured(int argc, char **argv, const char *out_path) {
  if (!freopen(out_path, "w", stdout) || !freopen(ERR_PATH, "w", stderr)) return NULL;
  /* eval: one thread (no --jobs in this build); inserted after the verb */
  char **args = calloc((size_t)argc + 2, sizeof *args);
  if (!args) return NULL;
  int n = 0;
  for (int i = 0; i < argc; i++) {
    args[n++] = argv[i];
    if (i == 0 && argc > 0 && strcmp(argv[0], "eval") == 0) args[n++] = "--jobs=1";
  }
  int status = run_verb(n, args);
  free(args);
  fflush(stdout);
  fflush(stderr);
  IpsfBuf json, out, err;
  ipsf_buf_init(&json);
  ipsf_buf_init(&out);
  ipsf_buf_init(&err);
  ipsf_buf_printf(&json, "{\"exit\": %d, \"stdout\": ", status);
  if (strcmp(out_path, OUT_PATH) == 0) append_file(&out, OUT_PATH, &json);
  else ipsf_buf_puts(&json, "\"\"");
  ipsf_buf_puts(&json, ", \"stderr\": ");
  append_file(&err, ERR_PATH, &json);
  ipsf_buf_puts(&json, "}");
  ipsf_buf_free(&out);
  ipsf_buf_free(&err);
  if (json.failed) {
    ipsf_buf_free(&json);
    return NULL;
  }
  return json.data;
}

IPSFW_EXPORT char *ipsfw_run(int argc, char **argv) { return run_captured(argc, argv, OUT_PATH); }

/* The same with stdout thrown away (/dev/null), "stdout" empty: what the
 * benchmark (bench/wasm_bench.mjs) times, as `ipsfc ... > /dev/null`. */
IPSFW_EXPORT char *ipsfw_run_discard(int argc, char **argv) {
  return run_captured(argc, argv, "/dev/null");
}

IPSFW_EXPORT void ipsfw_free(char *p) { free(p); }

int main(void) {
  /* as cli/main.c: out of memory inside jansson is an error, not altered text */
  json_set_alloc_funcs(ipsf_json_malloc, free);
  return 0;
}
