/*
 * native_rules.c -- bench/pack.ipsf written by hand in C: what a programmer
 * would compile the rules to, given facts already parsed into a struct.
 * It decides everything ipsf_eval_run decides for this pack (defaults for
 * absent facts, the three scales, every requirement's applicability and
 * chosen confirm line), and nothing more (no rule-hit record for explain).
 * Kept in its own translation unit so that, like ipsf_eval_run, it is an
 * out-of-line call the benchmark loop cannot fold.
 */
#include "native_rules.h"

#include <stddef.h>

enum { HARM_NONE, HARM_MINOR, HARM_SERIOUS, HARM_DEATH };
enum { SENS_NONE, SENS_PERSONAL, SENS_SENSITIVE };
enum { USAGE_HOME, USAGE_OFFICE, USAGE_FACTORY, USAGE_HOSPITAL, USAGE_VEHICLE };
enum { ACT_NONE, ACT_CONVENIENCE, ACT_ACCESS, ACT_HAZARDOUS };
enum { REC_LIMITED, REC_SERIOUS, REC_FATAL };
enum { ECO_LIMITED, ECO_SIGNIFICANT, ECO_CATASTROPHIC };
enum { UPD_STANDARD, UPD_EXTENDED, UPD_LIFETIME };

bool native_eval(const NativeFacts *f, NativeResult *out) {
  unsigned set = f->set;
  if (!(set & NF_USAGE)) return false;
  unsigned harm = set & NF_HARM ? f->harm : HARM_NONE;
  unsigned sens = set & NF_SENS ? f->sens : SENS_NONE;
  int64_t loss = set & NF_LOSS ? f->loss : 0;
  int64_t users = set & NF_USERS ? f->users : 0;
  unsigned usage = f->usage;
  bool remote = set & NF_REMOTE ? f->remote : false;
  unsigned act = set & NF_ACT ? f->act : ACT_NONE;
  bool exposed = set & NF_EXPOSED ? f->exposed : false;
  unsigned radios = set & NF_RADIOS ? f->radios : 0;

  bool safety_critical = (usage == USAGE_HOSPITAL || usage == USAGE_VEHICLE) && remote;
  bool remote_hazard = act == ACT_HAZARDOUS && remote;
  bool wireless = radios != 0;

  unsigned rec = harm >= HARM_SERIOUS || safety_critical || remote_hazard ? REC_FATAL
                 : harm == HARM_MINOR || sens == SENS_SENSITIVE || act >= ACT_ACCESS
                     ? REC_SERIOUS
                     : REC_LIMITED;
  unsigned eco = loss >= 10000000000ll || users >= 1000000 ? ECO_CATASTROPHIC
                 : loss >= 100000000 || users >= 10000     ? ECO_SIGNIFICANT
                                                           : ECO_LIMITED;
  unsigned upd = rec == REC_FATAL                                       ? UPD_LIFETIME
                 : eco >= ECO_SIGNIFICANT || (exposed && wireless) ? UPD_EXTENDED
                                                                   : UPD_STANDARD;
  out->level[0] = (uint8_t)rec;
  out->level[1] = (uint8_t)eco;
  out->level[2] = (uint8_t)upd;

  unsigned applies = 0;
  uint8_t *c = out->confirm;
  /* SH-01, SH-02: always */
  applies |= 1u << 0;
  c[0] = rec == REC_FATAL || eco >= ECO_SIGNIFICANT ? 1 : 0;
  applies |= 1u << 1;
  c[1] = 2;
  /* SH-03 */
  if (exposed || wireless) {
    applies |= 1u << 2;
    c[2] = rec >= REC_SERIOUS ? 4 : 3;
  } else
    c[2] = NATIVE_NONE;
  /* SH-04 */
  if (sens >= SENS_PERSONAL) {
    applies |= 1u << 3;
    c[3] = sens == SENS_SENSITIVE ? 6 : 5;
  } else
    c[3] = NATIVE_NONE;
  /* SH-20 */
  if (rec >= REC_SERIOUS) {
    applies |= 1u << 4;
    c[4] = rec == REC_FATAL ? 8 : 7;
  } else
    c[4] = NATIVE_NONE;
  /* SH-21 */
  if (upd >= UPD_EXTENDED) {
    applies |= 1u << 5;
    c[5] = upd == UPD_LIFETIME ? 10 : 9;
  } else
    c[5] = NATIVE_NONE;
  /* SH-30 */
  if (act >= ACT_ACCESS) {
    applies |= 1u << 6;
    c[6] = act == ACT_HAZARDOUS ? 12 : 11;
  } else
    c[6] = NATIVE_NONE;
  /* SH-40 */
  if (rec == REC_FATAL && eco >= ECO_SIGNIFICANT) {
    applies |= 1u << 7;
    c[7] = eco == ECO_CATASTROPHIC ? 14 : 13;
  } else
    c[7] = NATIVE_NONE;
  out->applies = (uint8_t)applies;
  return true;
}

const char *native_method_name(uint8_t confirm) {
  static const char *const names[] = {
      "self_declaration", "third_party_certification", "self_declaration",
      "self_declaration", "third_party_certification", "self_declaration",
      "third_party_certification", "self_inspection", "third_party_inspection",
      "self_inspection", "self_inspection", "training", "licence",
      "voluntary_insurance", "compulsory_insurance"};
  return confirm < sizeof names / sizeof *names ? names[confirm] : NULL;
}
