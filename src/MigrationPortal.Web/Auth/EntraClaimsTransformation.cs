using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace MigrationPortal.Web.Auth;

/// <summary>
/// Maps Entra ID app roles ("roles" claim) to ASP.NET role claims, so [Authorize(Roles=...)] and the Hangfire dashboard
/// filter work the same for Entra users and local accounts. Idempotent: runs on every request.
/// </summary>
public sealed class EntraClaimsTransformation : IClaimsTransformation
{
    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity identity || !identity.IsAuthenticated) return Task.FromResult(principal);
        foreach (var role in identity.FindAll("roles").Select(c => PortalClaims.NormaliseRole(c.Value)).OfType<string>().ToList())
        {
            if (!identity.HasClaim(ClaimTypes.Role, role)) identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }

        return Task.FromResult(principal);
    }
}
