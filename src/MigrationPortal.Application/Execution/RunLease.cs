namespace MigrationPortal.Application.Execution;

/// <summary>
/// Which run of which node holds a request, as a row of the portal database (primary key: the request). The runner
/// renews <see cref="HeartbeatAt"/> while it works; a lease whose heartbeat is older than
/// <see cref="ExecutionOptions.StaleAfter"/> belongs to a node that died or hung, and the next run takes it over.
/// </summary>
public sealed class RunLease
{
    public Guid RequestId { get; set; }

    /// <summary>The node (<see cref="ExecutionOptions.NodeName"/>) whose run holds the request.</summary>
    public string Owner { get; set; } = "";

    /// <summary>One run on that node: two jobs of one request on the same node still exclude each other.</summary>
    public Guid Token { get; set; }

    public DateTimeOffset AcquiredAt { get; set; }

    public DateTimeOffset HeartbeatAt { get; set; }
}
