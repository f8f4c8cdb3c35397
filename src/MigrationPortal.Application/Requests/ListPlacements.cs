using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Requests;

/// <param name="IsCurrent">The VM runs there now.</param>
/// <param name="MountsVmStorage">The host mounts every datastore the VM's disks are on, so a compute-only move can land there.</param>
public sealed record PlacementHost(string ExternalId, string Name, string? ClusterName, bool SameCluster, bool IsCurrent, bool Usable, string? Note,
    long FreeMemoryMb, bool MountsVmStorage);

/// <param name="MountedOn">External IDs of the hosts that mount it: a datastore is offered only beside a host that mounts it.</param>
public sealed record PlacementDatastore(string ExternalId, string Name, long FreeGb, long NeededGb, bool HasRoom, bool IsCurrent, IReadOnlyList<string> MountedOn);

/// <summary>
/// Where one VM of a batch can go, as a mapping-table row offers it (MTV, HCX): every host of its connection (its own
/// cluster first, the current one marked), every datastore with the hosts that mount it, and the proposal for each kind.
/// </summary>
public sealed record VmTargetChoices(Guid VmId, string VmName, string? ClusterName, string? CurrentHostId, string? CurrentHostName,
    IReadOnlyList<string> CurrentDatastores, IReadOnlyList<PlacementHost> Hosts, IReadOnlyList<PlacementDatastore> Datastores)
{
    public PlacementHost? Host(string? id) => id is null ? null : Hosts.FirstOrDefault(h => h.ExternalId == id);

    public PlacementDatastore? Datastore(string? id) => id is null ? null : Datastores.FirstOrDefault(d => d.ExternalId == id);

    /// <summary>
    /// The datastores a move of this kind may put the disks on: those the host that will run the VM mounts (the chosen
    /// host when compute moves too, else the current one). Without mount facts for the host, none is offered rather than a guess.
    /// </summary>
    public IReadOnlyList<PlacementDatastore> DatastoresFor(MigrationKind kind, string? targetHostId)
    {
        var runsOn = kind.MovesCompute() ? targetHostId : CurrentHostId;
        return runsOn is null ? [] : Datastores.Where(d => d.MountedOn.Contains(runsOn)).ToList();
    }

    /// <summary>Why this host cannot take the VM in a move of this kind, or null when it can (the current host has its own notice).</summary>
    public string? HostProblem(MigrationKind kind, string? hostId)
    {
        if (Host(hostId) is not { } host) return hostId is null ? null : "That host is not in this VM's inventory.";
        if (!host.Usable) return $"{host.Name} cannot take VMs: {host.Note}.";
        if (kind == MigrationKind.Compute && !host.IsCurrent && !host.MountsVmStorage)
            return $"{host.Name} does not mount this VM's datastore{(CurrentDatastores.Count == 1 ? "" : "s")} {string.Join(", ", CurrentDatastores)}; move compute and storage instead.";
        return null;
    }

    /// <summary>The proposal for a move of this kind: a usable host of the VM's own cluster with the most free memory that can take it.</summary>
    public string? ProposeHost(MigrationKind kind) => kind.MovesCompute()
        ? Hosts.Where(h => !h.IsCurrent && h.SameCluster && HostProblem(kind, h.ExternalId) is null).OrderByDescending(h => h.FreeMemoryMb).ThenBy(h => h.Name)
            .Select(h => h.ExternalId).FirstOrDefault()
        : null;

    /// <summary>The proposal for the disks: a datastore the running host mounts, with room, not already holding them, most free space first.</summary>
    public string? ProposeDatastore(MigrationKind kind, string? targetHostId) => kind.MovesStorage()
        ? DatastoresFor(kind, targetHostId).Where(d => d.HasRoom && !d.IsCurrent).OrderByDescending(d => d.FreeGb).ThenBy(d => d.Name)
            .Select(d => d.ExternalId).FirstOrDefault()
        : null;
}

/// <summary>
/// The wizard's per-VM target table: for each VM the user may request a move for, where it can go. Each VM is checked
/// like <see cref="ListTargets"/> (404 unknown, 403 not the user's); the hosts and datastores come from the inventory, so
/// no hypervisor is called.
/// </summary>
public sealed class ListPlacements(IPortalDb db, AccessGuard guard)
{
    public const int MaxVms = 200;

    public async Task<IReadOnlyList<VmTargetChoices>> HandleAsync(PortalUser user, IReadOnlyList<Guid> vmIds, CancellationToken ct = default)
    {
        new Validation()
            .Require(vmIds is { Count: > 0 and <= MaxVms }, nameof(vmIds), $"Choose between 1 and {MaxVms} VMs.")
            .ThrowIfInvalid();
        var ids = vmIds.Distinct().ToList();
        var vms = await db.Vms.AsNoTracking().Where(v => ids.Contains(v.Id)).ToListAsync(ct);
        if (ids.Where(id => vms.All(v => v.Id != id)).Select(id => (Guid?)id).FirstOrDefault() is { } missing) throw new NotFoundException("VM", missing);
        foreach (var vm in vms) await guard.RequireCanRequestForAsync(user, vm, ct);

        var connections = vms.Select(v => v.ConnectionId).Distinct().ToList();
        var hosts = await db.Hosts.AsNoTracking().Where(h => connections.Contains(h.ConnectionId)).ToListAsync(ct);
        var stores = await db.Datastores.AsNoTracking().Where(d => connections.Contains(d.ConnectionId)).ToListAsync(ct);
        return ids.Select(id => vms.First(v => v.Id == id)).Select(vm => Placement(vm,
            hosts.Where(h => h.ConnectionId == vm.ConnectionId).ToList(), stores.Where(d => d.ConnectionId == vm.ConnectionId).ToList())).ToList();
    }

    private static VmTargetChoices Placement(InventoryVm vm, IReadOnlyList<InventoryHost> hosts, IReadOnlyList<InventoryDatastore> stores)
    {
        var current = vm.Datastores.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var hostOptions = hosts.Select(h =>
        {
            var note = h.InMaintenance ? "in maintenance mode" : h.ConnectionState != "connected" ? h.ConnectionState : h.PowerState != PowerState.On ? $"power {h.PowerState}" : null;
            return new PlacementHost(h.ExternalId, h.Name, h.ClusterName, h.ClusterName == vm.ClusterName, h.ExternalId == vm.HostExternalId, note is null, note,
                h.MemoryMb - h.MemoryUsedMb, HostPlacement.MountsAll(vm, h, stores));
        }).OrderByDescending(h => h.SameCluster).ThenByDescending(h => h.Usable).ThenByDescending(h => h.FreeMemoryMb).ThenBy(h => h.Name).ToList();
        var storeOptions = stores.Select(d => new PlacementDatastore(d.ExternalId, d.Name, d.FreeGb, vm.ProvisionedGb, d.Accessible && d.FreeGb >= vm.ProvisionedGb,
                current.Contains(d.Name), hosts.Where(h => HostPlacement.MountedOn(d, h)).Select(h => h.ExternalId).ToList()))
            .OrderByDescending(d => d.HasRoom).ThenByDescending(d => d.FreeGb).ThenBy(d => d.Name).ToList();
        return new VmTargetChoices(vm.Id, vm.Name, vm.ClusterName, vm.HostExternalId, vm.HostName, current, hostOptions, storeOptions);
    }
}
