using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Admin;

/// <summary>Local accounts with their roles and groups. Administrators only.</summary>
public sealed class ListUsers(IAccountDirectory accounts, AccessGuard guard)
{
    public async Task<IReadOnlyList<AccountView>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "user.list", ct, Roles.Administrator);
        return await accounts.ListAsync(ct);
    }
}
