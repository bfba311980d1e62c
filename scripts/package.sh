#!/usr/bin/env bash
# Builds the Debian packages of a desk under dist/ with dpkg-deb, version from the VERSION file:
#   libsscarddriver1      libSSCardDriver.so.1 (SONAME link) and the Swift runtime it needs, in a
#                         private folder its RUNPATH names (/usr/lib/<triplet>/sscard/swift)
#   libsscarddriver-dev   SSCardDriver.h, the libSSCardDriver.so link, sscarddriver.pc, docs/c-abi.md
#   sscard-station        issue-station (man pages, bash/zsh completions), the conformance probe,
#                         udev rules, the sscard group and /var/lib/sscard, systemd units
# Then runs lintian on them (docs/technician.md §18 explains the warnings left).
# Installs what it needs (dpkg-dev, patchelf, lintian) when missing. Needs root or sudo for that.
#
#   bash scripts/package.sh            # release build, packages, lintian
#   SSCARD_PACKAGE_BUILD=debug bash scripts/package.sh
#                                      # packages of the debug build the test suite made: CI checks
#                                      # the packaging without building everything a second time
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=$(tr -d '[:space:]' < VERSION)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "VERSION is not MAJOR.MINOR.PATCH: $version" >&2; exit 2; }
debversion="$version-1"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
tools=()
command -v dpkg-architecture >/dev/null || tools+=(dpkg-dev)
command -v patchelf >/dev/null || tools+=(patchelf)
command -v lintian >/dev/null || tools+=(lintian)
if [ ${#tools[@]} -gt 0 ]; then
  echo "Installing: ${tools[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${tools[@]}" </dev/null
fi

arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir="usr/lib/$triplet"
private="$libdir/sscard/swift"

build=${SSCARD_PACKAGE_BUILD:-release}
[ "$build" = release ] || [ "$build" = debug ] || { echo "SSCARD_PACKAGE_BUILD is release or debug, not $build" >&2; exit 2; }
echo "== swift build -c $build (version $version)" >&2
for product in SSCardDriver issue-station sscard-conformance-probe; do
  swift build -c "$build" --product "$product" >&2
done
bin=$(swift build -c "$build" --show-bin-path)
swiftlib=$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux

work=$(mktemp -d /tmp/sscard-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p dist
rm -f dist/*.deb

# A package folder with its doc folder (copyright, changelog) and a DEBIAN folder.
start_package() {
  local name=$1 dir="$work/$1"
  mkdir -p "$dir/DEBIAN" "$dir/usr/share/doc/$name"
  cat > "$dir/usr/share/doc/$name/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: sscard
Source: https://example.invalid/sscard

Files: *
Copyright: 2026 SSCard desk developers
License: Apache-2.0

Files: usr/lib/*/sscard/swift/*
Copyright: Apple Inc. and the Swift project authors
License: Apache-2.0 with Runtime Library Exception

License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
EOF
  printf '%s (%s) unstable; urgency=medium\n\n  * Release %s (see the project history).\n\n -- SSCard desk developers <sscard@example.invalid>  %s\n' \
    "$name" "$debversion" "$version" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
    | gzip -9n > "$dir/usr/share/doc/$name/changelog.Debian.gz"
}

# Control file fields every package shares; Installed-Size from the tree.
finish_package() {
  local name=$1 dir="$work/$1" section=$2 fields=$3
  local size
  size=$(du -sk --exclude=DEBIAN "$dir" | cut -f1)
  {
    echo "Package: $name"
    echo "Version: $debversion"
    echo "Architecture: $arch"
    echo "Maintainer: SSCard desk developers <sscard@example.invalid>"
    echo "Installed-Size: $size"
    echo "Section: $section"
    echo "Priority: optional"
    echo "Homepage: https://example.invalid/sscard"
    printf '%s\n' "$fields"
  } > "$dir/DEBIAN/control"
  (cd "$dir" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0r md5sum) > "$dir/DEBIAN/md5sums"
  find "$dir" -type d -exec chmod 0755 {} +
  dpkg-deb --root-owner-group --build "$dir" "dist/${name}_${debversion}_${arch}.deb" >&2
}

# The Debian packages that hold the system libraries a binary loads (the Swift ones excluded).
system_depends() {
  ldd "$@" | awk '/=> \// {print $3}' | grep -v "^$swiftlib\|/sscard/" | sort -u | while read -r lib; do
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
  done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g'
}

# The Swift runtime libraries the binaries load from the toolchain, copied into $1.
copy_swift_runtime() {
  local into=$1; shift
  mkdir -p "$into"
  ldd "$@" | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
    case "$(readlink -f "$lib")" in
      "$(readlink -f "$swiftlib")"/*) install -m 0644 "$lib" "$into/" ;;
    esac
  done
  # The runtime libraries find each other through $ORIGIN.
  for lib in "$into"/*.so*; do patchelf --set-rpath '$ORIGIN' "$lib"; done
  strip --strip-unneeded "$into"/*.so*
}

# ── libsscarddriver1 ──
pkg=libsscarddriver1
start_package $pkg
d="$work/$pkg"
mkdir -p "$d/$libdir"
install -m 0644 "$bin/libSSCardDriver.so" "$d/$libdir/libSSCardDriver.so.$version"
ln -s "libSSCardDriver.so.$version" "$d/$libdir/libSSCardDriver.so.1"
# The runtime of the library and of issue-station (which loads it from here too).
copy_swift_runtime "$d/$private" "$bin/libSSCardDriver.so" "$bin/issue-station"
patchelf --set-rpath '$ORIGIN/sscard/swift' "$d/$libdir/libSSCardDriver.so.$version"
strip --strip-unneeded "$d/$libdir/libSSCardDriver.so.$version"
echo "libSSCardDriver 1 $pkg (>= $version)" > "$d/DEBIAN/shlibs"
echo "activate-noawait ldconfig" > "$d/DEBIAN/triggers"
driver_depends=$(system_depends "$bin/libSSCardDriver.so")
finish_package $pkg libs "Depends: $driver_depends
Suggests: pcscd, fonts-noto-cjk, fonts-babelstone-han, fonts-hanazono
Description: social security card (三代卡) reader and card printer driver
 libSSCardDriver.so.1: the national social security card reader interface
 (iReadCardBas, iReadCard, iWriteCard, the HSM two-step and PIN functions) and
 the instant-issuance functions iLoadCard, iWriteCaStep1/2 and iPrint, over
 PC/SC and Evolis card printers. The Swift runtime it needs is in a private
 folder of this package."

# ── libsscarddriver-dev ──
pkg=libsscarddriver-dev
start_package $pkg
d="$work/$pkg"
mkdir -p "$d/usr/include" "$d/$libdir/pkgconfig"
install -m 0644 include/SSCardDriver.h "$d/usr/include/"
ln -s libSSCardDriver.so.1 "$d/$libdir/libSSCardDriver.so"
cat > "$d/$libdir/pkgconfig/sscarddriver.pc" <<EOF
prefix=/usr
libdir=\${prefix}/lib/$triplet
includedir=\${prefix}/include

Name: sscarddriver
Description: Social security card reader and card printer driver (C ABI)
Version: $version
Libs: -L\${libdir} -lSSCardDriver
Cflags: -I\${includedir}
EOF
gzip -9n < docs/c-abi.md > "$d/usr/share/doc/$pkg/c-abi.md.gz"
finish_package $pkg libdevel "Depends: libsscarddriver1 (= $debversion)
Description: social security card driver - C header and pkg-config file
 SSCardDriver.h, the libSSCardDriver.so link and sscarddriver.pc for C
 programs that call the social security card driver; the C ABI reference is
 /usr/share/doc/libsscarddriver-dev/c-abi.md.gz."

# ── sscard-station ──
pkg=sscard-station
start_package $pkg
d="$work/$pkg"
mkdir -p "$d/usr/bin" "$d/usr/share/man/man1" "$d/usr/share/bash-completion/completions" \
  "$d/usr/share/zsh/vendor-completions" "$d/lib/udev/rules.d" "$d/lib/systemd/system"
install -m 0755 "$bin/issue-station" "$bin/sscard-conformance-probe" "$d/usr/bin/"
# issue-station loads the Swift runtime from the driver package's private folder.
patchelf --set-rpath "\$ORIGIN/../lib/$triplet/sscard/swift" "$d/usr/bin/issue-station"
# The probe is C: it needs no Swift runtime and no search path.
patchelf --remove-rpath "$d/usr/bin/sscard-conformance-probe"
strip --strip-unneeded "$d/usr/bin/issue-station" "$d/usr/bin/sscard-conformance-probe"
# bash-completion sources the script: no #! line.
"$bin/issue-station" --generate-completion-script bash | sed '1{/^#!/d}' > "$d/usr/share/bash-completion/completions/issue-station"
"$bin/issue-station" --generate-completion-script zsh > "$d/usr/share/zsh/vendor-completions/_issue-station"
chmod 0644 "$d/usr/share/bash-completion/completions/issue-station" "$d/usr/share/zsh/vendor-completions/_issue-station"
# Man pages from the argument parser (swift-argument-parser's generate-manual plugin).
man="$work/man"
mkdir -p "$man"
swift package --allow-writing-to-directory "$man" generate-manual --multi-page --output-directory "$man" >&2
# Blank lines in a page are groff warnings (they come from paragraph breaks in the help text).
find "$man" -name '*.1' -exec sh -c 'sed "/^[[:space:]]*$/d" "$1" | gzip -9n > "$2/$(basename "$1").gz"' _ {} "$d/usr/share/man/man1" \;
[ -n "$(ls "$d/usr/share/man/man1")" ] || { echo "generate-manual made no man page" >&2; exit 1; }
install -m 0644 udev/60-sscard.rules "$d/lib/udev/rules.d/"
install -m 0644 packaging/systemd/*.service "$d/lib/systemd/system/"
install -m 0755 packaging/station/postinst packaging/station/postrm "$d/DEBIAN/"
station_depends=$(system_depends "$bin/issue-station" "$bin/sscard-conformance-probe")
finish_package $pkg misc "Depends: libsscarddriver1 (= $debversion), $station_depends, pcscd, passwd, fonts-noto-cjk, fonts-babelstone-han, fonts-hanazono
Recommends: udev
Suggests: vsmartcard-vpcd, pcsc-tools, libsscarddriver-dev
Description: social security card (三代卡) instant-issuance desk
 issue-station: issuance while the applicant waits, the pre-made card stock and
 the ledger, card services, the morning check (doctor), the browser bridge,
 and for labs a virtual card, a virtual card printer and a simulated province
 system. Udev rules give card readers and printers to group sscard; systemd
 units run the bridge and the lab simulators."

echo "== lintian" >&2
lintian --no-tag-display-limit dist/*.deb >&2 || echo "lintian reported errors (above)" >&2
ls -l dist/*.deb
