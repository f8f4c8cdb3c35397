namespace MigrationPortal.Domain.Approvals;

public enum Verdict
{
    Approve,
    Reject,
}

/// <summary>One approver's recorded decision, with the comment that every decision must carry.</summary>
public sealed class Decision
{
    private Decision() { }

    public Decision(string approverId, string approverName, Verdict verdict, string comment, DateTimeOffset at)
    {
        ApproverId = approverId;
        ApproverName = approverName;
        Verdict = verdict;
        Comment = comment;
        At = at;
    }

    public long Id { get; private set; }
    public Guid RequestId { get; private set; }
    public string ApproverId { get; private set; } = "";
    public string ApproverName { get; private set; } = "";
    public Verdict Verdict { get; private set; }
    public string Comment { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
}
