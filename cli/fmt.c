/*
 * fmt.c -- `ipsfc fmt PACK.ipsf...`: the canonical layout (compiler/fmt.c),
 * printed, written back (-w) or checked (--check, with a unified diff).
 *
 * A file that does not parse is never formatted: its diagnostics are
 * printed and the exit code is 3.  The formatter checks its own result
 * (same tree, as many comments); a failed check is an internal error
 * (exit 4) and the file is left alone.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "fmt.h"

static const char help[] =
    "usage: ipsfc fmt [-w | --check] PACK.ipsf...\n"
    "       ipsfc fmt -            (standard input to standard output)\n\n"
    "Lay rule packs and modules out in the one canonical layout of the\n"
    "language (docs/language.md, \"Layout\"): 2-space indentation, aligned\n"
    "fact types and rule levels, lines filled to 100 columns, minimal\n"
    "parentheses, literals as written, comments kept where they were.\n"
    "Formatting twice gives what formatting once gave, and never changes\n"
    "what a pack means: the formatted file parses to the same declarations,\n"
    "or ipsfc stops with an internal error and leaves the file alone.\n\n"
    "Without an option the formatted files are printed on standard output.\n\n"
    "options:\n"
    "  -w, --write   rewrite each file that is not formatted, in place (whole\n"
    "                or not at all: a failed write leaves the old file)\n"
    "      --check   print nothing but a unified diff of what would change;\n"
    "                exit 1 if any file is not formatted\n"
    "  -h, --help    this text\n\n"
    "exit: 0 done (with --check: every file is formatted); 1 --check found a\n"
    "file that is not formatted; 2 usage; 3 a file cannot be read or has\n"
    "syntax errors (it is not formatted); 4 internal error.\n\n"
    "examples:\n"
    "  ipsfc fmt examples/smart-home/pack.ipsf | less\n"
    "  ipsfc fmt -w pack.ipsf lib/*.ipsf\n"
    "  ipsfc fmt --check $(git ls-files '*.ipsf')\n";

/* As compiler/load.c: at most 16 MiB, a UTF-8 byte order mark dropped
 * (*bom says so: fmt writes it back, docs/language.md section 2). */
#define MAX_SOURCE_BYTES (16u * 1024u * 1024u)

static char *read_all(FILE *f, size_t *len, bool *bom, const char **why) {
  size_t cap = 4096, n = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) {
      if (cap > MAX_SOURCE_BYTES) {
        free(buf);
        *why = "file is larger than 16 MiB";
        return NULL;
      }
      cap *= 2;
      buf = xrealloc_array(buf, cap, 1);
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f) || n > MAX_SOURCE_BYTES) {
    free(buf);
    *why = ferror(f) ? "read error" : "file is larger than 16 MiB";
    return NULL;
  }
  buf[n] = '\0';
  if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
    memmove(buf, buf + 3, n - 2);
    n -= 3;
    *bom = true;
  }
  *len = n;
  return buf;
}

/* ---- a unified diff ----------------------------------------------------------------
 * Myers' O(ND) algorithm over lines, after trimming the common head and
 * tail; past a bound on D (a file rewritten from top to bottom) the middle
 * is shown as one replacement.  Output as `diff -u` prints it. */

typedef struct {
  const char *p;
  size_t n;  /* with its newline, if it has one */
} DLine;

static DLine *split_lines(const char *text, size_t len, size_t *count) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += text[i] == '\n';
  if (len && text[len - 1] != '\n') n++;
  DLine *lines = xcalloc(n ? n : 1, sizeof *lines);
  size_t k = 0, start = 0;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\n') {
      lines[k++] = (DLine){text + start, i + 1 - start};
      start = i + 1;
    }
  if (start < len) lines[k++] = (DLine){text + start, len - start};
  *count = n;
  return lines;
}

static bool same_line(DLine a, DLine b) { return a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }

/* The edit script: for each line of a and b, whether it is kept.  The
 * trace keeps, for each step d, the furthest x reached on each diagonal
 * -d..d (2d+1 values), so memory grows as D squared: D is bounded. */
#define MAX_D 2000

