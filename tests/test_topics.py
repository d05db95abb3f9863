"""The relevance model: precision and recall on the labelled set, the fixture outlets' labels, and why."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crawler.sitecopy import SITES_DIR
from crawler.topics import classify, default_model, evaluate, load_model

from .conftest import run_pkus

TOPICS = Path(__file__).parent / "topics"
MANIFESTS = sorted(SITES_DIR.glob("*/manifest.json"))


def labelled(name: str) -> list[dict]:
    return json.loads((TOPICS / name).read_text(encoding="utf-8"))


def test_precision_and_recall_on_the_labelled_set():
    result = evaluate(labelled("labelled.json"))
    misses = [f"{item['id']} {verdict.score} {item['title']}" for item, verdict in result.misclassified]
    assert result.precision >= 0.95 and result.recall >= 0.95, "\n".join(misses)


def test_held_out_set_written_apart_from_the_tuning():
    # 24 articles written before the model was tuned; a looser bar, since they were not tuned on
    result = evaluate(labelled("heldout.json"))
    assert result.precision >= 0.9 and result.recall >= 0.9


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.parent.name)
def test_every_fixture_outlet_label_is_met(manifest):
    wrong = []
    for article in json.loads(manifest.read_text(encoding="utf-8")):
        verdict = classify(article["title"], "\n\n".join(article["body"]))
        if verdict.relevant != article["relevant"]:
            wrong.append(f"{article['url']} expected {article['relevant']}, score {verdict.score}: {verdict.terms}")
    assert not wrong, "\n".join(wrong)


def test_verdict_names_the_terms_that_decided_it():
    verdict = classify("US cuts tariff on Pakistani textiles",
                       "Islamabad: The United States cut the reciprocal tariff on Pakistani textile exports.")
    assert verdict.relevant and verdict.model_version == default_model().version
    assert verdict.terms["reciprocal tariff"] > 0 and "textiles" in verdict.sectors
    assert verdict.score == pytest.approx(sum(verdict.terms.values()), abs=0.05)


def test_one_side_missing_is_not_relevant():
    verdict = classify("India and US close in on trade deal",
                       "New Delhi and Washington negotiators agreed tariff cuts on farm goods and textiles. "
                       "Indian exporters welcomed the trade deal.")
    assert not verdict.relevant
    assert any(term.startswith("[weak side: Pakistan]") for term in verdict.terms)


def test_pakistan_in_a_list_of_countries_is_not_a_side():
    verdict = classify("US retailer warns on tariffs",
                       "A major American retailer said tariffs would lift prices. It buys apparel from "
                       "Cambodia, Vietnam, Mexico and Pakistan, and trade costs are rising.")
    assert not verdict.relevant


def test_security_talks_subtract_their_off_topic_words():
    verdict = classify("Pakistan, US hold counter-terrorism dialogue",
                       "Pakistan and the United States discussed counter-terrorism, militants and military "
                       "cooperation. Both sides said trade would be discussed separately.")
    assert not verdict.relevant and verdict.terms["counter-terrorism"] < 0


def test_dateline_and_currency_prefix_do_not_count_as_the_us():
    model = load_model()
    verdict = classify("Pakistan budget targets", "Washington (APP): Pakistan raised US$2bn in bonds for its budget.",
                       model)
    assert "[weak side: US]" in verdict.terms


def test_threshold_can_be_overridden():
    strict = load_model(threshold=1000)
    assert not classify("US, Pakistan sign trade deal", "Pakistan and the US signed a trade deal on tariffs.",
                        strict).relevant


def test_entities_are_counted_by_alias():
    verdict = classify("Aurangzeb meets Lutnick", "Finance Minister Muhammad Aurangzeb met Howard Lutnick at the "
                       "Department of Commerce. Aurangzeb invited US investment. Sheikh Mohammed also spoke.")
    assert verdict.entities["Muhammad Aurangzeb"] == 3
    assert verdict.entities["Howard Lutnick"] == 2
    assert verdict.entities["US Department of Commerce"] == 1
    assert "Rizwan Saeed Sheikh" not in verdict.entities  # a bare "Sheikh" is somebody else


def test_eval_topics_prints_figures_and_every_miss():
    out = run_pkus("eval-topics").stdout
    assert re.search(r"precision \d\.\d{3}  recall \d\.\d{3}  F1 \d\.\d{3}", out) and "true negatives" in out
    strict = run_pkus("eval-topics", "--file", str(TOPICS / "heldout.json"), "--threshold", "9").stdout
    assert "false negative: r" in strict and "terms:" in strict
