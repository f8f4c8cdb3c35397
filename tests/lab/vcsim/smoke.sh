#!/usr/bin/env bash
# Smoke check of the lab vCenter simulator, over plain SOAP with curl.
# Exits non-zero on the first failure.
#
#   tests/lab/vcsim/smoke.sh            # builds into a temp dir, or uses $VCSIM_BIN
#   SMOKE_LARGE=1 tests/lab/vcsim/smoke.sh   # also time startup with 10,000 VMs / 200 hosts
#
# Needs bash, curl, grep, sed (openssl optional, to cross-check the thumbprint).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
W="$(mktemp -d "${TMPDIR:-/tmp}/vcsim-smoke.XXXXXX")"
PID=""
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" != 1 ]; then rm -rf "$W"; else echo "kept $W"; fi
}
trap cleanup EXIT

pass=0
ok()   { pass=$((pass + 1)); echo "ok   $*"; }
fail() {
    echo "FAIL $*" >&2
    echo "---- last SOAP response (HTTP ${SOAP_CODE:-?}):" >&2
    printf '%s\n' "${SOAP_BODY:-}" | head -c 3000 >&2; echo >&2
    echo "---- simulator stderr (tail):" >&2
    tail -n 30 "$W/sim.err" >&2 || true
    exit 1
}

# ---------------------------------------------------------------- build
BIN="${VCSIM_BIN:-}"
CLIENT="${RELOCATE_CLIENT_BIN:-}"
if [ -z "$BIN" ]; then
    BIN="$W/bin/vcsim-lab"
    CLIENT="$W/bin/relocate-client"
    "$here/build.sh" "$BIN" "$CLIENT"
fi

# ---------------------------------------------------------------- start
# start_sim OUTFILE ARGS... : starts the simulator in the background, waits for READY.
start_sim() {
    local outf="$1"; shift
    mkdir -p "$W/data"
    TMPDIR="$W/data" "$BIN" "$@" >"$outf" 2>"$W/sim.err" &
    PID=$!
    local t0=$SECONDS
    until grep -q '^READY ' "$outf" 2>/dev/null; do
        kill -0 "$PID" 2>/dev/null || fail "simulator exited before READY"
        [ $((SECONDS - t0)) -lt "${START_TIMEOUT:-180}" ] || fail "no READY within ${START_TIMEOUT:-180} s"
        sleep 0.05
    done
    URL="$(sed -n 's/^READY //p' "$outf" | head -n1)"
    BASE="${URL%/sdk}"
}

USER_=admin PASS_=s3cret
start_sim "$W/sim.out" -listen 127.0.0.1:0 -tls -cert-out "$W/cert.pem" \
    -username "$USER_" -password "$PASS_" -cluster 2 -host 3 -vm 2 -ds 2 \
    -task-duration 1500ms -tmpdir "$W/data"
case "$URL" in https://127.0.0.1:*/sdk) ok "READY line: $URL" ;; *) fail "unexpected READY line: $URL" ;; esac

# The built-in certificate has a 1024-bit RSA key, which OpenSSL's default
# security level refuses to *verify* (curl: "EE certificate key too weak"),
# so curl uses -k here; the thumbprint is checked against the served
# certificate instead. (.NET and Go clients pinning the thumbprint are fine.)
CURL=(curl -sS --max-time 30 -k)
[ -s "$W/cert.pem.sha256" ] || fail "thumbprint file missing"
THUMB="$(cat "$W/cert.pem.sha256")"
if command -v openssl >/dev/null 2>&1; then
    hostport="${URL#https://}"; hostport="${hostport%%/*}"
    served="$(openssl s_client -connect "$hostport" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')"
    fromfile="$(openssl x509 -in "$W/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')"
    [ "$served" = "$THUMB" ] && [ "$fromfile" = "$THUMB" ] || fail "thumbprint file $THUMB, served $served, PEM $fromfile"
fi
ok "TLS with the built-in certificate; -cert-out PEM and SHA-256 thumbprint $THUMB match the served one"

# ---------------------------------------------------------------- SOAP helpers
SOAP_CODE="" SOAP_BODY=""
soap() {
    SOAP_CODE="$("${CURL[@]}" -o "$W/resp" -w '%{http_code}' -b "$W/cookies" -c "$W/cookies" \
        -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: urn:vim25/6.5' \
        --data-binary "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>$1</soapenv:Body></soapenv:Envelope>" \
        "$URL")" || fail "curl failed"
    SOAP_BODY="$(cat "$W/resp")"
}
has() { printf '%s' "$SOAP_BODY" | grep -q -- "$1"; }
# fault type of a SOAP fault response (<XFault ... xsi:type="X">)
soap_fault() { printf '%s' "$SOAP_BODY" | sed -n 's/.*<detail><\([A-Za-z]*\)Fault .*/\1/p'; }
task_ref() { printf '%s' "$SOAP_BODY" | sed -n 's/.*<returnval type="Task">\([^<]*\)<.*/\1/p'; }
lab() { "${CURL[@]}" -f "$@"; }
lab_post() { local path="$1" json="$2"; "${CURL[@]}" -f -X POST -H 'Content-Type: application/json' -d "$json" "$BASE$path"; }
json_str() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" | head -n1; }

