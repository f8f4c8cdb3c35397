namespace MigrationPortal.Domain.Optimization;

/// <summary>What the strategies may be tuned by; every figure has a default that is defended in docs/architecture.md
/// ("Optimization engine").</summary>
public sealed record OptimizerSettings
{
    /// <summary>Host load = CpuWeight × CPU utilisation + MemoryWeight × memory utilisation. Half and half by default: neither
    /// resource is known to be the scarce one in general, and both are measured the same way (demand over capacity).</summary>
    public double CpuWeight { get; init; } = 0.5;
    public double MemoryWeight { get; init; } = 0.5;

    /// <summary>Like DRS's migration threshold: 1 = recommend no balance move, 5 = most aggressive; see <see cref="TargetImbalance"/>.</summary>
    public int ThresholdLevel { get; init; } = 3;

    /// <summary>The most moves one plan may hold (both strategies).</summary>
    public int MaxMoves { get; init; } = 200;

    /// <summary>A balance move must lower its cluster's imbalance (coefficient of variation) by at least this much, so the plan
    /// does not churn VMs for a negligible gain.</summary>
    public double MinimumGain { get; init; } = 0.0005;

    /// <summary>For a move's estimated duration: memory copied at this rate (6 GB/min is about 1 Gbit/s used at 80 %)
    /// plus a fixed overhead for the precheck, switch-over and verify.</summary>
    public double MigrationGigabytesPerMinute { get; init; } = 6;
    public TimeSpan MoveOverhead { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Power drawn by a host that is left on (a two-socket server at low load draws 250-400 W); a host's own
    /// <see cref="PlacementHost.Watts"/> wins. Price per kWh in the portal's currency.</summary>
    public double WattsPerHost { get; init; } = 350;
    public double PricePerKwh { get; init; } = 0.25;

    /// <summary>How long the consolidation solver may search in total (split over the clusters by their size).</summary>
    public TimeSpan SolverTimeLimit { get; init; } = TimeSpan.FromSeconds(0.6);

    /// <summary>The imbalance (coefficient of variation of host load in a cluster) under which no balance move is
    /// recommended, per threshold level. Level 1 recommends nothing (DRS's level 1 applies only mandatory moves); each
    /// level after halves the tolerated spread, roughly as DRS's levels 2-5 accept ever smaller gains.</summary>
    public static double TargetImbalance(int level) => level switch
    {
        1 => double.PositiveInfinity,
        2 => 0.20,
        3 => 0.10,
        4 => 0.05,
        5 => 0.025,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "The threshold level is 1 (conservative) to 5 (aggressive)."),
    };

    public const double HoursPerMonth = 730;

    public void Validate()
    {
        if (CpuWeight < 0 || MemoryWeight < 0 || !(CpuWeight + MemoryWeight > 0))
            throw new ArgumentException("The CPU and memory weights must be zero or more and not both zero.");
        if (ThresholdLevel is < 1 or > 5)
            throw new ArgumentException("The threshold level is 1 (conservative) to 5 (aggressive).");
        if (MaxMoves < 0)
            throw new ArgumentException("The move limit must be zero or more.");
        if (!(MigrationGigabytesPerMinute > 0))
            throw new ArgumentException("The migration rate must be above zero GB per minute.");
        if (WattsPerHost < 0 || PricePerKwh < 0 || MinimumGain < 0)
            throw new ArgumentException("Watts per host, price per kWh and the minimum gain must be zero or more.");
        if (SolverTimeLimit <= TimeSpan.Zero)
            throw new ArgumentException("The solver time limit must be above zero.");
    }
}
