namespace MigrationPortal.Domain.Inventory;

// The portal's copy of each connection's inventory, written only by inventory sync (the collector) and read by
// planning, prechecks and the UI, so that planning never calls a hypervisor directly. External IDs are the hypervisor's own.

public sealed class InventoryCluster
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid ConnectionId { get; set; }
    public string ExternalId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Datacenter { get; set; }
}

public sealed class InventoryHost
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid ConnectionId { get; set; }
    public string ExternalId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? ClusterName { get; set; }
    public string ConnectionState { get; set; } = "connected";
    public PowerState PowerState { get; set; } = PowerState.On;
    public bool InMaintenance { get; set; }
    public int CpuCores { get; set; }
    public long MemoryMb { get; set; }
    public long MemoryUsedMb { get; set; }
}

public sealed class InventoryDatastore
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid ConnectionId { get; set; }
    public string ExternalId { get; set; } = "";
    public string Name { get; set; } = "";
    public long CapacityGb { get; set; }
    public long FreeGb { get; set; }
    public bool Accessible { get; set; } = true;

    /// <summary>Comma-separated names of the hosts that mount this datastore.</summary>
    public string MountedOnHosts { get; set; } = "";
}

public sealed class InventoryVm
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid ConnectionId { get; set; }
    public string ExternalId { get; set; } = "";
    public string Name { get; set; } = "";
    public PowerState PowerState { get; set; } = PowerState.On;
    public string? HostExternalId { get; set; }
    public string? HostName { get; set; }
    public string? ClusterName { get; set; }
    public string? ResourcePool { get; set; }

    /// <summary>Comma-separated datastore names holding the VM's files.</summary>
    public string Datastores { get; set; } = "";
    public int Cpus { get; set; }
    public long MemoryMb { get; set; }
    public long ProvisionedGb { get; set; }
    public long UsedGb { get; set; }

    /// <summary>The application as the hypervisor tags it (vSphere custom attribute, libvirt metadata); mapped to <see cref="ApplicationId"/> at sync.</summary>
    public string? ApplicationTag { get; set; }
    public Guid? ApplicationId { get; set; }
    public string? MigrateEncryption { get; set; }

    /// <summary>Comma-separated names of the networks the VM's NICs attach to.</summary>
    public string Networks { get; set; } = "";

    /// <summary>How many snapshots the VM already has (a precheck warns about them).</summary>
    public int SnapshotCount { get; set; }

    /// <summary>One line per disk as the hypervisor describes it (target, path, format, size), for the VM view.</summary>
    public string? Disks { get; set; }
    public DateTimeOffset SyncedAt { get; set; }
}

public sealed class InventoryNetwork
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid ConnectionId { get; set; }
    public string ExternalId { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>Comma-separated names of the hosts on which this network exists.</summary>
    public string Hosts { get; set; } = "";
}
