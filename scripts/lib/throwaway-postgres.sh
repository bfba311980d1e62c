# Sourced by the PostgreSQL probe scripts (docs/performance.md §7): a throwaway server as
# `sscard-bench storage` starts it — Debian's binaries, initdb into a temporary folder, fsync on,
# shared_buffers 64 MB, a Unix socket only (no TCP port) — run as nobody, stopped and removed
# when the script exits. Defines `psql` (as the owner `o`; database postgres unless -d) and `$dir`.
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/sscard-pgprobe-XXXXXX)
trap 'runuser -u nobody -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
chown nobody:nogroup "$dir"
runuser -u nobody -- "$bin/initdb" -D "$dir/data" -U o -A trust -E UTF8 --locale=C --no-sync >/dev/null
printf "listen_addresses = ''\nunix_socket_directories = '%s'\nfsync = on\nshared_buffers = 64MB\n" "$dir" > "$dir/data/postgresql.auto.conf"
chown nobody:nogroup "$dir/data/postgresql.auto.conf"
runuser -u nobody -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
export PGDATABASE=postgres
psql() { command psql -X -q -h "$dir" -U o -v ON_ERROR_STOP=1 "$@"; }
