namespace MigrationPortal.Domain.Requests;

/// <summary>One recorded state change: who, when and why.</summary>
public sealed class Transition
{
    private Transition() { }

    public Transition(RequestState from, RequestState to, string actorId, string actorName, DateTimeOffset at, string reason)
    {
        From = from;
        To = to;
        ActorId = actorId;
        ActorName = actorName;
        At = at;
        Reason = reason;
    }

    public long Id { get; private set; }
    public Guid RequestId { get; private set; }
    public RequestState From { get; private set; }
    public RequestState To { get; private set; }
    public string ActorId { get; private set; } = "";
    public string ActorName { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
    public string Reason { get; private set; } = "";
}
