package main

import (
	"fmt"
	"log"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// validateRelocateRefs checks the references of a relocate spec before a task
// is created: unknown objects give ManagedObjectNotFound (a SOAP fault, as
// vCenter does), objects of the wrong kind InvalidArgument.
func validateRelocateRefs(spec *types.VirtualMachineRelocateSpec) types.BaseMethodFault {
	check := func(ref *types.ManagedObjectReference, prop string, kinds ...string) types.BaseMethodFault {
		if ref == nil {
			return nil
		}
		if simulator.Map.Get(*ref) == nil {
			return &types.ManagedObjectNotFound{Obj: *ref}
		}
		for _, k := range kinds {
			if ref.Type == k {
				return nil
			}
		}
		return &types.InvalidArgument{InvalidProperty: prop}
	}
	if spec.Service != nil {
		return &types.NotSupported{}
	}
	if f := check(spec.Host, "spec.host", "HostSystem"); f != nil {
		return f
	}
	if f := check(spec.Datastore, "spec.datastore", "Datastore"); f != nil {
		return f
	}
	if f := check(spec.Pool, "spec.pool", "ResourcePool", "VirtualApp"); f != nil {
		return f
	}
	if f := check(spec.Folder, "spec.folder", "Folder"); f != nil {
		return f
	}
	for i := range spec.Disk {
		if f := check(&spec.Disk[i].Datastore, "spec.disk.datastore", "Datastore"); f != nil {
			return f
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Inventory helpers

func parentOf(ref types.ManagedObjectReference) *types.ManagedObjectReference {
	if e, ok := simulator.Map.Get(ref).(mo.Entity); ok {
		return e.Entity().Parent
	}
	return nil
}

// computeResourceOf walks up from a pool or host to its (Cluster)ComputeResource.
func computeResourceOf(ref types.ManagedObjectReference) types.ManagedObjectReference {
	for i := 0; i < 64; i++ {
		if ref.Type == "ComputeResource" || ref.Type == "ClusterComputeResource" {
			return ref
		}
		p := parentOf(ref)
		if p == nil {
			break
		}
		ref = *p
	}
	return types.ManagedObjectReference{}
}

func datacenterOf(ref types.ManagedObjectReference) *simulator.Datacenter {
	for i := 0; i < 64; i++ {
		if dc, ok := simulator.Map.Get(ref).(*simulator.Datacenter); ok {
			return dc
		}
		p := parentOf(ref)
		if p == nil {
			break
		}
		ref = *p
	}
	return nil
}

func hostsOf(cr types.ManagedObjectReference) []types.ManagedObjectReference {
	switch x := simulator.Map.Get(cr).(type) {
	case *simulator.ClusterComputeResource:
		return append([]types.ManagedObjectReference(nil), x.Host...)
	case *mo.ComputeResource:
		return append([]types.ManagedObjectReference(nil), x.Host...)
	}
	return nil
}

func environmentBrowserOf(cr types.ManagedObjectReference) *types.ManagedObjectReference {
	switch x := simulator.Map.Get(cr).(type) {
	case *simulator.ClusterComputeResource:
		return x.EnvironmentBrowser
	case *mo.ComputeResource:
		return x.EnvironmentBrowser
	}
	return nil
}

func poolVMs(ref types.ManagedObjectReference) (mo.Reference, *[]types.ManagedObjectReference) {
	switch x := simulator.Map.Get(ref).(type) {
	case *simulator.ResourcePool:
		return x, &x.Vm
	case *simulator.VirtualApp:
		return x, &x.Vm
	}
	return nil, nil
}

// hostStateFault returns InvalidHostState when VMs cannot be placed on h.
func hostStateFault(h *simulator.HostSystem) (types.BaseMethodFault, string) {
	ref := h.Self
	rt := h.Runtime
	const base = "The operation is not allowed in the current state of the host."
	switch {
	case rt.ConnectionState != "" && rt.ConnectionState != types.HostSystemConnectionStateConnected:
		return &types.InvalidHostState{Host: &ref}, fmt.Sprintf("%s (host %s is %s)", base, h.Name, rt.ConnectionState)
	case rt.PowerState != "" && rt.PowerState != types.HostSystemPowerStatePoweredOn:
		return &types.InvalidHostState{Host: &ref}, fmt.Sprintf("%s (host %s is %s)", base, h.Name, rt.PowerState)
	case rt.InMaintenanceMode:
		return &types.InvalidHostState{Host: &ref}, fmt.Sprintf("%s (host %s is in maintenance mode)", base, h.Name)
	}
	return nil, ""
}

func hostUsable(h *simulator.HostSystem) bool {
	f, _ := hostStateFault(h)
	return f == nil
}

// ---------------------------------------------------------------------------

type relocatePlan struct {
	host   *simulator.HostSystem
	pool   types.ManagedObjectReference
	homeDS *simulator.Datastore           // nil: VM home stays
	diskDS map[int32]*simulator.Datastore // explicit per-disk targets
	folder *types.ManagedObjectReference
	spec   *types.VirtualMachineRelocateSpec
}

func datastoreNotWritable(ds *simulator.Datastore, host *simulator.HostSystem) (types.BaseMethodFault, string) {
	hr := host.Self
	return &types.DatastoreNotWritableOnHost{
			InvalidDatastore: types.InvalidDatastore{Datastore: &ds.Self, Name: ds.Name},
			Host:             hr,
		}, fmt.Sprintf("The datastore '%s' is not accessible on the target host '%s'.",
			ds.Name, host.Name)
}

// planRelocate resolves the target placement the way vCenter documents it
// (VirtualMachineRelocateSpec) and validates it. Called with the VM locked.
func planRelocate(vm *simulator.VirtualMachine, spec *types.VirtualMachineRelocateSpec) (*relocatePlan, types.BaseMethodFault, string) {
	if vm.Runtime.Host == nil || vm.ResourcePool == nil {
		return nil, &types.InvalidState{}, "The virtual machine is not placed on a host."
	}
	curHost := *vm.Runtime.Host
	pool := *vm.ResourcePool
	if spec.Pool != nil {
		pool = *spec.Pool
	}
	poolCR := computeResourceOf(pool)

	var hostRef types.ManagedObjectReference
	switch {
	case spec.Host != nil:
		hostRef = *spec.Host
	case spec.Pool == nil || computeResourceOf(curHost) == poolCR:
		hostRef = curHost
	default:
		// Like a DRS cluster: pick the usable host with the fewest VMs.
		hosts := hostsOf(poolCR)
		if len(hosts) == 0 {
			return nil, &types.InvalidArgument{InvalidProperty: "spec.pool"}, ""
		}
		best := -1
		for _, h := range hosts {
			hs, ok := simulator.Map.Get(h).(*simulator.HostSystem)
			if !ok || !hostUsable(hs) {
				continue
			}
			if best < 0 || len(hs.Vm) < best {
				best = len(hs.Vm)
				hostRef = h
			}
		}
		if best < 0 {
			hostRef = hosts[0] // the state check below reports why
		}
	}
	host, ok := simulator.Map.Get(hostRef).(*simulator.HostSystem)
	if !ok {
		return nil, &types.ManagedObjectNotFound{Obj: hostRef}, ""
	}
	if hostCR := computeResourceOf(hostRef); hostCR != poolCR {
		return nil, &types.InvalidArgument{InvalidProperty: "spec.pool"},
			fmt.Sprintf("A specified parameter was not correct: spec.pool (host %s is not part of the compute resource of resource pool %s; pass the target's pool too)",
				host.Name, entityName(pool))
	}
	if f, msg := hostStateFault(host); f != nil {
		return nil, f, msg
	}

	plan := &relocatePlan{host: host, pool: pool, diskDS: map[int32]*simulator.Datastore{}, folder: spec.Folder, spec: spec}
	if spec.Datastore != nil {
		plan.homeDS, _ = simulator.Map.Get(*spec.Datastore).(*simulator.Datastore)
	}
	disks := map[int32]bool{}
	for _, d := range vm.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			disks[disk.Key] = true
		}
	}
	for _, loc := range spec.Disk {
		if !disks[loc.DiskId] {
			return nil, &types.InvalidArgument{InvalidProperty: "spec.disk.diskId"},
				fmt.Sprintf("A specified parameter was not correct: spec.disk.diskId (no disk with key %d)", loc.DiskId)
		}
		ds, _ := simulator.Map.Get(loc.Datastore).(*simulator.Datastore)
		if ds == nil {
			return nil, &types.ManagedObjectNotFound{Obj: loc.Datastore}, ""
		}
		plan.diskDS[loc.DiskId] = ds
	}

	// Every datastore the VM will use must be mounted on the target host.
	for _, name := range plan.finalDatastoreNames(vm) {
		if simulator.Map.FindByName(name, host.Datastore) == nil {
			ds := findDatastoreByName(name, curHost)
			if ds == nil {
				return nil, &types.NotFound{}, fmt.Sprintf("Datastore '%s' not found.", name)
			}
			f, msg := datastoreNotWritable(ds, host)
			return nil, f, msg
		}
	}
	return plan, nil, ""
}

func findDatastoreByName(name string, hosts ...types.ManagedObjectReference) *simulator.Datastore {
	for _, h := range hosts {
		if hs, ok := simulator.Map.Get(h).(*simulator.HostSystem); ok {
			if ds, ok := simulator.Map.FindByName(name, hs.Datastore).(*simulator.Datastore); ok {
				return ds
			}
		}
	}
	for _, e := range simulator.Map.All("Datastore") {
		if e.Entity().Name == name {
			return e.(*simulator.Datastore)
		}
	}
	return nil
}

func (p *relocatePlan) diskTarget(key int32) *simulator.Datastore {
	if ds := p.diskDS[key]; ds != nil {
		return ds
	}
	return p.homeDS
}

// finalDatastoreNames lists the datastores the VM's home and disks end up on.
func (p *relocatePlan) finalDatastoreNames(vm *simulator.VirtualMachine) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	var home object.DatastorePath
	home.FromString(vm.Config.Files.VmPathName)
	if p.homeDS != nil {
		add(p.homeDS.Name)
	} else {
		add(home.Datastore)
	}
	for _, d := range vm.Config.Hardware.Device {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		if t := p.diskTarget(disk.Key); t != nil {
			add(t.Name)
			continue
		}
		if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			var dp object.DatastorePath
			if dp.FromString(b.GetVirtualDeviceFileBackingInfo().FileName) {
				add(dp.Datastore)
			}
		}
	}
	return out
}

