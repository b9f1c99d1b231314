/*
 * common.c -- helpers shared by the verbs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "compile.h"
#include "escape.h"

void strlist_push(StrList *l, const char *s) {
  l->items = xrealloc_array(l->items, l->count + 1, sizeof *l->items);
  l->items[l->count++] = s;
}

void strlist_free(StrList *l) {
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

/* The message formatted, then escaped as a whole: it quotes paths, names
 * and messages that packs and sheets chose. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
static void vmessage(const char *verb, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (verb) fprintf(stderr, "ipsfc %s: ", verb);
  else fputs("ipsfc: ", stderr);
  if (n > 0) {
    char *text = xmalloc((size_t)n + 1);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    ipsf_escape_file(stderr, text, (size_t)n, 0);
    free(text);
  }
  fputc('\n', stderr);
}

void cli_error(const char *verb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage(verb, fmt, ap);
  va_end(ap);
}

int cli_usage(const char *verb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vmessage(verb, fmt, ap);
  va_end(ap);
  fprintf(stderr, "(see 'ipsfc %s --help')\n", verb);
  return EXIT_USAGE;
}

/* ---- output that cannot be written ------------------------------------------ */

void cli_guard_std_fds(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    /* Read-only: a write to it fails (EBADF), as it did on the closed fd. */
    int got = open("/dev/null", O_RDONLY);
    if (got >= 0 && got != fd) close(got); /* cannot happen: the lowest free fd is fd */
  }
}

void cli_write_error(int err) {
  fprintf(stderr, "ipsfc: write error: %s\n", strerror(err ? err : EIO));
}

int cli_finish_stdout(int status) {
  int err = errno; /* a failed fwrite earlier left its reason here */
  bool bad = ferror(stdout) != 0;
  if (fflush(stdout) != 0) err = errno, bad = true;
  if (fclose(stdout) != 0 && !bad) err = errno, bad = true;
  if (!bad) return status;
  cli_write_error(err);
  return EXIT_INTERNAL;
}

bool cli_write_all(int fd, const char *data, size_t len, int *err) {
  while (len) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *err = n < 0 ? errno : EIO;
      return false;
    }
    data += n;
    len -= (size_t)n;
  }
  return true;
}

static bool write_in_place(const char *verb, const char *given, const void *data, size_t len) {
  int err = 0;
  int fd = open(given, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
  } else {
    cli_write_all(fd, data, len, &err);
    if (close(fd) != 0 && !err) err = errno;
  }
  if (err) cli_error(verb, "cannot write %s: %s", given, strerror(err));
  return err == 0;
}

bool cli_write_file(const char *verb, const char *given, const void *data, size_t len,
                    mode_t mode, bool exclusive) {
  /* A device or a pipe (-o /dev/null, -o /dev/stdout, a FIFO) is written
   * in place: renaming a temporary file over it would replace the device
   * with a regular file (as root, /dev/null itself). */
  struct stat target;
  if (!exclusive && stat(given, &target) == 0 && !S_ISREG(target.st_mode) &&
      !S_ISDIR(target.st_mode))
    return write_in_place(verb, given, data, len);
  /* A symbolic link is followed: its target is replaced, the link stays. */
  char *real = exclusive ? NULL : realpath(given, NULL);
  const char *path = real ? real : given;
  size_t n = strlen(path);
  char *tmp = xmalloc(n + 16);
  snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
  int err = 0;
  int fd = mkstemp(tmp);
  if (fd < 0) {
    err = errno;
  } else {
    mode_t mask = umask(0);
    umask(mask);
    struct stat st;
    mode_t want = !exclusive && stat(path, &st) == 0 ? st.st_mode & 07777 : mode & ~mask;
    if (fchmod(fd, want) != 0) err = errno;
    if (!err) cli_write_all(fd, data, len, &err);
    if (close(fd) != 0 && !err) err = errno;
    /* exclusive: link(2) fails if the target exists, and never replaces it */
    if (!err && (exclusive ? link(tmp, path) : rename(tmp, path)) != 0) err = errno;
    if (err || exclusive) unlink(tmp);
  }
  if (err)
    cli_error(verb, "cannot %s %s: %s", err == EEXIST ? "create" : "write", given, strerror(err));
  free(tmp);
  free(real);
  return err == 0;
}

