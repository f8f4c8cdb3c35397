using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Utilisation;

/// <summary>One measure's average before and after the move; null where the hypervisor gave no figure on that side.</summary>
/// <param name="Measure">The measure's name in words ("CPU used").</param>
public sealed record WatchFigure(string Measure, string Unit, double? Before, double? After, bool Regressed);

/// <summary>The verdict of one comparison and the figures behind it.</summary>
public sealed record WatchVerdict(WatchState State, string Summary, IReadOnlyList<WatchFigure> Figures);

/// <summary>
/// Compares a VM's samples after its move with the same measures over the equal period before it, against the thresholds
/// in <see cref="PostMoveWatchOptions"/>: CPU used, CPU ready or steal where given, memory used, and block and network
/// throughput where given (KVM). Pure: the samples come in, the verdict goes out, so it is tested without a database.
/// </summary>
public static class PostMoveComparison
{
    public const string CpuUsed = "CPU used";
    public const string CpuReady = "CPU ready / steal";
    public const string MemoryUsed = "Memory used";
    public const string BlockIo = "Block I/O";
    public const string NetworkIo = "Network I/O";

    /// <param name="judgeMemory">False when before and after were measured on two platforms (a conversion): memory is then
    /// shown but never counted as a regression, since vSphere and KVM report different things as "memory used".</param>
    public static WatchVerdict Compare(IReadOnlyList<UtilisationSample> before, IReadOnlyList<UtilisationSample> after, PostMoveWatchOptions o, bool judgeMemory = true)
    {
        if (before.Count < o.MinimumSamples || after.Count < o.MinimumSamples)
            return new WatchVerdict(WatchState.InsufficientData,
                $"Not enough data to judge: {before.Count} sample(s) before the move and {after.Count} after it, {o.MinimumSamples} needed on each side. The watch ended without a verdict.",
                Figures(before, after, o, judgeMemory));

        var figures = Figures(before, after, o, judgeMemory);
        var regressed = figures.Where(f => f.Regressed).ToList();
        var summary = regressed.Count == 0
            ? $"No regression: every measure stayed within its threshold ({before.Count} samples before, {after.Count} after)."
            : "Performance regressed after the move: " + string.Join("; ", regressed.Select(Describe)) + ".";
        return new WatchVerdict(regressed.Count == 0 ? WatchState.Passed : WatchState.Regressed, summary, figures);
    }

    /// <summary>"CPU used 500 → 1,200 MHz": one figure as the page and the mail say it.</summary>
    public static string Describe(WatchFigure f) => $"{f.Measure} {Format(f.Before)} → {Format(f.After)} {f.Unit}";

    private static string Format(double? value) => value is { } v ? v.ToString(Math.Abs(v) < 10 ? "N1" : "N0", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    private static List<WatchFigure> Figures(IReadOnlyList<UtilisationSample> before, IReadOnlyList<UtilisationSample> after, PostMoveWatchOptions o, bool judgeMemory)
    {
        var figures = new List<WatchFigure>();
        var cpuBefore = Average(before, s => s.CpuUsedMhz);
        var cpuAfter = Average(after, s => s.CpuUsedMhz);
        figures.Add(new WatchFigure(CpuUsed, "MHz", cpuBefore, cpuAfter,
            Rose(cpuBefore, cpuAfter, o.CpuIncreasePercent, o.CpuIncreaseMinimumMhz)));

        var readyBefore = Average(before, s => s.CpuReadyPercent);
        var readyAfter = Average(after, s => s.CpuReadyPercent);
        if (readyBefore is not null || readyAfter is not null)
            figures.Add(new WatchFigure(CpuReady, "%", readyBefore, readyAfter, readyBefore is { } rb && readyAfter is { } ra && ra - rb >= o.CpuReadyIncreasePoints));

        var memoryBefore = Average(before, s => s.MemoryUsedMb);
        var memoryAfter = Average(after, s => s.MemoryUsedMb);
        figures.Add(new WatchFigure(MemoryUsed, "MB", memoryBefore, memoryAfter, judgeMemory && Rose(memoryBefore, memoryAfter, o.MemoryIncreasePercent, o.MemoryIncreaseMinimumMb)));

        AddThroughput(figures, BlockIo, before, after, s => Sum(s.DiskReadBytesPerSecond, s.DiskWriteBytesPerSecond), o);
        AddThroughput(figures, NetworkIo, before, after, s => Sum(s.NetworkReceiveBytesPerSecond, s.NetworkTransmitBytesPerSecond), o);
        return figures;
    }

    private static void AddThroughput(List<WatchFigure> figures, string measure, IReadOnlyList<UtilisationSample> before, IReadOnlyList<UtilisationSample> after,
        Func<UtilisationSample, double?> value, PostMoveWatchOptions o)
    {
        var b = Average(before, value);
        var a = Average(after, value);
        if (b is null && a is null) return; // this hypervisor gives no such rate (vSphere quickStats)
        // A workload that did as much I/O before and far less after is starved, not quieter: the drop is the regression.
        var dropped = b is { } vb && a is { } va && vb >= o.ThroughputMinimumBytesPerSecond && va < vb * (1 - o.ThroughputDropPercent / 100);
        figures.Add(new WatchFigure(measure, "B/s", b, a, dropped));
    }

    private static bool Rose(double? before, double? after, double percent, double minimum) =>
        before is { } b && after is { } a && a - b >= minimum && a > b * (1 + percent / 100);

    private static double? Sum(float? x, float? y) => x is null && y is null ? null : (double)(x ?? 0) + (y ?? 0);

    /// <summary>The average weighted by the readings each sample stands for; null when no sample has the measure.</summary>
    private static double? Average(IReadOnlyList<UtilisationSample> samples, Func<UtilisationSample, double?> value)
    {
        double sum = 0, weight = 0;
        foreach (var s in samples)
        {
            if (value(s) is not { } v) continue;
            sum += v * s.SampleCount;
            weight += s.SampleCount;
        }

        return weight > 0 ? sum / weight : null;
    }
}
