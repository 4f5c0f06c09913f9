"""Two portal hosts against one PostgreSQL, each in a network namespace of its own.

Each host is a network namespace (``ip netns``) joined to this one by a veth pair, running
``espaco serve`` on its own address with its own data dir. They reach the database and the SMTP
server only through the veth: a TCP relay on this side's end of each pair forwards to PostgreSQL
on 127.0.0.1 (a namespace has its own loopback), and an aiosmtpd server listens on the same
address. Nothing leaves the machine: every address is one of the pairs made here.

Used by ``tests/test_two_hosts.py`` and ``bench/two_hosts.py``. ``why_no_namespaces()`` says why
they cannot be made (not root, no ``ip``, no PostgreSQL URL), for the test to skip with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from aiosmtpd.controller import Controller
from live import free_port

SUBNET = "10.231"  # 10.231.<n>.1 this side, 10.231.<n>.2 host n; made here and removed after
PORT = 8000
# A plain relay inside the test: no TLS (the portal refuses plain SMTP unless the URL says so).
SMTP_SCHEME = "smtp+insecure"


def why_no_namespaces(pg_url: str) -> str | None:
    """None when two namespaces can be made here, else the reason (for ``pytest.skip``)."""
    if not pg_url.startswith("postgresql"):
        return "two hosts share one PostgreSQL: set ESPACO_TEST_DATABASE_URL"
    if sys.platform != "linux":
        return "network namespaces are a Linux feature"
    if os.geteuid() != 0:
        return "making network namespaces needs root"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    probe = f"espaco-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


class Relay:
    """Forwards TCP connections from (host, port) pairs to one target, in a thread of its own."""

    def __init__(self, listen: list[tuple[str, int]], target: tuple[str, int]) -> None:
        self.listen, self.target = listen, target
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.servers: list[asyncio.AbstractServer] = []

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            with contextlib.suppress(ConnectionError, OSError):
                while chunk := await reader.read(65536):
                    writer.write(chunk)
                    await writer.drain()
        finally:  # cancelled at stop too: a connection left open to PostgreSQL keeps its locks
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    def __enter__(self) -> Relay:
        self.thread.start()

        async def start() -> None:
            for host, port in self.listen:
                self.servers.append(await asyncio.start_server(self._handle, host, port))

        asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            for server in self.servers:
                server.close()
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            # Every pipe closes its writer as it ends, and the transports close on the next
            # turns of the loop: a host stopped mid-transaction (the outbox's UPDATE) left its
            # PostgreSQL connection open, and the next test's DROP SCHEMA waited on its locks.
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0.1)

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@dataclass
class Mailbox:
    """What the SMTP servers received, from any host."""

    messages: list[Message] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)  # the address each message came from
    delay: float = 0.0  # seconds per message: a slow server makes the hosts' senders overlap
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content)  # type: ignore[attr-defined]
        await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(message)
            self.senders.append(session.peer[0])  # type: ignore[attr-defined]
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.senders.clear()

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


@dataclass
class Host:
    name: str
    address: str  # the host's own address, inside its namespace
    gateway: str  # this side's end of its veth pair
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{self.address}:{PORT}"

    def log_tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-3000:]


def _relayed(pg_url: str, gateway: str, port: int) -> str:
    """``pg_url`` with its host and port replaced by the relay's, as a host sees it."""
    parts = urlsplit(pg_url)
    user = f"{parts.username}@" if parts.username else ""
    if parts.password:
        user = f"{parts.username}:{parts.password}@"
    return urlunsplit((parts.scheme, f"{user}{gateway}:{port}", parts.path, parts.query, ""))


@contextlib.contextmanager
def two_hosts(
    pg_url: str, work: Path, env: dict[str, str], count: int = 2
) -> Iterator[tuple[list[Host], Mailbox]]:
    """``count`` hosts serving the portal against ``pg_url``; yields them and the mailbox.

    ``env`` is each host's ESPACO_* environment (secret key, base URL …); the database and SMTP
    URLs are set here, pointing at this side of each host's veth pair."""
    tag = f"{os.getpid() % 10000}"
    hosts = [
        Host(f"esp{tag}h{n}", f"{SUBNET}.{n}.2", f"{SUBNET}.{n}.1") for n in range(1, count + 1)
    ]
    pg = urlsplit(pg_url)
    relay_port, smtp_port = free_port(), free_port()
    mailbox = Mailbox()
    smtp_servers: list[Controller] = []
    made: list[Host] = []
    try:
        for host in hosts:
            outside, inside = f"{host.name}o", f"{host.name}i"
            _ip("netns", "add", host.name)
            made.append(host)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", host.name)
            _ip("addr", "add", f"{host.gateway}/24", "dev", outside)
            _ip("link", "set", outside, "up")
            _ip("-n", host.name, "addr", "add", f"{host.address}/24", "dev", inside)
            _ip("-n", host.name, "link", "set", inside, "up")
            _ip("-n", host.name, "link", "set", "lo", "up")
        for host in hosts:
            controller = Controller(mailbox, hostname=host.gateway, port=smtp_port)
            controller.start()
            smtp_servers.append(controller)
        with Relay(
            [(h.gateway, relay_port) for h in hosts],
            (pg.hostname or "127.0.0.1", pg.port or 5432),
        ):
            for host in hosts:
                _start(host, work, env, _relayed(pg_url, host.gateway, relay_port), smtp_port)
            try:
                for host in hosts:
                    _wait_healthy(host)
                yield hosts, mailbox
            finally:  # the hosts first, while the relay still carries their last queries
                _stop(hosts)
    finally:
        _stop(hosts)
        for controller in smtp_servers:
            controller.stop()
        for host in made:
            # Deleting the namespace deletes its end of the pair, and with it ours.
            subprocess.run(["ip", "netns", "del", host.name], capture_output=True)


def _stop(hosts: list[Host]) -> None:
    for host in hosts:
        if host.process is not None and host.process.poll() is None:
            host.process.terminate()
            try:
                host.process.wait(15)
            except subprocess.TimeoutExpired:
                host.process.kill()
                host.process.wait(5)


def _start(host: Host, work: Path, env: dict[str, str], db_url: str, smtp_port: int) -> None:
    data_dir = work / host.name
    data_dir.mkdir(parents=True, exist_ok=True)
    host.log_path = work / f"{host.name}.log"
    host_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "ESPACO_DATA_DIR": str(data_dir),
        "ESPACO_DATABASE_URL": db_url,
        "ESPACO_SMTP_URL": f"{SMTP_SCHEME}://{host.gateway}:{smtp_port}",
        **env,
    }
    log = host.log_path.open("wb")
    host.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            "ip",
            "netns",
            "exec",
            host.name,
            sys.executable,
            "-m",
            "espaco.cli",
            "serve",
            "--host",
            host.address,
            "--port",
            str(PORT),
        ],
        env=host_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_healthy(host: Host, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert host.process is not None
        if host.process.poll() is not None:
            raise RuntimeError(f"{host.name} exited:\n{host.log_tail()}")
        try:
            with urllib.request.urlopen(host.url + "/saude", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{host.name} did not answer /saude in {timeout} s:\n{host.log_tail()}")
