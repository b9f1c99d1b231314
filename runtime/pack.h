/*
 * pack.h -- the in-memory image of a compiled rule pack (private header).
 *
 * An IpsfPack is what the compiler builds (compiler/codegen.c), what the
 * .ipsb writer serialises and what the loader reads back (runtime/ipsb.c).
 * Once loaded and verified (runtime/verify.c) it is immutable: many
 * evaluation contexts (runtime/eval.h) on many threads may share one.
 *
 * Every table refers to others only by index; strings are indices into the
 * string pool.  IPSF_NONE (UINT32_MAX) marks an absent optional index.
 * Ownership: every pointer in an IpsfPack is its own malloc'd block (each
 * array, each string, each enum's values, each viewpoint's methods, each
 * requirement's refs), released by ipsf_pack_free() (pack.c); a NULL
 * pointer with a zero count is fine.
 */
#ifndef IPSF_PACK_H
#define IPSF_PACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "ipsf.h"
#include "opcodes.h"

#define IPSF_NONE UINT32_MAX

/* Bytecode format version: bump on any incompatible change.  Version 2
 * added the fused instructions (opcodes.h IPSF_FUSED); version 3 added a
 * requirement's basis, citation, confirmed_by and subject, which changes
 * the requirement record, so packs of versions 1 and 2 are refused (compile
 * them again); the writer writes IPSB_FORMAT_VERSION. */
#define IPSB_FORMAT_VERSION 3u
#define IPSB_FORMAT_VERSION_MIN 3u

/* Hard limits the loader enforces (and the compiler respects). */
#define IPSF_MAX_STACK 256u      /* declared maximum stack depth */
#define IPSF_MAX_ENUM_VALUES 64u /* so a set of enum fits one uint64_t mask */
#define IPSF_MAX_FILE_SIZE (64u * 1024u * 1024u)

/* Machine-level value kinds, shared by slots, constants and the verifier. */
typedef enum {
  IPSF_K_BOOL = 1,
  IPSF_K_INT = 2,
  IPSF_K_NUMBER = 3,
  IPSF_K_STRING = 4,
  IPSF_K_ENUM = 5, /* an index into an enum type's values */
  IPSF_K_SET = 6   /* a bit mask over an enum type's values */
} IpsfKind;

/* A machine type: a kind, plus the enum type for IPSF_K_ENUM / IPSF_K_SET
 * (IPSF_NONE otherwise). */
typedef struct {
  uint8_t kind;  /* IpsfKind */
  uint32_t enum_type; /* index into pack->enums, or IPSF_NONE */
} IpsfType;

/* One value: 8 bytes, interpreted by its (statically known) type.
 * Strings are NUL-terminated UTF-8 owned by the pack (constants), the fact
 * sheet document (facts) or the context's scratch area (results of LOWER). */
typedef union {
  int64_t i;      /* INT, ENUM (0..n-1), BOOL (0 or 1) */
  double n;       /* NUMBER, always finite */
  uint64_t m;     /* SET: bit k set = value k is a member */
  const char *s;  /* STRING */
} IpsfValue;

typedef struct {
  uint32_t name;        /* string: "harm", or the fact's name for an anonymous enum */
  uint32_t value_count; /* 1..IPSF_MAX_ENUM_VALUES */
  uint32_t *values;     /* strings: value names, in order (lowest first) */
} IpsfEnum;

typedef struct {
  IpsfType type;
  uint32_t str;    /* STRING: index into the string pool; else IPSF_NONE */
  IpsfValue value; /* STRING: value.s = strings[str], set by ipsf_pack_link */
} IpsfConst;

/* Where a slot's value comes from. */
typedef enum {
  IPSF_SLOT_FACT = 1,  /* filled from the fact sheet before the code runs */
  IPSF_SLOT_LET = 2,   /* a let value, written by STORE */
  IPSF_SLOT_SCALE = 3, /* a scale level, written by SCALE */
  IPSF_SLOT_TEMP = 4   /* a temporary (inlined fn argument), written by STORE */
} IpsfSlotRole;

typedef struct {
  IpsfType type;
  uint8_t role;  /* IpsfSlotRole */
  uint32_t name; /* string (fact, let or scale name; IPSF_NONE for temps) */
} IpsfSlot;

