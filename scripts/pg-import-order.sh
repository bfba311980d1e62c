#!/usr/bin/env bash
# How much the order of a return file's cards costs the outlet import's INSERT … SELECT of
# 100,000 cards (pre_made_card as schema version 2 leaves it: the primary key, the two unique
# indexes, the free-card index): the cards in 社保卡号 order, the same cards scattered, and the
# scattered cards sent in 社保卡号 order as `importReturnFile` now sends them (IncomingCardRows).
# Each INSERT into a new outlet, committed, timed with psql's \timing; `rounds` rounds alternate
# the three. A throwaway PostgreSQL (Debian's server, fsync on, shared_buffers 64 MB as
# `sscard-bench storage` starts it) in a temporary folder, run as nobody; docs/performance.md §7.
#
#   bash scripts/isolated.sh bash scripts/pg-import-order.sh [rounds]
set -euo pipefail
rounds=${1:-2}
. "$(dirname "$0")/lib/throwaway-postgres.sh"

psql >/dev/null <<'SQL'
CREATE TABLE pre_made_card (
    outlet text NOT NULL, card_number text NOT NULL, card_identification_code text NOT NULL, reset_code text NOT NULL,
    personal_account text NOT NULL, bank_card_number text NOT NULL, bank_account text NOT NULL, packing_position text NOT NULL,
    make_date text NOT NULL, expiry_date text NOT NULL, bank text NOT NULL, import_id bigint NOT NULL, sequence integer NOT NULL,
    state text NOT NULL CHECK (state IN ('inStock', 'inHopper', 'reserved', 'issued', 'spoiled', 'returned')),
    desk text, hopper integer CHECK (hopper BETWEEN 1 AND 9), application_id text, spoil_reason text,
    updated_at text NOT NULL, updated_by text NOT NULL,
    PRIMARY KEY (outlet, card_number), UNIQUE (outlet, card_identification_code), UNIQUE (outlet, bank_card_number),
    CHECK ((hopper IS NOT NULL) = (state IN ('inHopper', 'reserved'))), CHECK ((desk IS NOT NULL) = (hopper IS NOT NULL)),
    CHECK ((application_id IS NOT NULL) = (state IN ('reserved', 'issued'))), CHECK ((spoil_reason IS NOT NULL) = (state = 'spoiled')));
CREATE INDEX pre_made_card_at_desk ON pre_made_card (outlet, desk, state) WHERE desk IS NOT NULL;
CREATE UNIQUE INDEX pre_made_card_one_reservation ON pre_made_card (outlet, application_id) WHERE state = 'reserved';
CREATE UNIQUE INDEX pre_made_card_one_issue ON pre_made_card (outlet, application_id) WHERE state = 'issued';
CREATE INDEX pre_made_card_free ON pre_made_card (outlet, bank, (state = 'inStock'), import_id, sequence)
    WHERE state IN ('inStock', 'returned');
-- The cards as SampleReturnFile makes them (keys rising together), lines 1…100,000.
CREATE TABLE cards AS SELECT g AS line, g AS sequence, 'B' || lpad(g::text, 8, '0') AS card_number,
  '440100D156000005' || lpad(upper(to_hex(g)), 16, '0') AS card_identification_code, '008C544CB386844116018593CA' AS reset_code,
  '9' || lpad(g::text, 17, '0') AS personal_account, '62220' || lpad(g::text, 14, '0') AS bank_card_number,
  '1' || lpad(g::text, 17, '0') AS bank_account, '箱' || (g / 100 + 1) || '-' || (g % 100) AS packing_position,
  '20240415' AS make_date, '' AS expiry_date FROM generate_series(1, 100000) g;
-- in order: the file's lines carry rising card numbers;
CREATE TABLE in_order AS SELECT * FROM cards ORDER BY line;
-- scattered: the same cards, line i carrying card (i × 7919) mod 100,000 (序号 stays the line);
CREATE TABLE scattered AS SELECT s.line, s.sequence, c.card_number, c.card_identification_code, c.reset_code,
  c.personal_account, c.bank_card_number, c.bank_account, c.packing_position, c.make_date, c.expiry_date
  FROM cards s JOIN cards c ON c.line = (s.line * 7919) % 100000 + 1 ORDER BY s.line;
-- scattered, sent in 社保卡号 order (the temporary table as the import now fills it).
CREATE TABLE scattered_sent_sorted AS SELECT * FROM scattered ORDER BY card_number;
CHECKPOINT;
SQL
n=0
for round in $(seq 1 "$rounds"); do
  for source in in_order scattered scattered_sent_sorted; do
    n=$((n + 1))
    t=$(psql -c '\timing on' -c "BEGIN" -c "
      INSERT INTO pre_made_card (outlet, card_number, card_identification_code, reset_code, personal_account,
          bank_card_number, bank_account, packing_position, make_date, expiry_date, bank, import_id, sequence, state, updated_at, updated_by)
      SELECT 'O$n', card_number, card_identification_code, reset_code, personal_account, bank_card_number, bank_account,
          packing_position, make_date, expiry_date, '工商银行', $n, sequence, 'inStock', '2026-12-06T20:00:00+08:00', 'clerk01'
      FROM $source" -c "COMMIT" | grep -E '^Time' | sed -n 2p)
    printf 'round %s  %-22s INSERT of 100,000 cards: %s\n' "$round" "$source" "${t#Time: }"
  done
done
