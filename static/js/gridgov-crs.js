/* GridGov: the datum a map is drawn in, for places the user taps.
 *
 * Storage is WGS84. On a GCJ-02 background (Gaode, or an intranet mirror declared
 * GRIDGOV_TILES_CRS=gcj02) the server sends every overlay already shifted into GCJ-02
 * (maps/display.py); a place tapped on such a map is in GCJ-02 too, and is shifted back to
 * WGS84 here before it is sent. Same formulas as geodata/crs.py: the published GCJ-02
 * forward transform, its inverse by fixed-point iteration to 1e-9 degrees.
 */
(function () {
  "use strict";
  var GridGov = (window.GridGov = window.GridGov || {});
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;

  function inChina(lon, lat) {
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  }

  function offset(lon, lat) {
    var x = lon - 105.0, y = lat - 35.0;
    var common = (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      common + (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0 +
      (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      common + (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0 +
      (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radlat = lat / 180.0 * PI;
    var magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * PI);
    dlon = (dlon * 180.0) / (A / sqrtmagic * Math.cos(radlat) * PI);
    return [dlon, dlat];
  }

  function wgs84ToGcj02(lon, lat) {
    if (!inChina(lon, lat)) { return [lon, lat]; }
    var d = offset(lon, lat);
    return [lon + d[0], lat + d[1]];
  }

  function gcj02ToWgs84(lon, lat) {
    var x = lon, y = lat;
    for (var i = 0; i < 30; i++) {
      var f = wgs84ToGcj02(x, y), dx = f[0] - lon, dy = f[1] - lat;
      x -= dx; y -= dy;
      if (Math.abs(dx) < 1e-9 && Math.abs(dy) < 1e-9) { break; }
    }
    return [x, y];
  }

  GridGov.crs = {
    // [lon, lat] in WGS84 -> in `crs` ("wgs84" or "gcj02"), and back
    fromWgs84: function (lon, lat, crs) {
      return crs === "gcj02" ? wgs84ToGcj02(lon, lat) : [lon, lat];
    },
    toWgs84: function (lon, lat, crs) {
      return crs === "gcj02" ? gcj02ToWgs84(lon, lat) : [lon, lat];
    },
    // the datum a Leaflet map made by maps/builders.py is drawn in
    of: function (map) { return (map && map.options && map.options.gridgovCrs) || "wgs84"; },
    // a tapped latlng on that map, as WGS84 [lon, lat]
    tapped: function (map, latlng) {
      return GridGov.crs.toWgs84(latlng.lng, latlng.lat, GridGov.crs.of(map));
    }
  };
})();
