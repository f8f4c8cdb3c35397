namespace MigrationPortal.Application.Abstractions;

public sealed record AccountView(string Id, string UserName, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<string> Groups, bool LockedOut);

/// <summary>
/// Local sign-in accounts (ASP.NET Core Identity behind it). Errors from Identity's own rules (password strength, duplicate
/// name) come back as field messages. Entra ID users are managed in Entra, not here.
/// </summary>
public interface IAccountDirectory
{
    Task<IReadOnlyList<AccountView>> ListAsync(CancellationToken ct);

    Task<bool> ExistsAsync(string userId, CancellationToken ct);

    /// <summary>Creates the account; returns its ID, or the field errors Identity reported.</summary>
    Task<(string? UserId, IReadOnlyDictionary<string, string[]> Errors)> CreateAsync(string userName, string displayName, string password, IReadOnlyList<string> roles, CancellationToken ct);

    Task SetRolesAsync(string userId, IReadOnlyList<string> roles, CancellationToken ct);

    /// <summary>Replaces the password and ends any lockout; returns Identity's field errors when the new password breaks its rules.</summary>
    Task<IReadOnlyDictionary<string, string[]>> ResetPasswordAsync(string userId, string newPassword, CancellationToken ct);
}
