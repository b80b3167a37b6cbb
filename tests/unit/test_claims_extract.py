"""Drafting claims from an article (foedus.claims.extract), on synthetic text and a small
synthetic state system (the packaged crosswalk supplies names and variants)."""

from __future__ import annotations

from datetime import date

import pytest

from foedus.claims.condition import parse_condition
from foedus.claims.extract import (
    MAX_DRAFTS,
    Article,
    DraftClaim,
    Extraction,
    extract_claims,
    read_article,
)
from foedus.countries import CountryIndex
from foedus.errors import ClaimError
from tests.unit.test_countries import cow_states_frame

OPEN = (2016, 12, 31)  # the list's last day: the spell is taken to continue
COW = [  # stateabb, ccode, statenme, start, end
    ("USA", 2, "United States of America", (1816, 1, 1), OPEN),
    ("UKG", 200, "United Kingdom", (1816, 1, 1), OPEN),
    ("RUS", 365, "Russia", (1816, 1, 1), OPEN),
    ("UKR", 369, "Ukraine", (1991, 8, 24), OPEN),
    ("GRG", 372, "Georgia", (1991, 8, 25), OPEN),
    ("FIN", 375, "Finland", (1917, 12, 6), OPEN),
    ("SWD", 380, "Sweden", (1816, 1, 1), OPEN),
    ("CHA", 483, "Chad", (1960, 8, 11), OPEN),
    ("IRN", 630, "Iran", (1816, 1, 1), OPEN),
    ("TUR", 640, "Turkey", (1816, 1, 1), OPEN),
    ("CHN", 710, "China", (1860, 1, 1), OPEN),
    ("KOR", 730, "Korea", (1887, 1, 1), (1905, 11, 17)),
    ("PRK", 731, "North Korea", (1948, 9, 9), OPEN),
    ("ROK", 732, "South Korea", (1949, 1, 1), OPEN),
    ("JPN", 740, "Japan", (1816, 1, 1), OPEN),
]
IDX = CountryIndex(cow_states_frame(COW))
P = date(2021, 2, 15)

RU_CN = (
    "Moscow and Beijing will most likely conclude an official military alliance this year "
    "or, at the latest, in 2022."
)


def run(text: str, published: date | None = P, **kw) -> Extraction:
    return extract_claims(text, published=published, index=IDX, **kw)


def one(text: str, published: date | None = P, **kw) -> DraftClaim:
    e = run(text, published, **kw)
    assert len(e.drafts) == 1, e.drafts
    return e.drafts[0]


# --- the worked example ------------------------------------------------------------------------


def test_the_russia_china_example():
    e = run("An analyst spoke to us. " + RU_CN)
    assert e.published == P and e.published_source == "given"
    assert e.states == [("Moscow", 365, 1), ("Beijing", 710, 1)]
    [d] = e.drafts
    assert d.sentence == RU_CN
    assert d.condition == {
        "event": "new_pledge",
        "parties": ["Russia", "China"],
        "pledge": "defense",
        "window_start": "2021-02-15",
        "window_end": "2022-12-31",
    }
    assert d.paraphrase == "Russia and China will form a defense pact by 2022-12-31"
    assert d.probability_basis == "verbal" and d.probability_phrase == "most likely"
    assert d.probability == pytest.approx(0.875)  # "very likely": 80-95%
    assert d.unresolved == []
    # the draft is a condition the ledger accepts
    c = parse_condition(d.condition, index=IDX)
    assert c.parties == (365, 710) and c.window_end == date(2022, 12, 31)


def test_this_year_at_the_latest_without_in_takes_the_later_end():
    d = one("Russia and China will sign a defence pact this year or, at the latest, 2023.")
    assert d.condition["window_end"] == "2023-12-31"


# --- events ----------------------------------------------------------------------------------


def test_finland_joining_nato_is_an_accession():
    d = one("Helsinki will most likely apply to join NATO by 2023, officials say.")
    assert d.condition == {
        "event": "accession",
        "parties": ["Finland"],
        "alliance": "NATO",
        "window_start": "2021-02-15",
        "window_end": "2023-12-31",
    }
    assert d.paraphrase == "Finland will join NATO by 2023-12-31"
    assert "only one state named" not in d.unresolved