PC='<_this type="PropertyCollector">propertyCollector</_this>'

# task_info TASK: sets T_STATE T_PROGRESS T_ERR T_MSG T_RESULT
task_info() {
    soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>Task</type><pathSet>info</pathSet></propSet><objectSet><obj type=\"Task\">$1</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
    [ "$SOAP_CODE" = 200 ] || fail "RetrievePropertiesEx of task $1"
    T_STATE="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<state>\([a-z]*\)<\/state>.*/\1/p')"
    T_PROGRESS="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<progress>\([0-9]*\)<\/progress>.*/\1/p')"
    T_ERR="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<error><fault [^>]*:type="\([A-Za-z]*\)".*/\1/p')"
    T_MSG="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<localizedMessage>\([^<]*\)<\/localizedMessage>.*/\1/p')"
    T_RESULT="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<result[^>]*>\([^<]*\)<\/result>.*/\1/p')"
}

# wait_task TASK: polls until done; PROGRESS_SEEN lists distinct progress values.
wait_task() {
    local t0=$SECONDS
    PROGRESS_SEEN=""
    while :; do
        task_info "$1"
        case " $PROGRESS_SEEN " in *" ${T_PROGRESS:-none} "*) ;; *) PROGRESS_SEEN="$PROGRESS_SEEN ${T_PROGRESS:-none}" ;; esac
        case "$T_STATE" in success|error) return 0 ;; esac
        [ $((SECONDS - t0)) -lt 60 ] || fail "task $1 still $T_STATE after 60 s"
        sleep 0.2
    done
}

# ---------------------------------------------------------------- service content + login
soap '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
[ "$SOAP_CODE" = 200 ] && has '<apiType>VirtualCenter</apiType>' || fail "RetrieveServiceContent"
ROOT="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<rootFolder type="Folder">\([^<]*\)<.*/\1/p')"
ok "RetrieveServiceContent (root folder $ROOT, API $(printf '%s' "$SOAP_BODY" | sed -n 's/.*<apiVersion>\([^<]*\)<.*/\1/p'))"

login() {
    soap "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>$1</userName><password>$2</password></Login>"
}
login "$USER_" wrong-password
[ "$SOAP_CODE" = 500 ] && [ "$(soap_fault)" = InvalidLogin ] || fail "wrong password should give InvalidLogin"
ok "wrong password -> InvalidLogin fault"

soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>Folder</type><pathSet>name</pathSet></propSet><objectSet><obj type=\"Folder\">$ROOT</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
[ "$(soap_fault)" = NotAuthenticated ] || fail "RetrievePropertiesEx without a session should give NotAuthenticated"
ok "RetrievePropertiesEx without session -> NotAuthenticated"

login "$USER_" "$PASS_"
[ "$SOAP_CODE" = 200 ] && has '<LoginResponse' || fail "Login"
ok "Login as $USER_"

# ---------------------------------------------------------------- inventory by name (ContainerView + paging)
soap "<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">ViewManager</_this><container type=\"Folder\">$ROOT</container><type>ManagedEntity</type><recursive>true</recursive></CreateContainerView>"
VIEW="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<returnval type="ContainerView">\([^<]*\)<.*/\1/p')"
[ -n "$VIEW" ] || fail "CreateContainerView"

# retrieve KIND [MAXOBJECTS]: RetrievePropertiesEx of name over the view
retrieve() {
    local opts="<options></options>"
    [ -n "${2:-}" ] && opts="<options><maxObjects>$2</maxObjects></options>"
    soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>$1</type><pathSet>name</pathSet></propSet><objectSet><obj type=\"ContainerView\">$VIEW</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>view</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet>$opts</RetrievePropertiesEx>"
    [ "$SOAP_CODE" = 200 ] || fail "RetrievePropertiesEx $1"
}
# name/id pairs of a retrieve response, one "NAME ID" per line
pairs() {
    printf '%s\n' "$SOAP_BODY" | sed 's/<objects>/\n<objects>/g' |
        sed -n 's/.*<obj type="[^"]*">\([^<]*\)<\/obj><propSet><name>name<\/name><val[^>]*>\([^<]*\)<\/val>.*/\2 \1/p'
}
token() { printf '%s' "$SOAP_BODY" | sed -n 's/.*<token>\([^<]*\)<\/token>.*/\1/p'; }

retrieve HostSystem;  pairs >"$W/hosts"
retrieve Datastore;   pairs >"$W/datastores"
retrieve ResourcePool; pairs >"$W/pools"
id_of() { awk -v n="$2" '$1 == n { print $2 }' "$W/$1"; }
[ "$(wc -l <"$W/hosts")" = 6 ] || fail "expected 6 hosts, got $(wc -l <"$W/hosts")"

# paging: 4 VMs, one per page
retrieve VirtualMachine 1
pairs >"$W/vms"
tok="$(token)"; pages=1
while [ -n "$tok" ]; do
    soap "<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\">$PC<token>$tok</token></ContinueRetrievePropertiesEx>"
    [ "$SOAP_CODE" = 200 ] || fail "ContinueRetrievePropertiesEx"
    pairs >>"$W/vms"; tok="$(token)"; pages=$((pages + 1))
    [ "$pages" -le 10 ] || fail "paging does not end"
