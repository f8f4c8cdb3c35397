using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// An administrator creates an application, so VMs can be mapped to it and its owners can ask for moves (with the demo off
/// and no tags on the VMs, nothing else creates one). Two of one name: the unique index decides, 409.
/// </summary>
public sealed class CreateApplication(IPortalDb db, AccessGuard guard, TimeProvider time, ApplicationOwners owners)
{
    public sealed record Command(string? Name, string? Environment = null, string? Criticality = null, IReadOnlyList<SetApplicationOwners.Owner?>? Owners = null);

    public async Task<ApplicationView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "application.create", ct, Roles.Administrator);
        var check = new Validation()
            .Text(command.Name, nameof(command.Name), TextLimits.Name, "Name the application.")
            .Text(command.Environment, nameof(command.Environment), TextLimits.Environment)
            .Text(command.Criticality, nameof(command.Criticality), TextLimits.Criticality);
        var chosen = await owners.CheckAsync(command.Owners, check, ct);
        check.ThrowIfInvalid();

        var app = new Domain.Inventory.Application(command.Name!.Trim(),
            string.IsNullOrWhiteSpace(command.Environment) ? null : command.Environment.Trim(),
            string.IsNullOrWhiteSpace(command.Criticality) ? null : command.Criticality.Trim());
        foreach (var owner in chosen) app.AddOwner(owner.Kind, owner.Principal);
        db.Applications.Add(app);
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "Application", app.Id.ToString(),
            new { change = "created", application = app.Name, app.Environment, app.Criticality, owners = chosen });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (UniqueConstraintException)
        {
            throw new ConflictException($"An application called '{app.Name}' already exists; choose another name.");
        }

        var names = await owners.NamesAsync(ct);
        return new ApplicationView(app.Id, app.Name, app.Environment, app.Criticality, chosen.Select(o => names(o.Kind, o.Principal)).ToList(), 0);
    }
}
