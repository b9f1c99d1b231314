/*
 * diag.c -- the source set (texts and line tables) and the diagnostics
 * collector with its gcc-style printer.
 *
 * Spans are byte offsets; line and column are derived here, only when a
 * diagnostic is printed (or a caller asks).  The printer always draws a
 * caret at least one character wide, even for a zero-width span at the end
 * of a file: jq crashed on exactly that (jq issue #3348).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "escape.h"

/* ---- sources ------------------------------------------------------------------- */

void sources_init(SourceSet *s) {
  s->items = NULL;
  s->count = s->cap = 0;
}

void sources_free(SourceSet *s) {
  for (uint32_t i = 0; i < s->count; i++) {
    Source *src = s->items[i];
    free(src->path);
    free(src->text);
    free(src->line_starts);
    free(src);
  }
  free(s->items);
  sources_init(s);
}

/* Line i (0-based) starts at line_starts[i]; line 0 starts at offset 0 and
 * every '\n' starts a new line, so a file ending in '\n' has a last, empty
 * line: that is where a zero-width span at end of file lands. */
static void compute_line_starts(Source *src) {
  uint32_t n = 1;
  for (uint32_t i = 0; i < src->len; i++)
    if (src->text[i] == '\n') n++;
  src->line_starts = xcalloc(n, sizeof *src->line_starts);
  src->line_count = n;
  uint32_t k = 1;
  for (uint32_t i = 0; i < src->len; i++)
    if (src->text[i] == '\n') src->line_starts[k++] = i + 1;
}

uint32_t sources_add(SourceSet *s, const char *path, char *text, uint32_t len) {
  if (s->count == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 4;
    s->items = xrealloc_array(s->items, s->cap, sizeof *s->items);
  }
  Source *src = xcalloc(1, sizeof *src);
  src->path = xstrdup(path ? path : "<input>");
  src->text = text;
  src->len = len;
  compute_line_starts(src);
  s->items[s->count] = src;
  return s->count++;
}

/* Index of the line holding `offset` (binary search in line_starts). */
static uint32_t line_index(const Source *src, uint32_t offset) {
  uint32_t lo = 0, hi = src->line_count; /* answer in [lo, hi) */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (src->line_starts[mid] <= offset)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

void sources_line_col(const SourceSet *s, uint32_t file, uint32_t offset,
                      uint32_t *line, uint32_t *col) {
  if (!s || file >= s->count) {
    *line = *col = 0;
    return;
  }
  const Source *src = s->items[file];
  if (offset > src->len) offset = src->len;
  uint32_t li = line_index(src, offset);
  *line = li + 1;
  *col = offset - src->line_starts[li] + 1;
}

/* ---- the collector ------------------------------------------------------------- */

void diags_init(Diags *d, const SourceSet *sources) {
  d->sources = sources;
  d->items = NULL;
  d->count = d->cap = 0;
  d->errors = d->warnings = 0;
}

void diags_free(Diags *d) {
  for (size_t i = 0; i < d->count; i++) {
    free(d->items[i].message);
    free(d->items[i].sheet_json);
  }
  free(d->items);
  d->items = NULL;
  d->count = d->cap = 0;
  d->errors = d->warnings = 0;
}

void diag_add(Diags *d, DiagLevel level, Span span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  char *msg = xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(msg, (size_t)n + 1, fmt, ap);
  va_end(ap);

  if (d->count == d->cap) {
    d->cap = d->cap ? d->cap * 2 : 16;
    d->items = xrealloc_array(d->items, d->cap, sizeof *d->items);
  }
  if (span.end < span.start) span.end = span.start;
  d->items[d->count++] = (Diag){level, span, msg, NULL, NULL};
  if (level == DIAG_ERROR) d->errors++;
  if (level == DIAG_WARNING) d->warnings++;
}

void diag_set_finding(Diags *d, const char *code, char *sheet_json) {
  if (d->count == 0) {
    free(sheet_json);
    return;
  }
  Diag *g = &d->items[d->count - 1];
  g->code = code;
  free(g->sheet_json);
  g->sheet_json = sheet_json;
}

/* Sort keys: (file, start); SPAN_NO_FILE is the largest file index, so
 * diagnostics without a location come last.  A note belongs to the
 * diagnostic reported just before it and travels with it, as gcc prints
 * "note: previous definition is here" after the error, not before. */
typedef struct {
  uint32_t file, start;
  size_t index;
} SortKey;

static int key_before(const SortKey *a, const SortKey *b) {
  if (a->file != b->file) return a->file < b->file;
  return a->start < b->start;
}

/* Stable merge sort of the keys: diagnostics with equal keys (and an error
 * and its notes) keep the order they were reported in. */
static void merge_sort(SortKey *k, SortKey *tmp, size_t n) {
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) tmp[o++] = key_before(&k[j], &k[i]) ? k[j++] : k[i++];
      while (i < mid) tmp[o++] = k[i++];
      while (j < hi) tmp[o++] = k[j++];
    }
    memcpy(k, tmp, n * sizeof *k);
  }
}

