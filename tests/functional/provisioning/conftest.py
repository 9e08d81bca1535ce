"""Fixtures of the provisioning operations' functional tests."""

from __future__ import annotations

import pytest

from tests.functional.provisioning.world import World


@pytest.fixture
def world(tables: dict[str, str]) -> World:
    return World(tables)
