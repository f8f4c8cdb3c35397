using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// An administrator maps a VM to an application by hand, for VMs the hypervisor does not tag. A hypervisor tag, where
/// present, wins at the next inventory sync (the hypervisor is the source of truth for tagged VMs), so the use case refuses
/// to override a tagged VM and says why.
/// </summary>
public sealed class AssignVmApplication(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public sealed record Command(Guid VmId, Guid? ApplicationId);

    public async Task HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "vm.assign-application", ct, Roles.Administrator);
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == command.VmId, ct) ?? throw new NotFoundException("VM", command.VmId);
        var check = new Validation();
        check.Require(string.IsNullOrWhiteSpace(vm.ApplicationTag), nameof(command.ApplicationId),
            $"VM '{vm.Name}' is tagged '{vm.ApplicationTag}' in the hypervisor; change the tag there, or the next sync would undo this.");
        string? appName = null;
        if (command.ApplicationId is { } appId)
        {
            appName = await db.Applications.Where(a => a.Id == appId).Select(a => a.Name).FirstOrDefaultAsync(ct);
            check.Require(appName is not null, nameof(command.ApplicationId), "That application does not exist.");
        }

        check.ThrowIfInvalid();
        var before = vm.ApplicationId;
        vm.ApplicationId = command.ApplicationId;
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "InventoryVm", vm.Id.ToString(),
            new { change = "application assigned", vm = vm.Name, application = appName, previousApplicationId = before }, vmName: vm.Name);
        await db.SaveChangesAsync(ct);
    }
}
