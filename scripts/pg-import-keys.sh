#!/usr/bin/env bash
# Which index keys cost the outlet import (docs/performance.md §7, "Schema version 4"): the
# 100,000-card INSERT … SELECT and COPY into copies of pre_made_card that differ only in their
# keys, each table already holding another outlet's 100,000 cards, fresh tables each round,
# variants alternating. Prints the server backend's CPU time (`perf stat -e task-clock`) and the
# wall time of each statement. Variants:
#   A  schema version 3: (outlet, card_number), (outlet, 卡识别码), (outlet, 银行卡号), free cards
#      (outlet, bank, state = 'inStock', import_id, sequence)
#   G  the three unique keys card first, (card_number, outlet) …; free cards as A
#   D  G, and the safe by (import_id, sequence) WHERE state = 'inStock' (schema version 4; here
#      with deduplicate_items off, which the migration leaves at its default)
#   P  D without the outlet in any key (what a partition's keys compare)
#
#   bash scripts/isolated.sh bash scripts/pg-import-keys.sh [rounds]      (VARIANTS="A D" to choose)
set -euo pipefail
rounds=${1:-2}
command -v perf >/dev/null || { echo "pg-import-keys.sh needs perf (apt-get install linux-perf)" >&2; exit 1; }
. "$(dirname "$0")/lib/throwaway-postgres.sh"
cols="outlet text NOT NULL, card_number text NOT NULL, card_identification_code text NOT NULL, reset_code text NOT NULL,
    personal_account text NOT NULL, bank_card_number text NOT NULL, bank_account text NOT NULL, packing_position text NOT NULL,
    make_date text NOT NULL, expiry_date text NOT NULL, bank text NOT NULL, import_id bigint NOT NULL, sequence integer NOT NULL,
    state text NOT NULL CHECK (state IN ('inStock', 'inHopper', 'reserved', 'issued', 'spoiled', 'returned')),
    desk text, hopper integer CHECK (hopper BETWEEN 1 AND 9), application_id text, spoil_reason text,
    updated_at text NOT NULL, updated_by text NOT NULL,
    CHECK ((hopper IS NOT NULL) = (state IN ('inHopper', 'reserved'))), CHECK ((desk IS NOT NULL) = (hopper IS NOT NULL)),
    CHECK ((application_id IS NOT NULL) = (state IN ('reserved', 'issued'))), CHECK ((spoil_reason IS NOT NULL) = (state = 'spoiled'))"
list="outlet, card_number, card_identification_code, reset_code, personal_account, bank_card_number, bank_account, packing_position, make_date, expiry_date, bank, import_id, sequence, state, updated_at, updated_by"
sel="card_number, card_identification_code, reset_code, personal_account, bank_card_number, bank_account, packing_position, make_date, expiry_date, '工商银行', 1, sequence, 'inStock', '2026-12-06T17:00:00+08:00', 'clerk01'"
psql >/dev/null <<SQL
CREATE TABLE cards AS SELECT g AS line, g AS sequence, lpad(g::text, 9, '0') AS card_number,
  '440100D156000005' || lpad(upper(to_hex(g)), 16, '0') AS card_identification_code, '008C544CB386844116018593CA' AS reset_code,
  '9' || lpad(g::text, 17, '0') AS personal_account, '62220' || lpad(g::text, 14, '0') AS bank_card_number,
  '1' || lpad(g::text, 17, '0') AS bank_account, '箱' || (g / 100 + 1) || '-' || (g % 100) AS packing_position,
  '20240415' AS make_date, '' AS expiry_date FROM generate_series(1, 200000) g;
