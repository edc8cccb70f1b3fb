"""The tokenizer: spaCy's English rules, with names like "ImageNet-1K", "MoCo-v2" and glued URLs kept usable.

Blank English already keeps "ResNet-50", "CIFAR-10", "GPT-4", "SD3.5" and URLs whole, and splits
"U-Net" / "self-supervised" at the hyphen (which phrase patterns tokenised the same way still match).
It breaks "ImageNet-1K" into "ImageNet-1" + "K" (a unit suffix) and "MoCo-v2" into three tokens, and
leaves "Synthesis.https://github.com/x/y" (or a LaTeX leftover "x/y{https://…}", or a Markdown link
"[GitHub](https://github.com/x/y)") as one token.
This module fixes those cases.
"""
from __future__ import annotations

import re

from spacy.lang.en import English
from spacy.tokenizer import Tokenizer
from spacy.util import compile_prefix_regex, compile_suffix_regex, registry

#: Whole tokens: a name followed by a size/version code ("ImageNet-1K", "LAION-5B", "ImageNet-21k",
#: "MoCo-v2", "YOLO-v3"), possibly after a version number ("Llama-2-7B").
TOKEN_MATCH = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:-\d+(?:\.\d+)?)*-(?:\d+(?:\.\d+)?[A-Za-z]{1,2}|[vV]\d+(?:\.\d+)?)$")

#: Extra prefixes: the word and the full stop glued in front of a URL ("Synthesis.https://...").
#: Extra suffix: punctuation after a URL's final slash ("https://a.github.io/p/." ends with "/").
#: and a full stop after a capital ("https://github.com/hustvl/ViG." ends with "G"; blank English only splits
#: one after a lower-case letter or after two capitals).
URL_END_SUFFIXES = (r"(?<=/)[.,;:]", r"(?<=[A-Z])\.")

URL_GLUE_PREFIXES = (r"https?://\S+?(?=[.~{]https?://)", r"[^\s.~{]+(?=[.~{]https?://)", r"[.~{](?=https?://)",
                     # a Markdown link: "[GitHub](https://github.com/x/y)" -> "[", "GitHub", "]", "(", URL, ")"
                     r"[^\s\[\]()]+(?=\]\(https?://)", r"\](?=\(https?://)")


def customize(tokenizer: Tokenizer) -> Tokenizer:
    """Apply paperkg's changes to a spaCy English tokenizer (in place) and return it.

    >>> import spacy
    >>> nlp = spacy.blank("en"); _ = customize(nlp.tokenizer)
    >>> [t.text for t in nlp("ImageNet-1K, MoCo-v2 and Synthesis.https://github.com/x/y.")]
    ['ImageNet-1K', ',', 'MoCo-v2', 'and', 'Synthesis', '.', 'https://github.com/x/y', '.']
    >>> [t.text for t in nlp("at https://github.com/a/b.https://github.com/a/b.")]
    ['at', 'https://github.com/a/b', '.', 'https://github.com/a/b', '.']
    >>> [t.text for t in nlp("at https://github.com/a/b{https://github.com/a/b}.")]
    ['at', 'https://github.com/a/b', '{', 'https://github.com/a/b', '}', '.']
    >>> [t.text for t in nlp("at https://a.github.io/p/. See https://github.com/hustvl/ViG.")]
    ['at', 'https://a.github.io/p/', '.', 'See', 'https://github.com/hustvl/ViG', '.']
    >>> [t.text for t in nlp("Code: [our code](https://github.com/x/y).")]
    ['Code', ':', '[', 'our', 'code', ']', '(', 'https://github.com/x/y', ')', '.']
    """
    tokenizer.token_match = TOKEN_MATCH.match
    prefixes = list(URL_GLUE_PREFIXES) + list(English.Defaults.prefixes)
    tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    suffixes = list(URL_END_SUFFIXES) + list(English.Defaults.suffixes)
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return tokenizer


@registry.tokenizers("paperkg.tokenizer.v1")
def create_tokenizer():
    """The registered tokenizer factory (``[nlp.tokenizer] @tokenizers = "paperkg.tokenizer.v1"``)."""
    default = registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp) -> Tokenizer:
        return customize(default(nlp))

    return make
