"""kg.nlp.extract in worker processes (kg/nlp/parallel.py): same results as one process, bounded, and failing
loudly (a paper the pipeline fails on is named; a killed worker fails the run, it never hangs)."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

import kg.nlp
from kg.errors import OptionError, PipelineError
from kg.nlp import parallel
from kg.sources import read_sources


@pytest.fixture(scope="module")
def nlp():
    return kg.nlp.load()


@pytest.fixture(scope="module")
def corpus():
    return list(read_sources())


@pytest.fixture(scope="module")
def serial(nlp, corpus):
    return list(kg.nlp.extract(corpus, nlp, n_process=1))


@contextmanager
def deadline(seconds: int):
    """Fail the test instead of hanging it (what a lost worker would do to a naive parent)."""

    def expire(signum, frame):
        raise TimeoutError(f"still waiting after {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_two_processes_give_the_same_extractions_in_the_same_order(nlp, corpus, serial):
    # small chunks: 67 of them, answered out of order by the two workers and put back in order
    with deadline(300):
        assert list(kg.nlp.extract(corpus, nlp, n_process=2, batch_size=7)) == serial
    assert sum(len(ex.mentions) for ex in serial) > 5000  # the corpus really was extracted
    assert multiprocessing.active_children() == []


def test_the_input_is_read_lazily_and_held_in_bounded_chunks(nlp, corpus):
    pulled = 0

    def papers():
        nonlocal pulled
        for paper in corpus:
            pulled += 1
            yield paper

    batch = 8
    with deadline(300):
        stream = kg.nlp.extract(papers(), nlp, n_process=2, batch_size=batch)
        assert pulled == 0  # nothing is read before the first extraction is asked for
        first = next(stream)
        assert first.paper == corpus[0]
        assert pulled <= (parallel.CHUNKS_PER_WORKER + 1) * 2 * batch
        held = []
        for ex in stream:  # never more than the bound ahead of what was handed out
            held.append(ex)
            assert pulled - (len(held) + 1) <= (parallel.CHUNKS_PER_WORKER + 1) * 2 * batch
    assert pulled == len(corpus) == len(held) + 1


def test_an_input_of_one_chunk_is_extracted_without_workers(nlp, corpus):
    stream = kg.nlp.extract(corpus[:5], nlp, n_process=2)
    next(stream)
    assert multiprocessing.active_children() == []
    assert len(list(stream)) == 4


def test_an_abandoned_extraction_stops_its_workers(nlp, corpus):
    with deadline(120):
        stream = kg.nlp.extract(corpus, nlp, n_process=2, batch_size=8)
        next(stream)
        assert len(multiprocessing.active_children()) == 2
        stream.close()
    assert multiprocessing.active_children() == []


def test_a_killed_worker_fails_the_run_with_a_clear_error(nlp, corpus):
    with deadline(120):
        stream = kg.nlp.extract(corpus, nlp, n_process=2, batch_size=8)
        got = [next(stream)]
        victim = multiprocessing.active_children()[0]
        os.kill(victim.pid, signal.SIGKILL)
        with pytest.raises(PipelineError) as err:
            got.extend(stream)
    message = str(err.value)
    assert f"NLP worker process {victim.pid} was killed by signal SIGKILL while extracting" in message
    assert "(it held papers " in message and "daily-papers/" in message  # by file and lines
    assert len(got) < len(corpus)  # it did not carry on without that worker's papers
    assert multiprocessing.active_children() == []


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_stop_when_their_parent_is_killed():
    code = ("import multiprocessing, os, kg.nlp\n"
            "from kg.sources import read_sources\n"
            "stream = kg.nlp.extract(list(read_sources()) * 4, kg.nlp.load(), n_process=2, batch_size=8)\n"
            "next(stream)\n"
            "print(' '.join(str(p.pid) for p in multiprocessing.active_children()), flush=True)\n"
            "os.kill(os.getpid(), 9)\n")
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as parent:
        workers = [int(pid) for pid in parent.stdout.readline().split()]  # not to EOF: orphans would hold it
        assert parent.wait(timeout=300) == -signal.SIGKILL
    assert len(workers) == 2
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    orphans = [pid for pid in workers if alive(pid)]
    for pid in orphans:  # do not leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert orphans == []  # no worker left extracting (or blocked on its pipe) forever


@pytest.fixture(scope="module")
def failing_nlp():
    from spacy.language import Language

    @Language.component("test_fails_on_a_marker")
    def fails_on_a_marker(doc):
        if "FAILS-HERE" in doc.text:
            raise ValueError("a component could not cope")
        return doc

    nlp = kg.nlp.load()
    nlp.add_pipe("test_fails_on_a_marker", first=True)
    return nlp


@pytest.mark.parametrize("n_process", [1, 2])
def test_a_paper_the_pipeline_fails_on_is_named_by_file_and_line(failing_nlp, corpus, tmp_path, n_process):
    source = tmp_path / "papers.jsonl"
    records = [{"title": p.title, "abstract": p.abstract} for p in corpus[:40]]
    records[30]["abstract"] += " FAILS-HERE"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    got = []
    with deadline(120), pytest.raises(PipelineError) as err:
        for ex in kg.nlp.extract(read_sources(source), failing_nlp, n_process=n_process, batch_size=4):
            got.append(ex.paper.line)
    assert str(err.value).startswith(f"{source}:31: the NLP pipeline failed on this paper ")
    assert "ValueError: a component could not cope" in str(err.value)
    assert got == list(range(1, 29))  # every chunk before the failing paper's, in order, in both modes
    assert multiprocessing.active_children() == []


def test_bad_settings_are_refused(nlp, corpus):
    with pytest.raises(OptionError, match="n_process: 0 is below 1"):
        kg.nlp.extract(corpus, nlp, n_process=0)
