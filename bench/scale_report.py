"""The tables ``bench/scale.py`` prints: each case's pages, then the budgets, plainly.

Budgets (issue 16): each page ≥ 10% of the same case's hello-world throughput; p99 ≤ 3× p50 at
32 connections; on PostgreSQL, 2 workers ≥ 1.6× one worker's throughput, in the same run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scale import Case, Measured

HELLO = "hello-world"
SHARE = 0.10
TAIL = 3.0
SCALING = 1.6


def tables(measured: dict[Case, dict[str, Measured]]) -> str:
    """Each case: its hello-world, then a row a page."""
    out = []
    for case, by_page in measured.items():
        hello = by_page[HELLO]
        h = hello.result
        out += [
            "",
            f"**{case.name}** — hello-world {h.rate:,.0f} req/s, p50 {h.p50:.2f} ms,"
            f" p99 {h.p99:.2f} ms, server CPU {hello.cpu_ms:.2f} ms a request",
            "",
            "| page | req/s | p50 ms | p99 ms | of hello-world | p99/p50 | CPU ms/req:"
            " server | PostgreSQL | wrk | cores used |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, m in by_page.items():
            if name == HELLO:
                continue
            r = m.result
            flag = "" if r.errors == 0 else f" ({r.errors} errors)"
            out.append(
                f"| {name}{flag} | {r.rate:,.0f} | {r.p50:.1f} | {r.p99:.1f} |"
                f" {r.rate / h.rate:.0%} | {r.p99 / r.p50:.1f} | {m.cpu_ms:.2f} | {m.pg_ms:.2f} |"
                f" {m.wrk_ms:.2f} | {m.cores:.2f} |"
            )
    return "\n".join(out)


def ceiling(one_worker: Measured, cores: int = 2) -> float:
    """The most ``cores`` workers can serve over what one served, from one worker's CPU per
    request, when the database and the load generator share those cores.

    One worker, given a core, serves at most 1000 / W requests a second (W: its ms of CPU a
    request). N workers are bounded by their own cores (N × 1000 / W) and by all the cores
    doing everything a request costs (cores × 1000 / (W + PostgreSQL + wrk)).
    """
    total = one_worker.cpu_ms + one_worker.pg_ms + one_worker.wrk_ms
    return min(float(cores), cores * one_worker.cpu_ms / total) if total else float(cores)


def budgets(measured: dict[Case, dict[str, Measured]], connections: int) -> str:
    """For each server on PostgreSQL: per page, 2 workers ÷ 1 worker and p99/p50 of both, each
    against its budget, and the :func:`ceiling` the 1-worker run's CPU per request leaves to
    that ratio."""
    out = [
        "",
        f"Budgets, plainly ({connections} connections; 2w ÷ 1w ≥ {SCALING}, p99/p50 ≤ {TAIL:.0f},"
        f" ≥ {SHARE:.0%} of hello-world). *ceiling*: the most 2 workers can gain on a 2-core"
        " machine that also runs PostgreSQL and wrk, from the 1-worker run's CPU per request:"
        " min(2, 2 × worker ÷ (worker + PostgreSQL + wrk)):",
    ]
    for one in measured:
        two = next(
            (c for c in measured if (c.server, c.engine, c.workers) == (one.server, one.engine, 2)),
            None,
        )
        if one.workers != 1:
            continue
        out += ["", f"**{one.engine} {one.server}**", ""]
        if two is None:
            out += ["| page | of hello-world | p99/p50 1w | verdict |", "|---|---:|---:|---|"]
        else:
            out += [
                "| page | 2w ÷ 1w | ceiling | p99/p50 1w | p99/p50 2w | of hello-world 1w |"
                " verdict |",
                "|---|---:|---:|---:|---:|---:|---|",
            ]
        hello = measured[one][HELLO].result
        for name, m in measured[one].items():
            r = m.result
            share = r.rate / hello.rate
            misses = [] if r.p99 <= TAIL * r.p50 else ["p99/p50 1w"]
            if name != HELLO and share < SHARE:
                misses.append("share")
            if two is None:
                verdict = "meets" if not misses else "misses " + ", ".join(misses)
                out.append(f"| {name} | {share:.0%} | {r.p99 / r.p50:.1f} | {verdict} |")
                continue
            t = measured[two][name].result
            ratio = t.rate / r.rate
            if ratio < SCALING:
                misses.append("2w ÷ 1w")
            if t.p99 > TAIL * t.p50:
                misses.append("p99/p50 2w")
            verdict = "meets" if not misses else "misses " + ", ".join(misses)
            out.append(
                f"| {name} | {ratio:.2f} | {ceiling(m):.2f} | {r.p99 / r.p50:.1f} |"
                f" {t.p99 / t.p50:.1f} | {share:.0%} | {verdict} |"
            )
    return "\n".join(out)


def room(measured: dict[Case, dict[str, Measured]]) -> str:
    """For each server's 1-worker case on PostgreSQL: the worker's CPU a request (W) each page
    may cost for both budgets to hold, from this run's figures.

    - Share: a 1-worker run is bound by its worker's core, so throughput goes as 1 / W, and a
      page is 10% of hello-world at W × share ÷ 10%.
    - Scaling: :func:`ceiling` reaches 1.6 at W = 4 × (PostgreSQL + wrk), their CPU a request.

    A page whose W sits between the two can meet both; measured 2w ÷ 1w ratios land a little
    under their ceiling, so the low end is the least a page may cost, not a promise.
    """
    out = [
        "",
        "Room for both budgets (1 worker, PostgreSQL): the worker's CPU a request W at which a"
        f" page is {SHARE:.0%} of hello-world (at most) and at which the 2w ÷ 1w ceiling is"
        f" {SCALING} (at least):",
    ]
    for case, by_page in measured.items():
        if case.workers != 1 or case.engine != "postgresql":
            continue
        hello = by_page[HELLO].result
        out += [
            "",
            f"**{case.server}**",
            "",
            "| page | W now, ms | W for share, at most | W for ceiling, at least | so |",
            "|---|---:|---:|---:|---|",
        ]
        for name, m in by_page.items():
            if name == HELLO or not m.cpu_ms:
                continue
            most = m.cpu_ms * (m.result.rate / hello.rate) / SHARE
            least = (SCALING / (2 - SCALING)) * (m.pg_ms + m.wrk_ms)
            if least > most:
                so = "no room"
            elif m.cpu_ms > most:
                so = f"{1 - most / m.cpu_ms:.0%} cheaper"
            elif m.cpu_ms < least:
                so = f"{least / m.cpu_ms - 1:.0%} dearer (!)"
            else:
                so = "within"
            out.append(f"| {name} | {m.cpu_ms:.2f} | {most:.2f} | {least:.2f} | {so} |")
    return "\n".join(out)