@pytest.mark.parametrize(
    "phrase",
    ["will seek NATO membership", "will become a member of NATO", "accession to NATO is likely"],
)
def test_other_ways_of_saying_joining_nato(phrase):
    d = one(f"Finnish leaders say Finland {phrase} next year.")
    assert d.condition["event"] == "accession" and d.condition["parties"] == ["Finland"]
    assert d.condition["window_end"] == "2022-12-31"


def test_two_states_joining_nato_are_flagged_for_checking():
    d = one("Finland and Sweden will join NATO within two years.")
    assert d.condition["parties"] == ["Finland", "Sweden"]
    assert d.paraphrase == "Finland and Sweden will each join NATO by 2023-02-15"
    assert any("2 states named" in u for u in d.unresolved)


@pytest.mark.parametrize(
    ("words", "pledge", "reads"),
    [
        ("a non-aggression pact", "nonagg", "a non-aggression pact"),
        ("a neutrality treaty", "neutral", "a neutrality pact"),
        ("a consultation agreement", "consul", "a consultation pact"),
        ("a mutual defence treaty", "defense", "a defense pact"),
    ],
)
def test_the_pledge_type_comes_from_the_words(words, pledge, reads):
    d = one(f"Iran and Russia will sign {words} by 2024.")
    assert d.condition["pledge"] == pledge
    assert d.paraphrase == f"Iran and Russia will form {reads} by 2024-12-31"
    assert not any("pledge type assumed" in u for u in d.unresolved)


def test_a_bare_treaty_is_assumed_a_defense_pledge_and_says_so():
    d = one("Japan and South Korea will sign a treaty by 2024.")
    assert d.condition["pledge"] == "defense"
    assert "pledge type assumed 'defense' (the sentence says 'treaty')" in d.unresolved


def test_a_one_state_draft_says_only_one_state_named():
    d = one("Russia will likely seek a military alliance by 2025.")
    assert d.condition["parties"] == ["Russia"] and d.condition["event"] == "new_pledge"
    assert "only one state named" in d.unresolved
    assert d.paraphrase == "Russia will form a defense pact with a state not named by 2025-12-31"


# --- windows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "end"),
    [
        ("within five years", "2026-02-15"),
        ("within 5 years", "2026-02-15"),
        ("in the next two years", "2023-02-15"),
        ("within 18 months", "2022-08-15"),
        ("within the next year", "2022-02-15"),
        ("next year", "2022-12-31"),
        ("this year", "2021-12-31"),
        ("by 2030", "2030-12-31"),
        ("before 2030", "2030-12-31"),
        ("at most in 2022", "2022-12-31"),
        ("by the end of 2022", "2022-12-31"),
    ],
)
def test_windows(when, end):
    d = one(f"Russia and China will form an alliance {when}.")
    assert d.condition["window_start"] == "2021-02-15"
    assert d.condition["window_end"] == end
    assert not any("window" in u for u in d.unresolved)


def test_within_five_years_from_a_leap_day():
    d = one("Russia and China will form an alliance within five years.", date(2024, 2, 29))
    assert d.condition["window_end"] == "2029-02-28"


@pytest.mark.parametrize("when", ["soon", "within months", "in the coming months"])
def test_a_vague_window_is_assumed_and_said(when):
    d = one(f"Russia and China will form an alliance {when}.")
    assert d.condition["window_end"] == "2022-12-31"
    assert any(u.startswith("vague window") and "2022" in u for u in d.unresolved)


def test_no_window_assumes_the_end_of_the_publication_year():
    d = one("Russia and China will form a military alliance.")
    assert d.condition["window_end"] == "2021-12-31"
    assert "no time window: assumed the end of the publication year (2021-12-31)" in (d.unresolved)


def test_past_years_are_not_windows():
    d = one("Having signed a treaty in 2001, Russia and China will form an alliance.")
    assert d.condition["window_end"] == "2021-12-31"


# --- publication dates -----------------------------------------------------------------------


def test_no_date_leaves_the_window_empty_and_says_so():
    e = run("Russia and China will form a military alliance by 2025.", published=None)
    assert e.published is None and e.published_source == "not found"
    [d] = e.drafts
    assert d.condition["window_start"] is None and d.condition["window_end"] is None
    assert "no date found: give --published" in d.unresolved
    assert d.paraphrase.endswith("by a date not known")


