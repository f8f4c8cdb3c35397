using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Scheduling;

public enum CalendarEntryKind
{
    Window,
    Blackout,
    Migration,
}

/// <summary>How an entry is told apart on the calendar: its kind, and for a migration that did not stay done, how it ended.</summary>
public enum CalendarShade
{
    Window,
    Blackout,
    Migration,
    Cancelled,
    RolledBack,
}

/// <summary>One thing on the calendar, in UTC. <see cref="RequestId"/> and <see cref="State"/> are set for migrations.</summary>
public sealed record CalendarEntry(CalendarEntryKind Kind, string Title, DateTimeOffset Start, DateTimeOffset End, string Detail, Guid SourceId, Guid? RequestId = null,
    RequestState? State = null)
{
    /// <summary>
    /// A cancelled or rolled-back migration left the VM where it was (or put it back): shown apart from those that moved
    /// or will move, so a window's occupancy is read at a glance. A rollback under way counts as rolled back.
    /// </summary>
    public CalendarShade Shade => Kind switch
    {
        CalendarEntryKind.Window => CalendarShade.Window,
        CalendarEntryKind.Blackout => CalendarShade.Blackout,
        _ => State switch
        {
            RequestState.Cancelled => CalendarShade.Cancelled,
            RequestState.RollingBack or RequestState.RolledBack => CalendarShade.RolledBack,
            _ => CalendarShade.Migration,
        },
    };
}

