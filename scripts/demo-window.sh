#!/usr/bin/env bash
# The scheduling acceptance demo (issue 6), against a running portal with the demo inventory:
#   define a one-off window starting in LEAD seconds (default 120), schedule three requests into it, set the per-host
#   limit to 2, and watch them start at the window's start, never more than 2 at once; then show what the calendar and
#   the dashboard say. Needs curl and jq. Uses only the public API and the sign-in form, as a person would.
#
#   MIGRATIONPORTAL_ADMIN_PASSWORD=... dotnet run --project src/MigrationPortal.Web   # in another terminal
#   PORTAL=http://localhost:5080 ADMIN_PASSWORD=... bash scripts/demo-window.sh
#
# Settings (environment): PORTAL (http://localhost:5080), ADMIN_USER (admin), ADMIN_PASSWORD (required), LEAD (120),
# PER_HOST_LIMIT (2), SOURCE_HOST (demo-host-a1). It changes the portal's data: the approval rules become "auto-approve
# everything" and the vSphere per-host limit becomes PER_HOST_LIMIT (the script prints the old values to restore).
set -euo pipefail

PORTAL=${PORTAL:-http://localhost:5080}
ADMIN_USER=${ADMIN_USER:-admin}
ADMIN_PASSWORD=${ADMIN_PASSWORD:?set ADMIN_PASSWORD to the portal administrator password}
LEAD=${LEAD:-120}
PER_HOST_LIMIT=${PER_HOST_LIMIT:-2}
SOURCE_HOST=${SOURCE_HOST:-demo-host-a1}

jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
api() { # api METHOD PATH [JSON] -> body on stdout; fails on a non-2xx status, printing the ProblemDetails
  local method=$1 path=$2 body=${3:-} out status
  out=$(mktemp)
  if [[ -n $body ]]; then
    status=$(curl -sS -o "$out" -w '%{http_code}' -b "$jar" -X "$method" -H 'Content-Type: application/json' --data "$body" "$PORTAL$path")
  else
    status=$(curl -sS -o "$out" -w '%{http_code}' -b "$jar" -X "$method" "$PORTAL$path")
  fi
  if [[ $status != 2* ]]; then echo "$method $path -> $status: $(cat "$out")" >&2; rm -f "$out"; return 1; fi
  cat "$out"; rm -f "$out"
}
ts() { date -u +%H:%M:%S; }

# Sign in through the form (antiforgery token from the login page), keeping the cookie in $jar.
token=$(curl -sS -c "$jar" "$PORTAL/login" | grep -o '<input[^>]*name="__RequestVerificationToken"[^>]*>' | head -1 | sed 's/.*value="\([^"]*\)".*/\1/')
[[ -n $token ]] || { echo "No antiforgery token on $PORTAL/login: is the portal running?" >&2; exit 1; }
curl -sS -o /dev/null -b "$jar" -c "$jar" --data-urlencode "__RequestVerificationToken=$token" --data-urlencode "userName=$ADMIN_USER" \
  --data-urlencode "password=$ADMIN_PASSWORD" --data-urlencode "returnUrl=/" "$PORTAL/account/login"
api GET /api/v1/concurrency-limits > /dev/null || { echo "Sign-in failed." >&2; exit 1; }

echo "== Settings"
old_limits=$(api GET /api/v1/concurrency-limits)
echo "Old limits (PUT them back to /api/v1/concurrency-limits to restore): $(jq -c 'del(.inUse, .updatedBy, .updatedAt)' <<<"$old_limits")"
api PUT /api/v1/concurrency-limits "$(jq -c --argjson n "$PER_HOST_LIMIT" 'del(.inUse, .updatedBy, .updatedAt) | .vSphereMigrationsPerHost = $n' <<<"$old_limits")" > /dev/null
echo "Old approval rules: $(api GET /api/v1/approval-rules | jq -c .)"
api PUT /api/v1/approval-rules '[{"name":"demo: auto-approve","outcome":"AutoApprove"}]' > /dev/null
echo "Per-host limit (vMotions per host, source and target together): $PER_HOST_LIMIT; approval: auto-approve."

# Three powered-on VMs on one source host, each to another host of its cluster.
all_vms=$(api GET "/api/v1/vms?take=200")
vms=$(jq -c --arg h "$SOURCE_HOST" '[.items[] | select(.hostExternalId == $h and .powerState == "On")] | .[:3]' <<<"$all_vms")
[[ $(jq length <<<"$vms") == 3 ]] || { echo "Fewer than 3 powered-on VMs on $SOURCE_HOST without active requests." >&2; exit 1; }
connection=$(jq -r '.[0].connectionId' <<<"$vms")

start_epoch=$(( $(date -u +%s) + LEAD ))
start_epoch=$(( (start_epoch + 59) / 60 * 60 ))  # whole minute: RRULE/one-off starts are minute-grained
local_start=$(date -u -d "@$start_epoch" +%Y-%m-%dT%H:%M:%S)
window=$(api POST /api/v1/windows "$(jq -nc --arg name "demo window $(date -u +%H%M%S)" --arg start "$local_start" --arg conn "$connection" --arg host "$SOURCE_HOST" \
  '{name:$name, recurrence:"OneOff", timeZoneId:"Etc/UTC", localStart:$start, durationMinutes:30, scopeKind:"Host", scopeConnectionId:$conn, scopeItem:$host, enabled:true}')")
window_id=$(jq -r .id <<<"$window")
echo "== $(ts) Window '$(jq -r .name <<<"$window")' on $SOURCE_HOST: $local_start UTC for 30 min (id $window_id)"

ids=()
for i in 0 1 2; do
  vm=$(jq -c ".[$i]" <<<"$vms")
  target=$(jq -r --arg c "$(jq -r .clusterName <<<"$vm")" --arg h "$SOURCE_HOST" '[.items[] | select(.clusterName == $c and .hostExternalId != $h) | .hostExternalId] | unique | .[0]' <<<"$all_vms")
  created=$(api POST /api/v1/requests "$(jq -nc --arg vm "$(jq -r .id <<<"$vm")" --arg t "$target" --arg w "$window_id" \
    '{vmId:$vm, kind:"Compute", live:true, targetHostId:$t, justification:"scheduling demo", scheduleMode:"ChosenWindow", windowId:$w}')")
  ids+=("$(jq -r .id <<<"$created")")
  echo "$(ts) submitted $(jq -r .name <<<"$vm") -> $target: $(jq -r '.state + ", planned start " + (.plannedStart // "none")' <<<"$created")"
done

echo "== Watching (one line per change; in flight = Scheduled, Running or Verifying)"
last=""
max_in_flight=0
deadline=$(( start_epoch + 600 ))
while (( $(date -u +%s) < deadline )); do
  in_flight=0 done_count=0 line=""
  for id in "${ids[@]}"; do
    r=$(api GET "/api/v1/requests/$id")
    state=$(jq -r .summary.state <<<"$r")
    case $state in Scheduled|Running|Verifying) in_flight=$((in_flight + 1));; esac
    case $state in Succeeded|Failed|Cancelled) done_count=$((done_count + 1));; esac
    line+="$(jq -r '.summary.vmName + "=" + .summary.state + (if .summary.queueReason then " (" + .summary.queueReason + ")" else "" end)' <<<"$r")  "
  done
  (( in_flight > max_in_flight )) && max_in_flight=$in_flight
  if [[ $line != "$last" ]]; then echo "$(ts) in flight $in_flight | $line"; last=$line; fi
  (( done_count == 3 )) && break
  sleep 1
