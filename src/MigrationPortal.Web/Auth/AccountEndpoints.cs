using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Identity;
using MigrationPortal.Infrastructure.Persistence;
using SignInResult = Microsoft.AspNetCore.Identity.SignInResult;

namespace MigrationPortal.Web.Auth;

/// <summary>Local sign-in and sign-out. Every sign-in, failure and lockout is audited.</summary>
public static class AccountEndpoints
{
    public const string EntraCookieScheme = "EntraCookies";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", async ([FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl,
            SignInManager<PortalAccount> signIn, IPasswordHasher<PortalAccount> hasher, HttpContext http) =>
        {
            // A name no account can have (too long for the column, or with a NUL, which PostgreSQL refuses in a query) is never
            // looked up: it is an unknown user, answered like any other, not a database fault.
            var user = MigrationPortal.Application.Common.TextRules.Fits(userName, MigrationPortal.Application.Common.TextLimits.Name)
                ? await signIn.UserManager.FindByNameAsync(userName ?? "")
                : null;
            SignInResult result;
            if (user is null)
            {
                SignInCost.SpendOneHash(hasher, password);
                result = SignInResult.Failed;
            }
            else if (await signIn.UserManager.IsLockedOutAsync(user))
            {
                // Identity refuses a locked account before hashing; hash anyway so a locked account answers as slowly as any other.
                SignInCost.SpendOneHash(hasher, password);
                result = SignInResult.LockedOut;
            }
            else
            {
                result = await signIn.PasswordSignInAsync(user, password ?? "", isPersistent: false, lockoutOnFailure: true);
            }

            var actor = user is null ? new Actor("unknown", userName ?? "") : new Actor(user.Id, user.UserName!);
            await SignInAudit.RecordAsync(http, actor, result.Succeeded, "local", result.IsLockedOut ? "locked out" : result.Succeeded ? null : "wrong user name or password");
            // One answer for an unknown name, a locked account and a wrong password: the page names both causes.
            if (!result.Succeeded)
                return Results.Redirect($"/login?error=invalid&returnUrl={Uri.EscapeDataString(LocalUrl.OrHome(returnUrl))}");
            return Results.Redirect(LocalUrl.OrHome(returnUrl));
        }).AllowAnonymous().RequireSignInRateLimit();

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

    /// <summary>Starts an Entra ID sign-in; afterwards the browser returns only to a plain local path (<see cref="LocalUrl"/>).</summary>
    public static IEndpointRouteBuilder MapEntraSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/entra-login", (string? returnUrl) =>
            Results.Challenge(new AuthenticationProperties { RedirectUri = LocalUrl.OrHome(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme]))
            .AllowAnonymous();
        return app;
    }
}
