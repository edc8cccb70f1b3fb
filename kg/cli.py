"""The ``kg`` command: a thin shell over the library (one short function per command).

Every command prints its result on stdout. Errors of every kind (bad input, a bad option, a failure) print one
line ``kg: error: …`` on stderr and exit with the status of :data:`EXIT_CODES`. Global options (``-v``, ``-q``,
``--version``) come before the command; logging is configured once, with one handler on stderr.
"""
from __future__ import annotations

import enum
import functools
import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional

import typer
from typer.core import TyperGroup

try:  # typer 0.2x vendors its own click, whose exceptions are not the click package's
    from typer import _click as click
except ImportError:  # older typer runs on click itself
    import click  # type: ignore[no-redef]

from .errors import KGError, QueryError
from .push import PUSH_CHUNK_QUADS

#: Exit statuses of ``kg`` (documented in ``kg --help`` and the README, tested).
EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_CODES = {EXIT_OK: "ok", EXIT_FAILURE: "failure", EXIT_BAD_INPUT: "bad input or usage (a bad file, record, "
              "option, query or format)", EXIT_INTERRUPTED: "interrupted (Ctrl-C)"}
#: Environment variables that give the defaults of ``--store`` and ``--out``.
ENV_STORE, ENV_OUT = "KG_STORE", "KG_OUT"

DEFAULT_OUT = Path("out")

log = logging.getLogger("kg")


