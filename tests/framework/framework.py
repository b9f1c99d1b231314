#!/usr/bin/python3
"""The framework's own examples and statements, checked against the packs.

    IPSFC=path/to/ipsfc /usr/bin/python3 tests/framework/framework.py

Each check below quotes the section of IoT-SSF 1.0 (the machine translation
in the project's seed text) that it holds the example packs to.  The packs
are those of examples/ (the five sector packs and the natives example); a
check runs on every device sheet of a pack, each profile flattened into its
own set of facts, and on the sheets of tests/framework/sheets/.

Prints `ok   NAME [SECTION]` or `FAIL NAME [SECTION]` with what failed, then
`framework: N passed, N failed`; exits 1 if anything failed.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
IPSFC = os.environ.get("IPSFC") or os.path.join(ROOT, "build", "ipsfc")
CVSS = os.path.join(os.path.dirname(os.path.realpath(IPSFC)), "examples", "natives", "libcvss.so")

AXIS1 = ["limited", "serious", "fatal"]
AXIS2 = ["limited", "significant", "catastrophic"]
# The methods of the four viewpoints of stdlib/ssf.ipsf, weakest first.
RANK = {"self_declaration": 1, "third_party_certification": 2,
        "self_inspection": 1, "third_party_inspection": 2,
        "training": 1, "licence": 2,
        "voluntary_insurance": 1, "compulsory_insurance": 2}

PACKS = ["smart-home", "mobility", "healthcare", "factory", "building", "natives"]

# Facts that say how likely or how exposed a device is, not what an incident
# does (each pack's README says which): they may choose requirements, never
# the cell.
LIKELIHOOD = {
    "smart-home": ["internet_exposed", "radios"],
    "mobility":   ["ota_updates"],
    "healthcare": ["connectivity"],
    "factory":    ["conduit", "vendor_remote_access"],
    "building":   ["network", "remote_maintenance"],
    "natives":    ["worst_vuln", "patchable"],
}

# Facts that measure the impact of an incident, in the direction of more
# impact: raising one moves a device up or right, never down or left.
IMPACT = {
    "smart-home": ["harm_life", "data_sensitivity", "loss_jpy", "users_affected"],
    "mobility":   ["max_speed_kmh", "fleet_size", "recall_cost_jpy", "location_history"],
    "healthcare": ["harm_life", "health_data", "records_exposed", "loss_jpy"],
    "factory":    ["harm_life", "offsite_release", "equipment_damage", "production_loss_jpy"],
    "building":   ["personal_data", "occupants", "loss_jpy"],
    "natives":    ["harm_life", "units_deployed"],
}

# Values a CVSS vector fact is tried with: none known, low, critical.
VECTORS = ["", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
           "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"]

passed = 0
failed = 0


def report(name, section, problems):
    global passed, failed
    if problems:
        failed += 1
        print("FAIL %s [IoT-SSF 1.0, %s]" % (name, section))
        for p in problems[:20]:
            print("  " + p)
        if len(problems) > 20:
            print("  ... and %d more" % (len(problems) - 20))
    else:
        passed += 1
        print("ok   %s [IoT-SSF 1.0, %s]" % (name, section))


def pack_file(pack):
    return os.path.join(ROOT, "examples", pack, "pack.ipsf")


def native_args(pack):
    return ["--allow-native", CVSS] if pack == "natives" else []


def schema(pack):
    out = subprocess.run([IPSFC, "schema", pack_file(pack)], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)["$defs"]["facts"]["properties"]


def declared_profiles(pack):
    """The usage profiles a pack declares, as its schema gives them: name ->
    the facts the profile sets (a "const" in its $defs entry)."""
    out = subprocess.run([IPSFC, "schema", pack_file(pack)], capture_output=True, text=True,
                         check=True).stdout
    doc = json.loads(out)
    names = (doc["properties"]["profiles"].get("properties") or {}).keys()
    return {n: {f: p["const"] for f, p in doc["$defs"]["profile:" + n]["properties"].items()
                if "const" in p} for n in names}


def load_sheets(paths, pack=None):
    """Every (name, facts) of the sheets: one per profile, profiles merged
    as eval binds them: base facts, then what the pack's usage profile of
    that name sets, then the sheet's own profile object."""
    settings = declared_profiles(pack) if pack else {}
    cases = []
    for path in paths:
        rel = os.path.relpath(path, ROOT)
        if path.endswith(".jsonl"):
            with open(path) as f:
                docs = [(("%s:%d" % (rel, i + 1)), json.loads(l)) for i, l in enumerate(f) if l.strip()]
        elif path.endswith((".yaml", ".yml")):
            with open(path) as f:
                docs = [(rel, yaml.safe_load(f))]
        else:
            with open(path) as f:
                docs = [(rel, json.load(f))]
        for where, doc in docs:
            base = doc.get("facts", {})
            device = doc.get("device", where)
            profiles = doc.get("profiles") or {None: {}}
            for prof, over in profiles.items():
                facts = dict(base)
                facts.update(settings.get(prof, {}))
                facts.update(over)
                label = "%s %s" % (where, device) + (" [%s]" % prof if prof else "")
                cases.append((label, facts))
    return cases


