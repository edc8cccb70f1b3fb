"""Ablation of the NLP stage: dev figures as candidate sources are added one by one, then the role logic.

Usage:  python benchmarks/ablation.py [GOLD.jsonl] [--sources PATH ...] [--keep DIR]
        (GOLD defaults to ../shared/eval/dev.jsonl relative to the repository)

Each row builds the graph of the bundled corpus (all 468 papers, so cross-paper linking is as in
``kg build``) with a pipeline from ``kg.nlp.load(exclude=..., ner=...)``, saves it as Turtle and scores it
with the shared scorer's ``score()`` (the same figures as ``python score.py graph.ttl GOLD``).

Rows are cumulative:
  catalogue only       paperkg_catalogue (no task/metric phrases, abbreviations, new names, NER); no roles
  + task/metric phrases paperkg_task_phrases, paperkg_metric_phrases
  + abbreviations      paperkg_abbreviations
  + new names          paperkg_new_names
  + trained NER        paperkg_ner (kg/nlp/models/ner)
  + roles              paperkg_roles: the full pipeline with the NER
and, for reference, ``rules + roles (no NER)``: the full pipeline without the NER.

"Without roles" means ``paperkg_roles`` is replaced by a component that marks every Method / Architecture /
Dataset entity ``used`` with no finer relation (``evaluatesOn`` ...), so every such link is plain
``kgo:uses``/``usesX`` and nothing is ``proposes``. (Removing the pipe alone would not do: the new-name
candidates carry ``role="proposed"`` and the entity resolver copies it; the graph would then mix rule and
no-rule roles.) Typed figures do not depend on roles (a link of either kind counts); ``proposed`` and
``used`` do. Code links are the same in every row.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = REPO.parent / "shared" / "eval" / "dev.jsonl"
TYPES = ("Method", "Architecture", "Dataset", "Task", "Metric")

LATER = ("paperkg_task_phrases", "paperkg_metric_phrases", "paperkg_abbreviations", "paperkg_new_names")
#: (row name, pipes excluded, NER on, roles on)
ROWS = (
    ("catalogue only", LATER, False, False),
    ("+ task/metric phrases", LATER[2:], False, False),
    ("+ abbreviations", LATER[3:], False, False),
    ("+ new names", (), False, False),
    ("+ trained NER", (), True, False),
    ("+ roles (all)", (), True, True),
    ("rules + roles (no NER)", (), False, True),
)


def _scorer(gold: Path):
    """The shared scorer module (score.py beside the gold file, else ../shared/eval/score.py)."""
    for cand in (gold.parent / "score.py", DEFAULT_GOLD.parent / "score.py"):
        if cand.exists():
            spec = spec_from_file_location("paperkg_shared_score", cand)
            mod = module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    sys.exit(f"cannot find the shared scorer score.py near {gold}")


def _register_all_used():
    from spacy.language import Language

    from kg.nlp.roles import ROLE_LABELS

    if "ablation_all_used" not in Language.factories:
        @Language.component("ablation_all_used")
        def all_used(doc):
            for ent in doc.ents:
                ent._.paperkg_role = "used" if ent.label_ in ROLE_LABELS else None
                ent._.paperkg_relation = None
            return doc


def pipeline(excluded, ner: bool, roles: bool):
    import kg.nlp

    nlp = kg.nlp.load(ner=ner, exclude=tuple(excluded) + (() if roles else ("paperkg_roles",)))
    if not roles:
        _register_all_used()
        nlp.add_pipe("ablation_all_used", last=True)
    return nlp


def run(gold: Path, sources=None, keep: Path | None = None) -> list[tuple[str, dict, float]]:
    import kg

    scorer = _scorer(gold)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, excluded, ner, roles in ROWS:
            t0 = time.perf_counter()
            graph = kg.build(sources, nlp=pipeline(excluded, ner, roles))
            path = (keep or Path(tmp)) / (name.strip("+ ").replace(" ", "_").replace("(", "").replace(")", "") + ".ttl")
            path.parent.mkdir(parents=True, exist_ok=True)
            graph.save(str(path))
            res = scorer.score(str(path), str(gold))
            out.append((name, res, time.perf_counter() - t0))
            print(f"  {name}: typed F1 {res['typed_micro']['f1']} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return out


def table(rows) -> str:
    head = f"{'pipeline':24s} {'typed P':>7s} {'typed R':>7s} {'typed F1':>8s} " + " ".join(
        f"{t[:5]:>5s}" for t in TYPES) + f" {'prop F1':>7s} {'used F1':>7s}"
    lines = [head, "-" * len(head)]
    for name, r, _ in rows:
        tm = r["typed_micro"]
        lines.append(f"{name:24s} {tm['p']:7.3f} {tm['r']:7.3f} {tm['f1']:8.3f} "
                     + " ".join(f"{r[t]['f1']:5.3f}" for t in TYPES)
                     + f" {r['proposed']['f1']:7.3f} {r['used']['f1']:7.3f}")
    lines.append("(per-type columns are F1; prop/used: role F1; rows are cumulative, see the docstring)")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold", nargs="?", type=Path, default=DEFAULT_GOLD, help="gold JSONL (default: %(default)s)")
    ap.add_argument("--sources", nargs="*", default=None, help="papers to build from (default: the bundled corpus)")
    ap.add_argument("--keep", type=Path, default=None, help="keep each row's graph.ttl in this directory")
    args = ap.parse_args(argv)
    if not args.gold.exists():
        sys.exit(f"gold file {args.gold} not found; pass its path")
    print(table(run(args.gold, args.sources, args.keep)))


if __name__ == "__main__":
    main()
