/* histmap's interactive player: the territories at any instant, morphed as the engine does.
 * Each keyframe's signed distance fields (per side: distance to its land minus distance to
 * the others') are blended linearly between two keyframes; a land cell goes to the side
 * with the least value. Text from the data is set with textContent (never as HTML). */
(function () {
  "use strict";
  var D = window.HISTMAP_PLAYER_DATA;
  var root = document.getElementById("histmap-player");
  if (!D || !root || !window.L) return;
  var G = D.grid, NX = G.nx, NY = G.ny, N = NX * NY;
  var NF = D.fieldSides.length, R = 6378137, EPOCH = 719163; // ordinal of 1970-01-01
  var $ = function (id) { return document.getElementById(id); };
  // histmap's words in the page's language (D.words, from its catalogue), "{name}" filled in
  function say(message, values) {
    var text = (D.words && D.words[message]) || message;
    return text.replace(/\{(\w+)\}/g, function (m, k) { return values && k in values ? values[k] : m; });
  }

  // -- dates: days since 0001-01-01 as in the engine ---------------------------------------
  function iso(day) {
    return new Date((Math.floor(day) - EPOCH) * 864e5).toISOString().slice(0, 10);
  }
  function ordinal(text) {
    var t = Date.parse(String(text).trim() + "T00:00:00Z");
    if (isNaN(t)) throw new Error("not a date: " + text + " (write YYYY-MM-DD)");
    return Math.round(t / 864e5) + EPOCH;
  }
  var dateFormat = new Intl.DateTimeFormat(D.lang || "en-GB",  // made once: it is slow to make
    { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  function longDate(day) { return dateFormat.format(new Date((Math.floor(day) - EPOCH) * 864e5)); }

  // -- data: base64 -> deflate -> varints with runs of zeros -> int16 rows of deltas ---------
  // Decoded in a Web Worker, whose code is the text of `inflate` and `decoder` run from a Blob URL
  // (Chromium refuses a worker script file from file://; where no worker starts, the same
  // code runs here). It inflates every keyframe in the background once the page is up (a
  // tenth of the varints' bytes: a few MB), so that a far jump only expands two keyframes.
  function inflate(b64) {  // a Promise of the bytes
    var s = atob(b64), raw = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) raw[i] = s.charCodeAt(i);
    var stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer();
  }
  function decoder(self) {
    var NX, N, NF, blobs, ats, bytes = [];
    // One field's varints (player.zero_runs of its row deltas: zigzag varints under 2^28;
    // 0 then the length of a run of zeros), bytes p to end of b, into f from index o.
    // A run of zeros repeats the row's running value, and most runs lie outside every
    // front's reach, where that value is 0 and the array already holds it.
    function unruns(b, p, end, f, o) {
      var acc = 0, u, sh, c, last, stop;
      while (p < end) {
        u = 0; sh = 0;
        do { c = b[p++]; u |= (c & 127) << sh; sh += 7; } while (c & 128);
        if (u !== 0) {
          if (o % NX === 0) acc = 0;
          f[o++] = acc = (acc + ((u >>> 1) ^ -(u & 1))) << 16 >> 16;
          continue;
        }
        u = 0; sh = 0;
        do { c = b[p++]; u |= (c & 127) << sh; sh += 7; } while (c & 128);
        for (last = o + u; o < last; o = stop) {  // row by row: the running value restarts at 0
          if (o % NX === 0) acc = 0;
          stop = Math.min(last, o - (o % NX) + NX);
          if (acc !== 0) f.fill(acc, o, stop);
        }
      }
    }
    // Keyframe i's fields in quantisation steps (the argmin does not need metres), each
    // from the keyframe that holds it (ats[i][k]: keyframe, byte range, stored plus the first).
    function fieldsOf(i) {
      var at = ats[i];
      return Promise.all(at.map(function (a) { return inflated(a[0]); })).then(function (b) {
        var f = new Int16Array(NF * N), k, j, o;
        for (k = 0; k < NF; k++) unruns(b[k], at[k][1], at[k][2], f, k * N);
        for (k = 1; k < NF; k++) {
          if (at[k][3]) for (j = 0, o = k * N; j < N; j++) f[o + j] = (f[o + j] - f[j]) << 16 >> 16;
        }
        return f;
      });
    }
    function inflated(i) {  // `inflate` is the page's, given to the worker with this text
      return bytes[i] || (bytes[i] = inflate(blobs[i]).then(function (buf) { return new Uint8Array(buf); }));
    }
    function warm(i, every) {  // its keyframes one after another, leaving room for requests
      if (i < blobs.length) inflated(i).then(function () { setTimeout(warm, 0, i + every, every); });
    }
    self.onmessage = function (ev) {
      var m = ev.data;
      if (m.blobs) {
        NX = m.nx; N = m.n; NF = m.nf; blobs = m.blobs; ats = m.ats;
        setTimeout(warm, m.warm, m.first, m.every);
        return;
      }
      fieldsOf(m.i).then(function (f) { self.postMessage({ i: m.i, f: f }, [f.buffer]); });
    };
  }
  var waiting = {}, decode = startDecoder();
  function received(m) {
    var done = waiting[m.i] || [];
    delete waiting[m.i];
    done.forEach(function (resolve) { resolve(m.f); });
  }
  // Two workers, keyframe i decoded by worker i % 2: the two keyframes of an instant at once.
  function startDecoder() {
    var init = { nx: NX, n: N, nf: NF, warm: 300, first: 0, every: 1,
      blobs: D.keyframes.map(function (k) { return k.fields; }),
      ats: D.keyframes.map(function (k) { return k.at; }) };
    function here() {  // the decoder on this thread
      var inner = { postMessage: function (m) { setTimeout(received, 0, m); } };
      decoder(inner);
      inner.onmessage({ data: init });
      return function (m) { inner.onmessage({ data: m }); };
    }
    try {
      var url = URL.createObjectURL(new Blob(["var inflate = " + inflate.toString() +
        ";\n(" + decoder.toString() + ")(self);"], { type: "text/javascript" }));
      var workers = [0, 1].map(function (n) {
        var worker = new Worker(url);
        worker.onmessage = function (ev) { received(ev.data); };
        worker.onerror = failed;
        worker.postMessage(Object.assign({}, init, { first: n, every: 2 }));
        return worker;
      });
    } catch (e) {
      return here();
    }
    function failed(ev) {  // a worker could not start after all: decode here
      ev.preventDefault();
      workers.forEach(function (w) { w.terminate(); });
      decode = here();
      Object.keys(waiting).forEach(function (i) { decode({ i: +i }); });
    }
    return function (m) { workers[m.i % 2].postMessage(m); };
  }
  var landMask = null, drawMask = null, cache = new Map();
  function keyframe(i) {  // a Promise of the keyframe's fields, Int16Array NF*N (steps)
    if (cache.has(i)) {  // most recently used last
      var hit = cache.get(i); cache.delete(i); cache.set(i, hit); return hit;
    }
    var p = new Promise(function (resolve) { (waiting[i] = waiting[i] || []).push(resolve); });
    decode({ i: i });
    cache.set(i, p);
    if (cache.size > 16) cache.delete(cache.keys().next().value);
    return p;
  }

  // -- the engine's segment and fraction -----------------------------------------------------
  var KD = D.keyframes.map(function (k) { return k.day; });
  function ease(a) { return D.easing === "ease-in-out" ? a * a * (3 - 2 * a) : a; }
  function locate(day) {
    var n = KD.length;
    if (n === 1 || day <= KD[0]) return [0, 0, 0];
    if (day >= KD[n - 1]) return [n - 1, n - 1, 0];
    var i = 0;
    while (i + 1 < n && KD[i + 1] <= day) i++;
    if (D.keyframes[i + 1].cut) return [i, i, 0];
    var a = ease((day - KD[i]) / (KD[i + 1] - KD[i]));
    return a === 0 ? [i, i, 0] : [i, i + 1, a];
  }

  // -- colours ---------------------------------------------------------------------------------
  function rgb(hex) {
    var v = parseInt(hex.replace("#", ""), 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  var land = rgb(D.theme.land), A = D.theme.alpha;
  var sideIndex = {}; D.sides.forEach(function (s, i) { sideIndex[s.id] = i; });
  var fill = new Uint32Array(NF + 1);
  function pack(c) { return (255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0]; }
  D.fieldSides.forEach(function (id, k) {
    var side = D.sides[sideIndex[id]];
    var c = side ? rgb(side.colour).map(function (v, j) { return Math.round(A * v + (1 - A) * land[j]); }) : land;
    fill[k] = pack(c);
  });
  // -- the map ---------------------------------------------------------------------------------
  var map = L.map("hp-map", { zoomSnap: 0.25, keyboard: true, attributionControl: true,
    minZoom: 2, maxZoom: 12, worldCopyJump: false });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.attributionControl.addAttribution(document.createTextNode(D.credits).textContent
    .replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }));
  var bounds = L.latLngBounds(G.bounds);
  map.fitBounds(L.latLngBounds(D.extent));  // the map's extent, as the video shows it
  // Panes: the land under the territories, the lines and symbols over them (Leaflet draws
  // every SVG over every canvas of one pane).
  map.createPane("hp-ground").style.zIndex = 350;
  map.createPane("hp-areas").style.zIndex = 380;
  map.createPane("hp-fronts").style.zIndex = 385;
  map.createPane("hp-mask").style.zIndex = 390;
  function geo(g, style, pane) {
    if (g) L.geoJSON(g, { style: style, interactive: false, pane: pane || "overlayPane" }).addTo(map);
  }
  geo(D.base.land, { color: D.theme.coast, weight: 0.6, fillColor: D.theme.land, fillOpacity: 1 },
    "hp-ground");
  var canvas = document.createElement("canvas");
  canvas.width = NX; canvas.height = NY;
  canvas.setAttribute("aria-hidden", "true");
  var CanvasOverlay = L.ImageOverlay.extend({
    _initImage: function () {
      var el = this._image = this._url;
      L.DomUtil.addClass(el, "leaflet-image-layer");
      if (this._zoomAnimated) L.DomUtil.addClass(el, "leaflet-zoom-animated");
      el.onselectstart = L.Util.falseFn; el.onmousemove = L.Util.falseFn;
    }
  });
  new CanvasOverlay(canvas, bounds, { interactive: false, pane: "hp-areas" }).addTo(map);
  // The grid's cells spill over the coast: the sea and the land no side shares cover them.
  geo(D.base.sea, { stroke: false, fillColor: D.theme.sea, fillOpacity: 1 }, "hp-mask");
  geo(D.base.others, { stroke: false, fillColor: D.theme.land, fillOpacity: 1 }, "hp-mask");
  geo(D.base.land, { color: D.theme.coast, weight: 0.6, fill: false });
  geo(D.base.rivers, { color: D.theme.river, weight: 0.8 });
  geo(D.base.borders, { color: "#7a6a5c", weight: 0.8, dashArray: "4 3" });
  geo(D.base.korea, { color: D.theme.coast, weight: 0.9 });
  D.places.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 2.5, color: "#222", weight: 1, fillOpacity: 1,
      interactive: false }).addTo(map)
      .bindTooltip(document.createTextNode(p.name).textContent.replace(/[&<>"']/g, function (c) {
        return "&#" + c.charCodeAt(0) + ";"; }),
        { permanent: true, direction: "right", className: "hp-place", offset: [3, 0] });
  });
  var overlays = L.layerGroup().addTo(map);
  var ctx = canvas.getContext("2d"), image = ctx.createImageData(NX, NY);
  var pixels = new Uint32Array(image.data.buffer), winner = new Int8Array(N);

  // -- state -------------------------------------------------------------------------------
  var timing = null;
  var state = { day: D.start, fi: null, fj: null, a: 0, playing: false, speed: 30 };

  function winners(fi, fj, a, out) {  // each land cell's side: the least blended field
    var b = 1 - a, k, j, best, v, w;
    for (j = 0; j < N; j++) {
      if (!drawMask[j]) { out[j] = -1; continue; }
      best = 0; v = b * fi[j] + a * fj[j];
      for (k = 1; k < NF; k++) {
        w = b * fi[k * N + j] + a * fj[k * N + j];
        if (w < v) { v = w; best = k; }
      }
      out[j] = best;
    }
  }
  // The areas at an instant (fields fi, fj, fraction a) and, given the fields of GAINS.days
  // before (gi, gj, fraction c), the recent gains made lighter, as the video draws them.
  function draw(fi, fj, a, gi, gj, c) {
    winners(fi, fj, a, winner);
    if (gi) { winners(gi, gj, c, before); markGains(); }
    for (var j = 0; j < N; j++) {
      var w = winner[j];
      pixels[j] = w < 0 ? 0 : gi && gained[j] >= 0 ? gainFill[w] : fill[w];
    }
    ctx.putImageData(image, 0, 0);
  }
  // A cell is a gain of the side holding it now if it held it not; pieces (cells of one
  // side, side by side) under GAINS.min of the land are slivers where a line only wavers.
  var GAINS = D.gains, before = new Int8Array(N), gained = new Int8Array(N);
  var unheld = D.fieldSides.indexOf("_unheld"), stack = new Int32Array(N), landCells = 0;
  var gainFill = new Uint32Array(NF + 1);
  if (GAINS) D.fieldSides.forEach(function (id, k) {
    var v = fill[k];
    gainFill[k] = pack([v & 255, (v >> 8) & 255, (v >> 16) & 255].map(function (c) {
      return Math.round(c * (1 - GAINS.tint) + 255 * GAINS.tint); }));
  });
  function join(o, w, top) {  // cell o into the piece of side w, if it is an unseen gain of w
    if (gained[o] === -2 && winner[o] === w) { gained[o] = -3; stack[top++] = o; }
    return top;
  }
  function markGains() {
    var j, w, n, top, at, x, piece = Math.max(1, GAINS.min * landCells);
    for (j = 0; j < N; j++) {
      w = winner[j];
      gained[j] = w >= 0 && w !== unheld && before[j] !== w ? -2 : -1;  // -2: not yet seen
    }
    for (j = 0; j < N; j++) {
      if (gained[j] !== -2) continue;
      w = winner[j]; n = 0; top = 0; stack[top++] = j; gained[j] = -3;  // -3: in this piece
      while (top > 0) {  // flood the piece, keeping its cells on the stack's lower part
        at = stack[--top]; stack[N - 1 - n++] = at; x = at % NX;
        if (x > 0) top = join(at - 1, w, top);
        if (x < NX - 1) top = join(at + 1, w, top);
        if (at >= NX) top = join(at - NX, w, top);
        if (at < N - NX) top = join(at + NX, w, top);
      }
      for (var i = 0; i < n; i++) gained[stack[N - 1 - i]] = n >= piece ? w : -1;
    }
  }

  // Fronts: the zero line of the blended difference of two sides' fields (marching squares,
  // crossings interpolated along cell edges), where those two sides hold both ends.
  function lonlat(gx, gy) {
    var mx = G.x0 + gx * G.cell, my = G.y0 - gy * G.cell;
    return [Math.atan(Math.sinh(my / R)) * 180 / Math.PI, mx / R * 180 / Math.PI];
  }
  function frontLines(fi, fj, a) {
    var lines = [], b = 1 - a, P, Q, p, q;
    function m(j) { return b * (fi[P + j] - fi[Q + j]) + a * (fj[P + j] - fj[Q + j]); }
    function ours(w) { return w === p || w === q; }
    function cross(x0, y0, x1, y1, v0, v1, pts) {  // where the line crosses an edge, if it does
      if ((v0 < 0) === (v1 < 0)) return;
      var t = v0 / (v0 - v1);
      pts.push(lonlat(x0 + t * (x1 - x0), y0 + t * (y1 - y0)));
    }
    for (var n = 0; n < D.fronts.length; n++) {
      p = D.fieldSides.indexOf(D.fronts[n][0]); q = D.fieldSides.indexOf(D.fronts[n][1]);
      P = p * N; Q = q * N;
      for (var y = 0; y < NY - 1; y++) for (var x = 0, j = y * NX; x < NX - 1; x++, j++) {
        var w0 = winner[j], w1 = winner[j + 1], w2 = winner[j + NX + 1], w3 = winner[j + NX];
        // Most cells lie inside one side: nothing to contour.
        if (w0 === w1 && w0 === w2 && w0 === w3) continue;
        if (!ours(w0) || !ours(w1) || !ours(w2) || !ours(w3)) continue;
        var v0 = m(j), v1 = m(j + 1), v2 = m(j + NX + 1), v3 = m(j + NX), pts = [];
        cross(x, y, x + 1, y, v0, v1, pts); cross(x + 1, y, x + 1, y + 1, v1, v2, pts);
        cross(x + 1, y + 1, x, y + 1, v2, v3, pts); cross(x, y + 1, x, y, v3, v0, pts);
        if (pts.length === 2) lines.push(pts);
        else if (pts.length === 4) { lines.push([pts[0], pts[1]]); lines.push([pts[2], pts[3]]); }
      }
    }
    return lines;
  }
  // Under the masks of the sea, as in the video: a front ends at the coast.
  var frontHalo = L.polyline([], { color: "#fff", weight: 5, opacity: 0.7, interactive: false,
    pane: "hp-fronts" }).addTo(map);
  var frontLayer = L.polyline([], { color: D.theme.front, weight: 2, interactive: false,
    pane: "hp-fronts" }).addTo(map);

  function setDay(day) {
    day = Math.min(D.end, Math.max(D.start, day));
    var seg = locate(day), was = GAINS ? locate(day - GAINS.days) : seg;
    return Promise.all([keyframe(seg[0]), keyframe(seg[1]), keyframe(was[0]), keyframe(was[1])]).then(function (f) {
      var t0 = performance.now();
      state.day = day; state.fi = f[0]; state.fj = f[1]; state.a = seg[2];
      if (GAINS) draw(f[0], f[1], seg[2], f[2], f[3], was[2]); else draw(f[0], f[1], seg[2]);
      var t1 = performance.now(), lines = frontLines(f[0], f[1], seg[2]);
      frontHalo.setLatLngs(lines); frontLayer.setLatLngs(lines);
      var t2 = performance.now();
      // The neighbours, ahead of play and of scrubbing either way.
      if (seg[1] + 1 < KD.length) keyframe(seg[1] + 1);
      if (seg[0] > 0) keyframe(seg[0] - 1);
      story(day);
      if (state.playing && following) frame(day);
      // How long the last instant took to draw, in ms (the fields were decoded before).
      timing = { areas: t1 - t0, fronts: t2 - t1, story: performance.now() - t2 };
      return iso(day);
    });
  }

  // -- the story: caption, arrows, markers -----------------------------------------------------
  var ARROWS = { offensive: 1, retreat: 1, landing: 1, evacuation: 1 };
  function current(day) {
    var shown = null;
    D.events.forEach(function (e) { if (e.start <= day && day <= Math.max(e.end, e.start + 21)) shown = e; });
    return shown;
  }
  function sideColour(id) { var s = D.sides[sideIndex[id]]; return s ? s.colour : "#444"; }
  function arrowHead(path, colour) {
    var n = path.length, p = map.latLngToLayerPoint(path[n - 1]), q = map.latLngToLayerPoint(path[n - 2]);
    var dx = p.x - q.x, dy = p.y - q.y, len = Math.sqrt(dx * dx + dy * dy) || 1, s = 11;
    dx /= len; dy /= len;
    var pts = [[p.x + dx * s * 0.6, p.y + dy * s * 0.6], [p.x - dx * s * 0.6 - dy * s * 0.6, p.y - dy * s * 0.6 + dx * s * 0.6],
      [p.x - dx * s * 0.6 + dy * s * 0.6, p.y - dy * s * 0.6 - dx * s * 0.6]];
    return L.polygon(pts.map(function (c) { return map.layerPointToLatLng(L.point(c[0], c[1])); }),
      { color: colour, weight: 1, fillColor: colour, fillOpacity: 0.95, interactive: false });
  }
  function grown(path, fraction) {
    var n = path.length, upto = Math.max(2, Math.ceil(fraction * (n - 1)) + 1);
    return path.slice(0, Math.min(n, upto));
  }
  function drawStory(day) {
    overlays.clearLayers();
    D.events.forEach(function (e) {
      if (e.start > day || day > Math.max(e.end, e.start) + 45) return;
      var colour = sideColour(e.side), fade = day > Math.max(e.end, e.start) + 30 ? 0.45 : 1;
      if (ARROWS[e.kind] && e.path.length > 1) {
        var f = e.end > e.start ? Math.min(1, Math.max(0.05, (day - e.start) / (e.end - e.start))) : 1;
        var path = grown(e.path, f);
        overlays.addLayer(L.polyline(path, { color: "#fff", weight: 7, opacity: 0.7 * fade, interactive: false }));
        overlays.addLayer(L.polyline(path, { color: colour, weight: 4, opacity: fade, interactive: false }));
        overlays.addLayer(arrowHead(path, colour).setStyle({ opacity: fade, fillOpacity: fade }));
      } else {
        var at = e.path[e.path.length - 1];
        overlays.addLayer(L.circleMarker(at, { radius: 6, color: "#fff", weight: 2, fillColor: colour,
          fillOpacity: fade, opacity: fade, interactive: false }));
      }
    });
  }
  function phaseOf(day) {
    var name = "";
    D.phases.forEach(function (p) { if (p.start <= day && day <= p.end + 1) name = p.name; });
    return name;
  }
  function story(day) {
    var e = current(day);
    $("hp-date").textContent = longDate(day);
    $("hp-phase").textContent = phaseOf(day);
    $("hp-title").textContent = e ? e.title : "";
    $("hp-caption").textContent = e ? e.caption : "";
    $("hp-alt").textContent = describe();
    slider.value = Math.floor(day);
    slider.setAttribute("aria-valuetext", longDate(day));
    drawStory(day);
    var id = e ? e.id : null;
    if (id !== currentId) {  // only the buttons that change (each costs the page a restyle)
      events.forEach(function (b) {
        if (b.dataset.id === id || b.dataset.id === currentId) b.setAttribute("aria-current", b.dataset.id === id ? "true" : "false");
      });
      currentId = id;
    }
    if (!state.quietHash) writeHashSoon();
  }
  var currentId;
  function describe() {  // a text alternative: each side's share of the land
    var counts = new Array(NF).fill(0), total = 0;
    for (var j = 0; j < N; j++) if (landMask[j]) { counts[winner[j]]++; total++; }
    var shares = D.sides.map(function (s) {
      return say("{side} holds about {percent}%", { side: s.name,
        percent: Math.round(100 * counts[D.fieldSides.indexOf(s.id)] / (total || 1)) });
    }).join(", ");
    return say("On this date: {shares} of the land.", { shares: shares });
  }

  // -- what is at a point ----------------------------------------------------------------------
  function sideAt(lon, lat) {
    if (!state.fi) return null;
    var mx = R * lon * Math.PI / 180, my = R * Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360));
    var fx = (mx - G.x0) / G.cell, fy = (G.y0 - my) / G.cell;
    var cx = Math.round(fx), cy = Math.round(fy);
    if (cx < 0 || cy < 0 || cx >= NX || cy >= NY || !landMask[cy * NX + cx]) return null;
    var x0 = Math.max(0, Math.min(NX - 2, Math.floor(fx))), y0 = Math.max(0, Math.min(NY - 2, Math.floor(fy)));
    var tx = fx - x0, ty = fy - y0, best = -1, bv = Infinity, b = 1 - state.a;
    for (var k = 0; k < NF; k++) {
      var v = 0, o = k * N;
      [[0, 0, (1 - tx) * (1 - ty)], [1, 0, tx * (1 - ty)], [0, 1, (1 - tx) * ty], [1, 1, tx * ty]].forEach(function (c) {
        var j = o + (y0 + c[1]) * NX + x0 + c[0];
        v += c[2] * (b * state.fi[j] + state.a * state.fj[j]);
      });
      if (v < bv) { bv = v; best = k; }
    }
    return D.fieldSides[best];
  }

  function cellAt(lon, lat) {  // the grid cell at a point, or -1 off the grid
    var mx = R * lon * Math.PI / 180, my = R * Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360));
    var cx = Math.round((mx - G.x0) / G.cell), cy = Math.round((G.y0 - my) / G.cell);
    return cx < 0 || cy < 0 || cx >= NX || cy >= NY ? -1 : cy * NX + cx;
  }
  function gainAt(lon, lat) {  // the side that took this point in the last days, or null
    var j = cellAt(lon, lat);
    return GAINS && state.fi && j >= 0 && landMask[j] && gained[j] >= 0 ? D.fieldSides[gained[j]] : null;
  }

  // -- controls ------------------------------------------------------------------------------
  var slider = $("hp-slider");
  slider.min = D.start; slider.max = D.end;
  slider.addEventListener("input", function () { stop(); setDay(+slider.value); });
  var phasesBar = $("hp-phases");
  D.phases.forEach(function (p, n) {
    var el = document.createElement("span");
    el.className = "hp-phase-" + (n % 2);
    el.style.left = (100 * (p.start - D.start) / (D.end - D.start)) + "%";
    el.style.width = (100 * (p.end + 1 - p.start) / (D.end - D.start)) + "%";
    el.textContent = p.name; el.title = p.name;
    phasesBar.appendChild(el);
  });
  var legend = $("hp-legend");
  D.sides.forEach(function (s) {
    var li = document.createElement("li"), sw = document.createElement("span");
    sw.className = "hp-swatch"; sw.style.background = s.colour;
    li.appendChild(sw); li.appendChild(document.createTextNode(s.name)); legend.appendChild(li);
  });
  if (GAINS) {  // as the video's legend: a lighter tint of the first side's colour
    var li = document.createElement("li"), sw = document.createElement("span"), g = gainFill[0];
    sw.className = "hp-swatch hp-gain";
    sw.style.background = "rgb(" + (g & 255) + "," + ((g >> 8) & 255) + "," + ((g >> 16) & 255) + ")";
    li.appendChild(sw);
    li.appendChild(document.createTextNode(say("Taken in the last {days} days", { days: GAINS.days })));
    legend.appendChild(li);
  }
  var list = $("hp-events"), events = [];
  D.events.forEach(function (e) {
    var li = document.createElement("li"), b = document.createElement("button");
    b.type = "button"; b.dataset.id = e.id;
    var when = document.createElement("span"); when.className = "hp-when"; when.textContent = e.date;
    b.appendChild(when); b.appendChild(document.createTextNode(" " + e.title));
    b.addEventListener("click", function () { stop(); setDay(e.start); });
    li.appendChild(b); list.appendChild(li); events.push(b);
  });
  var starts = D.events.map(function (e) { return e.start; }).filter(function (v, i, a) { return a.indexOf(v) === i; });
  function stepEvent(dir) {
    var day = Math.floor(state.day), next = null;
    starts.forEach(function (s) { if (dir > 0 ? s > day && (next === null || s < next) : s < day && (next === null || s > next)) next = s; });
    if (next !== null) { stop(); setDay(next); }
  }
  function stepDay(dir) { stop(); setDay(Math.floor(state.day) + dir); }
  $("hp-prev-day").addEventListener("click", function () { stepDay(-1); });
  $("hp-next-day").addEventListener("click", function () { stepDay(1); });
  $("hp-prev-event").addEventListener("click", function () { stepEvent(-1); });
  $("hp-next-event").addEventListener("click", function () { stepEvent(1); });
  $("hp-speed").addEventListener("change", function () { state.speed = +this.value; });
  var play = $("hp-play"), last = 0, busy = false;
  function stop() { state.playing = false; play.textContent = say("Play"); play.setAttribute("aria-pressed", "false"); }
  function tick(now) {
    if (!state.playing) return;
    var dt = last ? (now - last) / 1000 : 0; last = now;
    if (!busy && !flying) {  // the date holds while the camera flies, as in the video
      busy = true;
      var next = state.day + dt * state.speed;
      if (next >= D.end) stop();
      setDay(next).then(function () { busy = false; });
    }
    requestAnimationFrame(tick);
  }
  play.addEventListener("click", function () {
    if (state.playing) { stop(); return; }
    if (state.day >= D.end) state.day = D.start;
    state.playing = true; last = 0; play.textContent = say("Pause"); play.setAttribute("aria-pressed", "true");
    requestAnimationFrame(tick);
  });
  root.addEventListener("keydown", function (ev) {
    var t = ev.target.tagName;
    if (ev.key === " " && t !== "BUTTON" && t !== "SELECT") { ev.preventDefault(); play.click(); }
    else if (ev.key === "PageDown") { ev.preventDefault(); stepEvent(1); }
    else if (ev.key === "PageUp") { ev.preventDefault(); stepEvent(-1); }
  });

  // -- following the video's camera -------------------------------------------------------
  // D.camera: [day, x, y, w, h] knots, the view's centre and size on Web Mercator (metres),
  // interpolated by day. While playing, the map shows the camera's view (fitted in the map's
  // box), flying to it when it is far (the date holds meanwhile, as in the video, where the
  // camera moves while a caption holds the date); a pan or zoom of the user's stops following.
  var CAM = D.camera || [], following = CAM.length > 0, flying = false, ours = 0;
  var follow = $("hp-follow"), SNAP = map.options.zoomSnap;
  if (!CAM.length) follow.hidden = true;
  function cameraAt(day) {
    var lo = 0, hi = CAM.length - 1;
    if (day <= CAM[0][0]) return CAM[0];
    if (day >= CAM[hi][0]) return CAM[hi];
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (CAM[mid][0] <= day) lo = mid; else hi = mid; }
    var a = CAM[lo], b = CAM[hi], t = (day - a[0]) / (b[0] - a[0]);
    return [day, a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2]),
      a[3] * Math.pow(b[3] / a[3], t), a[4] * Math.pow(b[4] / a[4], t)];
  }
  function viewOf(k) {  // the centre and the (fractional) zoom that fits the box
    var size = map.getSize(), px = 256 / (2 * Math.PI * R);  // pixels a metre at zoom 0
    var zoom = Math.log2(Math.min(size.x / (k[3] * px), size.y / (k[4] * px)));
    return { center: L.latLng(Math.atan(Math.sinh(k[2] / R)) * 180 / Math.PI, k[1] / R * 180 / Math.PI),
      zoom: Math.max(map.getMinZoom(), Math.min(map.getMaxZoom(), zoom)) };
  }
  function moveMap(go) {  // a move of ours, not the user's; at any zoom (not snapped)
    ours++; map.options.zoomSnap = 0;
    try { go(); } finally { map.options.zoomSnap = SNAP; ours--; }
  }
  function frame(day, fly) {
    if (flying || !CAM.length) return;
    var v = viewOf(cameraAt(day)), z = map.getZoom(), size = map.getSize();
    var shift = map.project(map.getCenter(), z).distanceTo(map.project(v.center, z)) / size.x;
    if (fly || shift > 0.25 || Math.abs(v.zoom - z) > 0.5) {  // far: fly there, as the camera would
      flying = new Promise(function (resolve) {
        map.once("moveend", function () { flying = false; resolve(); });
      });
      moveMap(function () { map.flyTo(v.center, v.zoom); });
    } else moveMap(function () { map.setView(v.center, v.zoom, { animate: false }); });
  }
  function setFollowing(on) {
    following = on && CAM.length > 0;
    follow.setAttribute("aria-pressed", following ? "true" : "false");
    if (following) frame(state.day, true);
  }
  follow.addEventListener("click", function () { setFollowing(!following); });
  map.on("movestart zoomstart", function () { if (!ours && state.live) { flying = false; setFollowing(false); } });

  // -- the URL: #date=1950-09-15&zoom=7&lat=..&lon=.. -----------------------------------------
  function writeHash() {
    var c = map.getCenter();
    var h = "#date=" + iso(state.day) + "&zoom=" + map.getZoom() + "&lat=" + c.lat.toFixed(3) + "&lon=" + c.lng.toFixed(3);
    if (location.hash !== h) history.replaceState(null, "", h);
  }
  function readHash() {
    var p = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("="); if (i > 0) p[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    var zoom = parseFloat(p.zoom), lat = parseFloat(p.lat), lon = parseFloat(p.lon);
    if (!isNaN(zoom)) map.setView(isNaN(lat) || isNaN(lon) ? map.getCenter() : [lat, lon], zoom,
      { animate: false });  // at once: the view is ready with the page
    var day = D.start;
    try { if (p.date) day = ordinal(p.date); } catch (e) { /* a bad date in the URL: the start */ }
    return day;
  }
  // Chromium throttles history.replaceState and each call costs a few ms: once scrubbing rests.
  var hashTimer = 0;
  function writeHashSoon() { clearTimeout(hashTimer); hashTimer = setTimeout(writeHash, 150); }
  map.on("moveend", function () { if (!state.quietHash) writeHashSoon(); });
  map.on("zoomend", function () { drawStory(state.day); });

  // -- the script API --------------------------------------------------------------------------
  var ready = inflate(G.land).then(function (buf) {
    var packed = new Uint8Array(buf); landMask = new Uint8Array(N);
    for (var j = 0; j < N; j++) landCells += landMask[j] = (packed[j >> 3] >> (7 - (j & 7))) & 1;
    drawMask = new Uint8Array(N);  // the land and a cell round it, up to the vector coast
    for (j = 0; j < N; j++) if (landMask[j] || landMask[j - 1] || landMask[j + 1] ||
      landMask[j - NX] || landMask[j + NX]) drawMask[j] = 1;
    state.quietHash = true;
    var day = readHash();
    state.quietHash = false;
    return setDay(day).then(function (date) { state.live = true; return date; });
  });
  window.histmap = {
    ready: ready,
    setDate: function (date) { return ready.then(function () { return setDay(ordinal(date)); }); },
    setDay: function (day) { return ready.then(function () { return setDay(day); }); },
    date: function () { return iso(state.day); },
    sideAt: sideAt,
    gainAt: gainAt,
    timing: function () { return timing; },
    following: function () { return following; },
    settled: function () { return flying || Promise.resolve(); },  // once the camera is still
    map: map
  };
})();
