/*
 * Streamlit custom component (v1, iframe) for the Armistice Atlas map, without
 * streamlit-component-lib: the postMessage protocol is small enough to speak directly.
 *
 *   iframe -> Streamlit: streamlit:componentReady (once), streamlit:setFrameHeight,
 *                        streamlit:setComponentValue ({...event, instance, seq}, "json")
 *   Streamlit -> iframe: streamlit:render with args {payload_url, state}; state is an object
 *                        or its JSON text (the app sends text: Streamlit inspects every
 *                        object argument as a possible dataframe, importing pandas and pyarrow)
 *
 * This script runs before Leaflet and the renderer (index.html), so the payload is fetched
 * while they load; the map is drawn once the page's scripts have all run. Leaflet.draw is
 * loaded only when a state asks for drawing (the sandbox).
 * The payload is fetched once per URL (relative to this page) and kept in memory; the map
 * is created once per payload and then only update(state)d, so a rerun never resets the
 * user's zoom and pan.
 *
 * Every event carries this page's random ``instance`` and a ``seq`` counting from 1: the
 * browser sends a component's last value again with every later rerun, so the app handles
 * each (instance, seq) once. A state height of "fill" makes the map reach the bottom of the
 * window (the presentation screen), measured in the parent page and kept on resize.
 */
