"""`pkus eval-topics`, `train-topics`, `label`, `export-labels`, `reclassify`, `reextract`: the topic model,
its training and review loop, and re-processing.

Thin shells around crawler.topics.evaluate and crawler.reprocess, registered on the main
`pkus` group by crawler/cli.py.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "topics" / "labelled.json"
DATA_ENV = "PKUS_TOPICS_DATA"  # directories (":"-separated) holding the real-news files built from the mirror

L2 = 0.3  # the weights' L2 penalty: small, the features are few and on similar scales


def _shown(path: Path) -> str:
    """A training file as the weights file records it: its path in the project, else its name
    alone (a file outside the project is found again by name and checked by its sha256)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return path.name


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def training_files(data_dirs: list[Path] | None = None) -> tuple[list[Path], list[str]]:
    """The files the current weights were trained on (topics_weights.toml): project paths, and
    files outside it looked up by name in `data_dirs` and $PKUS_TOPICS_DATA, each with the
    sha256 it was trained with. Returns (found, what is missing or differs)."""
    from .topics import WEIGHTS_FILE, load_weights

    dirs = [*(data_dirs or []), *(Path(d) for d in os.environ.get(DATA_ENV, "").split(os.pathsep) if d)]
    found, problems = [], []
    for entry in load_weights(WEIGHTS_FILE).get("trained_on", []):
        name = entry["file"]
        candidates = [ROOT / name] if "/" in name else [d / name for d in dirs]
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            problems.append(f"{name} (not found{'' if '/' in name else ' in ' + (', '.join(map(str, dirs)) or 'no data directory')})")
        elif entry.get("sha256") and len(entry["sha256"]) == 64 and _sha256(path) != entry["sha256"]:
            problems.append(f"{path} (its sha256 differs from the one trained on)")
        else:
            found.append(path)
    return found, problems


def _trained_on(data_dirs: list[Path]) -> list[Path]:
    paths, problems = training_files(data_dirs)
    if problems or not paths:
        raise click.ClickException(f"the current weights were trained on files that are not here: {'; '.join(problems)}. "
                                   f"Build the real-news files (tests/topics/README.md) and pass their directory with "
                                   f"--data DIR (or ${DATA_ENV}), or name every training file with --file")
    return paths


