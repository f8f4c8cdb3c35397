using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MigrationPortal.Web.Tests;

/// <summary>
/// The real web app on a throwaway SQLite folder, with Hangfire's workers off. Users are asserted by a test
/// authentication scheme (header "X-Test-User: id|name|Role1,Role2|group1,group2"), so what is tested is authorization.
/// </summary>
public class PortalWebFactory : WebApplicationFactory<Program>
{
    public const string TestScheme = "Test";
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"mp-web-{Guid.NewGuid():N}");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:DataDirectory", _dataDirectory);
        builder.UseSetting("Hangfire:ServerEnabled", "false");
        // No week of demo load at each start (about 2 s): these tests count VMs at their configured size unless they add samples.
        builder.UseSetting("Demo:BackfillUtilisation", "false");
        foreach (var (key, value) in ExtraSettings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            ConfigureServices(services);
            if (!UseTestAuthentication) return;
            services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderAuthHandler>(TestScheme, _ => { });
            services.PostConfigure<AuthenticationOptions>(o =>
            {
                o.DefaultScheme = TestScheme;
                o.DefaultAuthenticateScheme = TestScheme;
                o.DefaultChallengeScheme = TestScheme;
                o.DefaultForbidScheme = TestScheme;
            });
        });
    }

    /// <summary>Settings a derived factory changes (for example, turning Hangfire's workers on).</summary>
    protected virtual IEnumerable<(string Key, string Value)> ExtraSettings => [];

    /// <summary>False keeps the portal's own cookie sign-in, for tests of the sign-in form and of cookie-only defences.</summary>
    protected virtual bool UseTestAuthentication => true;

    /// <summary>Services a derived factory replaces (for example, a password hasher that counts its calls).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDirectory, true); } catch (IOException) { }
    }

    public HttpClient ClientFor(string? header)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (header is not null) client.DefaultRequestHeaders.Add("X-Test-User", header);
        return client;
    }

    private sealed class HeaderAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, Microsoft.Extensions.Logging.ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers["X-Test-User"].ToString();
            if (string.IsNullOrEmpty(header)) return Task.FromResult(AuthenticateResult.NoResult());
            var parts = header.Split('|');
            var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, parts[0]), new(ClaimTypes.Name, parts[1]) };
            claims.AddRange(parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)));
            if (parts.Length > 3) claims.AddRange(parts[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(g => new Claim("groups", g)));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, TestScheme));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, TestScheme)));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = 401;
            return Task.CompletedTask;
        }

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = 403;
            return Task.CompletedTask;
        }
    }
}
