using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// The words people read for a request's state and a step's status, stated once for every page (chips, timeline,
/// dashboard, lists): "Pending approval", not "PendingApproval". The API keeps the enum names.
/// </summary>
public static class RequestStateNames
{
    public static string Of(RequestState state) => state switch
    {
        RequestState.PendingApproval => "Pending approval",
        RequestState.RollingBack => "Rolling back",
        RequestState.RolledBack => "Rolled back",
        RequestState.NeedsAttention => "Needs attention",
        _ => state.ToString(),
    };

    /// <summary>
    /// A step's status as read on a request in <paramref name="requestState"/>: once the request can no longer change on
    /// its own, a step still Pending never ran, and one still Running was stopped (cancelled, failed, or taken down with
    /// its node); neither is "pending" any more.
    /// </summary>
    public static string Of(StepStatus status, RequestState requestState) => (status, RequestTransitions.IsActive(requestState)) switch
    {
        (StepStatus.Pending, false) => "Not run",
        (StepStatus.Running, false) => "Stopped",
        _ => status.ToString(),
    };

    /// <summary>
    /// A transition's reason without a leading repeat of the state it entered: the domain writes "Rejected: comment", and
    /// beside the state's own name that would read "Rejected: Rejected: comment".
    /// </summary>
    public static string ReasonBeside(RequestState to, string reason)
    {
        foreach (var prefix in new[] { to.ToString(), Of(to) })
            if (reason.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase)) return reason[(prefix.Length + 1)..].TrimStart();
        return reason;
    }
}
