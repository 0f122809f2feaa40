"""The bundle's entry point: the same ``margin-planner`` command that pip installs."""

import sys

from planner.cli import main

if __name__ == "__main__":
    sys.exit(main())
