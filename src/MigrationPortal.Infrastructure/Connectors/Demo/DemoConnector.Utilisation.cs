using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.Demo;

/// <summary>
/// The demo's simulated load: each VM follows a daily curve of its own (a deterministic seed from its ID: base load, peak
/// hour and height, a quieter weekend) with noise that is a function of the VM and the 5-minute slot, so every node and
/// every restart computes the same figure for the same moment. The VMs first placed on the first host of each cluster
/// (demo-esx-a1 and -b1) are heavy, so those hosts run hot and the skew the recommendations should fix is visible. A
/// host's load is the sum of its powered-on VMs' plus a little overhead, so it follows the VMs when they move. The
/// history role fills a fresh demo's charts with the same curves for the past week.
/// </summary>
public sealed partial class DemoConnector : IUtilisationCollector, IUtilisationHistory
{
    /// <summary>The demo hosts' clock per core.</summary>
    public const double DemoCoreMhz = 2600;

    public async Task<UtilisationReading> ReadUtilisationAsync(ConnectionInfo connection, CancellationToken ct)
    {
        var (world, vms) = await LoadRunningAsync(connection, ct);
        return DemoLoad.Reading(world, vms, time.GetUtcNow());
    }

    public async Task<IReadOnlyList<UtilisationReading>> ReadHistoryAsync(ConnectionInfo connection, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct)
    {
        // The VMs where they are now: the demo keeps no record of past placements, and a fresh demo has made no moves yet.
        var (world, vms) = await LoadRunningAsync(connection, ct);
        var readings = new List<UtilisationReading>();
        for (var at = from; at < to; at += step) readings.Add(DemoLoad.Reading(world, vms, at));
        return readings;
    }

    private async Task<(DemoWorldLayout World, List<DemoVm> Vms)> LoadRunningAsync(ConnectionInfo connection, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureSeededAsync(db, ct);
        var world = DemoWorlds.For(connection.Endpoint);
        var hostIds = world.Hosts.Select(h => h.Id).ToList();
        var vms = await db.DemoVms.AsNoTracking().Where(v => hostIds.Contains(v.HostId) && v.PowerState == "poweredOn").OrderBy(v => v.Id).ToListAsync(ct);
        return (world, vms);
    }
}

/// <summary>The demo's load curves (see <see cref="DemoConnector"/>'s utilisation role).</summary>
public static class DemoLoad
{
    public static UtilisationReading Reading(DemoWorldLayout world, IReadOnlyList<DemoVm> vms, DateTimeOffset at)
    {
        var vmLoads = vms.Select(v => new VmUtilisation(v.Id, v.HostId, v.Cpus * DemoConnector.DemoCoreMhz * CpuFraction(v.Id, at), (long)(v.MemoryMb * MemoryFraction(v.Id, at)),
            CpuReadyPercent: Math.Round(0.5 + 2 * CpuFraction(v.Id, at), 2))).ToList();
        var hosts = world.Hosts.Select(h =>
        {
            var capacity = h.Cores * DemoConnector.DemoCoreMhz;
            var onHost = vmLoads.Where(v => v.HostExternalId == h.Id).ToList();
            var cpu = Math.Min(capacity, capacity * 0.02 + onHost.Sum(v => v.CpuUsedMhz));
            var memory = Math.Min(h.MemoryMb, 4096 + onHost.Sum(v => v.MemoryUsedMb));
            return new HostUtilisation(h.Id, cpu, capacity, memory, h.MemoryMb);
        }).ToList();
        return new UtilisationReading(at, hosts, vmLoads);
    }

    /// <summary>The share of its vCPUs a VM uses at a moment, between 2 % and 95 %.</summary>
    public static double CpuFraction(string vmId, DateTimeOffset at)
    {
        var seed = Hash(vmId);
        var baseLoad = 0.05 + 0.15 * Unit(seed, 1);
        var peak = 0.15 + 0.35 * Unit(seed, 2);
        var peakHour = 9 + 8 * Unit(seed, 3);
        var hour = at.UtcDateTime.TimeOfDay.TotalHours;
        // A smooth hump around the peak hour, about eight hours wide, nothing at night.
        var distance = Math.Abs(hour - peakHour);
        distance = Math.Min(distance, 24 - distance);
        var day = distance >= 6 ? 0 : Math.Pow(Math.Cos(distance / 6 * Math.PI / 2), 2);
        var weekend = at.UtcDateTime.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.4 : 1.0;
        var noise = 0.04 * (2 * Unit(Hash(vmId + "@" + at.ToUnixTimeSeconds() / 300), 4) - 1);
        var load = (baseLoad + peak * day * weekend + noise) * (IsHeavy(vmId) ? 1.9 : 1.0);
        return Math.Clamp(load, 0.02, 0.95);
    }

    /// <summary>The share of its memory a VM has in use: mostly steady (caches), a little higher by day.</summary>
    public static double MemoryFraction(string vmId, DateTimeOffset at)
    {
        var seed = Hash(vmId);
        var steady = 0.35 + 0.35 * Unit(seed, 5);
        return Math.Clamp(steady + 0.15 * CpuFraction(vmId, at) + (IsHeavy(vmId) ? 0.15 : 0), 0.1, 0.97);
    }

    /// <summary>The VMs first placed on the first host of each cluster (VM numbers 1, 4, 7, ... land on a1 and b1).</summary>
    public static bool IsHeavy(string vmId) =>
        vmId.StartsWith("demo-vm-", StringComparison.Ordinal) && int.TryParse(vmId["demo-vm-".Length..], out var n) && (n - 1) % DemoWorldShape.Hosts.Count % 3 == 0;

    /// <summary>FNV-1a: stable across processes (string.GetHashCode is randomised per process).</summary>
    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }

        return hash;
    }

    /// <summary>A number in [0, 1) drawn from a seed and a salt.</summary>
    private static double Unit(uint seed, uint salt)
    {
        var x = seed ^ (salt * 0x9E3779B9u);
        x ^= x >> 16;
        x *= 0x7FEB352Du;
        x ^= x >> 15;
        x *= 0x846CA68Bu;
        x ^= x >> 16;
        return x / 4294967296.0;
    }
}
