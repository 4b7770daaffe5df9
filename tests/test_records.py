"""``caulk.records.record`` behaves as ``@dataclass(frozen=True)`` where caulk relies on it."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from caulk.records import FrozenRecordError, fields, record, replace


@record(order=True)
class Version:
    """A doc string stays."""

    major: int
    minor: int = 0
    label: str | None = None
    """A field doc string is allowed, as in a dataclass."""

    @property
    def text(self) -> str:
        return f"{self.major}.{self.minor}"

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True, order=True)
class SameAsDataclass:
    major: int
    minor: int = 0
    label: str | None = None


def test_construction_positional_keyword_and_defaults() -> None:
    assert Version(1).minor == 0
    assert Version(1, 2, "rc").label == "rc"
    assert Version(major=1, label="x") == Version(1, 0, "x")
    assert fields(Version) == ("major", "minor", "label") == fields(Version(1))
    assert Version.__match_args__ == ("major", "minor", "label")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "missing argument 'major'"),
        ((1, 2, "x", 4), {}, "takes 3 arguments, 4 were given"),
        ((1,), {"major": 2}, "unexpected or repeated arguments 'major'"),
        ((1,), {"patch": 2}, "unexpected or repeated arguments 'patch'"),
    ],
)
def test_bad_construction_is_a_type_error(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Version(*args, **kwargs)  # type: ignore[arg-type]


def test_equality_hash_repr_and_order_match_a_dataclass() -> None:
    pairs = [((1, 2), (1, 2)), ((1, 2), (1, 3)), ((2, 0), (1, 9)), ((1, 0, "a"), (1, 0, "b"))]
    for a, b in pairs:
        ra, rb = Version(*a), Version(*b)  # type: ignore[arg-type]
        da, db = SameAsDataclass(*a), SameAsDataclass(*b)  # type: ignore[arg-type]
        assert (ra == rb, ra < rb, ra <= rb, ra > rb, ra >= rb) == (
            da == db,
            da < db,
            da <= db,
            da > db,
            da >= db,
        )
        assert (hash(ra) == hash(rb)) == (ra == rb)
    assert repr(Version(1, 2)) == "Version(major=1, minor=2, label=None)"
    assert str(Version(1, 2)) == "1.2"
    assert Version(1) != (1, 0, None)  # not equal to a tuple or another class
    assert {Version(1), Version(1), Version(2)} == {Version(1), Version(2)}
    ordered = [Version(1), Version(1, 5), Version(2)]
    assert sorted([Version(2), Version(1, 5), Version(1)]) == ordered


def test_records_are_immutable_and_replace_copies() -> None:
    version = Version(1, 2)
    with pytest.raises(FrozenRecordError):
        version.minor = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del version.major  # type: ignore[misc]
    assert replace(version, minor=3) == Version(1, 3)
    assert version == Version(1, 2)
    with pytest.raises(TypeError, match="no fields"):
        replace(version, patch=1)


def test_records_pickle() -> None:
    version = Version(1, 2, "rc")
    assert pickle.loads(pickle.dumps(version)) == version


def test_a_required_field_after_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default"):

        @record
        class Broken:
            a: int = 0
            b: int  # type: ignore[misc]


def test_records_with_one_field_or_none() -> None:
    @record
    class One:
        value: int

    @record
    class Empty:
        pass

    assert One(1) == One(1) != One(2)
    assert hash(One(1)) == hash(One(1))
    assert Empty() == Empty()
    assert repr(Empty()) == "test_records_with_one_field_or_none.<locals>.Empty()"
