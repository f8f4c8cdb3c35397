namespace MigrationPortal.Domain.Audit;

/// <summary>
/// One append-only audit record. <see cref="Sequence"/> and the two hashes are assigned when the event is saved,
/// in the same transaction as the change it describes (see the portal's DbContext).
/// </summary>
public sealed class AuditEvent
{
    private AuditEvent() { }

    public AuditEvent(DateTimeOffset at, string actorId, string actorName, string action, string? entityType, string? entityId,
        string? vmName, Guid? requestId, string details, bool isDemo = false)
    {
        // Whole milliseconds in UTC: every provider stores that exactly (SQLite's encoding keeps 0.1 ms, PostgreSQL 1 µs),
        // so the hash computed now matches the one recomputed from the stored row.
        Id = Guid.NewGuid();
        At = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        ActorId = actorId;
        ActorName = actorName;
        Action = action;
        EntityType = entityType;
        EntityId = entityId;
        VmName = vmName;
        RequestId = requestId;
        Details = details;
        IsDemo = isDemo;
    }

    /// <summary>Row identity, assigned at creation so several unsealed events can wait in one unit of work.</summary>
    public Guid Id { get; private set; }

    /// <summary>Position in the chain (1, 2, 3 ...), unique; assigned when sealed.</summary>
    public long Sequence { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string ActorId { get; private set; } = "";
    public string ActorName { get; private set; } = "";
    public string Action { get; private set; } = "";
    public string? EntityType { get; private set; }
    public string? EntityId { get; private set; }
    public string? VmName { get; private set; }
    public Guid? RequestId { get; private set; }
    public string Details { get; private set; } = "";
    public bool IsDemo { get; private set; }
    public string PreviousHash { get; private set; } = "";
    public string Hash { get; private set; } = "";

    /// <summary>Links this event after the chain's current head. Called once, by the persistence layer, while it holds the chain lock.</summary>
    public void Seal(long sequence, string previousHash)
    {
        if (!string.IsNullOrEmpty(Hash)) throw new InvalidOperationException("An audit event is sealed only once.");
        Sequence = sequence;
        PreviousHash = previousHash;
        Hash = AuditChain.ComputeHash(this);
    }
}
