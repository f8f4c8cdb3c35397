using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Scheduling;

/// <summary>An estimate of how long a migration takes, with the data it assumed and a sentence saying how it was reached.</summary>
public sealed record DurationEstimate(TimeSpan Duration, long Bytes, string Basis);

/// <summary>
/// Estimates a migration's duration from what moves (the VM's memory for a compute move, its used disk for a storage move,
/// both for both) and the throughput measured on the latest succeeded migrations of the same kind on the same connection
/// (their data over their StartedAt→CompletedAt time, so the measured rate already includes the steps around the
/// transfer). Before any history exists a configured default throughput and a fixed overhead apply.
/// </summary>
public sealed class DurationEstimator(IPortalDb db, IOptions<SchedulingOptions> options)
{
    private readonly Dictionary<(Guid, MigrationKind), (double BytesPerSecond, int Samples)?> _measured = [];

    public static long BytesToMove(MigrationKind kind, InventoryVm? vm)
    {
        if (vm is null) return 0;
        // A conversion is cold: the guest is shut down first, so only its disks travel, never its memory.
        if (kind == MigrationKind.CrossPlatform) return (vm.UsedGb > 0 ? vm.UsedGb : vm.ProvisionedGb) * 1024L * 1024L * 1024L;
        long bytes = 0;
        if (kind.MovesCompute()) bytes += vm.MemoryMb * 1024L * 1024L;
        if (kind.MovesStorage()) bytes += (vm.UsedGb > 0 ? vm.UsedGb : vm.ProvisionedGb) * 1024L * 1024L * 1024L;
        return bytes;
    }

    public async Task<DurationEstimate> EstimateAsync(Guid connectionId, MigrationKind kind, InventoryVm? vm, CancellationToken ct)
    {
        var bytes = BytesToMove(kind, vm);
        var what = Describe(kind, bytes);
        var measured = await MeasuredAsync(connectionId, kind, ct);
        if (measured is { } m)
        {
            var duration = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(bytes / m.BytesPerSecond)));
            return new DurationEstimate(duration, bytes,
                $"{what} at {m.BytesPerSecond / 1_000_000:0.#} MB/s, measured on the last {m.Samples} succeeded {KindName(kind)} migration(s) on this connection.");
        }

        var rate = options.Value.DefaultThroughputMBps * 1_000_000;
        var estimate = options.Value.FixedOverhead + TimeSpan.FromSeconds(Math.Ceiling(bytes / rate));
        return new DurationEstimate(estimate, bytes,
            $"{what} at the default {options.Value.DefaultThroughputMBps:0.#} MB/s plus {options.Value.FixedOverhead.TotalMinutes:0.#} min for the steps around the transfer: no {KindName(kind)} migration on this connection has succeeded yet.");
    }

    private async Task<(double BytesPerSecond, int Samples)?> MeasuredAsync(Guid connectionId, MigrationKind kind, CancellationToken ct)
    {
        if (_measured.TryGetValue((connectionId, kind), out var cached)) return cached;
        var samples = await db.Requests.AsNoTracking()
            .Where(r => r.ConnectionId == connectionId && r.Kind == kind && r.State == RequestState.Succeeded
                && r.StartedAt != null && r.CompletedAt != null && r.EstimatedBytes != null && r.EstimatedBytes > 0)
            .OrderByDescending(r => r.CompletedAt)
            .Take(options.Value.ThroughputSamples)
            .Select(r => new { r.StartedAt, r.CompletedAt, r.EstimatedBytes })
            .ToListAsync(ct);
        var seconds = samples.Sum(s => (s.CompletedAt!.Value - s.StartedAt!.Value).TotalSeconds);
        (double, int)? result = samples.Count == 0 || seconds <= 0 ? null : (samples.Sum(s => (double)s.EstimatedBytes!.Value) / seconds, samples.Count);
        _measured[(connectionId, kind)] = result;
        return result;
    }

    private static string KindName(MigrationKind kind) => kind switch
    {
        MigrationKind.Compute => "compute",
        MigrationKind.Storage => "storage",
        MigrationKind.ComputeAndStorage => "compute-and-storage",
        _ => "cross-platform",
    };

    private static string Describe(MigrationKind kind, long bytes)
    {
        var size = $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB";
        return kind switch
        {
            MigrationKind.Compute => $"{size} of memory",
            MigrationKind.Storage => $"{size} of disk",
            MigrationKind.CrossPlatform => $"{size} of disk, converted cold",
            _ => $"{size} of memory and disk",
        };
    }
}
