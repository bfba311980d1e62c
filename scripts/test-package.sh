#!/usr/bin/env bash
# The packages as a desk gets them: builds them (scripts/package.sh), installs them with dpkg on
# this machine, compiles a C program with `pkg-config --cflags --libs sscarddriver` against the
# installed library and runs it against the installed `issue-station vcard` through a pcscd with
# vpcd, runs the installed `issue-station --version` and `doctor --json`, checks the group, the
# data folder, the udev rules and the systemd units, then purges the packages and checks that
# nothing is left behind. Root only (dpkg). Starts its own pcscd, so run it in a private
# namespace:
#
#   bash scripts/isolated.sh bash scripts/test-package.sh
#
# `--skip-build` tests the packages already in dist/. Not part of scripts/test.sh (dpkg on the
# machine); .ci/run calls it after the suite with SSCARD_PACKAGE_BUILD=debug, packaging the
# build the suite made (scripts/package.sh).
set -euo pipefail
skip_build=""
[ "${1:-}" = "--skip-build" ] && skip_build=1
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "test-package.sh installs packages: run it as root" >&2; exit 2; }
version=$(tr -d '[:space:]' < VERSION)
work=$(mktemp -d /tmp/sscard-package-test.XXXXXX)
pids=()
installed=""
cleanup() {
  # A failed run purges what it installed, so the next run starts clean.
  [ -z "$installed" ] || dpkg --purge sscard-station libsscarddriver-dev libsscarddriver1 >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*" >&2; }

for p in sscard-station libsscarddriver-dev libsscarddriver1; do
  ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed || fail "$p is already installed here; purge it first"
done
! getent group sscard >/dev/null || fail "group sscard exists already; the purge check needs a machine without it"
[ ! -e /var/lib/sscard ] || fail "/var/lib/sscard exists already"

if [ -z "$skip_build" ]; then
  step "build the packages"
  bash scripts/package.sh > "$work/package.log" 2>&1 || { tail -40 "$work/package.log" >&2; fail "scripts/package.sh"; }
  grep -E '^[EW]: ' "$work/package.log" | sed 's/ \[.*//' | sort | uniq -c >&2 || true
  ! grep -q '^E: ' "$work/package.log" || fail "lintian reported errors"
fi
debs=(dist/libsscarddriver1_*.deb dist/libsscarddriver-dev_*.deb dist/sscard-station_*.deb)

step "install with dpkg"
missing=()
for p in pcscd passwd fonts-noto-cjk fonts-babelstone-han fonts-hanazono vsmartcard-vpcd gcc pkg-config python3 binutils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
installed=1
dpkg -i "${debs[@]}"
for p in libsscarddriver1 libsscarddriver-dev sscard-station; do dpkg -L "$p" >> "$work/files"; done

step "installed files"
[ "$(/usr/bin/issue-station --version)" = "$version" ] || fail "issue-station --version is not $version"
[ "$(pkg-config --modversion sscarddriver)" = "$version" ] || fail "pkg-config --modversion"
lib=$(readlink -f "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libSSCardDriver.so.1")
objdump -p "$lib" > "$work/objdump"
grep -q 'SONAME *libSSCardDriver.so.1$' "$work/objdump" || fail "SONAME"
grep -q 'RUNPATH *\$ORIGIN/sscard/swift$' "$work/objdump" || fail "RUNPATH of the library"
ldd "$lib" /usr/bin/issue-station > "$work/ldd"
! grep -q 'not found' "$work/ldd" || { cat "$work/ldd" >&2; fail "a library is missing"; }
! grep -q '/opt/swift' "$work/ldd" || fail "the toolchain's runtime is used instead of the package's"
[ "$(stat -c '%U:%G %a' /var/lib/sscard)" = "root:sscard 2770" ] || fail "/var/lib/sscard is $(stat -c '%U:%G %a' /var/lib/sscard)"
getent group sscard >/dev/null || fail "no group sscard"
[ -f /lib/udev/rules.d/60-sscard.rules ] || fail "no udev rules"
ls /usr/share/man/man1/issue-station*.1.gz >/dev/null || fail "no man pages"
zcat /usr/share/man/man1/issue-station.1.gz > "$work/man.1"
grep -q '^\.Sh NAME' "$work/man.1" || fail "issue-station.1 is not a man page"
[ -f /usr/share/bash-completion/completions/issue-station ] && [ -f /usr/share/zsh/vendor-completions/_issue-station ] || fail "no completions"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/sscard-*.service || fail "systemd-analyze verify"
fi

step "a C program against the installed library and issue-station vcard"
cat > "$work/app.c" <<'EOF'
#include <SSCardDriver.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    char out[SSCARD_OUT_SIZE];
    printf("version %s\n", SSCardDriver_Version());
    long rc = iReadCardBas_HSM_Step1(1, out);
    printf("step1 %ld %s\n", rc, out);
    return rc == 0 ? 0 : 1;
}
EOF
# shellcheck disable=SC2046
gcc -Wall -Werror -o "$work/app" "$work/app.c" $(pkg-config --cflags --libs sscarddriver)
mkdir -p /run/pcscd
pcscd --foreground > "$work/pcscd.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
/usr/bin/issue-station vcard --quiet --card "$work/card.json" > "$work/vcard.log" 2>&1 < /dev/null &
pids+=($!)
ok=""
for _ in $(seq 50); do
  if "$work/app" > "$work/app.out" 2>&1; then ok=1; break; fi
  sleep 0.2
