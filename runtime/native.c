/*
 * native.c -- binding a pack's native functions: the built-ins of the
 * native call path at link, the externs only when the evaluator allows
 * their libraries (ipsf_pack_bind_natives; docs/natives.md).
 *
 * A native runs with the evaluator's privileges, inside its process: a
 * pack must never make the evaluator run code it did not agree to.  So
 * loading a pack never opens a library.  An extern stays unbound (and
 * ipsf_eval_run refuses the pack, kind native) until the caller names its
 * library in the allowlist of ipsf_pack_bind_natives.  An allowlist entry
 * A allows the library L an extern names when A == L, or when their
 * basenames are equal; what is opened is A, as given: a path (with a '/')
 * is that file, a bare soname is searched by the dynamic loader.  So
 * `--allow-native build/libcvss.so` allows `extern "libcvss.so"` and says
 * exactly which file runs.
 *
 * What can be checked is: the library opens (dlopen, RTLD_NOW: every
 * undefined symbol of it resolved now, not at the first call), the symbol
 * exists, it is defined in the allowed object itself and not in one of
 * its dependencies (defined_in: allowing libcvss.so must not allow libc's
 * `system`), and it is a function rather than a data object (dladdr1's
 * ELF symbol type, where the loader knows it).  The parameter and result types
 * cannot be checked: C libraries do not record them.  A native with
 * another signature than its extern declares is undefined behaviour, as
 * in C; that is one more reason the allowlist exists.
 *
 * Each native gets its libffi call interface once, at link (ffi_prep_cif);
 * each library is opened once per bind, each symbol looked up once.  The
 * VM (vm.c, CALLN) then calls with no allocation.
 */
#define _GNU_SOURCE /* dladdr1 */
#include <dlfcn.h>
#ifndef __EMSCRIPTEN__
#include <link.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"
#include "util.h"

static ffi_type *ffi_type_of(uint8_t kind) {
  switch (kind) {
  case IPSF_K_INT: return &ffi_type_sint64;
  case IPSF_K_NUMBER: return &ffi_type_double;
  case IPSF_K_BOOL: return &ffi_type_sint;
  default: return &ffi_type_pointer; /* STRING (the verifier allows no other) */
  }
}

void ipsf_native_describe(const IpsfPack *p, uint32_t native, char *buf, size_t size) {
  const IpsfNative *n = &p->natives[native];
  if (n->library == IPSF_NONE)
    snprintf(buf, size, "built-in %s()", p->strings[n->symbol]);
  else if (strcmp(p->strings[n->name], p->strings[n->symbol]) == 0)
    snprintf(buf, size, "native %s() of '%s'", p->strings[n->name], p->strings[n->library]);
  else
    snprintf(buf, size, "native %s() (symbol %s of '%s')", p->strings[n->name],
             p->strings[n->symbol], p->strings[n->library]);
}

bool ipsf_native_link(IpsfPack *p) {
  p->natives_unbound = 0;
  if (p->native_count == 0) return true;
  IpsfNativeBinding *b = calloc(1, sizeof *b);
  if (!b) return false;
  p->native_binding = b;
  b->entries = calloc(p->native_count, sizeof *b->entries);
  if (!b->entries) return false;
  for (uint32_t i = 0; i < p->native_count; i++) {
    const IpsfNative *n = &p->natives[i];
    IpsfNativeEntry *e = &b->entries[i];
    for (uint32_t k = 0; k < n->param_count; k++) e->args[k] = ffi_type_of(n->params[k]);
    if (ffi_prep_cif(&e->cif, FFI_DEFAULT_ABI, n->param_count, ffi_type_of(n->result),
                     e->args) != FFI_OK)
      return false;
    if (n->library == IPSF_NONE)
      e->fn = ipsf_builtins[ipsf_builtin_find(p->strings[n->symbol])].fn; /* verified */
    else
      p->natives_unbound++;
  }
  return true;
}

void ipsf_native_free(IpsfPack *p) {
  IpsfNativeBinding *b = p->native_binding;
  if (!b) return;
  for (uint32_t i = 0; i < b->lib_count; i++) dlclose(b->libs[i]);
  free(b->libs);
  free(b->entries);
  free(b);
  p->native_binding = NULL;
}

static const char *base_name(const char *s) {
  const char *slash = strrchr(s, '/');
  return slash ? slash + 1 : s;
}

/* Index of the allowlist entry that allows `library`, or n. */
static size_t allowed_index(const char *library, const char *const *allowed, size_t n) {
  for (size_t j = 0; j < n; j++)
    if (allowed[j] && strcmp(allowed[j], library) == 0) return j;
  for (size_t j = 0; j < n; j++)
    if (allowed[j] && strcmp(base_name(allowed[j]), base_name(library)) == 0) return j;
  return n;
}

#ifdef __EMSCRIPTEN__
/* The WebAssembly build (web/, docs/playground.md) has no dynamic loader,
 * no ELF symbols and no link maps (dladdr1, dlinfo): there no library is
 * ever allowed (no --allow-native in the browser), so bind refuses every
 * extern before dlopen and these two are never reached. */