done
[ "$pages" = 4 ] && [ "$(wc -l <"$W/vms")" = 4 ] || fail "paging: $pages pages, $(wc -l <"$W/vms") VMs"
ok "RetrievePropertiesEx maxObjects=1 + ContinueRetrievePropertiesEx: 4 pages, 4 VMs"

VM0="$(id_of vms DC0_C0_RP0_VM0)"; VM1="$(id_of vms DC0_C0_RP0_VM1)"
DS1="$(id_of datastores LocalDS_1)"
[ -n "$VM0" ] && [ -n "$VM1" ] && [ -n "$DS1" ] || fail "lookup by name"

vm_host() { lab "$BASE/lab/vm?name=$1" | tr -d '\n' | sed -n 's/.*"host": *{ *"id": *"\([^"]*\)", *"name": *"\([^"]*\)".*/\2/p'; }
# a host in cluster C0 other than the VM's current one
other_host() { local cur; cur="$(vm_host "$1")"; for h in DC0_C0_H0 DC0_C0_H1 DC0_C0_H2; do [ "$h" != "$cur" ] && { echo "$h"; return; }; done; }

relocate() { # VM_ID SPEC_XML
    soap "<RelocateVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$1</_this><spec>$2</spec></RelocateVM_Task>"
}

# ---------------------------------------------------------------- relocate with progress
SRC="$(vm_host DC0_C0_RP0_VM0)"; DST="$(other_host DC0_C0_RP0_VM0)"; DSTID="$(id_of hosts "$DST")"
start=$(date +%s%N)
relocate "$VM0" "<datastore type=\"Datastore\">$DS1</datastore><host type=\"HostSystem\">$DSTID</host>"
T="$(task_ref)"; [ -n "$T" ] || fail "RelocateVM_Task returned no task"
task_info "$T"
[ "$T_STATE" = running ] || [ "$T_STATE" = queued ] || fail "relocate task should be running right after the call, is $T_STATE"
wait_task "$T"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$T_STATE" = success ] || fail "relocate failed: $T_ERR $T_MSG"
mid=0; for p in $PROGRESS_SEEN; do case "$p" in none|0|100) ;; *) mid=1 ;; esac; done
[ "$mid" = 1 ] || fail "no intermediate progress seen: $PROGRESS_SEEN"
ok "RelocateVM_Task $SRC -> $DST + LocalDS_1: running -> success in ${ms} ms, progress seen:$PROGRESS_SEEN"

info="$(lab "$BASE/lab/vm?name=DC0_C0_RP0_VM0" | tr -d '\n')"
[ "$(vm_host DC0_C0_RP0_VM0)" = "$DST" ] || fail "runtime.host not updated"
printf '%s' "$info" | grep -q '"vmPathName": *"\[LocalDS_1\] DC0_C0_RP0_VM0/DC0_C0_RP0_VM0.vmx"' || fail "vmPathName not updated: $info"
printf '%s' "$info" | grep -q '"fileName": *"\[LocalDS_1\] DC0_C0_RP0_VM0/disk1.vmdk"' || fail "disk backing not updated: $info"
printf '%s' "$info" | grep -q '"vmxOnDisk": *true' || fail "vmx file not moved: $info"
printf '%s' "$info" | grep -q 'LocalDS_0' && fail "VM still references LocalDS_0: $info"
# HostSystem.vm and Datastore.vm over SOAP
soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>HostSystem</type><pathSet>vm</pathSet></propSet><objectSet><obj type=\"HostSystem\">$DSTID</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
has ">$VM0<" || fail "target HostSystem.vm lacks $VM0"
soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>HostSystem</type><pathSet>vm</pathSet></propSet><objectSet><obj type=\"HostSystem\">$(id_of hosts "$SRC")</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
has ">$VM0<" && fail "source HostSystem.vm still lists $VM0"
soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>Datastore</type><pathSet>vm</pathSet></propSet><objectSet><obj type=\"Datastore\">$DS1</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
has ">$VM0<" || fail "LocalDS_1 Datastore.vm lacks $VM0"
ok "placement consistent: runtime.host, HostSystem.vm, Datastore.vm, vmPathName, disk backing, files moved"

# ---------------------------------------------------------------- unknown host -> ManagedObjectNotFound
relocate "$VM0" '<host type="HostSystem">host-999999</host>'
[ "$SOAP_CODE" = 500 ] && [ "$(soap_fault)" = ManagedObjectNotFound ] || fail "unknown host should give ManagedObjectNotFound"
ok "relocate to unknown host -> ManagedObjectNotFound SOAP fault"

