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
 * every line end starts a new line, so a file ending in '\n' has a last,
 * empty line: that is where a zero-width span at end of file lands.  A
 * line end is "\n", "\r\n" or a lone "\r" (as the scanner reads them). */
static bool line_end_at(const Source *src, uint32_t i) {
  return src->text[i] == '\n' || (src->text[i] == '\r' && (i + 1 >= src->len || src->text[i + 1] != '\n'));
}

static void compute_line_starts(Source *src) {
  uint32_t n = 1;
  for (uint32_t i = 0; i < src->len; i++)
    if (line_end_at(src, i)) n++;
  src->line_starts = xcalloc(n, sizeof *src->line_starts);
  src->line_count = n;
  uint32_t k = 1;
  for (uint32_t i = 0; i < src->len; i++)
    if (line_end_at(src, i)) src->line_starts[k++] = i + 1;
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
  d->poisoned = NULL;
  d->poisoned_count = d->poisoned_cap = 0;
  d->file_errors = NULL;
  d->file_errors_cap = 0;
  d->dropped_last = false;
}

void diags_free(Diags *d) {
  for (size_t i = 0; i < d->count; i++) {
    free(d->items[i].message);
    free(d->items[i].sheet_json);
  }
  free(d->items);
  for (size_t i = 0; i < d->poisoned_count; i++) free(d->poisoned[i]);
  free(d->poisoned);
  free(d->file_errors);
  diags_init(d, d->sources);
}

void diag_poison(Diags *d, const char *name, size_t len) {
  if (!name) return;
  if (d->poisoned_count == d->poisoned_cap) {
    d->poisoned_cap = d->poisoned_cap ? d->poisoned_cap * 2 : 8;
    d->poisoned = xrealloc_array(d->poisoned, d->poisoned_cap, sizeof *d->poisoned);
  }
  char *copy = xmalloc(len + 1);
  memcpy(copy, name, len);
  copy[len] = '\0';
  d->poisoned[d->poisoned_count++] = copy;
}

/* Forgets the most recent poisoning of `name` (a declaration poisons its
 * name when it starts and unpoisons it when it completes). */
void diag_unpoison(Diags *d, const char *name) {
  if (!name) return;
  for (size_t i = d->poisoned_count; i-- > 0;)
    if (strcmp(d->poisoned[i], name) == 0) {
      free(d->poisoned[i]);
      d->poisoned[i] = d->poisoned[--d->poisoned_count];
      return;
    }
}

bool diag_is_poisoned(const Diags *d, const char *name) {
  if (!name) return false;
  for (size_t i = 0; i < d->poisoned_count; i++)
    if (strcmp(d->poisoned[i], name) == 0) return true;
  return false;
}

#define DIAG_STR_(x) #x
#define DIAG_STR(x) DIAG_STR_(x)

/* Counts an error of `file`; false when the file already has its share:
 * the error at exactly the limit becomes "too many errors". */
static bool file_error_budget(Diags *d, Span *span, const char **fmt_override) {
  if (span->file == SPAN_NO_FILE) return true;
  if (span->file >= d->file_errors_cap) {
    size_t cap = d->file_errors_cap ? d->file_errors_cap : 4;
    while (cap <= span->file) cap *= 2;
    d->file_errors = xrealloc_array(d->file_errors, cap, sizeof *d->file_errors);
    memset(d->file_errors + d->file_errors_cap, 0,
           (cap - d->file_errors_cap) * sizeof *d->file_errors);
    d->file_errors_cap = cap;
  }
  uint32_t n = ++d->file_errors[span->file];
  if (n < DIAG_MAX_FILE_ERRORS + 1) return true;
  if (n == DIAG_MAX_FILE_ERRORS + 1) {
    *fmt_override = "too many errors in this file: stopping after " DIAG_STR(DIAG_MAX_FILE_ERRORS) " (fix these first)";
    return true;
  }
  return false;
}

void diag_add(Diags *d, DiagLevel level, Span span, const char *fmt, ...) {
  const char *capped = NULL;
  if (level == DIAG_NOTE && d->dropped_last) return;
  d->dropped_last = false;
  if (level == DIAG_ERROR && !file_error_budget(d, &span, &capped)) {
    d->errors++;
    d->dropped_last = true;
    return;
  }
  if (capped) {
    if (d->count == d->cap) {
      d->cap = d->cap ? d->cap * 2 : 16;
      d->items = xrealloc_array(d->items, d->cap, sizeof *d->items);
    }
    span.end = span.start;
    d->items[d->count++] = (Diag){level, span, xstrdup(capped), NULL, NULL};
    d->errors++;
    return;
  }
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

/* Columns a terminal gives one unit of the shown line: its escape's
 * length, or for a character 2 when it is East Asian wide or fullwidth
 * (the ranges of Unicode's EastAsianWidth W and F that CJK text, fullwidth
 * forms and emoji use), else 1.  The caret then lines up under CJK text in
 * a UTF-8 terminal; the column number in "file:line:col" counts bytes. */
static size_t unit_cols(const char *p, size_t n, const char *esc) {
  if (esc[0]) return strlen(esc);
  const unsigned char *u = (const unsigned char *)p;
  uint32_t cp;
  if (n == 3) cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
  else if (n == 4)
    cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
         (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
  else return 1;
  static const uint32_t wide[][2] = {
      {0x1100, 0x115F}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF},
      {0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
      {0xFE30, 0xFE4F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F},
      {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
  for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
    if (cp >= wide[i][0] && cp <= wide[i][1]) return 2;
  return 1;
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
  while (le < src->len && src->text[le] != '\n' && src->text[le] != '\r') le++;
  uint32_t shown = le;
  ipsf_escape_file(out, src->text + ls, shown - ls, IPSF_ESC_KEEP_TAB);
  fputc('\n', out);

  char esc[IPSF_ESCAPE_MAX];
  uint32_t i = ls;
  while (i < start && i < shown) {
    size_t n = ipsf_escape_unit(src->text + i, shown - i, IPSF_ESC_KEEP_TAB, esc);
    if (i + n > start) break; /* the span starts inside this unit: mark all of it */
    if (!esc[0] && src->text[i] == '\t') fputc('\t', out);
    else for (size_t k = unit_cols(src->text + i, n, esc); k; k--) fputc(' ', out);
    i += (uint32_t)n;
  }
  for (; i < start; i++) fputc(' ', out); /* a span past the shown line (a '\r') */
  if (color) fputs(ANSI_GREEN, out);
  uint32_t stop = end < shown ? end : shown;
  size_t cols = 0;
  for (; i < stop;) {
    size_t n = ipsf_escape_unit(src->text + i, shown - i, IPSF_ESC_KEEP_TAB, esc);
    cols += unit_cols(src->text + i, n, esc);
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

const char *sources_span_text(const SourceSet *s, Arena *arena, Span at) {
  if (at.file == SPAN_NO_FILE) return "";
  const char *src = s->items[at.file]->text;
  char *out = arena_alloc(arena, at.end - at.start + 1);
  size_t n = 0;
  for (uint32_t i = at.start; i < at.end; i++) {
    char ch = src[i];
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    if (ch == ' ' && (n == 0 || out[n - 1] == ' ')) continue;
    out[n++] = ch;
  }
  while (n && (out[n - 1] == ' ' || out[n - 1] == ';')) n--;
  out[n] = '\0';
  return out;
}
