#!/usr/bin/env bash
# Stops a pcscd left over from an earlier, killed test or demo run: the tests and the demo
# start their own private pcscd, and only one can own /run/pcscd/pcscd.comm.
# It only stops a pcscd whose reader configuration is one of ours (a private -c directory).
set -u
for pid in $(pgrep -x pcscd 2>/dev/null); do
  if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- '-c .*sscard-pcscd'; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
done
exit 0
