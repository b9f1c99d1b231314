/*
 * arith.h -- the one definition of int and number arithmetic.
 *
 * The VM (runtime/vm.c, the arithmetic opcodes), constant folding
 * (compiler/fold.c) and the analyzer's evaluator (compiler/analyze_eval.c)
 * all compute through these functions, so a constant expression, the same
 * values read from facts, and the analyzer's reasoning about them cannot
 * disagree.  docs/language.md ("Arithmetic") is the user's view.
 *
 * Each operation writes its result and returns IPSF_ARITH_OK, or returns
 * why it raises (and writes nothing).  The semantics:
 *
 *   int     exact or an error: a result beyond 64 bits is OVERFLOW (never a
 *           wrap-around); `/` truncates toward zero; `%` has the sign of the
 *           dividend; `/` or `%` by 0 is DIVZERO; INT64_MIN / -1 is
 *           OVERFLOW but INT64_MIN % -1 is 0 (the remainder exists; C leaves
 *           it undefined only because the quotient does not).
 *   number  IEEE double, and every result must be finite: `/` or `%` by
 *           0.0 or -0.0 is DIVZERO, an infinite or NaN result NONFINITE.
 *           `%` is fmod (the sign of the dividend).  Negation and abs
 *           cannot raise (operands are always finite).
 *
 * The compiler folds a constant expression only when its evaluation here
 * returns OK (Lua's validop rule): an expression that would raise is left
 * to run time, where it is an `arithmetic` error record, exactly as if its
 * operands had come from facts.
 *
 * No dependency beyond the C library headers below, so any file can
 * include it; everything is static inline and compiles to the same code
 * the VM had inline.
 */
#ifndef IPSF_ARITH_H
#define IPSF_ARITH_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
  IPSF_ARITH_OK = 0,
  IPSF_ARITH_OVERFLOW,  /* an int result beyond 64 bits */
  IPSF_ARITH_DIVZERO,   /* `/` or `%` by zero (int 0, number +-0.0) */
  IPSF_ARITH_NONFINITE  /* a number result that is infinite or NaN */
} IpsfArithStatus;

/* The binary operators, in the order of the language's `+ - * / %`. */
typedef enum { IPSF_ARITH_ADD, IPSF_ARITH_SUB, IPSF_ARITH_MUL, IPSF_ARITH_DIV, IPSF_ARITH_MOD } IpsfArithOp;

/* The words of an `arithmetic` error record (the VM appends "in 'OP' at
 * FILE:LINE:COL"); NULL for IPSF_ARITH_OK.  The VM writes the same words
 * as constants per opcode: choosing them from the status inside the
 * dispatch loop cost it registers (9% of bench/evalonly). */
static inline const char *ipsf_arith_message(IpsfArithStatus s) {
  switch (s) {
  case IPSF_ARITH_OVERFLOW: return "integer overflow";
  case IPSF_ARITH_DIVZERO: return "division by zero";
  case IPSF_ARITH_NONFINITE: return "non-finite number result";
  default: return 0;
  }
}

/* ---- int ------------------------------------------------------------------------ */

static inline IpsfArithStatus ipsf_addi(int64_t a, int64_t b, int64_t *r) {
#if defined(__GNUC__)
  return __builtin_add_overflow(a, b, r) ? IPSF_ARITH_OVERFLOW : IPSF_ARITH_OK;
#else
  if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return IPSF_ARITH_OVERFLOW;
  *r = a + b;
  return IPSF_ARITH_OK;
#endif
}

static inline IpsfArithStatus ipsf_subi(int64_t a, int64_t b, int64_t *r) {
#if defined(__GNUC__)
  return __builtin_sub_overflow(a, b, r) ? IPSF_ARITH_OVERFLOW : IPSF_ARITH_OK;
#else
  if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b)) return IPSF_ARITH_OVERFLOW;
  *r = a - b;
  return IPSF_ARITH_OK;
#endif
}

