/*
 * Armistice Atlas map renderer (contract: docs/map-payload.md, "armistice-atlas-map/1").
 *
 *   const map = AtlasMap.create(element, payload, {onEvent, assets});
 *   map.update(state); map.destroy();
 *   AtlasMap.decode(payload) -> {land, features, bands, places} FeatureCollections
 *
 * Plain ES2019, no build step. Needs Leaflet 1.9 as the global `L`; uses Leaflet.draw
 * (`L.Draw`) only when a state asks for drawing and the host page loaded it.
 *
 * Safety: every text of the payload reaches the page through textContent or an attribute
 * value; nothing from the payload is parsed as HTML, evaluated or templated. Leaflet's own
 * layers control writes its labels as HTML markup, so the renderer has its own.
 *
 * This file is the map itself: creating it, update(state), events, selection and view,
 * destroy; it assembles the parts loaded before it, in this order (RENDERER_FILES in
 * geo/outputs/renderer.py, the one list every page loads): atlas-map-base.js (shared
 * constants and helpers), atlas-map-decode.js (payload, TopoJSON), atlas-map-spots.js
 * and atlas-map-labels.js (labels), atlas-map-layers.js (what is drawn),
 * atlas-map-controls.js (layer control, legend), atlas-map-input.js (keys, drawing),
 * then this file, which alone makes the global `AtlasMap`.
 */
