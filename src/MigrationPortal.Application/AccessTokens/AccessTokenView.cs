using MigrationPortal.Domain.Access;

namespace MigrationPortal.Application.AccessTokens;

/// <summary>A token as lists show it: never its secret, which exists only in the answer to its creation.</summary>
public sealed record AccessTokenView(Guid Id, string Name, string Owner, string OwnerId, string Prefix, IReadOnlyList<string>? Roles,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, string? RevokedBy, string State)
{
    public static AccessTokenView From(AccessToken token, DateTimeOffset now) => new(token.Id, token.Name, token.UserName, token.UserId, token.DisplayPrefix,
        token.RoleLimit?.Order().ToList(), token.CreatedAt, token.ExpiresAt, token.LastUsedAt, token.RevokedAt, token.RevokedBy,
        token.IsRevoked ? "Revoked" : token.IsExpired(now) ? "Expired" : "Active");
}

/// <summary>The secret's shape and hash, in one place for the use cases and the sign-in handler.</summary>
public static class AccessTokenSecret
{
    /// <summary>"mpat_" and 43 base64url characters (256 random bits).</summary>
    public static string New() => AccessToken.SecretPrefix + Common.SecretTokens.NewBase64Url();

    public static string Hash(string secret) => Common.SecretTokens.Sha256Hex(secret);

    /// <summary>Whether a bearer value is meant to be one of ours (the rest go to Entra ID's handler).</summary>
    public static bool Looks(string? bearer) => bearer is not null && bearer.StartsWith(AccessToken.SecretPrefix, StringComparison.Ordinal);

    /// <summary>What a list shows of a secret: enough to tell tokens apart, far too little to use.</summary>
    public static string DisplayPrefix(string secret) => secret[..Math.Min(secret.Length, AccessToken.SecretPrefix.Length + 4)];
}
