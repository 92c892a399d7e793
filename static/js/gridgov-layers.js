/* GridGov map layers, drawn from data instead of one script block per marker.
 *
 * GridGov.layer(spec, data) returns a Leaflet layer for one overlay of a dashboard or the
 * street map. spec.kind says what it is (children, leaders, cases, routes, grids, buildings),
 * and where its features come from:
 *   - data:       an inline GeoJSON FeatureCollection (small layers);
 *   - spec.live:  the key of a per-request FeatureCollection in <script id="gridgov-live"
 *                 type="application/json"> (the map itself is cached; these are not);
 *   - spec.tiles: {url, format, layer, minZoom}: vector tiles (.pbf, drawn by
 *                 Leaflet.VectorGrid) or the GeoJSON tiles of the SpatiaLite fallback (.geojson,
 *                 drawn by GridGov.GeoJSONTiles below).
 * Text from the server is escaped here before it becomes HTML. Nothing is fetched from
 * anywhere but this site.
 */
(function () {
  "use strict";
  var GridGov = (window.GridGov = window.GridGov || {});

  // Leaflet.VectorGrid 1.3 calls L.DomEvent.fakeStop, which Leaflet 1.8 removed: without it
  // a click on a vector tile feature throws. The same as Leaflet 1.7's.
  if (L.DomEvent && !L.DomEvent.fakeStop) {
    L.DomEvent.fakeStop = function (e) { e._stopped = true; };
  }

  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === undefined || value === null ? "" : value).replace(/[&<>"']/g,
      function (c) { return ENTITIES[c]; });
  }
  GridGov.escape = esc;

  var liveData = null;
  GridGov.live = function (key) {
    if (liveData === null) {
      var el = document.getElementById("gridgov-live");
      liveData = el ? JSON.parse(el.textContent) : {};
    }
    return liveData[key] || { type: "FeatureCollection", features: [] };
  };

  function fill(template, props) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) {
      return encodeURIComponent(props[key] === undefined ? "" : props[key]);
    });
  }

  // --- what each kind looks like -------------------------------------------------------------
  var KINDS = {
    children: {
      style: function (p) {
        return { color: "#37474f", weight: 1.5, fillColor: p.fill, fillOpacity: 0.55,
                 className: "child-grid" };
      },
      highlight: { weight: 4, color: "#0d47a1" },
      tooltip: function (p) { return esc(p.name); },
      popup: function (p, s) {
        var value = p.value === null || p.value === undefined ? "—" : p.value;
        var lines = ["<b>" + esc(p.name) + "</b> (" + esc(p.code) + ")",
                     esc(s.labels.figure) + ": " + esc(value)];
        if (p.leader_name) { lines.push(esc(s.labels.leader) + ": " + esc(p.leader_name)); }
        if (p.url) {
          lines.push('<a class="drill" href="' + esc(p.url) + '">' +
                     esc(s.labels.open_dashboard) + " →</a>");
        }
        return lines.join("<br>");
      }
    },
    leaders: {
      point: { radius: 9, weight: 2, color: "#ffffff", fillColor: "#b71c1c", fillOpacity: 0.95,
               className: "leader-marker" },
      tooltip: function (p) { return esc(p.name); },
      popup: function (p, s) {
        return "<b>" + esc(p.name) + "</b> · " + esc(p.building) + "<br>" +
          esc(s.labels.pledge) + ": " + esc(p.pledge) + "<br>" +
          esc(s.labels.specialty) + ": " + esc(p.specialty) + "<br>" +
          esc(s.labels.phone) + ": " + esc(p.phone);
      }
    },
    cases: {
      point: { radius: 10, weight: 2, color: "#212121", fillOpacity: 0.95,
               className: "case-marker" },
      style: function (p, s) { return { fillColor: s.colours[p.sla] || "#9e9e9e" }; },
      tooltip: function (p) { return esc(p.title); },
      popup: function (p, s) {
        var url = p.url || (s.case_url ? fill(s.case_url, p) : "");
        return "<b>" + esc(p.number) + "</b> " + esc(p.title) + "<br>" + esc(p.status) +
          " · " + esc(p.age_hours) + " " + esc(s.labels.hours_old) +
          (url ? '<br><a class="drill" href="' + esc(url) + '">' + esc(s.labels.open_case) +
                 " →</a>" : "");
      }
    },
    routes: {
      style: function (p, s) {
        return { color: s.colours[p.state] || "#c62828", weight: 6, opacity: 0.9,
                 dashArray: "10 6", className: "patrol-route" };
      },
      tooltip: function (p, s) {
        var since = p.days_since === null || p.days_since === undefined ? s.labels.never
          : s.labels.days_since + ": " + p.days_since;
        return esc(p.name) + " · " + esc(since);
      }
    },
    grids: {
      style: function (p, s) {
        return { color: s.colours.line, weight: s.colours.weight || 2, fillOpacity: 0,
                 fill: false, className: "tile-grid" };
      },
      tooltip: function (p) { return esc(p.name); },
      popup: function (p, s) {
        var url = s.grid_url ? fill(s.grid_url, p) : "";
        return "<b>" + esc(p.name) + "</b> (" + esc(p.code) + ")" +
          (url ? '<br><a class="drill" href="' + esc(url) + '">' +
                 esc(s.labels.open_dashboard) + " →</a>" : "");
      }
    },
    // patrol coverage: a building is covered when its code is in the page's live list
    coverage: {
      style: function (p, s) {
        var covered = !!(s._covered && s._covered[p.code]);
        return { color: "#263238", weight: 1, fillOpacity: 0.7,
                 fillColor: covered ? s.colours.covered : s.colours.uncovered,
                 className: "coverage-building " + (covered ? "covered" : "uncovered") };
      },
      tooltip: function (p, s) {
        var covered = !!(s._covered && s._covered[p.code]);
        return esc(p.name) + " · " + esc(covered ? s.labels.covered : s.labels.not_covered);
      }
    },
    buildings: {
      style: function (p, s) {
        var led = p.has_leader === true || p.has_leader === "true" || p.has_leader === 1;
        return { color: "#455a64", weight: 0.6, fill: true, fillOpacity: 0.45,
                 fillColor: led ? s.colours.led : s.colours.unled, className: "tile-building" };
      },
      tooltip: function (p) { return esc(p.name); },
      popup: function (p, s) {
        var url = s.grid_url ? fill(s.grid_url, p) : "";
        return "<b>" + esc(p.name) + "</b> (" + esc(p.code) + ")<br>" + esc(s.labels.leader) +
          ": " + esc(p.leader || s.labels.no_leader) +
          (url ? '<br><a class="drill" href="' + esc(url) + '">' +
                 esc(s.labels.open_dashboard) + " →</a>" : "");
      }
    }
  };

  function styleOf(kind, spec, props) {
    var k = KINDS[kind];
    var base = k.point ? L.extend({}, k.point) : {};
    return k.style ? L.extend(base, k.style(props, spec)) : base;
  }

  // Leaflet options for L.geoJSON drawing features of this kind.
  function geojsonOptions(spec) {
    var k = KINDS[spec.kind];
    return {
      style: function (f) { return styleOf(spec.kind, spec, f.properties); },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, styleOf(spec.kind, spec, f.properties));
      },
      onEachFeature: function (f, layer) {
        if (k.tooltip) { layer.bindTooltip(k.tooltip(f.properties, spec)); }
        if (k.popup) { layer.bindPopup(k.popup(f.properties, spec), { maxWidth: 320 }); }
        if (k.highlight) {
          layer.on("mouseover", function () { layer.setStyle(k.highlight); });
          layer.on("mouseout", function () { layer.setStyle(styleOf(spec.kind, spec, f.properties)); });
        }
      }
    };
  }

  // --- GeoJSON tiles (the SpatiaLite fallback) -------------------------------------------------
  // Each tile answers the features whose box touches it, whole (not clipped) and simplified for
  // its zoom; a feature met in several tiles is drawn once (by id) and removed when the last
  // tile holding it is unloaded; a finer tile's copy replaces a coarser one. Without a spec,
  // options.geojson are the L.geoJSON options (the base map's, gridgov-base.js); the layer
  // fires "featureadd" {id, feature, layer} and "featureremove" {id} as features come and go.
  GridGov.GeoJSONTiles = L.GridLayer.extend({
    options: { maxNativeZoom: 18 },

    initialize: function (url, spec, options) {
      L.GridLayer.prototype.initialize.call(this, options);
      this._url = url;
      this._spec = spec;
      this._group = L.featureGroup();
      this._features = {};  // id -> {layer, z, refs}
      this._tiles_ids = {};  // tile key -> [ids]
      this.on("tileunload", this._release, this);
    },

    _geojsonOptions: function () {
      return this.options.geojson || geojsonOptions(this._spec);
    },

    onAdd: function (map) {
      this._group.addTo(map);
      L.GridLayer.prototype.onAdd.call(this, map);
    },

    onRemove: function (map) {
      L.GridLayer.prototype.onRemove.call(this, map);
      for (var id in this._features) { this.fire("featureremove", { id: id }); }
      this._group.clearLayers();
      this._group.remove();
      this._features = {};
      this._tiles_ids = {};
    },

    createTile: function (coords, done) {
      var tile = document.createElement("div");
      var key = this._tileCoordsToKey(coords);
      var url = L.Util.template(this._url, { z: coords.z, x: coords.x, y: coords.y });
      var self = this;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.status === 200 ? r.json() : null; })
        .then(function (fc) {
          if (fc && self._map) { self._add(key, coords.z, fc.features); }
          done(null, tile);
        })
        .catch(function (err) { done(err, tile); });
      return tile;
    },

    _add: function (key, z, features) {
      var opts = this._geojsonOptions();
      var ids = [];
      for (var i = 0; i < features.length; i++) {
        var f = features[i];
        var id = String(f.id);
        var known = this._features[id];
        if (known && known.z >= z) {
          known.refs += 1;
        } else {
          var layer = L.geoJSON(f, opts);
          if (known) { this._group.removeLayer(known.layer); }
          this._group.addLayer(layer);
          this._features[id] = { layer: layer, z: z, refs: known ? known.refs + 1 : 1 };
          this.fire("featureadd", { id: id, feature: f, layer: layer });
        }
        ids.push(id);
      }
      this._tiles_ids[key] = ids;
    },

    _release: function (e) {
      var key = this._tileCoordsToKey(e.coords);
      var ids = this._tiles_ids[key] || [];
      delete this._tiles_ids[key];
      for (var i = 0; i < ids.length; i++) {
        var known = this._features[ids[i]];
        if (known && --known.refs <= 0) {
          this._group.removeLayer(known.layer);
          delete this._features[ids[i]];
          this.fire("featureremove", { id: ids[i] });
        }
      }
    },

    // How many features are drawn now (tests and the curious).
    featureCount: function () { return Object.keys(this._features).length; }
  });

  // Vector tiles are canvases, one per tile: an interactive canvas would take every tap in
  // its square from the layers beneath. So they are drawn non-interactive, and a tap the map
  // itself receives (no inline overlay took it) is looked up here: points first, then
  // routes, buildings, compounds and communities; the first feature under the finger opens
  // its popup.
  var RANK = { cases: 0, routes: 1, buildings: 2, grids: 3 };
  var vectorLayers = (GridGov.vectorLayers = []);

  function featureAt(map, latlng) {
    var ordered = vectorLayers.filter(function (v) { return map.hasLayer(v.layer); })
      .sort(function (a, b) { return RANK[a.spec.kind] - RANK[b.spec.kind]; });
    var at = map.latLngToLayerPoint(latlng);
    for (var i = 0; i < ordered.length; i++) {
      var tiles = ordered[i].layer._vectorTiles || {};
      for (var key in tiles) {
        var renderer = tiles[key];
        if (!renderer._map || renderer.getCoord().z !== ordered[i].layer._tileZoom) { continue; }
        var p = at.subtract(renderer.getOffset());
        if (p.x < 0 || p.y < 0 || p.x > renderer._size.x || p.y > renderer._size.y) { continue; }
        for (var id in renderer._layers) {
          var f = renderer._layers[id];
          // drawn non-interactive, VectorGrid did not measure the feature's pixel box
          if (!f._pxBounds && f._getPixelBounds) { f._pxBounds = f._getPixelBounds(); }
          if (f._containsPoint && f._containsPoint(p)) {
            return { spec: ordered[i].spec, props: f.properties };
          }
        }
      }
    }
    return null;
  }

  function listen(map) {
    if (map._gridgovTiles) { return; }
    map._gridgovTiles = true;
    map.on("click", function (e) {
      var hit = featureAt(map, e.latlng);
      if (!hit) { return; }
      var k = KINDS[hit.spec.kind];
      var html = k.popup ? k.popup(hit.props, hit.spec) : k.tooltip(hit.props, hit.spec);
      L.popup({ maxWidth: 320 }).setLatLng(e.latlng).setContent(html).openOn(map);
    });
  }

  function vectorTiles(spec) {
    var t = spec.tiles;
    var styles = {};
    styles[t.layer] = function (props) {
      var s = styleOf(spec.kind, spec, props);
      if (s.radius === undefined) { s.radius = 6; }
      s.fill = s.fill !== false;
      return s;
    };
    var layer = L.vectorGrid.protobuf(t.url, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: false,
      minZoom: t.minZoom,
      maxNativeZoom: 18,
      fetchOptions: { credentials: "same-origin" },
      // with an id per feature VectorGrid keeps each tile's renderer (featureAt reads them)
      getFeatureId: function (f) {
        var p = f.properties;
        return p.code || p.number || (p.grid ? p.grid + ":" + p.name : f.id);
      }
    });
    vectorLayers.push({ layer: layer, spec: spec });
    layer.on("add", function () { listen(layer._map); });
    return layer;
  }

  GridGov.layer = function (spec, data) {
    if (spec.tiles) {
      if (spec.tiles.format === "pbf") { return vectorTiles(spec); }
      return new GridGov.GeoJSONTiles(spec.tiles.url, spec, { minZoom: spec.tiles.minZoom });
    }
    if (spec.covered) {  // the codes covered today come with the page, not the cached map
      spec._covered = {};
      (GridGov.live(spec.covered).codes || []).forEach(function (c) { spec._covered[c] = true; });
    }
    var collection = spec.live ? GridGov.live(spec.live) : data;
    var layer = L.geoJSON(collection, geojsonOptions(spec));
    if (spec.cluster && L.markerClusterGroup) {
      var cluster = L.markerClusterGroup();
      cluster.addLayer(layer);
      return cluster;
    }
    return layer;
  };
})();
