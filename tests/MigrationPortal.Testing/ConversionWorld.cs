using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Execution.Itinerary;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Testing;

/// <summary>
/// A VMware-to-KVM world for request tests, written straight into the portal's inventory: a vCenter with one VM on two
/// networks and two datastores, a KVM connection with two hosts, a second KVM connection, and a second vCenter (a pair the
/// portal does not convert). No hypervisor is called: submission reads only the inventory and the maps.
/// </summary>
public sealed record ConversionWorld(
    Guid VCenterId, Guid OtherVCenterId, Guid KvmId, Guid OtherKvmId, InventoryVm Vm,
    string KvmHostId, string OtherKvmHostId, string VCenterHostId)
{
    public const string ProdNetwork = "prod-vlan-20";
    public const string BackupNetwork = "backup-vlan-30";
    public const string FastStore = "ds-fast";
    public const string BulkStore = "ds-bulk";

    /// <summary>
    /// The test's stand-in for the conversion itinerary the steps bring: it names the pair, which is all
    /// <see cref="ItineraryCatalog.Converts"/> looks at. Its steps are never run by these tests.
    /// </summary>
    public static void RegisterItinerary(IServiceCollection services) =>
        services.AddSingleton(new ItineraryDefinition("test conversion", ConnectionKinds.VSphere, ConnectionKinds.Libvirt, MigrationKind.CrossPlatform,
            [ItinerarySteps.Precheck], []));

    /// <param name="applicationName">The application the VM belongs to (its owners may request for it).</param>
    public static Task<ConversionWorld> SeedAsync(TestPortal portal, string applicationName) => portal.Scoped<Infrastructure.Persistence.PortalDbContext, ConversionWorld>(async db =>
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var vc = new Connection($"vc-east-{suffix}", ConnectionKinds.VSphere, "https://vc-east.example/sdk", "svc");
        var otherVc = new Connection($"vc-west-{suffix}", ConnectionKinds.VSphere, "https://vc-west.example/sdk", "svc");
        var kvm = new Connection($"kvm-{suffix}", ConnectionKinds.Libvirt, "qemu+tls://kvm-a.example/system");
        var otherKvm = new Connection($"kvm-lab-{suffix}", ConnectionKinds.Libvirt, "qemu+tls://kvm-lab.example/system");
        db.Connections.AddRange(vc, otherVc, kvm, otherKvm);
        var app = await db.Applications.FirstAsync(a => a.Name == applicationName);
        db.Hosts.AddRange(
            new InventoryHost { ConnectionId = vc.Id, ExternalId = "host-101", Name = "esx-101", ClusterName = "east", MemoryMb = 65536 },
            new InventoryHost { ConnectionId = kvm.Id, ExternalId = "qemu+tls://kvm-a.example/system", Name = "kvm-a", MemoryMb = 65536 },
            new InventoryHost { ConnectionId = kvm.Id, ExternalId = "qemu+tls://kvm-b.example/system", Name = "kvm-b", MemoryMb = 65536 },
            new InventoryHost { ConnectionId = otherKvm.Id, ExternalId = "qemu+tls://kvm-lab.example/system", Name = "kvm-lab", MemoryMb = 65536 });
        var vm = new InventoryVm
        {
            ConnectionId = vc.Id, ExternalId = "vm-2001", Name = $"web-{suffix}", HostExternalId = "host-101", HostName = "esx-101", ClusterName = "east",
            Datastores = $"{FastStore},{BulkStore}", Networks = $"{ProdNetwork},{BackupNetwork}", Cpus = 2, MemoryMb = 4096, ProvisionedGb = 40, UsedGb = 12,
            ApplicationId = app.Id, PowerState = PowerState.On,
        };
        db.Vms.Add(vm);
        await db.SaveChangesAsync();
        return new ConversionWorld(vc.Id, otherVc.Id, kvm.Id, otherKvm.Id, vm, "qemu+tls://kvm-a.example/system", "qemu+tls://kvm-lab.example/system", "host-101");
    });

    /// <summary>A network map from the vCenter to the KVM connection with the given entries (all the VM's networks unless told).</summary>
    public Task<NetworkMap> AddNetworkMapAsync(TestPortal portal, string name, params NetworkMapping[] entries) => portal.Scoped<Infrastructure.Persistence.PortalDbContext, NetworkMap>(async db =>
    {
        var map = new NetworkMap(name, VCenterId, KvmId, entries.Length > 0 ? entries :
            [new NetworkMapping(ProdNetwork, NetworkTargetKind.Bridge, "br-prod"), new NetworkMapping(BackupNetwork, NetworkTargetKind.Network, "backup")],
            new Actor("admin", "Admin"), portal.Time.GetUtcNow());
        db.NetworkMaps.Add(map);
        await db.SaveChangesAsync();
        return map;
    });

    /// <summary>A storage map from the vCenter to the KVM connection with the given entries (all the VM's datastores unless told).</summary>
    public Task<StorageMap> AddStorageMapAsync(TestPortal portal, string name, params StorageMapping[] entries) => portal.Scoped<Infrastructure.Persistence.PortalDbContext, StorageMap>(async db =>
    {
        var map = new StorageMap(name, VCenterId, KvmId, entries.Length > 0 ? entries :
            [new StorageMapping(FastStore, "images", ConvertedDiskFormat.Qcow2), new StorageMapping(BulkStore, "bulk", ConvertedDiskFormat.Raw)],
            new Actor("admin", "Admin"), portal.Time.GetUtcNow());
        db.StorageMaps.Add(map);
        await db.SaveChangesAsync();
        return map;
    });
}