# ---------------------------------------------------------------- host states
CUR="$(vm_host DC0_C0_RP0_VM0)"; TGT="$(other_host DC0_C0_RP0_VM0)"; TGTID="$(id_of hosts "$TGT")"
for state in '"maintenance":true' '"power":"poweredOff"' '"connection":"disconnected"'; do
    lab_post /lab/host-state "{\"host\":\"$TGT\",$state}" >/dev/null || fail "POST /lab/host-state $state"
    relocate "$VM0" "<host type=\"HostSystem\">$TGTID</host>"
    T="$(task_ref)"; [ -n "$T" ] || fail "RelocateVM_Task returned no task"
    wait_task "$T"
    [ "$T_STATE" = error ] && [ "$T_ERR" = InvalidHostState ] || fail "relocate onto host with $state: $T_STATE $T_ERR"
    [ "$(vm_host DC0_C0_RP0_VM0)" = "$CUR" ] || fail "VM moved despite refusal"
    ok "relocate onto host with $state -> task error InvalidHostState ($T_MSG)"
    lab_post /lab/host-state "{\"host\":\"$TGT\",\"maintenance\":false,\"power\":\"poweredOn\",\"connection\":\"connected\"}" >/dev/null
done

# ---------------------------------------------------------------- injected fault
lab_post /lab/fault '{"method":"RelocateVM_Task","fault":"MigrationFault","message":"lab: injected migration failure","count":1}' >/dev/null || fail "POST /lab/fault"
relocate "$VM0" "<host type=\"HostSystem\">$TGTID</host>"
T="$(task_ref)"; wait_task "$T"
[ "$T_STATE" = error ] && [ "$T_ERR" = MigrationFault ] && [ "$T_MSG" = "lab: injected migration failure" ] || fail "injected fault: $T_STATE $T_ERR $T_MSG"
[ "$(vm_host DC0_C0_RP0_VM0)" = "$CUR" ] || fail "VM moved despite injected fault"
lab "$BASE/lab/fault" | tr -d '\n ' | grep -q '"faults":\[\]' || fail "injected fault not consumed"
ok "injected MigrationFault -> task error with the message; consumed after one call"

lab_post /lab/fault '{"method":"RetrieveServiceContent","fault":"HostCommunication","message":"lab: down","count":1}' >/dev/null
soap '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
[ "$SOAP_CODE" = 500 ] && [ "$(soap_fault)" = HostCommunication ] || fail "call-level injected fault"
ok "injected call-level fault -> SOAP fault HostCommunication"

# ---------------------------------------------------------------- cancel
lab_post /lab/config '{"methodDurations":{"RelocateVM_Task":"6s"}}' >/dev/null
relocate "$VM0" "<host type=\"HostSystem\">$TGTID</host>"
T="$(task_ref)"
sleep 1
soap "<CancelTask xmlns=\"urn:vim25\"><_this type=\"Task\">$T</_this></CancelTask>"
[ "$SOAP_CODE" = 200 ] || fail "CancelTask"
wait_task "$T"
[ "$T_STATE" = error ] && [ "$T_ERR" = RequestCanceled ] || fail "cancelled relocate: $T_STATE $T_ERR"
[ "$(vm_host DC0_C0_RP0_VM0)" = "$CUR" ] || fail "VM moved despite CancelTask"
soap "<CancelTask xmlns=\"urn:vim25\"><_this type=\"Task\">$T</_this></CancelTask>"
[ "$(soap_fault)" = InvalidState ] || fail "CancelTask on a finished task should give InvalidState"
lab_post /lab/config '{"methodDurations":{"RelocateVM_Task":""}}' >/dev/null
ok "CancelTask on a running relocate -> RequestCanceled, VM stays at $CUR"

# ---------------------------------------------------------------- cross-cluster needs the pool
C1H0="$(id_of hosts DC0_C1_H0)"
relocate "$VM1" "<host type=\"HostSystem\">$C1H0</host>"
T="$(task_ref)"; wait_task "$T"
[ "$T_STATE" = error ] && [ "$T_ERR" = InvalidArgument ] || fail "cross-cluster relocate without pool: $T_STATE $T_ERR"
ok "cross-cluster relocate without spec.pool -> InvalidArgument"

# ---------------------------------------------------------------- migrateEncryption
reconfig() { soap "<ReconfigVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$1</_this><spec><migrateEncryption>$2</migrateEncryption></spec></ReconfigVM_Task>"; }
reconfig "$VM1" bogus
[ "$SOAP_CODE" = 500 ] && [ "$(soap_fault)" = InvalidArgument ] || fail "bogus migrateEncryption should give InvalidArgument"
reconfig "$VM1" required
T="$(task_ref)"; wait_task "$T"
[ "$T_STATE" = success ] || fail "ReconfigVM_Task migrateEncryption=required: $T_ERR $T_MSG"
soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>VirtualMachine</type><pathSet>config.migrateEncryption</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$VM1</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
has '>required</val>' || fail "config.migrateEncryption not stored"
ok "migrateEncryption: bogus -> InvalidArgument; required -> stored in config.migrateEncryption"

# ---------------------------------------------------------------- snapshot task
soap "<CreateSnapshot_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$VM1</_this><name>smoke</name><memory>false</memory><quiesce>false</quiesce></CreateSnapshot_Task>"
T="$(task_ref)"; wait_task "$T"
[ "$T_STATE" = success ] && [ -n "$T_RESULT" ] || fail "CreateSnapshot_Task: $T_STATE $T_ERR"
SNAP="$T_RESULT"
soap "<RemoveSnapshot_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachineSnapshot\">$SNAP</_this><removeChildren>true</removeChildren></RemoveSnapshot_Task>"
T="$(task_ref)"; wait_task "$T"
[ "$T_STATE" = success ] || fail "RemoveSnapshot_Task: $T_STATE $T_ERR"
ok "CreateSnapshot_Task ($SNAP) and RemoveSnapshot_Task run as lab tasks"

