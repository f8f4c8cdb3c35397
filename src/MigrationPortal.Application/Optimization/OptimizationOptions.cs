using System.ComponentModel.DataAnnotations;
using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Application.Optimization;

/// <summary>Bound from "Optimization": how recommendations read demand and price what they save. Defaults are defended in
/// docs/architecture.md ("Recommendations").</summary>
public sealed class OptimizationOptions
{
    public const string Section = "Optimization";

    /// <summary>A VM's demand is the mean of its utilisation samples over this period: a day covers one daily cycle, so a
    /// plan made at night does not pack VMs that are busy by day.</summary>
    public TimeSpan Lookback { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The CPU clock per core assumed for a host whose capacity no sample gives yet (and for a VM's configured vCPUs).</summary>
    [Range(100, 10_000)]
    public int DefaultMhzPerCore { get; set; } = 2_400;

    /// <summary>Power drawn by a host left on, in watts, and the price of a kWh in the portal's currency.</summary>
    [Range(0, 100_000)]
    public double WattsPerHost { get; set; } = 350;

    [Range(0, 1_000)]
    public double PricePerKwh { get; set; } = 0.25;

    /// <summary>The balance threshold used when a request gives none (1 conservative to 5 aggressive, like DRS).</summary>
    [Range(1, 5)]
    public int DefaultThresholdLevel { get; set; } = 3;

    /// <summary>The most moves one recommendation may hold: one batch, so also what an approver is asked to read.</summary>
    [Range(1, 500)]
    public int MaxMoves { get; set; } = 50;

    /// <summary>How long the consolidation solver may search per recommendation.</summary>
    public TimeSpan SolverTimeLimit { get; set; } = TimeSpan.FromSeconds(0.6);

    public bool IsValid => Lookback >= TimeSpan.FromMinutes(5) && Lookback <= TimeSpan.FromDays(30)
        && SolverTimeLimit > TimeSpan.Zero && SolverTimeLimit <= TimeSpan.FromSeconds(30);

    public OptimizerSettings ToSettings(int thresholdLevel) => new()
    {
        ThresholdLevel = thresholdLevel,
        MaxMoves = MaxMoves,
        WattsPerHost = WattsPerHost,
        PricePerKwh = PricePerKwh,
        SolverTimeLimit = SolverTimeLimit,
    };
}
