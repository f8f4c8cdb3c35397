using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// Finds requests whose run has stopped proving it is alive (its node crashed, hung or lost the database) and queues
/// their run job, which takes the stale lease over on whichever node picks it up and reconciles the request by asking
/// the connector where the VM really is, instead of leaving it Running forever. Stale means: a lease whose heartbeat
/// is older than <see cref="ExecutionOptions.StaleAfter"/>, or, for a request in flight that no run holds at all (its
/// job failed and gave up), no progress for as long.
/// </summary>
public sealed class ReconcileStaleMigrations(IPortalDb db, TimeProvider time, IMigrationJobs jobs, IOptions<ExecutionOptions> options)
{
    /// <summary>The default of Execution:StaleAfter; tests move their clock past it to play a restart after a crash.</summary>
    public static readonly TimeSpan StaleAfter = new ExecutionOptions().StaleAfter;

    public async Task<IReadOnlyList<Guid>> HandleAsync(CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow() - options.Value.StaleAfter;
        var inFlight = RequestTransitions.InFlight.ToArray();
        // A Scheduled request holds a lease only once a run took it: a stale one means that run's node died before it started.
        var staleLeases = await db.RunLeases.Where(l => l.HeartbeatAt < cutoff)
            .Where(l => db.Requests.Any(r => r.Id == l.RequestId && (inFlight.Contains(r.State) || r.State == RequestState.Scheduled)))
            .Select(l => l.RequestId).ToListAsync(ct);
        var unheld = await db.Requests.Where(r => inFlight.Contains(r.State) && !db.RunLeases.Any(l => l.RequestId == r.Id))
            .Select(r => new { r.Id, r.StartedAt, Heartbeat = db.Progress.Where(p => p.RequestId == r.Id).Select(p => (DateTimeOffset?)p.HeartbeatAt).FirstOrDefault() })
            .ToListAsync(ct);
        var stale = staleLeases.Concat(unheld.Where(c => (c.Heartbeat ?? c.StartedAt ?? DateTimeOffset.MinValue) < cutoff).Select(c => c.Id)).Distinct().ToList();
        foreach (var id in stale) jobs.EnqueueRun(id);
        return stale;
    }

    /// <summary>
    /// The query above for one request, for pages: the last sign of life of its run when that is older than
    /// <paramref name="cutoff"/> (so the run is being taken over), otherwise null. A lease's heartbeat counts when a run
    /// holds the request; without one, an in-flight request's progress heartbeat or start.
    /// </summary>
    public static DateTimeOffset? StaleSince(RequestState state, DateTimeOffset? leaseHeartbeat, DateTimeOffset? progressHeartbeat, DateTimeOffset? startedAt, DateTimeOffset cutoff)
    {
        if (leaseHeartbeat is { } held)
            return (RequestTransitions.IsInFlight(state) || state == RequestState.Scheduled) && held < cutoff ? held : null;
        if (!RequestTransitions.IsInFlight(state)) return null;
        var last = progressHeartbeat ?? startedAt;
        return last is null || last < cutoff ? last ?? DateTimeOffset.MinValue : null;
    }
}
