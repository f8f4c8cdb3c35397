using System.Security.Cryptography;
using System.Text;

namespace MigrationPortal.Application.Common;

/// <summary>
/// The one way the portal makes a secret for a URL or header (calendar feed links, personal access tokens) and the hash it
/// keeps of it. 256 random bits leave nothing to guess, so a fast hash is enough and no salt is needed.
/// </summary>
public static class SecretTokens
{
    /// <summary>256 random bits as base64url without padding (43 characters).</summary>
    public static string NewBase64Url() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Lower-case hex SHA-256 of the secret's UTF-8 bytes, as stored.</summary>
    public static string Sha256Hex(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
