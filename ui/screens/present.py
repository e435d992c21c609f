"""The Present screen: a story step by step, full screen, for a projector and a clicker.

A story (``data/stories/<id>.yaml``, read by :func:`geo.stories.load_stories`) is a list of
steps; each says which lines to draw, which to select, where the map looks and which documents
back it. Without a story this screen lists them; with one it hides Streamlit's chrome and the
app's menus (``ui/assets/present.css``) and shows the map, the step's title and caption in large
type, the quoted evidence and a step counter.

Keys: ← / → and Home / End are the visible buttons' shortcuts, PageUp / PageDown (what
clickers send) two hidden buttons'; with the focus inside the map the map itself forwards the
same keys (its ``keys`` state), so a presenter who clicked the map keeps the clicker.

The URL holds ``story`` and ``step`` (from 1) next to the app's own ``theater``, ``line`` and
``date``, so ``?view=present&story=korea-1951&step=3`` reopens the step. A bad ``story`` or
``step`` is named in a warning and falls back to the list of stories or to step 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from geo.geometry import BuiltAtlas
from geo.outputs.webmap import view_bbox
from geo.stories import Step, Story
from geo.vocab import theater_label
from ui import session
from ui.exports import MapView, export_buttons, show_text_alternative, story_pdf_bytes
from ui.mapview import MapSettings, map_state, show_map
from ui.panel import passage
from ui.params import ParamWarning, first, read_raw
from ui.resources import Corpus, stories
from ui.styles import css
from ui.text import code, esc, md, md_label

STORY = "aa_story"  # id of the story being shown, or None (the list)
STEP = "aa_step"  # 0-based index of the step shown
STORY_INIT = "aa_story_init"
MAP_KEY = "aa_map_present"
MAP_HEIGHT = "fill"  # to the bottom of the screen, whatever its size (ui/component/bridge.js)
#: The web map's size in pixels assumed when a step's view becomes a bounding box for the PNG
#: and PDF (about what the projector layout shows).
VIEW_PX = (1050, 750)
K_FIRST, K_PREV, K_NEXT, K_LAST = (
    "aa_present_first",
    "aa_present_prev",
    "aa_present_next",
    "aa_present_last",
)
K_PGUP, K_PGDN, K_CLOSE = "aa_present_pgup", "aa_present_pgdn", "aa_present_close"


def parse_story_params(
    params: Mapping[str, str | Sequence[str]], stories_: Mapping[str, Story]
) -> tuple[str | None, int, list[ParamWarning]]:
    """The story id and 0-based step a URL asks for, with a warning per bad value."""
    raw, warnings = read_raw(params, ("story", "step"))
    sid, raw_step = raw["story"], raw["step"]
    if not sid:
        if raw_step:
            warnings.append(ParamWarning("step", raw_step, "no story is given; choose one"))
        return None, 0, warnings
    story = stories_.get(sid)
    if story is None:
        known = ", ".join(stories_) or "there are none"
        warnings.append(ParamWarning("story", sid, f"no story has this id ({known})"))
        return None, 0, warnings
    if not raw_step:
        return sid, 0, warnings
    index = story.step_index(raw_step)
    if index is None:
        reason = f"story {sid} has steps 1 to {len(story.steps)}; showing step 1"
        warnings.append(ParamWarning("step", raw_step, reason))
        index = 0
    return sid, index, warnings


def step_link(story: Story, index: int) -> str:
    """The query string of a step in this app (the story's link, opened on this screen)."""
    return "?" + urlencode({"view": "present", **story.steps[index].params(story.id, index)})


def current(stories_: Mapping[str, Story]) -> tuple[Story | None, int]:
    """The story shown and the index of its step (clamped), or (None, 0)."""
    ss = session.ss()
    story = stories_.get(ss.get(STORY) or "")
    if story is None:
        return None, 0
    index = min(max(int(ss.get(STEP) or 0), 0), len(story.steps) - 1)
    return story, index


def prepare(data_dir: str) -> None:
    """Read ``story``/``step`` from the URL once, and keep theater, line and day in step with
    the story. Runs before the theater and screen menus are drawn (a widget's value cannot be
    set once it is drawn)."""
    ss = session.ss()
    all_stories, _ = stories(data_dir)
    if STORY_INIT not in ss:
        ss[STORY_INIT] = True
        ss[STORY], ss[STEP] = None, 0
        if ss[session.VIEW] == "present":
            sid, index, warnings = parse_story_params(st.query_params.to_dict(), all_stories)
            ss[STORY], ss[STEP] = sid, index
            ss[session.WARNINGS] = [*ss.get(session.WARNINGS, []), *map(str, warnings)]
            _sync(all_stories)
        ss[session.WARN_STATE] = session.current()
    elif ss[session.VIEW] == "present":
        _sync(all_stories)
    if ss[session.VIEW] != "present":
        _write_url(None, 0)  # story and step belong to this screen's links only


def _sync(all_stories: Mapping[str, Story]) -> None:
    story, index = current(all_stories)
    ss = session.ss()
    if story is None:
        ss[STORY] = None
        return
    step = story.steps[index]
    ss[STEP] = index
    ss[session.THEATER] = story.theater
    session.select(step.selected, zoom=False)
    ss[session.DATE] = step.date


def _move(delta: int) -> None:
    session.ss()[STEP] = max(0, int(session.ss().get(STEP) or 0) + delta)


def _go(index: int) -> None:
    session.ss()[STEP] = index


def _start(story_id: str) -> None:
    session.ss()[STORY] = story_id
    session.ss()[STEP] = 0


def _close() -> None:
    session.ss()[STORY] = None


def _on_key(last: int) -> Any:
    def handle(event: dict[str, Any]) -> None:
        key = event.get("key") if event.get("type") == "key" else None
        if key in ("ArrowRight", "PageDown"):
            _move(1)
        elif key in ("ArrowLeft", "PageUp"):
            _move(-1)
        elif key == "Home":
            _go(0)
        elif key == "End":
            _go(last)
        session.ss()[STEP] = min(max(int(session.ss().get(STEP) or 0), 0), last)

    return handle


def _write_url(story: Story | None, index: int) -> None:
    params = st.query_params
    if story is None:
        for name in ("story", "step"):
            if name in params:
                del params[name]
        return
    if first(params.get("story")) != story.id:
        params["story"] = story.id
    if first(params.get("step")) != str(index + 1):
        params["step"] = str(index + 1)


def show(built: BuiltAtlas, corpus: Corpus, settings: MapSettings, data_dir: str) -> None:
    all_stories, problems = stories(data_dir)
    if problems:
        listing = "\n".join(f"- {code(p)}" for p in problems)
        st.error(f"The story files have {len(problems)} problem(s):\n\n{listing}")
    story, index = current(all_stories)
    _write_url(story, index)
    if story is None:
        _story_list(all_stories)
    else:
        _present(built, corpus, settings, data_dir, story, index)


def _story_list(all_stories: Mapping[str, Story]) -> None:
    st.header("Present a story", anchor=False)
    st.markdown(
        "A story walks a class through one theater, step by step, full screen. Keys: **→** or "
        "**Page Down** next, **←** or **Page Up** back, **Home** / **End** first / last step "
        "(a presentation clicker works, also after a click on the map)."
    )
    if not all_stories:
        st.info("There are no stories yet: add YAML files to data/stories/.")
        return
    theater = session.ss()[session.THEATER]
    for story in sorted(all_stories.values(), key=lambda s: (s.theater != theater, s.id)):
        with st.container(border=True):
            st.subheader(md_label(story.title), anchor=False)
            st.caption(f"{theater_label(story.theater)} · {len(story.steps)} steps")
            st.markdown(md(story.summary))
            st.button(
                "Start presenting",
                key=f"aa_story_start_{story.id}",
                type="primary",
                icon=":material/slideshow:",
                on_click=_start,
                args=(story.id,),
            )
            with st.expander("The steps, each with its own link"):
                st.markdown(
                    "\n".join(
                        f"{i + 1}. [{md(step.title)}]({step_link(story, i)})"
                        for i, step in enumerate(story.steps)
                    )
                )


def map_view(story: Story, step: Step, *, places: bool = True) -> MapView:
    """What the exports of a step show: its layers, selection, view and title."""
    bbox = None
    if step.view is not None:
        w, h = VIEW_PX
        bbox = view_bbox(step.view.lat, step.view.lon, step.view.zoom, width_px=w, height_px=h)
    return MapView(
        story.theater,
        layers=step.layers,
        selected=step.selected,
        bbox=bbox,
        title=step.title,
        places=places,
    )


def _present(
    built: BuiltAtlas,
    corpus: Corpus,
    settings: MapSettings,
    data_dir: str,
    story: Story,
    index: int,
) -> None:
    step = story.steps[index]
    last = len(story.steps) - 1
    st.html(css("present.css"))
    view = map_view(story, step, places=settings.places)
    with st.container(
        horizontal=True, vertical_alignment="center", gap="small", key="aa_present_bar"
    ):
        st.html(f'<div class="aa-story-name">{esc(story.title)}</div>', width="stretch")
        st.html(
            f'<div class="aa-counter" role="status" aria-label="Step {index + 1} of '
            f'{last + 1}">{index + 1} / {last + 1}</div>',
            width="content",
        )
        nav = [
            ("First", K_FIRST, "Home", ":material/first_page:", _go, (0,), index == 0),
            ("Previous", K_PREV, "Left", ":material/arrow_back:", _move, (-1,), index == 0),
            ("Next", K_NEXT, "Right", ":material/arrow_forward:", _move, (1,), index == last),
            ("Last", K_LAST, "End", ":material/last_page:", _go, (last,), index == last),
        ]
        for label, key, shortcut, icon, callback, args, disabled in nav:
            st.button(
                label,
                key=key,
                icon=icon,
                shortcut=shortcut,
                on_click=callback,
                args=args,
                icon_position="right" if label in ("Next", "Last") else "left",
                disabled=disabled,
                type="primary" if label == "Next" else "secondary",
            )
        with st.popover("Download", icon=":material/download:"):
            export_buttons(data_dir, view, slug=f"{story.id}-step-{index + 1}", key="aa_present")
            st.download_button(
                "Whole story (PDF)",
                data=lambda: story_pdf_bytes(data_dir, story.id, VIEW_PX),
                file_name=f"armistice-atlas-{story.id}.pdf",
                mime="application/pdf",
                key="aa_present_story_pdf",
                on_click="ignore",
                width="stretch",
                help="Every step on its own page, with its map, caption and sources",
            )
        st.button(
            "Close",
            key=K_CLOSE,
            icon=":material/close:",
            on_click=_close,
            help="Back to the list of stories; the app's menus come back.",
        )
    with st.container(key="aa_present_keys"):
        # hidden: what presentation clickers send (Streamlit allows one shortcut a button)
        st.button("Previous step", key=K_PGUP, shortcut="PageUp", on_click=_move, args=(-1,))
        st.button("Next step", key=K_PGDN, shortcut="PageDown", on_click=_move, args=(1,))

    st.html(f'<h1 class="aa-step-title">{esc(step.title)}</h1>')
    left, right = st.columns([2, 1], gap="medium")
    with left, st.container(key=MAP_KEY + "_box"):
        step_view = (
            {"center": [step.view.lat, step.view.lon], "zoom": step.view.zoom}
            if step.view
            else None
        )
        state = map_state(
            built,
            story.theater,
            settings,
            layers=step.layers,
            selected=step.selected,
            view=step_view,
            view_id=f"{story.id}:{index}",
            keys=True,
            height=MAP_HEIGHT,
        )
        show_map(built, story.theater, state, key=MAP_KEY, on_event=_on_key(last))
    with right:
        st.html(f'<p class="aa-caption">{esc(step.caption)}</p>')
        _evidence(built, step)
        _in_context(built, corpus, step)
        show_text_alternative(built, view, key="aa_text_present")


def _evidence(built: BuiltAtlas, step: Step) -> None:
    atlas = built.atlas
    parts: list[str] = []
    for ev in step.evidence:
        doc = atlas.documents[ev.document]
        line = atlas.lines[ev.proposal]
        wheres = {e.phrase: e.where for e in doc.supports if e.proposal == ev.proposal}
        places = "; ".join(dict.fromkeys(wheres[p] for p in ev.phrases if wheres.get(p)))
        quotes = "".join(f"<blockquote>“{esc(p)}”</blockquote>" for p in ev.phrases)
        parts.append(
            f"<figure>{quotes}<figcaption>"
            f'<span class="aa-backs">{esc(line.title)}</span>'
            + (f" ({esc(places)})" if places else "")
            + f"<br><cite>{esc(' '.join(doc.citation.split()))}</cite></figcaption></figure>"
        )
    if not parts:
        refs = [r.title for r in atlas.lines[step.selected].references] if step.selected else []
        note = "No document in the atlas covers this step"
        note += f"; see {esc('; '.join(refs))}." if refs else "."
        parts.append(f'<p class="aa-note">{note}</p>')
    st.html(
        '<section class="aa-evidence" aria-labelledby="aa-ev-h">'
        '<h2 id="aa-ev-h">From the documents</h2>' + "".join(parts) + "</section>"
    )


def _in_context(built: BuiltAtlas, corpus: Corpus, step: Step) -> None:
    """The evidence phrases in their paragraphs, when the full texts are at hand."""
    snippets = []
    for ev in step.evidence:
        parsed = corpus.texts.get(ev.document)
        if parsed is None:
            continue
        for phrase in ev.phrases:
            snippet = passage(parsed.body, phrase)
            if snippet:
                snippets.append((built.atlas.documents[ev.document].title, snippet))
    if not snippets:
        return
    with st.expander(f"The passages in the documents ({len(snippets)})"):
        st.html(css("panel.css"))
        for title, snippet in dict.fromkeys(snippets):
            st.caption(md(title))
            st.html(f'<div class="aa-context">{snippet}</div>')
