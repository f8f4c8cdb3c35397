namespace MigrationPortal.Domain.Access;

/// <summary>
/// A personal access token of a local account, for scripts and pipelines calling the API as <c>Authorization: Bearer …</c>.
/// Only the SHA-256 hash of the secret is stored (the secret is 256 random bits, so a fast hash is enough: there is nothing
/// to guess). It acts with its owner's roles as they are at the moment of each call, narrowed to <see cref="Roles"/> when
/// the owner chose a subset, so taking a role away from the account takes it away from every token too.
/// </summary>
public sealed class AccessToken
{
    /// <summary>The visible start of every token, so secret scanners and people can recognise one.</summary>
    public const string SecretPrefix = "mpat_";

    private AccessToken() { }

    public AccessToken(string userId, string userName, string name, string tokenHash, string displayPrefix, IEnumerable<string>? roles, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        UserId = userId;
        UserName = userName;
        Name = name;
        TokenHash = tokenHash;
        DisplayPrefix = displayPrefix;
        Roles = roles is null ? null : string.Join(",", roles);
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
    }

    public Guid Id { get; private set; } = Guid.NewGuid();
    public string UserId { get; private set; } = "";
    public string UserName { get; private set; } = "";
    public string Name { get; private set; } = "";

    /// <summary>Lower-case hex SHA-256 of the whole secret.</summary>
    public string TokenHash { get; private set; } = "";

    /// <summary>The first characters of the secret ("mpat_AbC1"), shown in lists so the owner can tell tokens apart.</summary>
    public string DisplayPrefix { get; private set; } = "";

    /// <summary>Comma-separated roles the token is limited to; null means all of the owner's roles.</summary>
    public string? Roles { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }

    /// <summary>When a use of the token was last written to the audit trail (reads are audited at most once an hour).</summary>
    public DateTimeOffset? LastAuditedUseAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevokedBy { get; private set; }

    public IReadOnlySet<string>? RoleLimit => Roles is null ? null : Roles.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

    public bool IsRevoked => RevokedAt is not null;

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

    public bool IsUsable(DateTimeOffset now) => !IsRevoked && !IsExpired(now);

    public void Revoke(string by, DateTimeOffset now)
    {
        if (IsRevoked) return;
        RevokedAt = now;
        RevokedBy = by;
    }

    public void MarkUsed(DateTimeOffset now, bool audited)
    {
        LastUsedAt = now;
        if (audited) LastAuditedUseAt = now;
    }
}
