"""Names a paper coins for what it proposes (pure functions, no spaCy).

Cues: "we propose X", "we introduce X, a ...", "a new benchmark, X", "dubbed X", "called X", "named X",
and a title that opens with a name ("SlimFlow: Training Smaller One-Step Diffusion Models ...").
Each name is typed from the words around it (dataset, benchmark -> DATASET; network, model,
transformer -> ARCHITECTURE; loss, method, framework, training -> METHOD), else from its own ending
("...Net", "...Former", "...Bench"), else METHOD.

>>> [(n.text, n.label) for n in find_new_names("SlimFlow: Training Smaller Models\\nWe present SOLO, a single transformer.")]
[('SlimFlow', 'METHOD'), ('SOLO', 'ARCHITECTURE')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.nlp.heads import type_from_head, type_from_phrase, type_from_suffix

#: One word of a coined name: capitalised ("Perceiver"), camel-case ("sharpDARTS"), with a digit ("S4D"),
#: or all lower-case only when a cue marks it as a name ("torchdistill" in a title prefix).
_NAME_WORD = r"(?:[A-Z][\w+^.\-]*[\w+^]|[A-Z]|[a-z]+[A-Z][\w+^.\-]*[\w+^]|[a-z]*\d[\w+^.\-]*[\w+^]?)"
NAME = rf"{_NAME_WORD}(?:[ ]{_NAME_WORD}){{0,3}}"

_PROPOSE_VERB = (r"(?:propose|present|introduce|develop|design|devise|build|create|construct|release|contribute|"
                 r"curate|collect|establish|offer|put forward|formulate)[sd]?")
#: Lower-case words allowed between the verb and the name ("we propose a novel training framework, X").
_FILLER = r"(?:(?!(?:to|that|how|using|with|on|for|of|in|from|by|which|where|when|this|these|our)\b)[a-z][a-z\-]*[ ]){0,5}?"
_PROPOSE = re.compile(
    rf"(?i:\b(?:we|this (?:paper|work)|the paper|here,? we)[ ](?:[a-z]+ly[ ]|first[ ]|further[ ]|also[ ]|then[ ]|thus[ ]|therefore[ ]|hence[ ]|here[ ]|now[ ])?{_PROPOSE_VERB}[ ])"
    rf"(?P<pre>{_FILLER})(?:(?P<comma>[a-z][a-z\-]*,)[ ])?(?P<name>{NAME})(?=[\s,.;:)(]|$)"
)
_DUBBED = re.compile(
    rf"(?i:\b(?:dubbed|called|named|termed|coined|denoted as|referred to as|which we call|we call it|we name it))"
    rf"[ ](?:(?i:as)[ ])?[\"“'‘]?(?P<name>{NAME})(?=[\s,.;:)(\"”'’]|$)"
)
#: A title that opens with a name and a colon: "PASS: An ImageNet replacement ...".
_TITLE = re.compile(rf"^(?P<name>{NAME}|[a-z][a-z0-9]+)[ ]?:[ ](?P<rest>.+)$")

#: Words a title prefix may not start with: it is a phrase, not a name ("Revisiting ResNets: ...").
_NOT_NAME_START = {"revisiting", "rethinking", "towards", "toward", "beyond", "on", "when", "what", "why", "how",
                   "do", "does", "is", "are", "can", "a", "an", "the", "learning", "scaling", "understanding",
                   "improving", "re-assessing", "reassessing", "training", "benchmarking", "analyzing",
                   "exploring", "no", "not", "from", "all", "one", "less", "more", "deep", "efficient", "simple",
                   "large", "small", "survey", "review", "position", "tutorial", "introduction", "part"}
#: Words after the name that show the cue named something else ("we propose X loss" keeps "X loss").
_TRAILING_HEADS = re.compile(r"[ ](?P<head>[a-z][a-z\-]+)")

#: Common English capitalised words a sentence may start a name with by accident.
_NOT_NAMES = {"A", "An", "The", "We", "Our", "This", "It", "In", "To", "For", "Code", "Project", "Specifically",
              "Moreover", "However", "First", "Second", "Finally", "Furthermore", "Experiments", "Extensive",
              "I", "II", "III", "One", "Two", "Both", "These", "Such"}


#: A word that is a name on its own: inner capital, digit, or all capitals ("SlimFlow", "S4D", "SOLO", "torchdistill" is not).
_STRONG = re.compile(r"(?=.*[A-Z].*[A-Z]|.*\d)[\w+^.\-]+|[A-Z]{2,}")


@dataclass(frozen=True)
class NewName:
    """A name the paper coins, where it was found and how it is typed."""

    text: str
    start: int
    end: int
    label: str  #: entity label (METHOD, ARCHITECTURE, DATASET ...)
    cue: str  #: "title", "propose" or "dubbed"
    typed_by: str  #: "context", "suffix", "title" or "default"


def _clean_name(name: str) -> str:
    name = name.rstrip(".-")
    words = name.split(" ")
    while words and words[-1] in _NOT_NAMES:
        words.pop()
    return " ".join(words)


def _type(name: str, before: str, after: str) -> tuple[str, str]:
    """The label of a coined name and what typed it."""
    label = type_from_head(before) if before.strip() else None
    if label in ("TASK", "METRIC"):
        label = None
    if label is None and after:
        m = re.match(r"\s*,\s*(?:a|an|the)\s+(?P<desc>[^,.;:]+)", after)
        if m:
            label = type_from_phrase(m.group("desc"))
            if label in ("TASK", "METRIC"):
                label = None
    if label:
        return label, "context"
    label = type_from_suffix(name) or type_from_head(name)
    if label and label not in ("TASK", "METRIC"):
        return label, "suffix"
    return "METHOD", "default"


def title_name(title: str) -> NewName | None:
    """The name a title opens with ("SlimFlow: Training ..."), typed from the rest of the title, or None.

    >>> title_name("GeneCIS: A Benchmark for General Conditional Image Similarity").label
    'DATASET'
    >>> title_name("Revisiting ResNets: Improved Training and Scaling Strategies") is None
    True
    """
    m = _TITLE.match(title)
    if not m:
        return None
    name = m.group("name")
    words = name.split()
    if words[0].lower() in _NOT_NAME_START or len(words) > 3 or name in _NOT_NAMES:
        return None
    if len(words) > 1 and not any(re.search(r"[A-Z].*[A-Z]|\d", w) for w in words):
        return None  # "Perceiver AR" is a name; "Image Generation" is a phrase
    if len(words) == 1 and re.fullmatch(r"[A-Z][a-z]+", name) and name.lower() in _NOT_NAME_START:
        return None
    rest = m.group("rest")
    label = type_from_suffix(name) or type_from_phrase(rest)
    typed_by = "suffix" if type_from_suffix(name) else "title"
    if label in (None, "TASK", "METRIC"):
        label, typed_by = "METHOD", "default"
    return NewName(name, m.start("name"), m.start("name") + len(name), label, "title", typed_by)


def find_new_names(text: str) -> list[NewName]:
    """Names coined in ``text`` (a paper's title, newline, abstract), each at its defining occurrence.

    >>> [(n.text, n.label) for n in find_new_names("T\\nWe propose an unlabelled dataset PASS: Pictures without humAns.")]
    [('PASS', 'DATASET')]
    >>> [(n.text, n.label) for n in find_new_names("T\\nOur model, dubbed DiMR, is a Multi-Resolution network.")]
    [('DiMR', 'METHOD')]
    """
    out: list[NewName] = []
    title_end = text.find("\n") if "\n" in text else len(text)
    t = title_name(text[:title_end])
    if t:
        out.append(t)
    for pattern, cue in ((_PROPOSE, "propose"), (_DUBBED, "dubbed")):
        for m in pattern.finditer(text):
            name = _clean_name(m.group("name"))
            if not name or name in _NOT_NAMES or len(name) < 2:
                continue
            if name.split()[0] in _NOT_NAMES:
                continue
            start = m.start("name")
            end = start + len(name)
            words = name.split()
            if len(words) > 1 and re.match(r"[ ][a-z]", text[end:end + 2]):
                # "VALE Visual and Language ...": a phrase goes on; keep only a strong first word.
                if not _STRONG.fullmatch(words[0]):
                    continue
                name, end = words[0], start + len(words[0])
            if len(name.split()) == 1 and not _STRONG.fullmatch(name) and cue != "dubbed":
                continue  # one plain capitalised word ("Language") is not a coined name
            if re.search(r"-(?:based|like|style|wise|aware|free|driven|level|efficient)$", name, re.IGNORECASE):
                continue
            before = ((m.groupdict().get("pre") or "") + (m.groupdict().get("comma") or "").rstrip(",")).strip()
            after = text[end:end + 120]
            label, typed_by = _type(name, before, after)
            out.append(NewName(name, start, end, label, cue, typed_by))
    # One entry per name: the first occurrence, typed by the best evidence any occurrence gave.
    rank = {"context": 0, "suffix": 1, "title": 2, "default": 3}
    best: dict[str, NewName] = {}
    first: dict[str, NewName] = {}
    for n in out:
        first.setdefault(n.text, n)
        if n.text not in best or rank[n.typed_by] < rank[best[n.text].typed_by]:
            best[n.text] = n
    return [NewName(f.text, f.start, f.end, best[k].label, f.cue, best[k].typed_by) for k, f in first.items()]


def name_occurrences(text: str, name: str) -> list[tuple[int, int]]:
    """Offsets of every whole-word use of ``name`` (or its plural) in ``text``.

    >>> name_occurrences("SlimFlow and SlimFlows, not SlimFlowX", "SlimFlow")
    [(0, 8), (13, 22)]
    """
    pat = re.compile(r"(?<![\w-])" + re.escape(name) + r"s?(?![\w-])")
    return [(m.start(), m.end()) for m in pat.finditer(text)]
