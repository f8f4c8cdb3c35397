using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// The dispatcher's tick (a recurring job, and nudged after approvals): approved requests that are due become Scheduled
/// and get a run job. Moving to Scheduled under the request's concurrency token means two nodes never both dispatch it.
/// Scheduled requests left without a job (a node died between saving and enqueueing) are enqueued again after a minute;
/// the run job is idempotent and locked per request, so a duplicate does no harm.
/// </summary>
public sealed class DispatchDueRequests(IPortalDb db, TimeProvider time, IMigrationJobs jobs)
{
    private static readonly TimeSpan LostJobGrace = TimeSpan.FromMinutes(1);

    public async Task<int> HandleAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var approved = await db.Requests.Where(r => r.State == RequestState.Approved).Select(r => r.Id).ToListAsync(ct);
        var dispatched = 0;
        foreach (var id in approved)
        {
            var request = await db.LoadRequestAsync(id, ct);
            var due = request.Schedule.Mode switch
            {
                ScheduleMode.AsSoonAsApproved => true,
                ScheduleMode.SpecificTime => request.Schedule.NotBefore <= now,
                _ => false, // Windows are scheduled by the maintenance-window dispatcher.
            };
            if (!due || request.State != RequestState.Approved) continue;
            // A batch moves together: none of its requests starts while another still waits for a decision.
            if (request.BatchId is { } batch && await db.Requests.AnyAsync(r => r.BatchId == batch && (r.State == RequestState.Submitted || r.State == RequestState.PendingApproval), ct))
                continue;

            var before = request.Transitions.Count;
            request.ScheduleFor(now, Actor.System, now, request.Schedule.Mode == ScheduleMode.SpecificTime ? $"Due at the requested time {request.Schedule.NotBefore:u}." : "Approved; starting as soon as possible.");
            AuditLog.TransitionsSince(db, request, before);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.DiscardChanges();
                continue; // another node dispatched it first
            }

            jobs.EnqueueRun(id);
            dispatched++;
        }

        var orphaned = await db.Requests.Where(r => r.State == RequestState.Scheduled).Select(r => new { r.Id, r.ScheduledFor }).ToListAsync(ct);
        foreach (var o in orphaned.Where(o => o.ScheduledFor <= now - LostJobGrace)) jobs.EnqueueRun(o.Id);
        return dispatched;
    }
}
