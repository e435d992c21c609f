/*
 * Armistice Atlas map renderer: decoding a payload -- its four FeatureCollections (land,
 * features, bands, places) from plain GeoJSON or from a TopoJSON topology
 * (AtlasMap.decode). Needs atlas-map-base.js before it; adds `decode` to AtlasMapParts.
 */
(function (global) {
  "use strict";

  const A = global.AtlasMapParts;
  if (!A) throw new Error("AtlasMap: atlas-map-base.js must load before atlas-map-decode.js.");

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

  A.decode = decode;
})(typeof window !== "undefined" ? window : this);
