/*
 * diff_output.c -- the diff report as text for people, JSON for pipelines,
 * Markdown for a release note.
 *
 * The report (diff.h) is a jansson object whose keys are the JSON schema
 * (docs/cli.md, "ipsfc diff"); the changed corpus records are read back
 * from the temporary file diff_corpus.c wrote, one at a time, so that the
 * output never holds them all.  JSON is the report itself, with the
 * records as "corpus_changes".  Text and Markdown show a summary first
 * (like `git diff --stat`), then the details.  Every string that comes
 * from a pack or a sheet is escaped for the terminal (runtime/escape.h);
 * Markdown also escapes its own special characters.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diff.h"
#include "escape.h"

typedef struct {
  FILE *out;
  bool md;
} Out;

/* Pack or sheet text, escaped. */
static void S(const Out *o, const char *s) {
  if (!s) s = "null";
  if (!o->md) {
    ipsf_escape_fputs(o->out, s);
    return;
  }
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_escape_buf(&b, s, strlen(s), 0);
  for (size_t i = 0; i < b.len; i++) {
    char c = b.data[i];
    if (strchr("\\`*_[]<>|#", c)) fputc('\\', o->out);
    fputc(c, o->out);
  }
  ipsf_buf_free(&b);
}

/* A JSON value, compact, escaped. */
static void J(const Out *o, const json_t *j) {
  if (!j) {
    fputs("(none)", o->out);
    return;
  }
  if (json_is_string(j)) {
    S(o, json_string_value(j));
    return;
  }
  char *t = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
  if (o->md) {
    fputc('`', o->out);
    ipsf_escape_fputs(o->out, t); /* inside a code span: no Markdown escapes */
    fputc('`', o->out);
  } else {
    ipsf_escape_fputs(o->out, t);
  }
  free(t);
}

static const char *str(const json_t *obj, const char *key) { return json_string_value(json_object_get(obj, key)); }
static json_int_t num(const json_t *obj, const char *key) { return json_integer_value(json_object_get(obj, key)); }

/* ---- one change of an outcome -------------------------------------------------------- */

static void method_text(const Out *o, const json_t *m) {
  if (!m || json_is_null(m)) {
    fputs("(does not apply)", o->out);
    return;
  }
  S(o, str(m, "method"));
  json_int_t e = num(m, "every_months");
  if (e) fprintf(o->out, " every %lld months", (long long)e);
}

static void change_line(const Out *o, const json_t *c) {
  const char *what = str(c, "what");
  const char *dir = str(c, "direction");
  if (!what) return;
  if (strcmp(what, "category") == 0) {
    fputs("category ", o->out);
    S(o, str(c, "old"));
    fputs(" -> ", o->out);
    S(o, str(c, "new"));
  } else if (strcmp(what, "scale") == 0) {
    fputs("scale ", o->out);
    S(o, str(c, "name"));
    fputc(' ', o->out);
    S(o, str(c, "old"));
    fputs(" -> ", o->out);
    S(o, str(c, "new"));
  } else if (strcmp(what, "requirement") == 0) {
    const char *ch = str(c, "change");
    fputs("requirement ", o->out);
    S(o, str(c, "id"));
    fputc(' ', o->out);
    fputs(ch ? ch : "", o->out);
    fputs(": ", o->out);
    if (ch && strcmp(ch, "status") == 0) {
      S(o, str(c, "old"));
      fputs(" -> ", o->out);
      S(o, str(c, "new"));
    } else {
      method_text(o, json_object_get(c, "old"));
      fputs(" -> ", o->out);
      method_text(o, json_object_get(c, "new"));
    }
  } else if (strcmp(what, "error") == 0) {
    fputs("error: ", o->out);
    S(o, str(c, "old") ? str(c, "old") : "(none)");
    fputs(" -> ", o->out);
    S(o, str(c, "new") ? str(c, "new") : "(none)");
  } else {
    S(o, what);
  }
  if (dir && strcmp(what, "category") != 0) fprintf(o->out, " (%s)", dir);
}

/* ---- sections ------------------------------------------------------------------------- */

