/* GridGov's base map: drawn from the grid itself, so a map is recognisable without any
 * background tile server (GRIDGOV_TILES=none, the intranet default).
 *
 * GridGov.base(map, spec) draws, beneath every overlay of a page:
 *   - communities, compounds and buildings from the site's own GeoJSON tiles
 *     (/tiles/<layer>/{z}/{x}/{y}.geojson, maps/tiles/): on no background as a paper map
 *     (land inside the communities, compounds, buildings filled), on a raster background
 *     as outlines only;
 *   - their names, drawn here as text (no raster labels): communities from district zoom
 *     (11–15), compounds from neighbourhood zoom (14+), buildings from street zoom (16+).
 *     A name is drawn only where its grid is large enough on the screen to carry it and it
 *     does not overlap a name already drawn (communities first, then compounds, then
 *     buildings; larger grids first), so the map does not clutter.
 * Nothing of the base takes a tap: its polygons are drawn on canvases in panes beneath the
 * overlays, its names in a pane that lets pointer events through — a tap reaches the
 * overlays or the map (the finder's and the registration map's "tap your building").
 *
 * spec: {tiles: {communities, compounds, buildings: URL templates}, minZoom: {...},
 *        background: true when raster tiles lie beneath}  (maps/basemap.py: base_spec)
 * GridGov.editorMap(map, data): the admin's map widget on the same base, the object's parent
 * outlined, opened at the object or at the user's grid (gridgov/grids/admin_map.py).
 * Needs gridgov-layers.js (GridGov.GeoJSONTiles).
 */
