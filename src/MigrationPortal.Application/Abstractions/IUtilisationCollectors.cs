namespace MigrationPortal.Application.Abstractions;

/// <summary>The utilisation collectors installed, by connection kind (a connector registered with the role).</summary>
public interface IUtilisationCollectors
{
    /// <summary>The kind's collector, or null when its connector has no utilisation role (its connections are not collected).</summary>
    IUtilisationCollector? Find(string kind);
}

/// <summary>
/// An optional collector role: readings of a past moment, used once to fill a connection's empty history (the demo's
/// seeded curves; a hypervisor that keeps its own history could serve it too).
/// </summary>
public interface IUtilisationHistory
{
    /// <summary>Readings every <paramref name="step"/> from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), oldest first.</summary>
    Task<IReadOnlyList<UtilisationReading>> ReadHistoryAsync(ConnectionInfo connection, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken ct);
}
