using System.Net;

namespace MigrationPortal.Web.Tests.Hosting;

/// <summary>Every answer carries the browser-security headers; API answers are never cached; the dashboard cannot be framed.</summary>
public sealed class SecurityHeadersTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    private const string Operator = "u-olga|Olga|Operator";
    private const string Auditor = "u-aldo|Aldo|Auditor";

    [Fact]
    public async Task Page_CarriesContentSecurityPolicyAndNosniff_WhenRendered()
    {
        using var client = factory.ClientFor(null);
        using var response = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("'unsafe-eval'", csp);
        Assert.DoesNotMatch("script-src[^;]*'unsafe-inline'", csp);
        Assert.Contains("connect-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("same-origin", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
    }

    [Theory]
    [InlineData("/api/v1/requests")]
    [InlineData("/api/v1/audit/export?format=csv")]
    [InlineData("/api/v1/audit/export?format=jsonl")]
    public async Task Api_IsNeverStored_WhenAnswered(string url)
    {
        using var client = factory.ClientFor(Auditor);
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"Cache-Control was '{response.Headers.CacheControl}'.");
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task Api_IsNeverStored_WhenRefused()
    {
        using var client = factory.ClientFor(null);
        using var response = await client.GetAsync("/api/v1/requests");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore == true);
    }

    [Fact]
    public async Task HangfireDashboard_CannotBeFramed_WhenOpenedByOperator()
    {
        using var client = factory.ClientFor(Operator);
        using var response = await client.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task Page_HasNoHsts_WhenPortalServesPlainHttp()
    {
        using var client = factory.ClientFor(null);
        using var response = await client.GetAsync("/login");
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : "";
}

/// <summary>A portal that serves HTTPS sends HSTS and moves plain-HTTP visitors to HTTPS.</summary>
public sealed class HttpsEnforcementTests(HttpsEnforcementTests.Factory factory) : IClassFixture<HttpsEnforcementTests.Factory>
{
    public sealed class Factory : PortalWebFactory
    {
        protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("Security:Https", "Enforce"), ("https_port", "443")];
    }

    [Fact]
    public async Task Page_CarriesHsts_WhenServedOverHttps()
    {
        using var client = factory.ClientFor(null);
        client.BaseAddress = new Uri("https://portal.example/");
        using var response = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(@"max-age=\d{7,}", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task Page_RedirectsToHttps_WhenRequestedOverHttp()
    {
        using var client = factory.ClientFor(null);
        client.BaseAddress = new Uri("http://portal.example/");
        using var response = await client.GetAsync("/login?returnUrl=%2Frequests");
        Assert.True(response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect, response.StatusCode.ToString());
        Assert.Equal("https://portal.example/login?returnUrl=%2Frequests", response.Headers.Location!.ToString());
    }
}