(function () {
  "use strict";
  var GridGov = (window.GridGov = window.GridGov || {});

  // Names by zoom. fit: a name is drawn when its grid's longer side on the screen is at
  // least this share of the name's width.
  var LEVELS = [
    { key: "communities", cls: "community", rank: 0, labelMin: 11, labelMax: 15, maxNative: 15,
      fit: 0.5, z: 210 },
    { key: "compounds", cls: "compound", rank: 1, labelMin: 14, labelMax: 24, maxNative: 17,
      fit: 0.6, z: 220 },
    { key: "buildings", cls: "building", rank: 2, labelMin: 16, labelMax: 24, maxNative: 18,
      fit: 0.6, z: 230 }
  ];
  var LABEL_PANE = "gridgovLabels";
  var MAX_LABELS = 400;

  // On no background: a paper map. On raster tiles: outlines only, the tiles show the rest.
  var STYLES = {
    paper: {
      communities: { color: "#8e5a8a", weight: 2, dashArray: "6 4", fill: true,
                     fillColor: "#f7f5f0", fillOpacity: 1 },
      compounds: { color: "#b3a27f", weight: 1.2, fill: true, fillColor: "#ebe3cf",
                   fillOpacity: 1 },
      buildings: { color: "#8c7d67", weight: 0.8, fill: true, fillColor: "#d3c8b8",
                   fillOpacity: 1 }
    },
    over: {
      communities: { color: "#8e5a8a", weight: 2, dashArray: "6 4", fill: false },
      compounds: { color: "#7d6a45", weight: 1.2, fill: false },
      buildings: { color: "#5d4f3b", weight: 0.8, fill: false }
    }
  };

  // --- where a grid's name goes --------------------------------------------------------------
  function ringArea(ring) {
    var a = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
    }
    return a / 2;
  }

  function ringCentroid(ring) {
    var x = 0, y = 0, a = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      x += (ring[j][0] + ring[i][0]) * f;
      y += (ring[j][1] + ring[i][1]) * f;
      a += f;
    }
    if (!a) { return ring[0]; }
    return [x / (3 * a), y / (3 * a)];
  }

  function inside(pt, rings) {  // even-odd over the polygon's rings (holes excluded)
    var hit = false;
    for (var r = 0; r < rings.length; r++) {
      var ring = rings[r];
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > pt[1]) !== (yj > pt[1]) &&
            pt[0] < (xj - xi) * (pt[1] - yi) / (yj - yi) + xi) { hit = !hit; }
      }
    }
    return hit;
  }

  function box(ring) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    for (var i = 0; i < ring.length; i++) {
      b[0] = Math.min(b[0], ring[i][0]); b[1] = Math.min(b[1], ring[i][1]);
      b[2] = Math.max(b[2], ring[i][0]); b[3] = Math.max(b[3], ring[i][1]);
    }
    return b;
  }

  // The middle of the widest span of a horizontal line across the polygon's middle: inside
  // even when the centroid is not (an L- or U-shaped compound).
  function scanline(rings, b) {
    var y = (b[1] + b[3]) / 2, xs = [];
    for (var r = 0; r < rings.length; r++) {
      var ring = rings[r];
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var yi = ring[i][1], yj = ring[j][1];
        if ((yi > y) !== (yj > y)) {
          xs.push(ring[i][0] + (y - yi) * (ring[j][0] - ring[i][0]) / (yj - yi));
        }
      }
    }
    xs.sort(function (p, q) { return p - q; });
    var best = null, width = -1;
    for (var k = 0; k + 1 < xs.length; k += 2) {
      if (xs[k + 1] - xs[k] > width) { width = xs[k + 1] - xs[k]; best = [(xs[k] + xs[k + 1]) / 2, y]; }
    }
    return best;
  }

  // {at: [lon, lat], box: [w, s, e, n]} of a (Multi)Polygon's largest part, or of a point.
  function placeOf(geometry) {
    if (!geometry) { return null; }
    if (geometry.type === "Point") {
      var c = geometry.coordinates;
      return { at: c, box: [c[0], c[1], c[0], c[1]] };
    }
    var polys = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : null;
    if (!polys || !polys.length) { return null; }
    var rings = polys[0], area = -1;
    for (var i = 0; i < polys.length; i++) {
      var a = Math.abs(ringArea(polys[i][0]));
      if (a > area) { area = a; rings = polys[i]; }
    }
    var b = box(rings[0]);
    var at = ringCentroid(rings[0]);
    if (!inside(at, rings)) { at = scanline(rings, b) || rings[0][0]; }
    return { at: at, box: b };
  }
  GridGov.labelPlace = placeOf;

  // --- names ---------------------------------------------------------------------------------
  function clear(r, boxes) {
    for (var j = 0; j < boxes.length; j++) {
      var q = boxes[j];
      if (!(r.x1 < q.x0 || r.x0 > q.x1 || r.y1 < q.y0 || r.y0 > q.y1)) { return false; }
    }
    return true;
  }

  GridGov.Labels = L.Layer.extend({
    initialize: function () {
      this._items = {};
      this._sizes = {};  // "class|text" -> {w, h}: measured once
      this._els = [];
      this._shown = [];
      this._frame = null;
    },

    onAdd: function (map) {
      var pane = map.getPane(LABEL_PANE) || map.createPane(LABEL_PANE);
      pane.style.zIndex = 450;  // above overlays (400), below markers and popups
      pane.style.pointerEvents = "none";
      this._box = L.DomUtil.create("div", "gridgov-labels", pane);
      map.on("zoomstart", this._hide, this);
      map.on("moveend zoomend viewreset resize layeradd layerremove", this._schedule, this);
      this._schedule();
    },

    onRemove: function (map) {
      map.off("zoomstart", this._hide, this);
      map.off("moveend zoomend viewreset resize layeradd layerremove", this._schedule, this);
      L.DomUtil.remove(this._box);
      this._els = [];
      this._shown = [];
    },

    set: function (level, id, feature) {
      var name = feature.properties && feature.properties.name;
      var place = name ? placeOf(feature.geometry) : null;
      if (!place) { return; }
      this._items[level.key + ":" + id] = {
        level: level, text: String(name), code: feature.properties.code || "",
        at: L.latLng(place.at[1], place.at[0]),
        sw: L.latLng(place.box[1], place.box[0]), ne: L.latLng(place.box[3], place.box[2])
      };
      this._schedule();
    },

    unset: function (level, id) {
      delete this._items[level.key + ":" + id];
      this._schedule();
    },

    // The names drawn now: [{text, code, level}] (tests, and the curious).
    shown: function () { return this._shown.slice(); },

    _hide: function () { if (this._box) { this._box.style.visibility = "hidden"; } },

    _schedule: function () {
      if (this._frame || !this._map) { return; }
      var self = this;
      var run = function () { self._frame = null; self._draw(); };
      this._frame = window.requestAnimationFrame ? window.requestAnimationFrame(run)
        : setTimeout(run, 16);
    },

    _candidates: function () {
      var map = this._map, z = map.getZoom(), view = map.getBounds().pad(0.2), out = [];
      for (var key in this._items) {
        var it = this._items[key], lv = it.level;
        if (z < lv.labelMin || z > lv.labelMax || !view.contains(it.at)) { continue; }
        var sw = map.latLngToContainerPoint(it.sw), ne = map.latLngToContainerPoint(it.ne);
        var w = Math.abs(ne.x - sw.x), h = Math.abs(sw.y - ne.y);
        out.push({ it: it, w: w, h: h });
      }
      out.sort(function (a, b) {
        return a.it.level.rank - b.it.level.rank || b.w * b.h - a.w * a.h ||
          (a.it.code < b.it.code ? -1 : 1);
      });
      return out;
    },

    _measure: function (list) {
      var todo = [], i;
      for (i = 0; i < list.length; i++) {
        var k = list[i].it.level.cls + "|" + list[i].it.text;
        if (!this._sizes[k] && todo.indexOf(k) < 0) { todo.push(k); }
      }
      if (!todo.length) { return; }
      var probes = [];
      for (i = 0; i < todo.length; i++) {
        var cut = todo[i].indexOf("|");
        var el = L.DomUtil.create("div", "gridgov-label gridgov-label-" + todo[i].slice(0, cut),
                                  this._box);
        el.style.visibility = "hidden";
        el.textContent = todo[i].slice(cut + 1);
        probes.push(el);
      }
      for (i = 0; i < todo.length; i++) {  // one layout for all of them
        var w = probes[i].offsetWidth, h = probes[i].offsetHeight;
        if (w) { this._sizes[todo[i]] = { w: w, h: h }; }  // not while the map is hidden
      }
      for (i = 0; i < probes.length; i++) { L.DomUtil.remove(probes[i]); }
    },

    // The overlays' markers (building leaders, requests, stations, a tapped point, the admin's
    // pin): a building's name is not drawn over one, it moves below or above it.
    _obstacles: function () {
      var map = this._map, out = [], box = map.getContainer().getBoundingClientRect();
      map.eachLayer(function (l) {
        if (l instanceof L.CircleMarker && l._map && l.getLatLng) {
          var p = map.latLngToContainerPoint(l.getLatLng()), r = (l._radius || 6) + 2;
          out.push({ x0: p.x - r, y0: p.y - r, x1: p.x + r, y1: p.y + r });
        } else if (l instanceof L.Marker && l._icon && !l._icon.classList.contains("marker-cluster")) {
          var b = l._icon.getBoundingClientRect();  // a pin (the admin's point field)
          out.push({ x0: b.left - box.left, y0: b.top - box.top, x1: b.right - box.left,
                     y1: b.bottom - box.top });
        }
      });
      return out;
    },

    _draw: function () {
      var map = this._map;
      if (!map || !this._box) { return; }
      var size = map.getSize(), list = this._candidates(), out = [], placed = [], i;
      var markers = this._obstacles();
      this._measure(list);
      for (i = 0; i < list.length && out.length < MAX_LABELS; i++) {
        var c = list[i], lv = c.it.level, s = this._sizes[lv.cls + "|" + c.it.text];
        if (!s || !s.w || Math.max(c.w, c.h) < s.w * lv.fit || Math.min(c.w, c.h) < s.h * 0.4) {
          continue;
        }
        var p = map.latLngToContainerPoint(c.it.at), spot = null;
        // at its place; else just below or above (a marker on the building's middle)
        var shifts = [0, s.h / 2 + 15, -(s.h / 2 + 15)];
        for (var k = 0; k < shifts.length && !spot; k++) {
          if (k && Math.abs(shifts[k]) * 2 > c.h) { break; }  // would leave a small grid
          var r = { x0: p.x - s.w / 2 - 3, y0: p.y + shifts[k] - s.h / 2 - 2,
                    x1: p.x + s.w / 2 + 3, y1: p.y + shifts[k] + s.h / 2 + 2, dy: shifts[k] };
          if (r.x1 < 0 || r.y1 < 0 || r.x0 > size.x || r.y0 > size.y) { break; }
          // community and compound names are few and drawn whatever lies beneath
          if (clear(r, placed) && (lv.rank < 2 || clear(r, markers))) { spot = r; }
        }
        if (!spot) { continue; }
        placed.push(spot);
        out.push({ it: c.it, s: s, dy: spot.dy });
      }
      for (i = 0; i < out.length; i++) {
        var el = this._els[i];
        if (!el) { el = this._els[i] = L.DomUtil.create("div", "", this._box); }
        var it = out[i].it, lp = map.latLngToLayerPoint(it.at);
        el.className = "gridgov-label gridgov-label-" + it.level.cls;
        el.textContent = it.text;
        el.setAttribute("data-code", it.code);
        el.style.display = "";
        L.DomUtil.setPosition(el, L.point(Math.round(lp.x - out[i].s.w / 2),
                                          Math.round(lp.y + out[i].dy - out[i].s.h / 2)));
      }
      for (i = out.length; i < this._els.length; i++) { this._els[i].style.display = "none"; }
      this._shown = out.map(function (o) {
        return { text: o.it.text, code: o.it.code, level: o.it.level.key };
      });
      this._box.style.visibility = "";
      map.fire("gridgov:labels", { count: out.length });
    }
  });

  // --- the base ------------------------------------------------------------------------------
  GridGov.base = function (map, spec) {
    if (map._gridgovBase) { return map._gridgovBase; }
    if (!spec || !spec.tiles) { return null; }
    var styles = spec.background ? STYLES.over : STYLES.paper;
    if (!spec.background) { L.DomUtil.addClass(map.getContainer(), "gridgov-paper"); }
    var labels = new GridGov.Labels().addTo(map);
    var layers = {};
    LEVELS.forEach(function (lv) {
      var url = spec.tiles[lv.key];
      if (!url) { return; }
      var paneName = "gridgovBase" + lv.rank;
      var pane = map.getPane(paneName) || map.createPane(paneName);
      pane.style.zIndex = lv.z;  // above raster tiles (200), below overlays (400)
      pane.style.pointerEvents = "none";
      var style = styles[lv.key];
      var layer = new GridGov.GeoJSONTiles(url, null, {
        pane: paneName,
        minZoom: (spec.minZoom && spec.minZoom[lv.key]) || 0,
        maxNativeZoom: lv.maxNative,
        geojson: {
          pane: paneName,
          renderer: L.canvas({ pane: paneName, padding: 0.3 }),
          interactive: false,
          style: function () { return style; }
        }
      });
      layer.on("featureadd", function (e) { labels.set(lv, e.id, e.feature); });
      layer.on("featureremove", function (e) { labels.unset(lv, e.id); });
      layer.addTo(map);
      layers[lv.key] = layer;
    });
    map._gridgovBase = { layers: layers, labels: labels };
    return map._gridgovBase;
  };

  // The base of a map, if it has one.
  GridGov.base.of = function (map) { return map._gridgovBase || null; };

  // --- the admin's map widget ----------------------------------------------------------------
  // data: {base: spec, parent: {name, geometry} | null, home: [[s, w], [n, e]] | null}
  GridGov.editorMap = function (map, data) {
    map.getContainer().gridgovMap = map;  // for other scripts and the browser tests
    GridGov.base(map, data.base);
    var parent = null;
    if (data.parent && data.parent.geometry) {
      parent = L.geoJSON(data.parent.geometry, {
        interactive: false,
        style: { color: "#1565c0", weight: 3, dashArray: "8 6", fill: false }
      }).addTo(map);
    }
    // django-leaflet fits an object's geometry itself, up to map.maxZoom (15 unless set):
    // a building or a point is opened at street zoom, where names are drawn.
    map.maxZoom = 17;
    map.on("map:loadfield", function (e) {
      var drawn = e.field && e.field.drawnItems;
      if (drawn && drawn.getLayers().length) { return; }
      if (data.home) {
        map.fitBounds(data.home, { maxZoom: 17, animate: false });
      } else if (parent) {
        map.fitBounds(parent.getBounds(), { maxZoom: 17, animate: false });
      }
    });
  };
})();
