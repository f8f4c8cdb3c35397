using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Utilisation;

public enum UtilisationSubjectKind
{
    Vm,
    Host,
}

/// <param name="CpuPercent">CPU in use as a percentage of the subject's capacity; null when the capacity is not known.</param>
/// <param name="MemoryPercent">Memory in use as a percentage of the subject's memory; null when it is not known.</param>
public sealed record UtilisationPoint(DateTimeOffset At, double? CpuPercent, double? MemoryPercent, double CpuUsedMhz, int MemoryUsedMb, double? CpuReadyPercent);

/// <param name="ResolutionSeconds">The spacing of <paramref name="Points"/>: 300 up to two days, 3,600 beyond.</param>
/// <param name="IsDemo">The subject belongs to the demo connection: its load is simulated.</param>
public sealed record UtilisationSeries(UtilisationSubjectKind Kind, Guid SubjectId, string Name, bool IsDemo, DateTimeOffset From, DateTimeOffset To,
    int ResolutionSeconds, IReadOnlyList<UtilisationPoint> Points);

/// <summary>
/// One VM's or host's utilisation over a time range, for its page and the API. Authorised as its page is: a VM as
/// <c>GetVm</c> (a requester sees only their applications' VMs, 403), a host for Operators and Administrators. Up to two
/// days come at the collected 5-minute resolution; a longer range (at most 31 days) in hourly averages, so a chart never
/// draws more than about 750 points.
/// </summary>
public sealed class GetUtilisationSeries(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);
    private static readonly TimeSpan RawUpTo = TimeSpan.FromDays(2);

    public async Task<UtilisationSeries> HandleAsync(PortalUser user, UtilisationSubjectKind kind, Guid id, DateTimeOffset? from = null, DateTimeOffset? to = null,
        CancellationToken ct = default)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end - TimeSpan.FromDays(1);
        new Validation()
            .Require(start < end, "from", "'from' must be before 'to'.")
            .Require(end - start <= MaxRange, "to", $"The range may span at most {MaxRange.TotalDays:0} days.")
            .ThrowIfInvalid();

        string name;
        Guid connectionId;
        if (kind == UtilisationSubjectKind.Vm)
        {
            var vm = await db.Vms.AsNoTracking().Where(v => v.Id == id).Select(v => new { v.Name, v.ConnectionId }).FirstOrDefaultAsync(ct) ?? throw new NotFoundException("VM", id);
            var visible = await guard.VisibleVmsAsync(user, ct);
            if (!await visible.AnyAsync(v => v.Id == id, ct))
                await guard.DenyAsync(user, "vm.utilisation", "InventoryVm", id.ToString(), AccessGuard.NotYourVm, ct);
            (name, connectionId) = (vm.Name, vm.ConnectionId);
        }
        else
        {
            await guard.RequireRoleAsync(user, "host.utilisation", ct, Roles.Operator, Roles.Administrator);
            var host = await db.Hosts.AsNoTracking().Where(h => h.Id == id).Select(h => new { h.Name, h.ConnectionId }).FirstOrDefaultAsync(ct) ?? throw new NotFoundException("Host", id);
            (name, connectionId) = (host.Name, host.ConnectionId);
        }

        var isDemo = await db.Connections.AsNoTracking().AnyAsync(c => c.Id == connectionId && c.Kind == ConnectionKinds.Demo, ct);
        var first = UtilisationSample.SlotOf(start, UtilisationSample.HourlySeconds);
        var last = end.ToUnixTimeSeconds();
        // Served by the key (subject, resolution, slot): both resolutions of one subject over the range.
        var rows = await db.UtilisationSamples.AsNoTracking()
            .Where(s => s.SubjectId == id && s.SlotStart >= first && s.SlotStart < last)
            .ToListAsync(ct);
        var resolution = end - start <= RawUpTo ? UtilisationSample.RawSeconds : UtilisationSample.HourlySeconds;
        var startSeconds = start.ToUnixTimeSeconds();
        var points = rows
            .Where(r => r.SlotStart >= startSeconds)
            // Raw samples where they are kept, hourly ones before; a chart of more than two days averages both to the hour.
            .GroupBy(r => resolution == UtilisationSample.RawSeconds && r.ResolutionSeconds == UtilisationSample.RawSeconds ? r.SlotStart : UtilisationSample.SlotOf(r.Start, UtilisationSample.HourlySeconds))
            .Select(g => Average(g.Key, g.ToList()))
            .OrderBy(p => p.At)
            .ToList();
        return new UtilisationSeries(kind, id, name, isDemo, start, end, resolution, points);
    }

    /// <summary>Averages samples into one point, each weighted by the readings it stands for.</summary>
    private static UtilisationPoint Average(long slot, List<UtilisationSample> samples)
    {
        double weight = samples.Sum(s => (double)s.SampleCount);
        double? WeightedAverage(Func<UtilisationSample, double?> value)
        {
            var known = samples.Where(s => value(s) is not null).ToList();
            var w = known.Sum(s => (double)s.SampleCount);
            return w > 0 ? known.Sum(s => value(s)!.Value * s.SampleCount) / w : null;
        }

        return new UtilisationPoint(DateTimeOffset.FromUnixTimeSeconds(slot),
            WeightedAverage(s => s.CpuPercent), WeightedAverage(s => s.MemoryPercent),
            samples.Sum(s => (double)s.CpuUsedMhz * s.SampleCount) / weight,
            (int)Math.Round(samples.Sum(s => (double)s.MemoryUsedMb * s.SampleCount) / weight),
            WeightedAverage(s => s.CpuReadyPercent));
    }
}
