"""The wheel carries the built-in maps: built, installed in a fresh venv, run from elsewhere.

The wheel is built without build isolation (offline: the setuptools and wheel at hand) from
a copy of the project, so the checkout gets no build/ or egg-info. The venv sees the
installed dependencies (``--system-site-packages``) but its histmap is the wheel's, run
with no ``PYTHONPATH`` from a folder that is not the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

import histmap
from histmap.loader import data_root

ROOT = Path(__file__).resolve().parents[1]
BUILD_INPUTS = ("pyproject.toml", "README.md", "src", "data")
"""What the build reads: copied, without caches, into a folder of its own."""
NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
TIMEOUT = 300
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert result.returncode == 0, f"{cmd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("project")
    for name in BUILD_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=NOT_SHIPPED)
        else:
            shutil.copy2(source, project / name)
    dist = tmp_path_factory.mktemp("dist")
    build = ["wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w"]
    run([*PIP, *build, str(dist), str(project)])
    (found,) = dist.glob("histmap-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> dict:
    """A fresh venv with the wheel installed: its python, its histmap script, an env to run."""
    home = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(home)])
    python = home / ("Scripts" if os.name == "nt" else "bin") / "python"
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "HISTMAP_DATA")
    }
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    own_site = Path(run([python, "-c", where], env=env).stdout.strip())
    # When the tests themselves run in a venv, its packages are not the system's: list them.
    (own_site / "_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = ["install", "--no-deps", "--force-reinstall", "--no-index"]
    run([python, *PIP[1:], *install, str(wheel)], env=env)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    return {
        "home": home,
        "python": python,
        "histmap": python.parent / "histmap",
        "env": env,
        "cwd": elsewhere,
    }


def shipped_files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_the_wheel_holds_every_file_of_data_and_the_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    maps = {n.removeprefix("histmap/maps/") for n in names if n.startswith("histmap/maps/")}
    assert maps == shipped_files(ROOT / "data")
    assert {"korean_war/map.toml", "korean_war/SOURCES.md", "soviet_view_1951/map.toml"} <= maps
    templates = ROOT / "src" / "histmap" / "templates"
    assert {f"histmap/templates/{n}" for n in shipped_files(templates)} <= names
    # the compiled catalogues of histmap's words
    catalogues = {f"histmap/locales/{lang}/LC_MESSAGES/histmap.mo" for lang in ("en", "fr", "ko")}
    assert catalogues <= names


def test_the_venv_imports_the_wheels_histmap_and_maps(venv):
    script = (
        "import json, histmap, histmap.loader as l; print(json.dumps("
        "[histmap.__file__, str(l.data_root()), l.builtin_maps()]))"
    )
    out = run([venv["python"], "-c", script], env=venv["env"], cwd=venv["cwd"]).stdout
    module, maps, names = json.loads(out)
    home = venv["home"].resolve()
    assert Path(module).resolve().is_relative_to(home), module
    assert Path(maps).resolve().is_relative_to(home), maps
    assert {"korean_war", "soviet_view_1951"} <= set(names)


def test_the_installed_command_draws_a_still_of_the_builtin_map(venv):
    run([venv["histmap"], "still", "1950-09-15", "-o", "x.png"], env=venv["env"], cwd=venv["cwd"])
    with Image.open(venv["cwd"] / "x.png") as image:
        assert image.format == "PNG"
        assert image.size == (1280, 720)
    # in Korean: the catalogue and the Korean font come with the install
    out = run([venv["histmap"], "still", "1950-09-15", "--lang", "ko", "-o", "k.svg"],
              env={**venv["env"], "HISTMAP_STRICT_GLYPHS": "1"}, cwd=venv["cwd"])  # fmt: skip
    assert "missing" not in out.stderr
    assert "주요 사건" in (venv["cwd"] / "k.svg").read_text(encoding="utf-8")


def test_the_installed_command_checks_the_second_builtin_map(venv):
    result = run([venv["histmap"], "check", "soviet_view_1951"], env=venv["env"], cwd=venv["cwd"])
    assert "soviet_view_1951: OK" in result.stdout


# -- where the maps are found in a checkout ------------------------------------------------------


def test_a_checkout_reads_its_own_data_folder(monkeypatch):
    monkeypatch.delenv("HISTMAP_DATA", raising=False)
    if not Path(histmap.__file__).resolve().is_relative_to(ROOT / "src"):
        pytest.skip("histmap is not imported from this checkout")
    assert data_root() == ROOT / "data"


def test_histmap_data_overrides_the_built_in_maps(monkeypatch, tmp_path):
    monkeypatch.setenv("HISTMAP_DATA", str(tmp_path))
    assert data_root() == tmp_path
