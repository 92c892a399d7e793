"""Photos: one pipeline for every uploaded image (evidence of self-organised service today,
requests' and resolutions' photos tomorrow). It knows images and files, not members or grids.

- ``pipeline``: ``photo_clean(upload)`` checks and re-encodes (orientation applied, metadata
  dropped, long edge capped); ``photo_save(clean, folder=...)`` stores it under a random name;
  ``photo_store`` does both; ``photo_delete`` removes a stored photo.
- ``fields``: ``PhotoFormField`` / ``PhotosFormField`` (up to N) for forms, and
  ``PhotoFileField``, the model column holding a stored photo's name (gridgov.privacy erases
  the photos of the rows it erases by this column type).
- ``serving``: ``photo_response`` hands a stored photo out, for views that have checked the
  viewer through gridgov.accounts.policy; MEDIA_ROOT is never served directly.
- ``manage.py clean_photos``: re-encodes photos stored before the pipeline existed.
"""
