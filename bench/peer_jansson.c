/*
 * peer_jansson.c -- the benchmark's policy by hand in C with jansson: what
 * a user would write without a rule engine.  Reads JSON Lines, prints
 * "<recovery> <economic>" per sheet (the placements checked against ipsfc).
 *   peer_jansson FILE.jsonl [--parse-only]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int idx(const char *s, const char *const *names, int n) {
  for (int i = 0; s && i < n; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return 0;
}

static const char *const HARM[] = {"none", "minor_injury", "serious_injury", "death"};
static const char *const SENS[] = {"none", "personal", "sensitive"};
static const char *const USAGE[] = {"home", "office", "factory", "hospital", "vehicle"};
static const char *const ACT[] = {"none", "convenience", "access", "hazardous"};

int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  int parse_only = argc > 2;
  static char obuf[1 << 16];
  setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    json_error_t e;
    json_t *d = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &e);
    if (!d) {
      puts("error");
      continue;
    }
    if (parse_only) {
      json_decref(d);
      continue;
    }
    json_t *facts = json_object_get(d, "facts");
    int harm = idx(json_string_value(json_object_get(facts, "harm_life")), HARM, 4);
    int sens = idx(json_string_value(json_object_get(facts, "data_sensitivity")), SENS, 3);
    int usage = idx(json_string_value(json_object_get(facts, "usage")), USAGE, 5);
    int act = idx(json_string_value(json_object_get(facts, "actuation")), ACT, 4);
    int remote = json_is_true(json_object_get(facts, "remote_control"));
    long long loss = json_integer_value(json_object_get(facts, "loss_jpy"));
    long long users = json_integer_value(json_object_get(facts, "users_affected"));
    const char *rec = (harm >= 2 || (usage >= 3 && remote) || (act == 3 && remote)) ? "fatal"
                      : (harm == 1 || sens == 2 || act >= 2)                       ? "serious"
                                                                                   : "limited";
    const char *eco = (loss >= 10000000000ll || users >= 1000000) ? "catastrophic"
                      : (loss >= 100000000 || users >= 10000)     ? "significant"
                                                                  : "limited";
    printf("%s %s\n", rec, eco);
    json_decref(d);
  }
  free(line);
  fclose(f);
  return 0;
}