// ---------------------------------------------------------------------------

func dsURL(ds *simulator.Datastore) string {
	return ds.Info.GetDatastoreInfo().Url
}

func moveFile(src, dst *simulator.Datastore, rel string) {
	if src == nil || dst == nil {
		return
	}
	from := filepath.Join(dsURL(src), rel)
	to := filepath.Join(dsURL(dst), rel)
	if _, err := os.Stat(from); err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		log.Printf("vcsim-lab: relocate: %v", err)
		return
	}
	if err := os.Rename(from, to); err != nil {
		log.Printf("vcsim-lab: relocate: %v", err)
	}
}

// diskFileNames returns a disk's descriptor and flat extent paths.
func diskFileNames(rel string) []string {
	return []string{rel, strings.Replace(rel, ".vmdk", "-flat.vmdk", 1)}
}

// setUnexportedString sets a private string field of a simulator object
// (VirtualMachine.log: the host path of the VM's vmware.log).
func setUnexportedString(obj interface{}, field string, val string) {
	v := reflect.ValueOf(obj).Elem().FieldByName(field)
	if !v.IsValid() || v.Kind() != reflect.String {
		return
	}
	reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem().SetString(val)
}

func getUnexportedString(obj interface{}, field string) string {
	v := reflect.ValueOf(obj).Elem().FieldByName(field)
	if !v.IsValid() || v.Kind() != reflect.String {
		return ""
	}
	return v.String()
}

