package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// The control API under /lab/ is for tests only; it needs no login.
func serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/lab/health":
		writeJSON(w, http.StatusOK, map[string]interface{}{"ok": true})
	case "/lab/config":
		controlConfig(w, r)
	case "/lab/host-state":
		controlHostState(w, r)
	case "/lab/fault", "/lab/faults":
		controlFault(w, r)
	case "/lab/expire-sessions":
		if r.Method != http.MethodPost {
			writeError(w, http.StatusMethodNotAllowed, "POST only")
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"expired": expireSessions()})
	case "/lab/sessions":
		var out []map[string]interface{}
		for _, s := range listSessions() {
			out = append(out, map[string]interface{}{"key": s.Key, "userName": s.UserName, "loginTime": s.LoginTime})
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"sessions": out})
	case "/lab/vm":
		controlVM(w, r)
	case "/lab/calls":
		controlCalls(w, r)
	case "/lab/leases":
		controlLeases(w, r)
	default:
		writeError(w, http.StatusNotFound, "unknown lab endpoint "+r.URL.Path)
	}
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]interface{}{"error": msg})
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v interface{}) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return false
	}
	return true
}

// ---------------------------------------------------------------------------

type configBody struct {
	TaskDuration      string            `json:"taskDuration,omitempty"`
	MethodDurations   map[string]string `json:"methodDurations,omitempty"`
	DefaultMaxObjects *int              `json:"defaultMaxObjects,omitempty"`
	LeaseTimeout      string            `json:"leaseTimeout,omitempty"`
	GuestShutdown     string            `json:"guestShutdownDelay,omitempty"`
}

func controlConfig(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var b configBody
		if !decodeJSON(w, r, &b) {
			return
		}
		var td time.Duration
		md := map[string]time.Duration{}
		var err error
		if b.TaskDuration != "" {
			if td, err = time.ParseDuration(b.TaskDuration); err != nil {
				writeError(w, http.StatusBadRequest, "taskDuration: "+err.Error())
				return
			}
		}
		for k, v := range b.MethodDurations {
			if v == "" {
				md[k] = -1 // remove override
				continue
			}
			d, err := time.ParseDuration(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, "methodDurations."+k+": "+err.Error())
				return
			}
			md[k] = d
		}
		var lt, gsd time.Duration
		if b.LeaseTimeout != "" {
			if lt, err = time.ParseDuration(b.LeaseTimeout); err != nil || lt <= 0 {
				writeError(w, http.StatusBadRequest, "leaseTimeout: a positive Go duration is required")
				return
			}
		}
		if b.GuestShutdown != "" {
			if gsd, err = time.ParseDuration(b.GuestShutdown); err != nil || gsd < 0 {
				writeError(w, http.StatusBadRequest, "guestShutdownDelay: a Go duration >= 0 is required")
				return
			}
		}
		lab.mu.Lock()
		if b.LeaseTimeout != "" {
			lab.leaseTimeout = lt
		}
		if b.GuestShutdown != "" {
			lab.guestShutdownDelay = gsd
		}
		if b.TaskDuration != "" {
			lab.taskDuration = td
		}
		for k, d := range md {
			if d < 0 {
				delete(lab.methodDuration, k)
			} else {
				lab.methodDuration[k] = d
			}
		}
		if b.DefaultMaxObjects != nil {
			lab.defaultMaxObjects = *b.DefaultMaxObjects
		}
		lab.mu.Unlock()
	} else if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "GET or POST")
		return
	}
	lab.mu.Lock()
	out := configBody{TaskDuration: lab.taskDuration.String(), MethodDurations: map[string]string{}}
	for k, d := range lab.methodDuration {
		out.MethodDurations[k] = d.String()
	}
	dmo := lab.defaultMaxObjects
	out.DefaultMaxObjects = &dmo
	out.LeaseTimeout = lab.leaseTimeout.String()
	out.GuestShutdown = lab.guestShutdownDelay.String()
	lab.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// ---------------------------------------------------------------------------

