/*
 * Armistice Atlas map renderer: the labels -- which ones the map shows, in the order they
 * claim space (the map view's label methods), and the greedy placer that lays them out
 * (LabelLayer). The candidate spots come from atlas-map-spots.js, loaded before it.
 *
 * Labels: DOM nodes in map panes, laid out again after every move, zoom and resize.
 * Items claim space greedily in priority order: the marker label, the A/B badges, the key
 * letters, the parallels, the names of key places (rank 1), country names, other places.
 * Each tries its candidate spots in order, first one clear of every label, control and
 * place dot (and of the spot kept for each key place's name), then one that only keeps
 * clear of labels, controls and key places; an item with no free spot is not shown, except
 * the marker label and the A/B badges (`fixed`), which settle for a spot clear of labels,
 * at worst their first one. Overlaps are looked up in buckets (BoxIndex) and the country
 * raster is linear in vertices and cells, so a layout costs about linear time.
 */
(function (global) {
  "use strict";

  const A = global.AtlasMapParts;
  if (!A) throw new Error("AtlasMap: atlas-map-base.js must load before atlas-map-labels.js.");
  const {
    el,
    text,
    lonLatToLatLng,
    BoxIndex,
    viewTransform,
    landShape,
    landRaster,
    countryBoxes,
    badgeBoxes,
    PLACEMENTS,
  } = A;

  const KEY_RANK = 1; // places of this rank are key places: their dots stay uncovered
  // constraint tiers: what a spot must keep clear of besides the labels already placed
  const CLEAR_ALL = 0; // controls, every place dot, the spots kept for key places' names
  const CLEAR_KEY_DOTS = 1; // controls, the dots of key places, the spots kept for their names
  const CLEAR_KEY_DOTS_ONLY = 2; // controls and the dots of key places
  const CLEAR_LABELS = 3; // nothing else (fixed items only)
  const BLOCKS = [
    () => true,
    (o) => !!(o.control || o.key || o.reserved),
    (o) => !!(o.control || o.key),
    () => false,
  ];

  class LabelLayer {
    constructor(map) {
      this.map = map;
      this.items = [];
      this.nodes = new Map(); // item key -> DOM node, kept while the map lives
      this.dots = []; // place dots: {latlng, owner, key}
      this.land = []; // land features on the zoom-0 plane, by their index in the payload
    }

    setLand(features) {
      this.land = features.map((f) => landShape(this.map, f.geometry));
    }

    setItems(items) {
      const keys = new Set(items.map((it) => it.key));
      this.nodes.forEach((node, key) => {
        if (!keys.has(key)) node.style.display = "none";
      });
      items.forEach((it) => {
        let node = this.nodes.get(it.key);
        if (!node) {
          node = el("div", null, this.map.getPane(it.pane));
          node.setAttribute("aria-hidden", "true"); // the legend carries the same words
          this.nodes.set(it.key, node);
        }
        if (node.className !== it.className) node.className = it.className;
        if (node.textContent !== it.text) node.textContent = it.text;
        node.style.borderColor = it.color || "";
      });
      this.items = items;
      this.layout();
    }

    layout() {
      const map = this.map;
      const size = map.getSize();
      const zoom = map.getZoom();
      const items = this.items.filter((it) => !(it.minZoom > zoom));
      this.items.forEach((it) => (this.nodes.get(it.key).style.display = "none"));
      if (!size.x || !size.y) return;
      // show first, then measure all in one reflow
      items.forEach((it) => (this.nodes.get(it.key).style.display = ""));
      const sizes = items.map((it) => {
        const node = this.nodes.get(it.key);
        return { w: node.offsetWidth, h: node.offsetHeight };
      });
      const ctx = this.context(size);
      // the first spot of each key place's name clear of controls and other key dots is kept
      // for it (until it is placed): what comes earlier takes that spot only when nothing
      // else is free
      const reserved = new Map();
      items.forEach((it, i) => {
        if (!it.keyPlace) return;
        const hard = (o) => o.owner !== it.key && (o.control || !!o.key);
        const first = this.inView(this.candidates(it, sizes[i], ctx), size).find(
          (b) => !ctx.obstacles.hits(b, 1, hard),
        );
        if (!first) return;
        // grown by 1 px: obstacles are kept 1 px apart, labels 2
        const spot = { x: first.x - 1, y: first.y - 1, w: first.w + 2, h: first.h + 2 };
        Object.assign(spot, { owner: it.key, reserved: true });
        reserved.set(it.key, spot);
        ctx.obstacles.add(spot);
      });
      items.forEach((it, i) => {
        const node = this.nodes.get(it.key);
        const box = this.place(it, sizes[i], ctx);
        if (reserved.has(it.key)) reserved.get(it.key).released = true;
        if (!box) {
          node.style.display = "none";
          return;
        }
        ctx.placed.add(box);
        L.DomUtil.setPosition(node, map.containerPointToLayerPoint(L.point(box.x, box.y)).round());
      });
    }

    /** What a layout works with: the view, the controls and place dots a label must not
     * cover, the labels placed so far, and (made when first needed) the land raster. */
    context(size) {
      const container = this.map.getContainer();
      const origin = container.getBoundingClientRect();
      const controls = [];
      container.querySelectorAll(".leaflet-control").forEach((c) => {
        const r = c.getBoundingClientRect();
        if (r.width && r.height) {
          const x = r.left - origin.left;
          const y = r.top - origin.top;
          controls.push({ x, y, w: r.width, h: r.height, control: true });
        }
      });
      const obstacles = new BoxIndex();
      controls.forEach((c) => obstacles.add(c));
      this.dots.forEach((d) => {
        const p = this.map.latLngToContainerPoint(d.latlng);
        if (p.x >= -6 && p.y >= -6 && p.x <= size.x + 6 && p.y <= size.y + 6) {
          obstacles.add({ x: p.x - 5, y: p.y - 5, w: 10, h: 10, owner: d.owner, key: d.key });
        }
      });
      const westXs = [8].concat(controls.filter((o) => o.x < 80).map((o) => Math.round(o.x + o.w + 6)));
      return {
        size,
        t: viewTransform(this.map),
        controls,
        obstacles,
        placed: new BoxIndex(),
        westXs: westXs.sort((a, b) => a - b),
        raster: null,
      };
    }

    inView(boxes, size) {
      return boxes.filter((b) => b.x >= 0 && b.y >= 0 && b.x + b.w <= size.x && b.y + b.h <= size.y);
    }

    /** The first candidate box clear of labels and obstacles, tier by tier (see above). */
    place(it, sz, ctx) {
      const boxes = this.candidates(it, sz, ctx);
      const pool = it.fixed ? boxes : this.inView(boxes, ctx.size);
      if (!pool.length) return null;
      const free = (spots, tier) => {
        const blocks = (o) => o.owner !== it.key && !o.released && BLOCKS[tier](o);
        return spots.find((b) => !ctx.placed.hits(b, 2) && !ctx.obstacles.hits(b, 1, blocks));
      };
      const minor = it.kind === "place" && !it.keyPlace;
      // by bands of distance (key letters): a near spot over a minor dot is better than a
      // far one
      const bands = pool[pool.length - 1].band || 0;
      for (let band = 0; band <= bands; band++) {
        const spots = bands ? pool.filter((b) => b.band === band) : pool;
        const found = free(spots, CLEAR_ALL) || (minor ? null : free(spots, CLEAR_KEY_DOTS));
        if (found) return found;
      }
      if (minor) return null;
      const last = free(pool, CLEAR_KEY_DOTS_ONLY) || (it.fixed ? free(pool, CLEAR_LABELS) : null);
      return last || (it.fixed ? pool[0] : null);
    }

    /** Candidate boxes of an item, best first (possibly out of view). */
    candidates(it, sz, ctx) {
      const w = sz.w;
      const h = sz.h;
      const map = this.map;
      const size = ctx.size;
      const toBoxes = (list) => list.map((c) => ({ x: c[0], y: c[1], w, h }));
      if (it.kind === "parallel") {
        const y = map.latLngToContainerPoint(L.latLng(it.lat, map.getCenter().lng)).y;
        if (!(y > 0 && y < size.y)) return [];
        return toBoxes(ctx.westXs.map((x) => [x, y - h / 2]));
      }
      if (it.kind === "country") {
        const shape = this.land[it.landIndex];
        if (shape && shape.rings.length) {
          if (!ctx.raster) ctx.raster = landRaster(this.land, size, ctx.t, ctx.controls);
          return countryBoxes(ctx.raster, it.landIndex, shape, w, h, size, ctx.t);
        }
      }
      if (!it.latlng) return [];
      const p = map.latLngToContainerPoint(it.latlng);
      // a key letter may slide into view along its line; anything else needs its point in view
      if (it.kind === "badge") return badgeBoxes(it.path, p, w, h, ctx.t);
      const margin = 4;
      if (p.x < -margin || p.y < -margin || p.x > size.x + margin || p.y > size.y + margin) return [];
      if (it.kind === "compare") return badgeBoxes(null, p, w, h, ctx.t);
      if (it.kind === "marker") return toBoxes(PLACEMENTS.marker(p, w, h));
      if (it.kind === "country") return toBoxes(PLACEMENTS.point(p, w, h));
      return toBoxes(PLACEMENTS.place(p, w, h));
    }
  }

  /** The map view's methods that choose its labels (mixed in by atlas-map.js). */
  class LabelMethods {
    refreshLabels() {
      this.labels.setItems(this.labelItems());
    }

    scheduleLabels() {
      if (this.labelFrame) return;
      this.labelFrame = L.Util.requestAnimFrame(() => {
        this.labelFrame = null;
        if (this.map) this.labels.layout();
      });
    }

    /** Label items in the order they claim space (see LabelLayer). */
    labelItems() {
      const s = this.state;
      const items = [];
      if (s.marker && isFinite(s.marker.lat) && isFinite(s.marker.lon)) {
        items.push({
          key: "marker",
          kind: "marker",
          pane: "aa-marker-label",
          className: "aa-label aa-label-marker",
          text: text(s.marker.label),
          latlng: L.latLng(s.marker.lat, s.marker.lon),
          fixed: true,
        });
      }
      this.compareBadges().forEach((b) => items.push(b));
      if (s.labels === false) return items;
      const sel = this.selectedItem();
      const keyed = [];
      this.items.forEach((it) => {
        const latlng = lonLatToLatLng(it.props.label);
        if (!it.props.key || !latlng || !this.shown(it)) return;
        const cls =
          "aa-badge" + (this.dimmed(it) ? " aa-dimmed" : "") + (sel === it ? " aa-badge-selected" : "");
        const badge = {
          key: "key:" + it.id,
          kind: "badge",
          pane: "aa-labels",
          className: cls,
          text: text(it.props.key),
          latlng,
          path: it.path,
          color: text(it.props.color),
          rank: sel === it ? -1 : this.extent(it),
        };
        keyed.push(badge);
      });
      // the selected feature's letter first, then the smallest features' (least room)
      keyed.sort((a, b) => a.rank - b.rank);
      keyed.forEach((b) => items.push(b));
      this.items.forEach((it) => {
        if (it.lat === null || !it.props.lat_label || !this.shown(it)) return;
        items.push({
          key: "parallel:" + it.id,
          kind: "parallel",
          pane: "aa-labels",
          className: "aa-label aa-label-parallel",
          text: text(it.props.lat_label),
          lat: it.lat,
        });
      });
      const places = s.places !== false && this.local.places ? this.places : [];
      const placeItem = (pl) => {
        const minZoom = Number(pl.props.min_zoom);
        return {
          key: "place:" + pl.id,
          kind: "place",
          keyPlace: this.keyPlace(pl),
          pane: "aa-labels",
          className: "aa-label aa-label-place" + (pl.props.certain ? "" : " aa-uncertain"),
          text: text(pl.props.label || pl.props.name),
          latlng: pl.latlng,
          minZoom: isFinite(minZoom) ? minZoom : 0,
        };
      };
      places.filter((pl) => this.keyPlace(pl)).forEach((pl) => items.push(placeItem(pl)));
      // country names: those of the countries the lines divide first
      const countries = [];
      this.data.land.features.forEach((f, i) => {
        const p = f.properties || {};
        if (!text(p.name)) return;
        countries.push({
          key: "country:" + i,
          kind: "country",
          landIndex: i,
          primary: !!p.primary,
          pane: "aa-labels",
          className: "aa-label aa-label-country",
          text: text(p.name),
          latlng: lonLatToLatLng(p.label),
        });
      });
      countries.sort((a, b) => Number(b.primary) - Number(a.primary) || a.landIndex - b.landIndex);
      countries.forEach((c) => items.push(c));
      places.filter((pl) => !this.keyPlace(pl)).forEach((pl) => items.push(placeItem(pl)));
      return items;
    }

    /** A feature's size in degrees (the longer side of its bounds), measured once. */
    extent(item) {
      if (item.extent === undefined) {
        const b = item.main.getBounds();
        item.extent = b.isValid() ? Math.max(b.getNorth() - b.getSouth(), b.getEast() - b.getWest()) : 0;
      }
      return item.extent;
    }

    /** A place whose dot no label may cover and whose name comes before country names. */
    keyPlace(pl) {
      return Number(pl.props.rank) === KEY_RANK;
    }

    compareBadges() {
      const c = this.state.compare;
      if (!c) return [];
      return ["a", "b"]
        .map((side) => {
          const item = this.items.get(text(c[side]));
          if (!item) return null;
          const latlng = lonLatToLatLng(item.props.label) || item.main.getBounds().getCenter();
          return {
            key: "compare:" + side,
            kind: "compare",
            pane: "aa-marker-label",
            className: "aa-badge aa-badge-compare",
            text: side.toUpperCase(),
            latlng,
            fixed: true,
          };
        })
        .filter((b) => b);
    }

    /** A reference parallel's latitude: that of its first position. */
    parallelLatitude(item) {
      if (item.kind !== "reference") return null;
      let c = item.geometry.coordinates;
      while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
      return Array.isArray(c) && isFinite(c[1]) ? c[1] : null;
    }
  }

  Object.assign(A, { LabelLayer, LabelMethods });
})(typeof window !== "undefined" ? window : this);
