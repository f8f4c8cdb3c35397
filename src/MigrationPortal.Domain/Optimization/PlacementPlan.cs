namespace MigrationPortal.Domain.Optimization;

public enum PlanStrategy { Balance, Consolidate, FirstFitDecreasing }

/// <summary>One VM's move, in plan order. CPU and memory are the VM's demand; the duration is an estimate from its memory.</summary>
public sealed record PlannedMove(int Sequence, string VmId, string FromHostId, string ToHostId, double CpuMhz, double MemoryMb,
    TimeSpan EstimatedDuration, string Reason);

/// <summary>The what-if for one host: CPU and memory as a share of capacity (0.5 = 50 %) and the weighted load, before and after.</summary>
public sealed record HostLoadChange(string HostId, string GroupId, bool Usable,
    double CpuBefore, double MemoryBefore, double LoadBefore, int VmsBefore,
    double CpuAfter, double MemoryAfter, double LoadAfter, int VmsAfter, bool Freed);

/// <summary>A cluster's imbalance (coefficient of variation of host load) before and after, and the balance threshold's target.</summary>
public sealed record ClusterImbalance(string GroupId, double Before, double After, double Target);

public sealed record PowerSavings(int HostsFreed, double Watts, double KwhPerMonth, double CostPerMonth);

/// <summary>What the consolidation solver proved: hosts freed by its plan, the most hosts any plan could free (its bound),
/// and the gap between them, summed over the clusters.</summary>
public sealed record SolverReport(string Status, int HostsFreed, int BoundHostsFreed, TimeSpan Elapsed, IReadOnlyList<string> ClusterStatuses)
{
    public int Gap => BoundHostsFreed - HostsFreed;
}

public sealed record PlacementPlan(
    PlanStrategy Strategy,
    IReadOnlyList<PlannedMove> Moves,
    IReadOnlyList<HostLoadChange> Hosts,
    IReadOnlyList<ClusterImbalance> Clusters,
    double ImbalanceBefore,
    double ImbalanceAfter,
    int HostsFreed,
    PowerSavings Savings,
    TimeSpan TotalDuration,
    bool InSafeOrder,
    IReadOnlyList<string> Notes,
    SolverReport? Solver = null)
{
    public int MovedVms => Moves.Count;
}
