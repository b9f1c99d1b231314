/*
 * inspect.c -- `ipsfc inspect PACK.ipsb`: metadata, digest, signature, sizes.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "escape.h"
#include "pack.h"
#include "report.h"

static const char help[] =
    "usage: ipsfc inspect PACK.ipsb [--format text|json]\n\n"
    "Load and verify a compiled pack and print its metadata, content digest,\n"
    "signature state, the sizes of its tables (with the number of tests\n"
    "compiled in by 'compile --with-tests'), the usage profiles it declares,\n"
    "the cost bound the verifier proved for one evaluation and the native\n"
    "functions it calls (externs with their library and symbol).\n\n"
    "options:\n"
    "      --format FMT    text (default) or json\n"
    "      --max-cost N    the limit to load under and print (default\n"
    "                      32000000; K, M, G suffixes)\n"
    "  -h, --help          this text\n\n"
    "exit: 0 printed; 2 usage; 3 the pack cannot be read or verified.\n\n"
    "example:\n"
    "  ipsfc inspect smart-home.ipsb --format json\n";

typedef struct {
  const char *key;
  const char *value; /* NULL: absent */
} Field;

typedef struct {
  const char *key;
  uint64_t value;
} Size;

/* The native functions the pack calls: externs (library and symbol) and
 * built-ins on the native call path. */
static void natives_json(IpsfBuf *b, const IpsfPack *p) {
  ipsf_buf_puts(b, "  \"natives\": [");
  for (uint32_t i = 0; i < p->native_count; i++) {
    const IpsfNative *n = &p->natives[i];
    ipsf_buf_puts(b, i ? ", {\"name\": " : "{\"name\": ");
    ipsf_buf_json_string(b, ipsf_str(p, n->name));
    ipsf_buf_puts(b, ", \"library\": ");
    ipsf_buf_json_string(b, ipsf_str(p, n->library));
    ipsf_buf_puts(b, ", \"symbol\": ");
    ipsf_buf_json_string(b, ipsf_str(p, n->symbol));
    ipsf_buf_puts(b, "}");
  }
  ipsf_buf_puts(b, "]\n");
}

/* The usage profiles the pack declares, only when it declares any (so the
 * output of other packs is unchanged): after "natives", which then takes
 * a comma. */
static void profiles_json(IpsfBuf *b, const IpsfPack *p) {
  if (!p->profile_count) return;
  if (b->len && b->data[b->len - 1] == '\n') b->len--, b->data[b->len] = '\0';
  ipsf_buf_puts(b, ",\n  \"profiles\": [");
  for (uint32_t i = 0; i < p->profile_count; i++) {
    ipsf_buf_puts(b, i ? ", {\"name\": " : "{\"name\": ");
    ipsf_buf_json_string(b, ipsf_pack_profile_name(p, i));
    ipsf_buf_puts(b, ", \"title\": ");
    ipsf_buf_json_string(b, ipsf_pack_profile_title(p, i));
    ipsf_buf_puts(b, ", \"items\": ");
    ipsf_buf_printf(b, "%u}", p->profiles[i].item_count);
  }
  ipsf_buf_puts(b, "]\n");
}

/* A string of the pack, escaped for a terminal (escape.h). */
static void put_text(IpsfBuf *b, const char *s) {
  if (s) ipsf_escape_buf(b, s, strlen(s), 0);
}

static void profiles_text(IpsfBuf *b, const IpsfPack *p) {
  if (!p->profile_count) return;
  ipsf_buf_puts(b, "profiles       ");
  for (uint32_t i = 0; i < p->profile_count; i++) {
    ipsf_buf_puts(b, i ? ", " : " ");
    put_text(b, ipsf_pack_profile_name(p, i));
  }
  ipsf_buf_puts(b, "\n");
}

static void natives_text(IpsfBuf *b, const IpsfPack *p) {
  if (!p->native_count) return;
  ipsf_buf_puts(b, "natives        ");
  for (uint32_t i = 0; i < p->native_count; i++) {
    const IpsfNative *n = &p->natives[i];
    ipsf_buf_puts(b, i ? ", " : " ");
    put_text(b, ipsf_str(p, n->name));
    if (n->library == IPSF_NONE) {
      ipsf_buf_puts(b, " (built-in)");
      continue;
    }
    ipsf_buf_puts(b, " (");
    put_text(b, ipsf_str(p, n->library));
    ipsf_buf_puts(b, ": ");
    put_text(b, ipsf_str(p, n->symbol));
    ipsf_buf_puts(b, ")");
  }
  ipsf_buf_puts(b, "\n");
}

/* The verifier's bound of one evaluation (docs/security.md). */
static void cost_json(IpsfBuf *b, const IpsfCost *c) {
  ipsf_buf_printf(b,
                  "  \"cost\": {\"total\": %llu, \"limit\": %llu, \"instructions\": %llu, "
                  "\"string_bytes\": %llu, \"scratch_bytes\": %llu, \"report_bytes\": %llu},\n",
                  (unsigned long long)c->total, (unsigned long long)cli_max_cost,
                  (unsigned long long)c->instructions, (unsigned long long)c->string_bytes,
                  (unsigned long long)c->scratch_bytes, (unsigned long long)c->report_bytes);
}

