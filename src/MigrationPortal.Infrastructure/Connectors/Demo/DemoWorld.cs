namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>A VM of the simulated demo world. Its placement lives in the database so every node and every restart sees the same world.</summary>
public sealed class DemoVm
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string HostId { get; set; } = "";
    public string Datastore { get; set; } = "";
    public string PowerState { get; set; } = "poweredOn";
    public int Cpus { get; set; }
    public long MemoryMb { get; set; }
    public long DiskGb { get; set; }
    public string Application { get; set; } = "";
    public string MigrateEncryption { get; set; } = "opportunistic";
    public string? SnapshotId { get; set; }
}

/// <summary>A simulated migration. Its progress is a function of time, so it advances even while no portal process watches it.</summary>
public sealed class DemoTask
{
    public string Id { get; set; } = "";
    public string VmId { get; set; } = "";
    public string? TargetHostId { get; set; }
    public string? TargetDatastore { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public long DurationMs { get; set; }
    public string State { get; set; } = DemoTaskStates.Running;
    public string? Message { get; set; }
}

public static class DemoTaskStates
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Cancelled = "cancelled";
}

/// <summary>
/// The fixed shape of the demo's vCenter-like world: 2 clusters, 6 hosts, 4 datastores, 2 port groups, 60 VMs across 4
/// applications. <see cref="DemoWorlds"/> sets it beside the demo KVM world.
/// </summary>
public static class DemoWorldShape
{
    public const string ConnectionName = "Demo (simulated)";

    /// <summary>The endpoint of the vCenter-like demo connection; the connector tells the two demo worlds apart by it.</summary>
    public const string Endpoint = "demo://in-process";

    /// <param name="Cluster">The host's cluster; null in the KVM world, whose hosts stand alone as libvirt hosts do.</param>
    public sealed record Host(string Id, string Name, string? Cluster, int Cores, long MemoryMb);

    /// <param name="Cluster">The cluster whose hosts mount it; null for a pool every host of the KVM world shares.</param>
    public sealed record Datastore(string Name, string? Cluster, long CapacityGb);

    public static readonly IReadOnlyList<string> Clusters = ["Demo-Cluster-A", "Demo-Cluster-B"];

    public static readonly IReadOnlyList<Host> Hosts =
    [
        new("demo-host-a1", "demo-esx-a1", "Demo-Cluster-A", 32, 262144),
        new("demo-host-a2", "demo-esx-a2", "Demo-Cluster-A", 32, 262144),
        new("demo-host-a3", "demo-esx-a3", "Demo-Cluster-A", 32, 262144),
        new("demo-host-b1", "demo-esx-b1", "Demo-Cluster-B", 48, 393216),
        new("demo-host-b2", "demo-esx-b2", "Demo-Cluster-B", 48, 393216),
        new("demo-host-b3", "demo-esx-b3", "Demo-Cluster-B", 48, 393216),
    ];

    public static readonly IReadOnlyList<Datastore> Datastores =
    [
        new("demo-ds-a1", "Demo-Cluster-A", 4096),
        new("demo-ds-a2", "Demo-Cluster-A", 4096),
        new("demo-ds-b1", "Demo-Cluster-B", 8192),
        new("demo-ds-b2", "Demo-Cluster-B", 8192),
    ];

    /// <summary>The port groups: the web shop's VMs sit in the DMZ, every other VM on the VM network.</summary>
    public const string VmNetwork = "Demo-VM-Network";

    public const string DmzNetwork = "Demo-DMZ";

    public static readonly IReadOnlyList<string> Networks = [VmNetwork, DmzNetwork];

    public static readonly IReadOnlyList<string> Applications = ["demo-payments", "demo-crm", "demo-webshop", "demo-analytics"];

    /// <summary>The port group a VM of this world is on (one NIC each); derived, so the demo needs no column for it.</summary>
    public static string NetworkOf(DemoVm vm) => vm.Application == "demo-webshop" ? DmzNetwork : VmNetwork;

    public static IEnumerable<DemoVm> InitialVms()
    {
        for (var i = 0; i < 60; i++)
        {
            var host = Hosts[i % Hosts.Count];
            var stores = Datastores.Where(d => d.Cluster == host.Cluster).ToList();
            yield return new DemoVm
            {
                Id = $"demo-vm-{i + 1:00}",
                Name = $"demo-{Applications[i % Applications.Count].Replace("demo-", "")}-{i + 1:00}",
                HostId = host.Id,
                Datastore = stores[i / Hosts.Count % stores.Count].Name,
                PowerState = i % 10 == 9 ? "poweredOff" : "poweredOn",
                Cpus = 2 + (i % 4) * 2,
                MemoryMb = 4096L * (1 + i % 4),
                DiskGb = 40 + (i % 5) * 20,
                Application = Applications[i % Applications.Count],
            };
        }
    }
}

