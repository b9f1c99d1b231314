/*
 * test_diff.c -- compiler/diff_outcome.c: how two outcomes of one device
 * compare and how a change is classed by the orders the packs declare.
 * (The whole verb is tested end to end by tests/golden/diff/ and
 * tests/diff/property.py.)
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "diff.h"

static const char pack_src[] =
    "pack \"t.unit\" version \"1.0.0\" { }\n"
    "import \"ssf\";\n"
    "facts { x: int = 0; }\n"
    "rules recovery { fatal when x > 10; otherwise limited; }\n"
    "rules economic { otherwise limited; }\n"
    "requirement R-1 \"r\" { viewpoint in_operation; applies always;\n"
    "  confirm self_inspection every 12 months; confirm third_party_inspection when x > 5; }\n";

/* Both sides the same source pack (compiled here, compilation kept). */
static DiffCtx ctx(void) {
  char path[] = "/tmp/ipsfc-test-diff-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  cr_assert(fd >= 0);
  cr_assert(write(fd, pack_src, sizeof pack_src - 1) == (ssize_t)(sizeof pack_src - 1));
  close(fd);
  DiffCtx d = {0};
  DiffPack *side[2] = {&d.old, &d.new_};
  for (int s = 0; s < 2; s++) {
    CompileOptions opt = {0};
    side[s]->c = compilation_new(&opt);
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert(compile_pack(side[s]->c, path, &bytes, &len));
    IpsfError err = {0};
    side[s]->pack = ipsf_pack_load(bytes, len, &err);
    cr_assert_not_null(side[s]->pack, "%s", err.message);
    free(bytes);
  }
  unlink(path);
  return d;
}

static void done(DiffCtx *d) {
  ipsf_pack_free(d->old.pack);
  ipsf_pack_free(d->new_.pack);
  compilation_free(d->old.c);
  compilation_free(d->new_.c);
}

static json_t *rec(const char *json) {
  json_error_t e;
  json_t *j = json_loads(json, 0, &e);
  cr_assert_not_null(j, "%s", e.text);
  return j;
}

Test(diff, same_records_no_change) {
  DiffCtx d = ctx();
  json_t *a = rec("{\"category\":{\"axis1\":\"limited\",\"axis2\":\"limited\"},\"scales\":{\"recovery\":\"limited\"},"
                  "\"requirements\":[{\"id\":\"R-1\",\"method\":\"self_inspection\",\"every_months\":12}]}");
  unsigned cls = 99;
  json_t *ch = diff_outcomes(&d, a, a, &cls);
  cr_expect_eq(json_array_size(ch), 0);
  cr_expect_eq(cls, 0);
  cr_expect_str_eq(diff_class_name(cls), "equivalent");
  json_decref(ch);
  json_decref(a);
  done(&d);
}

Test(diff, higher_level_stronger_method_shorter_period_are_stricter) {
  DiffCtx d = ctx();
  json_t *a = rec("{\"category\":{\"axis1\":\"limited\",\"axis2\":\"limited\"},\"scales\":{\"recovery\":\"limited\"},"
                  "\"requirements\":[{\"id\":\"R-1\",\"method\":\"self_inspection\",\"every_months\":12}]}");
  json_t *b = rec("{\"category\":{\"axis1\":\"fatal\",\"axis2\":\"limited\"},\"scales\":{\"recovery\":\"fatal\"},"
                  "\"requirements\":[{\"id\":\"R-1\",\"method\":\"third_party_inspection\",\"every_months\":null}]}");
  unsigned cls;
  json_t *ch = diff_outcomes(&d, a, b, &cls);
  cr_expect_eq(json_array_size(ch), 3); /* category, scale, method */
  cr_expect_eq(cls, DC_STRICTER);
  json_decref(ch);
  /* the other way: looser */
  ch = diff_outcomes(&d, b, a, &cls);
  cr_expect_eq(cls, DC_LOOSER);
  cr_expect_str_eq(diff_class_name(cls), "looser");
  json_decref(ch);
  json_decref(a);
  json_decref(b);
  done(&d);
}

Test(diff, period_and_applies) {
  DiffCtx d = ctx();
  json_t *a = rec("{\"scales\":{},\"requirements\":[{\"id\":\"R-1\",\"method\":\"self_inspection\",\"every_months\":12}]}");
  json_t *b = rec("{\"scales\":{},\"requirements\":[{\"id\":\"R-1\",\"method\":\"self_inspection\",\"every_months\":6}]}");
  json_t *none = rec("{\"scales\":{},\"requirements\":[]}");
  unsigned cls;
  json_t *ch = diff_outcomes(&d, a, b, &cls);
  cr_expect_eq(cls, DC_STRICTER); /* shorter */
  json_decref(ch);
  ch = diff_outcomes(&d, a, none, &cls);
  cr_expect_eq(cls, DC_LOOSER); /* stops applying */
  cr_expect_str_eq(json_string_value(json_object_get(json_array_get(ch, 0), "change")), "removed");
  json_decref(ch);
  ch = diff_outcomes(&d, none, b, &cls);
  cr_expect_eq(cls, DC_STRICTER); /* starts applying */
  json_decref(ch);
  json_decref(a);
  json_decref(b);
  json_decref(none);
  done(&d);
}

Test(diff, mixed_and_names) {
  cr_expect_str_eq(diff_class_name(DC_STRICTER | DC_LOOSER), "mixed");
  cr_expect_str_eq(diff_class_name(DC_OTHER), "mixed");
  cr_expect_str_eq(diff_class_name(DC_NEUTRAL), "neutral");
  cr_expect_str_eq(diff_class_name(DC_NEUTRAL | DC_STRICTER), "stricter");
}

Test(diff, errors_equal_but_for_their_place) {
  cr_expect(diff_same_error("native f() returned NaN at a.ipsf:30:5", "native f() returned NaN at b/c.ipsf:38:15"));
  cr_expect(!diff_same_error("native f() returned NaN at a.ipsf:30:5", "native g() returned NaN at a.ipsf:30:5"));
  cr_expect(diff_same_error("required fact 'x' is missing", "required fact 'x' is missing"));
  cr_expect(!diff_same_error("x at home", "x at work"));
  cr_expect_eq(diff_error_len("look at a.ipsf:1:2"), strlen("look"));
  cr_expect_eq(diff_error_len("look at a.ipsf"), strlen("look at a.ipsf"));
}
