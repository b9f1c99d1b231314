/*
 * sheet_json.c -- fact sheets in JSON and JSON Lines (jansson).
 *
 * A JSON sheet is one document per file; JSON Lines is one document per
 * non-blank line.  Both are parsed with JSON_REJECT_DUPLICATES (a duplicate
 * key is a syntax error: with two values for one fact, which one counts
 * would be an accident of the parser) and JSON_DECODE_ANY (so that a sheet
 * that is a bare number is reported as a sheet of the wrong shape, by
 * ipsf_sheet_bind, like an array is, not as a syntax error).
 *
 * JSON Lines is read line by line like getline(3) does, but never holding
 * more than IPSF_SHEET_MAX_LINE bytes of one line: a longer line is an error
 * for that line (kind "limit") and reading resumes after its newline, so
 * one runaway line cannot exhaust memory or stop a stream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sheet.h"
#include "util.h"

#define JSON_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

static bool has_bom(const char *text, size_t len) {
  return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0;
}

/* Fill err from a jansson error: the kind (a memory error is not a syntax
 * error) and the text, prefixed with line:col or, for JSON Lines, with
 * the column only (the record names the line). */
static void json_fail(const json_error_t *je, bool with_line, bool nul, IpsfError *err) {
  /* jansson 2.14 returns NULL without filling the error when it cannot
   * allocate its lexer: the callers zero `je` first, and an empty text
   * means that. */
  if (json_error_code(je) == json_error_out_of_memory || je->text[0] == '\0') {
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory while parsing JSON");
    return;
  }
  /* jansson counts columns from 1 once a character has been read; an error
   * before the first one (empty input) has column 0 or -1. */
  const char *text = je->text;
  int line0 = je->line > 0 ? je->line : 1, col0 = je->column > 0 ? je->column : 1;
  if (json_error_code(je) == json_error_stack_overflow) { /* docs/limits.md */
    if (with_line)
      ipsf_fail(err, IPSF_ERR_LIMIT, "%d:%d: nesting deeper than %d (the JSON depth limit)",
                line0, col0, JSON_PARSER_MAX_DEPTH);
    else
      ipsf_fail(err, IPSF_ERR_LIMIT, "column %d: nesting deeper than %d (the JSON depth limit)",
                col0, JSON_PARSER_MAX_DEPTH);
    return;
  }
  if (json_error_code(je) == json_error_null_character)
    text = "\\u0000 is not allowed in a fact sheet";
  if (nul) text = "a NUL byte is not valid JSON outside a string";
  int line = je->line > 0 ? je->line : 1;
  int col = je->column > 0 ? je->column : 1;
  if (with_line)
    ipsf_fail(err, IPSF_ERR_SYNTAX, "%d:%d: %s", line, col, text);
  else
    ipsf_fail(err, IPSF_ERR_SYNTAX, "column %d: %s", col, text);
}

/* jansson drops a byte when an allocation fails while it reads a string
 * (its lexer ignores the failure), so a parse can succeed with altered
 * text.  ipsf_json_malloc, which a program installs with
 * json_set_alloc_funcs(ipsf_json_malloc, free), notes a failure in a
 * per-thread flag that every parse below checks; without it, such a
 * failure goes unnoticed as it would in jansson itself.  Per-thread, so
 * parses on several threads do not disturb each other. */
static _Thread_local bool json_alloc_failed;

void *ipsf_json_malloc(size_t size) {
  void *p = malloc(size);
  if (!p) json_alloc_failed = true;
  return p;
}

/* The offset of the first NUL byte outside a string, or len if none.
 * Strings are tracked as JSON defines them; where the input is not JSON
 * before that point, jansson reports an earlier error anyway. */
static size_t nul_outside_string(const char *text, size_t len) {
  const char *nul = memchr(text, '\0', len);
  if (!nul) return len; /* the usual case: one memchr, no scan */
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') i++; /* the escaped byte cannot end the string */
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '\0') {
      return i;
    }
  }
  return len;
}

/* json_loadb, but out of memory anywhere inside it is an error, and so is
 * a NUL byte outside a string (*nul set).  jansson's reader takes a NUL it
 * reads back after a token (a number, true, false, null) for "no byte
 * buffered" and skips it, so `5<NUL>,` parses as `5,` and `123<NUL>` as
 * 123.  Such a NUL is replaced, in a copy, by 0x01, a byte jansson rejects
 * wherever it stands outside a string: its error is then either an earlier
 * one, kept as it is, or this byte, which json_fail words as a NUL. */
