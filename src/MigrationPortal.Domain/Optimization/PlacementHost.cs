namespace MigrationPortal.Domain.Optimization;

/// <summary>A host as the optimizer sees it. <paramref name="GroupId"/> is the vSphere cluster or the KVM host group: no move
/// ever crosses it. <paramref name="Usable"/> is false for a host in maintenance or not connected: it is never a target and
/// its VMs are left to the evacuation feature.</summary>
public sealed record PlacementHost(
    string Id,
    string GroupId,
    double CpuCapacityMhz,
    double MemoryCapacityMb,
    bool Usable,
    IReadOnlySet<string> Datastores,
    IReadOnlySet<string> Networks,
    double? Watts = null);
