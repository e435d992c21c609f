"""Every setting read from the environment, in one place (the app, the CLI and the tests).

| variable | meaning | default |
|---|---|---|
| ``ARMISTICE_DATA`` | the records folder | the atlas's own ``data/`` |
| ``ARMISTICE_CORPUS`` | folder of full document texts | ``../shared/corpus`` beside a checkout |
| ``ARMISTICE_USER_DATA`` | the shared library of added documents | ``~/.local/share/…`` |
| ``ARMISTICE_CACHE`` | built shapes and map files | ``~/.cache/armistice-atlas`` |
| ``ARMISTICE_MODE`` | ``local`` or ``public`` (see below) | ``public`` unless served on loopback |
| ``ARMISTICE_OPERATOR_TOKEN`` | lets whoever types it write to the shared library | unset |
| ``ARMISTICE_IMPORT_ROOT`` | the one folder that folder import may read (off when unset) | unset |
| ``ARMISTICE_MAX_RECORD_BYTES`` | largest YAML record file (``places.yaml`` included) | 8,000,000 |
| ``ARMISTICE_SESSION_DOCS`` / ``_SESSION_BYTES`` | documents one visitor may add | 20 / 10 MB |
| ``ARMISTICE_LIBRARY_DOCS`` / ``_LIBRARY_BYTES`` | size of the shared library | 500 / 200 MB |

*local* mode (a teacher's own computer, the app on 127.0.0.1): added documents go to the shared
library. *public* mode (anything else): each visitor's documents live in their own session only
and vanish with it; the library is read-only unless the visitor types the operator token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: A source checkout (or editable install): the repository beside the package.
CHECKOUT_DIR = PACKAGE_DIR.parent
MODES = ("local", "public")
MAX_DOCUMENT_BYTES = 2_000_000


def _path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise ValueError(f"{name} must be a whole number, not {value[:20]!r}")
    return int(value)


def default_data_dir() -> Path:
    """The atlas's own records: ``data/`` of a checkout, else the copy installed with geo."""
    checkout = CHECKOUT_DIR / "data"
    if (checkout / "documents").is_dir():
        return checkout
    return PACKAGE_DIR / "atlas_data"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    corpus_dir: Path | None
    corpus_source: str  # where corpus_dir came from: "ARMISTICE_CORPUS", "default" or ""
    user_dir: Path
    cache_dir: Path
    mode: str | None  # None: decide from the server address
    operator_token: str
    import_root: Path | None
    max_record_bytes: int
    session_docs: int
    session_bytes: int
    library_docs: int
    library_bytes: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; a malformed number raises ValueError naming the variable."""
        env = os.environ if env is None else env
        corpus = _path(env, "ARMISTICE_CORPUS")
        source = "ARMISTICE_CORPUS" if "ARMISTICE_CORPUS" in env else ""
        if not source:
            shared = CHECKOUT_DIR.parent / "shared" / "corpus"
            corpus, source = (shared, "default") if shared.is_dir() else (None, "")
        mode = env.get("ARMISTICE_MODE", "").strip().lower() or None
        if mode is not None and mode not in MODES:
            raise ValueError(f"ARMISTICE_MODE must be local or public, not {mode[:20]!r}")
        home = Path("~").expanduser()
        return cls(
            data_dir=_path(env, "ARMISTICE_DATA") or default_data_dir(),
            corpus_dir=corpus,
            corpus_source=source,
            user_dir=_path(env, "ARMISTICE_USER_DATA")
            or home / ".local" / "share" / "armistice-atlas" / "documents",
            cache_dir=_path(env, "ARMISTICE_CACHE") or home / ".cache" / "armistice-atlas",
            mode=mode,
            operator_token=env.get("ARMISTICE_OPERATOR_TOKEN", ""),
            import_root=_path(env, "ARMISTICE_IMPORT_ROOT"),
            max_record_bytes=_int(env, "ARMISTICE_MAX_RECORD_BYTES", 8_000_000),
            session_docs=_int(env, "ARMISTICE_SESSION_DOCS", 20),
            session_bytes=_int(env, "ARMISTICE_SESSION_BYTES", 10_000_000),
            library_docs=_int(env, "ARMISTICE_LIBRARY_DOCS", 500),
            library_bytes=_int(env, "ARMISTICE_LIBRARY_BYTES", 200_000_000),
        )
