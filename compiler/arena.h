/*
 * arena.h -- bump allocation for one compilation (AST, names, strings).
 *
 * Everything the front end and semantic analysis allocate lives in one
 * arena, released at once by arena_free().  Allocation failure ends the
 * process with exit code 4 ("out of memory"): the compiler runs once per
 * command and holds nothing that outlives it.
 */
#ifndef IPSF_ARENA_H
#define IPSF_ARENA_H

#include "ipsfc_func.h"

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct {
  ArenaBlock *head; /* newest block first */
} Arena;

IPSFC_FUNC void arena_init(Arena *a);
IPSFC_FUNC void arena_free(Arena *a);
/* Zeroed memory, aligned for any type. */
IPSFC_FUNC void *arena_alloc(Arena *a, size_t size);
/* n * size with an overflow check. */
IPSFC_FUNC void *arena_array(Arena *a, size_t n, size_t size);
IPSFC_FUNC char *arena_strndup(Arena *a, const char *s, size_t n);
IPSFC_FUNC char *arena_strdup(Arena *a, const char *s);
IPSFC_FUNC char *arena_printf(Arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A growable array of pointers, allocated in the arena (old storage is
 * simply left behind: the arena frees it with the rest). */
typedef struct {
  void **items;
  size_t count, cap;
} PtrVec;

IPSFC_FUNC void ptrvec_push(Arena *a, PtrVec *v, void *item);

/* Process-wide allocation helpers for the compiler and CLI (exit 4 on
 * failure): the one choke point of the compiler's heap allocations (never
 * a raw malloc in compiler/).  The runtime never uses these: it reports
 * IPSF_ERR_NOMEM. */
void *xmalloc(size_t size);
/* n * size with an overflow check (n = 0 is fine). */
void *xmalloc_array(size_t n, size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc_array(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/* Print "ipsfc: out of memory" and exit(4): for an allocation made
 * elsewhere (a runtime IpsfBuf) that failed. */
_Noreturn void xout_of_memory(void);

#endif
