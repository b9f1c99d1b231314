// The benchmark's policy in Cedar (npm @cedar-policy/cedar-wasm): one
// `permit` per line of bench/pack.ipsf's `rules` blocks, the sheet's facts
// as the request context. One authorization per sheet: the response's
// reasons are the ids of every policy that holds, and the highest level per
// scale wins (policy worst). The policy set is pre-parsed once
// (preparsePolicySet + statefulIsAuthorized). Absent facts: `has`.
'use strict';
const cedar = require('@cedar-policy/cedar-wasm/nodejs');
const when = (cond) => `permit(principal, action, resource) when { ${cond} };`;
const remote = 'context has remote_control && context.remote_control';
const policies = {
  'recovery:2:a': when('context has harm_life && ["serious_injury", "death"].contains(context.harm_life)'),
  'recovery:2:b': when(`["hospital", "vehicle"].contains(context.usage) && ${remote}`),
  'recovery:2:c': when(`context has actuation && context.actuation == "hazardous" && ${remote}`),
  'recovery:1:a': when('context has harm_life && context.harm_life == "minor_injury"'),
  'recovery:1:b': when('context has data_sensitivity && context.data_sensitivity == "sensitive"'),
  'recovery:1:c': when('context has actuation && ["access", "hazardous"].contains(context.actuation)'),
  'economic:2:a': when('(context has loss_jpy && context.loss_jpy >= 10000000000) || ' +
                       '(context has users_affected && context.users_affected >= 1000000)'),
  'economic:1:a': when('(context has loss_jpy && context.loss_jpy >= 100000000) || ' +
                       '(context has users_affected && context.users_affected >= 10000)'),
};
const ok = cedar.preparsePolicySet('placement', {staticPolicies: policies});
if (ok.type !== 'success') throw new Error(JSON.stringify(ok.errors));
const REC = ['limited', 'serious', 'fatal'], ECO = ['limited', 'significant', 'catastrophic'];
const principal = {type: 'Device', id: 'sheet'};
const action = {type: 'Action', id: 'place'};
const resource = {type: 'Scale', id: 'all'};
require('./harness.js')((facts) => {
  const a = cedar.statefulIsAuthorized({principal, action, resource, context: facts,
                                        preparsedPolicySetId: 'placement', entities: []});
  if (a.type !== 'success') throw new Error(JSON.stringify(a.errors));
  let rec = 0, eco = 0;
  for (const id of a.response.diagnostics.reason) {
    const level = id.charCodeAt(9) - 48; // "recovery:" and "economic:" are both 9 long
    if (id[0] === 'r') { if (level > rec) rec = level; } else if (level > eco) eco = level;
  }
  return REC[rec] + ' ' + ECO[eco];
});
