"""Fetch external sources into a local cache, bound by a committed lock of checksums.

The registry (``data/raw/fetch_registry.yml``, :mod:`.registry`) says where
each source's official copy lives, its licence and citation, and which file
of a local mirror stands in for it. :func:`fetch` (:mod:`.core`) downloads
(plain files through pooch's downloader, :mod:`.http`), pages through an API
(:mod:`.apis`: UNHCR, UCDP, ACLED) or copies from a mirror (:mod:`.mirror`)
into a cache folder (default ``data/external/``, not committed). The lock
(``data/raw/fetch.lock.json``, :mod:`.lock`) pins each file's SHA-256: bytes
that differ are refused, and only ``refugeestudy fetch --update NAME``
replaces a pin. :func:`cached_path` checks the pin on every later use.

Nothing partial is ever left where a complete file is expected
(:mod:`.install`, through :mod:`refugeestudy._atomic`). Credentials (ACLED,
the UCDP API token) come from environment variables only; they are never
written to the cache, the lock, a log or an error message.

Import rule: fetch may import :mod:`refugeestudy.sources` (a download is read
before it is pinned), :mod:`refugeestudy.clean` and the shared top-level modules;
never the pipeline, panels or a study. ``tests/test_architecture.py`` enforces it.

Official endpoints (checked with public documentation and code, Nov 2026):

* UCDP GED global CSV: https://ucdp.uu.se/downloads/ ; files follow
  ``https://ucdp.uu.se/downloads/ged/ged{MAJOR}{MINOR}-csv.zip``.
* UCDP API: https://ucdp.uu.se/apidocs/ ; needs a token in the
  ``x-ucdp-access-token`` header since February 2026 (env ``UCDP_API_TOKEN``).
* UNHCR population API: https://api.unhcr.org/docs/refugee-statistics.html ;
  ``https://api.unhcr.org/population/v1/<dataset>/`` with ``limit``/``page``
  and ``maxPages`` in the answer. ``flows`` is not an API dataset.
* ACLED: https://acleddata.com/api-documentation/getting-started ; OAuth
  password grant at ``https://acleddata.com/oauth/token``, data at
  ``https://acleddata.com/api/acled/read``.

Examples
--------
>>> registry = load_registry()
>>> "ucdp_ged" in expand_sources(["ucdp"], registry, mirror=True)
True
>>> LOCK_NAME, REGISTRY_NAME
('fetch.lock.json', 'fetch_registry.yml')
"""

from __future__ import annotations

from refugeestudy.fetch.core import FetchResult, fetch
from refugeestudy.fetch.errors import (ChecksumError, FetchError, MissingCredentialsError,
                                       UnknownSourceError)
from refugeestudy.fetch.lock import (LOCK_NAME, cached_path, default_cache_dir, default_lock_path,
                                     read_lock, verify)
from refugeestudy.fetch.registry import (REGISTRY_NAME, Registry, Source, expand_sources,
                                         load_registry)

__all__ = [
    "REGISTRY_NAME",
    "LOCK_NAME",
    "FetchError",
    "ChecksumError",
    "MissingCredentialsError",
    "UnknownSourceError",
    "Source",
    "Registry",
    "FetchResult",
    "load_registry",
    "expand_sources",
    "default_cache_dir",
    "default_lock_path",
    "read_lock",
    "cached_path",
    "verify",
    "fetch",
]
