namespace MigrationPortal.Domain.Inventory;

/// <summary>
/// The connector kinds the portal ships; a connection's kind picks the connector that serves it. The kinds installed are
/// the registered connectors (the Application's <c>IConnectorKinds</c>), so a kind added by a plug-in needs no change here.
/// </summary>
public static class ConnectionKinds
{
    public const string Demo = "demo";
    public const string VSphere = "vsphere";
    public const string Libvirt = "libvirt";

    /// <summary>The longest kind the database stores.</summary>
    public const int MaxLength = 32;

    /// <summary>A kind is a short lower-case key: letters, digits and hyphens.</summary>
    public static bool IsWellFormed(string? kind) =>
        !string.IsNullOrEmpty(kind) && kind.Length <= MaxLength && kind.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}

/// <summary>
/// A hypervisor endpoint the portal manages. The secret is stored only encrypted (Data Protection, keys in the database);
/// nothing reads it back to the browser or into an export.
/// </summary>
public sealed class Connection
{
    private Connection() { }

    public Connection(string name, string kind, string endpoint, string? username = null)
    {
        if (!ConnectionKinds.IsWellFormed(kind)) throw new ArgumentException($"'{kind}' is not a connection kind.", nameof(kind));
        Id = Guid.NewGuid();
        Name = name;
        Kind = kind;
        Endpoint = endpoint;
        Username = username;
    }

    public Guid Id { get; private set; }
    public string Name { get; set; } = "";
    public string Kind { get; private set; } = "";
    public string Endpoint { get; set; } = "";
    public string? Username { get; set; }
    public string? ProtectedSecret { get; set; }

    /// <summary>PEM of the CA that signed the endpoint's certificate, when it is not in the system store (libvirt TLS, private vCenter CAs).</summary>
    public string? CaCertificatePem { get; set; }

    /// <summary>PEM client certificate the portal presents (libvirt qemu+tls:// authenticates clients by certificate).</summary>
    public string? ClientCertificatePem { get; set; }

    /// <summary>The client certificate's private key, encrypted like <see cref="ProtectedSecret"/>.</summary>
    public string? ProtectedClientKey { get; set; }

    /// <summary>SHA-256 thumbprint of the endpoint's certificate, pinned by an administrator for self-signed endpoints.</summary>
    public string? PinnedThumbprint { get; set; }

    /// <summary>An administrator's recorded policy allowing unencrypted migration on this connection. Off unless someone turns it on.</summary>
    public bool AllowUnencryptedMigration { get; set; }

    public bool IsDemo => Kind == ConnectionKinds.Demo;
    public DateTimeOffset? LastSyncedAt { get; set; }
    public string? LastSyncError { get; set; }

    /// <summary>When the utilisation collection last stored a reading of this connection.</summary>
    public DateTimeOffset? LastUtilisationAt { get; set; }

    /// <summary>The connector fault of the last utilisation collection ("FaultType: message"), or null after a good one.</summary>
    public string? LastUtilisationError { get; set; }
}
