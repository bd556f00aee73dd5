# A throwaway PostgreSQL cluster for the tests of the PostgreSQL store (README "Running several
# instances"). Source this file, then:
#   start_test_postgres DIR   installs Debian's `postgresql` when initdb is missing (root only),
#                             creates a cluster in DIR/pg on a free loopback port (as the `postgres`
#                             user when running as root: PostgreSQL refuses to run as root), with
#                             password authentication, and exports PAYCRYPT_TEST_POSTGRES_URL;
#   stop_test_postgres        stops it (call it from the caller's EXIT trap; DIR is the caller's).
# The password is random per run and used only on 127.0.0.1.

_pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_test_postgres() {
    local base=$1 bin port password
    bin=$(_pg_bin) || true
    if [ -z "$bin" ]; then
        if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
            echo "==> Installing PostgreSQL for the store tests (postgresql)"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
            bin=$(_pg_bin)
        fi
    fi
    if [ -z "$bin" ]; then
        echo "PostgreSQL's initdb was not found (install the postgresql package)" >&2
        return 1
    fi
    _PAYCRYPT_PG_BIN=$bin
    _PAYCRYPT_PG_DATA=$base/pg/data
    mkdir -p "$base/pg"
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" > "$base/pg/password"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres "$base/pg"
        chmod 755 "$base"
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    _pg_as_owner "$bin/initdb" -D "$_PAYCRYPT_PG_DATA" -U paycrypt --pwfile="$base/pg/password" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C >"$base/pg/initdb.log" 2>&1 || {
        cat "$base/pg/initdb.log" >&2
        return 1
    }
    _pg_as_owner "$bin/pg_ctl" -D "$_PAYCRYPT_PG_DATA" -l "$base/pg/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $base/pg -c max_connections=500 -c fsync=off" start >/dev/null || {
        cat "$base/pg/server.log" >&2
        return 1
    }
    _pg_as_owner "$bin/createdb" -h "$base/pg" -p "$port" -U paycrypt paycrypt
    export PAYCRYPT_TEST_POSTGRES_URL="postgres://paycrypt:$password@127.0.0.1:$port/paycrypt?sslmode=disable"
    echo "==> Throwaway PostgreSQL ($("$bin/postgres" --version)) on 127.0.0.1:$port"
}

stop_test_postgres() {
    if [ -n "${_PAYCRYPT_PG_DATA:-}" ] && [ -f "$_PAYCRYPT_PG_DATA/postmaster.pid" ]; then
        _pg_as_owner "$_PAYCRYPT_PG_BIN/pg_ctl" -D "$_PAYCRYPT_PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
}
