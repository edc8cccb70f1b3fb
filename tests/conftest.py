import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))  # for small_corpus


@pytest.fixture(scope="session")
def small_dataset():
    """The hand-annotated three-paper fixture as an rdflib Dataset (see tests/small_corpus.py)."""
    from small_corpus import dataset

    return dataset()


@pytest.fixture(scope="session")
def small_graph(small_dataset):
    from kg.export import union_graph

    return union_graph(small_dataset)