type hostStateBody struct {
	Host        string `json:"host"`
	Maintenance *bool  `json:"maintenance,omitempty"`
	Connection  string `json:"connection,omitempty"` // connected | disconnected | notResponding
	Power       string `json:"power,omitempty"`      // poweredOn | poweredOff | standBy | unknown
}

func controlHostState(w http.ResponseWriter, r *http.Request) {
	var b hostStateBody
	switch r.Method {
	case http.MethodGet:
		b.Host = r.URL.Query().Get("host")
	case http.MethodPost:
		if !decodeJSON(w, r, &b) {
			return
		}
	default:
		writeError(w, http.StatusMethodNotAllowed, "GET or POST")
		return
	}
	ref, ok := resolveRef("HostSystem", b.Host)
	if !ok {
		writeError(w, http.StatusNotFound, "no host "+b.Host)
		return
	}
	host := simulator.Map.Get(ref).(*simulator.HostSystem)

	if r.Method == http.MethodPost {
		var changes []types.PropertyChange
		if b.Maintenance != nil {
			changes = append(changes,
				types.PropertyChange{Name: "runtime.inMaintenanceMode", Val: *b.Maintenance},
				types.PropertyChange{Name: "summary.runtime.inMaintenanceMode", Val: *b.Maintenance})
		}
		vmConn := types.VirtualMachineConnectionState("")
		if b.Connection != "" {
			switch types.HostSystemConnectionState(b.Connection) {
			case types.HostSystemConnectionStateConnected:
				vmConn = types.VirtualMachineConnectionStateConnected
			case types.HostSystemConnectionStateDisconnected, types.HostSystemConnectionStateNotResponding:
				vmConn = types.VirtualMachineConnectionStateDisconnected
			default:
				writeError(w, http.StatusBadRequest, "connection must be connected, disconnected or notResponding")
				return
			}
			changes = append(changes,
				types.PropertyChange{Name: "runtime.connectionState", Val: types.HostSystemConnectionState(b.Connection)},
				types.PropertyChange{Name: "summary.runtime.connectionState", Val: types.HostSystemConnectionState(b.Connection)})
		}
		if b.Power != "" {
			switch types.HostSystemPowerState(b.Power) {
			case types.HostSystemPowerStatePoweredOn, types.HostSystemPowerStatePoweredOff,
				types.HostSystemPowerStateStandBy, types.HostSystemPowerStateUnknown:
			default:
				writeError(w, http.StatusBadRequest, "power must be poweredOn, poweredOff, standBy or unknown")
				return
			}
			changes = append(changes,
				types.PropertyChange{Name: "runtime.powerState", Val: types.HostSystemPowerState(b.Power)},
				types.PropertyChange{Name: "summary.runtime.powerState", Val: types.HostSystemPowerState(b.Power)})
		}
		if len(changes) > 0 {
			simulator.Map.WithLock(host, func() {
				simulator.Map.Update(host, changes)
			})
		}
		if vmConn != "" {
			var vms []types.ManagedObjectReference
			simulator.Map.WithLock(host, func() { vms = append(vms, host.Vm...) })
			for _, ref := range vms {
				if vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok {
					simulator.Map.WithLock(vm, func() {
						simulator.Map.Update(vm, []types.PropertyChange{
							{Name: "runtime.connectionState", Val: vmConn},
							{Name: "summary.runtime.connectionState", Val: vmConn},
						})
					})
				}
			}
		}
	}

	var out map[string]interface{}
	simulator.Map.WithLock(host, func() {
		var vms []string
		for _, v := range host.Vm {
			vms = append(vms, entityName(v))
		}
		sort.Strings(vms)
		out = map[string]interface{}{
			"id":          host.Self.Value,
			"name":        host.Name,
			"maintenance": host.Runtime.InMaintenanceMode,
			"connection":  host.Runtime.ConnectionState,
			"power":       host.Runtime.PowerState,
			"vms":         vms,
		}
	})
	writeJSON(w, http.StatusOK, out)
}

