using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// The one-click "Roll back" after a post-move watch found a regression: a new request that moves the VM back to the
/// source host (and datastore) of the move that regressed, with the same kind and options, submitted like any request
/// (the approval policy decides; nothing bypasses it). The requester of the move (while they may still request for the
/// VM) or an Operator may ask. Refused with 409 when the request has no watch, its watch found no regression, a roll back was already asked for, or
/// the source host or datastore is no longer in the inventory; 404 when the VM itself is gone.
/// </summary>
public sealed class MoveBackAfterRegression(IPortalDb db, AccessGuard guard, SubmitRequest submit, TimeProvider time)
{
    public async Task<RequestSummary> HandleAsync(PortalUser user, Guid requestId, CancellationToken ct = default)
    {
        var request = await db.LoadRequestAsync(requestId, ct);
        await guard.RequireCanViewAsync(user, request, ct);
        var isOperator = user.IsInAny(Roles.Operator, Roles.Administrator);
        if (!isOperator && user.Id != request.RequesterId)
            await guard.DenyAsync(user, "request.move-back", "MigrationRequest", requestId.ToString(), "Only the requester of the move or an Operator may roll it back.", ct);

        var watch = await db.PostMoveWatches.FirstOrDefaultAsync(w => w.RequestId == requestId, ct) 
            ?? throw new ConflictException("This request has no post-move watch (only a verified move is watched): there is nothing to roll back.");
        if (watch.State != WatchState.Regressed)
            throw new ConflictException($"The watch of this move {(watch.State == WatchState.Watching ? "has not ended yet" : "found no regression")}: there is nothing to roll back.");
        if (watch.RollbackRequestId is { } existing) throw new ConflictException($"A roll back was already requested: request {existing}.");
        if (request.Kind == MigrationKind.CrossPlatform) throw new ConflictException(PostMoveWatchView.ConversionRollBack);

        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == request.VmId, ct) ?? throw new NotFoundException("VM", request.VmId);
        string? hostId = null, datastoreId = null;
        if (request.Kind.MovesCompute())
        {
            hostId = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == vm.ConnectionId && h.Name == request.SourceHostName).Select(h => h.ExternalId).FirstOrDefaultAsync(ct)
                ?? throw new ConflictException($"The source host {request.SourceHostName ?? "(unknown)"} no longer exists in the inventory: the VM cannot be moved back to it.");
        }

        if (request.Kind.MovesStorage())
        {
            // The request kept the names of the datastores the VM was on; a storage move takes one target, the first.
            var name = request.SourceDatastoreName?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            // Two hosts may each have a pool of that name (KVM pools are per host): the one whose ID names the source host first.
            var candidates = await db.Datastores.AsNoTracking().Where(d => d.ConnectionId == vm.ConnectionId && d.Name == name).Select(d => d.ExternalId).ToListAsync(ct);
            datastoreId = candidates.OrderByDescending(id => hostId is not null && id.StartsWith(hostId, StringComparison.Ordinal)).FirstOrDefault()
                ?? throw new ConflictException($"The source datastore {name ?? "(unknown)"} no longer exists in the inventory: the VM cannot be moved back to it.");
        }

        var justification = $"Roll back of request {request.Id}: {watch.Summary}";
        if (justification.Length > TextLimits.Justification) justification = justification[..TextLimits.Justification];
        var command = new SubmitRequest.Command(vm.Id, request.Kind, request.Live, hostId, datastoreId, justification,
            TakeSnapshot: request.Options.TakeSnapshot, RequireEncryption: request.Options.RequireEncryption);
        var summary = await submit.PrepareAsync(user, command, ct, isOperator ? SubmissionAuthority.RegressionRollback : SubmissionAuthority.Owner);
        try
        {
            watch.RecordRollback(summary.Id);
        }
        catch (DomainException e)
        {
            throw new ConflictException(e.Message);
        }

        AuditLog.ForRequest(db, time.GetUtcNow(), user.AsActor(), AuditActions.RequestMoveBackRequested, request, new { rollbackRequestId = summary.Id, target = vm.Name });
        // The watch's RollbackRequestId is a concurrency token: two clicks at once give one roll-back request.
        await db.SaveOrConflictAsync("Someone else asked to roll this move back at the same moment. Reload to see their request.", ct);
        submit.AfterSave([summary]);
        return summary;
    }
}
