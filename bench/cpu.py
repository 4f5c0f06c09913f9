"""Where a benchmark's CPU goes: the server's processes, PostgreSQL's backends, the load generator.

CPU seconds (user + system) read from /proc, which other load on the machine changes far less
than throughput: per request, they tell what each part costs, and together, how many cores a
run used.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(proc: Path) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (pgrp at 2, utime and stime at 11
    and 12)."""
    return (proc / "stat").read_text().rsplit(")", 1)[1].split()


def group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of every live process in a process group (a server and its
    workers): the server's own cost, which other load on the machine barely changes."""
    total = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = _stat(proc)
        except OSError:
            continue
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def pg_backends(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to ``database``, by pid (their process
    titles read ``postgres: <cluster>: <user> <database> <host> <state>``)."""
    found: dict[int, float] = {}
    needle = f" {database} ".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes()
            if not title.startswith(b"postgres: ") or needle not in title:
                continue
            fields = _stat(proc)
        except OSError:
            continue
        found[int(proc.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    return found


def children_seconds() -> float:
    """CPU seconds of the child processes waited for so far (wrk runs as one)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_seconds() -> tuple[float, float]:
    """CPU seconds of the whole machine since boot: busy (all processes and the kernel), and
    stolen by the hypervisor (time this virtual machine's CPUs wanted and did not get)."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    hz = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / hz, steal / hz


@dataclass(frozen=True)
class Spent:
    """CPU seconds each part spent between two readings; ``others``: the rest of the machine
    (what else ran), ``steal``: what the hypervisor took."""

    server: float
    postgres: float
    wrk: float
    others: float = 0.0
    steal: float = 0.0

    @property
    def total(self) -> float:
        return self.server + self.postgres + self.wrk


class Meter:
    """Reads the CPU of a server's process group, of PostgreSQL's backends for ``database``
    (none for SQLite) and of the waited-for children, before and after a run."""

    def __init__(self, group: int, database: str | None) -> None:
        self.group, self.database = group, database
        self._server = group_cpu_seconds(group)
        self._backends = pg_backends(database) if database else {}
        self._children = children_seconds()
        self._machine = machine_seconds()

    def spent(self) -> Spent:
        backends = pg_backends(self.database) if self.database else {}
        # A backend that started during the run counts whole; one that ended is lost (rare:
        # the pools keep theirs).
        postgres = sum(s - self._backends.get(pid, 0.0) for pid, s in backends.items())
        (busy, steal), (busy_before, steal_before) = machine_seconds(), self._machine
        busy, steal = busy - busy_before, steal - steal_before
        server = group_cpu_seconds(self.group) - self._server
        wrk = children_seconds() - self._children
        others = max(0.0, busy - server - postgres - wrk)
        return Spent(server, postgres, wrk, others, steal)
