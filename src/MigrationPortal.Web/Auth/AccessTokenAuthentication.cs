using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.AccessTokens;
using MigrationPortal.Infrastructure.Identity;

namespace MigrationPortal.Web.Auth;

/// <summary>Bound from "AccessTokens".</summary>
public sealed class AccessTokenOptions
{
    public const string Section = "AccessTokens";

    /// <summary>Calls one token may make per minute, on each node; more get 429 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Token creations with a user name and password (HTTP Basic) per client address per minute, on each node.</summary>
    [Range(1, 10_000)]
    public int BasicCreationsPerMinute { get; set; } = 10;
}

/// <summary>
/// "Authorization: Bearer mpat_…": the personal access token scheme. The principal is built exactly as a cookie sign-in
/// builds it (Identity's claims factory, so the same roles and groups), from the account as it is now, then narrowed to
/// the token's roles. A locked-out or deleted account's tokens stop working with it. Other bearer tokens go to Entra ID's
/// handler (<see cref="IsOurs"/> decides, in Program.cs's scheme selector).
/// </summary>
public sealed class AccessTokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AuthenticateAccessToken tokens, UserManager<PortalAccount> users, SignInManager<PortalAccount> signIn)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AccessToken";

    /// <summary>The token's ID on the principal: the rate limiter's partition, and how use cases know a script is calling.</summary>
    public const string TokenIdClaim = "mp_token";

    private string? _refusal;

    public static bool IsOurs(HttpRequest request) => BearerValue(request) is { } value && AccessTokenSecret.Looks(value);

    private static string? BearerValue(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerValue(Request) is not { } secret || !AccessTokenSecret.Looks(secret)) return AuthenticateResult.NoResult();
        var (token, refusal) = await tokens.HandleAsync(secret, Request.Method, Request.Path.Value ?? "", SignInRateLimiting.Address(Context), Context.RequestAborted);
        if (token is null) return Refuse(refusal!);

        var account = await users.FindByIdAsync(token.UserId);
        if (account is null) return Refuse("The access token's account no longer exists.");
        if (await users.IsLockedOutAsync(account)) return Refuse("The access token's account is locked out.");

        var principal = await signIn.CreateUserPrincipalAsync(account);
        var identity = (ClaimsIdentity)principal.Identity!;
        if (token.RoleLimit is { } limit)
        {
            foreach (var role in identity.FindAll(identity.RoleClaimType).Where(c => !limit.Contains(c.Value)).ToList()) identity.RemoveClaim(role);
        }

        identity.AddClaim(new Claim(TokenIdClaim, token.TokenId.ToString()));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private AuthenticateResult Refuse(string reason)
    {
        _refusal = reason;
        return AuthenticateResult.Fail(reason);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "The access token was not accepted.",
                Detail = (_refusal ?? "The access token is not valid.") + " Create a new one on the My tokens page.",
                Instance = Request.Path,
            },
        });
    }
}

/// <summary>Registration, and the per-token rate limit (a limiter of its own, so it cannot share a budget with sign-in's).</summary>
public static class AccessTokenAuthentication
{
    public static AuthenticationBuilder AddPortalAccessTokens(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        authentication.Services.AddOptions<AccessTokenOptions>().Bind(configuration.GetSection(AccessTokenOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        authentication.Services.AddSingleton<AccessTokenRateLimits>();
        return authentication.AddScheme<AuthenticationSchemeOptions, AccessTokenAuthenticationHandler>(AccessTokenAuthenticationHandler.SchemeName, "Personal access token", null);
    }

    /// <summary>After authentication: a token over its budget gets 429 ProblemDetails with Retry-After, before any use case runs.</summary>
    public static IApplicationBuilder UseAccessTokenRateLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.User.FindFirstValue(AccessTokenAuthenticationHandler.TokenIdClaim) is { } tokenId)
        {
            using var lease = http.RequestServices.GetRequiredService<AccessTokenRateLimits>().PerToken.AttemptAcquire("token:" + tokenId);
            if (!lease.IsAcquired)
            {
                await AccessTokenRateLimits.RejectAsync(http, lease, "Too many calls with this access token.");
                return;
            }
        }

        await next(http);
    });
}

/// <summary>The per-node limiters: per token, and Basic-authenticated token creation per client address.</summary>
public sealed class AccessTokenRateLimits(IOptions<AccessTokenOptions> options) : IDisposable
{
    public PartitionedRateLimiter<string> PerToken { get; } = Limiter(options.Value.RequestsPerMinute);

    public PartitionedRateLimiter<string> BasicCreations { get; } = Limiter(options.Value.BasicCreationsPerMinute);

    private static PartitionedRateLimiter<string> Limiter(int perMinute) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), SegmentsPerWindow = 6, QueueLimit = 0, AutoReplenishment = true,
        }));

    public static async Task RejectAsync(HttpContext http, RateLimitLease lease, string title)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(10);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = title,
                Detail = $"Wait {seconds} second(s), then try again.",
                Instance = http.Request.Path,
            },
        });
    }

    public void Dispose()
    {
        PerToken.Dispose();
        BasicCreations.Dispose();
    }
}
