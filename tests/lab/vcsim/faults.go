package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// injectedFault is one entry of POST /lab/fault.
type injectedFault struct {
	ID           string          `json:"id"`
	Method       string          `json:"method"`                 // vim method name, "*" for any
	Entity       string          `json:"entity,omitempty"`       // _this moref value or entity name; empty: any
	Fault        string          `json:"fault,omitempty"`        // vim25 fault type, e.g. "MigrationFault"
	Message      string          `json:"message,omitempty"`      // localizedMessage / faultstring
	Detail       json.RawMessage `json:"detail,omitempty"`       // fault fields, Go names, e.g. {"Host":{"Type":"HostSystem","Value":"host-21"}}
	Count        int             `json:"count"`                  // how many calls it hits (default 1; -1: until deleted)
	At           string          `json:"at,omitempty"`           // "task" (default for *_Task) or "call" (SOAP fault)
	AfterPercent int             `json:"afterPercent,omitempty"` // task faults: fail once progress reaches this
	Delay        string          `json:"delay,omitempty"`        // delay the call by this duration first (Go syntax, "1500ms")
	DelayReply   string          `json:"delayReply,omitempty"`   // run the call at once, then hold its reply this long (Go syntax, "30s")
	// ExportVm only: the lease it returns breaks after this many bytes served
	// (lease URLs or /folder GETs of the VM's disk files): connection cut, lease error.
	AbortLeaseAfterBytes int64 `json:"abortLeaseAfterBytes,omitempty"`
	// ShutdownGuest only: the call succeeds but the guest ignores it (stays on).
	GuestIgnoresShutdown bool `json:"guestIgnoresShutdown,omitempty"`

	delay      time.Duration
	delayReply time.Duration
	faultType  string
	at         string
}

func (f *injectedFault) validate() error {
	if f.Method == "" {
		return fmt.Errorf("method is required")
	}
	if f.AbortLeaseAfterBytes < 0 {
		return fmt.Errorf("abortLeaseAfterBytes must be >= 0")
	}
	if f.AbortLeaseAfterBytes > 0 && f.Method != "ExportVm" {
		return fmt.Errorf("abortLeaseAfterBytes goes with method ExportVm")
	}
	if f.GuestIgnoresShutdown && f.Method != "ShutdownGuest" {
		return fmt.Errorf("guestIgnoresShutdown goes with method ShutdownGuest")
	}
	if (f.AbortLeaseAfterBytes > 0 || f.GuestIgnoresShutdown) && f.Fault != "" {
		return fmt.Errorf("abortLeaseAfterBytes and guestIgnoresShutdown let the call succeed; they cannot be combined with fault")
	}
	if f.Fault == "" && f.Delay == "" && f.DelayReply == "" && f.AbortLeaseAfterBytes == 0 && !f.GuestIgnoresShutdown {
		return fmt.Errorf("fault, delay, delayReply, abortLeaseAfterBytes or guestIgnoresShutdown is required")
	}
	if f.Fault != "" && f.DelayReply != "" {
		return fmt.Errorf("delayReply holds the reply of a call that runs normally; it cannot be combined with fault")
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Delay != "" {
		d, err := time.ParseDuration(f.Delay)
		if err != nil {
			return fmt.Errorf("delay: %v", err)
		}
		f.delay = d
	}
	if f.DelayReply != "" {
		d, err := time.ParseDuration(f.DelayReply)
		if err != nil || d <= 0 {
			return fmt.Errorf("delayReply: a positive Go duration such as \"30s\" is required")
		}
		f.delayReply = d
	}
	if f.Fault != "" {
		f.faultType = f.Fault
		if _, err := f.build(); err != nil {
			return err
		}
	}
	switch f.At {
	case "":
		if strings.HasSuffix(f.Method, "_Task") {
			f.at = "task"
		} else {
			f.at = "call"
		}
	case "task":
		if !strings.HasSuffix(f.Method, "_Task") {
			return fmt.Errorf(`at="task" needs a *_Task method`)
		}
		f.at = "task"
	case "call":
		f.at = "call"
	default:
		return fmt.Errorf(`at must be "task" or "call"`)
	}
	f.At = f.at
	if f.AfterPercent < 0 || f.AfterPercent > 100 {
		return fmt.Errorf("afterPercent must be 0..100")
	}
	return nil
}

// build instantiates the fault, with the optional detail fields.
func (f *injectedFault) build() (types.BaseMethodFault, error) {
	fault, err := newFault(f.faultType)
	if err != nil {
		return nil, err
	}
	if len(f.Detail) > 0 && string(f.Detail) != "null" {
		if err := json.Unmarshal(f.Detail, fault); err != nil {
			return nil, fmt.Errorf("detail: %v", err)
		}
	}
	return fault, nil
}

func (l *labState) addFault(f *injectedFault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	f.ID = fmt.Sprintf("fault-%d", l.seq)
	l.faults = append(l.faults, f)
}

func (l *labState) listFaults() []injectedFault {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]injectedFault, 0, len(l.faults))
	for _, f := range l.faults {
		out = append(out, *f)
	}
	return out
}

func (l *labState) deleteFaults(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	kept := l.faults[:0]
	for _, f := range l.faults {
		if id == "" || f.ID == id {
			n++
			continue
		}
		kept = append(kept, f)
	}
	l.faults = kept
	return n
}

// matchFault finds and consumes the first injected fault for this call.
// Task-level faults only hit authenticated calls on existing objects, so the
// simulator still answers NotAuthenticated / ManagedObjectNotFound first.
func (l *labState) matchFault(c callInfo, r *http.Request) *injectedFault {
	l.mu.Lock()
	var candidates []*injectedFault
	for _, f := range l.faults {
		if f.Method == c.Method || f.Method == "*" {
			candidates = append(candidates, f)
		}
	}
	l.mu.Unlock()
	if len(candidates) == 0 {
		return nil
	}

	var name string
	nameLoaded := false
	for _, f := range candidates {
		if f.Entity != "" && f.Entity != c.This.Value {
			if !nameLoaded {
				name = entityName(c.This)
				if snap, ok := simulator.Map.Get(c.This).(*simulator.VirtualMachineSnapshot); ok {
					name = entityName(snap.Vm)
				}
				nameLoaded = true
			}
			if f.Entity != name {
				continue
			}
		}
		if f.at == "task" && f.faultType != "" {
			if simulator.Map.Get(c.This) == nil {
				continue
			}
			if _, ok := sessionUser(r); !ok {
				continue
			}
		}
		// consume
		l.mu.Lock()
		still := false
		for i, g := range l.faults {
			if g == f {
				still = true
				if g.Count > 0 {
					g.Count--
					if g.Count == 0 {
						l.faults = append(l.faults[:i], l.faults[i+1:]...)
					}
				}
				break
			}
		}
		l.mu.Unlock()
		if still {
			cp := *f
			return &cp
		}
	}
	return nil
}
