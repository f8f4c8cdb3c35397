using System.Globalization;
using System.Xml.Linq;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// Reads a VM's config.hardware.device into the disks and NICs a conversion needs: vim25 device types and backings
/// mapped to the portal's words, disks in boot order.
/// </summary>
public static class VSphereConvertibleVm
{
    /// <summary>The properties <see cref="Read"/> needs.</summary>
    public static readonly string[] Paths = ["name", "config.uuid", "config.firmware", "config.guestId", "config.guestFullName", "config.hardware.numCPU",
        "config.hardware.memoryMB", "config.hardware.device", "config.bootOptions.bootOrder", "runtime.powerState", "snapshot", "guest.toolsRunningStatus"];

    /// <summary>One virtual disk with where it sits in the VM (controller and unit) and its parent disk, if it is a snapshot's delta.</summary>
    public sealed record DiskDevice(ConvertibleDisk Disk, string ControllerType, int ControllerKey, int BusNumber, int UnitNumber, bool HasParent);

    /// <summary>
    /// The VM's description. <paramref name="datastoreNames"/> names the datastores the disks' backings point to;
    /// <paramref name="portgroupNames"/> names distributed port groups by their key (a DVS NIC's backing holds only the key).
    /// </summary>
    public static ConvertibleVm Read(VimObject vm, IReadOnlyList<DiskDevice> disks, IReadOnlyDictionary<string, string> portgroupNames)
    {
        var devices = vm.Get("config.hardware.device")?.Elements().ToList() ?? [];
        var nics = devices.Where(IsEthernetCard).Select(d => Nic(d, portgroupNames)).ToList();
        return new ConvertibleVm(vm.Ref.Value, vm.String("name") ?? vm.Ref.Value, NullIfEmpty(vm.String("config.uuid")),
            vm.Int("config.hardware.numCPU"), vm.Long("config.hardware.memoryMB"),
            string.Equals(vm.String("config.firmware"), "efi", StringComparison.OrdinalIgnoreCase) ? Firmware.Efi : Firmware.Bios,
            vm.String("config.guestId") ?? "otherGuest", NullIfEmpty(vm.String("config.guestFullName")),
            VSpherePowerStates.ToPortal(vm.String("runtime.powerState")), disks.Select(d => d.Disk).ToList(), nics,
            VSphereInventoryReader.CountSnapshots(vm.Get("snapshot")));
    }

