using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Application.Scheduling;

/// <summary>Bound from "Scheduling": how migrations are estimated and how far ahead the planner looks for a window.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Throughput assumed for a connection and kind before any migration of that kind has finished on it, in MB/s.</summary>
    [Range(1, 100_000)]
    public double DefaultThroughputMBps { get; set; } = 100;

    /// <summary>Time added to the default estimate for the steps around the transfer (precheck, snapshot, verify, clean-up).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FixedOverhead { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many of the latest succeeded migrations (same connection and kind) the measured throughput averages.</summary>
    [Range(1, 1000)]
    public int ThroughputSamples { get; set; } = 20;

    /// <summary>How far ahead the planner looks for a window with room for a migration.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "400.00:00:00")]
    public TimeSpan PlanningHorizon { get; set; } = TimeSpan.FromDays(90);
}
