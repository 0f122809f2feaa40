"""The local venue server listens on 127.0.0.1 only; no test sends traffic anywhere else."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)
