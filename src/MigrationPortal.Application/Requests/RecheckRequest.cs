using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// "Check again": an Operator has looked at a request that needs attention (the hypervisor could not say whether its
/// transfer started) and asks the run to ask the hypervisor again. The request goes back to Running and the run job is
/// queued; it resumes at the transfer step, which asks before it starts anything.
/// </summary>
public sealed class RecheckRequest(IPortalDb db, AccessGuard guard, TimeProvider time, IMigrationJobs jobs)
{
    public sealed record Command(Guid RequestId, string Reason);

    public async Task<RequestSummary> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        var request = await db.LoadRequestAsync(command.RequestId, ct);
        await guard.RequireRoleAsync(user, "request.recheck", ct, Roles.Operator, Roles.Administrator);
        new Validation().Text(command.Reason, nameof(command.Reason), TextLimits.Reason, "Say what you checked.").ThrowIfInvalid();
        var before = request.Transitions.Count;
        try
        {
            request.Recheck(user.AsActor(), time.GetUtcNow(), command.Reason.Trim());
        }
        catch (DomainException e)
        {
            throw ValidationFailedException.For("State", e.Message);
        }

        AuditLog.TransitionsSince(db, request, before);
        await db.SaveOrConflictAsync("The request changed while you were checking it again. Reload and try again.", ct);
        jobs.EnqueueRun(request.Id);
        return request.ToSummary();
    }
}
