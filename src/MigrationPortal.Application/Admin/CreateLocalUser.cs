using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Admin;

/// <summary>An administrator creates a local account with its roles (at least one). The password is checked by Identity's rules and never audited.</summary>
public sealed class CreateLocalUser(IPortalDb db, IAccountDirectory accounts, AccessGuard guard, TimeProvider time)
{
    /// <param name="Email">Where notifications go; optional.</param>
    public sealed record Command(string UserName, string DisplayName, string Password, IReadOnlyList<string> Roles, string? Email = null);

    public async Task<AccountView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "user.create", ct, Roles.Administrator);
        var roles = command.Roles ?? [];
        var email = string.IsNullOrWhiteSpace(command.Email) ? null : command.Email.Trim();
        new Validation()
            .Text(command.UserName, nameof(command.UserName), TextLimits.Name, "Choose a user name.")
            .Text(command.DisplayName, nameof(command.DisplayName), TextLimits.Name)
            .Text(command.Password, nameof(command.Password), TextLimits.Password, "Choose a password.")
            .Text(command.Email, nameof(command.Email), TextLimits.Email)
            .Require(roles.All(r => Authorization.Roles.All.Contains(r)), nameof(command.Roles), $"Roles are {string.Join(", ", Authorization.Roles.All)}.")
            // A role-less account signs in to empty pages with no hint why; roles are what the portal grants.
            .Require(roles.Count > 0, nameof(command.Roles), "Choose at least one role: an account without a role can see and do nothing.")
            .Require(email is null || System.Net.Mail.MailAddress.TryCreate(email, out _), nameof(command.Email), "Enter a mail address such as name@example.com, or leave it empty.")
            .ThrowIfInvalid();
        var displayName = string.IsNullOrWhiteSpace(command.DisplayName) ? command.UserName.Trim() : command.DisplayName.Trim();
        string? id = null;
        await db.InTransactionAsync(async token =>
        {
            (id, var errors) = await accounts.CreateAsync(command.UserName.Trim(), displayName, command.Password, roles, token, email);
            if (id is null) throw new ValidationFailedException(errors);
            AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.UserCreated, "User", id, new { user = command.UserName.Trim(), displayName, roles, email });
            await db.SaveChangesAsync(token);
        }, ct);
        return new AccountView(id!, command.UserName.Trim(), displayName, roles, [], false, email);
    }
}
