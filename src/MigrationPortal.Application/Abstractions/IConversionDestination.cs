namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// The connector's operations on the side a converted VM arrives at: room and clashes before anything is touched, a volume
/// per disk filled through a sparse upload, the domain, its first boot, and the removal of all of it on a roll-back.
/// Implemented by connectors that can take VMs from another kind (libvirt). The host is the plan's target host.
/// </summary>
public interface IConversionDestination
{
    /// <summary>The pool's capacity and free space after a refresh (libvirt's virStoragePoolRefresh and virStoragePoolGetInfo).</summary>
    Task<PoolSpace> GetPoolSpaceAsync(MigrationPlan plan, string pool, CancellationToken ct);

    /// <summary>Which domain, if any, already holds the name or the UUID the converted domain would take.</summary>
    Task<DomainClash> FindClashAsync(MigrationPlan plan, string name, string? uuid, CancellationToken ct);

    /// <summary>Whether a network (a libvirt network by name) or a bridge exists on the target host; the message says what was found.</summary>
    Task<(bool Exists, string Message)> NetworkExistsAsync(MigrationPlan plan, Domain.Requests.NetworkTargetKind kind, string name, CancellationToken ct);

    /// <summary>
    /// Makes a new volume of <paramref name="capacityBytes"/> and opens a sparse upload into it (libvirt's
    /// virStorageVolUpload with a sparse stream). A volume of that name left by an earlier, interrupted run is removed first.
    /// </summary>
    Task<IDiskSink> CreateVolumeAsync(MigrationPlan plan, VolumeRef volume, long capacityBytes, CancellationToken ct);

    /// <summary>Defines (does not start) the converted domain.</summary>
    Task DefineDomainAsync(MigrationPlan plan, ConvertedDomainSpec spec, CancellationToken ct);

    /// <summary>
    /// Starts the domain and waits for it to answer: a guest-agent ping where it has one, otherwise the probe's pattern on
    /// its serial console (read from before the first instruction runs). A domain already running is restarted.
    /// </summary>
    Task<BootResult> BootAsync(MigrationPlan plan, string domainName, BootProbe probe, CancellationToken ct);

    /// <summary>
    /// Removes what a conversion made for this request: the domain (stopped and undefined, found by name and by the
    /// request named in its metadata) and the volumes. What was not there is said, not failed.
    /// </summary>
    Task<CleanupReport> RemoveConvertedAsync(MigrationPlan plan, string domainName, IReadOnlyList<VolumeRef> volumes, CancellationToken ct);
}

/// <summary>
/// Where converted bytes go, strictly in order: data, and holes (runs of zeros sent as holes of the sparse stream, not as
/// bytes). <see cref="FinishAsync"/> pads the rest of the capacity with a hole and commits; disposing without it aborts.
/// </summary>
public interface IDiskSink : IAsyncDisposable
{
    long Capacity { get; }

    /// <summary>How many bytes (data and holes) have been written so far: the next write's offset.</summary>
    long Position { get; }

    Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct);

    Task SkipAsync(long length, CancellationToken ct);

    Task FinishAsync(CancellationToken ct);
}
