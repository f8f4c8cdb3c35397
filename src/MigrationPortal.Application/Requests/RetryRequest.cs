using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;

namespace MigrationPortal.Application.Requests;

/// <summary>An operator retries a failed request. Its approvals stand; it goes back to Approved and the dispatcher starts it again.</summary>
public sealed class RetryRequest(IPortalDb db, AccessGuard guard, TimeProvider time, IMigrationJobs jobs)
{
    public sealed record Command(Guid RequestId, string Reason);

    public async Task<RequestSummary> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        var request = await db.LoadRequestAsync(command.RequestId, ct);
        await guard.RequireRoleAsync(user, "request.retry", ct, Roles.Operator, Roles.Administrator);
        new Validation().Text(command.Reason, nameof(command.Reason), TextLimits.Reason, "Say why you retry.").ThrowIfInvalid();
        var before = request.Transitions.Count;
        try
        {
            request.Retry(user.AsActor(), time.GetUtcNow(), command.Reason.Trim());
        }
        catch (DomainException e)
        {
            throw ValidationFailedException.For("State", e.Message);
        }

        AuditLog.TransitionsSince(db, request, before);
        await db.SaveOrConflictAsync("The request changed while you were retrying it. Reload and try again.", ct);
        jobs.NudgeDispatcher();
        return request.ToSummary();
    }
}