static void heading(const Out *o, const char *text) {
  if (o->md) fprintf(o->out, "\n### %s\n\n", text);
  else fprintf(o->out, "\n%s:\n", text);
}

static void bullet(const Out *o, int depth) {
  if (o->md) fprintf(o->out, "%*s- ", depth * 2, "");
  else fprintf(o->out, "%*s", 2 + depth * 2, "");
}

static void interface(const Out *o, const json_t *r) {
  const json_t *list = json_object_get(r, "interface"), *rej = json_object_get(r, "rejected");
  if (json_array_size(list)) {
    heading(o, "Interface");
    size_t i;
    const json_t *it;
    json_array_foreach(list, i, it) {
      bullet(o, 0);
      fprintf(o->out, "%s %s ", str(it, "kind"), str(it, "change"));
      S(o, str(it, "name"));
      const json_t *a = json_object_get(it, "old"), *b = json_object_get(it, "new");
      if (!json_is_null(a) && !json_is_null(b)) {
        fputs(": ", o->out);
        J(o, a);
        fputs(" -> ", o->out);
        J(o, b);
      } else if (!json_is_null(a) || !json_is_null(b)) {
        fputs(": ", o->out); /* added: what it is now; removed: what it was */
        J(o, json_is_null(a) ? b : a);
      }
      fputc('\n', o->out);
    }
  }
  if (json_array_size(rej)) {
    heading(o, "Sheets valid for OLD that NEW rejects");
    size_t i;
    const json_t *it;
    json_array_foreach(rej, i, it) {
      bullet(o, 0);
      S(o, str(it, "reason"));
      fputc('\n', o->out);
      bullet(o, 1);
      fputs("example: ", o->out);
      J(o, json_object_get(it, "sheet"));
      fputc('\n', o->out);
      bullet(o, 1);
      fputs("NEW: ", o->out);
      S(o, str(it, "new_error"));
      fputc('\n', o->out);
    }
  }
}

static void table(const Out *o, const json_t *t, const char *what) {
  const json_t *from = json_object_get(t, "old_cells"), *to = json_object_get(t, "new_cells");
  const json_t *counts = json_object_get(t, "counts");
  json_int_t total = 0;
  for (size_t i = 0; i < json_array_size(counts); i++)
    for (size_t j = 0; j < json_array_size(json_array_get(counts, i)); j++)
      total += json_integer_value(json_array_get(json_array_get(counts, i), j));
  if (!total) return;
  char h[200];
  snprintf(h, sizeof h, "Transitions (%s, OLD cell -> NEW cell)", what);
  heading(o, h);
  /* only the rows and columns that are not all zero */
  size_t nf = json_array_size(from), nt = json_array_size(to);
  bool *row = calloc(nf + 1, 1), *col = calloc(nt + 1, 1);
  if (!row || !col) abort();
  for (size_t i = 0; i < nf; i++)
    for (size_t j = 0; j < nt; j++)
      if (json_integer_value(json_array_get(json_array_get(counts, i), j))) row[i] = col[j] = true;
  if (o->md) {
    fputs("| OLD \\ NEW |", o->out);
    for (size_t j = 0; j < nt; j++)
      if (col[j]) fputc(' ', o->out), S(o, json_string_value(json_array_get(to, j))), fputs(" |", o->out);
    fputs("\n|---|", o->out);
    for (size_t j = 0; j < nt; j++)
      if (col[j]) fputs("---:|", o->out);
    fputc('\n', o->out);
  } else {
    /* for people: the moves that happen, one a line, largest first */
    size_t w = 0;
    for (size_t i = 0; i < nf; i++)
      if (row[i]) {
        const char *name = json_string_value(json_array_get(from, i));
        size_t k = ipsf_escape_width(name, strlen(name), 0);
        if (k > w) w = k;
      }
    for (;;) {
      json_int_t best = 0;
      size_t bi = 0, bj = 0;
      for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < nt; j++) {
          json_int_t n = json_integer_value(json_array_get(json_array_get(counts, i), j));
          if (n > best) best = n, bi = i, bj = j;
        }
      if (best == 0) break;
      const char *name = json_string_value(json_array_get(from, bi));
      fputs("  ", o->out);
      S(o, name);
      for (size_t k = ipsf_escape_width(name, strlen(name), 0); k < w; k++) fputc(' ', o->out);
      fputs(" -> ", o->out);
      S(o, json_string_value(json_array_get(to, bj)));
      fprintf(o->out, "  %lld\n", (long long)best);
      json_integer_set(json_array_get(json_array_get(counts, bi), bj), -best); /* printed */
    }
    for (size_t i = 0; i < nf; i++) /* restore */
      for (size_t j = 0; j < nt; j++) {
        json_t *c = json_array_get(json_array_get(counts, i), j);
        if (json_integer_value(c) < 0) json_integer_set(c, -json_integer_value(c));
      }
    free(row);
    free(col);
    return;
  }
  for (size_t i = 0; i < nf; i++) {
    if (!row[i]) continue;
    const char *name = json_string_value(json_array_get(from, i));
    if (o->md) {
      fputs("| ", o->out);
      S(o, name);
      fputs(" |", o->out);
    } else {
      fputs("  ", o->out);
      S(o, name);
      for (size_t w = ipsf_escape_width(name, strlen(name), 0); w < 28; w++) fputc(' ', o->out);
    }
    for (size_t j = 0; j < nt; j++) {
      if (!col[j]) continue;
      json_int_t n = json_integer_value(json_array_get(json_array_get(counts, i), j));
      if (o->md) fprintf(o->out, " %lld |", (long long)n);
      else fprintf(o->out, " %-24lld", (long long)n);
    }
    fputc('\n', o->out);
  }
  free(row);
  free(col);
}

