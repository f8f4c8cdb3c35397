using Microsoft.AspNetCore.DataProtection;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Security;

/// <summary>Connection secrets encrypted with Data Protection; the key ring lives in the database so every node can read them.</summary>
public sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("MigrationPortal.ConnectionSecrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
