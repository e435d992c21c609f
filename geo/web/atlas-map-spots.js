/*
 * Armistice Atlas map renderer: where a label may go -- the geometry of label placement.
 * The collision index (BoxIndex), shapes projected once onto the zoom-0 plane, the land
 * raster in which country names look for room, and the candidate spots of each kind of
 * label, best first. The choice among them is made by LabelLayer (atlas-map-labels.js).
 * Needs atlas-map-base.js before it.
 */
(function (global) {
  "use strict";

  const A = global.AtlasMapParts;
  if (!A) throw new Error("AtlasMap: atlas-map-base.js must load before atlas-map-spots.js.");
  const { overlaps } = A;

  const BUCKET_PX = 64; // cell of the collision index
  const LAND_CELL_PX = 6; // cell of the raster in which country names look for room
  const ALONG_STEPS = 40; // a key letter slides at most this many badge widths along its line
  const COUNTRY_CANDIDATES = 40; // spots offered to each country name, best first
  const COUNTRY_ROOM_PX = 36; // more room round a country name than this is not better

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

  Object.assign(A, {
    BoxIndex,
    viewTransform,
    landShape,
    landRaster,
    countryBoxes,
    linePath,
    badgeBoxes,
    PLACEMENTS,
  });
})(typeof window !== "undefined" ? window : this);
