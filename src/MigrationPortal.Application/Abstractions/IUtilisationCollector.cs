namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// The connector's utilisation role: reads how busy each host and VM of a connection is right now, for the recommendations
/// (Optimize) and for watching a VM after its move. Rates are already rates: a connector whose hypervisor gives cumulative
/// counters (libvirt's cpu.time, block and network bytes) reads them twice a short interval apart and reports the difference.
/// CPU is in MHz on every kind, as vSphere's quickStats give it, so that load is comparable across hosts of unequal speed.
/// Faults are reported as <see cref="ConnectorException"/> naming the host.
/// </summary>
public interface IUtilisationCollector
{
    /// <summary>The connection kind this collector serves.</summary>
    string Kind { get; }

    /// <summary>One reading of every connected host and every powered-on VM of the connection.</summary>
    Task<UtilisationReading> ReadUtilisationAsync(ConnectionInfo connection, CancellationToken ct);
}

/// <summary>What one reading saw, and when (the collector's clock, from the injected <see cref="TimeProvider"/>).</summary>
public sealed record UtilisationReading(DateTimeOffset At, IReadOnlyList<HostUtilisation> Hosts, IReadOnlyList<VmUtilisation> Vms);

/// <summary>
/// A host's load. <paramref name="CpuCapacityMhz"/> is cores × clock (vSphere: summary.hardware.cpuMhz × numCpuCores;
/// libvirt: virNodeGetInfo's mhz × cpus). Keyed by the hypervisor's own host ID, as <see cref="HostInfo.ExternalId"/>.
/// </summary>
public sealed record HostUtilisation(string HostExternalId, double CpuUsedMhz, double CpuCapacityMhz, long MemoryUsedMb, long MemoryCapacityMb);

/// <summary>
/// A VM's load, keyed by <see cref="VmInfo.ExternalId"/>. The optional measures are null where the hypervisor does not give
/// them: CPU ready (vSphere) or steal (KVM) as a percentage of the VM's time, and block and network rates (KVM).
/// </summary>
public sealed record VmUtilisation(
    string VmExternalId,
    string? HostExternalId,
    double CpuUsedMhz,
    long MemoryUsedMb,
    double? CpuReadyPercent = null,
    double? DiskReadBytesPerSecond = null,
    double? DiskWriteBytesPerSecond = null,
    double? NetworkReceiveBytesPerSecond = null,
    double? NetworkTransmitBytesPerSecond = null);
