/*
 * testlib.c -- a native library for the tests (tests/unit/test_native.c,
 * tests/golden/natives/, bench/native_call.c), built by the Makefile into
 * build/tests/native/libipsftest.so.
 *
 * Some functions marshal every IPSF type there and back; the others
 * misbehave in each way the evaluator must turn into an error record
 * instead of a crash or a wrong answer: NaN, infinity, NULL, invalid UTF-8,
 * an over-long string, a data object where a function is expected.
 *
 * And the shapes of a symbol the confinement check (runtime/native.c,
 * defined_in) must tell apart: an alias and an IFUNC whose implementation
 * is in this library are its own; an IFUNC whose resolver returns a
 * function of libc is not.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

int64_t ipsft_add(int64_t a, int64_t b);
double ipsft_mix(int64_t i, double n, int b, const char *s);
int ipsft_truthy(int64_t x);
double ipsft_id(double x);
const char *ipsft_echo(const char *s);
const char *ipsft_pick(int64_t k);
double ipsft_nan(double x);
double ipsft_inf(double x);
const char *ipsft_null(const char *s);
const char *ipsft_bad_utf8(const char *s);
const char *ipsft_huge(const char *s);
int64_t ipsft_sum16(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g,
                    int64_t h, int64_t i, int64_t j, int64_t k, int64_t l, int64_t m, int64_t n,
                    int64_t o, int64_t p);

int64_t ipsft_add_alias(int64_t a, int64_t b);
int64_t ipsft_twice(int64_t x);
size_t ipsft_foreign(const char *s);

int ipsft_data_object = 7; /* not a function */

int64_t ipsft_add(int64_t a, int64_t b) { return a + b; }

/* every parameter type at once */
double ipsft_mix(int64_t i, double n, int b, const char *s) {
  return (double)i + n + (b ? 1000.0 : 0.0) + (double)strlen(s);
}

/* a C "bool" that is neither 0 nor 1: the VM must normalise it */
int ipsft_truthy(int64_t x) { return x ? 42 : 0; }

double ipsft_id(double x) { return x; }

/* returns its argument: the VM must copy it (the argument may die) */
const char *ipsft_echo(const char *s) { return s; }

const char *ipsft_pick(int64_t k) {
  static const char *const words[] = {"zéro", "one", "two"};
  return words[(uint64_t)k % 3u];
}

double ipsft_nan(double x) { return x * 0.0 + NAN; }
double ipsft_inf(double x) { return x > 0 ? INFINITY : -INFINITY; }
const char *ipsft_null(const char *s) { return s && *s == '\0' ? s : NULL; }
const char *ipsft_bad_utf8(const char *s) {
  (void)s;
  return "caf\xc3"; /* a truncated two-byte sequence */
}

/* longer than the 1 MiB a native may return */
const char *ipsft_huge(const char *s) {
  static char big[(1u << 20) + 2]; /* static: nothing to leak when unloaded */
  (void)s;
  memset(big, 'x', sizeof big - 1);
  return big;
}

int64_t ipsft_sum16(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f, int64_t g,
                    int64_t h, int64_t i, int64_t j, int64_t k, int64_t l, int64_t m, int64_t n,
                    int64_t o, int64_t p) {
  return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p;
}

/* another name for ipsft_add: the same definition, in this library */
int64_t ipsft_add_alias(int64_t a, int64_t b) __attribute__((alias("ipsft_add")));

/* an IFUNC whose resolver picks an implementation of this library */
static int64_t twice_impl(int64_t x) { return 2 * x; }
static int64_t (*resolve_twice(void))(int64_t) { return twice_impl; }
int64_t ipsft_twice(int64_t x) __attribute__((ifunc("resolve_twice")));

/* an IFUNC whose resolver hands out libc's strlen: defined here by name,
 * but the code that would run is another library's */
static size_t (*resolve_foreign(void))(const char *) { return strlen; }
size_t ipsft_foreign(const char *s) __attribute__((ifunc("resolve_foreign")));
