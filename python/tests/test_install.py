"""`pip install ./python` offline (Debian's pip and setuptools, no index),
then the installed package, run from elsewhere, loads the library it ships
(make python put it beside the package)."""
import os
import subprocess
import sys

from conftest import IPSFC, PACK, ROOT


def test_pip_install_offline(tmp_path):
    target = tmp_path / "site"
    env = dict(os.environ)
    env.pop("IPSF_LIBRARY", None)
    env.pop("PYTHONPATH", None)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index",
                    "--no-build-isolation", "--no-deps", "--target", str(target),
                    os.path.join(ROOT, "python")], check=True, env=env, cwd=tmp_path)
    assert (target / "ipsf" / "libipsf.so.0").exists()
    assert list((target / "ipsf").glob("_records*.so")), "the record decoder was not built"
    env["PYTHONPATH"] = str(target)
    env["IPSFC"] = IPSFC  # Pack("x.ipsf") compiles with the binary
    out = subprocess.run([sys.executable, "-c",
                          "import ipsf, ipsf._native as n, sys; "
                          "print(ipsf.Pack(sys.argv[1]).name, ipsf.FAST_RECORDS)", PACK],
                         check=True, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.stdout.strip() == "jp.example.smart-home True"
