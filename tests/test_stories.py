"""Stories: the shipped ones are valid and grounded; bad ones report every problem."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from conftest import DATA_DIR, REPO_ROOT, require_corpus
from geo import Atlas, ValidationError, validate
from geo.stories import Story, load_stories

SHIPPED = ("korea-1951", "geneva-1954")


@pytest.fixture(scope="module")
def stories(atlas: Atlas) -> dict[str, Story]:
    return load_stories(atlas)


def test_shipped_stories_load(stories: dict[str, Story]) -> None:
    assert set(SHIPPED) <= set(stories)
    assert stories["korea-1951"].theater == "korea"
    assert stories["geneva-1954"].theater == "indochina"
    for sid in SHIPPED:
        assert 6 <= len(stories[sid].steps) <= 9, sid


def test_every_step_is_complete_and_consistent(atlas: Atlas, stories: dict[str, Story]) -> None:
    for story in stories.values():
        assert story.title and story.summary
        for step in story.steps:
            where = f"{story.id}: {step.title}"
            assert step.title and step.caption, where
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", step.caption) if s]
            assert 2 <= len(sentences) <= 4, where
            assert step.layers and all(atlas.lines[i].theater == story.theater for i in step.layers)
            assert step.selected is None or step.selected in step.layers, where
            assert step.view is not None and 1 <= step.view.zoom <= 18, where
            assert step.theater == story.theater
            for ev in step.evidence:
                supports = [
                    e.phrase
                    for e in atlas.documents[ev.document].supports
                    if e.proposal == ev.proposal
                ]
                assert ev.phrases and all(p in supports for p in ev.phrases), where
                assert ev.proposal in step.layers, where


def test_stories_cover_the_requested_ground(stories: dict[str, Story]) -> None:
    korea = stories["korea-1951"].layers
    for lid in (
        "kr-1951-communist-38th-parallel",
        "kr-1951-communist-buffer-zone",
        "kr-1951-un-buffer-zone",
        "kr-1951-front-line",
        "kr-1951-kaesong-neutral-zone",
        "kr-1951-communist-front-line-fallback",
        "kr-1953-mdl",
        "kr-1953-dmz",
    ):
        assert lid in korea, lid
    geneva = stories["geneva-1954"].layers
    for lid in (
        "vn-1954-drv-maximum",
        "vn-1954-drv-medium",
        "vn-1954-drv-minimum",
        "vn-1954-french-18th",
        "vn-1954-french-haiphong",
        "vn-1954-geneva-line",
        "vn-1954-geneva-dmz",
        "la-1954-drv-zones",
        "la-1954-zhou-bottom-line",
        "la-1954-geneva-regroupment",
    ):
        assert lid in geneva, lid
    # the 1951 cables come first, in the order the story cites them
    assert stories["korea-1951"].documents[:3] == ("117409", "117413", "113006")
    assert "110145" in stories["geneva-1954"].documents


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_captions_are_our_own_words(stories: dict[str, Story]) -> None:
    """No caption repeats eight words in a row from any document text of the corpus."""
    corpus = require_corpus()
    source: set[tuple[str, ...]] = set()
    for path in corpus.iterdir():
        if path.is_file():
            source |= _shingles(path.read_text(encoding="utf-8", errors="replace"), 8)
    assert source
    for story in stories.values():
        for step in story.steps:
            copied = _shingles(step.caption, 8) & source
            assert not copied, f"{story.id}: {step.title}: {' '.join(next(iter(copied)))}"


def test_deep_link_carries_the_apps_parameters(stories: dict[str, Story]) -> None:
    story = stories["korea-1951"]
    link = story.deep_link(2)
    assert link == story.steps[2].deep_link("korea-1951", 2)
    assert link.startswith("?story=korea-1951&step=3&")
    params = {k: v[0] for k, v in parse_qs(link[1:]).items()}
    step = story.steps[2]
    assert params == {
        "story": "korea-1951",
        "step": "3",
        "theater": "korea",
        "line": str(step.selected),
        "date": step.date.isoformat() if step.date else "",
    }
    assert story.step_index(params["step"]) == 2
    assert story.step_index("0") is None
    assert story.step_index("99") is None
    assert story.step_index("x") is None
    assert story.step_index(None) is None


def test_deep_links_are_accepted_by_the_app(
    atlas: Atlas, stories: dict[str, Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every step's theater/line/date parameters pass the app's own URL checks unchanged."""
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    params_mod = pytest.importorskip("ui.params")
    documents = {d.id: d.theater for d in atlas.documents.values()}
    for story in stories.values():
        for i, step in enumerate(story.steps):
            params = {k: v[0] for k, v in parse_qs(story.deep_link(i)[1:]).items()}
            view, warnings = params_mod.parse_params(params, atlas, documents)
            assert not warnings, (story.id, i, [str(w) for w in warnings])
            assert view.theater == story.theater
            assert view.line == step.selected
            assert view.date == step.date
            assert view.view == "present"  # a story's link opens the story


def test_no_story_folder_means_no_stories(atlas: Atlas, tmp_path: Path) -> None:
    assert load_stories(atlas, tmp_path / "absent") == {}
    assert load_stories(atlas, tmp_path) == {}


