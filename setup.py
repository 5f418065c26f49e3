"""The compiled helper of the PDF reader (read/native.c); everything else is in pyproject.toml.

`optional`: without a compiler the install still succeeds and the reader uses its pure-Python path (same
output, slower); tests/test_compiled.py fails then, so that CI shows it.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "juesuan.read.native",
            ["lib/juesuan/read/native.c"],
            # no fused multiply-add: the same floats as the Python arithmetic it mirrors
            extra_compile_args=["-O2", "-ffp-contract=off", "-fno-fast-math"],
            optional=True,
        )
    ]
)
