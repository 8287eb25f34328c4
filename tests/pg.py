"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, a free port
on 127.0.0.1, the unix socket in that folder, stopped and removed at the end.

initdb refuses to run as root; as root the cluster belongs to the ``postgres`` user
(``runuser``), which the Debian package creates.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: PATH, else Debian's versioned folders."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for folder in reversed(folders):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One running PostgreSQL server; ``database()`` makes a fresh database per test."""

    def __init__(self, binaries: Path, run_as: str | None) -> None:
        self._bin = binaries
        self._prefix = ["runuser", "-u", run_as, "--"] if run_as else []
        self.folder = Path(tempfile.mkdtemp(prefix="mm-pg-"))
        if run_as:
            entry = pwd.getpwnam(run_as)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.port = _free_port()
        self._names = itertools.count(1)

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._prefix, str(self._bin / tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")

    def start(self) -> Cluster:
        data = str(self.folder / "data")
        self._run("initdb", "-D", data, "-U", "mm", "--auth=trust", "-E", "UTF8", "--no-locale")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.folder / "log")
        self._run("pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start")
        return self

    def url(self, database: str) -> str:
        """The URL of ``database`` on this cluster."""
        return f"postgresql://mm@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster | str:
    """A started cluster, or the reason there can be none on this machine."""
    binaries = _binaries()
    if binaries is None:
        return "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql)"
    run_as = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run initdb as"
        if not shutil.which("runuser"):
            return "running as root and runuser is missing (initdb refuses root)"
        run_as = "postgres"
    cluster = Cluster(binaries, run_as)
    try:
        return cluster.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(cluster.folder, ignore_errors=True)
        return f"could not start a PostgreSQL cluster: {exc}"
