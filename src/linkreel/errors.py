"""Errors a user can act on. The CLI prints `str(error)` as one line; the API maps them to 4xx."""


class LinkreelError(Exception):
    """Base class: the message is meant for the user, not a developer."""


class InputError(LinkreelError):
    """Bad input from the user (unknown style, bad length, unreadable file)."""


class FetchError(LinkreelError):
    """A URL could not be fetched (unreachable, blocked by the SSRF guard, too large)."""


class NoProductError(LinkreelError):
    """The page holds no recognisable product."""


class RenderError(LinkreelError):
    """ffmpeg or another media tool failed."""
