using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// An administrator edits an application: its name (optional, null keeps it), environment, criticality and owners (known
/// users and groups, <see cref="ApplicationOwners"/>). A name another application has is refused by the unique index: 409.
/// </summary>
public sealed class SetApplicationOwners(IPortalDb db, AccessGuard guard, TimeProvider time, ApplicationOwners owners)
{
    public sealed record Owner(OwnerKind Kind, string Principal);

    public sealed record Command(Guid ApplicationId, string? Environment, string? Criticality, IReadOnlyList<Owner?>? Owners, string? Name = null);

    public async Task HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "application.edit", ct, Roles.Administrator);
        var app = await db.Applications.Include(a => a.Owners).FirstOrDefaultAsync(a => a.Id == command.ApplicationId, ct)
            ?? throw new NotFoundException("Application", command.ApplicationId);
        var check = new Validation()
            .Text(command.Environment, nameof(command.Environment), TextLimits.Environment)
            .Text(command.Criticality, nameof(command.Criticality), TextLimits.Criticality);
        if (command.Name is not null) check.Text(command.Name, nameof(command.Name), TextLimits.Name, "Name the application.");
        var chosen = await owners.CheckAsync(command.Owners, check, ct);
        check.ThrowIfInvalid();

        var oldName = app.Name;
        if (command.Name is not null) app.Name = command.Name.Trim();
        app.Environment = string.IsNullOrWhiteSpace(command.Environment) ? null : command.Environment.Trim();
        app.Criticality = string.IsNullOrWhiteSpace(command.Criticality) ? null : command.Criticality.Trim();
        foreach (var old in app.Owners.ToList()) app.RemoveOwner(old.Kind, old.Principal);
        foreach (var owner in chosen) app.AddOwner(owner.Kind, owner.Principal);
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "Application", app.Id.ToString(),
            new { application = app.Name, renamedFrom = oldName == app.Name ? null : oldName, app.Environment, app.Criticality, owners = chosen });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (UniqueConstraintException)
        {
            throw new ConflictException($"Another application is already called '{app.Name}'; choose another name.");
        }
    }
}
