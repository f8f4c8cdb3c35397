package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// ExportVm and the HttpNfcLease it returns, the way vCenter does them:
//
//   - ExportVm on a VM that is not powered off fails with InvalidPowerState.
//   - Otherwise it returns a lease in state "initializing" at once; in the
//     background each virtual disk is turned into a streamOptimized VMDK with
//     qemu-img (cached by the source file's identity), then the lease becomes
//     "ready" with info.deviceUrl listing one entry per disk, each a real URL
//     on the lab's own listener: <base>/nfc/<lease>/disk-N.vmdk (GET with
//     Range support).
//   - HttpNfcLeaseProgress keeps it alive; without it for leaseTimeout the
//     lease goes to "error" (Timedout). HttpNfcLeaseComplete -> "done",
//     HttpNfcLeaseAbort -> "error". An ended lease's URLs answer 410 and its
//     methods fault (the lease's own error, or InvalidState when done).
//   - abortLeaseAfterBytes (fault injection on ExportVm): after N bytes served
//     for the lease, from its URLs or from the datastore /folder GET of the
//     VM's disk files, the connection is cut and the lease goes to "error".
//
// The lease object lives in the global registry (not the session's), so the
// PropertyCollector of any session can read info/state/error, and Map.Update
// feeds WaitForUpdatesEx.

type labLease struct {
	mo.HttpNfcLease

	vm    types.ManagedObjectReference
	disks []*leaseDisk
	// watch holds the local paths of the VM's disk files (descriptors and
	// extents): /folder GETs of them count against abortAfter while open.
	watch map[string]bool

	abortAfter int64 // 0: never
	served     int64 // atomic
	lastAlive  int64 // atomic, unix nanos of the last HttpNfcLeaseProgress (or of "ready")
	timeout    time.Duration
	ended      chan struct{}
	endOnce    sync.Once
}

type leaseDisk struct {
	name     string // disk-N.vmdk
	source   string // local path of the disk's descriptor
	capacity int64
	key      string
	vmdk     string // streamOptimized file, once built
	size     int64
}

var leases = struct {
	sync.Mutex
	m map[string]*labLease
}{m: map[string]*labLease{}}

// lease state reads/writes go through the registry's lock of the lease, which
// the simulator also holds while it runs a SOAP method on it.
func (l *labLease) state() (types.HttpNfcLeaseState, *types.LocalizedMethodFault) {
	var s types.HttpNfcLeaseState
	var e *types.LocalizedMethodFault
	simulator.Map.WithLock(l, func() { s, e = l.State, l.Error })
	return s, e
}

func (l *labLease) isOpen() bool {
	s, _ := l.state()
	return s == types.HttpNfcLeaseStateInitializing || s == types.HttpNfcLeaseStateReady
}

// endLocked moves the lease to done or error; the caller holds the lease's lock.
func (l *labLease) endLocked(state types.HttpNfcLeaseState, fault types.BaseMethodFault, msg string) bool {
	if l.State == types.HttpNfcLeaseStateDone || l.State == types.HttpNfcLeaseStateError {
		return false
	}
	changes := []types.PropertyChange{{Name: "state", Val: state}}
	if fault != nil {
		if msg == "" {
			msg = defaultFaultMessage(fault)
		}
		changes = append(changes, types.PropertyChange{Name: "error", Val: &types.LocalizedMethodFault{Fault: fault, LocalizedMessage: msg}})
	}
	simulator.Map.Update(l, changes)
	l.endOnce.Do(func() { close(l.ended) })
	log.Printf("vcsim-lab: lease %s -> %s %s", l.Self.Value, state, msg)
	return true
}

func (l *labLease) end(state types.HttpNfcLeaseState, fault types.BaseMethodFault, msg string) bool {
	var ok bool
	simulator.Map.WithLock(l, func() { ok = l.endLocked(state, fault, msg) })
	return ok
}

// endedFault is what a method on an ended lease answers.
func (l *labLease) endedFault() *soap.Fault {
	if l.State == types.HttpNfcLeaseStateError && l.Error != nil {
		return soapFault(l.Error.LocalizedMessage, l.Error.Fault)
	}
	return soapFault("The operation is not allowed in the current state: the lease is "+string(l.State)+".", &types.InvalidState{})
}

