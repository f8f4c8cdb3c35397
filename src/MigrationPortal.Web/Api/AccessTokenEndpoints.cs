using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using MigrationPortal.Application.AccessTokens;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Identity;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Api;

/// <summary>
/// /api/v1/tokens: personal access tokens. Creating one needs a person: signed in (the My tokens page), or, for a script's
/// very first token, the account's user name and password as HTTP Basic credentials on this one route (checked like the
/// sign-in form: lockout, the same audit records, a per-address limit). Never with a token.
/// </summary>
public static class AccessTokenEndpoints
{
    public static readonly IReadOnlyList<(string Method, string Pattern)> Routes =
    [
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/{id}"),
    ];

    /// <summary>The body of POST /api/v1/tokens. <paramref name="Roles"/>: a subset of your roles; omitted, all of them.</summary>
    public sealed record AccessTokenBody(string? Name, int? ExpiresInDays, DateTimeOffset? ExpiresAt, IReadOnlyList<string?>? Roles);

    public static IEndpointRouteBuilder MapAccessTokens(this IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        api.MapGet("/tokens", async (bool? all, ListAccessTokens useCase, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await useCase.HandleAsync(http.User.ToPortalUser(), all ?? false, ct)))
            .WithName("ListAccessTokens");

        api.MapDelete("/tokens/{id:guid}", async (Guid id, RevokeAccessToken useCase, HttpContext http, CancellationToken ct) =>
        {
            await useCase.HandleAsync(http.User.ToPortalUser(), id, ct);
            return TypedResults.NoContent();
        }).WithName("RevokeAccessToken");

        // Outside the group's sign-in requirement, so Basic credentials can reach it; it checks who is calling itself.
        // The body is optional to the binder so that an anonymous call is a 401 like everywhere else, not a 400 for its body.
        app.MapPost("/api/v1/tokens", async ([FromBody] AccessTokenBody? body, CreateAccessToken useCase, SignInManager<PortalAccount> signIn,
            IPasswordHasher<PortalAccount> hasher, AccessTokenRateLimits limits, HttpContext http, CancellationToken ct) =>
        {
            PortalUser user;
            if (http.User.Identity?.IsAuthenticated == true)
            {
                user = http.User.ToPortalUser();
            }
            else if (BasicCredentials(http.Request) is { } credentials)
            {
                using var lease = limits.BasicCreations.AttemptAcquire("address:" + SignInRateLimiting.Address(http));
                if (!lease.IsAcquired)
                {
                    await AccessTokenRateLimits.RejectAsync(http, lease, "Too many token creations with a password from this address.");
                    return Results.Empty;
                }

                var checkedUser = await CheckPasswordAsync(signIn, hasher, credentials.UserName, credentials.Password, http);
                if (checkedUser is null) return Unauthorized("Wrong user name or password, or the account is locked out.");
                user = checkedUser;
            }
            else
            {
                return Unauthorized("Sign in, or send your user name and password as HTTP Basic credentials (curl -u NAME), to create a token.");
            }

            var created = await useCase.HandleAsync(user, new CreateAccessToken.Command(body?.Name, body?.ExpiresInDays, body?.ExpiresAt, body?.Roles), ct);
            return Results.Created($"/api/v1/tokens/{created.Token.Id}", created);
        }).AllowAnonymous().WithTags("MigrationPortal").WithName("CreateAccessToken")
            .Produces<CreateAccessToken.Created>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status429TooManyRequests).WithPortalProblems();
        return app;
    }

    private static IResult Unauthorized(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in.", detail: detail);

    private static (string UserName, string Password)? BasicCredentials(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null) return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = pair.IndexOf(':');
            return colon <= 0 ? null : (pair[..colon], pair[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The sign-in form's checks, without a cookie: lockout counted, one hash spent on an unknown name, audited as a sign-in.</summary>
    private static async Task<PortalUser?> CheckPasswordAsync(SignInManager<PortalAccount> signIn, IPasswordHasher<PortalAccount> hasher,
        string userName, string password, HttpContext http)
    {
        var account = TextRules.Fits(userName, TextLimits.Name) && TextRules.Fits(password, TextLimits.Password)
            ? await signIn.UserManager.FindByNameAsync(userName) : null;
        Microsoft.AspNetCore.Identity.SignInResult result;
        if (account is null || await signIn.UserManager.IsLockedOutAsync(account))
        {
            SignInCost.SpendOneHash(hasher, password);
            result = account is null ? Microsoft.AspNetCore.Identity.SignInResult.Failed : Microsoft.AspNetCore.Identity.SignInResult.LockedOut;
        }
        else
        {
            result = await signIn.CheckPasswordSignInAsync(account, password, lockoutOnFailure: true);
        }

        var actor = account is null ? new Actor("unknown", SignInThrottleLog.Bounded(userName)) : new Actor(account.Id, account.UserName!);
        await SignInAudit.RecordAsync(http, actor, result.Succeeded, "basic (token creation)", result.IsLockedOut ? "locked out" : result.Succeeded ? null : "wrong user name or password");
        if (!result.Succeeded || account is null) return null;
        return (await signIn.CreateUserPrincipalAsync(account)).ToPortalUser();
    }
}
