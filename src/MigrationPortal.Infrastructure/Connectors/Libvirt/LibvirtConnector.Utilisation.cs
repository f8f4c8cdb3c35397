using System.Runtime.InteropServices;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Connectors.Libvirt.Native;
using static MigrationPortal.Infrastructure.Connectors.Libvirt.LibvirtConnection;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// Utilisation: how busy each host of the connection and each active domain on it is. libvirt gives cumulative counters
/// (the host's CPU times, a domain's cpu.time, vcpu delay, block and network bytes), so every host is read twice,
/// <see cref="LibvirtOptions.UtilisationInterval"/> apart, and the rates are the differences over the time measured
/// between the two reads of that host.
/// <list type="bullet">
/// <item>Host CPU: the busy share of virNodeGetCPUStats (kernel + user against kernel + user + idle + iowait, all CPUs) × cpus × MHz of virNodeGetInfo.</item>
/// <item>Host memory: virNodeGetMemoryStats' total − free − buffers − cached (page cache is memory the host gives back on demand).</item>
/// <item>Domain CPU: Δcpu.time / Δt × the host's MHz (cpu.time is the whole QEMU process: vCPUs, emulator and I/O threads).</item>
/// <item>Domain memory: balloon.rss, the QEMU process's resident memory on the host, which is what the host has to hold for the
/// guest and what a destination must have room for (vSphere's "consumed" memory is the same idea). balloon.current is only the
/// guest's allotment: without a balloon driver in the guest it always equals the configured size, so it says nothing about load.
/// It is the fallback where rss is missing.</item>
/// <item>Steal: libvirt 9.x gives vcpu.&lt;n&gt;.delay (ns a vCPU thread waited in the host's run queue, what a KVM guest sees as
/// steal time), as the share of the vCPUs' time: ΣΔdelay / (Δt × vcpu.current). Null where the host's libvirt has no delay field.</item>
/// <item>Block and network: Σ over the domain's disks (block.&lt;n&gt;.rd.bytes / wr.bytes) and interfaces (net.&lt;n&gt;.rx.bytes /
/// tx.bytes), as bytes per second; a domain without interfaces reads 0, a counter that went backwards (a device unplugged) null.</item>
/// </list>
/// A host that cannot be read fails the whole reading with libvirt's error naming the host, as the inventory does: a partial
/// reading would make the missing host's VMs look idle. TLS hosts are opened through <see cref="LibvirtSession"/>, so the CA
/// and the pins are checked exactly as for every other call.
/// </summary>
public sealed partial class LibvirtConnector : IUtilisationCollector
{
    private const uint UtilisationStats = LibvirtNative.DomainStatsState | LibvirtNative.DomainStatsCpuTotal | LibvirtNative.DomainStatsBalloon
        | LibvirtNative.DomainStatsVcpu | LibvirtNative.DomainStatsInterface | LibvirtNative.DomainStatsBlock;

    /// <summary>VIR_DOMAIN_PAUSED_MIGRATION: the incoming copy on a destination, or the source at switch-over; the VM is counted where it runs.</summary>
    private const int PausedForMigration = 2;

