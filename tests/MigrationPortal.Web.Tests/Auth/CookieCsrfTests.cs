using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace MigrationPortal.Web.Tests.Auth;

/// <summary>
/// A state-changing call that a browser's sign-in cookie authenticates must come from the portal's own pages (same origin).
/// Callers with an Authorization header (Entra ID bearer tokens) cannot be forged by another site and are not checked.
/// </summary>
public sealed class CookieCsrfTests(CookieCsrfTests.Factory factory) : IClassFixture<CookieCsrfTests.Factory>
{
    public sealed class Factory : PortalWebFactory
    {
        protected override bool UseTestAuthentication => false;
    }

    [Theory]
    [InlineData("/api/v1/audit/verify")]
    [InlineData("/api/v1/calendar-feed")]
    [InlineData("/account/logout")]
    public async Task Post_Answers403_WhenCookieCallerSendsNoOrigin(string url)
    {
        using var client = await SignedInClientAsync();
        using var response = await client.PostAsync(url, null);
        await AssertRefusedAsync(response);
    }

    [Theory]
    [InlineData("https://evil.example", null)]
    [InlineData("null", null)]
    [InlineData(null, "cross-site")]
    [InlineData(null, "same-site")]
    [InlineData("http://localhost", "cross-site")]
    public async Task Post_Answers403_WhenCookieCallerComesFromAnotherSite(string? origin, string? fetchSite)
    {
        using var client = await SignedInClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/audit/verify");
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        using var response = await client.SendAsync(request);
        await AssertRefusedAsync(response);
    }

    [Theory]
    [InlineData("Origin", "http://localhost")]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Referer", "http://localhost/audit")]
    public async Task Post_Succeeds_WhenCookieCallerIsSameOrigin(string header, string value)
    {
        using var client = await SignedInClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/audit/verify");
        request.Headers.Add(header, value);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("isIntact").GetBoolean());
    }

    [Fact]
    public async Task Logout_SignsOut_WhenPostedFromThePortal()
    {
        using var client = await SignedInClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/logout");
        request.Headers.Add("Origin", "http://localhost");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Get_IsNotChecked_WhenCookieCallerSendsNoOrigin()
    {
        using var client = await SignedInClientAsync();
        using var response = await client.GetAsync("/api/v1/audit?take=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Post_IsNotChecked_WhenCallerSendsAuthorizationHeader()
    {
        // Another site cannot add an Authorization header without CORS, which the portal does not allow; bearer callers
        // (Entra ID apps) send no Origin and must keep working. Without Entra ID the cookie still authenticates this call.
        using var client = await SignedInClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/audit/verify");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "a-token");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpClient> SignedInClientAsync()
    {
        var userName = await SignInForm.CreateUserAsync(factory.Services, "csrf");
        var client = factory.ClientFor(null);
        using var signedIn = await SignInForm.PostAsync(client, userName, SignInForm.Password);
        Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".MigrationPortal.Auth="));
        return client;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("origin", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
