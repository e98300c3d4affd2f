#!/usr/bin/env bash
# Runs every Letterbox test: installs the Debian packages the tests drive (when missing),
# builds once, runs the suite, and ends with "tests: N passed, N failed[, N skipped]".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Real clients the integration tests run (rule 3): command -> Debian package.
declare -A packages=(
  [curl]=curl
  [mbsync]=isync
  [mutt]=mutt
  [offlineimap]=offlineimap3
  [fetchmail]=fetchmail
  [getmail]=getmail6
  [mpop]=mpop
  [script]=bsdutils
  [python3]=python3
  [openssl]=openssl
  [sqlite3]=sqlite3
  [postfix]=postfix          # /usr/sbin/postfix and smtp-source: Postfix relaying over LMTP, SMTP load
  [swaks]=swaks
)
missing=()
for cmd in "${!packages[@]}"; do
  # sbin is not on a normal user's PATH (postfix lives in /usr/sbin).
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("${packages[$cmd]}")
done
# libsodium: the native Argon2id that password hashing uses when present (tests check it against the managed one).
ldconfig -p 2>/dev/null | grep -q 'libsodium\.so' || missing+=(libsodium23)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null
  # Postfix asks how to configure the system MTA; "No configuration" writes no main.cf, so the
  # package's own service never listens on port 25 (the tests run private instances with postfix -c).
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo_cmd debconf-set-selections 2>/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "test.sh: warning: could not install ${missing[*]}; tests that need them will fail"
fi

if ! dotnet build tests/Letterbox.Tests/Letterbox.Tests.csproj -c Release -nologo -clp:ErrorsOnly -v q; then
  echo "test.sh: build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

results="$root/.test-results"
rm -rf "$results"
dotnet test tests/Letterbox.Tests/Letterbox.Tests.csproj -c Release --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --results-directory "$results" \
  --logger "console;verbosity=normal" "$@" 2>&1 | grep -vE '^\s*Passed ' 
status=${PIPESTATUS[0]}

trx="$results/results.trx"
if [ ! -f "$trx" ]; then
  echo "test.sh: the test run produced no results (status $status)"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi
read -r passed failed skipped < <(python3 - "$trx" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<Counters\b[^>]*>', text)
attrs = dict(re.findall(r'(\w+)="(\d+)"', m.group(0))) if m else {}
passed = int(attrs.get("passed", 0))
failed = int(attrs.get("failed", 0)) + int(attrs.get("error", 0)) + int(attrs.get("timeout", 0)) + int(attrs.get("aborted", 0))
skipped = int(attrs.get("notExecuted", 0))
print(passed, failed, skipped)
PY
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the runner failed without a failed test (crash, abort): count it
fi
line="tests: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