    public Task<UtilisationReading> ReadUtilisationAsync(ConnectionInfo connection, CancellationToken ct) => OnLibvirtThread(() =>
    {
        using var session = new LibvirtSession(connection);
        var hosts = session.HostUris.Select(uri => (Uri: uri, Connection: session.Connect(uri))).ToList();
        var before = hosts.Select(h => ReadHostSample(h.Connection)).ToList();
        // On the libvirt thread, which is the connector's own: blocking it for the interval keeps both reads on one session.
        Task.Delay(Settings.UtilisationInterval, _time, ct).GetAwaiter().GetResult();
        var after = hosts.Select(h => ReadHostSample(h.Connection)).ToList();

        var hostReadings = new List<HostUtilisation>(hosts.Count);
        var candidates = new List<(VmUtilisation Vm, DomainSample Sample)>();
        for (var i = 0; i < hosts.Count; i++)
        {
            var (first, second) = (before[i], after[i]);
            var node = second.Node;
            var capacityMhz = (double)node.Cpus * node.Mhz;
            hostReadings.Add(new HostUtilisation(hosts[i].Uri, BusyShare(first.Cpu, second.Cpu) * capacityMhz, capacityMhz,
                UsedMemoryKiB(second.Memory, hosts[i].Connection) / 1024, (long)(node.MemoryKiB / 1024)));

            var seconds = _time.GetElapsedTime(first.Timestamp, second.Timestamp).TotalSeconds;
            foreach (var (uuid, now) in second.Domains)
            {
                // A domain that arrived or restarted between the reads has no rate for this interval; the next reading has it.
                if (!first.Domains.TryGetValue(uuid, out var then) || now.CpuTimeNs < then.CpuTimeNs) continue;
                candidates.Add((new VmUtilisation(uuid, hosts[i].Uri,
                    (now.CpuTimeNs - then.CpuTimeNs) / 1e9 / seconds * node.Mhz,
                    (long)((now.BalloonRssKiB ?? now.BalloonCurrentKiB ?? 0) / 1024),
                    Steal(then, now, seconds),
                    Rate(then.BlockReadBytes, now.BlockReadBytes, seconds), Rate(then.BlockWriteBytes, now.BlockWriteBytes, seconds),
                    Rate(then.NetReceiveBytes, now.NetReceiveBytes, seconds), Rate(then.NetTransmitBytes, now.NetTransmitBytes, seconds)), now));
            }
        }

        // During a migration the domain is active on both hosts; the running copy is the VM, an incoming paused copy is not counted.
        var vms = candidates.Where(c => c.Sample.State != DomainState.Paused || c.Sample.Reason != PausedForMigration)
            .GroupBy(c => c.Vm.VmExternalId, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.OrderByDescending(c => c.Sample.State == DomainState.Running).First().Vm)
            .ToList();
        return new UtilisationReading(_time.GetUtcNow(), hostReadings, vms);
    }, ct);

    private static double BusyShare(IReadOnlyDictionary<string, ulong> before, IReadOnlyDictionary<string, ulong> after)
    {
        // Linux fields (ns, summed over all CPUs): kernel, user, idle, iowait. iowait is idle time waiting for a disk.
        double Delta(string field) => after.GetValueOrDefault(field) >= before.GetValueOrDefault(field) ? after.GetValueOrDefault(field) - before.GetValueOrDefault(field) : 0;
        var busy = Delta("kernel") + Delta("user");
        var total = busy + Delta("idle") + Delta("iowait");
        return total > 0 ? busy / total : 0;
    }

    private static long UsedMemoryKiB(IReadOnlyDictionary<string, ulong> memory, LibvirtConnection host)
    {
        if (!memory.TryGetValue("total", out var total) || !memory.TryGetValue("free", out var free))
            throw new LibvirtException(LibvirtException.NoSupport, LibvirtException.FromNone,
                $"virNodeGetMemoryStats gave no total and free memory (it gave: {string.Join(", ", memory.Keys)}).", "virNodeGetMemoryStats", host.Host);
        var used = (long)total - (long)free - (long)memory.GetValueOrDefault("buffers") - (long)memory.GetValueOrDefault("cached");
        return Math.Max(0, used);
    }

    private static double? Steal(DomainSample then, DomainSample now, double seconds) =>
        then.VcpuDelayNs is { } before && now.VcpuDelayNs is { } after && after >= before && now.Vcpus > 0
            ? (after - before) / 1e9 / (seconds * now.Vcpus) * 100
            : null;

    private static double? Rate(ulong? before, ulong? after, double seconds) =>
        before is { } b && after is { } a && a >= b ? (a - b) / seconds : null;

    private HostSample ReadHostSample(LibvirtConnection host)
    {
        Check(LibvirtNative.virNodeGetInfo(host.Handle, out var node), "virNodeGetInfo", host.Host);
        var cpu = ReadNodeStats(host, memory: false);
        var memory = ReadNodeStats(host, memory: true);
        var started = _time.GetTimestamp();
        var domains = ReadDomainStats(host);
        // The domains' counters were read somewhere within the call: its midpoint is their time.
        var timestamp = started + (_time.GetTimestamp() - started) / 2;
        return new HostSample(node, cpu, memory, domains, timestamp);
    }

