"""Stories: ordered presentation steps kept as data in ``data/stories/<id>.yaml``.

A story walks a class through one theater step by step: which lines to show, which to
select, where to look, which day of the timeline it is, and which document backs each claim.
Stories are records like the others, written by people, so loading follows the same rules
as :func:`geo.records.load_atlas`: every defect is collected with its file, line and field,
and one :class:`~geo.errors.ValidationError` carries them all. A story is checked *against*
an :class:`~geo.records.Atlas` (line ids, documents and their evidence), which is why
:func:`load_stories` takes one instead of reading records itself.

The app renders a step; this module only says what the step is and how to link to it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from geo.errors import Problem, ValidationError, rel
from geo.io import LineDict, LineList, iter_record_files, load_yaml
from geo.records.fields import ID_RE, kind
from geo.records.model import Atlas
from geo.vocab import THEATERS

STORY_DIR = "stories"
ZOOM_MIN, ZOOM_MAX = 1, 18
MIN_STEPS = 1
MAX_CAPTION_CHARS = 900
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_STORY_FIELDS = ("id", "title", "theater", "summary", "steps")
_STEP_FIELDS = ("title", "caption", "layers", "selected", "view", "date", "evidence")
_VIEW_FIELDS = ("center", "zoom")
_EVIDENCE_FIELDS = ("document", "proposal")


@dataclass(frozen=True)
class View:
    """Where the map looks: a centre (lat, lon, as Leaflet takes it) and a web-map zoom."""

    lat: float
    lon: float
    zoom: int

    @property
    def center(self) -> tuple[float, float]:
        return (self.lat, self.lon)


@dataclass(frozen=True)
class StepEvidence:
    """A document's support for a line shown in a step, with the quoted phrases resolved.

    The phrases are copied from the document record at load time so that the app can show
    the quotation without looking the document up again.
    """

    document: str
    proposal: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One screen of a story."""

    title: str
    caption: str
    layers: tuple[str, ...]
    selected: str | None
    view: View | None
    date: dt.date | None
    evidence: tuple[StepEvidence, ...]
    theater: str = ""
    line: int = 0  # line of the step in its YAML file

    @property
    def documents(self) -> tuple[str, ...]:
        """Document ids this step cites, in order of first citation."""
        return tuple(dict.fromkeys(ev.document for ev in self.evidence))

    def params(self, story_id: str, index: int) -> dict[str, str]:
        """The URL parameters of this step (see :meth:`deep_link`), in a stable order."""
        out = {"story": story_id, "step": str(index + 1)}
        if self.theater:
            out["theater"] = self.theater
        if self.selected:
            out["line"] = self.selected
        if self.date is not None:
            out["date"] = self.date.isoformat()
        return out

    def deep_link(self, story_id: str, index: int) -> str:
        """A query string that reopens this step, e.g. ``?story=korea-1951&step=3&...``.

        ``theater``, ``line`` and ``date`` are the app's own deep-link parameters, so the
        link still opens the right map, selection and day in a version of the app that
        ignores ``story``.

        Parameters
        ----------
        story_id
            The story the step belongs to.
        index
            The step's position in ``Story.steps`` (0-based, as ``enumerate`` gives it).
            The URL counts from 1, because people read and edit these links.

        Returns
        -------
        str
            ``?`` followed by the URL-encoded parameters.
        """
        return "?" + urlencode(self.params(story_id, index))


@dataclass(frozen=True)
class Story:
    """An ordered walk through one theater."""

    id: str
    title: str
    theater: str
    summary: str
    steps: tuple[Step, ...]
    path: str = ""

    def deep_link(self, index: int) -> str:
        """The query string of step *index* (0-based); see :meth:`Step.deep_link`."""
        return self.steps[index].deep_link(self.id, index)

    def step_index(self, value: str | None) -> int | None:
        """Read the URL's 1-based ``step`` value back into a 0-based index (None if bad)."""
        text = (value or "").strip()
        if not (1 <= len(text) <= 4 and text.isascii() and text.isdigit()):
            return None  # ASCII digits only: int() would take "²" or a 5,000-digit step
        index = int(text) - 1
        return index if 0 <= index < len(self.steps) else None

    @property
    def documents(self) -> tuple[str, ...]:
        """Every document id the story cites, in order of first citation (for its citations)."""
        return tuple(dict.fromkeys(c for step in self.steps for c in step.documents))

    @property
    def layers(self) -> tuple[str, ...]:
        """Every line id any step shows, in order of first appearance."""
        return tuple(dict.fromkeys(lid for step in self.steps for lid in step.layers))


# ---------------------------------------------------------------------------------------
# loading