func (l *labLease) HttpNfcLeaseProgress(ctx *simulator.Context, req *types.HttpNfcLeaseProgress) soap.HasFault {
	body := new(methods.HttpNfcLeaseProgressBody)
	if l.State != types.HttpNfcLeaseStateReady && l.State != types.HttpNfcLeaseStateInitializing {
		body.Fault_ = l.endedFault()
		return body
	}
	if req.Percent < 0 || req.Percent > 100 {
		body.Fault_ = soapFault("", &types.InvalidArgument{InvalidProperty: "percent"})
		return body
	}
	atomic.StoreInt64(&l.lastAlive, time.Now().UnixNano())
	simulator.Map.Update(l, []types.PropertyChange{{Name: "transferProgress", Val: req.Percent}})
	body.Res = new(types.HttpNfcLeaseProgressResponse)
	return body
}

func (l *labLease) HttpNfcLeaseComplete(ctx *simulator.Context, req *types.HttpNfcLeaseComplete) soap.HasFault {
	body := new(methods.HttpNfcLeaseCompleteBody)
	if l.State != types.HttpNfcLeaseStateReady {
		if l.State == types.HttpNfcLeaseStateInitializing {
			body.Fault_ = soapFault("The operation is not allowed in the current state: the lease is initializing.", &types.InvalidState{})
		} else {
			body.Fault_ = l.endedFault()
		}
		return body
	}
	l.endLocked(types.HttpNfcLeaseStateDone, nil, "")
	body.Res = new(types.HttpNfcLeaseCompleteResponse)
	return body
}

func (l *labLease) HttpNfcLeaseAbort(ctx *simulator.Context, req *types.HttpNfcLeaseAbort) soap.HasFault {
	body := new(methods.HttpNfcLeaseAbortBody)
	if l.State == types.HttpNfcLeaseStateDone || l.State == types.HttpNfcLeaseStateError {
		body.Fault_ = l.endedFault()
		return body
	}
	var fault types.BaseMethodFault = &types.RequestCanceled{}
	msg := "The operation was canceled by the client (HttpNfcLeaseAbort)."
	if req.Fault != nil && req.Fault.Fault != nil {
		fault = req.Fault.Fault
		if req.Fault.LocalizedMessage != "" {
			msg = req.Fault.LocalizedMessage
		}
	}
	l.endLocked(types.HttpNfcLeaseStateError, fault, msg)
	body.Res = new(types.HttpNfcLeaseAbortResponse)
	return body
}

// ---------------------------------------------------------------------------

// ExportVm on the VM proxy.
func (p *labVMProxy) ExportVm(ctx *simulator.Context, req *types.ExportVm) soap.HasFault {
	body := new(methods.ExportVmBody)
	vm := p.vm()
	if vm == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	var lease *labLease
	var fault *soap.Fault
	simulator.Map.WithLock(vm, func() {
		if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
			fault = soapFault("VM must be powered off", &types.InvalidPowerState{
				RequestedState: types.VirtualMachinePowerStatePoweredOff,
				ExistingState:  vm.Runtime.PowerState,
			})
			return
		}
		lease, fault = newLease(vm)
	})
	if fault != nil {
		body.Fault_ = fault
		return body
	}
	lease.abortAfter = lab.takeAbortAfter(vm.Self)
	go lease.prepare()
	body.Res = &types.ExportVmResponse{Returnval: lease.Self}
	return body
}

