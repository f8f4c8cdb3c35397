using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace MigrationPortal.Web.Auth;

/// <summary>Bound from "SignInRateLimit". Sliding windows, counted on each node (several nodes let N times as many through).</summary>
public sealed class SignInRateLimitOptions
{
    public const string Section = "SignInRateLimit";

    /// <summary>Attempts for one user name (any address) per window: guessing one account's password.</summary>
    [Range(1, 100_000)]
    public int PerUserNamePermitLimit { get; set; } = 10;

    /// <summary>Attempts from one client address (any user name) per window: spraying many accounts. An office behind one NAT shares it.</summary>
    [Range(1, 1_000_000)]
    public int PerAddressPermitLimit { get; set; } = 60;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each node writes what it dropped to the audit trail, one row per client address.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// ASP.NET Core's rate limiter on POST /account/login, per client address and per user name (chained: both must allow).
/// The user name is in the form, so the form is read before the limiter runs (<see cref="UseSignInRateLimiting"/>).
/// A dropped attempt is not audited on its own: <see cref="SignInThrottleLog"/> counts it and writes one summary per minute.
/// </summary>
public static class SignInRateLimiting
{
    /// <summary>Endpoint metadata: the endpoint is the sign-in form and is limited.</summary>
    public sealed class Marker;

    public static RouteHandlerBuilder RequireSignInRateLimit(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(new Marker());

    public static IServiceCollection AddSignInRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignInRateLimitOptions>().Bind(configuration.GetSection(SignInRateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SignInThrottleLog>();
        services.AddHostedService(sp => sp.GetRequiredService<SignInThrottleLog>());
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SignInRateLimitOptions>>((o, settings) =>
        {
            var limits = settings.Value;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsSignIn(http)
                    ? RateLimitPartition.GetSlidingWindowLimiter("address:" + Address(http), _ => Window(limits.PerAddressPermitLimit, limits.Window))
                    : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsSignIn(http)
                    ? RateLimitPartition.GetSlidingWindowLimiter("user:" + UserName(http).ToUpperInvariant(), _ => Window(limits.PerUserNamePermitLimit, limits.Window))
                    : RateLimitPartition.GetNoLimiter("")));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (rejected, ct) => RejectAsync(rejected.HttpContext, rejected.Lease, limits.Window);
        });
        return services;
    }

    /// <summary>Reads the sign-in form (so the limiter can see the user name), then applies the limiter. After routing.</summary>
    public static IApplicationBuilder UseSignInRateLimiting(this IApplicationBuilder app)
    {
        app.Use(async (http, next) =>
        {
            if (IsSignIn(http) && http.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                // The form's antiforgery token was missing or stale (a sign-in page left open for hours), or the form could
                // not be read at all (ASP.NET Core refuses a NUL in a form value). Reading it now would throw; nothing was
                // checked yet, so send the person back to a fresh sign-in form that says why.
                http.Response.Redirect("/login?error=expired");
                return;
            }

            if (IsSignIn(http) && http.Request.HasFormContentType)
            {
                try
                {
                    await http.Request.ReadFormAsync(http.RequestAborted);
                }
                catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
                {
                    // A malformed or oversized form: the limiter sees no user name, and the endpoint's binding answers 400.
                }
            }

            await next(http);
        });
        return app.UseRateLimiter();
    }

    private static SlidingWindowRateLimiterOptions Window(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits, Window = window, SegmentsPerWindow = 6, QueueLimit = 0, AutoReplenishment = true,
    };

    private static bool IsSignIn(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<Marker>() is not null;

    internal static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    internal static string UserName(HttpContext http) => SignInThrottleLog.Bounded(FormField(http, "userName").Trim());

    // Only the form read before the limiter (never a synchronous read here): an unreadable form has no user name.
    private static string FormField(HttpContext http, string name) =>
        http.Features.Get<IFormFeature>()?.Form is { } form && form.TryGetValue(name, out var value) ? value.ToString() : "";

    private static async ValueTask RejectAsync(HttpContext http, RateLimitLease lease, TimeSpan window)
    {
        http.RequestServices.GetRequiredService<SignInThrottleLog>().Count(Address(http), UserName(http));
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : window;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            // A person at the form: back to the sign-in page, which explains, rather than a bare 429.
            http.Response.Redirect($"/login?error=throttled&returnUrl={Uri.EscapeDataString(LocalUrl.OrHome(FormField(http, "returnUrl")))}");
            return;
        }

        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many sign-in attempts.",
                Detail = $"Wait {http.Response.Headers.RetryAfter} second(s), then try again.",
                Instance = http.Request.Path,
            },
        });
    }
}
