using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Requests;

public sealed record HostOption(string ExternalId, string Name, string? ClusterName, bool SameCluster, bool Usable, string? Note, long FreeMemoryMb);

public sealed record DatastoreOption(string ExternalId, string Name, long FreeGb, long NeededGb, bool HasRoom, bool IsCurrent);

public sealed record TargetOptions(Guid VmId, string VmName, string? CurrentHost, string CurrentDatastores, IReadOnlyList<HostOption> Hosts, IReadOnlyList<DatastoreOption> Datastores);

/// <summary>
/// Compatible targets for a VM, as the wizard offers them: hosts of the same cluster first, unusable hosts (maintenance,
/// disconnected) shown but marked; datastores with their free space against what the VM needs.
/// </summary>
public sealed class ListTargets(IPortalDb db, AccessGuard guard)
{
    public async Task<TargetOptions> HandleAsync(PortalUser user, Guid vmId, CancellationToken ct = default)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == vmId, ct) ?? throw new NotFoundException("VM", vmId);
        await guard.RequireCanRequestForAsync(user, vm, ct);
        var hosts = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == vm.ConnectionId && h.ExternalId != vm.HostExternalId).ToListAsync(ct);
        var stores = await db.Datastores.AsNoTracking().Where(d => d.ConnectionId == vm.ConnectionId).ToListAsync(ct);
        var current = vm.Datastores.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return new TargetOptions(vm.Id, vm.Name, vm.HostName, vm.Datastores,
            hosts.Select(h =>
                {
                    var note = h.InMaintenance ? "in maintenance mode" : h.ConnectionState != "connected" ? h.ConnectionState : h.PowerState != PowerState.On ? $"power {h.PowerState}" : null;
                    return new HostOption(h.ExternalId, h.Name, h.ClusterName, h.ClusterName == vm.ClusterName, note is null, note, h.MemoryMb - h.MemoryUsedMb);
                })
                .OrderByDescending(h => h.SameCluster).ThenByDescending(h => h.Usable).ThenByDescending(h => h.FreeMemoryMb).ThenBy(h => h.Name).ToList(),
            stores.Select(d => new DatastoreOption(d.ExternalId, d.Name, d.FreeGb, vm.ProvisionedGb, d.Accessible && d.FreeGb >= vm.ProvisionedGb, current.Contains(d.Name)))
                .OrderByDescending(d => d.HasRoom).ThenByDescending(d => d.FreeGb).ToList());
    }
}