def _fail(message: str, code: int) -> None:
    """The one error shape: ``kg: error: …`` on one line of stderr."""
    typer.echo(f"kg: error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(code)


#: click >= 8.2 raises this for a bare `kg` (no_args_is_help); older click prints the help itself.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _Group(TyperGroup):
    """Typer's group, with click's usage errors in the same one-line shape as every other error (instead of
    a rich panel) and the exit statuses of :data:`EXIT_CODES`."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        saved = log.level, log.propagate, list(log.handlers)  # the run's logging set-up ends with it
        try:
            return self._run(args, prog_name, complete_var, standalone_mode, **extra)
        finally:
            log.setLevel(saved[0])
            log.propagate = saved[1]
            log.handlers[:] = saved[2]

    def _run(self, args: Any, prog_name: Any, complete_var: Any, standalone_mode: bool, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as err:  # bare `kg`: the help, as before
            text = err.ctx.get_help() if err.ctx else ""  # typer's rich help prints itself and returns ""
            if text:
                typer.echo(text, err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.exceptions.ClickException as err:
            where = f" (see {err.ctx.command_path} --help)" if getattr(err, "ctx", None) is not None else ""
            message = err.format_message().replace("Value error, ", "")  # pydantic's prefix on a bad choice
            typer.echo(f"kg: error: {' '.join(message.split())}{where}", err=True)
            sys.exit(EXIT_BAD_INPUT if isinstance(err, click.exceptions.UsageError) else err.exit_code)
        except typer.Abort:  # EOF on a prompt
            typer.echo("kg: error: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


app = typer.Typer(
    cls=_Group,
    help="paperkg: build a knowledge graph of ML papers (methods, datasets, architectures, tasks, metrics, code) "
         "from their text, query it with SPARQL and explore it as HTML.",
    epilog="Exit status: " + "; ".join(f"{code} {what}" for code, what in EXIT_CODES.items()) + ".  "
           f"Environment: {ENV_STORE} (default --store), {ENV_OUT} (default --out, and its store/ the default "
           "--store).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, enum.Enum):
    """``kg query --format``: the human table, or a standard format written by Oxigraph (kg.store.ANSWER_FORMATS)."""

    table = "table"
    json = "json"
    xml = "xml"
    csv = "csv"
    tsv = "tsv"
    turtle = "turtle"
    ntriples = "ntriples"
    jsonld = "jsonld"
    rdfxml = "rdfxml"


class SourceFormat(str, enum.Enum):
    """``--format`` of ``kg build`` / ``kg add``: :data:`kg.sources.FORMATS`."""

    daily = "daily"
    jsonl = "jsonl"
    arxiv = "arxiv"


class ViewKind(str, enum.Enum):
    """``kg view --kind``: the overview, or :data:`kg.view.KINDS`."""

    overview = "overview"
    papers = "papers"
    entities = "entities"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (a test runner swaps it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class _LineFormatter(logging.Formatter):
    """``kg: warning: …``, the shape of ``kg: error: …``."""

    def format(self, record: logging.LogRecord) -> str:
        return f"kg: {record.levelname.lower()}: {super().format(record)}"


def setup_logging(verbose: int = 0, quiet: bool = False) -> None:
    """Configure the ``kg`` logger once per run: one handler on stderr, lines ``kg: warning: …``; level WARNING,
    INFO with ``-v``, DEBUG with ``-vv``, ERROR with ``-q``. Calling it again replaces the handler, never adds one.
    """
    level = logging.ERROR if quiet else logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 \
        else logging.DEBUG
    for handler in [h for h in log.handlers if isinstance(h, _StderrHandler)]:
        log.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(_LineFormatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False  # one handler: not also the root logger's


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"kg (paperkg) {version('paperkg')}")
        raise typer.Exit()


@app.callback()
def _global(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="Say more on stderr: -v what each step "
                                                                       "did, -vv debugging detail."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors on stderr: no progress, no warnings."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Global options, given before the command: kg -v build, kg -q add more.jsonl."""
    setup_logging(verbose, quiet)
    _RUN["quiet"] = quiet


#: This run's global options (set by the callback, which runs before every command).
_RUN = {"quiet": False}


def _quiet(quiet: bool) -> bool:
    """Whether this run is quiet: the command's own ``-q`` (same as ``kg -q``) or the global one."""
    if quiet and not _RUN["quiet"]:
        setup_logging(quiet=True)
        _RUN["quiet"] = True
    return _RUN["quiet"]


def _errors(fn: Callable) -> Callable:
    """Turn a KGError, an OS error or Ctrl-C into one line on stderr and the exit status of EXIT_CODES."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KGError as err:
            log.debug("%s", type(err).__name__, exc_info=True)
            _fail(str(err), err.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", EXIT_INTERRUPTED)
        except BrokenPipeError:  # stdout closed early (kg query … | head): what was read is all that was wanted
            _quiet_broken_pipe()
            raise typer.Exit(EXIT_OK) from None
        except OSError as err:  # a file or folder the library could not read or write, named by the message
            log.debug("%s", type(err).__name__, exc_info=True)
            _fail(str(err), EXIT_FAILURE)

    return wrapper


def _quiet_broken_pipe() -> None:
    """The reader of stdout went away (``kg query … | head -1``): what it read is all it wanted, and the command
    has done its work, so exit 0 without a traceback; stdout goes to /dev/null so that the final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # no real stdout (a test runner's): nothing to flush into the closed pipe


def _default_store() -> Path:
    """The store when neither --store nor --graph is given: $KG_OUT/store, else out/store."""
    return Path(os.environ.get(ENV_OUT) or DEFAULT_OUT) / "store"


def _open(store: Optional[Path], graph: Optional[Path]):
    """The graph to work on: --graph FILE, else --store DIR, else the default build output."""
    from .knowledge_graph import load

    if store and graph:
        raise QueryError("give either --store or --graph, not both")
    if graph:
        return load(graph)
    return load(store or _default_store())


#: Options that `kg build` and `kg add` share (how sources are read and processed).
_FORMAT_OPTION = typer.Option(None, "--format", "-f", help="Source format (default: from the file extension).")
_SKIP_BAD_OPTION = typer.Option(False, "--skip-bad", help="Report bad records and go on instead of stopping.")
_N_PROCESS_OPTION = typer.Option(None, "--n-process", help="Processes for the NLP pipeline (default: the CPU cores "
                                                           "available to kg).")
_QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="Same as kg -q: only errors on stderr, no progress (there "
                                                          "is none anyway when stderr is not a terminal).")
_OUT_OPTION = typer.Option(DEFAULT_OUT, "--out", "-o", envvar=ENV_OUT, show_envvar=True,
                           help="Output folder for graph.ttl, store/ and explorer.html.")
_STORE_OPTION = typer.Option(None, "--store", envvar=ENV_STORE, show_envvar=True,
                             help=f"Store folder (default: ${ENV_OUT}/store, else {DEFAULT_OUT}/store).")
_SCHEDULER_OPTION = typer.Option(None, "--scheduler", metavar="tcp://HOST:8786",
                                 help="Run the NLP on this Dask cluster's workers (pip install 'paperkg[dask]' here "
                                      "and on the workers); the rest of the build runs here.")
_MODEL_OPTION = typer.Option(None, "--model", help="Model folder written by `kg train` (spans/, resolver.json); "
                                                   "default: the shipped one.")


