"""Shared fixtures: the repository's build and example packs, and a small
multi-file JSON Lines corpus with good and bad lines."""
import json
import os
import random
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IPSFC = os.environ.get("IPSFC", os.path.join(ROOT, "build", "ipsfc"))
PACK = os.path.join(ROOT, "examples", "smart-home", "pack.ipsf")


def cli(*args, check=True):
    return subprocess.run([IPSFC, *args], capture_output=True, text=True, check=check)


def cli_jsonl(pack, *paths, extra=()):
    out = cli("eval", "--format", "jsonl", "--fail-on", "never", *extra, pack, *paths).stdout
    return [json.loads(l) for l in out.splitlines()]


@pytest.fixture(scope="session")
def ipsb(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("pack") / "smart-home.ipsb")
    cli("compile", PACK, "-o", path)
    return path


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """Three JSON Lines files: random valid sheets, profiles, and bad lines
    (syntax, unknown fact, wrong type, blank lines)."""
    rnd = random.Random(7)
    d = tmp_path_factory.mktemp("corpus")
    harm = ["none", "minor_injury", "serious_injury", "death"]
    usage = ["home", "office", "factory", "hospital", "vehicle"]
    paths = []
    for f in range(3):
        lines = []
        for i in range(400):
            facts = {"usage": rnd.choice(usage), "harm_life": rnd.choice(harm),
                     "loss_jpy": rnd.choice([0, 10**6, 10**9, 10**11]),
                     "users_affected": rnd.randrange(0, 2 * 10**6),
                     "remote_control": rnd.random() < 0.3,
                     "radios": rnd.sample(["wifi", "ble", "zigbee"], rnd.randrange(0, 3))}
            sheet = {"device": f"dev-{f}-{i}", "facts": facts}
            if i % 50 == 7:
                sheet["profiles"] = {"a": {"usage": "office"}, "b": {"harm_life": "death"}}
            if i % 3 == 0:
                sheet["evidence"] = {"SH-01": "self_declaration"}
            lines.append(json.dumps(sheet))
        lines[10] = '{"facts": {"usage": "home"'          # syntax
        lines[20] = '{"facts": {"usage": "moon"}}'        # not a value of the enum
        lines[30] = '{"facts": {"usage": "home", "x": 1}}'  # unknown fact
        lines[40] = ""                                    # blank: counted, no record
        path = d / f"registry-{f}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths
