/*
 * Armistice Atlas map renderer: what its parts share -- the format, colours, panes and
 * default state, and small DOM and geometry helpers. Loaded first of the renderer's
 * files (their one order: RENDERER_FILES in geo/outputs/renderer.py); it makes the
 * internal namespace `AtlasMapParts` the later files read from and add to. The public API
 * is only `window.AtlasMap`, made by atlas-map.js (loaded last).
 *
 * Plain ES2019, no build step, no modules: classic <script> tags (also from file://).
 */
(function (global) {
  "use strict";

  const A = (global.AtlasMapParts = {});

  const FORMAT = "armistice-atlas-map/1";
  const COLOR = {
    land: "#f4f1ea",
    border: "#8c8c8c",
    reference: "#7F7F7F",
    compare: "#009E73",
    casing: "#ffffff",
    marker: "#CC79A7",
    drawn: "#882255",
    place: "#222222",
  };
  const DIM = 0.3; // opacity factor of the features that are not selected
  const NARROW_PX = 700; // below this width the legend starts collapsed
  const SCALE_CLEARANCE_PX = 40; // bottom strip kept free for the scale bar
  const HIT_EXTRA_PX = 14; // invisible stroke around lines, so thin lines are easy to hit
  const FORWARDED_KEYS = ["ArrowLeft", "ArrowRight", "PageUp", "PageDown", "Home", "End"];
  // Back to front. Each pane gets its own SVG, so the order never depends on the order in
  // which layers were added. Leaflet.draw works in overlayPane (400) and markerPane (600),
  // above all of these, so a shape being drawn is never hidden.
  const PANES = [
    ["land", 210],
    ["bands", 300],
    ["zones", 310],
    ["zone-hits", 315], // a zone's outline is easy to hit, but never over a line
    ["lines", 320],
    ["line-hits", 330],
    ["reference", 340],
    ["compare", 350],
    ["selection", 360],
    ["drawn", 370],
    ["places", 380],
    ["labels", 390],
    ["marker", 395],
    ["marker-label", 396],
  ];
  const DEFAULT_STATE = {
    visible: null,
    selected: null,
    dim: true,
    compare: null,
    marker: null,
    view: null,
    view_id: null,
    halo: true,
    places: true,
    labels: true,
    legend_open: true,
    draw: false,
    drawn: null,
    keys: false,
    height: null,
  };

  // ------------------------------------------------------------------------------------
  // Small helpers

  /** A DOM element; `text` goes in as textContent, never as markup. */
  function el(tag, className, parent, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (parent) parent.appendChild(node);
    return node;
  }

  function svgEl(tag, attrs, parent) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs).forEach((k) => {
      if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, String(attrs[k]));
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function round(value, decimals) {
    const f = Math.pow(10, decimals);
    return Math.round(value * f) / f;
  }

  /** Geometry with coordinates rounded (~10 cm), so an echoed `drawn` compares equal. */
  function roundGeometry(geometry) {
    const walk = (c) => (typeof c[0] === "number" ? c.map((v) => round(v, 6)) : c.map(walk));
    return { type: geometry.type, coordinates: walk(geometry.coordinates) };
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function lonLatToLatLng(pair) {
    return Array.isArray(pair) && pair.length >= 2 ? L.latLng(pair[1], pair[0]) : null;
  }

  function overlaps(a, b, pad) {
    return a.x < b.x + b.w + pad && b.x < a.x + a.w + pad && a.y < b.y + b.h + pad && b.y < a.y + a.h + pad;
  }

  /** Each leaf path of a layer gets data attributes on its SVG element whenever it is drawn. */
  function tagPaths(layer, id, role) {
    const leaves = [];
    const walk = (l) => (l.eachLayer ? l.eachLayer(walk) : leaves.push(l));
    walk(layer);
    leaves.forEach((leaf) =>
      leaf.on("add", () => {
        const node = leaf.getElement && leaf.getElement();
        if (!node) return;
        node.setAttribute("data-aa-id", id);
        node.setAttribute("data-aa-role", role);
      }),
    );
    return layer;
  }

  function hasLeafletDraw() {
    return !!(global.L && L.Draw && L.Control && L.Control.Draw);
  }

  // ------------------------------------------------------------------------------------
  // Controls

  /** A Leaflet control around a ready-made DOM box. */
  function boxControl(position, box) {
    const control = L.control({ position });
    control.onAdd = () => box;
    return control;
  }

  /** A collapsible panel (a <details>, so a keyboard opens it too) for a corner of the map. */
  function panel(className, summary) {
    const box = el("div", "leaflet-control aa-panel " + className);
    const details = el("details", null, box);
    el("summary", null, details, summary);
    const body = el("div", "aa-panel-body", details);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return { box, details, body };
  }

  // ------------------------------------------------------------------------------------
  // The parts

  /** Adds the methods of a part's class to the map view's prototype (as a class would). */
  function mixin(target, part) {
    Object.getOwnPropertyNames(part.prototype).forEach((name) => {
      if (name === "constructor") return;
      if (Object.prototype.hasOwnProperty.call(target, name)) {
        throw new Error("AtlasMap: two parts define " + name + "().");
      }
      Object.defineProperty(target, name, Object.getOwnPropertyDescriptor(part.prototype, name));
    });
  }

  Object.assign(A, {
    FORMAT,
    COLOR,
    DIM,
    NARROW_PX,
    SCALE_CLEARANCE_PX,
    HIT_EXTRA_PX,
    FORWARDED_KEYS,
    PANES,
    DEFAULT_STATE,
    el,
    svgEl,
    text,
    round,
    roundGeometry,
    same,
    lonLatToLatLng,
    overlaps,
    tagPaths,
    hasLeafletDraw,
    boxControl,
    panel,
    mixin,
  });
})(typeof window !== "undefined" ? window : this);
