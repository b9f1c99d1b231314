/*
 * lsp_rpc.c -- the language server's framing and JSON-RPC (lsp.h).
 *
 * Input is a byte stream of messages, each a header block ("Content-Length:
 * N\r\n", other fields ignored, "\r\n" ends it) and N bytes of JSON.
 * Invariants:
 *   - every byte is consumed exactly once: a complete message is framed and
 *     queued, a bad header block is dropped up to its blank line (or, with
 *     no blank line within LSP_MAX_HEADER bytes, up to the next
 *     "Content-Length" or the end), a body above LSP_MAX_MESSAGE is skipped
 *     as it arrives (never buffered);
 *   - each framing or JSON error is answered by one ParseError with id null,
 *     and the server goes on with the next message;
 *   - messages are handled in arrival order, one at a time; before a batch
 *     of queued messages is handled, every $/cancelRequest in it is applied:
 *     a cancelled request still waiting is answered RequestCancelled and
 *     never run (analysis included).  A request already answered ignores
 *     the cancel, as the protocol allows.
 * Output is written whole message by message through the callback.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "lsp.h"

LspServer *lsp_new(const LspOptions *opt, LspWrite write, void *ctx) {
  LspServer *s = xcalloc(1, sizeof *s);
  if (opt) s->opt = *opt;
  s->write = write;
  s->write_ctx = ctx;
  s->queue = json_array();
  s->delay_ms = LSP_DEFAULT_DELAY_MS;
  s->limits.total_work = LSP_DEFAULT_ANALYSIS_WORK;
  s->exit_code = 1;
  return s;
}

void lsp_free(LspServer *s) {
  if (!s) return;
  for (size_t i = 0; i < s->doc_count; i++) lsp_doc_free(s->docs[i]);
  free(s->docs);
  free(s->in);
  json_decref(s->queue);
  free(s);
}

void lsp_set_time(LspServer *s, int64_t now_ms) { s->now_ms = now_ms; }

bool lsp_exited(const LspServer *s, int *code) {
  if (code) *code = s->exit_code;
  return s->state == 3;
}

/* ---- output ----------------------------------------------------------------- */

void lsp_send(LspServer *s, json_t *msg) {
  if (!msg) return;
  json_object_set_new(msg, "jsonrpc", json_string("2.0"));
  char *body = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(msg);
  if (!body) return;
  char head[64];
  size_t n = strlen(body);
  int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", n);
  s->write(s->write_ctx, head, (size_t)h);
  s->write(s->write_ctx, body, n);
  free(body);
}

void lsp_reply(LspServer *s, json_t *id, json_t *result) {
  json_t *m = json_object();
  json_object_set(m, "id", id ? id : json_null());
  json_object_set_new(m, "result", result ? result : json_null());
  lsp_send(s, m);
}

void lsp_reply_error(LspServer *s, json_t *id, int code, const char *fmt, ...) {
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  json_t *m = json_object();
  json_object_set(m, "id", id ? id : json_null());
  json_object_set_new(m, "error", json_pack("{s:i,s:o}", "code", code, "message", lsp_cstr(text)));
  lsp_send(s, m);
}

void lsp_notify(LspServer *s, const char *method, json_t *params) {
  json_t *m = json_object();
  json_object_set_new(m, "method", json_string(method));
  json_object_set_new(m, "params", params ? params : json_null());
  lsp_send(s, m);
}

/* ---- framing ------------------------------------------------------------------ */

static void consume(LspServer *s, size_t n) {
  memmove(s->in, s->in + n, s->in_len - n);
  s->in_len -= n;
}

static const char *find_bytes(const char *h, size_t hn, const char *needle) {
  size_t nn = strlen(needle);
  for (size_t i = 0; i + nn <= hn; i++)
    if (strncasecmp(h + i, needle, nn) == 0) return h + i;
  return NULL;
}