# ---------------------------------------------------------------- govmomi baseline client
if [ -n "$CLIENT" ] && [ -x "$CLIENT" ]; then
    H="$(other_host DC0_C0_RP0_VM1)"
    out="$("$CLIENT" -url "$URL" -u "$USER_" -p "$PASS_" -thumbprint "$THUMB" -vm DC0_C0_RP0_VM1 -host "$H")" || fail "relocate-client"
    [ "$(vm_host DC0_C0_RP0_VM1)" = "$H" ] || fail "relocate-client did not move the VM"
    ok "relocate-client (govmomi) DC0_C0_RP0_VM1 -> $H: $out"
fi

# ---------------------------------------------------------------- session expiry
n="$(lab_post /lab/expire-sessions '{}' | sed -n 's/.*"expired": *\([0-9]*\).*/\1/p')"
soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$VM0</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
[ "$(soap_fault)" = NotAuthenticated ] || fail "call after expire-sessions should give NotAuthenticated"
login "$USER_" "$PASS_"
[ "$SOAP_CODE" = 200 ] || fail "re-login after expiry"
ok "POST /lab/expire-sessions ($n sessions) -> NotAuthenticated; re-login works"

# ---------------------------------------------------------------- ExportVm, HttpNfcLease, ShutdownGuest
# prop KIND ID PATH: RetrievePropertiesEx of one property; the response is in SOAP_BODY
prop() {
    soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>$1</type><pathSet>$3</pathSet></propSet><objectSet><obj type=\"$1\">$2</obj></objectSet></specSet><options></options></RetrievePropertiesEx>"
    [ "$SOAP_CODE" = 200 ] || fail "RetrievePropertiesEx $1 $2 $3"
}
val() { printf '%s' "$SOAP_BODY" | sed -n 's/.*<val[^>]*>\([^<]*\)<\/val>.*/\1/p'; }
power_state() { prop VirtualMachine "$1" runtime.powerState; val; }
export_vm() { soap "<ExportVm xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$1</_this></ExportVm>"; }
lease_ref() { printf '%s' "$SOAP_BODY" | sed -n 's/.*<returnval type="HttpNfcLease">\([^<]*\)<.*/\1/p'; }
lease_state() { prop HttpNfcLease "$1" state; val; }
lease_call() { soap "<$1 xmlns=\"urn:vim25\"><_this type=\"HttpNfcLease\">$2</_this>${3:-}</$1>"; }
# wait_lease LEASE STATE...: polls until the lease is in one of the states
wait_lease() {
    local l="$1" t0=$SECONDS s; shift
    while :; do
        s="$(lease_state "$l")"
        for want in "$@"; do [ "$s" = "$want" ] && return 0; done
        [ $((SECONDS - t0)) -lt 120 ] || fail "lease $l still '$s' (want $*)"
        sleep 0.2
    done
}
lease_urls() { prop HttpNfcLease "$1" info; printf '%s\n' "$SOAP_BODY" | sed 's/<url>/\n<url>/g' | sed -n 's/^<url>\([^<]*\)<\/url>.*/\1/p'; }

lab_post /lab/config '{"guestShutdownDelay":"300ms"}' >/dev/null
prop VirtualMachine "$VM0" guest.toolsRunningStatus
[ "$(val)" = guestToolsRunning ] || fail "guest.toolsRunningStatus of a powered-on VM: $(val)"
export_vm "$VM0"
[ "$SOAP_CODE" = 500 ] && [ "$(soap_fault)" = InvalidPowerState ] && has 'VM must be powered off' || fail "ExportVm of a powered-on VM should fail with InvalidPowerState"
ok "ExportVm of a powered-on VM -> InvalidPowerState 'VM must be powered off'"

lab_post /lab/fault "{\"method\":\"ShutdownGuest\",\"entity\":\"$VM0\",\"guestIgnoresShutdown\":true}" >/dev/null
soap "<ShutdownGuest xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$VM0</_this></ShutdownGuest>"
[ "$SOAP_CODE" = 200 ] || fail "ShutdownGuest (ignored)"
sleep 1
[ "$(power_state "$VM0")" = poweredOn ] || fail "guest with guestIgnoresShutdown powered off"
soap "<ShutdownGuest xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$VM0</_this></ShutdownGuest>"
[ "$SOAP_CODE" = 200 ] || fail "ShutdownGuest"
[ "$(power_state "$VM0")" = poweredOn ] || fail "ShutdownGuest powered off inside the call (should take guestShutdownDelay)"
t0=$SECONDS
until [ "$(power_state "$VM0")" = poweredOff ]; do [ $((SECONDS - t0)) -lt 10 ] || fail "no power-off after ShutdownGuest"; sleep 0.1; done
prop VirtualMachine "$VM0" guest.toolsRunningStatus
[ "$(val)" = guestToolsNotRunning ] || fail "tools still running after shutdown: $(val)"
soap "<ShutdownGuest xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$VM0</_this></ShutdownGuest>"
[ "$(soap_fault)" = InvalidPowerState ] || fail "ShutdownGuest of a powered-off VM should give InvalidPowerState"
ok "ShutdownGuest: guestIgnoresShutdown leaves it on; otherwise off after the delay, tools not running; again -> InvalidPowerState"