def device_cases(pack):
    paths = sorted(glob.glob(os.path.join(ROOT, "examples", pack, "devices", "*")))
    return load_sheets(paths, pack)


def evaluate(pack, facts_list):
    """Records for a list of fact sets, in order (an error record is kept)."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for facts in facts_list:
            f.write(json.dumps({"facts": facts}) + "\n")
        name = f.name
    try:
        out = subprocess.run([IPSFC, "eval", "--format", "jsonl"] + native_args(pack)
                             + [pack_file(pack), name], capture_output=True, text=True).stdout
    finally:
        os.unlink(name)
    recs = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert len(recs) == len(facts_list), "%s: %d records for %d sheets" % (pack, len(recs), len(facts_list))
    return recs


def cell(rec):
    c = rec["category"]
    return (AXIS1.index(c["axis1"]), AXIS2.index(c["axis2"]))


def cell_text(rec):
    return "%s / %s" % (rec["category"]["axis1"], rec["category"]["axis2"]) if "category" in rec \
        else "error: %s" % rec["error"]["message"]


def strength(req):
    """How demanding a required method is: the method, then a period, then a shorter one."""
    every = req["every_months"]
    return (RANK[req["method"]], 0 if every is None else 1, -(every or 0))


def method_text(req):
    return req["method"] + ("" if req["every_months"] is None else " every %d months" % req["every_months"])


def values_of(prop, pack, fact):
    """The values a fact can take, for trying them all."""
    if pack == "natives" and fact == "worst_vuln":
        return VECTORS
    if prop.get("type") == "boolean":
        return [False, True]
    if "enum" in prop:
        return list(prop["enum"])
    if prop.get("type") == "array":
        items = prop["items"]["enum"]
        return [[], items[:1], items]
    raise ValueError("%s.%s: no values to try" % (pack, fact))


def worst_of(prop, fact):
    if prop.get("type") == "boolean":
        return True
    if "enum" in prop:
        return prop["enum"][-1]
    if prop.get("type") == "integer":
        return 100_000_000_000 if fact.endswith("_jpy") else 10_000_000
    raise ValueError("%s: no worst value" % fact)


# --- 3-3-3 and 3-3-4: the car --------------------------------------------

def check_car():
    """3-3-3: "in the case of a car, ... we are seeking a driver's license";
    3-3-4: "it is obligatory to take out automobile liability insurance,
    which is compulsory insurance".  Every unit that moves a car, bus or
    truck with a driver needs a licensed driver and compulsory insurance,
    whatever its cell; an e-scooter (a motor vehicle) needs compulsory
    insurance; a power-assisted bicycle (a bicycle) does not."""
    cases = load_sheets([os.path.join(HERE, "sheets", "car.jsonl")]) + device_cases("mobility")
    recs = evaluate("mobility", [f for _, f in cases])
    problems = []
    seen = 0
    for (label, facts), rec in zip(cases, recs):
        if "error" in rec:
            problems.append("%s: %s" % (label, cell_text(rec)))
            continue
        req = {q["id"]: q for q in rec["requirements"]}
        moves = facts.get("controls") in ("driver_assistance", "powertrain", "automated_driving")
        driverless = facts.get("automation") in ("level4", "level5")
        vehicle = facts["vehicle"]
        if not moves:
            continue
        seen += 1
        want_ins = "voluntary_insurance" if vehicle == "assisted_bicycle" else "compulsory_insurance"
        got = req.get("MB-30")
        if not got or got["method"] != want_ins:
            problems.append("%s (%s, %s): MB-30 wants %s, got %s" % (
                label, vehicle, cell_text(rec), want_ins, got and got["method"]))
        if vehicle in ("passenger_car", "bus", "heavy_truck") and not driverless:
            got = req.get("MB-20")
            if not got or got["method"] != "licence":
                problems.append("%s (%s, %s): MB-20 wants licence, got %s" % (
                    label, vehicle, cell_text(rec), got and got["method"]))
    if seen < 10:
        problems.append("only %d units that move a vehicle were checked" % seen)
    report("the car: a licence and compulsory insurance for every motor vehicle", "3-3-3, 3-3-4", problems)


# --- 3-2-3: device g and device h ----------------------------------------

def check_device_g_h():
    """3-2-3: "even with the same device / system, the mapping destination
    may differ depending on the usage pattern" ("the device g and the
    device h are the same device but have different usage patterns").
    Every sector pack has a device whose usage profiles land in two cells;
    and the pairs below, named in the packs' READMEs, do."""
    expected = [
        ("smart-home", "smart-lock.json", {"home": "serious / limited", "care-facility": "fatal / significant"}),
        ("smart-home", "thermostat.json", {"home": "limited / significant", "office": "limited / limited"}),
        ("mobility", "e-scooter-controller.json", {"private": "serious / limited", "shared-fleet": "serious / significant"}),
        ("healthcare", "ventilator.json", {"icu": "serious / significant", "home": "fatal / significant"}),
        ("factory", "robot-controller.json", {"fenced-cell": "serious / limited", "collaborative": "fatal / significant"}),
        ("factory", "dosing-controller.json", {"factory-wastewater": "serious / limited", "municipal-waterworks": "fatal / catastrophic"}),
        ("building", "access-controller.json", {"card-reader": "serious / limited", "face-recognition": "fatal / significant",
                                                "escape-route": "fatal / significant"}),
        ("building", "elevator-controller.json", {"office-tower": "serious / significant", "hospital-wing": "fatal / significant"}),
    ]
    problems = []
    for pack in PACKS[:5]:
        by_sheet = {}
        cases = device_cases(pack)
        recs = evaluate(pack, [f for _, f in cases])
        for (label, _), rec in zip(cases, recs):
            sheet = label.split(" ")[0]
            by_sheet.setdefault(sheet, set()).add(cell_text(rec))
        if not any(len(cells) > 1 for cells in by_sheet.values()):
            problems.append("%s: no device lands in two cells by usage" % pack)
    for pack, sheet, want in expected:
        path = os.path.join(ROOT, "examples", pack, "devices", sheet)
        cases = load_sheets([path], pack)
        recs = evaluate(pack, [f for _, f in cases])
        got = {label.rsplit("[", 1)[1].rstrip("]"): cell_text(rec) for (label, _), rec in zip(cases, recs)}
        if got != want:
            problems.append("%s %s: want %s, got %s" % (pack, sheet, want, got))
    report("device g and device h: the same device in two cells by usage", "3-2-3", problems)


