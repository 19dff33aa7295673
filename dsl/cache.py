"""Where docalc keeps files between runs (the parser tables, compiled programs).

``DOCALC_CACHE_DIR`` moves the folder (default ``~/.cache/docalc``, or under
``XDG_CACHE_HOME``); ``DOCALC_NO_CACHE=1`` turns every cache off.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path | None:
    """Return docalc's cache folder, or None if caching is turned off."""
    if os.environ.get("DOCALC_NO_CACHE", "").strip() not in ("", "0"):
        return None
    root = os.environ.get("DOCALC_CACHE_DIR")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "docalc"