/* Conditions joined by "and" (a condition with "or" in parentheses). */
static void conjunction(const Out *o, const json_t *w) {
  if (!json_array_size(w)) fputs("everywhere", o->out);
  size_t k;
  const json_t *c;
  json_array_foreach(w, k, c) {
    bool paren = json_array_size(w) > 1 && strstr(json_string_value(c), " or ");
    if (k) fputs(" and ", o->out);
    if (paren) fputc('(', o->out);
    S(o, json_string_value(c));
    if (paren) fputc(')', o->out);
  }
}

static void symbolic(const Out *o, const json_t *r) {
  const json_t *s = json_object_get(r, "symbolic");
  if (!s) return;
  const json_t *regions = json_object_get(s, "regions");
  heading(o, "Regions of fact space that change (symbolic)");
  if (!json_is_true(json_object_get(s, "analysed"))) {
    bullet(o, 0);
    fputs("not analysed: ", o->out);
    S(o, str(s, "reason"));
    fputc('\n', o->out);
    return;
  }
  if (!json_array_size(regions)) {
    bullet(o, 0);
    fputs(json_is_true(json_object_get(s, "proved")) ? "none: wherever both packs accept a sheet, they give the same outcome (proved)\n"
                                                       : "none found (not proved: see below)\n", o->out);
  }
  size_t i;
  const json_t *g;
  json_array_foreach(regions, i, g) {
    bullet(o, 0);
    fprintf(o->out, "region %lld", (long long)num(g, "region"));
    if (str(g, "component")) {
      fprintf(o->out, " (%s", str(g, "component"));
      if (str(g, "name")) fputc(' ', o->out), S(o, str(g, "name"));
      fputc(')', o->out);
    }
    fprintf(o->out, ": %s, %lld cell%s", str(g, "class"), (long long)num(g, "cells"),
            num(g, "cells") == 1 ? "" : "s");
    const json_t *cell = json_object_get(g, "cell");
    if (str(cell, "old") && str(cell, "new") && strcmp(str(cell, "old"), str(cell, "new")) != 0) {
      fputs(", e.g. ", o->out);
      S(o, str(cell, "old"));
      fputs(" -> ", o->out);
      S(o, str(cell, "new"));
    }
    fputc('\n', o->out);
    const json_t *boxes = json_object_get(g, "boxes");
    size_t k;
    const json_t *c;
    if (json_array_size(boxes)) {
      bullet(o, 1);
      fputs("where one of:\n", o->out);
      json_array_foreach(boxes, k, c) {
        bullet(o, 2);
        conjunction(o, c);
        fputc('\n', o->out);
      }
    } else {
      bullet(o, 1);
      fputs("where: ", o->out);
      conjunction(o, json_object_get(g, "where"));
      if (!json_is_true(json_object_get(g, "box"))) fputs(" (some combinations of these only)", o->out);
      fputc('\n', o->out);
    }
    json_array_foreach(json_object_get(g, "changes"), k, c) {
      bullet(o, 1);
      change_line(o, c);
      fputc('\n', o->out);
    }
    for (int side = 0; side < 2; side++) {
      const json_t *rules = json_object_get(g, side ? "new_rules" : "old_rules");
      if (!json_array_size(rules)) continue;
      bullet(o, 1);
      fputs(side ? "NEW decided by: " : "OLD decided by: ", o->out);
      json_array_foreach(rules, k, c) {
        if (k) fputs("; ", o->out);
        S(o, json_string_value(c));
      }
      fputc('\n', o->out);
    }
    const json_t *notes = json_object_get(g, "facts_in_one_pack");
    json_array_foreach(notes, k, c) {
      bullet(o, 1);
      fputs("note: ", o->out);
      S(o, json_string_value(c));
      fputc('\n', o->out);
    }
    bullet(o, 1);
    fputs(json_is_true(json_object_get(g, "rechecked")) ? "counterexample (checked under both packs): "
                                                        : "counterexample (NOT confirmed by the re-check): ", o->out);
    J(o, json_object_get(g, "counterexample"));
    fputc('\n', o->out);
  }
  const json_t *na = json_object_get(s, "not_analysed");
  json_array_foreach(na, i, g) {
    bullet(o, 0);
    fputs("not analysed (", o->out);
    S(o, str(g, "pack"));
    fputs(")", o->out);
    if (str(g, "category")) fputs(" category", o->out);
    if (str(g, "scale")) fputs(" scale ", o->out), S(o, str(g, "scale"));
    if (str(g, "requirement")) fputs(" requirement ", o->out), S(o, str(g, "requirement"));
    fputs(": ", o->out);
    S(o, str(g, "reason"));
    fputc('\n', o->out);
  }
  if (json_is_true(json_object_get(s, "regions_not_listed"))) {
    bullet(o, 0);
    fputs("more regions than can be listed: only the first 4096 are shown\n", o->out);
  }
  table(o, json_object_get(s, "transitions"), "cells of fact space that change");
}

