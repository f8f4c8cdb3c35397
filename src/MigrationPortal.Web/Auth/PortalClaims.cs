using System.Security.Claims;
using MigrationPortal.Application.Authorization;

namespace MigrationPortal.Web.Auth;

/// <summary>
/// Turns a ClaimsPrincipal from either sign-in path into the <see cref="PortalUser"/> the use cases check.
/// Local accounts carry Identity role claims; Entra ID tokens carry app roles in "roles" and group object IDs in "groups".
/// </summary>
public static class PortalClaims
{
    public const string EntraObjectId = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    public const string GroupClaim = "groups";

    public static PortalUser ToPortalUser(this ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(EntraObjectId) ?? principal.FindFirstValue("oid") ?? principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The signed-in principal has no user ID.");
        var name = principal.FindFirstValue("name") ?? principal.Identity?.Name ?? principal.FindFirstValue("preferred_username") ?? id;
        var roles = principal.Claims.Where(c => c.Type is ClaimTypes.Role or "roles").Select(c => NormaliseRole(c.Value)).OfType<string>().ToHashSet();
        var groups = principal.Claims.Where(c => c.Type == GroupClaim).Select(c => c.Value).ToHashSet();
        return new PortalUser(id, name, roles, groups) { ViaAccessToken = principal.HasClaim(c => c.Type == AccessTokenAuthenticationHandler.TokenIdClaim) };
    }

    /// <summary>
    /// The user's mail address: the "email" claim (optional claim in Entra ID), else a UPN-style preferred_username,
    /// which in most tenants is the mail address.
    /// </summary>
    public static string? EmailAddress(this ClaimsPrincipal principal)
    {
        var email = principal.FindFirstValue("email") ?? principal.FindFirstValue(ClaimTypes.Email);
        if (!string.IsNullOrWhiteSpace(email)) return email;
        var preferred = principal.FindFirstValue("preferred_username");
        return preferred is not null && preferred.Contains('@') ? preferred : null;
    }

    /// <summary>App role values may be "Approver" or prefixed as "Portal.Approver" / "MigrationPortal.Approver"; anything else is ignored.</summary>
    public static string? NormaliseRole(string value)
    {
        var bare = value.Contains('.') ? value[(value.LastIndexOf('.') + 1)..] : value;
        return Roles.All.FirstOrDefault(r => string.Equals(r, bare, StringComparison.OrdinalIgnoreCase));
    }
}
