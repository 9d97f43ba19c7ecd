"""``pareto.png``: latency against accuracy, marker area by artifact size, the front highlighted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ovbuild.sweeps.pareto import higher_is_better


def _label_offsets(points: list[dict[str, Any]], ys: list[float]) -> list[float]:
    """Vertical label offsets (in points) fanning out the labels of variants at similar heights."""
    # Labels are long and run to the right, so any two at about the same height collide.
    y_span = (max(ys) - min(ys)) or 1.0
    offsets: list[float] = []
    for i in range(len(points)):
        near = sum(1 for j in range(i) if abs(ys[j] - ys[i]) < 0.08 * y_span)
        step = 13.0 * ((near + 1) // 2)
        offsets.append(step if near % 2 else -step)
    return offsets


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

    points = [r for r in rows if r["status"] == "success" and r.get("latency_ms") is not None]
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    if not points:
        ax.text(0.5, 0.5, "no variant could be measured", ha="center", va="center", transform=ax.transAxes)
    else:
        known = [r["accuracy"] for r in points if r.get("accuracy") is not None]
        floor = (min(known) - 0.05 * (max(known) - min(known) or 1.0)) if known else 0.0
        sizes = [r.get("size_bytes") or 0 for r in points]
        biggest = max(sizes) or 1
        ys = [r["accuracy"] if r.get("accuracy") is not None else floor for r in points]
        for r, y, size, dy in zip(points, ys, sizes, _label_offsets(points, ys), strict=True):
            area = 60 + 540 * size / biggest
            on_front = bool(r.get("pareto"))
            ax.scatter(
                r["latency_ms"],
                y,
                s=area,
                color="tab:red" if on_front else "tab:blue",
                alpha=0.55,
                edgecolors="black",
                zorder=4 if on_front else 3,
            )
            mb = f"{size / 1e6:.1f} MB" if size else "?"
            ax.annotate(
                f"{r['variant']} ({mb})",
                (r["latency_ms"], y),
                textcoords="offset points",
                xytext=(10, dy),
                fontsize=8,
                zorder=5,
                arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.6} if dy else None,
            )
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
        ax.legend(loc="best", fontsize=8)
        ax.margins(x=0.25, y=0.2)
    direction = "higher is better" if higher_is_better(metric) else "lower is better"
    ax.set_xlabel("latency, median ms (lower is better)")
    ax.set_ylabel(f"{metric or 'accuracy'} vs FP32 reference ({direction})")
    ax.set_title("ovbuild sweep: latency vs accuracy (marker area = artifact size)")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path
