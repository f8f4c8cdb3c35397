using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// An operator undoes a finished or failed move: the request goes to RollingBack and the run job asks the connector to
/// move the VM back to its source placement (or revert to the snapshot, where the connector does that).
/// </summary>
public sealed class RollBackRequest(IPortalDb db, AccessGuard guard, TimeProvider time, IMigrationJobs jobs)
{
    public sealed record Command(Guid RequestId, string Reason);

    public async Task<RequestSummary> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        var request = await db.LoadRequestAsync(command.RequestId, ct);
        await guard.RequireRoleAsync(user, "request.rollback", ct, Roles.Operator, Roles.Administrator);
        new Validation().Text(command.Reason, nameof(command.Reason), TextLimits.Reason, "Say why you roll back.").ThrowIfInvalid();
        var before = request.Transitions.Count;
        try
        {
            request.BeginRollback(user.AsActor(), time.GetUtcNow(), command.Reason.Trim());
        }
        catch (DomainException e)
        {
            throw ValidationFailedException.For("State", e.Message);
        }

        AuditLog.TransitionsSince(db, request, before);
        await db.SaveOrConflictAsync("The request changed while you were rolling it back. Reload and try again.", ct);
        jobs.EnqueueRun(request.Id);
        return request.ToSummary();
    }
}
