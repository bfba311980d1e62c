#!/usr/bin/env bash
# Fuzzes every function of include/SSCardDriver.h and the configuration files of
# libSSCardDriver.so with Tests/CProgram/abi_fuzz.c: a million hostile inputs (by default) in
# forked children, one lane per core; a child killed by a signal is recorded and the fuzz goes
# on. Prints the calls per function and "crashes N"; exits non-zero on any crash, hang or buffer
# violation. Not part of the default test run (the suite runs 100,000: ABIFuzzHarnessTests).
#
#   scripts/fuzz-abi.sh                       1,000,000 inputs, seed 1, debug build
#   scripts/fuzz-abi.sh -c release -n 5000000 -s 7
#   scripts/fuzz-abi.sh --replay 123456 -s 7  one input again, in one process, with its output
#
# Other options go to abi_fuzz (-n inputs, -s seed, -j lanes, -b inputs per child,
# -t seconds before a call counts as hung, --replay INDEX). It needs no card, printer or service
# and refuses to run where a pcscd, `issue-station vprinter` (35970) or `province-sim` (8735)
# answers, since it would talk to them: run it on a machine or in a network namespace without
# them (docs/c-abi.md, "Fuzzing the C functions").
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=debug
if [[ "${1:-}" == "-c" ]]; then
    configuration=$2
    shift 2
fi

swift build -c "$configuration" --product SSCardDriver >&2
products=$(swift build -c "$configuration" --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$products/libSSCardDriver.so" "$work/libSSCardDriver.so"
ln -s "$products/libSSCardDriver.so" "$work/libSSCardDriver.so.1"
gcc -Wall -Wextra -Werror -std=c99 -O1 -I include Tests/CProgram/abi_fuzz.c \
    -L "$work" -lSSCardDriver -Wl,-rpath,"$work" -o "$work/abi_fuzz"
"$work/abi_fuzz" -n 1000000 -s 1 -j "$(nproc)" "$@"