/* Parse the header block [0, end): the Content-Length, or -1. */
static int64_t content_length(const char *h, size_t end) {
  size_t i = 0;
  int64_t len = -1;
  while (i < end) {
    const char *eol = find_bytes(h + i, end - i, "\r\n");
    size_t line_end = eol ? (size_t)(eol - h) : end;
    const char *line = h + i;
    size_t n = line_end - i;
    if (n > 15 && strncasecmp(line, "Content-Length:", 15) == 0) {
      size_t k = 15;
      while (k < n && (line[k] == ' ' || line[k] == '\t')) k++;
      if (k == n) return -1;
      int64_t v = 0;
      for (; k < n; k++) {
        if (line[k] == ' ' || line[k] == '\t') break;
        if (line[k] < '0' || line[k] > '9' || v > ((int64_t)1 << 50)) return -1;
        v = v * 10 + (line[k] - '0');
      }
      for (; k < n; k++)
        if (line[k] != ' ' && line[k] != '\t') return -1;
      len = v;
    } else if (n > 0 && !memchr(line, ':', n)) {
      return -1; /* not a header field */
    }
    i = line_end + 2;
  }
  return len;
}

/* An error about the input is queued like a message (as [code, text]: a
 * message is always an object), so that it is answered in its place. */
static void queue_error(LspServer *s, int code, const char *what) {
  json_array_append_new(s->queue, json_pack("[i,o]", code, lsp_cstr(what)));
}

static void parse_error(LspServer *s, const char *what) { queue_error(s, RPC_PARSE_ERROR, what); }

static void queue_body(LspServer *s, const char *body, size_t len) {
  json_error_t err;
  json_t *msg = json_loadb(body, len, JSON_ALLOW_NUL, &err);
  if (!msg) {
    parse_error(s, "malformed JSON");
    return;
  }
  if (!json_is_object(msg)) {
    json_decref(msg);
    queue_error(s, RPC_INVALID_REQUEST, "a message must be a JSON object");
    return;
  }
  json_array_append_new(s->queue, msg);
}

/* Frame every complete message in the buffer; false when more bytes are needed. */
static bool frame_one(LspServer *s) {
  if (s->skip) {
    size_t n = s->skip < s->in_len ? s->skip : s->in_len;
    consume(s, n);
    s->skip -= n;
    return s->skip == 0 && s->in_len > 0;
  }
  if (s->in_len == 0) return false;
  const char *end = find_bytes(s->in, s->in_len, "\r\n\r\n");
  if (!end || (size_t)(end - s->in) > LSP_MAX_HEADER) {
    /* however the bytes were split into reads, the same error */
    if (!end && s->in_len <= LSP_MAX_HEADER) return false;
    const char *next = find_bytes(s->in + 1, s->in_len - 1, "Content-Length");
    consume(s, next ? (size_t)(next - s->in) : s->in_len);
    parse_error(s, "header block too long or not terminated by a blank line");
    return s->in_len > 0;
  }
  size_t head = (size_t)(end - s->in);
  int64_t len = content_length(s->in, head);
  if (len < 0) {
    /* garbage before a header: resynchronise at the next Content-Length */
    const char *next = find_bytes(s->in + 1, head, "Content-Length");
    consume(s, next ? (size_t)(next - s->in) : head + 4);
    parse_error(s, "missing or invalid Content-Length header");
    return s->in_len > 0;
  }
  if ((uint64_t)len > LSP_MAX_MESSAGE) {
    consume(s, head + 4);
    s->skip = (size_t)len;
    char what[128];
    snprintf(what, sizeof what, "message of %lld bytes is larger than the limit of %u bytes",
             (long long)len, LSP_MAX_MESSAGE);
    parse_error(s, what);
    return s->in_len > 0;
  }
  if (s->in_len - head - 4 < (size_t)len) return false;
  queue_body(s, s->in + head + 4, (size_t)len);
  consume(s, head + 4 + (size_t)len);
  return s->in_len > 0;
}

/* ---- dispatch ----------------------------------------------------------------- */

static bool same_id(json_t *a, json_t *b) { return a && b && json_equal(a, b); }

