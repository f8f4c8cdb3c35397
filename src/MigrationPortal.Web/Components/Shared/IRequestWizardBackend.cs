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
    /// The maintenance windows (and blackouts) that cover a VM moving to that host, for the schedule step. A conversion's host is
    /// on another connection (<paramref name="targetConnectionId"/>), whose windows count as much as the source's.
    /// </summary>
    Task<CalendarPeriods> ListWindowsAsync(Guid vmId, string? targetHostId, Guid? targetConnectionId);

    Task<RequestPreview> PreviewAsync(SubmitRequest.Command command);

    /// <summary>Submits one request, or a batch when several VMs move together; returns the ID to open (request or first request).</summary>
    Task<Guid> SubmitAsync(IReadOnlyList<SubmitRequest.Command> commands, string batchName);
}
