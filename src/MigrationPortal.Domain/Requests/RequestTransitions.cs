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
            // Only a finished move is rolled back (MigrationRequest.CanRollBack); a running one is cancelled instead.
            // NeedsAttention: the run could not tell whether the transfer started and stopped rather than start it twice.
            [Running] = Set(Verifying, Failed, Cancelled, NeedsAttention),
            // Only back to Running ("Check again"): the run asks the hypervisor once more. Until it knows, nothing else is truthful.
            [NeedsAttention] = Set(Running),
            [Verifying] = Set(Succeeded, Failed),
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
    public static readonly IReadOnlySet<RequestState> Terminal = Allowed.Where(a => a.Value.Count == 0).Select(a => a.Key).ToHashSet();

    /// <summary>States in which the request still claims its VM (a second request for it would conflict).</summary>
    public static readonly IReadOnlySet<RequestState> Active = Set(Submitted, PendingApproval, Approved, Scheduled, Running, Verifying, RollingBack, NeedsAttention);

    /// <summary>States in which a job is acting on the VM right now: only an operator may stop it, and a stale one is reconciled.</summary>
    public static readonly IReadOnlySet<RequestState> InFlight = Set(Running, Verifying, RollingBack);

    /// <summary>States before anything is scheduled: the request waits for a decision or for dispatch.</summary>
    public static readonly IReadOnlySet<RequestState> Waiting = Set(Submitted, PendingApproval, Approved);

    /// <summary>States that wait for an approver (or the policy) to decide.</summary>
    public static readonly IReadOnlySet<RequestState> AwaitingDecision = Set(Submitted, PendingApproval);

    /// <summary>
    /// States in which a request holds its concurrency slots (capacity leases). NeedsAttention keeps them: a transfer may be
    /// running on the hypervisor that the portal cannot see.
    /// </summary>
    public static readonly IReadOnlySet<RequestState> HoldingCapacity = Set(Scheduled, Running, Verifying, NeedsAttention);

    /// <summary>States in which a move has ended, either way, and may be rolled back.</summary>
    public static readonly IReadOnlySet<RequestState> Finished = Set(Succeeded, Failed);

    public static bool IsTerminal(RequestState state) => Terminal.Contains(state);

    public static bool IsActive(RequestState state) => Active.Contains(state);

    public static bool IsInFlight(RequestState state) => InFlight.Contains(state);

    private static IReadOnlySet<RequestState> Set(params RequestState[] states) => new HashSet<RequestState>(states);
}
