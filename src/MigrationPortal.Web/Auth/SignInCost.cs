using Microsoft.AspNetCore.Identity;
using MigrationPortal.Infrastructure.Identity;

namespace MigrationPortal.Web.Auth;

/// <summary>
/// Identity answers an unknown user name or a locked-out account without hashing the password, so those answers came back
/// in milliseconds while a real check took hundreds: the clock told which accounts exist. These paths verify the password
/// against a decoy hash made by the same hasher, so every failed sign-in costs one hash.
/// </summary>
public static class SignInCost
{
    private static readonly Lock Gate = new();
    private static string? s_decoyHash;

    public static void SpendOneHash(IPasswordHasher<PortalAccount> hasher, string? password)
    {
        var decoy = new PortalAccount { UserName = "decoy" };
        string hash;
        lock (Gate) hash = s_decoyHash ??= hasher.HashPassword(decoy, Guid.NewGuid().ToString("N"));
        hasher.VerifyHashedPassword(decoy, hash, password ?? "");
    }
}
