using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// A connection as administrators see it. The secret and the client key never leave the server: only whether one is set.
/// Certificates are public material and are shown so an administrator can check them.
/// </summary>
public sealed record ConnectionView(Guid Id, string Name, string Kind, string Endpoint, string? Username, bool HasSecret, string? PinnedThumbprint,
    bool AllowUnencryptedMigration, bool IsDemo, DateTimeOffset? LastSyncedAt, string? LastSyncError,
    string? CaCertificatePem = null, string? ClientCertificatePem = null, bool HasClientKey = false,
    DateTimeOffset? LastUtilisationAt = null, string? LastUtilisationError = null)
{
    public static ConnectionView From(Connection c) => new(c.Id, c.Name, c.Kind, c.Endpoint, c.Username, c.ProtectedSecret is not null, c.PinnedThumbprint,
        c.AllowUnencryptedMigration, c.IsDemo, c.LastSyncedAt, c.LastSyncError, c.CaCertificatePem, c.ClientCertificatePem, c.ProtectedClientKey is not null,
        c.LastUtilisationAt, c.LastUtilisationError);
}
