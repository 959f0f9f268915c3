"""The demo data is a dev-only app: production settings leave it out, and no production app imports it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRODUCTION_APPS = ["awl", "members", "committees", "dayschools", "conference"]


def installed_apps(var_dir: Path, **env: str) -> list[str]:
    """INSTALLED_APPS as awl/settings.py reads them in a fresh process, with only ``env`` set."""
    done = subprocess.run(
        [sys.executable, "-c", "from awl import settings; print(' '.join(settings.INSTALLED_APPS))"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWL_VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.split()


@pytest.mark.parametrize(
    ("env", "installed"),
    [
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50}, False),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50, "AWL_DEMO": "true"}, True),
        ({"DEBUG": "true", "SECRET_KEY": "x" * 50}, True),
        ({"DEBUG": "true", "SECRET_KEY": "x" * 50, "AWL_DEMO": "false"}, False),
    ],
)
def test_the_demo_app_is_installed_only_when_asked_for_or_in_debug(
    env: dict[str, str], installed: bool, tmp_path: Path
) -> None:
    assert ("demo" in installed_apps(tmp_path, **env)) is installed


def test_the_tests_install_the_demo_app() -> None:
    assert "demo" in settings.INSTALLED_APPS


def test_no_production_app_imports_the_demo_app() -> None:
    offenders = []
    for app in PRODUCTION_APPS:
        for source in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                offenders += [f"{source}: {name}" for name in names if name.split(".")[0] == "demo"]
    assert offenders == []
