"""Typed definitions shared by every instrument: items, bands, the score, and answer checking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import InstrumentValidationError, ItemError, show_value
from ..numbers import whole_number

__all__ = [
    "Answer",
    "Band",
    "Instrument",
    "InstrumentScore",
    "Item",
    "check_answers",
    "check_item",
    "raise_if",
]

#: An answer to one item: an integer score, or a category code such as the Ashworth ``"1+"``.
Answer = int | str


@dataclass(frozen=True, slots=True)
class Item:
    """One item of an instrument.

    Parameters
    ----------
    key : str
        Stable key used in forms, JSON and error messages (``scim_mobility_indoors``).
    label : str
        Short name of the item (not the licensed item wording).
    allowed : tuple of Answer
        Every allowed answer, in the instrument's order.
    subscale : str or None
        Subscale the item counts towards, if any.
    required : bool
        Whether a complete form must answer the item.
    option_labels : tuple of (Answer, str)
        Published meaning of some answers, where the evidence sheet gives it.
    """

    key: str
    label: str
    allowed: tuple[Answer, ...]
    subscale: str | None = None
    required: bool = True
    option_labels: tuple[tuple[Answer, str], ...] = ()

    @property
    def max_points(self) -> int:
        """Largest integer answer (0 when the answers are categories)."""
        return max((a for a in self.allowed if isinstance(a, int)), default=0)

    def label_of(self, answer: Answer) -> str | None:
        """The published meaning of ``answer``, if recorded."""
        return dict(self.option_labels).get(answer)


@dataclass(frozen=True, slots=True)
class Band:
    """An interpretation band of a total: ``low <= total <= high`` (``high`` None: no upper end)."""

    low: int
    high: int | None
    label: str

    def contains(self, total: int) -> bool:
        return total >= self.low and (self.high is None or total <= self.high)


@dataclass(frozen=True, slots=True)
class Instrument:
    """The definition of an instrument: identity, citation, items and interpretation bands."""

    code: str
    name: str
    version: str
    source: str
    items: tuple[Item, ...]
    total_range: tuple[int, int] | None = None
    subscale_ranges: tuple[tuple[str, int, int], ...] = ()
    bands: tuple[Band, ...] = ()
    notes: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.items)

    def item(self, key: str) -> Item:
        for i in self.items:
            if i.key == key:
                return i
        raise KeyError(key)

    def band_for(self, total: int) -> str | None:
        """Label of the published band holding ``total``, or None when none is published."""
        for b in self.bands:
            if b.contains(total):
                return b.label
        return None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description, for rendering forms."""
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "total_range": list(self.total_range) if self.total_range else None,
            "items": [
                {
                    "key": i.key,
                    "label": i.label,
                    "allowed": list(i.allowed),
                    "subscale": i.subscale,
                    "required": i.required,
                    "option_labels": {str(a): t for a, t in i.option_labels},
                }
                for i in self.items
            ],
            "bands": [{"low": b.low, "high": b.high, "label": b.label} for b in self.bands],
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class InstrumentScore:
    """The scored result of one completed instrument.

    ``total`` is None for instruments without a published total (Ashworth, Penn, QoL data set);
    ``band`` is None where no interpretation band is published.
    """

    instrument: str
    version: str
    answers: Mapping[str, Answer]
    total: int | None
    subscales: Mapping[str, int] = field(default_factory=dict)
    band: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "answers": dict(self.answers),
            "total": self.total,
            "subscales": dict(self.subscales),
            "band": self.band,
        }


def _one_of(allowed: Sequence[Answer]) -> str:
    return ", ".join(str(a) for a in allowed)


def check_item(item: Item, value: object) -> Answer | ItemError:
    """The answer to ``item`` if ``value`` is allowed, else the error describing it."""
    if isinstance(value, str) and value in item.allowed:
        return value
    number = whole_number(value)  # 3.0, True and "3" are not the answer 3
    if number is not None and number in item.allowed:
        return number
    return ItemError(item.key, value, f"{show_value(value)} is not one of {_one_of(item.allowed)}")


def check_answers(
    instrument: Instrument, answers: Mapping[str, object]
) -> tuple[dict[str, Answer], list[ItemError]]:
    """Check every item of ``answers`` against ``instrument``.

    Returns the accepted answers (``None`` values are treated as not answered) and the list of
    errors: a required item missing, a value outside its allowed answers, or a key that is not an
    item of the instrument. Errors follow the instrument's item order, unknown keys last.
    """
    accepted: dict[str, Answer] = {}
    errors: list[ItemError] = []
    for item in instrument.items:
        value = answers.get(item.key)
        if value is None:
            if item.required:
                errors.append(ItemError(item.key, None, "missing"))
            continue
        checked = check_item(item, value)
        if isinstance(checked, ItemError):
            errors.append(checked)
        else:
            accepted[item.key] = checked
    known = set(instrument.keys)
    for key in answers:
        if key not in known:
            errors.append(ItemError(key, answers[key], f"not an item of {instrument.name}"))
    return accepted, errors


def raise_if(errors: Sequence[ItemError]) -> None:
    """Raise one :class:`InstrumentValidationError` listing ``errors``, if there are any."""
    if errors:
        raise InstrumentValidationError(errors)