// applyRelocate performs the relocation and keeps the inventory consistent:
// runtime.host, resourcePool, datastore, HostSystem.vm, ResourcePool.vm,
// Datastore.vm, config.files, disk backings, layout(Ex), storage, and moves
// the files in the datastore folders. Called with the VM locked.
func applyRelocate(ctx *simulator.Context, vm *simulator.VirtualMachine, plan *relocatePlan) (types.BaseMethodFault, string) {
	oldHostRef := *vm.Runtime.Host
	oldPool := *vm.ResourcePool
	oldDS := append([]types.ManagedObjectReference(nil), vm.Datastore...)
	srcHost, _ := simulator.Map.Get(oldHostRef).(*simulator.HostSystem)
	dst := plan.host

	dsByName := func(name string) *simulator.Datastore {
		return findDatastoreByName(name, dst.Self, oldHostRef)
	}

	var home object.DatastorePath
	home.FromString(vm.Config.Files.VmPathName)
	homeDir := home.Path
	if path.Ext(homeDir) == ".vmx" {
		homeDir = path.Dir(homeDir)
	}
	homeDir = strings.TrimSuffix(homeDir, "/")
	oldHomeDS := dsByName(home.Datastore)

	remap := map[string]string{}
	pinned := map[string]bool{}

	// Disks first, so that a disk pinned to another datastore leaves the home
	// folder before (or instead of) the rest of it moving.
	for _, d := range vm.Config.Hardware.Device {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		fb := b.GetVirtualDeviceFileBackingInfo()
		var p object.DatastorePath
		if !p.FromString(fb.FileName) {
			continue
		}
		target := plan.diskTarget(disk.Key)
		if target == nil || target.Name == p.Datastore {
			for _, rel := range diskFileNames(p.Path) {
				pinned[(&object.DatastorePath{Datastore: p.Datastore, Path: rel}).String()] = true
			}
			continue
		}
		src := dsByName(p.Datastore)
		for _, rel := range diskFileNames(p.Path) {
			moveFile(src, target, rel)
			from := (&object.DatastorePath{Datastore: p.Datastore, Path: rel}).String()
			remap[from] = (&object.DatastorePath{Datastore: target.Name, Path: rel}).String()
		}
		fb.FileName = (&object.DatastorePath{Datastore: target.Name, Path: p.Path}).String()
		ref := target.Self
		fb.Datastore = &ref
	}

	// VM home folder.
	homeMoved := false
	if plan.homeDS != nil && plan.homeDS.Name != home.Datastore && homeDir != "" {
		homeMoved = true
		if oldHomeDS != nil {
			root := filepath.Join(dsURL(oldHomeDS), homeDir)
			_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
				if err != nil || info.IsDir() {
					return nil
				}
				relIn, _ := filepath.Rel(root, p)
				rel := path.Join(homeDir, filepath.ToSlash(relIn))
				if pinned[(&object.DatastorePath{Datastore: home.Datastore, Path: rel}).String()] {
					return nil
				}
				moveFile(oldHomeDS, plan.homeDS, rel)
				return nil
			})
			_ = os.Remove(root) // only if now empty
			if logPath := getUnexportedString(vm, "log"); logPath != "" {
				oldRoot := dsURL(oldHomeDS) + string(os.PathSeparator)
				if strings.HasPrefix(logPath, oldRoot) {
					setUnexportedString(vm, "log", filepath.Join(dsURL(plan.homeDS), strings.TrimPrefix(logPath, oldRoot)))
				}
			}
		}
		files := &vm.Config.Files
		for _, s := range []*string{&files.VmPathName, &files.LogDirectory, &files.SnapshotDirectory, &files.SuspendDirectory} {
			var p object.DatastorePath
			if *s == "" || !p.FromString(*s) || p.Datastore != home.Datastore {
				continue
			}
			if p.Path == "" || p.Path == homeDir || strings.HasPrefix(p.Path, homeDir+"/") {
				p.Datastore = plan.homeDS.Name
				*s = p.String()
			}
		}
		vm.Summary.Config.VmPathName = files.VmPathName
	}

	rename := func(s string) string {
		if v, ok := remap[s]; ok {
			return v
		}
		if homeMoved && !pinned[s] {
			// Everything else on the old home datastore belongs to the home
			// folder (stock vcsim also lists some home files without their
			// folder in layoutEx).
			var p object.DatastorePath
			if p.FromString(s) && p.Datastore == home.Datastore {
				p.Datastore = plan.homeDS.Name
				return p.String()
			}
		}
		return s
	}
	now := time.Now()
	if vm.LayoutEx != nil {
		for i := range vm.LayoutEx.File {
			vm.LayoutEx.File[i].Name = rename(vm.LayoutEx.File[i].Name)
		}
		vm.LayoutEx.Timestamp = now
	}
	if vm.Layout != nil {
		for i := range vm.Layout.Disk {
			for j := range vm.Layout.Disk[i].DiskFile {
				vm.Layout.Disk[i].DiskFile[j] = rename(vm.Layout.Disk[i].DiskFile[j])
			}
		}
		for i := range vm.Layout.Snapshot {
			for j := range vm.Layout.Snapshot[i].SnapshotFile {
				vm.Layout.Snapshot[i].SnapshotFile[j] = rename(vm.Layout.Snapshot[i].SnapshotFile[j])
			}
		}
		vm.Layout.SwapFile = rename(vm.Layout.SwapFile)
	}

	// Datastores now in use, and storage usage per datastore.
	var newDS []types.ManagedObjectReference
	useDS := func(name string) *simulator.Datastore {
		ds := dsByName(name)
		if ds == nil {
			return nil
		}
		if simulator.FindReference(newDS, ds.Self) == nil {
			newDS = append(newDS, ds.Self)
		}
		return ds
	}
	var vmHome object.DatastorePath
	vmHome.FromString(vm.Config.Files.VmPathName)
	useDS(vmHome.Datastore)
	for _, d := range vm.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
				var p object.DatastorePath
				if p.FromString(b.GetVirtualDeviceFileBackingInfo().FileName) {
					useDS(p.Datastore)
				}
			}
		}
	}
	recomputeStorage(vm, useDS)
	vm.Datastore = newDS

	// Inventory back-references.
	if dst.Self != oldHostRef {
		if srcHost != nil {
			simulator.Map.RemoveReference(srcHost, &srcHost.Vm, vm.Self)
		}
		simulator.Map.AddReference(dst, &dst.Vm, vm.Self)
	}
	if plan.pool != oldPool {
		if obj, list := poolVMs(oldPool); obj != nil {
			simulator.Map.RemoveReference(obj, list, vm.Self)
		}
		if obj, list := poolVMs(plan.pool); obj != nil {
			simulator.Map.AddReference(obj, list, vm.Self)
		}
	}
	for _, ref := range oldDS {
		if simulator.FindReference(newDS, ref) == nil {
			if ds, ok := simulator.Map.Get(ref).(*simulator.Datastore); ok {
				simulator.Map.RemoveReference(ds, &ds.Vm, vm.Self)
			}
		}
	}
	for _, ref := range newDS {
		if simulator.FindReference(oldDS, ref) == nil {
			if ds, ok := simulator.Map.Get(ref).(*simulator.Datastore); ok {
				simulator.Map.AddReference(ds, &ds.Vm, vm.Self)
			}
		}
	}

	hostRef := dst.Self
	poolRef := plan.pool
	changes := []types.PropertyChange{
		{Name: "runtime.host", Val: &hostRef},
		{Name: "summary.runtime.host", Val: &hostRef},
		{Name: "resourcePool", Val: &poolRef},
		{Name: "datastore", Val: newDS},
		{Name: "config.files", Val: vm.Config.Files},
		{Name: "summary.config.vmPathName", Val: vm.Config.Files.VmPathName},
		{Name: "config.hardware.device", Val: []types.BaseVirtualDevice(vm.Config.Hardware.Device)},
		{Name: "layout", Val: vm.Layout},
		{Name: "layoutEx", Val: vm.LayoutEx},
		{Name: "storage", Val: vm.Storage},
		{Name: "summary.storage", Val: vm.Summary.Storage},
	}
	if eb := environmentBrowserOf(computeResourceOf(hostRef)); eb != nil {
		changes = append(changes, types.PropertyChange{Name: "environmentBrowser", Val: *eb})
	}
	simulator.Map.Update(vm, changes)

	if plan.folder != nil && (vm.Parent == nil || *vm.Parent != *plan.folder) {
		if folder, ok := simulator.Map.Get(*plan.folder).(*simulator.Folder); ok {
			// No folder lock here: the stock code locks the folders itself
			// (ctx.Caller is the VM, which is locked already).
			res := folder.MoveIntoFolderTask(ctx, &types.MoveIntoFolder_Task{This: folder.Self, List: []types.ManagedObjectReference{vm.Self}})
			inner := res.(*methods.MoveIntoFolder_TaskBody).Res.Returnval
			if _, f, msg := innerTaskResult(inner); f != nil {
				return f, msg
			}
		}
	}

	postRelocateEvents(ctx, vm, srcHost, dst, oldHomeDS, home.Datastore != vmHome.Datastore)
	return nil, ""
}

