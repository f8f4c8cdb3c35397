package main

import (
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// labVMProxy turns the VirtualMachine task methods into lab tasks that run
// for the configured duration; the operation itself happens at the end
// (RelocateVM_Task and MigrateVM_Task are implemented here, the others call
// the stock simulator method then).
type labVMProxy struct {
	proxyBase
}

func (p *labVMProxy) vm() *simulator.VirtualMachine {
	vm, _ := simulator.Map.Get(p.orig).(*simulator.VirtualMachine)
	return vm
}

func userOf(ctx *simulator.Context) string {
	if ctx.Session != nil {
		return ctx.Session.UserName
	}
	return ""
}

// callCtx returns a copy of the request context for calling stock methods
// while the lab holds the lock of obj.
func callCtx(ctx *simulator.Context, obj types.ManagedObjectReference) *simulator.Context {
	c := *ctx
	ref := obj
	c.Caller = &ref
	return &c
}

func (p *labVMProxy) RelocateVMTask(ctx *simulator.Context, req *types.RelocateVM_Task) soap.HasFault {
	body := new(methods.RelocateVM_TaskBody)
	req.This = p.orig
	vm := p.vm()
	if vm == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	if f := validateRelocateRefs(&req.Spec); f != nil {
		body.Fault_ = soapFault("", f)
		return body
	}
	body.Res = &types.RelocateVM_TaskResponse{Returnval: startRelocate(ctx, vm, "RelocateVM_Task", req.Spec, "")}
	return body
}

func (p *labVMProxy) MigrateVMTask(ctx *simulator.Context, req *types.MigrateVM_Task) soap.HasFault {
	body := new(methods.MigrateVM_TaskBody)
	req.This = p.orig
	vm := p.vm()
	if vm == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	spec := types.VirtualMachineRelocateSpec{Pool: req.Pool, Host: req.Host}
	if f := validateRelocateRefs(&spec); f != nil {
		body.Fault_ = soapFault("", f)
		return body
	}
	body.Res = &types.MigrateVM_TaskResponse{Returnval: startRelocate(ctx, vm, "MigrateVM_Task", spec, req.State)}
	return body
}

func startRelocate(ctx *simulator.Context, vm *simulator.VirtualMachine, method string, spec types.VirtualMachineRelocateSpec, state types.VirtualMachinePowerState) types.ManagedObjectReference {
	self := vm.Self
	return startTask(taskSpec{
		method:     method,
		entity:     self,
		vm:         &self,
		cancelable: true,
		user:       userOf(ctx),
		duration:   lab.durationFor(method),
		precheck: func() (types.BaseMethodFault, string) {
			var f types.BaseMethodFault
			var msg string
			simulator.Map.WithLock(vm, func() {
				if state != "" && vm.Runtime.PowerState != state {
					f = &types.InvalidPowerState{RequestedState: state, ExistingState: vm.Runtime.PowerState}
					return
				}
				_, f, msg = planRelocate(vm, &spec)
			})
			return f, msg
		},
		work: func() (types.AnyType, types.BaseMethodFault, string) {
			var f types.BaseMethodFault
			var msg string
			simulator.Map.WithLock(vm, func() {
				if simulator.Map.Get(self) == nil {
					f = &types.ManagedObjectNotFound{Obj: self}
					return
				}
				var plan *relocatePlan
				plan, f, msg = planRelocate(vm, &spec)
				if f != nil {
					return
				}
				f, msg = applyRelocate(callCtx(ctx, self), vm, plan)
			})
			return nil, f, msg
		},
	})
}

func validMigrateEncryption(s string) bool {
	switch types.VirtualMachineConfigSpecEncryptedVMotionModes(s) {
	case types.VirtualMachineConfigSpecEncryptedVMotionModesDisabled,
		types.VirtualMachineConfigSpecEncryptedVMotionModesOpportunistic,
		types.VirtualMachineConfigSpecEncryptedVMotionModesRequired:
		return true
	}
	return false
}

func (p *labVMProxy) ReconfigVMTask(ctx *simulator.Context, req *types.ReconfigVM_Task) soap.HasFault {
	body := new(methods.ReconfigVM_TaskBody)
	req.This = p.orig
	vm := p.vm()
	if vm == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	if me := req.Spec.MigrateEncryption; me != "" && !validMigrateEncryption(me) {
		body.Fault_ = soapFault("A specified parameter was not correct: spec.migrateEncryption",
			&types.InvalidArgument{InvalidProperty: "spec.migrateEncryption"})
		return body
	}
	self := vm.Self
	body.Res = &types.ReconfigVM_TaskResponse{Returnval: startTask(taskSpec{
		method:   "ReconfigVM_Task",
		entity:   self,
		vm:       &self,
		user:     userOf(ctx),
		duration: lab.durationFor("ReconfigVM_Task"),
		work: func() (types.AnyType, types.BaseMethodFault, string) {
			var inner types.ManagedObjectReference
			simulator.Map.WithLock(vm, func() {
				res := vm.ReconfigVMTask(callCtx(ctx, self), req)
				inner = res.(*methods.ReconfigVM_TaskBody).Res.Returnval
			})
			res, f, msg := innerTaskResult(inner)
			if f == nil && req.Spec.MigrateEncryption != "" {
				simulator.Map.WithLock(vm, func() {
					simulator.Map.Update(vm, []types.PropertyChange{
						{Name: "config.migrateEncryption", Val: req.Spec.MigrateEncryption},
					})
				})
			}
			return res, f, msg
		},
	})}
	return body
}

func (p *labVMProxy) CreateSnapshotTask(ctx *simulator.Context, req *types.CreateSnapshot_Task) soap.HasFault {
	body := new(methods.CreateSnapshot_TaskBody)
	req.This = p.orig
	vm := p.vm()
	if vm == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	self := vm.Self
	body.Res = &types.CreateSnapshot_TaskResponse{Returnval: startTask(taskSpec{
		method:   "CreateSnapshot_Task",
		entity:   self,
		vm:       &self,
		user:     userOf(ctx),
		duration: lab.durationFor("CreateSnapshot_Task"),
		work: func() (types.AnyType, types.BaseMethodFault, string) {
			var inner types.ManagedObjectReference
			simulator.Map.WithLock(vm, func() {
				res := vm.CreateSnapshotTask(req)
				inner = res.(*methods.CreateSnapshot_TaskBody).Res.Returnval
			})
			return innerTaskResult(inner)
		},
	})}
	return body
}

func (p *labVMProxy) RemoveAllSnapshotsTask(ctx *simulator.Context, req *types.RemoveAllSnapshots_Task) soap.HasFault {
	body := new(methods.RemoveAllSnapshots_TaskBody)
	req.This = p.orig
	vm := p.vm()
	if vm == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	self := vm.Self
	body.Res = &types.RemoveAllSnapshots_TaskResponse{Returnval: startTask(taskSpec{
		method:   "RemoveAllSnapshots_Task",
		entity:   self,
		vm:       &self,
		user:     userOf(ctx),
		duration: lab.durationFor("RemoveAllSnapshots_Task"),
		work: func() (types.AnyType, types.BaseMethodFault, string) {
			var inner types.ManagedObjectReference
			simulator.Map.WithLock(vm, func() {
				res := vm.RemoveAllSnapshotsTask(callCtx(ctx, self), req)
				inner = res.(*methods.RemoveAllSnapshots_TaskBody).Res.Returnval
			})
			return innerTaskResult(inner)
		},
	})}
	return body
}

func (p *labVMProxy) RevertToCurrentSnapshotTask(ctx *simulator.Context, req *types.RevertToCurrentSnapshot_Task) soap.HasFault {
	body := new(methods.RevertToCurrentSnapshot_TaskBody)
	req.This = p.orig
	vm := p.vm()
	if vm == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	var none bool
	simulator.Map.WithLock(vm, func() { none = vm.Snapshot == nil || vm.Snapshot.CurrentSnapshot == nil })
	if none {
		body.Fault_ = soapFault("snapshot not found", &types.NotFound{})
		return body
	}
	self := vm.Self
	body.Res = &types.RevertToCurrentSnapshot_TaskResponse{Returnval: startTask(taskSpec{
		method:   "RevertToCurrentSnapshot_Task",
		entity:   self,
		vm:       &self,
		user:     userOf(ctx),
		duration: lab.durationFor("RevertToCurrentSnapshot_Task"),
		work: func() (types.AnyType, types.BaseMethodFault, string) {
			var inner types.ManagedObjectReference
			var fault *soap.Fault
			simulator.Map.WithLock(vm, func() {
				res := vm.RevertToCurrentSnapshotTask(req)
				b := res.(*methods.RevertToCurrentSnapshot_TaskBody)
				if b.Fault_ != nil {
					fault = b.Fault_
					return
				}
				inner = b.Res.Returnval
			})
			if fault != nil {
				if mf, ok := fault.VimFault().(types.BaseMethodFault); ok {
					return nil, mf, fault.String
				}
				return nil, &types.NotFound{}, fault.String
			}
			return innerTaskResult(inner)
		},
	})}
	return body
}

// labSnapshotProxy does the same for VirtualMachineSnapshot tasks.
type labSnapshotProxy struct {
	proxyBase
}

func (p *labSnapshotProxy) snapshot() *simulator.VirtualMachineSnapshot {
	s, _ := simulator.Map.Get(p.orig).(*simulator.VirtualMachineSnapshot)
	return s
}

func (p *labSnapshotProxy) RemoveSnapshotTask(ctx *simulator.Context, req *types.RemoveSnapshot_Task) soap.HasFault {
	body := new(methods.RemoveSnapshot_TaskBody)
	req.This = p.orig
	snap := p.snapshot()
	if snap == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	vmRef := snap.Vm
	body.Res = &types.RemoveSnapshot_TaskResponse{Returnval: startTask(taskSpec{
		method:   "RemoveSnapshot_Task",
		entity:   vmRef,
		vm:       &vmRef,
		user:     userOf(ctx),
		duration: lab.durationFor("RemoveSnapshot_Task"),
		work: func() (types.AnyType, types.BaseMethodFault, string) {
			if simulator.Map.Get(p.orig) == nil {
				return nil, &types.ManagedObjectNotFound{Obj: p.orig}, ""
			}
			var inner types.ManagedObjectReference
			simulator.Map.WithLock(snap, func() {
				res := snap.RemoveSnapshotTask(callCtx(ctx, snap.Self), req)
				inner = res.(*methods.RemoveSnapshot_TaskBody).Res.Returnval
			})
			return innerTaskResult(inner)
		},
	})}
	return body
}

func (p *labSnapshotProxy) RevertToSnapshotTask(ctx *simulator.Context, req *types.RevertToSnapshot_Task) soap.HasFault {
	body := new(methods.RevertToSnapshot_TaskBody)
	req.This = p.orig
	snap := p.snapshot()
	if snap == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	vmRef := snap.Vm
	body.Res = &types.RevertToSnapshot_TaskResponse{Returnval: startTask(taskSpec{
		method:   "RevertToSnapshot_Task",
		entity:   vmRef,
		vm:       &vmRef,
		user:     userOf(ctx),
		duration: lab.durationFor("RevertToSnapshot_Task"),
		work: func() (types.AnyType, types.BaseMethodFault, string) {
			if simulator.Map.Get(p.orig) == nil {
				return nil, &types.ManagedObjectNotFound{Obj: p.orig}, ""
			}
			var inner types.ManagedObjectReference
			simulator.Map.WithLock(snap, func() {
				res := snap.RevertToSnapshotTask(req)
				inner = res.(*methods.RevertToSnapshot_TaskBody).Res.Returnval
			})
			return innerTaskResult(inner)
		},
	})}
	return body
}
