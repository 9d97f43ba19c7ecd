"""The Pareto front and variant labels: pure logic, checked on hand-made points."""

from __future__ import annotations

from ovbuild.sweeps.pareto import front, higher_is_better
from ovbuild.sweeps.report import labels


def test_front_keeps_only_undominated_points_for_a_higher_is_better_metric():
    points = [
        {"latency_ms": 5.0, "accuracy": 0.95},  # fastest: on the front
        {"latency_ms": 9.0, "accuracy": 0.999},  # most accurate: on the front
        {"latency_ms": 10.0, "accuracy": 0.98},  # slower and worse than #1: dominated
        {"latency_ms": 7.0, "accuracy": 0.99},  # a trade-off between them: on the front
        {"latency_ms": 6.0, "accuracy": None},  # accuracy unknown: never on the front
    ]
    assert front(points, "cosine") == [0, 3, 1]


def test_front_flips_direction_for_an_error_metric():
    points = [
        {"latency_ms": 5.0, "accuracy": 0.2},
        {"latency_ms": 6.0, "accuracy": 0.1},
        {"latency_ms": 7.0, "accuracy": 0.3},
    ]
    assert not higher_is_better("max_abs")
    assert front(points, "max_abs") == [0, 1]
    assert front(points, "cosine") == [0, 2]


def test_front_uses_size_when_no_variant_has_accuracy():
    points = [
        {"latency_ms": 5.0, "accuracy": None, "size_bytes": 200},
        {"latency_ms": 6.0, "accuracy": None, "size_bytes": 100},
        {"latency_ms": 7.0, "accuracy": None, "size_bytes": 150},
    ]
    assert front(points, None) == [0, 1]


def test_labels_show_only_the_overrides_that_vary():
    records = [
        {"overrides": ["recipe=minilm", "precision=fp32", "device=cpu"]},
        {"overrides": ["recipe=minilm", "precision=int8", "device=cpu"]},
    ]
    assert labels(records) == ["precision=fp32", "precision=int8"]
    assert labels([{"overrides": ["recipe=minilm"]}]) == ["recipe=minilm"]


def test_front_keeps_the_more_accurate_variant_of_a_lower_is_better_metric_it_did_not_list():
    # issue 23: pareto.py kept its own list of error metrics, without similarity_rmse, and dropped
    # the slower but more accurate variant; the direction now comes from the metric registry.
    points = [{"latency_ms": 1, "accuracy": 0.0019}, {"latency_ms": 2, "accuracy": 0.0005}]
    assert front(points, "similarity_rmse") == [0, 1]


def test_report_and_plot_without_accuracy_say_so(tmp_path, monkeypatch):
    """A sweep without ``validate`` has no accuracy: the report says "not measured" (never 0) and
    the plot draws latency against size with a title that says no accuracy was measured."""
    from pathlib import Path

    import matplotlib.pyplot as plt

    from ovbuild.sweeps.markdown import render_markdown
    from ovbuild.sweeps.plot import plot_pareto
    from ovbuild.sweeps.report import COLUMNS, SweepReport

    rows = []
    for variant, latency, size in (("precision=fp32", 3.0, 90e6), ("precision=fp16", 4.0, 45e6)):
        row = dict.fromkeys(COLUMNS)
        row.update(
            variant=variant, status="success", latency_ms=latency, size_bytes=size, name="m", version=1
        )
        rows.append(row)
    text = render_markdown(SweepReport(Path(tmp_path), rows), None)
    assert "No accuracy measured" in text and "not measured" in text and "0.000000" not in text
    titles = []
    real_savefig = plt.Figure.savefig

    def spy(fig, *args, **kwargs):
        titles.append((fig.axes[0].get_title(), fig.axes[0].get_ylabel()))
        return real_savefig(fig, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", spy)  # reads the axes, then saves as usual
    plot_pareto(rows, tmp_path / "pareto.png", None)
    assert (tmp_path / "pareto.png").stat().st_size > 0
    assert titles and "no accuracy measured" in titles[0][0] and "size" in titles[0][1]