static void corpus(const Out *o, const json_t *r, FILE *changes) {
  const json_t *c = json_object_get(r, "corpus");
  if (!c) return;
  heading(o, "Devices whose records change");
  if (changes) {
    rewind(changes);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, changes)) > 0) {
      json_t *rec = json_loadb(line, (size_t)n, 0, NULL);
      if (!rec) continue;
      bullet(o, 0);
      S(o, str(rec, "sheet"));
      if (num(rec, "line")) fprintf(o->out, ":%lld", (long long)num(rec, "line"));
      fputs("  ", o->out);
      S(o, str(rec, "device") ? str(rec, "device") : "(no device)");
      if (str(rec, "profile")) fputs(" [", o->out), S(o, str(rec, "profile")), fputs("]", o->out);
      fprintf(o->out, ": %s\n", str(rec, "class"));
      size_t k;
      const json_t *ch;
      json_array_foreach(json_object_get(rec, "changes"), k, ch) {
        bullet(o, 1);
        change_line(o, ch);
        fputc('\n', o->out);
      }
      json_decref(rec);
    }
    free(line);
  }
  table(o, json_object_get(c, "transitions"), "records");
  const json_t *per = json_object_get(c, "requirements");
  if (json_object_size(per)) {
    heading(o, "Records per requirement change");
    const char *id;
    const json_t *e;
    json_object_foreach((json_t *)per, id, e) {
      bullet(o, 0);
      S(o, id);
      fputs(":", o->out);
      const char *k;
      const json_t *v;
      json_object_foreach((json_t *)e, k, v) fprintf(o->out, " %s %lld", k, (long long)json_integer_value(v));
      fputc('\n', o->out);
    }
  }
}