@pytest.mark.parametrize("written", ["February 15, 2021", "15 February 2021", "2021-02-15"])
def test_a_date_in_the_text_dates_the_article(written):
    e = run(f"Moscow, {written}. Russia and China will form an alliance next year.", None)
    assert e.published == P and written in e.published_source
    assert e.published_source.startswith("found in the text")
    assert e.drafts[0].condition["window_end"] == "2022-12-31"
    assert any("first date in the text" in n for n in e.notes)


def test_a_given_date_wins_over_the_html_date_which_wins_over_the_text():
    text = "March 1, 2020. Russia and China will form an alliance this year."
    assert run(text, date(2019, 5, 5), html_date=P).published == date(2019, 5, 5)
    e = run(text, None, html_date=P, html_date_how="HTML <time datetime>")
    assert e.published == P and e.published_source == "found in the text (HTML <time datetime>)"
    assert run(text, None).published == date(2020, 3, 1)


# --- probabilities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "p", "phrase"),
    [
        ("There is a 70% chance", 0.7, "70%"),
        ("Odds are 70 per cent", 0.7, "70 per cent"),
        ("The chances are seven in ten", 0.7, "seven in ten"),
    ],
)
def test_a_stated_probability_wins_over_words(words, p, phrase):
    d = one(f"{words} that Russia and China will most likely form an alliance by 2025.")
    assert d.probability == pytest.approx(p)
    assert d.probability_basis == "stated" and d.probability_phrase == phrase


def test_a_share_is_not_a_probability():
    d = one("Russia, which spends 4% of GDP on defence, and China may sign a pact by 2025.")
    assert d.probability_basis == "verbal" and d.probability_phrase == "may"


def test_no_probability_is_none():
    d = one("Russia and China would sign a pact by 2025.")
    assert d.probability is None and d.probability_basis is None
    assert d.probability_phrase is None
    assert "no probability stated or implied" in d.unresolved


# --- states ----------------------------------------------------------------------------------


def test_sentences_without_states_or_without_a_forecast_are_ignored():
    e = run(
        "The alliance will probably grow by 2030. Russia and China signed a treaty in 2001. "
        "Russia will hold elections next year."
    )
    assert e.drafts == []
    assert any("nothing drafted" in n for n in e.notes)


def test_states_are_counted_by_code_in_order():
    e = run(
        "Russian troops and the Kremlin's envoy met US officials. Russia will probably join "
        "China in an alliance by 2025. The Chinese agreed."
    )
    assert e.states == [
        ("Russian / Kremlin / Russia", 365, 3),
        ("US", 2, 1),
        ("China / Chinese", 710, 2),
    ]
    assert e.drafts[0].condition["parties"] == ["Russia", "China"]


def test_false_friends_are_skipped():
    e = run(
        "Chad Smith said Georgia and Turkey will sign a defence pact by 2025, over Turkey "
        "dinner in the South China Sea."
    )
    assert [s[1] for s in e.states] == [640]  # Turkey; not Chad, Georgia, the bird, China
    assert any("'Georgia' skipped" in n for n in e.notes)


def test_georgia_counts_with_a_caucasus_context():
    e = run("Tbilisi and Ankara will sign a defence pact by 2025; the Caucasus watches Georgia.")
    assert e.drafts[0].condition["parties"] == ["Georgia", "Turkey"]
    assert ("Tbilisi / Georgia", 372, 2) in e.states


def test_treaty_names_do_not_count_their_city():
    e = run("Ukraine will join NATO, the Washington Post says, under the Treaty of Paris, by 2030.")
    assert [s[1] for s in e.states] == [369]


def test_korean_needs_north_or_south_and_bare_korea_is_noted():
    e = run(
        "Seoul and Tokyo will form an alliance by 2025. Korean officials and Korea "
        "will likely sign a pact with Japan by 2025."
    )
    assert e.drafts[0].condition["parties"] == ["South Korea", "Japan"]
    assert e.drafts[1].condition["parties"] == ["Japan"]
    assert any(n.startswith("'Korea' left out") and "ambiguous" in n for n in e.notes)


def test_a_long_sentence_is_trimmed_and_drafts_are_capped():
    long = "Russia and China will form an alliance by 2025, " + "and so on " * 40 + "."
    d = one(long)
    assert len(d.sentence) <= 300 and d.sentence.endswith("...")
    e = run(" ".join(["Russia and China will form an alliance by 2025."] * (MAX_DRAFTS + 3)))
    assert len(e.drafts) == MAX_DRAFTS
    assert any(f"{MAX_DRAFTS + 3} candidate sentences" in n for n in e.notes)


