namespace MigrationPortal.Domain.Requests;

/// <summary>
/// Latest progress of a running migration, one row per request. Kept apart from the request so that frequent
/// progress writes never collide with a person's action on the request (its concurrency token), and so that any
/// node's UI can poll it.
/// </summary>
public sealed class MigrationProgress
{
    public Guid RequestId { get; set; }
    public string Phase { get; set; } = "";
    public double Percent { get; set; }
    public long? BytesTransferred { get; set; }
    public long? BytesTotal { get; set; }
    public int? EtaSeconds { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Last time the node running this migration proved it was alive; a stale heartbeat triggers reconciliation.</summary>
    public DateTimeOffset HeartbeatAt { get; set; }
}