    private static unsafe Dictionary<string, ulong> ReadNodeStats(LibvirtConnection host, bool memory)
    {
        var operation = memory ? "virNodeGetMemoryStats" : "virNodeGetCPUStats";
        int Call(NodeStatsField* fields, ref int count) => memory
            ? LibvirtNative.virNodeGetMemoryStats(host.Handle, LibvirtNative.NodeStatsAll, fields, ref count, 0)
            : LibvirtNative.virNodeGetCPUStats(host.Handle, LibvirtNative.NodeStatsAll, fields, ref count, 0);

        var count = 0;
        Check(Call(null, ref count), operation, host.Host);
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (count <= 0) return result;
        var fields = new NodeStatsField[count];
        fixed (NodeStatsField* p = fields)
        {
            Check(Call(p, ref count), operation, host.Host);
            for (var i = 0; i < count; i++)
            {
                var name = new ReadOnlySpan<byte>(p[i].Field, NodeStatsField.FieldLength);
                var end = name.IndexOf((byte)0);
                result[System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end])] = p[i].Value;
            }
        }

        return result;
    }

    private static Dictionary<string, DomainSample> ReadDomainStats(LibvirtConnection host)
    {
        var count = LibvirtNative.virConnectGetAllDomainStats(host.Handle, UtilisationStats, out var list, LibvirtNative.GetAllDomainsStatsActive);
        using (list)
        {
            if (count < 0) throw LibvirtException.FromLastError("virConnectGetAllDomainStats", host.Host);
            var result = new Dictionary<string, DomainSample>(count, StringComparer.OrdinalIgnoreCase);
            unsafe
            {
                var records = (DomainStatsRecord**)list.DangerousGetHandle();
                for (var i = 0; i < count; i++)
                {
                    var sample = ReadRecord(*records[i], host);
                    if (sample is not null) result[sample.Uuid] = sample;
                }
            }

            return result;
        }
    }

    private static unsafe DomainSample? ReadRecord(DomainStatsRecord record, LibvirtConnection host)
    {
        var buffer = stackalloc byte[37];
        Check(LibvirtNative.virDomainGetUUIDStringOfRecord(record.Domain, buffer), "virDomainGetUUIDString", host.Host);
        var uuid = Marshal.PtrToStringUTF8((nint)buffer) ?? "";
        var (parameters, n) = (record.Parameters, record.Count);
        ulong? U(string name) => LibvirtNative.virTypedParamsGetULLong(parameters, n, name, out var v) == 1 ? v : null;
        uint? UI(string name) => LibvirtNative.virTypedParamsGetUInt(parameters, n, name, out var v) == 1 ? v : null;
        int? I(string name) => LibvirtNative.virTypedParamsGetInt(parameters, n, name, out var v) == 1 ? v : null;
        ulong? Sum(string count, Func<uint, string> field)
        {
            if (UI(count) is not { } items) return null;
            ulong total = 0;
            for (uint i = 0; i < items; i++) total += U(field(i)) ?? 0;
            return total;
        }

        var vcpus = UI("vcpu.current") ?? 0;
        // cpu.time is the QEMU process (from its cgroup, or /proc where the host runs QEMU without cgroups); older
        // drivers that lack it still give the vCPUs' own times.
        var cpuTime = U("cpu.time") ?? Sum("vcpu.maximum", i => $"vcpu.{i}.time");
        if (cpuTime is null) return null; // not a running QEMU domain (no process to measure): nothing to report
        ulong? delay = null;
        for (uint i = 0; i < (UI("vcpu.maximum") ?? vcpus); i++)
            if (U($"vcpu.{i}.delay") is { } d) delay = (delay ?? 0) + d;

        return new DomainSample(uuid, (DomainState)(I("state.state") ?? 0), I("state.reason") ?? 0, cpuTime.Value, U("balloon.current"), U("balloon.rss"),
            (int)vcpus, delay,
            Sum("block.count", i => $"block.{i}.rd.bytes"), Sum("block.count", i => $"block.{i}.wr.bytes"),
            Sum("net.count", i => $"net.{i}.rx.bytes"), Sum("net.count", i => $"net.{i}.tx.bytes"));
    }

    private sealed record HostSample(NodeInfo Node, Dictionary<string, ulong> Cpu, Dictionary<string, ulong> Memory, Dictionary<string, DomainSample> Domains, long Timestamp);

    /// <summary>One domain's counters: times in ns, memory in KiB, block and network in bytes since the domain started.</summary>
    private sealed record DomainSample(string Uuid, DomainState State, int Reason, ulong CpuTimeNs, ulong? BalloonCurrentKiB, ulong? BalloonRssKiB,
        int Vcpus, ulong? VcpuDelayNs, ulong? BlockReadBytes, ulong? BlockWriteBytes, ulong? NetReceiveBytes, ulong? NetTransmitBytes);
}
