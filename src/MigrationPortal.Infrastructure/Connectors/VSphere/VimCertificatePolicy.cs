using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// How the portal trusts a vCenter certificate: the system's validation, or an exact SHA-256 pin set by an administrator,
/// or the connection's own CA (PEM). There is deliberately no "accept any certificate". Whatever the outcome, the presented
/// certificate's thumbprint is kept so "test connection" can show it for the administrator to confirm and pin.
/// </summary>
public sealed class VimCertificatePolicy(string? pinnedThumbprint, string? caCertificatePem)
{
    private readonly string? _pin = Normalize(pinnedThumbprint);

    /// <summary>SHA-256 of the last certificate the server presented, as AA:BB:... (null before the first handshake).</summary>
    public string? PresentedThumbprint { get; private set; }

    /// <summary>Why the last certificate was refused, in words for the administrator.</summary>
    public string? RefusalReason { get; private set; }

    public static string? Normalize(string? thumbprint) =>
        string.IsNullOrWhiteSpace(thumbprint) ? null : thumbprint.Replace(":", "").Replace(" ", "").Trim().ToUpperInvariant();

    public static string Format(byte[] hash) => string.Join(':', hash.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            RefusalReason = "The server presented no certificate.";
            return false;
        }

        using var cert = new X509Certificate2(certificate);
        var hash = SHA256.HashData(cert.RawData);
        PresentedThumbprint = Format(hash);
        RefusalReason = null;

        if (_pin is not null)
        {
            if (Convert.ToHexString(hash) == _pin) return true;
            RefusalReason = $"The certificate's SHA-256 thumbprint {PresentedThumbprint} does not match the pinned thumbprint.";
            return false;
        }

        if (!string.IsNullOrWhiteSpace(caCertificatePem))
        {
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                RefusalReason = $"The certificate (SHA-256 {PresentedThumbprint}) was not issued for this host name.";
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.CustomTrustStore.ImportFromPem(caCertificatePem);
            if (chain is not null)
                foreach (var element in chain.ChainElements.Skip(1)) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            if (custom.Build(cert)) return true;
            RefusalReason = $"The certificate (SHA-256 {PresentedThumbprint}) does not chain to the connection's CA: "
                + string.Join("; ", custom.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return false;
        }

        if (errors == SslPolicyErrors.None) return true;
        RefusalReason = $"The certificate (SHA-256 {PresentedThumbprint}) is not trusted by this system ({errors}). If it is the vCenter's own certificate, pin its thumbprint or add its CA to the connection.";
        return false;
    }
}