static void summary(const Out *o, const json_t *r) {
  const json_t *po = json_object_get(r, "old"), *pn = json_object_get(r, "new");
  if (o->md) fputs("## ", o->out);
  S(o, str(po, "name"));
  fputc(' ', o->out);
  S(o, str(po, "version"));
  fputs(" -> ", o->out);
  S(o, str(pn, "name"));
  fputc(' ', o->out);
  S(o, str(pn, "version"));
  fprintf(o->out, ": %s\n", str(r, "class"));
  if (o->md) fputc('\n', o->out);
  const char *pre = o->md ? "- " : " ";
  fprintf(o->out, "%sinterface  %zu change%s", pre, json_array_size(json_object_get(r, "interface")),
          json_array_size(json_object_get(r, "interface")) == 1 ? "" : "s");
  size_t rej = json_array_size(json_object_get(r, "rejected"));
  if (rej) fprintf(o->out, ", %zu kind%s of sheet valid for OLD rejected by NEW", rej, rej == 1 ? "" : "s");
  fputc('\n', o->out);
  const json_t *s = json_object_get(r, "symbolic");
  if (s && json_is_true(json_object_get(s, "analysed"))) {
    size_t n = json_array_size(json_object_get(s, "regions"));
    fprintf(o->out, "%ssymbolic   %zu region%s (%s), %lld cells evaluated%s, %s\n", pre, n, n == 1 ? "" : "s",
            str(s, "class"), (long long)num(s, "evaluated"),
            strcmp(str(s, "mode"), "components") == 0 ? " one output at a time" : "",
            json_is_true(json_object_get(s, "proved")) ? "proved" : "NOT proved (see 'not analysed')");
  } else if (s) {
    fprintf(o->out, "%ssymbolic   not analysed\n", pre);
  }
  const json_t *c = json_object_get(r, "corpus");
  if (c) {
    fprintf(o->out, "%scorpus     %lld of %lld records change", pre, (long long)num(c, "changed"),
            (long long)num(c, "records"));
    const char *k;
    const json_t *v;
    bool first = true;
    json_object_foreach((json_t *)json_object_get(c, "classes"), k, v) {
      fprintf(o->out, "%s%s %lld", first ? " (" : ", ", k, (long long)json_integer_value(v));
      first = false;
    }
    if (!first) fputc(')', o->out);
    if (num(c, "became_errors")) fprintf(o->out, ", %lld become errors", (long long)num(c, "became_errors"));
    if (num(c, "errors")) fprintf(o->out, ", %lld error record%s under NEW", (long long)num(c, "errors"),
                                  num(c, "errors") == 1 ? "" : "s");
    fputc('\n', o->out);
  }
}

void diff_print(FILE *out, int format, const json_t *report, FILE *changes) {
  if (format == DIFF_JSON) {
    char *t = json_dumps(report, JSON_INDENT(2));
    size_t n = strlen(t);
    while (n && (t[n - 1] == '}' || t[n - 1] == '\n')) n--; /* reopen the object */
    fwrite(t, 1, n, out);
    free(t);
    fputs(",\n  \"corpus_changes\": [", out);
    bool first = true;
    if (changes) {
      rewind(changes);
      char *line = NULL;
      size_t cap = 0;
      ssize_t len;
      while ((len = getline(&line, &cap, changes)) > 0) {
        if (line[len - 1] == '\n') line[--len] = 0;
        fprintf(out, "%s\n    %s", first ? "" : ",", line);
        first = false;
      }
      free(line);
    }
    fputs(first ? "]\n}\n" : "\n  ]\n}\n", out);
    return;
  }
  Out o = {out, format == DIFF_MARKDOWN};
  summary(&o, report);
  interface(&o, report);
  symbolic(&o, report);
  corpus(&o, report, changes);
}