export_vm "$VM0"; L="$(lease_ref)"
[ "$SOAP_CODE" = 200 ] && [ -n "$L" ] || fail "ExportVm of a powered-off VM"
t0=$(date +%s%N)
wait_lease "$L" ready
lease_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
prop HttpNfcLease "$L" info
has "<key>/$VM0/[A-Za-z]*Controller0:0</key>" && has '<disk>true</disk>' && has '<leaseTimeout>300</leaseTimeout>' && has '<totalDiskCapacityInKB>' \
    || fail "lease info: deviceUrl key /$VM0/<controller type><bus>:<unit>, disk, leaseTimeout"
U="$(lease_urls "$L" | head -n1)"
case "$U" in "$BASE/nfc/$L/disk-0.vmdk") ;; *) fail "lease URL $U" ;; esac
code="$("${CURL[@]}" -o "$W/disk0.vmdk" -w '%{http_code}' "$U")"
[ "$code" = 200 ] && [ "$(head -c 4 "$W/disk0.vmdk")" = KDMV ] || fail "GET $U: HTTP $code, not a VMDK"
qemu-img info "$W/disk0.vmdk" 2>/dev/null | grep -q 'create type: streamOptimized' || fail "served disk is not streamOptimized"
code="$("${CURL[@]}" -o "$W/part" -w '%{http_code}' -r 0-99 "$U")"
[ "$code" = 206 ] && [ "$(stat -c %s "$W/part")" = 100 ] || fail "Range GET: HTTP $code"
lease_call HttpNfcLeaseProgress "$L" '<percent>50</percent>'
[ "$SOAP_CODE" = 200 ] || fail "HttpNfcLeaseProgress"
prop HttpNfcLease "$L" transferProgress; [ "$(val)" = 50 ] || fail "transferProgress $(val)"
lease_call HttpNfcLeaseComplete "$L"
[ "$SOAP_CODE" = 200 ] && [ "$(lease_state "$L")" = done ] || fail "HttpNfcLeaseComplete"
code="$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$U")"; [ "$code" = 410 ] || fail "URL of a completed lease: HTTP $code"
lease_call HttpNfcLeaseProgress "$L" '<percent>60</percent>'
[ "$SOAP_CODE" = 500 ] && [ "$(soap_fault)" = InvalidState ] || fail "HttpNfcLeaseProgress on a done lease should fault"
ok "ExportVm -> lease ready in ${lease_ms} ms, $U streamOptimized, Range 206, progress, complete -> done, URL 410, progress -> InvalidState"

export_vm "$VM0"; L="$(lease_ref)"; wait_lease "$L" ready; U="$(lease_urls "$L" | head -n1)"
lease_call HttpNfcLeaseAbort "$L"
[ "$SOAP_CODE" = 200 ] && [ "$(lease_state "$L")" = error ] || fail "HttpNfcLeaseAbort"
code="$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$U")"; [ "$code" = 410 ] || fail "URL of an aborted lease: HTTP $code"
ok "HttpNfcLeaseAbort -> error, URL 410"

lab_post /lab/config '{"leaseTimeout":"1s"}' >/dev/null
export_vm "$VM0"; L="$(lease_ref)"; wait_lease "$L" ready
lease_call HttpNfcLeaseProgress "$L" '<percent>10</percent>'; [ "$SOAP_CODE" = 200 ] || fail "keep-alive"
wait_lease "$L" error
prop HttpNfcLease "$L" error; has 'Timedout' || fail "timed-out lease error: $SOAP_BODY"
lease_call HttpNfcLeaseProgress "$L" '<percent>20</percent>'
[ "$(soap_fault)" = Timedout ] || fail "HttpNfcLeaseProgress on a timed-out lease should give Timedout"
lab_post /lab/config '{"leaseTimeout":"300s"}' >/dev/null
ok "lease without keep-alive for leaseTimeout (1 s) -> error Timedout"

lab_post /lab/fault "{\"method\":\"ExportVm\",\"fault\":\"NoPermission\",\"message\":\"Permission to perform this operation was denied.\"}" >/dev/null
export_vm "$VM0"
[ "$SOAP_CODE" = 500 ] && [ "$(soap_fault)" = NoPermission ] || fail "injected ExportVm fault"
lab_post /lab/fault "{\"method\":\"ExportVm\",\"entity\":\"$VM0\",\"abortLeaseAfterBytes\":4096}" >/dev/null
export_vm "$VM0"; L="$(lease_ref)"; wait_lease "$L" ready; U="$(lease_urls "$L" | head -n1)"
if "${CURL[@]}" -o "$W/cut" "$U" 2>/dev/null; then fail "abortLeaseAfterBytes: the transfer was not cut"; fi
[ "$(lease_state "$L")" = error ] || fail "abortLeaseAfterBytes: lease not in error"
prop HttpNfcLease "$L" error; has 'abortLeaseAfterBytes' || fail "lease error message"
ok "ExportVm call fault (NoPermission); abortLeaseAfterBytes 4096 -> transfer cut, lease error"

