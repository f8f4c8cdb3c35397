using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Application.Tests.Execution.Conversion;

/// <summary>An export lease of the fake vCenter: serves each disk as a VMDK of half its capacity, and records how it ended.</summary>
public sealed class FakeExport(ConversionWorld world, string id, IReadOnlyList<ExportedDisk> disks) : IDiskExport
{
    public string ExportId => id;

    public IReadOnlyList<ExportedDisk> Disks => disks;

    public ExportState State { get; private set; } = ExportState.Open;

    public string? AbortReason { get; private set; }

    public int LastPercent { get; private set; }

    public Task<IRandomAccessDisk> OpenAsync(ExportedDisk disk, CancellationToken ct)
    {
        if (State != ExportState.Open) throw new ConnectorException("InvalidState", $"Lease {id} is {State}.");
        return Task.FromResult<IRandomAccessDisk>(new FakeDisk(disk.CapacityBytes / 2));
    }

    public void ReportProgress(int percent) => LastPercent = percent;

    public Task CompleteAsync(CancellationToken ct)
    {
        world.Record($"complete-export {id}");
        State = ExportState.Completed;
        return Task.CompletedTask;
    }

    public Task AbortAsync(string reason, CancellationToken ct)
    {
        world.Record($"abort-export {id}");
        if (State == ExportState.Open) (State, AbortReason) = (ExportState.Aborted, reason);
        return Task.CompletedTask;
    }

    // An object dropped by a run that died keeps nothing alive; the lease itself is what the world tracks.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal void AbortFromServer(string reason)
    {
        if (State == ExportState.Open) (State, AbortReason) = (ExportState.Aborted, reason);
    }

    private sealed class FakeDisk(long length) : IRandomAccessDisk
    {
        public long Length => length;

        public DiskImageFormat Format => DiskImageFormat.Vmdk;

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) =>
            ValueTask.FromResult((int)Math.Clamp(length - offset, 0, buffer.Length));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
