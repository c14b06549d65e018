"""A fresh install is the same today and next month: the lock, the version, the system list."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

import brochure
from brochure.cli import main

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".uv" / "bin" / "uv"  # the pinned uv that `make` installs beside .venv
SYNC = ["sync", "--locked", "--all-extras", "--all-groups", "--offline"]


def uv(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    assert UV.exists(), "the suite runs from `make test`, which installs uv into .uv/"
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_PROJECT_ENVIRONMENT": sys.prefix}
    return subprocess.run([str(UV), *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=120)


def test_the_environment_holds_exactly_the_locked_packages() -> None:
    # --locked: pyproject.toml and uv.lock agree; --check: .venv is exactly the lock.
    done = uv(*SYNC, "--check")
    assert done.returncode == 0, done.stderr
    assert "Would make no changes" in done.stderr


def test_a_dependency_changed_without_the_lock_is_refused(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "src/brochure").mkdir(parents=True)
    shutil.copy(ROOT / "src/brochure/__init__.py", tmp_path / "src/brochure/__init__.py")
    assert uv("lock", "--check", "--offline", cwd=tmp_path).returncode == 0
    project = tmp_path / "pyproject.toml"
    text = project.read_text("utf-8")
    assert '"click>=8.1"' in text
    project.write_text(text.replace('"click>=8.1"', '"click>=8.2"'), "utf-8")
    done = uv("lock", "--check", "--offline", cwd=tmp_path)
    assert done.returncode == 1
    # uv resolves the changed requirements again to compare: with the metadata in its cache
    # it says the lock is stale; with a cache that lacks some (a fresh machine, offline) it
    # says it could not resolve them. Either way the lock as it stands is refused, as the
    # unchanged project's was accepted above.
    assert ("The lockfile at `uv.lock` needs to be updated" in done.stderr
            or ("No solution found" in done.stderr and "network was disabled" in done.stderr))


def test_the_library_keeps_version_ranges_and_the_lock_pins_them() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    for requirement in project["dependencies"]:
        assert re.search(r"[<>]=?", requirement), f"{requirement}: give a range, not a pin"
        assert "==" not in requirement
    locked = tomllib.loads((ROOT / "uv.lock").read_text("utf-8"))["package"]
    assert all("version" in p for p in locked if p["name"] != "brochure")
    assert {p["name"] for p in locked} >= {"weasyprint", "babel", "pytest", "mkdocs"}


def test_the_version_is_written_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/brochure/__init__.py"
    assert metadata.version("brochure") == brochure.__version__
    result = CliRunner().invoke(main, ["--version"])
    assert result.output == f"brochure, version {brochure.__version__}\n"
    written = [p.relative_to(ROOT).as_posix() for p in (ROOT / "src").rglob("*")
               if p.is_file() and p.suffix in {".py", ".po", ".pot", ".toml", ".j2"}
               and re.search(rf"\b{re.escape(brochure.__version__)}\b",
                             p.read_text("utf-8", errors="replace"))]
    assert written == ["src/brochure/__init__.py"]


def test_harfbuzz_subsets_the_fonts() -> None:
    # Required (README, .ci/system-packages): without it WeasyPrint subsets with fontTools,
    # warns, and writes other bytes.
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None, "sudo apt-get install libharfbuzz-subset0"


def system_list() -> list[tuple[str, str, str]]:
    rows = []
    for line in (ROOT / ".ci/system-packages").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            package, need, probe = line.split()
            rows.append((package, need, probe))
    return rows


def test_one_list_of_system_packages_serves_make_and_ci() -> None:
    rows = system_list()
    assert {p for p, _, _ in rows} >= {"libpango-1.0-0", "libharfbuzz-subset0", "chromium",
                                       "chromium-driver", "zbar-tools", "mupdf-tools", "qpdf"}
    assert {need for _, need, _ in rows} == {"build", "test"}
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert ".ci/system-deps build" in makefile and ".ci/system-deps test" in makefile
    assert re.search(r"^brochures: system-build", makefile, re.M)
    assert re.search(r"^test: system-test", makefile, re.M)
    ci = (ROOT / ".ci/run").read_text("utf-8")
    assert "make test" in ci and "apt-get" not in ci  # installs go through the one list


def test_every_system_package_on_the_list_is_here() -> None:
    for package, _, probe in system_list():
        kind, _, name = probe.partition(":")
        if kind == "cmd":
            assert shutil.which(name), package
        elif kind == "file":
            assert Path(name).exists(), package
        elif kind == "lib":
            listed = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True,
                                    text=True).stdout
            assert f"{name} " in listed, package
        else:
            assert kind == "python", probe


@pytest.mark.parametrize("need", ["build", "test"])
def test_a_missing_system_package_stops_with_one_line(tmp_path: Path, need: str) -> None:
    ci = tmp_path / ".ci"
    ci.mkdir()
    shutil.copy(ROOT / ".ci/system-deps", ci / "system-deps")
    (ci / "system-packages").write_text(
        "# a list with two packages nobody has\n"
        "no-such-library0  build  lib:libno-such-library.so.0\n"
        "no-such-tools     test   cmd:no-such-command\n", "utf-8")
    done = subprocess.run(["bash", str(ci / "system-deps"), need], capture_output=True,
                          text=True, env={**os.environ, "SYSTEM_DEPS_INSTALL": "no"})
    assert done.returncode == 1
    wanted = "no-such-library0" if need == "build" else "no-such-library0 no-such-tools"
    assert done.stderr == ("error: missing system packages; install them with: "
                           f"sudo apt-get install {wanted}\n")