# ---------------------------------------------------------------- shutdown
kill -TERM "$PID"
t0=$SECONDS
while kill -0 "$PID" 2>/dev/null; do
    [ $((SECONDS - t0)) -lt 10 ] || fail "no exit within 10 s of SIGTERM"
    sleep 0.1
done
wait "$PID" && rc=0 || rc=$?
PID=""
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
[ -z "$(ls -A "$W/data" 2>/dev/null)" ] || fail "datastore folders left in TMPDIR: $(ls "$W/data")"
ok "SIGTERM: clean exit, datastore folders removed"

# ---------------------------------------------------------------- -tls-keygen: a certificate curl verifies
SAVED_URL="$URL"
start_sim "$W/keygen.out" -listen 127.0.0.1:0 -tls -tls-keygen -cert-out "$W/keygen.pem" -cluster 1 -host 1 -vm 1
curl -sS --max-time 10 --cacert "$W/keygen.pem" -o /dev/null -w '%{http_code}' -X POST "$URL" >"$W/code" 2>"$W/curl.err" || fail "curl --cacert with -tls-keygen: $(cat "$W/curl.err")"
ok "-tls-keygen: curl verifies the server with --cacert (HTTP $(cat "$W/code") for an empty POST)"
kill -TERM "$PID"; wait "$PID" || true; PID=""
URL="$SAVED_URL"

# ---------------------------------------------------------------- conversion fixture: conv-vm, its disks, export
# Uses $VCSIM_CONVERSION_FIXTURE when set, else builds a small fixture (32 MiB boot, 64 MiB data, 8 MiB payload).
FIX="${VCSIM_CONVERSION_FIXTURE:-}"
if [ -z "$FIX" ]; then
    FIX="$(CONV_BOOT_MB=32 CONV_DATA_MB=64 CONV_PAYLOAD_MB=8 "$here/conversion-fixture.sh" 2>"$W/fixture.err")" || { cat "$W/fixture.err" >&2; fail "conversion-fixture.sh"; }
fi
[ -f "$FIX/fixture.env" ] || fail "no fixture in $FIX"
fx() { sed -n "s/^$1=//p" "$FIX/fixture.env"; }
SAVED_URL="$URL"; rm -f "$W/cookies"
start_sim "$W/fixture.out" -listen 127.0.0.1:0 -tls -tls-keygen -cert-out "$W/fix.pem" -cluster 1 -host 2 -vm 1 \
    -conversion-fixture "$FIX" -export-cache "$W/export-cache" -guest-shutdown-delay 200ms
login any any
retrieve_fixture() {
    soap "<CreateContainerView xmlns=\"urn:vim25\"><_this type=\"ViewManager\">ViewManager</_this><container type=\"Folder\">$ROOT</container><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>"
    VIEW="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<returnval type="ContainerView">\([^<]*\)<.*/\1/p')"
    retrieve VirtualMachine; pairs >"$W/fvms"
}
retrieve_fixture
CV="$(id_of fvms conv-vm)"; [ -n "$CV" ] || fail "conv-vm not in the inventory"
for p in config.uuid:"$(fx VM_UUID)" config.guestId:debian12_64Guest config.firmware:bios config.hardware.numCPU:1 \
         config.hardware.memoryMB:256 runtime.powerState:poweredOn guest.toolsRunningStatus:guestToolsRunning; do
    prop VirtualMachine "$CV" "${p%%:*}"; [ "$(val)" = "${p#*:}" ] || fail "conv-vm ${p%%:*} = '$(val)', want '${p#*:}'"
done
prop VirtualMachine "$CV" config.hardware.device
has "<macAddress>$(fx VM_MAC)</macAddress>" && has '<deviceName>VM Network</deviceName>' || fail "conv-vm NIC (MAC $(fx VM_MAC) on VM Network)"
[ "$(printf '%s' "$SOAP_BODY" | grep -o 'VirtualDiskFlatVer2BackingInfo' | wc -l)" = 2 ] || fail "conv-vm should have 2 flat disks"
ok "conv-vm: uuid $(fx VM_UUID), debian12_64Guest, BIOS, 1 vCPU, 256 MiB, NIC $(fx VM_MAC) on VM Network, 2 disks, on, tools running"

FOLDER="$BASE/folder/conv-vm/conv-vm_1-flat.vmdk?dcPath=DC0&dsName=LocalDS_0"
code="$("${CURL[@]}" -o "$W/range" -w '%{http_code}' -r 1048576-2097151 "$FOLDER")"
[ "$code" = 206 ] && cmp -s "$W/range" <(tail -c +1048577 "$FIX/conv-vm_1-flat.vmdk" | head -c 1048576) || fail "/folder Range GET of the data disk: HTTP $code or bytes differ"
"${CURL[@]}" -o "$W/desc" "$BASE/folder/conv-vm/conv-vm.vmdk?dcPath=DC0&dsName=LocalDS_0"
grep -q 'createType="monolithicFlat"' "$W/desc" && grep -q 'FLAT "conv-vm-flat.vmdk"' "$W/desc" || fail "boot disk descriptor"
ok "/folder: monolithicFlat descriptor, Range 206 of the flat extent matches the image"

