package main

import (
	"fmt"
	"log"
	"runtime/debug"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// labTask is a vim Task that runs asynchronously for a configurable duration
// with info.progress rising from 0 to 100, and that CancelTask can stop.
type labTask struct {
	ref        types.ManagedObjectReference
	task       *simulator.Task
	method     string
	vm         *types.ManagedObjectReference
	cancelable bool
	cancelCh   chan struct{}
	cancelOnce sync.Once
}

// taskSpec describes one lab task.
type taskSpec struct {
	method     string                        // vim method name, e.g. "RelocateVM_Task"
	descID     string                        // info.descriptionId, e.g. "VirtualMachine.relocate"
	entity     types.ManagedObjectReference  // info.entity
	vm         *types.ManagedObjectReference // VM kept busy while running (another lab task on it fails with TaskInProgress)
	cancelable bool
	user       string
	duration   time.Duration

	// Injected fault: the task fails with it once progress reaches failAt percent.
	fault    types.BaseMethodFault
	faultMsg string
	failAt   int

	// precheck runs when the task starts running; a fault ends the task at once.
	precheck func() (types.BaseMethodFault, string)
	// work runs at the end of the duration and performs the operation.
	work func() (types.AnyType, types.BaseMethodFault, string)
}

// descriptionIDs are the info.descriptionId values vCenter uses.
var descriptionIDs = map[string]string{
	"RelocateVM_Task":              "VirtualMachine.relocate",
	"MigrateVM_Task":               "VirtualMachine.migrate",
	"ReconfigVM_Task":              "VirtualMachine.reconfigure",
	"CreateSnapshot_Task":          "VirtualMachine.createSnapshot",
	"RemoveAllSnapshots_Task":      "VirtualMachine.removeAllSnapshots",
	"RevertToCurrentSnapshot_Task": "VirtualMachine.revertToCurrentSnapshot",
	"RemoveSnapshot_Task":          "vm.Snapshot.remove",
	"RevertToSnapshot_Task":        "vm.Snapshot.revert",
	"PowerOnVM_Task":               "VirtualMachine.powerOn",
	"PowerOffVM_Task":              "VirtualMachine.powerOff",
}

func descriptionID(method string, this types.ManagedObjectReference) string {
	if id, ok := descriptionIDs[method]; ok {
		return id
	}
	name := method
	if len(name) > 5 && name[len(name)-5:] == "_Task" {
		name = name[:len(name)-5]
	}
	return this.Type + "." + lcFirst(name)
}

// startTask creates the Task object, starts it in the background and returns
// its reference (what the *_Task SOAP call returns).
func startTask(spec taskSpec) types.ManagedObjectReference {
	if spec.descID == "" {
		spec.descID = descriptionID(spec.method, spec.entity)
	}
	if spec.user == "" {
		spec.user = "vcsim"
	}
	task := simulator.CreateTask(spec.entity, "labTask", nil)
	simulator.Map.WithLock(task, func() {
		task.Info.Name = spec.method
		task.Info.DescriptionId = spec.descID
		task.Info.EntityName = entityName(spec.entity)
		task.Info.Reason = &types.TaskReasonUser{UserName: spec.user}
		task.Info.Cancelable = spec.cancelable
	})

	lt := &labTask{
		ref:        task.Self,
		task:       task,
		method:     spec.method,
		cancelable: spec.cancelable,
		cancelCh:   make(chan struct{}),
	}

	// Exclusive per VM, like vCenter: a second operation on a busy VM fails.
	var conflict *types.ManagedObjectReference
	lab.mu.Lock()
	lab.tasks[task.Self] = lt
	if spec.vm != nil {
		if other, busy := lab.busy[*spec.vm]; busy {
			o := other
			conflict = &o
		} else {
			lab.busy[*spec.vm] = task.Self
			lt.vm = spec.vm
		}
	}
	lab.mu.Unlock()

	if conflict != nil {
		spec.precheck = func() (types.BaseMethodFault, string) {
			return &types.TaskInProgress{Task: *conflict}, "Another task is already in progress."
		}
	}

	go lt.run(spec)
	return task.Self
}

func (lt *labTask) update(changes ...types.PropertyChange) {
	simulator.Map.WithLock(lt.task, func() {
		simulator.Map.Update(lt.task, changes)
	})
}

func (lt *labTask) run(spec taskSpec) {
	defer func() {
		// A panic in simulator code must fail the task, not kill the server.
		if r := recover(); r != nil {
			log.Printf("vcsim-lab: %s %s panicked: %v\n%s", lt.method, lt.ref.Value, r, debug.Stack())
			lt.finish(nil, &types.SystemError{Reason: fmt.Sprint(r)}, fmt.Sprintf("A general system error occurred: %v", r), 0)
		}
	}()
	start := time.Now()
	lt.update(
		types.PropertyChange{Name: "info.startTime", Val: start},
		types.PropertyChange{Name: "info.state", Val: types.TaskInfoStateRunning},
		types.PropertyChange{Name: "info.progress", Val: int32(0)},
	)

	if spec.precheck != nil {
		if f, msg := spec.precheck(); f != nil {
			lt.finish(nil, f, msg, 0)
			return
		}
	}

	d := spec.duration
	tick := d / 20
	if tick < 25*time.Millisecond {
		tick = 25 * time.Millisecond
	}
	if tick > 500*time.Millisecond {
		tick = 500 * time.Millisecond
	}
	last := int32(0)
	for {
		elapsed := time.Since(start)
		pct := int32(100)
		if d > 0 && elapsed < d {
			pct = int32(elapsed * 100 / d)
		}
		if spec.fault != nil && int(pct) >= spec.failAt {
			if pct > 99 {
				pct = 99
			}
			if pct < last {
				pct = last
			}
			lt.finish(nil, spec.fault, spec.faultMsg, pct)
			return
		}
		select {
		case <-lt.cancelCh:
			lt.finish(nil, &types.RequestCanceled{}, "", last)
			return
		case <-lab.stop:
			return
		default:
		}
		if elapsed >= d {
			break
		}
		if pct > 99 {
			pct = 99
		}
		if pct != last {
			last = pct
			lt.update(types.PropertyChange{Name: "info.progress", Val: pct})
		}
		wait := tick
		if rest := d - elapsed; rest < wait {
			wait = rest
		}
		select {
		case <-lt.cancelCh:
			lt.finish(nil, &types.RequestCanceled{}, "", last)
			return
		case <-lab.stop:
			return
		case <-time.After(wait):
		}
	}

	var (
		res   types.AnyType
		fault types.BaseMethodFault
		msg   string
	)
	if spec.work != nil {
		res, fault, msg = spec.work()
	}
	lt.finish(res, fault, msg, last)
}

func (lt *labTask) finish(res types.AnyType, fault types.BaseMethodFault, msg string, progress int32) {
	state := types.TaskInfoStateSuccess
	var errVal interface{}
	if fault != nil {
		state = types.TaskInfoStateError
		if msg == "" {
			msg = defaultFaultMessage(fault)
		}
		errVal = types.LocalizedMethodFault{Fault: fault, LocalizedMessage: msg}
	} else {
		progress = 100
	}

	// Leave the busy set before the task is seen as complete, so a client that
	// starts the next operation right after completion is not refused.
	lab.mu.Lock()
	if lt.vm != nil && lab.busy[*lt.vm] == lt.ref {
		delete(lab.busy, *lt.vm)
	}
	delete(lab.tasks, lt.ref)
	lab.mu.Unlock()

	changes := []types.PropertyChange{
		{Name: "info.progress", Val: progress},
		{Name: "info.completeTime", Val: time.Now()},
		{Name: "info.result", Val: res},
		{Name: "info.error", Val: errVal},
		{Name: "info.state", Val: state},
	}
	lt.update(changes...)
	if fault != nil {
		log.Printf("vcsim-lab: %s %s (%s) failed: %s: %s", lt.method, lt.ref.Value, lt.task.Info.EntityName, faultName(fault), msg)
	} else {
		log.Printf("vcsim-lab: %s %s (%s) succeeded", lt.method, lt.ref.Value, lt.task.Info.EntityName)
	}
}

// cancelTask implements CancelTask for lab tasks.
func cancelTask(ref types.ManagedObjectReference) (types.BaseMethodFault, string) {
	lab.mu.Lock()
	lt := lab.tasks[ref]
	lab.mu.Unlock()
	if lt == nil {
		if _, ok := simulator.Map.Get(ref).(*simulator.Task); ok {
			return &types.InvalidState{}, "The operation is not allowed in the current state."
		}
		return &types.ManagedObjectNotFound{Obj: ref}, ""
	}
	if !lt.cancelable {
		return &types.NotSupported{}, "The operation is not supported on the object."
	}
	lt.cancelOnce.Do(func() {
		lt.update(types.PropertyChange{Name: "info.cancelled", Val: true})
		close(lt.cancelCh)
	})
	return nil, ""
}

// labTaskProxy receives CancelTask calls for Task objects.
type labTaskProxy struct {
	proxyBase
}

func (p *labTaskProxy) CancelTask(ctx *simulator.Context, req *types.CancelTask) soap.HasFault {
	body := new(methods.CancelTaskBody)
	if f, msg := cancelTask(p.orig); f != nil {
		body.Fault_ = soapFault(msg, f)
		return body
	}
	body.Res = new(types.CancelTaskResponse)
	return body
}

// innerTaskResult reads the outcome of a task created synchronously by a stock
// simulator method that a lab task wrapped, then removes that task so that
// only the lab task is visible (in TaskManager.recentTask, too).
func innerTaskResult(ref types.ManagedObjectReference) (types.AnyType, types.BaseMethodFault, string) {
	t, ok := simulator.Map.Get(ref).(*simulator.Task)
	if !ok {
		return nil, nil, ""
	}
	var (
		res   types.AnyType
		fault types.BaseMethodFault
	)
	simulator.Map.WithLock(t, func() {
		res = t.Info.Result
		if t.Info.Error != nil {
			fault = t.Info.Error.Fault
		}
	})
	simulator.Map.Remove(ref)

	tm := taskManager()
	tm.Lock()
	recent := make([]types.ManagedObjectReference, 0, len(tm.RecentTask))
	for _, r := range tm.RecentTask {
		if r != ref {
			recent = append(recent, r)
		}
	}
	simulator.Map.Update(tm, []types.PropertyChange{{Name: "recentTask", Val: recent}})
	tm.Unlock()

	return res, fault, ""
}

// soapFault wraps a fault for a SOAP method body, with a vCenter-like message.
func soapFault(msg string, f types.BaseMethodFault) *soap.Fault {
	if msg == "" {
		msg = defaultFaultMessage(f)
	}
	return simulator.Fault(msg, f)
}
