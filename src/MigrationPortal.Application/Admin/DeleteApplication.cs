using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// An administrator deletes an application. One that VMs are mapped to, or that a request still in progress names, is
/// refused (409, with the counts): unmapping silently would take the VMs away from their owners mid-flight. Finished requests
/// keep their own copy of the application's name, so deleting it rewrites no history.
/// </summary>
public sealed class DeleteApplication(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task HandleAsync(PortalUser user, Guid id, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "application.delete", ct, Roles.Administrator);
        var app = await db.Applications.Include(a => a.Owners).FirstOrDefaultAsync(a => a.Id == id, ct) ?? throw new NotFoundException("Application", id);
        var vms = await db.Vms.CountAsync(v => v.ApplicationId == id, ct);
        var active = RequestLoading.ActiveStates;
        var requests = await db.Requests.CountAsync(r => r.ApplicationId == id && active.Contains(r.State), ct);
        if (vms > 0 || requests > 0)
        {
            var what = string.Join(" and ", new[] { vms > 0 ? $"{vms} VM(s) are mapped to it" : null, requests > 0 ? $"{requests} request(s) in progress name it" : null }.OfType<string>());
            throw new ConflictException($"The application '{app.Name}' cannot be deleted: {what}. Map its VMs to another application (Inventory) and let its requests finish first.");
        }

        db.Applications.Remove(app);
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "Application", app.Id.ToString(),
            new { change = "deleted", application = app.Name, app.Environment, app.Criticality, owners = app.Owners.Select(o => new { kind = o.Kind.ToString(), o.Principal }) });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"The application '{app.Name}' was changed or deleted by someone else; reload the list.");
        }
    }
}
