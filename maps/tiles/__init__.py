"""The tile endpoint, /tiles/<layer>/<z>/<x>/<y>.pbf or .geojson, by what each module makes:

- ``xyz``: tile maths (addresses, bounds, the buffered box);
- ``bbox``: rows in a box through each backend's spatial index;
- ``layers``: the layers and their features as rows (both formats);
- ``geojson``: GeoJSON tiles (any backend);
- ``mvt``: Mapbox Vector Tiles (PostGIS);
- ``views``, ``urls``: the endpoint (docs/MAPS.md).
"""
