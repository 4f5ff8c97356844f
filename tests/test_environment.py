"""environment.yml, pyproject.toml and requirements.lock agree."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PROJECT = Path(__file__).resolve().parents[1]
ENVIRONMENT = PROJECT / "environment.yml"


def _pyproject_requirements() -> list[str]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return list(project["dependencies"]) + list(extras["lab"]) + list(extras["dev"])


def _normal(text: str) -> tuple[str, str]:
    req = Requirement(text)
    return canonicalize_name(req.name), str(req.specifier)


def _lock() -> dict[str, Version]:
    pins = {}
    for line in (PROJECT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"requirements.lock: {line!r} is not an exact pin"
        pins[canonicalize_name(req.name)] = Version(spec.version)
    return pins


@pytest.fixture(scope="module")
def environment():
    if not ENVIRONMENT.exists():
        pytest.fail("environment.yml is missing at the project root")
    return yaml.safe_load(ENVIRONMENT.read_text(encoding="utf-8"))


def test_environment_lists_python_and_pip(environment):
    deps = environment["dependencies"]
    plain = [d for d in deps if isinstance(d, str)]
    assert "python=3.11" in plain
    assert "pip" in plain
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"


def test_environment_pip_section_equals_pyproject(environment):
    sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1
    pip = sections[0]
    assert len(pip) == len(set(pip))
    assert {_normal(r) for r in pip} == {_normal(r) for r in _pyproject_requirements()}
    assert set(pip) == set(_pyproject_requirements())  # the same strings, too


def test_every_requirement_is_pinned_in_the_lock_within_its_range():
    pins = _lock()
    for text in _pyproject_requirements():
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in requirements.lock"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"requirements.lock pins {req.name}=={pins[name]}, outside {req.specifier}"


def test_lock_pins_each_package_once():
    names = []
    for line in (PROJECT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(canonicalize_name(Requirement(line).name))
    assert len(names) == len(set(names))


def test_installed_versions_satisfy_pyproject():
    for text in _pyproject_requirements():
        req = Requirement(text)
        installed = Version(importlib.metadata.version(req.name))
        assert req.specifier.contains(installed, prereleases=True), \
            f"{req.name} {installed} is installed, pyproject wants {req.specifier}"
