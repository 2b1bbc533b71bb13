"""Rendering: one Jinja Environment per build; a page in, a string out.

The site's own ``templates/`` folder overrides the default theme file by file.
Autoescaping is on for every template and undefined variables are errors, so
a typo in a template fails the build (exit 2) instead of publishing blanks.
Nothing here writes files.
"""

from __future__ import annotations

import os
import traceback
import types
from collections.abc import Callable, Mapping, MutableMapping
from datetime import date, datetime, time
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import babel
import babel.dates
import jinja2
import jinja2.compiler
import jinja2.runtime
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.utils import missing
from markupsafe import Markup, escape

try:
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - MarkupSafe without its C speedups, or before 3.0

    def _escape_inner(text: str, /) -> str:
        return str.__str__(escape(text))

from .config import SiteConfig
from .errors import Diagnostic, TemplateError
from .feeds import FeedSpec
from .model import Article, Page
from .theme import theme_dir
from .urls import link, root_prefix


def make_environment(
    config: SiteConfig, globals_: Mapping[str, Any] | None = None
) -> jinja2.Environment:
    """Build the Environment: site templates first, then the default theme."""
    search = [config.path("templates"), theme_dir()]
    env = Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search if p.is_dir()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change during a build: no stat per page
    )
    env.code_generator_class = OutputCodeGenerator
    env.filters["href"] = _href_filter(config.pretty_links)
    env.filters["asset"] = _asset
    env.filters["absolute"] = partial(absolute_url, config.base_url)
    env.filters["date"] = partial(format_date, config)
    env.filters["isodate"] = lambda value: value.isoformat() if value else ""
    env.filters["plural"] = plural
    env.globals["site"] = config
    env.globals["structured_data"] = partial(_structured_data, config)
    env.globals["comment_counts"] = {}
    env.globals["river_item"] = _river_item(env)
    env.globals["fragment"] = _fragment(env)
    env.globals.update(globals_ or {})
    return env


#: Callables that take no context unless marked so (``pass_context``...) themselves.
#: (A ``partial`` carries no mark of its own, so Jinja passes it none either.)
_PLAIN_CALLABLES = frozenset({types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                              jinja2.runtime.Macro, partial})  # fmt: skip
_PASS_CONTEXT = jinja2.utils._PassArg.context


class RenderContext(Context):
    """Jinja's Context, calling plain functions and macros straight away.

    Every call in a template (``{{ river(articles) }}``) goes through
    :meth:`call`, which asks the callable, and its ``__call__``, whether it wants
    the context, the evaluation context or the environment passed in: six
    attribute look-ups and two Python calls, most often to learn that a macro or a
    plain function wants none of them, or that a function wants the context (the
    river items and fragments a page shows).  A function or macro is asked once
    here, and given the context as Jinja would give it; anything else, or a
    function that wants the evaluation context or environment, goes to Jinja's
    own :meth:`call`.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if type(__obj) in _PLAIN_CALLABLES:
            wanted = getattr(__obj, "jinja_pass_arg", None)
            if wanted is None or wanted is _PASS_CONTEXT:
                block_vars = kwargs.pop("_block_vars", None)
                loop_vars = kwargs.pop("_loop_vars", None)
                if wanted is not None:
                    # As Jinja does: variables set in loops and blocks are seen,
                    # without changing the page's own context.
                    context: Context = __self
                    if loop_vars:
                        context = context.derived(loop_vars)
                    if block_vars:
                        context = context.derived(block_vars)
                    args = (context, *args)
                try:
                    return __obj(*args, **kwargs)
                except StopIteration:
                    return __self.environment.undefined(
                        "value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)


class Environment(jinja2.Environment):
    """Jinja's Environment, giving each template its globals as a plain dict, and
    its contexts a quicker way to call functions (:class:`RenderContext`).

    Jinja gives a template a ``ChainMap`` of its own globals over the
    Environment's, and every render copies it into the new context key by key,
    through ``ChainMap``'s Python methods: about a third of rendering a river
    item.  Broadsheet sets every global before it loads a template
    (:func:`make_environment`), so a snapshot is the same map.
    """

    context_class = RenderContext

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def escape_output(value: Any, /) -> str:
    """What ``{{ value }}`` writes: ``value`` escaped, as a plain string.

    Jinja's own escaping wraps each value in a new ``Markup`` object, through two
    Python calls, only for the page's parts to be joined into one string.  A page
    writes about a hundred values; this writes them for about half the cost.
    """
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()  # type: ignore[no-any-return]
    return _escape_inner(str(value))


class OutputCodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, writing values with :func:`escape_output`.

    Only what a template outputs changes: its parts are joined into the page (or
    into ``Markup``, for a macro or a ``{% set %}`` block) either way, so the page
    is the same, character for character.  Filters and tests see what they did.
    """

    #: Part of the compiled templates' cache key (see ``with_bytecode_cache``).
    VERSION = "escape_output-1,getattr-1"

    def visit_Template(self, node: Any, frame: Any = None) -> None:
        self.writeline("from broadsheet.render import escape_output")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src is None:
            self.write("escape_output(")
        else:
            super()._output_child_pre(node, frame, finalize)

    @jinja2.compiler.optimizeconst
    def visit_Getattr(self, node: Any, frame: Any) -> None:
        """``value.name`` as Python's ``getattr`` with a default, falling back to
        ``environment.getattr`` (which tries ``value["name"]``) only when the value
        has no such attribute: no Python call for the common case.  The walrus names
        are assigned, then read, within the one expression, so nested look-ups
        (``a.b.c``) each read their own."""
        if self.environment.is_async:  # pragma: no cover - Broadsheet renders synchronously
            super().visit_Getattr(node, frame)
            return
        self.write("(_bs_found if (_bs_found := getattr((_bs_of := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing"
                   f" else environment.getattr(_bs_of, {node.attr!r}))")  # fmt: skip


