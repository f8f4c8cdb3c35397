using MigrationPortal.Domain.Common;

namespace MigrationPortal.Domain.Scheduling;

/// <summary>
/// How many migrations may run at once, edited by Administrators; one row. The defaults are vSphere's own limits
/// (8 vMotions and 2 Storage vMotions per host; a datastore budget of 128 where a vMotion costs 1 and a Storage vMotion 16)
/// and the usual KVM stack's (2 outgoing and 2 incoming live migrations per host). The demo connector simulates vSphere.
/// </summary>
public sealed class ConcurrencyLimits
{
    public const int SingletonId = 1;

    public int Id { get; private set; } = SingletonId;
    public int VSphereMigrationsPerHost { get; private set; } = 8;
    public int VSphereStorageMigrationsPerHost { get; private set; } = 2;
    public int KvmOutgoingPerHost { get; private set; } = 2;
    public int KvmIncomingPerHost { get; private set; } = 2;
    public int DatastoreBudget { get; private set; } = 128;
    public int ComputeMigrationDatastoreCost { get; private set; } = 1;
    public int StorageMigrationDatastoreCost { get; private set; } = 16;
    public int PerConnection { get; private set; } = 32;
    public int Global { get; private set; } = 64;
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset? UpdatedAt { get; private set; }

    public static ConcurrencyLimits Defaults() => new();

    public void Set(int vSphereMigrationsPerHost, int vSphereStorageMigrationsPerHost, int kvmOutgoingPerHost, int kvmIncomingPerHost,
        int datastoreBudget, int computeCost, int storageCost, int perConnection, int global, Actor actor, DateTimeOffset now)
    {
        if (new[] { vSphereMigrationsPerHost, vSphereStorageMigrationsPerHost, kvmOutgoingPerHost, kvmIncomingPerHost, datastoreBudget, computeCost, storageCost, perConnection, global }.Any(v => v < 1))
            throw new DomainException("Every limit and cost is at least 1.");
        VSphereMigrationsPerHost = vSphereMigrationsPerHost;
        VSphereStorageMigrationsPerHost = vSphereStorageMigrationsPerHost;
        KvmOutgoingPerHost = kvmOutgoingPerHost;
        KvmIncomingPerHost = kvmIncomingPerHost;
        DatastoreBudget = datastoreBudget;
        ComputeMigrationDatastoreCost = computeCost;
        StorageMigrationDatastoreCost = storageCost;
        PerConnection = perConnection;
        Global = global;
        UpdatedBy = actor.Name;
        UpdatedAt = now;
    }
}

/// <summary>
/// One unit of a limited resource (a host's migration slots, a datastore's cost budget, a connection's or the portal's
/// slots) held by a running migration. The key (resource, unit) is the primary key, and units run from 0 to the limit
/// minus 1, so the database itself refuses a claim beyond the limit, whichever node makes it. Rows are deleted when the
/// request stops running.
/// </summary>
public sealed class CapacitySlot
{
    private CapacitySlot() { }

    public CapacitySlot(string resource, string resourceName, int unit, Guid requestId, DateTimeOffset acquiredAt)
    {
        Resource = resource;
        ResourceName = resourceName;
        Unit = unit;
        RequestId = requestId;
        AcquiredAt = acquiredAt;
    }

    public string Resource { get; private set; } = "";

    /// <summary>What a person calls the resource, for "Queued: waiting for host esx-01 (8/8 in use)".</summary>
    public string ResourceName { get; private set; } = "";
    public int Unit { get; private set; }
    public Guid RequestId { get; private set; }
    public DateTimeOffset AcquiredAt { get; private set; }
}
