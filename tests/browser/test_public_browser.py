"""The app served as to the public (``ARMISTICE_MODE=public``) in chromium: no path of the
server on any screen, one visitor's uploads invisible to another and never standing in for an
atlas document, the server's own upload limit, no folder import, no traceback.

The server gets a shared library folder holding one document (``ARMISTICE_USER_DATA``) and no
``ARMISTICE_IMPORT_ROOT``. Visitors A and B are two browser contexts (two sessions).
Screenshots: ``test-artifacts/public-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _server import (  # tests/browser is on sys.path, like tests/ for conftest
    REPO,
    Watch,
    browser,
    map_frame,
    new_page,
    page,
    require_browser,
    settle,
    shot,
    streamlit_server,
    watch,
)

from conftest import corpus_dir, require_corpus
from geo.documents import read_document_file

pytestmark = pytest.mark.browser
__all__ = ["browser", "page", "watch"]  # fixtures used by name

ATLAS_DOC = "110145"


def telegram(doc_id: str, title: str, body: str) -> bytes:
    """A short synthetic document in the archive's web-page layout (invented for the tests)."""
    return f"""Skip to content

July 5, 1954

{title}

Public Test Command to the Example Delegation:

{body}

Public Test Command
July 5

A synthetic telegram for the public-mode test.

Document Information


Invented for the test suite.


Record ID

{doc_id}
""".encode()


LIBRARY_TITLE = "Telegram, Shared Library Test Command to Example Delegation"
A_TITLE = "Telegram, Visitor A Test Command to Example Delegation"
FORGED = "FORGED TEXT: the demarcation line runs along the 10th parallel."


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("public")
    library = root / "library"
    library.mkdir()
    (library / "990404.txt").write_bytes(
        telegram("990404", LIBRARY_TITLE, "Hold the road from Pleiku toward Route 19.")
    )
    cache = root / "cache"
    cache.mkdir()
    return {"library": library, "cache": cache}


@pytest.fixture(scope="module")
def server(folders: dict[str, Path]) -> Iterator[str]:
    require_browser()
    require_corpus()
    env = {
        "ARMISTICE_MODE": "public",
        "ARMISTICE_USER_DATA": str(folders["library"]),
        "ARMISTICE_CACHE": str(folders["cache"]),
        "ARMISTICE_IMPORT_ROOT": None,
        "ARMISTICE_OPERATOR_TOKEN": None,
    }
    with streamlit_server("streamlit-public.log", env) as url:
        yield url


def open_app(page: Any, query: str, server: str) -> None:
    page.goto(f"{server}/?{query}")
    settle(page)


def everything_shown(page: Any) -> str:
    """The text of the page and its frames, and the page's markup (attributes included)."""
    parts = [page.inner_text("body"), page.content()]
    for frame in page.frames[1:]:
        if not frame.is_detached():
            parts.append(frame.evaluate("() => document.body ? document.body.innerText : ''"))
    return "\n".join(parts)


def upload(page: Any, name: str, data: bytes) -> None:
    page.get_by_text("Add documents of your own").first.click()
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": data}]
    )


# ---------------------------------------------------------------------------------------

SCREENS = {
    "map": ("theater=korea", True),
    "map-selected": ("theater=indochina&line=vn-1954-geneva-line", True),
    "compare": ("view=compare&theater=indochina", True),
    "sequence": ("view=sequence&theater=korea", True),
    "timeline": ("view=timeline&theater=korea", True),
    "documents": ("view=documents", False),
    "reader": (f"view=documents&doc={ATLAS_DOC}", False),
    "library-doc": ("view=documents&doc=library:990404", False),
    "present-list": ("view=present", False),
    "present": ("view=present&story=korea-1951&step=2", True),
    "sources": ("view=sources&theater=korea", False),
}


def test_no_server_path_on_any_screen(page: Any, server: str, folders: dict[str, Path]) -> None:
    paths = {
        "repository": str(REPO),
        "library": str(folders["library"]),
        "cache": str(folders["cache"]),
        "home": str(Path.home()) + "/",
    }
    corpus = corpus_dir()
    if corpus is not None:
        paths["corpus"] = str(corpus)
    found = {}
    for screen, (query, with_map) in SCREENS.items():
        open_app(page, query, server)
        if with_map:
            map_frame(page)
        if screen == "documents":  # the upload panel and its limits too
            page.get_by_text("Add documents of your own").first.click()
            settle(page)
        shown = everything_shown(page)
        for what, path in paths.items():
            if path in shown:
                found[screen] = what
        shot(page, f"public-{screen}")
    assert found == {}, f"server paths shown: {found}"


def test_a_visitors_upload_is_theirs_alone(browser: Any, server: str) -> None:
    watch_a, watch_b = Watch(), Watch()
    a = new_page(browser, watch_a)
    b = new_page(browser, watch_b)
    try:
        open_app(a, "view=documents", server)
        upload(a, "visitor-a.txt", telegram("990505", A_TITLE, "Hold the road at Pleiku."))
        a.get_by_test_id("stAlertContentSuccess").first.wait_for(timeout=60_000)
        settle(a)
        assert (
            "in this session only" in a.get_by_test_id("stAlertContentSuccess").first.inner_text()
        )
        a.get_by_role("heading", name=A_TITLE).first.wait_for()
        shot(a, "public-visitor-a")

        open_app(b, "view=documents&theater=indochina", server)
        assert A_TITLE not in everything_shown(b)
        # the shared library is everyone's
        open_app(b, "view=documents&doc=library:990404", server)
        b.get_by_role("heading", name=LIBRARY_TITLE).first.wait_for()
        # nor by its link
        open_app(b, "view=documents&doc=session:990505", server)
        assert A_TITLE not in b.inner_text("body")
        warnings = "\n".join(b.get_by_test_id("stAlertContentWarning").all_inner_texts())
        assert "doc=" in warnings
        shot(b, "public-visitor-b")
    finally:
        a.context.close()
        b.context.close()
    watch_a.check("visitor A")
    watch_b.check("visitor B")