def _quiet_dask_logs() -> None:
    """Keep Dask's client from logging its own view of a failure (tracebacks, reconnection attempts) on stderr
    before kg's one-line error says what happened. Its handlers are installed when it is imported."""
    import logging

    try:
        import distributed  # noqa: F401  (configures the loggers quieted below)
    except ImportError:
        return  # the build says that Dask is missing
    for name in ("distributed", "distributed.client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _nlp(model: Optional[Path]):
    """The pipeline with the model folder ``model``, or None (the library's default, the shipped model)."""
    if model is None:
        return None
    from .nlp import load

    return load(model=model)
_CATEGORY_OPTION = typer.Option(None, "--category", metavar="CATS",
                                help="Keep only papers in these categories, e.g. cs.LG,cs.CV (comma-separated or "
                                     "repeated; an entry ending in '.' is a prefix: cs.). Records without "
                                     "categories are left out.")
_SINCE_OPTION = typer.Option(None, "--since", metavar="YYYY-MM-DD",
                             help="Keep only papers dated on or after this day (arXiv: the first version's date).")
_UNTIL_OPTION = typer.Option(None, "--until", metavar="YYYY-MM-DD",
                             help="Keep only papers dated on or before this day.")
_LIMIT_OPTION = typer.Option(None, "--limit", metavar="N",
                             help="Read at most N papers (counted after the filters and dropping duplicates).")


def _filter(category: Optional[List[str]], since: Optional[str], until: Optional[str], limit: Optional[str]):
    """The PaperFilter the source options ask for, or None."""
    if not category and since is None and until is None and limit is None:
        return None
    from .sources import PaperFilter

    return PaperFilter(categories=tuple(category or ()), since=since, until=until, limit=limit)


def _read_line(r) -> str:
    """'read 2 files: 9 records, 3 filtered out, …' (the filter's part only when it excluded something)."""
    records = f"{r.records + r.filtered:,} records"
    if r.filtered:
        lacking = f" ({r.filtered_no_field:,} without the categories or date compared)" if r.filtered_no_field else ""
        records += f", {r.filtered:,} filtered out{lacking}"
    return f"read {r.files} files: {records}"


@app.command()
@_errors
def build(
    sources: List[Path] = typer.Argument(None, help="Files or folders of papers (.txt listings, .jsonl, arXiv "
                                                    "snapshot). Default: the bundled sample corpus."),
    out: Path = _OUT_OPTION,
    format: Optional[SourceFormat] = _FORMAT_OPTION,
    skip_bad: bool = _SKIP_BAD_OPTION,
    n_process: Optional[int] = _N_PROCESS_OPTION,
    category: Optional[List[str]] = _CATEGORY_OPTION,
    since: Optional[str] = _SINCE_OPTION,
    until: Optional[str] = _UNTIL_OPTION,
    limit: Optional[str] = _LIMIT_OPTION,
    quiet: bool = _QUIET_OPTION,
    model: Optional[Path] = _MODEL_OPTION,
    scheduler: Optional[str] = _SCHEDULER_OPTION,
    allow_empty: bool = typer.Option(False, "--allow-empty", help="Write the outputs even if no paper was read "
                                                                  "(by default that is an error, exit status 2, "
                                                                  "and the previous outputs stay)."),
) -> None:
    """Build the graph: read papers, extract entities and code links, write Turtle, the store and the explorer.

    Example: kg build --out out   (the bundled sample corpus)

    Example: kg build arxiv-metadata-oai-snapshot.json --category cs.LG --since 2024-01-01 --limit 10000

    Example: kg build papers.jsonl --scheduler tcp://10.0.0.5:8786   (the NLP on a Dask cluster)
    """
    from .knowledge_graph import build as build_graph

    paper_filter = _filter(category, since, until, limit)
    if scheduler is not None:
        _quiet_dask_logs()
    g = build_graph(sources or None, out=out, format=format and format.value, skip_bad=skip_bad,
                    filter=paper_filter, n_process=n_process, scheduler=scheduler,
                    progress=False if _quiet(quiet) else None, nlp=_nlp(model), allow_empty=allow_empty)
    r = g.report  # the first skipped records were logged once as they were read (kg: warning: skipped bad record: …)
    _echo_skipped(r)
    typer.echo(f"{_read_line(r)}, {r.duplicates} duplicates dropped, "
               f"{r.bad_records} bad records skipped -> {r.papers} papers ({r.seconds:.1f} s)")
    typer.echo(_format_stats(g.stats()))
    _echo_outputs(out)


@app.command()
@_errors
def add(
    sources: List[Path] = typer.Argument(..., help="Files or folders of papers to add (.txt listings, .jsonl, "
                                                   "arXiv snapshot)."),
    out: Path = typer.Option(DEFAULT_OUT, "--out", "-o", envvar=ENV_OUT, show_envvar=True,
                             help="Output folder of an earlier `kg build`."),
    format: Optional[SourceFormat] = _FORMAT_OPTION,
    skip_bad: bool = _SKIP_BAD_OPTION,
    n_process: Optional[int] = _N_PROCESS_OPTION,
    category: Optional[List[str]] = _CATEGORY_OPTION,
    since: Optional[str] = _SINCE_OPTION,
    until: Optional[str] = _UNTIL_OPTION,
    limit: Optional[str] = _LIMIT_OPTION,
    quiet: bool = _QUIET_OPTION,
    model: Optional[Path] = _MODEL_OPTION,
) -> None:
    """Add papers to a built graph, updating its store in place (only new or changed papers are extracted).

    A paper already in the graph is skipped if its record is the same, re-extracted and replaced if it
    changed. Only the changed papers' graphs and the entities they touch are rewritten, crash-safely:
    Ctrl-C or kill -9 leaves the store, graph.ttl and explorer.html all as they were or all updated, and a
    second writer is refused.

    Example: kg add more-papers.jsonl --out out
    """
    from .knowledge_graph import STORE_DIR, load
    from .outputs import recover
    from .store import is_store

    paper_filter = _filter(category, since, until, limit)
    recover(out)  # finish what a writer killed mid-way left
    if not is_store(out / STORE_DIR):
        raise KGError(f"no store at {out / STORE_DIR} to add to; build one first: kg build --out {out}")
    g = load(out)
    r = g.add(sources, format=format and format.value, skip_bad=skip_bad, filter=paper_filter,
              n_process=n_process, progress=False if _quiet(quiet) else None, nlp=_nlp(model))
    _echo_skipped(r)
    typer.echo(f"{_read_line(r)} -> {r.papers} papers added, {r.updated} re-extracted, "
               f"{r.duplicates} already in the graph or repeated, {r.bad_records} bad records skipped "
               f"({r.seconds:.1f} s)")
    typer.echo(_format_stats(g.stats()))
    _echo_outputs(out)


@app.command()
@_errors
def train(
    gold: List[Path] = typer.Argument(None, help="Gold files or folders (default: training/gold, in a clone of the "
                                                 "repository)."),
    out: Path = typer.Option(Path("models"), "--out", "-o", help="Folder to write the model to (spans/, "
                                                                 "resolver.json, report.json); replaced when complete."),
    config: Optional[Path] = typer.Option(None, "--config", help="spaCy config of the span model (default: "
                                                                 "training/spans.cfg)."),
    exclude: Optional[Path] = typer.Option(None, "--exclude", help="Gold file whose papers are never trained on "
                                                                   "(e.g. the evaluation set)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed and data give the same model."),
    check: bool = typer.Option(False, "--check", help="Only check the gold files: list every entity whose name is "
                                                      "not written in its paper's text, and exit."),
    parallel: int = typer.Option(2, "--parallel", help="spaCy training runs at once (one core each)."),
    unlabeled: Optional[Path] = typer.Option(None, "--unlabeled", help="Unlabelled abstracts (JSON lines, .gz) the "
                                             "span model's tok2vec is pretrained on (default: "
                                             "training/unlabeled/abstracts-cc-by.jsonl.gz)."),
) -> None:
    """Train the span model and the resolver on gold papers; print cross-validated figures.

    The span model's tok2vec is first pretrained on unlabelled abstracts (--unlabeled). Out-of-fold candidates for
    the resolver come from 5 span models trained by source fold; a sixth is trained on every paper. CPU only,
    fixed seed, nothing downloaded; about 26 minutes on 2 cores. The shipped model is in kg/nlp/models; use
    another with `kg build --model DIR`.

    Example: kg train --out models && kg build --model models --out out
    """
    from .nlp import train as training

    sources = list(gold) if gold else [training.DEFAULT_GOLD_DIR]
    if check:
        problems = training.check(sources, exclude)
        for line in problems:
            typer.echo(line)
        typer.echo(f"{len(problems)} entities not written in their text" if problems else "no problems")
        raise typer.Exit(1 if problems else 0)
    if not _quiet(False) and log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)  # a 26-minute run reports its steps unless asked to be quiet
    report = training.train(out, gold=sources, config=config or training.DEFAULT_CONFIG, exclude=exclude, seed=seed,
                            parallel=parallel, unlabeled=unlabeled)
    typer.echo(training.format_report(report))


