using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Web.Api;

// The bodies of the endpoints that create requests. Each is its use case's command with one difference: the VM is text, its
// portal ID, hypervisor ID or name, and connectionId says which connection's VM when that text is in several. VmReferences
// turns the text into the portal ID before the use case runs; hosts and datastores were already accepted in either form.

/// <summary>POST /api/v1/requests: <see cref="SubmitRequest.Command"/>, with the VM by portal ID, hypervisor ID or name.</summary>
/// <param name="VmId">The VM: its portal ID ('id' in /api/v1/vms), its hypervisor ID ('externalId': "vm-42", a libvirt domain UUID) or its name.</param>
/// <param name="ConnectionId">The VM's connection, needed only when its hypervisor ID or name is in several connections.</param>
public sealed record SubmitRequestBody(
    string? VmId,
    MigrationKind Kind,
    bool Live,
    string? TargetHostId,
    string? TargetDatastoreId,
    string Justification,
    ScheduleMode ScheduleMode = ScheduleMode.AsSoonAsApproved,
    DateTimeOffset? NotBefore = null,
    bool? TakeSnapshot = null,
    bool RequireEncryption = true,
    Guid? BatchId = null,
    Guid? WindowId = null,
    Guid? TargetConnectionId = null,
    Guid? NetworkMapId = null,
    Guid? StorageMapId = null,
    bool KeepIdentity = true,
    SourceAfterConversion AfterSuccess = SourceAfterConversion.KeepOffAndAnnotate,
    Guid? ConnectionId = null)
{
    public VmReferences.Reference Reference() => new(VmId, ConnectionId, nameof(VmId));

    public SubmitRequest.Command ToCommand(Guid vmId) => new(vmId, Kind, Live, TargetHostId, TargetDatastoreId, Justification, ScheduleMode, NotBefore, TakeSnapshot,
        RequireEncryption, BatchId, WindowId, TargetConnectionId, NetworkMapId, StorageMapId, KeepIdentity, AfterSuccess);
}

/// <summary>POST /api/v1/batches: <see cref="SubmitBatch.Command"/>, with each item's VM by portal ID, hypervisor ID or name.</summary>
public sealed record SubmitBatchBody(string Name, string Justification, IReadOnlyList<SubmitBatchItemBody> Items, ScheduleMode ScheduleMode = ScheduleMode.AsSoonAsApproved,
    DateTimeOffset? NotBefore = null, bool? TakeSnapshot = null, bool RequireEncryption = true, Guid? WindowId = null)
{
    public IReadOnlyList<VmReferences.Reference> References() => (Items ?? []).Select((item, i) => new VmReferences.Reference(item?.VmId, item?.ConnectionId, $"Items[{i}].VmId")).ToList();

    public SubmitBatch.Command ToCommand(IReadOnlyList<Guid> vmIds) =>
        new(Name, Justification, Items?.Select((item, i) => item.ToItem(vmIds[i])).ToList()!, ScheduleMode, NotBefore, TakeSnapshot, RequireEncryption, WindowId);
}

/// <summary>One VM of a batch: <see cref="SubmitBatch.Item"/>, with the VM and its connection as in <see cref="SubmitRequestBody"/>.</summary>
public sealed record SubmitBatchItemBody(string? VmId, MigrationKind Kind, bool Live, string? TargetHostId, string? TargetDatastoreId,
    Guid? TargetConnectionId = null, Guid? NetworkMapId = null, Guid? StorageMapId = null, bool KeepIdentity = true,
    SourceAfterConversion AfterSuccess = SourceAfterConversion.KeepOffAndAnnotate, bool? TakeSnapshot = null, bool? RequireEncryption = null, Guid? ConnectionId = null)
{
    public SubmitBatch.Item ToItem(Guid vmId) => new(vmId, Kind, Live, TargetHostId, TargetDatastoreId, TargetConnectionId, NetworkMapId, StorageMapId, KeepIdentity,
        AfterSuccess, TakeSnapshot, RequireEncryption);
}

/// <summary>
/// POST /api/v1/hosts/{id}/evacuation: <see cref="SubmitEvacuation.Command"/>, with each move's VM by portal ID, hypervisor
/// ID or name. The host being emptied decides the connection, so a move needs none.
/// </summary>
public sealed record SubmitEvacuationBody(string Justification, IReadOnlyList<SubmitEvacuationMoveBody> Moves, ScheduleMode ScheduleMode = ScheduleMode.AsSoonAsApproved,
    DateTimeOffset? NotBefore = null, bool TakeSnapshot = false, bool RequireEncryption = true, Guid? WindowId = null)
{
    public IReadOnlyList<VmReferences.Reference> References() => (Moves ?? []).Select((move, i) => new VmReferences.Reference(move?.VmId, null, $"Moves[{i}].VmId")).ToList();

    public SubmitEvacuation.Command ToCommand(IReadOnlyList<Guid> vmIds) =>
        new(Justification, Moves?.Select((move, i) => new SubmitEvacuation.Move(vmIds[i], move.TargetHostId, move.Kind, move.TargetDatastoreId)).ToList()!,
            ScheduleMode, NotBefore, TakeSnapshot, RequireEncryption, WindowId);
}

/// <summary>One VM of an evacuation: <see cref="SubmitEvacuation.Move"/>; the target host by its hypervisor ID or portal ID.</summary>
public sealed record SubmitEvacuationMoveBody(string? VmId, string TargetHostId, MigrationKind Kind = MigrationKind.Compute, string? TargetDatastoreId = null);
