/*
 * builtins.h -- the one table of built-in functions (LANGUAGE.md §4.7).
 *
 * The type checker (compiler/types.c) checks calls against it, the code
 * generator (compiler/codegen.c) compiles them from it, the verifier
 * (runtime/verify.c) checks a built-in named in a pack's native table
 * against it, and the VM (runtime/vm.c, runtime/native.c) runs it.  Nothing
 * else may list built-ins.
 *
 *   B(ID, NAME, PARAMS, MAX_ARGS, RESULT, INLINE, FN)
 *
 * PARAMS is one letter per parameter (a variadic built-in repeats its last
 * letter up to MAX_ARGS arguments; the minimum is strlen(PARAMS)):
 *   b bool   i int   n number   s string   m a set of any enum
 *   x int or number              o ordered: int, number or one enum
 * x and o arguments of one call all take their common type (int and number
 * make number).  RESULT is a letter, or '=' for that common type.
 *
 * INLINE: the call compiles to the dedicated opcodes of opcodes.h (MINI,
 * STARTS, LOWER, ...): the common built-ins, whose bytecode the golden tests
 * pin.  Otherwise the call goes through the native call path, as an extern
 * does: an entry of the pack's native table with no library, the built-in's
 * name as its symbol, and CALLN; FN is then the C function libffi calls,
 * with the C types of an extern (int64_t, double, int, const char *).  A
 * built-in on that path must have a fixed signature of b, i, n, s only, and
 * must be total, as every native must.
 *
 * FN of an inline built-in is its reference implementation where it has a
 * C signature (the VM's opcode calls the same inline helper), else NULL.
 */
#ifndef IPSF_BUILTINS_H
#define IPSF_BUILTINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A native function, as libffi calls it (cast to its real type by the
 * cif): the generic pointer type of ffi_call. */
typedef void (*IpsfNativeFn)(void);

#define IPSF_BUILTINS(B)                                                                   \
  B(MIN,         "min",         "oo", 16, '=', true,  NULL)                                 \
  B(MAX,         "max",         "oo", 16, '=', true,  NULL)                                 \
  B(ABS,         "abs",         "x",  1,  '=', true,  NULL)                                 \
  B(COUNT,       "count",       "m",  1,  'i', true,  NULL)                                 \
  B(STARTS_WITH, "starts_with", "ss", 2,  'b', true,  (IpsfNativeFn)ipsf_bi_starts_with)    \
  B(ENDS_WITH,   "ends_with",   "ss", 2,  'b', true,  (IpsfNativeFn)ipsf_bi_ends_with)      \
  B(CONTAINS,    "contains",    "ss", 2,  'b', true,  (IpsfNativeFn)ipsf_bi_contains)       \
  B(LOWER,       "lower",       "s",  1,  's', true,  NULL)                                 \
  /* through the native call path (CALLN) */                                               \
  B(LENGTH,      "length",      "s",  1,  'i', false, (IpsfNativeFn)ipsf_bi_length)         \
  B(FLOOR,       "floor",       "n",  1,  'n', false, (IpsfNativeFn)ipsf_bi_floor)          \
  B(CEIL,        "ceil",        "n",  1,  'n', false, (IpsfNativeFn)ipsf_bi_ceil)           \
  B(ROUND,       "round",       "n",  1,  'n', false, (IpsfNativeFn)ipsf_bi_round)

typedef enum {
#define IPSF_BI_ENUM(id, name, params, max, result, inl, fn) IPSF_BI_##id,
  IPSF_BUILTINS(IPSF_BI_ENUM)
#undef IPSF_BI_ENUM
  IPSF_BI__COUNT
} IpsfBuiltinId;

/* One row of the table. */
typedef struct {
  const char *name;   /* as called in a pack: "starts_with" */
  const char *params; /* parameter letters (above) */
  uint8_t min_args, max_args;
  char result;        /* result letter, or '=' */
  bool inline_op;     /* compiled to dedicated opcodes; else CALLN */
  IpsfNativeFn fn;    /* the C function (CALLN), or a reference one, or NULL */
} IpsfBuiltin;

extern const IpsfBuiltin ipsf_builtins[IPSF_BI__COUNT];

/* The built-in called `name`, or IPSF_BI__COUNT. */
IpsfBuiltinId ipsf_builtin_find(const char *name);

/* The C functions.  Strings are NUL-terminated UTF-8; results as for an
 * extern: int 0/1 for bool, int64_t for int, double for number. */
static inline int ipsf_bi_starts_with(const char *a, const char *b) {
  return strncmp(a, b, strlen(b)) == 0;
}
static inline int ipsf_bi_ends_with(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  return lb <= la && memcmp(a + la - lb, b, lb) == 0;
}
static inline int ipsf_bi_contains(const char *a, const char *b) { return strstr(a, b) != NULL; }
int64_t ipsf_bi_length(const char *s); /* code points */
double ipsf_bi_floor(double x);
double ipsf_bi_ceil(double x);
double ipsf_bi_round(double x); /* half away from zero */

#endif
