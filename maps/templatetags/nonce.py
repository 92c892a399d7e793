"""Content-Security-Policy helpers for templates that embed folium's HTML."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)([^>]*)>")


@register.filter
def nonced(html, nonce) -> str:
    """Give every inline <script> in trusted, generated HTML (folium's head) the request's
    CSP nonce; scripts loaded by src are allowed by 'self'."""
    return mark_safe(
        INLINE_SCRIPT.sub(lambda m: f'<script nonce="{escape(nonce)}"{m.group(1)}>', str(html))
    )
