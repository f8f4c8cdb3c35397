using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Scheduling;

public enum CalendarEntryKind
{
    Window,
    Blackout,
    Migration,
}

/// <summary>One thing on the calendar, in UTC. <see cref="RequestId"/> is set for migrations.</summary>
public sealed record CalendarEntry(CalendarEntryKind Kind, string Title, DateTimeOffset Start, DateTimeOffset End, string Detail, Guid SourceId, Guid? RequestId = null);

/// <summary>
/// The calendar between two instants: occurrences of the windows and blackouts the user may see, and the migrations they
/// may see that are planned, scheduled or running (from their planned start, for their estimated duration) or that ran
/// and ended (from their actual start to their actual end). Feeds the
/// month and week views and each user's .ics feed.
/// </summary>
public sealed class GetCalendar(AccessGuard guard, ListMaintenanceWindows windows)
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(190);

    private static readonly RequestState[] Shown =
        [RequestState.PendingApproval, RequestState.Approved, RequestState.Scheduled, RequestState.Running, RequestState.Verifying];

    /// <summary>
    /// Migrations that ran and ended stay on the calendar, from their actual start to their actual end, so a person who
    /// watched a window open (or reads last night's in Outlook) sees what happened in it, not an empty window.
    /// </summary>
    private static readonly RequestState[] Ended =
        [RequestState.Succeeded, RequestState.Failed, RequestState.Cancelled, RequestState.RollingBack, RequestState.RolledBack];

    public async Task<IReadOnlyList<CalendarEntry>> HandleAsync(PortalUser user, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        new Validation()
            .Require(to > from, "To", "The end must be after the start.")
            .Require(to - from <= MaxRange, "To", $"Ask for at most {MaxRange.TotalDays:0} days at a time.")
            .ThrowIfInvalid();
        var periods = await windows.HandleAsync(user, new ListMaintenanceWindows.Query(), ct);
        var entries = new List<CalendarEntry>();
        foreach (var (list, kind) in new[] { (periods.Windows, CalendarEntryKind.Window), (periods.Blackouts, CalendarEntryKind.Blackout) })
        {
            foreach (var p in list.Where(p => p.Enabled))
            {
                var schedule = new WindowSchedule(p.Recurrence, p.Expression, p.TimeZoneId, p.LocalStart, TimeSpan.FromMinutes(p.DurationMinutes));
                entries.AddRange(schedule.Occurrences(from, to).Select(o => new CalendarEntry(kind,
                    kind == CalendarEntryKind.Window ? $"Window: {p.Name}" : $"Blackout: {p.Name}", o.Start, o.End, $"Covers {p.ScopeText}.", p.Id)));
            }
        }

        var visible = await guard.VisibleRequestsAsync(user, ct);
        var requests = await visible.AsNoTracking().Where(r => Shown.Contains(r.State) || (Ended.Contains(r.State) && r.StartedAt != null))
            .Select(r => new { r.Id, r.VmName, r.State, r.Kind, r.PlannedStart, r.ScheduledFor, r.StartedAt, r.CompletedAt, r.EstimatedSeconds, r.QueueReason, r.Target })
            .ToListAsync(ct);
        foreach (var r in requests)
        {
            var start = r.StartedAt ?? r.ScheduledFor ?? r.PlannedStart;
            if (start is not { } s) continue;
            var end = Ended.Contains(r.State) && r.CompletedAt is { } completed && completed > s
                ? completed
                : s + TimeSpan.FromSeconds(Math.Max(60, r.EstimatedSeconds ?? 60));
            if (end <= from || s >= to) continue;
            entries.Add(new CalendarEntry(CalendarEntryKind.Migration, $"Migration: {r.VmName}", s, end,
                $"{r.Kind} move to {r.Target.Describe()}; {r.State}{(r.QueueReason is null ? "" : ". " + r.QueueReason)}", r.Id, r.Id));
        }

        return entries.OrderBy(e => e.Start).ThenBy(e => e.Kind).ToList();
    }
}
