"""Quality and speed of the text-analysis match score.

Run: ``uv run python benchmarks/match_quality.py [--calibrate] [--limit N]``.

1. The labelled pairs (``benchmarks/data/match_labels.json``: five occupations, RU and EN
   vacancies, strong / partial / poor resumes, half of them cross-language): Spearman of the
   score with the labels on the calibration split, the held-out split (occupations the
   calibration never saw) and all. ``--calibrate`` first searches the component weights and
   the semantic cosine ramp that maximise Spearman on the calibration split (random
   Dirichlet weights, then a local refinement) and writes them to the service's
   ``weights.json``, the one place the service reads them from.
2. RJDB (``../shared/data/rjdb/test.jsonl``): pairwise accuracy (the matching resume scores
   above the non-matching one), the same on the pairs whose order disagrees with resume
   length, and a Resume-Matcher-like keyword-overlap baseline (English stop words removed,
   share of the vacancy's words found in the resume) on the same pairs, with the ratio.
3. Speed: one match of a one-page resume against a ~5 kB vacancy, fresh texts every time
   (no cached embedding) and the same texts again (cached), p50 and p99; the process RSS
   with the model loaded.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

from qh.nlp.embeddings import SentenceEncoder
from qh.nlp.lexicon import STOP_WORDS_EN
from qh.text_analysis.domain.analysis.engine import (
    COMPONENTS,
    WEIGHTS_FILE,
    Analyzer,
    Calibration,
)

HERE = Path(__file__).parent
LABELS = HERE / "data" / "match_labels.json"
RJDB = HERE.parent.parent / "shared" / "data" / "rjdb" / "test.jsonl"


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = ranks(a), ranks(b)
    ma, mb = statistics.fmean(ra), statistics.fmean(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb) if va and vb else 0.0


def combine(components: dict[str, float | None], weights: dict[str, float]) -> float:
    total = sum(weights[c] for c, x in components.items() if x is not None)
    if not total:
        return 0.0
    return 100 * sum(weights[c] * x for c, x in components.items() if x is not None) / total


RAMPS = [(f, c) for f in (0.2, 0.25, 0.3, 0.35, 0.4) for c in (0.6, 0.7, 0.8)]


def labelled(analyzer: Analyzer, calibrate: bool) -> dict[str, float]:
    data = json.loads(LABELS.read_text("utf-8"))
    docs, pairs = data["documents"], data["pairs"]
    current = analyzer.calibration
    if calibrate:
        per_ramp: dict[tuple[float, float], list[dict[str, float | None]]] = {}
        for floor, ceiling in RAMPS:
            cal = Calibration(current.weights, floor, ceiling)
            per_ramp[(floor, ceiling)] = [
                analyzer.match(docs[p["resume"]], docs[p["vacancy"]], calibration=cal).components
                for p in pairs
            ]
        train = [i for i, p in enumerate(pairs) if p["split"] == "calibration"]
        labels = [float(p["label"]) for p in pairs]
        rng = random.Random(11)
        best = (-2.0, current.weights, (current.semantic_floor, current.semantic_ceiling))

        def fit(weights: dict[str, float], ramp: tuple[float, float]) -> float:
            comps = per_ramp[ramp]
            scores = [combine(comps[i], weights) for i in train]
            return spearman(scores, [labels[i] for i in train])

        for _ in range(3000):
            raw = [rng.gammavariate(1.0, 1.0) for _ in COMPONENTS]
            weights = {c: w / sum(raw) for c, w in zip(COMPONENTS, raw, strict=True)}
            ramp = rng.choice(RAMPS)
            value = fit(weights, ramp)
            if value > best[0] + 1e-9:
                best = (value, weights, ramp)
        # local refinement, and the simplest weights among the ties (closest to uniform)
        value, weights, ramp = best
        for _ in range(2000):
            trial = {c: max(0.0, w + rng.gauss(0, 0.03)) for c, w in weights.items()}
            s = sum(trial.values()) or 1.0
            trial = {c: w / s for c, w in trial.items()}
            got = fit(trial, ramp)
            spread = sum((w - 1 / len(COMPONENTS)) ** 2 for w in trial.values())
            old = sum((w - 1 / len(COMPONENTS)) ** 2 for w in weights.values())
            if got > value + 1e-9 or (abs(got - value) <= 1e-9 and spread < old):
                value, weights = got, trial
        rounded = {c: round(w, 3) for c, w in weights.items()}
        WEIGHTS_FILE.write_text(
            json.dumps(
                {
                    "weights": rounded,
                    "semantic_floor": ramp[0],
                    "semantic_ceiling": ramp[1],
                    "calibration": (
                        "benchmarks/match_quality.py --calibrate: Spearman with the labels of "
                        f"the calibration split of benchmarks/data/match_labels.json = {value:.3f}"
                    ),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        analyzer.calibration = Calibration.load()
        print(f"calibrated: train Spearman {value:.3f}, weights {rounded}, ramp {ramp}")
    scores = [analyzer.match(docs[p["resume"]], docs[p["vacancy"]]).score for p in pairs]
    out = {}
    for name, keep in (
        ("calibration", lambda p: p["split"] == "calibration"),
        ("held_out", lambda p: p["split"] == "held_out"),
        ("cross_language", lambda p: p["cross_language"]),
        ("all", lambda p: True),
    ):
        idx = [i for i, p in enumerate(pairs) if keep(p)]
        out[name] = spearman([scores[i] for i in idx], [pairs[i]["label"] for i in idx])
        by_label = {
            label: statistics.fmean(scores[i] for i in idx if pairs[i]["label"] == label)
            for label in (0, 1, 2)
        }
        print(
            f"labelled {name:15s} pairs {len(idx):3d}  Spearman {out[name]:.3f}  mean score "
            + "  ".join(f"{k}:{v:.1f}" for k, v in by_label.items())
        )
    return out


WORD = re.compile(r"[a-z][a-z+#.]*[a-z+#]|[a-z]")


def keyword_overlap(resume: str, vacancy: str) -> float:
    """Resume-Matcher-like: the vacancy's words (English stop words out) found in the resume."""
    words = {w for w in WORD.findall(vacancy.lower()) if w not in STOP_WORDS_EN and len(w) > 2}
    have = {w for w in WORD.findall(resume.lower())}
    return len(words & have) / len(words) if words else 0.0