// newLease builds the lease from the VM's disks; the caller holds the VM's lock.
func newLease(vm *simulator.VirtualMachine) (*labLease, *soap.Fault) {
	id := lab.nextID("lease")
	l := &labLease{
		HttpNfcLease: mo.HttpNfcLease{
			Self:  types.ManagedObjectReference{Type: "HttpNfcLease", Value: id},
			Mode:  "pull",
			State: types.HttpNfcLeaseStateInitializing,
		},
		vm:      vm.Self,
		watch:   map[string]bool{},
		timeout: lab.leaseTimeoutValue(),
		ended:   make(chan struct{}),
	}
	devices := object.VirtualDeviceList(vm.Config.Hardware.Device)
	var totalKB int64
	for _, d := range devices {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		fb, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		var dp object.DatastorePath
		if !dp.FromString(fb.GetVirtualDeviceFileBackingInfo().FileName) {
			continue
		}
		ds := findDatastoreByName(dp.Datastore, *vm.Runtime.Host)
		if ds == nil {
			return nil, soapFault("", &types.NotFound{})
		}
		local := filepath.Clean(filepath.Join(dsURL(ds), dp.Path))
		l.watch[local] = true
		for _, ext := range descriptorExtents(local) {
			l.watch[ext] = true
		}
		capacity := disk.CapacityInBytes
		if capacity == 0 {
			capacity = disk.CapacityInKB * 1024
		}
		totalKB += capacity / 1024
		key := fmt.Sprintf("/%s/disk-%d", vm.Self.Value, len(l.disks))
		if c, ok := devices.FindByKey(disk.ControllerKey).(types.BaseVirtualController); ok && disk.UnitNumber != nil {
			key = fmt.Sprintf("/%s/%s%d:%d", vm.Self.Value, typeName(c), c.GetVirtualController().BusNumber, *disk.UnitNumber)
		}
		l.disks = append(l.disks, &leaseDisk{
			name:     fmt.Sprintf("disk-%d.vmdk", len(l.disks)),
			source:   local,
			capacity: capacity,
			key:      key,
		})
	}
	l.Info = &types.HttpNfcLeaseInfo{
		Lease:                 l.Self,
		Entity:                vm.Self,
		TotalDiskCapacityInKB: totalKB,
		LeaseTimeout:          int32((l.timeout + time.Second - 1) / time.Second),
	}
	simulator.Map.Put(l)
	leases.Lock()
	leases.m[id] = l
	leases.Unlock()
	log.Printf("vcsim-lab: ExportVm %s -> %s (%d disks)", vm.Name, id, len(l.disks))
	return l, nil
}

func typeName(v interface{}) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	return t.Name()
}

// prepare builds the streamOptimized VMDKs, then makes the lease ready and
// watches its keep-alive.
func (l *labLease) prepare() {
	for i, d := range l.disks {
		if !l.isOpen() {
			return
		}
		out, err := streamOptimized(d.source, d.capacity)
		if err != nil {
			log.Printf("vcsim-lab: lease %s: %v", l.Self.Value, err)
			l.end(types.HttpNfcLeaseStateError, &types.SystemError{Reason: err.Error()}, "Failed to prepare the disk for export: "+err.Error())
			return
		}
		st, err := os.Stat(out)
		if err != nil {
			l.end(types.HttpNfcLeaseStateError, &types.SystemError{Reason: err.Error()}, err.Error())
			return
		}
		d.vmdk, d.size = out, st.Size()
		pct := int32((i + 1) * 100 / len(l.disks))
		simulator.Map.WithLock(l, func() {
			simulator.Map.Update(l, []types.PropertyChange{{Name: "initializeProgress", Val: pct}})
		})
	}
	base := lab.baseURL
	ready := false
	simulator.Map.WithLock(l, func() {
		if l.State != types.HttpNfcLeaseStateInitializing {
			return
		}
		info := *l.Info
		info.DeviceUrl = nil
		vmName := entityName(l.vm)
		for _, d := range l.disks {
			importKey := strings.Replace(d.key, "/"+l.vm.Value+"/", "/"+vmName+"/", 1)
			info.DeviceUrl = append(info.DeviceUrl, types.HttpNfcLeaseDeviceUrl{
				Key:           d.key,
				ImportKey:     importKey,
				Url:           base + "/nfc/" + l.Self.Value + "/" + d.name,
				SslThumbprint: lab.sha1Thumbprint,
				Disk:          types.NewBool(true),
				TargetId:      d.name,
				FileSize:      d.size,
			})
		}
		atomic.StoreInt64(&l.lastAlive, time.Now().UnixNano())
		simulator.Map.Update(l, []types.PropertyChange{
			{Name: "info", Val: &info},
			{Name: "initializeProgress", Val: int32(100)},
			{Name: "state", Val: types.HttpNfcLeaseStateReady},
		})
		ready = true
	})
	if !ready {
		return
	}
	log.Printf("vcsim-lab: lease %s ready", l.Self.Value)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-l.ended:
			return
		case <-lab.stop:
			return
		case <-tick.C:
			idle := time.Since(time.Unix(0, atomic.LoadInt64(&l.lastAlive)))
			if idle > l.timeout {
				l.end(types.HttpNfcLeaseStateError, &types.Timedout{},
					fmt.Sprintf("The lease timed out: no HttpNfcLeaseProgress for %s (leaseTimeout %d s).", idle.Round(time.Millisecond), l.Info.LeaseTimeout))
				return
			}
		}
	}
}

