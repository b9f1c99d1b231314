"""The C record decoder (ipsf/_records.c) gives what json.loads gives,
object for object, and evaluate_jsonl's paths (file objects text and
binary, iterables, chunk edges, jobs) give the CLI's records."""
import json
import random

import pytest

import ipsf
from conftest import cli_jsonl

_records = pytest.importorskip("ipsf._records")


def decode(text):
    d = _records.Decoder(json.loads)
    data = text.encode("utf-8", "surrogatepass")
    return d.lines(data), list(d.iter(data))


CASES = [
    '{"a":"\\u00e9\\ud83d\\ude00\\ud800x\\n\\"","b":[1,-2,3.5,1e3,-0,0.0,1E-7]}',
    '{"big":12345678901234567890123,"neg":-9223372036854775809,"f":-1.5e-300}',
    '{"a":1,"a":2,"b":{},"c":[],"d":null,"e":true,"f":false}',
    '{"x":NaN,"y":-Infinity}',  # json.loads takes them: through the fallback
    '{"x":"é漢字😀 non-ASCII, and long enough to pass sixteen bytes"}',
    '  {"k" : [ 1 , 2 ] }  ',
    '{"x":1e400}', '"s"', '[[[[[]]]]]', '{"\\u0041":1}',
    '{"s":"0123456789abcdef\\"0123456789abcdef\\\\"}',  # escapes past a 16-byte block
    '{"s":"' + "x" * 200 + '"}',  # longer than the cache keeps
]


@pytest.mark.parametrize("text", CASES)
def test_decoder_is_json_loads(text):
    want = json.loads(text)
    got_list, got_iter = decode(text)
    assert got_list == [want] and got_iter == [want]
    assert [type(x) for x in (want.values() if isinstance(want, dict) else [])] == \
        [type(x) for x in (got_list[0].values() if isinstance(want, dict) else [])]


@pytest.mark.parametrize("data", [b'{"x":"\\u12"}', b'{"x":"a\x01"}', b'{"x":', b'{"x" 1}',
                                  b'{"x":"\xff"}'])
def test_malformed_lines_raise_as_json_loads(data):
    with pytest.raises(ValueError):
        json.loads(data.decode("utf-8"))
    with pytest.raises(ValueError):
        _records.Decoder(json.loads).lines(data)


def test_random_strings_round_trip():
    """Strings of every kind, through json.dumps (escaped and not), decode
    exactly: cached ones too, seen again and again."""
    rnd = random.Random(11)
    alphabet = "ab\"\\/\n\t\x01é漢😀" + "".join(chr(c) for c in range(32, 127))
    d = _records.Decoder(json.loads)
    for _ in range(3000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 40)))
        obj = {s: [s, {"k": s}], "n": rnd.randrange(-10**20, 10**20), "f": rnd.random()}
        for text in (json.dumps(obj), json.dumps(obj, ensure_ascii=False)):
            assert d.lines(text.encode()) == [json.loads(text)]


def test_strings_are_shared_but_containers_are_not(ipsb, corpus):
    p = ipsf.Pack(ipsb)
    a, b = list(p.evaluate_jsonl(open(corpus[0], encoding="utf-8")))[:2]
    assert a["pack"] == b["pack"] and a["pack"] is not b["pack"]
    a["pack"]["name"] = "changed"
    assert b["pack"]["name"] != "changed"


def test_file_modes_chunks_and_jobs_match_cli(ipsb, corpus):
    p = ipsf.Pack(ipsb)
    path = corpus[1]
    want = cli_jsonl(ipsb, path, extra=("--jobs", "1"))
    text = open(path, encoding="utf-8", newline="").read()
    for block in (1, 7, 1000, 1 << 16, 1 << 20):  # lines cut across blocks
        with open(path, "rb") as f:
            assert list(p.evaluate_jsonl(f, sheet=path, block=block)) == want
        with open(path, encoding="utf-8", newline="") as f:
            assert list(p.evaluate_jsonl(f, sheet=path, block=block, jobs=3)) == want
    for chunk in (1, 3, 512, 4096):
        assert list(p.evaluate_jsonl(text.splitlines(), sheet=path, chunk=chunk)) == want
    raw = list(p.evaluate_jsonl(text.splitlines(), sheet=path, raw=True))
    assert [json.loads(r) for r in raw] == want
    # no final newline: the last line is still read
    assert list(p.evaluate_jsonl(iter([text.rstrip("\n")]), sheet=path)) == want


def test_a_consumer_that_stops_early(ipsb, corpus):
    p = ipsf.Pack(ipsb)
    it = p.evaluate_jsonl(open(corpus[0], "rb"), block=100, jobs=2)
    first = [next(it) for _ in range(5)]
    it.close()  # pending chunks are cancelled or finish; nothing hangs
    assert [r["line"] for r in first] == [1, 2, 3, 4, 5]


def test_without_the_decoder_the_same_records(ipsb, corpus, monkeypatch):
    """A package built without a C compiler decodes with json.loads: the
    same records."""
    p = ipsf.Pack(ipsb)
    want = cli_jsonl(ipsb, corpus[2], extra=("--jobs", "1"))
    monkeypatch.setattr(ipsf, "_Decoder", None)
    with open(corpus[2], "rb") as f:
        assert list(p.evaluate_jsonl(f, sheet=corpus[2], block=999)) == want
    [r] = p.evaluate('{"facts": {"usage": "moon"}}')
    assert r["error"]["kind"] == "type"
