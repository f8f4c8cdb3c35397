package main

import (
	"log"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Guest shutdown as vCenter does it: ShutdownGuest only asks the guest (via
// VMware Tools) and returns at once; the guest powers off a little later
// (guestShutdownDelay), or never if it ignores the request (the
// guestIgnoresShutdown fault knob), which is why callers fall back to
// PowerOffVM_Task after a timeout. Stock 0.24.2 powers the VM off inside the
// call and does not look at the tools. guest.toolsRunningStatus follows the
// power state: guestToolsRunning while on, guestToolsNotRunning while off.

func setToolsRunning(vm *simulator.VirtualMachine, running bool) {
	status := string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
	tools := types.VirtualMachineToolsStatusToolsNotRunning
	if running {
		status = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
		tools = types.VirtualMachineToolsStatusToolsOk
	}
	if vm.Guest == nil {
		vm.Guest = &types.GuestInfo{}
	}
	simulator.Map.Update(vm, []types.PropertyChange{
		{Name: "guest.toolsRunningStatus", Val: status},
		{Name: "guest.toolsStatus", Val: tools},
		{Name: "summary.guest.toolsRunningStatus", Val: status},
		{Name: "summary.guest.toolsStatus", Val: tools},
	})
}

func toolsRunning(vm *simulator.VirtualMachine) bool {
	return vm.Guest != nil && vm.Guest.ToolsRunningStatus == string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
}

func (p *labVMProxy) ShutdownGuest(ctx *simulator.Context, req *types.ShutdownGuest) soap.HasFault {
	body := new(methods.ShutdownGuestBody)
	vm := p.vm()
	if vm == nil {
		body.Fault_ = soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
		return body
	}
	ignore := lab.takeIgnoreShutdown(vm.Self)
	simulator.Map.WithLock(vm, func() {
		if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
			body.Fault_ = soapFault("", &types.InvalidPowerState{
				RequestedState: types.VirtualMachinePowerStatePoweredOn,
				ExistingState:  vm.Runtime.PowerState,
			})
			return
		}
		if !toolsRunning(vm) {
			body.Fault_ = soapFault("Cannot complete operation because VMware Tools is not running in this virtual machine.", &types.ToolsUnavailable{})
		}
	})
	if body.Fault_ != nil {
		return body
	}
	body.Res = new(types.ShutdownGuestResponse)
	if ignore {
		log.Printf("vcsim-lab: guest of %s ignores ShutdownGuest (fault knob)", vm.Name)
		return body
	}
	delay := lab.shutdownDelay()
	self := vm.Self
	log.Printf("vcsim-lab: guest of %s shuts down in %s", vm.Name, delay)
	go func() {
		select {
		case <-time.After(delay):
		case <-lab.stop:
			return
		}
		simulator.Map.WithLock(vm, func() {
			if simulator.Map.Get(self) == nil || vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
				return
			}
			c := internalContext()
			c.Caller = &self
			vm.ShutdownGuest(c, &types.ShutdownGuest{This: self})
			setToolsRunning(vm, false)
		})
	}()
	return body
}

func (p *labVMProxy) PowerOnVMTask(ctx *simulator.Context, req *types.PowerOnVM_Task) soap.HasFault {
	// vCenter keeps a VM that is being exported locked: it cannot be powered
	// on until its lease is completed or aborted (or times out).
	if l := openLeaseOf(p.orig); l != "" {
		self := p.orig
		return &methods.PowerOnVM_TaskBody{Res: &types.PowerOnVM_TaskResponse{Returnval: startTask(taskSpec{
			method:   "PowerOnVM_Task",
			entity:   self,
			user:     userOf(ctx),
			fault:    &types.InvalidState{},
			faultMsg: "The operation is not allowed in the current state: the virtual machine is being exported (" + l + " is open).",
		})}}
	}
	return p.power(ctx, func(c *simulator.Context, vm *simulator.VirtualMachine) soap.HasFault {
		req.This = vm.Self
		return vm.PowerOnVMTask(c, req)
	})
}

func (p *labVMProxy) PowerOffVMTask(ctx *simulator.Context, req *types.PowerOffVM_Task) soap.HasFault {
	return p.power(ctx, func(c *simulator.Context, vm *simulator.VirtualMachine) soap.HasFault {
		req.This = vm.Self
		return vm.PowerOffVMTask(c, req)
	})
}

// power runs the stock (synchronous) power task and sets the tools status.
func (p *labVMProxy) power(ctx *simulator.Context, call func(*simulator.Context, *simulator.VirtualMachine) soap.HasFault) soap.HasFault {
	vm := p.vm()
	if vm == nil {
		return &methods.PowerOnVM_TaskBody{Fault_: soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})}
	}
	var res soap.HasFault
	simulator.Map.WithLock(vm, func() {
		res = call(callCtx(ctx, vm.Self), vm)
		setToolsRunning(vm, vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn)
	})
	return res
}
