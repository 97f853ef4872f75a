"""A small ask/tell optimizer for Cairn (standard library only).

Cairn runs it with the trial table on standard input (JSON: "trials" with values, status and
metrics, "space" with each axis as the pipeline declares it, "want" trials to propose, "batch"
the batch number) and reads the proposals from standard output, one JSON object per line.

Strategy: the first batch is random; after that, half the trials perturb the best committed
trial (lowest `loss`) and half are random. Seeded by the batch number, so the same table gives
the same proposals.
"""
import json
import math
import random
import sys

request = json.load(sys.stdin)
rng = random.Random(1000 + request["batch"])
space = request["space"]


def draw(name):
    axis = space[name]
    if isinstance(axis, list):
        return rng.choice(axis)
    kind, bounds = next(iter(axis.items()))
    if kind == "uniform":
        return rng.uniform(*bounds)
    if kind == "loguniform":
        return math.exp(rng.uniform(math.log(bounds[0]), math.log(bounds[1])))
    if kind == "randint":
        return rng.randint(*bounds)
    if kind == "choice":
        return rng.choice(bounds)
    if kind == "range":
        return rng.choice(range(*bounds))
    raise SystemExit(f"propose.py: cannot draw from {axis}")


def nudge(name, value):
    axis = space[name]
    if isinstance(value, float) and isinstance(axis, dict):
        kind, (low, high) = next(iter(axis.items()))
        if kind == "loguniform":
            return min(high, max(low, value * math.exp(rng.gauss(0, 0.3))))
        return min(high, max(low, value + rng.gauss(0, (high - low) * 0.1)))
    return draw(name) if rng.random() < 0.3 else value


done = [t for t in request["trials"] if t["status"] == "committed" and "loss" in t["metrics"]]
best = min(done, key=lambda t: t["metrics"]["loss"]) if done else None
for i in range(request["want"]):
    if best is not None and i % 2 == 0:
        trial = {name: nudge(name, best["values"][name]) for name in space}
    else:
        trial = {name: draw(name) for name in space}
    print(json.dumps(trial))
