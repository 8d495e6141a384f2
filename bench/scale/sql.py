"""SQL helpers of the scale generator: uniform draws from the case index and the seed, weighted
picks, the tracking-code bijection."""

from __future__ import annotations

from typing import Any


def _r(k: int) -> str:
    """SQL for a uniform number in [0, 1) drawn from the case index ``g`` and the seed."""
    return (
        f"((hashint8extended(g, {{seed}} * 1000 + {k}) & 4503599627370495)::float8"
        " / 4503599627370496.0)"
    )


def _pick(r: str, mix: tuple[tuple[str, float], ...]) -> str:
    """SQL CASE choosing a code by cumulative weight of the uniform ``r``."""
    total = sum(w for _c, w in mix)
    acc, parts = 0.0, []
    for code, weight in mix[:-1]:
        acc += weight / total
        parts.append(f"WHEN {r} < {acc:.6f} THEN '{code}'")
    return f"(CASE {' '.join(parts)} ELSE '{mix[-1][0]}' END)"


def _tracking_sql() -> str:
    """A 12-symbol Crockford code of a 60-bit value made from the case index g by steps that
    are each a bijection (an odd multiplier below 2^36 with g < 2^24, adding a key mod 2^60,
    a rotation, an xor-shift): generated codes never repeat and do not look sequential."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    x = "((g * 48271069213 + {key}) & 1152921504606846975)"
    y = f"((({x} & 34359738367) << 25) | ({x} >> 35))"
    z = f"({y} # ({y} >> 23))"
    return " || ".join(
        f"substr('{alphabet}', ((({z} >> {5 * (11 - j)}) & 31) + 1)::int, 1)" for j in range(12)
    )


def _execute(cursor: Any, sql: str, params: Any = None) -> None:
    cursor.execute(sql, params)
