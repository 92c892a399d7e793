"""A small XML renderer for Open311 GeoReport v2 (xml.etree, no extra dependency).

A list renders as ``<root><item>…</item>…</root>`` with the names the view gives
(``xml_root`` / ``xml_item``); an error response as ``<errors><error>…</error></errors>``.
Dicts become child elements, None an empty element, booleans ``true``/``false``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from rest_framework.renderers import BaseRenderer


def _fill(parent: ET.Element, value: Any, item: str = "item") -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _fill(ET.SubElement(parent, str(key)), sub)
    elif isinstance(value, list | tuple):
        for sub in value:
            _fill(ET.SubElement(parent, item), sub)
    elif value is None:
        return
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    else:
        parent.text = str(value)


class Open311XMLRenderer(BaseRenderer):
    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        context = renderer_context or {}
        view, response = context.get("view"), context.get("response")
        if response is not None and response.status_code >= 400:
            root_name, item = "errors", "error"
        else:
            root_name = getattr(view, "xml_root", "response")
            item = getattr(view, "xml_item", "item")
        root = ET.Element(root_name)
        if isinstance(data, list):
            for entry in data:
                _fill(ET.SubElement(root, item), entry, item)
        else:
            _fill(root, data, item)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
