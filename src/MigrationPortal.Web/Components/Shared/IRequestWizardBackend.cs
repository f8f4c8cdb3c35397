using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Inventory;
using MigrationPortal.Application.Requests;

namespace MigrationPortal.Web.Components.Shared;

/// <summary>What the request wizard needs from the server. The page implements it with the use cases; component tests with a fake.</summary>
public interface IRequestWizardBackend
{
    Task<IReadOnlyList<VmView>> ListVmsAsync(string? search);

    Task<TargetOptions> ListTargetsAsync(Guid vmId);

    Task<RequestPreview> PreviewAsync(SubmitRequest.Command command);

    /// <summary>Submits one request, or a batch when several VMs move together; returns the ID to open (request or first request).</summary>
    Task<Guid> SubmitAsync(IReadOnlyList<SubmitRequest.Command> commands, string batchName);
}