typedef struct {
  uint32_t name;     /* string */
  IpsfType type;     /* BOOL, INT, NUMBER, STRING, ENUM or SET */
  uint32_t slot;     /* the slot it is loaded into */
  uint32_t default_const; /* constant index, or IPSF_NONE: the fact is required */
  uint32_t doc;      /* string or IPSF_NONE */
} IpsfFact;

typedef enum {
  IPSF_POLICY_WORST = 0,
  IPSF_POLICY_FIRST = 1,
  IPSF_POLICY_UNIQUE = 2
} IpsfPolicy;

/* A source location, for reasons and evaluation errors. */
typedef struct {
  uint32_t file; /* string: the path as the compiler was given it */
  uint32_t line; /* 1-based */
  uint32_t col;  /* 1-based, in bytes */
} IpsfLoc;

typedef struct {
  uint32_t name;      /* string */
  uint32_t enum_type; /* its levels */
  uint8_t policy;     /* IpsfPolicy */
  uint8_t axis;       /* 0, or 1 / 2 for the framework's two axes */
  uint32_t slot;      /* where SCALE stores the level */
  uint32_t otherwise; /* level index, or IPSF_NONE */
  IpsfLoc otherwise_loc;
  uint32_t first_rule, rule_count; /* its rules: a contiguous range */
} IpsfScale;

typedef struct {
  uint32_t scale;   /* index into scales */
  uint32_t level;   /* index into the scale's enum values */
  uint32_t because; /* string or IPSF_NONE */
  IpsfLoc loc;
} IpsfRule;

typedef struct {
  uint32_t name;         /* string: "pre_operation" */
  uint32_t method_count;
  uint32_t *methods;     /* strings: method names, weakest first */
} IpsfViewpoint;

typedef struct {
  uint32_t id;           /* string: "SH-01" */
  uint32_t title;        /* string */
  uint32_t viewpoint;    /* index into viewpoints */
  uint32_t ref_count;
  uint32_t *refs;        /* strings */
  uint32_t party;        /* string or IPSF_NONE */
  uint32_t doc;          /* string or IPSF_NONE */
  uint32_t basis;        /* string ("law", "regulation", "contract", "voluntary") or IPSF_NONE */
  uint32_t citation;     /* string or IPSF_NONE: the basis's law, regulation or contract */
  uint32_t confirmed_by; /* string (a role: "third_party", ...) or IPSF_NONE */
  uint32_t subject;      /* string ("product", "organisation", "process") or IPSF_NONE */
  uint32_t first_confirm, confirm_count; /* contiguous range of confirms */
  IpsfLoc loc;
} IpsfRequirement;

typedef struct {
  uint32_t requirement;  /* index into requirements */
  uint32_t method;       /* index into the requirement's viewpoint methods */
  uint32_t every_months; /* 0 = no period */
  IpsfLoc loc;
} IpsfConfirm;

/* The line table: the code from `pc` up to the next entry's pc was compiled
 * from the construct at `loc` (a let, a rule, an applies or confirm line).
 * Sorted by pc, strictly increasing.  Evaluation errors name the location. */
typedef struct {
  uint32_t pc;
  IpsfLoc loc;
} IpsfLine;

/* The tests of a pack compiled with `ipsfc compile --with-tests` (section
 * TESTS, optional; docs/bytecode.md, runtime/tests.c).  Data only: names,
 * places, the `given` values as constants (or a table cell's text, read by
 * the fact's type when the test runs), and what each expectation reads, as
 * an index (slot, requirement, viewpoint, scale, method) or a string.  The
 * verifier checks every index and string (tests.c, ipsf_verify_tests). */