done

echo "== Result (times from each request's recorded transitions)"
echo "Window start: $local_start UTC"
details=$(for id in "${ids[@]}"; do api GET "/api/v1/requests/$id"; done | jq -s -c .)
# Scheduled = slots claimed and run job enqueued (the dispatcher), Running = the run job began, then the end state.
jq -r '.[] | .summary.vmName + ": " + .summary.state + "; " + ([.transitions[] | select(.to == "Scheduled" or .to == "Running" or .to == "Succeeded" or .to == "Failed") | .to + " " + .at] | join(", "))' <<<"$details"
# In flight from the server's own timestamps: +1 when Scheduled (slots claimed), -1 at the end state (slots then free).
server_max=$(jq '[.[] | .transitions as $t | ($t | map(select(.to == "Scheduled")) | .[0].at) as $s
  | ($t | map(select(.to == "Succeeded" or .to == "Failed" or .to == "Cancelled")) | .[0].at) as $e
  | select($s != null) | {at: $s, d: 1}, {at: ($e // "9999"), d: -1}] | sort_by(.at, .d) | reduce .[] as $x ({n: 0, max: 0}; .n += $x.d | .max = ([.max, .n] | max)) | .max' <<<"$details")
first_start=$(jq -r '[.[] | .transitions[] | select(.to == "Scheduled") | .at] | sort | .[0]' <<<"$details")
echo "First start (Scheduled) at $first_start; window opened at $local_start UTC."
echo "Max in flight: $server_max from the recorded transitions, $max_in_flight seen by polling (which reads the three requests one after another, so it can straddle a hand-over); limit $PER_HOST_LIMIT."
day=$(date -u -d "@$start_epoch" +%Y-%m-%d)
echo "== Calendar for $day (GET /api/v1/calendar, the data /calendar draws)"
api GET "/api/v1/calendar?from=${day}T00:00:00Z&to=$(date -u -d "@$((start_epoch + 86400))" +%Y-%m-%d)T00:00:00Z" |
  jq -r '.[] | select(.title | test("demo window|Migration")) | "\(.start) - \(.end)  \(.kind)  \(.title)  (\(.detail))"'
echo "Open $PORTAL/ (dashboard: Running migrations, Upcoming with the queue reason) and $PORTAL/calendar (week view) while it runs."
(( server_max <= PER_HOST_LIMIT ))
