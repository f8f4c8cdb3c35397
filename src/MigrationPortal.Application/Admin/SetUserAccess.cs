using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// An administrator sets a local account's roles and groups (approver groups, owner groups). An administrator cannot
/// remove their own Administrator role, so the portal is never left without one by accident.
/// </summary>
public sealed class SetUserAccess(IPortalDb db, IAccountDirectory accounts, AccessGuard guard, TimeProvider time)
{
    public sealed record Command(string UserId, IReadOnlyList<string> Roles, IReadOnlyList<string> Groups);

    public async Task HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "user.access", ct, Roles.Administrator);
        // An ID the database could not even compare (NUL, too long) names no account.
        if (!TextRules.Fits(command.UserId, TextLimits.UserId) || !await accounts.ExistsAsync(command.UserId, ct)) throw new NotFoundException("User", command.UserId);
        var roles = (command.Roles ?? []).Distinct().ToList();
        var groups = (command.Groups ?? []).Select(g => (g ?? "").Trim()).Where(g => g.Length > 0).Distinct().ToList();
        var check = new Validation();
        for (var i = 0; i < (command.Groups?.Count ?? 0); i++) check.Text(command.Groups![i]?.Trim(), $"Groups[{i}]", TextLimits.Group);
        check
            .Require(roles.All(r => Authorization.Roles.All.Contains(r)), nameof(command.Roles), $"Roles are {string.Join(", ", Authorization.Roles.All)}.")
            .Require(command.UserId != user.Id || roles.Contains(Authorization.Roles.Administrator), nameof(command.Roles), "You cannot remove your own Administrator role.")
            .ThrowIfInvalid();

        await db.InTransactionAsync(async token =>
        {
            await accounts.SetRolesAsync(command.UserId, roles, token);
            db.GroupMemberships.RemoveRange(await db.GroupMemberships.Where(m => m.UserId == command.UserId).ToListAsync(token));
            foreach (var group in groups) db.GroupMemberships.Add(new UserGroupMembership { UserId = command.UserId, Group = group });
            AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "User", command.UserId, new { roles, groups });
            await db.SaveChangesAsync(token);
        }, ct);
    }
}
