namespace MigrationPortal.Application.Abstractions;

/// <summary>The connector's operations on the side the VM leaves: safety copy, encryption, the transfer and its control.</summary>
public interface ISourceOperations
{
    /// <summary>Takes a pre-migration snapshot (or disk backup) and returns its ID.</summary>
    Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Removes the pre-migration snapshot, unless the connector's retention setting keeps it; reports which happened.</summary>
    Task<SnapshotCleanup> RemoveSnapshotAsync(MigrationPlan plan, string snapshotId, CancellationToken ct);

    /// <summary>Makes the hypervisor encrypt the transfer; returns a plain description of the encryption that actually applies.</summary>
    Task<string> EnforceEncryptionAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Starts the transfer and returns the hypervisor's operation ID, which the portal persists before watching it.</summary>
    Task<string> StartTransferAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Follows a started transfer to its end, calling back with progress (phase, percent, bytes and ETA where known).</summary>
    Task<TransferOutcome> WatchTransferAsync(MigrationPlan plan, string operationId, Func<TransferProgress, Task> onProgress, CancellationToken ct);

    /// <summary>Asks the hypervisor to stop a running transfer; the VM stays at its source.</summary>
    Task CancelTransferAsync(MigrationPlan plan, string operationId, CancellationToken ct);

    /// <summary>Reports the state of an operation started earlier, for reconciliation after a crash.</summary>
    Task<OperationState> GetOperationStateAsync(MigrationPlan plan, string operationId, CancellationToken ct);

    /// <summary>
    /// Looks for a transfer of this plan's VM that the hypervisor started at or after <paramref name="startedAfter"/> (the
    /// intent the portal recorded before its start call), for a run that found the intent but no operation ID: the reply
    /// to the start call was lost, or its save failed. <see cref="OperationLookupResult.Unknown"/> when the hypervisor
    /// cannot say for sure; the portal then never starts a second transfer.
    /// </summary>
    Task<OperationLookup> FindOperationAsync(MigrationPlan plan, DateTimeOffset startedAfter, CancellationToken ct);

    /// <summary>Where the VM is now, as the hypervisor sees it.</summary>
    Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Undoes a finished move: moves the VM back to its source placement (or reverts to the snapshot).</summary>
    Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct);
}
