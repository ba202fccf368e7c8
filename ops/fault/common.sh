# shellcheck shell=bash
# Shared by ops/fault/kill-service and ops/fault/restart-postgres (sourced, not run).
# Gives each run its own durable PostgreSQL cluster and service on free loopback ports in a temp
# dir, and removes all of it on every exit path. Every wait has a timeout, and a watchdog ends
# the whole run after FAULT_TIME_LIMIT seconds.

: "${scenario:?set by the sourcing script}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

writers=${FAULT_WRITERS:-8}
load_seconds=${FAULT_LOAD_SECONDS:-20}    # writers send new requests for this long
drain_seconds=${FAULT_DRAIN_SECONDS:-20}  # then keep retrying unacknowledged ones at most this long
fault_after=${FAULT_AFTER:-5}             # seconds of load before the fault
# shellcheck disable=SC2034  # used by the scripts that source this file
down_for=${FAULT_DOWN_SECONDS:-3}         # seconds between the fault and the restart
time_limit=${FAULT_TIME_LIMIT:-150}

record=""
outdir=$root/src/ActionTracker.Api/bin/Release/net10.0
work=""
service_pid=""
load_pid=""
watchdog_pid=""
db=actiontracker

die() { echo "$scenario: $*" >&2; exit 1; }
log() { echo "$scenario: $*" >&2; }
now() { date +%s.%N; }
mark() { echo "$1 $(now)" >>"$work/timeline"; }

parse_args() {
    while [[ $# -gt 0 ]]; do
        case $1 in
            --record) record=$root/docs/reliability.md ;;
            --immediate)
                [[ $scenario == restart-postgres ]] || die "--immediate is for restart-postgres"
                # shellcheck disable=SC2034  # read by restart-postgres
                pg_stop_mode=immediate ;;
            -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
            *) die "unknown argument $1" ;;
        esac
        shift
    done
}

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # Carry on whatever fails here (a process may already be gone): every step must run.
    set +e
    if [[ -n $watchdog_pid ]]; then kill "$watchdog_pid" 2>/dev/null; fi
    if [[ -n $load_pid ]]; then kill "$load_pid" 2>/dev/null; wait "$load_pid" 2>/dev/null; fi
    stop_service
    if [[ -n $work && -d $work/pg ]]; then "$root/ops/pg" stop "$work/pg" >/dev/null 2>&1 || true; fi
    if [[ $rc -ne 0 && -n $work && -f $work/service.log ]]; then
        echo "--- last lines of the service log ---" >&2
        tail -n 25 "$work/service.log" >&2 || true
    fi
    if [[ -n $work ]]; then
        if [[ ${FAULT_KEEP:-0} == 1 ]]; then echo "$scenario: kept $work" >&2; else rm -rf "$work"; fi
    fi
    exit "$rc"
}

setup() {
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # The watchdog: a run that hangs anywhere is ended (and cleaned up) after the time limit.
    (
        trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
        sleep "$time_limit" & sleeper=$!
        wait "$sleeper"
        echo "$scenario: over ${time_limit}s, giving up" >&2
        kill -TERM $$
    ) &
    watchdog_pid=$!

    [[ -f $outdir/ActionTracker.Api.dll ]] \
        || die "$outdir/ActionTracker.Api.dll missing; build first: dotnet build src/ActionTracker.Api -c Release"
    work=$(mktemp -d "${TMPDIR:-/tmp}/actiontracker-fault.XXXXXX")
    pg_port=$(free_port)
    http_port=$(free_port)
    base=http://127.0.0.1:$http_port
    psql=("$("$root/ops/pg" bin)/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d "$db" -X -q)
    echo "commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src ops/fault || echo '+changes')" >"$work/timeline"

    # Durable settings (PG_FAST off): whether acknowledged writes survive is the question.
    PG_FAST=0 "$root/ops/pg" start "$work/pg" "$pg_port" >/dev/null
    "${psql[@]}" -d postgres -c "create database $db"

    for i in $(seq 1 "$writers"); do
        echo "fault-w$i $(OPS_NO_BUILD=1 "$root/ops/token" "fault-w$i" platform member)"
    done >"$work/tokens"
    start_service
    wait_ready 60 || die "service not ready within 60 s"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The built service, run from its output folder so appsettings.Development.json (the signing key
# ops/token uses) is its configuration; demo data off, the run's own database.
start_service() {
    (
        cd "$outdir" || exit 1
        export ASPNETCORE_ENVIRONMENT=Development
        export ConnectionStrings__ActionTracker
        ConnectionStrings__ActionTracker=$("$root/ops/pg" url "$pg_port" "$db")
        unset Demo__Seed
        exec dotnet ActionTracker.Api.dll --urls "$base"
    ) >>"$work/service.log" 2>&1 &
    service_pid=$!
}

stop_service() {
    [[ -n $service_pid ]] || return 0
    if kill -TERM "$service_pid" 2>/dev/null; then
        for _ in $(seq 1 50); do kill -0 "$service_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$service_pid" 2>/dev/null || true
    fi
    wait "$service_pid" 2>/dev/null || true
    service_pid=""
}

wait_ready() {
    local deadline=$(( SECONDS + $1 ))
    while (( SECONDS < deadline )); do
        [[ $(curl -s -o /dev/null -m 2 -w '%{http_code}' "$base/health/ready") == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

start_load() {
    python3 "$root/ops/fault/load.py" write --base "$base" --tokens "$work/tokens" --dir "$work" \
        --writers "$writers" --seconds "$load_seconds" --drain "$drain_seconds" &
    load_pid=$!
    local deadline=$(( SECONDS + 40 ))
    until [[ -f $work/started ]]; do
        kill -0 "$load_pid" 2>/dev/null || die "load client exited before the load began"
        (( SECONDS < deadline )) || die "load did not begin within 40 s"
        sleep 0.1
    done
    log "load running ($writers writers, ${load_seconds}s); fault in ${fault_after}s"
    sleep "$fault_after"
}

finish_load() {
    # load.py bounds itself (load + drain + one request timeout); wait for it, then report.
    local rc=0
    wait "$load_pid" || rc=$?
    load_pid=""
    [[ $rc -eq 0 ]] || die "load client failed ($rc)"
    local args=(--base "$base" --tokens "$work/tokens" --dir "$work" --scenario "$scenario")
    [[ -n $record ]] && args+=(--record "$record")
    python3 "$root/ops/fault/load.py" report "${args[@]}" --psql "${psql[@]}"
}
