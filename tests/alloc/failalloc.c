/*
 * failalloc.c -- allocation-failure injection for `make alloc-test`.
 *
 * The alloc build links ipsfc with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=strdup,--wrap=strndup, so every allocation our own
 * code makes (compiler, runtime, CLI) comes here first; jansson's are routed
 * here too (json_set_alloc_funcs).  With IPSF_FAIL_ALLOC_AT=N the N-th
 * allocation (1-based) returns NULL, once; every other one goes through to
 * the real allocator (ASan's, in this build).  IPSF_ALLOC_COUNT=FILE writes
 * the number of allocations made to FILE at exit, so the driver
 * (tests/alloc/run.sh) knows how many N to try.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static unsigned long count, fail_at;

/* true if this allocation is to fail */
static int fail_now(void) { return ++count == fail_at; }

void *__wrap_malloc(size_t size) { return fail_now() ? NULL : __real_malloc(size); }
void *__wrap_calloc(size_t n, size_t size) { return fail_now() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t size) { return fail_now() ? NULL : __real_realloc(p, size); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fail_now() ? NULL : __real_strndup(s, n); }

static void report_count(void) {
  const char *path = getenv("IPSF_ALLOC_COUNT");
  if (!path) return;
  FILE *f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "%lu\n", count);
  fclose(f);
}

__attribute__((constructor)) static void failalloc_init(void) {
  const char *at = getenv("IPSF_FAIL_ALLOC_AT");
  fail_at = at ? strtoul(at, NULL, 10) : 0;
  json_set_alloc_funcs(__wrap_malloc, free);
  atexit(report_count);
}
