using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// The connections of one connector call to the hosts of one portal connection. libvirt reads TLS material only from
/// files (the URI's <c>pkipath</c>), so the CA, client certificate and decrypted key are written to a private 0700
/// folder just for each virConnectOpen and deleted right after it; libvirt loads them at open and never again.
/// Every open of a qemu+tls host checks that host's pin first (<see cref="LibvirtEndpoint"/>): libvirt itself can only
/// check the chain against the CA, so the portal reads the certificate the host presents and refuses a mismatch before
/// libvirt connects. Sync, precheck, migration, watch, cancel and rollback all open hosts here, so none can skip it.
/// </summary>
internal sealed class LibvirtSession : IDisposable
{
    private readonly Dictionary<string, LibvirtConnection> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hostnames = new(StringComparer.Ordinal);
    private readonly string? _pkiDir;

    private readonly ConnectionInfo _connection;
    private readonly Dictionary<string, string> _pins;

    public LibvirtSession(ConnectionInfo connection)
    {
        _connection = connection;
        var hosts = LibvirtEndpoint.Parse(connection.Endpoint, connection.PinnedThumbprint);
        HostUris = hosts.Select(h => h.Uri).ToList();
        _pins = hosts.Where(h => h.Pin is not null && h.IsTls).ToDictionary(h => h.Uri, h => h.Pin!, StringComparer.Ordinal);
        if (HostUris.Count == 0) throw new LibvirtException(LibvirtException.InvalidArg, LibvirtException.FromNone, $"Connection '{connection.Name}' names no libvirt host URI.", "connection");
        if (connection.CaCertificatePem is not null || connection.ClientCertificatePem is not null)
        {
            // libvirt runs on Linux; the 0700/0600 modes below are what keeps the private key private.
            if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("libvirt connections need a Unix host.");
            _pkiDir = Path.Combine(Path.GetTempPath(), $"mp-libvirt-pki-{Guid.NewGuid():N}");
        }
    }

    public IReadOnlyList<string> HostUris { get; }

    /// <summary>A connection to the host, opened once per session and closed with it.</summary>
    public LibvirtConnection Connect(string hostUri)
    {
        if (_open.TryGetValue(hostUri, out var connection)) return connection;
        connection = ConnectOwned(hostUri);
        _open[hostUri] = connection;
        return connection;
    }

    /// <summary>A connection the caller owns and disposes (one that a long job keeps beyond this session).</summary>
    public LibvirtConnection ConnectOwned(string hostUri)
    {
        CheckPin(hostUri);
        var openUri = OpenUri(hostUri);
        if (openUri == hostUri) return LibvirtConnection.Open(hostUri);
        // The key material exists on disk only while libvirt opens the connection (it reads the files then, never later),
        // so a process killed mid-migration leaves no key behind.
        WritePki();
        try
        {
            return LibvirtConnection.Open(hostUri, openUri);
        }
        finally
        {
            DeletePki();
        }
    }

    /// <summary>The pin of a qemu+tls host, or null when the host is verified against the CA only.</summary>
    public string? PinOf(string hostUri) => _pins.GetValueOrDefault(hostUri);

    /// <summary>
    /// Reads the certificate a pinned host presents (chain and name checked against the connection's CA, as libvirt
    /// will) and refuses a thumbprint other than the pin. The probe and libvirt's own handshake are two TLS sessions:
    /// an impostor would have to hold a certificate from the connection's CA for this host's name to get between them.
    /// </summary>
    private void CheckPin(string hostUri)
    {
        if (PinOf(hostUri) is not { } pin) return;
        var uri = new Uri(hostUri);
        var presented = TlsCertificateProbe.ReadThumbprintAsync(uri, _connection.CaCertificatePem, _connection.ClientCertificatePem, _connection.ClientKeyPem, CancellationToken.None)
            .GetAwaiter().GetResult();
        if (!string.Equals(presented, pin, StringComparison.OrdinalIgnoreCase))
            throw new LibvirtException(LibvirtException.TlsError, LibvirtException.FromNone,
                $"The certificate of {uri.Host} ({hostUri}) has SHA-256 thumbprint {presented}, not the pinned {pin}; the portal does not connect to it.", "certificate pin");
    }

    public string Hostname(string hostUri)
    {
        if (_hostnames.TryGetValue(hostUri, out var name)) return name;
        return _hostnames[hostUri] = Connect(hostUri).Hostname();
    }

    /// <summary>
    /// The URI the source daemon uses to reach a destination for a peer-to-peer migration. A qemu+tls URI is used as
    /// given (the source daemon verifies it with its own certificates, so the portal's pkipath is not passed on);
    /// a host the portal reaches another way (unix socket, ssh) is reached by the source over TLS at its host name.
    /// </summary>
    public string PeerUri(string hostUri)
    {
        var uri = new Uri(hostUri);
        if (uri.Scheme.EndsWith("+tls", StringComparison.Ordinal) && !string.IsNullOrEmpty(uri.Host))
            return $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";
        return $"qemu+tls://{Hostname(hostUri)}/system";
    }

    private string OpenUri(string hostUri)
    {
        if (_pkiDir is null || !hostUri.Contains("+tls", StringComparison.Ordinal) || hostUri.Contains("pkipath=", StringComparison.Ordinal)) return hostUri;
        return hostUri + (hostUri.Contains('?') ? "&" : "?") + "pkipath=" + Uri.EscapeDataString(_pkiDir);
    }

    private void WritePki()
    {
        if (OperatingSystem.IsWindows()) return;
        Directory.CreateDirectory(_pkiDir!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Write("cacert.pem", _connection.CaCertificatePem);
        Write("clientcert.pem", _connection.ClientCertificatePem);
        Write("clientkey.pem", _connection.ClientKeyPem);
    }

    private void Write(string name, string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem) || OperatingSystem.IsWindows()) return;
        var path = Path.Combine(_pkiDir!, name);
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(file);
        writer.Write(pem);
    }

    public void Dispose()
    {
        foreach (var connection in _open.Values) connection.Dispose();
        _open.Clear();
        DeletePki();
    }

    private void DeletePki()
    {
        if (_pkiDir is not null && Directory.Exists(_pkiDir)) Directory.Delete(_pkiDir, recursive: true);
    }
}
