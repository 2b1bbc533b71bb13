"""Broadsheet: a static news-archive website generator."""

from __future__ import annotations

__version__ = "0.1.0"

from .build import BuildResult, BuildStopped, build
from .config import SiteConfig, load_config
from .errors import Diagnostic, SourceError
from .model import Article, Page

__all__ = [
    "Article",
    "BuildResult",
    "BuildStopped",
    "Diagnostic",
    "Page",
    "SiteConfig",
    "SourceError",
    "__version__",
    "build",
    "load_config",
]
