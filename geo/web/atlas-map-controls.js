/*
 * Armistice Atlas map renderer: the map's controls -- the layer checkboxes, the legend
 * (a row per feature, its line sample, the notes on how to read the map), the scale, and
 * the room the panels get. Our own controls, not Leaflet's layers control, which writes
 * its labels as HTML markup: every text here goes in as textContent. Methods of the map
 * view, mixed in by atlas-map.js. Needs atlas-map-base.js before it.
 */
(function (global) {
  "use strict";

  const A = global.AtlasMapParts;
  if (!A) throw new Error("AtlasMap: atlas-map-base.js must load before atlas-map-controls.js.");
  const { COLOR, SCALE_CLEARANCE_PX, el, svgEl, text, round, lonLatToLatLng, boxControl, panel } = A;

  /** The small drawing of a legend row (34 x 14), in *parent*. */
  function sampleBox(parent) {
    const attrs = { width: 34, height: 14, viewBox: "0 0 34 14", "aria-hidden": "true", class: "aa-sample" };
    return svgEl("svg", attrs, parent);
  }

  /** A stroke across a legend sample, with *style* (stroke, width, dash, cap). */
  function sampleLine(svg, style) {
    return svgEl("line", Object.assign({ x1: 2, y1: 7, x2: 32, y2: 7 }, style), svg);
  }

  /** The map view's methods for its controls (mixed in by atlas-map.js). */
  class ControlMethods {
    addControls() {
      this.layersPanel = panel("aa-layers", "Layers");
      this.buildLayersControl(this.layersPanel.body, this.layersPanel.details);
      boxControl("topright", this.layersPanel.box).addTo(this.map);
      this.legendPanel = panel("aa-legend", "Legend");
      this.legendPanel.box.setAttribute("role", "region");
      this.legendPanel.box.setAttribute("aria-label", "Legend");
      this.buildLegend(this.legendPanel.body);
      boxControl("topright", this.legendPanel.box).addTo(this.map);
      L.control
        .scale({ metric: true, imperial: false, position: "bottomleft", maxWidth: 140 })
        .addTo(this.map);
    }

    buildLayersControl(body, details) {
      const fieldset = el("fieldset", null, body);
      el("legend", "aa-visually-hidden", fieldset, "Show on the map");
      this.checkboxes = {};
      const add = (key, label, onChange) => {
        const row = el("label", "aa-check", fieldset);
        const box = el("input", null, row);
        box.type = "checkbox";
        box.checked = true;
        el("span", "aa-text", row, label);
        box.addEventListener("change", () => onChange(box.checked));
        this.checkboxes[key] = box;
      };
      (this.payload.groups || []).forEach((g) =>
        add("group:" + text(g.id), text(g.label), (on) => {
          if (on) this.local.hiddenGroups.delete(text(g.id));
          else this.local.hiddenGroups.add(text(g.id));
          this.refresh();
        }),
      );
      el("hr", null, fieldset);
      add("bands", "Uncertainty bands", (on) => {
        this.local.bands = on;
        this.refresh();
      });
      add("places", "Places", (on) => {
        this.local.places = on;
        this.refresh();
      });
      // opening the list pushes the legend down: give it its new room
      details.addEventListener("toggle", () => this.fitPanels());
    }

    buildLegend(body) {
      el("p", "aa-legend-title aa-text", body, this.payload.title);
      this.legendRows = new Map();
      this.legendGroups = [];
      (this.payload.groups || []).forEach((g) => {
        const members = Array.from(this.items.values()).filter((it) => it.props.group === g.id);
        if (!members.length) return;
        const section = el("section", "aa-legend-group", body);
        el("h3", "aa-text", section, g.label);
        const list = el("ul", null, section);
        members.forEach((it) => this.legendRows.set(it.id, this.legendRow(list, it)));
        this.legendGroups.push({ id: text(g.id), section, members });
      });
      this.buildLegendNotes(body);
    }

    legendRow(list, item) {
      const li = el("li", null, list);
      // a row is a button when the feature is clickable on the map: the keyboard way to select
      const row = el(item.kind === "reference" ? "div" : "button", "aa-legend-item", li);
      if (row.tagName === "BUTTON") {
        row.type = "button";
        row.setAttribute("aria-pressed", "false");
        row.addEventListener("click", () => this.emitLegendClick(item));
      }
      el("span", "aa-key" + (item.props.key ? "" : " aa-key-none"), row, item.props.key || "");
      this.sample(row, item);
      el("span", "aa-text aa-legend-name", row, item.props.title);
      return li;
    }

    sample(parent, item) {
      const p = item.props;
      const ref = item.kind === "reference";
      const color = ref ? COLOR.reference : text(p.color);
      const dash = ref ? "1 5" : p.dash;
      const svg = sampleBox(parent);
      if (item.kind === "zone") {
        svgEl(
          "rect",
          {
            x: 1.5,
            y: 2,
            width: 31,
            height: 10,
            fill: color,
            "fill-opacity": 0.25,
            stroke: color,
            "stroke-width": 2,
            "stroke-dasharray": dash,
          },
          svg,
        );
      } else {
        const w = ref ? 1.5 : Math.min(Number(p.weight) || 3, 4);
        sampleLine(svg, { stroke: color, "stroke-width": w, "stroke-dasharray": dash, "stroke-linecap": "round" });
      }
    }

    buildLegendNotes(body) {
      const notes = el("section", "aa-legend-notes", body);
      el("h3", null, notes, "How to read it");
      const list = el("ul", null, notes);
      const note = (draw, words) => {
        const li = el("li", "aa-legend-item", list);
        el("span", "aa-key aa-key-none", li);
        draw(sampleBox(li));
        el("span", "aa-text", li, words);
      };
      (this.payload.parties || []).forEach((party) =>
        note((s) => sampleLine(s, { stroke: text(party.color), "stroke-width": 4 }), "colour: " + text(party.label)),
      );
      (this.payload.statuses || []).forEach((status) =>
        note(
          (s) =>
            sampleLine(s, {
              stroke: "#333",
              "stroke-width": 2.5,
              "stroke-dasharray": status.dash,
              "stroke-linecap": "round",
            }),
          text(status.label),
        ),
      );
      note(
        (s) => svgEl("rect", { x: 1, y: 2, width: 32, height: 10, fill: "#777", "fill-opacity": 0.25 }, s),
        "band = ± precision",
      );
      note(
        (s) =>
          svgEl(
            "circle",
            { cx: 17, cy: 7, r: 4.5, fill: "#fff", stroke: COLOR.place, "stroke-width": 1.5 },
            s,
          ),
        "hollow dot = identification not certain",
      );
    }

    emitLegendClick(item) {
      const at = lonLatToLatLng(item.props.label) || item.main.getBounds().getCenter();
      this.emit({ type: "click", id: item.id, lat: round(at.lat, 5), lng: round(at.lng, 5) });
    }

    setToggle(key, on) {
      this.local[key] = on;
      if (this.checkboxes[key]) this.checkboxes[key].checked = on;
    }

    syncLegendRows() {
      if (!this.legendRows) return;
      const sel = this.selectedItem();
      this.legendGroups.forEach((g) => {
        const off = this.local.hiddenGroups.has(g.id);
        let any = false;
        g.members.forEach((it) => {
          const listed = this.listed(it);
          const li = this.legendRows.get(it.id);
          li.hidden = !listed;
          any = any || listed;
          const button = li.querySelector("button");
          if (button) button.setAttribute("aria-pressed", String(sel === it));
          li.classList.toggle("aa-dimmed", this.dimmed(it));
        });
        g.section.hidden = !any;
        g.section.classList.toggle("aa-off", off);
      });
    }

    applyLegendOpen() {
      this.legendPanel.details.open = this.state.legend_open !== false && !this.applied.narrow;
      this.fitPanels();
    }

    /** Panels scroll inside the map, and never reach the strip of the scale bar. */
    fitPanels() {
      const container = this.map.getContainer();
      const top = container.getBoundingClientRect().top;
      const height = this.map.getSize().y;
      [this.layersPanel, this.legendPanel].forEach(({ body }) => {
        const room = height - (body.getBoundingClientRect().top - top) - SCALE_CLEARANCE_PX;
        body.style.maxHeight = Math.max(room, 32) + "px";
      });
      this.scheduleLabels();
    }
  }

  A.ControlMethods = ControlMethods;
})(typeof window !== "undefined" ? window : this);
