// The benchmark's policy in plain Node.js, hand-written (no engine).
'use strict';
const HARM = {none: 0, minor_injury: 1, serious_injury: 2, death: 3};
require('./harness.js')((f) => {
  const harm = HARM[f.harm_life || 'none'], remote = f.remote_control === true;
  const act = f.actuation || 'none';
  const rec = harm >= 2 || ((f.usage === 'hospital' || f.usage === 'vehicle') && remote) ||
              (act === 'hazardous' && remote) ? 'fatal'
            : harm === 1 || f.data_sensitivity === 'sensitive' || act === 'access' ||
              act === 'hazardous' ? 'serious' : 'limited';
  const loss = f.loss_jpy || 0, users = f.users_affected || 0;
  const eco = loss >= 1e10 || users >= 1e6 ? 'catastrophic'
            : loss >= 1e8 || users >= 1e4 ? 'significant' : 'limited';
  return rec + ' ' + eco;
});
