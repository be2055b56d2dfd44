"""The base report: gathering its parts (risk built when missing, a part without data is a
note, not a crash) and the HTML page (sections, heatmap, languages, escaping,
self-containment)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from tests.reports.html_page import parse
from tests.reports.test_base_views import AS_OF, add_extras, school_workspace

from livebase.i18n import format_date, format_level, format_percent, t
from livebase.metrics.risk import build_risk
from livebase.reports.base import TOP_RISKS, activation_period, base_report
from livebase.reports.base_html import render_base_html, write_base_html
from livebase.segments.build import build_segments

PARTS = ("risk", "cohorts", "activation", "nps", "support")
LATER = dt.date(2025, 5, 3)  # segmented, risk not scored: the report scores it
UNSEGMENTED = dt.date(2025, 4, 30)
SCHOOL = 'Школа "Знание" <b>&</b>'


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    ws = school_workspace(tmp_path_factory.mktemp("base-html"), school=SCHOOL)
    build_segments(ws, AS_OF)
    build_risk(ws, AS_OF)
    add_extras(ws)
    build_segments(ws, LATER)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def report(school):
    return base_report(school, AS_OF, "ru")


def test_base_report_gathers_every_part(report):
    assert report.missing == ()
    assert report.school == SCHOOL
    assert not report.risk_built  # stored by the fixture
    assert report.risk.customers > 300
    assert len(report.top_risks) == TOP_RISKS
    assert [r.points for r in report.top_risks] == sorted(
        (r.points for r in report.top_risks), reverse=True
    )
    assert report.cohorts.kind == "first_purchase_month"
    assert report.cohorts.as_of == AS_OF
    # the last three full months before 4 May 2025: February to April
    assert (report.activation_from, report.activation_to) == activation_period(AS_OF)
    assert report.activation_from == dt.date(2025, 2, 1)
    assert report.activation_to == dt.date(2025, 4, 30)
    assert report.activation.newcomers == sum(c.newcomers for c in report.activation_cohorts)
    assert report.nps.total.n == 50
    assert len(report.support) == 12
    assert report.support[-1].month == dt.date(2025, 5, 1)


def test_base_report_scores_risk_when_it_is_not_stored(school):
    r = school.table("risk")
    assert r.filter(r.as_of == LATER).count().to_pyarrow().as_py() == 0
    report = base_report(school, LATER, "en")
    assert report.risk_built
    assert report.missing == ()
    stored = r.filter(r.as_of == LATER).count().to_pyarrow().as_py()
    assert stored == report.risk.customers > 0
    html = render_base_html(report)
    assert t("base.risk_built", "en") in html
    assert base_report(school, LATER, "en").risk_built is False  # now it is stored


def test_a_date_without_segments_leaves_risk_and_nps_out_with_a_note(school):
    report = base_report(school, UNSEGMENTED, "en")
    assert report.risk is None
    assert report.top_risks == ()
    assert report.nps is None
    assert {m.part for m in report.missing} == {"risk", "nps"}
    assert report.why_missing("risk").code == "no_segments"
    assert report.why_missing("cohorts") is None
    assert report.cohorts is not None
    assert report.activation is not None
    assert report.support is not None
    html = render_base_html(report)
    page = parse(html)
    note = t("base.missing.no_segments", "en", date="2025-04-30")
    assert "".join(page.text).count(note) == 2
    assert "livebase segment --as-of 2025-04-30" in note


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_page_sections_and_language(report, lang):
    html = render_base_html(report, lang)
    page = parse(html)
    text = "".join(page.text)
    assert f'<html lang="{lang}">' in html
    date = format_date(AS_OF, lang)
    assert t("base.as_of", lang, date=date) in text
    assert SCHOOL in text  # unescaped in the text, escaped in the markup
    ids = [v for k, v in page.attrs if k == "id"]
    assert ids == list(PARTS)
    for part in PARTS:
        assert t(f"base.section.{part}", lang) in text
    # risk levels and the top 20 with reasons
    high = report.risk.level("high")
    assert format_percent(high.share, lang) in page.section_rows["risk-levels:high"]
    top = [k for k in page.section_rows if k.startswith("risk-top:")]
    assert len(top) == TOP_RISKS
    first = report.top_risks[0]
    cells = page.section_rows[f"risk-top:{first.customer_id}"]
    assert t(f"risk.level.{first.level}", lang) in cells
    assert t(f"risk.reason.{first.reasons[0].code}", lang) in cells[-1]
    # retention heatmap: a background per value; the partial cell marked
    assert 'class="cohort-retention heat"' in html
    assert len(re.findall(r'style="background: rgba\(37, 99, 235, 0\.\d\d\)', html)) > 30
    partial = next(
        r for r in report.cohorts.rows if r.metric == "retention_d7" and r.status == "partial"
    )
    row = page.section_rows[f"cohort-retention:{partial.cohort}"]
    assert f"{format_percent(partial.value, lang)}*" in row
    short = t("value.insufficient_short", lang)
    last = report.cohorts.cohorts[-1]
    assert page.section_rows[f"cohort-retention:{last}"].count(short) == 3
    assert f"cohort-ltv:{last}" in page.section_rows
    for key in ("activation:activated_7d", "nps-segment:total", "support:2025-03-01"):
        assert key in page.section_rows
    for key in ("explain.cohort_retention", "explain.activation_share", "explain.support_rate"):
        assert t(key, lang, level=format_level(0.05, lang)) in text
    assert t("report.generated_by", lang) in text


def test_page_escapes_customer_ids_segments_and_the_school(report):
    evil = '<script>alert("x")</script>'
    top = (dataclasses.replace(report.top_risks[0], customer_id=evil, segment="a&b<i>"),)
    html = render_base_html(dataclasses.replace(report, top_risks=top), "en")
    assert evil not in html
    assert "<i>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "a&amp;b&lt;i&gt;" in html
    assert "<b>&</b>" not in html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html
    page = parse(html)
    assert evil in page.section_rows[f"risk-top:{evil}"]


def test_page_loads_nothing(report):
    html = render_base_html(report, "en")
    page = parse(html)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert not [k for k, _ in page.attrs if k == "src" or k.startswith("on")]
    hrefs = [v for k, v in page.attrs if k == "href"]
    assert hrefs
    assert all(v.startswith("#") for v in hrefs)
    lowered = html.lower()
    for needle in ("http://", "https://", "url(", "@import", "//cdn"):
        assert needle not in lowered


def test_write_base_html(report, tmp_path):
    path = write_base_html(report, tmp_path / "out" / "base.html")
    assert path.read_text(encoding="utf-8") == render_base_html(report, "ru")
