#!/usr/bin/env bash
# What each part of an outlet's partition costs the import (docs/performance.md §7, "Schema
# version 5"): COPY of the same 100,000 cards from a file into a fresh, empty outlet partition
# of copies of pre_made_card that differ in what they carry, variants alternating, a throwaway
# server as `sscard-bench storage` starts it. Prints, per variant, the server backend's CPU time
# (`perf stat -e task-clock`) of each round, then its minimum and median. Variants:
#   H  the heap alone: no CHECK, no index
#   N  H with the table's CHECK constraints
#   O  N with the primary key (card_number, outlet)
#   U  N with the three unique keys: (card_number, outlet), (卡识别码, outlet), (银行卡号, outlet)
#   F  schema version 4/5 in full: U, the safe (import_id, sequence) WHERE state = 'inStock', and
#      the four partial indexes no card in the safe has an entry in (desk, reservation, issue, returned)
#   W  F without the safe's index
#
#   bash scripts/isolated.sh bash scripts/pg-import-parts.sh [rounds]      (VARIANTS="F W" to choose)
#
# With PROFILE=FILE, the backend of the last round's first variant is recorded with `perf record
# -g` into FILE instead (read it with `perf report -i FILE --children`).
set -euo pipefail
rounds=${1:-3}
command -v perf >/dev/null || { echo "pg-import-parts.sh needs perf (apt-get install linux-perf)" >&2; exit 1; }
. "$(dirname "$0")/lib/throwaway-postgres.sh"
cols="outlet text NOT NULL, card_number text NOT NULL, card_identification_code text NOT NULL, reset_code text NOT NULL,
    personal_account text NOT NULL, bank_card_number text NOT NULL, bank_account text NOT NULL, packing_position text NOT NULL,
    make_date text NOT NULL, expiry_date text NOT NULL, bank text NOT NULL, import_id bigint NOT NULL, sequence integer NOT NULL,
    state text NOT NULL, desk text, hopper integer, application_id text, spoil_reason text,
    updated_at text NOT NULL, updated_by text NOT NULL"
checks="CHECK (state IN ('inStock', 'inHopper', 'reserved', 'issued', 'spoiled', 'returned')), CHECK (hopper BETWEEN 1 AND 9),
    CHECK ((hopper IS NOT NULL) = (state IN ('inHopper', 'reserved'))), CHECK ((desk IS NOT NULL) = (hopper IS NOT NULL)),
    CHECK ((application_id IS NOT NULL) = (state IN ('reserved', 'issued'))), CHECK ((spoil_reason IS NOT NULL) = (state = 'spoiled'))"
list="outlet, card_number, card_identification_code, reset_code, personal_account, bank_card_number, bank_account, packing_position, make_date, expiry_date, bank, import_id, sequence, state, updated_at, updated_by"
unique="ALTER TABLE t ADD PRIMARY KEY (card_number, outlet), ADD UNIQUE (card_identification_code, outlet), ADD UNIQUE (bank_card_number, outlet);"
partial="CREATE INDEX ON t (outlet, desk, state) WHERE desk IS NOT NULL;
    CREATE UNIQUE INDEX ON t (outlet, application_id) WHERE state = 'reserved';
    CREATE UNIQUE INDEX ON t (outlet, application_id) WHERE state = 'issued';
    CREATE INDEX ON t (outlet, bank, import_id, sequence) WHERE state = 'returned';"
safe="CREATE INDEX ON t (import_id, sequence) WHERE state = 'inStock';"
psql >/dev/null <<SQL
CREATE TABLE cards AS SELECT g AS sequence, 'B' || lpad(g::text, 8, '0') AS card_number,
  '440100D156000005' || lpad(upper(to_hex(g)), 16, '0') AS card_identification_code, '008C544CB386844116018593CA' AS reset_code,
  '9' || lpad(g::text, 17, '0') AS personal_account, '62220' || lpad(g::text, 14, '0') AS bank_card_number,
  '1' || lpad(g::text, 17, '0') AS bank_account, '箱' || (g / 100 + 1) || '-' || (g % 100) AS packing_position,
  '20240415' AS make_date, '' AS expiry_date FROM generate_series(1, 100000) g;
COPY (SELECT 'P1', card_number, card_identification_code, reset_code, personal_account, bank_card_number, bank_account, packing_position,
  make_date, expiry_date, '工商银行', 2, sequence, 'inStock', '2026-12-06T17:00:00+08:00', 'clerk01' FROM cards) TO '$dir/f.txt';
SQL
mk() { # a fresh table of variant $1, its partition P1 empty
  local ck=", $checks" ix=""
  case $1 in
    H) ck="";;
    N) ;;
    O) ix="ALTER TABLE t ADD PRIMARY KEY (card_number, outlet);";;
    U) ix="$unique";;
    F) ix="$unique $partial $safe";;
    W) ix="$unique $partial";;
    *) echo "unknown variant $1" >&2; exit 2;;
  esac
  psql >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS t;
CREATE TABLE t ($cols $ck) PARTITION BY LIST (outlet);
$ix
CREATE TABLE t_p1 PARTITION OF t FOR VALUES IN ('P1');
CHECKPOINT;
SQL
}
cpu() { # the backend's CPU milliseconds for COPY into t_p1, in one transaction ($1: record a profile)
  rm -f "$dir/in" "$dir/out"; mkfifo "$dir/in"; chmod 666 "$dir/in"
  (command psql -X -q -h "$dir" -U o -d postgres < "$dir/in" > "$dir/out" 2>&1 &)
  exec 3>"$dir/in"
  echo "SELECT 'PID' || pg_backend_pid();" >&3
  until grep -qs 'PID[0-9]' "$dir/out"; do sleep 0.05; done
  local pid; pid=$(grep -Eo 'PID[0-9]+' "$dir/out" | head -1 | tr -d PID)
  if [ -n "${1:-}" ]; then perf record -g -p "$pid" -o "$1" 2>/dev/null & else perf stat -x, -e task-clock -p "$pid" -o "$dir/stat" 2>/dev/null & fi
  local pp=$!
  sleep 0.3
  echo "BEGIN; COPY t_p1 ($list) FROM '$dir/f.txt'; COMMIT; \\echo DONE" >&3
  until grep -q DONE "$dir/out"; do sleep 0.01; done
  kill -INT $pp; wait $pp 2>/dev/null || true
  exec 3>&-
  if grep -qi error "$dir/out"; then cat "$dir/out" >&2; exit 1; fi
  if [ -n "${1:-}" ]; then echo "profile in $1"; else grep task-clock "$dir/stat" | cut -d, -f1 | cut -d. -f1; fi
}
variants=${VARIANTS:-H N O U F W}
declare -A all
for r in $(seq 1 "$rounds"); do
  for v in $variants; do
    mk "$v"
    if [ -n "${PROFILE:-}" ] && [ "$r" = "$rounds" ] && [ "$v" = "${variants%% *}" ]; then cpu "$PROFILE"; continue; fi
    ms=$(cpu)
    all[$v]="${all[$v]:-} $ms"
    echo "round $r variant $v: COPY, server CPU $ms ms"
  done
done
for v in $variants; do
  [ -n "${all[$v]:-}" ] || continue
  sorted=$(tr ' ' '\n' <<<"${all[$v]}" | grep . | sort -n | tr '\n' ' ')
  read -ra s <<<"$sorted"
  echo "variant $v: min ${s[0]} ms, median ${s[$(( ${#s[@]} / 2 ))]} ms (n=${#s[@]}): ${all[$v]}"
done
