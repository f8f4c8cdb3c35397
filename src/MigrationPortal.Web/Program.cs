using Hangfire;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Identity.Web;
using MigrationPortal.Application;
using MigrationPortal.Infrastructure;
using MigrationPortal.Infrastructure.Identity;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Api;
using MigrationPortal.Web.Auth;
using MigrationPortal.Web.Components;
using MigrationPortal.Web.Hosting;
using MigrationPortal.Web.Hosting.Health;
using MigrationPortal.Web.Live;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
// Operations: health probes, and a built (unpublished) portal that serves its assets outside Development (docs/operations.md).
builder.UseBuildOutputStaticAssets();
builder.Services.AddPortalHealthChecks(builder.Configuration);

builder.Services.AddPortalInfrastructure(builder.Configuration);
builder.Services.AddPortalUseCases();
builder.Services.AddPortalHangfire(builder.Configuration);
builder.Services.AddPortalTelemetry(builder.Configuration);

// Sign-in: local Identity accounts always; Entra ID as well when the AzureAd section names a client.
const string PortalScheme = "Portal";
const string EntraCookieScheme = AccountEndpoints.EntraCookieScheme;
var entraEnabled = !string.IsNullOrWhiteSpace(builder.Configuration["AzureAd:ClientId"]);
var authentication = builder.Services.AddAuthentication(o =>
{
    o.DefaultScheme = PortalScheme;
    o.DefaultChallengeScheme = PortalScheme;
});
authentication.AddPolicyScheme(PortalScheme, "Local or Entra ID", o => o.ForwardDefaultSelector = http =>
{
    // "Bearer mpat_…" is a personal access token of a local account; any other bearer token is Entra ID's.
    if (AccessTokenAuthenticationHandler.IsOurs(http.Request)) return AccessTokenAuthenticationHandler.SchemeName;
    if (entraEnabled && http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return JwtBearerDefaults.AuthenticationScheme;
    if (entraEnabled && http.Request.Cookies.ContainsKey(".MigrationPortal.Entra")) return EntraCookieScheme;
    return IdentityConstants.ApplicationScheme;
});
authentication.AddPortalAccessTokens(builder.Configuration);
authentication.AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(o =>
{
    o.Cookie.Name = ".MigrationPortal.Auth";
    o.Cookie.SameSite = SameSiteMode.Strict;
    o.Cookie.HttpOnly = true;
    o.LoginPath = "/login";
    o.AccessDeniedPath = "/forbidden";
    o.SlidingExpiration = true;
    o.ExpireTimeSpan = TimeSpan.FromHours(8);
    // APIs answer 401/403; only browsers are redirected to the sign-in page.
    o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
    o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
}));
if (entraEnabled)
{
    authentication.AddMicrosoftIdentityWebApp(builder.Configuration.GetSection("AzureAd"), OpenIdConnectDefaults.AuthenticationScheme, EntraCookieScheme);
    builder.Services.Configure<CookieAuthenticationOptions>(EntraCookieScheme, o => o.Cookie.Name = ".MigrationPortal.Entra");
    authentication.AddMicrosoftIdentityWebApi(builder.Configuration.GetSection("AzureAd"), JwtBearerDefaults.AuthenticationScheme);
    // Entra sign-ins and failures land in the audit trail like local ones. Bearer calls are not sign-ins and are not audited one by one.
    builder.Services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o =>
    {
        var validated = o.Events.OnTokenValidated;
        o.Events.OnTokenValidated = async ctx =>
        {
            await validated(ctx);
            if (ctx.Principal is { } principal)
            {
                var user = principal.ToPortalUser();
                await SignInAudit.RecordAsync(ctx.HttpContext, user.AsActor(), true, "entra-id");
                // Entra users have no local account: keep their address, roles and groups so notifications can reach them.
                await ctx.HttpContext.RequestServices.GetRequiredService<MigrationPortal.Application.Notifications.RememberContact>()
                    .HandleAsync(user, principal.EmailAddress(), ctx.HttpContext.RequestAborted);
            }
        };
        var failed = o.Events.OnRemoteFailure;
        o.Events.OnRemoteFailure = async ctx =>
        {
            await SignInAudit.RecordAsync(ctx.HttpContext, new MigrationPortal.Domain.Common.Actor("unknown", "Entra ID user"), false, "entra-id", ctx.Failure?.Message);
            await failed(ctx);
        };
    });
}

