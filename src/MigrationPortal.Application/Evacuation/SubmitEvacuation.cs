using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Evacuation;

/// <summary>
/// An Operator submits a host's evacuation, as proposed or as they edited it, as one batch. It goes through the approval
/// policy and the schedule like any batch. The edited plan is checked again here, whatever the browser sent: every VM must
/// be on the host, every target must be able to take VMs and reach the VM's storage, and no target may be promised more
/// memory than it has free.
/// </summary>
public sealed class SubmitEvacuation(IPortalDb db, AccessGuard guard, SubmitBatch submitBatch, TimeProvider time)
{
    public sealed record Move(Guid VmId, string TargetHostId, MigrationKind Kind = MigrationKind.Compute, string? TargetDatastoreId = null);

    /// <param name="WindowId">With <see cref="ScheduleMode.ChosenWindow"/>: the window every move runs in.</param>
    public sealed record Command(string Justification, IReadOnlyList<Move> Moves, ScheduleMode ScheduleMode = ScheduleMode.AsSoonAsApproved,
        DateTimeOffset? NotBefore = null, bool TakeSnapshot = false, bool RequireEncryption = true, Guid? WindowId = null);

    public async Task<BatchView> HandleAsync(PortalUser user, Guid hostId, Command command, CancellationToken ct = default)
    {
        var host = await db.Hosts.AsNoTracking().FirstOrDefaultAsync(h => h.Id == hostId, ct) ?? throw new NotFoundException("Host", hostId);
        await guard.RequireRoleAsync(user, "host.evacuate", ct, Roles.Operator, Roles.Administrator);

        var moves = command.Moves ?? [];
        var check = new Validation()
            .Require(moves.Count > 0, nameof(command.Moves), "Keep at least one VM in the evacuation.")
            .Require(moves.Select(m => m.VmId).Distinct().Count() == moves.Count, nameof(command.Moves), "Each VM may appear once.")
            .Text(command.Justification, nameof(command.Justification), TextLimits.Justification)
            .Defined<ScheduleMode>(command.ScheduleMode, nameof(command.ScheduleMode));
        for (var i = 0; i < moves.Count; i++)
        {
            check.Text(moves[i].TargetHostId, $"Moves[{i}].TargetHostId", TextLimits.ExternalId)
                .Text(moves[i].TargetDatastoreId, $"Moves[{i}].TargetDatastoreId", TextLimits.ExternalId);
        }
        var onHost = (await HostPlacement.VmsOnAsync(db, host, ct)).ToDictionary(v => v.Id);
        var targets = await db.Hosts.AsNoTracking().Where(h => h.ConnectionId == host.ConnectionId).ToListAsync(ct);
        var stores = await db.Datastores.AsNoTracking().Where(d => d.ConnectionId == host.ConnectionId).ToListAsync(ct);
        var emptying = await HostPlacement.BeingEmptiedAsync(db, host.ConnectionId, ct);
        var promised = new Dictionary<string, long>();
        // Each move's target by its hypervisor ID, whichever form it was sent in (the batch and the capacity check below use that).
        var targetIds = new string?[moves.Count];
        for (var i = 0; i < moves.Count; i++)
        {
            var move = moves[i];
            if (!onHost.TryGetValue(move.VmId, out var vm))
            {
                check.Add($"Moves[{i}].VmId", $"That VM is not on host {host.Name}.");
                continue;
            }

            // The hypervisor ID or the portal ID, as /api/v1/hosts lists both; one text naming two hosts is ambiguous.
            var portalId = Guid.TryParse(move.TargetHostId, out var parsed) ? parsed : (Guid?)null;
            var named = targets.Where(t => t.ExternalId == move.TargetHostId || t.Id == portalId).ToList();
            if (named.Count > 1)
            {
                // The other form of each one's ID is unique: the hypervisor ID of the host whose portal ID it is, and the reverse.
                var choices = named.Select(t => t.Id == portalId ? $"for {t.Name} send its hypervisor ID '{t.ExternalId}'" : $"for {t.Name} send its portal ID '{t.Id}'");
                check.Add($"Moves[{i}].TargetHostId",
                    $"That ID names two hosts of this connection, the portal ID of one and the hypervisor ID of the other: {string.Join("; ", choices)}.");
                continue;
            }

            var target = named.SingleOrDefault();
            if (target is null || target.Id == host.Id)
            {
                check.Add($"Moves[{i}].TargetHostId", target is null ? "That host is not in this connection's inventory." : "Choose a host other than the one being emptied.");
                continue;
            }

            targetIds[i] = target.ExternalId;

            if (!HostPlacement.CanTakeVms(target))
            {
                check.Add($"Moves[{i}].TargetHostId", $"Host {target.Name} cannot take VMs now (it is {(target.InMaintenance ? "in maintenance" : $"{target.ConnectionState}, power {target.PowerState}")}).");
                continue;
            }

            if (emptying.Contains(target.ExternalId))
            {
                check.Add($"Moves[{i}].TargetHostId", $"Host {target.Name} is itself being emptied for maintenance.");
                continue;
            }

            if (move.Kind == MigrationKind.Compute && !HostPlacement.MountsAll(vm, target, stores))
                check.Add($"Moves[{i}].TargetHostId", $"Host {target.Name} does not mount all of {vm.Name}'s datastores; move it with its storage.");
            else if (move.Kind is not (MigrationKind.Compute or MigrationKind.ComputeAndStorage))
                check.Add($"Moves[{i}].Kind", "An evacuation moves compute, or compute and storage.");
            promised[target.ExternalId] = promised.GetValueOrDefault(target.ExternalId) + vm.MemoryMb;
        }

        var committed = await HostPlacement.CommittedMbAsync(db, host.ConnectionId, ct);
        foreach (var (targetId, mb) in promised)
        {
            var t = targets.First(x => x.ExternalId == targetId);
            var free = t.MemoryMb - t.MemoryUsedMb - committed.GetValueOrDefault(targetId);
            if (mb <= free) continue;
            for (var i = 0; i < moves.Count; i++)
                if (targetIds[i] == targetId)
                    check.Add($"Moves[{i}].TargetHostId", $"Host {t.Name} has {free} MB free, and this plan puts {mb} MB on it.");
        }

        check.ThrowIfInvalid();

        var items = moves.Select((m, i) => new SubmitBatch.Item(m.VmId, m.Kind, onHost[m.VmId].PowerState == PowerState.On, targetIds[i],
            m.Kind == MigrationKind.ComputeAndStorage ? m.TargetDatastoreId : null)).ToList();
        // Recorded in the batch's own transaction: if the batch is refused, this record goes with it.
        AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.HostEvacuationSubmitted, "InventoryHost", host.Id.ToString(),
            new { host = host.Name, vms = moves.Count, justification = command.Justification });
        try
        {
            return await submitBatch.HandleAsync(user, new SubmitBatch.Command($"Evacuate {host.Name}", command.Justification, items,
                command.ScheduleMode, command.NotBefore, command.TakeSnapshot, command.RequireEncryption, command.WindowId), ct, SubmissionAuthority.HostEvacuation);
        }
        catch (ValidationFailedException e)
        {
            // The batch names its items "Items[i]"; this command calls them "Moves[i]".
            db.DiscardChanges();
            throw new ValidationFailedException(e.Errors.ToDictionary(x => x.Key.StartsWith("Items[", StringComparison.Ordinal) ? "Moves[" + x.Key["Items[".Length..] : x.Key, x => x.Value));
        }
    }
}
