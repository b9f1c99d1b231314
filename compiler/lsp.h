/*
 * lsp.h -- `ipsfc lsp`: a Language Server Protocol 3.17 server on the
 * compiler (docs/editors.md).  Private to compiler/ and cli/lsp.c.
 *
 *   lsp_rpc.c       framing (Content-Length headers), JSON-RPC messages,
 *                   the input queue, $/cancelRequest, the serve loop
 *   lsp_docs.c      open documents, URIs, positions (UTF-16), compiling a
 *                   document from the editor's text, diagnostics, stdlib
 *   lsp_features.c  hover, definition, references, symbols
 *   lsp_edit.c      completion, formatting, rename, code lens / run tests
 *   lsp_server.c    lifecycle and dispatch of methods
 *
 * A server is a value (LspServer): no global state, documents never share
 * a compilation (each is compiled as the root of its own, imports read
 * from the other open documents first, then from disk).  The server is fed
 * bytes (lsp_feed) and writes whole messages through a callback, so the
 * fuzz target drives exactly the code `ipsfc lsp` runs.
 *
 * Limits: a message body is at most LSP_MAX_MESSAGE bytes (larger ones are
 * skipped with a ParseError); a document larger than LSP_MAX_DOCUMENT is
 * kept but not compiled (one diagnostic says so), the compiler's own limit;
 * at most LSP_MAX_DIAGNOSTICS diagnostics are published per document.
 */
#ifndef IPSF_LSP_H
#define IPSF_LSP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "compile.h"
#include "ipsf.h"
#include "index.h"

#define LSP_MAX_MESSAGE (64u * 1024u * 1024u)
#define LSP_MAX_DOCUMENT (16u * 1024u * 1024u)
#define LSP_MAX_HEADER 8192u
/* Diagnostics published per document; one more says how many were left out. */
#define LSP_MAX_DIAGNOSTICS 1000u
#define LSP_DEFAULT_DELAY_MS 300
/* The analysis's work bound while editing (AnalyzeLimits.total_work); a
 * search past it is reported as IPSF-W100, `check` bounds at 400 million. */
#define LSP_DEFAULT_ANALYSIS_WORK 8000000u

/* JSON-RPC and LSP error codes. */
enum {
  RPC_PARSE_ERROR = -32700,
  RPC_INVALID_REQUEST = -32600,
  RPC_METHOD_NOT_FOUND = -32601,
  RPC_INVALID_PARAMS = -32602,
  RPC_INTERNAL_ERROR = -32603,
  LSP_SERVER_NOT_INITIALIZED = -32002,
  LSP_REQUEST_FAILED = -32803,
  LSP_REQUEST_CANCELLED = -32800
};

/* Checkpoints of one long line of a compiled source (lsp_docs.c,
 * source_position): owned by the document, reset with its compilation. */
typedef struct {
  const void *src;
  uint32_t line;
  size_t *off, *units, n;
} LspLineIndex;

typedef struct {
  char *uri;
  char *path;        /* the file the URI names (what imports resolve from) */
  char *text;        /* the editor's text, NUL-terminated (may hold NULs) */
  size_t len;
  int64_t version;
  Compilation *c;    /* the last compilation of this text, or NULL */
  SymIndex *ix;      /* its index */
  uint32_t root;     /* the root's source index in c */
  bool analysed;     /* c ran the analysis (not only the type check) */
  bool analysis_due; /* a debounced analysis is waiting */
  int64_t due_ms;    /* when */
  json_t *test_diags;/* failing `expect` lines of the last test run, or NULL */
  LspLineIndex line_index; /* of a long line of c's sources */
} LspDoc;

typedef void (*LspWrite)(void *ctx, const char *data, size_t len);

typedef struct {
  const char **import_dirs;
  size_t import_dir_count;
  const char *cache_dir; /* where stdlib modules are materialised (NULL: not) */
} LspOptions;

typedef struct {
  LspOptions opt;
  LspWrite write;
  void *write_ctx;

  char *in;            /* bytes not yet framed */
  size_t in_len, in_cap;
  size_t skip;         /* body bytes of an oversized message still to drop */

  json_t *queue;       /* parsed messages not yet handled (an array) */

  LspDoc **docs;
  size_t doc_count, doc_cap;

  int state;           /* 0 new, 1 initialized, 2 shut down, 3 exited */
  int exit_code;
  int delay_ms;        /* analysis debounce */
  AnalyzeLimits limits;/* the analysis's bounds */
  bool annotations;    /* client supports change annotations (rename) */
  bool stdlib_written; /* the cache directory holds the stdlib */
  int64_t now_ms;      /* the clock (lsp_set_time) */
} LspServer;

