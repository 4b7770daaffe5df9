"""``@record``: frozen value classes without the import-time cost of :mod:`dataclasses`.

Why not ``@dataclass``: it writes each class's ``__init__``, ``__eq__``, ``__repr__``… as
source text and compiles it with ``exec`` when the module is imported, about 1 ms per class on
this machine, and ``import dataclasses`` loads :mod:`inspect` (with :mod:`ast`, :mod:`dis`,
:mod:`tokenize`). The image reader and catalogers that ``caulk sbom`` loads define about twenty
value classes: with dataclasses that was a quarter of the start-up of a command that must
finish a small image in about 0.1 s (issue #4). ``@record`` builds the same methods from
closures, compiles nothing, and is declared a dataclass transform (PEP 681), so mypy checks
constructors and immutability exactly as for ``@dataclass(frozen=True)``.

It does what caulk's value classes use, and no more: annotated fields with immutable defaults
(no ``field()``, no ``__post_init__``), positional or keyword construction, ``==`` and
``hash`` over the fields in order (only between instances of the same class), ``repr``,
immutability, :func:`replace`, and ``order=True`` (the fields compared as a tuple). Classes
that are created per tar member stay hand-written with ``__slots__`` (construction speed).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


class FrozenRecordError(AttributeError):
    """Raised on an attempt to change a field of a record (as ``FrozenInstanceError``)."""


def _field_names(cls: type) -> tuple[str, ...]:
    # not inspect.get_annotations: importing inspect is what this module avoids
    annotations: dict[str, Any] = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    return tuple(
        name
        for name, kind in annotations.items()
        if not (isinstance(kind, str) and kind.startswith(("ClassVar", "typing.ClassVar")))
    )


def _build(cls: type[T], order: bool) -> type[T]:
    names = _field_names(cls)
    defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
    for earlier, later in pairwise(names):
        if earlier in defaults and later not in defaults:
            raise TypeError(f"{cls.__name__}: field {later!r} without a default follows one with")
    count = len(names)
    values: Callable[[Any], tuple[Any, ...]]
    if count > 1:
        values = attrgetter(*names)
    elif count == 1:
        single = names[0]
        values = lambda self: (getattr(self, single),)  # noqa: E731
    else:
        values = lambda self: ()  # noqa: E731
    setter = object.__setattr__
    qualname = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > count:
            raise TypeError(f"{qualname}() takes {count} arguments, {len(args)} were given")
        for name, value in zip(names, args, strict=False):
            setter(self, name, value)
        for name in names[len(args) :]:
            if name in kwargs:
                setter(self, name, kwargs.pop(name))
            elif name in defaults:
                setter(self, name, defaults[name])
            else:
                raise TypeError(f"{qualname}() missing argument {name!r}")
        if kwargs:
            unknown = ", ".join(repr(k) for k in kwargs)
            raise TypeError(f"{qualname}() got unexpected or repeated arguments {unknown}")

    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{qualname}({shown})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        equal: bool = values(self) == values(other)
        return equal

    def __hash__(self: Any) -> int:
        return hash(values(self))

    def __setattr__(self: Any, name: str, value: object) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r} of {qualname}")

    def __delattr__(self: Any, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r} of {qualname}")

    methods: dict[str, Any] = {
        "__init__": __init__,
        "__repr__": __repr__,
        "__eq__": __eq__,
        "__hash__": __hash__,
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
    }
    if order:

        def compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, object], Any]:
            def method(self: Any, other: object) -> Any:  # bool, or NotImplemented
                if other.__class__ is not self.__class__:
                    return NotImplemented
                return bool(op(values(self), values(other)))

            return method

        methods["__lt__"] = compare(lambda a, b: a < b)
        methods["__le__"] = compare(lambda a, b: a <= b)
        methods["__gt__"] = compare(lambda a, b: a > b)
        methods["__ge__"] = compare(lambda a, b: a >= b)
    for name, method in methods.items():
        if name not in cls.__dict__ or name in ("__setattr__", "__delattr__", "__hash__"):
            method.__qualname__ = f"{qualname}.{name}"
            setattr(cls, name, method)
    setattr(cls, "__match_args__", names)  # noqa: B010 - mypy forbids assigning it directly
    cls.__record_fields__ = names  # type: ignore[attr-defined]
    return cls


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, order: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, eq_default=True, order_default=False)
def record(
    cls: type[T] | None = None, /, *, order: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """Make ``cls`` a frozen value class (``@record`` or ``@record(order=True)``)."""
    if cls is not None:
        return _build(cls, order)
    return lambda target: _build(target, order)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of record ``obj`` with some fields changed (as :func:`dataclasses.replace`)."""
    names: tuple[str, ...] = type(obj).__record_fields__  # type: ignore[attr-defined]
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no fields {sorted(unknown)}")
    return type(obj)(**{name: changes.get(name, getattr(obj, name)) for name in names})


def fields(cls_or_obj: object) -> tuple[str, ...]:
    """The field names of a record class or instance, in order."""
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    return cls.__record_fields__  # type: ignore[attr-defined, no-any-return]
