"""grader/cli/course.py: the course builders run from the command line (gradescope,
example-class, nbgrader, notebooks)."""

from __future__ import annotations

from typer.testing import CliRunner

from grader.cli import app
from tests.grader.cli._support import one_line_error


def test_example_class_refuses_a_folder_it_did_not_write_unless_forced(tmp_path):
    klass = tmp_path / "submissions"
    (klass / "alice").mkdir(parents=True)
    (klass / "alice" / "activations.py").write_text("def sigmoid(x): ...\n")
    done = CliRunner().invoke(app, ["example-class", str(klass)])
    one_line_error(done, str(klass), "--force")
    assert (klass / "alice" / "activations.py").is_file()
    done = CliRunner().invoke(app, ["example-class", str(klass), "--force"])
    assert done.exit_code == 0, done.output
    assert not (klass / "alice").exists() and (klass / "model-answers").is_dir()


def test_notebooks_rerun_keeps_an_edited_notebook_unless_force(tmp_path):
    """``gradelab notebooks --out D`` again over a learner's edited notebook once replaced their
    work silently: now it refuses (exit 2, naming the file), and ``--force`` overwrites it after
    keeping the edited copy under ``D/.gradelab/replaced/``."""
    out = tmp_path / "nb"
    args = ["notebooks", "--out", str(out), "-t", "activations"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    (notebook,) = out.glob("*.ipynb")
    edited = notebook.read_text().replace("raise NotImplementedError", "return x  # mine", 1)
    notebook.write_text(edited)
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and notebook.name in refused.output, refused.output
    assert notebook.read_text() == edited
    forced = CliRunner().invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert notebook.read_text() != edited
    kept = list((out / ".gradelab" / "replaced").rglob(notebook.name))
    assert [p.read_text() for p in kept] == [edited]


def test_gradescope_sandbox_mode_is_written_into_the_zip_and_checked(tmp_path):
    """``--sandbox`` picks how learner code is isolated on Gradescope (uid by default; bwrap;
    auto) and lands in the zip's settings; another word is refused before anything is built."""
    import json
    import zipfile

    from grader.autograder.config import CONFIG_NAME

    wrong = CliRunner().invoke(
        app, ["gradescope", "--out", str(tmp_path / "x.zip"), "--sandbox", "none"]
    )
    assert wrong.exit_code == 2 and "sandbox 'none'" in wrong.output
    assert not (tmp_path / "x.zip").exists()
    for mode in ("uid", "bwrap"):
        out = tmp_path / f"{mode}.zip"
        extra = [] if mode == "uid" else ["--sandbox", mode]
        done = CliRunner().invoke(
            app, ["gradescope", "--out", str(out), "-t", "activations", *extra]
        )
        assert done.exit_code == 0, done.output
        with zipfile.ZipFile(out) as zf:
            assert json.loads(zf.read(CONFIG_NAME))["sandbox"] == mode


def test_gradescope_never_overwrites_a_file_that_is_no_autograder_zip(tmp_path):
    """`gradelab gradescope --out homework.zip` beside the class download of that name replaced
    the learners' submissions with the autograder; an autograder written before is replaced."""
    import zipfile

    download = tmp_path / "homework.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr("alice/activations.py", "precious = 1\n")
    before = download.read_bytes()
    args = ["gradescope", "--out", str(download), "-t", "activations"]
    one_line_error(CliRunner().invoke(app, args), "homework.zip", "not a gradelab autograder")
    assert download.read_bytes() == before
    again = tmp_path / "autograder.zip"
    for _ in range(2):
        done = CliRunner().invoke(app, ["gradescope", "--out", str(again), "-t", "activations"])
        assert done.exit_code == 0, done.output


def test_notebooks_run_again_does_not_claim_to_have_written_what_was_unchanged(tmp_path):
    """A second `notebooks --out` printed "unchanged: activations.ipynb" then "wrote 1
    notebooks": the instructor could not tell whether a learner's copy was touched."""
    args = ["notebooks", "--out", str(tmp_path / "nb"), "-t", "activations"]
    CliRunner().invoke(app, args)
    done = CliRunner().invoke(app, args, terminal_width=200)
    assert done.exit_code == 0, done.output
    assert "unchanged: activations.ipynb" in done.output and "wrote" not in done.output
