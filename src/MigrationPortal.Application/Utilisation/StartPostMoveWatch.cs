using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Utilisation;

/// <summary>
/// Starts the watch of a VM whose move just verified (called by the run when the request succeeds). The watch is a row in
/// the database, keyed by the request, so a rerun of the job (or a second node) adds nothing, and the dispatcher's tick on
/// any node evaluates it when it is due (<see cref="EvaluatePostMoveWatches"/>). A conversion is watched too: "before" is
/// the source VM on vSphere, "after" the domain it became on KVM (<see cref="WatchSubjects"/>).
/// </summary>
public sealed class StartPostMoveWatch(IPortalDb db, IOptions<PostMoveWatchOptions> options, TimeProvider time)
{
    /// <returns>The watch, or null when none applies (watching is off, the request did not succeed).</returns>
    public async Task<PostMoveWatch?> HandleAsync(Guid requestId, CancellationToken ct = default)
    {
        if (!options.Value.Enabled) return null;
        if (await db.PostMoveWatches.AsNoTracking().FirstOrDefaultAsync(w => w.RequestId == requestId, ct) is { } existing) return existing;
        var request = await db.Requests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is not { State: RequestState.Succeeded }) return null;

        var now = time.GetUtcNow();
        var watch = new PostMoveWatch(request.Id, request.VmId, request.StartedAt ?? now, request.CompletedAt ?? now, options.Value.Period);
        db.PostMoveWatches.Add(watch);
        AuditLog.ForRequest(db, now, Actor.System, AuditActions.RequestWatchStarted, request,
            new { endsAt = watch.EndsAt, beforeFrom = watch.BeforeFrom, beforeTo = watch.MoveStartedAt, periodMinutes = watch.Period.TotalMinutes });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another run made it first (the key is the request); theirs is the same watch.
            db.DiscardChanges();
            return await db.PostMoveWatches.AsNoTracking().FirstOrDefaultAsync(w => w.RequestId == requestId, ct);
        }

        return watch;
    }
}
