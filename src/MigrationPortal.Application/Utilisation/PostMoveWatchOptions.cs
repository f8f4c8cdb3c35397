using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Application.Utilisation;

/// <summary>
/// Bound from "PostMoveWatch": how long a VM is watched after its move verified, and what counts as a clear regression
/// against the same measures over an equal period before the move started. Validated at start-up.
/// </summary>
public sealed class PostMoveWatchOptions
{
    public const string Section = "PostMoveWatch";

    /// <summary>Whether a verified move starts a watch at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long the VM is watched after verify; the "before" period is as long, ending when the move started.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Samples needed on each side (5-minute slots); fewer ends the watch as "insufficient data", never as a pass.</summary>
    [Range(1, 1000)]
    public int MinimumSamples { get; set; } = 3;

    /// <summary>CPU used (MHz) rising by more than this percentage is a regression ...</summary>
    [Range(1, 10_000)]
    public double CpuIncreasePercent { get; set; } = 50;

    /// <summary>... when it also rose by at least this many MHz (an idle VM's 20 → 40 MHz is noise).</summary>
    [Range(0, 1_000_000)]
    public double CpuIncreaseMinimumMhz { get; set; } = 200;

    /// <summary>CPU ready (vSphere) or steal (KVM) rising by at least this many percentage points is a regression.</summary>
    [Range(0.1, 100)]
    public double CpuReadyIncreasePoints { get; set; } = 5;

    /// <summary>Memory used rising by more than this percentage is a regression ...</summary>
    [Range(1, 10_000)]
    public double MemoryIncreasePercent { get; set; } = 25;

    /// <summary>... when it also rose by at least this many MB.</summary>
    [Range(0, 10_000_000)]
    public int MemoryIncreaseMinimumMb { get; set; } = 256;

    /// <summary>Block (disk read + write) or network (receive + transmit) throughput falling by more than this percentage is a regression (KVM) ...</summary>
    [Range(1, 100)]
    public double ThroughputDropPercent { get; set; } = 50;

    /// <summary>... when it was at least this many bytes per second before (an idle disk's drop is noise).</summary>
    [Range(0, double.MaxValue)]
    public double ThroughputMinimumBytesPerSecond { get; set; } = 64 * 1024;

    public bool IsValid => Period >= TimeSpan.FromMinutes(1) && Period <= TimeSpan.FromDays(1);

    public const string InvalidMessage = "PostMoveWatch:Period must be between 1 minute and 1 day.";
}
