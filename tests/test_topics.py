"""The relevance model: precision and recall on the labelled set, the fixture outlets' labels, and why."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import sqlite_utils

from crawler.sitecopy import SITES_DIR
from crawler.cli_topics import training_files
from crawler.topics import (CLEAR, FEATURES, TOPICS_FILE, WEIGHTS_FILE, analyse, classify, default_model, evaluate,
                            load_model, load_weights)
from crawler.topics_train import (THRESHOLDS, choose_threshold, cross_validate, story_groups, train,
                                  weights_toml)

from .conftest import datasette_get, run_pkus

TOPICS = Path(__file__).parent / "topics"
ROOT = TOPICS.parent.parent
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


@pytest.mark.parametrize("name", ["labels-2.json", "labels-3.json"])
def test_the_committed_real_news_labels_are_pointers_not_texts(name):
    sectors = {"trade-tariffs", "investment", "it-digital", "mining-minerals", "energy", "finance-imf", "agriculture",
               "textiles", "remittances"}
    labels = json.loads((TOPICS / "real" / name).read_text(encoding="utf-8"))
    assert len({x["id"] for x in labels}) == len(labels) == len({x["url"] for x in labels})
    for x in labels:
        assert set(x) == {"id", "stratum", "source_path", "url", "outlet", "published", "relevant", "confidence",
                          "reason", "sectors"}, x["id"]  # no title, no body: the publishers' text stays out
        assert isinstance(x["relevant"], bool) and x["confidence"] in ("sure", "borderline") and x["reason"]
        assert set(x["sectors"]) <= sectors and bool(x["sectors"]) == x["relevant"]
        assert x["source_path"].startswith(f"data/{x['outlet']}/articles/2025/") and x["id"].startswith(x["outlet"])


def test_verdict_names_the_terms_and_features_that_decided_it():
    verdict = classify("US cuts tariff on Pakistani textiles",
                       "Islamabad: The United States cut the reciprocal tariff on Pakistani textile exports.")
    assert verdict.relevant and verdict.model_version == default_model().version
    assert verdict.terms["reciprocal tariff"] > 0 and "textiles" in verdict.sectors
    evidence = verdict.evidence
    points = sum(f["points"] for f in evidence["features"].values())
    assert verdict.score == pytest.approx(1 / (1 + math.exp(-(evidence["bias"] + points))), abs=0.002)
    assert set(evidence["features"]) == set(FEATURES) and evidence["passages"][0]["paragraph"] == 1


def test_one_side_missing_is_not_relevant():
    verdict = classify("India and US close in on trade deal",
                       "New Delhi and Washington negotiators agreed tariff cuts on farm goods and textiles.\n\n"
                       "Indian exporters welcomed the trade deal.")
    assert not verdict.relevant
    assert verdict.evidence["features"]["pk_share"]["value"] == 0


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


def sides(title: str, body: str) -> list[dict]:
    return [u.named for u in analyse(title, body, default_model())]


def test_dateline_and_currency_do_not_count_as_the_us():
    named = sides("Pakistan budget targets", "Washington (APP): Pakistan raised US$2bn in bonds for its budget, "
                  "and US $500m more from banks.")
    assert named[1]["us"] == 0 and named[1]["pakistan"] == 1


def test_dfc_and_exim_name_no_side_on_their_own():
    railway = sides("Railways signs phase-I of dedicated freight corridor",
                    "The Ministry of Railways inked the Dedicated Freight Corridor (DFC) to move cargo from Karachi.")
    korea = sides("NHA project", "The motorway is financed by a loan from EXIM Bank Korea.")
    us = sides("DFC backs Pakistani lender", "The US International Development Finance Corporation (DFC) lent $50m.")
    assert railway[1]["us"] == 0 and korea[1]["us"] == 0 and us[1]["us"] >= 1
    assert not classify("Railways signs phase-I of dedicated freight corridor",
                        "The Ministry of Railways inked the Dedicated Freight Corridor (DFC) with DP World, "
                        "a deal to boost cargo and trade revenue at Karachi Port.").relevant


def test_another_countrys_ministry_is_not_pakistan():
    named = sides("Beijing answers US tariffs", "China's commerce ministry said US tariffs broke the trade truce.")
    assert named[1]["pakistan"] == 0


def test_washington_where_the_imf_meets_is_a_venue_not_a_party():
    venue = sides("Finance minister arrives in Washington for IMF meetings",
                  "Finance Minister Aurangzeb reached Washington for the IMF and World Bank spring meetings.")
    party = sides("Washington backs Pakistan's loan", "Washington said it would back Pakistan's request for loans.")
    assert venue[0]["us"] < CLEAR and venue[1]["us"] < CLEAR and party[1]["us"] >= CLEAR


def test_a_name_introduced_as_american_names_the_us_when_repeated():
    named = sides("PM meets investors", "The prime minister met a delegation led by US investor Gentry Beach.\n\n"
                  "Beach said his group would invest in Pakistan's copper and lithium mines.")
    assert named[2]["us"] >= CLEAR and named[2]["pakistan"] >= CLEAR
    lender = sides("Lenders line up", "The US International Development Finance Corporation (DFC) joined the lenders.\n\n"
                   "The DFC will lend $400m to the Pakistani mine.")
    railway = sides("Freight corridor", "Pakistan Railways signed the Dedicated Freight Corridor (DFC) deal.\n\n"
                    "The DFC will link Karachi to the north.")
    assert lender[2]["us"] >= CLEAR and railway[2]["us"] == 0
    # only a name that follows the US term is introduced by it: the news agency is not American
    agency = sides("Pivotal moment", "He spoke at a conference at Harvard University in the US, the Associated "
                   "Press of Pakistan (APP) reported.\n\nThe minister told APP reserves had doubled.")
    assert agency[2]["us"] == 0


def test_the_us_acting_on_the_world_is_not_the_us_dealing_with_pakistan():
    world = sides("Rate decision", "Governor Jameel Ahmad said reserves were rising.\n\n"
                  "He noted uncertainty in the global economy, including from US tariff policy.")
    comparison = sides("Tariff edge", "He said the United States granted Pakistan a tariff of 19 percent, compared "
                       "with India's 50 percent and South Africa's 30 percent.")
    assert world[2]["us"] < CLEAR
    assert comparison[1]["us"] >= CLEAR and comparison[1]["pakistan"] >= CLEAR


def test_a_currency_names_no_country():
    assert sides("Markets", "The Indian rupee fell 20 paisa against the dollar as exports to the US slowed.")[1][
        "pakistan"] == 0


def test_pleasantries_are_not_a_concrete_economic_subject():
    model = default_model()
    generic = analyse("Pakistan, US envoy meet", "Pakistan and the US discussed trade, investment and economic "
                      "cooperation, and agreed to expand business ties.", model)
    concrete = analyse("Pakistan, US envoy meet", "Pakistan and the US discussed US investment in LNG terminals, "
                       "copper mining and textile exports.", model)
    from crawler.topics import features
    assert features(generic, model)["pair_concrete"] == 0 < features(concrete, model)["pair_concrete"]
    assert features(generic, model)["pair_econ_share"] > 0  # still economic, only not concrete


def test_a_paragraph_about_another_subject_carries_no_economics():
    model = default_model()
    units = analyse("USA stun Pakistan", "The United States beat Pakistan in the T20 World Cup; officials hailed "
                    "investment in the sport as the players and the league celebrated.", model)
    from crawler.topics import _strength
    assert units[1].economic and _strength(units[1], model) == 0


# Written for this test: a leader meeting mostly about security with one full paragraph of economics.
LEADERS = ("PM meets US President at White House",
           "Prime Minister Shehbaz Sharif met US President Donald Trump at the White House on Thursday.\n\n"
           "The two leaders discussed counter-terrorism cooperation and the ceasefire with India.\n\n"
           "Pakistan thanked the US for its role in ending the conflict and its support against terrorism.\n\n"
           "Trump said the United States wanted far more trade with Pakistan. The two sides agreed to expand "
           "investment in critical minerals, energy and IT, and to conclude the tariff deal within weeks.\n\n"
           "Army chief Asim Munir also attended the meeting.")
# ...and a story about another partner with one passing sentence about the US.
PASSING = ("Pakistan, Saudi Arabia sign investment pacts",
           "Pakistan and Saudi Arabia signed agreements on mining, refining and agriculture worth $2bn in Riyadh.\n\n"
           "Saudi investors will take stakes in copper projects and in farm exports to the Gulf.\n\n"
           "Officials said the kingdom's investment would create jobs in Balochistan and Sindh.\n\n"
           "The deals come as Pakistan also seeks trade talks with the US.")


def test_a_paragraph_of_economics_makes_a_security_meeting_coverage():
    assert classify(*LEADERS).relevant


def test_a_passing_sentence_about_the_us_is_not_coverage():
    assert not classify(*PASSING).relevant


def test_training_is_deterministic_and_the_weights_stay_small():
    sets = [(p.name, labelled(p.name)) for p in (TOPICS / "labelled.json",)]
    sets += [(str(m), json.loads(m.read_text(encoding="utf-8"))) for m in MANIFESTS]
    words = load_model(weights_path=None)
    first, second = train(sets, words, l2=0.3), train(sets, words, l2=0.3)
    assert weights_toml(first) == weights_toml(second)
    assert list(first["weights"]) == list(FEATURES) and all(abs(w) < 20 for w in first["weights"].values())
    assert first["threshold"] in THRESHOLDS
    assert len(WEIGHTS_FILE.read_text(encoding="utf-8").splitlines()) < 120  # readable at a glance


def test_the_committed_weights_name_their_training_files_portably():
    data = load_weights()
    assert set(data["weights"]) == set(FEATURES) and data["version"] == tomllib.loads(
        TOPICS_FILE.read_text(encoding="utf-8"))["version"]
    files = {entry["file"]: entry for entry in data["trained_on"]}
    own = files["tests/topics/labelled.json"]
    assert own["articles"] == len(labelled("labelled.json"))
    assert own["sha256"] == hashlib.sha256((TOPICS / "labelled.json").read_bytes()).hexdigest()
    assert all(f"tests/sites/{m.parent.name}/manifest.json" in files for m in MANIFESTS)
    # a file from outside the project is recorded by name and digest only, never by a local path
    assert all(not Path(name).is_absolute() and ("/" not in name or (ROOT / name).is_file()) for name in files)
    assert all(len(entry["sha256"]) == 64 for entry in files.values())


def test_cross_validation_keeps_near_copies_of_a_story_in_one_fold():
    story = labelled("labelled.json")[0]
    copy = dict(story, id="copy", title="Rewritten: " + story["title"])
    groups = story_groups([story, copy, labelled("labelled.json")[1]])
    assert groups[0] == groups[1] != groups[2]
    sets = [("labelled.json", labelled("labelled.json")), ("heldout.json", labelled("heldout.json"))]
    results = dict(cross_validate(sets, l2=0.3, folds=5, repeats=2))
    assert results["labelled.json"].tp + results["labelled.json"].fn == 2 * 50  # every article, once per repeat
    assert results["heldout.json"].tp + results["heldout.json"].fn == 2 * 12
    assert results["labelled.json"].precision >= 0.9 and results["labelled.json"].recall >= 0.9


def test_the_threshold_is_the_middle_of_a_plateau_not_a_peak():
    # out-of-fold probabilities: F1 is 0.80 for every cut from 0.45 up, 0.89 at 0.25 alone, and
    # poor at 0.20 and 0.30 either side of it: a lucky peak, not a place to stand
    probs = [[0.8]] * 8 + [[0.27]] * 4 + [[0.4]] * 3 + [[0.22]] * 20 + [[0.05]] * 30
    labels = [True] * 12 + [False] * 53
    assert choose_threshold(probs, labels) == 0.5


def test_threshold_can_be_overridden():
    strict = load_model(threshold=1.01)
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
    strict = run_pkus("eval-topics", "--file", str(TOPICS / "heldout.json"), "--threshold", "0.999").stdout
    assert "false negative: r" in strict and "features:" in strict and "terms:" in strict


def test_retraining_on_the_recorded_files_reproduces_the_committed_weights(tmp_path):
    data = load_weights()
    paths, missing = training_files()
    if missing:
        pytest.skip(f"the real-news files are not here ({'; '.join(missing)}): build them and set $PKUS_TOPICS_DATA "
                    "(tests/topics/README.md)")
    out = tmp_path / "weights.toml"
    run_pkus("train-topics", *[a for p in paths for a in ("--file", str(p))], "--l2", str(data["l2"]),
             "--out", str(out))
    assert out.read_text(encoding="utf-8") == WEIGHTS_FILE.read_text(encoding="utf-8")


def test_model_data_is_read_through_the_package_so_a_zipped_egg_works(tmp_path):
    # Scrapyd runs the project from a zipped egg: the word lists and weights must be read as
    # package resources, not as files beside topics.py
    egg = tmp_path / "project.egg"
    with zipfile.ZipFile(egg, "w") as archive:
        for path in (ROOT / "crawler").glob("*"):
            if path.suffix in (".py", ".toml"):
                archive.write(path, f"crawler/{path.name}")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import crawler.topics as t; "
            "assert '.egg' in t.__file__; v = t.classify('US cuts tariff on Pakistani textiles', "
            "'The United States cut the reciprocal tariff on Pakistani textile exports.'); "
            "print(v.relevant, v.model_version)")
    out = subprocess.run([sys.executable, "-c", code, str(egg)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", str(default_model().version)]


# -- the archive keeps the evidence, and the review loop ---------------------------------------

@pytest.fixture
def archive_copy(demo_db, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copy(demo_db["db"], db)
    return db


def test_articles_and_irrelevant_pages_keep_their_evidence(demo_db):
    db = sqlite_utils.Database(demo_db["db"])
    row = next(db.query("select relevance, relevance_evidence from articles order by relevance desc limit 1"))
    evidence = json.loads(row["relevance_evidence"])
    assert evidence["probability"] == row["relevance"] and evidence["passages"]
    assert set(evidence["features"]) == set(FEATURES)
    dropped = list(db.query("select relevance, relevance_evidence from urls where state = 'irrelevant'"))
    assert dropped and all(json.loads(r["relevance_evidence"])["probability"] == r["relevance"] for r in dropped)
    assert all(r["relevance"] < default_model().threshold for r in dropped)


def test_label_records_a_verdict_and_export_feeds_evaluation_and_training(archive_copy, tmp_path):
    db = sqlite_utils.Database(archive_copy)
    article = next(db.query("select url from articles order by url limit 1"))["url"]
    page = next(db.query("select url from urls where state = 'irrelevant' order by url limit 1"))["url"]
    out = run_pkus("label", article + "?utm_source=feed", "irrelevant", "--note", "a reader disagrees",
                   "--db", str(archive_copy)).stdout
    assert out.startswith(f"labelled {article} irrelevant (the model said relevant") and "1 label in" in out
    run_pkus("label", page, "relevant", "--db", str(archive_copy))
    run_pkus("label", page, "irrelevant", "--db", str(archive_copy))  # a second verdict replaces the first
    rows = {r["url"]: r for r in db.query("select * from labels")}
    assert set(rows) == {article, page} and rows[page]["relevant"] == 0 and rows[page]["body"]
    exported = tmp_path / "labels.json"
    assert "wrote 2 labelled articles" in run_pkus("export-labels", str(exported), "--db", str(archive_copy)).stdout
    items = json.loads(exported.read_text(encoding="utf-8"))
    assert [i["url"] for i in items] == sorted(rows) and not any(i["relevant"] for i in items)
    scored = run_pkus("eval-topics", "--file", str(exported)).stdout  # the reader overrules the model once
    assert "false positives 1" in scored and "true negatives 1" in scored and "label note: a reader disagrees" in scored
    missing = run_pkus("label", "https://example.org/never-seen/", "relevant", "--db", str(archive_copy), check=False)
    assert missing.returncode == 1 and "not in the archive" in missing.stderr


def test_eval_topics_refuses_a_file_that_is_not_a_labelled_list(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "not a list"}', encoding="utf-8")
    result = run_pkus("eval-topics", "--file", str(bad), check=False)
    assert result.returncode == 1 and "expected a JSON list" in result.stderr


def test_stream_benchmark_skips_without_the_mirror():
    sys.path.insert(0, str(TOPICS.parent.parent / "bench"))
    import topics_stream

    assert topics_stream.main(["/nonexistent/mirror", "--no-docs"]) == 2


async def test_near_misses_query_lists_scores_near_the_cut_with_their_evidence(archive_copy):
    db = sqlite_utils.Database(archive_copy)
    near = next(db.query("select url from urls where relevance is not null and state in ('archived', 'irrelevant') "
                         "order by abs(relevance - 0.5) limit 1"))["url"]
    run_pkus("label", near, "relevant", "--db", str(archive_copy))
    rows = (await datasette_get(archive_copy, "/archive/near_misses.json?_shape=array&low=0&high=1")).json()
    assert rows[0]["url"] == near and rows[0]["labelled"] == 1 and rows[0]["features"]
    gaps = [abs(r["probability"] - 0.5) for r in rows]
    assert gaps == sorted(gaps)
    narrow = (await datasette_get(archive_copy, "/archive/near_misses.json?_shape=array&low=0.45&high=0.55")).json()
    assert all(0.45 <= r["probability"] <= 0.55 for r in narrow)
