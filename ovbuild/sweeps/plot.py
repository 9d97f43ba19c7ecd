"""``pareto.png``: latency against accuracy, marker area by artifact size, the front highlighted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.sweeps.pareto import higher_is_better
from ovbuild.sweeps.records import MISSED_GATE


def _spread_labels(fig: Any, labels: list[Any]) -> None:
    """Move labels up or down (in steps of 12 points) until no two overlap on the canvas.

    Labels are long and run to the right of their point, so variants at similar accuracy would
    print over each other; each label takes the nearest free slot, a leader line to its point.
    """
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()

    def text_box(label: Any) -> Any:  # Annotation's own extent includes its leader line
        return Text.get_window_extent(label, renderer)

    placed: list[Any] = []
    for label in labels:
        for step in range(24):
            dy = 12.0 * ((step + 1) // 2) * (1 if step % 2 else -1)
            label.xyann = (10.0, dy)
            box = text_box(label)
            if not any(box.overlaps(other) for other in placed):
                break
        placed.append(text_box(label))


def plot_pareto(rows: list[dict[str, Any]], path: str | Path, metric: str | None) -> Path:
    """Draw the successful variants of a sweep into ``path`` (PNG, matplotlib's Agg backend).

    Args:
        rows: report rows (``variant``, ``status``, ``latency_ms``, ``accuracy``, ``size_bytes``,
            ``pareto``); rows without latency are left out, rows without accuracy sit on a
            separate baseline at the bottom so they remain visible.
        path: the PNG to write.
        metric: the accuracy metric's name, for the axis label and its direction.

    Returns:
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display on build machines; must precede pyplot
    import matplotlib.pyplot as plt

    points = [r for r in rows if r["status"] in ("success", MISSED_GATE) and r.get("latency_ms") is not None]
    # Without a validate group no accuracy exists: plot size instead (the front is then on latency
    # and size, as in the report) and say so, rather than drawing every variant at accuracy 0.
    measured = any(r.get("accuracy") is not None for r in points)
    if not measured:
        points = [{**r, "accuracy": (r.get("size_bytes") or 0) / 1e6} for r in points]
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    labels = []
    if not points:
        ax.text(0.5, 0.5, "no variant could be measured", ha="center", va="center", transform=ax.transAxes)
    else:
        labels = _draw_variants(ax, points)
        _draw_front(ax, points)
    direction = "higher is better" if higher_is_better(metric) else "lower is better"
    ax.set_xlabel("latency, median ms (lower is better)")
    if measured:
        ax.set_ylabel(f"{metric or 'accuracy'} vs FP32 reference ({direction})")
        ax.set_title("ovbuild sweep: latency vs accuracy (marker area = artifact size)")
    else:
        ax.set_ylabel("artifact size, MB (lower is better)")
        ax.set_title("ovbuild sweep: latency vs size; no accuracy measured (add a validate group)")
    ax.grid(True, alpha=0.3)
    # accuracies like 0.99981..0.99987 would otherwise print as offsets ("+9.998e-1")
    ax.ticklabel_format(axis="both", style="plain", useOffset=False)
    fig.tight_layout()
    if points:
        _spread_labels(fig, labels)  # after the layout: overlaps are measured on the final canvas
    path = Path(path)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def _draw_variants(ax: Any, points: list[dict[str, Any]]) -> list[Any]:
    """One marker per variant (area ~ artifact size; red on the front, a grey X when it missed its
    validate gate) and its label."""
    known = [r["accuracy"] for r in points if r.get("accuracy") is not None]
    floor = (min(known) - 0.05 * (max(known) - min(known) or 1.0)) if known else 0.0
    sizes = [r.get("size_bytes") or 0 for r in points]
    biggest = max(sizes) or 1
    ys = [r["accuracy"] if r.get("accuracy") is not None else floor for r in points]
    labels = []
    for r, y, size in zip(points, ys, sizes, strict=True):
        area = 60 + 540 * size / biggest
        on_front = bool(r.get("pareto"))
        missed = r["status"] == MISSED_GATE
        ax.scatter(
            r["latency_ms"],
            y,
            s=120 if missed else area,
            color="0.45" if missed else "tab:red" if on_front else "tab:blue",
            marker="X" if missed else "o",
            alpha=0.55,
            edgecolors="black",
            zorder=4 if on_front else 3,
        )
        mb = "missed its gate, not published" if missed else f"{size / 1e6:.1f} MB" if size else "?"
        if r.get("accuracy") is None:
            mb += "; no accuracy measured"
        label = ax.annotate(
            f"{r['variant']} ({mb})",
            (r["latency_ms"], y),
            textcoords="offset points",
            xytext=(10, 0),
            va="center",
            fontsize=8,
            zorder=5,
            # a light box keeps a label readable where it crosses the front's line
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.6},
        )
        labels.append(label)
    return labels


def _draw_front(ax: Any, points: list[dict[str, Any]]) -> None:
    """The Pareto front as a step line, and the legend."""
    front = sorted((r for r in points if r.get("pareto")), key=lambda r: r["latency_ms"])
    if len(front) > 1:
        ax.step(
            [r["latency_ms"] for r in front],
            [r["accuracy"] for r in front],
            where="post",
            color="tab:red",
            linewidth=1.5,
            zorder=2,
            label="Pareto front",
        )
    ax.scatter([], [], color="tab:red", label="on the Pareto front")
    ax.scatter([], [], color="tab:blue", label="dominated")
    if any(r["status"] == MISSED_GATE for r in points):
        ax.scatter([], [], color="0.45", marker="X", label="missed its validate gate")
    ax.legend(loc="best", fontsize=8)
    ax.margins(x=0.25, y=0.2)
