"""Plain records passed between the stages of the pipeline.

sources -> :class:`Paper` -> nlp -> :class:`Extraction` (mentions + code links) -> link -> graph.
No stage passes spaCy objects or RDF terms downstream; only these dataclasses.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from .vocab import ENTITY_TYPES as _CLASSES, RELATION_TYPES

#: The entity labels the NLP pipeline puts on ``doc.ents`` (the class names upper-cased) and the RDF
#: classes they become (:data:`kg.vocab.ENTITY_TYPES`).
ENTITY_TYPES: dict[str, str] = {c.upper(): c for c in _CLASSES}

#: Roles of a paper towards a Method / Architecture / Dataset it mentions.
ROLES = ("proposed", "used")

#: Finer "used" relations (local names of kgo: sub-properties of kgo:uses, see kg.vocab.RELATION_TYPES).
RELATIONS = tuple(RELATION_TYPES)


#: Names whose key is remembered: the pipeline asks for the same names again and again (every candidate, group
#: and link); 2^16 names is a few MB and covers a paper's worth many times over.
NAME_KEY_CACHE = 1 << 16


_ASCII_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    """The runs of letters and digits of ``text`` after NFKC normalisation and case folding, in every script
    (letters, combining marks and digits: Unicode categories L, M, N); what separates them is dropped. For
    ASCII text it is exactly ``re.findall("[a-z0-9]+", text.lower())``, so ASCII keys (and the IRIs made from
    them) are what they were before non-ASCII letters counted.

    >>> _words("α-Net: ＲｅｓＮｅｔ Straße")
    ['α', 'net', 'resnet', 'strasse']
    """
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    words, word = [], []
    for ch in unicodedata.normalize("NFKC", text).casefold():
        if unicodedata.category(ch)[0] in "LMN":
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return words


def title_key(title: str) -> str:
    """The key that identifies a paper across sources: its title, NFKC-normalised and case-folded, letters
    (of every script) and digits only.

    >>> title_key("PASS: An ImageNet replacement ...")
    'passanimagenetreplacement'
    >>> title_key("α-Net: a network") == title_key("β-Net: a network")
    False
    >>> title_key("ＢＥＲＴ") == title_key("bert")
    True
    """
    return "".join(_words(title))


@functools.lru_cache(maxsize=NAME_KEY_CACHE)
def name_key(name: str) -> str:
    """The key under which two names are the same label: case, punctuation, spacing and a plural ``s``
    do not count. For ASCII names it is the shared scorer's normalisation, so what we merge is what is
    scored as one; letters of other scripts count, as in :func:`title_key`.

    >>> name_key("Vision Transformers") == name_key("vision-transformer")
    True
    >>> name_key("ResNet-50") == name_key("ResNet-101")
    False
    >>> name_key("α-Net") == name_key("β-Net")
    False
    """
    words = _words(name.replace("&", "and"))
    return "".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def norm_url(url: str) -> str:
    """The key under which two code URLs are one repository: scheme, ``www.``, case, trailing punctuation
    and ``/``, and ``.git`` do not count. It is the shared scorer's normalisation.

    >>> norm_url("https://github.com/Owner/Repo.git/") == norm_url("http://www.github.com/owner/repo")
    True
    >>> norm_url("https://www.GitHub.com/a/b.git/")
    'github.com/a/b'
    """
    u = url.strip().rstrip(".,;:)/").lower()
    u = re.sub(r"^https?://(www\.)?", "", u)
    return re.sub(r"\.git$", "", u)


@dataclass(frozen=True)
class Paper:
    """One paper as read from a source.

    ``text`` (title, newline, abstract) is what the NLP pipeline reads; every character offset
    in a :class:`Mention` or :class:`CodeLink` refers to it. ``kg.build()`` takes Papers as well as files.

    >>> p = Paper("SlimFlow: Smaller One-Step Diffusion", "We train on CIFAR-10.", date="2024-07-17")
    >>> p.text, p.key
    ('SlimFlow: Smaller One-Step Diffusion\\nWe train on CIFAR-10.', 'slimflowsmalleronestepdiffusion')
    """

    title: str
    abstract: str
    source: str = ""  #: file the record came from
    line: int = 0  #: 1-based line of the record in ``source``
    id: str | None = None  #: identifier in its source (e.g. an arXiv id), if it has one
    url: str | None = None  #: landing page of the paper, if known
    date: str | None = None  #: ISO 8601 date (YYYY-MM-DD), if known
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.abstract}"

    @property
    def key(self) -> str:
        return title_key(self.title)


@dataclass(frozen=True)
class Mention:
    """One entity mention found in a paper's text, with its evidence."""

    text: str  #: surface form as written
    label: str  #: one of ENTITY_TYPES' keys
    start: int  #: character offset in Paper.text
    end: int
    sentence: str  #: the sentence that contains the mention
    sent_start: int  #: character offset of ``sentence`` in Paper.text
    component: str  #: name of the pipeline component that found it
    confidence: float  #: in [0, 1]
    role: str | None = None  #: "proposed" | "used" for Method/Architecture/Dataset, else None
    relation: str | None = None  #: a finer kgo: "used" relation (see RELATIONS), if the text says so
    canonical: str | None = None  #: canonical name, when the catalogue knows the entity
    aliases: tuple[str, ...] = ()  #: other surface forms of the same entity in this paper (e.g. its acronym)


@dataclass(frozen=True)
class CodeLink:
    """A code or project URL given in a paper's text."""

    url: str  #: as written, without trailing punctuation
    start: int
    end: int
    sentence: str
    sent_start: int
    component: str = "code_links"
    confidence: float = 1.0


@dataclass(frozen=True)
class Extraction:
    """Everything the NLP pipeline found in one paper."""

    paper: Paper
    mentions: tuple[Mention, ...] = ()
    code: tuple[CodeLink, ...] = field(default_factory=tuple)


def extraction_to_json(ex: Extraction) -> dict:
    """An Extraction as plain JSON data (what a store keeps beside its graph so papers can be added later).

    >>> ex = Extraction(Paper("T", "A", authors=("X",)), (Mention("BERT", "ARCHITECTURE", 5, 9, "A", 2, "c", 0.9),))
    >>> extraction_from_json(extraction_to_json(ex)) == ex
    True
    """
    return asdict(ex)


def extraction_from_json(data: dict) -> Extraction:
    """The inverse of :func:`extraction_to_json`.

    Raises: KeyError or TypeError for data that is not an extraction (a missing or unknown field).
    """
    paper = dict(data["paper"])
    paper["authors"] = tuple(paper.get("authors", ()))
    paper["categories"] = tuple(paper.get("categories", ()))
    mentions = tuple(Mention(**{**m, "aliases": tuple(m.get("aliases", ()))}) for m in data["mentions"])
    return Extraction(Paper(**paper), mentions, tuple(CodeLink(**c) for c in data["code"]))
