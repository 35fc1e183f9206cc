"""Print the synthetic population's distributions beside the figures they are anchored on.

Run: .venv/bin/python bench/distributions.py
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from mock_server.people import load_fixtures
from mock_server.synth import DataEngine, UserProfile

START, DAYS, PEOPLE = date(2025, 1, 6), 364, 200


def main() -> None:
    fixtures = load_fixtures()
    print(f"{PEOPLE} people per persona, {DAYS} days from {START}, seed 42")
    print(
        f"{'persona':12} {'steps p50':>9} {'mean':>6} {'p90':>6} {'person CV':>9} {'minY':>5} {'maxY':>5} "
        f"{'night h':>7} {'p10-p90 h':>9} {'deep %':>6} {'awake %':>7} {'worn d/n':>9} {'short->minY':>11}"
    )
    for name in ("typical", "athlete", "sedentary", "night_shift", "sparse"):
        profiles = {f"{name}-{i}": UserProfile(f"{name}-{i}", fixtures.personas[name], "UTC") for i in range(PEOPLE)}
        engine = DataEngine(42, profiles)
        days = [engine.day_values(uid, START + timedelta(d)) for uid in profiles for d in range(DAYS)]
        steps = sorted(v.step.y for v in days if v.step)
        medians = [
            statistics.median([v.step.y for v in days[i * DAYS : (i + 1) * DAYS] if v.step] or [0])
            for i in range(PEOPLE)
        ]
        nights = [v.sleep for v in days if v.sleep]
        hours = sorted(n.total / 60 for n in nights)
        both = [v for v in days if v.sleep and v.heart_beat]
        short = statistics.mean(v.heart_beat.minY for v in both if v.sleep.total < 6 * 60)
        long = statistics.mean(v.heart_beat.minY for v in both if v.sleep.total > 7.5 * 60)
        print(
            f"{name:12} {statistics.median(steps):9.0f} {statistics.mean(steps):6.0f} "
            f"{steps[9 * len(steps) // 10]:6.0f} "
            f"{statistics.pstdev(medians) / statistics.mean(medians):9.2f} "
            f"{statistics.mean(v.heart_beat.minY for v in days if v.heart_beat):5.1f} "
            f"{statistics.mean(v.heart_beat.maxY for v in days if v.heart_beat):5.1f} "
            f"{statistics.mean(hours):7.2f} {hours[len(hours) // 10]:4.1f}-{hours[9 * len(hours) // 10]:4.1f} "
            f"{100 * statistics.mean(n.deepY / n.total for n in nights):6.1f} "
            f"{100 * statistics.mean(n.awakeY / n.total for n in nights):7.1f} "
            f"{sum(1 for v in days if v.step) / len(days):4.2f}/{len(nights) / len(days):4.2f} "
            f"{short - long:+11.1f}"
        )
    print("anchors: steps right-skewed around 5,000, wide spread between people; resting HR ~65 (40-110);")
    print("         nights 6-8.5 h; deep 13-23 %; awake 5-10 %; short night (<6 h) raises next day's minimum HR")


if __name__ == "__main__":
    main()