static void diff_lines(const DLine *a, size_t na, const DLine *b, size_t nb, bool *keep_a,
                       bool *keep_b) {
  size_t head = 0;
  while (head < na && head < nb && same_line(a[head], b[head])) {
    keep_a[head] = keep_b[head] = true;
    head++;
  }
  size_t tail = 0;
  while (tail < na - head && tail < nb - head && same_line(a[na - 1 - tail], b[nb - 1 - tail])) {
    keep_a[na - 1 - tail] = keep_b[nb - 1 - tail] = true;
    tail++;
  }
  const DLine *x = a + head, *y = b + head;
  long n = (long)(na - head - tail), m = (long)(nb - head - tail);
  if (n == 0 || m == 0) return;
  long maxd = n + m < MAX_D ? n + m : MAX_D;
  int32_t **trace = xcalloc((size_t)maxd + 1, sizeof *trace);
#define V(d, k) trace[d][(k) + (d)] /* furthest x on diagonal k after step d */
  long found = -1;
  for (long d = 0; d <= maxd && found < 0; d++) {
    trace[d] = xcalloc((size_t)(2 * d + 1), sizeof **trace);
    for (long k = -d; k <= d; k += 2) {
      long px;
      if (d == 0) px = 0;
      else if (k == -d || (k != d && V(d - 1, k - 1) < V(d - 1, k + 1))) px = V(d - 1, k + 1);
      else px = V(d - 1, k - 1) + 1;
      long py = px - k;
      while (px < n && py < m && same_line(x[px], y[py])) px++, py++;
      V(d, k) = (int32_t)px;
      if (px >= n && py >= m) {
        found = d;
        break;
      }
    }
  }
  if (found >= 0) {
    /* walk back through the trace, marking the diagonal (kept) lines */
    long px = n, py = m;
    for (long d = found; d > 0; d--) {
      long k = px - py;
      bool down = k == -d || (k != d && V(d - 1, k - 1) < V(d - 1, k + 1));
      long pk = down ? k + 1 : k - 1;
      long sx = V(d - 1, pk), sy = sx - pk;
      long ex = down ? sx : sx + 1; /* where the snake of step d began */
      long ey = ex - k;
      while (px > ex && py > ey) keep_a[head + (size_t)--px] = keep_b[head + (size_t)--py] = true;
      px = sx;
      py = sy;
    }
    while (px > 0 && py > 0) keep_a[head + (size_t)--px] = keep_b[head + (size_t)--py] = true;
  }
  /* not found within MAX_D: the whole middle is one replacement */
#undef V
  for (long d = 0; d <= maxd; d++) free(trace[d]);
  free(trace);
}

static void put_dline(FILE *out, char mark, DLine l) {
  fputc(mark, out);
  fwrite(l.p, 1, l.n, out);
  if (l.n == 0 || l.p[l.n - 1] != '\n') fputs("\n\\ No newline at end of file\n", out);
}

#define CONTEXT 3

static void unified_diff(FILE *out, const char *path, const char *a, size_t alen, const char *b,
                         size_t blen) {
  size_t na, nb;
  DLine *la = split_lines(a, alen, &na), *lb = split_lines(b, blen, &nb);
  bool *ka = xcalloc(na + 1, 1), *kb = xcalloc(nb + 1, 1);
  diff_lines(la, na, lb, nb, ka, kb);
  fprintf(out, "--- %s\n+++ %s (formatted)\n", path, path);
  size_t i = 0, j = 0;
  while (i < na || j < nb) {
    /* skip kept lines up to the next change */
    size_t si = i;
    while (i < na && j < nb && ka[i] && kb[j]) i++, j++;
    if (i >= na && j >= nb) break;
    /* a hunk: from CONTEXT lines before the change to CONTEXT lines after
     * the last change that is at most 2*CONTEXT kept lines from the next */
    size_t hi = i >= si + CONTEXT ? i - CONTEXT : si, hj = j - (i - hi);
    size_t ei = i, ej = j;
    for (;;) {
      while (ei < na && !ka[ei]) ei++;
      while (ej < nb && !kb[ej]) ej++;
      size_t run = 0;
      while (ei + run < na && ej + run < nb && ka[ei + run] && kb[ej + run]) run++;
      bool at_end = ei + run >= na && ej + run >= nb;
      if (at_end || run > 2 * CONTEXT) {
        size_t ctx = run < CONTEXT ? run : CONTEXT;
        ei += ctx;
        ej += ctx;
        break;
      }
      ei += run;
      ej += run;
    }
    size_t ca = ei - hi, cb = ej - hj;
    fprintf(out, "@@ -%zu", ca ? hi + 1 : hi);
    if (ca != 1) fprintf(out, ",%zu", ca);
    fprintf(out, " +%zu", cb ? hj + 1 : hj);
    if (cb != 1) fprintf(out, ",%zu", cb);
    fputs(" @@\n", out);
    size_t x = hi, y = hj;
    while (x < ei || y < ej) {
      if (x < ei && y < ej && ka[x] && kb[y]) {
        put_dline(out, ' ', la[x]);
        x++, y++;
      } else if (x < ei && !ka[x]) {
        put_dline(out, '-', la[x++]);
      } else if (y < ej && !kb[y]) {
        put_dline(out, '+', lb[y++]);
      } else { /* cannot happen: kept lines pair up */
        break;
      }
    }
    i = ei;
    j = ej;
  }
  free(la);
  free(lb);
  free(ka);
  free(kb);
}

