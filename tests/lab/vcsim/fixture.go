package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// The conversion fixture: a VM "conv-vm" whose two disks are real images
// (built by conversion-fixture.sh): a BIOS-bootable boot disk and an ext4 data
// disk with a marker and a payload. Its files on LocalDS_0 are the fixture's
// monolithicFlat descriptors and raw extents, so the datastore /folder GET
// serves the guest's bytes and ExportVm serves them as streamOptimized VMDKs.

const (
	fixtureVMName  = "conv-vm"
	fixtureGuestID = "debian12_64Guest"
)

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if i := strings.Index(line, "="); i > 0 && !strings.HasPrefix(line, "#") {
			out[line[:i]] = line[i+1:]
		}
	}
	return out, s.Err()
}

// addConversionFixture creates conv-vm in DC0's first cluster, on its first
// host and LocalDS_0, powered on, with VMware Tools running.
func addConversionFixture(dir string) error {
	env, err := readEnvFile(filepath.Join(dir, "fixture.env"))
	if err != nil {
		return fmt.Errorf("%s: %v (build it with conversion-fixture.sh)", dir, err)
	}
	disks := []string{"conv-vm", "conv-vm_1"}
	sizes := make([]int64, len(disks))
	for i, n := range disks {
		for _, f := range []string{n + ".vmdk", n + "-flat.vmdk"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				return fmt.Errorf("fixture file: %v", err)
			}
		}
		st, _ := os.Stat(filepath.Join(dir, n+"-flat.vmdk"))
		sizes[i] = st.Size()
	}

	// 0.24.2 does not know guest ids newer than API 6.5
	known := false
	for _, g := range simulator.GuestID {
		if g == fixtureGuestID {
			known = true
		}
	}
	if !known {
		simulator.GuestID = append(simulator.GuestID, fixtureGuestID)
	}

	dc, ok := findByName("Datacenter", "DC0").(*simulator.Datacenter)
	if !ok {
		return fmt.Errorf("no datacenter DC0")
	}
	folder := simulator.Map.Get(dc.VmFolder).(*simulator.Folder)
	cluster, ok := findByName("ClusterComputeResource", "DC0_C0").(*simulator.ClusterComputeResource)
	if !ok || len(cluster.Host) == 0 {
		return fmt.Errorf("no cluster DC0_C0 with hosts")
	}
	host := cluster.Host[0]
	ds := findDatastoreByName("LocalDS_0", host)
	if ds == nil {
		return fmt.Errorf("no datastore LocalDS_0")
	}
	var netRef *types.ManagedObjectReference
	if n := findByName("Network", "VM Network"); n != nil {
		r := n.Reference()
		netRef = &r
	}

	ctrlKey := int32(-100)
	devices := []types.BaseVirtualDeviceConfigSpec{
		&types.VirtualDeviceConfigSpec{
			Operation: types.VirtualDeviceConfigSpecOperationAdd,
			Device: &types.VirtualLsiLogicController{VirtualSCSIController: types.VirtualSCSIController{
				SharedBus: types.VirtualSCSISharingNoSharing,
				VirtualController: types.VirtualController{
					BusNumber:     0,
					VirtualDevice: types.VirtualDevice{Key: ctrlKey},
				},
			}},
		},
	}
	for i, n := range disks {
		unit := int32(i)
		devices = append(devices, &types.VirtualDeviceConfigSpec{
			Operation:     types.VirtualDeviceConfigSpecOperationAdd,
			FileOperation: types.VirtualDeviceConfigSpecFileOperationCreate,
			Device: &types.VirtualDisk{
				VirtualDevice: types.VirtualDevice{
					DeviceInfo:    &types.Description{Label: fmt.Sprintf("Hard disk %d", i+1), Summary: fmt.Sprintf("%d KB", sizes[i]/1024)},
					Key:           int32(-101 - i),
					ControllerKey: ctrlKey,
					UnitNumber:    &unit,
					Backing: &types.VirtualDiskFlatVer2BackingInfo{
						VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
							FileName: fmt.Sprintf("[%s] %s/%s.vmdk", ds.Name, fixtureVMName, n),
						},
						DiskMode:        string(types.VirtualDiskModePersistent),
						ThinProvisioned: types.NewBool(true),
					},
				},
				CapacityInKB:    sizes[i] / 1024,
				CapacityInBytes: sizes[i],
			},
		})
	}
	nic := &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: types.VirtualEthernetCard{
		VirtualDevice: types.VirtualDevice{
			DeviceInfo: &types.Description{Label: "Network adapter 1", Summary: "VM Network"},
			Key:        -200,
			Backing: &types.VirtualEthernetCardNetworkBackingInfo{
				VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "VM Network"},
				Network:                        netRef,
			},
			Connectable: &types.VirtualDeviceConnectInfo{StartConnected: true, Connected: true},
		},
		AddressType: string(types.VirtualEthernetCardMacTypeManual),
		MacAddress:  env["VM_MAC"],
	}}}
	devices = append(devices, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: nic})

	spec := types.VirtualMachineConfigSpec{
		Name:         fixtureVMName,
		GuestId:      fixtureGuestID,
		NumCPUs:      1,
		MemoryMB:     256,
		Uuid:         env["VM_UUID"],
		Firmware:     string(types.GuestOsDescriptorFirmwareTypeBios),
		Annotation:   "MigrationPortal conversion fixture",
		Files:        &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", ds.Name)},
		DeviceChange: devices,
	}
	// startup, nothing else runs yet: no registry locks (CreateVMTask takes the ones it needs)
	ctx := internalContext()
	pool := cluster.ResourcePool
	res := folder.CreateVMTask(ctx, &types.CreateVM_Task{This: folder.Self, Config: spec, Pool: *pool, Host: &host})
	taskRef := res.(*methods.CreateVM_TaskBody).Res.Returnval
	task := simulator.Map.Get(taskRef).(*simulator.Task)
	if task.Info.Error != nil {
		return fmt.Errorf("CreateVM_Task: %s %s", faultName(task.Info.Error.Fault), task.Info.Error.LocalizedMessage)
	}
	vmRef := task.Info.Result.(types.ManagedObjectReference)
	vm := simulator.Map.Get(vmRef).(*simulator.VirtualMachine)

	// the guest's disks: the fixture's descriptors and extents replace the empty files
	vmDir := filepath.Join(dsURL(ds), fixtureVMName)
	for _, n := range disks {
		for _, f := range []string{n + ".vmdk", n + "-flat.vmdk"} {
			// a sparse copy keeping the mtime, so the export cache (keyed by size and mtime) hits across runs
			cmd := exec.Command("cp", "--sparse=always", "--reflink=auto", "--preserve=timestamps", filepath.Join(dir, f), filepath.Join(vmDir, f))
			if b, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("copying %s: %v: %s", f, err, b)
			}
		}
	}

	func() {
		vm.Config.MigrateEncryption = string(types.VirtualMachineConfigSpecEncryptedVMotionModesOpportunistic)
		vm.Config.GuestFullName = "Debian GNU/Linux 12 (64-bit)"
		vm.Summary.Config.GuestFullName = vm.Config.GuestFullName
		if vm.Guest != nil {
			vm.Guest.GuestFullName = vm.Config.GuestFullName
			vm.Guest.GuestId = fixtureGuestID
		}
		c := internalContext()
		vm.PowerOnVMTask(c, &types.PowerOnVM_Task{This: vmRef})
		setToolsRunning(vm, vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn)
	}()
	log.Printf("vcsim-lab: conversion fixture %s (%s): uuid %s, mac %s, disks %d + %d bytes, marker %s, payload sha256 %s",
		fixtureVMName, vmRef.Value, vm.Config.Uuid, env["VM_MAC"], sizes[0], sizes[1], env["MARKER"], env["PAYLOAD_SHA256"])
	return nil
}

// warmExportCache builds the streamOptimized VMDKs an ExportVm of conv-vm
// serves. The cache key is the name, size and mtime of the descriptor and its
// extents plus the capacity; the copies on the datastore keep all of them, so
// converting the fixture's own files hits the same entries.
func warmExportCache(dir string) error {
	for _, n := range []string{"conv-vm", "conv-vm_1"} {
		st, err := os.Stat(filepath.Join(dir, n+"-flat.vmdk"))
		if err != nil {
			return err
		}
		out, err := streamOptimized(filepath.Join(dir, n+".vmdk"), st.Size())
		if err != nil {
			return err
		}
		fmt.Println(out)
	}
	return nil
}
