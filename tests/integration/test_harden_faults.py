"""test_harden_faults.py: comment intake when the database fails (issue 9): a locked
database past its wait and a full disk answer 503 with Retry-After and the post page
with the reader's text, nothing half-written; the wait is bounded."""

import os
import re
import sqlite3
import subprocess
import tempfile
import time

from harness import IS_ROOT, Site, Skip, run_tests

TEXT = "A comment the database could not take. " * 8


def stored(s):
    conn = sqlite3.connect(s.db_path, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM comments").fetchone()[0]
    finally:
        conn.close()


def assert_refused_503(res):
    assert res.status == 503, (res.status, res.text[:300])
    assert int(res.headers["retry-after"]) > 0, res.headers
    title = re.search(r"<title>(.*?)</title>", res.text, re.S).group(1)
    assert title.strip().startswith("Error"), title
    # The reader's text is kept, in the form, to send again.
    assert "A comment the database could not take." in res.text
    assert 'id="comment-form"' in res.text


def test_locked_database_answers_503_within_a_bounded_wait():
    with Site(conf={"min_form_seconds": "0"}) as s:
        slug = s.add_post(title="Locked", body="Body.")
        c = s.client()
        form = c.form("/posts/%s" % slug)
        holder = sqlite3.connect(s.db_path, isolation_level=None, timeout=30)
        try:
            holder.execute("BEGIN IMMEDIATE")          # another writer holds the lock
            start = time.monotonic()
            res = form.submit({"author": "Ann", "comment": TEXT})
            waited = time.monotonic() - start
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert_refused_503(res)
        assert waited < 25, "the wait for the lock is not bounded (%.1fs)" % waited
        assert stored(s) == 0
        # Once the lock is gone the same form goes through.
        res = form.submit({"author": "Ann", "comment": TEXT})
        assert res.status == 303, res.status
        assert stored(s) == 1


def mount_tmpfs(size):
    """A fresh tmpfs of size bytes; (path, None) or (None, why not)."""
    if not IS_ROOT:
        return None, "mounting a small filesystem needs root"
    path = tempfile.mkdtemp(prefix="parley-full-")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0755" % size, "tmpfs",
                          path], capture_output=True, text=True)
    if res.returncode != 0:
        os.rmdir(path)
        return None, "cannot mount a tmpfs: " + res.stderr.strip()
    return path, None


def fill(folder):
    """Write a file in folder until the filesystem is full; returns its path."""
    path = os.path.join(folder, "filler")
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    # Whatever space the last partial write left: take that too.
    try:
        with open(path, "ab") as f:
            while True:
                f.write(b"\0" * 512)
                f.flush()
    except OSError:
        pass
    return path


def test_full_disk_answers_503_and_loses_nothing():
    mount, why = mount_tmpfs(8 << 20)
    if mount is None:
        raise Skip(why)
    old_tempdir = tempfile.tempdir
    tempfile.tempdir = mount
    try:
        with Site(conf={"min_form_seconds": "0"}) as s:
            tempfile.tempdir = old_tempdir
            slug = s.add_post(title="Full", body="Body.")
            c = s.client()
            assert c.form("/posts/%s" % slug).submit({"author": "Before",
                                                      "comment": "fits"}).status == 303
            form = c.form("/posts/%s" % slug)
            filler = fill(mount)
            res = form.submit({"author": "Ann", "comment": TEXT * 20})
            assert_refused_503(res)
            os.unlink(filler)
            assert stored(s) == 1
            conn = sqlite3.connect(s.db_path)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
            # Space again: the same form is taken.
            res = form.submit({"author": "Ann", "comment": TEXT * 20})
            assert res.status == 303, (res.status, res.text[:300])
            assert stored(s) == 2
    finally:
        tempfile.tempdir = old_tempdir
        subprocess.run(["umount", "-l", mount], capture_output=True)
        os.rmdir(mount)


run_tests(globals())
