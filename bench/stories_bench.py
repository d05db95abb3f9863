"""How long story grouping takes on a few thousand articles.

Run: .venv/bin/python bench/stories_bench.py [N]   (default 3000; results go in docs/benchmarks.md)

Builds a temporary archive of N synthetic articles spread over a year (events of 1-6 reports,
each report a reshuffled rewrite with the event's people, figures and sectors, plus wire
copies), then times a full regroup (as `pkus reclassify` runs) and an incremental one after
50 more articles arrive (as after each crawl).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.archive import Archive, content_hash  # noqa: E402
from crawler.stories import regroup  # noqa: E402
from crawler.topics import classify, default_model  # noqa: E402

PEOPLE = [["Muhammad Aurangzeb", "Howard Lutnick"], ["Ishaq Dar", "Marco Rubio"], ["Rizwan Saeed Sheikh", "Paul Kapur"],
          ["Shehbaz Sharif", "Donald Trump"], ["Jam Kamal Khan", "Jamieson Greer"], ["Muhammad Aurangzeb", "Scott Bessent"]]
SUBJECTS = ["copper and rare earth mining", "LNG cargoes and offshore exploration", "textile exports and tariffs",
            "IT exports and software houses", "cotton and soybean imports", "remittances and diaspora bonds",
            "EXIM financing for Reko Diq", "investment in energy projects"]
PLACES = ["Washington", "Islamabad", "Karachi", "Lahore", "New York"]


def report(rng: random.Random, event: dict, outlet: int) -> tuple[str, str]:
    a, b = event["people"]
    sentences = [
        f"{a} met {b} in {event['place']} to discuss {event['subject']} between Pakistan and the United States.",
        f"Officials said the talks covered a ${event['amount']}bn package and a {event['rate']}pc tariff.",
        f"American companies and Pakistani exporters welcomed the focus on {event['subject']}.",
        f"A follow-up meeting is planned for {event['date']}, the statement said.",
        f"Analysts in {rng.choice(PLACES)} said trade and investment ties could grow this year.",
    ]
    rng.shuffle(sentences)
    title = f"{a.split()[-1]}, {b.split()[-1]} discuss {event['subject']} (report {outlet})"
    return title, "\n\n".join(sentences[: rng.randint(3, 5)])


def build(archive: Archive, n: int, rng: random.Random, start: datetime, first: int = 0) -> None:
    made = first
    while made < first + n:
        when = start + timedelta(days=rng.uniform(0, 365))
        event = {"people": rng.choice(PEOPLE), "subject": rng.choice(SUBJECTS), "place": rng.choice(PLACES),
                 "amount": round(rng.uniform(0.1, 5), 1), "rate": rng.randint(5, 40),
                 "date": f"{rng.choice(['March', 'June', 'October'])} {rng.randint(1, 28)}"}
        wire = None
        for outlet in range(rng.randint(1, 6)):
            title, body = wire if wire and rng.random() < 0.3 else report(rng, event, outlet)
            wire = wire or (title, body)
            verdict = classify(title, body)
            published = (when + timedelta(hours=rng.uniform(0, 48))).replace(microsecond=0).isoformat()
            archive.rescore_article({"url": f"https://bench.test/{made}", "source": "diplomaticinsight",
                                     "title": title, "body": body, "published": published,
                                     "content_hash": content_hash(body), **verdict.fields()})
            made += 1


def main(n: int = 3000) -> None:
    rng = random.Random(5)
    start = datetime(2025, 7, 1, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "archive.db")
        build(archive, n, rng, start)
        default_model()
        began = time.perf_counter()
        full = regroup(archive, full=True)
        full_s = time.perf_counter() - began
        build(archive, 50, rng, start, first=n)
        began = time.perf_counter()
        incremental = regroup(archive)
        incremental_s = time.perf_counter() - began
        archive.close()
    print(f"{n} articles: full regroup {full_s:.2f} s ({full.stories} stories, {full.duplicates} wire copies); "
          f"incremental after 50 new {incremental_s:.2f} s ({incremental.assigned} articles placed)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
