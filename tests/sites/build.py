"""Build the offline copy of an outlet from its manifest and templates.

    python tests/sites/build.py                 # rebuild every outlet's site/
    python tests/sites/build.py dawn tribune    # just these
    python tests/sites/build.py dawn --as-of 2026-03-01T00:00:00+05:00 --out /tmp/dawn

Each outlet folder holds ``manifest.json`` (the truth about every article),
``site.toml`` (which pages the outlet has) and ``templates/`` (Jinja2, the
outlet's markup). The result, ``site/``, is a static copy whose pages carry the
live site's origin; ``crawler.sitecopy`` serves it. ``--as-of`` builds the site
as it stood at that moment: later articles are not yet published, and updated
articles show the version they had then (from their ``earlier`` list). Tests use
that to make an outlet "publish" between two crawls.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tomllib
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import markupsafe

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawler.outlets import get_source  # noqa: E402


def load_manifest(outlet_dir: Path) -> list[dict]:
    return json.loads((outlet_dir / "manifest.json").read_text(encoding="utf-8"))


def parse_dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def file_for(url_path: str, template: str = "") -> str:
    """The file (relative to site/) that holds the page at ``url_path``."""
    path, _, query = url_path.partition("?")
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.xml" if template.endswith((".xml", ".rss")) else "index.html"
    return f"{rel}@{query}" if query else rel


def version_at(article: dict, as_of: datetime | None) -> dict:
    """The article as it read at ``as_of`` (its latest ``earlier`` version before then)."""
    if as_of is None or parse_dt(article["modified"]) <= as_of:
        return article
    older = [v for v in article.get("earlier", []) if parse_dt(v["modified"]) <= as_of]
    if not older:
        return article
    return {**article, **max(older, key=lambda v: parse_dt(v["modified"]))}


def articles_at(manifest: list[dict], as_of: datetime | None) -> list[dict]:
    live = [version_at(a, as_of) for a in manifest if as_of is None or parse_dt(a["published"]) <= as_of]
    return sorted(live, key=lambda a: parse_dt(a["published"]), reverse=True)


def select(articles: list[dict], spec: dict) -> list[dict]:
    chosen = articles
    if "section" in spec:
        wanted = spec["section"] if isinstance(spec["section"], list) else [spec["section"]]
        chosen = [a for a in chosen if a.get("section") in wanted]
    if "tag" in spec:
        chosen = [a for a in chosen if spec["tag"] in a.get("tags", [])]
    if spec.get("exclude_sections"):
        chosen = [a for a in chosen if a.get("section") not in spec["exclude_sections"]]
    if "limit" in spec:
        chosen = chosen[: spec["limit"]]
    return chosen


def chunks(items: list[dict], size: int | None) -> list[list[dict]]:
    if not size:
        return [items]
    return [items[i: i + size] for i in range(0, len(items), size)] or [[]]


def make_env(outlet_dir: Path, origin: str, tz: ZoneInfo) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(outlet_dir / "templates"),
        autoescape=jinja2.select_autoescape(["html", "xml", "rss"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )

    def local(value: str | datetime, zone: str | None = None) -> datetime:
        dt = parse_dt(value) if isinstance(value, str) else value
        return dt.astimezone(ZoneInfo(zone) if zone else tz)

    env.filters.update(
        dt=lambda v, fmt="%Y-%m-%d", zone=None: local(v, zone).strftime(fmt),
        utc=lambda v, fmt="%Y-%m-%dT%H:%M:%S+00:00": local(v, "UTC").strftime(fmt),
        rfc822=lambda v: format_datetime(local(v)),
        rfc822_gmt=lambda v: format_datetime(local(v).astimezone(timezone.utc), usegmt=True),
        iso=lambda v: local(v).isoformat(),
        abs=lambda p: origin + p if p.startswith("/") else p,
        paras=lambda body: markupsafe.Markup("".join(f"<p>{markupsafe.escape(p)}</p>" for p in body)),
    )
    return env


def build_site(outlet: str, out: Path | None = None, as_of: datetime | None = None,
               sites_dir: Path = HERE) -> Path:
    """Render ``outlet``'s copy into ``out`` (default ``sites_dir/outlet/site``)."""
    outlet_dir = sites_dir / outlet
    config = tomllib.loads((outlet_dir / "site.toml").read_text(encoding="utf-8"))
    source = get_source(outlet)
    origin = source.site
    tz = ZoneInfo(config.get("timezone", source.timezone))
    out = out or outlet_dir / "site"
    manifest = load_manifest(outlet_dir)
    articles = articles_at(manifest, as_of)
    env = make_env(outlet_dir, origin, tz)
    newest = max((parse_dt(a["modified"]) for a in articles), default=as_of or datetime.now(timezone.utc))

    # First pass: work out every page's chunks so templates can link to any page (sitemap indexes).
    plan = []
    registry: dict[str, list[dict]] = {}
    for spec in config.get("page", []):
        selected = select(articles, spec) if spec.get("articles", True) else []
        if spec.get("group") == "month":  # one page per month: path has {year} and {month}
            months = sorted({parse_dt(a["published"]).strftime("%Y-%m") for a in selected}, reverse=True)
            parts = [[a for a in selected if parse_dt(a["published"]).strftime("%Y-%m") == m] for m in months]
            urls = [spec["path"].format(year=m[:4], month=m[5:]) for m in months]
        else:
            parts = chunks(selected, spec.get("per_page"))
            urls = [spec["path"] if n == 1 else spec["next"].format(n=n) for n in range(1, len(parts) + 1)]
        entries = []
        for n, (part, url) in enumerate(zip(parts, urls), start=1):
            lastmod = max((parse_dt(a["modified"]) for a in part), default=newest)
            entries.append({"url": url, "abs_url": origin + url, "n": n, "articles": part, "lastmod": lastmod.isoformat()})
        registry[spec.get("id", spec["path"])] = entries
        plan.append((spec, entries))

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    static = outlet_dir / "static"
    if static.is_dir():
        shutil.copytree(static, out, dirs_exist_ok=True)

    common = dict(origin=origin, source=source, all_articles=articles, now=newest.isoformat(),
                  pages=lambda page_id: registry[page_id], by_url={a["url"]: a for a in articles})

    def write(url_path: str, template: str, **ctx) -> None:
        target = out / file_for(url_path, template)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(template).render(**common, **ctx), encoding="utf-8")

    for spec, entries in plan:
        for i, entry in enumerate(entries):
            page = {**entry, "count": len(entries),
                    "next_url": entries[i + 1]["url"] if i + 1 < len(entries) else None,
                    "prev_url": entries[i - 1]["url"] if i > 0 else None}
            write(entry["url"], spec["template"], page=page, articles=entry["articles"], spec=spec)

    for i, article in enumerate(articles):
        related = [a for a in articles if a is not article and a.get("section") == article.get("section")][:4]
        write(article["url"], config.get("article_template", "article.html"), article=article,
              related=related, newer=articles[i - 1] if i > 0 else None,
              older=articles[i + 1] if i + 1 < len(articles) else None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outlets", nargs="*", help="outlet folders to build (default: all)")
    parser.add_argument("--as-of", type=parse_dt, help="build the site as it stood at this ISO time")
    parser.add_argument("--out", type=Path, help="output folder (only with one outlet)")
    args = parser.parse_args(argv)
    outlets = args.outlets or sorted(p.name for p in HERE.iterdir() if (p / "site.toml").is_file())
    if args.out and len(outlets) != 1:
        parser.error("--out needs exactly one outlet")
    for outlet in outlets:
        path = build_site(outlet, args.out, args.as_of)
        count = sum(1 for _ in path.rglob("*") if _.is_file())
        print(f"{outlet}: {count} files -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