def _structured_data(config: SiteConfig, article: Article, section: Any) -> dict[str, Any]:
    from .jsonld import article_structured_data

    return article_structured_data(article, section, config)


@pass_context
def _asset(context: Context, logical: str) -> str:
    """The written name of a static file (fingerprinted for CSS and JS)."""
    assets: Mapping[str, str] = context.get("assets") or {}
    if logical not in assets:
        raise KeyError(f"no static file {logical!r}; known: {', '.join(sorted(assets))}")
    return assets[logical]


def _href_filter(pretty: bool) -> Callable[[Context, str], str]:
    """The ``href`` filter: site-relative ``url`` as a link from the page being rendered.

    ``pretty`` is the site's ``pretty_links``, bound once rather than looked up
    in the context for each of the dozens of links on a page.
    """

    @pass_context
    def href(context: Context, url: str) -> str:
        root = context.resolve_or_missing("root")
        if root is missing:
            raise KeyError("root")
        linked = link(root, url, pretty)
        # Rendering a river item for any page: the link to the home page is "./" only
        # where the root prefix is empty.
        return HOME_MARK if root is ROOT_MARK and linked == ROOT_MARK else linked

    return href


#: Stand for the page's root prefix (and for a link to the home page) in a river
#: item rendered once for every page that lists it (:func:`_river_item`).  NUL is
#: left out of every text Broadsheet reads; the random part makes the marks
#: impossible to write on purpose.
_TOKEN = os.urandom(8).hex()
ROOT_MARK = f"\x00{_TOKEN}\x00"
HOME_MARK = f"\x00{_TOKEN}:home\x00"
#: River items kept per process; past this many the cache starts again.  An item
#: takes about 1 KB, and an archive larger than the cache renders most items
#: many times over (pages list articles in no order the cache could follow): at
#: a third of the archive, rendering takes 1.75 times as long.  So the cache
#: holds a whole archive of up to 131,072 articles (about 125 MB a process).
RIVER_CACHE = 131072


def _river_item(env: jinja2.Environment) -> Callable[[Context, Any], Markup]:
    """The ``river_item(item)`` global: ``_river_item.html`` for one article of a
    listing.

    An article is listed on a dozen pages (its section, tags, author, days,
    months, years, home, related stories); its item is rendered once, with
    :data:`ROOT_MARK` for the root prefix, and the mark is replaced with each
    page's prefix.  The item template therefore sees only ``item``,
    ``comment_count`` and the globals, which is all the cache is keyed on.
    """
    cache: dict[int, tuple[Any, int, str, bool]] = {}

    @pass_context
    def river_item(context: Context, item: Any) -> Markup:
        counts: Mapping[str, int] = context.get("comment_counts") or {}
        count = counts.get(item.slug, 0)
        entry = cache.get(id(item))
        if entry is None or entry[0] is not item or entry[1] != count:
            if len(cache) >= RIVER_CACHE:
                cache.clear()
            template = env.get_template("_river_item.html")
            html = template.render(item=item, comment_count=count, root=ROOT_MARK)
            entry = cache[id(item)] = (item, count, html, HOME_MARK in html)
        return _rooted(entry[2], context["root"], entry[3])

    return river_item


