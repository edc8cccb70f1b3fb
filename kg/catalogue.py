"""The catalogue of widely-known ML entities (methods, architectures, datasets, tasks, metrics).

Pure Python, no spaCy: it loads ``kg/data/catalogue.jsonl`` (one JSON object a line:
``{"type": "Dataset", "name": "CIFAR-10", "aliases": ["CIFAR10"], "description": ..., "url": ...}``),
looks names up, and spells out the surface variants (case, hyphen, plural) that the NLP
pipeline matches. The catalogue holds only widely-known entities, never a name a single paper coins.

>>> cat = load_catalogue()
>>> cat.lookup("cifar10").name
'CIFAR-10'
>>> cat.lookup("ViTs", "Architecture").name
'Vision Transformer'
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from kg.errors import SourceError
from kg.records import name_key

#: The entity types a catalogue entry may have (the kgo: classes).
TYPES = ("Method", "Architecture", "Dataset", "Task", "Metric")

#: The bundled catalogue file.
DEFAULT_PATH = Path(__file__).parent / "data" / "catalogue.jsonl"

#: Aliases at most this long that contain an upper-case letter are matched with their case
#: ("SAM", "ViT", "AP"); longer ones ("ImageNet", "Transformer") match in any case. 4 keeps
#: "CLIP", "GLUE", "PASS"-like acronyms away from the English words they spell.
CASE_SENSITIVE_MAX_LEN = 4

_KNOWN_FIELDS = {"type", "name", "aliases", "description", "url", "case_sensitive"}


@dataclass(frozen=True)
class Entry:
    """One catalogue entity."""

    type: str  #: one of TYPES
    name: str  #: canonical name
    aliases: tuple[str, ...] = ()
    description: str | None = None
    url: str | None = None
    case_sensitive: bool | None = None  #: force case-(in)sensitive matching; None: decided per alias

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by every alias."""
        return (self.name, *self.aliases)


#: The lookup key of a name: the scorer's normalisation (see :func:`kg.records.name_key`).
key = name_key


def is_case_sensitive(alias: str) -> bool:
    """Whether ``alias`` must be matched with its exact case.

    Acronyms (all capitals: "CLIP", "PASS", "GLUE") and short names with a capital ("ViT", "AP")
    are; lower-case phrases and longer names ("ImageNet", "Transformer") are not.

    >>> is_case_sensitive("CLIP"), is_case_sensitive("ViT"), is_case_sensitive("ImageNet")
    (True, True, False)
    """
    letters = [c for c in alias if c.isalpha()]
    if not letters or not any(c.isupper() for c in letters):
        return False
    if all(c.isupper() for c in letters):
        return True
    return len(alias) <= CASE_SENSITIVE_MAX_LEN


def _plural(word: str) -> str | None:
    if not word or not word[-1].isalpha() or len(word) < 3:
        return None
    if word.endswith("s") or word.endswith("x"):
        return None
    if word[-1].isupper():  # an acronym: CNN -> CNNs
        return word + "s"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def surface_variants(alias: str, plural: bool = True) -> list[str]:
    """The spellings of ``alias`` that name the same entity: hyphen / space / joined, and plurals.

    >>> surface_variants("CIFAR-10")
    ['CIFAR-10', 'CIFAR 10', 'CIFAR10']
    >>> surface_variants("diffusion model")
    ['diffusion model', 'diffusion models']
    """
    forms = [alias]
    if "-" in alias:
        forms.append(alias.replace("-", " "))
        # Join across a hyphen only next to a digit or a one-letter part ("CIFAR10", "UNet").
        joined = re.sub(r"(?<=\w)-(?=\w)", lambda m: "", alias) if re.search(r"\d-|-\d|\b\w-|-\w\b", alias) else None
        if joined:
            forms.append(joined)
    out: list[str] = []
    for f in forms:
        if f not in out:
            out.append(f)
        if plural:
            last = f.split(" ")[-1]
            p = _plural(last)
            # Only plural forms of words, not of version numbers ("GPT-4") or codes ("ResNet-50").
            if p and re.search(r"[A-Za-z]{2,}$", last):
                pf = f[: len(f) - len(last)] + p
                if pf not in out:
                    out.append(pf)
    return out


class Catalogue:
    """The loaded catalogue: entries and a lookup by name, alias or variant."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_key: dict[str, list[Entry]] = {}
        for e in self.entries:
            for n in e.names:
                for v in surface_variants(n, plural=False):
                    lst = self._by_key.setdefault(key(v), [])
                    if e not in lst:
                        lst.append(e)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, name: str, type: str | None = None) -> Entry | None:
        """The entry named ``name`` (any alias or variant, any case), optionally of one ``type``.

        Returns None when the catalogue does not know the name.
        """
        for e in self._by_key.get(key(name), ()):
            if type is None or e.type == type:
                return e
        return None


def _parse(path: Path) -> list[Entry]:
    from kg.sources import json_objects

    entries = []
    for no, rec in json_objects(path, kind="catalogue"):
        unknown = set(rec) - _KNOWN_FIELDS
        if unknown:
            raise SourceError(path, no, f"unknown field(s) {sorted(unknown)}; known: {sorted(_KNOWN_FIELDS)}")
        if rec.get("type") not in TYPES:
            raise SourceError(path, no, f"type {rec.get('type')!r} is not one of {', '.join(TYPES)}")
        name = rec.get("name")
        aliases = rec.get("aliases", [])
        if not isinstance(name, str) or not name.strip():
            raise SourceError(path, no, "'name' must be a non-empty string")
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise SourceError(path, no, "'aliases' must be a list of non-empty strings")
        entries.append(Entry(type=rec["type"], name=name, aliases=tuple(aliases),
                             description=rec.get("description"), url=rec.get("url"),
                             case_sensitive=rec.get("case_sensitive")))
    return entries


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load a catalogue file (default: the bundled one, cached).

    Raises:
        SourceError: the file is missing or a line is malformed (the message names the line).
    """
    if path is None:
        return _default()
    return Catalogue(_parse(Path(path)))


@lru_cache(maxsize=1)
def _default() -> Catalogue:
    return Catalogue(_parse(DEFAULT_PATH))
