namespace MigrationPortal.Application.Notifications;

/// <summary>
/// What the portal last learned about an Entra ID user at sign-in: mail address, roles and groups. Entra users have no
/// local account, and the portal cannot list them without Microsoft Graph, so notifications reach the users it has seen.
/// </summary>
public sealed class DirectoryContact
{
    public string UserId { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string? Email { get; set; }

    /// <summary>Comma-separated portal roles.</summary>
    public string Roles { get; set; } = "";

    /// <summary>Comma-separated group names or object IDs.</summary>
    public string Groups { get; set; } = "";
    public DateTimeOffset SeenAt { get; set; }
}
