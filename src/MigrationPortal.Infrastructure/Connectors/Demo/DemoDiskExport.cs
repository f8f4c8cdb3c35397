using System.Buffers.Binary;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>
/// A demo export, kept as a row of the demo task table (ID prefix "demo-export-", VmId the exported VM) so that any node
/// can resume or abort it. It serves each VM's one disk as a <see cref="DemoSyntheticDisk"/>.
/// </summary>
internal sealed class DemoDiskExport(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider time, string exportId, DemoVm vm) : IDiskExport
{
    public const string IdPrefix = "demo-export-";

    private bool _ended;
    private int _percent;

    public string ExportId { get; } = exportId;

    public IReadOnlyList<ExportedDisk> Disks { get; } =
        [new(DemoConnector.DiskKey, DemoConnector.DiskLabel, DemoSyntheticDisk.Size, DiskImageFormat.Raw, $"demo://export/{exportId}/disk-{DemoConnector.DiskKey}")];

    public async Task<IRandomAccessDisk> OpenAsync(ExportedDisk disk, CancellationToken ct)
    {
        if (disk.Key != DemoConnector.DiskKey) throw new ConnectorException("NotFound", $"Demo: export {ExportId} has no disk '{disk.Key}'.");
        await EnsureOpenAsync(ct);
        return new DemoSyntheticDisk(vm.Id, vm.Name, EnsureOpenAsync, time);
    }

    public void ReportProgress(int percent) => _percent = Math.Clamp(percent, 0, 100);

    public Task CompleteAsync(CancellationToken ct) => EndAsync(DemoTaskStates.Succeeded, $"Demo: export completed at {_percent}%.", ct);

    public Task AbortAsync(string reason, CancellationToken ct) => EndAsync(DemoTaskStates.Cancelled, $"Demo: export aborted: {reason}", ct);

    public async ValueTask DisposeAsync()
    {
        if (!_ended) await AbortAsync("the export was closed without being completed", CancellationToken.None);
    }

    /// <summary>Fails with a <see cref="ConnectorException"/> when the export is no longer open (aborted or completed, here or on another node).</summary>
    private async Task EnsureOpenAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.DemoTasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == ExportId, ct);
        if (row?.State != DemoTaskStates.Running)
            throw new ConnectorException("ExportNotOpen", $"Demo: export {ExportId} is {(row is null ? "gone" : row.State)}{(row?.Message is null ? "" : $" ({row.Message})")}.");
    }

    private async Task EndAsync(string state, string message, CancellationToken ct)
    {
        _ended = true;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.DemoTasks.FirstOrDefaultAsync(t => t.Id == ExportId, ct);
        if (row is null || row.State != DemoTaskStates.Running) return;
        row.State = state;
        row.Message = message.Length > 1024 ? message[..1024] : message;
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>
/// The demo VM's disk as an export serves it: a raw image of <see cref="Size"/> bytes, mostly holes, with a first MiB
/// naming the VM (ending in a boot-sector signature) and every eighth MiB from the fourth filled with bytes derived from
/// the VM's ID. It is small so the real converter turns it into a volume in a few seconds; the same VM gives the same bytes.
/// </summary>
internal sealed class DemoSyntheticDisk(string vmId, string vmName, Func<CancellationToken, Task> ensureOpen, TimeProvider time) : IRandomAccessDisk
{
    public const long Size = 128L << 20;
    private const int Block = 1 << 20;
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(250);

    private readonly ulong _seed = Seed(vmId);
    private readonly byte[] _header = Header(vmName);
    private DateTimeOffset _checkedAt = time.GetUtcNow();

    public long Length => Size;

    public DiskImageFormat Format => DiskImageFormat.Raw;

    /// <summary>Whether a 1 MiB block holds data; the others are holes.</summary>
    public static bool IsDataBlock(long block) => block == 0 || block % 8 == 3;

    /// <summary>The bytes of data in the image: what a sparse upload of it allocates.</summary>
    public static long DataBytes => Enumerable.Range(0, (int)(Size / Block)).Count(b => IsDataBlock(b)) * (long)Block;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        // An export aborted meanwhile fails the reads, as a lease's URLs stop answering; checked now and then, not per read.
        if (time.GetUtcNow() - _checkedAt >= CheckEvery)
        {
            await ensureOpen(ct);
            _checkedAt = time.GetUtcNow();
        }

        if (offset >= Size) return 0;
        var count = (int)Math.Min(buffer.Length, Size - offset);
        Fill(offset, buffer.Span[..count]);
        return count;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Fill(long offset, Span<byte> span)
    {
        var done = 0;
        while (done < span.Length)
        {
            var at = offset + done;
            var block = at / Block;
            var inBlock = (int)(at % Block);
            var part = span.Slice(done, Math.Min(span.Length - done, Block - inBlock));
            if (block == 0) FillHeader(inBlock, part);
            else if (IsDataBlock(block)) FillNoise(at, part);
            else part.Clear();
            done += part.Length;
        }
    }

    private void FillHeader(int inBlock, Span<byte> part)
    {
        for (var i = 0; i < part.Length; i++)
        {
            var p = inBlock + i;
            part[i] = p < _header.Length ? _header[p] : (byte)(p % 251 + 1);
        }
    }

    private void FillNoise(long at, Span<byte> part)
    {
        for (var i = 0; i < part.Length; i++)
        {
            var p = at + i;
            var word = Mix(_seed ^ (ulong)(p >> 3));
            part[i] = (byte)(word >> (int)(p & 7) * 8);
        }
    }

    private static byte[] Header(string vmName)
    {
        var header = new byte[512];
        var text = Encoding.ASCII.GetBytes($"MIGRATIONPORTAL DEMO DISK: {vmName} (simulated; not a real guest)\n");
        text.AsSpan(0, Math.Min(text.Length, 500)).CopyTo(header);
        header[510] = 0x55;
        header[511] = 0xAA;
        return header;
    }

    private static ulong Seed(string id)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }

    // SplitMix64: cheap, well mixed, deterministic.
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
