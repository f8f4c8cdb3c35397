using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MigrationPortal.Application.Admin;

/// <summary>
/// Whether pasted PEM text holds at least one certificate that .NET can read, as the connectors will read it when they
/// connect. Checked when the connection is saved, so a bad paste is a field error then, not a TLS failure at sync time.
/// </summary>
public static class PemCertificates
{
    public static bool Parse(string pem)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(pem);
            var readable = certificates.Count > 0;
            foreach (var certificate in certificates) certificate.Dispose();
            return readable;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
