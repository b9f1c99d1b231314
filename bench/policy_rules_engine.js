// The benchmark's policy as json-rules-engine rules (npm json-rules-engine),
// one rule per line of bench/pack.ipsf's `rules` blocks. The engine reports
// the events of every rule that holds; the highest level per scale wins,
// as in the pack (policy worst). Absent facts are undefined, which no
// condition matches: the same as the pack's defaults (none, 0, false).
'use strict';
const {Engine} = require('json-rules-engine');
const engine = new Engine([], {allowUndefinedFacts: true});
const REC = ['limited', 'serious', 'fatal'], ECO = ['limited', 'significant', 'catastrophic'];
const rule = (scale, level, conditions) =>
  engine.addRule({conditions, event: {type: `${scale}:${level}`, params: {scale, level}}});
const f = (fact, operator, value) => ({fact, operator, value});
const remote = f('remote_control', 'equal', true);
rule('recovery', 2, {all: [f('harm_life', 'in', ['serious_injury', 'death'])]});
rule('recovery', 2, {all: [f('usage', 'in', ['hospital', 'vehicle']), remote]});
rule('recovery', 2, {all: [f('actuation', 'equal', 'hazardous'), remote]});
rule('recovery', 1, {all: [f('harm_life', 'equal', 'minor_injury')]});
rule('recovery', 1, {all: [f('data_sensitivity', 'equal', 'sensitive')]});
rule('recovery', 1, {all: [f('actuation', 'in', ['access', 'hazardous'])]});
rule('economic', 2, {any: [f('loss_jpy', 'greaterThanInclusive', 10000000000),
                           f('users_affected', 'greaterThanInclusive', 1000000)]});
rule('economic', 1, {any: [f('loss_jpy', 'greaterThanInclusive', 100000000),
                           f('users_affected', 'greaterThanInclusive', 10000)]});
require('./harness.js')(async (facts) => {
  const {events} = await engine.run(facts);
  let rec = 0, eco = 0;
  for (const e of events) {
    if (e.params.scale === 'recovery') { if (e.params.level > rec) rec = e.params.level; }
    else if (e.params.level > eco) eco = e.params.level;
  }
  return REC[rec] + ' ' + ECO[eco];
});
