using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Identity;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Auth;

/// <summary>Local sign-in and sign-out. Every sign-in, failure and lockout is audited.</summary>
public static class AccountEndpoints
{
    public const string EntraCookieScheme = "EntraCookies";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", async ([FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl,
            SignInManager<PortalAccount> signIn, HttpContext http) =>
        {
            var result = await signIn.PasswordSignInAsync(userName ?? "", password ?? "", isPersistent: false, lockoutOnFailure: true);
            var user = await signIn.UserManager.FindByNameAsync(userName ?? "");
            var actor = user is null ? new Actor("unknown", userName ?? "") : new Actor(user.Id, user.UserName!);
            await SignInAudit.RecordAsync(http, actor, result.Succeeded, "local", result.IsLockedOut ? "locked out" : result.Succeeded ? null : "wrong user name or password");
            if (!result.Succeeded)
                return Results.Redirect($"/login?error={(result.IsLockedOut ? "locked" : "invalid")}&returnUrl={Uri.EscapeDataString(LocalOnly(returnUrl))}");
            return Results.LocalRedirect(LocalOnly(returnUrl));
        }).AllowAnonymous();

        app.MapPost("/account/logout", async (IAuthenticationSchemeProvider schemes, PortalDbContext db, TimeProvider time, HttpContext http) =>
        {
            if (http.User.Identity?.IsAuthenticated == true)
            {
                var user = http.User.ToPortalUser();
                var method = http.Request.Cookies.ContainsKey(".MigrationPortal.Entra") ? "entra-id" : "local";
                AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.SignOut, "User", user.Id, new { method });
                await db.SaveChangesAsync();
            }

            await http.SignOutAsync(IdentityConstants.ApplicationScheme);
            // An Entra ID session lives in its own cookie; end it too, or the user would stay signed in.
            if (await schemes.GetSchemeAsync(EntraCookieScheme) is not null) await http.SignOutAsync(EntraCookieScheme);
            return Results.LocalRedirect("/login");
        });

        return app;
    }

    private static string LocalOnly(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") ? returnUrl : "/";
}
