using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// One day of the calendar grid: the windows and blackouts that overlap it, its first few migrations (by start) and how many
/// more migrations start on it (<see cref="More"/>), shown as "+N more".
/// </summary>
public sealed record CalendarDay(DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<CalendarEntry> Periods, IReadOnlyList<CalendarEntry> Migrations, int More)
{
    /// <summary>Every migration that starts on the day (those shown and the rest).</summary>
    public int MigrationCount => Migrations.Count + More;
}

/// <summary>
/// The month and week grids: for each day, its windows and blackouts and at most a few of its migrations, with the count of
/// the rest. A busy portal runs a hundred migrations a day; drawing each as a chip made the month view thousands of
/// elements and its query read every one. Here the database counts the migrations per day and picks each day's first
/// ones (one grouped query over the visible range), and only those are read; the day's full list is
/// <see cref="GetCalendar"/> for that day. A migration is counted on the day it starts (one that started before the
/// first day and still ran in it, on the first day). Waiting migrations whose start is forecast by the concurrency limits
/// are few (they wait for a window or for room) and are placed after the forecast, in memory.
/// </summary>
public sealed class GetCalendarDays(AccessGuard guard, GetCalendar calendar)
{
    /// <summary>A month view shows six weeks.</summary>
    public const int MaxDays = 42;

    public const int MaxPerDay = 20;

    /// <param name="bounds">The instants the days begin, in order, and the instant the last one ends (days + 1 values): a day in the user's zone is not always 24 hours.</param>
    /// <param name="perDay">How many migrations to show per day.</param>
    public async Task<IReadOnlyList<CalendarDay>> HandleAsync(PortalUser user, IReadOnlyList<DateTimeOffset> bounds, int perDay, CancellationToken ct = default)
    {
        new Validation()
            .Require(bounds.Count is >= 2 and <= MaxDays + 1, "Bounds", $"Ask for 1 to {MaxDays} days.")
            .Require(bounds.Zip(bounds.Skip(1)).All(p => p.Second > p.First), "Bounds", "Each day must end after it begins.")
            .Require(perDay is >= 0 and <= MaxPerDay, "PerDay", $"Show 0 to {MaxPerDay} migrations per day.")
            .ThrowIfInvalid();
        var utc = bounds.Select(b => b.ToUniversalTime()).ToArray();
        var (from, to) = (utc[0], utc[^1]);
        var days = utc.Length - 1;

        var periods = await calendar.PeriodsAsync(user, from, to, ct);
        var inRange = GetCalendar.InRange(await guard.VisibleRequestsAsync(user, ct), from, to);

        // Those with a known start (it ran, or it has its time): counted and picked per day by the database.
        var known = inRange.Where(r => r.StartedAt != null || r.ScheduledFor != null);
        var groups = await known.GroupBy(DayOf(utc))
            .Select(g => new { Day = g.Key, Count = g.Count(), Ids = g.OrderBy(r => r.StartedAt ?? r.ScheduledFor).ThenBy(r => r.Id).Select(r => r.Id).Take(perDay).ToList() })
            .ToListAsync(ct);
        var counts = new int[days];
        foreach (var g in groups) counts[g.Day] = g.Count;
        var ids = groups.SelectMany(g => g.Ids).ToList();
        var rows = await Project(inRange.Where(r => ids.Contains(r.Id))).ToListAsync(ct);

        // Those whose start the concurrency limits decide (planned, not yet given a time): placed after the forecast.
        var waiting = await Project(inRange.Where(r => r.StartedAt == null && r.ScheduledFor == null)).ToListAsync(ct);
        var forecast = waiting.Count == 0 ? new Dictionary<Guid, CapacityForecast.Prediction>() : await calendar.ForecastAsync(to, ct);
        var waitingEntries = GetCalendar.Migrations(waiting, forecast, from, to).ToList();
        foreach (var e in waitingEntries) counts[Index(utc, e.Start)]++;

        var migrations = GetCalendar.Migrations(rows, forecast, from, to).Concat(waitingEntries)
            .GroupBy(e => Index(utc, e.Start)).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Start).ThenBy(e => e.SourceId).Take(perDay).ToList());
        return Enumerable.Range(0, days).Select(i =>
        {
            var shown = migrations.GetValueOrDefault(i) ?? [];
            return new CalendarDay(utc[i], utc[i + 1], periods.Where(p => p.Start < utc[i + 1] && p.End > utc[i]).OrderBy(p => p.Start).ToList(),
                shown, counts[i] - shown.Count);
        }).ToList();
    }

    private static IQueryable<GetCalendar.Row> Project(IQueryable<MigrationRequest> requests) =>
        requests.Select(r => new GetCalendar.Row(r.Id, r.VmName, r.State, r.Kind, r.PlannedStart, r.ScheduledFor, r.StartedAt, r.CompletedAt, r.EstimatedSeconds, r.QueueReason, r.Target));

    /// <summary>The day an instant falls on; one before the first day counts on the first, one after the last on the last.</summary>
    private static int Index(DateTimeOffset[] bounds, DateTimeOffset at)
    {
        for (var i = 1; i < bounds.Length - 1; i++)
        {
            if (at < bounds[i]) return i - 1;
        }

        return bounds.Length - 2;
    }

    /// <summary>
    /// <see cref="Index"/> as SQL: CASE WHEN start &lt; day 1 THEN 0 WHEN start &lt; day 2 THEN 1 … END, on the start the
    /// database knows (it ran, or its scheduled time). Comparisons of stored UTC instants, portable to every provider.
    /// </summary>
    private static Expression<Func<MigrationRequest, int>> DayOf(DateTimeOffset[] bounds)
    {
        var r = Expression.Parameter(typeof(MigrationRequest), "r");
        var start = Expression.Coalesce(Expression.Property(r, nameof(MigrationRequest.StartedAt)), Expression.Property(r, nameof(MigrationRequest.ScheduledFor)));
        Expression day = Expression.Constant(bounds.Length - 2);
        for (var i = bounds.Length - 2; i >= 1; i--)
        {
            day = Expression.Condition(Expression.LessThan(start, Expression.Constant((DateTimeOffset?)bounds[i], typeof(DateTimeOffset?))), Expression.Constant(i - 1), day);
        }

        return Expression.Lambda<Func<MigrationRequest, int>>(day, r);
    }
}
