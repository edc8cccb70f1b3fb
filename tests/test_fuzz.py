"""Property-based fuzzing of the sources (issue 14 item 6): hostile records in the three formats and hostile
whole files never give a traceback, a build exits 0 or 2 with one error line naming the file (and the line of a
bad record), a failed build leaves its output folder as it was (or absent), and --skip-bad keeps every good
record. The generators and checks are in tests/hostile.py; benchmarks/fuzz.py runs thousands of examples.

CI runs few examples (the "ci" profile, the default); HYPOTHESIS_PROFILE=more runs ten times as many. The
builds through the CLI are marked slow.
"""
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import hostile
import kg.nlp

_COMMON = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                      HealthCheck.large_base_example])
settings.register_profile("ci", max_examples=60, **_COMMON)
settings.register_profile("more", max_examples=600, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@settings(PROFILE)
@given(case=hostile.hostile_files)
def test_any_source_file_reads_as_papers_or_one_error_naming_the_file(case):
    with tempfile.TemporaryDirectory() as folder:
        hostile.check_reader(case.write(Path(folder)), case)


@settings(PROFILE, max_examples=max(2, PROFILE.max_examples // 4))
@given(case=hostile.record_files("daily") | hostile.record_files("jsonl") | hostile.record_files("arxiv"))
def test_urls_and_text_of_hostile_records_become_valid_rdf(case):
    with tempfile.TemporaryDirectory() as folder:
        hostile.check_reader(case.write(Path(folder)), case)


@pytest.fixture(scope="module")
def pipeline():
    """The real pipeline, loaded once for the module's builds (each `kg build` would load it again)."""
    return kg.nlp.load()


@pytest.fixture(scope="module")
def existing(tmp_path_factory):
    """An output folder built before, which a failed build must leave as it was."""
    out = tmp_path_factory.mktemp("existing") / "out"
    code, _, stderr = hostile.cli_invoker()(["build", str(hostile.Path(__file__).parent / "data" / "sources" /
                                                         "papers.jsonl"), "--out", str(out), "-q", "--n-process", "1"])
    assert code == 0, stderr
    return out


@pytest.mark.slow
def test_kg_build_of_hostile_files(pipeline, existing, monkeypatch):
    monkeypatch.setattr(kg.nlp, "load", lambda *args, **kwargs: pipeline)  # the same real pipeline, loaded once
    invoke = hostile.cli_invoker()

    @settings(PROFILE, max_examples=max(3, PROFILE.max_examples // 6))
    @given(case=hostile.hostile_files)
    def build(case):
        with tempfile.TemporaryDirectory() as folder:
            path = case.write(Path(folder))
            hostile.check_cli(invoke, path, case, Path(folder), existing)

    build()