    /// <summary>
    /// The VM's virtual disks in boot order: the disks config.bootOptions.bootOrder names, in its order, first; then by
    /// controller (its device key: IDE, then SCSI, SATA and NVMe, each by bus number) and unit number, which is the order
    /// the firmware finds them when no boot order is set.
    /// </summary>
    public static IReadOnlyList<DiskDevice> Disks(VimObject vm, Func<MoRef, string?> datastoreName)
    {
        var devices = vm.Get("config.hardware.device")?.Elements().ToList() ?? [];
        var controllers = devices.Where(d => d.Child("busNumber") is not null).ToDictionary(d => Int(d.ChildValue("key")), d => d);
        var bootOrder = vm.Get("config.bootOptions.bootOrder")?.Elements()
            .Where(e => Vim.XsiType(e) == "VirtualMachineBootOptionsBootableDiskDevice")
            .Select(e => e.ChildValue("deviceKey") ?? "").ToList() ?? [];
        var disks = new List<DiskDevice>();
        foreach (var d in devices.Where(d => Vim.XsiType(d) == "VirtualDisk"))
        {
            var key = d.ChildValue("key") ?? "";
            var backing = d.Child("backing");
            var backingType = backing is null ? null : Vim.XsiType(backing);
            var hasParent = backing?.Child("parent") is { HasElements: true };
            var fileName = backing?.ChildValue("fileName") ?? "";
            var diskMode = backing?.ChildValue("diskMode") ?? "";
            var capacity = long.TryParse(d.ChildValue("capacityInBytes"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
                ? bytes : Long(d.ChildValue("capacityInKB")) * 1024;
            var store = backing?.Child("datastore") is { } ds && ds.Value.Length > 0 ? datastoreName(MoRef.Parse(ds)) : null;
            var label = d.Child("deviceInfo")?.ChildValue("label") ?? $"disk {key}";
            var controllerKey = Int(d.ChildValue("controllerKey"));
            var controller = controllers.GetValueOrDefault(controllerKey);
            disks.Add(new DiskDevice(
                new ConvertibleDisk(key, label, capacity, store ?? DatastoreOf(fileName) ?? "", fileName, Backing(backingType, hasParent),
                    diskMode.StartsWith("independent", StringComparison.Ordinal)),
                controller is null ? "" : Vim.XsiType(controller) ?? "", controllerKey, Int(controller?.ChildValue("busNumber")), Int(d.ChildValue("unitNumber")), hasParent));
        }

        return disks
            .OrderBy(d => bootOrder.IndexOf(d.Disk.Key) is var i && i >= 0 ? i : int.MaxValue)
            .ThenBy(d => d.ControllerKey)
            .ThenBy(d => d.UnitNumber)
            .ToList();
    }

    /// <summary>
    /// A flat virtual disk is read as raw bytes from its -flat extent. A flat backing with a parent is a snapshot's delta
    /// (its own file holds only the changes), so, like sparse disks, it is read through the export, which serves the whole chain.
    /// </summary>
    public static DiskBacking Backing(string? backingType, bool hasParent) => backingType switch
    {
        "VirtualDiskFlatVer2BackingInfo" when !hasParent => DiskBacking.Flat,
        "VirtualDiskFlatVer2BackingInfo" or "VirtualDiskSeSparseBackingInfo" or "VirtualDiskSparseVer2BackingInfo" or "VirtualDiskSparseVer1BackingInfo" => DiskBacking.Sparse,
        "VirtualDiskRawDiskMappingVer1BackingInfo" => DiskBacking.RawDeviceMapping,
        _ => DiskBacking.Other,
    };

    /// <summary>"[LocalDS_0] vm/vm.vmdk" → ("LocalDS_0", "vm/vm.vmdk"); null when the path has no datastore part.</summary>
    public static (string Datastore, string Path)? SplitDatastorePath(string path)
    {
        var trimmed = path.Trim();
        if (!trimmed.StartsWith('[')) return null;
        var close = trimmed.IndexOf(']');
        if (close < 0) return null;
        return (trimmed[1..close], trimmed[(close + 1)..].Trim());
    }

    private static string? DatastoreOf(string fileName) => SplitDatastorePath(fileName)?.Datastore;

    private static bool IsEthernetCard(XElement device) =>
        device.Child("macAddress") is not null || Vim.XsiType(device) is "VirtualE1000" or "VirtualE1000e" or "VirtualVmxnet" or "VirtualVmxnet2" or "VirtualVmxnet3"
            or "VirtualVmxnet3Vrdma" or "VirtualPCNet32" or "VirtualSriovEthernetCard";

    private static ConvertibleNic Nic(XElement device, IReadOnlyDictionary<string, string> portgroupNames)
    {
        var type = Vim.XsiType(device) ?? "VirtualEthernetCard";
        var backing = device.Child("backing");
        var network = (backing is null ? null : Vim.XsiType(backing)) switch
        {
            "VirtualEthernetCardNetworkBackingInfo" => backing!.ChildValue("deviceName"),
            "VirtualEthernetCardDistributedVirtualPortBackingInfo" => backing!.Child("port")?.ChildValue("portgroupKey") is { } pg
                ? portgroupNames.GetValueOrDefault(pg) ?? pg : null,
            "VirtualEthernetCardOpaqueNetworkBackingInfo" => backing!.ChildValue("opaqueNetworkId"),
            _ => backing?.ChildValue("deviceName"),
        };
        return new ConvertibleNic(device.Child("deviceInfo")?.ChildValue("label") ?? $"NIC {device.ChildValue("key")}",
            device.ChildValue("macAddress") ?? "", NullIfEmpty(network), AdapterType(type));
    }

    /// <summary>"VirtualVmxnet3" → "vmxnet3", "VirtualE1000e" → "e1000e", "VirtualSriovEthernetCard" → "sriov".</summary>
    public static string AdapterType(string xsiType) => xsiType switch
    {
        "VirtualSriovEthernetCard" => "sriov",
        "VirtualPCNet32" => "pcnet32",
        _ when xsiType.StartsWith("Virtual", StringComparison.Ordinal) => xsiType["Virtual".Length..].ToLowerInvariant(),
        _ => xsiType.ToLowerInvariant(),
    };

    /// <summary>Keys of distributed port groups that the VM's NICs name (a DVS backing holds the key, not the name).</summary>
    public static IEnumerable<string> PortgroupKeys(VimObject vm) =>
        vm.Get("config.hardware.device")?.Elements()
            .Select(d => d.Child("backing"))
            .Where(b => b is not null && Vim.XsiType(b) == "VirtualEthernetCardDistributedVirtualPortBackingInfo")
            .Select(b => b!.Child("port")?.ChildValue("portgroupKey"))
            .OfType<string>().Distinct() ?? [];

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static int Int(string? s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static long Long(string? s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
