using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Approvals;

/// <summary>
/// What approving and rejecting share: the approver must hold the Approver role and belong to the group the policy named;
/// the domain refuses self-approval, a second decision by the same person and a missing comment. When two approvers
/// act at once (or one approver twice, from two nodes) the request's concurrency token and the unique (request, approver)
/// index let exactly one save; the other gets a 409 with a clear message.
/// </summary>
public sealed class DecideRequest(IPortalDb db, AccessGuard guard, TimeProvider time, IMigrationJobs jobs)
{
    public async Task<RequestSummary> HandleAsync(PortalUser user, Guid requestId, Verdict verdict, string comment, CancellationToken ct)
    {
        var action = verdict == Verdict.Approve ? "request.approve" : "request.reject";
        var request = await db.LoadRequestAsync(requestId, ct);
        await guard.RequireRoleAsync(user, action, ct, Roles.Approver);
        if (request.ApproverGroup is { } group && !(await guard.GroupsOfAsync(user, ct)).Contains(group))
            await guard.DenyAsync(user, action, "MigrationRequest", request.Id.ToString(), $"Only members of approver group '{group}' may decide on this request.", ct);

        // A blank comment is the domain's to refuse (it says why); too long or NUL would only fail at the database.
        new Validation().Text(comment, "Comment", TextLimits.Comment).ThrowIfInvalid();
        var now = time.GetUtcNow();
        var before = request.Transitions.Count;
        try
        {
            if (verdict == Verdict.Approve) request.Approve(user.AsActor(), comment ?? "", now);
            else request.Reject(user.AsActor(), comment ?? "", now);
        }
        catch (DomainException e) when (string.IsNullOrWhiteSpace(comment))
        {
            throw ValidationFailedException.For("Comment", e.Message);
        }
        catch (DomainException e) when (request.RequesterId == user.Id)
        {
            await guard.DenyAsync(user, action, "MigrationRequest", request.Id.ToString(), e.Message, ct);
            throw;
        }
        catch (DomainException e)
        {
            throw ValidationFailedException.For("State", e.Message);
        }

        AuditLog.ForRequest(db, now, user.AsActor(), verdict == Verdict.Approve ? AuditActions.RequestApproved : AuditActions.RequestRejected, request,
            new { comment = comment!.Trim(), approvals = request.ApprovalCount, required = request.RequiredApprovals });
        AuditLog.TransitionsSince(db, request, before);
        await db.SaveOrConflictAsync("A decision on this request was saved at the same moment (by another approver, or by you from another tab or node). Reload it to see the decision.", ct);

        if (request.State == RequestState.Approved) jobs.NudgeDispatcher();
        return request.ToSummary();
    }
}
