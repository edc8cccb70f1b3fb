"""Acronym definitions: "Distribution Matching Distillation (DMD)" (pure functions, no spaCy).

The Schwartz & Hearst (2003) algorithm, as in scispaCy's ``find_abbreviation``: for a parenthesised
short form, walk its characters from the end and find each, in order, in the words before the
parenthesis; the first character must start a word. The long form is the shortest run of words that
contains them all.

>>> [(a.long, a.short) for a in find_abbreviations("We propose Distribution Matching Distillation (DMD), a ...")]
[('Distribution Matching Distillation', 'DMD')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest short form considered, in characters ("TD-LN", "CoRe^2", "MS-COCO"); 10 is Schwartz–Hearst's limit.
MAX_SHORT_LEN = 10
#: Words of a short form (Schwartz–Hearst allow 2: "HPD v2").
MAX_SHORT_WORDS = 2

_PAREN = re.compile(r"\(([^()]{1,%d})\)" % (MAX_SHORT_LEN + 2))
_LEADING_NOISE = {"a", "an", "the", "our", "its", "their", "this", "these", "that", "and", "or", "of", "we", "to",
                  "novel", "new", "called", "named", "dubbed", "termed", "propose", "proposed", "present",
                  "introduce", "called", "on", "in", "for", "with", "by", "is", "are", "use", "using", "via"}


#: Broad fields and phrases that are never entities, even when given an acronym ("machine learning (ML)").
BROAD_FIELDS = frozenset({
    "machine learning", "deep learning", "computer vision", "natural language processing", "artificial intelligence",
    "state-of-the-art", "state of the art", "in-domain", "out-of-domain", "out-of-distribution", "in-distribution",
    "vision-and-language", "vision and language", "vision-language", "graphics processing unit", "graphics processing units",
})


@dataclass(frozen=True)
class Abbreviation:
    """A long form and the short form defined for it, with character offsets in the text."""

    long: str
    short: str
    long_start: int
    long_end: int
    short_start: int
    short_end: int


def _valid_short(short: str) -> bool:
    if not (2 <= len(short) <= MAX_SHORT_LEN) or len(short.split()) > MAX_SHORT_WORDS:
        return False
    if not short[0].isalnum() or not any(c.isalpha() for c in short):
        return False
    if not any(c.isupper() for c in short):  # "(e.g", "(see", "(ours": an acronym has a capital
        return False
    return not re.fullmatch(r"[A-Z][a-z]+", short)  # "(Fig", "(Table": a capitalised word is not an acronym


def _best_long_form(short: str, candidate: str) -> int | None:
    """Start index in ``candidate`` of the long form for ``short`` (Schwartz–Hearst), or None."""
    chars = [c.lower() for c in short if c.isalnum()]
    if short.endswith("s") and len(chars) > 2 and short[:-1].isupper():
        chars = chars[:-1]  # plural acronym: "SSMs" -> "SSM"
    s = len(chars) - 1
    l = len(candidate) - 1
    while s >= 0:
        c = chars[s]
        while l >= 0 and (candidate[l].lower() != c or (s == 0 and l > 0 and candidate[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = l + 1
    return start


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Every "long form (SHORT)" definition in ``text``, in order.

    >>> [(a.long, a.short) for a in find_abbreviations("Knowledge distillation (KD) is ... large language models (LLMs).")]
    [('Knowledge distillation', 'KD'), ('large language models', 'LLMs')]
    >>> find_abbreviations("results (see Table 2) and (e.g., ViT)")
    []
    >>> [(a.long, a.short) for a in find_abbreviations('an "energy-efficient group convolution" (E2GC) and Sparsely-Sharded (S2)')]
    [('energy-efficient group convolution', 'E2GC'), ('Sparsely-Sharded', 'S2')]
    """
    out: list[Abbreviation] = []
    for m in _PAREN.finditer(text):
        short = m.group(1).strip()
        if not _valid_short(short):
            continue
        before = text[: m.start()].rstrip()
        # Candidate window: at most min(|A| + 5, 2|A|) words before the parenthesis, within the sentence.
        n_words = min(len(short) + 5, 2 * len(short))
        words = list(re.finditer(r"\S+", before))
        window = words[-n_words:]
        cut = 0
        for i, w in enumerate(window):  # stop at a sentence or clause boundary inside the window
            if re.search(r"[.;:!?,]$", w.group()) or w.group() in {"(", ")"}:
                cut = i + 1
        window = window[cut:]
        if not window:
            continue
        cand_start = window[0].start()
        candidate = text[cand_start: len(before)]
        rel = _best_long_form(short, candidate)
        if rel is None and re.search(r"[A-Za-z][2-4]", short):
            # "Sparsely-Sharded (S2)", "Structured State Space Sequence (S4)": a digit repeats the letter before it.
            # A long form found so has no function word ("develop a Discrete-to-continuous ... (D2C-VAE)" is not one).
            rel = _best_long_form(re.sub(r"([A-Za-z])([2-4])", lambda d: d.group(1) * int(d.group(2)), short), candidate)
            if rel is not None and any(w.lower() in _LEADING_NOISE for w in candidate[rel:].split()):
                rel = None
        if rel is None:
            continue
        long_start = cand_start + rel
        while long_start > cand_start and not text[long_start - 1].isspace():
            long_start -= 1  # "Self-Supervised Learning (SSL)": the long form starts at a whole word
        long_text = text[long_start: len(before)]
        # Trim leading function words ("the Distribution ..." keeps "Distribution ...") only if the
        # first letter of the short form still starts the long form.
        lw = long_text.split()
        while len(lw) > 1 and lw[0].lower() in _LEADING_NOISE and lw[1][0].lower() == short[0].lower():
            long_start += len(lw[0]) + (len(long_text) - len(long_text.lstrip()))
            long_text = text[long_start: len(before)].lstrip()
            long_start = len(before) - len(long_text)
            lw = long_text.split()
        if long_text.split()[0].lower() in _LEADING_NOISE:
            continue
        if short.lower() in long_text.lower().split() or len(long_text) <= len(short):
            continue
        long_text = long_text.rstrip(" -'\"”’")
        stripped = long_text.lstrip("'\"“‘")  # 'an "energy-efficient group convolution" (E2GC)': no quote mark
        long_start += len(long_text) - len(stripped)
        long_text = stripped
        if long_text.lower() in BROAD_FIELDS:
            continue
        out.append(Abbreviation(long=long_text, short=short, long_start=long_start,
                                long_end=long_start + len(long_text),
                                short_start=m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip())),
                                short_end=m.start(1) + len(m.group(1).rstrip())))
    return out


