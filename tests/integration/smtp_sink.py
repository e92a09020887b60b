"""smtp_sink.py: an SMTP server on loopback that keeps what it receives (Debian's python3-aiosmtpd).

    with SmtpSink() as sink:
        conf = {"mail_command": sink.msmtp_command(), "mail_from": "blog@example.org"}
        ...
        msgs = sink.wait(1)            # email.message.EmailMessage objects, as an MTA got them

mail_command is Debian's msmtp pointed at the sink, so parley's messages
go through a real sendmail-compatible client and a real SMTP exchange.
"""

import email
import email.policy
import os
import shutil
import socket
import threading
import time

from harness import Skip

MSMTP = "/usr/bin/msmtp"


class _Handler:
    def __init__(self):
        self.lock = threading.Lock()
        self.received = []      # (envelope from, [rcpt], raw bytes)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                                  bytes(envelope.original_content or envelope.content)))
        return "250 OK"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self):
        try:
            from aiosmtpd.controller import Controller
        except ImportError:
            raise Skip("python3-aiosmtpd is not installed")
        if not os.access(MSMTP, os.X_OK):
            raise Skip("msmtp is not installed")
        self.handler = _Handler()
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
        return False

    def msmtp_command(self, sender="blog@example.org"):
        return ("%s --host=127.0.0.1 --port=%d --auth=off --tls=off --from=%s -t"
                % (MSMTP, self.port, sender))

    def raw(self):
        with self.handler.lock:
            return list(self.handler.received)

    def messages(self, to=None):
        """Every message received so far (parsed), optionally only those for to."""
        out = []
        for _, rcpts, data in self.raw():
            msg = email.message_from_bytes(data, policy=email.policy.default)
            msg.envelope_rcpts = rcpts
            if to is None or to in rcpts:
                out.append(msg)
        return out

    def wait(self, n, to=None, seconds=20):
        """At least n messages (for to), waiting up to seconds; fails the test otherwise."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            msgs = self.messages(to)
            if len(msgs) >= n:
                return msgs
            time.sleep(0.05)
        msgs = self.messages(to)
        raise AssertionError("expected %d messages%s, got %d: %r" % (
            n, " to " + to if to else "", len(msgs), [m["Subject"] for m in msgs]))

    def quiet(self, n, to=None, seconds=2.0):
        """Wait seconds and check exactly n messages (for to) arrived: nothing more."""
        time.sleep(seconds)
        msgs = self.messages(to)
        assert len(msgs) == n, "expected %d messages%s, got %r" % (
            n, " to " + to if to else "", [(m["To"], m["Subject"]) for m in msgs])
        return msgs


def body_of(msg):
    """The text body, decoded from its transfer encoding."""
    return msg.get_content()


def script(folder, name, text):
    """An executable shell script in folder (readable by the responders' user)."""
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + text)
    os.chmod(path, 0o755)
    return path


def shared_dir(prefix):
    """A folder every user may write (the responders run as nobody under root)."""
    import tempfile
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o777)
    return d


def remove(d):
    shutil.rmtree(d, ignore_errors=True)
