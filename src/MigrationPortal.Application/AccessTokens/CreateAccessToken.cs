using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Access;

namespace MigrationPortal.Application.AccessTokens;

/// <summary>
/// A local account creates a personal access token for scripts: a name, an expiry (at most a year, so a forgotten token
/// dies on its own) and optionally a subset of its roles. The secret is in the answer once and only its hash is kept.
/// Entra ID users have no local account to own a token: they call the API with an Entra ID bearer token instead.
/// A token cannot create tokens (a leaked one must not be able to outlive its own expiry).
/// </summary>
public sealed class CreateAccessToken(IPortalDb db, IAccountDirectory accounts, AccessGuard guard, TimeProvider time)
{
    public const int NameLength = 100;
    public static readonly TimeSpan LongestLife = TimeSpan.FromDays(366);
    public const int DefaultDays = 30;

    /// <param name="ExpiresInDays">Days from now, 1 to 366; or give <paramref name="ExpiresAt"/>. Neither: 30 days.</param>
    /// <param name="Roles">Roles the token may use, each one the owner holds; null or empty: all of the owner's roles, as they are at each call.</param>
    public sealed record Command(string? Name, int? ExpiresInDays = null, DateTimeOffset? ExpiresAt = null, IReadOnlyList<string?>? Roles = null);

    public sealed record Created(AccessTokenView Token, string Secret);

    public async Task<Created> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        if (user.IsSystemUser() || user.ViaAccessToken)
            await guard.DenyAsync(user, "access-token.create", nameof(AccessToken), null,
                user.ViaAccessToken ? "A token cannot create tokens: sign in (or use your user name and password) to create one." : "The system account has no tokens.", ct);
        if (!await accounts.ExistsAsync(user.Id, ct))
            await guard.DenyAsync(user, "access-token.create", nameof(AccessToken), null,
                "Personal access tokens are for local accounts. Entra ID users call the API with an Entra ID bearer token.", ct);

        var now = time.GetUtcNow();
        var check = new Validation().Text(command.Name, nameof(command.Name), NameLength, "Name the token, e.g. after the script that will use it.");
        DateTimeOffset expiresAt = now.AddDays(DefaultDays);
        if (command.ExpiresInDays is { } days && command.ExpiresAt is not null)
            check.Add(nameof(command.ExpiresAt), "Give either ExpiresInDays or ExpiresAt, not both.");
        else if (command.ExpiresInDays is { } d)
        {
            if (d is < 1 or > 366) check.Add(nameof(command.ExpiresInDays), "Choose 1 to 366 days.");
            else expiresAt = now.AddDays(d);
        }
        else if (command.ExpiresAt is { } at)
        {
            if (at <= now.AddMinutes(5)) check.Add(nameof(command.ExpiresAt), "Choose an expiry in the future (at least 5 minutes from now).");
            else if (at > now + LongestLife) check.Add(nameof(command.ExpiresAt), $"Choose an expiry within {LongestLife.TotalDays:0} days.");
            else expiresAt = at.ToUniversalTime();
        }

        List<string>? roles = null;
        if (command.Roles is { Count: > 0 })
        {
            roles = [];
            for (var i = 0; i < command.Roles.Count; i++)
            {
                var field = $"{nameof(command.Roles)}[{i}]";
                var role = Authorization.Roles.All.FirstOrDefault(r => string.Equals(r, command.Roles[i]?.Trim(), StringComparison.OrdinalIgnoreCase));
                if (role is null) check.Add(field, $"'{command.Roles[i]}' is not a role. Roles: {string.Join(", ", Authorization.Roles.All)}.");
                else if (!user.IsIn(role)) check.Add(field, $"You do not hold the {role} role, so a token of yours cannot either.");
                else if (!roles.Contains(role)) roles.Add(role);
            }
        }
        else if (user.Roles.Count == 0)
        {
            check.Add(nameof(command.Roles), "Your account has no role, so a token would be able to do nothing. Ask an Administrator for a role.");
        }

        check.ThrowIfInvalid();

        var secret = AccessTokenSecret.New();
        var token = new AccessToken(user.Id, user.Name, command.Name!.Trim(), AccessTokenSecret.Hash(secret), AccessTokenSecret.DisplayPrefix(secret), roles, now, expiresAt);
        db.AccessTokens.Add(token);
        AuditLog.Record(db, now, user.AsActor(), AuditActions.AccessTokenCreated, nameof(AccessToken), token.Id.ToString(),
            new { token = token.Name, prefix = token.DisplayPrefix, roles = (IEnumerable<string>?)roles ?? ["(all of the owner's)"], expiresAt });
        await db.SaveChangesAsync(ct);
        return new Created(AccessTokenView.From(token, now), secret);
    }
}
