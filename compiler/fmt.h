/*
 * fmt.h -- the canonical layout of a rule-pack source file (`ipsfc fmt`).
 *
 *   FmtOutput out;
 *   switch (fmt_source(&sources, id, &diags, &out)) {
 *   case FMT_OK:       ... out.text (out.len bytes) is the formatted file ...
 *   case FMT_SYNTAX:   ... the file does not parse: diags holds why ...
 *   case FMT_INTERNAL: ... a bug: out.error says which self-check failed ...
 *   }
 *   fmt_output_free(&out);
 *
 * The layout is a function of the syntax tree, the comments and the blank
 * lines of the source only (never of its other spacing), which is what
 * makes formatting idempotent.  docs/language.md ("Layout") describes it.
 *
 * Every result is checked before it is returned: the formatted text must
 * parse without a diagnostic, to a tree equal to the original's except for
 * source locations (so it compiles to the same pack, locations aside), and
 * it must hold exactly as many comments as the source.  A failed check is
 * FMT_INTERNAL, never a silently changed file.
 */
#ifndef IPSF_FMT_H
#define IPSF_FMT_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"

/* Lines are filled up to this many columns (a string is never split, so a
 * line holding a long string may be longer). */
#define FMT_WIDTH 100

typedef enum {
  FMT_OK = 0,
  FMT_SYNTAX,   /* the source has syntax errors (in diags): not formatted */
  FMT_INTERNAL  /* a self-check failed: a bug in the formatter (out->error) */
} FmtStatus;

typedef struct {
  char *text;       /* the formatted file, NUL-terminated (malloc'd) */
  size_t len;
  char *error;      /* FMT_INTERNAL: what went wrong (malloc'd) */
  size_t comments;  /* comments in the source (and in the result) */
} FmtOutput;

/* Format sources->items[source]; syntax errors go to diags. */
FmtStatus fmt_source(const SourceSet *sources, uint32_t source, Diags *diags, FmtOutput *out);
void fmt_output_free(FmtOutput *out);

/* Format a text given in memory (path is only used in messages). */
FmtStatus fmt_text(const char *path, const char *text, size_t len, Diags *diags,
                   SourceSet *sources, FmtOutput *out);

/* How many comments (// and block) a source text holds; strings are skipped
 * as the scanner does. */
size_t fmt_count_comments(const char *text, size_t len);

#endif
