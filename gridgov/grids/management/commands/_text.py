"""Shared by the commands that stream a file to stdout (not a command: starts with _)."""


class TextOut:
    """A text stream over a command's stdout that adds no line endings."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(text, ending="")
        return len(text)
