using System.Net;

namespace MigrationPortal.Web.Tests.Pages;

/// <summary>The dashboard links only to pages the user may open: a requester sees no link to Approvals.</summary>
public sealed class DashboardLinkTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    [Fact]
    public async Task Dashboard_HasNoApprovalsLink_WhenTheUserIsOnlyARequester()
    {
        using var client = factory.ClientFor("u-rita|Rita|Requester");
        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"my-actions\"", body);
        Assert.DoesNotContain("href=\"/approvals\"", body);
        Assert.DoesNotContain("waiting for my decision", body);
    }

    [Fact]
    public async Task Dashboard_LinksToApprovals_WhenTheUserIsAnApprover()
    {
        using var client = factory.ClientFor("u-abby|Abby|Approver");
        using var response = await client.GetAsync("/");

        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"my-actions\"", body);
        Assert.Contains("href=\"/approvals\"", body);
    }
}
