"""The three lists (三单管理) of service posts, on /posts/lists/ (docs/POSTS.md):

- the **resource list** (资源清单): what members offer, by service category and place;
- the **needs list** (需求清单): residents' needs, read, never stored twice: open cases
  still waiting for a member, and the residents of the latest survey of vulnerable residents;
- the **service list** (服务清单): each need matched to a member (``ServiceListEntry``),
  planned, then done or cancelled.

``selectors.py`` reads the lists and suggests the nearest members offering a need's
category; ``services.py`` writes resources and the service list (confirming a match may
dispatch the case); ``views.py`` is the page and the staff steps. The models are in
``gridgov/posts/models.py``, the routes in ``gridgov/posts/urls.py``.
"""