(function (global) {
  "use strict";

  const A = global.AtlasMapParts;
  const PARTS = ["LabelMethods", "LayerMethods", "ControlMethods", "InputMethods"];
  if (!A || !A.decode || !A.BoxIndex || !A.LabelLayer || PARTS.some((p) => !A[p])) {
    throw new Error(
      "AtlasMap: the renderer's other files must load before atlas-map.js " +
        "(the order: geo/outputs/renderer.py).",
    );
  }
  const { FORMAT, NARROW_PX, PANES, DEFAULT_STATE, text, same, mixin, decode, LabelLayer } = A;

  function formatError() {
    const err = new Error("Unsupported map data: expected the format " + FORMAT);
    err.name = "AtlasMapFormatError";
    return err;
  }

  // ------------------------------------------------------------------------------------
  // The map

  class AtlasMapView {
    constructor(element, payload, options) {
      if (!global.L || !L.map) throw new Error("Leaflet (the global L) is not loaded.");
      if (!payload || payload.format !== FORMAT) throw formatError();
      this.element = element;
      this.payload = payload;
      this.data = decode(payload);
      this.onEvent = (options && options.onEvent) || function () {};
      if (options && options.assets)
        L.Icon.Default.imagePath = options.assets.replace(/\/?$/, "/") + "images/";
      this.state = Object.assign({}, DEFAULT_STATE);
      this.local = { hiddenGroups: new Set(), bands: true, places: true };
      // what was last put on the screen, so update() only redoes what changed
      this.applied = { once: false, viewId: null, height: null, narrow: null, drawn: null };

      this.map = this.createMap(element);
      this.renderers = {};
      PANES.forEach((pane) => this.addPane(pane[0], pane[1]));
      this.labels = new LabelLayer(this.map);
      this.buildLand();
      this.labels.setLand(this.data.land.features);
      this.buildFeatures();
      this.buildPlaces();
      this.groups = {
        selection: L.layerGroup().addTo(this.map),
        compare: L.layerGroup().addTo(this.map),
        marker: L.layerGroup().addTo(this.map),
        drawn: L.featureGroup().addTo(this.map),
      };
      this.addControls();
      this.watchSize();
      this.watchKeys();
      this.watchDrawing();
      this.applied.narrow = this.map.getSize().x < NARROW_PX;
      this.pendingView = this.viewOf(null); // home, as soon as the map has a size
      this.update({});
    }

    // -- construction -------------------------------------------------------------------

    createMap(element) {
      // what destroy() puts back: Leaflet leaves its classes and attributes behind
      this.original = ["class", "role", "aria-label", "tabindex", "style"].map((name) => [
        name,
        element.getAttribute(name),
      ]);
      element.classList.add("aa-map");
      element.setAttribute("role", "region");
      element.setAttribute("aria-label", "Map: " + text(this.payload.title));
      const map = L.map(element, {
        attributionControl: false,
        zoomControl: true,
        zoomSnap: 0.25,
        minZoom: 3,
        maxZoom: 13,
        preferCanvas: false,
      });
      map.on("zoomend moveend", () => this.scheduleLabels());
      map.on("resize", () => this.onResize());
      // A provisional view makes the map "loaded" at once: before that Leaflet keeps its
      // first (maybe zero) size and ignores invalidateSize. The home view follows as soon
      // as the element has a size (flushView).
      map.setView(this.bboxBounds().getCenter(), 5, { animate: false });
      return map;
    }

    bboxBounds() {
      const b = this.payload.bbox || [-180, -85, 180, 85];
      return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    }

    watchSize() {
      if (typeof ResizeObserver === "undefined") return;
      this.resizeObserver = new ResizeObserver(() => this.map.invalidateSize({ debounceMoveend: true }));
      this.resizeObserver.observe(this.element);
    }

    emit(evt) {
      try {
        this.onEvent(evt);
      } catch (err) {
        if (global.console) console.error("AtlasMap onEvent failed:", err);
      }
    }

    // -- state --------------------------------------------------------------------------

    update(next) {
      const prev = this.state;
      const incoming = {};
      Object.keys(DEFAULT_STATE).forEach((k) => {
        if (next && Object.prototype.hasOwnProperty.call(next, k)) incoming[k] = next[k];
      });
      const s = (this.state = Object.assign({}, prev, incoming));
      const first = !this.applied.once;
      this.applied.once = true;
      const changed = (...keys) => first || keys.some((k) => !same(prev[k], s[k]));

      if (changed("height")) this.applyHeight();
      // the layer control mirrors the host's settings until the user overrides them
      if (changed("halo")) this.setToggle("bands", s.halo !== false);
      if (changed("places")) this.setToggle("places", s.places !== false);
      if (changed("visible", "selected", "dim", "halo", "places")) this.refresh();
      else if (changed("compare", "marker", "labels")) this.refreshLabels();
      if (changed("compare")) this.syncCompare();
      if (changed("marker")) this.syncMarker();
      if (changed("legend_open")) this.applyLegendOpen();
      if (changed("draw")) this.syncDrawControl();
      if (changed("drawn")) this.syncDrawn();
      if (changed("keys")) this.syncKeys();
      this.applyView();
      return this;
    }

    /** In state.visible (null, or anything but a list, means every feature). */
    listed(item) {
      const v = this.state.visible;
      return !Array.isArray(v) || v.indexOf(item.id) >= 0;
    }

    /** Listed, and its group not switched off in the layer control. */
    shown(item) {
      return this.listed(item) && !this.local.hiddenGroups.has(item.props.group);
    }

    selectedItem() {
      const item = this.items.get(text(this.state.selected));
      return item && this.shown(item) ? item : null;
    }

    dimmed(item) {
      const sel = this.selectedItem();
      return !!(this.state.dim && sel && sel !== item && item.kind !== "reference");
    }

    /** Everything that depends on which features are shown, selected or dimmed. */
    refresh() {
      let added = false;
      this.items.forEach((item) => {
        added = this.syncItem(item) || added;
      });
      // a layer shown again lands on top of its pane: restore the payload's order
      if (added) this.items.forEach((item) => this.shown(item) && this.bringToFront(item));
      this.syncSelection();
      this.syncPlaces();
      this.syncLegendRows();
      this.refreshLabels();
    }

    // -- view and size --------------------------------------------------------------------

    /** A new view_id moves the map (to `view`, or home when it is null); nothing else does. */
    applyView() {
      const s = this.state;
      if (s.view_id !== this.applied.viewId) {
        this.applied.viewId = s.view_id;
        this.pendingView = this.viewOf(s.view);
      }
      this.flushView();
    }

    viewOf(v) {
      if (v && Array.isArray(v.bounds)) return { bounds: v.bounds };
      if (v && Array.isArray(v.center)) return { center: v.center, zoom: Number(v.zoom) };
      return { bounds: this.payload.home || this.bboxBounds() };
    }

    /** Applies the waiting view once the map has a size (fitBounds needs one). */
    flushView() {
      const v = this.pendingView;
      const size = this.map.getSize();
      if (!v || !size.x || !size.y) return;
      this.pendingView = null;
      if (v.bounds) this.map.fitBounds(v.bounds, { padding: [24, 24], animate: false });
      else this.map.setView(v.center, isFinite(v.zoom) ? v.zoom : this.map.getZoom(), { animate: false });
      this.labels.layout();
    }

    applyHeight() {
      const h = Number(this.state.height);
      if (!(h > 0) || h === this.applied.height) return;
      this.applied.height = h;
      this.element.style.height = h + "px";
      this.map.invalidateSize({ pan: false });
      this.onResize();
    }

    onResize() {
      const narrow = this.map.getSize().x < NARROW_PX;
      if (narrow !== this.applied.narrow) {
        this.applied.narrow = narrow;
        this.applyLegendOpen();
      }
      this.flushView();
      this.fitPanels();
      this.labels.layout();
    }

    destroy() {
      if (!this.map) return;
      if (this.resizeObserver) this.resizeObserver.disconnect();
      this.element.removeEventListener("keydown", this.onKeyDown, true);
      if (this.labelFrame) L.Util.cancelAnimFrame(this.labelFrame);
      this.map.remove();
      this.map = null;
      this.original.forEach(([name, value]) => {
        if (value === null) this.element.removeAttribute(name);
        else this.element.setAttribute(name, value);
      });
    }
  }

  PARTS.forEach((name) => mixin(AtlasMapView.prototype, A[name]));

  /** The public face of a map: update, destroy, and the Leaflet map for hosts that need it. */
  function create(element, payload, options) {
    const view = new AtlasMapView(element, payload, options || {});
    return {
      update: (state) => {
        view.update(state || {});
      },
      destroy: () => view.destroy(),
      get leaflet() {
        return view.map;
      },
      get state() {
        return JSON.parse(JSON.stringify(view.state));
      },
      featureIds: () => Array.from(view.items.keys()),
    };
  }

  global.AtlasMap = { create, decode, FORMAT };
})(typeof window !== "undefined" ? window : this);