def test_an_upload_with_an_atlas_number_changes_nothing_for_others(
    browser: Any, server: str
) -> None:
    corpus = require_corpus()
    original = next(
        doc.body
        for doc in (read_document_file(p)[0] for p in sorted(corpus.iterdir()) if p.is_file())
        if doc.id == ATLAS_DOC
    )
    watch_a, watch_b = Watch(), Watch()
    a = new_page(browser, watch_a)
    b = new_page(browser, watch_b)
    try:
        open_app(a, "view=documents", server)
        upload(a, "forged.txt", telegram(ATLAS_DOC, "Telegram, Forged Copy", FORGED))
        a.get_by_test_id("stAlertContentSuccess").first.wait_for(timeout=60_000)
        settle(a)
        infos = "\n".join(a.get_by_test_id("stAlertContentInfo").all_inner_texts())
        assert f"number of the atlas record {ATLAS_DOC}" in infos
        # A's own list shows the atlas record and A's copy beside it
        open_app(a, f"view=documents&doc={ATLAS_DOC}", server)
        text = a.locator(".aa-doc-text").first.inner_text()
        assert FORGED not in text and " ".join(text.split()) == " ".join(original.split())

        open_app(b, f"view=documents&doc={ATLAS_DOC}", server)
        text = b.locator(".aa-doc-text").first.inner_text()
        assert FORGED not in b.inner_text("body")
        assert " ".join(text.split()) == " ".join(original.split())
        shot(b, "public-atlas-doc-for-b")
    finally:
        a.context.close()
        b.context.close()
    watch_a.check("visitor A")
    watch_b.check("visitor B")


def test_the_server_refuses_uploads_over_2_mb(page: Any, server: str) -> None:
    open_app(page, "view=documents", server)
    seen: list[dict[str, Any]] = []

    def remember(route: Any) -> None:
        req = route.request
        seen.append({"url": req.url, "method": req.method, "headers": req.headers})
        route.continue_()

    page.route("**/_stcore/upload_file/**", remember)
    upload(page, "small.txt", telegram("990606", "Telegram, Small Upload", "Hold Pleiku."))
    page.get_by_test_id("stAlertContentSuccess").first.wait_for(timeout=60_000)
    settle(page)
    assert seen, "no upload request was seen"
    request = seen[0]
    big = telegram("990607", "Telegram, Big Upload", "x" * 2_600_000)
    assert len(big) > 2 * 1024 * 1024
    # the widget itself says no to a file over its limit
    page.locator('input[type="file"]').first.set_input_files(
        files=[{"name": "big.txt", "mimeType": "text/plain", "buffer": big}]
    )
    page.wait_for_timeout(500)
    settle(page)
    assert "Telegram, Big Upload" not in page.inner_text("body")
    # and the server refuses the request itself, whatever a client does
    headers = {
        k: v
        for k, v in request["headers"].items()
        if k.lower() in ("x-xsrftoken", "cookie", "origin", "referer")
    }
    answer = page.request.fetch(
        re.sub(r"/[^/]*$", "/big-file-id", request["url"]),
        method=request["method"],
        headers=headers,
        multipart={"file": {"name": "big.txt", "mimeType": "text/plain", "buffer": big}},
        fail_on_status_code=False,
    )
    assert answer.status in (400, 413), answer.status
    small = page.request.fetch(
        re.sub(r"/[^/]*$", "/small-file-id", request["url"]),
        method=request["method"],
        headers=headers,
        multipart={"file": {"name": "ok.txt", "mimeType": "text/plain", "buffer": b"ok"}},
        fail_on_status_code=False,
    )
    assert small.status < 300, small.status  # the same request, small, is accepted
    shot(page, "public-upload-limit")


def test_folder_import_is_not_offered(page: Any, server: str) -> None:
    open_app(page, "view=documents", server)
    page.get_by_text("Add documents of your own").first.click()
    settle(page)
    text = page.inner_text("body")
    assert "import a folder" not in text.lower() and "Import folder" not in text
    assert page.get_by_role("button", name="Import folder").count() == 0
    # nor may a visitor write to the shared library
    assert "shared library (everyone sees them)" not in text
    shot(page, "public-documents-add")


@pytest.fixture(scope="module")
def broken_server() -> Iterator[str]:
    """The public app with a malformed setting: every run raises at start."""
    require_browser()
    env = {"ARMISTICE_MODE": "public", "ARMISTICE_SESSION_DOCS": "many"}
    with streamlit_server("streamlit-public-broken.log", env) as url:
        yield url


def test_an_exception_page_shows_no_traceback(page: Any, broken_server: str, watch: Watch) -> None:
    page.goto(f"{broken_server}/?theater=korea")
    page.get_by_test_id("stException").first.wait_for(timeout=60_000)
    settle(page)
    text = everything_shown(page)
    shot(page, "public-exception")
    assert "Traceback" not in text
    assert not re.search(r"File \"[^\"]+\.py\"", text)
    assert str(REPO) not in text and "site-packages" not in text
    assert "ARMISTICE_SESSION_DOCS" not in page.inner_text("body")
