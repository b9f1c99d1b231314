#!/bin/bash
# Rewrite the "What version X changed (`ipsfc diff`)" section of each
# examples/*/README.md from a real run of build/ipsfc diff: the previous
# version of each pack from git history against the current one, with the
# example devices, then without (summary and regions).  Run from the
# repository root after `make` (natives: after building libcvss.so);
# review with `git diff examples`.
# regenerate the "What version X changed" sections of examples/*/README.md
cd "$(dirname "$0")/../.."
declare -A C=([smart-home]=fdf649f350a69d7774ae21a7c80975ff705b029e [building]=fdf649f350a69d7774ae21a7c80975ff705b029e [factory]=88e8929 [healthcare]=9035e27 [mobility]=fdf649f350a69d7774ae21a7c80975ff705b029e [natives]=8634b26)
for e in smart-home building factory healthcare mobility natives; do
  v=$(git show ${C[$e]}^:examples/$e/pack.ipsf | grep -o 'version "[0-9.]*"' | head -1 | cut -d'"' -f2)
  nv=$(grep -o 'version "[0-9.]*"' examples/$e/pack.ipsf | head -1 | cut -d'"' -f2)
  old=/tmp/$e-$v.ipsf
  git show ${C[$e]}^:examples/$e/pack.ipsf > $old
  nat=""; [ $e = natives ] && nat="--allow-native build/examples/natives/libcvss.so"
  corpus=$(build/ipsfc diff $nat $old examples/$e/pack.ipsf examples/$e/devices/*)
  sym=$(build/ipsfc diff $nat $old examples/$e/pack.ipsf | awk '/^ symbolic/{print; next} /^  region [0-9]/{print; f=1; next} f && (/^    where/ || /^      /){print; next} {f=0} /^  not analysed/{print}')
  E=$e V=$v NV=$nv COMMIT=${C[$e]} CORPUS="$corpus" SYM="$sym" NAT="$nat" /usr/bin/python3 - <<'EOF'
import os
e,v,nv,c,nat=os.environ['E'],os.environ['V'],os.environ['NV'],os.environ['COMMIT'],os.environ['NAT']
natives = e == 'natives'
cmd = (f"build/ipsfc diff --allow-native build/examples/natives/libcvss.so \\\n    /tmp/{e}-{v}.ipsf examples/{e}/pack.ipsf examples/{e}/devices/*"
       if natives else f"build/ipsfc diff /tmp/{e}-{v}.ipsf examples/{e}/pack.ipsf examples/{e}/devices/*")
extra = ("; like `eval`, it runs the packs'\nnatives only from a library you allow" if natives else "")
symtext = ('''Without the devices, the same command compares the two versions over
every possible device (the cells of `ipsfc check`'s analysis). A native
function is opaque to the analysis, so what reads the CVSS vector is *not
analysed* and the diff is not proved: the regions below are real (each
counterexample was evaluated under both versions), but there may be
others. Its summary and regions:''' if natives else '''Without the devices, the same command compares the two versions over
every possible device (the cells of `ipsfc check`'s analysis). Its
summary and regions, each with its conditions (the full output adds what
changes, the rules behind it and a counterexample checked under both
versions):''')
sec=f'''
## What version {nv} changed (`ipsfc diff`)

Version {nv} is the last change of this pack's rules. Before publishing
such a version, `ipsfc diff` lists what changes and for whom
([cli.md](../../docs/cli.md#diff)){extra}. Here version {v}, taken from the
git history, against this pack and the example devices (a real run; the
same comparison is the golden test `tests/golden/diff/example-{e}`):

```sh
git show {c}^:examples/{e}/pack.ipsf > /tmp/{e}-{v}.ipsf
{cmd}
```

```text
{os.environ['CORPUS']}
```

{symtext}

```text
{os.environ['SYM']}
```
'''
p=f'examples/{e}/README.md'
s=open(p).read()
if '## What version' in s: s=s[:s.index('\n## What version')]
s=s.rstrip('\n')+'\n'+sec
open(p,'w').write(s)
EOF
done
