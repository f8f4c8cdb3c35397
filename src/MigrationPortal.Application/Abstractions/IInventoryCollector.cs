namespace MigrationPortal.Application.Abstractions;

/// <summary>The connector's inventory role: signs in and reads what the hypervisor holds, apart from any planning.</summary>
public interface IInventoryCollector
{
    /// <summary>The connection kind this collector serves.</summary>
    string Kind { get; }

    /// <summary>Signs in and reads the endpoint's identity; reports the certificate thumbprint for the administrator to confirm or pin.</summary>
    Task<ConnectionTestResult> TestConnectionAsync(ConnectionInfo connection, CancellationToken ct);

    /// <summary>Reads the whole inventory of a connection in one pass.</summary>
    Task<InventorySnapshot> CollectInventoryAsync(ConnectionInfo connection, CancellationToken ct);
}