static bool is_data_object(void *addr) {
  (void)addr;
  return true;
}
static bool defined_in(void *handle, void *addr, const char **where) {
  (void)handle, (void)addr;
  *where = NULL;
  return false;
}
#else
/* Is the symbol at `addr` a data object rather than a function?  Only
 * when the dynamic loader can tell (an IFUNC's target may have no entry). */
static bool is_data_object(void *addr) {
  Dl_info info;
  const ElfW(Sym) *sym = NULL;
  if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym) return false;
  unsigned type = ELF64_ST_TYPE(sym->st_info);
  return type == STT_OBJECT || type == STT_TLS || type == STT_COMMON;
}

/* Confinement: is `addr` inside the object `handle` itself?  dlsym on a
 * handle searches the object and then, breadth first, every library it
 * depends on: `dlsym(libcvss, "system")` is libc's system.  The loader
 * knows which loaded object contains an address (dladdr1, its link_map);
 * that must be the allowed object's own link_map (dlinfo of the handle).
 * This holds for a plain definition, an alias of it, and an IFUNC whose
 * resolver picked an implementation of the library; it fails for a
 * symbol found in a dependency, and for one the library defines with an
 * absolute value or an IFUNC that points into another object.  When it
 * fails, *where is the basename of the object that does contain addr
 * (NULL when none does). */
static bool defined_in(void *handle, void *addr, const char **where) {
  struct link_map *own = NULL, *holder = NULL;
  Dl_info info;
  *where = NULL;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &own) != 0 || !own) return false;
  if (!dladdr1(addr, &info, (void **)&holder, RTLD_DL_LINKMAP) || !holder) return false;
  if (holder == own) return true;
  const char *name = holder->l_name && *holder->l_name ? holder->l_name : info.dli_fname;
  *where = name && *name ? base_name(name) : "the main program";
  return false;
}
#endif

bool ipsf_pack_bind_natives(IpsfPack *p, const char *const *allowed, size_t n, IpsfError *err) {
  if (!p) return ipsf_fail(err, IPSF_ERR_INTERNAL, "no pack");
  if (p->natives_unbound == 0) return true;
  IpsfNativeBinding *b = p->native_binding;
  /* handle[j]: allowed[j] opened in this call (NULL: not yet) */
  void **handle = calloc(n ? n : 1, sizeof *handle);
  void **libs = realloc(b->libs, ((size_t)b->lib_count + (n ? n : 1)) * sizeof *libs);
  if (!handle || !libs) {
    free(handle);
    if (libs) b->libs = libs;
    return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory binding native functions");
  }
  b->libs = libs;
  bool ok = true;
  for (uint32_t i = 0; i < p->native_count && ok; i++) {
    const IpsfNative *nt = &p->natives[i];
    IpsfNativeEntry *e = &b->entries[i];
    if (nt->library == IPSF_NONE || e->fn) continue;
    const char *lib = p->strings[nt->library], *name = p->strings[nt->name];
    const char *symbol = p->strings[nt->symbol];
    size_t j = allowed_index(lib, allowed, n);
    if (j == n) {
      ok = ipsf_fail(err, IPSF_ERR_NATIVE,
                     "native library '%s' is not allowed (extern fn %s calls it)", lib, name);
      break;
    }
    if (!handle[j]) {
      dlerror();
      handle[j] = dlopen(allowed[j], RTLD_NOW | RTLD_LOCAL);
      if (!handle[j]) {
        const char *why = dlerror();
        ok = ipsf_fail(err, IPSF_ERR_NATIVE,
                       "cannot load native library '%s' (for extern fn %s): %s", allowed[j],
                       name, why ? why : "unknown error");
        break;
      }
      b->libs[b->lib_count++] = handle[j];
    }
    dlerror();
    void *addr = dlsym(handle[j], symbol);
    if (!addr || dlerror()) {
      ok = ipsf_fail(err, IPSF_ERR_NATIVE,
                     "native library '%s' has no function '%s' (extern fn %s)", lib, symbol,
                     name);
      break;
    }
    const char *where;
    if (!defined_in(handle[j], addr, &where)) {
      ok = ipsf_fail(err, IPSF_ERR_NATIVE,
                     "native library '%s' does not define '%s' (extern fn %s): the symbol is "
                     "%s%s, not in the allowed library",
                     lib, symbol, name, where ? "found in " : "outside every loaded object",
                     where ? where : "");
      break;
    }
    if (is_data_object(addr)) {
      ok = ipsf_fail(err, IPSF_ERR_NATIVE,
                     "'%s' in native library '%s' is a data object, not a function (extern "
                     "fn %s)",
                     symbol, lib, name);
      break;
    }
    memcpy(&e->fn, &addr, sizeof e->fn); /* POSIX: a function's address */
    p->natives_unbound--;
  }
  free(handle);
  return ok;
}

bool ipsf_pack_needs_natives(const IpsfPack *p) { return p && p->natives_unbound != 0; }

int ipsf_native_check_string(const char *str, size_t max, size_t *len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (s[i]) {
    if (i >= max) return 2;
    /* The string's length is unknown until its NUL: ipsf_utf8_seq reads
     * continuation bytes in order and stops at the first bad one (a NUL),
     * so it never reads past the end. */
    size_t n = ipsf_utf8_seq(s + i, SIZE_MAX);
    if (!n) return 1;
    i += n;
  }
  if (i > max) return 2;
  *len = i;
  return 0;
}
