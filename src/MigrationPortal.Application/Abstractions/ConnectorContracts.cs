using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Abstractions;

/// <summary>A fault reported by a hypervisor, carrying its own fault type and message.</summary>
public class ConnectorException(string faultType, string message, Exception? inner = null) : Exception(message, inner)
{
    public string FaultType { get; } = faultType;
}

/// <summary>What a connector needs to reach its hypervisor. The secret is decrypted only for the call.</summary>
public sealed record ConnectionInfo(Guid Id, string Name, string Kind, string Endpoint, string? Username, string? Secret, string? PinnedThumbprint, bool AllowUnencryptedMigration,
    string? CaCertificatePem = null, string? ClientCertificatePem = null, string? ClientKeyPem = null)
{
    // Keeps the secret and the private key out of logs and exception messages that format the record.
    public override string ToString() => $"ConnectionInfo {{ Id = {Id}, Name = {Name}, Kind = {Kind}, Endpoint = {Endpoint} }}";
}

/// <summary>
/// The connector's view of one request. <paramref name="Source"/> is the connection the VM leaves and
/// <paramref name="Destination"/> the one it arrives at; for a move within one connection they are the same.
/// </summary>
public sealed record MigrationPlan(
    Guid RequestId,
    ConnectionInfo Source,
    ConnectionInfo Destination,
    string VmExternalId,
    string VmName,
    MigrationKind Kind,
    bool Live,
    string? SourceHostId,
    string? SourceDatastoreName,
    MigrationTarget Target,
    MigrationOptions Options,
    string? SnapshotId,
    ConversionSettings? Conversion = null);

public enum FindingSeverity
{
    Advisory,
    Warning,
    Critical,
}

public sealed record PrecheckFinding(FindingSeverity Severity, string Code, string Message);

public sealed record TransferProgress(string Phase, double Percent, long? BytesTransferred, long? BytesTotal, TimeSpan? Eta);

public enum TransferResult
{
    Succeeded,
    Failed,
    Cancelled,
}

public sealed record TransferOutcome(TransferResult Result, string Message, TimeSpan? Downtime = null)
{
    public static TransferOutcome Success(string message, TimeSpan? downtime = null) => new(TransferResult.Succeeded, message, downtime);
}

public enum OperationStatus
{
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Unknown,
}

public sealed record OperationState(OperationStatus Status, string? Message);

public enum OperationLookupResult
{
    /// <summary>The hypervisor holds a transfer of this VM started after the intent; its ID is adopted.</summary>
    Found,

    /// <summary>The hypervisor can say for sure that no such transfer started: starting one now is not a second start.</summary>
    NotFound,

    /// <summary>The hypervisor cannot say (its records do not reach back, or it could not be asked): an Operator decides.</summary>
    Unknown,
}

/// <summary>The answer to "did a transfer of this request start?", with the evidence in the hypervisor's own words.</summary>
public sealed record OperationLookup(OperationLookupResult Result, string? OperationId, string Message)
{
    public static OperationLookup Found(string operationId, string message) => new(OperationLookupResult.Found, operationId, message);

    public static OperationLookup NotFound(string message) => new(OperationLookupResult.NotFound, null, message);

    public static OperationLookup Unknown(string message) => new(OperationLookupResult.Unknown, null, message);
}

/// <summary>How a move ended, for the clean-up steps that run on every ending.</summary>
public enum MoveEnding
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>What a clean-up did: removed what it found (or found nothing), or kept it per a retention setting; said as it stands on the step.</summary>
public sealed record CleanupReport(bool Kept, string Description)
{
    public static CleanupReport Removed(string description) => new(false, description);

    public static CleanupReport Retained(string description) => new(true, description);
}

/// <summary>Whether the VM is where the plan put it; <paramref name="Placement"/> is where the hypervisor found it, when the check read it.</summary>
public sealed record VerificationResult(bool IsAtTarget, string Details, VmPlacement? Placement = null);

/// <summary>
/// What the clean-up step did with the pre-migration snapshot: removed it (or found it already gone), or kept it because a
/// retention setting says so. The description is recorded on the request's step and in the audit trail as it stands.
/// </summary>
public sealed record SnapshotCleanup(bool Kept, string Description)
{
    public static SnapshotCleanup Removed(string description) => new(false, description);

    public static SnapshotCleanup Retained(string description) => new(true, description);
}

/// <summary>Where a VM runs; <paramref name="MigrateEncryption"/> is its migration-encryption setting where the hypervisor has one (vSphere's migrateEncryption).</summary>
public sealed record VmPlacement(string? HostId, string? HostName, IReadOnlyList<string> Datastores, PowerState PowerState, string? MigrateEncryption = null);

public sealed record InventorySnapshot(
    IReadOnlyList<ClusterInfo> Clusters,
    IReadOnlyList<HostInfo> Hosts,
    IReadOnlyList<DatastoreInfo> Datastores,
    IReadOnlyList<VmInfo> Vms,
    IReadOnlyList<NetworkInfo>? Networks = null);

public sealed record NetworkInfo(string ExternalId, string Name, IReadOnlyList<string> Hosts);

public sealed record ClusterInfo(string ExternalId, string Name, string? Datacenter);

public sealed record HostInfo(string ExternalId, string Name, string? ClusterName, string ConnectionState, PowerState PowerState, bool InMaintenance, int CpuCores, long MemoryMb, long MemoryUsedMb);

public sealed record DatastoreInfo(string ExternalId, string Name, long CapacityGb, long FreeGb, bool Accessible, IReadOnlyList<string> MountedOnHosts);

public sealed record VmInfo(string ExternalId, string Name, PowerState PowerState, string? HostExternalId, string? HostName, string? ClusterName, string? ResourcePool,
    IReadOnlyList<string> Datastores, int Cpus, long MemoryMb, long ProvisionedGb, long UsedGb, string? ApplicationTag, string? MigrateEncryption,
    IReadOnlyList<string>? Networks = null, int SnapshotCount = 0, string? Disks = null);

/// <summary>Outcome of "test connection": whether sign-in worked, what the endpoint said, and its certificate thumbprint (SHA-256) if it has one.</summary>
public sealed record ConnectionTestResult(bool Succeeded, string Message, string? CertificateThumbprint);