typedef enum {
  IPSF_GIVEN_CONST = 1,    /* a test block's `given`: fact, value = constant */
  IPSF_GIVEN_CELL = 2,     /* a table cell: fact, value = the cell's text */
  IPSF_GIVEN_EVIDENCE = 3  /* a table's evidence cell: value = "ID=METHOD | ..." or "none" */
} IpsfGivenKind;
typedef struct {
  uint8_t kind;   /* IpsfGivenKind */
  uint32_t fact;  /* CONST, CELL: the fact; EVIDENCE: IPSF_NONE */
  uint32_t value; /* CONST: constant of the fact's type; else a string */
  uint32_t title; /* string: the fact as written, or the column's title */
} IpsfTestGiven;
typedef enum {
  IPSF_EXPECT_VALUE = 1,        /* expect EXPR: index = its bool LET slot, computed
                                   when the gate holds the test's number */
  IPSF_EXPECT_REQUIRES = 2,     /* index = requirement; method = index into its
                                   viewpoint's methods, or IPSF_NONE */
  IPSF_EXPECT_NOT_REQUIRES = 3, /* index = requirement, or IPSF_NONE (undeclared: holds) */
  IPSF_EXPECT_VIEWPOINT = 4,    /* index = viewpoint, or IPSF_NONE (never holds) */
  IPSF_EXPECT_ERROR = 5,        /* value = the text the error message contains */
  IPSF_EXPECT_CATEGORY = 6,     /* expect:category: value = the cell */
  IPSF_EXPECT_LEVEL = 7,        /* expect:SCALE: index = scale, value = the cell */
  IPSF_EXPECT_REQUIREMENTS = 8, /* expect:requirements: value = the cell */
  IPSF_EXPECT_FAIL = 9          /* the test fails as a whole: value = why (a table
                                   row the source runner could not use) */
} IpsfExpectKind;
#define IPSF_EXPECT__LAST IPSF_EXPECT_FAIL
typedef struct {
  uint8_t kind;    /* IpsfExpectKind */
  uint32_t index;  /* see the kinds */
  uint32_t method; /* REQUIRES: see above; else IPSF_NONE */
  uint32_t text;   /* string: the expectation as shown; IPSF_NONE for FAIL */
  uint32_t value;  /* string or IPSF_NONE: see the kinds */
  IpsfLoc loc;     /* where it is written */
  uint32_t name_count;
  uint32_t *names; /* VALUE: the slots the expression names (shown on failure) */
} IpsfTestExpect;
#define IPSF_TEST_CASE 1u /* IpsfTest.flags: a row of a table of cases */
typedef struct {
  uint32_t name;    /* string */
  uint32_t profile; /* string or IPSF_NONE */
  IpsfLoc loc;
  uint8_t flags;    /* IPSF_TEST_CASE or 0 */
  uint32_t given_count;
  IpsfTestGiven *givens;
  uint32_t expect_count;
  IpsfTestExpect *expects;
} IpsfTest;
typedef struct {
  /* The hidden int FACT slot `test#` that no fact owns: the evaluation
   * sets it to the running test's number (index + 1; 0 outside `test`), so
   * that only the running test's `expect EXPR` code runs.  IPSF_NONE when
   * no test has an `expect EXPR`. */
  uint32_t gate;
  uint32_t count;
  IpsfTest *items;
} IpsfTests;
/* A native function (LANGUAGE.md §4.6, docs/natives.md): an `extern` of a
 * shared library, or a built-in on the native call path (builtins.h).  The
 * C types follow the kinds: INT int64_t, NUMBER double, BOOL int, STRING
 * const char *.  Called by CALLN A. */
#define IPSF_MAX_NATIVE_PARAMS 16u
typedef struct {
  uint32_t name;        /* string: the function's name in the pack */
  uint32_t library;     /* string: the library as the extern names it; IPSF_NONE: a built-in */
  uint32_t symbol;      /* string: the C symbol, or the built-in's name */
  uint8_t result;       /* IpsfKind: BOOL, INT, NUMBER or STRING */
  uint32_t param_count; /* at most IPSF_MAX_NATIVE_PARAMS */
  uint8_t params[IPSF_MAX_NATIVE_PARAMS]; /* IpsfKind of each, in call order */
} IpsfNative;

/* A compensating measure (docs/language.md, "Compensating measures"):
 * `requirement` (a shortfall of it) is compensated by `by`, a requirement
 * of another viewpoint, while `by` is met, until the day `until` (a
 * "YYYY-MM-DD" string) or for `months` from the date of by's evidence.
 * The section is sorted by requirement (then source order), each pair
 * once; the verifier checks that. */
typedef struct {
  uint32_t requirement; /* index into requirements: the one compensated */
  uint32_t by;          /* index into requirements: the compensating one */
  uint32_t until;       /* string "YYYY-MM-DD" or IPSF_NONE */
  uint32_t months;      /* 0 = none; else 1..1200 (never both with until) */
} IpsfCompensation;
/* A usage profile the pack declares (section PROFILES, optional): how the
 * device is used, as the facts it sets and the values it allows.  Binding
 * a sheet under it (sheet.c, profile.c) writes each SETS value after the
 * sheet's base facts, and refuses a final value outside any item. */