def short_form_occurrences(text: str, short: str) -> list[tuple[int, int]]:
    """Offsets of later bare uses of ``short`` (or its plural) in ``text``, as whole words.

    >>> short_form_occurrences("DMD beats it. DMDs are fast; xDMD is not.", "DMD")
    [(0, 3), (14, 18)]
    """
    stem = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
    pat = re.compile(r"(?<![\w-])" + re.escape(stem) + r"s?(?![\w-])")
    return [(m.start(), m.end()) for m in pat.finditer(text)]


_HEAD_AFTER = re.compile(r"\)[ ](?P<head>[A-Z][a-z]+)(?![\w-])")


def head_after(text: str, a: Abbreviation, heads) -> tuple[int, str] | None:
    """When the short form stands inside a Title-Case name, before the name's head noun ("Sparsely-Sharded
    (S2) Attention"), the end offset of the whole name and the short name the text uses for it ("S2-Attention");
    else None. ``heads`` tells whether a lower-case word is a head noun (:data:`kg.nlp.heads.HEAD_LABELS`).

    >>> t = "we propose Sparsely-Sharded (S2) Attention, an attention algorithm"
    >>> a = find_abbreviations(t)[0]
    >>> end, short = head_after(t, a, {"attention"})
    >>> t[a.long_start:end], short
    ('Sparsely-Sharded (S2) Attention', 'S2-Attention')
    >>> t = "Knowledge Distillation (KD) Methods are"
    >>> head_after(t, find_abbreviations(t)[0], {"method"}) is None  # a head after a complete long form
    True
    """
    m = _HEAD_AFTER.match(text, a.short_end)
    if not m or m.group("head").lower() not in heads:
        return None
    if not all(w[0].isupper() for w in re.split(r"[ \-]+", a.long) if w):
        return None
    # The long form must lack the head: its own last word is not a head noun ("... Distillation (KD) Methods").
    last = re.split(r"[ \-]+", a.long)[-1].lower()
    if last in heads or last.rstrip("s") in heads:
        return None
    return m.end(), f"{a.short}-{m.group('head')}"
