using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Web.Hosting;

/// <summary>Bound from "Security".</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// Auto: HSTS and the redirect to HTTPS are on when the portal itself listens on https (urls, Kestrel endpoints or
    /// https_port). Enforce: always (behind a proxy that ends TLS, with forwarded headers). Off: never.
    /// </summary>
    public HttpsEnforcement Https { get; set; } = HttpsEnforcement.Auto;

    [Range(typeof(TimeSpan), "00:05:00", "730.00:00:00")]
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);
}

public enum HttpsEnforcement
{
    Auto,
    Enforce,
    Off,
}

/// <summary>
/// The browser-security headers on every answer: pages, API, static files, errors and the Hangfire dashboard.
/// Set when the response starts, so that nothing later (antiforgery's SAMEORIGIN, the exception handler) loses them.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// What Blazor Server and MudBlazor need and no more: scripts only from the portal (blazor.web.js, MudBlazor.min.js; no
    /// inline script, no eval), the circuit's WebSocket to the portal ('self' covers ws/wss to the same host), inline
    /// styles (MudBlazor sets style attributes and writes its theme as a style element), no framing, no plugins.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    /// <summary>Hangfire's dashboard brings its own inline scripts; it gets frame protection, not the portal's script policy.</summary>
    public const string DashboardContentSecurityPolicy = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static IServiceCollection AddPortalSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var settings = configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        services.AddHsts(o =>
        {
            o.MaxAge = settings.HstsMaxAge;
            o.IncludeSubDomains = false;
        });
        return services;
    }

    public static IApplicationBuilder UsePortalSecurityHeaders(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            http.Response.OnStarting(static state =>
            {
                Apply((HttpContext)state);
                return Task.CompletedTask;
            }, http);
            return next(http);
        });

        if (EnforcesHttps(app.Configuration))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        return app;
    }

    /// <summary>Whether this node serves HTTPS (see <see cref="SecurityOptions.Https"/>).</summary>
    public static bool EnforcesHttps(IConfiguration configuration)
    {
        var settings = configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        return settings.Https switch
        {
            HttpsEnforcement.Enforce => true,
            HttpsEnforcement.Off => false,
            _ => ListensOnHttps(configuration),
        };
    }

    private static bool ListensOnHttps(IConfiguration configuration)
    {
        static bool Https(string? value) => value?.Contains("https://", StringComparison.OrdinalIgnoreCase) == true;
        return Https(configuration["urls"]) || Https(configuration["ASPNETCORE_URLS"])
            || !string.IsNullOrEmpty(configuration["https_port"]) || !string.IsNullOrEmpty(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any(e => Https(e["Url"]));
    }

    private static void Apply(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        // same-origin: no Referer leaves the portal (request IDs are in URLs), and same-origin POSTs keep their Origin header.
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/hangfire") ? DashboardContentSecurityPolicy : ContentSecurityPolicy;
        if (http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/openapi"))
        {
            // Answers and exports carry audit trails and inventory: never kept by a browser or a shared cache.
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
        }
    }
}
