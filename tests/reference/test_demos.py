"""reference/demos: the fast demos meet their targets; the slow ones run in a tiny configuration.

The tiny runs check the plumbing (figures, tables, files written, finite losses), not accuracy;
the pieces each demo is built from are checked against torch built-ins and autograd here too.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys

import pytest
import torch
from rich.console import Console
from torch import nn

import lessons
from grader.release.build import ROOT
from reference import forward, layers, rag
from reference.demos import DemoContext, DemoResult, fit, run_all
from reference.demos import cnn as cnn_demo
from reference.demos import lstm as lstm_demo
from reference.demos import optimizers as opt_demo
from reference.demos import perceptron as perceptron_demo
from reference.demos import rag as rag_demo
from reference.demos import vanishing as vanishing_demo


def _console() -> Console:
    return Console(file=io.StringIO(), width=120)


@pytest.fixture
def ctx(tmp_path, device) -> DemoContext:
    return DemoContext(device=torch.device(device), seed=0, out=tmp_path, console=_console())


def _render(result: DemoResult, width: int = 120) -> str:
    """Print every table the way run_all does; return the text (fails on bad rich markup)."""
    console = Console(file=io.StringIO(), width=width)
    for table in result.tables:
        console.print(fit(table, width))
    console.print(result.message)
    return console.file.getvalue()


def _assert_png(result: DemoResult, name: str) -> None:
    paths = [p for p in result.files if p.name == name]
    assert paths, f"{name} not in {result.files}"
    data = paths[0].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


# ---------------------------------------------------------------- perceptron (full run)


def test_separable_data_keeps_the_margin_and_labels_by_side_of_the_line():
    x, y, w, b = perceptron_demo.make_separable(300, 0.1, torch.Generator().manual_seed(4))
    dist = x @ w + b
    assert x.shape == (300, 2) and (dist.abs() >= 0.1).all()
    assert torch.equal(y, (dist > 0).double())
    assert 0 < y.sum() < 300  # both classes present


def test_perceptron_demo_reaches_full_accuracy_at_the_first_error_free_epoch(ctx):
    result = perceptron_demo.run(ctx)
    figs = result.figures
    assert result.ok and figs["train_accuracy"] == 1.0
    epochs = figs["epochs_to_converge"]
    assert isinstance(epochs, int) and epochs >= 1
    # independent check of "first epoch": retrain on the same data with the reference
    cfg = perceptron_demo.PerceptronConfig()
    x, y, _, _ = perceptron_demo.make_separable(cfg.n_samples, cfg.margin, ctx.generator(0))

    def errors(e: int) -> int:
        w, b = forward.perceptron_train(x, y, lr=cfg.lr, epochs=e)
        return int((forward.perceptron_predict(x, w, b) != y).sum())

    assert errors(epochs) == 0
    assert epochs == 1 or errors(epochs - 1) > 0
    _assert_png(result, "perceptron.png")
    assert "training errors" in _render(result)


def test_perceptron_demo_reports_failure_when_epochs_run_out(ctx):
    needed = perceptron_demo.run(ctx).figures["epochs_to_converge"]
    assert needed > 1  # the default data set needs several epochs
    result = perceptron_demo.run(ctx, perceptron_demo.PerceptronConfig(max_epochs=needed - 1))
    assert not result.ok and result.figures["epochs_to_converge"] is None
    assert result.figures["train_accuracy"] < 1.0


# ---------------------------------------------------------------- vanishing (full run)


def test_vanishing_demo_sigmoid_gradients_vanish_relu_with_he_init_do_not(ctx):
    result = vanishing_demo.run(ctx)
    f = result.figures
    assert result.ok and f["chain_bound_holds"]
    assert f["sigmoid_default_first_over_last"] < 1e-6
    assert f["sigmoid_he_first_over_last"] < 1e-4
    assert 0.1 < f["relu_he_first_over_last"] < 10
    assert len(result.tables) == 3
    assert "first / last" in _render(result)
    _assert_png(result, "vanishing.png")


def test_vanishing_figure_plots_both_activations_per_init_on_a_log_scale(tmp_path, monkeypatch):
    drawn = {}

    def keep(fig, path):
        drawn["fig"] = fig
        return path

    monkeypatch.setattr(vanishing_demo, "save_figure", keep)
    norms = {
        (init, act): [10.0 ** -(k if act == "sigmoid" else 0) for k in range(5, 0, -1)]
        for init in vanishing_demo.INITS
        for act in ("sigmoid", "relu")
    }
    vanishing_demo.plot_norms(norms, tmp_path / "v.png")
    axes = drawn["fig"].axes
    assert len(axes) == len(vanishing_demo.INITS)
    for ax in axes:
        assert ax.get_yscale() == "log"
        assert sorted(line.get_label() for line in ax.get_lines()) == ["relu", "sigmoid"]
        sigmoid = next(line for line in ax.get_lines() if line.get_label() == "sigmoid")
        assert list(sigmoid.get_xdata()) == [1, 2, 3, 4, 5]  # one point per layer


def test_layer_grad_norms_match_the_same_net_built_from_torch_modules():
    cfg = vanishing_demo.VanishingConfig(depth=6, width=5, batch=7)
    ours = vanishing_demo.deep_mlp(cfg, "sigmoid", "he", torch.Generator().manual_seed(0))
    mods: list[nn.Module] = []
    for m in ours:
        if isinstance(m, layers.Dense):
            lin = nn.Linear(5, 5, dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(m.W.T)
                lin.bias.copy_(m.b)
            mods.append(lin)
        else:
            mods.append(nn.Sigmoid())
    theirs = nn.Sequential(*mods)
    x = torch.randn(7, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    y = torch.randn(7, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    norms = vanishing_demo.layer_grad_norms(ours, x, y)
    nn.functional.mse_loss(theirs(x), y).backward()
    expected = [m.weight.grad.norm().item() for m in theirs if isinstance(m, nn.Linear)]
    assert norms == pytest.approx(expected, rel=1e-10)


def test_chain_rows_gradient_matches_autograd_and_stays_under_the_bound():
    rows = vanishing_demo.chain_rows(
        (1, 4, 9), torch.Generator().manual_seed(3), torch.device("cpu")
    )
    gen = torch.Generator().manual_seed(3)  # replay the same draws with autograd
    for n, grad_w1, quarter_n, bound in rows:
        sign = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
        ws = (sign * (0.5 + torch.rand(n, generator=gen))).double().requires_grad_()
        bs = (0.5 * torch.randn(n, generator=gen)).double()
        o = torch.tensor(1.0, dtype=torch.float64)
        for k in range(n):
            o = torch.sigmoid(ws[k] * o + bs[k])
        (0.5 * (1.0 - o) ** 2).backward()
        assert grad_w1 == pytest.approx(ws.grad[0].abs().item(), rel=1e-10)
        assert quarter_n == 0.25**n
        assert grad_w1 <= bound


# ---------------------------------------------------------------- optimizers (tiny)


def test_functional_optimizer_adam_matches_torch_optim_adam_over_five_steps():
    torch.manual_seed(0)
    a = opt_demo.mlp(6, 4, 3, torch.Generator().manual_seed(0), torch.device("cpu"))
    b = opt_demo.mlp(6, 4, 3, torch.Generator().manual_seed(0), torch.device("cpu"))
    ours = opt_demo.FunctionalOptimizer(a.parameters(), "adam", lr=0.01)
    theirs = torch.optim.Adam(b.parameters(), lr=0.01)
    x = torch.randn(8, 6, generator=torch.Generator().manual_seed(1))
    y = torch.randint(0, 3, (8,), generator=torch.Generator().manual_seed(2))
    for _ in range(5):
        for model, opt in ((a, ours), (b, theirs)):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q)


def test_functional_optimizer_gd_matches_torch_optim_sgd_and_keeps_state_per_parameter():
    a = opt_demo.mlp(3, 2, 2, torch.Generator().manual_seed(5), torch.device("cpu"))
    b = opt_demo.mlp(3, 2, 2, torch.Generator().manual_seed(5), torch.device("cpu"))
    ours = opt_demo.FunctionalOptimizer(a.parameters(), "gd", lr=0.1)
    theirs = torch.optim.SGD(b.parameters(), lr=0.1)
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(6))
    for model, opt in ((a, ours), (b, theirs)):
        for _ in range(3):
            opt.zero_grad()
            model(x).pow(2).sum().backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q)
    adam = opt_demo.FunctionalOptimizer(a.parameters(), "adadelta")
    shapes = [[s.shape for s in state] for state in adam.state]
    assert shapes == [[p.shape, p.shape] for p in a.parameters()]


def test_cross_entropy_matches_torch_cross_entropy():
    logits = torch.randn(6, 10, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(6)
    torch.testing.assert_close(
        opt_demo.cross_entropy(logits, labels), nn.functional.cross_entropy(logits, labels)
    )


def test_digits_split_is_fixed_disjoint_and_standardised():
    a = opt_demo.load_digits_split(torch.device("cpu"))
    b = opt_demo.load_digits_split(torch.device("cpu"))
    assert torch.equal(a.x_test, b.x_test)
    assert len(a.y_train) + len(a.y_test) == 1797
    assert a.x_train.mean(0).abs().max() < 1e-5
    assert set(a.y_test.tolist()) == set(range(10))


def test_optimizers_demo_tiny_runs_every_optimizer_from_the_same_weights(ctx):
    cfg = opt_demo.OptimizersConfig(hidden=8, epochs=2, gd_epochs=3, sgd_epochs=1, n_train=64)
    result = opt_demo.run(ctx, cfg)
    accs = {k: v for k, v in result.figures.items() if k.startswith("acc_")}
    assert set(accs) == {
        "acc_gd", "acc_sgd", "acc_mini_batch_sgd", "acc_momentum",
        "acc_adagrad", "acc_rmsprop", "acc_adadelta", "acc_adam",
    }  # fmt: skip
    assert all(0.0 <= a <= 1.0 for a in accs.values())
    losses = [v for k, v in result.figures.items() if k.startswith("loss_")]
    assert all(math.isfinite(v) for v in losses)
    assert result.tables[0].row_count == 8
    _assert_png(result, "optimizers.png")
    assert "Adam" in _render(result)


def test_train_with_adam_lowers_the_digits_loss():
    data = opt_demo.load_digits_split(torch.device("cpu"), n_train=200)
    model = opt_demo.mlp(64, 16, 10, torch.Generator().manual_seed(0), torch.device("cpu"))
    with torch.no_grad():
        before = opt_demo.cross_entropy(model(data.x_train), data.y_train).item()
    run = opt_demo.OptimizerRun("Adam", "adam", 32, 3, {"lr": 1e-2})
    history = opt_demo.train(model, data, run, torch.Generator().manual_seed(1))
    assert len(history) == 3 and history[-1] < 0.5 * before


# ---------------------------------------------------------------- cnn and lstm (tiny)


def test_cnn_demo_tiny_run_writes_curves_and_finite_figures(ctx):
    cfg = cnn_demo.CNNConfig(channels=(2, 3), hidden=8, epochs=2, n_train=64)
    result = cnn_demo.run(ctx, cfg)
    f = result.figures
    assert 0.0 <= f["test_accuracy"] <= 1.0 and math.isfinite(f["final_train_loss"])
    assert result.tables[0].row_count == 2
    _assert_png(result, "cnn.png")
    _render(result)


def test_cnn_output_shape_and_dropout_only_in_training():
    model = cnn_demo.build_cnn(cnn_demo.CNNConfig(), torch.Generator().manual_seed(0), "cpu")
    x = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    model.eval()
    assert model(x).shape == (3, 10)
    torch.testing.assert_close(model(x), model(x))
    model.train()
    assert not torch.equal(model(x), model(x))


def test_lstm_demo_tiny_run_reports_mse_against_baselines(ctx):
    cfg = lstm_demo.LSTMConfig(n_train=32, n_test=16, seq_len=6, hidden=4, epochs=2, batch_size=16)
    result = lstm_demo.run(ctx, cfg)
    f = result.figures
    for key in ("lstm_mse", "repeat_last_mse", "mean_mse", "final_train_mse"):
        assert math.isfinite(f[key]) and f[key] >= 0
    assert f["noise_floor"] == pytest.approx(cfg.noise**2)
    _assert_png(result, "lstm.png")
    _render(result)


def test_next_value_model_matches_nn_lstm_plus_linear():
    model = lstm_demo.NextValue(3, torch.Generator().manual_seed(0), torch.device("cpu"))
    lstm, lin = nn.LSTM(1, 3, batch_first=True), nn.Linear(3, 1)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(model.lstm.W.T)
        lstm.weight_hh_l0.copy_(model.lstm.U.T)
        lstm.bias_ih_l0.copy_(model.lstm.b)
        lstm.bias_hh_l0.zero_()
        lin.weight.copy_(model.head.W.T)
        lin.bias.copy_(model.head.b)
    x = torch.randn(2, 7, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(model(x), lin(lstm(x[..., None])[0])[..., 0])


def test_waves_have_the_configured_shape_and_noise_level():
    cfg = lstm_demo.LSTMConfig(seq_len=40, noise=0.0)
    clean = lstm_demo.make_waves(50, cfg, torch.Generator().manual_seed(0))
    assert clean.shape == (50, 41) and clean.abs().max() <= cfg.amp_range[1]


# ---------------------------------------------------------------- rag (hashing embedder)


def test_parse_prompt_inverts_reference_augment():
    contexts = ["First chunk. It has two sentences.", "Second chunk [with brackets]."]
    question, parsed = rag_demo.parse_prompt(rag.augment("What is it?", contexts))
    assert question == "What is it?" and parsed == contexts


def test_extractive_generator_returns_the_context_sentence_closest_to_the_question():
    generate = rag_demo.extractive_generator(rag.HashingEmbedder(dim=256))
    contexts = [
        "Dropout zeroes random units during training. Pooling shrinks feature maps.",
        "Adam keeps running averages of the gradient and its square.",
    ]
    reply = generate(rag.augment("What does pooling do to feature maps?", contexts))
    assert reply == "Pooling shrinks feature maps."


def test_relevant_ids_need_the_topic_and_the_phrase_case_insensitively():
    chunks = [
        rag_demo.Chunk("conv", "A Max Pooling layer keeps the largest value."),
        rag_demo.Chunk("rnn", "max pooling is not used in this lesson."),
        rag_demo.Chunk("conv", "Padding adds a border."),
    ]
    assert rag_demo.relevant_ids(chunks, "conv", "max  pooling") == {0}


def _questions_from_lessons(path):
    """Three questions whose evidence phrases are taken from the real lessons."""
    items = []
    for topic, text in list(lessons.all_lessons().items())[:3]:
        words = text.split()
        phrase = " ".join(words[20:24])
        items.append({"question": f"What about {phrase}?", "topic": topic, "evidence": phrase})
    path.write_text(json.dumps(items))
    return path


def test_rag_demo_with_hashing_embedder_reports_recall_and_mrr(ctx, tmp_path):
    cfg = rag_demo.RAGConfig(questions_path=_questions_from_lessons(tmp_path / "q.json"))
    result = rag_demo.run(ctx, cfg, embedder=rag.HashingEmbedder(dim=128))
    f = result.figures
    assert f["questions"] == 3 and f["unanswerable"] == 0 and f["chunks"] > 3
    for key in ("recall@1", "recall@3", "recall@5", "mrr"):
        assert 0.0 <= f[key] <= 1.0
    assert f["recall@1"] <= f["recall@3"] <= f["recall@5"]
    text = _render(result)
    assert "extractive" in text and "Question:" in text
    _assert_png(result, "rag.png")


def test_every_course_question_has_a_relevant_chunk():
    path = rag_demo.LESSONS_QUESTIONS
    if not path.exists():
        pytest.skip("lessons/questions.json is not written yet")
    chunks = rag_demo.chunk_lessons(rag_demo.RAGConfig.chunk_size, rag_demo.RAGConfig.overlap)
    missing = [
        q["question"]
        for q in rag_demo.load_questions(path)
        if not rag_demo.relevant_ids(chunks, q["topic"], q["evidence"])
    ]
    assert not missing


# ---------------------------------------------------------------- the runner


def test_run_all_writes_results_json_and_returns_zero(tmp_path):
    status = run_all(
        device="cpu", only=["perceptron", "vanishing"], out=tmp_path, console=_console()
    )
    assert status == 0
    record = json.loads((tmp_path / "results.json").read_text())
    assert record["perceptron"]["ok"] and record["vanishing"]["ok"]
    assert record["perceptron"]["figures"]["train_accuracy"] == 1.0
    assert (tmp_path / "perceptron.png").exists()


def test_run_all_merges_into_results_json_instead_of_dropping_other_demos(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps({"cnn": {"ok": True, "figures": {}}}))
    assert run_all(device="cpu", only=["perceptron"], out=tmp_path, console=_console()) == 0
    assert run_all(device="cpu", only=["vanishing"], out=tmp_path, console=_console()) == 0
    record = json.loads((tmp_path / "results.json").read_text())
    assert {"cnn", "perceptron", "vanishing"} <= set(record)
    assert record["vanishing"]["device"] == "cpu" and record["perceptron"]["seed"] == 0


def test_an_unreadable_results_json_is_replaced(tmp_path):
    (tmp_path / "results.json").write_text("[not json")
    assert run_all(device="cpu", only=["perceptron"], out=tmp_path, console=_console()) == 0
    assert "perceptron" in json.loads((tmp_path / "results.json").read_text())


@pytest.mark.parametrize("width", [80, 100])
def test_demo_tables_fit_the_terminal_and_never_cut_a_word(ctx, width):
    """Every word of every header and cell shows whole at 80 columns: no "hyper-param…", no id
    split mid-word, and no line wider than the terminal."""
    cfg = opt_demo.OptimizersConfig(hidden=8, epochs=2, gd_epochs=3, sgd_epochs=1, n_train=64)
    results = [opt_demo.run(ctx, cfg), vanishing_demo.run(ctx)]
    for result in results:
        text = _render(result, width)
        assert all(len(line) <= width for line in text.splitlines())
        tokens = set(text.split())
        for table in result.tables:
            for column in table.columns:
                for cell in (column.header, *column.cells):
                    plain = cell.plain if hasattr(cell, "plain") else str(cell)
                    for word in plain.split():
                        assert word in tokens, (word, text)


def _loading_output(quiet: bool) -> str:
    code = (
        "from reference.demos import quiet_third_party\n"
        + ("quiet_third_party()\n" if quiet else "")
        + "from reference import rag\nrag.load_model('cpu')\n"
    )
    quieted = {"HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY"}  # set by run_all here
    env = {k: v for k, v in os.environ.items() if k not in quieted}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout + proc.stderr


@pytest.mark.model
def test_loading_the_embedding_model_shows_no_third_party_progress_bar():
    assert "Loading weights" in _loading_output(quiet=False)  # the bar this switch removes
    assert "Loading weights" not in _loading_output(quiet=True)
