/*
 * Armistice Atlas static site: draws a page's map and drives a story's deck.
 *
 * The page holds its configuration as JSON in <script type="application/json" id="aa-config">
 * ({theater, assets, state, links, steps?}); the theater's payload was loaded by
 * <script src="data/<theater>.js"> into window.ATLAS_DATA. The renderer (atlas-map.js) draws
 * it into #aa-map. On a story page (config.steps), one step is shown at a time:
 * ← → PageUp PageDown Home End change the step, also while the focus is in the map (the
 * renderer's `keys` state forwards them as "key" events); the URL hash #3 opens step 3.
 *
 * Plain ES2019, no build step. Text goes in through textContent only; nothing is parsed as
 * HTML or evaluated, and nothing is fetched.
 */
(function (global) {
  "use strict";

  const DECK_KEYS = ["ArrowLeft", "ArrowRight", "PageUp", "PageDown", "Home", "End"];

  function readConfig() {
    const node = document.getElementById("aa-config");
    if (!node) return null;
    try {
      return JSON.parse(node.textContent || "null");
    } catch (err) {
      return null;
    }
  }

  function notice(element, message) {
    const p = document.createElement("p");
    p.className = "site-problem";
    p.setAttribute("role", "alert");
    p.textContent = message;
    element.appendChild(p);
  }

  /** The key letter and title of a feature of the payload, for the "picked" line. */
  function featureLabel(payload, id) {
    const list = (payload.features && payload.features.features) || [];
    for (let i = 0; i < list.length; i++) {
      const p = list[i].properties || {};
      if (String(p.id) === id) return (p.key ? p.key + " · " : "") + String(p.title || id);
    }
    return id;
  }

  /** A click on a line (or its legend row) selects it and offers a link to its page. */
  function picker(map, payload, links) {
    const box = document.getElementById("aa-picked");
    return function (id) {
      if (!Object.prototype.hasOwnProperty.call(links, id)) return;
      map.update({ selected: id });
      if (!box) return;
      while (box.firstChild) box.removeChild(box.firstChild);
      box.appendChild(document.createTextNode("Selected: "));
      const a = document.createElement("a");
      a.setAttribute("href", String(links[id]));
      a.textContent = featureLabel(payload, id);
      box.appendChild(a);
    };
  }

  /** Does a key typed here belong to the element (a text field, a list box)? */
  function typing(target) {
    if (!target || !target.tagName) return false;
    return !!(target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function stepFromHash(count) {
    const m = /^#(\d{1,4})$/.exec(global.location.hash || "");
    if (!m) return null;
    const index = Number(m[1]) - 1;
    return index >= 0 && index < count ? index : null;
  }

  function startDeck(map, config) {
    const sections = Array.prototype.slice.call(document.querySelectorAll("[data-aa-step]"));
    const states = config.steps || [];
    const count = Math.min(sections.length, states.length);
    const counter = document.getElementById("aa-counter");
    const prev = document.getElementById("aa-prev");
    const next = document.getElementById("aa-next");
    const baseTitle = document.title;
    let current = -1;
    if (!count) return null;
    document.body.classList.add("site-deck-on");

    function show(index) {
      const i = Math.max(0, Math.min(count - 1, index));
      if (i === current) return;
      current = i;
      sections.forEach((s, k) => {
        s.hidden = k !== i;
      });
      map.update(states[i]);
      if (counter) counter.textContent = "Step " + (i + 1) + " of " + count;
      if (prev) prev.disabled = i === 0;
      if (next) next.disabled = i === count - 1;
      document.title = "(" + (i + 1) + "/" + count + ") " + baseTitle;
      document.body.setAttribute("data-aa-current", String(i + 1));
      if (global.location.hash !== "#" + (i + 1)) global.location.replace("#" + (i + 1));
    }

    function key(name) {
      if (name === "ArrowRight" || name === "PageDown") show(current + 1);
      else if (name === "ArrowLeft" || name === "PageUp") show(current - 1);
      else if (name === "Home") show(0);
      else if (name === "End") show(count - 1);
    }

    // Keys typed while the focus is in the map never get here: the renderer stops them and
    // sends them as "key" events instead (see onEvent below).
    document.addEventListener("keydown", (e) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      if (DECK_KEYS.indexOf(e.key) < 0 || typing(e.target)) return;
      e.preventDefault();
      key(e.key);
    });
    global.addEventListener("hashchange", () => {
      const i = stepFromHash(count);
      if (i !== null) show(i);
      else global.location.replace("#" + (current + 1)); // not a step: the URL says where we are
    });
    if (prev) prev.addEventListener("click", () => show(current - 1));
    if (next) next.addEventListener("click", () => show(current + 1));
    const first = stepFromHash(count);
    show(first === null ? 0 : first);
    return { key, show, get current() { return current; } };
  }

  function boot() {
    const config = readConfig();
    const element = document.getElementById("aa-map");
    if (!config || !element) return;
    const payload = global.ATLAS_DATA && global.ATLAS_DATA[config.theater];
    if (!payload || !global.AtlasMap || !global.L) {
      notice(element, "The map could not be drawn: its data file (data/" + String(config.theater) +
        ".js) or the map scripts in assets/ did not load.");
      return;
    }
    let deck = null;
    let pick = null;
    const map = global.AtlasMap.create(element, payload, {
      assets: config.assets,
      onEvent: (evt) => {
        if (evt.type === "key" && deck) deck.key(evt.key);
        else if (evt.type === "click" && pick) pick(String(evt.id));
      },
    });
    if (Array.isArray(config.steps) && config.steps.length) {
      deck = startDeck(map, config);
    } else {
      map.update(config.state || {});
      pick = picker(map, payload, config.links || {});
    }
    global.__atlasMap = map;
    global.__atlasDeck = deck;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})(typeof window !== "undefined" ? window : this);