def _labelled(path: Path) -> list[dict]:
    """A labelled file: a JSON list of {title, body, relevant, ...}; one clear error when it is not."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: not a JSON list of labelled articles ({exc})") from None
    bad = [n for n, item in enumerate(items if isinstance(items, list) else [None])
           if not isinstance(item, dict) or "relevant" not in item or not ("title" in item or "body" in item)]
    if not isinstance(items, list) or bad:
        raise click.ClickException(f"{path}: item {bad[0] if bad else 0} lacks title/body/relevant; "
                                   "expected a JSON list of {id, title, body, relevant}")
    return items


def _existing(db: str) -> str:
    if not Path(db).exists():
        raise click.ClickException(f"no archive at {db} (run `pkus crawl` or `pkus demo` first)")
    return db


def _run(job, *args, **kwargs):
    from .run import ArchiveBusy

    try:
        return job(*args, **kwargs)
    except ArchiveBusy as exc:
        raise click.ClickException(f"{exc}; try again when it has finished") from None


def add_topic_commands(cli: click.Group, db_option) -> None:
    @cli.command("eval-topics")
    @click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  default=LABELLED, show_default=True, help="Labelled articles (JSON list).")
    @click.option("--threshold", type=float, help="Try another threshold than topics_weights.toml's (0.5).")
    def eval_topics(path, threshold):
        """Precision and recall of the relevance model on labelled articles, and every miss."""
        from .topics import evaluate, load_model

        model = load_model(threshold=threshold)
        items = _labelled(path)
        result = evaluate(items, model)
        click.echo(f"model v{model.version}, threshold {model.threshold:g}: {len(items)} labelled articles in {path.name}")
        click.echo(f"precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}")
        click.echo(f"true positives {result.tp}  false positives {result.fp}  "
                   f"false negatives {result.fn}  true negatives {result.tn}")
        if not result.misclassified:
            click.echo("misclassified: none")
        for item, verdict in result.misclassified:
            kind = "false positive" if verdict.relevant else "false negative"
            terms = ", ".join(f"{t} {p:+g}" for t, p in list(verdict.terms.items())[:8]) or "no terms"
            points = sorted(verdict.evidence["features"].items(), key=lambda kv: -abs(kv[1]["points"]))
            shown = ", ".join(f"{name} {f['points']:+.2f}" for name, f in points[:5] if f["points"])
            click.echo(f"\n{kind}: {item.get('id', '?')}  probability {verdict.score:.2f}  {item.get('title', '')}")
            click.echo(f"  features: {shown or 'none'}")
            click.echo(f"  terms: {terms}")
            if item.get("note"):
                click.echo(f"  label note: {item['note']}")

    @cli.command("train-topics")
    @click.option("--file", "paths", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="Labelled articles (JSON list); repeat for several. Default: the files the current "
                       "weights were trained on.")
    @click.option("--data", "data_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
                  help=f"Where to find the recorded files outside the project (by name; also ${DATA_ENV}).")
    @click.option("--l2", type=float, default=L2, show_default=True, help="L2 penalty on the weights.")
    @click.option("--cv", "folds", type=int, default=0, help="Also print k-fold cross-validated figures per file.")
    @click.option("--repeats", type=int, default=5, show_default=True,
                  help="With --cv: repeat it with reshuffled folds and pool the counts.")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Where to write the weights (default: crawler/topics_weights.toml, which the model reads).")
    def train_topics(paths, data_dirs, l2, folds, repeats, out):
        """Learn the relevance model's feature weights from labelled files; deterministic.

        The same files in the same order always give the same weights file. The threshold is
        chosen from out-of-fold probabilities (the middle of the best F1 plateau).
        """
        from .topics import WEIGHTS_FILE, evaluate, load_model
        from .topics_train import cross_validate, train, weights_toml

        files = list(paths) or _trained_on(list(data_dirs))
        sets = [(_shown(path), _labelled(path)) for path in files]
        if len({name for name, _ in sets}) < len(sets):
            raise click.ClickException("two training files would be recorded under one name; rename one")
        words = load_model(weights_path=None)
        try:
            data = train(sets, words, l2=l2, digests={_shown(p): _sha256(p) for p in files})
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        out = out or WEIGHTS_FILE
        out.write_text(weights_toml(data), encoding="utf-8")
        model = load_model(weights_path=out)
        click.echo(f"model v{data['version']}: trained on {sum(len(b) for _, b in sets)} articles from "
                   f"{len(sets)} files, threshold {data['threshold']:g}; wrote {_shown(out)}")
        for name, items in sets:
            result = evaluate(items, model)
            click.echo(f"  {name}: precision {result.precision:.3f}  recall {result.recall:.3f}  (in-sample)")
        if folds > 1:
            from .topics import Evaluation

            how = f"{folds}-fold cross-validated" + (f", {repeats} times" if repeats > 1 else "")
            outside = Evaluation()  # the files from outside the project (the real news), pooled
            for name, result in cross_validate(sets, words, l2=l2, folds=folds, repeats=repeats,
                                               threshold=data["threshold"]):
                click.echo(f"  {name}: precision {result.precision:.3f}  recall {result.recall:.3f}  ({how})")
                if "/" not in name:
                    outside.tp, outside.fp, outside.fn = outside.tp + result.tp, outside.fp + result.fp, outside.fn + result.fn
            if outside.tp + outside.fn and len([n for n, _ in sets if "/" not in n]) > 1:
                click.echo(f"  files from outside the project, pooled: precision {outside.precision:.3f}  "
                           f"recall {outside.recall:.3f}  ({how})")

    @cli.command()
    @db_option
    @click.argument("url")
    @click.argument("verdict", type=click.Choice(["relevant", "irrelevant"]))
    @click.option("--note", help="Why (kept with the label and in the exported file).")
    def label(db, url, verdict, note):
        """Record your verdict on an archived article or a stored irrelevant page.

        Labels live in the archive's `labels` table; `pkus export-labels FILE` writes them for
        `pkus train-topics --file FILE`.
        """
        from .labels import LabelError, record_label

        try:
            row = record_label(_existing(db), url, verdict == "relevant", note)
        except LabelError as exc:
            raise click.ClickException(str(exc)) from None
        said = "relevant" if row["model_relevant"] else "irrelevant"
        agree = "agrees" if row["model_relevant"] == (verdict == "relevant") else "disagrees"
        click.echo(f"labelled {row['url']} {verdict} (the model said {said}, {row['relevance']:.2f}: it {agree}); "
                   f"{row['total']} label{'s' if row['total'] != 1 else ''} in {db}")

    @cli.command("export-labels")
    @db_option
    @click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
    def export_labels(db, out):
        """Write the archive's labels as a labelled JSON file for eval-topics and train-topics."""
        from .labels import export_labels as run

        count = run(_existing(db), out)
        click.echo(f"wrote {count} labelled article{'s' if count != 1 else ''} to {out}; train with: pkus train-topics --file {out} "
                   "(plus the files the current weights were trained on)")

    @cli.command()
    @db_option
    @click.option("--threshold", type=float, help="Relevance threshold (default: topics_weights.toml's).")
    def reclassify(db, threshold):
        """Re-score the whole archive with the current model; no fetching.

        Articles under the threshold stop being articles; stored irrelevant pages above it become
        articles; sectors, entities and stories are rebuilt.
        """
        from .reprocess import reclassify as run

        click.echo(_run(run, _existing(db), threshold=threshold).line())

    @cli.command()
    @db_option
    @click.option("--source", metavar="SPIDER", help="Only this outlet's pages.")
    def reextract(db, source):
        """Rebuild every article from its stored page with the current extractor and model; no fetching."""
        from .outlets import load_sources
        from .reprocess import reextract as run

        if source and source not in load_sources():
            raise click.UsageError(f"unknown spider {source}; known: {', '.join(load_sources())}")
        click.echo(_run(run, _existing(db), source=source).line())