/// <summary>
/// The demo's KVM world: two stand-alone libvirt-like hosts sharing two storage pools (shown as datastores) and a network
/// and a bridge. It starts empty; VMs arrive in it by conversion from the vCenter-like world.
/// </summary>
public static class DemoKvmWorldShape
{
    public const string ConnectionName = "Demo KVM (simulated)";

    public const string Endpoint = "demo://kvm";

    public static readonly IReadOnlyList<DemoWorldShape.Host> Hosts =
    [
        new("demo-kvm-host-1", "demo-kvm-1", null, 64, 524288),
        new("demo-kvm-host-2", "demo-kvm-2", null, 64, 524288),
    ];

    public const string FastPool = "demo-pool-fast";

    public const string BulkPool = "demo-pool-bulk";

    public static readonly IReadOnlyList<DemoWorldShape.Datastore> Pools =
    [
        new(FastPool, null, 8192),
        new(BulkPool, null, 16384),
    ];

    /// <summary>A libvirt network (NAT, "default"-like) and a host bridge.</summary>
    public const string Network = "demo-default";

    public const string Bridge = "demo-br-dmz";

    public static readonly IReadOnlyList<string> Networks = [Network, Bridge];
}

/// <summary>One demo world as the connector serves it: the vCenter-like one or the KVM one.</summary>
public sealed record DemoWorldLayout(string ConnectionName, string Endpoint, string? Datacenter, IReadOnlyList<string> Clusters,
    IReadOnlyList<DemoWorldShape.Host> Hosts, IReadOnlyList<DemoWorldShape.Datastore> Datastores, IReadOnlyList<string> Networks)
{
    public bool HasHost(string hostId) => Hosts.Any(h => h.Id == hostId);

    public DemoWorldShape.Host? Host(string? hostId) => hostId is null ? null : Hosts.FirstOrDefault(h => h.Id == hostId);

    public DemoWorldShape.Datastore? Datastore(string? name) => name is null ? null : Datastores.FirstOrDefault(d => d.Name == name);

    /// <summary>The hosts that see a datastore: those of its cluster, or every host for a shared pool.</summary>
    public IEnumerable<DemoWorldShape.Host> HostsMounting(DemoWorldShape.Datastore store) => Hosts.Where(h => h.Cluster == store.Cluster);
}

/// <summary>
/// The two demo worlds. Both live in the same tables (DemoWorldVms, DemoWorldTasks), so the demo needs no schema of its
/// own for conversions: a VM belongs to the world of its host, and a converted VM is a new row on a KVM host beside its
/// source's untouched row.
/// </summary>
public static class DemoWorlds
{
    public static readonly DemoWorldLayout VCenter = new(DemoWorldShape.ConnectionName, DemoWorldShape.Endpoint, "Demo-Datacenter",
        DemoWorldShape.Clusters, DemoWorldShape.Hosts, DemoWorldShape.Datastores, DemoWorldShape.Networks);

    public static readonly DemoWorldLayout Kvm = new(DemoKvmWorldShape.ConnectionName, DemoKvmWorldShape.Endpoint, null,
        [], DemoKvmWorldShape.Hosts, DemoKvmWorldShape.Pools, DemoKvmWorldShape.Networks);

    public static readonly IReadOnlyList<DemoWorldLayout> All = [VCenter, Kvm];

    /// <summary>The world a demo connection shows, by its endpoint; any other endpoint is the vCenter-like one (connections made before the KVM world existed).</summary>
    public static DemoWorldLayout For(string endpoint) => string.Equals(endpoint, Kvm.Endpoint, StringComparison.OrdinalIgnoreCase) ? Kvm : VCenter;

    public static DemoWorldLayout OfHost(string hostId) => Kvm.HasHost(hostId) ? Kvm : VCenter;
}

/// <summary>The maps the portal makes between the two demo worlds, so a demo VMware → KVM request inherits them.</summary>
public static class DemoConversionMaps
{
    public const string NetworkMapName = "Demo networks (simulated)";

    public const string StorageMapName = "Demo storage (simulated)";

    public static readonly IReadOnlyList<Domain.Requests.NetworkMapping> Networks =
    [
        new(DemoWorldShape.VmNetwork, Domain.Requests.NetworkTargetKind.Network, DemoKvmWorldShape.Network),
        new(DemoWorldShape.DmzNetwork, Domain.Requests.NetworkTargetKind.Bridge, DemoKvmWorldShape.Bridge),
    ];

    public static readonly IReadOnlyList<Domain.Requests.StorageMapping> Storage =
    [
        new("demo-ds-a1", DemoKvmWorldShape.FastPool, Domain.Requests.ConvertedDiskFormat.Qcow2),
        new("demo-ds-a2", DemoKvmWorldShape.FastPool, Domain.Requests.ConvertedDiskFormat.Qcow2),
        new("demo-ds-b1", DemoKvmWorldShape.BulkPool, Domain.Requests.ConvertedDiskFormat.Raw),
        new("demo-ds-b2", DemoKvmWorldShape.BulkPool, Domain.Requests.ConvertedDiskFormat.Raw),
    ];
}
