// The benchmark's policy in plain Node.js (JSON.parse per line).
const fs = require('fs');
const HARM = {none: 0, minor_injury: 1, serious_injury: 2, death: 3};
const data = fs.readFileSync(process.argv[2], 'utf8');
const out = [];
let start = 0;
for (;;) {
  let nl = data.indexOf('\n', start);
  if (nl < 0) nl = data.length;
  if (nl > start) {
    const f = JSON.parse(data.slice(start, nl)).facts;
    const harm = HARM[f.harm_life || 'none'], remote = f.remote_control === true;
    const act = f.actuation || 'none';
    const rec = harm >= 2 || ((f.usage === 'hospital' || f.usage === 'vehicle') && remote) ||
                (act === 'hazardous' && remote) ? 'fatal'
              : harm === 1 || f.data_sensitivity === 'sensitive' || act === 'access' ||
                act === 'hazardous' ? 'serious' : 'limited';
    const loss = f.loss_jpy || 0, users = f.users_affected || 0;
    const eco = loss >= 1e10 || users >= 1e6 ? 'catastrophic'
              : loss >= 1e8 || users >= 1e4 ? 'significant' : 'limited';
    out.push(rec + ' ' + eco);
    if (out.length >= 65536) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
  }
  if (nl >= data.length) break;
  start = nl + 1;
}
if (out.length) process.stdout.write(out.join('\n') + '\n');
