/*
 * diag.h -- sources and diagnostics of one compilation.
 *
 * Every token and node carries a Span (file index + byte offsets); line and
 * column are computed only when a diagnostic is printed.  Diagnostics are
 * collected, never printed where they arise: the CLI prints them as text
 * (gcc style: file:line:col: error: message, the source line, a caret
 * underline at least one character wide) or JSON.
 */
#ifndef IPSF_DIAG_H
#define IPSF_DIAG_H

#include "arena.h"
#include "ipsfc_func.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SPAN_NO_FILE UINT32_MAX

typedef struct {
  uint32_t file;  /* index into the SourceSet, or SPAN_NO_FILE */
  uint32_t start; /* byte offset of the first byte */
  uint32_t end;   /* byte offset one past the last byte (end >= start) */
} Span;

/* A diagnostic about no place in a file (e.g. a file that cannot be read). */
#define NO_SPAN ((Span){SPAN_NO_FILE, 0, 0})

typedef struct {
  char *path;            /* as given (or "<stdlib>/ssf.ipsf"), owned */
  char *text;            /* contents, NUL-terminated, owned */
  uint32_t len;          /* bytes, without the NUL */
  uint32_t *line_starts; /* byte offset of each line, owned */
  uint32_t line_count;
} Source;

typedef struct {
  Source **items;
  uint32_t count, cap;
} SourceSet;

void sources_init(SourceSet *s);
void sources_free(SourceSet *s);
/* Takes ownership of text (malloc'd, NUL-terminated). Returns the index. */
uint32_t sources_add(SourceSet *s, const char *path, char *text, uint32_t len);
/* 1-based line and column (bytes) of a byte offset. */
void sources_line_col(const SourceSet *s, uint32_t file, uint32_t offset,
                      uint32_t *line, uint32_t *col);
/* The source text of span `at` on one line, allocated in `arena`: line
 * ends and tabs as spaces, runs of spaces as one, no trailing ';'.  ""
 * for a span without a file.  (Expectations in test reports, conditions
 * in guidelines.) */
const char *sources_span_text(const SourceSet *s, Arena *arena, Span at);

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagLevel;

typedef struct {
  DiagLevel level;
  Span span;
  char *message; /* owned */
  /* Static-analysis findings (analyze.c); NULL for other diagnostics. */
  const char *code;  /* "IPSF-W102" (static string), printed as " [IPSF-W102]" */
  char *sheet_json;  /* owned: the counterexample fact sheet, a JSON object */
} Diag;

typedef struct {
  const SourceSet *sources;
  Diag *items;
  size_t count, cap;
  size_t errors, warnings;
  /* Names whose declaration started but did not parse (diag_poison): a
   * later "unknown name" for them would be a cascade, so it is silent. */
  char **poisoned;          /* owned strings */
  size_t poisoned_count, poisoned_cap;
  /* Errors per file, to stop after DIAG_MAX_FILE_ERRORS with one
   * "too many errors" (diag_add). */
  uint32_t *file_errors;
  size_t file_errors_cap;
  bool dropped_last; /* the last error was dropped: so are its notes */
} Diags;

/* At most this many errors are kept per file; the next one is replaced by
 * a single "too many errors" and the rest are dropped (still counted in
 * `errors`, so the compilation fails). */
#define DIAG_MAX_FILE_ERRORS 50

void diags_init(Diags *d, const SourceSet *sources);
void diags_free(Diags *d);
void diag_add(Diags *d, DiagLevel level, Span span, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
#define diag_error(d, span, ...) diag_add((d), DIAG_ERROR, (span), __VA_ARGS__)
#define diag_warning(d, span, ...) diag_add((d), DIAG_WARNING, (span), __VA_ARGS__)
#define diag_note(d, span, ...) diag_add((d), DIAG_NOTE, (span), __VA_ARGS__)

/* Give the last diagnostic added a finding code and (optionally) a
 * counterexample sheet; takes ownership of sheet_json (malloc'd). */
void diag_set_finding(Diags *d, const char *code, char *sheet_json);

/* Remember `name` (len bytes) as a name whose declaration failed to
 * parse, or forget it again (the declaration completed after all). */
void diag_poison(Diags *d, const char *name, size_t len);
void diag_unpoison(Diags *d, const char *name);
bool diag_is_poisoned(const Diags *d, const char *name);

/* Sort by file, offset (stable), for output in source order. */
void diags_sort(Diags *d);
/* gcc style, with source line and caret; colours with ANSI codes if asked. */
void diags_print(const Diags *d, FILE *out, bool color);

#endif
