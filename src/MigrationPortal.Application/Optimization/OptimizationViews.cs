namespace MigrationPortal.Application.Optimization;

/// <summary>What a recommendation aims at: spread the load (like DRS) or free whole hosts (like SCVMM's power optimization).</summary>
public enum OptimizationStrategy { Balance, Consolidate }

/// <summary>
/// A cluster (vSphere) or host group (KVM: a connection's hosts without a cluster) that recommendations can be asked for.
/// <paramref name="ClusterName"/> is "" for the hosts without a cluster; <paramref name="DisplayName"/> is how the rules page names it.
/// </summary>
public sealed record OptimizationGroupView(Guid ConnectionId, string ConnectionName, string ConnectionKind, string ClusterName, string DisplayName,
    int HostCount, int UsableHostCount, int VmCount);

/// <summary>One host's what-if: CPU, memory and weighted load as a share of capacity (0.5 = 50 %), before and after the moves.</summary>
public sealed record HostLoadView(string HostId, string HostName, bool Usable, double CpuBefore, double MemoryBefore, double LoadBefore, int VmsBefore,
    double CpuAfter, double MemoryAfter, double LoadAfter, int VmsAfter, bool Freed);

/// <summary>
/// One move of the recommendation, in plan order. <paramref name="Measured"/> says whether the VM's demand is the mean of its
/// samples or its configured size. The duration is the portal's estimate (<see cref="Scheduling.DurationEstimator"/>), the
/// same a request gets. <paramref name="PlannedStart"/> and <paramref name="PlannedEnd"/> are when the batch's schedule
/// (<see cref="RecommendationSchedule"/>: the concurrency limits and the windows, as the dispatcher applies them) would
/// run it (null: no start fits); <paramref name="WindowName"/> and <paramref name="WindowCloses"/> name the window
/// occurrence it runs in (null when no window covers the VM), and <paramref name="WaitsFor"/> the limit that makes it
/// start later than its window alone would (null when none does).
/// </summary>
public sealed record RecommendedMove(int Sequence, Guid VmId, string VmName, string FromHostId, string FromHostName, string ToHostId, string ToHostName,
    double CpuMhz, double MemoryMb, bool Measured, TimeSpan EstimatedDuration, string EstimateBasis, DateTimeOffset? PlannedStart, string Reason,
    DateTimeOffset? PlannedEnd = null, string? WindowName = null, DateTimeOffset? WindowCloses = null, string? WaitsFor = null);

/// <summary>
/// When the moves are expected to run if accepted now and approved at once: the earliest and latest planned start of any
/// move, the maintenance windows that cover them (empty when none does, so they may move at any time) and a sentence.
/// <paramref name="LastEnd"/> is when the last move is expected to end, <paramref name="Occurrences"/> how many window
/// occurrences the batch runs in (0 without a window), <paramref name="MaxConcurrent"/> the most moves of the batch
/// running at once, and <paramref name="LimitedBy"/> the concurrency limit that held moves back most often (null when none did).
/// </summary>
public sealed record ExpectedWindow(DateTimeOffset? FirstStart, DateTimeOffset? LastStart, IReadOnlyList<string> WindowNames, string Explanation,
    DateTimeOffset? LastEnd = null, int Occurrences = 0, int MaxConcurrent = 0, string? LimitedBy = null);

public sealed record PowerSavingsView(int HostsFreed, double Watts, double KwhPerMonth, double CostPerMonth, double WattsPerHost, double PricePerKwh);

/// <summary>The consolidation solver's account: hosts freed, the most any plan could free (its bound), the gap, and how each cluster ended.</summary>
public sealed record SolverView(string Status, int HostsFreed, int BoundHostsFreed, int Gap, TimeSpan Elapsed, IReadOnlyList<string> Details);

/// <summary>
/// A recommendation with its what-if. <paramref name="Fingerprint"/> identifies the moves: accepting sends it back, and the
/// server refuses (409) when its own re-plan differs. <paramref name="VmsMeasured"/> VMs were counted at their measured
/// demand and <paramref name="VmsConfigured"/> at their configured vCPUs and memory (no samples in the lookback).
/// <paramref name="TargetImbalance"/> is the threshold's target (null at level 1, which recommends no balance move).
/// </summary>
public sealed record Recommendation(
    Guid ConnectionId,
    string ClusterName,
    string GroupName,
    OptimizationStrategy Strategy,
    int ThresholdLevel,
    string Fingerprint,
    DateTimeOffset PlannedAt,
    TimeSpan Lookback,
    int VmsMeasured,
    int VmsConfigured,
    string DemandBasis,
    IReadOnlyList<HostLoadView> Hosts,
    IReadOnlyList<RecommendedMove> Moves,
    double ImbalanceBefore,
    double ImbalanceAfter,
    double? TargetImbalance,
    int HostsFreed,
    PowerSavingsView? Savings,
    SolverView? Solver,
    TimeSpan TotalDuration,
    ExpectedWindow Window,
    IReadOnlyList<string> Notes);
