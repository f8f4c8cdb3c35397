using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <summary>What the current user may do to one request right now. Pages and API clients show these; they do not work them out.</summary>
public sealed record AllowedActions(bool Cancel, bool Retry, bool RollBack, bool Decide, bool Recheck = false)
{
    public static readonly AllowedActions None = new(false, false, false, false);
}

/// <summary>
/// The one statement of who may act on a request: the role rules that <see cref="CancelRequest"/>, <see cref="RetryRequest"/>,
/// <see cref="RollBackRequest"/>, <see cref="RecheckRequest"/> and the decision use case enforce, combined with the aggregate's own state rules
/// (<see cref="MigrationRequest.CanCancel"/>, <see cref="MigrationRequest.CanRetry"/>, <see cref="MigrationRequest.CanRollBack"/>,
/// <see cref="MigrationRequest.CanBeDecidedBy"/>).
/// </summary>
public sealed class RequestActionRules(AccessGuard guard)
{
    public static bool IsOperator(PortalUser user) => user.IsInAny(Roles.Operator, Roles.Administrator);

    /// <summary>The role half of cancelling: operators always; the requester (or a co-owner) only before a job acts on the VM.</summary>
    public static bool MayCancelIn(PortalUser user, RequestState state) =>
        IsOperator(user) || (user.IsIn(Roles.Requester) && !RequestTransitions.IsInFlight(state));

    /// <summary>The caller has already checked that the user may view the request.</summary>
    public async Task<AllowedActions> ForAsync(PortalUser user, MigrationRequest request, CancellationToken ct)
    {
        var decide = user.IsIn(Roles.Approver) && request.CanBeDecidedBy(user.Id)
            && (request.ApproverGroup is not { } group || (await guard.GroupsOfAsync(user, ct)).Contains(group));
        return new AllowedActions(
            Cancel: request.CanCancel && MayCancelIn(user, request.State),
            Retry: request.CanRetry && IsOperator(user),
            RollBack: request.CanRollBack && IsOperator(user),
            Decide: decide,
            Recheck: request.CanRecheck && IsOperator(user));
    }
}
