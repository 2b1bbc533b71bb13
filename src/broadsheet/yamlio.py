"""YAML reading with the C loader and diagnostics that carry file line numbers.

Front matter starts some lines into its file, so every line number PyYAML
reports is shifted by ``first_line`` before it reaches the user.  Only the safe
loaders are used: YAML tags such as ``!!python/object`` are refused.

Aliases (``*name``) make PyYAML share one object between several places, so
a few lines can describe a structure of billions of values ("billion laughs")
or one that contains itself.  Sharing is cheap until something walks the
structure (comparing, copying or printing it); then the cost is that of the
expanded structure.  So the composed document is measured before anything is
built: one whose values, counting every use of an alias anew, exceed a budget,
or that contains itself, is refused with a message at the offending line.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import Diagnostic, SourceError

try:  # PyYAML's libyaml binding is about 8x faster than the pure-Python loader.
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Base  # type: ignore[assignment]


class _Loader(_Base):
    """The safe loader, except that timestamps stay text.

    PyYAML raises a bare ValueError for an impossible date such as
    ``2024-13-45``; keeping dates as text lets :mod:`broadsheet.loaders.meta`
    parse every date in one place and report it with its field and line.
    """


def _timestamp_as_text(loader: _Base, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)

#: Largest YAML document Broadsheet will parse, in characters.
MAX_YAML_CHARS = 1_000_000
#: Most values (scalars, lists and mappings, each use of an alias counted anew)
#: a YAML document may build.  Callers reading small documents pass less.
MAX_YAML_VALUES = 1_000_000


_UNCLOSED = {
    "scanning a quoted scalar": "a quoted string",
    "parsing a flow sequence": "a [ list",
    "parsing a flow mapping": "a { mapping",
}


def load(
    text: str,
    path: str,
    first_line: int = 1,
    max_values: int = MAX_YAML_VALUES,
    lines: dict[str, int] | None = None,
) -> Any:
    """Parse one YAML document; ``first_line`` is the file line where ``text`` starts.

    A document that would build more than ``max_values`` values (aliases
    expanded), or a value containing itself, is a :class:`SourceError`.  When
    given, ``lines`` receives the line of each top-level key (see :func:`key_lines`),
    read from the same parse.
    """
    if len(text) > MAX_YAML_CHARS:
        raise SourceError.at(
            path, first_line, f"YAML block is larger than {MAX_YAML_CHARS:,} characters"
        )
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if _may_exceed(text, max_values):
                _check_size(node, max_values, path, first_line)
            if lines is not None:
                lines.update(_node_lines(node, first_line))
            return _construct(loader, node, "&" not in text)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "invalid YAML"
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {problem}"
        opened = _UNCLOSED.get((exc.context or "").removeprefix("while ").strip())
        if opened and exc.context_mark is not None:
            # An unclosed quote or bracket: point at where it was opened.
            mark = exc.context_mark
            message = f"invalid YAML: {opened} opened here is never closed"
        line = first_line + mark.line if mark is not None else first_line
        col = mark.column + 1 if mark is not None else None
        if "could not determine a constructor" in problem:
            tag = problem.split("tag ")[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
            message = f"YAML tag {tag} is not allowed; remove it"
        elif "mapping values are not allowed" in problem:
            message += "; put a value that contains ': ' in quotes"
        raise SourceError(Diagnostic(path, line, col, message)) from None
    except yaml.YAMLError as exc:
        raise SourceError.at(path, first_line, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SourceError.at(path, first_line, "YAML nests too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise SourceError.at(path, first_line, f"invalid YAML value: {exc}") from None


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _NotPlain(Exception):
    """A document :func:`_plain` leaves to PyYAML's constructor."""


def _construct(loader: _Base, node: yaml.Node, plain: bool) -> Any:
    """``loader.construct_document(node)``, built directly when ``plain`` says the
    document may be and it is made of mappings with text keys, lists and scalars.

    PyYAML's constructor makes every value through a few Python calls and every
    mapping and list through a generator; front matter is a mapping of strings and
    lists of strings, and building those directly halves the cost of reading it.
    Scalars that are not strings (numbers, booleans, dates...) still go through
    PyYAML's constructors.  A document with anchors (whose aliases PyYAML makes
    into one shared object), merge keys (``<<``), keys that are not scalars, or
    tags on mappings and lists is left to PyYAML whole.
    """
    if plain:
        try:
            return _plain(loader, node)
        except _NotPlain:
            pass
    return loader.construct_document(node)


def _plain(loader: _Base, node: yaml.Node) -> Any:
    kind = type(node)
    tag = node.tag
    if kind is yaml.ScalarNode:
        return node.value if tag == _STR else loader.construct_object(node, deep=True)
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_plain(loader, item) for item in node.value]
    if kind is yaml.MappingNode and tag == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag not in _KEY_TAGS:
                raise _NotPlain  # merge keys, mappings or lists as keys...
            key = key_node.value if key_node.tag == _STR else loader.construct_object(key_node)
            mapping[key] = _plain(loader, value_node)
        return mapping
    raise _NotPlain


#: Key tags :func:`_plain` builds: text, and the scalars YAML resolves plain keys
#: such as ``2024`` or ``yes`` to.
_KEY_TAGS = frozenset({_STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool",
                       "tag:yaml.org,2002:float", "tag:yaml.org,2002:null",
                       "tag:yaml.org,2002:timestamp"})  # fmt: skip


def _may_exceed(text: str, budget: int) -> bool:
    """Whether a document might build more than ``budget`` values or contain itself:
    only through aliases, or by being long (a value takes at least one character,
    and the few that take none are bounded by those that do)."""
    return "*" in text or "&" in text or 2 * len(text) + 2 >= budget


def _check_size(root: yaml.Node, budget: int, path: str, first_line: int) -> None:
    """Refuse a composed document that expands past ``budget`` values or contains itself.

    Sizes are memoised per node, so the walk is linear in the composed graph
    however often aliases repeat it; it is iterative, so depth costs no stack.
    """
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            open_nodes.discard(key)
            total = 1 + sum(size[id(child)] for child in children)
            if total > budget:
                line = first_line + node.start_mark.line
                distinct = len(size) + 1
                message = (
                    f"YAML aliases here expand to more than {budget:,} values; write the "
                    "values out instead of repeating aliases"
                    if distinct <= budget
                    else f"YAML document has more than {budget:,} values; make it smaller"
                )
                raise SourceError(Diagnostic(path, line, node.start_mark.column + 1, message))
            size[key] = total
            continue
        if key in size:
            continue
        if key in open_nodes:
            line = first_line + node.start_mark.line
            raise SourceError(Diagnostic(
                path, line, node.start_mark.column + 1,
                "a YAML alias refers to the value that contains it; remove the alias"))  # fmt: skip
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children) if id(child) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def key_lines(text: str, first_line: int = 1) -> dict[str, int]:
    """Map each top-level key of a YAML mapping (and each key of a mapping under
    one, as ``key.sub``) to the file line it stands on."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    return _node_lines(node, first_line) if node is not None else {}


def _node_lines(node: yaml.Node, first_line: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines[str(key.value)] = first_line + key.start_mark.line
                if isinstance(value, yaml.MappingNode):
                    for sub_key, _ in value.value:
                        if isinstance(sub_key, yaml.ScalarNode):
                            dotted = f"{key.value}.{sub_key.value}"
                            lines[dotted] = first_line + sub_key.start_mark.line
    return lines
