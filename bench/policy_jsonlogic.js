// The benchmark's policy as one json-logic-js rule (npm json-logic-js).
// Absent facts take the pack's defaults through `var`'s second argument.
'use strict';
const jsonLogic = require('json-logic-js');
const v = (name, dflt) => ({var: [name, dflt]});
const remote = v('remote_control', false);
const recovery = {if: [
  {or: [
    {in: [v('harm_life', 'none'), ['serious_injury', 'death']]},
    {and: [{in: [v('usage'), ['hospital', 'vehicle']]}, {'===': [remote, true]}]},
    {and: [{'===': [v('actuation', 'none'), 'hazardous']}, {'===': [remote, true]}]},
  ]}, 'fatal',
  {or: [
    {'===': [v('harm_life', 'none'), 'minor_injury']},
    {'===': [v('data_sensitivity', 'none'), 'sensitive']},
    {in: [v('actuation', 'none'), ['access', 'hazardous']]},
  ]}, 'serious',
  'limited']};
const economic = {if: [
  {or: [{'>=': [v('loss_jpy', 0), 10000000000]}, {'>=': [v('users_affected', 0), 1000000]}]}, 'catastrophic',
  {or: [{'>=': [v('loss_jpy', 0), 100000000]}, {'>=': [v('users_affected', 0), 10000]}]}, 'significant',
  'limited']};
const rule = {cat: [recovery, ' ', economic]};
require('./harness.js')((facts) => jsonLogic.apply(rule, facts));
