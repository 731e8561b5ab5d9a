"""The pack never rests a figure on a column the LA left blank, and says what it could not analyse.

Blanking one column removes every figure that depends on it (its line-of-enquiry list, its summary
evidence) and adds the "not provided by the LA" line and a data-quality entry; validation's
quality.column_coverage is read when present (its contract: mostly_blank per list column); an absent
list is "not provided", never "none audited".
"""

from __future__ import annotations

import duckdb
import pack_fixtures as F
import pytest
from test_pack import section_text

from flows import warehouse
from flows.pack import render as pack

VISIT = "Children on a child protection plan not visited in the last six weeks"


def _blank(lists: dict, table: str, column: str) -> dict:
    return {**lists, table: [{k: v for k, v in r.items() if k != column} for r in lists[table]]}


@pytest.fixture(scope="module")
def full_text(tmp_path_factory) -> dict[str, str]:
    ctx = F.make_run(tmp_path_factory.mktemp("honest") / "full")
    return section_text(pack.render(ctx).read_text(encoding="utf-8"))


def test_blanking_a_column_removes_its_headline_and_says_not_provided(tmp_path, full_text):
    lists = _blank(F.LISTS, "list_07_child_protection", "date_last_visit")
    text = section_text(pack.render(F.make_run(tmp_path / "b", lists=lists)).read_text("utf-8"))
    # with the column: the headline is in the summary and its list in the detail
    assert f"{VISIT}: 2." in full_text["summary"]
    assert f"{VISIT}: 2" in full_text["audits"]
    # blank on every row: gone from the summary, "not provided by the LA" in the detail
    assert VISIT not in text["summary"]
    assert f"{VISIT}: not provided by the LA" in text["audits"]
    assert (
        "'Date of the Last Statutory Visit' (list 7) blank or unreadable on 4 of 4 rows"
        in (text["audits"])
    )
    assert "What could not be analysed" in text["data-quality"]
    assert f"{VISIT} : 'Date of the Last Statutory Visit' (list 7)" in text["data-quality"]
    # the other list 7 figures rest on other columns and stay
    assert "Child protection plans lasting two years or more: 1" in text["audits"]


def test_validation_column_coverage_is_the_source_when_present(tmp_path):
    """quality.column_coverage (validation's table) decides, even where the typed column has values."""
    ctx = F.make_run(tmp_path / "cc")
    con = warehouse.connect(ctx.warehouse)
    con.execute(
        "create table quality.column_coverage (list_name varchar, column_name varchar, "
        "column_key varchar, rows bigint, blank bigint, unparseable bigint, mostly_blank boolean)"
    )
    con.execute(
        "insert into quality.column_coverage values "
        "('list_09_care_leavers', 'LA in Touch', 'in_touch', 4, 1, 2, true), "
        "('list_07_child_protection', 'Date of the Last Statutory Visit', 'date_last_visit', 4, 2, 0, false)"
    )
    con.close()
    text = section_text(pack.render(ctx).read_text("utf-8"))
    assert (
        "Care leavers the local authority is not in touch with: not provided by the LA"
        in (text["audits"])
    )
    assert "'LA in Touch' (list 9) blank or unreadable on 3 of 4 rows" in text["data-quality"]
    assert "not in touch" not in text["summary"]
    assert f"{VISIT}: 2" in text["audits"]


def test_coverage_written_after_the_models_were_built_still_decides(tmp_path):
    """A run builds the pack's models beside validation: whichever finishes first, the pack must be
    the same. Coverage is bound when the pack renders, so validation's table, written after the
    build, is the one read."""
    from flows.pack import models as pack_models

    ctx = F.make_run(tmp_path / "late")
    pack_models.build_models(ctx)  # the indicators stage, before validation wrote its coverage
    con = warehouse.connect(ctx.warehouse)
    con.execute(
        "create table quality.column_coverage (list_name varchar, column_name varchar, "
        "column_key varchar, rows bigint, blank bigint, unparseable bigint, mostly_blank boolean)"
    )
    con.execute(
        "insert into quality.column_coverage values "
        "('list_09_care_leavers', 'LA in Touch', 'in_touch', 4, 1, 2, true)"
    )
    con.close()
    text = section_text(pack.render(ctx, built=True).read_text("utf-8"))
    assert (
        "Care leavers the local authority is not in touch with: not provided by the LA"
        in (text["audits"])
    )


def test_a_column_not_sent_is_not_provided(tmp_path):
    """A list sent without the column at all (a real table missing it) reads as not provided."""
    ctx = F.make_run(tmp_path / "ns")
    con = warehouse.connect(ctx.warehouse)
    con.execute("alter table annex_a.list_09_care_leavers drop column in_touch")
    con.close()
    text = section_text(pack.render(ctx).read_text("utf-8"))
    assert (
        "Care leavers the local authority is not in touch with: not provided by the LA"
        in (text["audits"])
    )


def test_absent_audit_list_is_not_provided_never_none_audited(tmp_path):
    lists = {k: v for k, v in F.LISTS.items() if k != "audits"}
    ctx = F.make_run(tmp_path / "na", lists=lists)
    text = section_text(pack.render(ctx).read_text("utf-8"))
    assert "was audited" not in text["summary"]
    assert "no child audited" not in text["audits"]
    con = duckdb.connect(str(ctx.warehouse), read_only=True)
    assert con.execute("select count(*) from pack.audit_coverage where no_audit").fetchall() == [
        (0,)
    ]
    con.close()


def test_a_column_asked_of_some_rows_is_judged_on_those_rows(tmp_path):
    """Return interviews are asked only of children who went missing: blanks for the others are not
    a gap (the fixture's column is blank on 2 of 4 rows but only 1 of the 3 missing children); blank
    for every missing child, it is."""
    html = pack.render(F.make_run(tmp_path / "ok")).read_text("utf-8")
    assert "Children in care missing without a return interview: 2" in section_text(html)["audits"]
    lists = _blank(F.LISTS, "list_08_children_in_care", "return_interview_offered")
    text = section_text(pack.render(F.make_run(tmp_path / "b", lists=lists)).read_text("utf-8"))
    assert "missing without a return interview: not provided by the LA" in text["audits"]
    assert "blank or unreadable on 3 of 3 rows where missing episodes > 0" in text["data-quality"]
