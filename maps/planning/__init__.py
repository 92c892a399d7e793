"""Branch planning's pages (/planning/): the planning page, its exports and plan steps
(``views.py``), member groups (``groups_views.py``) and household teams
(``teams_views.py``), their routes (``urls.py``) and the folium maps they embed (``map.py``).

Why here and not in ``gridgov/planning``: every page is built around an embedded map
(``maps.builders.embed``, ``Tiles`` and the builders in ``map.py``), and gridgov may not
import maps (the ``floors`` contract, docs/ARCHITECTURE.md). The rules, readers and writers
are ``gridgov.planning`` (groups and teams: ``gridgov.planning.groups``); these pages only
read forms, call them and draw.
"""