static inline IpsfArithStatus ipsf_muli(int64_t a, int64_t b, int64_t *r) {
#if defined(__GNUC__)
  return __builtin_mul_overflow(a, b, r) ? IPSF_ARITH_OVERFLOW : IPSF_ARITH_OK;
#else
  if (a == 0 || b == 0) {
    *r = 0;
    return IPSF_ARITH_OK;
  }
  if (a > 0 ? (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a)
            : (b > 0 ? a < INT64_MIN / b : a < INT64_MAX / b))
    return IPSF_ARITH_OVERFLOW;
  *r = a * b;
  return IPSF_ARITH_OK;
#endif
}

static inline IpsfArithStatus ipsf_divi(int64_t a, int64_t b, int64_t *r) {
  if (b == 0) return IPSF_ARITH_DIVZERO;
  if (b == -1 && a == INT64_MIN) return IPSF_ARITH_OVERFLOW;
  *r = a / b;
  return IPSF_ARITH_OK;
}

static inline IpsfArithStatus ipsf_modi(int64_t a, int64_t b, int64_t *r) {
  if (b == 0) return IPSF_ARITH_DIVZERO;
  *r = b == -1 ? 0 : a % b; /* INT64_MIN % -1 is 0, not a trap */
  return IPSF_ARITH_OK;
}

static inline IpsfArithStatus ipsf_negi(int64_t a, int64_t *r) {
  if (a == INT64_MIN) return IPSF_ARITH_OVERFLOW;
  *r = -a;
  return IPSF_ARITH_OK;
}

static inline IpsfArithStatus ipsf_absi(int64_t a, int64_t *r) {
  if (a == INT64_MIN) return IPSF_ARITH_OVERFLOW;
  *r = a < 0 ? -a : a;
  return IPSF_ARITH_OK;
}

/* ---- number --------------------------------------------------------------------- */

static inline IpsfArithStatus ipsf_finite(double x, double *r) {
  if (!isfinite(x)) return IPSF_ARITH_NONFINITE;
  *r = x;
  return IPSF_ARITH_OK;
}

static inline IpsfArithStatus ipsf_addn(double a, double b, double *r) { return ipsf_finite(a + b, r); }
static inline IpsfArithStatus ipsf_subn(double a, double b, double *r) { return ipsf_finite(a - b, r); }
static inline IpsfArithStatus ipsf_muln(double a, double b, double *r) { return ipsf_finite(a * b, r); }

static inline IpsfArithStatus ipsf_divn(double a, double b, double *r) {
  if (b == 0.0) return IPSF_ARITH_DIVZERO;
  return ipsf_finite(a / b, r);
}

static inline IpsfArithStatus ipsf_modn(double a, double b, double *r) {
  if (b == 0.0) return IPSF_ARITH_DIVZERO;
  return ipsf_finite(fmod(a, b), r);
}

/* ---- by operator (for the compiler, which holds the operator as data) ------------- */

static inline IpsfArithStatus ipsf_arith_int(IpsfArithOp op, int64_t a, int64_t b, int64_t *r) {
  switch (op) {
  case IPSF_ARITH_ADD: return ipsf_addi(a, b, r);
  case IPSF_ARITH_SUB: return ipsf_subi(a, b, r);
  case IPSF_ARITH_MUL: return ipsf_muli(a, b, r);
  case IPSF_ARITH_DIV: return ipsf_divi(a, b, r);
  default: return ipsf_modi(a, b, r);
  }
}

static inline IpsfArithStatus ipsf_arith_num(IpsfArithOp op, double a, double b, double *r) {
  switch (op) {
  case IPSF_ARITH_ADD: return ipsf_addn(a, b, r);
  case IPSF_ARITH_SUB: return ipsf_subn(a, b, r);
  case IPSF_ARITH_MUL: return ipsf_muln(a, b, r);
  case IPSF_ARITH_DIV: return ipsf_divn(a, b, r);
  default: return ipsf_modn(a, b, r);
  }
}

#endif