done
cat "$work/app.out" >&2
[ -n "$ok" ] || { cat "$work/vcard.log" "$work/pcscd.log" >&2; fail "the C program could not read the simulated card"; }
grep -q "^version $version$" "$work/app.out" || fail "SSCardDriver_Version()"
grep -Eq '^step1 0 [0-9]{6}\|' "$work/app.out" || fail "iReadCardBas_HSM_Step1 output"

step "doctor --json"
set +e
/usr/bin/issue-station doctor --json --lang en > "$work/doctor.json"
status=$?
set -e
[ $status -eq 0 ] || [ $status -eq 2 ] || fail "doctor exited $status"
python3 - "$work/doctor.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == 1, d
checks = {c["id"]: c for c in d["checks"]}
assert checks["pc-sc-service-pcscd"]["status"] == "pass", checks
assert checks["contact-reader"]["status"] == "pass", checks["contact-reader"]
# The package's /var/lib/sscard (root:sscard 2770) is the desk group's shared folder, not "open".
assert checks["access-to-personal-data"]["status"] == "pass", checks["access-to-personal-data"]
print("doctor: " + ", ".join(f'{k} {v["status"]}' for k, v in checks.items()), file=sys.stderr)
EOF
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
pids=()

step "purge"
dpkg --purge sscard-station libsscarddriver-dev libsscarddriver1
installed=""
# Every file and link the packages had is gone, and so are the folders that were theirs alone
# (folders they share with the system, like /usr/share/man/man1, stay).
left=$(sort -u "$work/files" | while read -r f; do
  [ -L "$f" ] && [ -d "$f" ] && continue   # a merged-/usr link such as /lib
  if [ -L "$f" ] || { [ -e "$f" ] && [ ! -d "$f" ]; }; then echo "$f"; fi
done)
for own in "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/sscard" /usr/share/doc/sscard-station \
    /usr/share/doc/libsscarddriver1 /usr/share/doc/libsscarddriver-dev; do
  [ ! -e "$own" ] || left="$left $own"
done
[ -z "$left" ] || fail "left behind after purge: $left"
! getent group sscard >/dev/null || fail "group sscard left behind"
! getent passwd sscard >/dev/null || fail "user sscard left behind"
[ ! -e /var/lib/sscard ] || fail "/var/lib/sscard left behind"
! dpkg-query -W -f='${Status}\n' libsscarddriver1 sscard-station libsscarddriver-dev 2>/dev/null | grep -q installed || fail "still installed"
echo "test-package: all checks passed" >&2