def load_stories(atlas: Atlas, directory: Path | str | None = None) -> dict[str, Story]:
    """Read and validate every story under ``<data_dir>/stories`` against *atlas*.

    Parameters
    ----------
    atlas
        The validated records the stories refer to (lines, documents and their evidence).
    directory
        Another folder of story files (e.g. a teacher's draft); defaults to the atlas's.

    Returns
    -------
    dict
        Stories by id, in file-name order. An absent folder gives an empty dict: stories
        are optional, the map works without them.

    Raises
    ------
    ValidationError
        With every problem found in every file, each naming its file, line and field.
    """
    folder = Path(directory) if directory is not None else atlas.data_dir / STORY_DIR
    root = atlas.data_dir.parent
    problems: list[Problem] = []
    stories: dict[str, Story] = {}
    for path in iter_record_files(folder):
        doc, errs = load_yaml(path, root=root)
        problems.extend(errs)
        if errs:
            continue
        checker = _StoryChecker(atlas, rel(path, root), problems)
        story = checker.story(doc, path.stem)
        if story is None:
            continue
        if story.id in stories:
            checker.add(1, f"duplicate story id {story.id!r} (also {stories[story.id].path})", "id")
            continue
        stories[story.id] = story
    if problems:
        raise ValidationError(problems)
    return stories