def rjdb(analyzer: Analyzer, limit: int | None) -> None:
    rows = [json.loads(line) for line in RJDB.read_text("utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit else rows
    ours = base = ours_dis = base_dis = dis = 0
    started = time.perf_counter()
    for row in rows:
        jd, good, bad = row["Job-Description"], row["Resume-matched"], row["Resume-unmatched"]
        a, b = analyzer.match(good, jd).score, analyzer.match(bad, jd).score
        ka, kb = keyword_overlap(good, jd), keyword_overlap(bad, jd)
        ours += a > b
        base += ka > kb
        if len(bad) >= len(good):
            dis += 1
            ours_dis += a > b
            base_dis += ka > kb
    n = len(rows)
    took = time.perf_counter() - started
    print(
        f"rjdb pairs {n}: pairwise accuracy {ours / n:.3f} (keyword overlap {base / n:.3f}, "
        f"ratio {ours / max(1, base):.2f}); length-disagreeing pairs {dis}: {ours_dis / max(1, dis):.3f} "
        f"(keyword overlap {base_dis / max(1, dis):.3f}); {took / n / 2 * 1000:.1f} ms per match"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def speed(analyzer: Analyzer) -> None:
    rows = [json.loads(line) for line in RJDB.read_text("utf-8").splitlines() if line.strip()]
    fresh: list[float] = []
    pairs = []
    for i in range(60):
        vacancy = ""
        k = i * 5
        while len(vacancy) < 5000:
            vacancy += rows[k % len(rows)]["Job-Description"] + "\n"
            k += 1
        vacancy = vacancy[:5000]
        resume = "\n".join(rows[(i * 7 + j) % len(rows)]["Resume-matched"] for j in range(3))
        resume = resume[:3000]  # one page (~450 words)
        pairs.append((resume, vacancy))
    for resume, vacancy in pairs:
        started = time.perf_counter()
        analyzer.match(resume, vacancy)
        fresh.append((time.perf_counter() - started) * 1000)
    repeated: list[float] = []
    for _ in range(5):
        for resume, vacancy in pairs[:20]:
            started = time.perf_counter()
            analyzer.match(resume, vacancy)
            repeated.append((time.perf_counter() - started) * 1000)
    # cached parse bypassed: new Analyzer, same encoder (embeddings cached, documents not)
    again = Analyzer(analyzer.encoder)
    embeddings_only: list[float] = []
    for resume, vacancy in pairs[:20]:
        started = time.perf_counter()
        again.match(resume, vacancy)
        embeddings_only.append((time.perf_counter() - started) * 1000)
    print(
        f"speed one-page resume ({len(pairs[0][0])} chars) vs 5 kB vacancy: "
        f"fresh p50 {percentile(fresh, 0.5):.1f} ms p99 {percentile(fresh, 0.99):.1f} ms; "
        f"repeated p50 {percentile(repeated, 0.5):.1f} ms p99 {percentile(repeated, 0.99):.1f} ms; "
        f"embeddings cached, texts parsed again p50 {percentile(embeddings_only, 0.5):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="RJDB pairs to score")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, CPython {platform.python_version()}, "
        f"{len(__import__('os').sched_getaffinity(0))} CPUs"
    )
    encoder = SentenceEncoder(cache_size=20000)
    analyzer = Analyzer(encoder, document_cache=64)
    started = time.perf_counter()
    encoder.warm_up()
    print(f"model load {time.perf_counter() - started:.2f} s")
    speed(analyzer)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS after the model and the speed runs: {rss:.0f} MB")
    labelled(analyzer, args.calibrate)
    rjdb(analyzer, args.limit)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