int cli_help(const char *text) {
  fputs(text, stdout);
  return EXIT_OK;
}

bool cli_color(FILE *f) {
  const char *no_color = getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return isatty(fileno(f)) != 0;
}

uint64_t cli_max_cost = IPSF_DEFAULT_MAX_COST;

int cli_parse_max_cost(const char *verb, const char *arg) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(arg, &end, 10);
  unsigned long long unit = 1;
  if (*end == 'K') unit = 1000ull, end++;
  else if (*end == 'M') unit = 1000000ull, end++;
  else if (*end == 'G') unit = 1000000000ull, end++;
  if (*arg < '0' || *arg > '9' || *end || errno || n == 0 || n > UINT64_MAX / unit)
    return cli_usage(verb, "--max-cost takes a whole number of at least 1 (K, M, G: "
                           "thousands, millions, billions), not '%s'", arg);
  cli_max_cost = n * unit;
  return EXIT_OK;
}

/* By the magic of the format (runtime/ipsb.c), whatever the name (a pack
 * without extension), or by the extension .ipsb in any case (EV.IPSB): a
 * damaged .ipsb then gets the loader's "bad magic", not source errors. */
bool cli_is_bytecode(const char *path) {
  static const unsigned char magic[8] = {0x89, 'I', 'P', 'S', 'B', '\r', '\n', 0x1a};
  FILE *f = fopen(path, "rb");
  if (f) {
    unsigned char head[8];
    struct stat st;
    bool dir = fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode);
    size_t got = dir ? 0 : fread(head, 1, sizeof head, f);
    fclose(f);
    if (got == sizeof head && memcmp(head, magic, sizeof magic) == 0) return true;
  }
  size_t n = strlen(path);
  return n >= 5 && strcasecmp(path + n - 5, ".ipsb") == 0;
}

IpsfPack *cli_load_pack(const char *path, const StrList *import_dirs, int *exit_code) {
  IpsfError err = {0};
  IpsfPack *pack = NULL;
  if (cli_is_bytecode(path)) {
    pack = ipsf_pack_load_file_limited(path, cli_max_cost, &err);
  } else {
    CompileOptions opt = {.import_dirs = import_dirs->items,
                          .import_dir_count = import_dirs->count};
    Compilation *c = compilation_new(&opt);
    uint8_t *bytes = NULL;
    size_t len = 0;
    bool ok = compile_pack(c, path, &bytes, &len);
    Diags *d = compilation_diags(c);
    diags_sort(d);
    diags_print(d, stderr, cli_color(stderr));
    compilation_free(c);
    if (!ok) {
      *exit_code = EXIT_INPUT;
      return NULL;
    }
    pack = ipsf_pack_load_limited(bytes, len, cli_max_cost, &err);
    free(bytes);
  }
  if (!pack) {
    /* The loader's message may name the file already ("cannot read 'x'"). */
    if (strstr(err.message, path)) cli_error(NULL, "%s", err.message);
    else cli_error(NULL, "%s: %s", path, err.message);
    *exit_code = err.kind == IPSF_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
  }
  return pack;
}

void cli_warn_bad_signature(const char *verb, const char *path, const IpsfPack *pack) {
  if (!ipsf_pack_is_signed(pack) || ipsf_pack_signature_valid(pack)) return;
  cli_error(verb,
            "warning: %s: invalid signature (it does not match the pack's digest under "
            "the key it names): evaluating anyway; --require-signature KEY refuses such "
            "a pack",
            path);
}

void cli_native_refused(const char *verb, const char *path, const char *what,
                        const IpsfError *err) {
  cli_error(verb, "%s: %s: %s", path, what, err->message);
  /* The refusal of runtime/native.c for a library not allowed. */
  if (err->kind == IPSF_ERR_NATIVE && strstr(err->message, "' is not allowed ("))
    fprintf(stderr,
            "ipsfc %s: note: the pack names this library itself; natives run with your privileges: "
            "allow only a library you trust, by its path (--allow-native PATH)\n",
            verb);
}