void diags_sort(Diags *d) {
  if (d->count < 2) return;
  SortKey *keys = xcalloc(d->count, sizeof *keys);
  SortKey *tmp = xcalloc(d->count, sizeof *tmp);
  SortKey parent = {SPAN_NO_FILE, 0, 0};
  for (size_t i = 0; i < d->count; i++) {
    const Diag *g = &d->items[i];
    if (g->level != DIAG_NOTE || i == 0) parent = (SortKey){g->span.file, g->span.start, 0};
    keys[i] = parent;
    keys[i].index = i;
  }
  merge_sort(keys, tmp, d->count);
  Diag *sorted = xcalloc(d->count, sizeof *sorted);
  for (size_t i = 0; i < d->count; i++) sorted[i] = d->items[keys[i].index];
  memcpy(d->items, sorted, d->count * sizeof *sorted);
  free(sorted);
  free(tmp);
  free(keys);
}

/* ---- the printer --------------------------------------------------------------- */

#define ANSI_BOLD "\033[1m"
#define ANSI_RED "\033[1;31m"
#define ANSI_MAGENTA "\033[1;35m"
#define ANSI_CYAN "\033[1;36m"
#define ANSI_GREEN "\033[1;32m"
#define ANSI_RESET "\033[0m"

static const char *level_name(DiagLevel level) {
  switch (level) {
  case DIAG_WARNING: return "warning";
  case DIAG_NOTE: return "note";
  default: return "error";
  }
}

static const char *level_color(DiagLevel level) {
  switch (level) {
  case DIAG_WARNING: return ANSI_MAGENTA;
  case DIAG_NOTE: return ANSI_CYAN;
  default: return ANSI_RED;
  }
}

/* The source line holding `start`, then the caret line under the span.
 * The line is shown escaped (runtime/escape.h: a source file is untrusted
 * text; tabs are kept), and the caret line is computed over the same
 * units: each unit before the span becomes a tab (a tab) or as many
 * spaces as the unit takes on screen (1 for a character, 4 for "\x1b"),
 * so the caret lines up whatever the tab width and whatever was escaped;
 * then '^' and '~' under every column of the span up to its end or the
 * end of the line, whichever is first, never less than one character.
 * The column in "file:line:col" stays a byte count. */
static void print_snippet(const Source *src, Span span, FILE *out, bool color) {
  uint32_t start = span.start <= src->len ? span.start : src->len;
  uint32_t end = span.end <= src->len ? span.end : src->len;
  if (end < start) end = start;
  uint32_t ls = src->line_starts[line_index(src, start)];
  uint32_t le = ls;
  while (le < src->len && src->text[le] != '\n') le++;
  uint32_t shown = le;
  if (shown > ls && src->text[shown - 1] == '\r') shown--; /* CRLF files */
  ipsf_escape_file(out, src->text + ls, shown - ls, IPSF_ESC_KEEP_TAB);
  fputc('\n', out);

  char esc[IPSF_ESCAPE_MAX];
  uint32_t i = ls;
  while (i < start && i < shown) {
    size_t n = ipsf_escape_unit(src->text + i, shown - i, IPSF_ESC_KEEP_TAB, esc);
    if (i + n > start) break; /* the span starts inside this unit: mark all of it */
    if (!esc[0] && src->text[i] == '\t') fputc('\t', out);
    else for (size_t k = esc[0] ? strlen(esc) : 1; k; k--) fputc(' ', out);
    i += (uint32_t)n;
  }
  for (; i < start; i++) fputc(' ', out); /* a span past the shown line (a '\r') */
  if (color) fputs(ANSI_GREEN, out);
  uint32_t stop = end < shown ? end : shown;
  size_t cols = 0;
  for (; i < stop;) {
    size_t n = ipsf_escape_unit(src->text + i, shown - i, IPSF_ESC_KEEP_TAB, esc);
    cols += esc[0] ? strlen(esc) : 1;
    i += (uint32_t)n;
  }
  fputc('^', out);
  for (size_t k = 1; k < cols; k++) fputc('~', out);
  if (color) fputs(ANSI_RESET, out);
  fputc('\n', out);
}

static void print_one(const Diags *d, const Diag *g, FILE *out, bool color) {
  const SourceSet *s = d->sources;
  const Source *src = NULL;
  if (s && g->span.file != SPAN_NO_FILE && g->span.file < s->count)
    src = s->items[g->span.file];
  if (color) fputs(ANSI_BOLD, out);
  if (src) {
    uint32_t line, col;
    sources_line_col(s, g->span.file, g->span.start, &line, &col);
    ipsf_escape_fputs(out, src->path);
    fprintf(out, ":%u:%u: ", (unsigned)line, (unsigned)col);
  } else {
    fputs("ipsfc: ", out);
  }
  if (color) fprintf(out, "%s%s:%s ", level_color(g->level), level_name(g->level), ANSI_RESET);
  else fprintf(out, "%s: ", level_name(g->level));
  /* Messages quote names and strings of the source: escaped too. */
  ipsf_escape_fputs(out, g->message);
  if (g->code) fprintf(out, " [%s]", g->code);
  fputc('\n', out);
  if (src) print_snippet(src, g->span, out, color);
}

void diags_print(const Diags *d, FILE *out, bool color) {
  for (size_t i = 0; i < d->count; i++) print_one(d, &d->items[i], out, color);
}