def _echo_skipped(r) -> None:
    """The bad records skipped past the first few, which were logged as they were read
    (kg.sources.MAX_REPORTED_BAD): one line with their count."""
    if r.bad_records > len(r.skipped):
        log.warning("skipped … and %s more bad records", f"{r.bad_records - len(r.skipped):,}")


def _echo_outputs(out: Path) -> None:
    from .knowledge_graph import EXPLORER_FILE, GRAPH_FILE, STORE_DIR

    typer.echo("wrote " + ", ".join(str(out / name) for name in (GRAPH_FILE, STORE_DIR, EXPLORER_FILE)))


def _format_stats(stats: dict[str, int]) -> str:
    return "\n".join(f"  {k:<20} {v:>8,}" for k, v in stats.items())


def _parse_params(params: List[str]) -> dict[str, str]:
    out = {}
    for p in params:
        key, sep, value = p.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {p!r}: expected key=value")
        out[key.strip()] = value
    return out


@app.command()
@_errors
def query(
    sparql: Optional[str] = typer.Argument(None, help="A SPARQL query, or the path of a .rq file."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Run a named query (see --list)."),
    param: List[str] = typer.Option([], "--param", "-p", help="key=value bound safely to ?key (repeatable)."),
    store: Optional[Path] = _STORE_OPTION,
    graph: Optional[Path] = typer.Option(None, "--graph", help="Query an RDF file (.ttl, .trig, .nq …) instead."),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                        help="table (for people), or as the SPARQL endpoint writes it: json, xml, "
                                             "csv, tsv (SELECT, ASK; json and xml also fit a graph: JSON-LD, "
                                             "RDF/XML), turtle, ntriples, jsonld, rdfxml (CONSTRUCT, DESCRIBE)."),
    list_: bool = typer.Option(False, "--list", help="List the named queries and exit."),
) -> None:
    """Answer a SPARQL query from the store or a graph file.

    Example: kg query --name papers-using-dataset --param dataset=ImageNet
    """
    from .query import list_named_queries

    if list_:
        for q in list_named_queries():
            params = " ".join(f"--param {p}=…" for p in q.params)
            typer.echo(f"{q.name:<28} {q.description} {params}".rstrip())
        return
    if name and sparql:
        raise QueryError("give a query or --name, not both")
    if name:
        text = None
    elif sparql is None:
        raise QueryError("give a SPARQL query, a .rq file, or --name NAME (kg query --list shows the names)")
    elif sparql.strip().endswith(".rq") or (len(sparql) < 4096 and Path(sparql).is_file()):
        path = Path(sparql)
        if not path.is_file():
            raise QueryError(f"{path}: no such query file")
        text = path.read_text(encoding="utf-8")
    else:
        text = sparql
    g = _open(store, graph)
    params = _parse_params(param)
    if format is OutputFormat.table:
        result = g.named_query(name, **params) if name else g.query(text, **params)
        typer.echo(result.to_table())
        return
    from .query import named_query_text
    from .store import ANSWER_FORMATS

    if name:
        text, params = named_query_text(name, params)
    results_format, graph_format = ANSWER_FORMATS[format.value]
    result = g.store.query_serialized(text, results_format=results_format, graph_format=graph_format,
                                      bindings=params)
    if result.format is None:
        fits = [n for n, pair in ANSWER_FORMATS.items() if pair[1 if result.kind == "graph" else 0]]
        what = "CONSTRUCT/DESCRIBE" if result.kind == "graph" else "SELECT/ASK"
        raise QueryError(f"--format {format.value}: a {what} answer cannot be written as {format.value}; use table "
                         "or one of " + ", ".join(fits))
    typer.get_binary_stream("stdout").write(result.data)


