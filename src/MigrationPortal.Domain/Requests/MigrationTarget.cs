namespace MigrationPortal.Domain.Requests;

/// <summary>
/// Where a VM should go. Identifiers are the hypervisor's own (a vCenter managed object ID, a libvirt URI or pool name),
/// copied into the request so its history survives when the inventory row is later removed.
/// </summary>
public sealed record MigrationTarget(Guid ConnectionId, string? HostId, string? HostName, string? DatastoreId, string? DatastoreName, string? PoolId)
{
    public string Describe() => string.Join(", ", new[] { HostName is null ? null : $"host {HostName}", DatastoreName is null ? null : $"datastore {DatastoreName}", PoolId is null ? null : $"pool {PoolId}" }.Where(s => s is not null));
}

/// <summary>
/// When the requester would like the move to run. A VM covered by a maintenance window moves only inside a window, so for
/// it "as soon as approved" is refused, and a specific time must fall inside one of its windows.
/// </summary>
public enum ScheduleMode
{
    AsSoonAsApproved,
    NextWindow,
    SpecificTime,

    /// <summary>Inside one named window (<see cref="ScheduleWish.WindowId"/>), at its first occurrence from <see cref="ScheduleWish.NotBefore"/> on.</summary>
    ChosenWindow,
}

public sealed record ScheduleWish(ScheduleMode Mode, DateTimeOffset? NotBefore, Guid? WindowId = null)
{
    public static readonly ScheduleWish AsSoonAsApproved = new(ScheduleMode.AsSoonAsApproved, null);
}

/// <summary>Per-request safety options. Both are on unless the requester turns them off.</summary>
public sealed record MigrationOptions(bool TakeSnapshot = true, bool RequireEncryption = true);
