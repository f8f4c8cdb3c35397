namespace MigrationPortal.Application.Admin;

/// <summary>A connection as administrators see it. The secret never leaves the server: only whether one is set.</summary>
public sealed record ConnectionView(Guid Id, string Name, string Kind, string Endpoint, string? Username, bool HasSecret, string? PinnedThumbprint,
    bool AllowUnencryptedMigration, bool IsDemo, DateTimeOffset? LastSyncedAt, string? LastSyncError);
