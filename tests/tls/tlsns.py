"""What the TLS server tests (hello_servers.py, offer_servers.py, profile_servers.py) share:
running inside a network namespace of their own (only lo: nothing they send can leave),
the tools they need, a throw-away self-signed certificate, and waiting for a port."""
import os
import shutil
import socket
import subprocess
import sys
import time


def enter_namespace(mark, name):
    """Re-runs the calling script inside `unshare -n` (environment mark set) and returns its
    exit status; inside the namespace (mark set), brings lo up and returns None."""
    if os.environ.get(mark) == "1":
        subprocess.check_call(["ip", "link", "set", "lo", "up"])
        return None
    if os.geteuid() != 0:
        print(f"{name} needs root (a network namespace)", file=sys.stderr)
        return 1
    env = dict(os.environ, **{mark: "1"})
    return subprocess.call(["unshare", "-n", sys.executable, os.path.abspath(sys.argv[0])]
                           + sys.argv[1:], env=env)


def missing_tools(*tools):
    """The tools not on PATH, each said on stderr (scripts/install-deps.sh installs them)."""
    gone = [t for t in tools if shutil.which(t) is None]
    for t in gone:
        print(f"{t} missing (scripts/install-deps.sh)", file=sys.stderr)
    return gone


def self_signed(tmp, cn):
    """An RSA-2048 key and a self-signed certificate for cn in tmp: (key, cert) paths."""
    key, cert = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
    subprocess.check_call(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", key, "-out", cert, "-subj", "/CN=" + cn,
                           "-days", "2"], stderr=subprocess.DEVNULL)
    return key, cert


def wait_port(port, deadline):
    """True once 127.0.0.1:port accepts a connection, False at the deadline."""
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False
