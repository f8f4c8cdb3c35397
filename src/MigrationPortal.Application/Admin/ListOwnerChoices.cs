using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Admin;

/// <summary>The users and groups an application's owner picker offers, by name. Administrators only.</summary>
public sealed class ListOwnerChoices(AccessGuard guard, ApplicationOwners owners)
{
    public async Task<IReadOnlyList<OwnerView>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "application.owners", ct, Roles.Administrator);
        return await owners.ChoicesAsync(ct);
    }
}
