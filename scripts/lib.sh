# scripts/lib.sh: what scripts/test and scripts/demo share; sourced, never run.

# Debian 12 packages parley needs to build, test and run behind nginx.
PACKAGES=(build-essential cmake pkg-config libsqlite3-dev libfcgi-dev libcmark-dev
	libsodium-dev libxml2-dev libjansson-dev nginx spawn-fcgi python3 sqlite3 curl git mandoc clang
	libclang-rt-14-dev msmtp python3-aiosmtpd)

# install_missing PACKAGE...: apt-get install the ones dpkg does not list as installed.
install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing ${missing[*]}" >&2
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "missing packages; as root run: apt-get install ${missing[*]}" >&2
			exit 1
		fi
		sudo=(sudo)
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build DIR CMAKE-ARGS...: configure (quietly) and build with $JOBS jobs.
build() {
	local dir=$1
	shift
	cmake -S "$ROOT" -B "$dir" "$@" >/dev/null
	cmake --build "$dir" -j "${JOBS:-2}"
}
