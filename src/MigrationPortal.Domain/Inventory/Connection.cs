namespace MigrationPortal.Domain.Inventory;

/// <summary>Connector kinds; a connection's kind picks the connector that serves it.</summary>
public static class ConnectionKinds
{
    public const string Demo = "demo";
    public const string VSphere = "vsphere";
    public const string Libvirt = "libvirt";

    public static readonly IReadOnlyList<string> All = [Demo, VSphere, Libvirt];
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
        if (!ConnectionKinds.All.Contains(kind)) throw new ArgumentException($"Unknown connection kind '{kind}'.", nameof(kind));
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
}