def check_declared_usage():
    """3-2-3 again, as the packs now say it: a usage pattern is a profile
    the pack declares (docs/language.md, "Usage profiles"), not a name a
    sheet makes up.  Some pack declares profiles; in every pack that does,
    each device sheet lists only declared profiles; and the framework's
    pair, evaluated by ipsfc itself (the pack's settings applied by the
    binder, not merged here), lands in two cells: the ventilator at an ICU
    bedside (device g) and at home (device h)."""
    problems = []
    declaring = [p for p in PACKS[:5] if declared_profiles(p)]
    if not declaring:
        problems.append("no sector pack declares its usage profiles")
    for pack in declaring:
        names = set(declared_profiles(pack))
        for path in sorted(glob.glob(os.path.join(ROOT, "examples", pack, "devices", "*"))):
            for label, _ in load_sheets([path]):
                if "[" in label and label.rsplit("[", 1)[1].rstrip("]") not in names:
                    problems.append("%s: profile not declared by the pack (%s)" % (label, ", ".join(sorted(names))))
    sheet = os.path.join(ROOT, "examples", "healthcare", "devices", "ventilator.json")
    out = subprocess.run([IPSFC, "eval", "--format", "jsonl", pack_file("healthcare"), sheet],
                         capture_output=True, text=True).stdout
    got = {r["profile"]: cell_text(r) for r in map(json.loads, out.splitlines())}
    want = {"icu": "serious / significant", "home": "fatal / significant"}
    if got != want:
        problems.append("healthcare ventilator.json: want %s, got %s" % (want, got))
    if "healthcare" not in declaring:
        problems.append("healthcare: the care settings are not declared profiles")
    report("device g and device h: usage patterns are profiles the pack declares", "3-2-3", problems)


