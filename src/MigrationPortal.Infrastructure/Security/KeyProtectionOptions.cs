using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MigrationPortal.Infrastructure.Security;

/// <summary>
/// Bound from "DataProtection". The key ring lives in the portal database beside the secrets it protects (connection
/// passwords), so whoever reads a backup could read both. With a certificate, every new key is encrypted to it; the
/// certificate's private key stays on the nodes (a file or a mounted secret), not in the database.
/// </summary>
public sealed class KeyProtectionOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file with the private key. Unset: keys are stored unencrypted (the default, as before).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The .pfx password. A secret: set it through an environment variable (DataProtection__CertificatePassword).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Retired certificates (.pfx, same password) that can still decrypt keys written before a rotation.</summary>
    public List<string> PreviousCertificatePaths { get; set; } = [];

    public IEnumerable<string> Problems()
    {
        foreach (var (name, path) in Paths())
        {
            if (!File.Exists(path))
            {
                yield return $"{name} '{path}' does not exist.";
                continue;
            }

            string? problem = null;
            try
            {
                using var certificate = Load(path);
                if (!certificate.HasPrivateKey) problem = $"{name} '{path}' holds no private key, so the key ring could not be read back.";
            }
            catch (CryptographicException e)
            {
                problem = $"{name} '{path}' does not open with DataProtection:CertificatePassword: {e.Message}";
            }

            if (problem is not null) yield return problem;
        }
    }

    private IEnumerable<(string Name, string Path)> Paths()
    {
        if (!string.IsNullOrWhiteSpace(CertificatePath)) yield return ("DataProtection:CertificatePath", CertificatePath);
        for (var i = 0; i < PreviousCertificatePaths.Count; i++) yield return ($"DataProtection:PreviousCertificatePaths:{i}", PreviousCertificatePaths[i]);
    }

    internal X509Certificate2 Load(string path) => X509CertificateLoader.LoadPkcs12FromFile(path, CertificatePassword);

    /// <summary>Encrypts new keys to the certificate and lets retired ones decrypt. Nothing when no certificate is set.</summary>
    internal static void Apply(IDataProtectionBuilder builder, IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<KeyProtectionOptions>() ?? new KeyProtectionOptions();
        builder.Services.AddOptions<KeyProtectionOptions>().Bind(configuration.GetSection(Section))
            .Validate(o => !o.Problems().Any(), "DataProtection certificate settings are wrong.")
            .ValidateOnStart();
        // A missing or unreadable file fails at start with the message below; only a usable certificate is applied.
        var problems = options.Problems().ToList();
        if (problems.Count > 0) throw new InvalidOperationException(string.Join(" ", problems));
        if (string.IsNullOrWhiteSpace(options.CertificatePath)) return;
        builder.ProtectKeysWithCertificate(options.Load(options.CertificatePath));
        if (options.PreviousCertificatePaths.Count > 0)
            builder.UnprotectKeysWithAnyCertificate([.. options.PreviousCertificatePaths.Select(options.Load)]);
    }
}
