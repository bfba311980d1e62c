#!/usr/bin/env bash
# The outlet demo (docs/outlet.md): a throwaway PostgreSQL (Debian's server, initdb in a temp
# folder, a loopback port, run as an unprivileged user since postgres refuses root), one outlet
# with three desks, one return file in the outlet's safe, and three desk processes issuing from
# that one stock at the same time with the station's real issuance workflow (reserve, feed,
# identify, 制卡中, chip, certificates, face, print, 制卡成功), each with its own virtual printer
# holding the cards it loaded from the safe, its chip reached in process (three private pcscd
# stacks cannot share one namespace) and its embedded card-management simulator. Stops
# everything it started and ends with one line computed from the database:
#   outlet: 3 desks, N cards issued, 0 cards reserved twice, books balanced
# Options: CARDS (per desk, default 8), FILE_ROWS (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."

CARDS=${CARDS:-8}
FILE_ROWS=${FILE_ROWS:-30}
swift build --product issue-station >&2
STATION="$PWD/.build/debug/issue-station"

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
  echo "PostgreSQL server not installed: run scripts/install-deps.sh" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/sscard-outlet.XXXXXX)
chmod 755 "$WORK"
AS=()
if [ "$(id -u)" -eq 0 ]; then
  mkdir "$WORK/pg" && chown nobody:nogroup "$WORK/pg"
  AS=(runuser -u nobody --)
else
  mkdir "$WORK/pg"
fi
PORT=$(( 20000 + RANDOM % 30000 ))
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -f "$WORK/pg/data/postmaster.pid" ]; then
    (cd "$WORK/pg" && "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1) || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== PostgreSQL on 127.0.0.1:$PORT (data in $WORK/pg, as ${AS[2]:-$(id -un)})" >&2
(cd "$WORK/pg" && "${AS[@]}" "$PGBIN/initdb" -D "$WORK/pg/data" -U sscard_owner -A trust -E UTF8 --locale=C --no-sync >/dev/null)
cat > "$WORK/pg/data/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK/pg'
CONF
(cd "$WORK/pg" && "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w start >/dev/null)
OWNER="postgresql://sscard_owner@127.0.0.1:$PORT/postgres"

echo "== schema, outlet GZ01 and its three desk roles" >&2
"$STATION" storage migrate --url "$OWNER" >&2
"$STATION" storage add-outlet --url "$OWNER" --outlet GZ01 --desk-role desk1 --desk-role desk2 --desk-role desk3 \
  --city-reader authority >&2

for d in 1 2 3; do
  mkdir -p "$WORK/desk$d"
  cat > "$WORK/desk$d/station.json" <<JSON
{"databasePath": "journal.sqlite", "outputDirectory": "faces", "terminal": "SSDESK00000$d",
 "storage": {"kind": "postgresql", "url": "postgresql://desk$d@127.0.0.1:$PORT/postgres", "outlet": "GZ01", "desk": "desk$d"}}
JSON
done

echo "== a return file of $FILE_ROWS simulated cards into the outlet's safe (desk1)" >&2
RETURN=$("$STATION" storage sample-file --cards "$FILE_ROWS" --folder "$WORK")
"$STATION" storage import --config "$WORK/desk1/station.json" --clerk 张三 "$RETURN" >&2
echo "== the same file at desk2 is refused, naming desk1:" >&2
"$STATION" storage import --config "$WORK/desk2/station.json" --clerk 李四 "$RETURN" >&2 && { echo "imported twice!" >&2; exit 1; } || true

echo "== three desks issuing at once with the real workflow ($CARDS cards each)" >&2
for d in 1 2 3; do
  "$STATION" storage desk-issue --config "$WORK/desk$d/station.json" --clerk "clerk$d" \
    --cards "$CARDS" --load 3 --application-prefix DEMO > "$WORK/desk$d/issued.txt" &
  PIDS+=($!)
done
FAILED=0
for p in "${PIDS[@]}"; do wait "$p" || FAILED=1; done
PIDS=()
for d in 1 2 3; do tail -1 "$WORK/desk$d/issued.txt" >&2; done
[ "$FAILED" -eq 0 ] || { echo "a desk failed" >&2; exit 1; }

echo "== the outlet's books" >&2
CHECK=$("$STATION" storage check --config "$WORK/desk1/station.json") || { echo "$CHECK" >&2; echo "books do NOT balance" >&2; exit 1; }
echo "$CHECK" >&2
"$STATION" storage city-report --url "postgresql://authority@127.0.0.1:$PORT/postgres" >&2
ISSUED=$(echo "$CHECK" | sed -n 's/^issued in the outlet: //p')
TWICE=$(echo "$CHECK" | sed -n 's/^reserved twice: //p')
DESKS=$(echo "$CHECK" | grep -c '^窗口 desk ' || true)
[ -n "$ISSUED" ] && [ -n "$TWICE" ] || { echo "storage check said no totals" >&2; exit 1; }
[ "$TWICE" -eq 0 ] || { echo "outlet: $DESKS desks, $ISSUED cards issued, $TWICE cards reserved twice, books NOT balanced"; exit 1; }
echo "outlet: $DESKS desks, $ISSUED cards issued, 0 cards reserved twice, books balanced"
