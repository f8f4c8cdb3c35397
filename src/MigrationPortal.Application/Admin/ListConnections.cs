using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Application.Admin;

/// <summary>Connections, without their secrets. Administrators, operators and auditors may read them.</summary>
public sealed class ListConnections(IPortalDb db, AccessGuard guard)
{
    public async Task<IReadOnlyList<ConnectionView>> HandleAsync(PortalUser user, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "connection.list", ct, Roles.Administrator, Roles.Operator, Roles.Auditor);
        var rows = await db.Connections.AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct);
        return rows.Select(ConnectionView.From).ToList();
    }
}
