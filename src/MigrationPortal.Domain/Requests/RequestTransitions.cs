namespace MigrationPortal.Domain.Requests;

using static RequestState;

/// <summary>
/// The one table of legal state changes for a migration request. Anything not listed here throws.
/// Kept as data so the tests can enumerate every pair, legal and illegal.
/// </summary>
public static class RequestTransitions
{
    public static readonly IReadOnlyDictionary<RequestState, IReadOnlySet<RequestState>> Allowed =
        new Dictionary<RequestState, IReadOnlySet<RequestState>>
        {
            [Draft] = Set(Submitted, Cancelled),
            [Submitted] = Set(PendingApproval, Approved, Cancelled),
            [PendingApproval] = Set(Approved, Rejected, Expired, Cancelled),
            [Approved] = Set(Scheduled, Running, Cancelled),
            // Scheduled -> Scheduled is a deferral to a later start (the window did not have room).
            [Scheduled] = Set(Scheduled, Running, Cancelled),
            [Running] = Set(Verifying, Failed, Cancelled, RollingBack),
            [Verifying] = Set(Succeeded, Failed, RollingBack),
            [Succeeded] = Set(RollingBack),
            // A failed request may be retried (back to Approved, approvals stand) or rolled back by an operator.
            [Failed] = Set(Approved, RollingBack),
            [RollingBack] = Set(RolledBack, Failed),
            [Rejected] = Set(),
            [Expired] = Set(),
            [Cancelled] = Set(),
            [RolledBack] = Set(),
        };

    public static bool IsAllowed(RequestState from, RequestState to) => Allowed[from].Contains(to);

    /// <summary>States from which nothing more happens; the request is history.</summary>
    public static bool IsTerminal(RequestState state) => Allowed[state].Count == 0;

    /// <summary>States in which the request still claims its VM (a second request for it would conflict).</summary>
    public static bool IsActive(RequestState state) =>
        state is Submitted or PendingApproval or Approved or Scheduled or Running or Verifying or RollingBack;

    private static IReadOnlySet<RequestState> Set(params RequestState[] states) => new HashSet<RequestState>(states);
}
