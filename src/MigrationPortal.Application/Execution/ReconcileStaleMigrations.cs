using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// Finds migrations whose runner has stopped proving it is alive (its node crashed or restarted) and queues their run job,
/// which reconciles them by asking the connector where the VM really is, instead of leaving them Running forever.
/// </summary>
public sealed class ReconcileStaleMigrations(IPortalDb db, TimeProvider time, IMigrationJobs jobs)
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    public async Task<IReadOnlyList<Guid>> HandleAsync(CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow() - StaleAfter;
        var inFlight = new[] { RequestState.Running, RequestState.Verifying, RequestState.RollingBack };
        var candidates = await db.Requests.Where(r => inFlight.Contains(r.State))
            .Select(r => new { r.Id, r.StartedAt, Heartbeat = db.Progress.Where(p => p.RequestId == r.Id).Select(p => (DateTimeOffset?)p.HeartbeatAt).FirstOrDefault() })
            .ToListAsync(ct);
        var stale = candidates.Where(c => (c.Heartbeat ?? c.StartedAt ?? DateTimeOffset.MinValue) < cutoff).Select(c => c.Id).ToList();
        foreach (var id in stale) jobs.EnqueueRun(id);
        return stale;
    }
}