func recomputeStorage(vm *simulator.VirtualMachine, useDS func(string) *simulator.Datastore) {
	if vm.LayoutEx == nil {
		return
	}
	var order []types.ManagedObjectReference
	usage := map[types.ManagedObjectReference]*types.VirtualMachineUsageOnDatastore{}
	capacity := map[string]int64{}
	for _, d := range vm.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			if b, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
				capacity[b.GetVirtualDeviceFileBackingInfo().FileName] = disk.CapacityInBytes
			}
		}
	}
	for _, f := range vm.LayoutEx.File {
		var p object.DatastorePath
		if !p.FromString(f.Name) {
			continue
		}
		ds := useDS(p.Datastore)
		if ds == nil {
			continue
		}
		u := usage[ds.Self]
		if u == nil {
			u = &types.VirtualMachineUsageOnDatastore{Datastore: ds.Self}
			usage[ds.Self] = u
			order = append(order, ds.Self)
		}
		u.Committed += f.Size
		if path.Ext(f.Name) == ".vmdk" {
			u.Unshared += f.Size
		}
		if c, ok := capacity[f.Name]; ok && c > f.Size {
			u.Uncommitted += c - f.Size
		}
	}
	now := time.Now()
	info := &types.VirtualMachineStorageInfo{Timestamp: now}
	sum := &types.VirtualMachineStorageSummary{Timestamp: now}
	for _, ref := range order {
		u := usage[ref]
		info.PerDatastoreUsage = append(info.PerDatastoreUsage, *u)
		sum.Committed += u.Committed
		sum.Uncommitted += u.Uncommitted
		sum.Unshared += u.Unshared
	}
	vm.Storage = info
	vm.Summary.Storage = sum
}

