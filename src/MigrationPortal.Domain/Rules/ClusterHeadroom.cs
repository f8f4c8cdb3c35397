using MigrationPortal.Domain.Common;

namespace MigrationPortal.Domain.Rules;

/// <summary>
/// The CPU and memory a cluster keeps free: a move that would leave a host of the cluster with less free than this share of
/// its capacity breaks the headroom. One row per connection and cluster (a database index). The cluster is the name the
/// inventory gives the hosts (vSphere's cluster); hosts without one (libvirt reports none) form the connection's own group,
/// <see cref="WholeConnection"/>.
/// </summary>
public sealed class ClusterHeadroom
{
    /// <summary>The cluster name of the hosts that have none: the whole connection, for KVM host groups.</summary>
    public const string WholeConnection = "";

    /// <summary>The most a headroom may reserve: a cluster that keeps more than 90 % free cannot take any move worth checking.</summary>
    public const int MaximumPercent = 90;

    private ClusterHeadroom() { }

    public ClusterHeadroom(Guid connectionId, string clusterName, int cpuPercent, int memoryPercent, Actor actor, DateTimeOffset now)
    {
        Id = Guid.NewGuid();
        ConnectionId = connectionId;
        ClusterName = clusterName;
        Set(cpuPercent, memoryPercent, actor, now);
    }

    public Guid Id { get; private set; }
    public Guid ConnectionId { get; private set; }
    public string ClusterName { get; private set; } = "";
    public int CpuPercent { get; private set; }
    public int MemoryPercent { get; private set; }
    public string UpdatedBy { get; private set; } = "";
    public DateTimeOffset UpdatedAt { get; private set; }

    public void Set(int cpuPercent, int memoryPercent, Actor actor, DateTimeOffset now)
    {
        if (cpuPercent is < 0 or > MaximumPercent) throw new DomainException($"CPU headroom must be between 0 and {MaximumPercent} %.");
        if (memoryPercent is < 0 or > MaximumPercent) throw new DomainException($"Memory headroom must be between 0 and {MaximumPercent} %.");
        CpuPercent = cpuPercent;
        MemoryPercent = memoryPercent;
        UpdatedBy = actor.Name;
        UpdatedAt = now;
    }

    /// <summary>The memory a host of the cluster may use, in MB, leaving the headroom free.</summary>
    public static long UsableMemoryMb(long capacityMb, int memoryPercent) => capacityMb * (100 - memoryPercent) / 100;
}
