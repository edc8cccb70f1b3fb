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
#: "our (proposed) approach, Loki", "our final model S4D", "our framework AutoDistil": a name in apposition to
#: "our <noun>" is the paper's own. Only after "our": "the benchmark UVG dataset" names someone else's.
_OUR_NOUNS = ("method", "approach", "model", "framework", "architecture", "dataset", "benchmark", "algorithm",
              "system", "technique", "network", "pipeline", "agent", "tool", "toolkit", "library", "metric", "loss",
              "module", "backbone", "detector", "family")
_OUR = re.compile(
    rf"\b[Oo]ur[ ](?P<pre>(?:[a-z][a-z\-]*[ ]){{0,2}}?(?P<noun>{'|'.join(_OUR_NOUNS)}))(?P<comma>,)?[ ]"
    rf"(?:(?:called|named|dubbed|termed)[ ])?(?P<name>{NAME})(?=[\s,.;:)(]|$)"
)
#: Words before "called X" that show X is someone else's ("a recent variant of S4 called DSS").
_OTHERS_WORK = re.compile(r"\b(?:recent|recently|previous|previously|prior|existing|popular|well-known|classic|"
                          r"conventional|standard|so)\b[^.,;:()]*$", re.IGNORECASE)
#: After an acronym the verb took for a name: a head noun and the real name ("AD framework: FOD").
_ACRONYM_MODIFIER = re.compile(
    rf"[ ](?P<noun>(?:[a-z][a-z\-]*[ ]){{0,2}}?(?:{'|'.join(_OUR_NOUNS)}))[:,][ ]"
    rf"(?:(?:called|named|dubbed|termed|namely)[ ])?(?P<name>{NAME})(?=[\s,.;:)(]|$)"
)
#: A second name coordinated with the first after a coining verb: "we propose Annealing Reflow and Flow-Guided
#: Distillation, which ...".
_AND_NAME = re.compile(rf",?[ ]and[ ](?P<name>{NAME})(?=[\s,.;:)(]|$)")
#: A title that opens with a name and a colon: "PASS: An ImageNet replacement ...".
_TITLE = re.compile(rf"^(?P<name>{NAME}|[a-z][a-z0-9]+)[ ]?:[ ](?P<rest>.+)$")

#: Words a title prefix may not start with: it is a phrase, not a name ("Revisiting ResNets: ...").
_NOT_NAME_START = {"revisiting", "rethinking", "towards", "toward", "beyond", "on", "when", "what", "why", "how",
                   "do", "does", "is", "are", "can", "a", "an", "the", "learning", "scaling", "understanding",
                   "improving", "re-assessing", "reassessing", "training", "benchmarking", "analyzing",
                   "exploring", "no", "not", "from", "all", "one", "less", "more", "deep", "efficient", "simple",
                   "large", "small", "survey", "review", "position", "tutorial", "introduction", "part"}

#: Common English capitalised words a sentence may start a name with by accident.
_NOT_NAMES = {"A", "An", "The", "We", "Our", "This", "It", "In", "To", "For", "Code", "Project", "Specifically",
              "Moreover", "However", "First", "Second", "Finally", "Furthermore", "Experiments", "Extensive",
              "I", "II", "III", "One", "Two", "Both", "These", "Such"}


#: A word that is a name on its own: inner capital, digit, or all capitals ("SlimFlow", "S4D", "SOLO", "torchdistill" is not).
_STRONG = re.compile(r"(?=.*[A-Z].*[A-Z]|.*\d)[\w+^.\-]+|[A-Z]{2,}")


def is_strong_word(word: str) -> bool:
    """Whether ``word`` is a name on its own (inner capital, digit, or all capitals).

    >>> is_strong_word("ViG"), is_strong_word("SVT"), is_strong_word("Loki")
    (True, True, False)
    """
    return bool(_STRONG.fullmatch(word))