def test_abbreviations_do_not_end_sentences():
    e = run("The U.S. and the U.K. will sign a defence pact by 2025. Iran will not.")
    [d] = e.drafts
    assert d.condition["parties"] == ["United States", "United Kingdom"]


def test_drafts_follow_the_text_and_serialise():
    e = run(RU_CN + " Finland will join NATO by 2023.")
    assert [d.condition["event"] for d in e.drafts] == ["new_pledge", "accession"]
    doc = e.to_dict()
    assert doc["published"] == "2021-02-15" and doc["drafts"][1]["condition"]["alliance"] == "NATO"


def test_bad_arguments():
    with pytest.raises(ClaimError):
        extract_claims(b"text", index=IDX)  # type: ignore[arg-type]
    with pytest.raises(ClaimError) as e:
        extract_claims("x", published="2021-02-15", index=IDX)  # type: ignore[arg-type]
    assert e.value.field == "published"


# --- reading files ---------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head>
<title>Page title</title>
<meta property="article:published_time" content="2021-02-15T08:30:00+03:00">
<style>p { color: red; }</style>
<script>var s = "Russia and China will sign a defence pact by 2030.";</script>
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2020-01-01"}</script>
</head><body>
<h1>A new alliance?</h1>
<p>Moscow and Beijing will most likely conclude an official
military alliance this year or, at the latest, in 2022.</p><p>Other news &amp; <br>views</p>
</body></html>
"""


def test_html_text_drops_scripts_and_keeps_paragraphs(tmp_path):
    f = tmp_path / "a.html"
    f.write_text(HTML, encoding="utf-8")
    art = read_article(f)
    text, kind = art
    assert isinstance(art, Article) and kind == "html" and art.text == text
    assert text == (
        "A new alliance?\n\nMoscow and Beijing will most likely conclude an official military "
        "alliance this year or, at the latest, in 2022.\n\nOther news &\nviews"
    )
    assert "var s" not in text and "color" not in text and "Page title" not in text
    # the meta date wins over JSON-LD
    assert art.published == P and "article:published_time" in art.published_how
    e = extract_claims(text, index=IDX, html_date=art.published, html_date_how=art.published_how)
    assert e.published == P and "article:published_time" in e.published_source
    assert [d.paraphrase for d in e.drafts] == [
        "Russia and China will form a defense pact by 2022-12-31"
    ]


@pytest.mark.parametrize(
    ("head", "how"),
    [
        (
            '<script type="application/ld+json">[{"datePublished": "2021-02-15"}]</script>',
            "JSON-LD",
        ),
        ('<time datetime="2021-02-15">Feb 15</time>', "<time datetime>"),
    ],
)
def test_html_dates_from_json_ld_or_time(tmp_path, head, how):
    f = tmp_path / "a.htm"
    f.write_text(f"<html><body>{head}<p>Text.</p></body></html>", encoding="utf-8")
    art = read_article(f)
    assert art.published == P and how in art.published_how


def test_plain_text(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Line one.\n\nLine two.", encoding="utf-8")
    art = read_article(f)
    assert tuple(art) == ("Line one.\n\nLine two.", "text") and art.published is None


def test_binary_and_undecodable_files_are_refused(tmp_path):
    png = tmp_path / "a.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin = tmp_path / "b.txt"
    latin.write_bytes("Caf\xe9 au lait".encode("latin-1"))
    for f in (png, latin):
        with pytest.raises(ClaimError) as e:
            read_article(f)
        assert e.value.field == "file" and "not a text" in e.value.message and e.value.hint


def test_a_declared_charset_is_honoured(tmp_path):
    f = tmp_path / "c.html"
    f.write_bytes('<meta charset="iso-8859-1"><p>Caf\xe9</p>'.encode("latin-1"))
    assert read_article(f).text == "Café"


def test_large_and_missing_files_are_refused(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(5 * 1024 * 1024 + 1)
    with pytest.raises(ClaimError, match="over 5 MB"):
        read_article(big)
    with pytest.raises(ClaimError, match="does not exist"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(ClaimError, match="is not a file"):
        read_article(tmp_path)
