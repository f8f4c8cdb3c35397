#!/usr/bin/env bash
# The README's API walk-through, as one runnable script (a test runs it against a real portal, so it stays true):
# a requester makes a token with their password, lists their VMs, asks for a vMotion; an approver makes a token and
# approves; the script follows the request to Succeeded and exports the audit trail of it.
#
#   PORTAL=http://localhost:5000 REQUESTER=rita REQUESTER_PASSWORD=… APPROVER=anna APPROVER_PASSWORD=… \
#     AUDITOR=aldo AUDITOR_PASSWORD=… bash docs/examples/api-walkthrough.sh
#
# Needs curl and jq. The requester must own an application (Administration → Applications) with a VM in a cluster of
# two or more hosts; the approver must hold the Approver role, the auditor the Auditor role.
set -euo pipefail
: "${PORTAL:?set PORTAL to the address of the portal}" "${REQUESTER:?}" "${REQUESTER_PASSWORD:?}" "${APPROVER:?}" "${APPROVER_PASSWORD:?}" "${AUDITOR:?}" "${AUDITOR_PASSWORD:?}"
api() { curl --silent --show-error --fail-with-body "$@"; }

# 1. A token for the requester: made with the account's user name and password (HTTP Basic), on this one route only.
#    The answer holds the secret once ("secret"); the portal keeps only its hash. Narrow it with "roles": ["Requester"].
requester_token=$(api -u "$REQUESTER:$REQUESTER_PASSWORD" -H 'Content-Type: application/json' \
  -d '{"name": "walk-through", "expiresInDays": 1}' "$PORTAL/api/v1/tokens" | jq -r .secret)
as_requester=(-H "Authorization: Bearer $requester_token")

# 2. The requester's VMs (only those of applications they own), and where the first one may go: its targets list the
#    hosts by the hypervisor's own ID, same cluster first, with hosts in maintenance or disconnected marked unusable.
vm=$(api "${as_requester[@]}" "$PORTAL/api/v1/vms?take=1&sortBy=name" | jq -c '.items[0]')
vm_id=$(jq -r .id <<<"$vm")
target=$(api "${as_requester[@]}" "$PORTAL/api/v1/vms/$vm_id/targets" | jq -r '[.hosts[] | select(.sameCluster and .usable)][0].externalId')
echo "VM $(jq -r .name <<<"$vm") on $(jq -r .hostName <<<"$vm") → host $target"

# 3. Ask for a live vMotion as soon as it is approved.
request_id=$(api "${as_requester[@]}" -H 'Content-Type: application/json' \
  -d "{\"vmId\": \"$vm_id\", \"kind\": \"Compute\", \"live\": true, \"targetHostId\": \"$target\", \"justification\": \"API walk-through\"}" \
  "$PORTAL/api/v1/requests" | jq -r .id)
echo "request $request_id submitted"

# 4. The approver makes their own token and approves.
approver_token=$(api -u "$APPROVER:$APPROVER_PASSWORD" -H 'Content-Type: application/json' \
  -d '{"name": "walk-through", "expiresInDays": 1, "roles": ["Approver"]}' "$PORTAL/api/v1/tokens" | jq -r .secret)
api -H "Authorization: Bearer $approver_token" -H 'Content-Type: application/json' -d '{"comment": "Approved from a script"}' \
  "$PORTAL/api/v1/requests/$request_id/approve" >/dev/null

# 5. Follow it to the end (a request that needs more approvals, or waits for a window, stays longer).
for _ in $(seq 1 120); do
  state=$(api "${as_requester[@]}" "$PORTAL/api/v1/requests/$request_id" | jq -r .summary.state)
  case "$state" in Succeeded|Failed|RolledBack|Cancelled|Rejected|Expired) break ;; esac
  sleep 2
done
echo "request $request_id: $state"

# 6. The request's audit trail as CSV, exported by an auditor (with a token that can only read: Auditor is read-only).
auditor_token=$(api -u "$AUDITOR:$AUDITOR_PASSWORD" -H 'Content-Type: application/json' \
  -d '{"name": "walk-through", "expiresInDays": 1}' "$PORTAL/api/v1/tokens" | jq -r .secret)
api -H "Authorization: Bearer $auditor_token" "$PORTAL/api/v1/audit/export?requestId=$request_id&format=csv" -o "audit-$request_id.csv"
lines=$(wc -l <"audit-$request_id.csv")
echo "audit trail: audit-$request_id.csv, $((lines - 1)) events"
[ "$state" = Succeeded ]
