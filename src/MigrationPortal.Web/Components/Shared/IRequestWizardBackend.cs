using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;

namespace MigrationPortal.Web.Components.Shared;

/// <summary>What the request wizard needs from the server. The page implements it with the use cases; component tests with a fake.</summary>
public interface IRequestWizardBackend
{
    Task<IReadOnlyList<VmView>> ListVmsAsync(string? search);

    Task<TargetOptions> ListTargetsAsync(Guid vmId);

    /// <summary>
    /// Where each chosen VM can go, for the target table's rows. The default asks <see cref="ListTargetsAsync"/> per VM, which
    /// knows no mounts: every datastore is then taken as mounted on every host (the page's backend asks the inventory instead).
    /// </summary>
    async Task<IReadOnlyList<VmTargetChoices>> ListPlacementsAsync(IReadOnlyList<Guid> vmIds)
    {
        const string current = "(current host)";
        var result = new List<VmTargetChoices>();
        foreach (var id in vmIds)
        {
            var t = await ListTargetsAsync(id);
            var hostIds = t.Hosts.Select(h => h.ExternalId).Append(current).ToList();
            result.Add(new VmTargetChoices(t.VmId, t.VmName, t.Hosts.FirstOrDefault(h => h.SameCluster)?.ClusterName, current, t.CurrentHost,
                t.CurrentDatastores.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                t.Hosts.Select(h => new PlacementHost(h.ExternalId, h.Name, h.ClusterName, h.SameCluster, false, h.Usable, h.Note, h.FreeMemoryMb, true)).ToList(),
                t.Datastores.Select(d => new PlacementDatastore(d.ExternalId, d.Name, d.FreeGb, d.NeededGb, d.HasRoom, d.IsCurrent, hostIds)).ToList()));
        }

        return result;
    }

    /// <summary>
    /// The maintenance windows (and blackouts) that cover a VM moving to that host, for the schedule step. A conversion's host is
    /// on another connection (<paramref name="targetConnectionId"/>), whose windows count as much as the source's.
    /// </summary>
    Task<CalendarPeriods> ListWindowsAsync(Guid vmId, string? targetHostId, Guid? targetConnectionId);

    Task<RequestPreview> PreviewAsync(SubmitRequest.Command command);

    /// <summary>Submits one request, or a batch when several VMs move together; returns the ID to open: the request's, or the batch's.</summary>
    Task<Guid> SubmitAsync(IReadOnlyList<SubmitRequest.Command> commands, string batchName);
}
