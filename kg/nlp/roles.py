"""Roles and relations of a paper towards the entities it mentions (pure functions, no spaCy).

A Method / Architecture / Dataset is ``proposed`` when the paper introduces it, else ``used``;
where the sentence says so, a ``used`` entity gets a finer relation: ``evaluatesOn`` ("experiments on
X"), ``trainsOn`` ("pretrained on X") or ``comparesWith`` ("outperforms X"). Tasks and Metrics have no role.

>>> relation("Extensive experiments on CIFAR-10 and ", "DATASET")
'evaluatesOn'
>>> relation("Our model outperforms ", "ARCHITECTURE")
'comparesWith'
"""
from __future__ import annotations

import re

#: Labels that take a role.
ROLE_LABELS = frozenset({"METHOD", "ARCHITECTURE", "DATASET"})

#: How far back (characters) a cue may be from the mention it types: 100 covers a list of five or six
#: dataset names after "experiments on" in the corpus, and stops before the previous clause in most sentences.
RELATION_WINDOW = 100

_EVAL = r"(?:experiments?|evaluat\w*|results?|tested|tests?|benchmark\w*|validat\w*|performance|accuracy|" \
        r"state-of-the-art|sota|demonstrat\w*|achiev\w*|improv\w*|gains?|verified|experimented|conducted)" \
        r"\b[^.;]*?\b(?:on|across|over|using)\b|\bbenchmarks? (?:such as|including|like)\b|\bdatasets? (?:such as|including|like)\b"
_TRAIN = r"\b(?:(?:pre-?|post-?|fine-?)?train(?:ed|ing)?|finetun\w+|fine-tun\w+|learn(?:ed|t)|distill\w*)\b(?:\s+\w+){0,3}?\s+(?:on|from|with)\b"
_COMPARE = r"\b(?:outperform\w*|surpass\w*|beat\w*|compar\w*\s+(?:to|with|against)|than|over|versus|vs\.?|" \
           r"superior to|better than|exceed\w*|competitive with|on par with|relative to|baselines?(?: such as| including| like)?)\b"

_CUES = (("trainsOn", re.compile(_TRAIN, re.IGNORECASE), {"DATASET"}),
         ("evaluatesOn", re.compile(_EVAL, re.IGNORECASE), {"DATASET"}),
         ("comparesWith", re.compile(_COMPARE, re.IGNORECASE), {"METHOD", "ARCHITECTURE"}))

#: A clause boundary between a cue and a mention cancels the cue.
_BOUNDARY = re.compile(r"[;:]|\b(?:while|whereas|but|which|that|where)\b")

_PROPOSE = re.compile(
    r"\b(?:we|this (?:paper|work)|the paper)\s+(?:\w+ly\s+|also\s+|first\s+|further\s+|thus\s+|then\s+|here\s+)?"
    r"(?:propose|present|introduce|develop|design|devise|build|create|construct|release|contribute|curate|"
    r"collect|establish|put forward|formulate)[sd]?\b(?P<gap>[^.;:]*)$",
    re.IGNORECASE,
)
#: Most words between "we propose" and a name it proposes ("we propose a simple yet effective X").
PROPOSE_MAX_GAP_WORDS = 8
_GAP_BREAK = re.compile(r"\b(?:to|using|with|based on|by|on|for|from|that|which|and|of)\b|,", re.IGNORECASE)


def relation(before: str, label: str) -> str | None:
    """The finer "used" relation for a mention of ``label`` preceded (in its sentence) by ``before``.

    The nearest cue within RELATION_WINDOW characters wins; a clause boundary after it cancels it.

    >>> relation("Models pretrained on ", "DATASET")
    'trainsOn'
    >>> relation("We train on web data, while evaluation uses ", "DATASET") is None
    True
    """
    window = before[-RELATION_WINDOW:]
    best: tuple[int, str] | None = None
    for rel, pat, labels in _CUES:
        if label not in labels:
            continue
        for m in pat.finditer(window):
            if _BOUNDARY.search(window[m.end():]):
                continue
            if best is None or m.end() > best[0]:
                best = (m.end(), rel)
    return best[1] if best else None


def is_proposed_here(before: str) -> bool:
    """Whether a mention preceded (in its sentence) by ``before`` is the object of "we propose/introduce ...".

    >>> is_proposed_here("In this work, we propose a simple yet effective ")
    True
    >>> is_proposed_here("We propose to train with ")
    False
    >>> is_proposed_here("The tailored model, dubbed as ")
    True
    """
    if _NAMED_BEFORE.search(before):
        return True
    m = _PROPOSE.search(before)
    if not m:
        return False
    gap = m.group("gap")
    return len(gap.split()) <= PROPOSE_MAX_GAP_WORDS and not _GAP_BREAK.search(gap)


