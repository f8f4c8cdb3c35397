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

/// <summary>The fixed shape of the demo world: 2 clusters, 6 hosts, 4 datastores, 60 VMs across 4 applications.</summary>
public static class DemoWorldShape
{
    public const string ConnectionName = "Demo (simulated)";

    public sealed record Host(string Id, string Name, string Cluster, int Cores, long MemoryMb);

    public sealed record Datastore(string Name, string Cluster, long CapacityGb);

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

    public static readonly IReadOnlyList<string> Applications = ["demo-payments", "demo-crm", "demo-webshop", "demo-analytics"];

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
