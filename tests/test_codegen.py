"""Broadsheet's Jinja code generator writes the same pages as Jinja's own.

:class:`broadsheet.render.OutputCodeGenerator` changes how values are written
(``escape_output`` instead of ``escape`` and a new ``Markup``) and how
``value.name`` is looked up (``getattr`` with a default).  Each template here is
rendered by both generators and the results compared.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from broadsheet import pipeline
from broadsheet.render import OutputCodeGenerator, escape_output


def _environments(**templates: str) -> tuple[jinja2.Environment, jinja2.Environment]:
    def make(generator: type[jinja2.compiler.CodeGenerator]) -> jinja2.Environment:
        env = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True,
                                 undefined=jinja2.StrictUndefined)  # fmt: skip
        env.code_generator_class = generator
        return env

    return make(jinja2.compiler.CodeGenerator), make(OutputCodeGenerator)


class Story:
    def __init__(self, headline: str, tags: tuple[str, ...] = ()) -> None:
        self.headline = headline
        self.tags = tags
        self.byline = Markup("<em>staff</em>")

    @property
    def shout(self) -> str:
        return self.headline.upper()


HOSTILE = "<b>Q&A</b> \"quoted\" 'single'"

TEMPLATES = {
    "values": "{{ text }}|{{ number }}|{{ none }}|{{ safe }}|{{ text|e }}|{{ text|safe }}"
              "|{{ 'const <&>' }}|{{ text ~ safe }}|{{ [text] }}",
    "attributes": "{{ story.headline }}|{{ story.shout }}|{{ story.byline }}"
                  "|{{ mapping.key }}|{{ mapping.nested.deeper }}|{{ story.tags|join(',') }}"
                  "|{{ story.missing is defined }}|{{ mapping.absent is defined }}",
    "blocks": "{% macro box(x) %}<{{ x }}>{% endmacro %}{% set captured %}[{{ text }}]{% endset %}"
              "{{ box(text) }}|{{ captured }}|{{ captured|length }}"
              "{% macro frame() %}[{{ caller() }}]{% endmacro %}"
              "{% call frame() %}{{ text }}{% endcall %}"
              "{% autoescape false %}|{{ text }}{% endautoescape %}",
    "loops": "{% for s in stories if s.tags %}{{ loop.index }}:{{ s.headline }};{% endfor %}"
             "{% for k, v in mapping.items() %}{{ k }}={{ v }};{% endfor %}",
    "child": "{% extends 'parent' %}"
             "{% block body %}{{ super() }}+{{ story.headline }}{% endblock %}",
    "parent": "<main>{% block body %}{{ text }}{% endblock %}</main>",
}

VALUES: dict[str, Any] = {
    "text": HOSTILE,
    "number": 3.5,
    "none": None,
    "safe": Markup("<i>fine</i>"),
    "story": Story(HOSTILE, ("a", "<b>")),
    "stories": [Story("one", ("x",)), Story("two"), Story("<three>", ("y",))],
    "mapping": {"key": HOSTILE, "nested": {"deeper": "<deep>"}},
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_pages_are_the_same_as_with_jinjas_generator(name: str) -> None:
    plain, ours = _environments(**TEMPLATES)
    expected = plain.get_template(name).render(VALUES)
    assert ours.get_template(name).render(VALUES) == expected
    assert "&lt;b&gt;" in expected or name in {"child", "loops"}  # hostile text was escaped


def test_the_generated_code_uses_the_fast_paths() -> None:
    _, ours = _environments()
    code = ours.compile("{{ story.headline }}", raw=True)
    assert "escape_output(" in code and "escape(" not in code.replace("escape_output(", "")
    assert "getattr((_bs_of := " in code and "environment.getattr(_bs_of, 'headline')" in code


@pytest.mark.parametrize(
    "template", ["{{ story.nothing }}", "{{ nothing }}", "{{ story.nothing.deeper }}"]
)
def test_undefined_values_fail_as_with_jinjas_generator(template: str) -> None:
    plain, ours = _environments(page=template)
    with pytest.raises(jinja2.UndefinedError) as expected:
        plain.get_template("page").render(VALUES)
    with pytest.raises(jinja2.UndefinedError) as got:
        ours.get_template("page").render(VALUES)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize(
    ("value", "written"),
    [("a<b>&\"'", "a&lt;b&gt;&amp;&#34;&#39;"), (Markup("<i>"), "<i>"), (7, "7"), (None, "None")],
)
def test_escape_output_writes_what_escape_does(value: object, written: str) -> None:
    assert escape_output(value) == written
    assert type(escape_output(value)) in {str, Markup}


def test_compiled_templates_are_cached_per_generator_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = pipeline._TemplateCache(str(tmp_path))
    before = cache.get_cache_key("article.html")
    monkeypatch.setattr(OutputCodeGenerator, "VERSION", "another")
    assert cache.get_cache_key("article.html") != before


def test_templates_get_their_globals_as_one_plain_map() -> None:
    from broadsheet.render import Environment

    env = Environment(loader=jinja2.DictLoader({"page": "{{ site }}/{{ extra }}"}))
    env.globals.update(site="Gazette", extra="env")
    template = env.get_template("page", globals={"extra": "own"})
    assert type(template.globals) is dict  # copied into each context without ChainMap's calls
    assert template.render() == "Gazette/own"  # the template's own globals still win
    assert env.globals["extra"] == "env"  # and the Environment's are left alone


CALLS = """\
{%- macro shout(text) %}{{ text | upper }}{% endmacro -%}
{{ plain("a") }} {{ shout("b") }} {{ method("c") }} {{ builtin([3, 1, 2]) }}
{%- for word in ["x", "y"] %}{% set inner = word * 2 %} {{ with_context(word) }}{% endfor %}
{%- set outer = "set" %} {{ with_context("z") }} {{ with_environment() }}
{{ with_eval_context() }} {{ callable_object("d") }} {{ stops() }}|{{ keyword(text="e") }}
{{ joined("q") }}
"""


class _Shouter:
    def loud(self, text: str) -> str:
        return text.upper() + "!"


@jinja2.pass_context
def _with_context(context: Any, value: str) -> str:
    return f"{value}:{context.get('inner', '-')}:{context.get('outer', '-')}"


class _CallableObject:
    @jinja2.pass_context
    def __call__(self, context: Any, value: str) -> str:
        return f"{value}@{context.name}"


def _stops() -> str:
    raise StopIteration


def test_calls_from_templates_are_the_same_as_with_jinjas_context() -> None:
    from broadsheet.render import Environment, RenderContext

    functions = {
        "plain": lambda text: f"<{text}>", "method": _Shouter().loud, "builtin": sorted,
        "with_context": _with_context,
        "with_environment": jinja2.pass_environment(lambda env: type(env).__name__ != ""),
        "with_eval_context": jinja2.pass_eval_context(lambda ctx: ctx.autoescape),
        "callable_object": _CallableObject(), "stops": _stops,
        "keyword": lambda text: text * 2, "joined": functools.partial("{}+{}".format, "p"),
    }  # fmt: skip
    pages = []
    for env in (jinja2.Environment(autoescape=True), Environment(autoescape=True)):
        env.globals.update(functions)
        pages.append(env.from_string(CALLS).render())
    assert Environment.context_class is RenderContext
    assert pages[1] == pages[0]
    # (A function given the context sees what the loop it is called in has set.)
    assert pages[1] == ("&lt;a&gt; B C! [1, 2, 3] x:xx:- y:yy:- z:-:set True\n"
                        "True d@None |ee\np+q")  # fmt: skip
