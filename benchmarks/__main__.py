import importlib
import sys

from benchmarks import SUITES

names = sys.argv[1:] or SUITES
for name in names:
    if name not in SUITES:
        sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(SUITES)}")
for name in names:
    print(f"== {name}")
    importlib.import_module(f"benchmarks.{name}").main()
