/*
 * ffi.h -- the part of libffi's API the runtime uses (runtime/native.h,
 * runtime/vm.c CALLN), for the WebAssembly build only (docs/playground.md).
 *
 * Debian's libffi (3.4.4) has no wasm32 port, and in the browser no
 * library can be loaded: ipsf_pack_bind_natives refuses every extern (no
 * --allow-native there), so the only natives CALLN ever calls are the
 * built-ins of runtime/builtins.h called through the native path (length,
 * floor, ceil, round) -- and, for completeness, the other built-in
 * signatures.  WebAssembly checks a function's type at every indirect call,
 * so ffi_call casts the pointer to the exact C type the cif describes; a
 * signature that no built-in has is never prepared by a pack that runs
 * (its extern is refused before any evaluation) and traps if it were.
 *
 * Invariant: ffi_prep_cif only records the types; ffi_call dispatches on
 * (result, parameters) as letters: j int64_t, d double, i int, p pointer.
 * Included as <ffi.h> through -Iweb/shim by the wasm build alone.
 */
#ifndef IPSF_WEB_FFI_SHIM_H
#define IPSF_WEB_FFI_SHIM_H

#include <stdint.h>
#include <string.h>

typedef struct {
  char letter; /* j, d, i, p */
} ffi_type;

typedef enum { FFI_OK = 0, FFI_BAD_TYPEDEF, FFI_BAD_ABI } ffi_status;
typedef enum { FFI_DEFAULT_ABI = 0 } ffi_abi;
typedef uint64_t ffi_arg;
typedef int64_t ffi_sarg;

typedef struct {
  unsigned nargs;
  ffi_type *rtype;
  ffi_type **arg_types;
  char sig[20]; /* result letter, then one per parameter, NUL */
} ffi_cif;

static __attribute__((unused)) ffi_type ffi_type_sint64 = {'j'};
static __attribute__((unused)) ffi_type ffi_type_double = {'d'};
static __attribute__((unused)) ffi_type ffi_type_sint = {'i'};
static __attribute__((unused)) ffi_type ffi_type_pointer = {'p'};

static inline ffi_status ffi_prep_cif(ffi_cif *cif, ffi_abi abi, unsigned nargs, ffi_type *rtype,
                                      ffi_type **atypes) {
  (void)abi;
  if (nargs + 2 > sizeof cif->sig) return FFI_BAD_TYPEDEF;
  cif->nargs = nargs;
  cif->rtype = rtype;
  cif->arg_types = atypes;
  cif->sig[0] = rtype->letter;
  for (unsigned k = 0; k < nargs; k++) cif->sig[k + 1] = atypes[k]->letter;
  cif->sig[nargs + 1] = '\0';
  return FFI_OK;
}

/* rvalue: at least 8 bytes; an int result is widened to ffi_arg as libffi
 * does. */
static inline void ffi_call(ffi_cif *cif, void (*fn)(void), void *rvalue, void **avalue) {
  const char *s = cif->sig;
  if (strcmp(s, "jp") == 0) { /* length */
    int64_t r = ((int64_t(*)(const char *))fn)(*(const char **)avalue[0]);
    memcpy(rvalue, &r, sizeof r);
  } else if (strcmp(s, "dd") == 0) { /* floor, ceil, round */
    double r = ((double (*)(double))fn)(*(double *)avalue[0]);
    memcpy(rvalue, &r, sizeof r);
  } else if (strcmp(s, "ipp") == 0) { /* starts_with, ends_with, contains */
    ffi_sarg r = ((int (*)(const char *, const char *))fn)(*(const char **)avalue[0],
                                                           *(const char **)avalue[1]);
    memcpy(rvalue, &r, sizeof r);
  } else {
    __builtin_trap(); /* unreachable: see the header comment */
  }
}

#endif
