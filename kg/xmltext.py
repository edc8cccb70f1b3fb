"""Text that XML 1.0 can hold: the one rule for every XML file paperkg writes (RDF/XML, GraphML).

A literal holding a character XML 1.0 does not allow is written with U+FFFD in its place, so that the file
is well-formed; the sources already turn control characters into spaces, so this is for graphs from elsewhere.
"""
from __future__ import annotations

import re

#: Characters XML 1.0 does not allow (C0 controls but tab, line feed and carriage return; lone surrogates;
#: U+FFFE, U+FFFF).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 does not allow replaced by U+FFFD.

    >>> xml_text("A\x01B\uffff") == "A\ufffdB\ufffd"
    True
    """
    return XML_INVALID.sub("\ufffd", text) if XML_INVALID.search(text) else text


__all__ = ["XML_INVALID", "xml_text"]
