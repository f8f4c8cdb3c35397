using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Identity;

/// <summary>Local accounts through ASP.NET Core Identity's UserManager, so its password and lockout rules apply.</summary>
public sealed class IdentityAccountDirectory(UserManager<PortalAccount> users, PortalDbContext db, TimeProvider time) : IAccountDirectory
{
    public async Task<IReadOnlyList<AccountView>> ListAsync(CancellationToken ct)
    {
        var accounts = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(ct);
        var groups = await db.GroupMemberships.AsNoTracking().ToListAsync(ct);
        var now = time.GetUtcNow();
        return accounts.Select(a => new AccountView(a.Id, a.UserName ?? "", a.DisplayName,
            roles.Where(r => r.UserId == a.Id).Select(r => r.Name!).Order().ToList(),
            groups.Where(g => g.UserId == a.Id).Select(g => g.Group).Order().ToList(),
            a.LockoutEnd is { } end && end > now, a.Email)).ToList();
    }

    public async Task<IReadOnlyList<Contact>> ListContactsAsync(CancellationToken ct)
    {
        var accounts = await db.Users.AsNoTracking().Where(u => u.Email != null && u.Email != "")
            .Select(u => new { u.Id, u.UserName, u.DisplayName, u.Email }).ToListAsync(ct);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(ct);
        var groups = await db.GroupMemberships.AsNoTracking().ToListAsync(ct);
        var contacts = accounts.Select(a => new Contact(a.Id, string.IsNullOrWhiteSpace(a.DisplayName) ? a.UserName ?? a.Id : a.DisplayName, a.Email!,
            roles.Where(r => r.UserId == a.Id).Select(r => r.Name!).ToHashSet(),
            groups.Where(g => g.UserId == a.Id).Select(g => g.Group).ToHashSet())).ToList();

        // Entra ID users as last seen at sign-in; a local account with the same ID wins.
        var local = contacts.Select(c => c.UserId).ToHashSet();
        var seen = await db.DirectoryContacts.AsNoTracking().Where(c => c.Email != null && c.Email != "").ToListAsync(ct);
        contacts.AddRange(seen.Where(c => !local.Contains(c.UserId)).Select(c => new Contact(c.UserId, c.DisplayName, c.Email!,
            Split(c.Roles), Split(c.Groups).Concat(groups.Where(g => g.UserId == c.UserId).Select(g => g.Group)).ToHashSet())));
        return contacts;
    }

    private static HashSet<string> Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

    public Task<bool> ExistsAsync(string userId, CancellationToken ct) => db.Users.AnyAsync(u => u.Id == userId, ct);

    public async Task<(string? UserId, IReadOnlyDictionary<string, string[]> Errors)> CreateAsync(string userName, string displayName, string password, IReadOnlyList<string> roles, CancellationToken ct, string? email = null)
    {
        var account = new PortalAccount { UserName = userName, DisplayName = displayName, Email = email, EmailConfirmed = email is not null };
        var created = await users.CreateAsync(account, password);
        if (!created.Succeeded)
        {
            var errors = created.Errors
                .GroupBy(e => e.Code.Contains("Password", StringComparison.Ordinal) ? "Password" : "UserName")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
            return (null, errors);
        }

        if (roles.Count > 0) await users.AddToRolesAsync(account, roles);
        return (account.Id, new Dictionary<string, string[]>());
    }

    public async Task SetRolesAsync(string userId, IReadOnlyList<string> roles, CancellationToken ct)
    {
        var account = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"User {userId} vanished.");
        var current = await users.GetRolesAsync(account);
        await users.RemoveFromRolesAsync(account, current.Except(roles));
        await users.AddToRolesAsync(account, roles.Except(current));
    }

    public async Task<IReadOnlyDictionary<string, string[]>> ResetPasswordAsync(string userId, string newPassword, CancellationToken ct)
    {
        var account = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"User {userId} vanished.");
        // Check the new password first, so an account is never left without one; then swap. No reset token: that would need
        // Data Protection, whose key store writes through a second connection that SQLite's lock would block inside the transaction.
        var problems = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var verdict = await validator.ValidateAsync(users, account, newPassword);
            problems.AddRange(verdict.Errors);
        }

        if (problems.Count > 0) return new Dictionary<string, string[]> { ["Password"] = problems.Select(e => e.Description).ToArray() };
        await users.RemovePasswordAsync(account);
        var reset = await users.AddPasswordAsync(account, newPassword);
        if (!reset.Succeeded) return new Dictionary<string, string[]> { ["Password"] = reset.Errors.Select(e => e.Description).ToArray() };
        await users.SetLockoutEndDateAsync(account, null);
        await users.ResetAccessFailedCountAsync(account);
        return new Dictionary<string, string[]>();
    }
}
