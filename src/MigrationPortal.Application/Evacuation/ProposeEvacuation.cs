using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Evacuation;

/// <summary>
/// "Prepare host for maintenance": proposes a target for every VM on a host. Targets are hosts of the same connection that
/// are connected, powered on and not in maintenance. A compute-only move goes only to a host that mounts all of the VM's
/// datastores; otherwise the VM moves with its storage to a datastore the target mounts. Among the targets with room it
/// prefers a compute-only move, then the VM's own cluster, then the most free memory, counting what other requests already
/// promised the host and what the proposal has placed there, so the load spreads. Largest VMs are placed first, so they still find room.
/// </summary>
public sealed class ProposeEvacuation(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public async Task<EvacuationProposal> HandleAsync(PortalUser user, Guid hostId, CancellationToken ct = default)
    {
        var host = await db.Hosts.AsNoTracking().FirstOrDefaultAsync(h => h.Id == hostId, ct) ?? throw new NotFoundException("Host", hostId);
        await guard.RequireRoleAsync(user, "host.evacuate", ct, Roles.Operator, Roles.Administrator);
        var connection = await db.Connections.AsNoTracking().FirstAsync(c => c.Id == host.ConnectionId, ct);
        var vms = await HostPlacement.VmsOnAsync(db, host, ct);

        var vmIds = vms.Select(v => v.Id).ToList();
        var active = SubmitRequestActiveStates();
        var inFlight = await db.Requests.AsNoTracking().Where(r => vmIds.Contains(r.VmId) && active.Contains(r.State))
            .Select(r => new EvacuationInFlight(r.VmId, r.VmName, r.Id, r.State, r.Target.HostName)).ToListAsync(ct);

        var emptying = await HostPlacement.BeingEmptiedAsync(db, host.ConnectionId, ct);
        var targets = (await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == host.ConnectionId && h.Id != host.Id).ToListAsync(ct))
            .Where(h => HostPlacement.CanTakeVms(h) && !emptying.Contains(h.ExternalId)).OrderBy(h => h.Name).ToList();
        var stores = await db.Datastores.AsNoTracking().Where(d => d.ConnectionId == host.ConnectionId).ToListAsync(ct);

        var committed = await HostPlacement.CommittedMbAsync(db, host.ConnectionId, ct);
        var free = targets.ToDictionary(h => h.ExternalId, h => h.MemoryMb - h.MemoryUsedMb - committed.GetValueOrDefault(h.ExternalId));
        var rules = await Rules.RuleAwarePlacement.LoadAsync(db, host, vms, committed, ct);
        var memory = targets.ToDictionary(h => h.ExternalId, _ => 0L);
        var disk = stores.ToDictionary(d => d.ExternalId, _ => 0L);
        var moves = new Dictionary<Guid, EvacuationMove>();
        foreach (var vm in vms.Where(v => inFlight.All(f => f.VmId != v.Id)).OrderByDescending(v => v.MemoryMb).ThenBy(v => v.Name))
        {
            var choices = targets.Select(t => ChoiceFor(vm, t, stores, disk)).OfType<EvacuationChoice>().ToList();
            var proposed = choices
                .Where(c => free[c.TargetHostId] - memory[c.TargetHostId] >= vm.MemoryMb && rules.Allows(vm, c.TargetHostId, memory[c.TargetHostId]))
                .OrderBy(c => rules.ShouldBreaks(vm, c.TargetHostId))
                .ThenByDescending(c => c.Kind == MigrationKind.Compute)
                .ThenByDescending(c => c.SameCluster)
                .ThenByDescending(c => free[c.TargetHostId] - memory[c.TargetHostId])
                .ThenBy(c => c.TargetHostName)
                .FirstOrDefault();
            string? note = null;
            if (proposed is null)
            {
                note = choices.Count == 0
                    ? "No compatible host: none can reach this VM's storage, and no datastore it mounts has room for the VM's disks."
                    : rules.WhyNone(vm) ?? $"No compatible host has {vm.MemoryMb} MB of memory free.";
            }
            else
            {
                memory[proposed.TargetHostId] += vm.MemoryMb;
                rules.Place(vm, proposed.TargetHostId);
                if (proposed.TargetDatastoreId is { } ds) disk[ds] += vm.ProvisionedGb;
            }

            moves[vm.Id] = new EvacuationMove(vm.Id, vm.Name, vm.PowerState, vm.MemoryMb, vm.ProvisionedGb, vm.Datastores, vm.PowerState == PowerState.On,
                proposed, Offered(choices, proposed, c => free[c.TargetHostId] - memory[c.TargetHostId]), note);
        }

        // The targets table lists the hosts some VM may go to (its choices), not every host of a 200-host vCenter.
        var offered = moves.Values.SelectMany(m => m.Choices).Select(c => c.TargetHostId).ToHashSet();
        targets = targets.Where(t => offered.Contains(t.ExternalId)).ToList();

        return new EvacuationProposal(
            ListHosts.ToSummary(host, connection.Name, connection.IsDemo, vms.Count),
            vms.Where(v => moves.ContainsKey(v.Id)).Select(v => moves[v.Id]).ToList(),
            targets.Select(t => new EvacuationTarget(t.ExternalId, t.Name, t.ClusterName, t.MemoryMb, t.MemoryUsedMb, memory[t.ExternalId],
                committed.GetValueOrDefault(t.ExternalId))).ToList(),
            inFlight,
            await WindowsCoveringAsync(vms.Where(v => moves.ContainsKey(v.Id)), ct));
    }

    /// <summary>
    /// The enabled windows and blackouts that cover any VM to be moved, from where it is (the schedule step's choices; the
    /// submission checks each VM against its own, target included).
    /// </summary>
    private async Task<Scheduling.CalendarPeriods> WindowsCoveringAsync(IEnumerable<InventoryVm> vms, CancellationToken ct)
    {
        var placements = vms.Select(v => Scheduling.StartPlanner.PlacementOf(v, (string?)null)).ToList();
        var now = time.GetUtcNow();
        var windows = await db.MaintenanceWindows.AsNoTracking().Where(w => w.Enabled).OrderBy(w => w.Name).ToListAsync(ct);
        var blackouts = await db.Blackouts.AsNoTracking().Where(b => b.Enabled).OrderBy(b => b.Name).ToListAsync(ct);
        return new Scheduling.CalendarPeriods(
            windows.Where(w => placements.Any(w.Covers)).Select(w => Scheduling.CalendarPeriodView.Of(w, now)).ToList(),
            blackouts.Where(b => placements.Any(b.Covers)).Select(b => Scheduling.CalendarPeriodView.Of(b, now)).ToList());
    }

    /// <summary>How this VM could move to this host, or null when it cannot: compute only if the host mounts its datastores, else with its disks.</summary>
    internal static EvacuationChoice? ChoiceFor(InventoryVm vm, InventoryHost target, IReadOnlyList<InventoryDatastore> stores, IReadOnlyDictionary<string, long> diskAssigned)
    {
        var sameCluster = target.ClusterName is not null && target.ClusterName == vm.ClusterName;
        if (HostPlacement.MountsAll(vm, target, stores))
            return new EvacuationChoice(target.ExternalId, target.Name, target.ClusterName, sameCluster, MigrationKind.Compute, null, null);
        var store = stores
            .Where(d => d.Accessible && HostPlacement.MountedOn(d, target) && d.FreeGb - diskAssigned.GetValueOrDefault(d.ExternalId) >= vm.ProvisionedGb)
            .OrderByDescending(d => d.FreeGb - diskAssigned.GetValueOrDefault(d.ExternalId)).ThenBy(d => d.Name)
            .FirstOrDefault();
        return store is null ? null : new EvacuationChoice(target.ExternalId, target.Name, target.ClusterName, sameCluster, MigrationKind.ComputeAndStorage, store.ExternalId, store.Name);
    }

    /// <summary>Choices from other clusters offered beside every compatible host of the VM's own cluster.</summary>
    public const int OtherClusterChoices = 5;

    /// <summary>
    /// The choices a VM's row offers: every compatible host of its own cluster (where vCenter's DRS and HA expect it), the
    /// <see cref="OtherClusterChoices"/> other hosts with the most memory left, and the proposed one. At 200 hosts, offering
    /// all of them made 10,000 choices on a 50-VM host page and a select no one could scan.
    /// </summary>
    internal static IReadOnlyList<EvacuationChoice> Offered(IReadOnlyList<EvacuationChoice> choices, EvacuationChoice? proposed, Func<EvacuationChoice, long> roomMb) =>
        choices.Where(c => c.SameCluster)
            .Concat(choices.Where(c => !c.SameCluster).OrderByDescending(roomMb).ThenBy(c => c.TargetHostName).Take(OtherClusterChoices))
            .Concat(proposed is null ? [] : [proposed])
            .DistinctBy(c => c.TargetHostId)
            .OrderByDescending(c => c.SameCluster).ThenBy(c => c.TargetHostName).ToList();

    internal static RequestState[] SubmitRequestActiveStates() => RequestTransitions.Active.ToArray();
}