// ---------------------------------------------------------------------------

func controlFault(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]interface{}{"faults": lab.listFaults()})
	case http.MethodPost:
		var f injectedFault
		if !decodeJSON(w, r, &f) {
			return
		}
		if err := f.validate(); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		lab.addFault(&f)
		writeJSON(w, http.StatusOK, f)
	case http.MethodDelete:
		n := lab.deleteFaults(r.URL.Query().Get("id"))
		writeJSON(w, http.StatusOK, map[string]interface{}{"deleted": n})
	default:
		writeError(w, http.StatusMethodNotAllowed, "GET, POST or DELETE")
	}
}

// ---------------------------------------------------------------------------

type namedRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

func named(ref types.ManagedObjectReference) namedRef {
	return namedRef{ID: ref.Value, Name: entityName(ref)}
}

// controlVM describes a VM's placement, for test assertions.
func controlVM(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("name")
	if q == "" {
		q = r.URL.Query().Get("id")
	}
	ref, ok := resolveRef("VirtualMachine", q)
	if !ok {
		writeError(w, http.StatusNotFound, "no VM "+q)
		return
	}
	vm := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	var out map[string]interface{}
	simulator.Map.WithLock(vm, func() {
		var ds []namedRef
		for _, d := range vm.Datastore {
			ds = append(ds, named(d))
		}
		var disks []map[string]interface{}
		for _, d := range vm.Config.Hardware.Device {
			disk, ok := d.(*types.VirtualDisk)
			if !ok {
				continue
			}
			entry := map[string]interface{}{"key": disk.Key, "label": disk.DeviceInfo.GetDescription().Label}
			if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
				fb := b.GetVirtualDeviceFileBackingInfo()
				entry["fileName"] = fb.FileName
				if fb.Datastore != nil {
					entry["datastore"] = named(*fb.Datastore)
				}
			}
			disks = append(disks, entry)
		}
		var files []string
		if vm.LayoutEx != nil {
			for _, f := range vm.LayoutEx.File {
				files = append(files, f.Name)
			}
		}
		out = map[string]interface{}{
			"id":                vm.Self.Value,
			"name":              vm.Name,
			"powerState":        vm.Runtime.PowerState,
			"uuid":              vm.Config.Uuid,
			"connectionState":   vm.Runtime.ConnectionState,
			"host":              named(*vm.Runtime.Host),
			"pool":              named(*vm.ResourcePool),
			"datastores":        ds,
			"vmPathName":        vm.Config.Files.VmPathName,
			"disks":             disks,
			"files":             files,
			"migrateEncryption": vm.Config.MigrateEncryption,
			"snapshots":         countSnapshots(vm.Snapshot),
		}
		var p object.DatastorePath
		if p.FromString(vm.Config.Files.VmPathName) {
			if d := findDatastoreByName(p.Datastore, *vm.Runtime.Host); d != nil {
				out["vmxOnDisk"] = fileExists(dsURL(d), p.Path)
			}
		}
	})
	lab.mu.Lock()
	if t, ok := lab.busy[ref]; ok {
		out["busyTask"] = t.Value
	}
	lab.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func fileExists(root, rel string) bool {
	_, err := os.Stat(filepath.Join(root, rel))
	return err == nil
}

// countSnapshots counts every node of the VM's snapshot tree.
func countSnapshots(info *types.VirtualMachineSnapshotInfo) int {
	if info == nil {
		return 0
	}
	var walk func([]types.VirtualMachineSnapshotTree) int
	walk = func(trees []types.VirtualMachineSnapshotTree) int {
		n := 0
		for _, t := range trees {
			n += 1 + walk(t.ChildSnapshotList)
		}
		return n
	}
	return walk(info.RootSnapshotList)
}
