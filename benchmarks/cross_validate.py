"""Cross-validated extraction quality: rules alone, the span model alone, and both through the resolver.

Usage: python benchmarks/cross_validate.py [GOLD ...] [--work DIR] [--end-to-end]   (prints figures; asserts nothing)

5 folds by source over the repository's gold papers (``training/gold``; one corpus file or venue listing stays in
one fold): for each fold, a span model and a resolver trained on the other four predict it. This is what
``kg train`` does to fit the resolver, so the figures come with every training run; this script prints them with
more detail. ``other`` is the papers from outside the bundled sample corpus (ICLR, ACL, NAACL, COLING): the figure
that predicts what a new user meets.

``--end-to-end`` also builds each fold's graph with the real pipeline (``kg.build`` with the fold's model folder)
and scores it with :func:`kg.evaluate.evaluate` (the shared scorer's rules), pooling the counts of the five folds:
a check that the in-memory figures are what the built graph gives.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from kg.evaluate import TYPES, evaluate
from kg.nlp import train as training


def end_to_end(work: Path, gold: list[str]) -> None:
    import kg
    from kg.evaluate import _prf

    papers, _ = training.read_training_gold(gold)
    folds = training.source_folds(papers)
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for k in sorted(set(folds)):
        fold = [g for g, f in zip(papers, folds) if f == k]
        src, ref = work / f"fold{k}" / "papers.jsonl", work / f"fold{k}" / "gold.jsonl"
        with src.open("w", encoding="utf-8") as fs, ref.open("w", encoding="utf-8") as fr:
            for g in fold:
                fs.write(json.dumps({"title": g.title, "abstract": g.abstract}) + "\n")
                fr.write(json.dumps({"title": g.title, "entities": [
                    {"name": e.name, "aliases": list(e.aliases), "type": e.type, **({"role": e.role} if e.role else {})}
                    for e in g.entities], "code": list(g.code)}) + "\n")
        graph = kg.build(src, nlp=kg.nlp(model=work / f"fold{k}"))
        for subset, keep in (("all", lambda g: True), ("other", lambda g: not training.in_sample_corpus(g))):
            ids = [g for g in fold if keep(g)]
            if not ids:
                continue
            sub = work / f"fold{k}" / f"gold-{subset}.jsonl"
            titles = {g.title for g in ids}
            sub.write_text("".join(line for line in ref.read_text(encoding="utf-8").splitlines(keepends=True)
                                   if json.loads(line)["title"] in titles), encoding="utf-8")
            scores = evaluate(graph, sub).scores
            for key in (*TYPES, "proposed", "used", "code"):
                for i, name in enumerate(("tp", "pred", "gold")):
                    counts[subset][key][i] += scores[key][name]
    for subset, by in counts.items():
        typed = [sum(by[t][i] for t in TYPES) for i in range(3)]
        row = {"typed_micro": _prf(*typed), **{k: _prf(*v) for k, v in by.items()}}
        print(f"end to end ({subset}): " + "  ".join(f"{k} {v['f1']:.3f}" for k, v in row.items())
              + f"  (P {row['typed_micro']['p']:.3f} R {row['typed_micro']['r']:.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="*", default=[str(training.DEFAULT_GOLD_DIR)], help="gold files or folders")
    ap.add_argument("--work", default=None, help="keep the fold models and data here (default: a temporary folder)")
    ap.add_argument("--end-to-end", action="store_true", help="also build and score each fold's graph")
    ap.add_argument("--exclude", default=None, help="gold file never trained on (e.g. ../shared/eval/dev.jsonl)")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="kg-cv-"))
    t0 = time.perf_counter()
    report = training.train(work / "model", gold=args.gold, exclude=args.exclude, work_dir=work)
    print(training.format_report(report))
    print(f"({time.perf_counter() - t0:.0f} s; fold models in {work})")
    if args.end_to_end:
        end_to_end(work, args.gold)


if __name__ == "__main__":
    main()