func postRelocateEvents(ctx *simulator.Context, vm *simulator.VirtualMachine, src, dst *simulator.HostSystem, srcDS *simulator.Datastore, dsChanged bool) {
	if ctx.Session == nil {
		return
	}
	hostChanged := src == nil || src.Self != dst.Self
	if !hostChanged && !dsChanged {
		return
	}
	hostArg := func(h *simulator.HostSystem) *types.HostEventArgument {
		if h == nil {
			return &types.HostEventArgument{}
		}
		return &types.HostEventArgument{EntityEventArgument: types.EntityEventArgument{Name: h.Name}, Host: h.Self}
	}
	var dcArg *types.DatacenterEventArgument
	if dc := datacenterOf(vm.Self); dc != nil {
		dcArg = &types.DatacenterEventArgument{EntityEventArgument: types.EntityEventArgument{Name: dc.Name}, Datacenter: dc.Self}
	}
	var dsArg *types.DatastoreEventArgument
	if srcDS != nil {
		dsArg = &types.DatastoreEventArgument{EntityEventArgument: types.EntityEventArgument{Name: srcDS.Name}, Datastore: srcDS.Self}
	}
	base := types.VmEvent{Event: types.Event{
		Vm:         &types.VmEventArgument{EntityEventArgument: types.EntityEventArgument{Name: vm.Name}, Vm: vm.Self},
		Host:       hostArg(dst),
		Datacenter: dcArg,
	}}
	if len(vm.Datastore) > 0 {
		if ds, ok := simulator.Map.Get(vm.Datastore[0]).(*simulator.Datastore); ok {
			base.Ds = &types.DatastoreEventArgument{EntityEventArgument: types.EntityEventArgument{Name: ds.Name}, Datastore: ds.Self}
		}
	}
	var ev types.BaseEvent
	if hostChanged {
		ev = &types.VmMigratedEvent{VmEvent: base, SourceHost: *hostArg(src), SourceDatacenter: dcArg, SourceDatastore: dsArg}
	} else {
		ev = &types.VmRelocatedEvent{VmRelocateSpecEvent: types.VmRelocateSpecEvent{VmEvent: base}, SourceHost: *hostArg(src), SourceDatacenter: dcArg, SourceDatastore: dsArg}
	}
	em := simulator.Map.EventManager()
	simulator.Map.WithLock(em, func() {
		em.PostEvent(ctx, &types.PostEvent{This: em.Self, EventToPost: ev})
	})
}