(function () {
  "use strict";

  const DEFAULT_HEIGHT = 620;
  const FILL_MIN = 320; // px: the least a "fill" map is given
  const FILL_MARGIN = 12; // px left under a "fill" map
  const holder = document.getElementById("map");
  const errorElement = document.getElementById("error");
  const payloads = new Map(); // absolute URL -> Promise of the parsed payload

  let map = null;
  let mapUrl = null; // the payload URL the current map was made from
  let wantedUrl = null; // the payload URL of the latest render
  let latestState = {};
  let lastHeight = null;
  let seq = 0;
  const instance = randomId();
  let fillTimer = null;
  let fillListening = false;
  let fillMode = false; // the latest state asked for height "fill"
  let drawLoading = null; // the Promise of Leaflet.draw, once a state asked for drawing

  function randomId() {
    const words = new Uint32Array(2);
    window.crypto.getRandomValues(words);
    return words[0].toString(36) + words[1].toString(36);
  }

  // the scripts after this one (Leaflet, the renderer) have run
  const scriptsReady = new Promise((resolve) => {
    if (document.readyState !== "loading") resolve();
    else document.addEventListener("DOMContentLoaded", () => resolve(), { once: true });
  });

  /** A failure whose message may be shown to the reader (no URL, no stack). */
  class LoadError extends Error {}

  function post(type, fields) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, fields), "*");
  }

  function setFrameHeight(height) {
    if (height === lastHeight) return;
    lastHeight = height;
    post("streamlit:setFrameHeight", { height: height });
  }

  function onMapEvent(evt) {
    seq += 1; // every event differs from the one before, even a second click on the same line
    const value = Object.assign({}, evt, { instance: instance, seq: seq });
    post("streamlit:setComponentValue", { value: value, dataType: "json" });
  }

  /** The height that takes a "fill" map to the bottom of the window, or null if the parent
   * page cannot be measured (another origin). */
  function fillHeight() {
    try {
      const frame = window.frameElement;
      const parent = window.parent;
      if (!frame || !parent || parent === window) return null;
      const top = frame.getBoundingClientRect().top + parent.scrollY;
      return Math.max(FILL_MIN, Math.floor(parent.innerHeight - top - FILL_MARGIN));
    } catch (err) {
      return null;
    }
  }

  function heightOf(state) {
    if (state.height === "fill") return fillHeight() || DEFAULT_HEIGHT;
    const height = Number(state.height);
    return height > 0 ? height : DEFAULT_HEIGHT;
  }

  /** Measure a "fill" map again: after the page above it has settled, and on resizing. */
  function refit() {
    if (!fillMode) return;
    const height = fillHeight();
    if (!height || height === latestState.height) return;
    latestState = Object.assign({}, latestState, { height: height });
    setFrameHeight(height);
    if (map) map.update(latestState);
  }

  function scheduleRefit(delay) {
    window.clearTimeout(fillTimer);
    fillTimer = window.setTimeout(refit, delay);
  }

  function listenForResize() {
    if (fillListening) return;
    try {
      const onResize = () => scheduleRefit(150);
      window.parent.addEventListener("resize", onResize);
      window.addEventListener("pagehide", () => window.parent.removeEventListener("resize", onResize));
      fillListening = true;
    } catch (err) {
      // a parent on another origin: the height stays as first measured
    }
  }

  function fetchPayload(url) {
    return fetch(url, { credentials: "same-origin" }).then(
      (response) => {
        if (!response.ok) throw new LoadError("the server answered " + response.status);
        return response.json().catch(() => {
          throw new LoadError("the file is not valid JSON");
        });
      },
      () => {
        throw new LoadError("the file could not be fetched");
      },
    );
  }

  function loadPayload(url) {
    if (!payloads.has(url)) {
      const pending = fetchPayload(url);
      // a failed load is forgotten, so the next rerun may try again
      pending.catch(() => payloads.delete(url));
      payloads.set(url, pending);
    }
    return payloads.get(url);
  }

  function fileName(url) {
    const path = new URL(url).pathname;
    return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1)) || "map data";
  }

  function showError(url, err) {
    if (map) map.destroy();
    map = null;
    mapUrl = null;
    holder.hidden = true;
    let reason = "the data could not be drawn";
    if (err instanceof LoadError) reason = err.message;
    else if (err && err.name === "AtlasMapFormatError") reason = "it is not Armistice Atlas map data";
    errorElement.textContent = "The map could not be loaded (" + fileName(url) + ": " + reason + ").";
    errorElement.hidden = false;
    if (!(err instanceof LoadError) && window.console) console.error(err);
  }

  function showMap(url, payload) {
    if (mapUrl !== url) {
      if (map) map.destroy();
      errorElement.hidden = true;
      holder.hidden = false;
      // a fresh element per map: one that failed half-way never blocks the next
      const element = document.createElement("div");
      holder.textContent = "";
      holder.appendChild(element);
      map = window.AtlasMap.create(element, payload, { onEvent: onMapEvent, assets: "./" });
      mapUrl = url;
    }
    map.update(latestState);
  }

  function render(args) {
    let state = args && args.state;
    if (typeof state === "string") {
      try {
        state = JSON.parse(state);
      } catch (err) {
        state = null;
      }
    }
    state = state && typeof state === "object" ? state : {};
    fillMode = state.height === "fill";
    latestState = Object.assign({}, state, { height: heightOf(state) });
    setFrameHeight(latestState.height);
    if (fillMode) {
      listenForResize();
      window.setTimeout(refit, 300); // the title and buttons above may still be arriving
      window.setTimeout(refit, 1200);
    }
    const given = args && args.payload_url;
    if (typeof given !== "string" || !given) {
      showError(window.location.href, new LoadError("no map data was given"));
      return;
    }
    const url = new URL(given, window.location.href).href;
    wantedUrl = url;
    const drawing = drawReady(latestState);
    if (map && url === mapUrl) {
      if (!drawing) map.update(latestState);
      else drawing.then(() => map && mapUrl === url && map.update(latestState));
      return;
    }
    Promise.all([loadPayload(url), scriptsReady, drawing])
      .then(([payload]) => {
        if (url === wantedUrl) showMap(url, payload); // else a newer render wants another map
      })
      .catch((err) => {
        if (url === wantedUrl) showError(url, err);
      });
  }

  /** Leaflet.draw is loaded only when a state first asks for drawing (the sandbox): every
   * other map is spared its 67 KB. Null when nothing needs loading, else a Promise that
   * settles once it has loaded or failed (the renderer then says drawing is unavailable). */
  function drawReady(state) {
    if (!state.draw || (window.L && window.L.Draw)) return null;
    if (!drawLoading) {
      drawLoading = new Promise((resolve) => {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = "leaflet.draw.css";
        document.head.appendChild(css);
        const script = document.createElement("script");
        script.src = "leaflet.draw.js";
        script.onload = () => resolve();
        script.onerror = () => {
          drawLoading = null; // the next render may try again
          resolve();
        };
        document.head.appendChild(script);
      });
    }
    return drawLoading;
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return; // only Streamlit, our parent, may drive us
    const data = event.data;
    if (data && data.type === "streamlit:render") render(data.args);
  });

  post("streamlit:componentReady", { apiVersion: 1 });
})();
