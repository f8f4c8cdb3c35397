using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>A volume in a demo KVM pool: the bytes of data uploaded into it (holes are free), and whether its upload finished.</summary>
public sealed record DemoVolume(string Id, string SourceVmId, string HostId, string Pool, string Name, long AllocatedBytes, bool Ready);

/// <summary>
/// The demo KVM world's volumes, kept as rows of the demo task table (ID prefix "demo-vol-"): an upload is a task of the
/// simulated hypervisor, and so the demo needs no schema of its own for conversions. The row's columns hold the volume's
/// host, pool, name (Message), the source VM it came from (VmId), and its allocated bytes (DurationMs).
/// </summary>
internal static class DemoVolumes
{
    public const string IdPrefix = "demo-vol-";
    private const string Uploading = "uploading";
    private const string Ready = "ready";

    public static async Task<List<DemoVolume>> ListAsync(PortalDbContext db, CancellationToken ct) =>
        (await db.DemoTasks.AsNoTracking().Where(t => t.Id.StartsWith(IdPrefix)).ToListAsync(ct)).Select(ToVolume).ToList();

    public static Task<List<DemoTask>> FindAsync(PortalDbContext db, string hostId, string pool, string name, CancellationToken ct) =>
        db.DemoTasks.Where(t => t.Id.StartsWith(IdPrefix) && t.TargetHostId == hostId && t.TargetDatastore == pool && t.Message == name).ToListAsync(ct);

    public static DemoTask NewRow(string sourceVmId, VolumeRef volume, DateTimeOffset now) => new()
    {
        Id = $"{IdPrefix}{Guid.NewGuid():N}",
        VmId = sourceVmId,
        TargetHostId = volume.HostId,
        TargetDatastore = volume.Pool,
        Message = volume.Name,
        StartedAt = now,
        DurationMs = 0,
        State = Uploading,
    };

    public static void MarkReady(DemoTask row, long allocatedBytes)
    {
        row.DurationMs = allocatedBytes;
        row.State = Ready;
    }

    public static bool IsReady(DemoTask row) => row.State == Ready;

    private static DemoVolume ToVolume(DemoTask t) => new(t.Id, t.VmId, t.TargetHostId ?? "", t.TargetDatastore ?? "", t.Message ?? "", t.DurationMs, t.State == Ready);
}

/// <summary>
/// The demo's sparse upload: it checks the order and the capacity as a libvirt stream would, counts the data bytes
/// (holes are free), and records them on the volume's row when finished. Disposing without finishing removes the volume,
/// as an aborted upload leaves nothing usable.
/// </summary>
internal sealed class DemoDiskSink(IDbContextFactory<PortalDbContext> dbFactory, string rowId, long capacity) : IDiskSink
{
    private bool _finished;
    private bool _aborted;

    public long Capacity { get; } = capacity;

    public long Position { get; private set; }

    /// <summary>The bytes of data written so far (what the pool allocates).</summary>
    public long DataBytes { get; private set; }

    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        Advance(data.Length);
        DataBytes += data.Length;
        return Task.CompletedTask;
    }

    public Task SkipAsync(long length, CancellationToken ct)
    {
        Advance(length);
        return Task.CompletedTask;
    }

    public async Task FinishAsync(CancellationToken ct)
    {
        ThrowIfEnded();
        Position = Capacity;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var row = await db.DemoTasks.FirstOrDefaultAsync(t => t.Id == rowId, ct)
                ?? throw new ConnectorException("NotFound", "Demo: the volume was removed while its upload ran.");
            DemoVolumes.MarkReady(row, DataBytes);
            await db.SaveChangesAsync(ct);
        }

        _finished = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_finished || _aborted) return;
        _aborted = true;
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.DemoTasks.Where(t => t.Id == rowId).ExecuteDeleteAsync();
    }

    private void Advance(long length)
    {
        ThrowIfEnded();
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (Position + length > Capacity)
            throw new ConnectorException("VolumeFull", $"Demo: a write of {length} bytes at {Position} passes the volume's capacity of {Capacity} bytes.");
        Position += length;
    }

    private void ThrowIfEnded()
    {
        if (_finished || _aborted) throw new InvalidOperationException("The upload has ended.");
    }
}
