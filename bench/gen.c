/*
 * gen.c -- N device fact sheets as JSON Lines, for the benchmark.
 *
 *   gen N [SEED] > sheets.jsonl
 *
 * The sheets follow examples/smart-home/pack.ipsf: `usage` always, the other
 * facts each with some probability, evidence for about one sheet in four.
 * The generator is a fixed xorshift64*, so a seed gives the same bytes on
 * every machine (the default seed is 42).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint64_t next(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}

static unsigned pick(unsigned n) { return (unsigned)((next() >> 33) % n); }
static int chance(unsigned percent) { return pick(100) < percent; }

static const char *harm[] = {"none", "minor_injury", "serious_injury", "death"};
static const char *sens[] = {"none", "personal", "sensitive"};
static const char *usage[] = {"home", "office", "factory", "hospital", "vehicle"};
static const char *act[] = {"none", "convenience", "access", "hazardous"};
static const char *radio[] = {"wifi", "ble", "zigbee", "thread", "cellular"};
static const char *kind[] = {"SmartPlug", "Camera", "Lock", "Thermostat", "Sensor", "Hub"};
static const long long losses[] = {0, 50000, 2000000, 150000000, 20000000000ll};
static const long long users[] = {0, 300, 5000, 40000, 2500000};

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: gen N [SEED]\n");
    return 2;
  }
  unsigned long long n = strtoull(argv[1], NULL, 10);
  state = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
  if (!state) state = 42;
  static char out[1 << 16];
  setvbuf(stdout, out, _IOFBF, sizeof out);
  for (unsigned long long i = 0; i < n; i++) {
    printf("{\"device\":\"Acme %s %llu\",\"facts\":{", kind[pick(6)], i + 1);
    printf("\"usage\":\"%s\"", usage[pick(5)]);
    if (chance(60)) printf(",\"harm_life\":\"%s\"", harm[pick(4)]);
    if (chance(50)) printf(",\"data_sensitivity\":\"%s\"", sens[pick(3)]);
    if (chance(60)) printf(",\"loss_jpy\":%lld", losses[pick(5)]);
    if (chance(60)) printf(",\"users_affected\":%lld", users[pick(5)]);
    if (chance(50)) printf(",\"remote_control\":%s", chance(50) ? "true" : "false");
    if (chance(50)) printf(",\"actuation\":\"%s\"", act[pick(4)]);
    if (chance(50)) printf(",\"internet_exposed\":%s", chance(50) ? "true" : "false");
    if (chance(70)) {
      printf(",\"radios\":[");
      unsigned k = pick(3), first = pick(5);
      for (unsigned j = 0; j < k; j++) printf("%s\"%s\"", j ? "," : "", radio[(first + j) % 5]);
      printf("]");
    }
    printf("}");
    if (chance(25))
      printf(",\"evidence\":{\"SH-01\":\"%s\",\"SH-02\":\"self_declaration\"}",
             chance(50) ? "self_declaration" : "third_party_certification");
    printf("}\n");
  }
  return 0;
}
