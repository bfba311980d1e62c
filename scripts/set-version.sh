#!/usr/bin/env bash
# Sets the release version: writes VERSION (the one place the version is kept) and the Swift
# constant that mirrors it (Sources/SSCardDriver/Interface/ReleaseVersion.swift).
# Usage: bash scripts/set-version.sh 1.2.3
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:?usage: scripts/set-version.sh MAJOR.MINOR.PATCH}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "not MAJOR.MINOR.PATCH: $version" >&2; exit 2; }
printf '%s\n' "$version" > VERSION
sed -i -E "s/(public static let text = \")[^\"]*(\")/\1${version}\2/" Sources/SSCardDriver/Interface/ReleaseVersion.swift
grep -q "\"${version}\"" Sources/SSCardDriver/Interface/ReleaseVersion.swift
echo "version $version"
