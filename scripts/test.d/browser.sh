# browser.sh: sourced by scripts/test: what the browser tests (ctest label browser) need.
#
# Installs, when missing, Debian's chromium, a Java runtime for the Nu HTML
# Checker, Node.js and npm, python3-feedparser and xmllint, then the pinned
# npm packages of tests/browser (npm ci, no install scripts: nothing downloads
# a browser or a JDK of its own).  Exports PARLEY_BROWSER_REQUIRED=1 when all
# of it is there, or in CI, so that the browser tests fail rather than skip
# when something is missing.  Sourced: it must not exit or change shell options.

parley_browser_setup() {
	local root browser_dir missing=() stamp
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	browser_dir="$root/tests/browser"

	[ -x /usr/bin/chromium ] || missing+=(chromium)
	command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
	if ! command -v node >/dev/null 2>&1; then
		missing+=(nodejs npm)
	elif ! command -v npm >/dev/null 2>&1; then
		missing+=(npm)
	fi
	/usr/bin/python3 -c 'import feedparser' >/dev/null 2>&1 || missing+=(python3-feedparser)
	command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)

	if [ "${#missing[@]}" -gt 0 ]; then
		echo "browser.sh: installing ${missing[*]}"
		local sudo=""
		[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
		if ! { $sudo apt-get update -qq &&
		       DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
			       "${missing[@]}" >/dev/null; }; then
			echo "browser.sh: could not install ${missing[*]}" >&2
			return 1
		fi
	fi

	local major
	major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	if [ "$major" -lt 20 ]; then
		echo "browser.sh: playwright-core needs Node.js 20 or later, found $(node --version 2>/dev/null)" >&2
		return 1
	fi

	# npm ci when node_modules is missing or older than the lock file.
	stamp="$browser_dir/node_modules/.package-lock.json"
	if [ ! -f "$stamp" ] || [ "$browser_dir/package-lock.json" -nt "$stamp" ]; then
		echo "browser.sh: npm ci in tests/browser"
		if ! (cd "$browser_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
			echo "browser.sh: npm ci failed" >&2
			return 1
		fi
	fi
	return 0
}

if parley_browser_setup; then
	export PARLEY_BROWSER_REQUIRED=1
elif [ -n "${CI:-}" ]; then
	# In CI a missing tool is a failure of the browser tests, not a skip.
	export PARLEY_BROWSER_REQUIRED=1
else
	echo "browser.sh: the browser tests will be skipped" >&2
fi
unset -f parley_browser_setup
