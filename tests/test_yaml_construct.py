"""Front matter built directly (``yamlio._plain``) equals what PyYAML's constructor builds.

``yamlio.load`` builds plain documents itself and leaves the rest to PyYAML; each
document here is read both ways and the results compared, type for type.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet import yamlio
from broadsheet.errors import SourceError


def _pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=yamlio._Loader)  # the safe loader, timestamps as text


def _typed(value: Any) -> Any:
    """``value`` with the type of every part spelled out (True == 1 in Python)."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, value)


DOCUMENTS = [
    'headline: "Harbour wall"\ndate: 2024-03-14T09:30:00+00:00\ntags: [a, b]\n',
    "authors:\n  - Ann\n  - Bob\npeople: []\nplaces: {}\n",
    "count: 3\nratio: 0.5\nhex: 0x1f\nsexagesimal: 1:30\nflag: yes\noff: no\nnothing: ~\n",
    "2024: year key\nyes: bool key\n~: null key\n1.5: float key\n",
    "nested:\n  deeper:\n    - {a: 1, b: [x, 'y']}\n    - plain\n",
    "date: 2024-13-45\nday: 2024-03-14\n",
    "quoted: 'it''s'\nfolded: >\n  two\n  lines\nliteral: |\n  kept\n  as is\n",
    "dup: first\ndup: second\n",
    # Left to PyYAML whole: anchors, merge keys, complex keys, tags on collections.
    "base: &b {x: 1}\nuse: *b\n",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
    "? [a, b]\n: complex key\n",
    "set: !!set {a, b}\n",
    "pairs: !!omap [a: 1, b: 2]\n",
    "= : value key\n",
    "just text\n",
    "- a\n- 1\n",
    "blob: !!binary aGVsbG8=\n",
    "str: !!str 123\nint: !!int '7'\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_a_document_builds_as_pyyaml_builds_it(text: str) -> None:
    try:
        expected = _pyyaml(text)
    except yaml.YAMLError as error:
        with pytest.raises(SourceError):
            yamlio.load(text, "x.md")
        assert str(error)
        return
    assert _typed(yamlio.load(text, "x.md")) == _typed(expected)


def test_aliases_stay_one_object_as_with_pyyaml() -> None:
    loaded = yamlio.load("base: &b [1, 2]\nuse: *b\n", "x.md")
    assert loaded["base"] is loaded["use"]


def test_plain_documents_are_built_without_pyyamls_constructor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []
    original = yamlio._Loader.construct_object

    def counting(self: Any, node: yaml.Node, deep: bool = False) -> Any:
        made.append(node.tag)
        return original(self, node, deep)

    monkeypatch.setattr(yamlio._Loader, "construct_object", counting)
    assert yamlio.load("headline: Hi\ntags: [a, b]\nn: 3\n", "x.md") == {
        "headline": "Hi", "tags": ["a", "b"], "n": 3}  # fmt: skip
    assert made == ["tag:yaml.org,2002:int"]  # only the number went through PyYAML


_scalars = st.one_of(
    st.text(max_size=20), st.integers(), st.booleans(), st.none(),
    st.floats(allow_nan=False), st.dates().map(str),
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=10), _values, max_size=6),
       st.sampled_from([False, True]))  # fmt: skip
def test_random_front_matter_builds_as_pyyaml_builds_it(value: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert _typed(yamlio.load(text, "x.md")) == _typed(_pyyaml(text))