# --- 3-2-3: upper right requires more ------------------------------------

def check_upper_right():
    """3-2-3: "the ones that are generally categorized in the upper right ...
    more profound measures are required ... the ones categorized in the
    lower left have the possibility that minor measures are sufficient."
    Other things equal: for every device of every pack, making an incident
    worse (one impact fact raised to its worst) never moves the device
    down or left, and never drops or weakens a requirement it had."""
    problems = []
    moved = 0
    for pack in PACKS:
        props = schema(pack)
        cases = device_cases(pack)
        variants = []
        for label, facts in cases:
            for fact in IMPACT[pack]:
                worse = dict(facts)
                worse[fact] = worst_of(props[fact], fact)
                if worse != facts:
                    variants.append((label, fact, facts, worse))
        base = evaluate(pack, [v[2] for v in variants])
        worse = evaluate(pack, [v[3] for v in variants])
        for (label, fact, _, w), a, b in zip(variants, base, worse):
            if "error" in a:
                continue  # a sheet that is an error record on purpose
            if "error" in b:
                problems.append("%s: %s %s=%r: %s" % (pack, label, fact, w[fact], cell_text(b)))
                continue
            ca, cb = cell(a), cell(b)
            if cb[0] < ca[0] or cb[1] < ca[1]:
                problems.append("%s: %s: %s raised moves %s to %s" % (pack, label, fact, cell_text(a), cell_text(b)))
            if cb != ca:
                moved += 1
            qb = {q["id"]: q for q in b["requirements"]}
            for q in a["requirements"]:
                if q["id"] not in qb:
                    problems.append("%s: %s: %s raised drops %s" % (pack, label, fact, q["id"]))
                elif strength(qb[q["id"]]) < strength(q):
                    problems.append("%s: %s: %s raised weakens %s from %s to %s" % (
                        pack, label, fact, q["id"], method_text(q), method_text(qb[q["id"]])))
    if moved < 20:
        problems.append("only %d variants changed cell: the check did not exercise the axes" % moved)
    report("upper-right cells require more than lower-left ones, other things equal", "3-2-3", problems)


def check_corners():
    """3-2-3 again, at the corners of the plane: in every sector pack the
    upper-right cell asks for the strongest confirmation in every viewpoint
    that the pack's lower-left cell asks for at all (each corner as the
    pack's tests place it, from tests/framework/sheets/corners.json)."""
    with open(os.path.join(HERE, "sheets", "corners.json")) as f:
        corners = json.load(f)
    problems = []
    for pack, pair in corners.items():
        lo, hi = evaluate(pack, [pair["lower_left"], pair["upper_right"]])
        if cell_text(lo) != "limited / limited" or cell_text(hi) != "fatal / catastrophic":
            problems.append("%s: corners are %s and %s" % (pack, cell_text(lo), cell_text(hi)))
            continue
        vlo = {}
        vhi = {}
        for q in lo["requirements"]:
            vlo[q["viewpoint"]] = max(vlo.get(q["viewpoint"], (0,)), strength(q))
        for q in hi["requirements"]:
            vhi[q["viewpoint"]] = max(vhi.get(q["viewpoint"], (0,)), strength(q))
        for v, s in vlo.items():
            if vhi.get(v, (0,)) < s:
                problems.append("%s: viewpoint %s: upper right %s < lower left %s" % (pack, v, vhi.get(v), s))
        if len(hi["requirements"]) <= len(lo["requirements"]):
            problems.append("%s: upper right has %d requirements, lower left %d" % (
                pack, len(hi["requirements"]), len(lo["requirements"])))
        if len(vhi) < 3:
            problems.append("%s: upper right asks from %d viewpoints only" % (pack, len(vhi)))
    report("the upper-right corner asks for more than the lower-left one in every pack", "3-2-3", problems)


# --- 3-2-1: likelihood does not place --------------------------------------

