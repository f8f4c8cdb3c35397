using MigrationPortal.Domain.Common;

namespace MigrationPortal.Domain.Scheduling;

/// <summary>
/// One concurrency limit (or cost) an Administrator set, keyed by (kind, resource): the connection kind that defines it
/// ("vsphere", "libvirt", or "portal" for the portal-wide ones) and its resource within the kind ("host", "datastore-budget").
/// A limit without a row has its kind's default, so a new kind needs no schema change and no seed.
/// </summary>
public sealed class ConcurrencyLimit
{
    public const int Maximum = 10_000;

    private ConcurrencyLimit() { }

    public ConcurrencyLimit(string kind, string resource, int value, Actor actor, DateTimeOffset now)
    {
        Kind = kind;
        Resource = resource;
        Set(value, actor, now);
    }

    public string Kind { get; private set; } = "";
    public string Resource { get; private set; } = "";
    public int Value { get; private set; }
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }

    public void Set(int value, Actor actor, DateTimeOffset now)
    {
        if (value is < 1 or > Maximum) throw new DomainException($"A limit or cost is a whole number from 1 to {Maximum:N0}.");
        Value = value;
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
