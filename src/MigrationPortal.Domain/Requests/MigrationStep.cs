namespace MigrationPortal.Domain.Requests;

public enum StepStatus
{
    Pending,
    Running,
    Succeeded,
    Skipped,
    Failed,
}

/// <summary>One named step of a request's itinerary (precheck, snapshot, enforce encryption, transfer, verify, clean up).</summary>
public sealed class MigrationStep
{
    private MigrationStep() { }

    public MigrationStep(string name, int order)
    {
        Name = name;
        Order = order;
    }

    public long Id { get; private set; }
    public Guid RequestId { get; private set; }
    public string Name { get; private set; } = "";
    public int Order { get; private set; }
    public StepStatus Status { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public string? Message { get; private set; }

    /// <summary>What the step keeps for a resumed run, as JSON (<see cref="MigrationRequest.RecordStepData"/>); kept when the step ends.</summary>
    public string? Data { get; private set; }

    internal void RecordData(string data) => Data = data;

    internal void Start(DateTimeOffset at)
    {
        Status = StepStatus.Running;
        StartedAt = at;
        EndedAt = null;
        Message = null;
    }

    internal void End(StepStatus status, DateTimeOffset at, string? message)
    {
        Status = status;
        StartedAt ??= at;
        EndedAt = at;
        Message = message;
    }
}
