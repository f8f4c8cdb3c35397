namespace MigrationPortal.Domain.Optimization;

/// <summary>A VM's measured demand and what it needs from a host. <paramref name="Movable"/> is false for a VM the optimizer
/// must leave where it is (already in an active request, a template, pinned by an operator); <paramref name="PinnedReason"/>
/// says why, for the plan's notes.</summary>
public sealed record PlacementVm(
    string Id,
    string HostId,
    double CpuDemandMhz,
    double MemoryDemandMb,
    IReadOnlyList<string> Datastores,
    IReadOnlyList<string> Networks,
    bool Movable = true,
    string? PinnedReason = null);
