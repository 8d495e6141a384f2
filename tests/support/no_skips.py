"""A pytest plugin: with ``ASPIRASI_FORBID_SKIPS`` set (``make test`` sets it), a run in which
any test was skipped fails, so that the whole suite never passes by skipping part of it (no
browser, no PostgreSQL, no Redis)."""

from __future__ import annotations

import os
from typing import Any

import pytest


def _skipped(config: pytest.Config) -> list[Any]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return list(reporter.stats.get("skipped", [])) if reporter is not None else []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("ASPIRASI_FORBID_SKIPS") and _skipped(session.config):
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = _skipped(config)
    if os.environ.get("ASPIRASI_FORBID_SKIPS") and skipped:
        terminalreporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped, and this run forbids skips "
            "(ASPIRASI_FORBID_SKIPS, set by make test)",
            red=True,
        )