/* Apply the cancels of the queue: a cancelled request is answered now. */
static void apply_cancels(LspServer *s) {
  size_t n = json_array_size(s->queue);
  for (size_t i = 0; i < n; i++) {
    json_t *m = json_array_get(s->queue, i);
    const char *method = json_string_value(json_object_get(m, "method"));
    if (!method || strcmp(method, "$/cancelRequest") != 0) continue;
    json_t *id = json_object_get(json_object_get(m, "params"), "id");
    for (size_t j = 0; j < i; j++) {
      json_t *r = json_array_get(s->queue, j);
      if (!json_object_get(r, "method") || !same_id(json_object_get(r, "id"), id)) continue;
      if (json_object_get(r, "cancelled")) continue;
      json_object_set_new(r, "cancelled", json_true());
    }
  }
}

static void handle_queue(LspServer *s) {
  apply_cancels(s);
  while (json_array_size(s->queue) > 0 && s->state != 3) {
    json_t *m = json_incref(json_array_get(s->queue, 0));
    json_array_remove(s->queue, 0);
    if (json_is_array(m))
      lsp_reply_error(s, NULL, (int)json_integer_value(json_array_get(m, 0)), "%s",
                      json_string_value(json_array_get(m, 1)));
    else if (json_object_get(m, "cancelled"))
      lsp_reply_error(s, json_object_get(m, "id"), LSP_REQUEST_CANCELLED, "request cancelled");
    else
      lsp_handle(s, m);
    json_decref(m);
  }
  json_array_clear(s->queue);
}

void lsp_feed(LspServer *s, const char *data, size_t len) {
  if (s->state == 3) return;
  if (len) {
    if (s->in_len + len + 1 > s->in_cap) {
      size_t cap = s->in_cap ? s->in_cap : 4096;
      while (cap < s->in_len + len + 1) cap *= 2;
      s->in = xrealloc_array(s->in, cap, 1);
      s->in_cap = cap;
    }
    memcpy(s->in + s->in_len, data, len);
    s->in_len += len;
  }
  while (frame_one(s)) {
  }
  handle_queue(s);
}

int lsp_idle_timeout(LspServer *s) {
  int64_t best = -1;
  for (size_t i = 0; i < s->doc_count; i++) {
    LspDoc *d = s->docs[i];
    if (!d->analysis_due) continue;
    int64_t wait = d->due_ms - s->now_ms;
    if (wait < 0) wait = 0;
    if (best < 0 || wait < best) best = wait;
  }
  return best > 60000 ? 60000 : (int)best;
}

void lsp_run_due(LspServer *s, bool all) {
  for (size_t i = 0; i < s->doc_count; i++) {
    LspDoc *d = s->docs[i];
    if (d->analysis_due && (all || d->due_ms <= s->now_ms)) lsp_doc_check(s, d, true);
  }
}

/* ---- the loop ----------------------------------------------------------------- */

static int64_t monotonic_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

typedef struct {
  int fd;
  bool failed;
  int err; /* errno of the failed write */
} FdOut;

static void fd_write(void *ctx, const char *data, size_t len) {
  FdOut *o = ctx;
  while (len > 0 && !o->failed) {
    ssize_t n = write(o->fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      o->failed = true;
      o->err = n < 0 ? errno : EIO;
      break;
    }
    data += n;
    len -= (size_t)n;
  }
}

int lsp_serve(int in_fd, int out_fd, const LspOptions *opt, int *write_errno) {
  FdOut out = {out_fd, false, 0};
  LspServer *s = lsp_new(opt, fd_write, &out);
  char buf[65536];
  int code = 1;
  for (;;) {
    lsp_set_time(s, monotonic_ms());
    int timeout = lsp_idle_timeout(s);
    struct pollfd p = {in_fd, POLLIN, 0};
    int r = poll(&p, 1, timeout);
    if (r < 0 && errno == EINTR) continue;
    lsp_set_time(s, monotonic_ms());
    if (r == 0) {
      lsp_run_due(s, false);
      continue;
    }
    ssize_t n = read(in_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* end of input: the client is gone */
    lsp_feed(s, buf, (size_t)n);
    if (lsp_exited(s, &code) || out.failed) break;
  }
  lsp_exited(s, &code);
  *write_errno = out.failed ? out.err : 0;
  lsp_free(s);
  return code;
}