/* lsp_rpc.c */
LspServer *lsp_new(const LspOptions *opt, LspWrite write, void *ctx);
void lsp_free(LspServer *s);
/* Take bytes from the client: frame and handle every complete message. */
void lsp_feed(LspServer *s, const char *data, size_t len);
/* Milliseconds until a debounced analysis is due, -1 if none. */
int lsp_idle_timeout(LspServer *s);
/* Run the analyses that are due (all: every pending one). */
void lsp_run_due(LspServer *s, bool all);
void lsp_set_time(LspServer *s, int64_t now_ms);
/* True once `exit` was received; *code is the process's exit status. */
bool lsp_exited(const LspServer *s, int *code);
/* Serve on file descriptors until exit or end of input; the exit status.
 * A write to out_fd that fails stops the server: *write_errno gets its
 * errno (0 when every write went through), for the caller to report. */
int lsp_serve(int in_fd, int out_fd, const LspOptions *opt, int *write_errno);

/* Sending (lsp_rpc.c); each takes ownership of the json_t it is given. */
void lsp_send(LspServer *s, json_t *msg);
void lsp_reply(LspServer *s, json_t *id, json_t *result);
void lsp_reply_error(LspServer *s, json_t *id, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void lsp_notify(LspServer *s, const char *method, json_t *params);

/* lsp_server.c: one message. */
void lsp_handle(LspServer *s, json_t *msg);

/* lsp_docs.c */
/* A JSON string of any bytes: invalid UTF-8 becomes U+FFFD. */
json_t *lsp_str(const char *s, size_t n);
json_t *lsp_cstr(const char *s);
LspDoc *lsp_doc_find(LspServer *s, const char *uri);
LspDoc *lsp_doc_open(LspServer *s, const char *uri, const char *text, size_t len, int64_t v);
void lsp_doc_close(LspServer *s, const char *uri);
void lsp_doc_free(LspDoc *d);
void lsp_line_index_free(LspLineIndex *x);
/* Replace [start, end) of the text by `text` (offsets in bytes). */
void lsp_doc_edit(LspDoc *d, size_t start, size_t end, const char *text, size_t len);
/* Compile (types only, or with the analysis) and publish diagnostics. */
void lsp_doc_check(LspServer *s, LspDoc *d, bool analyse);
/* Check again (types only, analysis debounced) the open documents whose
 * compilation imported `changed`: an edit of a module shows in its
 * importers at once. */
void lsp_doc_check_importers(LspServer *s, LspDoc *changed);
void lsp_publish(LspServer *s, LspDoc *d);
/* A compilation that reads open documents before files (read_hook). */
Compilation *lsp_new_compilation(LspServer *s, bool types_only);
/* Positions: LSP {line, character (UTF-16 units)} <-> byte offsets. */
size_t lsp_offset(const char *text, size_t len, int64_t line, int64_t character);
json_t *lsp_position(const char *text, size_t len, size_t offset);
json_t *lsp_range(const char *text, size_t len, size_t start, size_t end);
/* A Location of a span of d's compilation (any module). */
json_t *lsp_location(LspServer *s, LspDoc *d, Span span);
json_t *lsp_span_range(LspDoc *d, Span span);
/* The URI of a module of d's compilation (its file, or the stdlib copy). */
char *lsp_module_uri(LspServer *s, LspDoc *d, uint32_t module);
char *lsp_path_to_uri(const char *path);
char *lsp_uri_to_path(const char *uri);
/* The byte offset of params.position in the document, false if absent. */
bool lsp_params_offset(LspDoc *d, json_t *params, size_t *offset);
/* The source text of a span (arena of d's compilation). */
const char *lsp_span_text(LspDoc *d, Span span, size_t max);

/* lsp_features.c */
void lsp_hover(LspServer *s, LspDoc *d, json_t *id, json_t *params);
void lsp_definition(LspServer *s, LspDoc *d, json_t *id, json_t *params);
void lsp_references(LspServer *s, LspDoc *d, json_t *id, json_t *params);
void lsp_document_symbols(LspServer *s, LspDoc *d, json_t *id);
void lsp_workspace_symbols(LspServer *s, json_t *id, json_t *params);
void lsp_stdlib_source(LspServer *s, json_t *id, json_t *params);

/* lsp_edit.c */
void lsp_completion(LspServer *s, LspDoc *d, json_t *id, json_t *params);
void lsp_formatting(LspServer *s, LspDoc *d, json_t *id);
void lsp_rename(LspServer *s, LspDoc *d, json_t *id, json_t *params);
void lsp_code_lens(LspServer *s, LspDoc *d, json_t *id);
void lsp_run_tests(LspServer *s, LspDoc *d, json_t *id);

#endif