/// <summary>
/// The calendar between two instants: occurrences of the windows and blackouts the user may see, and the migrations they
/// may see that are planned, scheduled or running (from their planned start, for their estimated duration) or that ran
/// and ended (from their actual start to their actual end). A waiting migration is shown when the concurrency limits
/// will let it start (<see cref="CapacityForecast"/>, counting every request, not only those the user sees). Feeds the
/// month and week views and each user's .ics feed.
/// </summary>
public sealed class GetCalendar(IPortalDb db, AccessGuard guard, ListMaintenanceWindows windows, CapacityLeases leases, TimeProvider time)
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(190);

    private static readonly RequestState[] Shown =
        [RequestState.PendingApproval, RequestState.Approved, RequestState.Scheduled, RequestState.Running, RequestState.Verifying];

    /// <summary>
    /// Migrations that ran and ended stay on the calendar, from their actual start to their actual end, so a person who
    /// watched a window open (or reads last night's in Outlook) sees what happened in it, not an empty window.
    /// </summary>
    private static readonly RequestState[] Ended =
        [.. RequestTransitions.Finished, RequestState.Cancelled, RequestState.RollingBack, RequestState.RolledBack];

    public async Task<IReadOnlyList<CalendarEntry>> HandleAsync(PortalUser user, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        new Validation()
            .Require(to > from, "To", "The end must be after the start.")
            .Require(to - from <= MaxRange, "To", $"Ask for at most {MaxRange.TotalDays:0} days at a time.")
            .ThrowIfInvalid();
        var entries = await PeriodsAsync(user, from, to, ct);

        var visible = await guard.VisibleRequestsAsync(user, ct);
        // Ended migrations only when they overlap the range (on the server: at 10,000 requests, reading every one that ever
        // ran was most of the page's time). One that ended at or before its start is kept, since it is drawn for its estimate.
        // In UTC, as the stored times are: SQLite compares the stored ticks, which hold the clock time of their offset.
        var (fromUtc, toUtc) = (from.ToUniversalTime(), to.ToUniversalTime());
        var requests = await InRange(visible, fromUtc, toUtc)
            .Select(r => new Row(r.Id, r.VmName, r.State, r.Kind, r.PlannedStart, r.ScheduledFor, r.StartedAt, r.CompletedAt, r.EstimatedSeconds, r.QueueReason, r.Target))
            .ToListAsync(ct);
        var forecast = await ForecastAsync(toUtc, ct);
        entries.AddRange(Migrations(requests, forecast, from, to));
        return entries.OrderBy(e => e.Start).ThenBy(e => e.Kind).ToList();
    }

    /// <summary>What a migration's calendar entry is drawn from (one row of the requests table, projected).</summary>
    internal sealed record Row(Guid Id, string VmName, RequestState State, MigrationKind Kind, DateTimeOffset? PlannedStart, DateTimeOffset? ScheduledFor,
        DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, int? EstimatedSeconds, string? QueueReason, MigrationTarget Target);

    /// <summary>
    /// The requests that may have an entry in the range, chosen by the database: ended ones that overlap it, and planned,
    /// scheduled or running ones that start before its end. A forecast only ever delays a start (never before its plan),
    /// so one planned after the range cannot be drawn in it; one planned before it may be pushed into it, so that side
    /// stays open. Pending requests "as soon as approved" have no start yet and no entry.
    /// </summary>
    internal static IQueryable<MigrationRequest> InRange(IQueryable<MigrationRequest> visible, DateTimeOffset fromUtc, DateTimeOffset toUtc) =>
        visible.AsNoTracking().Where(r => (Shown.Contains(r.State) && (r.StartedAt ?? r.ScheduledFor ?? r.PlannedStart) < toUtc)
            || (Ended.Contains(r.State) && r.StartedAt != null && r.StartedAt < toUtc
                && (r.CompletedAt == null || r.CompletedAt > fromUtc || r.CompletedAt <= r.StartedAt)));

    internal static IEnumerable<CalendarEntry> Migrations(IEnumerable<Row> requests, IReadOnlyDictionary<Guid, CapacityForecast.Prediction> forecast,
        DateTimeOffset from, DateTimeOffset to)
    {
        foreach (var r in requests)
        {
            var predicted = forecast.GetValueOrDefault(r.Id);
            var start = r.StartedAt ?? r.ScheduledFor ?? predicted?.Start ?? r.PlannedStart;
            if (start is not { } s) continue;
            var end = Ended.Contains(r.State) && r.CompletedAt is { } completed && completed > s
                ? completed
                : s + TimeSpan.FromSeconds(Math.Max(60, r.EstimatedSeconds ?? 60));
            if (end <= from || s >= to) continue;
            yield return new CalendarEntry(CalendarEntryKind.Migration, $"Migration: {r.VmName}", s, end,
                $"{r.Kind} move to {r.Target.Describe()}; {r.State}{(r.QueueReason is null ? "" : ". " + r.QueueReason)}"
                + (predicted?.WaitsFor is { } waitsFor ? $". Planned for {r.PlannedStart:yyyy-MM-dd HH:mm} UTC; expected to start when {waitsFor} has room." : ""), r.Id, r.Id, r.State);
        }
    }

    /// <summary>Occurrences of the enabled windows and blackouts the user may see that overlap the range.</summary>
    internal async Task<List<CalendarEntry>> PeriodsAsync(PortalUser user, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var periods = await windows.HandleAsync(user, new ListMaintenanceWindows.Query(), ct);
        var entries = new List<CalendarEntry>();
        // One calendar query expands at most this many window and blackout occurrences in all, however many periods there are.
        var budget = WindowSchedule.MaxOccurrencesPerQuery;
        foreach (var (list, kind) in new[] { (periods.Windows, CalendarEntryKind.Window), (periods.Blackouts, CalendarEntryKind.Blackout) })
        {
            foreach (var p in list.Where(p => p.Enabled))
            {
                var schedule = new WindowSchedule(p.Recurrence, p.Expression, p.TimeZoneId, p.LocalStart, TimeSpan.FromMinutes(p.DurationMinutes));
                if (budget <= 0) break;
                var occurrences = schedule.Occurrences(from, to).Take(budget).ToList();
                budget -= occurrences.Count;
                entries.AddRange(occurrences.Select(o => new CalendarEntry(kind,
                    kind == CalendarEntryKind.Window ? $"Window: {p.Name}" : $"Blackout: {p.Name}", o.Start, o.End, $"Covers {p.ScopeText}.", p.Id)));
            }
        }

        return entries;
    }

    /// <summary>
    /// Every waiting or running migration (whoever may see it) planned before <paramref name="toUtc"/>, replayed against the
    /// concurrency limits. The replay places migrations in order of their planned start, so one planned after the range
    /// never changes a prediction inside it: the range bounds the replay.
    /// </summary>
    internal async Task<IReadOnlyDictionary<Guid, CapacityForecast.Prediction>> ForecastAsync(DateTimeOffset toUtc, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var active = await db.Requests.AsNoTracking()
            .Where(r => CapacityLeases.HoldingStates.Contains(r.State)
                || ((r.State == RequestState.Approved || r.State == RequestState.PendingApproval) && r.PlannedStart != null && r.PlannedStart < toUtc))
            .ToListAsync(ct);
        if (active.Count == 0) return new Dictionary<Guid, CapacityForecast.Prediction>();
        var vmIds = active.Select(r => r.VmId).Distinct().ToList();
        var vms = await db.Vms.AsNoTracking().Where(v => vmIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, ct);
        var connectionIds = active.Select(r => r.ConnectionId).Concat(active.Select(r => r.Target.ConnectionId)).Distinct().ToList();
        var connections = await db.Connections.AsNoTracking().Where(c => connectionIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var limits = await leases.LimitsAsync(ct);
        var items = active.Where(r => connections.ContainsKey(r.ConnectionId)).Select(r =>
        {
            var demands = leases.DemandsOf(r, vms.GetValueOrDefault(r.VmId), connections[r.ConnectionId], limits, connections.GetValueOrDefault(r.Target.ConnectionId));
            var estimate = TimeSpan.FromSeconds(Math.Max(60, r.EstimatedSeconds ?? 60));
            if (CapacityLeases.HoldingStates.Contains(r.State))
            {
                // A running migration holds its units until it ends: at its estimate, or later if it has overrun it.
                var began = r.StartedAt ?? r.ScheduledFor ?? now;
                var end = began + estimate > now ? began + estimate : now;
                return new CapacityForecast.Item(r.Id, began, end - began, demands, AlreadyHolding: true, r.CreatedAt);
            }

            // A request already due but still queued starts no earlier than now.
            var planned = r.PlannedStart!.Value > now ? r.PlannedStart.Value : now;
            return new CapacityForecast.Item(r.Id, planned, estimate, demands, AlreadyHolding: false, r.CreatedAt);
        });
        return CapacityForecast.Predict(items);
    }
}