static void cost_text(IpsfBuf *b, const IpsfCost *c) {
  ipsf_buf_printf(b,
                  "cost            %llu of at most %llu (instructions %llu, string bytes %llu, "
                  "scratch bytes %llu, report bytes %llu)\n",
                  (unsigned long long)c->total, (unsigned long long)cli_max_cost,
                  (unsigned long long)c->instructions, (unsigned long long)c->string_bytes,
                  (unsigned long long)c->scratch_bytes, (unsigned long long)c->report_bytes);
}

static void print_json(IpsfBuf *b, const Field *f, size_t nf, const Size *s, size_t ns) {
  ipsf_buf_puts(b, "{\n");
  for (size_t i = 0; i < nf; i++) {
    ipsf_buf_printf(b, "  \"%s\": ", f[i].key);
    ipsf_buf_json_string(b, f[i].value);
    ipsf_buf_puts(b, ",\n");
  }
  ipsf_buf_puts(b, "  \"sizes\": {");
  for (size_t i = 0; i < ns; i++)
    ipsf_buf_printf(b, "%s\"%s\": %llu", i ? ", " : "", s[i].key, (unsigned long long)s[i].value);
  ipsf_buf_puts(b, "},\n");
}

static void print_text(IpsfBuf *b, const Field *f, size_t nf, const Size *s, size_t ns) {
  for (size_t i = 0; i < nf; i++)
    if (f[i].value) {
      ipsf_buf_printf(b, "%-15s ", f[i].key);
      put_text(b, f[i].value);
      ipsf_buf_puts(b, "\n");
    }
  ipsf_buf_puts(b, "sizes           ");
  for (size_t i = 0; i < ns; i++)
    ipsf_buf_printf(b, "%s%s %llu", i ? ", " : "", s[i].key, (unsigned long long)s[i].value);
  ipsf_buf_puts(b, "\n");
}

int cmd_inspect(int argc, char **argv) {
  static const struct option opts[] = {{"format", required_argument, 0, 'f'},
                                       {"max-cost", required_argument, 0, 'C'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  bool json = false;
  int c, status = EXIT_OK;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'f':
      if (strcmp(optarg, "json") == 0) json = true;
      else if (strcmp(optarg, "text") != 0)
        return cli_usage("inspect", "unknown format '%s' (text, json)", optarg);
      break;
    case 'C':
      if (cli_parse_max_cost("inspect", optarg) != EXIT_OK) return EXIT_USAGE;
      break;
    case 'h': return cli_help(help);
    case ':': return cli_usage("inspect", "%s needs an argument", argv[optind - 1]);
    default: return cli_usage("inspect", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1) return cli_usage("inspect", "expected one PACK.ipsb");
  const char *path = argv[optind];
  if (!cli_is_bytecode(path)) return cli_usage("inspect", "%s is not a .ipsb file", path);
  StrList none = {0};
  IpsfPack *p = cli_load_pack(path, &none, &status);
  if (!p) return status;
  struct stat st;
  uint64_t bytes = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
  char digest[7 + 64 + 1] = "sha256:", format[16];
  for (int i = 0; i < 32; i++) snprintf(digest + 7 + 2 * i, 3, "%02x", p->digest[i]);
  snprintf(format, sizeof format, "%u", IPSB_FORMAT_VERSION);
  char signer[IPSF_KEY_ID_SIZE] = "";
  const char *signer_id = NULL, *signature = "none";
  if (ipsf_pack_is_signed(p)) {
    ipsf_key_id(ipsf_pack_signer(p), signer);
    signer_id = signer;
    /* Valid means: made by the key in the trailer.  Whether that key is
     * trusted is for `ipsfc verify --pubkey` to say. */
    signature = ipsf_pack_signature_valid(p)
                    ? "ed25519, valid (signer not checked: use 'ipsfc verify --pubkey')"
                    : "ed25519, INVALID (does not match the digest)";
  }
  const Field fields[] = {
#define META_FIELD(field, from_entry) {#field, ipsf_str(p, p->meta.field)},
      IPSF_META(META_FIELD)
#undef META_FIELD
      {"format_version", format},
      {"digest", digest},
      {"signature", signature},
      {"signer_key_id", signer_id},
  };
  const Size sizes[] = {
      {"bytes", bytes},
      {"facts", p->fact_count},
      {"scales", p->scale_count},
      {"rules", p->rule_count},
      {"requirements", p->requirement_count},
      {"instructions", p->code_count},
      {"constants", p->const_count},
      {"strings", p->string_count},
      {"tests", ipsf_pack_test_count(p)}, /* last: shown only when compiled in */
  };
  IpsfBuf b;
  ipsf_buf_init(&b);
  size_t nf = sizeof fields / sizeof fields[0], ns = sizeof sizes / sizeof sizes[0];
  if (ipsf_pack_test_count(p) == 0) ns--; /* compile --with-tests: `tests N` */
  if (json) {
    print_json(&b, fields, nf, sizes, ns);
    cost_json(&b, ipsf_pack_cost(p));
    natives_json(&b, p);
    profiles_json(&b, p);
    ipsf_buf_puts(&b, "}\n");
  } else {
    print_text(&b, fields, nf, sizes, ns);
    cost_text(&b, ipsf_pack_cost(p));
    natives_text(&b, p);
    profiles_text(&b, p);
  }
  /* A lost write is reported by main (cli_finish_stdout), from ferror. */
  if (b.failed) cli_error("inspect", "out of memory");
  bool ok = !b.failed && ipsf_buf_flush(&b, stdout);
  ipsf_buf_free(&b);
  ipsf_pack_free(p);
  return ok ? EXIT_OK : EXIT_INTERNAL;
}
