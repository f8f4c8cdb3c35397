namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// Where a migration may start: inside an open window, outside every blackout (a blackout wins over a window), no earlier
/// than the requester asked, and only where the estimated duration still fits before the window closes.
/// </summary>
public static class WindowPlanner
{
    /// <summary>The earliest start that satisfies all of that within the horizon, or null when none does.</summary>
    public static DateTimeOffset? EarliestStart(IReadOnlyList<WindowSchedule> windows, IReadOnlyList<WindowSchedule> blackouts,
        DateTimeOffset notBefore, TimeSpan estimate, TimeSpan horizon) =>
        EarliestStart(windows.SelectMany(w => w.Occurrences(notBefore, notBefore + horizon)), blackouts, notBefore, estimate, horizon);

    /// <summary>The same, for open periods given as slots (a VM no window covers is open all the time, outside blackouts).</summary>
    public static DateTimeOffset? EarliestStart(IEnumerable<TimeSlot> openSlots, IReadOnlyList<WindowSchedule> blackouts,
        DateTimeOffset notBefore, TimeSpan estimate, TimeSpan horizon)
    {
        var until = notBefore + horizon;
        var closed = blackouts.SelectMany(b => b.Occurrences(notBefore, until + estimate)).OrderBy(s => s.Start).ToList();
        foreach (var window in openSlots.Where(s => s.Start < until).OrderBy(s => s.Start))
        {
            var candidate = window.Start > notBefore ? window.Start : notBefore;
            while (candidate + estimate <= window.End)
            {
                var clash = closed.FirstOrDefault(b => b.Overlaps(new TimeSlot(candidate, candidate + estimate)));
                if (clash == default) return candidate;
                candidate = clash.End;
            }
        }

        return null;
    }
}
