package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// labState is the process-wide state of the lab extensions.
type labState struct {
	mu sync.Mutex

	taskDuration      time.Duration
	methodDuration    map[string]time.Duration
	defaultMaxObjects int
	username          string
	password          string

	faults []*injectedFault
	busy   map[types.ManagedObjectReference]types.ManagedObjectReference // VM -> running lab task
	tasks  map[types.ManagedObjectReference]*labTask
	pages  map[string]*pendingPage
	seq    int64

	// export and guest shutdown (export.go, guest.go)
	baseURL            string        // scheme://host:port of the listener, for lease URLs
	sha1Thumbprint     string        // of the TLS certificate, for deviceUrl.sslThumbprint
	exportCache        string        // where streamOptimized VMDKs are cached
	leaseTimeout       time.Duration // HttpNfcLease keep-alive timeout
	guestShutdownDelay time.Duration // ShutdownGuest: time until the guest powers off
	abortAfter         map[types.ManagedObjectReference]int64
	ignoreShutdown     map[types.ManagedObjectReference]bool

	stop chan struct{}
}

var lab = &labState{
	methodDuration:     map[string]time.Duration{},
	busy:               map[types.ManagedObjectReference]types.ManagedObjectReference{},
	tasks:              map[types.ManagedObjectReference]*labTask{},
	pages:              map[string]*pendingPage{},
	leaseTimeout:       300 * time.Second,
	abortAfter:         map[types.ManagedObjectReference]int64{},
	ignoreShutdown:     map[types.ManagedObjectReference]bool{},
	guestShutdownDelay: 2 * time.Second,
	stop:               make(chan struct{}),
}

func (l *labState) shutdown() {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
}

func (l *labState) durationFor(method string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d, ok := l.methodDuration[method]; ok {
		return d
	}
	return l.taskDuration
}

func (l *labState) leaseTimeoutValue() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.leaseTimeout
}

func (l *labState) shutdownDelay() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.guestShutdownDelay
}

// takeAbortAfter returns and forgets the abortLeaseAfterBytes an injected
// fault armed for the next ExportVm of this VM.
func (l *labState) takeAbortAfter(vm types.ManagedObjectReference) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.abortAfter[vm]
	delete(l.abortAfter, vm)
	return n
}

func (l *labState) takeIgnoreShutdown(vm types.ManagedObjectReference) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.ignoreShutdown[vm]
	delete(l.ignoreShutdown, vm)
	return b
}

func (l *labState) nextID(prefix string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	return fmt.Sprintf("%s-%d", prefix, l.seq)
}

// ---------------------------------------------------------------------------
// Registry helpers

func serviceContent() types.ServiceContent {
	return simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content
}

func taskManager() *simulator.TaskManager {
	return simulator.Map.Get(*serviceContent().TaskManager).(*simulator.TaskManager)
}

// entityName returns the name of a managed entity, or "" if ref is not one.
func entityName(ref types.ManagedObjectReference) string {
	if e, ok := simulator.Map.Get(ref).(mo.Entity); ok {
		return e.Entity().Name
	}
	return ""
}

// findByName looks a managed entity of the given type up by name.
func findByName(kind, name string) mo.Entity {
	for _, e := range simulator.Map.All(kind) {
		if e.Entity().Name == name {
			return e
		}
	}
	return nil
}

// resolveRef accepts either a managed object id ("host-12") or an entity name
// ("DC0_C0_H1") and returns the reference of the given type.
func resolveRef(kind, s string) (types.ManagedObjectReference, bool) {
	ref := types.ManagedObjectReference{Type: kind, Value: s}
	if simulator.Map.Get(ref) != nil {
		return ref, true
	}
	if e := findByName(kind, s); e != nil {
		return e.Reference(), true
	}
	return types.ManagedObjectReference{}, false
}

func lcFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// newFault instantiates a vim25 fault type by name ("InvalidHostState").
func newFault(name string) (types.BaseMethodFault, error) {
	t, ok := types.TypeFunc()(name)
	if !ok {
		return nil, fmt.Errorf("unknown vim25 type %q", name)
	}
	v := reflect.New(t).Interface()
	f, ok := v.(types.BaseMethodFault)
	if !ok {
		return nil, fmt.Errorf("%q is not a MethodFault", name)
	}
	return f, nil
}

func faultName(f types.BaseMethodFault) string {
	t := reflect.TypeOf(f)
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	return t.Name()
}

// Default localized messages, worded like vCenter's.
func defaultFaultMessage(f types.BaseMethodFault) string {
	switch x := f.(type) {
	case *types.InvalidHostState:
		return "The operation is not allowed in the current state of the host."
	case *types.RequestCanceled:
		return "The task was canceled by a user."
	case *types.TaskInProgress:
		return "Another task is already in progress."
	case *types.InvalidArgument:
		if x.InvalidProperty != "" {
			return "A specified parameter was not correct: " + x.InvalidProperty
		}
		return "A specified parameter was not correct."
	case *types.ManagedObjectNotFound:
		return fmt.Sprintf("The object 'vim.%s:%s' has already been deleted or has not been completely created", x.Obj.Type, x.Obj.Value)
	case *types.NotAuthenticated:
		return "The session is not authenticated."
	case *types.InvalidState:
		return "The operation is not allowed in the current state."
	case *types.NotSupported:
		return "The operation is not supported on the object."
	case *types.InvalidLogin:
		return "Cannot complete login due to an incorrect user name or password."
	case *types.DatastoreNotWritableOnHost:
		return "The datastore is not accessible (writable) from the target host."
	case *types.InvalidPowerState:
		return "The attempted operation cannot be performed in the current state (" + string(x.ExistingState) + ")."
	case *types.NotFound:
		return "The object or item referred to could not be found."
	}
	return faultName(f)
}

// internalContext builds a simulator.Context for lab-internal calls that are
// not tied to a SOAP request (control endpoint).
func internalContext() *simulator.Context {
	return &simulator.Context{
		Context: context.Background(),
		Map:     simulator.Map,
		Session: &simulator.Session{
			UserSession: types.UserSession{Key: "vcsim-lab-control", UserName: "vcsim-lab"},
			Registry:    simulator.NewRegistry(),
		},
	}
}