#: Fragments kept per process (``fragment``); each variant of a fragment is one.
FRAGMENT_CACHE = 4096


def _fragment(env: jinja2.Environment) -> Callable[..., Markup]:
    """The ``fragment(name, **values)`` global: template ``name`` rendered with only
    ``values`` and the globals, once per distinct ``values``, and reused.

    The page frame's head links, masthead and footer are the same on every page
    but for their links' root prefix and which link is the current page.  Each
    variant is rendered once, with :data:`ROOT_MARK` for the prefix, and kept per
    root prefix (a site has a handful of page depths), so a page showing it costs
    a dictionary look-up: 6-9% of the time HTML pages take to render at 10,000
    articles.  ``values`` must be hashable (text, numbers, none): they are the
    cache key, so a fragment must depend on nothing else.
    """
    cache: dict[tuple[Any, ...], Markup] = {}
    rendered: dict[tuple[Any, ...], str] = {}

    @pass_context
    def fragment(context: Context, name: str, **values: Any) -> Markup:
        root = context["root"]
        key = (root, name, *sorted(values.items()))
        try:
            found = cache.get(key)
        except TypeError:
            raise TypeError(
                f"fragment {name!r}: its values must be text, numbers or none, "
                f"the key they are remembered by"
            ) from None
        if found is None:
            if len(cache) >= FRAGMENT_CACHE:
                cache.clear()
                rendered.clear()
            html = rendered.get(key[1:])
            if html is None:
                html = rendered[key[1:]] = env.get_template(name).render(values, root=ROOT_MARK)
            found = cache[key] = _rooted(html, root)
        return found

    return fragment


def _rooted(html: str, root: str, home: bool = True) -> Markup:
    """``html`` rendered with :data:`ROOT_MARK`, for a page whose root prefix is
    ``root``; ``home`` says whether it may hold :data:`HOME_MARK` (a link home)."""
    if home:
        html = html.replace(HOME_MARK, root or "./")
    # Markup(text) is a copy of text made by a Python-level __new__; Markup adds no
    # state to str, so str's own constructor makes the same object, faster.
    return str.__new__(Markup, html.replace(ROOT_MARK, root))


def absolute_url(base_url: str, url: str) -> str:
    """``base_url`` joined with a site-relative URL."""
    return base_url + url


def format_date(config: SiteConfig, value: datetime | None, style: str = "long") -> str:
    """A date for readers in the site's language and time zone.

    ``long`` adds the time of day when it is not midnight: "14 March 2024, 09:30"
    (en-GB), "14 mars 2024, 09:30" (fr); ``short`` is the date alone.
    """
    if value is None:
        return "Undated"
    local = value.astimezone(config.tz)
    text = _localised_day(local.date(), config.language)
    if style == "long" and (local.hour or local.minute):
        text += ", " + _localised_clock(local.hour, local.minute, config.language)
    return text


@lru_cache(maxsize=65536)
def _localised_day(day: date, language: str) -> str:
    """A day in the language's long date format ("14 March 2024")."""
    return babel.dates.format_date(day, "long", locale=babel_locale(language))


@lru_cache(maxsize=4096)
def _localised_clock(hour: int, minute: int, language: str) -> str:
    """A time of day in the language's short format ("09:30"); a day has 1440 of them."""
    return babel.dates.format_time(time(hour, minute), "short", locale=babel_locale(language))


