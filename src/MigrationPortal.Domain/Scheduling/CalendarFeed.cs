namespace MigrationPortal.Domain.Scheduling;

/// <summary>
/// A user's personal .ics feed. Outlook cannot sign in, so the feed URL carries a secret token; only its SHA-256 hash is
/// stored. The feed shows what the user could see when they created the link (their roles and groups are kept with it),
/// because an Entra ID user's roles exist only in their sign-in token. Creating a new link replaces the old one.
/// </summary>
public sealed class CalendarFeed
{
    private CalendarFeed() { }

    public CalendarFeed(string userId, string userName, string tokenHash, IEnumerable<string> roles, IEnumerable<string> groups, DateTimeOffset now)
    {
        UserId = userId;
        Replace(userName, tokenHash, roles, groups, now);
    }

    public Guid Id { get; private set; } = Guid.NewGuid();
    public string UserId { get; private set; } = "";
    public string UserName { get; private set; } = "";

    /// <summary>Lower-case hex SHA-256 of the token in the URL.</summary>
    public string TokenHash { get; private set; } = "";

    /// <summary>Comma-separated roles and groups the user held when the link was made.</summary>
    public string Roles { get; private set; } = "";
    public string Groups { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    public void Replace(string userName, string tokenHash, IEnumerable<string> roles, IEnumerable<string> groups, DateTimeOffset now)
    {
        UserName = userName;
        TokenHash = tokenHash;
        Roles = string.Join(",", roles);
        Groups = string.Join(",", groups);
        CreatedAt = now;
    }
}
