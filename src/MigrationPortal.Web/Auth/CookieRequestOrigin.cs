using Microsoft.AspNetCore.Mvc;

namespace MigrationPortal.Web.Auth;

/// <summary>
/// Cross-site request forgery defence for calls a browser's sign-in cookie authenticates. SameSite=Strict alone was the
/// only guard for body-less POSTs (audit verify, calendar feed, sign-out). A state-changing call under /api or /account
/// that carries a portal sign-in cookie and no Authorization header must show it comes from the portal's own pages:
/// Sec-Fetch-Site "same-origin" when the browser sends it, otherwise an Origin (or, failing that, a Referer) naming this
/// host. Bearer callers are not checked: another site cannot add an Authorization header without CORS, which the portal
/// does not allow. Refusals are a 403 ProblemDetails.
/// </summary>
public static class CookieRequestOrigin
{
    private static readonly string[] SignInCookies = [".MigrationPortal.Auth", ".MigrationPortal.Entra"];

    public static IApplicationBuilder UseSameOriginForCookieWrites(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (NeedsCheck(http.Request) && !IsSameOrigin(http.Request))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Cross-site request refused.",
                    Detail = "A signed-in browser may change things only from the portal's own pages, and this request did not show the portal's origin. " +
                        "Scripts should use a bearer token, or send the portal's address in the Origin header.",
                    Instance = http.Request.Path,
                },
            });
            return;
        }

        await next(http);
    });

    private static bool NeedsCheck(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        && (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/account"))
        && request.Headers.Authorization.Count == 0
        && SignInCookies.Any(request.Cookies.ContainsKey);

    private static bool IsSameOrigin(HttpRequest request)
    {
        // Fetch metadata is set by the browser itself and cannot be forged by a page; every current browser sends it.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site == "same-origin";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0) return NamesThisHost(origin, request);
        var referer = request.Headers.Referer.ToString();
        return referer.Length > 0 && NamesThisHost(referer, request);
    }

    // Host and port only, not the scheme: behind a proxy that ends TLS the portal sees http while the browser says https.
    private static bool NamesThisHost(string url, HttpRequest request) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
        && (request.Host.Port is not { } port || port == uri.Port);
}
