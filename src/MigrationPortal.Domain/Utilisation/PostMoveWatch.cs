using MigrationPortal.Domain.Common;

namespace MigrationPortal.Domain.Utilisation;

/// <summary>Where a post-move watch stands: still watching, or how it ended.</summary>
public enum WatchState
{
    Watching,
    Passed,
    Regressed,

    /// <summary>Too few samples before or after the move to compare: the watch ends without a verdict, never as a pass.</summary>
    InsufficientData,
}

/// <summary>
/// The watch over a VM after its move verified: the moment it started, when it ends, and (once evaluated) the verdict
/// with the figures before and after. One row per request (the key), written in the database so any node can evaluate it
/// when it is due; <see cref="State"/> and <see cref="RollbackRequestId"/> are concurrency tokens, so two nodes evaluating
/// (or two people pressing "Roll back") at once give one result, and the second save is refused.
/// </summary>
public sealed class PostMoveWatch
{
    private PostMoveWatch()
    {
    }

    /// <param name="moveStartedAt">When the move started: the "before" period is the same length, ending there.</param>
    /// <param name="watchStartedAt">When the move verified: the "after" period starts there.</param>
    public PostMoveWatch(Guid requestId, Guid vmId, DateTimeOffset moveStartedAt, DateTimeOffset watchStartedAt, TimeSpan period)
    {
        if (period <= TimeSpan.Zero) throw new DomainException("A watch needs a period longer than zero.");
        RequestId = requestId;
        VmId = vmId;
        MoveStartedAt = moveStartedAt;
        StartedAt = watchStartedAt;
        EndsAt = watchStartedAt + period;
        State = WatchState.Watching;
    }

    public Guid RequestId { get; private set; }
    public Guid VmId { get; private set; }
    public DateTimeOffset MoveStartedAt { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset EndsAt { get; private set; }
    public WatchState State { get; private set; }
    public DateTimeOffset? EvaluatedAt { get; private set; }

    /// <summary>The verdict in words, for the page, the mail and the audit trail.</summary>
    public string? Summary { get; private set; }

    /// <summary>The figures per measure (before, after, regressed), as JSON written by the evaluation; "[]" until then.</summary>
    public string Figures { get; private set; } = "[]";

    /// <summary>The request that moves the VM back, once someone asked for it after a regression.</summary>
    public Guid? RollbackRequestId { get; private set; }

    public TimeSpan Period => EndsAt - StartedAt;

    /// <summary>The "before" period: as long as the watch, ending when the move started.</summary>
    public DateTimeOffset BeforeFrom => MoveStartedAt - Period;

    public bool IsDue(DateTimeOffset now) => State == WatchState.Watching && EndsAt <= now;

    /// <summary>Ends the watch with its verdict. Only a watch still watching can end; a second evaluation is refused, never applied twice.</summary>
    public void Conclude(WatchState verdict, string summary, string figures, DateTimeOffset now)
    {
        if (State != WatchState.Watching) throw new DomainException($"The watch already ended ({State}).");
        if (verdict == WatchState.Watching) throw new DomainException("A verdict cannot be 'still watching'.");
        State = verdict;
        Summary = summary;
        Figures = figures;
        EvaluatedAt = now;
    }

    /// <summary>Records the roll-back request; only after a regression, and only once.</summary>
    public void RecordRollback(Guid requestId)
    {
        if (State != WatchState.Regressed) throw new DomainException("Only a watch that found a regression offers a roll back.");
        if (RollbackRequestId is { } existing) throw new DomainException($"A roll back was already requested (request {existing}).");
        RollbackRequestId = requestId;
    }
}
