"""test_harden_admin.py: the admin login's part of the security review (issue 9):
throttling that never locks the owner out, failed logins in the audit log,
control characters in login fields, IPv6 addresses counted by their /64."""

import time

from admin_util import ADMIN, PASSWORD, admin_site, login_from, query
from harness import run_tests


def sessions(s):
    return query(s, "SELECT count(*) FROM sessions")[0][0]


def test_failures_from_elsewhere_never_lock_the_owner_out():
    with admin_site({"login_failures": "3"}) as s:
        # A name guessed from many addresses, more often than the limit allows one.
        for i in range(6):
            assert login_from(s, "192.0.2.%d" % (i + 1), ADMIN, "guess-%d" % i).status == 401
        # The owner, from an address that has not failed: slowed, but let in.
        start = time.monotonic()
        res = login_from(s, "203.0.113.7", ADMIN, PASSWORD)
        took = time.monotonic() - start
        assert res.status == 303, (res.status, res.text[:300])
        assert took >= 0.5, "six failures for this name should slow the next try (%.2fs)" % took
        # The guessers' addresses, one failure each, may go on guessing (and get 401).
        assert login_from(s, "192.0.2.1", ADMIN, "guess-again").status == 401


def test_refused_per_address_and_per_pair():
    with admin_site({"login_failures": "3"}) as s:
        # The pair: three wrong passwords for admin from one address refuse admin there.
        for i in range(3):
            assert login_from(s, "198.51.100.1", ADMIN, "wrong-%d" % i).status == 401
        res = login_from(s, "198.51.100.1", ADMIN, PASSWORD)
        assert res.status == 429 and int(res.headers["retry-after"]) > 0, res.status
        # The address: many names from one address refuse that address.
        for i in range(3):
            assert login_from(s, "198.51.100.2", "ghost%d" % i, "x").status == 401
        assert login_from(s, "198.51.100.2", ADMIN, PASSWORD).status == 429
        assert sessions(s) == 0
        # Elsewhere, the right password works.
        assert login_from(s, "198.51.100.3", ADMIN, PASSWORD).status == 303


def test_ipv6_addresses_count_by_their_64():
    with admin_site({"login_failures": "3"}) as s:
        # Three addresses of one /64 are one address.
        for address in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:fffe"):
            assert login_from(s, address, "ghost", "x").status == 401
        assert login_from(s, "2001:db8:1:2:aaaa::9", ADMIN, PASSWORD).status == 429
        # The same written differently (upper case, zeros spelled out) too.
        assert login_from(s, "2001:DB8:1:2:0:0:0:77", ADMIN, PASSWORD).status == 429
        # The next /64 is another network.
        assert login_from(s, "2001:db8:1:3::1", ADMIN, PASSWORD).status == 303
        # An IPv4 address mapped into IPv6 counts as that IPv4 address only.
        for i in range(3):
            assert login_from(s, "::ffff:192.0.2.9", "ghost", "x%d" % i).status == 401
        assert login_from(s, "192.0.2.9", ADMIN, PASSWORD).status == 429
        assert login_from(s, "192.0.2.10", ADMIN, PASSWORD).status == 303


def test_failed_logins_are_audited():
    with admin_site() as s:
        secret = "my-secret-typo"
        assert login_from(s, "192.0.2.1", ADMIN, secret).status == 401
        assert login_from(s, "192.0.2.1", "nobody-here", "whatever").status == 401
        assert login_from(s, "192.0.2.1", ADMIN, PASSWORD).status == 303
        rows = query(s, "SELECT user_name, action, detail FROM audit ORDER BY id")
        assert [r[:2] for r in rows] == [(ADMIN, "login-failed"), ("(unknown)", "login-failed"),
                                         (ADMIN, "login")], rows
        dump = repr(rows)
        # Neither the password nor a name that may be one, nor the address itself.
        for needle in (secret, "whatever", "nobody-here", "192.0.2.1"):
            assert needle not in dump, (needle, rows)


def test_control_characters_in_login_fields_are_refused():
    with admin_site({"login_failures": "100"}) as s:
        for user, password in ((ADMIN + "\0", PASSWORD), ("\0" + ADMIN, PASSWORD),
                               (ADMIN + "\n", PASSWORD), (ADMIN + "\x1b", PASSWORD),
                               (ADMIN + "\x7f", PASSWORD), (ADMIN, PASSWORD + "\0junk"),
                               (ADMIN, PASSWORD + "\r\n")):
            res = login_from(s, "192.0.2.20", user, password)
            assert res.status == 401, (user, password, res.status)
            assert not any("parley_session=" in v for v in res.header_all("set-cookie"))
            assert "Wrong name or password." in res.text
        assert sessions(s) == 0
        assert login_from(s, "192.0.2.20", ADMIN, PASSWORD).status == 303


run_tests(globals())