BAD = """\
id: bad-story
title: A story with many mistakes
theater: korea
summary: Every step below is wrong in some way.
colour: blue
steps:
  - title: Unknown line and document
    caption: Two mistakes here.
    layers: [kr-1951-front-line, no-such-line]
    view: {center: [38.0, 127.0], zoom: 19}
    evidence:
      - {document: "999999", proposal: kr-1951-front-line}
  - title: Evidence the document does not give
    caption: The document says nothing about the 1953 line.
    layers: [kr-1953-mdl, vn-1954-geneva-line]
    selected: kr-1951-front-line
    view: {center: [95.0, 200.0], zoom: 0}
    date: 1960-01-01
    evidence:
      - {document: "117409", proposal: kr-1953-mdl}
  - title: No caption
    layers: [kr-1953-mdl]
    view: {center: [16.0, 107.0], zoom: 8}
    date: 1951-02-30
"""


def test_bad_story_reports_every_problem_with_its_line(atlas: Atlas, tmp_path: Path) -> None:
    (tmp_path / "wrong-name.yaml").write_text(BAD, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_stories(atlas, tmp_path)
    found = {(p.line, p.field, p.message) for p in info.value.problems}

    def has(line: int, field: str, words: str) -> bool:
        return any(ln == line and f == field and words in m for ln, f, m in found)

    assert has(1, "id", "must equal the file name")
    assert has(5, "colour", "unknown field")
    assert has(9, "steps[0].layers", "unknown line id 'no-such-line'")
    assert has(10, "steps[0].view.zoom", "zoom 19 is out of range")
    assert has(12, "steps[0].evidence.document", "unknown document '999999'")
    assert has(15, "steps[1].layers", "belongs to indochina, not korea")
    assert has(16, "steps[1].selected", "not among the step's layers")
    assert has(17, "steps[1].view.center", "95 is out of range")
    assert has(17, "steps[1].view.center", "200 is out of range")
    assert has(17, "steps[1].view.zoom", "zoom 0 is out of range")
    assert has(18, "steps[1].date", "outside the korea timeline 1951-07-01")
    assert has(20, "steps[1].evidence.proposal", "gives no evidence for 'kr-1953-mdl'")
    assert has(21, "steps[2].caption", "missing required field 'caption'")
    assert has(23, "steps[2].view.center", "outside the korea theater")
    assert has(24, "steps[2].date", "not a real date")
    assert all(p.path.endswith("wrong-name.yaml") for p in info.value.problems)
    assert len(info.value.problems) >= 15


def test_bad_theater_and_missing_steps(atlas: Atlas, tmp_path: Path) -> None:
    (tmp_path / "x-story.yaml").write_text(
        "id: x-story\ntitle: T\ntheater: europe\nsummary: S\nsteps: []\n", encoding="utf-8"
    )
    (tmp_path / "y-story.yaml").write_text("steps: [1, 2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_stories(atlas, tmp_path)
    messages = [(p.path.rsplit("/", 1)[-1], p.line, p.message) for p in info.value.problems]
    assert ("x-story.yaml", 3, "'europe' is not one of korea, indochina") in messages
    assert any(m[0] == "x-story.yaml" and "at least one step" in m[2] for m in messages)
    assert any(m[0] == "y-story.yaml" and "YAML syntax error" in m[2] for m in messages)


def test_a_valid_story_from_a_teacher_folder(atlas: Atlas, tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(
        "id: mini\ntitle: Mini\ntheater: indochina\nsummary: One step.\nsteps:\n"
        "  - title: The French line\n"
        "    caption: France asked for the 18th parallel. That is all.\n"
        "    layers: [vn-1954-french-18th]\n"
        "    date: 1954-06-26\n"
        "    evidence: [{document: '110145', proposal: vn-1954-french-18th}]\n",
        encoding="utf-8",
    )
    story = load_stories(atlas, tmp_path)["mini"]
    (step,) = story.steps
    assert step.view is None and step.selected is None
    assert step.date == dt.date(1954, 6, 26)
    assert step.evidence[0].phrases == (
        "withdrawing completely from the north, dividing the line along the 18th parallel",
    )
    assert story.deep_link(0) == "?story=mini&step=1&theater=indochina&date=1954-06-26"


def test_evidence_uses_document_not_the_old_cable_key(atlas: Atlas, tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(
        "id: old\ntitle: Old\ntheater: indochina\nsummary: S.\nsteps:\n"
        "  - title: T\n    caption: One. Two.\n    layers: [vn-1954-french-18th]\n"
        "    evidence: [{cable: '110145', proposal: vn-1954-french-18th}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        load_stories(atlas, tmp_path)
    fields = {(p.line, p.field, p.message) for p in info.value.problems}
    assert (9, "steps[0].evidence.cable", "unknown field 'cable'") in fields
    assert any(f == "steps[0].evidence.document" and "missing" in m for _, f, m in fields)


def test_validate_checks_the_stories_of_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    story = data / "stories" / "korea-1951.yaml"
    story.write_text(story.read_text().replace("zoom: 7", "zoom: 70", 1), encoding="utf-8")
    problems = validate(data)
    assert problems and all(p.path == "data/stories/korea-1951.yaml" for p in problems)
    assert any("zoom 70 is out of range" in p.message for p in problems)
