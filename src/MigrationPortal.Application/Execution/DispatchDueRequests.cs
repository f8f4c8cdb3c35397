using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// The dispatcher's tick (a recurring job about every 15 s, and nudged after approvals and finished runs). For each
/// approved request, oldest first:
/// <list type="number">
/// <item>re-estimates its duration and places it on the calendar (<see cref="StartPlanner"/>): not before its window opens,
/// never in a blackout, and never when the estimate no longer fits in what remains of the window; a request that was due
/// but does not fit is deferred to the next window and the deferral audited (<see cref="AuditActions.RequestDeferred"/>);</item>
/// <item>claims its concurrency slots (<see cref="CapacityLeases"/>) or records why it waits ("Queued: waiting for host ...");</item>
/// <item>moves to Scheduled in the same save as the claim, under the request's concurrency token, and gets a run job.</item>
/// </list>
/// Everything it decides is in the database, so several nodes may run it at once. Scheduled requests left without a job
/// (a node died between saving and enqueueing) are enqueued again after a minute; the run job is idempotent.
/// </summary>
public sealed class DispatchDueRequests(IPortalDb db, TimeProvider time, IMigrationJobs jobs, StartPlanner planner, DurationEstimator estimator, CapacityLeases leases)
{
    private static readonly RequestState[] AwaitingDecision = RequestTransitions.AwaitingDecision.ToArray();

    private static readonly TimeSpan LostJobGrace = TimeSpan.FromMinutes(1);

    public async Task<int> HandleAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await leases.ReleaseFinishedAsync(ct);
        var approved = await db.Requests.Where(r => r.State == RequestState.Approved).OrderBy(r => r.CreatedAt).Select(r => r.Id).ToListAsync(ct);
        var dispatched = 0;
        foreach (var id in approved)
        {
            if (await TryDispatchAsync(id, now, ct))
            {
                jobs.EnqueueRun(id);
                dispatched++;
            }
        }

        var orphaned = await db.Requests.Where(r => r.State == RequestState.Scheduled).Select(r => new { r.Id, r.ScheduledFor }).ToListAsync(ct);
        foreach (var o in orphaned.Where(o => o.ScheduledFor <= now - LostJobGrace)) jobs.EnqueueRun(o.Id);
        return dispatched;
    }

    private async Task<bool> TryDispatchAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        var request = await db.LoadRequestAsync(id, ct);
        if (request.State != RequestState.Approved) return false;
        // A batch moves together: none of its requests starts while another still waits for a decision.
        if (request.BatchId is { } batch && await db.Requests.AnyAsync(r => r.BatchId == batch && AwaitingDecision.Contains(r.State), ct))
            return await SaveWaitingAsync(request, "Waiting for every request of its batch to be decided.", null, null, now, ct);

        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == request.VmId, ct);
        var estimate = await estimator.EstimateAsync(request.ConnectionId, request.Kind, vm, ct);
        request.RecordEstimate(estimate.Duration, estimate.Bytes, estimate.Basis);
        var coverage = await planner.CoverageAsync(StartPlanner.PlacementOf(vm, request), ct);
        // A window defined after submission still binds: "as soon as approved" then means its next window.
        var wish = request.Schedule.Mode == ScheduleMode.AsSoonAsApproved && coverage.WindowRequired ? request.Schedule with { Mode = ScheduleMode.NextWindow } : request.Schedule;
        var plan = planner.Plan(coverage, wish, now, estimate.Duration);
        if (plan.Start is not { } start || start > now)
            return await SaveWaitingAsync(request, plan.Deferral ?? plan.Explanation, plan.Start, plan.Deferral, now, ct);

        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == request.ConnectionId, ct);
        var destination = request.Target.ConnectionId == Guid.Empty || request.Target.ConnectionId == connection.Id ? null
            : await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == request.Target.ConnectionId, ct);
        var shortage = await leases.TryClaimAsync(request, vm, connection, now, ct, destination);
        // Due but short of capacity: it keeps the start it was first due at, so the dashboard and the calendar still show
        // it where it was due, beside the reason it waits, instead of dropping it (or moving it every tick) until a slot frees.
        if (shortage is not null)
            return await SaveWaitingAsync(request, shortage, request.PlannedStart is { } due && due <= now ? due : start, null, now, ct);

        var before = request.Transitions.Count;
        request.ScheduleFor(now, Actor.System, now, $"{plan.Explanation} Estimated {StartPlanner.Format(estimate.Duration)}.");
        AuditLog.TransitionsSince(db, request, before);
        return await TrySaveAsync(ct);
    }

    /// <summary>Persists why the request waits, so every node shows it; audits a deferral once per new planned start.</summary>
    private async Task<bool> SaveWaitingAsync(MigrationRequest request, string reason, DateTimeOffset? plannedStart, string? deferral, DateTimeOffset now, CancellationToken ct)
    {
        var previousStart = request.PlannedStart;
        request.RecordWaiting(reason, plannedStart);
        if (deferral is not null && previousStart != plannedStart)
        {
            AuditLog.ForRequest(db, now, Actor.System, AuditActions.RequestDeferred, request, new
            {
                reason = deferral, nextStart = plannedStart, estimateSeconds = request.EstimatedSeconds, requester = request.RequesterId,
            });
        }

        await TrySaveAsync(ct);
        return false;
    }

    private async Task<bool> TrySaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another node changed the request or claimed the same slot first (a concurrency token or the slot's key);
            // the next tick sees the database as it is now.
            return false;
        }
        finally
        {
            // Each request is its own unit of work. A slot saved here may be released by another node (its run already
            // ended) before this pass reaches the next request, which may then claim the same unit: a slot still tracked
            // from the earlier save would collide with it in the change tracker.
            db.DiscardChanges();
        }
    }
}
