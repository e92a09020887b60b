"""test_harden_faults.py: comment intake when the database fails (issue 9): a locked
database past its wait, a full disk and a filesystem gone read-only under the running
responder answer 503 with Retry-After and the post page with the reader's text,
nothing half-written; the wait is bounded; reads go on answering."""

import os
import pwd
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time

from harness import IS_ROOT, RUN_USER, Site, Skip, free_port, run_tests

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
            log = open(s.blog.stderr_path, errors="replace").read()
            assert "the disk holding %s is full" % s.db_path in log, log[-2000:]
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


def mount_ext4(size):
    """A fresh ext4 of size bytes on a loop device, mounted errors=remount-ro so that
    writing to its sysfs trigger_fs_error turns it read-only under open files, as
    the kernel does after a disk error.  (mount, trigger path) or (None, why not)."""
    if not IS_ROOT:
        return None, "mounting a filesystem needs root"
    top = tempfile.mkdtemp(prefix="parley-ro-")
    os.chmod(top, 0o755)
    image, mount = os.path.join(top, "fs.img"), os.path.join(top, "mnt")
    os.mkdir(mount)
    with open(image, "wb") as f:
        f.truncate(size)
    for cmd in (["mkfs.ext4", "-q", "-F", image],
                ["mount", "-o", "loop,errors=remount-ro", image, mount]):
        try:
            res = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError as e:
            res = subprocess.CompletedProcess(cmd, 1, "", str(e))
        if res.returncode != 0:
            shutil.rmtree(top, ignore_errors=True)
            return None, "%s: %s" % (cmd[0], res.stderr.strip())
    dev = [line.split()[0] for line in open("/proc/mounts") if line.split()[1] == mount][0]
    trigger = "/sys/fs/ext4/%s/trigger_fs_error" % os.path.basename(dev)
    if not os.path.exists(trigger):
        subprocess.run(["umount", mount], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)
        return None, "this kernel has no " + trigger
    pw = pwd.getpwnam(RUN_USER)
    os.chown(mount, pw.pw_uid, pw.pw_gid)
    return (mount, trigger), None


def test_filesystem_gone_read_only_under_the_responder():
    """chmod cannot do this (the workers' open handles still write, and must); a
    filesystem the kernel remounts read-only after an error can: every write,
    through every open file, then fails with EROFS."""
    place, why = mount_ext4(32 << 20)
    if place is None:
        raise Skip(why)
    mount, trigger = place
    db = os.path.join(mount, "parley.db")

    class ReadOnlySite(Site):
        @property
        def db_path(self):
            return db

    try:
        with ReadOnlySite(conf={"min_form_seconds": "0", "comments_per_minute": "1000",
                                "db": db}) as s:
            slug = s.add_post(title="Frozen", body="Body of the frozen post.")
            c = s.client()
            assert c.form("/posts/%s" % slug).submit({"author": "Before",
                                                      "comment": "fits"}).status == 303
            form = c.form("/posts/%s" % slug)
            like = c.form("/posts/%s" % slug, form_id="like")
            conn = sqlite3.connect(db)
            cid = conn.execute("SELECT id FROM comments").fetchone()[0]
            conn.close()
            edit = c.form("/posts/%s/comments/%d/edit" % (slug, cid), form_id="comment-edit-form")
            with open(trigger, "w") as f:
                f.write("parley test: read-only from here\n")
            options = [line.split()[3] for line in open("/proc/mounts")
                       if line.split()[1] == mount][0]
            assert "emergency_ro" in options or options.startswith("ro"), options
            for _ in range(2):
                res = form.submit({"author": "Ann", "comment": TEXT})
                assert_refused_503(res)
                assert 'value="Ann"' in res.text, res.text[:2000]
            res = like.submit()
            assert res.status == 503 and int(res.headers["retry-after"]) > 0, res.status
            res = edit.submit({"comment": "An edit the disk could not take"})
            assert res.status == 503 and int(res.headers["retry-after"]) > 0, res.status
            assert "An edit the disk could not take" in res.text, res.text[:2000]
            # Reads go on.
            for path in ("/", "/posts/%s" % slug, "/search?q=frozen", "/feed.atom",
                         "/tags", "/sitemap.xml"):
                res = s.client().get(path)
                assert res.status == 200, (path, res.status)
            page = s.client().get("/posts/%s" % slug).text
            assert "Body of the frozen post." in page
            assert s.blog.proc.poll() is None, "parley-blog died"
            # The log says why, beyond SQLite's "disk I/O error".
            log = open(s.blog.stderr_path, errors="replace").read()
            assert "%s: Read-only file system" % db in log, log[-2000:]
            # Nothing half-written: the one comment from before, the database sound.
            conn = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            try:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert conn.execute("SELECT author, body_md FROM comments").fetchall() == \
                    [("Before", "fits")]
                assert conn.execute("SELECT count(*) FROM likes").fetchone()[0] == 0
            finally:
                conn.close()
    finally:
        subprocess.run(["umount", "-l", mount], capture_output=True)
        shutil.rmtree(os.path.dirname(mount), ignore_errors=True)


def test_database_made_read_only_by_chmod_while_running():
    """chmod 0400 on the database and 0500 on its folder under a running responder
    (as the service user, so root's bypass does not apply): the workers' open
    handles still write, so a comment is taken and committed, reads answer, and
    nothing crashes; a responder started on it then refuses with one line why."""
    with Site(conf={"min_form_seconds": "0"}) as s:
        slug = s.add_post(title="Chmod", body="Body.")
        c = s.client()
        form = c.form("/posts/%s" % slug)
        folder = os.path.dirname(s.db_path)
        files = [os.path.join(folder, n) for n in os.listdir(folder)
                 if n.startswith(os.path.basename(s.db_path))]
        try:
            for f in files:
                os.chmod(f, 0o400)
            os.chmod(folder, 0o500)
            res = form.submit({"author": "Ann", "comment": TEXT})
            assert res.status == 303, (res.status, res.text[:300])
            for path in ("/", "/posts/%s" % slug, "/feed.atom"):
                assert c.get(path).status == 200, path
            assert s.blog.proc.poll() is None
            assert stored(s) == 1
            res = subprocess.run([s.binary("parley-blog"), "--config", s.conf_path,
                                  "--listen", "127.0.0.1:%d" % free_port()],
                                 capture_output=True, text=True, timeout=60,
                                 **({"user": RUN_USER} if IS_ROOT else {}))
            assert res.returncode == 2 and "read-only" in res.stderr, (res.returncode, res.stderr)
            assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        finally:
            os.chmod(folder, 0o755)
            for f in files:
                os.chmod(f, 0o600)


run_tests(globals())