soap "<ShutdownGuest xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$CV</_this></ShutdownGuest>"
t0=$SECONDS; until [ "$(power_state "$CV")" = poweredOff ]; do [ $((SECONDS - t0)) -lt 10 ] || fail "conv-vm did not power off"; sleep 0.1; done

# abortLeaseAfterBytes counts /folder bytes of the VM's disks while a lease is open
lab_post /lab/fault '{"method":"ExportVm","entity":"conv-vm","abortLeaseAfterBytes":100000}' >/dev/null
export_vm "$CV"; L="$(lease_ref)"; wait_lease "$L" ready
if "${CURL[@]}" -o "$W/cut" "$FOLDER" 2>/dev/null; then fail "abortLeaseAfterBytes: /folder transfer not cut"; fi
[ "$(lease_state "$L")" = error ] || fail "abortLeaseAfterBytes via /folder: lease not in error"
"${CURL[@]}" -o /dev/null -r 0-99 "$FOLDER" || fail "/folder after the lease ended"
ok "abortLeaseAfterBytes 100000 on /folder of conv-vm's disk: cut after $(stat -c %s "$W/cut") bytes, lease error; /folder free again after"

# a full export, watched with WaitForUpdatesEx, content compared with the images
export_vm "$CV"; L="$(lease_ref)"
soap "<CreateFilter xmlns=\"urn:vim25\">$PC<spec><propSet><type>HttpNfcLease</type><pathSet>state</pathSet></propSet><objectSet><obj type=\"HttpNfcLease\">$L</obj></objectSet></spec><partialUpdates>false</partialUpdates></CreateFilter>"
[ "$SOAP_CODE" = 200 ] || fail "CreateFilter on the lease"
ver="" seen=""
t0=$SECONDS
while :; do
    soap "<WaitForUpdatesEx xmlns=\"urn:vim25\">$PC<version>$ver</version><options><maxWaitSeconds>5</maxWaitSeconds></options></WaitForUpdatesEx>"
    [ "$SOAP_CODE" = 200 ] || fail "WaitForUpdatesEx"
    v="$(printf '%s' "$SOAP_BODY" | sed -n 's/.*<version>\([^<]*\)<\/version>.*/\1/p')"; [ -n "$v" ] && ver="$v"
    s="$(val)"; [ -n "$s" ] && seen="$seen $s"
    case "$seen" in *ready*) break ;; esac
    [ $((SECONDS - t0)) -lt 120 ] || fail "WaitForUpdatesEx never showed ready (saw:$seen)"
done
for i in 0 1; do
    u="$(lease_urls "$L" | sed -n "$((i + 1))p")"
    "${CURL[@]}" -o "$W/d$i.vmdk" "$u" || fail "GET $u"
    img="$FIX/conv-vm-flat.vmdk"; [ $i = 1 ] && img="$FIX/conv-vm_1-flat.vmdk"
    qemu-img compare -q -f vmdk -F raw "$W/d$i.vmdk" "$img" || fail "exported disk $i differs from the image"
done
soap "<PowerOnVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$CV</_this></PowerOnVM_Task>"
T="$(task_ref)"; [ -n "$T" ] || fail "PowerOnVM_Task"; wait_task "$T"
[ "$T_STATE" = error ] && [ "$T_ERR" = InvalidState ] || fail "PowerOnVM_Task during an open lease: $T_STATE $T_ERR"
lease_call HttpNfcLeaseComplete "$L"; [ "$SOAP_CODE" = 200 ] || fail "HttpNfcLeaseComplete"
soap "<WaitForUpdatesEx xmlns=\"urn:vim25\">$PC<version>$ver</version><options><maxWaitSeconds>5</maxWaitSeconds></options></WaitForUpdatesEx>"
[ "$(val)" = done ] || fail "WaitForUpdatesEx after complete: '$(val)'"
soap "<PowerOnVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$CV</_this></PowerOnVM_Task>"
T="$(task_ref)"; wait_task "$T"; [ "$T_STATE" = success ] || fail "PowerOnVM_Task after the lease: $T_STATE $T_ERR"
prop VirtualMachine "$CV" guest.toolsRunningStatus; [ "$(val)" = guestToolsRunning ] || fail "tools after power-on: $(val)"
ok "ExportVm of conv-vm: WaitForUpdatesEx saw$seen then done; both streamOptimized disks identical to the images; power-on refused (InvalidState) while the lease was open, fine after"
kill -TERM "$PID"; wait "$PID" || true; PID=""
URL="$SAVED_URL"

# ---------------------------------------------------------------- optional: large model startup
if [ "${SMOKE_LARGE:-0}" = 1 ]; then
    t0=$(date +%s%N)
    start_sim "$W/large.out" -listen 127.0.0.1:0 -dc 1 -cluster 20 -host 10 -vm 500 -ds 1 -quiet
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    rss="$(awk '/VmRSS/ { print $2 }' "/proc/$PID/status" 2>/dev/null || echo '?')"
    ok "startup with 10,000 VMs / 200 hosts: READY after ${ms} ms, RSS ${rss} kB"
    kill -TERM "$PID"; wait "$PID" || true; PID=""
fi

echo "smoke: $pass checks passed"
