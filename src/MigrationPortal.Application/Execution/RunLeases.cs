using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Application.Execution;

/// <summary>What a run learned when it asked for a request's lease.</summary>
public sealed record LeaseClaim(bool Acquired, Guid Token, string Owner, string? TakenOverFrom, DateTimeOffset? StaleHeartbeat)
{
    public static LeaseClaim HeldBy(string owner) => new(false, Guid.Empty, owner, null, null);
}

/// <summary>
/// The per-request exclusion of runs across nodes (<see cref="RunLease"/>). Every step is one statement that the
/// database decides on its own: a new lease is an INSERT that the primary key lets only one run win; a take-over is an
/// UPDATE conditional on the stale heartbeat and the token read, so two live nodes taking over the same dead run cannot
/// both succeed; renewal and release name the run's token, so a run that lost its lease changes nothing. Each call uses
/// a unit of work of its own, so the runner's pending changes are never saved with a lease by accident.
/// </summary>
public sealed class RunLeases(IPortalDbFactory dbFactory, TimeProvider time, IOptions<ExecutionOptions> options)
{
    public string Node => options.Value.Node;

    public async Task<LeaseClaim> TryAcquireAsync(Guid requestId, CancellationToken ct)
    {
        var token = Guid.NewGuid();
        await using var db = await dbFactory.CreateAsync(ct);
        var now = time.GetUtcNow();
        var current = await db.RunLeases.AsNoTracking().FirstOrDefaultAsync(l => l.RequestId == requestId, ct);
        if (current is null)
        {
            db.RunLeases.Add(new RunLease { RequestId = requestId, Owner = Node, Token = token, AcquiredAt = now, HeartbeatAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
                return new LeaseClaim(true, token, Node, null, null);
            }
            catch (DbUpdateException)
            {
                // Another run inserted the lease first: the key decided, and that run holds the request now.
                db.DiscardChanges();
                var winner = await db.RunLeases.AsNoTracking().Where(l => l.RequestId == requestId).Select(l => l.Owner).FirstOrDefaultAsync(ct);
                return LeaseClaim.HeldBy(winner ?? "another run");
            }
        }

        var staleBefore = now - options.Value.StaleAfter;
        if (current.HeartbeatAt >= staleBefore) return LeaseClaim.HeldBy(current.Owner);
        var taken = await db.RunLeases
            .Where(l => l.RequestId == requestId && l.Token == current.Token && l.HeartbeatAt < staleBefore)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, Node).SetProperty(l => l.Token, token)
                .SetProperty(l => l.AcquiredAt, now).SetProperty(l => l.HeartbeatAt, now), ct);
        return taken == 1 ? new LeaseClaim(true, token, Node, current.Owner, current.HeartbeatAt) : LeaseClaim.HeldBy("another run");
    }

    /// <summary>Proves the run is alive. False when the lease is no longer this run's (it was taken over).</summary>
    public async Task<bool> RenewAsync(Guid requestId, Guid token, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        var now = time.GetUtcNow();
        return await db.RunLeases.Where(l => l.RequestId == requestId && l.Token == token)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.HeartbeatAt, now), ct) == 1;
    }

    public async Task ReleaseAsync(Guid requestId, Guid token, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        await db.RunLeases.Where(l => l.RequestId == requestId && l.Token == token).ExecuteDeleteAsync(ct);
    }
}
