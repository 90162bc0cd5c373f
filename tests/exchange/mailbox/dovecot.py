"""A real IMAP server for the tests: Debian's dovecot on a loopback port of its own.

Started from a temporary directory (its own configuration, base and state directories,
a passwd-file with a plaintext test password, one Maildir) as `dovecot -c conf -F`,
stopped at teardown; the system's own dovecot service, if any, is never touched. When
dovecot is not installed the tests skip, unless FOLLOWTHROUGH_REQUIRE_IMAP=1 (CI), where
they fail."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "alice@example.org"
PASSWORD = "test-password"  # a throwaway server's test login

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = followthrough-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home
}}
mail_location = maildir:{root}/home/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    root: Path
    port: int
    owner: tuple[int, int]

    def deliver(self, name: str, data: bytes) -> None:
        """Put a message in the Maildir's new/ as a delivery agent would."""
        path = self.root / "home" / "Maildir" / "new" / name
        path.write_bytes(data)
        os.chown(path, *self.owner)


def dovecot_binary() -> str:
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if found is None:
        message = "dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("FOLLOWTHROUGH_REQUIRE_IMAP") == "1":
            pytest.fail(message + ", and FOLLOWTHROUGH_REQUIRE_IMAP=1 requires it")
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _owner() -> tuple[tuple[int, int], str]:
    """Who owns the mail: as root, `nobody` (dovecot refuses mail access as root); else
    the user running the tests, who then also runs dovecot's own processes."""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return (nobody.pw_uid, nobody.pw_gid), ""
    me = pwd.getpwuid(os.geteuid())
    users = (
        f"default_login_user = {me.pw_name}\ndefault_internal_user = {me.pw_name}\n"
        f"default_internal_group = {me.pw_gid}"
    )
    return (me.pw_uid, me.pw_gid), users


def start(root: Path) -> tuple[Dovecot, subprocess.Popen[bytes]]:
    binary = dovecot_binary()
    port = free_port()
    owner, users = _owner()
    for folder in ("run", "state", "home/Maildir/cur", "home/Maildir/new", "home/Maildir/tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for folder in ("home", "home/Maildir", *(f"home/Maildir/{d}" for d in ("cur", "new", "tmp"))):
        os.chown(root / folder, *owner)
    # dovecot's mail process (`nobody` under root) must reach the Maildir inside.
    os.chmod(root, 0o755)  # noqa: S103
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    conf = root / "dovecot.conf"
    conf.write_text(CONFIG.format(root=root, port=port, uid=owner[0], gid=owner[1], users=users))
    process = subprocess.Popen(  # noqa: S603 - our own command line, no shell
        [binary, "-c", str(conf), "-F"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"dovecot did not start: {error}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
                if connection.recv(64).startswith(b"* OK"):
                    return Dovecot(root, port, owner), process
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("dovecot did not answer on its port within 15 seconds")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
