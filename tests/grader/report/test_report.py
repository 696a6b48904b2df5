"""grader/report (write_class_report) end to end: a generated class with known planted mistakes
is graded through the CLI on the real hidden tests, and the report must count each mistake
exactly, list the uncatalogued wrong answers, and load in a browser showing its tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.examples import plant_mistake, write_answers
from grader.report import write_class_report
from tests.grader.report.browser import Tables, load

SIGMOID = "activations.sigmoid_grad/sigmoid_grad_as_sigmoid"
MSE = "losses.mse/mse_sum_for_mean"
#: learner → planted catalogued mistakes
PLANTED = {
    "sg-1": [SIGMOID],
    "sg-2": [SIGMOID],
    "sg-3": [SIGMOID],
    "mse-1": [MSE],
    "mse-2": [MSE],
    "both": [SIGMOID, MSE],
}
#: an uncatalogued wrong relu, and one that raises: learner → code appended to activations.py
UNNAMED = {
    "off-by-one-1": "def relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0) + 1.0\n",
    "off-by-one-2": "def relu(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0) + 1.0\n",
    "raises": "def relu(x):\n    raise ValueError('no negative numbers please')\n",
}
TOPICS = ("activations", "losses")

LEARNERS = 2 + len(PLANTED) + len(UNNAMED) + 1  # model, stubs, planted, unnamed, broken

pytestmark = pytest.mark.slow  # grades 12 learners on two topics (~20 s on 2 cores)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("class-report")
    klass = root / "class"
    write_answers(klass / "model")
    write_answers(klass / "stubs", "exercises")
    for learner, keys in PLANTED.items():
        folder = write_answers(klass / learner)
        for key in keys:
            plant_mistake(folder, key)
    for learner, code in UNNAMED.items():
        folder = write_answers(klass / learner)
        with (folder / "activations.py").open("a", encoding="utf-8") as fh:
            fh.write("\n\n" + code)
    with (write_answers(klass / "broken") / "losses.py").open("a", encoding="utf-8") as fh:
        fh.write("\ndef broken(:\n")  # losses.py does not import: one mistake, not one per function
    out = root / "out"
    args = ["grade", str(klass), "--out", str(out), "--jobs", "2", "--max-examples", "5"]
    result = CliRunner().invoke(app, [*args, *(a for t in TOPICS for a in ("--topic", t))])
    assert result.exit_code == 0, result.output
    return out, result.output


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_each_planted_mistake_is_counted_exactly_with_its_learners(graded):
    out, _ = graded
    named = {r["key"]: r for r in read(out / "class" / "mistakes.csv") if r["kind"] == "named"}
    assert set(named) == {SIGMOID, MSE}
    expected = {key: sorted(ls for ls, keys in PLANTED.items() if key in keys) for key in named}
    for key, row in named.items():
        assert int(row["learners_count"]) == len(expected[key])
        assert sorted(row["learners"].split()) == expected[key]
        assert row["example_call"].startswith(key.split("/")[0] + "(")
    assert named[SIGMOID]["topic"] == "activations" and named[SIGMOID]["function"] == "sigmoid_grad"


def test_uncatalogued_wrong_answers_are_grouped_by_what_failed(graded):
    out, _ = graded
    unnamed = [r for r in read(out / "class" / "mistakes.csv") if r["kind"] == "unnamed"]
    groups = sorted((r["function"], sorted(r["learners"].split())) for r in unnamed)
    assert groups == [
        ("*", ["broken"]),
        ("relu", ["off-by-one-1", "off-by-one-2"]),
        ("relu", ["raises"]),
    ]
    assert "losses.py cannot be imported: SyntaxError" in [r["mistake"] for r in unnamed]
    raised = next(r for r in unnamed if r["learners"] == "raises")
    assert "raises ValueError" in raised["mistake"]
    relu = [r for r in unnamed if r["function"] == "relu"]
    assert all(r["example_call"].startswith("activations.relu(") for r in relu)


def test_items_csv_has_one_row_per_hidden_test_and_matches_the_gradebook(graded):
    out, _ = graded
    items = read(out / "class" / "items.csv")
    report = write_class_report(out)  # re-reading the gradebook gives the same report
    assert [r["item"] for r in items] == [it.name for it in report.items]
    assert {r["topic"] for r in items} == set(TOPICS)
    assert all(r["learners_graded"] == str(LEARNERS) for r in items)
    rates = {it.name: it.pass_rate for it in report.items}
    # stubs, both wrong relus and the raising one fail it; the rest pass
    assert rates["activations.relu: matches the reference on random inputs"] == pytest.approx(
        (LEARNERS - 4) / LEARNERS
    )
    assert rates["activations.sigmoid_grad: matches the reference on random inputs"] == (
        pytest.approx((LEARNERS - 5) / LEARNERS)  # stubs, sg-1..3 and both
    )
    # the untouched stubs fail every test, so no test is passed by everyone
    assert not any("nobody fails" in r["flags"] for r in items)


def test_grade_prints_the_commonest_mistakes(graded):
    _, output = graded
    assert "class report:" in output
    top = output.split("most common mistakes", 1)[1]
    assert top.index("σ′ written as σ") < top.index("sum instead of mean")
    assert "unnamed: " in top


def test_the_page_loads_from_disk_in_a_browser_and_shows_the_tables(graded):
    out, _ = graded
    page = out / "class" / "index.html"
    loaded = load(page, screenshot=out / "class.png")
    assert loaded.console == []  # no script error, no failed load
    assert [Path(u).name for u in loaded.fetched] == ["index.html"]  # nothing else fetched
    dom = Tables(loaded.dom)
    assert len(dom.body_rows("items")) == len(read(out / "class" / "items.csv"))
    assert len(dom.body_rows("mistakes")) == len(read(out / "class" / "mistakes.csv"))
    learners = dom.body_rows("learners")
    assert len(learners) == LEARNERS
    assert len(dom.images) == 2 and all(s.startswith("data:image/png;base64,") for s in dom.images)
    assert not [u for u in dom.links if u.startswith(("http:", "https:", "//"))]
    for link in (u for u in dom.links if u.endswith("feedback.html")):
        assert (page.parent / link).resolve().is_file()
    assert (out / "class.png").stat().st_size > 10_000
