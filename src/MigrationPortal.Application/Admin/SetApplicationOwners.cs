using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Admin;

/// <summary>An administrator sets an application's environment, criticality and owners (users and groups).</summary>
public sealed class SetApplicationOwners(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public sealed record Owner(OwnerKind Kind, string Principal);

    public sealed record Command(Guid ApplicationId, string? Environment, string? Criticality, IReadOnlyList<Owner> Owners);

    public async Task HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "application.edit", ct, Roles.Administrator);
        var app = await db.Applications.Include(a => a.Owners).FirstOrDefaultAsync(a => a.Id == command.ApplicationId, ct)
            ?? throw new NotFoundException("Application", command.ApplicationId);
        var check = new Validation()
            .Text(command.Environment, nameof(command.Environment), TextLimits.Environment)
            .Text(command.Criticality, nameof(command.Criticality), TextLimits.Criticality);
        for (var i = 0; i < command.Owners.Count; i++)
        {
            check.Text(command.Owners[i].Principal, $"Owners[{i}].Principal", TextLimits.Principal, "Name the user or group.")
                .Defined<OwnerKind>(command.Owners[i].Kind, $"Owners[{i}].Kind");
        }
        check.ThrowIfInvalid();

        app.Environment = string.IsNullOrWhiteSpace(command.Environment) ? null : command.Environment.Trim();
        app.Criticality = string.IsNullOrWhiteSpace(command.Criticality) ? null : command.Criticality.Trim();
        foreach (var old in app.Owners.ToList()) app.RemoveOwner(old.Kind, old.Principal);
        foreach (var owner in command.Owners) app.AddOwner(owner.Kind, owner.Principal.Trim());
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "Application", app.Id.ToString(),
            new { application = app.Name, app.Environment, app.Criticality, owners = command.Owners });
        await db.SaveChangesAsync(ct);
    }
}
