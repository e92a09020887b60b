"""test_deadline.py: one deadline for the whole request exchange.

SPEC "Sockets and processes": a request has a deadline for the whole
exchange (reading it and writing the answer): a client that stalls or stops
reading is dropped and never holds a worker longer than that.  The deadline
is request_timeout (seconds; 2 here so the test is short).  Before it
existed, the 30 s limit was per read call and writes had none: a byte every
few seconds, or a large page never read, held a worker for good.
"""

import socket
import threading
import time

from harness import Site, run_tests
from responder_util import closed_by_peer, encode_request

DEADLINE = 2


def slow_sender(path, gap, stop):
    """A raw FastCGI client on path sending its request one byte every gap seconds.
    Returns (socket, thread); the thread stops on the stop event or a closed socket."""
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    msg = encode_request(uri="/")

    def drip():
        for i in range(len(msg)):
            if stop.is_set():
                return
            try:
                c.send(msg[i:i + 1])
            except OSError:
                return
            stop.wait(gap)

    t = threading.Thread(target=drip, daemon=True)
    t.start()
    return c, t


def test_stalling_and_non_reading_clients_are_dropped():
    with Site(workers=4, conf={"request_timeout": str(DEADLINE)}) as s:
        big = s.add_post(title="Big", body=("A long paragraph of words. " * 40 + "\n\n") * 2500)
        s.add_post(title="Small", body="Readers keep coming.")
        stop = threading.Event()
        bad = []
        try:
            # Two clients that never read a page of several MB: each holds a
            # worker blocked in a write until the deadline.
            for _ in range(2):
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                c.connect(s.blog.sock)
                c.sendall(encode_request(uri="/posts/" + big))
                bad.append(("non-reader", c, time.monotonic()))
            # Two that send a byte every half second: no single read waits long.
            for _ in range(2):
                c, _ = slow_sender(s.blog.sock, 0.5, stop)
                bad.append(("slow sender", c, time.monotonic()))
            # Readers through nginx are answered meanwhile, each within about
            # one deadline (all four workers may be held when it arrives; the
            # bound leaves room for a busy machine, and without the deadline
            # a reader waits for good).
            readers_until = time.monotonic() + 2 * DEADLINE + 1
            answered = 0
            while time.monotonic() < readers_until:
                t0 = time.monotonic()
                res = s.client().get("/")
                took = time.monotonic() - t0
                assert res.status == 200, res.status
                assert "Small" in res.text
                assert took < 2 * DEADLINE + 3, "a reader waited %.1fs behind stalled clients" % took
                answered += 1
            assert answered >= 2, answered
            # Every bad client was cut off at the deadline, not later.
            for kind, c, began in bad:
                left = max(0.1, began + DEADLINE + 2 - time.monotonic())
                if kind == "non-reader":
                    # Drain what was sent before the cut: it must end, short of a whole page.
                    got, c_end = 0, time.monotonic() + left + 5
                    c.settimeout(1)
                    while time.monotonic() < c_end:
                        try:
                            chunk = c.recv(1 << 20)
                        except (ConnectionResetError, socket.timeout):
                            chunk = b""
                        if not chunk:
                            break
                        got += len(chunk)
                    else:
                        raise AssertionError("the non-reading client was never dropped")
                else:
                    assert closed_by_peer(c, left), "a slow sender kept its worker past the deadline"
            log = open(s.blog.stderr_path, errors="replace").read()
            assert "cut off at the request deadline" in log or "within %ds" % DEADLINE in log, log[-2000:]
        finally:
            stop.set()
            for _, c, _ in bad:
                c.close()


def test_a_slow_but_honest_request_within_the_deadline_is_served():
    """A request whose bytes arrive over most of the deadline is still answered."""
    with Site(workers=1, conf={"request_timeout": "4"}) as s:
        s.add_post(title="Patience", body="Worth the wait.")
        msg = encode_request(uri="/")
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(s.blog.sock)
        try:
            third = len(msg) // 3
            for part in (msg[:third], msg[third:2 * third], msg[2 * third:]):
                c.sendall(part)
                time.sleep(0.8)
            from responder_util import read_response
            c.settimeout(10)
            res = read_response(c)
            assert res.status == 200 and b"Patience" in res.body, res.status
        finally:
            c.close()


run_tests(globals())
