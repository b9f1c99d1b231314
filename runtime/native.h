/*
 * native.h -- native functions bound to a pack (private header; see
 * native.c and docs/natives.md).
 *
 * The binding is made once per loaded pack: a libffi call interface per
 * native function (ffi_prep_cif at link), its function pointer (the
 * built-in's at link; an extern's by ipsf_pack_bind_natives: dlopen of an
 * allowed library, dlsym), the library handles.  It is read-only once
 * bound, so evaluation contexts on many threads may call through it.
 */
#ifndef IPSF_NATIVE_H
#define IPSF_NATIVE_H

#include <ffi.h>

#include "builtins.h"
#include "pack.h"

typedef struct {
  IpsfNativeFn fn;                          /* NULL: an extern not bound yet */
  ffi_cif cif;                              /* prepared once, at link */
  ffi_type *args[IPSF_MAX_NATIVE_PARAMS];   /* the cif's argument types */
} IpsfNativeEntry;

struct IpsfNativeBinding {
  IpsfNativeEntry *entries; /* per native of the pack */
  void **libs;              /* dlopen handles, closed by ipsf_native_free */
  uint32_t lib_count;
};

/* One argument as the callee receives it (avalues point at these). */
typedef union {
  int64_t i;     /* INT */
  double n;      /* NUMBER */
  int b;         /* BOOL: 0 or 1 */
  const char *s; /* STRING: NUL-terminated UTF-8, valid during the call only */
} IpsfNativeArg;

/* The longest string a native may return (bytes, without the NUL). */
#define IPSF_NATIVE_MAX_STRING (1u << 20)

/* Strict UTF-8 (as the loader's: no overlong forms, no surrogates, nothing
 * above U+10FFFF) of a NUL-terminated string of at most `max` bytes.
 * Returns 0 and sets *len if valid; 1 if invalid; 2 if longer than max. */
int ipsf_native_check_string(const char *s, size_t max, size_t *len);

/* "cvss_base (symbol cvss31_base_score of libcvss.so)" or "built-in
 * floor()", for messages. */
void ipsf_native_describe(const IpsfPack *p, uint32_t native, char *buf, size_t size);

#endif