@dataclass(frozen=True)
class NewName:
    """A name the paper coins, where it was found and how it is typed."""

    text: str
    start: int
    end: int
    label: str  #: entity label (METHOD, ARCHITECTURE, DATASET ...)
    cue: str  #: "title", "title_whole", "title_tail", "propose" or "dubbed"
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
    >>> title_name("Re-labeling ImageNet: from Single to Multi-Labels, from Global to Localized Labels") is None
    True
    """
    m = _TITLE.match(title)
    if not m:
        return None
    name = m.group("name")
    words = name.split()
    if words[0].lower() in _NOT_NAME_START or len(words) > 3 or name in _NOT_NAMES:
        return None
    if len(words) > 1 and re.fullmatch(r"[A-Za-z\-]+ing", words[0]):
        return None  # a gerund opens a phrase, not a name: "Re-labeling ImageNet: ...", "Scaling Laws: ..."
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


def _coordinated(text: str, m: re.Match, cue: str, name: str, end: int) -> tuple[int, int] | None:
    """Offsets of a second name joined to ``name`` by "and" after a coining verb, or None.

    Both conjuncts must be names (several capitalised words, or one strong word) and the second must end
    the noun phrase ("S4-PTD and S5-PTD models" is fine: one strong word before a head noun). Not when a
    naming word precedes ("named VALE Visual and Language Explanation": one name with an inner "and") or the
    first word is an acronym of the words after it.
    """
    if cue != "propose" or re.search(r"\b(?:named|called|dubbed|termed)\b", m.group("pre") or ""):
        return None
    conj = _AND_NAME.match(text, end)
    words = name.split()
    if not conj or not (len(words) > 1 or _STRONG.fullmatch(name)):
        return None
    second = _clean_name(conj.group("name"))
    w2 = second.split()
    if not second or w2[0] in _NOT_NAMES or not (len(w2) > 1 or _STRONG.fullmatch(second)):
        return None
    s2 = conj.start("name")
    if re.match(r"[ ][a-z]", text[s2 + len(second):s2 + len(second) + 2]) and len(w2) > 1:
        return None  # "... and Language Explanation framework": a phrase goes on
    initials = "".join(w[0] for w in words[1:] + w2).lower()
    if words[0].isupper() and words[0].lower() in (initials, initials[:len(words) - 1] + "a" + initials[len(words) - 1:]):
        return None
    return s2, s2 + len(second)


def find_new_names(text: str) -> list[NewName]:
    """Names coined in ``text`` (a paper's title, newline, abstract), each at its defining occurrence.

    >>> [(n.text, n.label) for n in find_new_names("T\\nWe propose an unlabelled dataset PASS: Pictures without humAns.")]
    [('PASS', 'DATASET')]
    >>> [(n.text, n.label) for n in find_new_names("T\\nOur model, dubbed DiMR, is a Multi-Resolution network.")]
    [('DiMR', 'ARCHITECTURE')]
    """
    out: list[NewName] = []
    title_end = text.find("\n") if "\n" in text else len(text)
    t = title_name(text[:title_end])
    if t:
        out.append(t)
    out.extend(title_phrase_names(text[:title_end]))
    for pattern, cue in ((_PROPOSE, "propose"), (_DUBBED, "dubbed"), (_OUR, "our")):
        for m in pattern.finditer(text):
            name = _clean_name(m.group("name"))
            if not name or name in _NOT_NAMES or len(name) < 2:
                continue
            if name.split()[0] in _NOT_NAMES:
                continue
            start = m.start("name")
            end = start + len(name)
            words = name.split()
            if cue == "dubbed" and _OTHERS_WORK.search(text[max(0, m.start() - 60):m.start()]):
                continue  # "a recent variant of S4 called DSS showed ...": someone else's name
            if cue == "propose" and re.fullmatch(r"[A-Z]{2,5}s?", name):
                head = _ACRONYM_MODIFIER.match(text, end)
                if head:
                    # "we propose a novel AD framework: FOcus-the-Discrepancy (FOD)": the acronym names the
                    # field the framework is for; the name follows the head noun.
                    name = _clean_name(head.group("name"))
                    if not name or name.split()[0] in _NOT_NAMES or (len(name.split()) == 1 and not _STRONG.fullmatch(name)):
                        continue
                    start, end = head.start("name"), head.start("name") + len(name)
                    label, typed_by = _type(name, head.group("noun"), text[end:end + 120])
                    out.append(NewName(name, start, end, label, cue, typed_by))
                    continue
            second = _coordinated(text, m, cue, name, end)
            if second is not None:
                # "we propose A B and C D, which ...": two coordinated names, each the object of the verb.
                s2, e2 = second
                label2, typed2 = _type(text[s2:e2], "", text[e2:e2 + 120])
                out.append(NewName(text[s2:e2], s2, e2, label2, cue, typed2))
            elif len(words) > 1 and re.match(r"[ ][a-z]", text[end:end + 2]):
                # "VALE Visual and Language ...": a phrase goes on; keep only a strong first word.
                if not _STRONG.fullmatch(words[0]):
                    continue
                name, end = words[0], start + len(words[0])
            if len(name.split()) == 1 and not _STRONG.fullmatch(name) and cue != "dubbed" and not (
                    cue == "our" and m.group("comma") and re.match(r"[,(]", text[end:end + 1])):
                continue  # one plain capitalised word ("Language") is not a coined name, unless set off by
                # commas after "our <noun>" ("our proposed approach, Loki, gains ...")
            if re.search(r"-(?:based|like|style|wise|aware|free|driven|level|efficient)$", name, re.IGNORECASE):
                continue
            before = ((m.groupdict().get("pre") or "") + (m.groupdict().get("comma") or "").rstrip(",")).strip()
            after = text[end:end + 120]
            if cue == "our" and m.group("noun") == "family":
                before = before.rsplit(" ", 1)[0]  # "our discovered model family, BigNASModels": typed by "model"
            label, typed_by = _type(name, before, after)
            if cue == "our" and type_from_head(before) == "METRIC":
                label, typed_by = "METRIC", "context"  # "our metric, FlowAug": a metric the paper defines
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


#: A title rest that reviews, asks or revisits: the title's name is studied, not introduced.
_NOT_INTRODUCING = re.compile(r"\?|\b(?:survey|review|revisit\w*|lessons|analysis|study|overview|tutorial)\b",
                              re.IGNORECASE)


def is_strong_known_cue(text: str, n: NewName) -> bool:
    """Whether the cue of ``n`` introduces it even when the name is widely known (a catalogue name).

    The title prefix ("Swin Transformer: Hierarchical Vision Transformer ...") unless the rest of the title
    surveys or asks; "called" / "dubbed" / "named"; "we propose X, ..." / "we propose X (...)" where the
    name is the whole object.

    >>> t = "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows\\nWe use it."
    >>> is_strong_known_cue(t, title_prefix(t.split("\\n")[0]))
    True
    >>> t = "T\\nThis paper presents a new vision Transformer, called Swin Transformer, that ..."
    >>> is_strong_known_cue(t, find_new_names(t)[0])
    True
    >>> t = "ImageNet: A Survey of its Uses\\nWe study it."
    >>> is_strong_known_cue(t, find_new_names(t)[0])
    False
    """
    if n.cue == "title":
        title = text.split("\n", 1)[0]
        return not _NOT_INTRODUCING.search(title[n.end:])
    if n.cue == "title_whole":
        return True  # the whole title is the name: "Consistency Models"
    if n.cue == "title_tail":
        return False  # "... with Rectified Flow": a known name at the end of a title is a tool the paper uses
    if n.cue == "dubbed":
        return True
    return bool(re.match(r"\s*[,(:]", text[n.end:n.end + 2]))


# --- described (lower-case) methods a paper proposes -----------------------------------------------------------
#: Head nouns that make "we propose a <phrase> <head>" a named technique. Not "framework", "approach" or
#: "pipeline": "a two-stage training framework" is a description, not a name (annotation guidelines).
DESCRIBED_HEADS = ("scheme", "strategy", "method", "algorithm", "technique", "mechanism", "module", "loss",
                   "regularizer", "regularization", "objective")
#: Evaluative adjectives stripped from the front of a described name ("a novel progressive shrinking algorithm").
_DESC_ADJ = {"novel", "new", "simple", "effective", "efficient", "general", "generic", "unified", "lightweight",
             "principled", "straightforward", "yet", "and", "plug-and-play", "training-free", "powerful", "flexible",
             "robust", "practical", "elegant", "better", "improved", "alternative", "specific", "dedicated",
             "carefully", "designed", "tailored", "first", "single", "two", "three", "rather", "very", "but"}
#: Words that alone make no name ("a training strategy", "a two-stage learning scheme").
_DESC_GENERIC = {"training", "learning", "two-stage", "multi-stage", "one-stage", "single-stage", "end-to-end",
                 "data", "model", "search", "optimization", "inference", "test-time", "general-purpose", "hybrid",
                 "iterative", "sampling", "selection", "fine-tuning", "pre-training", "pretraining", "distillation",
                 "augmentation", "regularization", "evaluation", "post-training", "self-training", "supervised",
                 "unsupervised", "self-supervised", "semi-supervised", "quantization", "pruning", "the", "our"}
#: Function words a name does not contain ("a method to formulate ...").
_DESC_STOP = {"to", "for", "of", "with", "in", "on", "by", "but", "that", "which", "this", "these", "from", "as"}
_DESCRIBED = re.compile(
    r"\b(?i:we|this paper|this work)\s+(?:[a-z]+ly\s+|first\s+|further\s+|also\s+|then\s+|thus\s+|therefore\s+)?"
    r"(?:propose|introduce|design|develop|present|devise)[sd]?\s+(?:a|an)\s+"
    r"(?P<phrase>(?:[a-z0-9][a-z0-9\-]*\s+){1,6}?)(?P<head>" + "|".join(DESCRIBED_HEADS) + r")(?![\w-])",
)


#: "we present grafting, a simple approach for ...": a lower-case name set off by a comma and described as a
#: technique right after it.
_APPOSED = re.compile(
    r"\b(?i:we|this paper|this work)\s+(?:[a-z]+ly\s+|also\s+|further\s+|then\s+)?"
    r"(?:propose|introduce|design|develop|present|devise)[sd]?\s+"
    r"(?P<phrase>[a-z][a-z0-9\-]*(?:\s+[a-z][a-z0-9\-]*){0,2}),\s+(?:a|an)\s+(?:[a-z\-]+\s+){0,5}?"
    r"(?:approach|method|technique|framework|algorithm|strategy|scheme|paradigm|procedure|mechanism)(?![\w-])"
)


@dataclass(frozen=True)
class DescribedName:
    """A lower-case technique the paper proposes: ``name`` ("progressive shrinking") at ``start``/``end``,
    ``full_end`` the end of the phrase with its head ("progressive shrinking algorithm")."""

    name: str
    start: int
    end: int
    full_end: int


def find_described_methods(text: str) -> list[DescribedName]:
    """Lower-case techniques introduced by "we propose / design / develop a <phrase> <scheme|strategy|...>".

    Evaluative adjectives in front are dropped; a phrase of generic words alone is not a name.

    >>> [d.name for d in find_described_methods("Specifically, we first propose a two-way stitching scheme to enlarge it.")]
    ['two-way stitching']
    >>> [d.name for d in find_described_methods("We also propose a novel progressive shrinking algorithm, a pruning method.")]
    ['progressive shrinking']
    >>> find_described_methods("We propose a simple yet effective training strategy.")
    []
    >>> [d.name for d in find_described_methods("To this end, we present grafting, a simple approach for editing DiTs.")]
    ['grafting']
    """
    out = []
    for m in _DESCRIBED.finditer(text):
        words = list(re.finditer(r"\S+", m.group("phrase")))
        while words and (words[0].group() in _DESC_ADJ or words[0].group().endswith("ly")):
            words.pop(0)
        if not words or all(w.group() in _DESC_GENERIC for w in words) or any(w.group() in _DESC_STOP for w in words):
            continue
        if len(words) == 1 and "-" not in words[0].group():
            continue  # one plain word ("a pruning method") is a family, not the paper's own technique
        start = m.start("phrase") + words[0].start()
        end = m.start("phrase") + words[-1].end()
        out.append(DescribedName(text[start:end], start, end, m.end("head")))
    for m in _APPOSED.finditer(text):
        words = m.group("phrase").split()
        if words[0] in _DESC_ADJ or words[0] in _DESC_GENERIC or any(w in _DESC_STOP or w in _DESC_GENERIC
                                                                       for w in words):
            continue  # "we propose to ...", "we present training, ...": no name
        out.append(DescribedName(m.group("phrase"), m.start("phrase"), m.end("phrase"), m.end("phrase")))
    return out


_TC_WORD = r"[A-Z0-9][\w^\-]*"
#: A title that is one Title-Case noun phrase of 2-4 words: "Consistency Models", "Dataset Quantization".
_TITLE_WHOLE = re.compile(rf"^{_TC_WORD}(?:[ ]{_TC_WORD}){{1,3}}$")
#: A title that ends "... via / with / through <Title-Case phrase>": "Training Consistency Models with
#: Variational Noise Coupling", "... through Autoregressive Representation Alignment".
_TITLE_TAIL = re.compile(rf"[ ](?:via|with|through)[ ](?P<name>{_TC_WORD}(?:[ ]{_TC_WORD}){{1,4}})$")


def title_phrase_names(title: str) -> list[NewName]:
    """Names a title states as its contribution without a colon: the whole title when it is a Title-Case
    noun phrase with a Method / Architecture / Dataset head, and a Title-Case phrase the title ends with
    after "via" / "with" / "through" when its head types it.

    >>> [(n.text, n.label, n.cue) for n in title_phrase_names("Consistency Models")]
    [('Consistency Models', 'ARCHITECTURE', 'title_whole')]
    >>> [(n.text, n.cue) for n in title_phrase_names("Training Consistency Models with Variational Noise Coupling")]
    [('Variational Noise Coupling', 'title_tail')]
    >>> title_phrase_names("Image Super-Resolution")  # a task, not a contribution
    []
    """
    out = []
    m = _TITLE_WHOLE.match(title)
    if m and title.split()[0].lower() not in _NOT_NAME_START:
        label = type_from_head(title)
        if label in ("METHOD", "ARCHITECTURE", "DATASET"):
            out.append(NewName(title, 0, len(title), label, "title_whole", "title"))
    m = _TITLE_TAIL.search(title)
    if m and ":" not in title[m.start():]:
        name = m.group("name")
        label = type_from_head(name)
        # Only with a typed head: "... with Language Rewrites", "... via Physical Interactions" name no technique.
        if label in ("METHOD", "ARCHITECTURE", "DATASET"):
            out.append(NewName(name, m.start("name"), m.end("name"), label, "title_tail", "title"))
    return out


def title_prefix(title: str) -> NewName | None:
    """The phrase a title opens with before a colon, however it is spelt ("Swin Transformer: ..."), unless it
    opens with a gerund or a phrase word ("Revisiting ...", "Towards ..."); None without a colon or past
    four words. Only a catalogue name found this way counts (a plain phrase needs :func:`title_name`).

    >>> title_prefix("Swin Transformer: Hierarchical Vision Transformer using Shifted Windows").text
    'Swin Transformer'
    >>> title_prefix("Re-labeling ImageNet: from Single to Multi-Labels") is None
    True
    """
    m = re.match(r"^(?P<name>[^:]{2,60}?)[ ]?:[ ]", title)
    if not m:
        return None
    words = m.group("name").split()
    if len(words) > 4 or words[0].lower() in _NOT_NAME_START or re.fullmatch(r"[A-Za-z\-]+ing", words[0]):
        return None
    return NewName(m.group("name"), 0, m.end("name"), "METHOD", "title", "default")
