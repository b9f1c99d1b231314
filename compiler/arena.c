/*
 * arena.c -- the compiler's memory: bump arenas for one compilation and the
 * process-wide x* allocation helpers.
 *
 * Every allocation of the compiler goes through xmalloc & co, so there is
 * exactly one place that checks `n * size` for overflow and one place that
 * handles exhaustion: print "ipsfc: out of memory" and exit(4).  Text the
 * compiler builds in the runtime's IpsfBuf (fmt, the analysis) is taken
 * through xbuf_take (xbuf.h), which applies the same rule.  The
 * compiler runs once per command, so dying cleanly is the right response;
 * the runtime (libipsf) never uses these and reports IPSF_ERR_NOMEM instead.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xbuf.h"

/* ---- process-wide helpers -------------------------------------------------- */

_Noreturn void xout_of_memory(void) {
  fputs("ipsfc: out of memory\n", stderr);
  exit(4);
}

/* True if n * size does not fit in size_t. */
static int mul_overflows(size_t n, size_t size) {
  return size != 0 && n > SIZE_MAX / size;
}

void *xmalloc(size_t size) {
  /* malloc(0) may return NULL legitimately: never ask for zero bytes. */
  void *p = malloc(size ? size : 1);
  if (!p) xout_of_memory();
  return p;
}

void *xmalloc_array(size_t n, size_t size) {
  if (mul_overflows(n, size)) xout_of_memory();
  return xmalloc(n * size);
}

void *xcalloc(size_t n, size_t size) {
  if (mul_overflows(n, size)) xout_of_memory();
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) xout_of_memory();
  return p;
}

void *xrealloc_array(void *p, size_t n, size_t size) {
  if (mul_overflows(n, size)) xout_of_memory();
  size_t bytes = n * size;
  void *q = realloc(p, bytes ? bytes : 1);
  if (!q) xout_of_memory();
  return q;
}

char *xbuf_take(IpsfBuf *b) {
  if (b->failed) xout_of_memory();
  char *s = b->data ? b->data : xstrdup("");
  ipsf_buf_init(b);
  return s;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s);
  char *p = xmalloc(n + 1);
  memcpy(p, s, n + 1);
  return p;
}

/* ---- arenas ------------------------------------------------------------------ */

/* Blocks hold many small allocations; a request larger than a quarter of a
 * block gets a block of its own so the remainder of the current block is
 * not wasted. */
#define ARENA_BLOCK_SIZE ((size_t)64 * 1024)
#define ARENA_ALIGN _Alignof(max_align_t)

struct ArenaBlock {
  ArenaBlock *next; /* older block */
  size_t used, cap; /* bytes of data[] */
  _Alignas(max_align_t) unsigned char data[];
};

void arena_init(Arena *a) { a->head = NULL; }

void arena_free(Arena *a) {
  ArenaBlock *b = a->head;
  while (b) {
    ArenaBlock *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
}

static ArenaBlock *arena_new_block(size_t cap) {
  if (cap > SIZE_MAX - sizeof(ArenaBlock)) xout_of_memory();
  ArenaBlock *b = xmalloc(sizeof(ArenaBlock) + cap);
  b->next = NULL;
  b->used = 0;
  b->cap = cap;
  return b;
}

void *arena_alloc(Arena *a, size_t size) {
  if (size > SIZE_MAX - ARENA_ALIGN) xout_of_memory();
  size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
  if (size == 0) size = ARENA_ALIGN;
  ArenaBlock *b = a->head;
  if (!b || b->cap - b->used < size) {
    if (size > ARENA_BLOCK_SIZE / 4) {
      /* A big block goes behind the current one, which keeps its room. */
      ArenaBlock *big = arena_new_block(size);
      if (b) {
        big->next = b->next;
        b->next = big;
      } else {
        a->head = big;
      }
      big->used = size;
      memset(big->data, 0, size);
      return big->data;
    }
    b = arena_new_block(ARENA_BLOCK_SIZE);
    b->next = a->head;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += size;
  memset(p, 0, size);
  return p;
}

void *arena_array(Arena *a, size_t n, size_t size) {
  if (mul_overflows(n, size)) xout_of_memory();
  return arena_alloc(a, n * size);
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
  if (n == SIZE_MAX) xout_of_memory();
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_strdup(Arena *a, const char *s) {
  return arena_strndup(a, s, strlen(s));
}

char *arena_printf(Arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) xout_of_memory(); /* only an encoding error; treat as fatal */
  char *p = arena_alloc(a, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

void ptrvec_push(Arena *a, PtrVec *v, void *item) {
  if (v->count == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    if (cap < v->cap) xout_of_memory();
    void **items = arena_array(a, cap, sizeof *items);
    if (v->count) memcpy(items, v->items, v->count * sizeof *items);
    v->items = items;
    v->cap = cap;
  }
  v->items[v->count++] = item;
}
