r"""Gold annotations as training data: paper-level names become mention spans in the paper's text.

Gold is paper-level (``GUIDELINES.md``): each record names the paper's entities (a name, its aliases, a type
and, for methods, architectures and datasets, a role), without offsets. Every name and alias is written in
the title or the abstract, so the mentions are found by matching them in ``title + "\\n" + abstract`` (the
text the pipeline reads, :attr:`kg.records.Paper.text`):

- a form matches where it is written with the same case, on word boundaries, and outside URLs; a form of
  four characters or more with a lower-case letter also matches in another case ("Image classification"
  at the start of a sentence is "image classification"); a short or all-capital form ("AP", "SAM") does not;
- overlapping matches are resolved by the longer span (then the earlier one);
- a match that does not fall on token boundaries of paperkg's tokenizer ("ImageNet" inside "ImageNet-1K")
  is left out: the model labels whole tokens.

An entity none of whose forms is in the text is reported (:attr:`GoldSpans.missing`), never silently dropped.

>>> p = GoldPaper("x", "ViT: a study", "We train ViT and the Vision Transformer on ImageNet-1K.",
...               (GoldEntity("Vision Transformer", ("ViT",), "Architecture", "used"),
...                GoldEntity("ImageNet", (), "Dataset", "used"), GoldEntity("COCO", (), "Dataset", "used")))
>>> tokens = [(m.start(), m.end()) for m in re.finditer(r"[\w-]+|[^\w\s]", p.text)]
>>> g = gold_spans(p, tokens)
>>> [(p.text[s:e], label) for s, e, label, _ in g.spans]
[('ViT', 'ARCHITECTURE'), ('ViT', 'ARCHITECTURE'), ('Vision Transformer', 'ARCHITECTURE')]
>>> [e.name for e in g.missing]
['COCO']
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from kg.errors import SourceError
from kg.records import ENTITY_TYPES, Paper

__all__ = ["GoldEntity", "GoldPaper", "GoldSpans", "read_gold", "gold_spans", "LABEL_OF_TYPE", "ROLE_TYPES"]

#: Gold type (RDF class local name) -> the label the pipeline puts on ``doc.ents``.
LABEL_OF_TYPE = {t: label for label, t in ENTITY_TYPES.items()}
#: Types that take a role (proposed / used).
ROLE_TYPES = ("Method", "Architecture", "Dataset")
#: Shortest form matched regardless of case ("Image classification" for "image classification"); shorter
#: forms and forms without a lower-case letter ("AP", "SAM", "GAN") keep their case: in another case they are
#: often another word.
CASELESS_MIN_CHARS = 4

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|io|ai|net)/\S*")


@dataclass(frozen=True)
class GoldEntity:
    """One gold entity of a paper."""

    name: str
    aliases: tuple[str, ...]
    type: str  #: Method, Architecture, Dataset, Task or Metric
    role: str | None = None  #: "proposed" / "used" for ROLE_TYPES, else None

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class GoldPaper:
    """One gold record: the paper's text and its entities."""

    id: str
    title: str
    abstract: str
    entities: tuple[GoldEntity, ...] = ()
    code: tuple[str, ...] = ()
    source: str = ""  #: where the text comes from (a corpus file, a venue listing)
    licence: str = ""
    file: str = ""  #: the gold file and line it was read from, for messages
    line: int = 0

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.abstract}"

    @property
    def paper(self) -> Paper:
        return Paper(self.title, self.abstract, source=self.file, line=self.line, id=self.id)


@dataclass(frozen=True)
class GoldSpans:
    """Mentions of a paper's gold entities: ``spans`` as ``(start, end, label, entity index)``, sorted, not
    overlapping; ``missing``: entities with no form written in the text."""

    spans: tuple[tuple[int, int, str, int], ...]
    missing: tuple[GoldEntity, ...]


def _problem(path: Path, number: int, message: str) -> SourceError:
    return SourceError(str(path), number, message)


def _entity(path: Path, number: int, obj: object) -> GoldEntity:
    if not isinstance(obj, dict):
        raise _problem(path, number, f"an entity must be an object, not {type(obj).__name__}")
    name, etype, aliases, role = obj.get("name"), obj.get("type"), obj.get("aliases", []), obj.get("role")
    if not isinstance(name, str) or not name.strip():
        raise _problem(path, number, f"entity without a name: {obj!r}"[:200])
    if etype not in LABEL_OF_TYPE:
        raise _problem(path, number, f"entity {name!r} has type {etype!r}; use one of {', '.join(LABEL_OF_TYPE)}")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise _problem(path, number, f"entity {name!r}: aliases must be a list of non-empty strings")
    if etype in ROLE_TYPES and role not in ("proposed", "used"):
        raise _problem(path, number, f"entity {name!r} ({etype}) needs a role, 'proposed' or 'used', not {role!r}")
    if etype not in ROLE_TYPES and role is not None:
        raise _problem(path, number, f"entity {name!r} ({etype}) takes no role")
    return GoldEntity(name, tuple(aliases), etype, role)


