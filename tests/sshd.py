"""A real OpenSSH server on the loopback for the remote-worker tests (``--tx ssh=...``).

    server = Sshd.start(tmp_dir)          # raises SshdUnavailable with the reason when it cannot
    server.spec("//python=...")           # "ssh=-p PORT -i KEY -o ... localhost//python=..."
    server.stop()

It runs as the current user with its own host key, a user key made for it and an
``authorized_keys`` that holds only that key, on a free port of 127.0.0.1: nothing outside the
temporary folder is read or changed, except the privilege separation folder sshd insists on
when started as root (``/run/sshd``, created empty if missing, as the Debian package does).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

#: where distributions put the server
SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")
#: how long the server gets to start listening
START_SECONDS = 20.0


class SshdUnavailable(Exception):
    """Why no server could be started here (the tests skip with it)."""


def find_sshd() -> str | None:
    for candidate in SSHD_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("sshd")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sshd:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, key: Path, folder: Path) -> None:
        self.proc = proc
        self.port = port
        self.key = key
        self.folder = folder

    @classmethod
    def start(cls, folder: Path) -> Sshd:
        sshd = find_sshd()
        keygen = shutil.which("ssh-keygen")
        if sshd is None or keygen is None or shutil.which("ssh") is None:
            raise SshdUnavailable("OpenSSH (sshd, ssh, ssh-keygen) is not installed: apt-get install openssh-server")
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # StrictModes: the key files' folder is the user's alone
        host_key, user_key = folder / "host_key", folder / "user_key"
        for key in (host_key, user_key):
            subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True,
                           stdin=subprocess.DEVNULL, capture_output=True)
        (folder / "home").mkdir(exist_ok=True)
        authorized = folder / "authorized_keys"
        authorized.write_text((folder / "user_key.pub").read_text())
        authorized.chmod(0o600)
        if os.geteuid() == 0:
            # sshd started as root refuses to run without its (empty) privilege separation folder
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        port = free_port()
        config = folder / "sshd_config"
        config.write_text("\n".join([
            "ListenAddress 127.0.0.1",
            f"HostKey {host_key}",
            f"AuthorizedKeysFile {authorized}",
            f"PidFile {folder / 'sshd.pid'}",
            f"AllowUsers {getpass.getuser()}",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PrintMotd no",
            # a home of its own: what workers put in ~ (pyexecnetcache) stays in the folder
            f"SetEnv HOME={folder / 'home'}",
            "LogLevel ERROR",
            "",
        ]))
        log = (folder / "sshd.log").open("wb")
        proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config), "-p", str(port)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        server = cls(proc, port, user_key, folder)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SshdUnavailable(f"sshd exited with code {proc.returncode}: {server.log()}")
            if server.answers():
                return server
            time.sleep(0.1)
        server.stop()
        raise SshdUnavailable(f"sshd did not answer on port {port}: {server.log()}")

    @property
    def home(self) -> Path:
        """The ``~`` of a login on this server."""
        return self.folder / "home"

    def log(self) -> str:
        return (self.folder / "sshd.log").read_text(errors="replace").strip()

    def answers(self) -> bool:
        """A login with the user key works (not only the port is open)."""
        done = subprocess.run(["ssh", *self.options(), "localhost", "true"], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=30)
        return done.returncode == 0

    def options(self) -> list[str]:
        return ["-p", str(self.port), "-i", str(self.key), "-o", "StrictHostKeyChecking=no",
                "-o", f"UserKnownHostsFile={self.folder / 'known_hosts'}", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR"]

    def spec(self, tail: str = "") -> str:
        """An execnet spec for a worker on this server (``tail``: ``//python=...`` and such)."""
        return f"ssh={' '.join(self.options())} localhost{tail}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class SilentServer:
    """A TCP server on the loopback that accepts every connection and never says a word (a host
    whose sshd hangs): what a worker start must not wait on for ever."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._held.append(conn)  # kept open, never read or written

    def stop(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() (a close alone may not)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(10)
        for conn in self._held:
            conn.close()
