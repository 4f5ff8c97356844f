"""The download registry, ``data/raw/fetch_registry.yml``: where each source lives.

One entry per source: its kind (how it is fetched), the official URL (a
template with ``{base:NAME}`` placeholders), the cache file name, licence,
citation, the canonical table it feeds and the file of a local mirror that
stands in for it. What was actually fetched is recorded in the lock
(:mod:`refugeestudy.fetch.lock`), never here.

Examples
--------
>>> registry = load_registry()
>>> {"acled", "ucdp_ged", "ucdp_ged_syria"} <= set(registry.sources)
True
>>> registry.sources["ucdp_ged"].mirror["path"]
'ucdp/ged191_syria_2016_2019.csv'
>>> expand_sources(["unhcr"], registry, mirror=True)[:2]
['unhcr_population', 'unhcr_asylum_applications']
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from refugeestudy import paths
from refugeestudy.fetch.errors import FetchError, UnknownSourceError

__all__ = ["REGISTRY_NAME", "KINDS", "Source", "Registry", "load_registry", "expand_sources"]

REGISTRY_NAME = "fetch_registry.yml"
KINDS = ("file", "unhcr_api", "ucdp_api", "acled_api", "mirror_only")
_ENTRY_FIELDS = ("kind", "title", "url", "filename", "licence", "citation", "table", "version",
                 "docs", "note", "mirror")
_REQUIRED = ("url", "filename", "licence", "citation")
_HINT = "fix the entry in the registry (its header comment lists the kinds and fields)"


@dataclass(frozen=True)
class Source:
    """One registry entry: where a source lives and how to fetch it.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"unhcr_population"``.
    kind : str
        ``file``, ``unhcr_api``, ``ucdp_api``, ``acled_api`` or ``mirror_only``.
    url : str
        URL template (``{base:NAME}`` placeholders resolved by :meth:`Registry.url`).
    filename : str
        Name of the file in ``<cache>/<name>/``.
    licence, citation : str
        What the lock records and a report must show.
    table : str or None
        The canonical table built from it (``violence_events``,
        ``displacement_counts``) or ``None`` for a lookup.
    mirror : dict or None
        ``path`` (relative to the mirror folder) and optionally ``version`` and
        ``note`` when the mirror file differs from the official release.
    options : dict
        Everything else in the entry (``params``, ``columns``, ``queries``, ...).

    Examples
    --------
    >>> source = load_registry().sources["unhcr_population"]
    >>> source.kind, source.filename, source.options["dataset"]
    ('unhcr_api', 'population.csv', 'population')
    """

    name: str
    kind: str
    title: str
    url: str
    filename: str
    licence: str
    citation: str
    table: str | None = None
    version: str | None = None
    docs: str | None = None
    note: str | None = None
    mirror: dict[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Registry:
    """The parsed registry: base URLs, per-kind defaults and the sources.

    Examples
    --------
    >>> registry = load_registry()
    >>> registry.url("unhcr_population")
    'https://api.unhcr.org/population/v1/population/'
    >>> registry.url("unhcr_population", {"unhcr_api": "http://127.0.0.1:8000/"})
    'http://127.0.0.1:8000/population/'
    """

    path: Path | None
    bases: dict[str, str]
    sources: dict[str, Source]
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)

    def resolve(self, template: str, base_urls: Mapping[str, str] | None = None) -> str:
        """Replace ``{base:NAME}`` in ``template`` with the (possibly overridden) base URL.

        Examples
        --------
        >>> load_registry().resolve("{base:acled}oauth/token")
        'https://acleddata.com/oauth/token'
        """
        bases = {**self.bases, **(base_urls or {})}
        out = template
        while "{base:" in out:
            start = out.index("{base:")
            end = out.find("}", start)
            name = out[start + 6:end] if end > 0 else out[start + 6:]
            if end < 0 or name not in bases:
                raise FetchError(f"registry {self.path}: unknown base {name!r} in {template!r}",
                                 hint=f"known bases: {', '.join(sorted(bases))}; {_HINT}")
            base = bases[name] if bases[name].endswith("/") else bases[name] + "/"
            out = out[:start] + base + out[end + 1:]
        return out

    def url(self, name: str, base_urls: Mapping[str, str] | None = None) -> str:
        """Return the resolved URL of source ``name``.

        Examples
        --------
        >>> load_registry().url("ucdp_ged")
        'https://ucdp.uu.se/downloads/ged/ged261-csv.zip'
        """
        return self.resolve(self.sources[name].url, base_urls)

    def option(self, source: Source, key: str, default: Any = None) -> Any:
        """Return ``key`` from the entry, else from the registry's defaults for its kind.

        Examples
        --------
        >>> registry = load_registry()
        >>> registry.option(registry.sources["unhcr_population"], "page_size")
        1000
        """
        if key in source.options:
            return source.options[key]
        return self.defaults.get(source.kind, {}).get(key, default)


def _default_registry_path() -> Path:
    candidates = []
    with contextlib.suppress(FileNotFoundError):
        candidates.append(paths.raw_dir() / REGISTRY_NAME)
    # The checkout this package was installed from (editable install).
    candidates.append(Path(__file__).resolve().parents[3] / "data" / "raw" / REGISTRY_NAME)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FetchError(f"no {REGISTRY_NAME} found (looked in {', '.join(map(str, candidates))})",
                     hint="run from the project folder or set REFUGEESTUDY_ROOT")


def _relative_path_problem(value: Any) -> str | None:
    """Say why ``value`` is not a plain relative path inside a folder, or return ``None``."""
    if not isinstance(value, str) or not value.strip():
        return f"is {value!r}, not a relative path"
    pure = PurePosixPath(value)
    if pure.is_absolute() or ".." in pure.parts or "\\" in value:
        return f"{value!r} must stay inside its folder (no leading '/', no '..')"
    return None


def _source(name: str, entry: Any, where: Path | None) -> Source:
    prefix = f"registry {where}: source {name!r}" if where else f"registry: source {name!r}"
    if not isinstance(entry, Mapping):
        raise FetchError(f"{prefix}: is {type(entry).__name__}, not a mapping of fields",
                         hint=_HINT)
    entry = dict(entry)
    problems = []
    kind = entry.get("kind")
    if kind not in KINDS:
        problems.append(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    missing = [key for key in _REQUIRED if not entry.get(key)]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    filename = entry.get("filename")
    if filename and ("/" in str(filename) or "\\" in str(filename) or str(filename) in (".", "..")):
        problems.append(f"filename {filename!r} must be a plain file name")
    mirror = entry.get("mirror")
    if mirror is not None:
        problem = (_relative_path_problem(mirror.get("path")) if isinstance(mirror, Mapping)
                   else "is not a mapping with 'path'")
        if problem:
            problems.append(f"mirror path {problem}")
    if problems:
        raise FetchError(f"{prefix}: {'; '.join(problems)}", hint=_HINT)
    known = {key: entry.pop(key) for key in _ENTRY_FIELDS if key in entry}
    known.setdefault("title", name)
    if known.get("version") is not None:
        known["version"] = str(known["version"])
    for key in ("licence", "citation", "note"):
        if isinstance(known.get(key), str):
            known[key] = " ".join(known[key].split())
    return Source(name=name, options=entry, **known)


def _read_yaml(where: Path) -> Any:
    """The parsed registry file (``{}`` when empty), or a :class:`FetchError` saying what is wrong.

    Examples
    --------
    >>> _read_yaml(Path("/nonexistent/fetch_registry.yml"))
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: registry /nonexistent/fetch_registry.yml not found
    """
    import yaml

    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FetchError(f"registry {where} not found",
                         hint="restore it from version control (git checkout -- "
                              f"data/raw/{REGISTRY_NAME})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FetchError(f"registry {where} cannot be read: {exc}",
                         hint="check the file's permissions and encoding (UTF-8)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise FetchError(f"registry {where} is not valid YAML{at}: {problem}",
                         hint="fix the YAML syntax there (indentation, quotes, colons)") from None
    return {} if data is None else data


def load_registry(path: str | Path | Mapping | None = None) -> Registry:
    """Read and check the download registry.

    Parameters
    ----------
    path : str, Path or mapping, optional
        The YAML file (default: ``data/raw/fetch_registry.yml`` of the project,
        else of the checkout the package was installed from), or an already
        parsed mapping.

    Returns
    -------
    Registry

    Raises
    ------
    FetchError
        If the file is missing or not YAML, or an entry lacks a required field,
        names an unknown kind or a mirror path outside the mirror folder.

    Examples
    --------
    >>> registry = load_registry()
    >>> registry.sources["ucdp_ged"].licence.startswith("CC BY 4.0")
    True
    >>> load_registry({"sources": {"x": {"kind": "ftp"}}})
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.FetchError: registry: source 'x': unknown kind 'ftp' (expected one of file, unhcr_api, ucdp_api, acled_api, mirror_only); missing url, filename, licence, citation
    """
    if isinstance(path, Mapping):
        data, where = dict(path), None
    else:
        where = Path(path) if path is not None else _default_registry_path()
        data = _read_yaml(where)
    if not isinstance(data, Mapping) or not isinstance(data.get("sources") or {}, Mapping):
        raise FetchError(f"registry {where}: expected a mapping with 'sources' (one entry per "
                         "source)", hint=_HINT)
    sources = {name: _source(name, entry, where)
               for name, entry in (data.get("sources") or {}).items()}
    bases = {key: str(value) for key, value in (data.get("bases") or {}).items()}
    defaults = {kind: dict(data[kind]) for kind in KINDS if isinstance(data.get(kind), Mapping)}
    return Registry(path=where, bases=bases, sources=sources, defaults=defaults)


def expand_sources(names: Iterable[str], registry: Registry, mirror: bool = False) -> list[str]:
    """Turn the names given on the command line into registry keys.

    ``all`` means every source the chosen mode can provide (with ``mirror``:
    those with a mirror file; without: those with an official endpoint); a
    prefix such as ``unhcr`` or ``ucdp`` means every ``unhcr_*`` / ``ucdp_*``
    source the mode can provide. Order follows the registry, without repeats.
    One string is one name.

    Raises
    ------
    UnknownSourceError
        Naming an unknown source and listing the known ones.

    Examples
    --------
    >>> registry = load_registry()
    >>> expand_sources(["ucdp_ged", "unhcr_population", "ucdp_ged"], registry)
    ['ucdp_ged', 'unhcr_population']
    >>> expand_sources("ucdp_ged", registry)
    ['ucdp_ged']
    >>> "unhcr_flows" in expand_sources(["all"], registry, mirror=False)
    False
    >>> expand_sources(["nope"], registry)
    Traceback (most recent call last):
    ...
    refugeestudy.fetch.UnknownSourceError: unknown source 'nope'
    """

    def available(source: Source) -> bool:
        return bool(source.mirror) if mirror else source.kind != "mirror_only"

    groups = sorted({name.split("_")[0] for name in registry.sources})
    names = [names] if isinstance(names, str) else names  # one name, never its characters
    chosen: list[str] = []
    for name in names:
        if name in registry.sources:
            matches = [name]
        elif name == "all":
            matches = [key for key, source in registry.sources.items() if available(source)]
        elif name in groups:
            matches = [key for key, source in registry.sources.items()
                       if key.split("_")[0] == name and available(source)]
        else:
            raise UnknownSourceError(
                f"unknown source {name!r}",
                hint=f"known: {', '.join(sorted(registry.sources))} (or all, {', '.join(groups)}); "
                     "see `refugeestudy fetch --list`")
        chosen.extend(match for match in matches if match not in chosen)
    return chosen
