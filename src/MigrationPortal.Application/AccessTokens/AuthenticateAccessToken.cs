using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Access;
using MigrationPortal.Domain.Common;

namespace MigrationPortal.Application.AccessTokens;

/// <summary>
/// Checks a bearer secret on every API call: known, not revoked, not expired. Records the use: the last-used time (written
/// at most once a minute per token, so a busy script does not turn every read into a write) and an audit record for every
/// call that changes something, and for reads at most once an hour per token. The caller (the sign-in handler) then checks
/// the owning account itself is still there and not locked out, and takes its roles as they are now.
/// </summary>
public sealed class AuthenticateAccessToken(IPortalDb db, TimeProvider time)
{
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan ReadAuditInterval = TimeSpan.FromHours(1);

    public sealed record Accepted(Guid TokenId, string TokenName, string UserId, IReadOnlySet<string>? RoleLimit);

    /// <returns>The token, or null with the reason the caller is told. An unknown secret gives nothing away; "revoked" and "expired"
    /// help the owner's script say why, and tell whoever holds the secret nothing they could use.</returns>
    public async Task<(Accepted? Token, string? Refusal)> HandleAsync(string secret, string method, string path, string address, CancellationToken ct = default)
    {
        if (secret.Length > 200 || secret.Contains('\0')) return (null, "The access token is not valid.");
        var hash = AccessTokenSecret.Hash(secret);
        var token = await db.AccessTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        var now = time.GetUtcNow();
        if (token is null) return (null, "The access token is not valid.");
        if (token.IsRevoked) return (null, "The access token was revoked.");
        if (token.IsExpired(now)) return (null, "The access token has expired.");

        var writes = !HttpMethodIsRead(method);
        var audit = writes || token.LastAuditedUseAt is not { } audited || now - audited >= ReadAuditInterval;
        if (audit || token.LastUsedAt is not { } used || now - used >= LastUsedResolution)
        {
            token.MarkUsed(now, audit);
            if (audit)
                AuditLog.Record(db, now, new Actor(token.UserId, token.UserName), AuditActions.AccessTokenUsed, nameof(AccessToken), token.Id.ToString(),
                    new { token = token.Name, prefix = token.DisplayPrefix, method, path = path.Length > 300 ? path[..300] : path, address });
            await db.SaveChangesAsync(ct);
        }

        return (new Accepted(token.Id, token.Name, token.UserId, token.RoleLimit), null);
    }

    private static bool HttpMethodIsRead(string method) => method is "GET" or "HEAD" or "OPTIONS";
}
