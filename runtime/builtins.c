/*
 * builtins.c -- the rows of the built-in table (builtins.h) and the C
 * functions of the built-ins that run through the native call path.
 */
#include <math.h>

#include "builtins.h"

const IpsfBuiltin ipsf_builtins[IPSF_BI__COUNT] = {
#define IPSF_BI_ROW(id, name, params, max, result, inl, fn) \
  [IPSF_BI_##id] = {name, params, (uint8_t)(sizeof params - 1), max, result, inl, fn},
    IPSF_BUILTINS(IPSF_BI_ROW)
#undef IPSF_BI_ROW
};

IpsfBuiltinId ipsf_builtin_find(const char *name) {
  for (int b = 0; b < IPSF_BI__COUNT; b++)
    if (strcmp(ipsf_builtins[b].name, name) == 0) return (IpsfBuiltinId)b;
  return IPSF_BI__COUNT;
}

/* Strings in the VM are valid UTF-8 (verified constants, checked sheets,
 * checked native results), so counting the bytes that do not continue a
 * sequence counts code points. */
int64_t ipsf_bi_length(const char *s) {
  int64_t n = 0;
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) n += (*c & 0xC0) != 0x80;
  return n;
}

/* Finite in, finite out: these three are total on the VM's numbers. */
double ipsf_bi_floor(double x) { return floor(x); }
double ipsf_bi_ceil(double x) { return ceil(x); }
double ipsf_bi_round(double x) { return round(x); }