typedef enum {
  IPSF_PROFILE_SETS = 1,  /* the fact is `value` (a constant of the fact's type) */
  IPSF_PROFILE_ALLOWS = 2 /* the fact's value (enum) or members (set) lie in `value`,
                           * a SET constant over the fact's enum */
} IpsfProfileItemKind;

typedef struct {
  uint8_t kind;   /* IpsfProfileItemKind */
  uint32_t fact;  /* index into facts */
  uint32_t value; /* index into consts */
} IpsfProfileItem;

typedef struct {
  uint32_t name;  /* string: the profile's name (a sheet's `profiles` key) */
  uint32_t title; /* string */
  uint32_t doc;   /* string or IPSF_NONE */
  uint32_t first_item, item_count; /* its items: a contiguous range, in order */
} IpsfProfile;
/* The standards catalogs a pack cites (docs/bytecode.md, CATALOGS): each
 * catalog a requirement's `ref ID;` names a provision of, with all its
 * provisions, so that what is not cited is visible too.  Provisions of
 * catalog c are provisions[first_provision .. +provision_count), the
 * catalogs' blocks contiguous and in order.  Read only through the API
 * (api_catalog.c); evaluation never looks at them. */
typedef enum {
  IPSF_PROVISION_MANDATORY = 0,
  IPSF_PROVISION_RECOMMENDED,
  IPSF_PROVISION_CONDITIONAL,
  IPSF_PROVISION_INFORMATIVE,
  IPSF_PROVISION__COUNT
} IpsfProvisionStatus;

typedef struct {
  uint32_t name;            /* string: the catalog's title ("ETSI EN 303 645") */
  uint32_t version;         /* string or IPSF_NONE */
  uint32_t date;            /* string (its `date` entry) or IPSF_NONE */
  uint32_t first_provision, provision_count;
} IpsfCatalog;

typedef struct {
  uint32_t id;              /* string: the provision's id as the pack names it */
  uint32_t clause;          /* string: the clause as the document numbers it */
  uint32_t title;           /* string */
  uint8_t status;           /* IpsfProvisionStatus */
  uint32_t satisfied_count; uint32_t *satisfied_by; /* strings: provision ids */
  uint32_t cited_count; uint32_t *cited_by;         /* requirement indices, increasing */
} IpsfProvision;

/* Decision tables (section TABLES, optional; issue #16, docs/bytecode.md):
 * RTABLE t replaces the rule chain of one rules block, QTABLE t the code
 * of one requirement (applies, REQ, its confirm lines, REQEND).  The cell of a run
 * is sum(class(dim) * stride) over the dims, each dim classifying one slot:
 *   BOOL   the bool slot's value (0/1), 2 classes;
 *   ENUM   map[value] (an enum or scale level slot; map_count = the enum's
 *          value count, each class < class_count);
 *   INT    the number of thresholds <= the value (thresholds strictly
 *          increasing; class_count = threshold_count + 1).
 * RTABLE: masks[cell] bit k: rule scale.first_rule + k matched; RTABLE
 * applies the set bits in ascending order with the scale's hit action.
 * QTABLE: see IPSF_TABLE_APPLIES.  LTABLE: masks[cell] is the let's value.
 * The verifier checks every index, kind, class, stride and bit
 * (verify_tables.c). */
typedef enum {
  IPSF_DIM_BOOL = 1,
  IPSF_DIM_ENUM = 2,
  IPSF_DIM_INT = 3
} IpsfDimKind;

#define IPSF_TABLE_MAX_DIMS 8u
#define IPSF_TABLE_MAX_CELLS 1024u
#define IPSF_TABLE_MAX_THRESHOLDS 64u
#define IPSF_TABLE_MAX_SPAN 64u /* requirements in one table */

typedef struct {
  uint32_t slot;            /* the slot classified */
  uint8_t kind;             /* IpsfDimKind */
  uint32_t class_count;     /* classes of this dim */
  uint32_t stride;          /* cell index weight of a class */
  uint32_t map_count;       /* ENUM: the enum's value count; else 0 */
  uint8_t *map;             /* ENUM: value -> class */
  uint32_t threshold_count; /* INT: else 0 */
  int64_t *thresholds;      /* INT: strictly increasing */
} IpsfTableDim;

