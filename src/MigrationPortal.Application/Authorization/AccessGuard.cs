using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Authorization;

/// <summary>
/// Resource-based authorization, called by every use case before it acts. A denial is audited in its own
/// unit of work (the use case's own changes roll back) and then thrown as <see cref="ForbiddenException"/>.
/// </summary>
public sealed class AccessGuard(IPortalDb db, IPortalDbFactory dbFactory, TimeProvider time)
{
    /// <summary>IDs of the applications this user owns, directly or through a group.</summary>
    public async Task<HashSet<Guid>> OwnedApplicationIdsAsync(PortalUser user, CancellationToken ct)
    {
        var groups = (await GroupsOfAsync(user, ct)).ToList();
        var ids = await db.Applications
            .Where(a => a.Owners.Any(o => (o.Kind == OwnerKind.User && o.Principal == user.Id) || (o.Kind == OwnerKind.Group && groups.Contains(o.Principal))))
            .Select(a => a.Id)
            .ToListAsync(ct);
        return [.. ids];
    }

    /// <summary>Local groups plus the groups the identity provider sent.</summary>
    public async Task<HashSet<string>> GroupsOfAsync(PortalUser user, CancellationToken ct)
    {
        var local = await db.GroupMemberships.Where(m => m.UserId == user.Id).Select(m => m.Group).ToListAsync(ct);
        return [.. user.Groups, .. local];
    }

    public async Task RequireRoleAsync(PortalUser user, string action, CancellationToken ct, params string[] roles)
    {
        if (user.IsInAny(roles)) return;
        await DenyAsync(user, action, null, null, $"This needs the role {string.Join(" or ", roles)}.", ct);
    }

    /// <summary>Requests a user may read: all of them for approvers, operators, administrators and auditors; a requester's own applications' otherwise.</summary>
    public async Task<IQueryable<MigrationRequest>> VisibleRequestsAsync(PortalUser user, CancellationToken ct)
    {
        if (user.SeesEverything) return db.Requests;
        var owned = await OwnedApplicationIdsAsync(user, ct);
        return db.Requests.Where(r => r.RequesterId == user.Id || (r.ApplicationId != null && owned.Contains(r.ApplicationId.Value)));
    }

    public async Task<IQueryable<InventoryVm>> VisibleVmsAsync(PortalUser user, CancellationToken ct)
    {
        if (user.SeesEverything) return db.Vms;
        var owned = await OwnedApplicationIdsAsync(user, ct);
        return db.Vms.Where(v => v.ApplicationId != null && owned.Contains(v.ApplicationId.Value));
    }

    public async Task RequireCanViewAsync(PortalUser user, MigrationRequest request, CancellationToken ct)
    {
        if (user.SeesEverything || request.RequesterId == user.Id) return;
        var owned = await OwnedApplicationIdsAsync(user, ct);
        if (request.ApplicationId is { } app && owned.Contains(app)) return;
        await DenyAsync(user, "request.view", "MigrationRequest", request.Id.ToString(), "This request belongs to an application you do not own.", ct);
    }

    /// <summary>The refusal for another application's VM. It does not name the VM: the caller may not even know it exists.</summary>
    public const string NotYourVm = "This VM is not one of yours: it belongs to an application you do not own.";

    public async Task RequireCanRequestForAsync(PortalUser user, InventoryVm vm, CancellationToken ct)
    {
        if (!user.IsIn(Roles.Requester) && !user.IsIn(Roles.Administrator))
            await DenyAsync(user, "request.submit", "InventoryVm", vm.Id.ToString(), "Only requesters (application owners) may request migrations.", ct);
        if (user.IsIn(Roles.Administrator)) return;
        var owned = await OwnedApplicationIdsAsync(user, ct);
        if (vm.ApplicationId is { } app && owned.Contains(app)) return;
        await DenyAsync(user, "request.submit", "InventoryVm", vm.Id.ToString(), NotYourVm, ct);
    }

    /// <summary>Audits the denial in a separate unit of work, then throws.</summary>
    public async Task DenyAsync(PortalUser user, string action, string? entityType, string? entityId, string reason, CancellationToken ct)
    {
        await using var own = await dbFactory.CreateAsync(ct);
        AuditLog.Record(own, time.GetUtcNow(), user.AsActor(), AuditActions.AccessDenied, entityType, entityId, new { attempted = action, reason });
        await own.SaveChangesAsync(ct);
        throw new ForbiddenException(reason);
    }
}
