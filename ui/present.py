"""The Present screen: a story step by step, full screen, for a projector and a clicker.

A story (``data/stories/<id>.yaml``, read by :func:`geo.stories.load_stories`) is a list of
steps; each says which lines to draw, which to select, where the map looks and which cables
back it. Without a story this screen lists them; with one it hides Streamlit's chrome and the
app's menus (CSS injected on this screen only) and shows the map, the step's title and
caption in large type, the quoted evidence and a step counter.

Keys: Streamlit's own button shortcuts (``st.button(shortcut=...)``) give ← / → and
Home / End on the visible buttons, and PageUp / PageDown (what presentation clickers send)
on two hidden ones; Streamlit ignores them while the focus is in a text field or list. A
small script forwards PageUp / PageDown / Home / End from inside the map's
frame too (a presenter who clicked the map would otherwise lose the clicker; ← / → stay
with Leaflet there, which pans with them) and lets the map fill the window's height.

The URL holds ``story`` and ``step`` (counted from 1) next to the app's own ``theater``,
``line`` and ``date``, so ``?view=present&story=korea-1951&step=3`` reopens the step. The
story decides the theater, the selection and the day; a bad ``story`` or ``step`` is named in
a warning and falls back to the list of stories or to step 1.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import streamlit as st

import geo
from geo.cables import find_mentions
from geo.render import view_bbox
from geo.stories import Step, Story, load_stories
from ui import session
from ui import state as S
from ui.common import MapSettings, map_options, show_map
from ui.exports import MapView, export_buttons, show_text_alternative
from ui.panel import PANEL_CSS, code, excerpt, md, md_label
from ui.resources import Corpus, Resources, load_resources

STORY = "aa_story"  # id of the story being shown, or None (the list)
STEP = "aa_step"  # 0-based index of the step shown
STORY_INIT = "aa_story_init"
MAP_KEY = "aa_map_present"
#: Height the map is drawn at before the script fits it to the window.
MAP_HEIGHT = 640
#: The web map's size in pixels assumed when a step's centre and zoom become a bounding box
#: for the PNG and PDF (about what the projector layout shows).
VIEW_PX = (1050, 750)
#: Button keys; the script below finds the buttons by them (``.st-key-<key> button``).
K_FIRST, K_PREV, K_NEXT, K_LAST = (
    "aa_present_first",
    "aa_present_prev",
    "aa_present_next",
    "aa_present_last",
)
K_PGUP, K_PGDN, K_CLOSE = "aa_present_pgup", "aa_present_pgdn", "aa_present_close"
NAV_KEYS = (K_FIRST, K_PREV, K_NEXT, K_LAST, K_PGUP, K_PGDN)

PRESENT_CSS = """
<style>
/* projector layout: no Streamlit chrome, no app menus, as much map as the screen allows */
[data-testid="stHeader"],[data-testid="stToolbar"],[data-testid="stDecoration"],
[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"],[data-testid="stStatusWidget"],footer,
.st-key-aa_nav,.stElementContainer:has(.aa-head),.st-key-aa_present_keys{display:none!important}
[data-testid="stMainBlockContainer"],.block-container{padding:.5rem 1.25rem .5rem!important}
[data-testid="stAppViewContainer"],[data-testid="stMain"]{background:#fff}
.st-key-aa_present_bar{border-bottom:2px solid #000;padding-bottom:.35rem}
.st-key-aa_present_bar button p{font-size:1.05rem;font-weight:600}
.aa-story-name{font-size:1.05rem;font-weight:600;color:#000;max-width:38vw;
  overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.aa-counter{font-size:clamp(1.25rem,1.7vw,2rem);font-weight:800;color:#000;
  padding:0 .6rem;font-variant-numeric:tabular-nums;white-space:nowrap}
h1.aa-step-title{font-size:clamp(1.6rem,2.5vw,3rem);line-height:1.15;color:#000;
  margin:.15rem 0 .25rem;padding:0;font-weight:800}
.aa-caption{font-size:clamp(1.15rem,1.45vw,1.75rem);line-height:1.45;color:#111;margin:0}
.aa-evidence h2{font-size:clamp(1rem,1.15vw,1.35rem);text-transform:uppercase;
  letter-spacing:.06em;color:#000;margin:.8rem 0 .35rem;padding:0}
.aa-evidence figure{margin:0 0 .7rem;padding:.35rem .8rem;border-left:6px solid #000;
  background:#f3f3f3}
.aa-evidence blockquote{margin:0;font-family:Georgia,'Times New Roman',serif;
  font-size:clamp(1.15rem,1.45vw,1.75rem);line-height:1.35;color:#000;font-style:italic}
.aa-evidence figcaption{font-size:clamp(.9rem,.95vw,1.1rem);line-height:1.35;color:#222;
  margin-top:.25rem}
.aa-evidence .aa-backs{font-weight:700}
.aa-evidence cite{font-style:normal}
.aa-evidence blockquote+blockquote{margin-top:.3rem}
.aa-note{font-size:clamp(1rem,1.1vw,1.3rem);color:#222}
/* one row of controls on a 1280 or 1024 pixel wide projector */
@media (max-width:1439px){.st-key-aa_present_bar kbd{display:none}}
@media (max-width:1199px){.aa-story-name{display:none}}
.st-key-aa_map_present_box iframe{height:var(--aa-map-h,640px)!important;
  border:2px solid #000!important}
</style>
"""

#: Runs once per page in the app's own document (``st.html`` with JavaScript): it presses
#: Streamlit's buttons, found by key, and loads nothing from anywhere.
KEYS_JS = """
<script>
(function () {
  if (window.__aaPresentKeys) return;
  window.__aaPresentKeys = true;
  const KEYS = {PageDown: "%(next)s", PageUp: "%(prev)s", Home: "%(first)s", End: "%(last)s"};
  function press(key) {
    const button = document.querySelector(".st-key-" + key + " button");
    if (button && !button.disabled) button.click();
  }
  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey || !KEYS[event.key]) return;
    const t = event.target;
    if (t && (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable)) return;
    event.preventDefault();
    press(KEYS[event.key]);
  }
  function fit() {
    const holder = document.querySelector(".st-key-%(map)s");
    const frame = holder && holder.querySelector("iframe");
    if (!frame) return;
    if (!frame.__aaFit) {  // a new frame: fit it as soon as its page has loaded
      frame.__aaFit = true;
      frame.addEventListener("load", fit);
    }
    const main = document.querySelector('[data-testid="stMain"]');
    const top = frame.getBoundingClientRect().top + (main ? main.scrollTop : 0) + window.scrollY;
    const height = Math.max(320, Math.round(window.innerHeight - top - 12));
    document.documentElement.style.setProperty("--aa-map-h", height + "px");
    let inner = null;
    try { inner = frame.contentDocument; } catch (e) { return; }
    if (!inner || !inner.head || inner.getElementById("aa-fit")) return;
    const style = inner.createElement("style");
    style.id = "aa-fit";
    style.textContent = "html,body{margin:0;height:100%%;overflow:hidden}" +
      "#map_div{height:100vh!important}";
    inner.head.appendChild(style);
    inner.addEventListener("keydown", onKey, true);
  }
  fit();
  setInterval(fit, 300);
})();
</script>
"""


# ---------------------------------------------------------------------------------------
# stories and the URL (pure)


@st.cache_resource(show_spinner=False)
def load_all(data_dir: str | None) -> tuple[dict[str, Story], tuple[str, ...]]:
    """The stories and, if any file is bad, its problems (the map works without stories)."""
    atlas = load_resources(data_dir).atlas
    try:
        return load_stories(atlas), ()
    except geo.ValidationError as exc:
        return {}, tuple(str(p) for p in exc.problems)


def _first(value: str | Sequence[str] | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        value = value[-1] if len(value) else ""
    return value.strip()


def parse_story_params(
    params: Mapping[str, str | Sequence[str]], stories: Mapping[str, Story]
) -> tuple[str | None, int, list[S.ParamWarning]]:
    """The story id and 0-based step a URL asks for, with a warning per bad value.

    An unknown ``story`` falls back to the list of stories (None); a ``step`` that is not a
    step of the story falls back to the first one.
    """
    sid, raw_step = _first(params.get("story")), _first(params.get("step"))
    warnings: list[S.ParamWarning] = []
    if not sid:
        if raw_step:
            warnings.append(S.ParamWarning("step", raw_step, "no story is given; choose one"))
        return None, 0, warnings
    story = stories.get(sid)
    if story is None:
        known = ", ".join(stories) or "there are none"
        warnings.append(S.ParamWarning("story", sid, f"no story has this id ({known})"))
        return None, 0, warnings
    if not raw_step:
        return sid, 0, warnings
    index = story.step_index(raw_step)
    if index is None:
        n = len(story.steps)
        reason = f"story {sid} has steps 1 to {n}; showing step 1"
        warnings.append(S.ParamWarning("step", raw_step, reason))
        index = 0
    return sid, index, warnings


def step_link(story: Story, index: int) -> str:
    """The query string of a step in this app (the story's link, opened on this screen)."""
    return "?" + urlencode({"view": "present", **story.steps[index].params(story.id, index)})


# ---------------------------------------------------------------------------------------
# session


def current(stories: Mapping[str, Story]) -> tuple[Story | None, int]:
    """The story shown and the index of its step (clamped), or (None, 0)."""
    ss = session.ss()
    story = stories.get(ss.get(STORY) or "")
    if story is None:
        return None, 0
    index = min(max(int(ss.get(STEP) or 0), 0), len(story.steps) - 1)
    return story, index


def prepare(res: Resources, data_dir: str | None) -> None:
    """Read ``story``/``step`` from the URL once, and keep theater, line and day in step
    with the story. Runs before the theater and screen menus are drawn (app.py), because
    a widget's value cannot be set once it is drawn."""
    ss = session.ss()
    stories, _ = load_all(data_dir)
    if STORY_INIT not in ss:
        ss[STORY_INIT] = True
        ss[STORY], ss[STEP] = None, 0
        if ss[session.VIEW] == "present":
            sid, index, warnings = parse_story_params(st.query_params.to_dict(), stories)
            ss[STORY], ss[STEP] = sid, index
            ss[session.WARNINGS] = [*ss.get(session.WARNINGS, []), *map(str, warnings)]
            _sync(stories)
        # the warnings stay until the user moves away from what the link asked for
        ss[session.WARN_STATE] = session.current()
    elif ss[session.VIEW] == "present":
        _sync(stories)
    if ss[session.VIEW] != "present":
        _write_url(None, 0)  # story and step belong to this screen's links only


def _sync(stories: Mapping[str, Story]) -> None:
    story, index = current(stories)
    ss = session.ss()
    if story is None:
        ss[STORY] = None
        return
    step = story.steps[index]
    ss[STEP] = index
    ss[session.THEATER] = story.theater
    session.select(step.selected)
    ss[session.DATE] = step.date
    ss[session.PLACE] = None
    ss[session.FOCUS] = None


def _move(delta: int) -> None:
    session.ss()[STEP] = max(0, int(session.ss().get(STEP) or 0) + delta)


def _go(index: int) -> None:
    session.ss()[STEP] = index


def _start(story_id: str) -> None:
    session.ss()[STORY] = story_id
    session.ss()[STEP] = 0


def _close() -> None:
    session.ss()[STORY] = None


def _write_url(story: Story | None, index: int) -> None:
    params = st.query_params
    if story is None:
        for name in ("story", "step"):
            if name in params:
                del params[name]
        return
    if params.get("story") != story.id:
        params["story"] = story.id
    if params.get("step") != str(index + 1):
        params["step"] = str(index + 1)


# ---------------------------------------------------------------------------------------
# the screen


def show(res: Resources, corpus: Corpus, settings: MapSettings, data_dir: str | None) -> None:
    stories, problems = load_all(data_dir)
    if problems:
        listing = "\n".join(f"- {code(p)}" for p in problems)
        st.error(f"The story files have {len(problems)} problem(s):\n\n{listing}")
    story, index = current(stories)
    _write_url(story, index)
    if story is None:
        _story_list(stories)
    else:
        _present(res, corpus, settings, data_dir, story, index)


def _story_list(stories: Mapping[str, Story]) -> None:
    st.header("Present a story", anchor=False)
    st.markdown(
        "A story walks a class through one theater, step by step, full screen. "
        "Keys: **→** or **Page Down** next, **←** or **Page Up** back, **Home** / **End** "
        "first / last step (a presentation clicker works)."
    )
    if not stories:
        st.info("There are no stories yet: add YAML files to data/stories/.")
        return
    theater = session.ss()[session.THEATER]
    ordered = sorted(stories.values(), key=lambda s: (s.theater != theater, s.id))
    for story in ordered:
        with st.container(border=True):
            st.subheader(md_label(story.title), anchor=False)
            st.caption(f"{S.THEATER_LABELS[story.theater]} · {len(story.steps)} steps")
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


def _present(
    res: Resources,
    corpus: Corpus,
    settings: MapSettings,
    data_dir: str | None,
    story: Story,
    index: int,
) -> None:
    step = story.steps[index]
    last = len(story.steps) - 1
    st.html(PRESENT_CSS)
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
                icon_position="right" if label in ("Next", "Last") else "left",
                shortcut=shortcut,
                on_click=callback,
                args=args,
                disabled=disabled,
                type="primary" if label == "Next" else "secondary",
            )
        with st.popover("Download", icon=":material/download:"):
            export_buttons(data_dir, view, slug=f"{story.id}-step-{index + 1}", key="aa_present")
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
        keys = {"next": K_NEXT, "prev": K_PREV, "first": K_FIRST, "last": K_LAST}
        st.html(KEYS_JS % {**keys, "map": MAP_KEY + "_box"}, unsafe_allow_javascript=True)

    st.html(f'<h1 class="aa-step-title">{esc(step.title)}</h1>')
    left, right = st.columns([2, 1], gap="medium")
    with left, st.container(key=MAP_KEY + "_box"):
        focus = (step.view.lat, step.view.lon, step.view.zoom) if step.view else None
        options = map_options(
            story.theater, settings, layers=step.layers, selected=step.selected, focus=focus
        )
        show_map(res, options, key=MAP_KEY, height=MAP_HEIGHT)
    with right:
        st.html(f'<p class="aa-caption">{esc(step.caption)}</p>')
        _evidence(res, step)
        _in_context(res, corpus, step)
        show_text_alternative(res, view)


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


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _evidence(res: Resources, step: Step) -> None:
    atlas = res.atlas
    parts: list[str] = []
    for ev in step.evidence:
        cable = atlas.cables[ev.cable]
        line = atlas.lines[ev.proposal]
        wheres = {e.phrase: e.where for e in cable.supports if e.proposal == ev.proposal}
        places = "; ".join(dict.fromkeys(wheres[p] for p in ev.phrases if wheres.get(p)))
        quotes = "".join(f"<blockquote>“{esc(p)}”</blockquote>" for p in ev.phrases)
        parts.append(
            f"<figure>{quotes}<figcaption>"
            f'<span class="aa-backs">{esc(line.title)}</span>'
            + (f" ({esc(places)})" if places else "")
            + f"<br><cite>{esc(' '.join(cable.citation.split()))}</cite></figcaption></figure>"
        )
    if not parts:
        refs = []
        if step.selected:
            refs = [r.title for r in atlas.lines[step.selected].references]
        note = "No cable in the atlas covers this step"
        note += f"; see {esc('; '.join(refs))}." if refs else "."
        parts.append(f'<p class="aa-note">{note}</p>')
    st.html(
        '<section class="aa-evidence" aria-labelledby="aa-ev-h">'
        '<h2 id="aa-ev-h">From the cables</h2>' + "".join(parts) + "</section>"
    )


def _in_context(res: Resources, corpus: Corpus, step: Step) -> None:
    """The evidence phrases in their paragraphs, when the full texts are at hand."""
    snippets = []
    for ev in step.evidence:
        parsed = corpus.texts.get(ev.cable)
        if parsed is None:
            continue
        for phrase in ev.phrases:
            mentions = find_mentions(parsed.body, places={}, proposals={"ev": [phrase]})
            snippet = excerpt(parsed.body, mentions)
            if snippet:
                snippets.append((res.atlas.cables[ev.cable].title, snippet))
    if not snippets:
        return
    with st.expander(f"The passages in the cables ({len(snippets)})"):
        st.html(PANEL_CSS)
        for title, snippet in dict.fromkeys(snippets):
            st.caption(md(title))
            st.html(f'<div class="aa-context">{snippet}</div>')