/* ---- the verb ------------------------------------------------------------------------- */

enum { MODE_PRINT, MODE_WRITE, MODE_CHECK };

/* Format one file (path "-": standard input); returns its exit code. */
static int fmt_one(const char *path, int mode) {
  const char *why = NULL;
  size_t len = 0;
  bool bom = false; /* kept: fmt changes the layout, not the encoding */
  char *text;
  bool is_stdin = strcmp(path, "-") == 0;
  if (is_stdin) {
    text = read_all(stdin, &len, &bom, &why);
  } else {
    FILE *f = fopen(path, "rb");
    if (!f) {
      fprintf(stderr, "ipsfc: error: cannot read %s: %s\n", path, strerror(errno));
      return EXIT_INPUT;
    }
    text = read_all(f, &len, &bom, &why);
    fclose(f);
  }
  if (!text) {
    fprintf(stderr, "ipsfc: error: cannot read %s: %s\n", is_stdin ? "standard input" : path, why);
    return EXIT_INPUT;
  }
  SourceSet sources;
  sources_init(&sources);
  Diags diags;
  diags_init(&diags, &sources);
  FmtOutput out;
  FmtStatus st = fmt_text(is_stdin ? "<stdin>" : path, text, len, &diags, &sources, &out);
  int code = EXIT_OK;
  if (st == FMT_SYNTAX) {
    diags_sort(&diags);
    diags_print(&diags, stderr, cli_color(stderr));
    fprintf(stderr, "ipsfc fmt: %s has syntax errors: not formatted\n",
            is_stdin ? "<stdin>" : path);
    code = EXIT_INPUT;
  } else if (st == FMT_INTERNAL) {
    fprintf(stderr,
            "ipsfc fmt: internal error (a bug, please report it): %s; the file is left as it is\n",
            out.error);
    code = EXIT_INTERNAL;
  } else {
    bool same = out.len == len && memcmp(out.text, text, len) == 0;
    if (mode == MODE_PRINT) {
      if (bom) fputs("\xEF\xBB\xBF", stdout);
      fwrite(out.text, 1, out.len, stdout);
    } else if (mode == MODE_CHECK) {
      if (!same) {
        unified_diff(stdout, is_stdin ? "<stdin>" : path, text, len, out.text, out.len);
        code = EXIT_FINDING;
      }
    } else if (!same) {
      char *data = xmalloc(out.len + 3);
      size_t k = bom ? 3 : 0;
      memcpy(data, "\xEF\xBB\xBF", k);
      memcpy(data + k, out.text, out.len);
      if (!cli_write_file("fmt", path, data, out.len + k, 0666, false)) code = EXIT_INPUT;
      free(data);
    }
  }
  fmt_output_free(&out);
  diags_free(&diags);
  sources_free(&sources);
  free(text);
  return code;
}

/* The worst of two exit codes: internal, then input, then finding. */
static int worst(int a, int b) {
  static const int rank[] = {0, 1, 0, 2, 3}; /* by code: 0 1 2 3 4 */
  return rank[b] > rank[a] ? b : a;
}

int cmd_fmt(int argc, char **argv) {
  static const struct option opts[] = {{"write", no_argument, 0, 'w'},
                                       {"check", no_argument, 0, 'c'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int mode = MODE_PRINT, c;
  bool write = false, check = false;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":wh", opts, NULL)) != -1) {
    switch (c) {
    case 'w': write = true; break;
    case 'c': check = true; break;
    case 'h': return cli_help(help);
    default: return cli_usage("fmt", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (write && check) return cli_usage("fmt", "-w and --check cannot be used together");
  mode = write ? MODE_WRITE : check ? MODE_CHECK : MODE_PRINT;
  if (optind >= argc)
    return cli_usage("fmt", "expected at least one PACK.ipsf (or - for standard input)");
  for (int i = optind; i < argc; i++)
    if (strcmp(argv[i], "-") == 0 && (write || argc - optind > 1))
      return cli_usage("fmt", "- (standard input) is formatted alone, and not with -w");
  int status = EXIT_OK;
  for (int i = optind; i < argc; i++) status = worst(status, fmt_one(argv[i], mode));
  return status;
}