builder.Services.AddTransient<IClaimsTransformation, EntraClaimsTransformation>();
// Identity's stores and rules are registered with the infrastructure; sign-in needs the web host.
new IdentityBuilder(typeof(PortalAccount), typeof(IdentityRole), builder.Services).AddSignInManager();
builder.Services.AddAuthorization();
builder.Services.AddCascadingAuthenticationState();
builder.Services.AddScoped<FirstRunAdministrator>();

builder.Services.AddProblemDetails();
builder.Services.AddPortalSecurity(builder.Configuration);
builder.Services.AddSignInRateLimiting(builder.Configuration);
// Enums travel as names; numbers naming a member are accepted too. Binding failures become ProblemDetails naming the field.
builder.Services.AddPortalApiInput();
builder.Services.AddExceptionHandler<PortalExceptionHandler>();
builder.Services.AddOpenApi(MigrationPortal.Web.Api.OpenApiDocumentation.Configure);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
// The browser's time zone, per circuit, for showing times in the user's zone beside UTC.
builder.Services.AddScoped<MigrationPortal.Web.Components.Shared.UserTimeZone>();
builder.Services.AddSingleton<InProcessRequestNotifier>();
builder.Services.AddSingleton<MigrationPortal.Application.Abstractions.IRequestChangeNotifier>(sp => sp.GetRequiredService<InProcessRequestNotifier>());

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
    await scope.ServiceProvider.GetRequiredService<FirstRunAdministrator>().EnsureAsync();
}

// First, so that every answer (errors and the Hangfire dashboard included) carries the browser-security headers.
app.UsePortalSecurityHeaders();
app.UseExceptionHandler();
// Browsers get the portal's own 404 and 403 pages (an unknown address, a denied /hangfire) with the status kept; the API
// keeps its plain status codes and ProblemDetails. Calendar clients reading /feeds get the plain status, not a page.
// Re-executed under /error/{code}: App.razor renders /error statically, so the page is the answer itself and no
// interactive router replaces it afterwards with its own idea of the address.
app.UseWhen(http => !http.Request.Path.StartsWithSegments("/api") && !http.Request.Path.StartsWithSegments("/feeds"), branch => branch.UseStatusCodePagesWithReExecute("/error/{0}", createScopeForStatusCodePages: true));
// Explicitly after the status-code pages: a re-executed request must be routed again to find the error page's endpoint
// (with the implicit routing at the start of the pipeline it found none, and the browser got a bare, empty 404).
app.UseRouting();
app.UseSameOriginForCookieWrites();
app.UseAuthentication();
// Before authorization, so a token over its budget is refused before anything else is checked or run.
app.UseAccessTokenRateLimits();
app.UseAuthorization();
app.UseAntiforgery();
app.UseSignInRateLimiting();

app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization();
// Hangfire's own check answers 401 with no way to sign in: send a browser that is not signed in to the sign-in page
// first. A signed-in user without the role gets Hangfire's 403, which the status-code pages turn into the portal's 403 page.
app.UseWhen(http => http.Request.Path.StartsWithSegments("/hangfire"), branch => branch.Use(async (http, next) =>
{
    if (http.User.Identity?.IsAuthenticated != true)
    {
        await http.ChallengeAsync();
        return;
    }

    await next(http);
}));
app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new OperatorsOnlyDashboardFilter()], DisplayStorageConnectionString = false });
app.MapAccountEndpoints();
if (entraEnabled)
{
    app.MapEntraSignIn();
}

app.MapPortalTelemetry();
app.MapPortalApi();
app.MapCalendarFeed();
app.MapPortalHealthChecks();
StaticAssetsStartup.EnsureStaticAssetsFound(app.Environment);
app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
{
    if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/openapi"))
    {
        // A ProblemDetails, as the OpenAPI document promises for every 401 and 403 (a generated client reads it as one).
        ctx.Response.StatusCode = status;
        return ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = ctx.HttpContext,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = status,
                Title = status == StatusCodes.Status401Unauthorized ? "Not signed in." : "You are not allowed to do this.",
                Detail = status == StatusCodes.Status401Unauthorized
                    ? "Sign in, or send a personal access token as \"Authorization: Bearer mpat_…\"."
                    : "Your roles do not allow this.",
                Instance = ctx.Request.Path,
            },
        }).AsTask();
    }

    ctx.Response.Redirect(ctx.RedirectUri);
    return Task.CompletedTask;
}

/// <summary>Exposed for WebApplicationFactory in the tests.</summary>
public partial class Program;