static json_t *load_checked(const char *text, size_t len, json_error_t *je, bool *oom,
                            bool *nul) {
  *nul = false;
  size_t at = nul_outside_string(text, len);
  char *copy = NULL;
  if (at < len) {
    if (!(copy = malloc(len))) {
      *oom = true;
      return NULL;
    }
    memcpy(copy, text, len);
    copy[at] = '\x01';
    text = copy;
  }
  json_alloc_failed = false;
  json_t *doc = json_loadb(text, len, JSON_FLAGS, je);
  *oom = json_alloc_failed;
  free(copy);
  if (doc && (*oom || copy)) { /* with a 0x01 outside a string, never expected */
    json_decref(doc);
    doc = NULL;
  }
  /* jansson's position counts the bytes read, the bad one included. */
  if (copy && !*oom) *nul = !doc && je->position == (int)at + 1;
  return doc;
}

json_t *ipsf_sheet_parse_json(const char *text, size_t len, IpsfError *err) {
  if (has_bom(text, len)) {
    text += 3;
    len -= 3;
  }
  json_error_t je;
  memset(&je, 0, sizeof je); /* see json_fail */
  bool oom, nul;
  json_t *doc = load_checked(text, len, &je, &oom, &nul);
  if (oom) ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory while parsing JSON");
  else if (!doc) json_fail(&je, true, nul, err);
  return doc;
}

/* ---- JSON Lines ---------------------------------------------------------- */

void ipsf_jsonl_open_stream(IpsfJsonlReader *r, FILE *in) {
  r->in = in;
  r->owns_in = false;
  r->line = NULL;
  r->line_cap = 0;
  r->line_no = 0;
  r->max_line = IPSF_SHEET_MAX_LINE;
}

bool ipsf_jsonl_open(IpsfJsonlReader *r, const char *path, IpsfError *err) {
  if (strcmp(path, "-") == 0) {
    ipsf_jsonl_open_stream(r, stdin);
    return true;
  }
  FILE *f = fopen(path, "rb");
  ipsf_jsonl_open_stream(r, f);
  if (!f) return ipsf_fail(err, IPSF_ERR_IO, "cannot open: %s", strerror(errno));
  r->owns_in = true;
  return true;
}

void ipsf_jsonl_close(IpsfJsonlReader *r) {
  if (r->owns_in && r->in) fclose(r->in);
  free(r->line);
  r->in = NULL;
  r->owns_in = false;
  r->line = NULL;
  r->line_cap = 0;
}

enum { LINE_EOF, LINE_OK, LINE_TOO_LONG, LINE_IO, LINE_NOMEM };

/* Read one line (without its '\n') into r->line.  A line longer than the
 * limit is consumed up to its newline but not kept. */
static int read_line(IpsfJsonlReader *r, size_t *out_len) {
  size_t len = 0;
  bool any = false, too_long = false;
  int c;
  while ((c = getc_unlocked(r->in)) != EOF) {
    any = true;
    if (c == '\n') break;
    if (too_long) continue;
    if (len == r->max_line) {
      too_long = true;
      continue;
    }
    if (len + 1 >= r->line_cap) {
      char *p = ipsf_grow(r->line, &r->line_cap, len + 2, 1, 4096, r->max_line + 1);
      if (!p) return LINE_NOMEM;
      r->line = p;
    }
    r->line[len++] = (char)c;
  }
  if (c == EOF && ferror(r->in)) return LINE_IO;
  if (!any) return LINE_EOF;
  *out_len = len;
  return too_long ? LINE_TOO_LONG : LINE_OK;
}

static bool blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
  return true;
}

int ipsf_jsonl_next(IpsfJsonlReader *r, json_t **doc, IpsfError *err) {
  *doc = NULL;
  for (;;) {
    size_t len = 0;
    switch (read_line(r, &len)) {
    case LINE_EOF: return 0;
    case LINE_IO:
      ipsf_fail(err, IPSF_ERR_IO, "cannot read line %llu: %s",
                (unsigned long long)r->line_no + 1, strerror(errno));
      return -1;
    case LINE_NOMEM:
      ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory reading line %llu",
                (unsigned long long)r->line_no + 1);
      return -1;
    case LINE_TOO_LONG: {
      char limit[48];
      r->line_no++;
      ipsf_fail(err, IPSF_ERR_LIMIT, "line longer than %s",
                ipsf_size_text(r->max_line, limit, sizeof limit));
      return 1;
    }
    default: break;
    }
    r->line_no++;
    const char *text = r->line ? r->line : "";
    if (r->line_no == 1 && has_bom(text, len)) {
      text += 3;
      len -= 3;
    }
    if (blank(text, len)) continue;
    *doc = ipsf_sheet_parse_jsonl_line(text, len, err);
    return 1;
  }
}

json_t *ipsf_sheet_parse_jsonl_line(const char *text, size_t len, IpsfError *err) {
  json_error_t je;
  memset(&je, 0, sizeof je); /* see json_fail */
  bool oom, nul;
  json_t *doc = load_checked(text, len, &je, &oom, &nul);
  if (oom) ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory while parsing JSON");
  else if (!doc) json_fail(&je, false, nul, err);
  return doc;
}