@app.command()
@_errors
def view(
    out: Path = typer.Option(Path("explorer.html"), "--out", "-o", help="HTML file to write."),
    store: Optional[Path] = _STORE_OPTION,
    graph: Optional[Path] = typer.Option(None, "--graph", help="Read an RDF file instead of the store."),
    focus: Optional[str] = typer.Option(None, "--focus", help="Label or alias of an entity, or a paper title."),
    hops: int = typer.Option(1, "--hops", help="With --focus: how many links away to show."),
    kind: ViewKind = typer.Option(ViewKind.overview, "--kind", help="overview: the most linked entities and their "
                                  "communities (the default; with --focus: papers); papers: papers, their entities "
                                  "and code; entities: methods, architectures and datasets linked by how many papers "
                                  "use them together."),
    budget: Optional[int] = typer.Option(None, "--budget", help="Most nodes to draw (default 120 for the overview, "
                                                                "300 otherwise; the page stays responsive up to about "
                                                                "1000)."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", help="Hide links whose best evidence is weaker."),
    live: bool = typer.Option(False, "--live", help="Embed only the search index, not every link and abstract: "
                              "focus then comes from `kg serve` (the default above 20,000 papers)."),
) -> None:
    """Write the interactive HTML explorer (works offline; every paper and entity can be searched for and
    focused on).

    Example: kg view --focus ImageNet --hops 1 --out imagenet.html
    """
    options: dict = {"budget": budget} if budget is not None else {}
    if focus is not None or kind is not ViewKind.overview or min_confidence:
        options.update(focus=focus, hops=hops, min_confidence=min_confidence,
                       kind="papers" if kind is ViewKind.overview else kind.value)
    path = _open(store, graph).view(out, embed=False if live else None, **options)
    typer.echo(f"wrote {path}")


@app.command()
@_errors
def stats(
    store: Optional[Path] = _STORE_OPTION,
    graph: Optional[Path] = typer.Option(None, "--graph", help="Read an RDF file instead of the store."),
) -> None:
    """Count papers, entities by type, links and evidence.

    Example: kg stats --graph out/graph.ttl
    """
    typer.echo(_format_stats(_open(store, graph).stats()))


@app.command()
@_errors
def export(
    to: Path = typer.Argument(..., help="Output file: .ttl, .nt, .nq, .trig, .jsonld, .rdf, .graphml, or .csv "
                                        "(X.csv writes the pair X.nodes.csv and X.edges.csv)."),
    store: Optional[Path] = _STORE_OPTION,
    graph: Optional[Path] = typer.Option(None, "--graph", help="Read an RDF file instead of the store."),
) -> None:
    """Export the graph to an RDF file, to GraphML (Gephi, yEd, Cytoscape) or to CSV (Gephi, spreadsheets).

    CSV: TO=X.csv writes two UTF-8 files, both or neither, with the nodes and
    edges of the GraphML export, for Gephi's File > Import spreadsheet:
    X.nodes.csv: Id,Label,Type (Paper, Method, Architecture, Dataset, Task, Metric, Code);
    X.edges.csv: Source,Target,Type,Label,Weight,Confidence,Mentions
    (Type: Directed; Label: the relation; Weight = Mentions: the evidence count).

    Example: kg export out/graph.graphml   or   kg export out/graph.csv
    """
    g = _open(store, graph)
    if to.suffix.lower() == ".graphml":
        from .export import write_graphml

        path = write_graphml(g.store, to)
    elif to.suffix.lower() == ".csv":
        from .export import write_csv

        nodes, edges = write_csv(g.store, to)
        path = f"{nodes} and {edges}"
    else:
        path = g.save(to)
    typer.echo(f"wrote {path}")


@app.command()
@_errors
def serve(
    store: Optional[Path] = typer.Option(None, "--store", envvar=ENV_STORE, show_envvar=True,
                                         help=f"Store folder to serve, opened read-only (default: ${ENV_OUT}/store, "
                                              f"else {DEFAULT_OUT}/store)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; 127.0.0.1 is this machine only."),
    port: int = typer.Option(7878, "--port", help="TCP port."),
    timeout: float = typer.Option(None, "--timeout", help="Seconds a query may run before a 503 (default 10)."),
    max_rows: int = typer.Option(None, "--max-rows", help="Most result rows before a 413 (default 100000)."),
    explorer: Optional[Path] = typer.Option(None, "--explorer", help="HTML page to serve at / (default: "
                                                                     "explorer.html beside the store, if any)."),
    workers: int = typer.Option(None, "--workers", help="Most queries evaluated at once, each in a worker process "
                                                        "(default 6)."),
    cors: Optional[str] = typer.Option(None, "--cors", metavar="ORIGINS",
                                       help="Let browser apps on these origins query the endpoint (CORS): "
                                            "comma-separated, or '*' for any. Default: off."),
    memory_mb: int = typer.Option(None, "--memory-mb", help="MiB a query's worker may take before it is stopped "
                                                            "with a 503 (default 128)."),
) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint at /sparql (and the explorer at /).

    Example: kg serve --store out/store   then   curl http://127.0.0.1:7878/sparql --data-urlencode 'query=ASK {}'
    """
    from .server import serve as run_server

    store = store or _default_store()
    if explorer is None and (store.parent / "explorer.html").is_file():
        explorer = store.parent / "explorer.html"
    typer.echo(f"SPARQL endpoint: http://{host}:{port}/sparql (read-only)", err=True)
    origins = [o.strip() for o in cors.split(",") if o.strip()] if cors is not None else None
    options = {"timeout_s": timeout, "max_rows": max_rows, "workers": workers, "memory_mb": memory_mb,
               "cors": origins}
    run_server(str(store), host, port, explorer=str(explorer) if explorer else None,
               **{k: v for k, v in options.items() if v is not None})


@app.command()
@_errors
def push(
    url: str = typer.Argument(..., help="Graph Store Protocol endpoint of a SPARQL server, e.g. "
                                        "http://127.0.0.1:7878/store (Oxigraph) or http://host:3030/ds/data (Fuseki)."),
    store: Optional[Path] = _STORE_OPTION,
    graph: Optional[Path] = typer.Option(None, "--graph", help="Push an RDF file instead of the store."),
    nquads: bool = typer.Option(False, "--nquads", help=f"POST N-Quads in chunks of {PUSH_CHUNK_QUADS:,} quads (a "
                                                        "request per chunk, not per paper: for a big graph; adds, "
                                                        "does not replace; Oxigraph, Fuseki) instead of a PUT per "
                                                        "named graph."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for each request."),
) -> None:
    """Load the graph into an external SPARQL server (SPARQL 1.1 Graph Store Protocol), one named graph per paper.

    Example: kg push http://127.0.0.1:7878/store --store out/store
    """
    from .push import push as push_graph

    source = _open(store, graph).store
    r = push_graph(source, url, graph_per_paper=not nquads, timeout=timeout)
    typer.echo(f"pushed {r.graphs:,} graphs, {r.quads:,} quads ({r.bytes:,} bytes) in {r.requests:,} requests to "
               f"{r.endpoint} in {r.seconds:.1f} s")


@app.command("eval")
@_errors
def eval_(
    gold: Path = typer.Argument(..., help="Gold annotations, JSON Lines (one paper per line, see GUIDELINES)."),
    sources: List[Path] = typer.Argument(None, help="Build from these sources first (default: the bundled "
                                                    "corpus), unless --graph or --store is given."),
    store: Optional[Path] = typer.Option(None, "--store", help="Score this store instead of building (not taken "
                                                              f"from {ENV_STORE}: without it, kg eval builds)."),
    graph: Optional[Path] = typer.Option(None, "--graph", help="Score this RDF file instead of building."),
    errors: bool = typer.Option(True, "--errors/--no-errors", help="List misses and spurious links per paper."),
    model: Optional[Path] = _MODEL_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print scores, confidence bands and errors as JSON."),
) -> None:
    """Score the graph against gold annotations: P/R/F1 per type and role, code links, errors per paper.

    Example: kg eval ../shared/eval/dev.jsonl --graph out/graph.ttl
    """
    import dataclasses
    import json

    from .evaluate import evaluate

    if store and graph:
        raise QueryError("give either --store or --graph, not both")
    if store or graph:
        target = store or graph
    else:
        from .knowledge_graph import build as build_graph

        target = build_graph(sources or None, nlp=_nlp(model))
    report = evaluate(target, gold)
    if as_json:
        typer.echo(json.dumps({"scores": report.scores, "bands": report.bands,
                               "papers": [dataclasses.asdict(p) for p in report.papers]}, indent=1))
    else:
        typer.echo(report.to_text(errors=errors))


def main() -> None:
    """Console entry point (exit statuses: :data:`EXIT_CODES`)."""
    app(prog_name="kg")


if __name__ == "__main__":  # python -m kg.cli
    sys.exit(main())
