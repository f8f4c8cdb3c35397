using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MigrationPortal.Infrastructure.Connectors.Libvirt;

/// <summary>
/// Reads the certificate a qemu+tls host presents, so "test connection" can show its SHA-256 thumbprint for the
/// administrator to pin. The chain is checked against the connection's own CA and the host name, never trusted blindly;
/// libvirt checks the same again when it connects.
/// </summary>
internal static class TlsCertificateProbe
{
    public const int DefaultLibvirtTlsPort = 16514;

    public static async Task<string> ReadThumbprintAsync(Uri hostUri, string? caPem, string? clientCertPem, string? clientKeyPem, CancellationToken ct)
    {
        using var ca = caPem is null ? null : X509Certificate2.CreateFromPem(caPem);
        using var client = clientCertPem is not null && clientKeyPem is not null ? X509Certificate2.CreateFromPem(clientCertPem, clientKeyPem) : null;
        using var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await tcp.ConnectAsync(hostUri.Host, hostUri.Port > 0 ? hostUri.Port : DefaultLibvirtTlsPort, timeout.Token);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new LibvirtException(LibvirtException.TlsError, LibvirtException.FromNone, $"Cannot reach {hostUri.Host} for its TLS certificate: {e.Message}", "TLS connect");
        }

        string? failure = null;
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, errors) =>
        {
            if (certificate is null) return Fail("the host sent no certificate");
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return Fail($"the certificate does not name {hostUri.Host}");
            if (ca is null) return errors == SslPolicyErrors.None || Fail($"the certificate is not trusted by this machine ({errors})");
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf) || Fail("the certificate is not signed by the connection's CA: "
                + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
        });
        var options = new SslClientAuthenticationOptions { TargetHost = hostUri.Host };
        if (client is not null) options.ClientCertificates = [client];
        try
        {
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            throw new LibvirtException(LibvirtException.TlsError, LibvirtException.FromNone, $"TLS to {hostUri.Host}: {failure ?? e.Message}", "TLS handshake");
        }

        var remote = tls.RemoteCertificate ?? throw new LibvirtException(LibvirtException.TlsError, LibvirtException.FromNone, "The host sent no certificate.", "TLS handshake");
        return Convert.ToHexString(SHA256.HashData(remote.GetRawCertData()));

        bool Fail(string why)
        {
            failure = why;
            return false;
        }
    }
}
