"""Shared helpers for the bench scripts (no Django here: importable before settings exist)."""


def pct(values: list[float], p: float) -> float:
    """Linear-interpolated percentile, p in [0, 1]."""
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)
