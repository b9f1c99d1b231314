/*
 * doc.h -- the guideline of a rule pack (`ipsfc doc`): what a reader of
 * the published document needs, gathered from a compiled pack into one
 * model (doc.c), the category matrix computed by the static analysis
 * (doc_cells.c), and written as HTML (doc_html.c) or Markdown (doc_md.c).
 *
 *   DocModel *m = doc_new();
 *   Compilation *c = compilation_new(&opt);
 *   if (!doc_from_source(m, c, "pack.ipsf")) ... print c's diagnostics, exit 3 ...
 *                                             (m owns c from here)
 *   ipsf_pack_bind_natives(m->pack, ...);            // if it calls natives
 *   doc_place_tests(m);
 *   doc_add_sheet(m, "dev.json", text, len, &err);   // --devices, any number
 *   IpsfBuf b; ipsf_buf_init(&b); doc_html(m, &b);
 *   doc_free(m);
 *
 * From source the model holds everything; from bytecode (doc_from_pack)
 * only what the pack carries (DocModel.from_source false): no condition
 * texts, no doc texts, defaults, confirm lines, tests or matrix analysis,
 * and of the catalogs only those the pack cites (its CATALOGS section);
 * the writers say so in the document.
 *
 * Every string is the pack's or a sheet's own text, unescaped: the writers
 * escape all of them.  The model is deterministic: the same pack (and
 * sheets, in the same order) gives the same model, hence the same bytes.
 */
#ifndef IPSF_DOC_H
#define IPSF_DOC_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "arena.h"
#include "compile.h"
#include "ipsf.h"
#include "report.h"

typedef struct {
  const char *name, *type, *deflt, *doc; /* deflt NULL: required; doc NULL: none */
  const char **values;                   /* enum and set of enum: allowed values in order */
  size_t value_count;
  bool unordered;
  bool likelihood; /* `likelihood`: kept out of the axes (from source) */
} DocFact;

typedef struct {
  const char *name, *kind;               /* kind: "type", "scale", "axis 1", "axis 2" */
  const char **values;
  size_t value_count;
} DocType;

typedef struct {
  const char *level, *cond, *because, *at; /* cond NULL: from bytecode; because NULL: none */
} DocRule;

typedef struct {
  const char *scale, *policy, *otherwise, *at; /* otherwise NULL: none */
  int axis;
  DocRule *rules;
  size_t rule_count;
} DocRules;

typedef struct {
  const char *text;           /* "method" or "method every N months" */
  const char *when;           /* NULL: always */
} DocConfirm;

typedef struct {
  const char *text;                      /* as the eval record carries it */
  const char *clause, *title, *status;   /* of a catalog provision, or NULL */
} DocRef;

typedef struct {
  const char *id, *title, *viewpoint, *applies, *party, *doc, *at; /* applies NULL: always */
  DocConfirm *confirms;
  size_t confirm_count;
  DocRef *refs;
  size_t ref_count;
} DocReq;

typedef struct {
  const char *id, *clause, *title, *status;
  const char **by;                       /* the requirements that reference it */
  size_t by_count;
  const char *deemed;  /* referenced by none, but a provision of its satisfied_by
                          is: "ETSI-5.1-1 (R-1)", else NULL */
} DocProvision;

typedef struct {
  const char *title, *version, *path;
  DocProvision *provisions;
  size_t provision_count;
} DocCatalog;

typedef struct {
  const char *name, *source;             /* source: "test" or the sheet's file */
  uint32_t level[2];                     /* its cell */
} DocDevice;

/* A usage profile the pack declares (from the pack, so from bytecode too):
 * items read as written, "site = care_home", "occupants in [elderly, patients]". */
typedef struct {
  const char *name, *title, *doc;        /* doc NULL: none */
  const char **items;
  size_t item_count;
} DocProfile;

typedef struct {
  Arena arena;
  IpsfPack *pack;                        /* owned: evaluates the sheets */
  Compilation *compilation;              /* owned (from source): its strings are the model's */
  bool from_source;
  const char *input;                     /* the path as given */
  const char *name, *version, *title, *authority, *framework, *description;
  const char *digest;                    /* "sha256:..." */
  const char *signature, *key_id;        /* key_id NULL when unsigned */
  const char *axis_name[2];
  const char **levels[2];
  uint32_t level_count[2];
  bool has_matrix;
  DocFact *facts;       size_t fact_count;
  DocType *types;       size_t type_count;
  DocRules *blocks;     size_t block_count;
  const char **viewpoints; const char ***methods; size_t *method_count; size_t viewpoint_count;
  DocReq *reqs;         size_t req_count;
  DocCatalog *catalogs; size_t catalog_count;
  DocDevice *devices;   size_t device_count, device_cap;
  const char *devices_note; /* why the test devices are not placed, or NULL */
  /* From source with both axes: the analysis (analyze.h). */
  bool analysed;
  uint8_t *reachable;   /* per cell */
  MatrixReq *cells;     /* [cell * req_count + r] */
  DocProfile *profiles; size_t profile_count; /* usage profiles, declaration order */
} DocModel;

IPSFC_FUNC DocModel *doc_new(void);
IPSFC_FUNC void doc_free(DocModel *m);
/* Compile path in c; false on errors (c's diagnostics say why).  m takes
 * ownership of c either way (doc_free frees it; read its diagnostics
 * before). */
IPSFC_FUNC bool doc_from_source(DocModel *m, Compilation *c, const char *path);
/* Place the test blocks' devices (from source; after binding the pack's
 * natives, if it has any: without them, note why none is placed). */
IPSFC_FUNC void doc_place_tests(DocModel *m);
/* A loaded .ipsb (m takes ownership of pack). */
IPSFC_FUNC void doc_from_pack(DocModel *m, IpsfPack *pack, const char *path);
/* Evaluate one sheet (as eval reads it: YAML when name ends in .yaml or
 * .yml, JSON Lines in .jsonl or .ndjson or when it is "-", else JSON) and
 * place each of its records as a device; false with err when the sheet
 * cannot be read, bound or evaluated (its error record's message). */
IPSFC_FUNC bool doc_add_sheet(DocModel *m, const char *name, const char *text, size_t len,
                              IpsfError *err);

/* The whole document, appended to b. */
IPSFC_FUNC void doc_html(const DocModel *m, IpsfBuf *b);
IPSFC_FUNC void doc_markdown(const DocModel *m, IpsfBuf *b);

/* Shared by the writers (doc.c): the cell of axis-1 level l1 and axis-2
 * level l2; how many requirements apply there always and may apply. */
IPSFC_FUNC void doc_cell_counts(const DocModel *m, uint32_t l1, uint32_t l2, size_t *always,
                                size_t *maybe);
/* What the analysis says of requirement r in cell (m->analysed), plain
 * text: "required" / "depends on a, b" / ...; the method(s). */
IPSFC_FUNC void doc_cell_texts(const DocModel *m, size_t cell, size_t r, IpsfBuf *applies,
                               IpsfBuf *method);

#endif
