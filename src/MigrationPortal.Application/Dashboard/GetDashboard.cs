using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Dashboard;

public sealed record RunningMigration(RequestSummary Request, ProgressView? Progress);

public sealed record WeekOutcomes(string Week, int Succeeded, int Failed, int Cancelled);

public sealed record DashboardView(
    IReadOnlyDictionary<RequestState, int> ByState,
    int AwaitingMyDecision,
    int MyOpenRequests,
    IReadOnlyList<RequestSummary> Upcoming,
    IReadOnlyList<RunningMigration> Running,
    IReadOnlyList<RequestSummary> RecentFailures,
    IReadOnlyList<WeekOutcomes> PerWeek);

/// <summary>Everything the dashboard shows, limited to the requests the user may see.</summary>
public sealed class GetDashboard(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task<DashboardView> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        var visible = (await guard.VisibleRequestsAsync(user, ct)).AsNoTracking();
        var byState = await visible.GroupBy(r => r.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var awaiting = 0;
        if (user.IsIn(Roles.Approver))
        {
            // Counted on the server, with the same test as ListRequests' AwaitingMyDecision (the Approvals inbox).
            var groups = (await guard.GroupsOfAsync(user, ct)).ToList();
            awaiting = await visible.CountAsync(r => r.State == RequestState.PendingApproval && r.RequesterId != user.Id
                && !r.Decisions.Any(d => d.ApproverId == user.Id) && (r.ApproverGroup == null || groups.Contains(r.ApproverGroup)), ct);
        }

        var active = RequestTransitions.Active.ToArray();
        var mine = await visible.CountAsync(r => r.RequesterId == user.Id && active.Contains(r.State), ct);
        // Only the ten the page shows are read whole. The order key is a COALESCE of three times, so the candidates' keys
        // (IDs and three times, not whole requests) are sorted here; at 10,000 requests, reading every scheduled request
        // whole was most of the dashboard's time.
        var upcomingKeys = await visible.Where(r => r.State == RequestState.Scheduled || r.State == RequestState.Approved)
            .Select(r => new { r.Id, r.ScheduledFor, r.Schedule.NotBefore, r.CreatedAt }).ToListAsync(ct);
        var upcomingIds = upcomingKeys.OrderBy(r => r.ScheduledFor ?? r.NotBefore ?? r.CreatedAt).Take(10).Select(r => r.Id).ToList();
        var upcoming = await visible.Where(r => upcomingIds.Contains(r.Id)).ToListAsync(ct);
        var inFlight = RequestTransitions.InFlight.ToArray();
        var running = await visible.Where(r => inFlight.Contains(r.State)).ToListAsync(ct);
        var runningIds = running.Select(r => r.Id).ToList();
        var progress = await db.Progress.AsNoTracking().Where(p => runningIds.Contains(p.RequestId)).ToDictionaryAsync(p => p.RequestId, ct);
        // Ordered on the server (a DateTimeOffset is stored as sortable ticks on SQLite, see the DbContext); only ten are read.
        var failures = await visible.Where(r => r.State == RequestState.Failed).OrderByDescending(r => r.CompletedAt).Take(10).ToListAsync(ct);

        var since = time.GetUtcNow().AddDays(-7 * 8);
        var ended = RequestTransitions.Finished.Append(RequestState.Cancelled).ToArray();
        var finished = await visible.Where(r => ended.Contains(r.State) && r.CompletedAt >= since)
            .Select(r => new { r.State, r.CompletedAt }).ToListAsync(ct);
        var perWeek = finished.Where(f => f.CompletedAt >= since)
            .GroupBy(f => ISOWeek.GetYear(f.CompletedAt!.Value.UtcDateTime) + "-W" + ISOWeek.GetWeekOfYear(f.CompletedAt!.Value.UtcDateTime).ToString("00", CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key)
            .Select(g => new WeekOutcomes(g.Key, g.Count(f => f.State == RequestState.Succeeded), g.Count(f => f.State == RequestState.Failed), g.Count(f => f.State == RequestState.Cancelled)))
            .ToList();

        return new DashboardView(byState, awaiting, mine,
            upcoming.OrderBy(r => r.ScheduledFor ?? r.Schedule.NotBefore ?? r.CreatedAt).Take(10).Select(r => r.ToSummary()).ToList(),
            running.OrderBy(r => r.StartedAt).Select(r => new RunningMigration(r.ToSummary(),
                progress.TryGetValue(r.Id, out var p) ? new ProgressView(p.Phase, p.Percent, p.BytesTransferred, p.BytesTotal, p.EtaSeconds, p.UpdatedAt) : null)).ToList(),
            failures.OrderByDescending(r => r.CompletedAt).Take(10).Select(r => r.ToSummary()).ToList(),
            perWeek);
    }
}
