// The benchmark's policy as one CEL expression (bench/policy_cel.expr),
// evaluated with @bufbuild/cel (npm): parsed and planned once, then run per
// sheet with the facts bound to `f` as JSON.parse gives them.
'use strict';
const fs = require('fs');
const path = require('path');
const {celEnv, parse, plan, isCelError} = require('@bufbuild/cel');
const expr = fs.readFileSync(path.join(__dirname, 'policy_cel.expr'), 'utf8');
const program = plan(celEnv(), parse(expr));
require('./harness.js')((f) => {
  const r = program({f});
  if (isCelError(r)) throw new Error(String(r.message || r));
  return r;
});
