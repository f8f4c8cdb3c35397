namespace MigrationPortal.Application.Abstractions;

public sealed record AccountView(string Id, string UserName, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<string> Groups, bool LockedOut, string? Email = null);

/// <summary>Someone the portal can mail: a local account with an address, or an Entra ID user seen at sign-in.</summary>
public sealed record Contact(string UserId, string DisplayName, string Email, IReadOnlySet<string> Roles, IReadOnlySet<string> Groups);

/// <summary>
/// Local sign-in accounts (ASP.NET Core Identity behind it). Errors from Identity's own rules (password strength, duplicate
/// name) come back as field messages. Entra ID users are managed in Entra, not here.
/// </summary>
public interface IAccountDirectory
{
    Task<IReadOnlyList<AccountView>> ListAsync(CancellationToken ct);

    Task<bool> ExistsAsync(string userId, CancellationToken ct);

    /// <summary>Creates the account; returns its ID, or the field errors Identity reported.</summary>
    Task<(string? UserId, IReadOnlyDictionary<string, string[]> Errors)> CreateAsync(string userName, string displayName, string password, IReadOnlyList<string> roles, CancellationToken ct, string? email = null);

    /// <summary>Everyone with a mail address: local accounts (Identity's Email, roles, local groups) and Entra ID users the portal has seen.</summary>
    Task<IReadOnlyList<Contact>> ListContactsAsync(CancellationToken ct);

    Task SetRolesAsync(string userId, IReadOnlyList<string> roles, CancellationToken ct);

    /// <summary>Replaces the password and ends any lockout; returns Identity's field errors when the new password breaks its rules.</summary>
    Task<IReadOnlyDictionary<string, string[]>> ResetPasswordAsync(string userId, string newPassword, CancellationToken ct);
}
