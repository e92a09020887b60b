"""test_man.py: the manual pages in man/ are lint-clean and say what the programs do.

- `mandoc -T lint -W warning` finds nothing in any page;
- every flag a program's --help names is a flag (bold, `Fl`) in its page, and
  the page names no flag the program lacks (beyond --help and --version);
- every command `parley --help` lists is in parley(1);
- every key the configuration accepts (the table in config.c) is in
  parley.conf(5), and the page documents no key the programs refuse;
- every field `parley comments export` prints (for a commenter seeded in
  every table) is in parley(1)'s COMMENTER DATA.
"""

import glob
import os
import re
import shutil
import subprocess

from harness import BUILD_DIR, SOURCE_DIR, run_tests

MAN_DIR = os.path.join(SOURCE_DIR, "man")
PAGES = {"parley": "parley.1", "parley-blog": "parley-blog.8",
         "parley-moderate": "parley-moderate.8", "parley.conf": "parley.conf.5"}
ALWAYS = {"--help", "--version"}


def _mandoc():
    mandoc = shutil.which("mandoc")
    assert mandoc, "mandoc is not installed (scripts/lib.sh installs it)"
    return mandoc


def _render(page):
    """The page as text, and the runs of it set in bold (flags, commands, keys)."""
    res = subprocess.run([_mandoc(), "-T", "ascii", "-O", "width=1000",
                          os.path.join(MAN_DIR, page)],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, (page, res.stderr)
    bold = [re.sub(r"(.)\x08\1", r"\1", m.group(0))
            for m in re.finditer(r"(?:(.)\x08\1)+", res.stdout)]
    text = re.sub(r".\x08", "", res.stdout)
    return text, bold


def _flags(text):
    return set(re.findall(r"--[a-z][a-z-]*[a-z]", text))


def _help(program):
    res = subprocess.run([os.path.join(BUILD_DIR, program), "--help"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, (program, res.returncode, res.stderr)
    return res.stdout


def test_pages_are_lint_clean():
    pages = sorted(os.path.basename(p) for p in glob.glob(os.path.join(MAN_DIR, "*.[0-9]")))
    assert pages == sorted(PAGES.values()), pages
    res = subprocess.run([_mandoc(), "-T", "lint", "-W", "warning"]
                         + [os.path.join(MAN_DIR, p) for p in pages],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0 and not res.stdout.strip() and not res.stderr.strip(), \
        res.stdout + res.stderr


def test_flags_match_help():
    for program in ("parley", "parley-blog", "parley-moderate"):
        in_help = _flags(_help(program))
        text, bold = _render(PAGES[program])
        in_page = set()
        for run in bold:
            in_page |= _flags(run)
        assert in_help, program
        missing = in_help - in_page
        assert not missing, "%s(%s) does not document %s" % (
            program, PAGES[program][-1], ", ".join(sorted(missing)))
        extra = in_page - in_help - ALWAYS
        assert not extra, "%s(%s) documents %s, which --help does not name" % (
            program, PAGES[program][-1], ", ".join(sorted(extra)))
        for flag in ALWAYS:
            assert flag in in_page, (program, flag)
            res = subprocess.run([os.path.join(BUILD_DIR, program), flag],
                                 capture_output=True, text=True, timeout=30)
            assert res.returncode == 0 and res.stdout, (program, flag, res)


def test_commands_match_help():
    """Each command line of `parley --help` ("  user add NAME", "  comments
    approve|reject|...") heads an entry of parley(1) naming the same words."""
    text, bold = _render(PAGES["parley"])
    entries = [line.split() for line in text.splitlines()]
    commands = []
    for line in _help("parley").splitlines():
        m = re.match(r"  ([a-z][a-z-]*)(?: ([a-z][a-z|-]*))?(?: |$)", line)
        if m:
            commands.append([m.group(1)] + (m.group(2).split("|") if m.group(2) else []))
    assert len(commands) >= 10, commands
    for words in commands:
        assert any(e and e[0] == words[0] and all(w in e for w in words) for e in entries), \
            "parley(1) has no entry for '%s'" % " ".join(words)


def _config_keys():
    """The keys of the configuration table in src/**/config.c."""
    sources = glob.glob(os.path.join(SOURCE_DIR, "src", "**", "config.c"), recursive=True)
    assert sources, "no config.c under src/"
    keys = set()
    for path in sources:
        with open(path, encoding="utf-8") as f:
            keys |= set(re.findall(r'^\s*\{ "([a-z_]+)", KIND_', f.read(), re.M))
    assert len(keys) > 10, keys
    return keys


def test_every_setting_is_documented():
    text, bold = _render(PAGES["parley.conf"])
    documented = set()
    for run in bold:
        documented |= set(re.findall(r"\b[a-z]+(?:_[a-z]+)*\b", run))
    keys = _config_keys()
    missing = keys - documented
    assert not missing, "parley.conf(5) does not document %s" % ", ".join(sorted(missing))
    # Bold words that look like keys (with an underscore) must be real keys.
    extra = {w for w in documented if "_" in w} - keys
    assert not extra, "parley.conf(5) documents %s, which parley refuses" % ", ".join(sorted(extra))


def _json_keys(value, keys):
    if isinstance(value, dict):
        for key, inner in value.items():
            keys.add(key)
            _json_keys(inner, keys)
    elif isinstance(value, list):
        for inner in value:
            _json_keys(inner, keys)
    return keys


def test_commenter_export_is_documented():
    import test_commenter_data as tc
    text, _ = _render(PAGES["parley"])
    section = text.split("COMMENTER DATA", 1)[1].split("\nFILES", 1)[0]
    words = set(re.findall(r"\b[a-z]+(?:_[a-z]+)*\b", section))
    with tc.Tmp() as t:
        tc.seeded(t)
        data = tc.export(t, tc.ZED)
    # The seed fills every list, so every field appears.
    assert all(data[k] for k in tc.LISTS) and data["subscriber"], data
    missing = _json_keys(data, set()) - words
    assert not missing, "parley(1) COMMENTER DATA lacks %s" % ", ".join(sorted(missing))


run_tests(globals())
