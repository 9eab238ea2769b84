"""The shared candidate and vacancy (``qh.kit.testing.samples``) and a longer profile, for
the tests and benchmarks/render.py."""

from __future__ import annotations

from typing import Any

from qh.kit.testing.samples import PROFILE_EN, PROFILE_RU, VACANCY

__all__ = ["PROFILE_EN", "PROFILE_RU", "VACANCY", "long_profile"]


def long_profile(profile: dict[str, Any], jobs: int = 7) -> dict[str, Any]:
    """The same person with more jobs: a resume of two pages."""
    copy = {**profile, "experience": list(profile["experience"])}
    base = profile["experience"][1]
    for index in range(jobs):
        copy["experience"].append(
            {
                **base,
                "company": f"{base['company']} {index + 2}",
                "start_date": f"{2010 - index}-01",
                "end_date": f"{2010 - index}-12",
            }
        )
    return copy
