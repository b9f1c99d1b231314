"""The one part of the package pyproject.toml cannot declare with Debian's
setuptools: the record decoder, a C extension on CPython's headers only
(python3-dev).  optional: without a compiler the package still installs
and decodes records with json.loads (ipsf.FAST_RECORDS is then False)."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("ipsf._records", ["ipsf/_records.c"],
                             extra_compile_args=["-std=c11", "-O2"], optional=True)])
