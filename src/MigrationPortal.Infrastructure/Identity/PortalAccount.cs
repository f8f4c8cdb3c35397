using Microsoft.AspNetCore.Identity;

namespace MigrationPortal.Infrastructure.Identity;

/// <summary>A local sign-in account (ASP.NET Core Identity). Entra ID users have no row here; their roles come from the token.</summary>
public sealed class PortalAccount : IdentityUser
{
    public string DisplayName { get; set; } = "";
}