class _StoryChecker:
    """Turns one parsed YAML document into a :class:`Story`, recording every problem."""

    def __init__(self, atlas: Atlas, path: str, problems: list[Problem]) -> None:
        self.atlas = atlas
        self.path = path
        self.problems = problems

    def add(self, line: int, message: str, field: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, field))

    # -- small typed readers --------------------------------------------------------------

    def keys(self, d: LineDict, allowed: Iterable[str], where: str = "") -> None:
        allowed = tuple(allowed)
        for key in d:
            if key not in allowed:
                self.add(d.line_of(key), f"unknown field {key!r}", where + key)

    def text(self, d: LineDict, key: str, where: str = "", *, required: bool = True) -> str:
        value = d.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(d.line_of(key), f"missing required field {key!r}", where + key)
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(d.line_of(key), f"must be text, got {kind(value)}", where + key)
            return ""
        return " ".join(str(value).split())

    def number(self, value: Any, line: int, field: str, lo: float, hi: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(line, f"must be a number, got {kind(value)}", field)
            return None
        if not lo <= float(value) <= hi:
            self.add(line, f"{value:g} is out of range [{lo:g}, {hi:g}]", field)
            return None
        return float(value)

    # -- records --------------------------------------------------------------------------

    def story(self, doc: Any, stem: str) -> Story | None:
        if not isinstance(doc, LineDict):
            self.add(1, f"a story must be a mapping, got {kind(doc)}")
            return None
        self.keys(doc, _STORY_FIELDS)
        sid = self.text(doc, "id")
        if sid and not ID_RE.match(sid):
            msg = f"id {sid!r} must be lowercase letters, digits and '-'"
            self.add(doc.line_of("id"), msg, "id")
        elif sid and sid != stem:
            self.add(doc.line_of("id"), f"id {sid!r} must equal the file name {stem!r}", "id")
        theater = self.text(doc, "theater")
        if theater and theater not in THEATERS:
            msg = f"{theater!r} is not one of {', '.join(THEATERS)}"
            self.add(doc.line_of("theater"), msg, "theater")
            theater = ""
        title = self.text(doc, "title")
        summary = self.text(doc, "summary")
        raw = doc.get("steps")
        steps: list[Step] = []
        if not isinstance(raw, LineList) or len(raw) < MIN_STEPS:
            self.add(doc.line_of("steps"), "a story needs a list of at least one step", "steps")
        else:
            for i, (item, line) in enumerate(zip(raw, raw.item_lines, strict=True)):
                step = self.step(item, line, f"steps[{i}].", theater)
                if step is not None:
                    steps.append(step)
        return Story(sid or stem, title, theater, summary, tuple(steps), self.path)

    def step(self, item: Any, line: int, where: str, theater: str) -> Step | None:
        if not isinstance(item, LineDict):
            self.add(line, f"a step must be a mapping, got {kind(item)}", where.rstrip("."))
            return None
        self.keys(item, _STEP_FIELDS, where)
        title = self.text(item, "title", where)
        caption = self.text(item, "caption", where)
        if len(caption) > MAX_CAPTION_CHARS:
            msg = f"caption has {len(caption)} characters; keep it under {MAX_CAPTION_CHARS}"
            self.add(item.line_of("caption"), msg, where + "caption")
        layers = self.layers(item, where, theater)
        selected = self.text(item, "selected", where, required=False) or None
        if selected is not None:
            if selected not in self.atlas.lines:
                msg = f"unknown line id {selected!r}"
                self.add(item.line_of("selected"), msg, where + "selected")
                selected = None
            elif selected not in layers:
                msg = f"selected line {selected!r} is not among the step's layers"
                self.add(item.line_of("selected"), msg, where + "selected")
        return Step(
            title=title,
            caption=caption,
            layers=layers,
            selected=selected,
            view=self.view(item, where, theater),
            date=self.date(item, where, theater),
            evidence=self.evidence(item, where, layers),
            theater=theater,
            line=item.line,
        )

    def layers(self, item: LineDict, where: str, theater: str) -> tuple[str, ...]:
        raw = item.get("layers")
        field = where + "layers"
        if not isinstance(raw, LineList) or not raw:
            self.add(item.line_of("layers"), "a step needs a list of line ids to show", field)
            return ()
        out: list[str] = []
        for lid, line in zip(raw, raw.item_lines, strict=True):
            if not isinstance(lid, str) or lid not in self.atlas.lines:
                self.add(line, f"unknown line id {lid!r}", field)
                continue
            other = self.atlas.lines[lid].theater
            if theater and other != theater:
                self.add(line, f"line {lid!r} belongs to {other}, not {theater}", field)
                continue
            if lid in out:
                self.add(line, f"line {lid!r} is listed twice", field)
                continue
            out.append(lid)
        return tuple(out)

    def view(self, item: LineDict, where: str, theater: str) -> View | None:
        raw = item.get("view")
        field = where + "view"
        if raw is None:
            return None
        if not isinstance(raw, LineDict):
            self.add(item.line_of("view"), "view must be {center: [lat, lon], zoom: n}", field)
            return None
        self.keys(raw, _VIEW_FIELDS, field + ".")
        center = raw.get("center")
        lat = lon = None
        if not isinstance(center, LineList) or len(center) != 2:
            self.add(raw.line_of("center"), "center must be [lat, lon]", field + ".center")
        else:
            lat = self.number(center[0], raw.line_of("center"), field + ".center", -90, 90)
            lon = self.number(center[1], raw.line_of("center"), field + ".center", -180, 180)
        zoom = raw.get("zoom")
        if isinstance(zoom, bool) or not isinstance(zoom, int):
            msg = f"zoom must be a whole number, got {kind(zoom)}"
            self.add(raw.line_of("zoom"), msg, field + ".zoom")
            zoom = None
        elif not ZOOM_MIN <= zoom <= ZOOM_MAX:
            msg = f"zoom {zoom} is out of range [{ZOOM_MIN}, {ZOOM_MAX}]"
            self.add(raw.line_of("zoom"), msg, field + ".zoom")
            zoom = None
        if lat is None or lon is None or zoom is None:
            return None
        if theater:
            x0, y0, x1, y1 = THEATERS[theater].bbox
            if not (x0 <= lon <= x1 and y0 <= lat <= y1):
                msg = f"center ({lat:g}, {lon:g}) lies outside the {theater} theater"
                self.add(raw.line_of("center"), msg, field + ".center")
        return View(lat, lon, zoom)

    def date(self, item: LineDict, where: str, theater: str) -> dt.date | None:
        text = self.text(item, "date", where, required=False)
        if not text:
            return None
        line, field = item.line_of("date"), where + "date"
        if not _ISO_DATE.match(text):
            self.add(line, f"{text!r} is not a date YYYY-MM-DD", field)
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            self.add(line, f"{text!r} is not a real date: {exc}", field)
            return None
        first, last = _timeline(theater)
        if first is not None and last is not None and not first <= day <= last:
            msg = f"{text} is outside the {theater} timeline {first} … {last}"
            self.add(line, msg, field)
            return None
        return day

    def evidence(
        self, item: LineDict, where: str, layers: tuple[str, ...]
    ) -> tuple[StepEvidence, ...]:
        raw = item.get("evidence")
        field = where + "evidence"
        if raw is None:
            return ()
        if not isinstance(raw, LineList):
            msg = "evidence must be a list of {document, proposal}"
            self.add(item.line_of("evidence"), msg, field)
            return ()
        out: list[StepEvidence] = []
        for entry, line in zip(raw, raw.item_lines, strict=True):
            if not isinstance(entry, LineDict):
                self.add(line, "an evidence entry must be {document, proposal}", field)
                continue
            self.keys(entry, _EVIDENCE_FIELDS, field + ".")
            cid = self.text(entry, "document", field + ".")
            lid = self.text(entry, "proposal", field + ".")
            if not cid or not lid:
                continue
            cable = self.atlas.documents.get(cid)
            if cable is None:
                msg = f"unknown document {cid!r}"
                self.add(entry.line_of("document"), msg, field + ".document")
                continue
            if lid not in self.atlas.lines:
                msg = f"unknown line id {lid!r}"
                self.add(entry.line_of("proposal"), msg, field + ".proposal")
                continue
            phrases = tuple(ev.phrase for ev in cable.supports if ev.proposal == lid)
            if not phrases:
                msg = f"document {cid!r} gives no evidence for {lid!r} (see its 'supports')"
                self.add(entry.line_of("proposal"), msg, field + ".proposal")
                continue
            if lid not in layers:
                msg = f"evidence for {lid!r}, which the step does not show"
                self.add(entry.line_of("proposal"), msg, field + ".proposal")
            out.append(StepEvidence(cid, lid, phrases))
        return tuple(out)


def _timeline(theater: str) -> tuple[dt.date | None, dt.date | None]:
    if theater not in THEATERS:
        return None, None
    t = THEATERS[theater]
    return dt.date.fromisoformat(t.start), dt.date.fromisoformat(t.end)