#: A naming verb right before a mention coins it, whatever the name looks like: "The tailored model, dubbed
#: as image LLaMA (iLLaMA), ...", "the initial stage, dubbed Any Ratio ...". Not "so-called" / "commonly
#: called" (a known name).
_NAMED_BEFORE = re.compile(
    r"(?<![\w-])(?<!so-)(?<!commonly )(?<!often )(?<!also )(?<!been )(?:dubbed|termed|coined|named|called|which we call|we call it|we name it)"
    r"(?:\s+as)?\s*[\"“'‘]?$",
    re.IGNORECASE)


#: Most words between "we propose" and a catalogue name it proposes ("we propose a new X, ..."): a
#: catalogue name is widely known, so only a short, plain object phrase counts.
PROPOSE_KNOWN_MAX_GAP_WORDS = 3
_PLAIN_GAP = re.compile(r"^(?:\s*(?:a|an|the|new|novel|simple|\w+ly)\b)*\s*$", re.IGNORECASE)


#: "a new vision Transformer, called Swin Transformer": the name after the cue is the proposed one.
_NAMED_NEXT = re.compile(r"\s*,?\s*(?:called|dubbed|named|termed|coined)\b", re.IGNORECASE)


def is_proposed_object(before: str, after: str) -> bool:
    """Whether a (catalogue) name preceded by ``before`` and followed by ``after`` is the whole object of
    "we propose / introduce ...": nothing but articles and "new"/"novel" between, and the noun phrase ends
    with the name (a comma, parenthesis, colon or full stop follows).

    >>> is_proposed_object("To overcome this limitation, we propose ", ", a")
    True
    >>> is_proposed_object("We propose a novel ", " m")  # "a novel knowledge distillation method"
    False
    >>> is_proposed_object("This paper presents a new ", ", called Swin")
    False
    >>> is_proposed_object("We propose to use ", ", a")
    False
    """
    m = _PROPOSE.search(before)
    if not m or not re.match(r"\s*[,(:.;]", after) or _NAMED_NEXT.match(after):
        return False
    gap = m.group("gap")
    return len(gap.split()) <= PROPOSE_KNOWN_MAX_GAP_WORDS and bool(_PLAIN_GAP.match(gap))


#: A size / version code after a proposed name: "-T", "-S", "-B", "-L", "-XL", "-H-S", "-B-MR", "-5M", "-d32".
_VARIANT_CODE = r"-(?:[A-Z][A-Za-z]{0,2}|\d+(?:\.\d+)?[A-Za-z]?|[a-z]\d+)(?:-[A-Z]{1,2}\d?)?"
#: Codes that are model sizes: such a variant is an Architecture whatever the base name's type.
_SIZE_CODE = re.compile(r"-(?:T|Ti|Tiny|S|Small|B|Base|L|Large|H|Huge|G|XS|XL|XXL|M|\d+(?:\.\d+)?[MBK]|d\d+)"
                        r"(?:-[A-Z]{1,2}\d?)?$")


def variant_occurrences(text: str, base: str) -> list[tuple[int, int]]:
    """Offsets of the variants of ``base`` the text names ("ViG-T"), not in an elliptic list
    ("EMOv2-1M/2M/5M") and not as a size of the model ("DiMR-XL variants").

    >>> text = "ViG-S matches DeiT-B, ViG-T is fast; DiMR-XL variants and EMOv2-1M/2M win. ViG-based"
    >>> [text[s:e] for s, e in variant_occurrences(text, "ViG")]
    ['ViG-S', 'ViG-T']
    >>> variant_occurrences(text, "DiMR") + variant_occurrences(text, "EMOv2")
    []
    """
    if base + "-" not in text:  # every variant code starts with a hyphen: no pattern to compile
        return []
    pat = re.compile(r"(?<![\w-])" + re.escape(base) + _VARIANT_CODE + r"(?![\w/-])(?!\s+(?:variants?|family|families|series)\b)")
    return [(m.start(), m.end()) for m in pat.finditer(text)]


def variant_label(variant: str, base: str, label: str) -> str:
    """ARCHITECTURE for a size code ("ViG-T"), else the base name's label.

    >>> variant_label("ViG-T", "ViG", "METHOD"), variant_label("CGBA-Hx", "CGBA", "METHOD")
    ('ARCHITECTURE', 'METHOD')
    """
    return "ARCHITECTURE" if _SIZE_CODE.search(variant[len(base):]) else label
