using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// One hypervisor family (keyed by connection kind: demo, vsphere, libvirt). The workflow calls only this interface,
/// so no provider-specific branch exists above it. Every method reports hypervisor faults as <see cref="ConnectorException"/>.
/// </summary>
public interface IHypervisorConnector
{
    /// <summary>The connection kind this connector serves.</summary>
    string Kind { get; }

    /// <summary>Signs in and reads the endpoint's identity; reports the certificate thumbprint for the administrator to confirm or pin.</summary>
    Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct);

    /// <summary>Reads the whole inventory of a connection in one pass.</summary>
    Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct);

    /// <summary>Checks that the move can run now. Findings, never exceptions, for expected problems; only Critical blocks.</summary>
    Task<IReadOnlyList<PrecheckFinding>> PrecheckAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Takes a pre-migration snapshot (or disk backup) and returns its ID.</summary>
    Task<string> CreateSnapshotAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Removes the pre-migration snapshot after success, unless the connector's retention setting keeps it; reports which happened.</summary>
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

    /// <summary>Checks that the VM is running where the plan put it.</summary>
    Task<VerificationResult> VerifyAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Where the VM is now, as the hypervisor sees it.</summary>
    Task<VmPlacement> LocateAsync(MigrationPlan plan, CancellationToken ct);

    /// <summary>Undoes a finished move: moves the VM back to its source placement (or reverts to the snapshot).</summary>
    Task<string> RollbackAsync(MigrationPlan plan, CancellationToken ct);
}

/// <summary>Looks up the connector for a connection kind.</summary>
public interface IConnectorResolver
{
    IHypervisorConnector Resolve(string kind);
}
