using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// Cancels a request. Before it runs, its requester (or an application co-owner) may cancel it; once running, only an
/// Operator or Administrator may, and the running job stops the transfer and leaves the VM at its source.
/// </summary>
public sealed class CancelRequest(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public sealed record Command(Guid RequestId, string Reason);

    public async Task<RequestSummary> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        var request = await db.LoadRequestAsync(command.RequestId, ct);
        await guard.RequireCanViewAsync(user, request, ct);
        if (!RequestActionRules.MayCancelIn(user, request.State))
        {
            // The same rule as the allowed actions; the two reasons only say which half of it failed.
            var reason = user.IsIn(Roles.Requester) ? "A running migration can only be cancelled by an operator." : "Only the requester or an operator may cancel a request.";
            await guard.DenyAsync(user, "request.cancel", "MigrationRequest", request.Id.ToString(), reason, ct);
        }

        new Validation().Text(command.Reason, nameof(command.Reason), TextLimits.Reason, "Say why you cancel.").ThrowIfInvalid();

        var now = time.GetUtcNow();
        var before = request.Transitions.Count;
        bool cancelledNow;
        try
        {
            cancelledNow = request.Cancel(user.AsActor(), now, command.Reason);
        }
        catch (DomainException e)
        {
            throw ValidationFailedException.For("State", e.Message);
        }

        if (!cancelledNow)
            AuditLog.ForRequest(db, now, user.AsActor(), AuditActions.RequestCancelRequested, request, new { reason = command.Reason.Trim() });
        AuditLog.TransitionsSince(db, request, before);
        await db.SaveOrConflictAsync("The request changed while you were cancelling it. Reload and try again.", ct);
        return request.ToSummary();
    }
}
