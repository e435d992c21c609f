/*
 * Armistice Atlas map renderer: the reader's input besides clicks -- keys forwarded to
 * the host (state.keys, "key" events) and drawing a shape with Leaflet.draw (state.draw
 * and state.drawn, "draw" events; a notice when Leaflet.draw is not loaded). Methods of
 * the map view, mixed in by atlas-map.js. Needs atlas-map-base.js before it.
 */
(function (global) {
  "use strict";

  const A = global.AtlasMapParts;
  if (!A) throw new Error("AtlasMap: atlas-map-base.js must load before atlas-map-input.js.");
  const { COLOR, FORWARDED_KEYS, el, roundGeometry, tagPaths, hasLeafletDraw, boxControl } = A;

  /** The map view's methods for keys and drawing (mixed in by atlas-map.js). */
  class InputMethods {
    watchKeys() {
      this.onKeyDown = (e) => {
        if (!this.state.keys || e.altKey || e.ctrlKey || e.metaKey) return;
        const t = e.target;
        if (t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName))) return;
        if (FORWARDED_KEYS.indexOf(e.key) >= 0) {
          e.preventDefault();
          e.stopPropagation();
          this.emit({ type: "key", key: e.key });
        } else if (e.key === "+" || e.key === "=" || e.key === "-" || e.key === "_") {
          // Leaflet's keyboard handler is off in this mode; keep its zoom keys
          e.preventDefault();
          if (e.key === "+" || e.key === "=") this.map.zoomIn();
          else this.map.zoomOut();
        }
      };
      this.element.addEventListener("keydown", this.onKeyDown, true);
    }

    watchDrawing() {
      // once, when Leaflet.draw is there: at creation, or when the host loads it later
      if (this.watchingDraw || !hasLeafletDraw()) return;
      this.watchingDraw = true;
      this.map.on(L.Draw.Event.CREATED, (e) => {
        this.groups.drawn.clearLayers(); // the latest shape replaces the one before
        this.groups.drawn.addLayer(e.layer);
        this.emitDrawn();
      });
      this.map.on(L.Draw.Event.EDITED, () => this.emitDrawn());
      this.map.on(L.Draw.Event.DELETED, () => this.emitDrawn());
    }

    emitDrawn() {
      const layers = this.groups.drawn.getLayers();
      const geometry = layers.length ? roundGeometry(layers[layers.length - 1].toGeoJSON().geometry) : null;
      this.applied.drawn = JSON.stringify(geometry);
      this.emit({ type: "draw", geometry });
    }

    syncKeys() {
      if (this.state.keys) {
        this.map.keyboard.disable();
        return;
      }
      this.map.keyboard.enable();
      // Leaflet starts listening for keys on the map's "focus" event: when the map already
      // has the focus, it would not hear arrow keys until the reader tabbed out and back
      if (document.activeElement === this.element) this.map.fire("focus");
    }

    syncDrawControl() {
      const want = !!this.state.draw;
      if (want && !hasLeafletDraw()) {
        if (!this.drawNotice) {
          const box = el(
            "div",
            "leaflet-control aa-notice",
            null,
            "Drawing tools are unavailable: Leaflet.draw is not loaded.",
          );
          box.setAttribute("role", "status");
          this.drawNotice = boxControl("bottomright", box).addTo(this.map);
          if (global.console)
            console.warn("AtlasMap: state.draw is true but Leaflet.draw (L.Draw) is not loaded.");
        }
        return;
      }
      if (!want && this.drawNotice) {
        this.drawNotice.remove();
        this.drawNotice = null;
      }
      if (want && !this.drawControl) {
        this.watchDrawing();
        const shape = this.inPane("drawn", {
          color: COLOR.drawn,
          weight: 3,
          opacity: 0.95,
          fillColor: COLOR.drawn,
          fillOpacity: 0.12,
        });
        this.drawControl = new L.Control.Draw({
          position: "topleft",
          draw: {
            polyline: { shapeOptions: Object.assign({ fill: false }, shape) },
            polygon: { allowIntersection: false, showArea: false, shapeOptions: shape },
            rectangle: false,
            circle: false,
            marker: false,
            circlemarker: false,
          },
          edit: { featureGroup: this.groups.drawn, remove: true },
        });
        this.drawControl.addTo(this.map);
      } else if (!want && this.drawControl) {
        this.drawControl.remove();
        this.drawControl = null;
      }
      this.fitPanels();
    }

    syncDrawn() {
      const json = JSON.stringify(this.state.drawn || null);
      if (json === this.applied.drawn) return; // the host echoing what was just drawn
      this.applied.drawn = json;
      this.groups.drawn.clearLayers();
      const g = this.state.drawn;
      if (!g || !g.type) return;
      const layer = this.layerOf(
        g,
        this.inPane("drawn", {
          color: COLOR.drawn,
          weight: 3,
          opacity: 0.95,
          fill: g.type.indexOf("Polygon") >= 0,
          fillColor: COLOR.drawn,
          fillOpacity: 0.12,
        }),
      );
      if (layer) this.groups.drawn.addLayer(tagPaths(layer, "drawn", "drawn"));
    }
  }

  A.InputMethods = InputMethods;
})(typeof window !== "undefined" ? window : this);
