// The benchmark's policy as one CEL expression (bench/policy_cel.expr),
// evaluated with @marcbachmann/cel-js (npm), parsed once. The sheet's facts
// are bound to `f` as JSON.parse gives them (numbers are CEL doubles, hence
// the double literals); absent facts: `has`.
'use strict';
const fs = require('fs');
const path = require('path');
const expr = fs.readFileSync(path.join(__dirname, 'policy_cel.expr'), 'utf8');
import('@marcbachmann/cel-js').then(({parse}) => {
  const program = parse(expr);
  require('./harness.js')((f) => program({f}));
});
