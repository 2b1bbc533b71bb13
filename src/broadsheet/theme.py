"""Where the default theme is: inside the installed package, or the repository's copy."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import Diagnostic, TemplateError


def theme_dir() -> Path:
    """The default theme: inside the installed package, or the repository's copy."""
    packaged = Path(str(resources.files("broadsheet"))) / "theme"
    if packaged.is_dir():
        return packaged
    repository = Path(__file__).resolve().parents[2] / "templates"
    if repository.is_dir():
        return repository
    message = "the default theme is missing; reinstall Broadsheet"
    raise TemplateError(Diagnostic(str(packaged), None, None, message))