@lru_cache(maxsize=64)
def babel_locale(language: str) -> babel.Locale:
    """The Babel locale for a BCP 47 tag (``en-GB``), falling back to English."""
    try:
        return babel.Locale.parse(language, sep="-")
    except (ValueError, babel.UnknownLocaleError):
        try:
            return babel.Locale.parse(language.split("-")[0])
        except (ValueError, babel.UnknownLocaleError):
            return babel.Locale("en")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 Comment``, ``2 Comments``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def render_files(env: jinja2.Environment, page: Page) -> list[tuple[str, str]]:
    """The files one page produces: ``[(output path, text), ...]``.

    HTML pages go through Jinja; feeds, sitemaps and robots.txt are written by
    Python (their escaping rules are XML's and JSON's, not HTML's).
    """
    writer = WRITERS.get(page.template)
    if writer is None:
        return [(page.path, render_page(env, page))]
    site: SiteConfig = env.globals["site"]  # type: ignore[assignment]
    return writer(page, site)


def _atom(page: Page, site: SiteConfig) -> list[tuple[str, str]]:
    from .feeds import atom

    spec = _spec(page)
    return [(page.path, atom(spec, site, full_content=_full_content(spec, site)))]


def _rss(page: Page, site: SiteConfig) -> list[tuple[str, str]]:
    from .feeds import rss

    spec = _spec(page)
    return [(page.path, rss(spec, site, full_content=_full_content(spec, site)))]


def _json_feed(page: Page, site: SiteConfig) -> list[tuple[str, str]]:
    from .feeds import json_feed

    spec = _spec(page)
    text = json_feed(spec, site, full_content=_full_content(spec, site))
    return [(page.path, text)]


def _full_content(spec: FeedSpec, site: SiteConfig) -> bool:
    """Whether a feed carries whole articles: the site feeds (of the home page) follow
    ``feeds.content``; section, tag and author feeds ``feeds.term_content``."""
    setting = site.feeds.content if spec.page_url == "" else site.feeds.term_content
    return setting == "full"


def _spec(page: Page) -> FeedSpec:
    spec: FeedSpec = page.context["feed"]
    return spec


def _comment_feed(page: Page, site: SiteConfig) -> list[tuple[str, str]]:
    from .comments import comment_feed

    return [(page.path, comment_feed(page.context["article"], page.context["comments"], site))]


def _sitemap(page: Page, site: SiteConfig) -> list[tuple[str, str]]:
    from .sitemaps import sitemaps

    return sorted(sitemaps(page.context["entries"], site).items())


def _news_sitemap(page: Page, site: SiteConfig) -> list[tuple[str, str]]:
    from .sitemaps import news_sitemap

    return [(page.path, news_sitemap(page.context["articles"], site, page.context["now"]))]


def _robots(page: Page, site: SiteConfig) -> list[tuple[str, str]]:
    from .sitemaps import robots_txt

    return [(page.path, robots_txt(site, page.context["sitemaps"]))]


WRITERS: dict[str, Callable[[Page, SiteConfig], list[tuple[str, str]]]] = {
    "atom": _atom,
    "rss": _rss,
    "jsonfeed": _json_feed,
    "sitemap": _sitemap,
    "news-sitemap": _news_sitemap,
    "robots": _robots,
    "comment-feed": _comment_feed,
}


def render_page(env: jinja2.Environment, page: Page) -> str:
    """Render one page; template problems become :class:`TemplateError`."""
    site: SiteConfig = env.globals["site"]  # type: ignore[assignment]
    root = root_prefix(page.path)
    if page.path == "404.html":
        # Served for any missing URL, so its links must not be relative.
        root = urlsplit(site.base_url).path
    try:
        template = env.get_template(page.template)
        return template.render({**page.context, "page": page, "root": root})
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            Diagnostic(
                _template_path(env, exc.filename or exc.name),
                exc.lineno,
                None,
                exc.message or "syntax error",
            )
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            Diagnostic(
                page.template,
                None,
                None,
                f"template {exc.name!r} not found (rendering {page.path})",
            )
        ) from None
    except Exception as exc:
        path, line = _template_frame(exc)
        path = _template_path(env, path) if path else None
        raise TemplateError(Diagnostic(path or page.template, line, None,
                                       f"{type(exc).__name__}: {exc} (rendering "
                                       f"{page.path})")) from None  # fmt: skip


def _template_path(env: jinja2.Environment, filename: str | None) -> str:
    """A template file as users should see it: relative to the site when it is
    theirs, else the theme's file."""
    if not filename:
        return "<template>"
    site: SiteConfig = env.globals["site"]  # type: ignore[assignment]
    path = Path(filename)
    try:
        return path.resolve().relative_to(site.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in an exception's traceback."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt", ".json")):
            found = (frame.filename, frame.lineno)
    return found
