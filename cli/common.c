/*
 * common.c -- helpers shared by the verbs.
 */
#include <errno.h>
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

uint64_t cli_max_cost = IPSF_DEFAULT_MAX_COST;

int cli_parse_max_cost(const char *verb, const char *arg) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(arg, &end, 10);
  unsigned long long unit = 1;
  if (*end == 'K') unit = 1000ull, end++;
  else if (*end == 'M') unit = 1000000ull, end++;
  else if (*end == 'G') unit = 1000000000ull, end++;
  if (*arg < '0' || *arg > '9' || *end || errno || n == 0 || n > UINT64_MAX / unit)
    return cli_usage(verb, "--max-cost takes a whole number of at least 1 (K, M, G: "
                           "thousands, millions, billions), not '%s'", arg);
  cli_max_cost = n * unit;
  return EXIT_OK;
}

int cli_write_output(const char *verb, const char *path, const char *data, size_t len) {
  if (!path) {
    if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0 || ferror(stdout)) {
      fprintf(stderr, "ipsfc %s: write error: %s\n", verb, strerror(errno ? errno : EIO));
      return EXIT_INTERNAL;
    }
    return EXIT_OK;
  }
  size_t n = strlen(path);
  char *tmp = malloc(n + 8);
  if (!tmp) {
    fprintf(stderr, "ipsfc %s: out of memory\n", verb);
    return EXIT_INTERNAL;
  }
  memcpy(tmp, path, n);
  memcpy(tmp + n, ".XXXXXX", 8);
  int fd = mkstemp(tmp);
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  bool ok = f && fwrite(data, 1, len, f) == len && fflush(f) == 0 && !ferror(f);
  int saved = errno;
  if (f ? fclose(f) != 0 : (fd >= 0 && close(fd) != 0)) ok = false, saved = errno;
  if (ok && rename(tmp, path) != 0) ok = false, saved = errno;
  if (!ok) {
    if (fd >= 0) remove(tmp);
    fprintf(stderr, "ipsfc %s: write error: %s: %s\n", verb, path, strerror(saved ? saved : EIO));
  }
  free(tmp);
  return ok ? EXIT_OK : EXIT_INTERNAL;
}

bool cli_is_bytecode(const char *path) {
  size_t n = strlen(path);
  return n >= 5 && strcmp(path + n - 5, ".ipsb") == 0;
}

IpsfPack *cli_load_pack(const char *path, const StrList *import_dirs, int *exit_code) {
  IpsfError err = {0};
  IpsfPack *pack = NULL;
  if (cli_is_bytecode(path)) {
    pack = ipsf_pack_load_file_limited(path, cli_max_cost, &err);
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
    pack = ipsf_pack_load_limited(bytes, len, cli_max_cost, &err);
    free(bytes);
  }
  if (!pack) {
    fprintf(stderr, "ipsfc: %s: %s\n", path, err.message);
    *exit_code = err.kind == IPSF_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
  }
  return pack;
}