def read_gold(path: str | Path, *, need_text: bool = True) -> Iterator[GoldPaper]:
    """The records of a gold JSON Lines file, one :class:`GoldPaper` each, streaming.

    Params: ``need_text``: require an ``abstract`` (training data); ``False`` for evaluation gold, which
    names papers by title only (their text is in the corpus).
    Raises: :class:`kg.errors.SourceError` naming the file and line for a missing or unreadable file,
    a line that is not JSON, or a record that breaks the format (e.g. a type outside the five).
    """
    from kg.sources import json_objects

    path = Path(path)
    for number, obj in json_objects(path, kind="gold file"):
        if not isinstance(obj, dict):
            raise _problem(path, number, "a record must be a JSON object")
        title, abstract = obj.get("title"), obj.get("abstract", "")
        if not isinstance(title, str) or not title.strip():
            raise _problem(path, number, "record without a 'title'")
        if need_text and (not isinstance(abstract, str) or not abstract.strip()):
            raise _problem(path, number, "record without an 'abstract': training gold needs the paper's text")
        entities = obj.get("entities")
        if not isinstance(entities, list):
            raise _problem(path, number, "record without an 'entities' list")
        code = obj.get("code", [])
        if not isinstance(code, list) or not all(isinstance(u, str) for u in code):
            raise _problem(path, number, "'code' must be a list of URLs")
        yield GoldPaper(str(obj.get("id", number)), title, abstract or "",
                        tuple(_entity(path, number, e) for e in entities), tuple(code),
                        str(obj.get("source", "")), str(obj.get("licence", "")), str(path), number)


def _pattern(form: str) -> re.Pattern:
    left = r"(?<![A-Za-z0-9])" if form[:1].isalnum() else ""
    right = r"(?![A-Za-z0-9])" if form[-1:].isalnum() else ""
    caseless = len(form) >= CASELESS_MIN_CHARS and any(c.islower() for c in form)
    return re.compile(left + re.escape(form) + right, re.IGNORECASE if caseless else 0)


def find_forms(text: str, forms: Iterable[str]) -> list[tuple[int, int]]:
    """Where any of ``forms`` is written in ``text`` (see the module doc), outside URLs, sorted.

    >>> find_forms("Image classification on https://github.com/x/ViT with ViT; no ViTs", ["image classification", "ViT"])
    [(0, 20), (54, 57)]
    """
    urls = [(m.start(), m.end()) for m in _URL.finditer(text)]
    found = set()
    for form in forms:
        if not form:
            continue
        for m in _pattern(form).finditer(text):
            if not any(s <= m.start() < e for s, e in urls):
                found.add((m.start(), m.end()))
    return sorted(found)


def gold_spans(paper: GoldPaper, boundaries: Iterable[tuple[int, int]] | None = None) -> GoldSpans:
    """The mentions of ``paper``'s gold entities in its text.

    Params: ``boundaries``: the ``(start, end)`` character offsets of the text's tokens; a match that does
      not start and end on token boundaries is left out (default: no check).
    """
    text = paper.text
    starts = ends = None
    if boundaries is not None:
        bounds = list(boundaries)
        starts, ends = {s for s, _ in bounds}, {e for _, e in bounds}
    matches, missing = [], []
    for i, ent in enumerate(paper.entities):
        found = find_forms(text, ent.forms)
        if not found:
            missing.append(ent)
        matches.extend((s, e, LABEL_OF_TYPE[ent.type], i) for s, e in found)
    chosen: list[tuple[int, int, str, int]] = []
    taken: list[tuple[int, int]] = []
    for s, e, label, i in sorted(matches, key=lambda m: (-(m[1] - m[0]), m[0], m[3])):
        if starts is not None and (s not in starts or e not in ends):
            continue
        if any(s < te and ts < e for ts, te in taken):
            continue
        taken.append((s, e))
        chosen.append((s, e, label, i))
    return GoldSpans(tuple(sorted(chosen)), tuple(missing))
