/*
 * common.c -- helpers shared by the verbs.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "compile.h"

void strlist_push(StrList *l, const char *s) {
  l->items = xrealloc_array(l->items, l->count + 1, sizeof *l->items);
  l->items[l->count++] = s;
}

void strlist_free(StrList *l) {
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

int cli_usage(const char *verb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "ipsfc %s: ", verb);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n(see 'ipsfc %s --help')\n", verb);
  va_end(ap);
  return EXIT_USAGE;
}

int cli_help(const char *text) {
  fputs(text, stdout);
  return EXIT_OK;
}

bool cli_color(FILE *f) {
  const char *no_color = getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return isatty(fileno(f)) != 0;
}

bool cli_is_bytecode(const char *path) {
  size_t n = strlen(path);
  return n >= 5 && strcmp(path + n - 5, ".ipsb") == 0;
}

IpsfPack *cli_load_pack(const char *path, const StrList *import_dirs, int *exit_code) {
  IpsfError err = {0};
  IpsfPack *pack = NULL;
  if (cli_is_bytecode(path)) {
    pack = ipsf_pack_load_file(path, &err);
  } else {
    CompileOptions opt = {.import_dirs = import_dirs->items,
                          .import_dir_count = import_dirs->count};
    Compilation *c = compilation_new(&opt);
    uint8_t *bytes = NULL;
    size_t len = 0;
    bool ok = compile_pack(c, path, &bytes, &len);
    Diags *d = compilation_diags(c);
    diags_sort(d);
    diags_print(d, stderr, cli_color(stderr));
    compilation_free(c);
    if (!ok) {
      *exit_code = EXIT_INPUT;
      return NULL;
    }
    pack = ipsf_pack_load(bytes, len, &err);
    free(bytes);
  }
  if (!pack) {
    fprintf(stderr, "ipsfc: %s: %s\n", path, err.message);
    *exit_code = err.kind == IPSF_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
  }
  return pack;
}
