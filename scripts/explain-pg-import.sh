#!/usr/bin/env bash
# EXPLAIN (ANALYZE, BUFFERS, WAL) of the outlet import's INSERT … SELECT of 100,000 cards, on
# pre_made_card as schema version 1 left it and as version 2 leaves it (OutletSchema.swift; the
# table and its indexes copied here), plus the plans of the hopper-load and reservation queries.
# A throwaway PostgreSQL (Debian's server, fsync on, shared_buffers 64 MB as `sscard-bench
# storage` starts it) in a temporary folder, run as nobody; loopback only. docs/performance.md §7.
#
#   bash scripts/isolated.sh bash scripts/explain-pg-import.sh
set -euo pipefail
. "$(dirname "$0")/lib/throwaway-postgres.sh"

schema_v1="
CREATE TABLE yzkcg_import (id bigserial PRIMARY KEY, outlet text NOT NULL, file_name text NOT NULL);
CREATE TABLE pre_made_card (
    outlet text NOT NULL, card_number text NOT NULL, card_identification_code text NOT NULL, reset_code text NOT NULL,
    personal_account text NOT NULL, bank_card_number text NOT NULL, bank_account text NOT NULL, packing_position text NOT NULL,
    make_date text NOT NULL, expiry_date text NOT NULL, bank text NOT NULL,
    import_id bigint NOT NULL REFERENCES yzkcg_import (id), sequence integer NOT NULL,
    state text NOT NULL CHECK (state IN ('inStock', 'inHopper', 'reserved', 'issued', 'spoiled', 'returned')),
    desk text, hopper integer CHECK (hopper BETWEEN 1 AND 9), application_id text, spoil_reason text,
    updated_at text NOT NULL, updated_by text NOT NULL,
    PRIMARY KEY (outlet, card_number), UNIQUE (outlet, card_identification_code), UNIQUE (outlet, bank_card_number),
    CHECK ((hopper IS NOT NULL) = (state IN ('inHopper', 'reserved'))), CHECK ((desk IS NOT NULL) = (hopper IS NOT NULL)),
    CHECK ((application_id IS NOT NULL) = (state IN ('reserved', 'issued'))), CHECK ((spoil_reason IS NOT NULL) = (state = 'spoiled')));
CREATE INDEX pre_made_card_free ON pre_made_card (outlet, bank, state, import_id, sequence);
CREATE INDEX pre_made_card_at_desk ON pre_made_card (outlet, desk, state);
CREATE UNIQUE INDEX pre_made_card_one_reservation ON pre_made_card (outlet, application_id) WHERE state = 'reserved';
CREATE UNIQUE INDEX pre_made_card_one_issue ON pre_made_card (outlet, application_id) WHERE state = 'issued';
INSERT INTO yzkcg_import (outlet, file_name) VALUES ('GZ01', 'YZKCG_1.txt');"
schema_v2="
ALTER TABLE pre_made_card DROP CONSTRAINT pre_made_card_import_id_fkey;
DROP INDEX pre_made_card_at_desk;
CREATE INDEX pre_made_card_at_desk ON pre_made_card (outlet, desk, state) WHERE desk IS NOT NULL;
DROP INDEX pre_made_card_free;
CREATE INDEX pre_made_card_free ON pre_made_card (outlet, bank, (state = 'inStock'), import_id, sequence)
    WHERE state IN ('inStock', 'returned');"
# 100,000 cards shaped as a return file's (卡识别码 32 hex digits, not in card order).
incoming="
CREATE TABLE incoming AS SELECT g AS line, g AS sequence, lpad((330000000 + g)::text, 9, '0') AS card_number,
  upper(md5(g::text)) AS card_identification_code, substr(md5('r' || g), 1, 16) AS reset_code,
  lpad(g::text, 18, '4') AS personal_account, '62148' || lpad(g::text, 14, '0') AS bank_card_number,
  '62148' || lpad(g::text, 14, '1') AS bank_account, 'B' || (g / 500) || '-' || (g % 500) AS packing_position,
  '20261201' AS make_date, '20361201' AS expiry_date FROM generate_series(1, 100000) g;
CHECKPOINT;"
insert="
EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF)
INSERT INTO pre_made_card (outlet, card_number, card_identification_code, reset_code, personal_account,
    bank_card_number, bank_account, packing_position, make_date, expiry_date, bank, import_id, sequence, state, updated_at, updated_by)
SELECT 'GZ01', card_number, card_identification_code, reset_code, personal_account, bank_card_number,
    bank_account, packing_position, make_date, expiry_date, '工商银行', 1, sequence, 'inStock', '2026-12-06T17:00:00+08:00', 'clerk01'
FROM incoming;"
queries="
UPDATE pre_made_card SET state = 'inHopper', desk = 'desk1', hopper = 1 WHERE sequence <= 200;
ANALYZE pre_made_card;
SET plan_cache_mode = force_generic_plan;
PREPARE load(text, text, int) AS SELECT card_number, state FROM pre_made_card WHERE outlet = \$1 AND bank = \$2
    AND state IN ('returned', 'inStock') ORDER BY state = 'inStock', import_id, sequence LIMIT \$3 FOR UPDATE SKIP LOCKED;
EXPLAIN (ANALYZE, COSTS OFF) EXECUTE load('GZ01', '工商银行', 50);
PREPARE reserve(text, text, text) AS SELECT card_number, hopper FROM pre_made_card WHERE outlet = \$1 AND desk = \$2
    AND state = 'inHopper' AND bank = \$3 ORDER BY hopper, import_id, sequence LIMIT 1 FOR UPDATE SKIP LOCKED;
EXPLAIN (ANALYZE, COSTS OFF) EXECUTE reserve('GZ01', 'desk1', '工商银行');"

for version in 1 2; do
  psql -d postgres -c "CREATE DATABASE v$version"
  echo "== schema version $version: the import's INSERT … SELECT"
  psql -d "v$version" -c "$schema_v1" >/dev/null
  [ "$version" = 2 ] && psql -d "v$version" -c "$schema_v2" >/dev/null
  psql -d "v$version" -c "$incoming" >/dev/null
  psql -d "v$version" -c "$insert"
  echo "== schema version $version: loading a hopper, reserving a card"
  psql -d "v$version" -c "$queries" | grep -E 'Scan|Sort|Execution'
done