// descriptorExtents returns the local paths of the extents a VMDK text
// descriptor names (FLAT/SPARSE lines), for the /folder byte counting.
func descriptorExtents(desc string) []string {
	f, err := os.Open(desc)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, buf)
	var out []string
	for _, line := range strings.Split(string(buf[:n]), "\n") {
		line = strings.TrimSpace(line)
		if !(strings.HasPrefix(line, "RW ") || strings.HasPrefix(line, "RDONLY ")) {
			continue
		}
		i := strings.Index(line, `"`)
		j := strings.LastIndex(line, `"`)
		if i < 0 || j <= i {
			continue
		}
		out = append(out, filepath.Clean(filepath.Join(filepath.Dir(desc), line[i+1:j])))
	}
	// the stock model's empty disk1.vmdk comes with a disk1-flat.vmdk
	if len(out) == 0 && strings.HasSuffix(desc, ".vmdk") {
		flat := strings.TrimSuffix(desc, ".vmdk") + "-flat.vmdk"
		if _, err := os.Stat(flat); err == nil {
			out = append(out, flat)
		}
	}
	return out
}

var convertMu sync.Mutex

// streamOptimized returns a streamOptimized VMDK of the disk whose descriptor
// is src, built with qemu-img and cached by the identity (size, mtime) of the
// descriptor and its extents. A descriptor that is not a VMDK (the stock
// model's empty files) exports as an empty disk of the given capacity.
func streamOptimized(src string, capacity int64) (string, error) {
	convertMu.Lock()
	defer convertMu.Unlock()
	h := sha256.New()
	files := append([]string{src}, descriptorExtents(src)...)
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return "", fmt.Errorf("disk file %s: %v", filepath.Base(f), err)
		}
		fmt.Fprintf(h, "%s|%d|%d\n", filepath.Base(f), st.Size(), st.ModTime().UnixNano())
	}
	fmt.Fprintf(h, "capacity=%d\n", capacity)
	key := hex.EncodeToString(h.Sum(nil))[:24]
	dir := lab.exportCache
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(dir, key+".vmdk")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	tmp := out + fmt.Sprintf(".tmp%d", os.Getpid())
	start := time.Now()
	var cmd *exec.Cmd
	if isVMDK(src) {
		cmd = exec.Command("nice", "-n", "10", "qemu-img", "convert", "-f", "vmdk", "-O", "vmdk", "-o", "subformat=streamOptimized", src, tmp)
	} else {
		cmd = exec.Command("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=streamOptimized", tmp, fmt.Sprint(capacity))
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, strings.TrimSpace(string(b)))
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", err
	}
	log.Printf("vcsim-lab: streamOptimized VMDK of %s built in %s", src, time.Since(start).Round(time.Millisecond))
	return out, nil
}

// isVMDK: a text descriptor or a sparse VMDK ("KDMV" magic).
func isVMDK(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 512)
	n, _ := io.ReadFull(f, b)
	s := string(b[:n])
	return strings.HasPrefix(s, "KDMV") || strings.Contains(s, "# Disk DescriptorFile")
}

// ---------------------------------------------------------------------------
// HTTP side

// serveLeaseNFC answers /nfc/<lease>/<disk> for lab leases; false if the lease
// is not one of the lab's (the stock handler then answers).
func serveLeaseNFC(w http.ResponseWriter, r *http.Request) bool {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/nfc/"), "/")
	if len(parts) != 2 {
		return false
	}
	leases.Lock()
	l := leases.m[parts[0]]
	leases.Unlock()
	if l == nil {
		return false
	}
	var d *leaseDisk
	for _, x := range l.disks {
		if x.name == parts[1] {
			d = x
		}
	}
	state, _ := l.state()
	switch {
	case d == nil:
		http.NotFound(w, r)
	case state == types.HttpNfcLeaseStateDone || state == types.HttpNfcLeaseStateError:
		http.Error(w, "lease "+l.Self.Value+" is "+string(state), http.StatusGone)
	case state != types.HttpNfcLeaseStateReady:
		http.Error(w, "lease "+l.Self.Value+" is not ready", http.StatusServiceUnavailable)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
	default:
		serveCounted(w, r, d.vmdk, []*labLease{l})
	}
	return true
}

