namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// The connector's operations on the side a VM leaves when it is converted to another kind of hypervisor. The source is
/// only read: powered off for a consistent copy, exported, and afterwards either powered back on (any failure) or left
/// off and annotated (success). Implemented by connectors whose VMs can leave their kind (vSphere).
/// </summary>
public interface IConversionSource
{
    /// <summary>Reads the VM's identity, size, firmware, guest OS, disks and NICs, touching nothing.</summary>
    Task<ConvertibleVm> DescribeForConversionAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>
    /// Asks the guest to shut down (vSphere's ShutdownGuest) and waits up to <paramref name="timeout"/> for it to power
    /// off; powers it off (PowerOffVM_Task) if it does not, or if it has no tools to ask. A VM already off is left as it is.
    /// </summary>
    Task<ShutdownResult> ShutDownAsync(MigrationPlan plan, TimeSpan timeout, CancellationToken ct);

    /// <summary>Powers the VM on again (a failed or cancelled conversion whose source was on); a VM already on is left as it is.</summary>
    Task PowerOnAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>
    /// Opens an export of the powered-off VM (vSphere's ExportVm and its HttpNfcLease) and waits until it is ready. The
    /// returned export keeps its lease alive while it is open; it must end with <see cref="IDiskExport.CompleteAsync"/> or
    /// <see cref="IDiskExport.AbortAsync"/> (disposing without either aborts).
    /// </summary>
    Task<IDiskExport> BeginExportAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Re-attaches to an export an earlier run opened (after the node died), or null when it is no longer usable.</summary>
    Task<IDiskExport?> ResumeExportAsync(MigrationPlan plan, string exportId, CancellationToken ct);

    /// <summary>Ends an export that an earlier run left open, whatever its state; says what it found.</summary>
    Task<string> AbortExportAsync(MigrationPlan plan, string exportId, string reason, CancellationToken ct);

    /// <summary>Adds a note to the VM's annotation (keeping what was there) saying where it went.</summary>
    Task AnnotateAsync(MigrationPlan plan, string note, CancellationToken ct);
}

/// <summary>
/// An open export: its ID (vSphere's lease), the disks it serves, and random-access readers over them through the
/// portal's own HTTPS client with the connection's pinned certificate. It keeps itself alive (vSphere's
/// HttpNfcLeaseProgress) with the last reported percentage for as long as it is open.
/// </summary>
public interface IDiskExport : IAsyncDisposable
{
    string ExportId { get; }

    IReadOnlyList<ExportedDisk> Disks { get; }

    /// <summary>Opens a reader of one disk; reads fail with a <see cref="ConnectorException"/> if the export is aborted meanwhile.</summary>
    Task<IRandomAccessDisk> OpenAsync(ExportedDisk disk, CancellationToken ct);

    /// <summary>Sets the percentage the keep-alive reports (0–100).</summary>
    void ReportProgress(int percent);

    Task CompleteAsync(CancellationToken ct);

    Task AbortAsync(string reason, CancellationToken ct);
}

/// <summary>A disk readable at any offset: what the converter's NBD server serves to qemu-img.</summary>
public interface IRandomAccessDisk : IAsyncDisposable
{
    /// <summary>The number of bytes served (the image's size, which for a VMDK is not the guest's capacity).</summary>
    long Length { get; }

    DiskImageFormat Format { get; }

    /// <summary>Reads up to <paramref name="buffer"/>'s length from <paramref name="offset"/>; returns the count read, 0 only at the end.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct);
}
