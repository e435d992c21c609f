/*
 * Armistice Atlas map renderer: what the map draws -- its panes, the land, the features
 * (each with an invisible hit stroke and an uncertainty band), the places, and their
 * styles; showing, hiding and dimming them, and the layers of the selection, the compare
 * area and the marker. Methods of the map view, mixed in by atlas-map.js.
 * Needs atlas-map-base.js and atlas-map-spots.js before it.
 */
(function (global) {
  "use strict";

  const A = global.AtlasMapParts;
  if (!A) throw new Error("AtlasMap: atlas-map-base.js must load before atlas-map-layers.js.");
  const { COLOR, DIM, HIT_EXTRA_PX, el, text, round, lonLatToLatLng, tagPaths, linePath } = A;
  const MAX_ALSO = 8; // other records a click reports under the pointer

  /** The map view's methods that draw its layers (mixed in by atlas-map.js). */
  class LayerMethods {
    addPane(name, zIndex) {
      const pane = this.map.createPane("aa-" + name);
      pane.style.zIndex = String(zIndex);
      pane.classList.add("aa-pane-" + name);
      // labels would sit at stale positions during the zoom animation: hide them then
      if (name === "labels" || name === "marker-label") pane.classList.add("leaflet-zoom-hide");
      this.renderers[name] = L.svg({ pane: "aa-" + name, padding: 0.5 });
    }

    /** Options that put a vector layer in one of our panes (with that pane's SVG). */
    inPane(name, extra) {
      return Object.assign({ pane: "aa-" + name, renderer: this.renderers[name] }, extra);
    }

    layerOf(geometry, options) {
      return L.GeoJSON.geometryToLayer(
        { type: "Feature", properties: {}, geometry },
        Object.assign({}, options, {
          // a Point must never become a default Marker (its icon would be fetched)
          pointToLayer: (f, latlng) => L.circleMarker(latlng, Object.assign({ radius: 4 }, options)),
        }),
      );
    }

    buildLand() {
      const style = this.inPane("land", {
        color: COLOR.border,
        weight: 0.8,
        fillColor: COLOR.land,
        fillOpacity: 1,
        interactive: false,
      });
      this.data.land.features.forEach((f, i) => {
        if (!f.geometry) return;
        const iso = text(f.properties && f.properties.iso) || String(i);
        tagPaths(this.layerOf(f.geometry, style), iso, "land").addTo(this.map);
      });
    }

    buildFeatures() {
      const bands = new Map();
      this.data.bands.features.forEach((f) => {
        if (f.geometry && f.properties) bands.set(text(f.properties.id), f);
      });
      this.items = new Map();
      this.data.features.features.forEach((f) => {
        if (!f.geometry) return;
        const props = Object.assign({}, f.properties);
        props.id = text(props.id !== undefined ? props.id : f.id);
        const item = { id: props.id, props, kind: props.kind || "line", geometry: f.geometry };
        item.lat = this.parallelLatitude(item);
        // where its key letter may slide to
        item.path = props.key && item.kind === "line" ? linePath(this.map, f.geometry, props.label) : null;
        item.main = this.featureLayer(item, f.geometry);
        item.hit = item.kind === "reference" ? null : this.hitLayer(item, f.geometry);
        const band = bands.get(item.id);
        item.band = band ? this.bandLayer(item, band) : null;
        this.items.set(item.id, item);
      });
    }

    featureLayer(item, geometry) {
      const pane = item.kind === "reference" ? "reference" : item.kind === "zone" ? "zones" : "lines";
      const layer = this.layerOf(geometry, this.inPane(pane, this.baseStyle(item)));
      tagPaths(layer, item.id, "feature");
      if (item.kind !== "reference") this.makeClickable(layer, item);
      return layer;
    }

    hitLayer(item, geometry) {
      const weight = Math.max(Number(item.props.weight) || 3, 2) + HIT_EXTRA_PX;
      const pane = item.kind === "zone" ? "zone-hits" : "line-hits";
      const style = this.inPane(pane, { color: "#000", opacity: 0, weight, fill: false, interactive: true });
      const layer = this.layerOf(geometry, style);
      tagPaths(layer, item.id, "hit");
      this.makeClickable(layer, item);
      return layer;
    }

    bandLayer(item, band) {
      const color = text(band.properties.color) || text(item.props.color);
      const style = this.inPane("bands", {
        stroke: false,
        fillColor: color,
        fillOpacity: 0.12,
        interactive: false,
      });
      return tagPaths(this.layerOf(band.geometry, style), item.id, "band");
    }

    makeClickable(layer, item) {
      layer.on("click", (e) => {
        const evt = { type: "click", id: item.id, lat: round(e.latlng.lat, 5), lng: round(e.latlng.lng, 5) };
        const also = this.othersAt(e.originalEvent, item.id);
        if (also.length) evt.also = also;
        this.emit(evt);
      });
      layer.bindTooltip(() => this.featureTip(item), { sticky: true, direction: "top", className: "aa-tip" });
    }

    /** The other lines and zones under the pointer of a click, top first (at most
     * MAX_ALSO): where two records share a stretch only the top one takes the click, so the
     * host can offer the others. Bands, labels and reference parallels take no clicks. */
    othersAt(mouse, id) {
      const out = [];
      if (!mouse || typeof mouse.clientX !== "number" || !document.elementsFromPoint) return out;
      for (const node of document.elementsFromPoint(mouse.clientX, mouse.clientY)) {
        if (!this.element.contains(node) || !node.getAttribute) continue;
        const role = node.getAttribute("data-aa-role");
        const other = node.getAttribute("data-aa-id");
        if ((role === "feature" || role === "hit") && other && other !== id && out.indexOf(other) < 0) {
          out.push(other);
          if (out.length >= MAX_ALSO) break;
        }
      }
      return out;
    }

    featureTip(item) {
      const p = item.props;
      const node = el("div");
      el("strong", "aa-text", node, (p.key ? p.key + " · " : "") + text(p.title));
      const facts = [p.date_label, p.measure, p.precision_km ? "± " + p.precision_km + " km" : null];
      if (p.inferred) facts.push("partly inferred");
      el(
        "div",
        "aa-text",
        node,
        facts
          .filter((x) => x)
          .map(text)
          .join(" · "),
      );
      return node;
    }

    buildPlaces() {
      this.places = [];
      this.data.places.features.forEach((f, i) => {
        const latlng =
          f.geometry && f.geometry.type === "Point" ? lonLatToLatLng(f.geometry.coordinates) : null;
        if (!latlng) return;
        const p = f.properties || {};
        const id = text(p.id) || "place-" + i;
        const dot = L.circleMarker(
          latlng,
          this.inPane("places", {
            radius: 5,
            weight: 1.5,
            color: COLOR.place,
            fillColor: p.certain ? COLOR.place : "#ffffff",
            fillOpacity: 1,
          }),
        );
        tagPaths(dot, id, "place");
        dot.bindTooltip(() => el("div", "aa-text", null, text(p.tip || p.name)), {
          direction: "top",
          offset: [0, -6],
          className: "aa-tip",
        });
        this.places.push({ id, props: p, latlng, dot });
      });
      // most important first, the order in which their labels claim space
      this.places.sort((a, b) => (Number(a.props.rank) || 99) - (Number(b.props.rank) || 99));
    }

    /** Shows or hides one feature and styles it; true when a layer was added. */
    syncItem(item) {
      const on = this.shown(item);
      const dim = this.dimmed(item);
      const added = [
        this.toggle(item.main, on),
        this.toggle(item.hit, on),
        this.toggle(item.band, on && this.local.bands),
      ].some((x) => x);
      if (!on) return added;
      const style = this.baseStyle(item);
      if (dim) {
        style.opacity *= DIM;
        style.fillOpacity *= DIM;
      }
      item.main.setStyle(style);
      if (item.band) item.band.setStyle({ fillOpacity: dim ? 0.12 * DIM : 0.12 });
      return added;
    }

    bringToFront(item) {
      [item.band, item.main, item.hit].forEach((layer) => {
        if (layer && this.map.hasLayer(layer)) layer.bringToFront();
      });
    }

    baseStyle(item) {
      const p = item.props;
      if (item.kind === "reference") {
        return {
          color: COLOR.reference,
          weight: 1.2,
          dashArray: "1 5",
          opacity: 1,
          fill: false,
          fillOpacity: 0,
          interactive: false,
        };
      }
      return {
        color: text(p.color),
        weight: Number(p.weight) || 3,
        dashArray: p.dash || null,
        opacity: 0.95,
        fill: item.kind === "zone",
        fillColor: text(p.color),
        fillOpacity: Number(p.fill_opacity) || 0,
      };
    }

    /** Adds or removes a layer; true when it was added. */
    toggle(layer, on) {
      if (!layer) return false;
      const has = this.map.hasLayer(layer);
      if (on && !has) layer.addTo(this.map);
      else if (!on && has) layer.remove();
      return on && !has;
    }

    syncSelection() {
      const group = this.groups.selection;
      group.clearLayers();
      const item = this.selectedItem();
      if (!item || item.kind === "reference") return;
      const geometry = item.geometry;
      const base = this.baseStyle(item);
      const casing = {
        color: COLOR.casing,
        weight: base.weight + 9,
        opacity: 0.9,
        fill: false,
        interactive: false,
      };
      const top = Object.assign(base, {
        weight: base.weight + 3,
        fillOpacity: Math.min(base.fillOpacity + 0.12, 0.5),
        interactive: false,
      });
      group.addLayer(tagPaths(this.layerOf(geometry, this.inPane("selection", casing)), item.id, "casing"));
      group.addLayer(tagPaths(this.layerOf(geometry, this.inPane("selection", top)), item.id, "selected"));
    }

    syncPlaces() {
      const on = this.state.places !== false && this.local.places;
      this.places.forEach((pl) => this.toggle(pl.dot, on));
      this.labels.dots = on
        ? this.places.map((pl) => ({ latlng: pl.latlng, owner: "place:" + pl.id, key: this.keyPlace(pl) }))
        : [];
    }

    syncCompare() {
      const group = this.groups.compare;
      group.clearLayers();
      const c = this.state.compare;
      if (c && c.between) {
        const style = this.inPane("compare", {
          stroke: true,
          color: COLOR.compare,
          weight: 1,
          opacity: 0.8,
          fillColor: COLOR.compare,
          fillOpacity: 0.35,
          interactive: false,
        });
        const layer = this.layerOf(c.between, style);
        if (layer) group.addLayer(tagPaths(layer, "compare", "compare"));
      }
    }

    syncMarker() {
      const group = this.groups.marker;
      group.clearLayers();
      const m = this.state.marker;
      if (!m || !isFinite(m.lat) || !isFinite(m.lon)) return;
      [
        [14, 4],
        [6, 2],
      ].forEach((ring) => {
        const circle = L.circleMarker(
          [m.lat, m.lon],
          this.inPane("marker", {
            radius: ring[0],
            weight: ring[1],
            color: COLOR.marker,
            fill: false,
            interactive: false,
          }),
        );
        group.addLayer(tagPaths(circle, "marker", "marker"));
      });
    }
  }

  A.LayerMethods = LayerMethods;
})(typeof window !== "undefined" ? window : this);
