namespace MigrationPortal.Domain.Requests;

/// <summary>
/// Where a VM should go. Identifiers are the hypervisor's own (a vCenter managed object ID, a libvirt URI or pool name),
/// copied into the request so its history survives when the inventory row is later removed.
/// </summary>
public sealed record MigrationTarget(Guid ConnectionId, string? HostId, string? HostName, string? DatastoreId, string? DatastoreName, string? PoolId)
{
    public string Describe() => string.Join(", ", new[] { HostName is null ? null : $"host {HostName}", DatastoreName is null ? null : $"datastore {DatastoreName}", PoolId is null ? null : $"pool {PoolId}" }.Where(s => s is not null));
}

/// <summary>When the requester would like the move to run.</summary>
public enum ScheduleMode
{
    AsSoonAsApproved,
    NextWindow,
    SpecificTime,
}

public sealed record ScheduleWish(ScheduleMode Mode, DateTimeOffset? NotBefore)
{
    public static readonly ScheduleWish AsSoonAsApproved = new(ScheduleMode.AsSoonAsApproved, null);
}

/// <summary>Per-request safety options. Both are on unless the requester turns them off.</summary>
public sealed record MigrationOptions(bool TakeSnapshot = true, bool RequireEncryption = true);
