"""test_connections.py: silent, stalled and kept FastCGI connections never starve the workers."""

import socket
import threading
import time

from harness import Site, run_tests, fcgi_request


def test_silent_connections_hold_no_worker():
    """More idle connections than workers, each saying nothing: pages still come."""
    with Site(workers=2) as s:
        s.add_post(title="Still here", body="Served past the silent ones.")
        silent = []
        try:
            for _ in range(10):
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                c.connect(s.blog.sock)
                silent.append(c)
            # Half a FastCGI record: a client that stalls mid-request.
            stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            stalled.connect(s.blog.sock)
            stalled.sendall(b"\x01\x01\x00\x01")
            silent.append(stalled)
            start = time.monotonic()
            for _ in range(5):
                res = s.client().get("/")
                assert res.status == 200, res.status
                assert "Still here" in res.text
            assert time.monotonic() - start < 10, "pages waited behind silent connections"
            direct = fcgi_request(s.blog.sock, uri="/posts/still-here", timeout=10)
            assert direct.status == 200, direct.status
        finally:
            for c in silent:
                c.close()


def test_kept_connections_beyond_workers():
    """nginx keeps up to 16 connections to a responder with 2 workers; every request is answered."""
    with Site(workers=2) as s:
        slug = s.add_post(title="Busy", body="Many readers at once.")
        statuses, lock = [], threading.Lock()

        def reader():
            c = s.client()
            for _ in range(15):
                res = c.get("/posts/" + slug)
                with lock:
                    statuses.append(res.status)

        threads = [threading.Thread(target=reader) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads), "requests hung"
        assert statuses == [200] * 300, sorted(set(statuses))
        # Idle kept connections then go on serving later requests.
        time.sleep(0.5)
        assert s.client().get("/").status == 200


run_tests(globals())
