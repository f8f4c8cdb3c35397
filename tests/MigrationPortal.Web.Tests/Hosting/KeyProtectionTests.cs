using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Hosting;

/// <summary>With a certificate configured, the Data Protection key ring in the database is encrypted to it, and still usable.</summary>
public sealed class KeyProtectionTests : IDisposable
{
    private const string CertificatePassword = "pfx-pass-2026";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"mp-keys-{Guid.NewGuid():N}");

    public KeyProtectionTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }

    private sealed class Factory(params (string Key, string Value)[] settings) : PortalWebFactory
    {
        protected override IEnumerable<(string Key, string Value)> ExtraSettings => settings;
    }

    [Fact]
    public async Task KeyRing_IsEncryptedToCertificate_WhenCertificateIsConfigured()
    {
        var path = WriteCertificate("current");
        using var factory = new Factory(("DataProtection:CertificatePath", path), ("DataProtection:CertificatePassword", CertificatePassword));
        var protector = factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-protection-test");
        var secret = protector.Protect("vcenter-password");

        await using var scope = factory.Services.CreateAsyncScope();
        var keys = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().DataProtectionKeys.Select(k => k.Xml).ToListAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.NotNull(xml);
            Assert.Contains("encryptedSecret", xml);
            Assert.Contains("X509Data", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });
        Assert.Equal("vcenter-password", protector.Unprotect(secret));
    }

    [Fact]
    public async Task KeyRing_IsPlain_WhenNoCertificateIsConfigured()
    {
        using var factory = new Factory();
        factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-protection-test").Protect("x");
        await using var scope = factory.Services.CreateAsyncScope();
        var keys = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().DataProtectionKeys.Select(k => k.Xml).ToListAsync();
        Assert.Contains(keys, xml => xml?.Contains("<masterKey") == true);
    }

    [Fact]
    public void KeyRing_StaysReadable_WhenCertificateIsRotatedWithPreviousKept()
    {
        var data = Path.Combine(_folder, "data");
        var (oldCertificate, newCertificate) = (WriteCertificate("old"), WriteCertificate("new"));
        string secret;
        using (var before = new Factory(("Database:DataDirectory", data), ("DataProtection:CertificatePath", oldCertificate), ("DataProtection:CertificatePassword", CertificatePassword)))
            secret = before.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-protection-test").Protect("vcenter-password");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // Without the retired certificate the old key cannot be decrypted, and neither can the secret it protected.
        using (var forgetful = new Factory(("Database:DataDirectory", data), ("DataProtection:CertificatePath", newCertificate), ("DataProtection:CertificatePassword", CertificatePassword)))
            Assert.ThrowsAny<CryptographicException>(() => forgetful.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-protection-test").Unprotect(secret));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        using var after = new Factory(("Database:DataDirectory", data), ("DataProtection:CertificatePath", newCertificate), ("DataProtection:CertificatePassword", CertificatePassword),
            ("DataProtection:PreviousCertificatePaths:0", oldCertificate));
        Assert.Equal("vcenter-password", after.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-protection-test").Unprotect(secret));
    }

    [Fact]
    public void Startup_Fails_WhenCertificateFileIsMissing()
    {
        using var factory = new Factory(("DataProtection:CertificatePath", Path.Combine(_folder, "missing.pfx")));
        var error = Assert.ThrowsAny<Exception>(() => factory.Services);
        Assert.Contains("DataProtection:CertificatePath", Flatten(error));
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " " + Flatten(e.InnerException);

    private string WriteCertificate(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=MigrationPortal key protection {name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var path = Path.Combine(_folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, CertificatePassword));
        return path;
    }
}
