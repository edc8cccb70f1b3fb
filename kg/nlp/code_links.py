"""Code and project URLs in a paper's text (pure functions, no spaCy).

>>> [u for _, _, u in find_code_links("Code: https://github.com/x/y. Project page at (https://a.github.io/p/).")]
['https://github.com/x/y', 'https://a.github.io/p/']
"""
from __future__ import annotations

import re

#: A URL: a scheme, or a bare host of a known code/model hub ("github.com/x/y").
_URL = re.compile(
    r"(?:https?://|(?<![\w./@-])(?:www\.)?(?=(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org)/))"
    r"[^\s<>\"'\]\[{}]+",
    re.IGNORECASE,
)
#: Characters that end a sentence or clause, never a URL (house style: "without trailing punctuation").
TRAILING = ".,;:!?)]}'\"”’»*"

#: A sentence that says a URL is where to get someone else's data: "downloaded from", "taken from" ...
_OTHER_DATA = re.compile(r"\b(?:download(?:ed|able)?\s+(?:from|at)|obtained\s+from|taken\s+from|borrowed\s+from|"
                         r"collected\s+from|crawled\s+from|scraped\s+from)\b", re.IGNORECASE)
_OWN = re.compile(r"\b(?:our|we|code|project|models?|implementation|released?|available)\b", re.IGNORECASE)


def _strip(url: str) -> str:
    while url and url[-1] in TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # a balanced parenthesis belongs to the URL (wiki-style paths)
        url = url[:-1]
    return url


def find_code_links(text: str) -> list[tuple[int, int, str]]:
    """Every URL in ``text`` as (start, end, url), the URL without trailing punctuation.

    A URL glued to the previous sentence ("...Synthesis.https://github.com/x/y") is found too.

    >>> find_code_links("Synthesis.https://github.com/x/y.")
    [(10, 32, 'https://github.com/x/y')]
    >>> [u for _, _, u in find_code_links("at https://github.com/a/b.https://github.com/a/b.")]
    ['https://github.com/a/b', 'https://github.com/a/b']
    """
    out = []
    for m in _URL.finditer(text):
        # Two URLs glued together ("...Synthesis.https://github.com/x/y") are two links.
        for part in re.finditer(r"(?:https?://)?(?:(?!https?://).)+", m.group(), re.IGNORECASE):
            url = _strip(part.group())
            if len(url) <= len("https://") or not re.search(r"[\w-]\.[a-z]{2,}", url, re.IGNORECASE):
                continue  # no host
            start = m.start() + part.start()
            out.append((start, start + len(url), url))
    return out


def is_paper_code(url: str, sentence: str) -> bool:
    """Whether ``url`` is offered as the paper's own code or project page, judging by its ``sentence``.

    Every URL counts unless the sentence says it is where other data comes from
    ("... downloaded from http://...") and says nothing of the paper's own release.

    >>> is_paper_code("https://github.com/x/y", "Code is available at https://github.com/x/y.")
    True
    >>> is_paper_code("http://data.org/d", "Images were downloaded from http://data.org/d.")
    False
    """
    rest = sentence.replace(url, " ")
    if _OTHER_DATA.search(rest) and not _OWN.search(_OTHER_DATA.sub(" ", rest)):
        return False
    return True