def check_likelihood():
    """3-2-1: likelihood "is relatively difficult to calculate ... Do not
    consider, and take an approach to categorize based on the degree of
    impact when an incident occurs"; it is for organising "specific
    requirements".  For every device of every pack, every value of every
    likelihood or exposure fact gives the same cell."""
    problems = []
    tried = 0
    for pack in PACKS:
        props = schema(pack)
        cases = device_cases(pack)
        variants = []
        for label, facts in cases:
            for fact in LIKELIHOOD[pack]:
                for value in values_of(props[fact], pack, fact):
                    v = dict(facts)
                    v[fact] = value
                    variants.append((label, fact, value, v))
        recs = evaluate(pack, [v[3] for v in variants])
        cells = {}
        for (label, fact, value, _), rec in zip(variants, recs):
            if "error" in rec and "NaN" in rec["error"]["message"]:
                continue  # the natives example's malformed vector, on purpose
            tried += 1
            cells.setdefault((label, fact), []).append((value, cell_text(rec)))
        for (label, fact), seen in cells.items():
            if len({c for _, c in seen}) > 1:
                problems.append("%s: %s: %s moves the device: %s" % (
                    pack, label, fact, ", ".join("%s -> %s" % (json.dumps(v), c) for v, c in seen)))
    if tried < 100:
        problems.append("only %d evaluations were tried" % tried)
    report("placement does not depend on likelihood or exposure facts", "3-2-1", problems)


# --- 3-2-2: harm on axis 1 is converted into money ---------------------------

def check_compensation():
    """3-2-2: devices "perceived as having a high degree of difficulty in
    recovery in the arrangement on the first axis ... are actually converted
    into monetary value in the form of compensation, etc. There is a high
    possibility that it will fall under a reasonable level."  No device of
    any pack is fatal on axis 1 and limited on axis 2."""
    problems = []
    for pack in PACKS:
        cases = device_cases(pack)
        recs = evaluate(pack, [f for _, f in cases])
        for (label, _), rec in zip(cases, recs):
            if "category" in rec and cell_text(rec) == "fatal / limited":
                problems.append("%s: %s is fatal / limited" % (pack, label))
    report("harm to life is also economic: no device is fatal / limited", "3-2-2", problems)


def records_as_of(pack, day):
    """The records of a pack's device sheets, evidence included, on `day`."""
    paths = sorted(glob.glob(os.path.join(ROOT, "examples", pack, "devices", "*")))
    paths = [p for p in paths if not os.path.basename(p).startswith("bad-")]
    out = subprocess.run([IPSFC, "eval", "--format", "jsonl", "--as-of", day] + native_args(pack)
                         + [pack_file(pack)] + paths, capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def check_supplement():
    """3-3-4: "it takes time to take measures from a certain point of view.
    If so, it can be assumed that it will be temporarily supplemented from
    another point of view."  In every pack's device records: a compensated
    requirement is compensated by requirements of another viewpoint that
    apply and are met; no compensation outlasts 9999-12-31 (each is
    temporary); and at least one device of the examples shows one (the
    smart lock's SH-30 by SH-05), so the check is not vacuous."""
    problems = []
    shown = 0
    for pack in PACKS:
        for day in ("2026-06-01", "9999-12-31"):
            for rec in records_as_of(pack, day):
                reqs = {q["id"]: q for q in rec.get("requirements", [])}
                for q in reqs.values():
                    if q["status"] != "compensated":
                        continue
                    where = "%s: %s %s on %s: %s" % (pack, rec["sheet"], rec.get("profile") or "",
                                                     day, q["id"])
                    if day == "9999-12-31":
                        problems.append(where + " is still compensated: not temporary")
                    shown += 1
                    for by in q["compensated_by"]:
                        o = reqs.get(by)
                        if not o or o["status"] != "met" or o["viewpoint"] == q["viewpoint"]:
                            problems.append(where + " compensated by %s, which is not a met "
                                            "requirement of another viewpoint" % by)
    if not shown:
        problems.append("no example device has a compensated requirement on 2026-06-01")
    report("a shortfall is supplemented from another viewpoint, temporarily", "3-3-4", problems)


def main():
    if not os.access(IPSFC, os.X_OK):
        sys.exit("framework.py: %s is not an executable (build it, or set IPSFC)" % IPSFC)
    if not os.path.exists(CVSS):
        sys.exit("framework.py: %s is missing (make natives)" % CVSS)
    check_car()
    check_device_g_h()
    check_declared_usage()
    check_upper_right()
    check_corners()
    check_likelihood()
    check_compensation()
    check_supplement()
    print("framework: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