/* A dim as the VM reads it (built by ipsf_pack_link, not serialised). */
typedef struct {
  uint32_t slot;
  uint32_t stride;           /* INT */
  uint32_t threshold_count;  /* INT */
  const int64_t *thresholds; /* INT: the dim's own */
  uint32_t *cellmap;         /* BOOL, ENUM: value -> class * stride (owned) */
} IpsfTableLink;

/* A cell as the VM reads it (built by ipsf_pack_link): its mask, and the
 * rule whose hit decides the level when the mask's hits are applied in
 * order to a level at most that rule's (worst: the first rule of the
 * highest level; first and unique: the first rule), with that level.
 * Unique: IPSF_NONE when two of the mask's rules have different levels
 * (a conflict: the VM applies the hits one by one, and fails). */
typedef struct {
  uint64_t mask;
  uint32_t winner, level; /* IPSF_NONE when the mask is empty */
  /* RTABLE: the scale's level once settled from this cell alone (level, or
   * the scale's otherwise when the mask is empty); IPSF_NONE when that
   * takes the general path: a unique conflict, or no rule and no
   * otherwise (an error). */
  uint32_t settled;
} IpsfTableCell;

/* What a table stands for. */
typedef enum {
  IPSF_TABLE_RULES = 1, /* RTABLE: a rules block; owner = its scale */
  IPSF_TABLE_REQ = 2,   /* QTABLE: requirements; owner = the first */
  IPSF_TABLE_LET = 3    /* LTABLE: a bool let; owner = its slot, masks 0/1 */
} IpsfTableKind;

/* A requirement table's mask (one per cell and requirement of its span):
 * IPSF_TABLE_APPLIES when the requirement applies, and bit k (k < 63)
 * when its confirm line first_confirm + k matched (only with
 * IPSF_TABLE_APPLIES). */
#define IPSF_TABLE_APPLIES (UINT64_C(1) << 63)

typedef struct {
  uint8_t kind;        /* IpsfTableKind */
  uint32_t owner;      /* RULES: the scale (bits are its rules); REQ: the first
                        * requirement; LET: the let's slot */
  uint32_t span;       /* RULES: 1; REQ: the requirements owner .. owner + span - 1 */
  uint32_t dim_count;  /* 1..IPSF_TABLE_MAX_DIMS */
  IpsfTableDim *dims;
  uint32_t cell_count; /* product of the dims' class counts, <= IPSF_TABLE_MAX_CELLS */
  uint32_t mask_count; /* cell_count * span */
  uint64_t *masks;     /* per cell, span masks: RULES the rules that match (bit k:
                        * first_rule + k); REQ one per requirement (IPSF_TABLE_APPLIES) */
  /* Built by ipsf_pack_link, not serialised: the dims with the BOOL and
   * ENUM ones first (link_map_dims of them), the cells, the scale's
   * policy and where its rules' hit bits start in the rule_hit words. */
  uint32_t link_map_dims;
  IpsfTableLink *link;
  /* only bool and enum dims: shape = their count, mslot/mmap the slot
   * and cellmap of each (no loop); 0 when there is an int dim */
  uint8_t shape;
  uint32_t mslot[IPSF_TABLE_MAX_DIMS];
  const uint32_t *mmap[IPSF_TABLE_MAX_DIMS];
  IpsfTableCell *cells;
  uint8_t policy;
  uint32_t first_rule, hit_word, hit_off, scale_slot;
  /* requirements: per cell, bit k when requirement owner + k applies;
   * per requirement of the span, its viewpoint; per cell, 1 when a
   * requirement applies there with no confirm line (the VM then goes
   * requirement by requirement, to REQEND's error) */
  uint64_t *applies;
  uint32_t *vps;
  uint8_t *unconfirmed;
} IpsfTable;

/* native.c: what binding a pack's natives made (libffi call interfaces,
 * function pointers, library handles); not serialised. */
typedef struct IpsfNativeBinding IpsfNativeBinding;

/* The pack metadata, in the order of the .ipsb meta section: X(field,
 * from_entry).  Each is a string or IPSF_NONE, named `field` wherever it is
 * shown (disasm, inspect, the verifier's messages); name and version come
 * from the pack header, the others (from_entry 1) from the pack's entry of
 * the same name (codegen.c).  Like the opcode list, the one place to add a
 * field: the writer, the reader, the verifier, disasm and inspect follow. */
