"""Faster pickling for Broadsheet's frozen slots dataclasses.

``dataclass(frozen=True, slots=True)`` pickles an object through a
``__getstate__`` and ``__setstate__`` that call :func:`dataclasses.fields` for
every object, which builds a tuple of the class's fields by filtering its field
table.  Records cross processes and go into caches by the ten thousand (each
article's load result comes back from a reading worker pickled, and every
record a page shows is pickled for its digest): at 10,000 articles those calls
were half the time the main process took to unpickle the loaders' results.
:func:`fast_pickle` installs methods that look the field names up once, and
write the same state (a list of the field values, in order), so pickles and
digests are byte for byte what they were.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar

C = TypeVar("C", bound=type)


def fast_pickle(cls: C) -> C:
    """Give the frozen slots dataclass ``cls`` faster ``__getstate__`` and
    ``__setstate__`` (the same state as dataclasses' own)."""
    names = tuple(field.name for field in dataclasses.fields(cls))
    if not names:
        return cls
    get: Callable[[Any], Any] = operator.attrgetter(*names)
    set_attribute = object.__setattr__

    if len(names) == 1:

        def __getstate__(self: Any) -> list[Any]:
            return [get(self)]

    else:

        def __getstate__(self: Any) -> list[Any]:
            return list(get(self))

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):  # as dataclasses does
            set_attribute(self, name, value)

    setattr(cls, "__getstate__", __getstate__)  # noqa: B010 - not a typed attribute
    setattr(cls, "__setstate__", __setstate__)  # noqa: B010
    return cls