// leasesWatching returns the open leases that count bytes of this local file.
func leasesWatching(local string) []*labLease {
	local = filepath.Clean(local)
	leases.Lock()
	var out []*labLease
	for _, l := range leases.m {
		if l.watch[local] {
			out = append(out, l)
		}
	}
	leases.Unlock()
	var open []*labLease
	for _, l := range out {
		if l.isOpen() {
			open = append(open, l)
		}
	}
	return open
}

// openLeaseOf returns the id of an open lease of the VM, or "".
func openLeaseOf(vm types.ManagedObjectReference) string {
	leases.Lock()
	var ls []*labLease
	for _, l := range leases.m {
		if l.vm == vm {
			ls = append(ls, l)
		}
	}
	leases.Unlock()
	for _, l := range ls {
		if l.isOpen() {
			return l.Self.Value
		}
	}
	return ""
}

// serveFolderCounted handles a datastore /folder GET of a file an open lease
// watches (so abortLeaseAfterBytes sees those bytes); false otherwise.
func serveFolderCounted(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	ds, ok := findByName("Datastore", r.URL.Query().Get("dsName")).(*simulator.Datastore)
	if !ok {
		return false
	}
	rel := strings.TrimPrefix(r.URL.Path, "/folder")
	local := filepath.Join(dsURL(ds), filepath.FromSlash(rel))
	ls := leasesWatching(local)
	if len(ls) == 0 {
		return false
	}
	serveCounted(w, r, local, ls)
	return true
}

// serveCounted serves a file with Range support, counting the bytes against
// the leases: once a lease's abortLeaseAfterBytes is reached, or a lease ends
// while the bytes flow, the connection is cut.
func serveCounted(w http.ResponseWriter, r *http.Request, file string, ls []*labLease) {
	f, err := os.Open(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	cw := &countingWriter{ResponseWriter: w, leases: ls}
	http.ServeContent(cw, r, filepath.Base(file), st.ModTime(), f)
}

type countingWriter struct {
	http.ResponseWriter
	leases []*labLease
}

func (c *countingWriter) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		chunk := b
		if len(chunk) > 32<<10 {
			chunk = chunk[:32<<10]
		}
		for _, l := range c.leases {
			select {
			case <-l.ended:
				log.Printf("vcsim-lab: lease %s ended while its bytes were served; cutting the connection", l.Self.Value)
				panic(http.ErrAbortHandler)
			default:
			}
			if l.abortAfter > 0 {
				before := atomic.LoadInt64(&l.served)
				if before+int64(len(chunk)) > l.abortAfter {
					if allow := l.abortAfter - before; allow > 0 {
						n, _ := c.ResponseWriter.Write(chunk[:allow])
						atomic.AddInt64(&l.served, int64(n))
						if fl, ok := c.ResponseWriter.(http.Flusher); ok {
							fl.Flush()
						}
					}
					l.end(types.HttpNfcLeaseStateError, &types.HostCommunication{},
						fmt.Sprintf("The export was aborted by the host after %d bytes (lab fault abortLeaseAfterBytes).", l.abortAfter))
					panic(http.ErrAbortHandler)
				}
			}
		}
		n, err := c.ResponseWriter.Write(chunk)
		written += n
		for _, l := range c.leases {
			atomic.AddInt64(&l.served, int64(n))
		}
		if err != nil {
			return written, err
		}
		b = b[len(chunk):]
	}
	return written, nil
}

// ---------------------------------------------------------------------------
// control: GET /lab/leases

func controlLeases(w http.ResponseWriter, r *http.Request) {
	leases.Lock()
	ls := make([]*labLease, 0, len(leases.m))
	for _, l := range leases.m {
		ls = append(ls, l)
	}
	leases.Unlock()
	var out []map[string]interface{}
	for _, l := range ls {
		var e map[string]interface{}
		simulator.Map.WithLock(l, func() {
			e = map[string]interface{}{
				"id":               l.Self.Value,
				"vm":               named(l.vm),
				"state":            l.State,
				"transferProgress": l.TransferProgress,
				"bytesServed":      atomic.LoadInt64(&l.served),
				"abortAfterBytes":  l.abortAfter,
			}
			if l.Error != nil {
				e["error"] = l.Error.LocalizedMessage
			}
			var urls []string
			for _, d := range l.Info.DeviceUrl {
				urls = append(urls, d.Url)
			}
			e["urls"] = urls
		})
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"leases": out})
}