#define IPSF_META(X)                                                              \
  X(name, 0) X(version, 0) X(title, 1) X(authority, 1) X(framework, 1)            \
  X(description, 1) X(currency, 1)

typedef struct {
#define IPSF_META_FIELD(field, from_entry) uint32_t field;
  IPSF_META(IPSF_META_FIELD)
#undef IPSF_META_FIELD
} IpsfMeta;

struct ipsf_pack {
  IpsfMeta meta;

  uint32_t string_count;
  char **strings;        /* NUL-terminated UTF-8, owned */
  uint32_t *string_lens; /* byte length of each */

  uint32_t enum_count;       IpsfEnum *enums;
  uint32_t const_count;      IpsfConst *consts;
  uint32_t slot_count;       IpsfSlot *slots;
  uint32_t fact_count;       IpsfFact *facts;
  uint32_t scale_count;      IpsfScale *scales;
  uint32_t rule_count;       IpsfRule *rules;
  uint32_t viewpoint_count;  IpsfViewpoint *viewpoints;
  uint32_t requirement_count; IpsfRequirement *requirements;
  uint32_t confirm_count;    IpsfConfirm *confirms;

  uint32_t code_count;  /* instructions */
  uint32_t *code;
  uint32_t max_stack;   /* declared, checked by the verifier */
  uint32_t line_count;  IpsfLine *lines;

  uint32_t axis1, axis2; /* scale indices, or IPSF_NONE */

  /* The native table (section 14, present only when not empty). */
  uint32_t native_count; IpsfNative *natives;
  /* Built by ipsf_pack_link (built-ins) and ipsf_pack_bind_natives
   * (externs), read-only afterwards; freed by ipsf_pack_free. */
  IpsfNativeBinding *native_binding;
  uint32_t natives_unbound; /* externs not bound yet: evaluation refuses */
  /* The tests (section TESTS, present only with compile --with-tests or
   * in `ipsfc test`'s own compilation); NULL: none. */
  IpsfTests *tests;

  /* Compensating measures (optional section COMPENSATIONS, present only
   * when not empty). */
  uint32_t compensation_count; IpsfCompensation *compensations;

  /* The usage profiles (section PROFILES, present only when not empty). */
  uint32_t profile_count;      IpsfProfile *profiles;
  uint32_t profile_item_count; IpsfProfileItem *profile_items;

  /* The catalogs section (optional, present only when not empty). */
  uint32_t catalog_count;   IpsfCatalog *catalogs;
  uint32_t provision_count; IpsfProvision *provisions;

  /* Decision tables (section TABLES, present only when not empty). */
  uint32_t table_count; IpsfTable *tables;

  uint8_t digest[32];   /* SHA-256 of the serialised content */

  /* The bound of one evaluation's work, proved by the verifier (verify.c)
   * and checked against a limit by the loader; not serialised. */
  IpsfCost cost;

  /* The optional signature trailer (ipsb.c), read on load, never written
   * by ipsb_write (signing is ipsb_sign's separate step on the bytes). */
  bool is_signed;
  bool signature_ok;      /* signature verifies under signer_key */
  uint8_t signer_key[32]; /* Ed25519 public key from the trailer */
  uint8_t signature[64];

  /* Built by ipsf_pack_link, not serialised: fact name -> fact index. */
  uint32_t fact_hash_size; /* power of two */
  uint32_t *fact_hash;     /* fact index + 1, 0 = empty */

  /* Built by ipsf_pack_link, not serialised: the short names the fast
   * JSON Lines binder looks up (names.h); NULL: none. */
  struct IpsfNameIndex *name_index;
};

/* Is confirm line a stronger than b (of one requirement): a stronger
 * method, else a period over none, else the shorter period.  The VM keeps
 * the strongest matched line (the first of equals). */
static inline bool ipsf_confirm_stronger(const IpsfConfirm *a, const IpsfConfirm *b) {
  if (a->method != b->method) return a->method > b->method;
  if ((a->every_months != 0) != (b->every_months != 0)) return a->every_months != 0;
  return a->every_months != 0 && a->every_months < b->every_months;
}

static inline const char *ipsf_str(const IpsfPack *p, uint32_t s) {
  return s == IPSF_NONE ? NULL : p->strings[s];
}

/* ---- ipsb.c: serialisation ---------------------------------------------- */

/* Serialise (computing and storing the digest in pack->digest).  *out is
 * malloc'd, owned by the caller.  Returns false only when out of memory. */
