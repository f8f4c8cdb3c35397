using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Utilisation;

/// <summary>
/// Turns a collector's readings (keyed by the hypervisor's IDs) into samples keyed by the portal's inventory rows. A host or
/// VM the inventory does not know yet (added since the last sync) is left out and counted, not guessed.
/// </summary>
public sealed class UtilisationSamples
{
    private readonly Dictionary<string, (Guid Id, int Cores, long MemoryMb)> _hosts;
    private readonly Dictionary<string, (Guid Id, int Cpus, long MemoryMb, string? Host)> _vms;

    private UtilisationSamples(Dictionary<string, (Guid, int, long)> hosts, Dictionary<string, (Guid, int, long, string?)> vms)
    {
        _hosts = hosts;
        _vms = vms;
    }

    public static async Task<UtilisationSamples> ForConnectionAsync(IPortalDb db, Guid connectionId, CancellationToken ct)
    {
        var hosts = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == connectionId)
            .Select(h => new { h.ExternalId, h.Id, h.CpuCores, h.MemoryMb }).ToListAsync(ct);
        var vms = await db.Vms.AsNoTracking().Where(v => v.ConnectionId == connectionId)
            .Select(v => new { v.ExternalId, v.Id, v.Cpus, v.MemoryMb, v.HostExternalId }).ToListAsync(ct);
        return new UtilisationSamples(
            hosts.DistinctBy(h => h.ExternalId).ToDictionary(h => h.ExternalId, h => (h.Id, h.CpuCores, h.MemoryMb)),
            vms.DistinctBy(v => v.ExternalId).ToDictionary(v => v.ExternalId, v => (v.Id, v.Cpus, v.MemoryMb, v.HostExternalId)));
    }

    /// <summary>The inventory row IDs of the connection's hosts and VMs.</summary>
    public IEnumerable<Guid> SubjectIds => _hosts.Values.Select(h => h.Id).Concat(_vms.Values.Select(v => v.Id));

    /// <summary>The reading's samples in its 5-minute slot, and how many subjects it named that the inventory does not know.</summary>
    public (List<UtilisationSample> Samples, int Unknown) From(UtilisationReading reading)
    {
        var slot = UtilisationSample.SlotOf(reading.At, UtilisationSample.RawSeconds);
        var samples = new List<UtilisationSample>(reading.Hosts.Count + reading.Vms.Count);
        var unknown = 0;
        var mhzPerCore = new Dictionary<string, double>();
        foreach (var h in reading.Hosts)
        {
            if (!_hosts.TryGetValue(h.HostExternalId, out var host))
            {
                unknown++;
                continue;
            }

            var cores = host.Cores > 0 ? host.Cores : 0;
            if (cores > 0 && h.CpuCapacityMhz > 0) mhzPerCore[h.HostExternalId] = h.CpuCapacityMhz / cores;
            samples.Add(new UtilisationSample
            {
                SubjectId = host.Id, ResolutionSeconds = UtilisationSample.RawSeconds, SlotStart = slot,
                CpuUsedMhz = (float)h.CpuUsedMhz, CpuCapacityMhz = h.CpuCapacityMhz > 0 ? (float)h.CpuCapacityMhz : null,
                MemoryUsedMb = Mb(h.MemoryUsedMb), MemoryCapacityMb = h.MemoryCapacityMb > 0 ? Mb(h.MemoryCapacityMb) : null,
            });
        }

        foreach (var v in reading.Vms)
        {
            if (!_vms.TryGetValue(v.VmExternalId, out var vm))
            {
                unknown++;
                continue;
            }

            // A VM's CPU capacity is its vCPUs at its host's clock: the host it runs on now, as the reading says.
            var hostId = v.HostExternalId ?? vm.Host;
            double? capacity = hostId is not null && mhzPerCore.TryGetValue(hostId, out var perCore) && vm.Cpus > 0 ? perCore * vm.Cpus : null;
            samples.Add(new UtilisationSample
            {
                SubjectId = vm.Id, ResolutionSeconds = UtilisationSample.RawSeconds, SlotStart = slot,
                CpuUsedMhz = (float)v.CpuUsedMhz, CpuCapacityMhz = (float?)capacity,
                MemoryUsedMb = Mb(v.MemoryUsedMb), MemoryCapacityMb = vm.MemoryMb > 0 ? Mb(vm.MemoryMb) : null,
                CpuReadyPercent = (float?)v.CpuReadyPercent,
                DiskReadBytesPerSecond = (float?)v.DiskReadBytesPerSecond, DiskWriteBytesPerSecond = (float?)v.DiskWriteBytesPerSecond,
                NetworkReceiveBytesPerSecond = (float?)v.NetworkReceiveBytesPerSecond, NetworkTransmitBytesPerSecond = (float?)v.NetworkTransmitBytesPerSecond,
            });
        }

        return (samples, unknown);
    }

    private static int Mb(long mb) => (int)Math.Clamp(mb, 0, int.MaxValue);
}
