/*
 * Armistice Atlas map renderer (contract: research/map-spec.md, "armistice-atlas-map/1").
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
 * layers control writes its labels as HTML markup, so this file has its own.
 */
(function (global) {
  "use strict";

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
  // TopoJSON: arcs are shared polylines; geometries list arc indices (~i = arc i reversed).
  // With a `transform`, arc positions are quantized integers, each a delta from the one
  // before, and point positions are quantized but absolute.

  function decodeArcs(topology) {
    const t = topology.transform;
    return (topology.arcs || []).map((arc) => {
      if (!t) return arc.map((p) => p.slice());
      let x = 0;
      let y = 0;
      return arc.map((p) => {
        x += p[0];
        y += p[1];
        return [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]];
      });
    });
  }

  function topologyReader(topology) {
    const arcs = decodeArcs(topology);
    const t = topology.transform;
    const point = (p) =>
      t ? [p[0] * t.scale[0] + t.translate[0], p[1] * t.scale[1] + t.translate[1]] : p.slice();
    const arc = (i) => (i >= 0 ? arcs[i] : arcs[~i].slice().reverse());
    const line = (indices) => {
      const out = [];
      indices.forEach((index, k) => {
        const a = arc(index);
        // consecutive arcs share their joining position: keep it once
        for (let j = k === 0 ? 0 : 1; j < a.length; j++) out.push(a[j].slice());
      });
      return out;
    };
    const ring = (indices) => {
      const out = line(indices);
      while (out.length < 4) out.push(out[0].slice()); // a collapsed ring stays a valid ring
      return out;
    };
    const geometry = (o) => {
      switch (o.type) {
        case "Point":
          return { type: "Point", coordinates: point(o.coordinates) };
        case "MultiPoint":
          return { type: "MultiPoint", coordinates: o.coordinates.map(point) };
        case "LineString":
          return { type: "LineString", coordinates: line(o.arcs) };
        case "MultiLineString":
          return { type: "MultiLineString", coordinates: o.arcs.map(line) };
        case "Polygon":
          return { type: "Polygon", coordinates: o.arcs.map(ring) };
        case "MultiPolygon":
          return { type: "MultiPolygon", coordinates: o.arcs.map((p) => p.map(ring)) };
        case "GeometryCollection":
          return { type: "GeometryCollection", geometries: o.geometries.map(geometry) };
        default:
          return null; // a feature without geometry
      }
    };
    const feature = (o) => {
      const f = { type: "Feature", properties: o.properties || {}, geometry: geometry(o) };
      if (o.id !== undefined) f.id = o.id;
      return f;
    };
    return (name) => {
      const o = topology.objects && topology.objects[name];
      if (!o) return emptyCollection();
      const members = o.type === "GeometryCollection" ? o.geometries : [o];
      return { type: "FeatureCollection", features: members.map(feature) };
    };
  }

  function emptyCollection() {
    return { type: "FeatureCollection", features: [] };
  }

  function asCollection(value) {
    return value && Array.isArray(value.features) ? value : emptyCollection();
  }

  /** The payload's four FeatureCollections, from GeoJSON or from a TopoJSON topology. */
  function decode(payload) {
    if (!payload || typeof payload !== "object") throw new TypeError("The map payload is not an object.");
    const names = ["land", "features", "bands", "places"];
    const out = {};
    if (payload.topology) {
      const read = topologyReader(payload.topology);
      names.forEach((n) => (out[n] = read(n)));
    } else {
      names.forEach((n) => (out[n] = asCollection(payload[n])));
    }
    return out;
  }

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
  // Labels: DOM nodes in map panes, laid out again after every move, zoom and resize.
  // Items claim space greedily in priority order: the marker label, the A/B badges, the key
  // letters, the parallels, the names of key places (rank 1), country names, other places.
  // Each tries its candidate spots in order, first one clear of every label, control and
  // place dot (and of the spot kept for each key place's name), then one that only keeps
  // clear of labels, controls and key places; an item with no free spot is not shown, except
  // the marker label and the A/B badges (`fixed`), which settle for a spot clear of labels,
  // at worst their first one. Overlaps are looked up in buckets (BoxIndex) and the country
  // raster is linear in vertices and cells, so a layout costs about linear time.

  const BUCKET_PX = 64; // cell of the collision index
  const LAND_CELL_PX = 6; // cell of the raster in which country names look for room
  const ALONG_STEPS = 40; // a key letter slides at most this many badge widths along its line
  const COUNTRY_CANDIDATES = 40; // spots offered to each country name, best first
  const COUNTRY_ROOM_PX = 36; // more room round a country name than this is not better
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

  /** Boxes {x, y, w, h} in container pixels, bucketed by position for overlap queries. */
  class BoxIndex {
    constructor() {
      this.buckets = new Map();
    }

    /** Calls fn(key) for each bucket the box (grown by pad) touches, until fn is true. */
    cells(b, pad, fn) {
      const x0 = Math.floor((b.x - pad) / BUCKET_PX);
      const x1 = Math.floor((b.x + b.w + pad) / BUCKET_PX);
      const y0 = Math.floor((b.y - pad) / BUCKET_PX);
      const y1 = Math.floor((b.y + b.h + pad) / BUCKET_PX);
      for (let i = x0; i <= x1; i++) {
        for (let j = y0; j <= y1; j++) if (fn(i * 65536 + j)) return true;
      }
      return false;
    }

    add(b) {
      this.cells(b, 0, (key) => {
        const list = this.buckets.get(key);
        if (list) list.push(b);
        else this.buckets.set(key, [b]);
        return false;
      });
    }

    /** Whether a box overlaps (within pad) one of the index that `accept` (if given) takes. */
    hits(b, pad, accept) {
      return this.cells(b, pad, (key) => {
        const list = this.buckets.get(key);
        return !!list && list.some((o) => overlaps(b, o, pad) && (!accept || accept(o)));
      });
    }
  }

  // Shapes are kept on the zoom-0 pixel plane of Web Mercator, projected once; the current
  // view is then a scale and a shift of that plane: container point = plane * k - (x, y).

  function planeOf(map, pair) {
    const p = map.project(L.latLng(pair[1], pair[0]), 0);
    return [p.x, p.y];
  }

  function viewTransform(map) {
    const k = map.getZoomScale(map.getZoom(), 0);
    const o = map.containerPointToLayerPoint(L.point(0, 0)).add(map.getPixelOrigin());
    return { k, x: o.x, y: o.y };
  }

  /** A land feature on the plane: flat rings [x0, y0, x1, y1, ...], bounding box, area. */
  function landShape(map, geometry) {
    const type = geometry && geometry.type;
    const polygons =
      type === "Polygon" ? [geometry.coordinates] : type === "MultiPolygon" ? geometry.coordinates : [];
    const rings = [];
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    let area = 0;
    polygons.forEach((polygon) =>
      (polygon || []).forEach((ring, r) => {
        if (!Array.isArray(ring) || ring.length < 3) return;
        const flat = new Float64Array(ring.length * 2);
        ring.forEach((pair, i) => {
          const p = planeOf(map, pair);
          flat[2 * i] = p[0];
          flat[2 * i + 1] = p[1];
          box[0] = Math.min(box[0], p[0]);
          box[1] = Math.min(box[1], p[1]);
          box[2] = Math.max(box[2], p[0]);
          box[3] = Math.max(box[3], p[1]);
        });
        let twice = 0;
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          twice += flat[2 * j] * flat[2 * i + 1] - flat[2 * i] * flat[2 * j + 1];
        }
        area += (r === 0 ? 1 : -1) * Math.abs(twice / 2); // outer ring, then its holes
        rings.push(flat);
      }),
    );
    return { rings, box, area: Math.max(area, 0) };
  }

  /**
   * The view as a raster of LAND_CELL_PX cells: which land feature covers each cell (-1 sea,
   * -2 under a control; scanlines, even-odd rule), the horizontal run each cell belongs to
   * (first and last column), and each cell's distance in cells to a cell of another value or
   * the edge of the view (two-pass chamfer). Linear in vertices + crossings + cells.
   */
  function landRaster(shapes, size, t, controls) {
    const s = LAND_CELL_PX;
    const cols = Math.max(1, Math.ceil(size.x / s));
    const rows = Math.max(1, Math.ceil(size.y / s));
    const ids = new Int16Array(cols * rows).fill(-1);
    shapes.forEach((shape, index) => {
      const b = shape.box;
      if (!shape.rings.length) return;
      if (b[2] * t.k - t.x < 0 || b[0] * t.k - t.x > size.x) return;
      if (b[3] * t.k - t.y < 0 || b[1] * t.k - t.y > size.y) return;
      const cross = new Array(rows);
      shape.rings.forEach((ring) => {
        const n = ring.length / 2;
        let px = ring[2 * n - 2] * t.k - t.x;
        let py = ring[2 * n - 1] * t.k - t.y;
        for (let i = 0; i < n; i++) {
          const x = ring[2 * i] * t.k - t.x;
          const y = ring[2 * i + 1] * t.k - t.y;
          if (y !== py) {
            // the rows whose centre line lies in [min y, max y) of this edge
            const j0 = Math.max(0, Math.ceil(Math.min(y, py) / s - 0.5));
            const j1 = Math.min(rows - 1, Math.ceil(Math.max(y, py) / s - 0.5) - 1);
            for (let j = j0; j <= j1; j++) {
              const yc = (j + 0.5) * s;
              (cross[j] || (cross[j] = [])).push(px + ((yc - py) * (x - px)) / (y - py));
            }
          }
          px = x;
          py = y;
        }
      });
      cross.forEach((xs, j) => {
        xs.sort((a, c) => a - c);
        for (let m = 0; m + 1 < xs.length; m += 2) {
          const i0 = Math.max(0, Math.ceil(xs[m] / s - 0.5));
          const i1 = Math.min(cols - 1, Math.ceil(xs[m + 1] / s - 0.5) - 1);
          for (let i = i0; i <= i1; i++) ids[j * cols + i] = index;
        }
      });
    });
    controls.forEach((o) => {
      const i0 = Math.max(0, Math.floor(o.x / s));
      const i1 = Math.min(cols - 1, Math.floor((o.x + o.w) / s));
      const j0 = Math.max(0, Math.floor(o.y / s));
      const j1 = Math.min(rows - 1, Math.floor((o.y + o.h) / s));
      for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) ids[j * cols + i] = -2;
    });
    const runL = new Int16Array(cols * rows);
    const runR = new Int16Array(cols * rows);
    for (let j = 0; j < rows; j++) {
      let start = 0;
      for (let i = 1; i <= cols; i++) {
        if (i < cols && ids[j * cols + i] === ids[j * cols + start]) continue;
        for (let m = start; m < i; m++) {
          runL[j * cols + m] = start;
          runR[j * cols + m] = i - 1;
        }
        start = i;
      }
    }
    const dist = new Float32Array(cols * rows);
    const step = (id, i, j, w) =>
      i < 0 || j < 0 || i >= cols || j >= rows || ids[j * cols + i] !== id ? w : dist[j * cols + i] + w;
    const D = Math.SQRT2;
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        const id = ids[j * cols + i];
        dist[j * cols + i] =
          id < 0
            ? 0
            : Math.min(
                step(id, i - 1, j, 1),
                step(id, i - 1, j - 1, D),
                step(id, i, j - 1, 1),
                step(id, i + 1, j - 1, D),
              );
      }
    }
    for (let j = rows - 1; j >= 0; j--) {
      for (let i = cols - 1; i >= 0; i--) {
        const c = j * cols + i;
        const id = ids[c];
        if (id < 0) continue;
        dist[c] = Math.min(
          dist[c],
          step(id, i + 1, j, 1),
          step(id, i + 1, j + 1, D),
          step(id, i, j + 1, 1),
          step(id, i - 1, j + 1, D),
        );
      }
    }
    const counts = new Float64Array(shapes.length);
    const sumX = new Float64Array(shapes.length);
    const sumY = new Float64Array(shapes.length);
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        const id = ids[j * cols + i];
        if (id < 0) continue;
        counts[id] += 1;
        sumX[id] += (i + 0.5) * s;
        sumY[id] += (j + 0.5) * s;
      }
    }
    return { cols, rows, ids, runL, runR, dist, counts, sumX, sumY };
  }

  /**
   * Spots for the name of land feature `index` (a w x h box), best first: boxes that lie
   * inside the visible, uncovered part of that land, with the most room round them (up to
   * COUNTRY_ROOM_PX), then the nearest to the middle of that part; spread apart, so that
   * a spot taken by another label leaves others. A country with no room for its whole name
   * is still named, around its deepest point, when it is mostly in view.
   */
  function countryBoxes(raster, index, shape, w, h, size, t) {
    const s = LAND_CELL_PX;
    const { cols, rows, ids, runL, runR, dist } = raster;
    const count = raster.counts[index];
    if (!count) return [];
    const gx = raster.sumX[index] / count;
    const gy = raster.sumY[index] / count;
    const hw = w / 2 + 2;
    const hh = h / 2 + 1;
    const found = [];
    for (let j = 0; j < rows; j++) {
      const cy = (j + 0.5) * s;
      if (cy - hh < 0 || cy + hh > size.y) continue;
      const r0 = Math.max(0, Math.floor((cy - hh) / s));
      const r1 = Math.min(rows - 1, Math.floor((cy + hh) / s));
      for (let i = 0; i < cols; i++) {
        const c = j * cols + i;
        if (ids[c] !== index) continue;
        const cx = (i + 0.5) * s;
        if (cx - hw < 0 || cx + hw > size.x) continue;
        const iL = Math.floor((cx - hw) / s);
        const iR = Math.min(cols - 1, Math.floor((cx + hw) / s));
        let slack = Infinity;
        for (let r = r0; r <= r1 && slack >= 0; r++) {
          const rc = r * cols + i;
          if (ids[rc] !== index || runL[rc] > iL || runR[rc] < iR) slack = -1;
          else slack = Math.min(slack, cx - hw - runL[rc] * s, (runR[rc] + 1) * s - cx - hw);
        }
        if (slack < 0) continue;
        const room = Math.min(slack, dist[c] * s - hh, COUNTRY_ROOM_PX);
        found.push({ x: cx, y: cy, score: room - 0.01 * Math.hypot(cx - gx, cy - gy) });
      }
    }
    if (!found.length) {
      const seen = count * s * s;
      if (seen < 2 * w * h || seen < 0.5 * shape.area * t.k * t.k) return [];
      for (let c = 0; c < ids.length; c++) {
        if (ids[c] !== index) continue;
        const cx = Math.min(Math.max((c % cols) + 0.5, hw / s), (size.x - hw) / s) * s;
        const cy = Math.min(Math.max(Math.floor(c / cols) + 0.5, hh / s), (size.y - hh) / s) * s;
        found.push({ x: cx, y: cy, score: dist[c] });
      }
    }
    found.sort((a, b) => b.score - a.score);
    // the best spot of each block of (w/2 + 2) x (h + 2) px: candidates spread over the land
    const picked = [];
    const blocks = new Set();
    for (let n = 0; n < found.length && picked.length < COUNTRY_CANDIDATES; n++) {
      const f = found[n];
      const block = Math.floor(f.x / hw) * 65536 + Math.floor(f.y / (2 * hh));
      if (blocks.has(block)) continue;
      blocks.add(block);
      picked.push(f);
    }
    return picked.map((p) => ({ x: p.x - w / 2, y: p.y - h / 2, w, h }));
  }

  /** A line on the plane with its running length, and how far along it `anchor` lies. */
  function linePath(map, geometry, anchor) {
    const type = geometry && geometry.type;
    const parts =
      type === "LineString" ? [geometry.coordinates] : type === "MultiLineString" ? geometry.coordinates : [];
    if (!Array.isArray(anchor) || anchor.length < 2) return null;
    const a = planeOf(map, anchor);
    let best = null;
    parts.forEach((coords) => {
      if (!Array.isArray(coords) || coords.length < 2) return;
      const xy = new Float64Array(coords.length * 2);
      const cum = new Float64Array(coords.length);
      coords.forEach((pair, i) => {
        const p = planeOf(map, pair);
        xy[2 * i] = p[0];
        xy[2 * i + 1] = p[1];
        if (i) cum[i] = cum[i - 1] + Math.hypot(p[0] - xy[2 * i - 2], p[1] - xy[2 * i - 1]);
      });
      for (let i = 1; i < coords.length; i++) {
        const x0 = xy[2 * i - 2];
        const y0 = xy[2 * i - 1];
        const dx = xy[2 * i] - x0;
        const dy = xy[2 * i + 1] - y0;
        const len2 = dx * dx + dy * dy;
        const f = len2 > 0 ? Math.min(Math.max(((a[0] - x0) * dx + (a[1] - y0) * dy) / len2, 0), 1) : 0;
        const d = Math.hypot(x0 + f * dx - a[0], y0 + f * dy - a[1]);
        if (!best || d < best.d) best = { xy, cum, s0: cum[i - 1] + f * (cum[i] - cum[i - 1]), d };
      }
    });
    return best;
  }

  /** The point of a path (on the plane) `s` along it. */
  function pointAlong(path, s) {
    const { xy, cum } = path;
    let lo = 0;
    let hi = cum.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] <= s) lo = mid;
      else hi = mid;
    }
    const len = cum[hi] - cum[lo];
    const f = len > 0 ? Math.min(Math.max((s - cum[lo]) / len, 0), 1) : 0;
    const a = 2 * lo;
    const b = 2 * hi;
    return [xy[a] + f * (xy[b] - xy[a]), xy[a + 1] + f * (xy[b + 1] - xy[a + 1])];
  }

  const RING = [
    [1, 0],
    [-1, 0],
    [0, -1],
    [0, 1],
    [1, -1],
    [-1, -1],
    [1, 1],
    [-1, 1],
  ];

  /** Spots for a key letter (w x h) whose point is p, in bands of distance: the point
   * itself, then further and further along its line, or (a zone, or a compare badge) in
   * rings round the point. A letter off its line may be misread, so a line's letter stays
   * on it or next to it (one ring away), sliding along it (into view, or out from under the
   * legend), and goes further off only when its line is crowded all along. */
  function badgeBoxes(path, p, w, h, t) {
    const out = [];
    let band = 0;
    const at = (q) => out.push({ x: q[0] - w / 2, y: q[1] - h / 2, w, h, band });
    const ringOf = (q, d) => RING.map((r) => [q[0] + r[0] * d, q[1] + r[1] * d]);
    const d1 = w + 3;
    if (!path) {
      at([p.x, p.y]);
      ringOf([p.x, p.y], d1).forEach(at);
      band = 1;
      ringOf([p.x, p.y], 2 * d1).forEach(at);
      band = 2;
      ringOf([p.x, p.y], 3 * d1).forEach(at);
      return out;
    }
    // the points of the line n badge widths (+ 4 px) from the letter's point, both ways
    const step = (w + 4) / t.k;
    const end = path.cum[path.cum.length - 1];
    const along = (from, to) => {
      const points = [];
      for (let n = from; n <= to; n++) {
        [1, -1].forEach((sign) => {
          const s = path.s0 + sign * n * step;
          if (s < 0 || s > end) return;
          const q = pointAlong(path, s);
          points.push([q[0] * t.k - t.x, q[1] * t.k - t.y]);
        });
      }
      return points;
    };
    const beside = (points) => points.forEach((q) => ringOf(q, d1).forEach(at));
    const near = along(1, 3);
    at([p.x, p.y]);
    near.slice(0, 2).forEach(at);
    beside([[p.x, p.y]]);
    band = 1;
    near.slice(2).forEach(at);
    beside(near);
    band = 2;
    along(4, ALONG_STEPS).forEach(at);
    band = 3; // a line crowded all along: beside it further on, else near it at all
    beside(along(4, 12));
    ringOf([p.x, p.y], 2 * d1).forEach(at);
    ringOf([p.x, p.y], 3 * d1).forEach(at);
    return out;
  }

  const PLACEMENTS = {
    // right, left, the four corners, above, below
    place: (p, w, h) => [
      [p.x + 8, p.y - h / 2],
      [p.x - 8 - w, p.y - h / 2],
      [p.x + 5, p.y - 5 - h],
      [p.x + 5, p.y + 5],
      [p.x - 5 - w, p.y - 5 - h],
      [p.x - 5 - w, p.y + 5],
      [p.x - w / 2, p.y - 8 - h],
      [p.x - w / 2, p.y + 8],
    ],
    marker: (p, w, h) => [
      [p.x + 19, p.y - h / 2],
      [p.x - 19 - w, p.y - h / 2],
      [p.x - w / 2, p.y - 19 - h],
      [p.x - w / 2, p.y + 19],
    ],
    // a country name at a fixed point (a land feature without a drawable outline)
    point: (p, w, h) => [0, -1.2, 1.2].map((k) => [p.x - w / 2, p.y - h / 2 + k * h]),
  };

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
        this.emit({ type: "click", id: item.id, lat: round(e.latlng.lat, 5), lng: round(e.latlng.lng, 5) });
      });
      layer.bindTooltip(() => this.featureTip(item), { sticky: true, direction: "top", className: "aa-tip" });
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
      const svg = svgEl(
        "svg",
        { width: 34, height: 14, viewBox: "0 0 34 14", "aria-hidden": "true", class: "aa-sample" },
        parent,
      );
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
        svgEl(
          "line",
          {
            x1: 2,
            y1: 7,
            x2: 32,
            y2: 7,
            stroke: color,
            "stroke-width": w,
            "stroke-dasharray": dash,
            "stroke-linecap": "round",
          },
          svg,
        );
      }
    }

    buildLegendNotes(body) {
      const notes = el("section", "aa-legend-notes", body);
      el("h3", null, notes, "How to read it");
      const list = el("ul", null, notes);
      const note = (draw, words) => {
        const li = el("li", "aa-legend-item", list);
        el("span", "aa-key aa-key-none", li);
        draw(
          svgEl(
            "svg",
            { width: 34, height: 14, viewBox: "0 0 34 14", "aria-hidden": "true", class: "aa-sample" },
            li,
          ),
        );
        el("span", "aa-text", li, words);
      };
      (this.payload.parties || []).forEach((party) =>
        note(
          (s) =>
            svgEl("line", { x1: 2, y1: 7, x2: 32, y2: 7, stroke: text(party.color), "stroke-width": 4 }, s),
          "colour: " + text(party.label),
        ),
      );
      (this.payload.statuses || []).forEach((status) =>
        note(
          (s) =>
            svgEl(
              "line",
              {
                x1: 2,
                y1: 7,
                x2: 32,
                y2: 7,
                stroke: "#333",
                "stroke-width": 2.5,
                "stroke-dasharray": status.dash,
                "stroke-linecap": "round",
              },
              s,
            ),
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

    watchSize() {
      if (typeof ResizeObserver === "undefined") return;
      this.resizeObserver = new ResizeObserver(() => this.map.invalidateSize({ debounceMoveend: true }));
      this.resizeObserver.observe(this.element);
    }

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
      if (!hasLeafletDraw()) return;
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

    setToggle(key, on) {
      this.local[key] = on;
      if (this.checkboxes[key]) this.checkboxes[key].checked = on;
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

    // -- labels ---------------------------------------------------------------------------

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

    // -- view, size, legend ---------------------------------------------------------------

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

    // -- keys and drawing -----------------------------------------------------------------

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
