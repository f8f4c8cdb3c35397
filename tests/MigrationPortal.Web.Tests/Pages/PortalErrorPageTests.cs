using System.Net;

namespace MigrationPortal.Web.Tests.Pages;

/// <summary>
/// Unknown addresses and a denied /hangfire answer with the portal's own 404 and 403 pages and the right status code,
/// never the browser's bare error page.
/// </summary>
public sealed class PortalErrorPageTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    private const string Requester = "u-rita|Rita|Requester";
    private const string OperatorUser = "u-otto|Otto|Operator";

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/requests/not-a-guid")]
    [InlineData("/deep/unknown/address")]
    public async Task Get_ShowsThePortals404PageWith404_WhenTheAddressIsUnknown(string path)
    {
        using var client = factory.ClientFor(Requester);
        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"not-found\"", body);
        Assert.Contains("<title>Not found · MigrationPortal</title>", body);
    }

    [Fact]
    public async Task GetHangfire_ShowsThePortals403PageWith403_WhenTheUserIsNoOperator()
    {
        using var client = factory.ClientFor(Requester);
        using var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"forbidden\"", body);
        Assert.DoesNotContain("data-testid=\"not-found\"", body);
    }

    [Fact]
    public async Task GetHangfire_ShowsTheDashboard_WhenTheUserIsAnOperator()
    {
        using var client = factory.ClientFor(OperatorUser);
        using var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hangfire", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetHangfire_SendsToSignIn_WhenNobodyIsSignedIn()
    {
        using var client = factory.ClientFor(null);
        using var response = await client.GetAsync("/hangfire");

        // The test scheme answers a challenge with 401; the portal's cookie scheme redirects to /login (see Program.cs).
        Assert.DoesNotContain("data-testid=\"forbidden\"", await response.Content.ReadAsStringAsync());
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