COPY (SELECT 'GZ01', $sel FROM cards WHERE line > 100000) TO '$dir/f.txt';
SQL
mk() { # name variant
  local idx
  case $2 in
    A) idx="ALTER TABLE $1 ADD PRIMARY KEY (outlet, card_number), ADD UNIQUE (outlet, card_identification_code), ADD UNIQUE (outlet, bank_card_number);
        CREATE INDEX ${1}_free ON $1 (outlet, bank, (state = 'inStock'), import_id, sequence) WHERE state IN ('inStock', 'returned');";;
    D) idx="ALTER TABLE $1 ADD PRIMARY KEY (card_number, outlet), ADD UNIQUE (card_identification_code, outlet), ADD UNIQUE (bank_card_number, outlet);
        CREATE INDEX ${1}_free ON $1 (import_id, sequence) WITH (deduplicate_items = off) WHERE state = 'inStock';
        CREATE INDEX ${1}_ret ON $1 (outlet, bank, import_id, sequence) WHERE state = 'returned';";;
    P) idx="ALTER TABLE $1 ADD PRIMARY KEY (card_number), ADD UNIQUE (card_identification_code), ADD UNIQUE (bank_card_number);
        CREATE INDEX ${1}_at_desk2 ON $1 (desk, state) WHERE desk IS NOT NULL;
        CREATE INDEX ${1}_free ON $1 (import_id, sequence) WITH (deduplicate_items = off) WHERE state = 'inStock';
        CREATE INDEX ${1}_ret ON $1 (bank, import_id, sequence) WHERE state = 'returned';";;
    G) idx="ALTER TABLE $1 ADD PRIMARY KEY (card_number, outlet), ADD UNIQUE (card_identification_code, outlet), ADD UNIQUE (bank_card_number, outlet);
        CREATE INDEX ${1}_free ON $1 (outlet, bank, (state = 'inStock'), import_id, sequence) WHERE state IN ('inStock', 'returned');";;
  esac
  psql >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS $1;
CREATE TABLE $1 ($cols);
CREATE INDEX ${1}_at_desk ON $1 (outlet, desk, state) WHERE desk IS NOT NULL;
CREATE UNIQUE INDEX ${1}_one_reservation ON $1 (outlet, application_id) WHERE state = 'reserved';
CREATE UNIQUE INDEX ${1}_one_issue ON $1 (outlet, application_id) WHERE state = 'issued';
$idx
INSERT INTO $1 ($list) SELECT CASE WHEN '$2' = 'P' THEN 'GZ01' ELSE 'GZ00' END, $sel FROM cards WHERE line <= 100000;
VACUUM ANALYZE $1;
CHECKPOINT;
SQL
}

sess() { # start a psql session on a fifo; sets SP (pid of backend), FD 3
  rm -f $dir/in $dir/out; mkfifo $dir/in; chmod 666 $dir/in
  (command psql -X -q -h "$dir" -U o -d postgres < $dir/in > $dir/out 2>&1 &)
  exec 3>$dir/in
  echo "SELECT 'PID' || pg_backend_pid();" >&3
  until grep -q 'PID[0-9]' $dir/out; do sleep 0.05; done
  SP=$(grep -Eo 'PID[0-9]+' $dir/out | head -1 | tr -d PID)
}
run() { # statement -> prints the backend's CPU time and the wall time
  local n=$(grep -c DONE $dir/out || true)
  perf stat -x, -e task-clock -p $SP -o $dir/stat 2>/dev/null & local pp=$!
  sleep 0.3
  local s=$(date +%s%N)
  echo "BEGIN; $1; COMMIT; \\echo DONE" >&3
  until [ "$(grep -c DONE $dir/out)" -gt "$n" ]; do sleep 0.01; done
  local e=$(date +%s%N)
  kill -INT $pp; wait $pp 2>/dev/null || true
  local cpu=$(grep task-clock $dir/stat | cut -d, -f1)
  printf "CPU %4.0f ms, wall %4d ms" "$cpu" $(( (e - s) / 1000000 ))
}
for r in $(seq 1 "$rounds"); do
  for v in ${VARIANTS:-A G D P}; do
    mk t$v $v; sess
    a=$(run "INSERT INTO t$v ($list) SELECT 'GZ01', $sel FROM cards WHERE line > 100000")
    exec 3>&-
    mk t$v $v; sess
    b=$(run "COPY t$v ($list) FROM '$dir/f.txt'")
    exec 3>&-
    echo "round $r variant $v: INSERT…SELECT $a | COPY $b"
  done
done