bool ipsb_write(IpsfPack *pack, uint8_t **out, size_t *out_len);

/* Parse and structurally check a .ipsb image, then run the verifier.
 * On failure returns NULL and fills err (kind IPSF_ERR_BYTECODE). */
IpsfPack *ipsb_read(const uint8_t *bytes, size_t len, IpsfError *err);

/* Read a whole .ipsb file (at most IPSF_MAX_FILE_SIZE bytes) into a
 * malloc'd buffer; false with err (IO, BYTECODE, NOMEM). */
bool ipsb_read_file(const char *path, uint8_t **out, size_t *out_len, IpsfError *err);

/* Signatures (docs/security.md): Ed25519 over a domain-separated message,
 * IPSF_SIGNATURE_DOMAIN with its NUL, then the 32-byte digest. */
#define IPSF_SIGNATURE_DOMAIN "ipsfc pack signature v1"
#define IPSF_SIGNED_MESSAGE_SIZE (sizeof IPSF_SIGNATURE_DOMAIN + 32u)

void ipsf_signature_message(const uint8_t digest[32], uint8_t msg[IPSF_SIGNED_MESSAGE_SIZE]);
bool ipsf_signature_verify(const uint8_t digest[32], const uint8_t sig[IPSF_SIGNATURE_SIZE],
                           const uint8_t public_key[IPSF_SIGN_KEY_SIZE]);

/* Sign a .ipsb image (which must load and verify; an existing signature is
 * replaced) with a libsodium Ed25519 secret key (seed || public key).
 * *out is malloc'd.  false with err (BYTECODE, NOMEM). */
bool ipsb_sign(const uint8_t *bytes, size_t len, const uint8_t secret_key[64], uint8_t **out,
               size_t *out_len, IpsfError *err);

/* sign.c: key files.  Write "LABEL BASE64\n" of `size` key bytes into out
 * (NUL-terminated); false if cap is too small. */
#define IPSF_KEY_LABEL_PUBLIC "ipsfc-ed25519-public"
#define IPSF_KEY_LABEL_SECRET "ipsfc-ed25519-secret"
bool ipsf_key_encode(const char *label, const uint8_t *key, size_t size, char *out,
                     size_t cap);

/* pack.c: after verification, build what is derived and not serialised:
 * the fact-name hash, string constants' pointers.  false: out of memory. */
bool ipsf_pack_link(IpsfPack *pack);

/* Fact index by name (length-delimited), or IPSF_NONE. */
uint32_t ipsf_pack_find_fact(const IpsfPack *pack, const char *name, size_t len);

/* ---- profile.c ----------------------------------------------------------- */

/* Profile index by name, or IPSF_NONE. */
uint32_t ipsf_pack_find_profile(const IpsfPack *pack, const char *name);
/* "a, b, c": the declared profile names (cut with "..." to fit cap). */
void ipsf_profile_names(const IpsfPack *pack, char *out, size_t cap);

/* ---- native.c ------------------------------------------------------------ */

/* From ipsf_pack_link: bind the built-ins of the native table, count the
 * externs left unbound.  false: out of memory, or libffi refused. */
bool ipsf_native_link(IpsfPack *pack);
/* From ipsf_pack_free: close the libraries, free the binding. */
void ipsf_native_free(IpsfPack *pack);

/* ---- verify.c ------------------------------------------------------------ */

/* Verify tables and code of a structurally loaded pack.  Returns true if
 * every property in verify.c's header comment holds, and stores the cost
 * bound in pack->cost; else fills err. */
bool ipsf_verify(IpsfPack *pack, IpsfError *err);

/* ---- verify_tables.c ----------------------------------------------------- */
/* From ipsf_verify: every decision table (section TABLES) well formed
 * (verify_tables.c's header).  false with err. */
bool ipsf_verify_tables(const IpsfPack *pack, IpsfError *err);

/* ---- tests.c ------------------------------------------------------------- */
/* From ipsf_verify: every index and string of the TESTS section; the gate
 * (if any) is an int FACT slot no fact owns (owner: per slot, from
 * check_facts), which it then claims.  false with err. */
bool ipsf_verify_tests(const IpsfPack *pack, uint32_t *owner, IpsfError *err);
/* Free the tests and everything they own (NULL is fine). */
void ipsf_tests_free(IpsfTests *tests);
#endif
